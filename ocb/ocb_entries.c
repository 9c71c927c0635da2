/* ocb_entries.c - device entries a writer garbled, and what a restore does with each.
 *
 * Why: real backups carry entries no network has: several devices at NWK fffe (zigbee-herdsman
 * writes it for "address unknown", wild file 05), a NWK address that is two bytes of the
 * device's own OUI, an IEEE that is another entry's shifted by a byte or more. Refusing such a
 * file would strand its user, and writing it as it is would put nonsense on the stick. So each
 * entry gets a verdict here, once, that `validate` prints and `restore` prints and applies: a
 * NWK address that cannot be right is left out (the IEEE and link key, which the device needs,
 * are kept), and an IEEE that only looks garbled is written as it is (dropping a real device
 * would be worse than a table slot no device answers to). No entry is dropped. */
#include "ocb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FIX_TEXT[] = {
    [OCB_ENTRY_KEEP] = "written as it is: an entry no device answers to costs one table slot; "
                       "delete it from the file to leave it out",
    [OCB_ENTRY_NO_NWK] = "written without its NWK address (its IEEE and link key are kept; the "
                         "stick learns the address again when the device next announces itself) "
                         "and not as a child (a child entry needs the address; the device is a "
                         "child again when it rejoins)",
};

const char *ocb_entry_fix_text(enum ocb_entry_fix fix)
{
    return FIX_TEXT[fix];
}

/* devices' IEEE parts, sorted by part, for the shifted-copy rule (N_SHIFTS shifts, two sides) */
typedef struct keyed {
    uint64_t key;
    size_t idx;
} keyed;
#define N_SHIFTS 3 /* 1..3 bytes */

/* One rule looks at devices[i]; it writes why the entry looks garbled and returns true. */
typedef struct rule_ctx {
    const ocb_backup *b;
    const uint16_t *nwk_count; /* devices per NWK address (65536 entries) */
    keyed *low[N_SHIFTS];      /* ieee & (~0 >> 8s): the bytes a right shift by s keeps */
    keyed *high[N_SHIFTS];     /* ieee >> 8s: the bytes a left shift by s keeps */
} rule_ctx;

typedef struct entry_rule {
    const char *field; /* "nwk_address" or "ieee_address" */
    enum ocb_entry_fix fix;
    bool (*test)(const rule_ctx *c, size_t i, char *what, size_t cap);
} entry_rule;

static bool nwk_unknown(const rule_ctx *c, size_t i, char *what, size_t cap)
{
    const ocb_device *d = &c->b->devices[i];
    if (!d->has_nwk || d->nwk != 0xFFFE) return false;
    snprintf(what, cap,
             "fffe is not an address: it means 'unknown' (zigbee-herdsman writes it for a device "
             "whose address it did not know; %u entries here have it)",
             c->nwk_count[0xFFFE]);
    return true;
}

static bool nwk_reserved(const rule_ctx *c, size_t i, char *what, size_t cap)
{
    const ocb_device *d = &c->b->devices[i];
    if (!d->has_nwk || d->nwk == 0xFFFE || (d->nwk != 0 && d->nwk < 0xFFF8)) return false;
    snprintf(what, cap, "%04x is %s, not a device's", d->nwk,
             d->nwk == 0 ? "the coordinator's own address" : "a broadcast or reserved address");
    return true;
}

/* the NWK address is 16 bits of the device's own OUI, in either byte order */
static bool nwk_from_oui(const rule_ctx *c, size_t i, char *what, size_t cap)
{
    const ocb_device *d = &c->b->devices[i];
    if (!d->has_nwk) return false;
    uint32_t oui = (uint32_t)(d->ieee >> 40);
    const uint16_t cand[] = {(uint16_t)(oui >> 8), (uint16_t)oui};
    for (size_t k = 0; k < 2; k++) {
        uint16_t rev = (uint16_t)(cand[k] << 8 | cand[k] >> 8);
        if (d->nwk == cand[k] || d->nwk == rev) {
            snprintf(what, cap,
                     "%04x is two bytes of the device's own OUI %06x (ieee_address %016llx): "
                     "the writer copied the IEEE into it",
                     d->nwk, (unsigned)oui, (unsigned long long)d->ieee);
            return true;
        }
    }
    return false;
}

static bool nwk_shared(const rule_ctx *c, size_t i, char *what, size_t cap)
{
    const ocb_device *d = &c->b->devices[i];
    if (!d->has_nwk || c->nwk_count[d->nwk] < 2) return false;
    for (size_t k = 0; k < c->b->n_devices; k++) {
        const ocb_device *o = &c->b->devices[k];
        if (k == i || !o->has_nwk || o->nwk != d->nwk) continue;
        snprintf(what, cap,
                 "%04x is also devices[%zu]'s (%016llx): two devices cannot share an address, "
                 "at most one of them is right",
                 d->nwk, k, (unsigned long long)o->ieee);
        return true;
    }
    return false;
}

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first entry of t (n sorted) with `key` and an index below `before`, or NULL. */
static const keyed *earlier_with(const keyed *t, size_t n, uint64_t key, size_t before)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && t[lo].key == key && t[lo].idx < before ? &t[lo] : NULL;
}

/* The IEEE of devices[i] is an earlier entry's shifted by 1..3 bytes (5 to 7 bytes in common,
 * which two real addresses share by chance once in 2^40 pairs). */
static bool ieee_shifted(const rule_ctx *c, size_t i, char *what, size_t cap)
{
    uint64_t me = c->b->devices[i].ieee;
    for (int s = 0; s < N_SHIFTS; s++) {
        int bits = 8 * (s + 1);
        /* shifted left, my high bytes are the earlier one's low bytes; right, the reverse */
        const keyed *k = earlier_with(c->low[s], c->b->n_devices, me >> bits, i);
        bool left = k != NULL;
        if (!k) k = earlier_with(c->high[s], c->b->n_devices, me & (~0ull >> bits), i);
        if (!k) continue;
        snprintf(what, cap,
                 "%016llx is devices[%zu]'s %016llx shifted %s by %d byte%s: a writer's garbled "
                 "copy, or (once in 2^40) a coincidence",
                 (unsigned long long)me, k->idx, (unsigned long long)c->b->devices[k->idx].ieee,
                 left ? "left" : "right", s + 1, s ? "s" : "");
        return true;
    }
    return false;
}

static int shift_tables(rule_ctx *c)
{
    size_t n = c->b->n_devices;
    for (int s = 0; s < N_SHIFTS; s++) {
        int bits = 8 * (s + 1);
        c->low[s] = malloc((n ? n : 1) * sizeof(keyed));
        c->high[s] = malloc((n ? n : 1) * sizeof(keyed));
        if (!c->low[s] || !c->high[s]) return -1;
        for (size_t i = 0; i < n; i++) {
            c->low[s][i] = (keyed){c->b->devices[i].ieee & (~0ull >> bits), i};
            c->high[s][i] = (keyed){c->b->devices[i].ieee >> bits, i};
        }
        qsort(c->low[s], n, sizeof(keyed), cmp_keyed);
        qsort(c->high[s], n, sizeof(keyed), cmp_keyed);
    }
    return 0;
}

/* In order: the first NWK rule that fits decides the NWK address; the IEEE rule is apart. */
static const entry_rule RULES[] = {
    {"nwk_address", OCB_ENTRY_NO_NWK, nwk_unknown},
    {"nwk_address", OCB_ENTRY_NO_NWK, nwk_reserved},
    {"nwk_address", OCB_ENTRY_NO_NWK, nwk_from_oui},
    {"nwk_address", OCB_ENTRY_NO_NWK, nwk_shared},
    {"ieee_address", OCB_ENTRY_KEEP, ieee_shifted},
};

static int add_note(ocb_entry_notes *out, size_t i, const entry_rule *r, const char *what)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 8;
        ocb_entry_note *n = realloc(out->items, cap * sizeof(*n));
        if (!n) return -1;
        out->items = n;
        out->cap = cap;
    }
    char *w = strdup(what);
    if (!w) return -1;
    ocb_entry_note *e = &out->items[out->n++];
    e->device = i;
    snprintf(e->path, sizeof(e->path), "devices[%zu].%s", i, r->field);
    e->what = w;
    e->fix = r->fix;
    return 0;
}

static int notes_of(const rule_ctx *c, size_t i, ocb_entry_notes *out)
{
    char what[400];
    bool nwk_decided = false;
    for (size_t r = 0; r < sizeof(RULES) / sizeof(RULES[0]); r++) {
        bool is_nwk = RULES[r].fix == OCB_ENTRY_NO_NWK;
        if ((is_nwk && nwk_decided) || !RULES[r].test(c, i, what, sizeof(what))) continue;
        nwk_decided |= is_nwk;
        if (add_note(out, i, &RULES[r], what) < 0) return -1;
    }
    return 0;
}

int ocb_entry_notes_find(const ocb_backup *b, ocb_entry_notes *out)
{
    memset(out, 0, sizeof(*out));
    rule_ctx c = {b, NULL, {NULL}, {NULL}};
    uint16_t *count = calloc(65536, sizeof(*count));
    int rc = count && shift_tables(&c) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < b->n_devices; i++)
        if (b->devices[i].has_nwk && count[b->devices[i].nwk] < UINT16_MAX)
            count[b->devices[i].nwk]++;
    c.nwk_count = count;
    for (size_t i = 0; i < b->n_devices && rc == 0; i++)
        rc = notes_of(&c, i, out);
    for (int s = 0; s < N_SHIFTS; s++) {
        free(c.low[s]);
        free(c.high[s]);
    }
    free(count);
    if (rc < 0) ocb_entry_notes_free(out);
    return rc < 0 ? -1 : (int)out->n;
}

void ocb_entry_notes_apply(ocb_backup *b, const ocb_entry_notes *notes)
{
    for (size_t i = 0; i < notes->n; i++)
        if (notes->items[i].fix == OCB_ENTRY_NO_NWK && notes->items[i].device < b->n_devices)
            b->devices[notes->items[i].device].has_nwk =
                b->devices[notes->items[i].device].is_child = false;
}

void ocb_entry_notes_free(ocb_entry_notes *notes)
{
    for (size_t i = 0; i < notes->n; i++)
        free(notes->items[i].what);
    free(notes->items);
    memset(notes, 0, sizeof(*notes));
}
