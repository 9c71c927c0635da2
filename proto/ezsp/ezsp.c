/* ezsp.c - EZSP frame header and structure codecs (ezsp-ash.md §2.1, §3).
 *
 * One function per structure and direction, field by field in wire order, so each layout can
 * be checked against the document line by line and the tests can round-trip every one. */
#include "ezsp.h"
#include "ezsp_versions.h" /* the two version-dependent layouts: one codec each */

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

void ezsp_put_network_params(zb_buf *b, const ezsp_network_params *v)
{
    zb_put_bytes(b, v->extended_pan_id, 8);
    zb_put_le16(b, v->pan_id);
    zb_put_u8(b, v->radio_tx_power);
    zb_put_u8(b, v->radio_channel);
    zb_put_u8(b, v->join_method);
    zb_put_le16(b, v->nwk_manager_id);
    zb_put_u8(b, v->nwk_update_id);
    zb_put_le32(b, v->channels);
}

void ezsp_get_network_params(zb_rd *r, ezsp_network_params *v)
{
    zb_get_bytes(r, v->extended_pan_id, 8);
    v->pan_id = zb_get_le16(r);
    v->radio_tx_power = zb_get_u8(r);
    v->radio_channel = zb_get_u8(r);
    v->join_method = zb_get_u8(r);
    v->nwk_manager_id = zb_get_le16(r);
    v->nwk_update_id = zb_get_u8(r);
    v->channels = zb_get_le32(r);
}

void ezsp_put_initial_security(zb_buf *b, const ezsp_initial_security *v)
{
    zb_put_le16(b, v->bitmask);
    zb_put_bytes(b, v->preconfigured_key, 16);
    zb_put_bytes(b, v->network_key, 16);
    zb_put_u8(b, v->network_key_seq);
    zb_put_bytes(b, v->tc_eui64, 8);
}

void ezsp_get_initial_security(zb_rd *r, ezsp_initial_security *v)
{
    v->bitmask = zb_get_le16(r);
    zb_get_bytes(r, v->preconfigured_key, 16);
    zb_get_bytes(r, v->network_key, 16);
    v->network_key_seq = zb_get_u8(r);
    zb_get_bytes(r, v->tc_eui64, 8);
}

void ezsp_put_secman_context(zb_buf *b, const ezsp_secman_context *v)
{
    ezsp_put_secman_context_v(b, EZSP_NEWEST, v);
}

void ezsp_get_secman_context(zb_rd *r, ezsp_secman_context *v)
{
    ezsp_get_secman_context_v(r, EZSP_NEWEST, v);
}

void ezsp_put_network_key_info(zb_buf *b, const ezsp_network_key_info *v)
{
    zb_put_u8(b, v->network_key_set);
    zb_put_u8(b, v->alternate_network_key_set);
    zb_put_u8(b, v->network_key_seq);
    zb_put_u8(b, v->alt_network_key_seq);
    zb_put_le32(b, v->network_key_frame_counter);
}

void ezsp_get_network_key_info(zb_rd *r, ezsp_network_key_info *v)
{
    v->network_key_set = zb_get_u8(r);
    v->alternate_network_key_set = zb_get_u8(r);
    v->network_key_seq = zb_get_u8(r);
    v->alt_network_key_seq = zb_get_u8(r);
    v->network_key_frame_counter = zb_get_le32(r);
}

void ezsp_put_aps_key_metadata(zb_buf *b, const ezsp_aps_key_metadata *v)
{
    zb_put_le16(b, v->bitmask);
    zb_put_le32(b, v->outgoing_frame_counter);
    zb_put_le32(b, v->incoming_frame_counter);
    zb_put_le16(b, v->ttl_seconds);
}

void ezsp_get_aps_key_metadata(zb_rd *r, ezsp_aps_key_metadata *v)
{
    v->bitmask = zb_get_le16(r);
    v->outgoing_frame_counter = zb_get_le32(r);
    v->incoming_frame_counter = zb_get_le32(r);
    v->ttl_seconds = zb_get_le16(r);
}

void ezsp_put_child_data(zb_buf *b, const ezsp_child_data *v)
{
    ezsp_put_child_data_v(b, EZSP_NEWEST, v);
}

void ezsp_get_child_data(zb_rd *r, ezsp_child_data *v)
{
    ezsp_get_child_data_v(r, EZSP_NEWEST, v);
}

void ezsp_put_aps_frame(zb_buf *b, const ezsp_aps_frame *v)
{
    zb_put_le16(b, v->profile_id);
    zb_put_le16(b, v->cluster_id);
    zb_put_u8(b, v->src_ep);
    zb_put_u8(b, v->dst_ep);
    zb_put_le16(b, v->options);
    zb_put_le16(b, v->group_id);
    zb_put_u8(b, v->sequence);
}

void ezsp_get_aps_frame(zb_rd *r, ezsp_aps_frame *v)
{
    v->profile_id = zb_get_le16(r);
    v->cluster_id = zb_get_le16(r);
    v->src_ep = zb_get_u8(r);
    v->dst_ep = zb_get_u8(r);
    v->options = zb_get_le16(r);
    v->group_id = zb_get_le16(r);
    v->sequence = zb_get_u8(r);
}

void ezsp_put_token_info(zb_buf *b, const ezsp_token_info *v)
{
    zb_put_le32(b, v->nvm3_key);
    zb_put_u8(b, v->is_cnt);
    zb_put_u8(b, v->is_idx);
    zb_put_u8(b, v->size);
    zb_put_u8(b, v->array_size);
}

void ezsp_get_token_info(zb_rd *r, ezsp_token_info *v)
{
    v->nvm3_key = zb_get_le32(r);
    v->is_cnt = zb_get_u8(r);
    v->is_idx = zb_get_u8(r);
    v->size = zb_get_u8(r);
    v->array_size = zb_get_u8(r);
}

void ezsp_put_version_info(zb_buf *b, const ezsp_version_info *v)
{
    zb_put_le16(b, v->build);
    zb_put_u8(b, v->major);
    zb_put_u8(b, v->minor);
    zb_put_u8(b, v->patch);
    zb_put_u8(b, v->special);
    zb_put_u8(b, v->type);
}

void ezsp_get_version_info(zb_rd *r, ezsp_version_info *v)
{
    v->build = zb_get_le16(r);
    v->major = zb_get_u8(r);
    v->minor = zb_get_u8(r);
    v->patch = zb_get_u8(r);
    v->special = zb_get_u8(r);
    v->type = zb_get_u8(r);
}

void ezsp_put_multicast_entry(zb_buf *b, const ezsp_multicast_entry *v)
{
    zb_put_le16(b, v->multicast_id);
    zb_put_u8(b, v->endpoint);
    zb_put_u8(b, v->network_index);
}

void ezsp_get_multicast_entry(zb_rd *r, ezsp_multicast_entry *v)
{
    v->multicast_id = zb_get_le16(r);
    v->endpoint = zb_get_u8(r);
    v->network_index = zb_get_u8(r);
}

void ezsp_put_status(zb_buf *b, int version, uint32_t status)
{
    if (version >= 14)
        zb_put_le32(b, status);
    else
        zb_put_u8(b, (uint8_t)status);
}

uint32_t ezsp_get_status(zb_rd *r, int version)
{
    return version >= 14 ? zb_get_le32(r) : zb_get_u8(r);
}

uint32_t ezsp_channel_mask(const uint8_t *channels, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (channels[i] < 32) m |= 1u << channels[i];
    return m;
}
