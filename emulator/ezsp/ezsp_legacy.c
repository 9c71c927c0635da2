/* ezsp_legacy.c - the commands of the emulated NCP that only some EZSP versions have
 * (ezsp_versions.h): the key-table API of EmberZNet 6.7-7.3 (EZSP v8-v12: getKey,
 * getKeyTableEntry, setKeyTableEntry, addOrUpdateKeyTableEntry, becomeTrustCenter), which
 * v13 removed in favour of the security manager, and v19's clearBindingTableOnLeave.
 *
 * They read and write the same tokens as the v13+ commands in ezsp_cmds.c (STACK_KEYS,
 * STACK_TRUST_CENTER, STACK_KEY_TABLE, the counters), so the token file has one format for
 * every version: a network formed by a v8 host is read by a v13+ host after the firmware
 * "upgrade" (zbemu restarted with another --ezsp-version on the same --nvram), as on a
 * reflashed stick. Every status here is an EmberStatus u8: all these commands exist only
 * where statuses are u8 (≤ v13) or have no status at all. */
#include "ezsp_frontend.h"

#include "bytes.h"
#include "ezsp_tokens.h"
#include "log.h"

#include <string.h>

static uint8_t *tok(ezsp_ncp *n, uint32_t key)
{
    return ezsp_nv_elem(&n->nv, key, 0);
}

/* getKey(keyType) -> status u8, EmberKeyStruct. The current network key carries its sequence
 * number and the NWK outgoing frame counter (bellows reads the counter from here before v13);
 * the TC link key is the preconfigured (hashed-TCLK root) key given to formNetwork. */
static void cmd_get_key(ezsp_ncp *n, ezsp_call *c)
{
    const ezsp_byte *q = c->req;
    ezsp_key_rsp *a = c->rsp;
    uint8_t type = q->value;
    ezsp_key_struct *k = &a->key[0];
    const uint8_t *keys = tok(n, TOK_KEYS), *alt = tok(n, TOK_ALTERNATE_KEY);
    const uint8_t *tc = tok(n, TOK_TRUST_CENTER);
    bool have = ezsp_has_network(n);
    k->type = type;
    switch (have ? type : 0) {
    case EMBER_CURRENT_NETWORK_KEY:
        k->bitmask = EMBER_KEY_HAS_SEQUENCE_NUMBER | EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER;
        memcpy(k->key, keys, 16);
        k->sequence_number = keys[16];
        k->outgoing_frame_counter = n->nwk_frame_counter;
        break;
    case EMBER_NEXT_NETWORK_KEY:
        k->bitmask = EMBER_KEY_HAS_SEQUENCE_NUMBER;
        memcpy(k->key, alt, 16);
        k->sequence_number = alt[16];
        break;
    case EMBER_TRUST_CENTER_LINK_KEY:
        /* authorized too, as a real v8 NCP answers (bitmask 0x1A in
         * vectors/traces/ezsp/b-v8-unknown-bellows468) */
        k->bitmask = EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER | EMBER_KEY_HAS_PARTNER_EUI64 |
                     EMBER_KEY_IS_AUTHORIZED;
        memcpy(k->key, tc + 10, 16);
        memcpy(k->partner_eui64, tc + 2, 8);
        k->outgoing_frame_counter = get_le32(tok(n, TOK_APS_FRAME_COUNTER));
        break;
    default: /* no network yet, or a key type a coordinator does not keep */
        a->status = EMBER_KEY_INVALID;
        return;
    }
    a->status = EMBER_SUCCESS;
}

/* getKeyTableEntry(index): INDEX_OUT_OF_RANGE past the table (bellows ends its loop there),
 * TABLE_ENTRY_ERASED for a free slot, else the link key with both APS counters. */
static void cmd_get_key_table_entry(ezsp_ncp *n, ezsp_call *c)
{
    const ezsp_index *q = c->req;
    ezsp_key_rsp *a = c->rsp;
    uint8_t i = q->index;
    ezsp_key_struct *k = &a->key[0];
    k->type = EMBER_APPLICATION_LINK_KEY;
    if (i >= EZSP_KEY_TABLE_SIZE || !ezsp_key_table_used(ezsp_key_table_slot(n, i))) {
        a->status = i >= EZSP_KEY_TABLE_SIZE ? EMBER_INDEX_OUT_OF_RANGE : EMBER_TABLE_ENTRY_ERASED;
        return;
    }
    const uint8_t *s = ezsp_key_table_slot(n, i);
    k->bitmask = EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER | EMBER_KEY_HAS_INCOMING_FRAME_COUNTER |
                 EMBER_KEY_HAS_PARTNER_EUI64 | EMBER_KEY_IS_AUTHORIZED;
    ezsp_tok_key t;
    ezsp_tok_key_decode(s, &t);
    memcpy(k->key, t.key, 16);
    memcpy(k->partner_eui64, t.eui64, 8);
    k->outgoing_frame_counter = get_le32(tok(n, TOK_APS_FRAME_COUNTER));
    k->incoming_frame_counter = n->nv.key_rx_counter[i];
    a->status = EMBER_SUCCESS;
}

/* Writes slot i; a new key starts with incoming counter 0 (there is no way to set it). */
static uint8_t store_key(ezsp_ncp *n, int i, const uint8_t eui[8], const uint8_t key[16])
{
    ezsp_key_table_store(n, (unsigned)i, eui, key);
    n->nv.key_rx_counter[i] = 0;
    return EMBER_SUCCESS;
}

/* Whether the (eui64, linkKey, key) both key-table setters take can be stored: not when the
 * request is short, names no device or is not a link key (BAD_ARGUMENT). */
static bool key_entry_ok(const ezsp_call *c, const uint8_t eui[8], uint8_t link_key)
{
    return !c->short_req && link_key && !zb_ieee_blank(eui);
}

/* setKeyTableEntry(index, eui64, linkKey, key): linkKey false would be a master key, which
 * no Zigbee 3.0 stack keeps. */
static void cmd_set_key_table_entry(ezsp_ncp *n, ezsp_call *c)
{
    const ezsp_set_key_entry_req *q = c->req;
    ezsp_st8 *a = c->rsp;
    if (!key_entry_ok(c, q->eui64, q->link_key))
        a->status = EMBER_BAD_ARGUMENT;
    else if (q->index >= EZSP_KEY_TABLE_SIZE)
        a->status = EMBER_INDEX_OUT_OF_RANGE;
    else
        a->status = store_key(n, q->index, q->eui64, q->key);
}

/* addOrUpdateKeyTableEntry(eui64, linkKey, key): the partner's slot, else the first free one. */
static void cmd_add_or_update_key_table_entry(ezsp_ncp *n, ezsp_call *c)
{
    const ezsp_key_entry_req *q = c->req;
    ezsp_st8 *a = c->rsp;
    if (!key_entry_ok(c, q->eui64, q->link_key)) {
        a->status = EMBER_BAD_ARGUMENT;
        return;
    }
    int i = ezsp_key_table_find(n, q->eui64);
    for (unsigned k = 0; i < 0 && k < EZSP_KEY_TABLE_SIZE; k++)
        if (!ezsp_key_table_used(ezsp_key_table_slot(n, k))) i = (int)k;
    a->status = i < 0 ? EMBER_TABLE_FULL : store_key(n, i, q->eui64, q->key);
}

/* becomeTrustCenter(newNetworkKey): turns a joined router into the TC. This NCP only forms
 * networks as their TC, so with a network it already is one; without, the call is invalid. */
static void cmd_become_trust_center(ezsp_ncp *n, ezsp_call *c)
{
    ezsp_st8 *a = c->rsp;
    if (c->short_req)
        a->status = EMBER_BAD_ARGUMENT;
    else
        a->status = n->network_up ? EMBER_SUCCESS : EMBER_INVALID_CALL;
}

/* clearBindingTableOnLeave(clear) (v19): no response parameters; this NCP keeps no binding
 * table, so there is nothing to clear either way. */
static void cmd_clear_binding_table_on_leave(ezsp_ncp *n, ezsp_call *c)
{
    (void)n;
    LOG_DEBUG("ezsp: clearBindingTableOnLeave(%u)", ((const ezsp_byte *)c->req)->value);
}

const ezsp_cmd ezsp_legacy_commands[] = {
    {EZSP_ID_GET_KEY, EZSP_V_GET_KEY, cmd_get_key},
    {EZSP_ID_GET_KEY_TABLE_ENTRY, EZSP_V_GET_KEY_TABLE_ENTRY, cmd_get_key_table_entry},
    {EZSP_ID_SET_KEY_TABLE_ENTRY, EZSP_V_SET_KEY_TABLE_ENTRY, cmd_set_key_table_entry},
    {EZSP_ID_ADD_OR_UPDATE_KEY_TABLE_ENTRY, EZSP_V_ADD_OR_UPDATE_KEY_TABLE_ENTRY,
     cmd_add_or_update_key_table_entry},
    {EZSP_ID_BECOME_TRUST_CENTER, EZSP_V_BECOME_TRUST_CENTER, cmd_become_trust_center},
    {EZSP_ID_CLEAR_BINDING_TABLE_ON_LEAVE, EZSP_V_CLEAR_BINDING_TABLE_ON_LEAVE,
     cmd_clear_binding_table_on_leave},
};
const size_t ezsp_n_legacy_commands =
    sizeof(ezsp_legacy_commands) / sizeof(ezsp_legacy_commands[0]);
