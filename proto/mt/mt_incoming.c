/* mt_incoming.c - Z-Stack's incoming-message event, AF_INCOMING_MSG (0x44 0x81), to and from
 * the stack-neutral zb_incoming (incoming.h), through the schema's layout (mt_af_incoming_msg,
 * proto/mt/mt_schema.h): the one definition the emulator's indications also use. */
#include "mt_incoming.h"

#include "mt_schema.h"

#include <string.h>

#define MT_AF_RADIUS 0x1E /* what the emulated Z-Stack reports; decoders ignore it */
/* where the data starts: groupId .. transSeqNumber (16 bytes), then its length byte */
#define MT_AF_DATA_AT 17

size_t mt_af_incoming_encode(const zb_incoming *m, uint8_t *out, size_t cap)
{
    mt_af_incoming_msg e = {.group = m->group,
                            .cluster = m->cluster,
                            .src = m->nwk,
                            .src_ep = m->src_ep,
                            .dst_ep = m->dst_ep,
                            .was_broadcast = (uint8_t)m->options,
                            .lqi = m->lqi,
                            .security_use = m->security,
                            .timestamp = m->timestamp,
                            .tsn = m->seq,
                            .data_len = (uint16_t)m->len,
                            .mac_src = m->nwk,
                            .radius = MT_AF_RADIUS};
    if (m->len > sizeof e.data) return 0; /* more than one MT frame carries */
    if (m->len) memcpy(e.data, m->data, m->len);
    long n = zs_encode_to(&mt_af_incoming_msg_layout, &e, out, cap);
    return n < 0 ? 0 : (size_t)n;
}

int mt_af_incoming_decode(const uint8_t *p, size_t n, zb_incoming *m)
{
    mt_af_incoming_msg e;
    memset(m, 0, sizeof(*m));
    if (zs_decode(&mt_af_incoming_msg_layout, p, n, &e, NULL) < 0) return -1;
    m->group = e.group;
    m->cluster = e.cluster;
    m->nwk = e.src;
    m->src_ep = e.src_ep;
    m->dst_ep = e.dst_ep;
    m->options = e.was_broadcast;
    m->lqi = e.lqi;
    m->security = e.security_use;
    m->timestamp = e.timestamp;
    m->seq = e.tsn;
    m->len = e.data_len;
    m->data = p + MT_AF_DATA_AT; /* the caller's frame, not the decoded copy */
    return 0;
}
