/* zboss_nv.c - the emulated ZBOSS NCP's NVRAM and its JSON file (emulator/zboss/ZBOSS-NVRAM.md).
 *
 * Datasets the hosts read and write directly (IB counters, address map, neighbour table, APS
 * keys, ...) are kept as the raw bytes of their §8.4 layouts, so that NVRAM_READ returns what
 * was written and the harness reads exactly what a real NCP would give it. COMMON_DATA is kept
 * as named fields because the NCP's own calls (SET_PAN_ID, NWK_FORMATION, ...) change it. A file
 * that does not parse is an error naming the field, never a silent factory reset. */
#include "zboss_frontend.h"

#include "bytes.h"
#include "hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NV_FORMAT "zbemu-zboss-nvram"

void zboss_nv_init_blank(zboss_nv *nv)
{
    uint8_t ieee[8];
    memcpy(ieee, nv->ieee, 8);
    memset(nv, 0, sizeof(*nv));
    memcpy(nv->ieee, ieee, 8);
    nv->role = 3; /* none until SET_ZIGBEE_ROLE */
    nv->pan_id = 0xFFFF;
    nv->channel_mask = 0x07FFF800; /* all 2.4 GHz channels: GET_ZIGBEE_CHANNEL_MASK has an entry */
    nv->rx_on_when_idle = 1;
    nv->ed_timeout = 8;
    nv->max_children = 32;
}

void zboss_nv_free(zboss_nv *nv)
{
    for (int i = 0; i <= ZBOSS_DS_MAX; i++)
        free(nv->ds[i].data);
    memset(nv->ds, 0, sizeof(nv->ds));
}

int zboss_nv_ds_put(zboss_nv *nv, uint16_t type, uint16_t version, const uint8_t *p, size_t n)
{
    if (type > ZBOSS_DS_MAX) return -1;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) return -1;
    if (n) memcpy(copy, p, n);
    free(nv->ds[type].data);
    nv->ds[type] = (zboss_dataset_blob){true, version, copy, n};
    return 0;
}

void zboss_nv_ds_delete(zboss_nv *nv, uint16_t type)
{
    if (type > ZBOSS_DS_MAX) return;
    free(nv->ds[type].data);
    memset(&nv->ds[type], 0, sizeof(nv->ds[type]));
}

void zboss_nv_erase(zboss_nv *nv)
{
    zboss_nv_free(nv);
    zboss_nv_init_blank(nv);
}

static bool survives_clear(int type)
{
    /* §8.3: RESERVED, IB_COUNTERS and APP_DATA1..4 */
    return type == 0 || type == ZBOSS_DS_IB_COUNTERS || type == 9 || type == 10 || type == 27 ||
           type == 28;
}

void zboss_nv_clear(zboss_nv *nv)
{
    zboss_dataset_blob keep[ZBOSS_DS_MAX + 1];
    for (int i = 0; i <= ZBOSS_DS_MAX; i++) {
        keep[i] = nv->ds[i];
        if (!survives_clear(i)) free(nv->ds[i].data);
    }
    zboss_nv_init_blank(nv);
    for (int i = 0; i <= ZBOSS_DS_MAX; i++)
        if (survives_clear(i)) nv->ds[i] = keep[i];
}

/* ---------------------------------------------------------------- to JSON */

static int add_hex(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    char *h = hex_encode_alloc(p, n);
    int rc = h && cJSON_AddStringToObject(o, name, h) ? 0 : -1;
    free(h);
    return rc;
}

static int add_ieee(cJSON *o, const char *name, const uint8_t le[8])
{
    uint8_t be[8];
    zb_ieee_reverse(be, le);
    return add_hex(o, name, be, 8);
}

/* The whole document or nothing: a failed cJSON allocation makes the result NULL, so a
 * partial dataset file can never be committed (issue 13). */
uint64_t zboss_nv_hash(const zboss_nv *nv)
{
    const uint8_t common[] = {nv->formed,          nv->role,
                              (uint8_t)nv->pan_id, (uint8_t)(nv->pan_id >> 8),
                              nv->channel,         nv->page,
                              nv->rx_on_when_idle, nv->ed_timeout,
                              nv->max_children,    nv->coordinator_version,
                              nv->active_key_seq,  nv->key_present[0],
                              nv->key_present[1],  nv->key_present[2]};
    uint64_t h = zb_fnv1a(ZB_FNV1A_INIT, nv->ieee, 8);
    h = zb_fnv1a(h, common, sizeof common);
    h = zb_fnv1a(h, &nv->channel_mask, sizeof nv->channel_mask);
    h = zb_fnv1a(h, nv->nwk_epid, 8);
    h = zb_fnv1a(h, nv->aps_epid, 8);
    h = zb_fnv1a(h, nv->tc_policy, sizeof nv->tc_policy);
    h = zb_fnv1a(h, nv->nwk_key, sizeof nv->nwk_key);
    for (int i = 0; i <= ZBOSS_DS_MAX; i++) {
        const zboss_dataset_blob *b = &nv->ds[i];
        const uint8_t head[] = {b->present, (uint8_t)b->version, (uint8_t)(b->version >> 8)};
        h = zb_fnv1a(h, head, sizeof head);
        if (b->present) h = zb_fnv1a(h, b->data, b->len);
    }
    return h;
}

cJSON *zboss_nv_to_json(const zboss_nv *nv)
{
    cJSON *doc = cJSON_CreateObject();
    if (!doc) return NULL;
    cJSON *prod = cJSON_AddObjectToObject(doc, "production");
    cJSON *c = cJSON_AddObjectToObject(doc, "common");
    cJSON *ds = cJSON_AddObjectToObject(doc, "datasets");
    bool ok = prod && c && ds && cJSON_AddStringToObject(doc, "format", NV_FORMAT) &&
              cJSON_AddNumberToObject(doc, "version", 1) && add_ieee(prod, "ieee", nv->ieee) == 0 &&
              cJSON_AddBoolToObject(c, "formed", nv->formed) &&
              cJSON_AddNumberToObject(c, "role", nv->role) &&
              cJSON_AddNumberToObject(c, "pan_id", nv->pan_id) &&
              add_hex(c, "nwk_extended_pan_id", nv->nwk_epid, 8) == 0 &&
              add_hex(c, "aps_extended_pan_id", nv->aps_epid, 8) == 0 &&
              cJSON_AddNumberToObject(c, "channel", nv->channel) &&
              cJSON_AddNumberToObject(c, "page", nv->page) &&
              cJSON_AddNumberToObject(c, "channel_mask", nv->channel_mask) &&
              cJSON_AddNumberToObject(c, "rx_on_when_idle", nv->rx_on_when_idle) &&
              cJSON_AddNumberToObject(c, "ed_timeout", nv->ed_timeout) &&
              cJSON_AddNumberToObject(c, "max_children", nv->max_children) &&
              cJSON_AddNumberToObject(c, "coordinator_version", nv->coordinator_version);
    cJSON *tc = ok ? cJSON_AddArrayToObject(c, "tc_policy") : NULL;
    ok = tc != NULL;
    for (int i = 0; ok && i < 6; i++)
        ok = cJSON_AddItemToArray(tc, cJSON_CreateNumber(nv->tc_policy[i]));
    ok = ok && cJSON_AddNumberToObject(c, "active_key_seq", nv->active_key_seq);
    cJSON *keys = ok ? cJSON_AddArrayToObject(c, "nwk_keys") : NULL;
    ok = keys != NULL;
    for (int i = 0; ok && i < 3; i++) {
        char h[33];
        hex_encode(nv->nwk_key[i], 16, h);
        ok = cJSON_AddItemToArray(keys,
                                  nv->key_present[i] ? cJSON_CreateString(h) : cJSON_CreateNull());
    }
    for (int i = 0; ok && i <= ZBOSS_DS_MAX; i++) {
        if (!nv->ds[i].present) continue;
        char name[8];
        snprintf(name, sizeof(name), "%d", i);
        cJSON *d = cJSON_AddObjectToObject(ds, name);
        ok = d && cJSON_AddNumberToObject(d, "version", nv->ds[i].version) &&
             add_hex(d, "data", nv->ds[i].data, nv->ds[i].len) == 0;
    }
    if (!ok) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* ---------------------------------------------------------------- from JSON */

typedef struct rd {
    char *err;
    size_t errlen;
    int failed;
} rd;

static void bad(rd *r, const char *field, const char *what)
{
    if (r->failed) return;
    r->failed = 1;
    snprintf(r->err, r->errlen, "%s: %s", field, what);
}

static double get_num(rd *r, const cJSON *o, const char *name, const char *path, double lo,
                      double hi)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    char field[96];
    snprintf(field, sizeof(field), "%s.%s", path, name);
    if (!cJSON_IsNumber(v)) {
        bad(r, field, v ? "not a number" : "missing");
        return lo;
    }
    double d = v->valuedouble;
    if (d < lo || d > hi || d != (double)(long long)d) {
        bad(r, field, "out of range");
        return lo;
    }
    return d;
}

static void get_hex(rd *r, const cJSON *o, const char *name, const char *path, uint8_t *out,
                    size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    char field[96];
    snprintf(field, sizeof(field), "%s.%s", path, name);
    if (!cJSON_IsString(v) || hex_decode(v->valuestring, out, n) < 0) {
        char msg[48];
        snprintf(msg, sizeof(msg), "expected %zu hex digits", 2 * n);
        bad(r, field, msg);
    }
}

static void read_common(rd *r, const cJSON *c, zboss_nv *nv)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "formed");
    if (!cJSON_IsBool(f)) bad(r, "common.formed", "expected true or false");
    nv->formed = cJSON_IsTrue(f);
    nv->role = (uint8_t)get_num(r, c, "role", "common", 0, 3);
    nv->pan_id = (uint16_t)get_num(r, c, "pan_id", "common", 0, 0xFFFF);
    get_hex(r, c, "nwk_extended_pan_id", "common", nv->nwk_epid, 8);
    get_hex(r, c, "aps_extended_pan_id", "common", nv->aps_epid, 8);
    nv->channel = (uint8_t)get_num(r, c, "channel", "common", 0, 26);
    nv->page = (uint8_t)get_num(r, c, "page", "common", 0, 31);
    nv->channel_mask = (uint32_t)get_num(r, c, "channel_mask", "common", 0, 0x07FFF800);
    nv->rx_on_when_idle = (uint8_t)get_num(r, c, "rx_on_when_idle", "common", 0, 1);
    nv->ed_timeout = (uint8_t)get_num(r, c, "ed_timeout", "common", 0, 14);
    nv->max_children = (uint8_t)get_num(r, c, "max_children", "common", 0, 255);
    nv->coordinator_version = (uint8_t)get_num(r, c, "coordinator_version", "common", 0, 255);
    nv->active_key_seq = (uint8_t)get_num(r, c, "active_key_seq", "common", 0, 2);
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(c, "tc_policy");
    if (!cJSON_IsArray(tc) || cJSON_GetArraySize(tc) != 6) {
        bad(r, "common.tc_policy", "expected an array of 6 numbers");
    } else {
        for (int i = 0; i < 6; i++) {
            const cJSON *v = cJSON_GetArrayItem(tc, i);
            if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 255)
                bad(r, "common.tc_policy", "expected numbers 0..255");
            else
                nv->tc_policy[i] = (uint8_t)v->valuedouble;
        }
    }
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(c, "nwk_keys");
    if (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) != 3) {
        bad(r, "common.nwk_keys", "expected an array of 3 keys (hex or null)");
        return;
    }
    for (int i = 0; i < 3; i++) {
        const cJSON *k = cJSON_GetArrayItem(keys, i);
        if (cJSON_IsNull(k)) continue;
        char field[32];
        snprintf(field, sizeof(field), "common.nwk_keys[%d]", i);
        if (!cJSON_IsString(k) || hex_decode(k->valuestring, nv->nwk_key[i], 16) < 0)
            bad(r, field, "expected 32 hex digits or null");
        else
            nv->key_present[i] = true;
    }
}

static void read_datasets(rd *r, const cJSON *ds, zboss_nv *nv)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, ds)
    {
        char field[48];
        snprintf(field, sizeof(field), "datasets.%.20s", d->string);
        char *end;
        long type = strtol(d->string, &end, 10);
        if (*end || end == d->string || type < 1 || type > ZBOSS_DS_MAX) {
            bad(r, field, "dataset ids are 1..31");
            return;
        }
        if (!cJSON_IsObject(d)) {
            bad(r, field, "expected an object {version, data}");
            return;
        }
        uint16_t ver = (uint16_t)get_num(r, d, "version", field, 0, 0xFFFF);
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(d, "data");
        uint8_t *bytes = NULL;
        long n = cJSON_IsString(data) ? hex_decode_alloc(data->valuestring, &bytes) : -1;
        if (n < 0 || n > 0xFFFF) {
            char f2[64];
            snprintf(f2, sizeof(f2), "%s.data", field);
            bad(r, f2, "expected hex bytes");
            free(bytes);
            return;
        }
        if (r->failed) {
            free(bytes);
            return;
        }
        if (zboss_nv_ds_put(nv, (uint16_t)type, ver, bytes, (size_t)n) < 0)
            bad(r, field, "out of memory");
        free(bytes);
    }
}

int zboss_nv_from_json(zboss_nv *nv, const cJSON *doc, char *err, size_t errlen)
{
    rd r = {err, errlen, 0};
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, NV_FORMAT) != 0) {
        snprintf(err, errlen, "format: expected \"%s\" (is this a ZBOSS NVRAM file?)", NV_FORMAT);
        return -1;
    }
    if ((int)get_num(&r, doc, "version", "$", 1, 1) != 1 || r.failed) return -1;
    static const char *const TOP[] = {"format", "version", "production", "common", "datasets"};
    const cJSON *k;
    cJSON_ArrayForEach(k, doc)
    {
        size_t i = 0;
        while (i < sizeof(TOP) / sizeof(TOP[0]) && strcmp(k->string, TOP[i]) != 0)
            i++;
        if (i == sizeof(TOP) / sizeof(TOP[0])) {
            char field[80];
            snprintf(field, sizeof(field), "%.60s", k->string);
            bad(&r, field, "unknown field (this file would lose it when rewritten)");
            return -1;
        }
    }
    const cJSON *prod = cJSON_GetObjectItemCaseSensitive(doc, "production");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "common");
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(doc, "datasets");
    if (!cJSON_IsObject(prod)) bad(&r, "production", "missing or not an object");
    if (!cJSON_IsObject(c)) bad(&r, "common", "missing or not an object");
    if (!cJSON_IsObject(ds)) bad(&r, "datasets", "missing or not an object");
    if (r.failed) return -1;
    uint8_t be[8];
    get_hex(&r, prod, "ieee", "production", be, 8);
    zb_ieee_reverse(nv->ieee, be);
    read_common(&r, c, nv);
    read_datasets(&r, ds, nv);
    if (!r.failed && nv->formed && (nv->channel < 11 || !nv->key_present[nv->active_key_seq]))
        bad(&r, "common", "formed, but no channel 11..26 or no active network key");
    /* the emulator writes IB_COUNTERS with the first frame of every formation: without it the
     * counter would silently start at 0 on a formed network (issue 13) */
    if (!r.failed && nv->formed && !nv->ds[ZBOSS_DS_IB_COUNTERS].present)
        bad(&r, "datasets.7", "IB_COUNTERS (the NWK frame counter) missing on a formed network");
    return r.failed ? -1 : 0;
}
