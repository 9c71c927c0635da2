/* ezsp_world.c - the emulated EmberZNet NCP as the world's devices see it (world.h).
 *
 * WHY from the tokens: what a migration wrote is what the devices meet. The network is
 * STACK_NODE_DATA and STACK_KEYS; the coordinator's NWK counter is the NCP's own
 * (VALUE_NWK_FRAME_COUNTER, NONCE_COUNTER token); the TC link key of a device is its key-table
 * entry, else, with TRUST_CENTER_USES_HASHED_LINK_KEY, HMAC-AES-MMO(root key, EUI64)
 * (zigbee-security.md §5.3; the EUI64 bytes are taken in wire order, open question §10.3).
 * Accepted reports reach the host as incomingMessageHandler (0x0045). */
#include "ezsp_frontend.h"
#include "ezsp_incoming.h"

#include "bytes.h"
#include "ezsp_tokens.h"
#include "log.h"
#include "world_link.h"
#include "zb_crypto.h"

#include <string.h>

static const char *ezsp_link_key(void *fe, uint64_t ieee, uint8_t key[16])
{
    ezsp_ncp *n = fe;
    uint8_t eui[8];
    put_le64(eui, ieee);
    for (unsigned i = 0; i < EZSP_KEY_TABLE_SIZE; i++) {
        const uint8_t *e = ezsp_nv_elem(&n->nv, TOK_KEY_TABLE, i);
        ezsp_tok_key t;
        if (!e) continue;
        ezsp_tok_key_decode(e, &t);
        if (memcmp(t.eui64, eui, 8) == 0) {
            memcpy(key, t.key, 16);
            return "unique";
        }
    }
    const uint8_t *tc = ezsp_nv_elem(&n->nv, TOK_TRUST_CENTER, 0);
    if (tc && (get_le16(tc) & EMBER_TC_USES_HASHED_LINK_KEY) == EMBER_TC_USES_HASHED_LINK_KEY) {
        zb_ezsp_hashed_link_key(tc + 10, eui, key);
        return "ezsp-hashed";
    }
    return NULL;
}

static int ezsp_knows_child(void *fe, uint64_t ieee)
{
    ezsp_ncp *n = fe;
    uint8_t eui[8];
    put_le64(eui, ieee);
    for (unsigned i = 0; i < EZSP_CHILD_TABLE; i++) {
        const uint8_t *c = ezsp_nv_elem(&n->nv, TOK_CHILD_TABLE, i);
        if (c && memcmp(c, eui, 8) == 0) return 1;
    }
    return 0;
}

static int ezsp_member(void *fe, size_t i, world_member *m)
{
    ezsp_ncp *n = fe;
    size_t k = 0;
    for (unsigned j = 0; j < EZSP_CHILD_TABLE; j++) {
        const uint8_t *c = ezsp_nv_elem(&n->nv, TOK_CHILD_TABLE, j);
        if (c && !zb_ieee_blank(c) && k++ == i) {
            ezsp_tok_child t;
            ezsp_tok_child_decode(c, &t);
            *m = (world_member){get_le64(t.eui64), t.id, 1};
            return 1;
        }
    }
    for (unsigned j = 0; j < EZSP_ADDRESS_TABLE; j++)
        if (n->nv.addr[j].nwk != 0xFFFF && !zb_ieee_blank(n->nv.addr[j].eui64) && k++ == i) {
            *m = (world_member){get_le64(n->nv.addr[j].eui64), n->nv.addr[j].nwk, 0};
            return 1;
        }
    return 0;
}

/* incomingMessageHandler (proto/core/incoming.h): a unicast with APS retry to the first endpoint. */
static void ezsp_deliver(void *fe, const world_report *r)
{
    ezsp_ncp *n = fe;
    zb_incoming m = {.nwk = r->nwk,
                     .ieee = r->ieee,
                     .profile = r->profile,
                     .cluster = r->cluster,
                     .src_ep = r->src_ep,
                     .dst_ep = n->n_endpoints ? n->endpoints[0].ep : 1,
                     .lqi = r->lqi,
                     .rssi = (int8_t)(-90 + r->lqi / 8),
                     .seq = n->aps_seq++,
                     .timestamp = (uint32_t)emu_now_ms(),
                     .options = 0x0040, /* EMBER_APS_OPTION_RETRY */
                     .data = r->zcl,
                     .len = r->zcl_len};
    uint8_t d[160];
    size_t len = ezsp_incoming_encode(n->version, &m, d, sizeof(d));
    if (len && n->version) ezsp_callback(n, EZSP_ID_INCOMING_MESSAGE_HANDLER, d, len);
}

static int ezsp_set_network_key(void *fe, const uint8_t key[16], uint8_t seq)
{
    ezsp_ncp *n = fe;
    uint8_t *keys = ezsp_nv_elem(&n->nv, TOK_KEYS, 0);
    if (!keys) return -1;
    memcpy(keys, key, 16);
    keys[16] = seq;
    return 0;
}

/* World frames go through the same reservation as every other frame (ezsp_nwk_fc_use). */
static uint32_t ezsp_world_nwk_use(void *fe, uint32_t count)
{
    ezsp_ncp *n = fe;
    for (uint32_t i = 0; i < count && n->nwk_frame_counter < UINT32_MAX; i++)
        ezsp_nwk_fc_use(n);
    return n->nwk_frame_counter;
}

static int ezsp_coord(void *fe, world_coord *c)
{
    ezsp_ncp *n = fe;
    const uint8_t *nd_p = ezsp_nv_elem(&n->nv, TOK_NODE_DATA, 0);
    const uint8_t *keys = ezsp_nv_elem(&n->nv, TOK_KEYS, 0);
    if (!n->network_up || !nd_p || !keys) return -1;
    ezsp_node_data nd;
    ezsp_node_data_decode(nd_p, &nd);
    *c = (world_coord){.ieee = get_le64(n->eui64),
                       .epid = get_le64(nd.extended_pan_id),
                       .pan = nd.pan_id,
                       .channel = nd.radio_channel,
                       .key_seq = keys[16]};
    memcpy(c->nwk_key, keys, 16);
    return 0;
}

/* --devices at power-up join a formed network before network_up is set. */
static int ezsp_coord_joining(void *fe, world_coord *c)
{
    ezsp_ncp *n = fe;
    bool up = n->network_up;
    n->network_up = ezsp_has_network(n);
    int r = ezsp_coord(n, c);
    n->network_up = up;
    return r;
}

static const world_stack EZSP_WORLD = {.name = "ezsp",
                                       .nwk_use = ezsp_world_nwk_use,
                                       .link_key = ezsp_link_key,
                                       .knows_child = ezsp_knows_child,
                                       .member = ezsp_member,
                                       .deliver = ezsp_deliver,
                                       .set_network_key = ezsp_set_network_key,
                                       .coord = ezsp_coord,
                                       .coord_joining = ezsp_coord_joining};

int ezsp_world_attach(ezsp_ncp *n, const emu_options *o, char *err, size_t errlen)
{
    return world_link_attach(&n->world, n->e, &EZSP_WORLD, n, &n->last_rx_ms, o, err, errlen);
}
