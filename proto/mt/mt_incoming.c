/* mt_incoming.c - Z-Stack's incoming-message event, AF_INCOMING_MSG (0x44 0x81), to and from
 * the stack-neutral zb_incoming (incoming.h): one encode/decode pair over the same field order. */
#include "mt_incoming.h"

#include "bytes.h"

#include <string.h>

#define MT_AF_RADIUS 0x1E /* what the emulated Z-Stack reports; decoders ignore it */


/* groupId, clusterId, srcAddr, srcEndpoint, dstEndpoint, wasBroadcast, linkQuality,
 * securityUse, timestamp, transSeqNumber, len, data, macSrcAddr, radius */
size_t mt_af_incoming_encode(const zb_incoming *m, uint8_t *out, size_t cap)
{
    if (m->len > 255) return 0;
    zb_buf b = zb_buf_init(out, cap);
    zb_put_le16(&b, m->group);
    zb_put_le16(&b, m->cluster);
    zb_put_le16(&b, m->nwk);
    zb_put_u8(&b, m->src_ep);
    zb_put_u8(&b, m->dst_ep);
    zb_put_u8(&b, (uint8_t)m->options);
    zb_put_u8(&b, m->lqi);
    zb_put_u8(&b, m->security);
    zb_put_le32(&b, m->timestamp);
    zb_put_u8(&b, m->seq);
    zb_put_u8(&b, (uint8_t)m->len);
    zb_put_bytes(&b, m->data, m->len);
    zb_put_le16(&b, m->nwk);
    zb_put_u8(&b, MT_AF_RADIUS);
    return b.overflow ? 0 : b.len;
}

int mt_af_incoming_decode(const uint8_t *p, size_t n, zb_incoming *m)
{
    zb_rd r = zb_rd_init(p, n);
    memset(m, 0, sizeof(*m));
    m->group = zb_get_le16(&r);
    m->cluster = zb_get_le16(&r);
    m->nwk = zb_get_le16(&r);
    m->src_ep = zb_get_u8(&r);
    m->dst_ep = zb_get_u8(&r);
    m->options = zb_get_u8(&r);
    m->lqi = zb_get_u8(&r);
    m->security = zb_get_u8(&r);
    m->timestamp = zb_get_le32(&r);
    m->seq = zb_get_u8(&r);
    m->len = zb_get_u8(&r);
    if (r.short_read || zb_rd_left(&r) < m->len) return -1;
    m->data = p + r.pos;
    return 0; /* macSrcAddr and radius follow; herdsman reads them, watch does not need them */
}
