/* znp_nv.c - the Z-Stack NV item store and its JSON file form.
 *
 * The file format is zigpy-znp's `nvram_read` dump, so that dumps taken from real sticks
 * (../shared/nvram/znp/) load unchanged and an emulator's NVRAM can be written to a real stick
 * with zigpy-znp's own tools. Items are kept sorted so lookups are a binary search. */
#include "znp_nv.h"

#include "hex.h"
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
    if (nv->n == nv->cap) {
        size_t cap = nv->cap ? nv->cap * 2 : 64;
        znp_nv_item *ni = realloc(nv->items, cap * sizeof(*ni));
        if (!ni) {
            free(copy);
            return NULL;
        }
        nv->items = ni;
        nv->cap = cap;
    }
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

static int put_hex(znp_nv *nv, uint16_t item, uint16_t sub, const cJSON *v, const char *section,
                   char *err, size_t errlen)
{
    uint8_t *bytes = NULL;
    long n = cJSON_IsString(v) ? hex_decode_alloc(v->valuestring, &bytes) : -1;
    if (n < 0 || n > 0xFFFF) {
        snprintf(err, errlen, "%s.%s: expected an even number of hex digits", section, v->string);
        free(bytes);
        return -1;
    }
    znp_nv_item *it = znp_nv_put(nv, ZNP_NV_SYS_ZSTACK, item, sub, bytes, (size_t)n);
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

int znp_nv_from_json(znp_nv *nv, const cJSON *doc, char *err, size_t errlen)
{
    const cJSON *sec;
    cJSON_ArrayForEach(sec, doc)
    {
        uint16_t table = 0;
        int legacy = strcmp(sec->string, "LEGACY") == 0;
        if (!legacy && znp_ext_table_from_name(sec->string, &table) < 0) {
            snprintf(err, errlen, "unknown NVRAM section \"%s\"", sec->string);
            goto fail;
        }
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
            if (put_hex(nv, legacy ? ZNP_NV_LEGACY : table, id, v, sec->string, err, errlen) < 0)
                goto fail;
        }
    }
    return 0;
fail:
    znp_nv_free(nv);
    return -1;
}

cJSON *znp_nv_to_json(const znp_nv *nv)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *legacy = cJSON_AddObjectToObject(doc, "LEGACY");
    cJSON *section = NULL;
    uint16_t section_item = 0;
    if (!legacy) goto oom;
    for (size_t i = 0; i < nv->n; i++) {
        const znp_nv_item *it = &nv->items[i];
        if (it->sys != ZNP_NV_SYS_ZSTACK) continue;
        char *hex = hex_encode_alloc(it->data, it->len);
        if (!hex) goto oom;
        char name[64];
        if (it->item == ZNP_NV_LEGACY) {
            cJSON_AddItemToObject(legacy, znp_nv_id_name(it->sub, name, sizeof(name)),
                                  cJSON_CreateString(hex));
        } else {
            if (!section || section_item != it->item) {
                const char *tn = znp_ext_table_name(it->item);
                char fallback[16];
                if (!tn) {
                    snprintf(fallback, sizeof(fallback), "0x%04X", it->item);
                    tn = fallback;
                }
                section = cJSON_AddObjectToObject(doc, tn);
                section_item = it->item;
            }
            snprintf(name, sizeof(name), "0x%04X", it->sub);
            if (section) cJSON_AddItemToObject(section, name, cJSON_CreateString(hex));
        }
        free(hex);
    }
    return doc;
oom:
    cJSON_Delete(doc);
    return NULL;
}
