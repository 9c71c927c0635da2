/* incoming.c - the incoming-message events of the three stacks (incoming.h): each layout is
 * written once, as an encode/decode pair over the same field order. */
#include "incoming.h"

#include "bytes.h"

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

#define EZSP_RX_PACKET_INFO_VERSION 14 /* EmberRxPacketInfo replaced lqi/rssi/sender */

/* type, EmberApsFrame (profileId, clusterId, sourceEndpoint, destinationEndpoint, options,
 * groupId, sequence), then v14+: sender, senderEui64, bindingIndex, addressIndex, lastHopLqi,
 * lastHopRssi, lastHopTimestamp; <= v13: lastHopLqi, lastHopRssi, sender, bindingIndex,
 * addressIndex; then messageLength, messageContents. The emulator sends unicasts (type 0) that
 * used no binding or address table entry (0xFF). */
size_t ezsp_incoming_encode(int version, const zb_incoming *m, uint8_t *out, size_t cap)
{
    if (m->len > 255) return 0;
    zb_buf b = zb_buf_init(out, cap);
    zb_put_u8(&b, 0x00); /* EMBER_INCOMING_UNICAST */
    zb_put_le16(&b, m->profile);
    zb_put_le16(&b, m->cluster);
    zb_put_u8(&b, m->src_ep);
    zb_put_u8(&b, m->dst_ep);
    zb_put_le16(&b, m->options);
    zb_put_le16(&b, m->group);
    zb_put_u8(&b, m->seq);
    if (version >= EZSP_RX_PACKET_INFO_VERSION) {
        zb_put_le16(&b, m->nwk);
        zb_put_le64(&b, m->ieee);
        zb_put_u8(&b, 0xFF);
        zb_put_u8(&b, 0xFF);
        zb_put_u8(&b, m->lqi);
        zb_put_u8(&b, (uint8_t)m->rssi);
        zb_put_le32(&b, m->timestamp);
    } else {
        zb_put_u8(&b, m->lqi);
        zb_put_u8(&b, (uint8_t)m->rssi);
        zb_put_le16(&b, m->nwk);
        zb_put_u8(&b, 0xFF);
        zb_put_u8(&b, 0xFF);
    }
    zb_put_u8(&b, (uint8_t)m->len);
    zb_put_bytes(&b, m->data, m->len);
    return b.overflow ? 0 : b.len;
}

int ezsp_incoming_decode(int version, const uint8_t *p, size_t n, zb_incoming *m)
{
    zb_rd r = zb_rd_init(p, n);
    memset(m, 0, sizeof(*m));
    (void)zb_get_u8(&r); /* type */
    m->profile = zb_get_le16(&r);
    m->cluster = zb_get_le16(&r);
    m->src_ep = zb_get_u8(&r);
    m->dst_ep = zb_get_u8(&r);
    m->options = zb_get_le16(&r);
    m->group = zb_get_le16(&r);
    m->seq = zb_get_u8(&r);
    if (version >= EZSP_RX_PACKET_INFO_VERSION) {
        m->nwk = zb_get_le16(&r);
        m->ieee = zb_get_le64(&r);
        (void)zb_get_le16(&r); /* binding and address table indices */
        m->lqi = zb_get_u8(&r);
        m->rssi = (int8_t)zb_get_u8(&r);
        m->timestamp = zb_get_le32(&r);
    } else {
        m->lqi = zb_get_u8(&r);
        m->rssi = (int8_t)zb_get_u8(&r);
        m->nwk = zb_get_le16(&r);
        (void)zb_get_le16(&r);
    }
    m->len = zb_get_u8(&r);
    if (r.short_read || zb_rd_left(&r) < m->len) return -1;
    m->data = p + r.pos;
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
