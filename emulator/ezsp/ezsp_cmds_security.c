/* ezsp_cmds_security.c - the EZSP security and token commands: security state, the v12+
 * security manager (exportKey, importLinkKey & co.), the key table, and the v9+ token
 * interface (getTokenData/setTokenData/resetNode/tokenFactoryReset). Split from ezsp_cmds.c
 * (which keeps dispatch); every token write is committed before the response. */
#include "ezsp_cmds.h"

#include "bytes.h"
#include "ezsp_tokens.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- security */

static void cmd_get_current_security_state(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    const uint8_t *tc = tok(n, TOK_TRUST_CENTER);
    if (!n->network_up) {
        uint8_t z[10] = {0};
        st_ember(n, out, EMBER_NOT_JOINED, SL_NOT_JOINED);
        zb_put_bytes(out, z, 10);
        return;
    }
    uint16_t mode = get_le16(tc);
    uint16_t bm = 0x0004 | 0x0010; /* GLOBAL_LINK_KEY, HAVE_TRUST_CENTER_LINK_KEY */
    if ((mode & EMBER_TC_USES_HASHED_LINK_KEY) == EMBER_TC_USES_HASHED_LINK_KEY)
        bm |= EMBER_TC_USES_HASHED_LINK_KEY;
    ST_OK(n, out);
    zb_put_le16(out, bm);
    zb_put_bytes(out, tc + 2, 8);
}

static uint8_t *key_slot(ezsp_ncp *n, unsigned i)
{
    return ezsp_nv_elem(&n->nv, TOK_KEY_TABLE, i);
}

static int find_key(ezsp_ncp *n, const uint8_t eui[8])
{
    for (unsigned i = 0; i < EZSP_KEY_TABLE_SIZE; i++)
        if (slot_used(key_slot(n, i)) && memcmp(key_slot(n, i), eui, 8) == 0) return (int)i;
    return -1;
}

static void key_metadata(ezsp_ncp *n, unsigned i, ezsp_aps_key_metadata *m)
{
    /* HAS_OUTGOING_FC | HAS_INCOMING_FC | HAS_PARTNER_EUI64 | IS_AUTHORIZED | HAS_KEY_DATA */
    m->bitmask = 0x011E;
    m->outgoing_frame_counter = get_le32(tok(n, TOK_APS_FRAME_COUNTER));
    m->incoming_frame_counter = n->nv.key_rx_counter[i];
    m->ttl_seconds = 0;
}

/* The key a security-manager context names; NULL if none. */
static const uint8_t *context_key(ezsp_ncp *n, const ezsp_secman_context *c)
{
    switch (c->core_key_type) {
    case SECMAN_KEY_NETWORK:
        if (!ezsp_has_network(n)) return NULL;
        return c->key_index == 0 ? tok(n, TOK_KEYS) : tok(n, TOK_ALTERNATE_KEY);
    case SECMAN_KEY_TC_LINK:
        if (!ezsp_has_network(n) && !n->security_set) return NULL;
        return ezsp_has_network(n) ? tok(n, TOK_TRUST_CENTER) + 10 : n->sec.preconfigured_key;
    case SECMAN_KEY_APP_LINK: {
        int i = (c->flags & SECMAN_FLAG_KEY_INDEX_VALID) ? c->key_index : find_key(n, c->eui64);
        uint8_t *s = i >= 0 ? key_slot(n, (unsigned)i) : NULL;
        return slot_used(s) ? s + 8 : NULL;
    }
    default: return NULL;
    }
}

static void cmd_export_key(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    ezsp_secman_context c;
    ezsp_get_secman_context_v(r, n->version, &c);
    const uint8_t *k = r->short_read ? NULL : context_key(n, &c);
    static const uint8_t zero[16];
    uint32_t st = k ? SL_OK : SL_NOT_FOUND;
    if (n->version >= 14) {
        st32(out, st);
        zb_put_bytes(out, k ? k : zero, 16);
        ezsp_put_secman_context_v(out, n->version, &c);
    } else {
        zb_put_bytes(out, k ? k : zero, 16);
        st32(out, st);
    }
}

static void cmd_import_key(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    ezsp_secman_context c;
    uint8_t key[16];
    ezsp_get_secman_context_v(r, n->version, &c);
    zb_get_bytes(r, key, 16);
    uint32_t st = SL_OK;
    if (r->short_read) {
        st = SL_INVALID_PARAMETER;
    } else if (c.core_key_type == SECMAN_KEY_NETWORK && c.key_index == 0) {
        memcpy(tok(n, TOK_KEYS), key, 16);
    } else if (c.core_key_type == SECMAN_KEY_TC_LINK) {
        memcpy(tok(n, TOK_TRUST_CENTER) + 10, key, 16);
        memcpy(n->sec.preconfigured_key, key, 16);
    } else if (c.core_key_type == SECMAN_KEY_APP_LINK) {
        int i = (c.flags & SECMAN_FLAG_KEY_INDEX_VALID) ? c.key_index : find_key(n, c.eui64);
        if (i < 0 || !key_slot(n, (unsigned)i))
            st = SL_NOT_FOUND;
        else
            ezsp_key_table_store(n, (unsigned)i, c.eui64, key);
    } else {
        st = SL_INVALID_PARAMETER;
    }
    st32(out, st);
    if (n->version >= 14) ezsp_put_secman_context_v(out, n->version, &c);
}

static void cmd_get_network_key_info(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    const uint8_t *keys = tok(n, TOK_KEYS), *alt = tok(n, TOK_ALTERNATE_KEY);
    ezsp_network_key_info ki = {.network_key_set = ezsp_has_network(n) ? 1 : 0,
                                .alternate_network_key_set = zb_all_bytes(alt, 16, 0x00) ? 0 : 1,
                                .network_key_seq = keys[16],
                                .alt_network_key_seq = alt[16],
                                .network_key_frame_counter = n->nwk_frame_counter};
    st32(out, SL_OK);
    ezsp_put_network_key_info(out, &ki);
}

static void cmd_get_aps_key_info(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    ezsp_secman_context c;
    ezsp_get_secman_context_v(r, n->version, &c);
    int i = (c.flags & SECMAN_FLAG_KEY_INDEX_VALID) ? c.key_index : find_key(n, c.eui64);
    ezsp_aps_key_metadata m = {0};
    uint32_t st = SL_NOT_FOUND;
    if (i >= 0 && slot_used(key_slot(n, (unsigned)i))) {
        key_metadata(n, (unsigned)i, &m);
        memcpy(c.eui64, key_slot(n, (unsigned)i), 8);
        st = SL_OK;
    }
    if (n->version >= 14) {
        st32(out, st);
        ezsp_put_aps_key_metadata(out, &m);
        ezsp_put_secman_context_v(out, n->version, &c);
    } else {
        zb_put_bytes(out, c.eui64, 8);
        ezsp_put_aps_key_metadata(out, &m);
        st32(out, st);
    }
}

static void cmd_import_link_key(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t idx = zb_get_u8(r), eui[8], key[16];
    zb_get_bytes(r, eui, 8);
    zb_get_bytes(r, key, 16);
    if (r->short_read || zb_ieee_blank(eui)) {
        st32(out, SL_INVALID_PARAMETER);
        return;
    }
    int i = idx;
    if (idx == 0xFF) {
        i = find_key(n, eui);
        for (unsigned k = 0; i < 0 && k < EZSP_KEY_TABLE_SIZE; k++)
            if (!slot_used(key_slot(n, k))) i = (int)k;
        if (i < 0) {
            st32(out, 0x001A); /* NO_MORE_RESOURCE: table full */
            return;
        }
    } else if (idx >= EZSP_KEY_TABLE_SIZE) {
        st32(out, SL_INVALID_INDEX);
        return;
    }
    ezsp_key_table_store(n, (unsigned)i, eui, key);
    n->nv.key_rx_counter[i] = 0;
    st32(out, SL_OK);
}

static void put_link_key_export(ezsp_ncp *n, zb_buf *out, int i, bool by_eui)
{
    uint8_t *s = i >= 0 ? key_slot(n, (unsigned)i) : NULL;
    bool used = slot_used(s);
    ezsp_tok_key t = {0};
    if (used) ezsp_tok_key_decode(s, &t);
    const uint8_t *eui = t.eui64, *key = t.key;
    ezsp_aps_key_metadata m = {0};
    if (used) key_metadata(n, (unsigned)i, &m);
    uint32_t st = used ? SL_OK : SL_NOT_FOUND;
    if (n->version >= 14) {
        ezsp_secman_context c = {.core_key_type = SECMAN_KEY_APP_LINK,
                                 .key_index = (uint8_t)(i >= 0 ? i : 0xFF),
                                 .flags = SECMAN_FLAG_KEY_INDEX_VALID | SECMAN_FLAG_EUI_VALID};
        memcpy(c.eui64, eui, 8);
        st32(out, st);
        ezsp_put_secman_context_v(out, n->version, &c);
        zb_put_bytes(out, key, 16);
        ezsp_put_aps_key_metadata(out, &m);
    } else if (by_eui) {
        zb_put_bytes(out, key, 16);
        zb_put_u8(out, (uint8_t)(i >= 0 ? i : 0xFF));
        ezsp_put_aps_key_metadata(out, &m);
        st32(out, st);
    } else {
        zb_put_bytes(out, eui, 8);
        zb_put_bytes(out, key, 16);
        ezsp_put_aps_key_metadata(out, &m);
        st32(out, st);
    }
}

static void cmd_export_link_key_by_index(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t idx = zb_get_u8(r);
    put_link_key_export(n, out, idx < EZSP_KEY_TABLE_SIZE ? idx : -1, false);
}

static void cmd_export_link_key_by_eui(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t eui[8];
    zb_get_bytes(r, eui, 8);
    put_link_key_export(n, out, find_key(n, eui), true);
}

static void cmd_import_transient_key(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t eui[8];
    zb_get_bytes(r, eui, 8);
    zb_get_bytes(r, n->transient_key, 16); /* a trailing flags byte (B, v13) is optional */
    n->transient_key_set = !r->short_read;
    st32(out, r->short_read ? SL_INVALID_PARAMETER : SL_OK);
}

static void cmd_clear_transient_link_keys(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    (void)out;
    n->transient_key_set = false;
}

static void cmd_clear_key_table(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    ezsp_token *t = ezsp_nv_token(&n->nv, TOK_KEY_TABLE);
    memset(t->data, 0, (size_t)t->def->size * t->def->array_size);
    memset(n->nv.key_rx_counter, 0, sizeof(n->nv.key_rx_counter));
    ST_OK(n, out);
}

static void cmd_erase_key_table_entry(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t idx = zb_get_u8(r);
    if (idx >= EZSP_KEY_TABLE_SIZE) {
        st_ember(n, out, EMBER_INDEX_OUT_OF_RANGE, SL_INVALID_INDEX);
        return;
    }
    memset(key_slot(n, idx), 0, EZSP_KEY_ENTRY_SIZE);
    n->nv.key_rx_counter[idx] = 0;
    ST_OK(n, out);
}

static void cmd_find_key_table_entry(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t eui[8];
    zb_get_bytes(r, eui, 8);
    int i = find_key(n, eui);
    zb_put_u8(out, (uint8_t)(i >= 0 ? i : 0xFF));
}

/* ---------------------------------------------------------------- tokens (§8.1) */

static void cmd_get_token_count(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    if (n->version >= 18)
        zb_put_le32(out, (uint32_t)n->nv.n_tokens);
    else
        zb_put_u8(out, (uint8_t)n->nv.n_tokens);
}

static void cmd_get_token_info(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint8_t i = zb_get_u8(r);
    ezsp_token_info ti = {0};
    if (i >= n->nv.n_tokens) {
        st_ember(n, out, EMBER_INDEX_OUT_OF_RANGE, SL_INVALID_INDEX);
        ezsp_put_token_info(out, &ti);
        return;
    }
    const ezsp_token_def *d = n->nv.tokens[i].def;
    ti = (ezsp_token_info){.nvm3_key = d->key,
                           .is_cnt = d->is_cnt,
                           .is_idx = d->array_size > 1,
                           .size = d->size,
                           .array_size = d->array_size};
    ST_OK(n, out);
    ezsp_put_token_info(out, &ti);
}

static void cmd_get_token_data(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint32_t key = zb_get_le32(r), idx = zb_get_le32(r);
    ezsp_token *t = ezsp_nv_token(&n->nv, key);
    if (!t || idx >= t->def->array_size) {
        /* creator-style keys (0xE12A) are not NVM3 keys: failure with size 0 (§13 #11) */
        st_ember(n, out, EMBER_ERR_FATAL, SL_FAIL);
        zb_put_le32(out, 0);
        return;
    }
    uint8_t live[4]; /* NONCE_COUNTER reads as the counter in use, not the reservation */
    const uint8_t *src = t->data + (size_t)idx * t->def->size;
    if (key == TOK_NONCE_COUNTER) {
        put_le32(live, n->nwk_frame_counter);
        src = live;
    }
    ST_OK(n, out);
    zb_put_le32(out, t->def->size);
    zb_put_bytes(out, src, t->def->size);
}

static void cmd_set_token_data(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    uint32_t key = zb_get_le32(r), idx = zb_get_le32(r), size = zb_get_le32(r);
    ezsp_token *t = ezsp_nv_token(&n->nv, key);
    if (r->short_read || !t || idx >= t->def->array_size || size != t->def->size ||
        zb_rd_left(r) < size) {
        /* a refused write: the SDK wrapper (gecko_sdk zigbee_token_interface.c
         * emberSetTokenData) has one failure, EMBER_ERR_FATAL; simplicity_sdk passes the token
         * manager's sl_status_t on (SL_STATUS_FAIL here, as getTokenData's failure) */
        st_ember(n, out, EMBER_ERR_FATAL, SL_FAIL);
        return;
    }
    zb_get_bytes(r, t->data + (size_t)idx * size, size);
    if (key == TOK_NONCE_COUNTER && !n->network_up) n->nwk_frame_counter = get_le32(t->data);
    if (key == TOK_NONCE_COUNTER && get_le32(t->data) < n->nwk_frame_counter)
        put_le32(t->data, n->nwk_frame_counter); /* never below a value already used */
    ST_OK(n, out);
}

static void cmd_token_factory_reset(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)out;
    uint8_t keep_fc = zb_get_u8(r), keep_boot = zb_get_u8(r);
    ezsp_nv_factory_reset(&n->nv, keep_fc != 0, keep_boot != 0);
    if (!keep_fc) n->nwk_frame_counter = 0;
}

static void cmd_reset_node(ezsp_ncp *n, const ezsp_header *h, zb_rd *r, zb_buf *out)
{
    (void)h;
    (void)r;
    (void)out;
    /* the response goes out first (queued below); then the RAM state reboots */
    ezsp_boot(n);
}

/* ---------------------------------------------------------------- key-table slots (ezsp_frontend.h) */

uint8_t *ezsp_key_table_slot(ezsp_ncp *n, unsigned i)
{
    return key_slot(n, i);
}

void ezsp_key_table_store(ezsp_ncp *n, unsigned i, const uint8_t eui[8], const uint8_t key[16])
{
    ezsp_tok_key t = {.info = EZSP_TOK_KEY_INFO_AUTHORIZED};
    memcpy(t.eui64, eui, 8);
    memcpy(t.key, key, 16);
    ezsp_tok_key_encode(&t, key_slot(n, i));
}

bool ezsp_key_table_used(const uint8_t *slot)
{
    return slot_used(slot);
}

int ezsp_key_table_find(ezsp_ncp *n, const uint8_t eui[8])
{
    return find_key(n, eui);
}

/* ---------------------------------------------------------------- table */

const ezsp_cmd ezsp_security_commands[] = {
    {EZSP_ID_GET_CURRENT_SECURITY_STATE, ALL, "getCurrentSecurityState",
     cmd_get_current_security_state},
    {EZSP_ID_CLEAR_TRANSIENT_LINK_KEYS, ALL, "clearTransientLinkKeys",
     cmd_clear_transient_link_keys},
    {EZSP_ID_FIND_KEY_TABLE_ENTRY, ALL, "findKeyTableEntry", cmd_find_key_table_entry},
    {EZSP_ID_ERASE_KEY_TABLE_ENTRY, ALL, "eraseKeyTableEntry", cmd_erase_key_table_entry},
    {EZSP_ID_CLEAR_KEY_TABLE, ALL, "clearKeyTable", cmd_clear_key_table},
    {EZSP_ID_GET_APS_KEY_INFO, EZSP_V_SECMAN, "getApsKeyInfo", cmd_get_aps_key_info},
    {EZSP_ID_EXPORT_LINK_KEY_BY_EUI, EZSP_V_SECMAN, "exportLinkKeyByEui",
     cmd_export_link_key_by_eui},
    {EZSP_ID_IMPORT_LINK_KEY, EZSP_V_SECMAN, "importLinkKey", cmd_import_link_key},
    {EZSP_ID_EXPORT_LINK_KEY_BY_INDEX, EZSP_V_SECMAN, "exportLinkKeyByIndex",
     cmd_export_link_key_by_index},
    {EZSP_ID_IMPORT_TRANSIENT_KEY, EZSP_V_SECMAN, "importTransientKey", cmd_import_transient_key},
    {EZSP_ID_EXPORT_KEY, EZSP_V_SECMAN, "exportKey", cmd_export_key},
    {EZSP_ID_IMPORT_KEY, EZSP_V_SECMAN, "importKey", cmd_import_key},
    {EZSP_ID_GET_NETWORK_KEY_INFO, EZSP_V_GET_NETWORK_KEY_INFO, "getNetworkKeyInfo",
     cmd_get_network_key_info},
    {EZSP_ID_TOKEN_FACTORY_RESET, EZSP_V_TOKEN_FACTORY_RESET, "tokenFactoryReset",
     cmd_token_factory_reset},
    {EZSP_ID_GET_TOKEN_COUNT, EZSP_V_TOKENS, "getTokenCount", cmd_get_token_count},
    {EZSP_ID_GET_TOKEN_INFO, EZSP_V_TOKENS, "getTokenInfo", cmd_get_token_info},
    {EZSP_ID_GET_TOKEN_DATA, EZSP_V_TOKENS, "getTokenData", cmd_get_token_data},
    {EZSP_ID_SET_TOKEN_DATA, EZSP_V_TOKENS, "setTokenData", cmd_set_token_data},
    {EZSP_ID_RESET_NODE, EZSP_V_TOKENS, "resetNode", cmd_reset_node},
};
const size_t ezsp_n_security_commands =
    sizeof(ezsp_security_commands) / sizeof(ezsp_security_commands[0]);
