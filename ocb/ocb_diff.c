/* ocb_diff.c - semantic comparison of two backups for restore round trips.
 *
 * A restore is judged by what a network needs to keep working: same addresses and keys, and
 * frame counters that never go backwards (a stick that reuses a counter is ignored by every
 * device on the network). Each comparable field is a row in one table (where it is in the
 * model, and its default rule; the known stack_specific fields come from ocb_model.c's table);
 * callers override rules by field name, so "what counts as equal" stays data. */
#include "ocb_internal.h"

#include "hex.h"
#include "log.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One side of a comparison: absent, a number, or a 16-byte key. */
typedef struct fval {
    int present;
    int is_key;
    uint64_t num;
    uint8_t key[16];
    int width; /* hex digits to print a number with, 0 = decimal, -1 = channel list */
} fval;

/* Where a field is: an offset into ocb_backup (or ocb_device for per-device fields), its C
 * type, and the bool that says whether it is there (-1: always). Read by field_get(). */
enum ftype { F_U8, F_U16, F_U32, F_U64, F_BOOL, F_KEY, F_KNOWN /* off: an OCB_KNOWN_* index */ };

typedef struct field {
    const char *name; /* NULL for F_KNOWN: its path in OCB_KNOWN */
    enum ocb_cmp dflt;
    int per_device;
    enum ftype type;
    size_t off;
    long has_off;
    int width; /* as fval.width */
} field;

#define B(m) offsetof(ocb_backup, m)
#define D(m) offsetof(ocb_device, m)
static const field FIELDS[] = {
    {"coordinator_ieee", OCB_CMP_EQUAL, 0, F_U64, B(coordinator_ieee), -1, 16},
    {"pan_id", OCB_CMP_EQUAL, 0, F_U16, B(pan_id), -1, 4},
    {"extended_pan_id", OCB_CMP_EQUAL, 0, F_U64, B(extended_pan_id), -1, 16},
    {"nwk_update_id", OCB_CMP_EQUAL, 0, F_U8, B(nwk_update_id), -1, 0},
    {"security_level", OCB_CMP_EQUAL, 0, F_U8, B(security_level), -1, 0},
    {"channel", OCB_CMP_EQUAL, 0, F_U8, B(channel), -1, 0},
    {"channel_mask", OCB_CMP_EQUAL, 0, F_U32, B(channel_mask), -1, -1},
    {"network_key.key", OCB_CMP_EQUAL, 0, F_KEY, B(network_key.key), -1, 0},
    {"network_key.sequence_number", OCB_CMP_EQUAL, 0, F_U8, B(network_key.sequence_number), -1, 0},
    {"network_key.frame_counter", OCB_CMP_EQUAL, 0, F_U32, B(network_key.frame_counter), -1, 0},
    {NULL, OCB_CMP_EQUAL, 0, F_KNOWN, OCB_KNOWN_TCLK_SEED, -1, 0},
    {NULL, OCB_CMP_EQUAL, 0, F_KNOWN, OCB_KNOWN_HASHED_TCLK, -1, 0},
    {"devices[].nwk_address", OCB_CMP_EQUAL, 1, F_U16, D(nwk), (long)D(has_nwk), 4},
    {"devices[].is_child", OCB_CMP_EQUAL, 1, F_BOOL, D(is_child), -1, 0},
    {"devices[].link_key.key", OCB_CMP_EQUAL, 1, F_KEY, D(link_key.key), (long)D(has_link_key), 0},
    {"devices[].link_key.tx_counter", OCB_CMP_EQUAL, 1, F_U32, D(link_key.tx_counter),
     (long)D(has_link_key), 0},
    {"devices[].link_key.rx_counter", OCB_CMP_EQUAL, 1, F_U32, D(link_key.rx_counter),
     (long)D(has_link_key), 0},
};
#define N_FIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static const char *field_name(const field *f)
{
    return f->name ? f->name : OCB_KNOWN[f->off].path;
}

/* One side's value of field f: from b, or from d for a per-device field. */
static void field_get(const field *f, const ocb_backup *b, const ocb_device *d, fval *v)
{
    if (f->type == F_KNOWN) {
        v->present = ocb_known_present(b, f->off);
        v->is_key = 1;
        memcpy(v->key, ocb_known_bytes(b, f->off), 16);
        return;
    }
    const char *base = f->per_device ? (const char *)d : (const char *)b, *at = base + f->off;
    v->present = f->has_off < 0 || *(const bool *)(base + f->has_off);
    v->width = f->width;
    switch (f->type) {
    case F_U8: v->num = *(const uint8_t *)at; break;
    case F_U16: v->num = *(const uint16_t *)at; break;
    case F_U32: v->num = *(const uint32_t *)at; break;
    case F_U64: v->num = *(const uint64_t *)at; break;
    case F_BOOL: v->num = *(const bool *)at; break;
    case F_KEY:
        v->is_key = 1;
        memcpy(v->key, at, 16);
        break;
    case F_KNOWN: break; /* above */
    }
}

/* "devices" itself (which IEEEs are present) is compared whenever any device field is. */
const char *const *ocb_diff_fields(void)
{
    static const char *names[N_FIELDS + 2];
    if (!names[0]) {
        for (size_t i = 0; i < N_FIELDS; i++)
            names[i] = field_name(&FIELDS[i]);
        names[N_FIELDS] = "devices";
    }
    return names;
}

static const ocb_rule ROUNDTRIP_RULES[] = {
    {"network_key.frame_counter", OCB_CMP_COUNTER},
    {"devices[].link_key.tx_counter", OCB_CMP_COUNTER},
    {"devices[].link_key.rx_counter", OCB_CMP_COUNTER},
};
const ocb_diff_rules OCB_RULES_ROUNDTRIP = {
    ROUNDTRIP_RULES, sizeof(ROUNDTRIP_RULES) / sizeof(ROUNDTRIP_RULES[0]), 100000};

static int rule_for(const ocb_diff_rules *rules, const char *name, enum ocb_cmp dflt)
{
    int cmp = (int)dflt;
    for (size_t i = 0; rules && i < rules->n_rules; i++)
        if (strcmp(rules->rules[i].field, name) == 0) cmp = (int)rules->rules[i].cmp;
    return cmp;
}

static int known_field(const char *name)
{
    for (const char *const *f = ocb_diff_fields(); *f; f++)
        if (strcmp(*f, name) == 0) return 1;
    return 0;
}

static void fval_text(const fval *v, char *out, size_t cap)
{
    if (!v->present) {
        snprintf(out, cap, "(absent)");
    } else if (v->is_key) {
        char tmp[33];
        snprintf(out, cap, "%s", zb_log_key(v->key, tmp));
    } else if (v->width == -1) {
        size_t len = 0;
        out[0] = '\0';
        for (int ch = 11; ch <= 26 && len + 4 < cap; ch++)
            if (v->num & (1u << ch))
                len += (size_t)snprintf(out + len, cap - len, "%s%d", len ? "," : "[", ch);
        snprintf(out + len, cap - len, len ? "]" : "[]");
    } else if (v->width > 0) {
        snprintf(out, cap, "%0*llx", v->width, (unsigned long long)v->num);
    } else {
        snprintf(out, cap, "%llu", (unsigned long long)v->num);
    }
}

static int add_diff(ocb_diff_result *r, const char *path, const fval *a, const fval *b,
                    const char *why)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        ocb_difference *n = realloc(r->items, cap * sizeof(*n));
        if (!n) return -1;
        r->items = n;
        r->cap = cap;
    }
    ocb_difference *d = &r->items[r->n++];
    snprintf(d->path, sizeof(d->path), "%s", path);
    fval_text(a, d->a, sizeof(d->a));
    fval_text(b, d->b, sizeof(d->b));
    snprintf(d->why, sizeof(d->why), "%s", why);
    return 0;
}

/* Returns NULL when equal under the rule, else the reason. */
static const char *compare(int cmp, const fval *a, const fval *b, uint32_t max_inc)
{
    if (cmp == OCB_CMP_IGNORE) return NULL;
    if (a->present != b->present) return a->present ? "missing after restore" : "unexpected";
    if (!a->present) return NULL;
    if (a->is_key) return memcmp(a->key, b->key, 16) ? "differs" : NULL;
    if (cmp == OCB_CMP_COUNTER) {
        if (b->num < a->num) return "counter went backwards";
        if (max_inc && b->num - a->num > max_inc) return "counter rose more than allowed";
        return NULL;
    }
    return a->num != b->num ? "differs" : NULL;
}

static int diff_devices(const ocb_backup *a, const ocb_backup *b, const ocb_diff_rules *rules,
                        ocb_diff_result *out)
{
    uint32_t max_inc = rules ? rules->max_increment : 0;
    int devices_rule = rule_for(rules, "devices", OCB_CMP_EQUAL);
    for (size_t i = 0; i < a->n_devices; i++) {
        const ocb_device *da = &a->devices[i];
        const ocb_device *db = ocb_find_device(b, da->ieee);
        char path[96];
        snprintf(path, sizeof(path), "devices[%016llx]", (unsigned long long)da->ieee);
        if (!db) {
            fval x = {.present = 1, .num = da->ieee, .width = 16}, y = {0};
            if (devices_rule != OCB_CMP_IGNORE &&
                add_diff(out, path, &x, &y, "device missing after restore") < 0)
                return -1;
            continue;
        }
        for (size_t f = 0; f < N_FIELDS; f++) {
            if (!FIELDS[f].per_device) continue;
            fval x = {0}, y = {0};
            field_get(&FIELDS[f], a, da, &x);
            field_get(&FIELDS[f], b, db, &y);
            const char *name = field_name(&FIELDS[f]);
            const char *why = compare(rule_for(rules, name, FIELDS[f].dflt), &x, &y, max_inc);
            if (!why) continue;
            char p[96];
            snprintf(p, sizeof(p), "%s%s", path, name + strlen("devices[]"));
            if (add_diff(out, p, &x, &y, why) < 0) return -1;
        }
    }
    for (size_t i = 0; devices_rule != OCB_CMP_IGNORE && i < b->n_devices; i++) {
        if (ocb_find_device(a, b->devices[i].ieee)) continue;
        char path[96];
        snprintf(path, sizeof(path), "devices[%016llx]", (unsigned long long)b->devices[i].ieee);
        fval x = {0}, y = {.present = 1, .num = b->devices[i].ieee, .width = 16};
        if (add_diff(out, path, &x, &y, "device not in the original") < 0) return -1;
    }
    return 0;
}

int ocb_diff(const ocb_backup *a, const ocb_backup *b, const ocb_diff_rules *rules,
             ocb_diff_result *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; rules && i < rules->n_rules; i++)
        if (!known_field(rules->rules[i].field)) return -1;
    uint32_t max_inc = rules ? rules->max_increment : 0;
    for (size_t f = 0; f < N_FIELDS; f++) {
        if (FIELDS[f].per_device) continue;
        fval x = {0}, y = {0};
        field_get(&FIELDS[f], a, NULL, &x);
        field_get(&FIELDS[f], b, NULL, &y);
        const char *name = field_name(&FIELDS[f]);
        const char *why = compare(rule_for(rules, name, FIELDS[f].dflt), &x, &y, max_inc);
        if (why && add_diff(out, name, &x, &y, why) < 0) goto oom;
    }
    if (diff_devices(a, b, rules, out) < 0) goto oom;
    return (int)out->n;
oom:
    ocb_diff_result_free(out);
    return -1;
}

void ocb_diff_result_free(ocb_diff_result *r)
{
    free(r->items);
    memset(r, 0, sizeof(*r));
}
