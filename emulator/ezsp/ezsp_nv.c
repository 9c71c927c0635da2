/* ezsp_nv.c - the emulated NCP's non-volatile memory: NVM3 stack tokens (ezsp-ash.md §8.2),
 * the manufacturing tokens that matter (custom EUI64) and the emulator's device knowledge,
 * as one JSON file (format in EZSP-NVRAM.md).
 *
 * Hosts read and write tokens directly (getTokenData/setTokenData, H/ZLI token backups), so
 * the tokens are the NCP's truth: the network, keys and counters are decoded from them when
 * needed, never kept in a second copy. A file that does not match the token table is refused
 * with the field named, never silently reset. */
#include "ezsp_frontend.h"

#include "bytes.h"
#include "hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVRAM_FORMAT "zbemu-ezsp-nvram"

/* Order as the SDK's token table (getTokenInfo index = position). Sizes per token-stack.h. */
const ezsp_token_def ezsp_token_table[] = {
    {0x1FF01, "STACK_NVDATA_VERSION", 2, 1, 0, "fc03"},
    {TOK_APS_FRAME_COUNTER, "STACK_APS_FRAME_COUNTER", 4, 1, 1, NULL},
    {TOK_ALTERNATE_KEY, "STACK_ALTERNATE_KEY", 17, 1, 0, NULL},
    {TOK_BOOT_COUNTER, "STACK_BOOT_COUNTER", 4, 1, 1, NULL},
    {TOK_NONCE_COUNTER, "STACK_NONCE_COUNTER", 4, 1, 1, NULL},
    {0x1E162, "STACK_ANALYSIS_REBOOT", 2, 1, 0, NULL},
    {TOK_KEYS, "STACK_KEYS", 17, 1, 0, NULL},
    {TOK_NODE_DATA, "STACK_NODE_DATA", 16, 1, 0,
     "ffffff0000000000"
     "0000000000000000"},
    {TOK_TRUST_CENTER, "STACK_TRUST_CENTER", 26, 1, 0, NULL},
    {TOK_NETWORK_MANAGEMENT, "STACK_NETWORK_MANAGEMENT", 7, 1, 0, "00000000ffff00"},
    {0x1E126, "STACK_PARENT_INFO", 10, 1, 0, "ffffffffffffffffffff"},
    {0x1E127, "STACK_PARENT_ADDITIONAL_INFO", 2, 1, 0, NULL},
    {0x1E128, "STACK_MULTI_PHY_NWK_INFO", 19, 1, 0, "ff000000000000000000000000000000000080"},
    {0x1E129, "STACK_MIN_RECEIVED_RSSI", 1, 1, 0, "9c"},
    {TOK_RESTORED_EUI64, "STACK_RESTORED_EUI64", 8, 1, 0, "ffffffffffffffff"},
    {0x10500, "STACK_BINDING_TABLE", 13, 16, 0, NULL},
    {TOK_CHILD_TABLE, "STACK_CHILD_TABLE", EZSP_TOK_CHILD_SIZE, EZSP_CHILD_TABLE, 0, NULL},
    {TOK_KEY_TABLE, "STACK_KEY_TABLE", EZSP_KEY_ENTRY_SIZE, EZSP_KEY_TABLE_SIZE, 0, NULL},
    {0x10700, "STACK_ADDITIONAL_CHILD_DATA", 1, EZSP_CHILD_TABLE, 0, "0f"},
};
const size_t ezsp_n_token_defs = sizeof(ezsp_token_table) / sizeof(ezsp_token_table[0]);

static void token_default(ezsp_token *t)
{
    const ezsp_token_def *d = t->def;
    uint8_t one[255] = {0};
    if (d->dflt_hex) hex_decode(d->dflt_hex, one, d->size);
    for (unsigned i = 0; i < d->array_size; i++)
        memcpy(t->data + (size_t)i * d->size, one, d->size);
}

int ezsp_nv_init(ezsp_nv *nv)
{
    memset(nv, 0, sizeof(*nv));
    nv->tokens = calloc(ezsp_n_token_defs, sizeof(ezsp_token));
    if (!nv->tokens) return -1;
    nv->n_tokens = ezsp_n_token_defs;
    for (size_t i = 0; i < nv->n_tokens; i++) {
        const ezsp_token_def *d = &ezsp_token_table[i];
        nv->tokens[i].def = d;
        nv->tokens[i].data = malloc((size_t)d->size * d->array_size);
        if (!nv->tokens[i].data) {
            ezsp_nv_free(nv);
            return -1;
        }
        token_default(&nv->tokens[i]);
    }
    memset(nv->mfg_custom_eui, 0xFF, 8);
    for (size_t i = 0; i < EZSP_ADDRESS_TABLE; i++)
        nv->addr[i].nwk = 0xFFFF;
    return 0;
}

void ezsp_nv_free(ezsp_nv *nv)
{
    for (size_t i = 0; nv->tokens && i < nv->n_tokens; i++)
        free(nv->tokens[i].data);
    free(nv->tokens);
    nv->tokens = NULL;
    nv->n_tokens = 0;
}

ezsp_token *ezsp_nv_token(ezsp_nv *nv, uint32_t key)
{
    for (size_t i = 0; i < nv->n_tokens; i++)
        if (nv->tokens[i].def->key == key) return &nv->tokens[i];
    return NULL;
}

uint8_t *ezsp_nv_elem(ezsp_nv *nv, uint32_t key, unsigned index)
{
    ezsp_token *t = ezsp_nv_token(nv, key);
    if (!t || index >= t->def->array_size) return NULL;
    return t->data + (size_t)index * t->def->size;
}

void ezsp_nv_factory_reset(ezsp_nv *nv, bool keep_outgoing_fc, bool keep_boot_counter)
{
    for (size_t i = 0; i < nv->n_tokens; i++) {
        uint32_t k = nv->tokens[i].def->key;
        if (keep_outgoing_fc && (k == TOK_NONCE_COUNTER || k == TOK_APS_FRAME_COUNTER)) continue;
        if (keep_boot_counter && k == TOK_BOOT_COUNTER) continue;
        token_default(&nv->tokens[i]);
    }
    for (size_t i = 0; i < EZSP_ADDRESS_TABLE; i++) {
        memset(nv->addr[i].eui64, 0, 8);
        nv->addr[i].nwk = 0xFFFF;
    }
    memset(nv->key_rx_counter, 0, sizeof(nv->key_rx_counter));
}

void ezsp_node_data_decode(const uint8_t *p, ezsp_node_data *v)
{
    v->pan_id = get_le16(p);
    v->radio_tx_power = p[2];
    v->radio_channel = p[3];
    v->stack_profile = p[4];
    v->node_type = p[5];
    v->node_id = get_le16(p + 6);
    memcpy(v->extended_pan_id, p + 8, 8);
}

void ezsp_node_data_encode(const ezsp_node_data *v, uint8_t *p)
{
    put_le16(p, v->pan_id);
    p[2] = v->radio_tx_power;
    p[3] = v->radio_channel;
    p[4] = v->stack_profile;
    p[5] = v->node_type;
    put_le16(p + 6, v->node_id);
    memcpy(p + 8, v->extended_pan_id, 8);
}

/* ---------------------------------------------------------------- JSON */

static int add_hex(cJSON *obj, const char *name, const uint8_t *p, size_t n)
{
    char buf[520];
    hex_encode(p, n, buf);
    return cJSON_AddStringToObject(obj, name, buf) ? 0 : -1;
}

/* The whole document or nothing: every cJSON allocation is checked, and one that fails
 * makes the result NULL, so a partial token file can never be committed (issue 13). */
uint64_t ezsp_nv_hash(const ezsp_nv *nv)
{
    uint64_t h = zb_fnv1a(ZB_FNV1A_INIT, nv->hw_eui64, 8);
    h = zb_fnv1a(h, nv->mfg_custom_eui, 8);
    for (size_t i = 0; i < nv->n_tokens; i++) {
        const ezsp_token_def *d = nv->tokens[i].def;
        h = zb_fnv1a(h, nv->tokens[i].data, (size_t)d->size * d->array_size);
    }
    for (size_t i = 0; i < EZSP_ADDRESS_TABLE; i++) {
        h = zb_fnv1a(h, nv->addr[i].eui64, 8);
        h = zb_fnv1a(h, &nv->addr[i].nwk, sizeof nv->addr[i].nwk);
    }
    return zb_fnv1a(h, nv->key_rx_counter, sizeof nv->key_rx_counter);
}

cJSON *ezsp_nv_to_json(const ezsp_nv *nv)
{
    cJSON *doc = cJSON_CreateObject();
    if (!doc) return NULL;
    bool ok = cJSON_AddStringToObject(doc, "format", NVRAM_FORMAT) &&
              cJSON_AddNumberToObject(doc, "version", 1);
    uint8_t be[8];
    zb_ieee_reverse(be, nv->hw_eui64);
    ok = ok && add_hex(doc, "hardware_eui64", be, 8) == 0;
    cJSON *mfg = ok ? cJSON_AddObjectToObject(doc, "mfg_tokens") : NULL;
    ok = mfg && add_hex(mfg, "MFG_CUSTOM_EUI_64", nv->mfg_custom_eui, 8) == 0;
    cJSON *toks = ok ? cJSON_AddObjectToObject(doc, "tokens") : NULL;
    ok = toks != NULL;
    for (size_t i = 0; ok && i < nv->n_tokens; i++) {
        const ezsp_token_def *d = nv->tokens[i].def;
        cJSON *t = cJSON_AddObjectToObject(toks, d->name);
        char key[16];
        snprintf(key, sizeof(key), "0x%05X", (unsigned)d->key);
        cJSON *arr = t && cJSON_AddStringToObject(t, "nvm3_key", key)
                         ? cJSON_AddArrayToObject(t, "data")
                         : NULL;
        ok = arr != NULL;
        for (unsigned k = 0; ok && k < d->array_size; k++) {
            char buf[520];
            hex_encode(nv->tokens[i].data + (size_t)k * d->size, d->size, buf);
            ok = cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
        }
    }
    cJSON *addr = ok ? cJSON_AddArrayToObject(doc, "address_table") : NULL;
    ok = addr != NULL;
    for (size_t i = 0; ok && i < EZSP_ADDRESS_TABLE; i++) {
        if (nv->addr[i].nwk == 0xFFFF) continue;
        cJSON *a = cJSON_CreateObject();
        ok = a && cJSON_AddNumberToObject(a, "index", (double)i) &&
             add_hex(a, "eui64", nv->addr[i].eui64, 8) == 0 &&
             cJSON_AddNumberToObject(a, "nwk", nv->addr[i].nwk);
        if (!ok || !cJSON_AddItemToArray(addr, a)) {
            cJSON_Delete(a);
            ok = false;
        }
    }
    cJSON *rx = ok ? cJSON_AddArrayToObject(doc, "key_table_rx_counters") : NULL;
    ok = rx != NULL;
    for (size_t i = 0; ok && i < EZSP_KEY_TABLE_SIZE; i++)
        ok = cJSON_AddItemToArray(rx, cJSON_CreateNumber(nv->key_rx_counter[i]));
    if (!ok) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static int get_hex(const cJSON *obj, const char *name, uint8_t *out, size_t n, const char *where,
                   char *err, size_t errlen)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(s) || hex_decode(s->valuestring, out, n) < 0) {
        snprintf(err, errlen, "%s%s: expected %zu bytes as %zu hex digits", where, name, n, 2 * n);
        return -1;
    }
    return 0;
}

/* Tokens whose default would misstate a formed network (no key, counters back at 0, no
 * trust center, no link keys): on a formed network each must be in the file (issue 13). */
static const uint32_t FORMED_NEEDS[] = {
    TOK_KEYS,         TOK_NONCE_COUNTER,      TOK_APS_FRAME_COUNTER,
    TOK_TRUST_CENTER, TOK_NETWORK_MANAGEMENT, TOK_KEY_TABLE};

static int load_tokens(ezsp_nv *nv, const cJSON *toks, bool *seen, char *err, size_t errlen)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, toks)
    {
        const ezsp_token_def *d = NULL;
        for (size_t i = 0; i < nv->n_tokens; i++)
            if (strcmp(nv->tokens[i].def->name, t->string) == 0) {
                d = nv->tokens[i].def;
                if (seen[i]) {
                    snprintf(err, errlen, "tokens.%s: appears twice", t->string);
                    return -1;
                }
                seen[i] = true;
            }
        if (!d) {
            snprintf(err, errlen, "tokens.%s: not a token of this NCP", t->string);
            return -1;
        }
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(t, "data");
        if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != d->array_size) {
            snprintf(err, errlen, "tokens.%s.data: expected an array of %u elements", t->string,
                     d->array_size);
            return -1;
        }
        uint8_t *dst = ezsp_nv_token(nv, d->key)->data;
        for (unsigned k = 0; k < d->array_size; k++) {
            const cJSON *el = cJSON_GetArrayItem(arr, (int)k);
            if (!cJSON_IsString(el) ||
                hex_decode(el->valuestring, dst + (size_t)k * d->size, d->size) < 0) {
                snprintf(err, errlen, "tokens.%s.data[%u]: expected %u bytes as hex", t->string, k,
                         d->size);
                return -1;
            }
        }
    }
    return 0;
}

static int load_addresses(ezsp_nv *nv, const cJSON *addr, char *err, size_t errlen)
{
    const cJSON *a;
    int k = 0;
    cJSON_ArrayForEach(a, addr)
    {
        char where[48];
        snprintf(where, sizeof(where), "address_table[%d].", k++);
        const cJSON *idx = cJSON_GetObjectItemCaseSensitive(a, "index");
        const cJSON *nwk = cJSON_GetObjectItemCaseSensitive(a, "nwk");
        if (!cJSON_IsNumber(idx) || idx->valuedouble < 0 ||
            idx->valuedouble >= EZSP_ADDRESS_TABLE || !cJSON_IsNumber(nwk) ||
            nwk->valuedouble < 0 || nwk->valuedouble > 0xFFF7) {
            snprintf(err, errlen, "%sindex/nwk: out of range", where);
            return -1;
        }
        size_t i = (size_t)idx->valuedouble;
        if (get_hex(a, "eui64", nv->addr[i].eui64, 8, where, err, errlen) < 0) return -1;
        nv->addr[i].nwk = (uint16_t)nwk->valuedouble;
    }
    return 0;
}

static int check_keys(const cJSON *obj, const char *const *known, size_t n, const char *where,
                      char *err, size_t errlen)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, obj)
    {
        size_t i = 0;
        while (i < n && strcmp(c->string, known[i]) != 0)
            i++;
        if (i == n) {
            snprintf(err, errlen, "%s%s: unknown field (this file would lose it when rewritten)",
                     where, c->string);
            return -1;
        }
    }
    return 0;
}

int ezsp_nv_from_json(ezsp_nv *nv, const cJSON *doc, char *err, size_t errlen)
{
    static const char *const TOP[] = {
        "format", "version",       "hardware_eui64",       "mfg_tokens",
        "tokens", "address_table", "key_table_rx_counters"};
    static const char *const MFG[] = {"MFG_CUSTOM_EUI_64"};
    bool seen[64] = {false};
    if (nv->n_tokens > sizeof(seen) / sizeof(seen[0])) {
        snprintf(err, errlen, "tokens: table too large");
        return -1;
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, NVRAM_FORMAT) != 0) {
        snprintf(err, errlen, "format: expected \"%s\" (not an EZSP NVRAM file)", NVRAM_FORMAT);
        return -1;
    }
    if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
        snprintf(err, errlen, "version: expected 1");
        return -1;
    }
    if (check_keys(doc, TOP, sizeof(TOP) / sizeof(TOP[0]), "", err, errlen) < 0) return -1;
    uint8_t be[8];
    if (get_hex(doc, "hardware_eui64", be, 8, "", err, errlen) < 0) return -1;
    zb_ieee_reverse(nv->hw_eui64, be);
    const cJSON *mfg = cJSON_GetObjectItemCaseSensitive(doc, "mfg_tokens");
    if (!cJSON_IsObject(mfg)) {
        snprintf(err, errlen, "mfg_tokens: expected an object");
        return -1;
    }
    if (check_keys(mfg, MFG, 1, "mfg_tokens.", err, errlen) < 0 ||
        get_hex(mfg, "MFG_CUSTOM_EUI_64", nv->mfg_custom_eui, 8, "mfg_tokens.", err, errlen) < 0)
        return -1;
    const cJSON *toks = cJSON_GetObjectItemCaseSensitive(doc, "tokens");
    if (!cJSON_IsObject(toks)) {
        snprintf(err, errlen, "tokens: expected an object");
        return -1;
    }
    if (load_tokens(nv, toks, seen, err, errlen) < 0) return -1;
    ezsp_node_data nd;
    ezsp_node_data_decode(ezsp_nv_elem(nv, TOK_NODE_DATA, 0), &nd);
    for (size_t k = 0; nd.node_type != 0 && nd.pan_id != 0xFFFF &&
                       k < sizeof(FORMED_NEEDS) / sizeof(FORMED_NEEDS[0]);
         k++) {
        size_t i = (size_t)(ezsp_nv_token(nv, FORMED_NEEDS[k]) - nv->tokens);
        if (!seen[i]) {
            snprintf(err, errlen,
                     "tokens.%s: missing on a formed network (STACK_NODE_DATA); refusing to "
                     "start with a default in its place",
                     nv->tokens[i].def->name);
            return -1;
        }
    }
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(doc, "address_table");
    if (addr && !cJSON_IsArray(addr)) {
        snprintf(err, errlen, "address_table: expected an array");
        return -1;
    }
    if (addr && load_addresses(nv, addr, err, errlen) < 0) return -1;
    const cJSON *rx = cJSON_GetObjectItemCaseSensitive(doc, "key_table_rx_counters");
    if (rx) {
        if (!cJSON_IsArray(rx) || cJSON_GetArraySize(rx) != EZSP_KEY_TABLE_SIZE) {
            snprintf(err, errlen, "key_table_rx_counters: expected %d numbers",
                     EZSP_KEY_TABLE_SIZE);
            return -1;
        }
        for (int i = 0; i < EZSP_KEY_TABLE_SIZE; i++) {
            const cJSON *c = cJSON_GetArrayItem(rx, i);
            if (!cJSON_IsNumber(c) || c->valuedouble < 0 || c->valuedouble > 4294967295.0) {
                snprintf(err, errlen, "key_table_rx_counters[%d]: expected a u32", i);
                return -1;
            }
            nv->key_rx_counter[i] = (uint32_t)c->valuedouble;
        }
    }
    return 0;
}
