/* ezsp.c - the EZSP frame header (ezsp-ash.md §2.1); the parameters are layouts
 * (ezsp_schema.c). */
#include "ezsp.h"

int ezsp_header_decode(const uint8_t *p, size_t n, ezsp_header *h)
{
    if (n == 4 && p[2] == 0x00) {
        h->seq = p[0];
        h->fc_lo = p[1];
        h->fc_hi = 0;
        h->frame_id = EZSP_ID_VERSION;
        h->legacy = true;
        return EZSP_LEGACY_HDR;
    }
    if (n < EZSP_EXT_HEADER) return -1;
    h->seq = p[0];
    h->fc_lo = p[1];
    h->fc_hi = p[2];
    h->frame_id = get_le16(p + 3);
    h->legacy = false;
    if ((h->fc_hi & 0x03) != EZSP_FC_HI || (h->fc_hi & EZSP_FC_HI_RESVD)) return -1;
    return EZSP_EXT_HEADER;
}

size_t ezsp_header_encode(const ezsp_header *h, uint8_t *out)
{
    out[0] = h->seq;
    out[1] = h->fc_lo;
    if (h->legacy) {
        out[2] = (uint8_t)h->frame_id;
        return EZSP_LEGACY_HDR;
    }
    out[2] = h->fc_hi;
    put_le16(out + 3, h->frame_id);
    return EZSP_EXT_HEADER;
}

uint32_t ezsp_channel_mask(const uint8_t *channels, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (channels[i] < 32) m |= 1u << channels[i];
    return m;
}
