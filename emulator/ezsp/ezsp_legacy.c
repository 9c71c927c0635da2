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
static void cmd_get_key(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t type = zb_get_u8(r);
    ezsp_key_struct k = {.type = type};
    const uint8_t *keys = tok(n, TOK_KEYS), *alt = tok(n, TOK_ALTERNATE_KEY);
    const uint8_t *tc = tok(n, TOK_TRUST_CENTER);
    bool have = ezsp_has_network(n);
    switch (have ? type : 0) {
    case EMBER_CURRENT_NETWORK_KEY:
        k.bitmask = EMBER_KEY_HAS_SEQUENCE_NUMBER | EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER;
        memcpy(k.key, keys, 16);
        k.sequence_number = keys[16];
        k.outgoing_frame_counter = n->nwk_frame_counter;
        break;
    case EMBER_NEXT_NETWORK_KEY:
        k.bitmask = EMBER_KEY_HAS_SEQUENCE_NUMBER;
        memcpy(k.key, alt, 16);
        k.sequence_number = alt[16];
        break;
    case EMBER_TRUST_CENTER_LINK_KEY:
        /* authorized too, as a real v8 NCP answers (bitmask 0x1A in
         * vectors/traces/ezsp/b-v8-unknown-bellows468) */
        k.bitmask = EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER | EMBER_KEY_HAS_PARTNER_EUI64 |
                    EMBER_KEY_IS_AUTHORIZED;
        memcpy(k.key, tc + 10, 16);
        memcpy(k.partner_eui64, tc + 2, 8);
        k.outgoing_frame_counter = get_le32(tok(n, TOK_APS_FRAME_COUNTER));
        break;
    default: /* no network yet, or a key type a coordinator does not keep */
        zb_put_u8(out, EMBER_KEY_INVALID);
        ezsp_put_key_struct(out, &(ezsp_key_struct){.type = type});
        return;
    }
    zb_put_u8(out, EMBER_SUCCESS);
    ezsp_put_key_struct(out, &k);
}

/* getKeyTableEntry(index): INDEX_OUT_OF_RANGE past the table (bellows ends its loop there),
 * TABLE_ENTRY_ERASED for a free slot, else the link key with both APS counters. */
static void cmd_get_key_table_entry(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t i = zb_get_u8(r);
    ezsp_key_struct k = {.type = EMBER_APPLICATION_LINK_KEY};
    if (i >= EZSP_KEY_TABLE_SIZE || !ezsp_key_table_used(ezsp_key_table_slot(n, i))) {
        zb_put_u8(out,
                  i >= EZSP_KEY_TABLE_SIZE ? EMBER_INDEX_OUT_OF_RANGE : EMBER_TABLE_ENTRY_ERASED);
        ezsp_put_key_struct(out, &k);
        return;
    }
    const uint8_t *s = ezsp_key_table_slot(n, i);
    k.bitmask = EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER | EMBER_KEY_HAS_INCOMING_FRAME_COUNTER |
                EMBER_KEY_HAS_PARTNER_EUI64 | EMBER_KEY_IS_AUTHORIZED;
    ezsp_tok_key t;
    ezsp_tok_key_decode(s, &t);
    memcpy(k.key, t.key, 16);
    memcpy(k.partner_eui64, t.eui64, 8);
    k.outgoing_frame_counter = get_le32(tok(n, TOK_APS_FRAME_COUNTER));
    k.incoming_frame_counter = n->nv.key_rx_counter[i];
    zb_put_u8(out, EMBER_SUCCESS);
    ezsp_put_key_struct(out, &k);
}

/* Writes slot i; a new key starts with incoming counter 0 (there is no way to set it). */
static uint8_t store_key(ezsp_ncp *n, int i, const uint8_t eui[8], const uint8_t key[16])
{
    ezsp_key_table_store(n, (unsigned)i, eui, key);
    n->nv.key_rx_counter[i] = 0;
    return EMBER_SUCCESS;
}

/* The (eui64, linkKey, key) both key-table setters take; false, with BAD_ARGUMENT sent, when
 * it is short, names no device or is not a link key. */
static bool get_key_entry(zb_rd *r, uint8_t eui[8], uint8_t key[16], zb_buf *out)
{
    zb_get_bytes(r, eui, 8);
    uint8_t link_key = zb_get_u8(r);
    zb_get_bytes(r, key, 16);
    if (r->short_read || !link_key || zb_ieee_blank(eui)) {
        zb_put_u8(out, EMBER_BAD_ARGUMENT);
        return false;
    }
    return true;
}

/* setKeyTableEntry(index, eui64, linkKey, key): linkKey false would be a master key, which
 * no Zigbee 3.0 stack keeps. */
static void cmd_set_key_table_entry(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t i = zb_get_u8(r), eui[8], key[16];
    if (!get_key_entry(r, eui, key, out)) return;
    if (i >= EZSP_KEY_TABLE_SIZE) {
        zb_put_u8(out, EMBER_INDEX_OUT_OF_RANGE);
        return;
    }
    zb_put_u8(out, store_key(n, i, eui, key));
}

/* addOrUpdateKeyTableEntry(eui64, linkKey, key): the partner's slot, else the first free one. */
static void cmd_add_or_update_key_table_entry(ezsp_ncp *n, const ezsp_header *h, zb_rd *r,
                                              zb_buf *out)
{
    (void)h;
    uint8_t eui[8], key[16];
    if (!get_key_entry(r, eui, key, out)) return;
    int i = ezsp_key_table_find(n, eui);
    for (unsigned k = 0; i < 0 && k < EZSP_KEY_TABLE_SIZE; k++)
        if (!ezsp_key_table_used(ezsp_key_table_slot(n, k))) i = (int)k;
    if (i < 0) {
        zb_put_u8(out, EMBER_TABLE_FULL);
        return;
    }
    zb_put_u8(out, store_key(n, i, eui, key));
}

/* becomeTrustCenter(newNetworkKey): turns a joined router into the TC. This NCP only forms
 * networks as their TC, so with a network it already is one; without, the call is invalid. */
static void cmd_become_trust_center(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t key[16];
    zb_get_bytes(r, key, 16);
    if (r->short_read)
        zb_put_u8(out, EMBER_BAD_ARGUMENT);
    else
        zb_put_u8(out, n->network_up ? EMBER_SUCCESS : EMBER_INVALID_CALL);
}

/* clearBindingTableOnLeave(clear) (v19): no response parameters; this NCP keeps no binding
 * table, so there is nothing to clear either way. */
static void cmd_clear_binding_table_on_leave(ezsp_ncp *n, const ezsp_header *h, zb_rd *r,
                                             zb_buf *out)
{
    (void)n;
    (void)h;
    (void)out;
    LOG_DEBUG("ezsp: clearBindingTableOnLeave(%u)", zb_get_u8(r));
}

const ezsp_cmd ezsp_legacy_commands[] = {
    {EZSP_ID_GET_KEY, EZSP_V_GET_KEY, "getKey", cmd_get_key},
    {EZSP_ID_GET_KEY_TABLE_ENTRY, EZSP_V_GET_KEY_TABLE_ENTRY, "getKeyTableEntry",
     cmd_get_key_table_entry},
    {EZSP_ID_SET_KEY_TABLE_ENTRY, EZSP_V_SET_KEY_TABLE_ENTRY, "setKeyTableEntry",
     cmd_set_key_table_entry},
    {EZSP_ID_ADD_OR_UPDATE_KEY_TABLE_ENTRY, EZSP_V_ADD_OR_UPDATE_KEY_TABLE_ENTRY,
     "addOrUpdateKeyTableEntry", cmd_add_or_update_key_table_entry},
    {EZSP_ID_BECOME_TRUST_CENTER, EZSP_V_BECOME_TRUST_CENTER, "becomeTrustCenter",
     cmd_become_trust_center},
    {EZSP_ID_CLEAR_BINDING_TABLE_ON_LEAVE, EZSP_V_CLEAR_BINDING_TABLE_ON_LEAVE,
     "clearBindingTableOnLeave", cmd_clear_binding_table_on_leave},
};
const size_t ezsp_n_legacy_commands =
    sizeof(ezsp_legacy_commands) / sizeof(ezsp_legacy_commands[0]);
