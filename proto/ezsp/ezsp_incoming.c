/* ezsp_incoming.c - EmberZNet's incoming-message event, incomingMessageHandler (0x0045), to and
 * from the stack-neutral zb_incoming (incoming.h), through the schema's row of each version. */
#include "ezsp_incoming.h"

#include "bytes.h"
#include "ezsp_versions.h" /* incomingMessageHandler's rows (ezsp_schema.h) */

#include <string.h>

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
