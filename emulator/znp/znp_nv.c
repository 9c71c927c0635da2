/* znp_nv.c - the Z-Stack NV item store and its JSON file form.
 *
 * The file format is zigpy-znp's `nvram_read` dump, so that dumps taken from real sticks
 * (../shared/nvram/znp/) load unchanged and an emulator's NVRAM can be written to a real stick
 * with zigpy-znp's own tools. Items are kept sorted so lookups are a binary search. */
#include "znp_nv.h"

#include "bytes.h"
#include "hex.h"
#include "strbuf.h"
#include "znp_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t key_of(uint8_t sys, uint16_t item, uint16_t sub)
{
    return (uint64_t)sys << 32 | (uint64_t)item << 16 | sub;
}

void znp_nv_init(znp_nv *nv)
{
    memset(nv, 0, sizeof(*nv));
}

void znp_nv_free(znp_nv *nv)
{
    for (size_t i = 0; i < nv->n; i++)
        free(nv->items[i].data);
    free(nv->items);
    memset(nv, 0, sizeof(*nv));
}

/* Index of the first item with key >= k. */
static size_t lower_bound(const znp_nv *nv, uint64_t k)
{
    size_t lo = 0, hi = nv->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const znp_nv_item *it = &nv->items[mid];
        if (key_of(it->sys, it->item, it->sub) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

znp_nv_item *znp_nv_find(const znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub)
{
    uint64_t k = key_of(sys, item, sub);
    size_t i = lower_bound(nv, k);
    if (i < nv->n && key_of(nv->items[i].sys, nv->items[i].item, nv->items[i].sub) == k)
        return &nv->items[i];
    return NULL;
}

znp_nv_item *znp_nv_put(znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub, const uint8_t *data,
                        size_t len)
{
    if (len > 0xFFFF) return NULL;
    uint8_t *copy = calloc(len ? len : 1, 1);
    if (!copy) return NULL;
    if (data) memcpy(copy, data, len);
    znp_nv_item *it = znp_nv_find(nv, sys, item, sub);
    if (it) {
        free(it->data);
        it->data = copy;
        it->len = (uint16_t)len;
        return it;
    }
    znp_nv_item *ni = zb_grow(nv->items, &nv->cap, nv->n + 1, sizeof(*ni), 64);
    if (!ni) {
        free(copy);
        return NULL;
    }
    nv->items = ni;
    size_t i = lower_bound(nv, key_of(sys, item, sub));
    memmove(&nv->items[i + 1], &nv->items[i], (nv->n - i) * sizeof(*nv->items));
    nv->items[i] = (znp_nv_item){sys, item, sub, (uint16_t)len, copy};
    nv->n++;
    return &nv->items[i];
}

int znp_nv_delete(znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub)
{
    znp_nv_item *it = znp_nv_find(nv, sys, item, sub);
    if (!it) return -1;
    free(it->data);
    size_t i = (size_t)(it - nv->items);
    memmove(&nv->items[i], &nv->items[i + 1], (nv->n - i - 1) * sizeof(*nv->items));
    nv->n--;
    return 0;
}

size_t znp_nv_table_rows(const znp_nv *nv, uint16_t item)
{
    size_t n = 0;
    while (n <= 0xFFFF && znp_nv_find(nv, ZNP_NV_SYS_ZSTACK, item, (uint16_t)n))
        n++;
    return n;
}

/* ---- JSON ---- */

static int put_hex(znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub, const cJSON *v,
                   const char *section, char *err, size_t errlen)
{
    uint8_t *bytes = NULL;
    long n = cJSON_IsString(v) ? hex_decode_alloc(v->valuestring, &bytes) : -1;
    if (n < 0 || n > 0xFFFF) {
        snprintf(err, errlen, "%s.%s: expected an even number of hex digits", section, v->string);
        free(bytes);
        return -1;
    }
    znp_nv_item *it = znp_nv_put(nv, sys, item, sub, bytes, (size_t)n);
    free(bytes);
    if (!it) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int parse_hex_key(const char *s, uint16_t *out)
{
    if (strncmp(s, "0x", 2) != 0 && strncmp(s, "0X", 2) != 0) return -1;
    uint64_t v;
    if (hex_to_u64(s + 2, &v) < 0 || v > 0xFFFF) return -1;
    *out = (uint16_t)v;
    return 0;
}

/* Section names: "LEGACY" and zigpy-znp's table names (sysId 1); beyond what zigpy-znp's
 * format names, any item a host may create with SYS_NV_CREATE/NV_WRITE: "0xIIII" (sysId 1,
 * an item id with no name) and "0xSS:0xIIII" (another sysId). Whatever the emulator stores it
 * writes, and whatever it writes it loads back (issue 13). */
static int section_from_name(const char *name, uint8_t *sys, uint16_t *item)
{
    *sys = ZNP_NV_SYS_ZSTACK;
    if (strcmp(name, "LEGACY") == 0) {
        *item = ZNP_NV_LEGACY;
        return 0;
    }
    if (znp_ext_table_from_name(name, item) == 0) return 0;
    const char *colon = strchr(name, ':');
    if (!colon) return parse_hex_key(name, item) == 0 && *item != ZNP_NV_LEGACY ? 0 : -1;
    char sys_text[8];
    uint16_t s16;
    if ((size_t)(colon - name) >= sizeof(sys_text)) return -1;
    memcpy(sys_text, name, (size_t)(colon - name));
    sys_text[colon - name] = '\0';
    if (parse_hex_key(sys_text, &s16) < 0 || s16 > 0xFF || s16 == ZNP_NV_SYS_ZSTACK) return -1;
    if (parse_hex_key(colon + 1, item) < 0) return -1;
    *sys = (uint8_t)s16;
    return 0;
}

static void section_name(uint8_t sys, uint16_t item, char *buf, size_t cap)
{
    const char *tn = sys == ZNP_NV_SYS_ZSTACK ? znp_ext_table_name(item) : NULL;
    if (sys == ZNP_NV_SYS_ZSTACK && item == ZNP_NV_LEGACY)
        snprintf(buf, cap, "LEGACY");
    else if (tn)
        snprintf(buf, cap, "%s", tn);
    else if (sys == ZNP_NV_SYS_ZSTACK)
        snprintf(buf, cap, "0x%04X", item);
    else
        snprintf(buf, cap, "0x%02X:0x%04X", sys, item);
}

int znp_nv_from_json(znp_nv *nv, const cJSON *doc, char *err, size_t errlen)
{
    if (!cJSON_IsObject(doc)) { /* an array's children have no names (found by fuzz_znp_nvram) */
        snprintf(err, errlen, "expected a JSON object of NVRAM sections");
        return -1;
    }
    const cJSON *sec;
    cJSON_ArrayForEach(sec, doc)
    {
        uint16_t table = 0;
        uint8_t sys = 0;
        if (section_from_name(sec->string, &sys, &table) < 0) {
            snprintf(err, errlen, "unknown NVRAM section \"%s\"", sec->string);
            goto fail;
        }
        int legacy = sys == ZNP_NV_SYS_ZSTACK && table == ZNP_NV_LEGACY;
        if (!cJSON_IsObject(sec)) {
            snprintf(err, errlen, "%s: expected an object", sec->string);
            goto fail;
        }
        const cJSON *v;
        cJSON_ArrayForEach(v, sec)
        {
            uint16_t id;
            int ok = parse_hex_key(v->string, &id) == 0 ||
                     (legacy && znp_nv_id_from_name(v->string, &id) == 0);
            if (!ok) {
                snprintf(err, errlen, "%s: unknown item \"%s\"", sec->string, v->string);
                goto fail;
            }
            if (znp_nv_find(nv, sys, table, id)) {
                snprintf(err, errlen, "%s.%s: the item appears twice", sec->string, v->string);
                goto fail;
            }
            if (put_hex(nv, sys, table, id, v, sec->string, err, errlen) < 0) goto fail;
        }
    }
    return 0;
fail:
    znp_nv_free(nv);
    return -1;
}

/* The whole document or nothing: one failed allocation makes the result NULL, so a partial
 * NVRAM file can never be committed (issue 13). */
uint64_t znp_nv_hash(const znp_nv *nv)
{
    uint64_t h = ZB_FNV1A_INIT;
    for (size_t i = 0; i < nv->n; i++) {
        const znp_nv_item *it = &nv->items[i];
        uint8_t key[7] = {it->sys,
                          (uint8_t)it->item,
                          (uint8_t)(it->item >> 8),
                          (uint8_t)it->sub,
                          (uint8_t)(it->sub >> 8),
                          (uint8_t)it->len,
                          (uint8_t)(it->len >> 8)};
        h = zb_fnv1a(zb_fnv1a(h, key, sizeof key), it->data, it->len);
    }
    return h;
}

cJSON *znp_nv_to_json(const znp_nv *nv)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *legacy = doc ? cJSON_AddObjectToObject(doc, "LEGACY") : NULL;
    cJSON *section = legacy;
    uint8_t section_sys = ZNP_NV_SYS_ZSTACK;
    uint16_t section_item = ZNP_NV_LEGACY;
    if (!legacy) goto oom;
    for (size_t i = 0; i < nv->n; i++) {
        const znp_nv_item *it = &nv->items[i];
        char name[64];
        if (it->sys != section_sys || it->item != section_item) {
            section_name(it->sys, it->item, name, sizeof(name));
            section_sys = it->sys;
            section_item = it->item;
            section = cJSON_GetObjectItemCaseSensitive(doc, name);
            if (!section && !(section = cJSON_AddObjectToObject(doc, name))) goto oom;
        }
        if (it->sys == ZNP_NV_SYS_ZSTACK && it->item == ZNP_NV_LEGACY)
            znp_nv_id_name(it->sub, name, sizeof(name));
        else
            snprintf(name, sizeof(name), "0x%04X", it->sub);
        char *hex = hex_encode_alloc(it->data, it->len);
        cJSON *str = hex ? cJSON_CreateString(hex) : NULL;
        free(hex);
        if (!str || !cJSON_AddItemToObject(section, name, str)) {
            cJSON_Delete(str); /* the key copy failed: the value is still ours */
            goto oom;
        }
    }
    return doc;
oom:
    cJSON_Delete(doc);
    return NULL;
}
