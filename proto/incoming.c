/* incoming.c - the incoming-message events of the three stacks (incoming.h): each layout is
 * written once, as an encode/decode pair over the same field order. */
#include "incoming.h"

#include "bytes.h"
#include "ezsp_versions.h" /* incomingMessageHandler's rows (ezsp_schema.h) */

#include <string.h>

#define MT_AF_RADIUS 0x1E /* what the emulated Z-Stack reports; decoders ignore it */

/* ---------------------------------------------------------------- Z-Stack */

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

/* ---------------------------------------------------------------- EmberZNet */

/* incomingMessageHandler: the layouts of ezsp_schema.h (ezsp_incoming: lqi, rssi, sender and
 * the table indices up to v13, EmberRxPacketInfo from v14), read and written through the row of
 * the version. The emulator sends unicasts (type 0) that used no binding or address table entry
 * (0xFF). */
size_t ezsp_incoming_encode(int version, const zb_incoming *m, uint8_t *out, size_t cap)
{
    const zs_cmd *row = ezsp_cmd_row(EZSP_ID_INCOMING_MESSAGE_HANDLER, version);
    if (m->len > 255 || !row) return 0;
    ezsp_incoming e = {.type = 0x00, /* EMBER_INCOMING_UNICAST */
                       .sender = m->nwk,
                       .binding_index = 0xFF,
                       .address_index = 0xFF,
                       .lqi = m->lqi,
                       .rssi = (uint8_t)m->rssi,
                       .timestamp = m->timestamp,
                       .message_len = (uint16_t)m->len};
    e.aps[0] = (ezsp_aps_frame){.profile_id = m->profile,
                                .cluster_id = m->cluster,
                                .src_ep = m->src_ep,
                                .dst_ep = m->dst_ep,
                                .options = m->options,
                                .group_id = m->group,
                                .sequence = m->seq};
    put_le64(e.sender_eui64, m->ieee);
    if (m->len) memcpy(e.message, m->data, m->len);
    long n = zs_encode_to(row->rsp, &e, out, cap);
    return n < 0 ? 0 : (size_t)n;
}

int ezsp_incoming_decode(int version, const uint8_t *p, size_t n, zb_incoming *m)
{
    const zs_cmd *row = ezsp_cmd_row(EZSP_ID_INCOMING_MESSAGE_HANDLER, version);
    ezsp_incoming e;
    memset(m, 0, sizeof(*m));
    long took = row ? zs_decode(row->rsp, p, n, &e, NULL) : -1;
    if (took < 0) return -1;
    const ezsp_aps_frame *a = &e.aps[0];
    m->profile = a->profile_id;
    m->cluster = a->cluster_id;
    m->src_ep = a->src_ep;
    m->dst_ep = a->dst_ep;
    m->options = a->options;
    m->group = a->group_id;
    m->seq = a->sequence;
    m->nwk = e.sender;
    m->ieee = get_le64(e.sender_eui64); /* 0 up to v13: the layout has no EUI64 */
    m->lqi = e.lqi;
    m->rssi = (int8_t)e.rssi;
    m->timestamp = e.timestamp;
    m->len = e.message_len;
    m->data = p + (size_t)took - e.message_len; /* the message ends the payload */
    return 0;
}

/* ---------------------------------------------------------------- ZBOSS */

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
