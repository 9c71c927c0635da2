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

static void cmd_network_init(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    if (n->network_up) {
        st_ember(n, out, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    if (!ezsp_has_network(n)) {
        st_ember(n, out, EMBER_NOT_JOINED, SL_NOT_JOINED);
        return;
    }
    n->network_up = true;
    world_link_up(&n->world);
    ST_OK(n, out);
    ezsp_stack_status_later(n, EMBER_NETWORK_UP, SL_NETWORK_UP);
}

static void cmd_network_state(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    zb_put_u8(out, n->network_up ? 2 : 0);
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

static void cmd_get_network_parameters(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    ezsp_network_params p;
    if (!n->network_up) {
        memset(&p, 0, sizeof(p));
        st_ember(n, out, EMBER_NOT_JOINED, SL_NOT_JOINED);
        zb_put_u8(out, 0);
        ezsp_put_network_params(out, &p);
        return;
    }
    current_params(n, &p);
    ST_OK(n, out);
    zb_put_u8(out, 1); /* coordinator */
    ezsp_put_network_params(out, &p);
}

static void cmd_set_initial_security_state(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    ezsp_initial_security s;
    ezsp_get_initial_security(r, &s);
    if (r->short_read) {
        st_ember(n, out, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
        return;
    }
    if (n->network_up) {
        st_ember(n, out, EMBER_INVALID_CALL, SL_INVALID_STATE);
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
    ST_OK(n, out);
}

static void cmd_form_network(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    ezsp_network_params p;
    ezsp_get_network_params(r, &p);
    if (r->short_read || p.radio_channel < 11 || p.radio_channel > 26 || p.pan_id >= 0xFFFE) {
        st_ember(n, out, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
        return;
    }
    if (n->network_up) {
        st_ember(n, out, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    if (!n->security_set) {
        st_ember(n, out, EMBER_SECURITY_STATE_NOT_SET, SL_ZIGBEE_SECURITY_STATE_NOT_SET);
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
    ST_OK(n, out);
    ezsp_stack_status_later(n, EMBER_NETWORK_UP, SL_NETWORK_UP);
}

static void cmd_leave_network(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r; /* v14+ options byte: optional in practice (§2.5) */
    if (!n->network_up) {
        st_ember(n, out, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    /* network tokens back to their defaults; frame counters and the key table stay */
    static const uint32_t NET_TOKENS[] = {TOK_NODE_DATA, TOK_KEYS, TOK_ALTERNATE_KEY,
                                          TOK_TRUST_CENTER, TOK_NETWORK_MANAGEMENT};
    ezsp_nv fresh;
    if (ezsp_nv_init(&fresh) == 0) {
        for (size_t i = 0; i < sizeof(NET_TOKENS) / sizeof(NET_TOKENS[0]); i++) {
            ezsp_token *a = ezsp_nv_token(&n->nv, NET_TOKENS[i]);
            memcpy(a->data, ezsp_nv_token(&fresh, NET_TOKENS[i])->data, a->def->size);
        }
        ezsp_token *ct = ezsp_nv_token(&n->nv, TOK_CHILD_TABLE);
        memset(ct->data, 0, (size_t)ct->def->size * ct->def->array_size);
        ezsp_nv_free(&fresh);
    }
    put_le32(tok(n, TOK_NONCE_COUNTER), n->nwk_frame_counter);
    for (size_t i = 0; i < EZSP_ADDRESS_TABLE; i++)
        n->nv.addr[i].nwk = 0xFFFF;
    n->network_up = false;
    ST_OK(n, out);
    ezsp_stack_status_later(n, EMBER_NETWORK_DOWN, SL_NETWORK_DOWN);
}

static void cmd_permit_joining(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t d = zb_get_u8(r);
    if (!n->network_up) {
        st_ember(n, out, EMBER_INVALID_CALL, SL_INVALID_STATE);
        return;
    }
    ST_OK(n, out);
    /* NETWORK_OPENED / CLOSED follow from v9 on (herdsman's ember tests model them; no trace);
     * real v8 NCPs send no callback after permitJoining(60) (vectors/traces/ezsp/
     * b-v8-unknown-ha39200, -zhadh969) */
    if (n->version < 9) return;
    if (d)
        ezsp_stack_status_later(n, EMBER_NETWORK_OPENED, SL_ZIGBEE_NETWORK_OPENED);
    else
        ezsp_stack_status_later(n, EMBER_NETWORK_CLOSED, SL_ZIGBEE_NETWORK_CLOSED);
}

static void cmd_ok_ember(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    ST_OK(n, out); /* setConcentrator, setRadioIeee802154CcaMode: accepted */
}

static void cmd_set_source_route_discovery_mode(ezsp_ncp *n, const ezsp_header *h, zb_rd *r,
                                                zb_buf *out)
{
    (void)n;
    (void)h;
    (void)r;
    zb_put_le32(out, 0); /* ms to the next many-to-one route request */
}

static void cmd_set_radio_power(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t pw = zb_get_u8(r);
    if (ezsp_has_network(n)) {
        ezsp_node_data nd;
        node_data(n, &nd);
        nd.radio_tx_power = pw;
        ezsp_node_data_encode(&nd, tok(n, TOK_NODE_DATA));
    }
    ST_OK(n, out);
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
    uint8_t p[64];
    zb_buf b = zb_buf_init(p, sizeof(p));
    if (n->version >= 14) {
        st32(&b, SL_OK);
        zb_put_u8(&b, type);
        zb_put_le16(&b, dest);
        ezsp_put_aps_frame(&b, aps);
        zb_put_le16(&b, tag);
    } else {
        zb_put_u8(&b, type);
        zb_put_le16(&b, dest);
        ezsp_put_aps_frame(&b, aps);
        zb_put_u8(&b, (uint8_t)tag);
        zb_put_u8(&b, EMBER_SUCCESS);
    }
    zb_put_u8(&b, 0); /* MESSAGE_TAG_ONLY_IN_CALLBACK: no contents */
    ezsp_callback_later(n, EZSP_ID_MESSAGE_SENT_HANDLER, p, b.len, 10);
}

/* incomingMessageHandler from the coordinator itself (§11) */
static void incoming_from_self(ezsp_ncp *n, const ezsp_aps_frame *aps, const uint8_t *msg,
                               size_t len)
{
    uint8_t p[EZSP_MAX_FRAME];
    zb_buf b = zb_buf_init(p, sizeof(p) - 8);
    zb_put_u8(&b, 0); /* UNICAST */
    ezsp_put_aps_frame(&b, aps);
    if (n->version >= 14) {
        zb_put_le16(&b, 0x0000);
        zb_put_bytes(&b, n->eui64, 8);
        zb_put_u8(&b, 0xFF); /* bindingIndex */
        zb_put_u8(&b, 0xFF); /* addressIndex */
        zb_put_u8(&b, 0xFF); /* lqi */
        zb_put_u8(&b, 0);    /* rssi */
        zb_put_le32(&b, 0);
    } else {
        zb_put_u8(&b, 0xFF);
        zb_put_u8(&b, 0);
        zb_put_le16(&b, 0x0000);
        zb_put_u8(&b, 0xFF);
        zb_put_u8(&b, 0xFF);
    }
    zb_put_u8(&b, (uint8_t)len);
    zb_put_bytes(&b, msg, len);
    if (!b.overflow) ezsp_callback_later(n, EZSP_ID_INCOMING_MESSAGE_HANDLER, p, b.len, 20);
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
static int send_frame(ezsp_ncp *n, zb_buf *out, bool malformed, uint8_t type, uint16_t dest,
                      ezsp_aps_frame *aps, uint16_t tag)
{
    if (malformed || !n->network_up) {
        if (malformed)
            st_ember(n, out, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
        else
            st_ember(n, out, EMBER_NETWORK_DOWN, SL_NETWORK_DOWN);
        zb_put_u8(out, 0);
        return -1;
    }
    aps->sequence = n->aps_seq++;
    nwk_frame_sent(n);
    ST_OK(n, out);
    zb_put_u8(out, aps->sequence);
    message_sent(n, type, dest, aps, tag);
    return 0;
}

static void cmd_send_unicast(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t type = zb_get_u8(r);
    uint16_t dest = zb_get_le16(r);
    ezsp_aps_frame aps;
    ezsp_get_aps_frame(r, &aps);
    uint16_t tag = n->version >= 14 ? zb_get_le16(r) : zb_get_u8(r);
    uint8_t len = zb_get_u8(r), msg[255];
    zb_get_bytes(r, msg, len);
    if (send_frame(n, out, r->short_read, type, dest, &aps, tag) < 0) return;
    if (type == 0 && dest == 0x0000 && aps.profile_id == 0x0000 && !(aps.cluster_id & 0x8000)) {
        uint8_t rsp[128];
        size_t rn = zdo_answer(n, aps.cluster_id, msg, len, rsp, sizeof(rsp));
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
    uint8_t p[4];
    zb_buf b = zb_buf_init(p, sizeof(p));
    st_ember(n, &b, 0x9B, 0x0C17); /* CHANNEL_CHANGED */
    ezsp_callback_later(n, EZSP_ID_STACK_STATUS_HANDLER, p, b.len, 500);
}

static void cmd_set_logical_and_radio_channel(ezsp_ncp *n, const ezsp_header *h, zb_rd *r,
                                              zb_buf *out)
{
    (void)h;
    uint8_t ch = zb_get_u8(r);
    /* InterPAN: the radio listens elsewhere for a while; the network's channel is unchanged */
    if (ch < 11 || ch > 26)
        st_ember(n, out, EMBER_BAD_ARGUMENT, SL_INVALID_PARAMETER);
    else
        ST_OK(n, out);
}

static void cmd_send_broadcast(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint16_t dest;
    ezsp_aps_frame aps;
    uint16_t tag;
    if (n->version >= 14) {
        zb_get_le16(r); /* alias */
        dest = zb_get_le16(r);
        zb_get_u8(r); /* nwkSequence */
        ezsp_get_aps_frame(r, &aps);
        zb_get_u8(r); /* radius */
        tag = zb_get_le16(r);
    } else {
        dest = zb_get_le16(r);
        ezsp_get_aps_frame(r, &aps);
        zb_get_u8(r);
        tag = zb_get_u8(r);
    }
    uint8_t len = zb_get_u8(r), msg[255];
    zb_get_bytes(r, msg, len);
    if (send_frame(n, out, r->short_read || dest < 0xFFF8, 6, dest, &aps, tag) < 0) return;
    if (aps.profile_id == 0x0000 && aps.cluster_id == 0x0038) channel_change(n, msg, len);
}

static void cmd_send_multicast(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    ezsp_aps_frame aps;
    ezsp_get_aps_frame(r, &aps);
    uint16_t tag;
    if (n->version >= 14) {
        zb_get_u8(r);   /* hops */
        zb_get_le16(r); /* broadcastAddr */
        zb_get_le16(r); /* alias */
        zb_get_u8(r);   /* nwkSequence */
        tag = zb_get_le16(r);
    } else {
        zb_get_u8(r);
        zb_get_u8(r);
        tag = zb_get_u8(r);
    }
    uint8_t len = zb_get_u8(r), msg[255];
    zb_get_bytes(r, msg, len);
    send_frame(n, out, r->short_read, 3, aps.group_id, &aps, tag);
}

/* ---------------------------------------------------------------- table */

const ezsp_cmd ezsp_network_commands[] = {
    {EZSP_ID_SET_CONCENTRATOR, ALL, "setConcentrator", cmd_ok_ember},
    {EZSP_ID_NETWORK_INIT, ALL, "networkInit", cmd_network_init},
    {EZSP_ID_NETWORK_STATE, ALL, "networkState", cmd_network_state},
    {EZSP_ID_FORM_NETWORK, ALL, "formNetwork", cmd_form_network},
    {EZSP_ID_LEAVE_NETWORK, ALL, "leaveNetwork", cmd_leave_network},
    {EZSP_ID_PERMIT_JOINING, ALL, "permitJoining", cmd_permit_joining},
    {EZSP_ID_GET_NETWORK_PARAMETERS, ALL, "getNetworkParameters", cmd_get_network_parameters},
    {EZSP_ID_SET_SOURCE_ROUTE_DISCOVERY_MODE, ALL, "setSourceRouteDiscoveryMode",
     cmd_set_source_route_discovery_mode},
    {EZSP_ID_SET_INITIAL_SECURITY_STATE, ALL, "setInitialSecurityState",
     cmd_set_initial_security_state},
    {EZSP_ID_SET_CCA_MODE, EZSP_V_SET_CCA_MODE, "setRadioIeee802154CcaMode", cmd_ok_ember},
    {EZSP_ID_SET_RADIO_POWER, ALL, "setRadioPower", cmd_set_radio_power},
    {EZSP_ID_SEND_UNICAST, ALL, "sendUnicast", cmd_send_unicast},
    {EZSP_ID_SEND_BROADCAST, ALL, "sendBroadcast", cmd_send_broadcast},
    {EZSP_ID_SEND_MULTICAST, ALL, "sendMulticast", cmd_send_multicast},
    {EZSP_ID_SET_LOGICAL_AND_RADIO_CHANNEL, ALL, "setLogicalAndRadioChannel",
     cmd_set_logical_and_radio_channel},
};
const size_t ezsp_n_network_commands =
    sizeof(ezsp_network_commands) / sizeof(ezsp_network_commands[0]);
