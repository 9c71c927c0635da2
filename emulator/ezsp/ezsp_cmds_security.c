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

static void cmd_get_current_security_state(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_security_state_rsp);
    const uint8_t *tc = tok(n, TOK_TRUST_CENTER);
    if (!n->network_up) {
        a->status = st(n, EMBER_NOT_JOINED, SL_NOT_JOINED);
        return;
    }
    uint16_t mode = get_le16(tc);
    uint16_t bm = 0x0004 | 0x0010; /* GLOBAL_LINK_KEY, HAVE_TRUST_CENTER_LINK_KEY */
    if ((mode & EMBER_TC_USES_HASHED_LINK_KEY) == EMBER_TC_USES_HASHED_LINK_KEY)
        bm |= EMBER_TC_USES_HASHED_LINK_KEY;
    a->status = ST_OK(n);
    a->bitmask = bm;
    memcpy(a->tc_eui64, tc + 2, 8);
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

/* exportKey: the row's layout puts the status last up to v13, first (with the context) from v14 */
static void cmd_export_key(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_context_req);
    RSP(ezsp_export_key_rsp);
    const uint8_t *k = c->short_req ? NULL : context_key(n, &q->context[0]);
    a->status = k ? SL_OK : SL_NOT_FOUND;
    if (k) memcpy(a->key, k, 16);
    a->context[0] = q->context[0];
}

static void cmd_import_key(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_import_key_req);
    RSP(ezsp_import_key_rsp);
    const ezsp_secman_context *x = &q->context[0];
    uint32_t s = SL_OK;
    if (c->short_req) {
        s = SL_INVALID_PARAMETER;
    } else if (x->core_key_type == SECMAN_KEY_NETWORK && x->key_index == 0) {
        memcpy(tok(n, TOK_KEYS), q->key, 16);
    } else if (x->core_key_type == SECMAN_KEY_TC_LINK) {
        memcpy(tok(n, TOK_TRUST_CENTER) + 10, q->key, 16);
        memcpy(n->sec.preconfigured_key, q->key, 16);
    } else if (x->core_key_type == SECMAN_KEY_APP_LINK) {
        int i = (x->flags & SECMAN_FLAG_KEY_INDEX_VALID) ? x->key_index : find_key(n, x->eui64);
        if (i < 0 || !key_slot(n, (unsigned)i))
            s = SL_NOT_FOUND;
        else
            ezsp_key_table_store(n, (unsigned)i, x->eui64, q->key);
    } else {
        s = SL_INVALID_PARAMETER;
    }
    a->status = s;
    a->context[0] = *x;
}

static void cmd_get_network_key_info(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_network_key_info_rsp);
    const uint8_t *keys = tok(n, TOK_KEYS), *alt = tok(n, TOK_ALTERNATE_KEY);
    a->status = SL_OK;
    a->info[0] =
        (ezsp_network_key_info){.network_key_set = ezsp_has_network(n) ? 1 : 0,
                                .alternate_network_key_set = zb_all_bytes(alt, 16, 0x00) ? 0 : 1,
                                .network_key_seq = keys[16],
                                .alt_network_key_seq = alt[16],
                                .network_key_frame_counter = n->nwk_frame_counter};
}

/* getApsKeyInfo: eui64, metadata, status up to v13; status, metadata, context from v14 */
static void cmd_get_aps_key_info(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_context_req);
    RSP(ezsp_aps_key_info_rsp);
    ezsp_secman_context x = q->context[0];
    int i = (x.flags & SECMAN_FLAG_KEY_INDEX_VALID) ? x.key_index : find_key(n, x.eui64);
    a->status = SL_NOT_FOUND;
    if (i >= 0 && slot_used(key_slot(n, (unsigned)i))) {
        key_metadata(n, (unsigned)i, &a->metadata[0]);
        memcpy(x.eui64, key_slot(n, (unsigned)i), 8);
        a->status = SL_OK;
    }
    a->context[0] = x;
    memcpy(a->eui64, x.eui64, 8);
}

static void cmd_import_link_key(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_import_link_key_req);
    RSP(ezsp_st32);
    uint8_t idx = q->index;
    if (c->short_req || zb_ieee_blank(q->eui64)) {
        a->status = SL_INVALID_PARAMETER;
        return;
    }
    int i = idx;
    if (idx == 0xFF) {
        i = find_key(n, q->eui64);
        for (unsigned k = 0; i < 0 && k < EZSP_KEY_TABLE_SIZE; k++)
            if (!slot_used(key_slot(n, k))) i = (int)k;
        if (i < 0) {
            a->status = 0x001A; /* NO_MORE_RESOURCE: table full */
            return;
        }
    } else if (idx >= EZSP_KEY_TABLE_SIZE) {
        a->status = SL_INVALID_INDEX;
        return;
    }
    ezsp_key_table_store(n, (unsigned)i, q->eui64, q->key);
    n->nv.key_rx_counter[i] = 0;
    a->status = SL_OK;
}

/* exportLinkKeyBy*: the slot's partner, key and counters; the row's layout picks the fields
 * (context from v14; eui64 by index, index by EUI64 up to v13) */
static void link_key_export(ezsp_ncp *n, ezsp_export_link_key_rsp *a, int i)
{
    uint8_t *s = i >= 0 ? key_slot(n, (unsigned)i) : NULL;
    bool used = slot_used(s);
    ezsp_tok_key t = {0};
    if (used) ezsp_tok_key_decode(s, &t);
    if (used) key_metadata(n, (unsigned)i, &a->metadata[0]);
    a->status = used ? SL_OK : SL_NOT_FOUND;
    a->context[0] =
        (ezsp_secman_context){.core_key_type = SECMAN_KEY_APP_LINK,
                              .key_index = (uint8_t)(i >= 0 ? i : 0xFF),
                              .flags = SECMAN_FLAG_KEY_INDEX_VALID | SECMAN_FLAG_EUI_VALID};
    memcpy(a->context[0].eui64, t.eui64, 8);
    memcpy(a->eui64, t.eui64, 8);
    memcpy(a->key, t.key, 16);
    a->index = (uint8_t)(i >= 0 ? i : 0xFF);
}

static void cmd_export_link_key_by_index(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_index);
    link_key_export(n, c->rsp, q->index < EZSP_KEY_TABLE_SIZE ? q->index : -1);
}

static void cmd_export_link_key_by_eui(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_eui64);
    link_key_export(n, c->rsp, find_key(n, q->eui64));
}

static void cmd_import_transient_key(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_transient_key_req); /* a trailing flags byte (B, v13) is optional */
    RSP(ezsp_st32);
    memcpy(n->transient_key, q->key, 16);
    n->transient_key_set = !c->short_req;
    a->status = c->short_req ? SL_INVALID_PARAMETER : SL_OK;
}

static void cmd_clear_transient_link_keys(ezsp_ncp *n, ezsp_call *c)
{
    (void)c;
    n->transient_key_set = false;
}

static void cmd_clear_key_table(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_st);
    ezsp_token *t = ezsp_nv_token(&n->nv, TOK_KEY_TABLE);
    memset(t->data, 0, (size_t)t->def->size * t->def->array_size);
    memset(n->nv.key_rx_counter, 0, sizeof(n->nv.key_rx_counter));
    a->status = ST_OK(n);
}

static void cmd_erase_key_table_entry(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_index);
    RSP(ezsp_st);
    uint8_t idx = q->index;
    if (idx >= EZSP_KEY_TABLE_SIZE) {
        a->status = st(n, EMBER_INDEX_OUT_OF_RANGE, SL_INVALID_INDEX);
        return;
    }
    memset(key_slot(n, idx), 0, EZSP_KEY_ENTRY_SIZE);
    n->nv.key_rx_counter[idx] = 0;
    a->status = ST_OK(n);
}

static void cmd_find_key_table_entry(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_find_key_req); /* linkKey: not looked at */
    RSP(ezsp_index);
    int i = find_key(n, q->eui64);
    a->index = (uint8_t)(i >= 0 ? i : 0xFF);
}

/* ---------------------------------------------------------------- tokens (§8.1) */

/* getTokenCount: u8 up to v17, u32 from v18 (the row's layout) */
static void cmd_get_token_count(ezsp_ncp *n, ezsp_call *c)
{
    RSP(ezsp_token_count_rsp);
    a->count = (uint32_t)n->nv.n_tokens;
}

static void cmd_get_token_info(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_index);
    RSP(ezsp_token_info_rsp);
    if (q->index >= n->nv.n_tokens) {
        a->status = st(n, EMBER_INDEX_OUT_OF_RANGE, SL_INVALID_INDEX);
        return;
    }
    const ezsp_token_def *d = n->nv.tokens[q->index].def;
    a->info[0] = (ezsp_token_info){.nvm3_key = d->key,
                                   .is_cnt = d->is_cnt,
                                   .is_idx = d->array_size > 1,
                                   .size = d->size,
                                   .array_size = d->array_size};
    a->status = ST_OK(n);
}

static void cmd_get_token_data(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_token_req);
    RSP(ezsp_token_data_rsp);
    ezsp_token *t = ezsp_nv_token(&n->nv, q->token);
    if (!t || q->index >= t->def->array_size) {
        /* creator-style keys (0xE12A) are not NVM3 keys: failure with size 0 (§13 #11) */
        a->status = st(n, EMBER_ERR_FATAL, SL_FAIL);
        return;
    }
    const uint8_t *src = t->data + (size_t)q->index * t->def->size;
    a->status = ST_OK(n);
    a->size = t->def->size;
    a->data_len = t->def->size;
    memcpy(a->data, src, t->def->size);
    /* NONCE_COUNTER reads as the counter in use, not the reservation */
    if (q->token == TOK_NONCE_COUNTER) put_le32(a->data, n->nwk_frame_counter);
}

static void cmd_set_token_data(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_set_token_req);
    RSP(ezsp_st);
    ezsp_token *t = ezsp_nv_token(&n->nv, q->token);
    uint32_t idx = q->index, size = q->size;
    if (c->short_req || !t || idx >= t->def->array_size || size != t->def->size ||
        q->data_len < size) {
        /* a refused write: the SDK wrapper (gecko_sdk zigbee_token_interface.c
         * emberSetTokenData) has one failure, EMBER_ERR_FATAL; simplicity_sdk passes the token
         * manager's sl_status_t on (SL_STATUS_FAIL here, as getTokenData's failure) */
        a->status = st(n, EMBER_ERR_FATAL, SL_FAIL);
        return;
    }
    memcpy(t->data + (size_t)idx * size, q->data, size);
    if (q->token == TOK_NONCE_COUNTER && !n->network_up) n->nwk_frame_counter = get_le32(t->data);
    if (q->token == TOK_NONCE_COUNTER && get_le32(t->data) < n->nwk_frame_counter)
        put_le32(t->data, n->nwk_frame_counter); /* never below a value already used */
    a->status = ST_OK(n);
}

static void cmd_token_factory_reset(ezsp_ncp *n, ezsp_call *c)
{
    REQ(ezsp_factory_reset_req);
    bool keep_fc = q->exclude_outgoing_fc != 0, keep_boot = q->exclude_boot_counter != 0;
    ezsp_nv_factory_reset(&n->nv, keep_fc, keep_boot);
    if (!keep_fc) n->nwk_frame_counter = 0;
}

static void cmd_reset_node(ezsp_ncp *n, ezsp_call *c)
{
    (void)c;
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
    {EZSP_ID_GET_CURRENT_SECURITY_STATE, ALL, cmd_get_current_security_state},
    {EZSP_ID_CLEAR_TRANSIENT_LINK_KEYS, ALL, cmd_clear_transient_link_keys},
    {EZSP_ID_FIND_KEY_TABLE_ENTRY, ALL, cmd_find_key_table_entry},
    {EZSP_ID_ERASE_KEY_TABLE_ENTRY, ALL, cmd_erase_key_table_entry},
    {EZSP_ID_CLEAR_KEY_TABLE, ALL, cmd_clear_key_table},
    {EZSP_ID_GET_APS_KEY_INFO, EZSP_V_SECMAN, cmd_get_aps_key_info},
    {EZSP_ID_EXPORT_LINK_KEY_BY_EUI, EZSP_V_SECMAN, cmd_export_link_key_by_eui},
    {EZSP_ID_IMPORT_LINK_KEY, EZSP_V_SECMAN, cmd_import_link_key},
    {EZSP_ID_EXPORT_LINK_KEY_BY_INDEX, EZSP_V_SECMAN, cmd_export_link_key_by_index},
    {EZSP_ID_IMPORT_TRANSIENT_KEY, EZSP_V_SECMAN, cmd_import_transient_key},
    {EZSP_ID_EXPORT_KEY, EZSP_V_SECMAN, cmd_export_key},
    {EZSP_ID_IMPORT_KEY, EZSP_V_SECMAN, cmd_import_key},
    {EZSP_ID_GET_NETWORK_KEY_INFO, EZSP_V_GET_NETWORK_KEY_INFO, cmd_get_network_key_info},
    {EZSP_ID_TOKEN_FACTORY_RESET, EZSP_V_TOKEN_FACTORY_RESET, cmd_token_factory_reset},
    {EZSP_ID_GET_TOKEN_COUNT, EZSP_V_TOKENS, cmd_get_token_count},
    {EZSP_ID_GET_TOKEN_INFO, EZSP_V_TOKENS, cmd_get_token_info},
    {EZSP_ID_GET_TOKEN_DATA, EZSP_V_TOKENS, cmd_get_token_data},
    {EZSP_ID_SET_TOKEN_DATA, EZSP_V_TOKENS, cmd_set_token_data},
    {EZSP_ID_RESET_NODE, EZSP_V_TOKENS, cmd_reset_node},
};
const size_t ezsp_n_security_commands =
    sizeof(ezsp_security_commands) / sizeof(ezsp_security_commands[0]);
