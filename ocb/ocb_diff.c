/* ocb_diff.c - semantic comparison of two backups for restore round trips.
 *
 * A restore is judged by what a network needs to keep working: same addresses and keys, and
 * frame counters that never go backwards (a stick that reuses a counter is ignored by every
 * device on the network). Each comparable field is a row in one table with an accessor and a
 * default rule; callers override rules by field name, so "what counts as equal" stays data. */
#include "ocb_internal.h"

#include "hex.h"
#include "log.h"

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

typedef void (*fget)(const ocb_backup *b, const ocb_device *d, fval *v);

typedef struct field {
    const char *name;
    enum ocb_cmp dflt;
    int per_device;
    fget get;
} field;

#define NUM(expr, w)                                                                               \
    do {                                                                                           \
        v->present = 1;                                                                            \
        v->num = (expr);                                                                           \
        v->width = (w);                                                                            \
    } while (0)

static void g_ieee(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->coordinator_ieee, 16);
}
static void g_pan(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->pan_id, 4);
}
static void g_epid(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->extended_pan_id, 16);
}
static void g_update(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->nwk_update_id, 0);
}
static void g_seclevel(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->security_level, 0);
}
static void g_channel(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->channel, 0);
}
static void g_mask(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->channel_mask, -1);
}
static void g_nwkkey(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    v->present = 1;
    v->is_key = 1;
    memcpy(v->key, b->network_key.key, 16);
}
static void g_seq(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->network_key.sequence_number, 0);
}
static void g_fc(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    NUM(b->network_key.frame_counter, 0);
}
static void g_seed(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    v->present = b->has_tclk_seed;
    v->is_key = 1;
    memcpy(v->key, b->tclk_seed, 16);
}
static void g_htclk(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)d;
    v->present = b->has_hashed_tclk;
    v->is_key = 1;
    memcpy(v->key, b->hashed_tclk, 16);
}
static void g_dnwk(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)b;
    v->present = d->has_nwk;
    v->num = d->nwk;
    v->width = 4;
}
static void g_dchild(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)b;
    NUM(d->is_child, 0);
}
static void g_dkey(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)b;
    v->present = d->has_link_key;
    v->is_key = 1;
    memcpy(v->key, d->link_key.key, 16);
}
static void g_dtx(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)b;
    v->present = d->has_link_key;
    v->num = d->link_key.tx_counter;
}
static void g_drx(const ocb_backup *b, const ocb_device *d, fval *v)
{
    (void)b;
    v->present = d->has_link_key;
    v->num = d->link_key.rx_counter;
}

static const field FIELDS[] = {
    {"coordinator_ieee", OCB_CMP_EQUAL, 0, g_ieee},
    {"pan_id", OCB_CMP_EQUAL, 0, g_pan},
    {"extended_pan_id", OCB_CMP_EQUAL, 0, g_epid},
    {"nwk_update_id", OCB_CMP_EQUAL, 0, g_update},
    {"security_level", OCB_CMP_EQUAL, 0, g_seclevel},
    {"channel", OCB_CMP_EQUAL, 0, g_channel},
    {"channel_mask", OCB_CMP_EQUAL, 0, g_mask},
    {"network_key.key", OCB_CMP_EQUAL, 0, g_nwkkey},
    {"network_key.sequence_number", OCB_CMP_EQUAL, 0, g_seq},
    {"network_key.frame_counter", OCB_CMP_EQUAL, 0, g_fc},
    {"stack_specific.zstack.tclk_seed", OCB_CMP_EQUAL, 0, g_seed},
    {"stack_specific.ezsp.hashed_tclk", OCB_CMP_EQUAL, 0, g_htclk},
    {"devices[].nwk_address", OCB_CMP_EQUAL, 1, g_dnwk},
    {"devices[].is_child", OCB_CMP_EQUAL, 1, g_dchild},
    {"devices[].link_key.key", OCB_CMP_EQUAL, 1, g_dkey},
    {"devices[].link_key.tx_counter", OCB_CMP_EQUAL, 1, g_dtx},
    {"devices[].link_key.rx_counter", OCB_CMP_EQUAL, 1, g_drx},
};
#define N_FIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

/* "devices" itself (which IEEEs are present) is compared whenever any device field is. */
const char *const *ocb_diff_fields(void)
{
    static const char *names[N_FIELDS + 2];
    if (!names[0]) {
        for (size_t i = 0; i < N_FIELDS; i++)
            names[i] = FIELDS[i].name;
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
            FIELDS[f].get(a, da, &x);
            FIELDS[f].get(b, db, &y);
            const char *why =
                compare(rule_for(rules, FIELDS[f].name, FIELDS[f].dflt), &x, &y, max_inc);
            if (!why) continue;
            char p[96];
            snprintf(p, sizeof(p), "%s%s", path, FIELDS[f].name + strlen("devices[]"));
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
        FIELDS[f].get(a, NULL, &x);
        FIELDS[f].get(b, NULL, &y);
        const char *why = compare(rule_for(rules, FIELDS[f].name, FIELDS[f].dflt), &x, &y, max_inc);
        if (why && add_diff(out, FIELDS[f].name, &x, &y, why) < 0) goto oom;
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
