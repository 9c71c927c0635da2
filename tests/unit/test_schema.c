/* test_schema.c - the one payload codec (proto/core/schema.[ch]): every field kind decoded from and
 * encoded back to the same bytes, a short payload named by its field, a count over capacity
 * refused, the walk's field ranges, and unit-field matching. The sample payloads are real
 * Z-Stack bytes (vectors/traces: an MGMT_LQI_RSP and a SYS_OSAL_NV_WRITE). */
#include "schema.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define NB(X, S)                                                                                   \
    X(S, BYTES, ext_pan, 8)                                                                        \
    X(S, BYTES, ieee, 8)                                                                           \
    X(S, U16, nwk) X(S, U8, flags) X(S, U8, permit) X(S, U8, depth) X(S, U8, lqi)
ZS_STRUCT(t_nb, NB)
ZS_LAYOUT(t_nb, NB)

#define LQI(X, S)                                                                                  \
    X(S, U16, src) X(S, U8, status) X(S, U8, total) X(S, U8, start) X(S, LIST8, neighbors, 3, t_nb)
ZS_STRUCT(t_lqi, LQI)
ZS_LAYOUT(t_lqi, LQI)

#define NVW(X, S) X(S, U16, id) X(S, U8, offset) X(S, LEN8, value, 16)
ZS_STRUCT(t_nvw, NVW)
ZS_LAYOUT(t_nvw, NVW)

#define MIX(X, S)                                                                                  \
    X(S, U32, a)                                                                                   \
    X(S, U64, b)                                                                                   \
    X(S, LIST8_U16, clusters, 4) X(S, LEN16, blob, 4) X(S, ARRAY, pair, 2, t_nvw)                  \
        X(S, REST, tail, 8)
ZS_STRUCT(t_mix, MIX)
ZS_LAYOUT(t_mix, MIX)

static const uint8_t lqi_bytes[] = {
    0x00, 0x00, 0x00, 0x02, 0x00, 0x01, /* src, status, total 2, start 0, one entry */
    0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0x11, 0x22, 0x33,
    0x44, 0x55, 0x66, 0x77, 0x88, 0x3c, 0x9b, 0x25, 0x02, 0x01, 0xa8};

Test(schema, decodes_a_list_and_encodes_it_back)
{
    t_lqi v;
    zs_err err;
    cr_assert_eq(zs_decode(&t_lqi_layout, lqi_bytes, sizeof lqi_bytes, &v, &err),
                 (long)sizeof lqi_bytes);
    cr_assert_eq(v.total, 2);
    cr_assert_eq(v.neighbors_len, 1);
    cr_assert_eq(v.neighbors[0].nwk, 0x9b3c);
    cr_assert_eq(v.neighbors[0].lqi, 0xa8);
    cr_assert_eq(v.neighbors[0].ieee[7], 0x88);
    uint8_t out[64];
    cr_assert_eq(zs_encode_to(&t_lqi_layout, &v, out, sizeof out), (long)sizeof lqi_bytes);
    cr_assert_arr_eq(out, lqi_bytes, sizeof lqi_bytes);
    cr_assert_eq(zs_encode_to(&t_lqi_layout, &v, out, 10), -1, "a full buffer is an error");
}

Test(schema, short_payload_names_the_field)
{
    t_lqi v;
    zs_err err = {0};
    cr_assert_eq(zs_decode(&t_lqi_layout, lqi_bytes, sizeof lqi_bytes - 1, &v, &err), -1);
    cr_assert_str_eq(err.layout, "t_nb");
    cr_assert_str_eq(err.field, "lqi");
    cr_assert_str_eq(err.why, "too short");
    cr_assert_eq(zs_decode(&t_lqi_layout, lqi_bytes, 3, &v, &err), -1);
    cr_assert_str_eq(err.field, "total");
    cr_assert_eq(err.offset, 3);
}

Test(schema, count_over_capacity_is_refused)
{
    static const uint8_t nvw[] = {0x21, 0x00, 0x00, 17};
    t_nvw v;
    zs_err err = {0};
    cr_assert_eq(zs_decode(&t_nvw_layout, nvw, sizeof nvw, &v, &err), -1);
    cr_assert_str_eq(err.field, "value");
    cr_assert_str_eq(err.why, "count over capacity");
}

Test(schema, trailing_bytes_are_left_to_the_caller)
{
    static const uint8_t nvw[] = {0x21, 0x00, 0x00, 0x02, 0xaa, 0xbb, 0xcc};
    t_nvw v;
    cr_assert_eq(zs_decode(&t_nvw_layout, nvw, sizeof nvw, &v, NULL), 6);
    cr_assert_eq(v.id, 0x0021);
    cr_assert_eq(v.value_len, 2);
    cr_assert_eq(v.value[1], 0xbb);
}

Test(schema, every_kind_round_trips)
{
    static const uint8_t in[] = {0x04, 0x03, 0x02, 0x01,                         /* a */
                                 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* b */
                                 0x02, 0x06, 0x00, 0x00, 0x05, /* clusters: 0x0006, 0x0500 */
                                 0x01, 0x00, 0xee,             /* blob */
                                 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x01,
                                 0x99,        /* pair[0], pair[1] */
                                 0xfe, 0xff}; /* tail */
    t_mix v;
    cr_assert_eq(zs_decode(&t_mix_layout, in, sizeof in, &v, NULL), (long)sizeof in);
    cr_assert_eq(v.a, 0x01020304u);
    cr_assert_eq(v.b, 0x0102030405060708ull);
    cr_assert_eq(v.clusters_len, 2);
    cr_assert_eq(v.clusters[1], 0x0500);
    cr_assert_eq(v.blob_len, 1);
    cr_assert_eq(v.pair[1].id, 2);
    cr_assert_eq(v.pair[1].value[0], 0x99);
    cr_assert_eq(v.tail_len, 2);
    uint8_t out[64];
    cr_assert_eq(zs_encode_to(&t_mix_layout, &v, out, sizeof out), (long)sizeof in);
    cr_assert_arr_eq(out, in, sizeof in);
}

typedef struct seen {
    char names[16][64];
    size_t off[16], len[16], n;
} seen;

static void visit(void *ctx, const char *name, size_t off, size_t len)
{
    seen *s = ctx;
    if (s->n >= 16) return;
    snprintf(s->names[s->n], sizeof s->names[0], "%s", name);
    s->off[s->n] = off;
    s->len[s->n++] = len;
}

Test(schema, walk_gives_each_field_its_bytes)
{
    seen s = {0};
    cr_assert_eq(zs_walk(&t_lqi_layout, lqi_bytes, sizeof lqi_bytes, visit, &s),
                 (long)sizeof lqi_bytes);
    cr_assert_eq(s.n, 12);
    cr_assert_str_eq(s.names[4], "neighbors#");
    cr_assert_str_eq(s.names[6], "neighbors[0].ieee");
    cr_assert_eq(s.off[6], 14);
    cr_assert_eq(s.len[6], 8);
    cr_assert_str_eq(s.names[11], "neighbors[0].lqi");
    cr_assert_eq(s.off[11], sizeof lqi_bytes - 1);
    seen t = {0};
    cr_assert_eq(zs_walk(&t_lqi_layout, lqi_bytes, 10, visit, &t), -1);
}

Test(schema, commands_by_id_version_and_unit_fields)
{
    static const zs_cmd rows[] = {
        {0x0001, "old", &zs_empty_layout, &t_lqi_layout, "neighbors.lqi src", 4, 12},
        {0x0001, "new", &zs_empty_layout, &t_lqi_layout, NULL, 13, 0},
        {0x2108, "any", &t_nvw_layout, NULL, NULL, 0, 0},
    };
    cr_assert_str_eq(zs_cmd_find(rows, 3, 0x0001, 8)->name, "old");
    cr_assert_str_eq(zs_cmd_find(rows, 3, 0x0001, 18)->name, "new");
    cr_assert_null(zs_cmd_find(rows, 3, 0x0001, 3));
    cr_assert_str_eq(zs_cmd_find(rows, 3, 0x2108, 99)->name, "any");
    cr_assert(zs_is_unit(&rows[0], "neighbors[3].lqi"));
    cr_assert(zs_is_unit(&rows[0], "src"));
    cr_assert_not(zs_is_unit(&rows[0], "neighbors[3].nwk"));
    cr_assert_not(zs_is_unit(&rows[0], "sr"));
    cr_assert_not(zs_is_unit(&rows[1], "src"));
}

/* U8W: one wire byte in a wider member, so an old version's layout (u8 status, u8 tag) shares
 * the struct of the new one (u32 status, u16 tag). Bytes: a real v8 sendUnicast response
 * (status 0x00, sequence 0x5a) and a v13 stackStatusHandler (NETWORK_UP 0x90). */
#define WIDE(X, S) X(S, U32, status) X(S, U16, tag)
ZS_STRUCT(t_wide, WIDE)
ZS_LAYOUT(t_wide, WIDE)
#define NARROW(X, S) X(S, U8W, status) X(S, U8W, tag)
static const zs_field t_narrow_fields[] = {NARROW(ZS_ROW, t_wide)};
static const zs_layout t_narrow_layout = {"t_narrow", t_narrow_fields, 2, sizeof(t_wide)};

Test(schema, u8w_is_one_byte_in_a_wider_member)
{
    static const uint8_t in[] = {0x90, 0x5a};
    t_wide v;
    cr_assert_eq(zs_decode(&t_narrow_layout, in, sizeof in, &v, NULL), 2);
    cr_assert_eq(v.status, 0x90u);
    cr_assert_eq(v.tag, 0x5a);
    uint8_t out[8];
    cr_assert_eq(zs_encode_to(&t_narrow_layout, &v, out, sizeof out), 2);
    cr_assert_arr_eq(out, in, 2);
    v.status = 0x0C0B; /* only the low byte travels */
    cr_assert_eq(zs_encode_to(&t_narrow_layout, &v, out, sizeof out), 2);
    cr_assert_eq(out[0], 0x0B);
    seen s = {0};
    cr_assert_eq(zs_walk(&t_narrow_layout, in, sizeof in, visit, &s), 2);
    cr_assert_eq(s.len[0], 1);
    cr_assert_eq(zs_decode(&t_narrow_layout, in, 1, &v, NULL), -1);
}
