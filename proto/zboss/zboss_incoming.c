/* zboss_incoming.c - ZBOSS's incoming-message event, APSDE_DATA_IND (0x0306), to and from the
 * stack-neutral zb_incoming (incoming.h): one encode/decode pair over the same field order. */
#include "zboss_incoming.h"

#include "bytes.h"

#include <string.h>

#define ZBOSS_DATA_IND_PARAMS 21

/* param_len (21: the bytes after itself and data_len), data_len, APS frame control, src, dst,
 * group, dst_ep, src_ep, cluster, profile, APS counter, MAC src, MAC dst, lqi, rssi, key
 * source/attribute, then the data. The emulator's frames come from a neighbour straight to the
 * coordinator (MAC src = src, dst 0). */
size_t zboss_apsde_data_ind_encode(const zb_incoming *m, uint8_t *out, size_t cap)
{
    if (m->len > 0xFFFF) return 0;
    zb_buf b = zb_buf_init(out, cap);
    zb_put_u8(&b, ZBOSS_DATA_IND_PARAMS);
    zb_put_le16(&b, (uint16_t)m->len);
    zb_put_u8(&b, (uint8_t)m->options);
    zb_put_le16(&b, m->nwk);
    zb_put_le16(&b, 0x0000);
    zb_put_le16(&b, m->group);
    zb_put_u8(&b, m->dst_ep);
    zb_put_u8(&b, m->src_ep);
    zb_put_le16(&b, m->cluster);
    zb_put_le16(&b, m->profile);
    zb_put_u8(&b, m->seq);
    zb_put_le16(&b, m->nwk);
    zb_put_le16(&b, 0x0000);
    zb_put_u8(&b, m->lqi);
    zb_put_u8(&b, (uint8_t)m->rssi);
    zb_put_u8(&b, m->security);
    zb_put_bytes(&b, m->data, m->len);
    return b.overflow ? 0 : b.len;
}

int zboss_apsde_data_ind_decode(const uint8_t *p, size_t n, zb_incoming *m)
{
    zb_rd r = zb_rd_init(p, n);
    memset(m, 0, sizeof(*m));
    uint8_t plen = zb_get_u8(&r);
    m->len = zb_get_le16(&r);
    m->options = zb_get_u8(&r);
    m->nwk = zb_get_le16(&r);
    (void)zb_get_le16(&r); /* destination */
    m->group = zb_get_le16(&r);
    m->dst_ep = zb_get_u8(&r);
    m->src_ep = zb_get_u8(&r);
    m->cluster = zb_get_le16(&r);
    m->profile = zb_get_le16(&r);
    m->seq = zb_get_u8(&r);
    (void)zb_get_le32(&r); /* MAC source and destination */
    m->lqi = zb_get_u8(&r);
    m->rssi = (int8_t)zb_get_u8(&r);
    m->security = zb_get_u8(&r);
    /* param_len counts the bytes after itself and data_len: a longer block (a later release)
     * is skipped by it */
    size_t at = 3 + (size_t)plen;
    if (r.short_read || plen < ZBOSS_DATA_IND_PARAMS || n < at || n - at < m->len) return -1;
    m->data = p + at;
    return 0;
}
