/* ezsp_cmds_network.c - the EZSP commands that form, join, leave and talk on the network:
 * networkInit .. permitJoining, and the messaging the host sends through the NCP (sendUnicast,
 * sendBroadcast, sendMulticast) with the ZDO requests the coordinator answers itself.
 * Split from ezsp_cmds.c (which keeps dispatch); state and tokens as described there. */
#include "ezsp_cmds.h"

#include "bytes.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- network */

static void cmd_network_init(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_st);
    if (n->network_up) {
        a->status = st(n, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    if (!ezsp_has_network(n)) {
        a->status = st(n, EMBER_NOT_JOINED, SL_NOT_JOINED);
        return;
    }
    n->network_up = true;
    world_link_up(&n->world);
    a->status = ST_OK(n);
    ezsp_stack_status_later(n, EMBER_NETWORK_UP, SL_NETWORK_UP);
}

static void cmd_network_state(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_byte);
    a->value = n->network_up ? 2 : 0;
}

static void current_params(ezsp_ncp *n, ezsp_network_params *p)
{
    ezsp_node_data nd;
    node_data(n, &nd);
    const uint8_t *mg = tok(n, TOK_NETWORK_MANAGEMENT);
    memset(p, 0, sizeof(*p));
    memcpy(p->extended_pan_id, nd.extended_pan_id, 8);
    p->pan_id = nd.pan_id;
    p->radio_tx_power = nd.radio_tx_power;
    p->radio_channel = nd.radio_channel;
    p->join_method = 0;
    p->channels = get_le32(mg);
    p->nwk_manager_id = get_le16(mg + 4);
    p->nwk_update_id = mg[6];
}

static void cmd_get_network_parameters(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_network_params_rsp);
    if (!n->network_up) {
        a->status = st(n, EMBER_NOT_JOINED, SL_NOT_JOINED); /* node type 0, parameters 0 */
        return;
    }
    current_params(n, &a->params[0]);
    a->status = ST_OK(n);
    a->node_type = 1; /* coordinator */
}

static void cmd_set_initial_security_state(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_security_req);
    RSP(ezsp_st);
    const ezsp_initial_security s = q->state[0];
    if (c->short_req) {
        a->status = st(n, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
        return;
    }
    if (n->network_up) {
        a->status = st(n, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    n->sec = s;
    n->security_set = true;
    /* ember-types.h (EmberInitialSecurityBitmask): the outgoing NWK and APS frame counters are
     * reset here, not in formNetwork, unless EMBER_NO_FRAME_COUNTER_RESET. A counter set before
     * this call without the bit is gone; one set after it (bellows 0.34.x: this call, the key
     * table, setValue(NWK_FRAME_COUNTER), formNetwork) is kept. */
    if (!(s.bitmask & EMBER_NO_FRAME_COUNTER_RESET)) {
        n->nwk_frame_counter = 0;
        put_le32(tok(n, TOK_NONCE_COUNTER), 0);
        put_le32(tok(n, TOK_APS_FRAME_COUNTER), 0);
    }
    a->status = ST_OK(n);
}

static void cmd_form_network(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_form_req);
    RSP(ezsp_st);
    const ezsp_network_params p = q->params[0];
    if (c->short_req || p.radio_channel < 11 || p.radio_channel > 26 || p.pan_id >= 0xFFFE) {
        a->status = st(n, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
        return;
    }
    if (n->network_up) {
        a->status = st(n, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    if (!n->security_set) {
        a->status = st(n, EMBER_SECURITY_STATE_NOT_SET, SL_ZIGBEE_SECURITY_STATE_NOT_SET);
        return;
    }
    ezsp_node_data nd = {.pan_id = p.pan_id,
                         .radio_tx_power = p.radio_tx_power,
                         .radio_channel = p.radio_channel,
                         .stack_profile = 2,
                         .node_type = 1,
                         .node_id = 0x0000};
    memcpy(nd.extended_pan_id, p.extended_pan_id, 8);
    ezsp_node_data_encode(&nd, tok(n, TOK_NODE_DATA));
    uint8_t *keys = tok(n, TOK_KEYS);
    memcpy(keys, n->sec.network_key, 16);
    keys[16] = n->sec.network_key_seq;
    uint8_t *tc = tok(n, TOK_TRUST_CENTER);
    put_le16(tc, n->sec.bitmask);
    memcpy(tc + 2, (n->sec.bitmask & EMBER_HAVE_TRUST_CENTER_EUI64) ? n->sec.tc_eui64 : n->eui64,
           8);
    memcpy(tc + 10, n->sec.preconfigured_key, 16);
    uint8_t *mg = tok(n, TOK_NETWORK_MANAGEMENT);
    put_le32(mg, p.channels);
    put_le16(mg + 4, 0x0000);
    mg[6] = p.nwk_update_id;
    put_le32(tok(n, TOK_NONCE_COUNTER), n->nwk_frame_counter);
    n->network_up = true;
    if (n->devices_wanted) ezsp_add_simulated_devices(n, n->devices_wanted);
    world_link_up(&n->world);
    LOG_INFO("ezsp: formed network: channel %u, PAN %04x", p.radio_channel, p.pan_id);
    a->status = ST_OK(n);
    ezsp_stack_status_later(n, EMBER_NETWORK_UP, SL_NETWORK_UP);
}

static void cmd_leave_network(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_st); /* v14+ options byte: optional in practice (§2.5), short_req ignored */
    if (!n->network_up) {
        a->status = st(n, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    /* network tokens back to their defaults; frame counters and the key table stay */
    static const uint32_t NET_TOKENS[] = {TOK_NODE_DATA, TOK_KEYS, TOK_ALTERNATE_KEY,
                                          TOK_TRUST_CENTER, TOK_NETWORK_MANAGEMENT};
    ezsp_nv fresh;
    if (ezsp_nv_init(&fresh) == 0) {
        for (size_t i = 0; i < sizeof(NET_TOKENS) / sizeof(NET_TOKENS[0]); i++) {
            ezsp_token *t = ezsp_nv_token(&n->nv, NET_TOKENS[i]);
            memcpy(t->data, ezsp_nv_token(&fresh, NET_TOKENS[i])->data, t->def->size);
        }
        ezsp_token *ct = ezsp_nv_token(&n->nv, TOK_CHILD_TABLE);
        memset(ct->data, 0, (size_t)ct->def->size * ct->def->array_size);
        ezsp_nv_free(&fresh);
    }
    put_le32(tok(n, TOK_NONCE_COUNTER), n->nwk_frame_counter);
    for (size_t i = 0; i < EZSP_ADDRESS_TABLE; i++)
        n->nv.addr[i].nwk = 0xFFFF;
    n->network_up = false;
    a->status = ST_OK(n);
    ezsp_stack_status_later(n, EMBER_NETWORK_DOWN, SL_NETWORK_DOWN);
}

static void cmd_permit_joining(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_byte);
    RSP(ezsp_st);
    uint8_t d = q->value;
    if (!n->network_up) {
        a->status = st(n, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    a->status = ST_OK(n);
    /* NETWORK_OPENED / CLOSED follow from v9 on (herdsman's ember tests model them; no trace);
     * real v8 NCPs send no callback after permitJoining(60) (vectors/traces/ezsp/
     * b-v8-unknown-ha39200, -zhadh969) */
    if (n->version < 9) return;
    if (d)
        ezsp_stack_status_later(n, EMBER_NETWORK_OPENED, SL_ZIGBEE_NETWORK_OPENED);
    else
        ezsp_stack_status_later(n, EMBER_NETWORK_CLOSED, SL_ZIGBEE_NETWORK_CLOSED);
}

static void cmd_ok_ember(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_st);
    a->status = ST_OK(n); /* setConcentrator, setRadioIeee802154CcaMode: accepted */
}

static void cmd_set_source_route_discovery_mode(ezsp_ncp *n, ezsp_call *c)
{
    (void)n;
    (void)c; /* 0 ms to the next many-to-one route request */
}

static void cmd_set_radio_power(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_byte);
    RSP(ezsp_st);
    uint8_t pw = q->value;
    if (ezsp_has_network(n)) {
        ezsp_node_data nd;
        node_data(n, &nd);
        nd.radio_tx_power = pw;
        ezsp_node_data_encode(&nd, tok(n, TOK_NODE_DATA));
    }
    a->status = ST_OK(n);
}

/* ---------------------------------------------------------------- messaging, ZDO loopback */

/* Each NWK frame sent uses one counter value (the token is kept a block ahead: ezsp_frontend.c) */
static void nwk_frame_sent(ezsp_ncp *n)
{
    ezsp_nwk_fc_use(n);
}

static void message_sent(ezsp_ncp *n, uint8_t type, uint16_t dest, const ezsp_aps_frame *aps,
                         uint16_t tag)
{
    /* MESSAGE_TAG_ONLY_IN_CALLBACK: no contents */
    ezsp_message_sent m = {
        .status = st(n, EMBER_SUCCESS, SL_OK), .type = type, .destination = dest, .tag = tag};
    m.aps[0] = *aps;
    ezsp_callback_struct(n, EZSP_ID_MESSAGE_SENT_HANDLER, &m, 10);
}

/* incomingMessageHandler from the coordinator itself (§11): its node id and EUI64, no table
 * indices, the best LQI */
static void incoming_from_self(ezsp_ncp *n, const ezsp_aps_frame *aps, const uint8_t *msg,
                               size_t len)
{
    ezsp_incoming m = {.type = 0, /* UNICAST */
                       .sender = 0x0000,
                       .binding_index = 0xFF,
                       .address_index = 0xFF,
                       .lqi = 0xFF,
                       .rssi = 0,
                       .timestamp = 0,
                       .message_len = (uint16_t)len};
    m.aps[0] = *aps;
    memcpy(m.sender_eui64, n->eui64, 8);
    memcpy(m.message, msg, len);
    ezsp_callback_struct(n, EZSP_ID_INCOMING_MESSAGE_HANDLER, &m, 20);
}

/* Builds the ZDO response to a request the host addressed to the coordinator. */
static size_t zdo_answer(ezsp_ncp *n, uint16_t cluster, const uint8_t *req, size_t len,
                         uint8_t *rsp, size_t cap)
{
    zb_buf b = zb_buf_init(rsp, cap);
    if (len < 1) return 0;
    zb_put_u8(&b, req[0]);   /* TSN */
    if (cluster == 0x0005) { /* Active_EP_req */
        zb_put_u8(&b, 0);
        zb_put_le16(&b, 0x0000);
        zb_put_u8(&b, (uint8_t)n->n_endpoints);
        for (int i = 0; i < n->n_endpoints; i++)
            zb_put_u8(&b, n->endpoints[i].ep);
    } else if (cluster == 0x0004) { /* Simple_Desc_req: tsn, nwk, ep */
        const ezsp_endpoint *e = len >= 4 ? ezsp_find_endpoint(n, req[3]) : NULL;
        zb_put_u8(&b, e ? 0x00 : 0x83);
        zb_put_le16(&b, 0x0000);
        if (!e) {
            zb_put_u8(&b, 0);
        } else {
            zb_put_u8(&b, (uint8_t)(8 + 2 * (e->n_in + e->n_out)));
            zb_put_u8(&b, e->ep);
            zb_put_le16(&b, e->profile);
            zb_put_le16(&b, e->device);
            zb_put_u8(&b, e->version & 0x0F);
            zb_put_u8(&b, e->n_in);
            for (int i = 0; i < e->n_in; i++)
                zb_put_le16(&b, e->in[i]);
            zb_put_u8(&b, e->n_out);
            for (int i = 0; i < e->n_out; i++)
                zb_put_le16(&b, e->out[i]);
        }
    } else if (cluster == 0x0002) { /* Node_Desc_req */
        static const uint8_t desc[13] = {0x00, 0x40, 0x8F, 0,    0,    0x52, 0x80,
                                         0x00, 0x41, 0x2C, 0x80, 0x00, 0x00};
        zb_put_u8(&b, 0);
        zb_put_le16(&b, 0x0000);
        uint8_t d[13];
        memcpy(d, desc, 13);
        put_le16(d + 3, n->manufacturer_code);
        zb_put_bytes(&b, d, 13);
    } else {
        zb_put_u8(&b, 0x84); /* NOT_SUPPORTED */
    }
    return b.overflow ? 0 : b.len;
}

/* The end of every send command: BAD_ARGUMENT for a malformed request, NETWORK_DOWN without a
 * network, else the frame goes out (one NWK counter value, a new APS sequence) and the reply
 * carries that sequence. Returns 0 when the frame went out. */
static int send_frame(ezsp_ncp *n, ezsp_send_rsp *a, bool malformed, uint8_t type, uint16_t dest,
                      ezsp_aps_frame *aps, uint16_t tag)
{
    if (malformed || !n->network_up) {
        if (malformed)
            a->status = st(n, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
        else
            a->status = st(n, EMBER_NETWORK_DOWN, SL_NETWORK_DOWN);
        return -1;
    }
    aps->sequence = n->aps_seq++;
    nwk_frame_sent(n);
    a->status = ST_OK(n);
    a->sequence = aps->sequence;
    message_sent(n, type, dest, aps, tag);
    return 0;
}

static void cmd_send_unicast(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_unicast_req);
    RSP(ezsp_send_rsp);
    ezsp_aps_frame aps = q->aps[0];
    if (send_frame(n, a, c->short_req, q->type, q->destination, &aps, (uint16_t)q->tag) < 0) return;
    if (q->type == 0 && q->destination == 0x0000 && aps.profile_id == 0x0000 &&
        !(aps.cluster_id & 0x8000)) {
        uint8_t rsp[128];
        size_t rn = zdo_answer(n, aps.cluster_id, q->message, q->message_len, rsp, sizeof(rsp));
        ezsp_aps_frame ra = {.profile_id = 0,
                             .cluster_id = (uint16_t)(aps.cluster_id | 0x8000),
                             .sequence = aps.sequence};
        if (rn) incoming_from_self(n, &ra, rsp, rn);
    }
}

/* Mgmt_NWK_Update_req with scanDuration 0xFE broadcast by the coordinator: the stack itself
 * moves to the new channel with the given nwkUpdateId (herdsman's changeChannel, ZDO with
 * the TSN first: tsn, channelMask u32, 0xFE, nwkUpdateId) and reports CHANNEL_CHANGED. */
static void channel_change(ezsp_ncp *n, const uint8_t *msg, size_t len)
{
    if (len < 7 || msg[5] != 0xFE) return;
    uint32_t mask = get_le32(msg + 1) & 0x07FFF800;
    if (!mask || (mask & (mask - 1))) return; /* one channel only */
    uint8_t ch = 11;
    while (!(mask & (1u << ch)))
        ch++;
    ezsp_node_data nd;
    node_data(n, &nd);
    nd.radio_channel = ch;
    ezsp_node_data_encode(&nd, tok(n, TOK_NODE_DATA));
    tok(n, TOK_NETWORK_MANAGEMENT)[6] = msg[6];
    LOG_INFO("ezsp: channel changed to %u (nwkUpdateId %u)", ch, msg[6]);
    ezsp_st cc = {.status = st(n, 0x9B, 0x0C17)}; /* CHANNEL_CHANGED */
    ezsp_callback_struct(n, EZSP_ID_STACK_STATUS_HANDLER, &cc, 500);
}

static void cmd_set_logical_and_radio_channel(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_byte);
    RSP(ezsp_st);
    /* InterPAN: the radio listens elsewhere for a while; the network's channel is unchanged */
    if (q->value < 11 || q->value > 26)
        a->status = st(n, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
    else
        a->status = ST_OK(n);
}

static void cmd_send_broadcast(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_broadcast_req);
    RSP(ezsp_send_rsp);
    ezsp_aps_frame aps = q->aps[0];
    uint16_t dest = q->destination;
    if (send_frame(n, a, c->short_req || dest < 0xFFF8, 6, dest, &aps, (uint16_t)q->tag) < 0)
        return;
    if (aps.profile_id == 0x0000 && aps.cluster_id == 0x0038)
        channel_change(n, q->message, q->message_len);
}

static void cmd_send_multicast(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_multicast_req);
    RSP(ezsp_send_rsp);
    ezsp_aps_frame aps = q->aps[0];
    send_frame(n, a, c->short_req, 3, aps.group_id, &aps, (uint16_t)q->tag);
}

/* ---------------------------------------------------------------- table */

const ezsp_cmd ezsp_network_commands[] = {
    {EZSP_ID_SET_CONCENTRATOR, ALL, cmd_ok_ember},
    {EZSP_ID_NETWORK_INIT, ALL, cmd_network_init},
    {EZSP_ID_NETWORK_STATE, ALL, cmd_network_state},
    {EZSP_ID_FORM_NETWORK, ALL, cmd_form_network},
    {EZSP_ID_LEAVE_NETWORK, ALL, cmd_leave_network},
    {EZSP_ID_PERMIT_JOINING, ALL, cmd_permit_joining},
    {EZSP_ID_GET_NETWORK_PARAMETERS, ALL, cmd_get_network_parameters},
    {EZSP_ID_SET_SOURCE_ROUTE_DISCOVERY_MODE, ALL, cmd_set_source_route_discovery_mode},
    {EZSP_ID_SET_INITIAL_SECURITY_STATE, ALL, cmd_set_initial_security_state},
    {EZSP_ID_SET_CCA_MODE, EZSP_V_SET_CCA_MODE, cmd_ok_ember},
    {EZSP_ID_SET_RADIO_POWER, ALL, cmd_set_radio_power},
    {EZSP_ID_SEND_UNICAST, ALL, cmd_send_unicast},
    {EZSP_ID_SEND_BROADCAST, ALL, cmd_send_broadcast},
    {EZSP_ID_SEND_MULTICAST, ALL, cmd_send_multicast},
    {EZSP_ID_SET_LOGICAL_AND_RADIO_CHANNEL, ALL, cmd_set_logical_and_radio_channel},
};
const size_t ezsp_n_network_commands =
    sizeof(ezsp_network_commands) / sizeof(ezsp_network_commands[0]);
