/* schema.c - the one codec behind every payload declared with ZS_STRUCT/ZS_LAYOUT (schema.h):
 * decode, encode and walk, each a loop over the layout's fields. */
#include "schema.h"

#include <stdio.h>
#include <string.h>

const zs_layout zs_empty_layout = {"empty", NULL, 0, 0};

static uint16_t *count_of(void *obj, const zs_field *f)
{
    return (uint16_t *)((uint8_t *)obj + f->len_off);
}

static const uint16_t *ccount_of(const void *obj, const zs_field *f)
{
    return (const uint16_t *)((const uint8_t *)obj + f->len_off);
}

/* ------------------------------------------------------------------ decode */

typedef struct dec {
    zb_rd r;
    zs_err *err;
} dec;

static int fail(dec *d, const zs_layout *l, const zs_field *f, size_t at, const char *why)
{
    if (d->err) {
        d->err->layout = l->name;
        d->err->field = f->name;
        d->err->offset = at;
        d->err->why = why;
    }
    return -1;
}

static int decode_into(dec *d, const zs_layout *l, uint8_t *obj);

/* U8W: the member is f->n bytes wide (1, 2, 4 or 8) */
static void set_wide(uint8_t *m, size_t width, uint8_t v)
{
    switch (width) {
    case 2: *(uint16_t *)(void *)m = v; break;
    case 4: *(uint32_t *)(void *)m = v; break;
    case 8: *(uint64_t *)(void *)m = v; break;
    default: *m = v; break;
    }
}

static uint8_t get_wide(const uint8_t *m, size_t width)
{
    switch (width) {
    case 2: return (uint8_t) * (const uint16_t *)(const void *)m;
    case 4: return (uint8_t) * (const uint32_t *)(const void *)m;
    case 8: return (uint8_t) * (const uint64_t *)(const void *)m;
    default: return *m;
    }
}

/* the element count of a counted field: from the wire (LEN8, LEN16, LIST8*) or what is left */
static int read_count(dec *d, const zs_layout *l, const zs_field *f, size_t *count)
{
    size_t at = d->r.pos;
    switch (f->kind) {
    case ZS_LEN16: *count = zb_get_le16(&d->r); break;
    case ZS_REST: *count = zb_rd_left(&d->r); break;
    default: *count = zb_get_u8(&d->r); break;
    }
    if (d->r.short_read) return fail(d, l, f, at, "too short");
    if (*count > f->n) return fail(d, l, f, at, "count over capacity");
    return 0;
}

static int decode_field(dec *d, const zs_layout *l, const zs_field *f, uint8_t *obj)
{
    uint8_t *m = obj + f->off;
    size_t at = d->r.pos, count = 0;
    switch (f->kind) {
    case ZS_U8: *m = zb_get_u8(&d->r); break;
    case ZS_U16: *(uint16_t *)(void *)m = zb_get_le16(&d->r); break;
    case ZS_U32: *(uint32_t *)(void *)m = zb_get_le32(&d->r); break;
    case ZS_U64: *(uint64_t *)(void *)m = zb_get_le64(&d->r); break;
    case ZS_BYTES: zb_get_bytes(&d->r, m, f->n); break;
    case ZS_U8W: set_wide(m, f->n, zb_get_u8(&d->r)); break;
    case ZS_ARRAY:
        for (size_t i = 0; i < f->n; i++)
            if (decode_into(d, f->sub, m + i * f->sub->size) < 0) return -1;
        return 0;
    default:
        if (read_count(d, l, f, &count) < 0) return -1;
        *count_of(obj, f) = (uint16_t)count;
        if (f->kind == ZS_LIST8) {
            for (size_t i = 0; i < count; i++)
                if (decode_into(d, f->sub, m + i * f->sub->size) < 0) return -1;
        } else if (f->kind == ZS_LIST8_U16) {
            for (size_t i = 0; i < count; i++)
                ((uint16_t *)(void *)m)[i] = zb_get_le16(&d->r);
        } else {
            zb_get_bytes(&d->r, m, count);
        }
    }
    return d->r.short_read ? fail(d, l, f, at, "too short") : 0;
}

static int decode_into(dec *d, const zs_layout *l, uint8_t *obj)
{
    memset(obj, 0, l->size);
    for (size_t i = 0; i < l->nfields; i++)
        if (decode_field(d, l, &l->fields[i], obj) < 0) return -1;
    return 0;
}

long zs_decode(const zs_layout *l, const uint8_t *p, size_t len, void *out, zs_err *err)
{
    dec d = {zb_rd_init(p, len), err};
    if (decode_into(&d, l, out) < 0) return -1;
    return (long)d.r.pos;
}

/* ------------------------------------------------------------------ encode */

static void encode_from(const zs_layout *l, const uint8_t *obj, zb_buf *b);

static void encode_field(const zs_field *f, const uint8_t *obj, zb_buf *b)
{
    const uint8_t *m = obj + f->off;
    size_t count = f->kind >= ZS_LEN8 && f->kind <= ZS_LIST8_U16 ? *ccount_of(obj, f) : f->n;
    if (count > f->n) count = f->n;
    switch (f->kind) {
    case ZS_U8: zb_put_u8(b, *m); return;
    case ZS_U16: zb_put_le16(b, *(const uint16_t *)(const void *)m); return;
    case ZS_U32: zb_put_le32(b, *(const uint32_t *)(const void *)m); return;
    case ZS_U64: zb_put_le64(b, *(const uint64_t *)(const void *)m); return;
    case ZS_BYTES: zb_put_bytes(b, m, f->n); return;
    case ZS_U8W: zb_put_u8(b, get_wide(m, f->n)); return;
    case ZS_LEN16: zb_put_le16(b, (uint16_t)count); break;
    case ZS_REST:
    case ZS_ARRAY: break;
    default: zb_put_u8(b, (uint8_t)count); break;
    }
    if (f->kind == ZS_LIST8 || f->kind == ZS_ARRAY) {
        for (size_t i = 0; i < count; i++)
            encode_from(f->sub, m + i * f->sub->size, b);
    } else if (f->kind == ZS_LIST8_U16) {
        for (size_t i = 0; i < count; i++)
            zb_put_le16(b, ((const uint16_t *)(const void *)m)[i]);
    } else {
        zb_put_bytes(b, m, count);
    }
}

static void encode_from(const zs_layout *l, const uint8_t *obj, zb_buf *b)
{
    for (size_t i = 0; i < l->nfields; i++)
        encode_field(&l->fields[i], obj, b);
}

void zs_encode(const zs_layout *l, const void *in, zb_buf *b)
{
    encode_from(l, in, b);
}

long zs_encode_to(const zs_layout *l, const void *in, uint8_t *out, size_t cap)
{
    zb_buf b = zb_buf_init(out, cap);
    encode_from(l, in, &b);
    return b.overflow ? -1 : (long)b.len;
}

/* ------------------------------------------------------------------ walk */

typedef struct walker {
    zb_rd r;
    zs_visit visit;
    void *ctx;
} walker;

static int walk_layout(walker *w, const zs_layout *l, const char *prefix);

static int leaf(walker *w, const char *name, size_t n)
{
    size_t at = w->r.pos;
    if (zb_rd_left(&w->r) < n) return -1;
    w->r.pos += n;
    w->visit(w->ctx, name, at, n);
    return 0;
}

static int walk_elems(walker *w, const zs_field *f, const char *name, size_t count)
{
    char sub[160];
    for (size_t i = 0; i < count; i++) {
        int k = snprintf(sub, sizeof sub, "%s[%zu]", name, i);
        if (k < 0 || (size_t)k >= sizeof sub) return -1;
        int r = f->kind == ZS_LIST8_U16 ? leaf(w, sub, 2) : walk_layout(w, f->sub, sub);
        if (r < 0) return -1;
    }
    return 0;
}

static int walk_field(walker *w, const zs_field *f, const char *name)
{
    static const uint8_t width[] = {[ZS_U8] = 1, [ZS_U16] = 2, [ZS_U32] = 4, [ZS_U64] = 8};
    size_t count;
    char cname[168];
    switch (f->kind) {
    case ZS_U8:
    case ZS_U16:
    case ZS_U32:
    case ZS_U64: return leaf(w, name, width[f->kind]);
    case ZS_U8W: return leaf(w, name, 1);
    case ZS_BYTES: return leaf(w, name, f->n);
    case ZS_ARRAY: return walk_elems(w, f, name, f->n);
    case ZS_REST: return leaf(w, name, zb_rd_left(&w->r));
    default: break;
    }
    size_t cw = f->kind == ZS_LEN16 ? 2 : 1;
    if (zb_rd_left(&w->r) < cw) return -1;
    count = cw == 2 ? get_le16(w->r.data + w->r.pos) : w->r.data[w->r.pos];
    int k = snprintf(cname, sizeof cname, "%s#", name);
    if (k < 0 || (size_t)k >= sizeof cname) return -1;
    leaf(w, cname, cw);
    if (f->kind == ZS_LIST8 || f->kind == ZS_LIST8_U16) return walk_elems(w, f, name, count);
    return leaf(w, name, count);
}

static int walk_layout(walker *w, const zs_layout *l, const char *prefix)
{
    char name[160];
    for (size_t i = 0; i < l->nfields; i++) {
        const zs_field *f = &l->fields[i];
        int n = prefix ? snprintf(name, sizeof name, "%s.%s", prefix, f->name)
                       : snprintf(name, sizeof name, "%s", f->name);
        if (n < 0 || (size_t)n >= sizeof name) return -1; /* nested beyond any real payload */
        if (walk_field(w, f, name) < 0) return -1;
    }
    return 0;
}

long zs_walk(const zs_layout *l, const uint8_t *p, size_t len, zs_visit visit, void *ctx)
{
    walker w = {zb_rd_init(p, len), visit, ctx};
    if (walk_layout(&w, l, NULL) < 0) return -1;
    return (long)w.r.pos;
}

const zs_field *zs_field_named(const zs_layout *l, const char *name)
{
    for (size_t i = 0; i < l->nfields; i++)
        if (strcmp(l->fields[i].name, name) == 0) return &l->fields[i];
    return NULL;
}

/* ------------------------------------------------------------------ commands */

const zs_cmd *zs_cmd_find(const zs_cmd *rows, size_t n, uint32_t id, unsigned version)
{
    for (size_t i = 0; i < n; i++) {
        const zs_cmd *c = &rows[i];
        if (c->id != id) continue;
        if (c->ver_min && (version < c->ver_min || (c->ver_max && version > c->ver_max))) continue;
        return c;
    }
    return NULL;
}

/* `name` without "[i]" and a trailing '#' */
static void plain_name(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < cap; p++) {
        if (*p == '[') {
            while (*p && *p != ']')
                p++;
            if (!*p) break;
            continue;
        }
        if (*p == '#' && p[1] == '\0') break;
        out[o++] = *p;
    }
    out[o] = '\0';
}

int zs_is_unit(const zs_cmd *c, const char *name)
{
    char want[160];
    if (!c->unit) return 0;
    plain_name(name, want, sizeof want);
    size_t n = strlen(want);
    for (const char *p = c->unit; *p;) {
        while (*p == ' ')
            p++;
        size_t k = strcspn(p, " ");
        if (k == n && k && strncmp(p, want, n) == 0) return 1;
        p += k;
    }
    return 0;
}
