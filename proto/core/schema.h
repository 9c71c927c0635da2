/* schema.h - a command's payload described once, as a row of fields, and the one codec that
 * reads and writes every such row.
 *
 * Why: the emulator parses a request that the harness's driver builds, and builds the response
 * that the driver parses. Written by hand on both sides, the two copies drift (a min_len here, a
 * d[6 + n] there) and agree with each other rather than with the firmware. As in zigpy-znp, a
 * payload is declared once, as an X-macro list of fields; the list makes the C struct and the
 * layout table, and zs_encode/zs_decode serialise any struct through its table. The trace replay
 * walks the same table to compare two answers field by field (zs_walk).
 *
 * Declaring a payload (in the protocol's schema header, e.g. proto/mt/mt_schema.h):
 *
 *     #define MT_NV_WRITE_REQ(X, S) X(S, U16, id) X(S, U8, offset) X(S, LEN8, value, 246)
 *     ZS_STRUCT(mt_nv_write_req, MT_NV_WRITE_REQ)
 *
 * and once in its .c file: ZS_LAYOUT(mt_nv_write_req, MT_NV_WRITE_REQ). That gives
 *     typedef struct mt_nv_write_req { uint16_t id; uint8_t offset;
 *                                      uint16_t value_len; uint8_t value[246]; } mt_nv_write_req;
 *     extern const zs_layout mt_nv_write_req_layout;
 *
 * Field kinds (X(S, KIND, name, ...)):
 *     U8, U16, U32, U64           name                 little-endian unsigned
 *     BYTES                       name, n              n bytes as they are on the wire
 *     LEN8 / LEN16                name, max            a u8 / le16 count, then that many bytes
 *     REST                        name, max            every byte left in the payload
 *     LIST8                       name, max, elem      a u8 count, then that many `elem` structs
 *     LIST8_U16                   name, max            a u8 count, then that many le16 values
 *     ARRAY                       name, count, elem    exactly `count` `elem` structs
 *     U8W                         name                 one byte on the wire, kept in a wider
 *                                                      member (EZSP: a status or tag that is u8
 *                                                      in old versions, u32/u16 in new ones, so
 *                                                      both versions' layouts share one struct)
 * Counted kinds keep their count in name##_len (uint16_t). Multi-byte integers are
 * little-endian (MT, EZSP and ZBOSS all are). A payload with no field uses zs_empty_layout. */
#ifndef ZB_SCHEMA_H
#define ZB_SCHEMA_H

#include "bytes.h"

#include <stddef.h>
#include <stdint.h>

typedef enum zs_kind {
    ZS_U8,
    ZS_U16,
    ZS_U32,
    ZS_U64,
    ZS_BYTES,
    ZS_LEN8,
    ZS_LEN16,
    ZS_REST,
    ZS_LIST8,
    ZS_LIST8_U16,
    ZS_ARRAY,
    ZS_U8W
} zs_kind;

struct zs_layout;

typedef struct zs_field {
    const char *name;
    uint8_t kind; /* zs_kind */
    uint16_t n;   /* BYTES: size; counted kinds: capacity; ARRAY: count; U8W: the member's size */
    uint16_t off; /* offsetof the member */
    uint16_t len_off;            /* offsetof name##_len (counted kinds) */
    const struct zs_layout *sub; /* LIST8 / ARRAY: the element's layout */
} zs_field;

typedef struct zs_layout {
    const char *name;
    const zs_field *fields;
    uint16_t nfields;
    uint16_t size; /* sizeof the struct */
} zs_layout;

/* ---- the X-macro kit ---- */
#define ZS_MEMBER(S, kind, ...) ZS_M_##kind(__VA_ARGS__)
#define ZS_M_U8(n)              uint8_t n;
#define ZS_M_U16(n)             uint16_t n;
#define ZS_M_U32(n)             uint32_t n;
#define ZS_M_U64(n)             uint64_t n;
#define ZS_M_BYTES(n, size)     uint8_t n[size];
#define ZS_M_LEN8(n, max)                                                                          \
    uint16_t n##_len;                                                                              \
    uint8_t n[max];
#define ZS_M_LEN16(n, max)                                                                         \
    uint16_t n##_len;                                                                              \
    uint8_t n[max];
#define ZS_M_REST(n, max)                                                                          \
    uint16_t n##_len;                                                                              \
    uint8_t n[max];
#define ZS_M_LIST8(n, max, elem)                                                                   \
    uint16_t n##_len;                                                                              \
    elem n[max];
#define ZS_M_LIST8_U16(n, max)                                                                     \
    uint16_t n##_len;                                                                              \
    uint16_t n[max];
#define ZS_M_ARRAY(n, count, elem) elem n[count];
#define ZS_M_U8W(n)                uint32_t n;

#define ZS_ROW(S, kind, ...)          ZS_R_##kind(S, __VA_ARGS__)
#define ZS_R_INT_(S, n, k)            {#n, k, 0, offsetof(S, n), 0, NULL},
#define ZS_R_U8(S, n)                 ZS_R_INT_(S, n, ZS_U8)
#define ZS_R_U16(S, n)                ZS_R_INT_(S, n, ZS_U16)
#define ZS_R_U32(S, n)                ZS_R_INT_(S, n, ZS_U32)
#define ZS_R_U64(S, n)                ZS_R_INT_(S, n, ZS_U64)
#define ZS_R_BYTES(S, n, size)        {#n, ZS_BYTES, size, offsetof(S, n), 0, NULL},
#define ZS_R_CNT_(S, n, max, k, sub)  {#n, k, max, offsetof(S, n), offsetof(S, n##_len), sub},
#define ZS_R_LEN8(S, n, max)          ZS_R_CNT_(S, n, max, ZS_LEN8, NULL)
#define ZS_R_LEN16(S, n, max)         ZS_R_CNT_(S, n, max, ZS_LEN16, NULL)
#define ZS_R_REST(S, n, max)          ZS_R_CNT_(S, n, max, ZS_REST, NULL)
#define ZS_R_LIST8(S, n, max, elem)   ZS_R_CNT_(S, n, max, ZS_LIST8, &elem##_layout)
#define ZS_R_LIST8_U16(S, n, max)     ZS_R_CNT_(S, n, max, ZS_LIST8_U16, NULL)
#define ZS_R_ARRAY(S, n, count, elem) {#n, ZS_ARRAY, count, offsetof(S, n), 0, &elem##_layout},
#define ZS_R_U8W(S, n)                {#n, ZS_U8W, sizeof(((S *)0)->n), offsetof(S, n), 0, NULL},

/* In a header: the struct and its layout's declaration. */
#define ZS_STRUCT(name, LIST)                                                                      \
    typedef struct name {                                                                          \
        LIST(ZS_MEMBER, name)                                                                      \
    } name;                                                                                        \
    extern const zs_layout name##_layout;
/* In one .c file: the layout table. */
#define ZS_LAYOUT(name, LIST)                                                                      \
    _Static_assert(sizeof(name) <= UINT16_MAX, #name ": too large for zs_layout.size");         \
    static const zs_field name##_fields[] = {LIST(ZS_ROW, name)};                                  \
    const zs_layout name##_layout = {#name, name##_fields,                                         \
                                     (uint16_t)(sizeof name##_fields / sizeof(zs_field)),          \
                                     (uint16_t)sizeof(name)};

extern const zs_layout zs_empty_layout; /* a payload with no field */

/* ---- the codec ---- */

/* Why a decode failed: the layout, the field and the payload offset it wanted bytes at. */
typedef struct zs_err {
    const char *layout;
    const char *field;
    size_t offset;
    const char *why; /* "too short", "count over capacity" */
} zs_err;

/* Reads a payload into `out` (layout->size bytes, zeroed first). Returns the bytes it took (a
 * payload may be longer: firmware ignores what follows, and so may the caller), or -1 with
 * `err` (may be NULL) filled in. */
long zs_decode(const zs_layout *l, const uint8_t *p, size_t len, void *out, zs_err *err);
/* Appends the struct's payload to `b` (which sets b->overflow if it does not fit). Counted
 * fields write name##_len items, capped at their capacity. */
void zs_encode(const zs_layout *l, const void *in, zb_buf *b);
/* zs_encode into a plain array: the length, or -1 if it does not fit in `cap`. */
long zs_encode_to(const zs_layout *l, const void *in, uint8_t *out, size_t cap);

/* Visits every leaf field of a payload as it lies on the wire: its dotted name ("neighbors[2]
 * .nwk"), its offset and length in the payload. Returns the bytes walked or -1 if the payload
 * is shorter than the layout (leaves before the short one are visited). */
typedef void (*zs_visit)(void *ctx, const char *name, size_t off, size_t len);
long zs_walk(const zs_layout *l, const uint8_t *p, size_t len, zs_visit visit, void *ctx);

/* The field named `name` (top level), or NULL. */
const zs_field *zs_field_named(const zs_layout *l, const char *name);

/* ---- commands ---- */

/* A command of a protocol: its id and name, and the layouts of what it carries each way. */
typedef struct zs_cmd {
    uint32_t id;          /* MT: cmd0 << 8 | cmd1 of the request; EZSP: frame id; ZBOSS: call id */
    const char *name;     /* as the vendor names it */
    const zs_layout *req; /* NULL: the host never sends it (an indication or callback) */
    const zs_layout *rsp; /* NULL: nothing answers it (an AREQ) */
    /* the response's fields whose value belongs to the unit, not to the firmware (IEEE, random
     * numbers, counters), space-separated, e.g. "ieee counter": the trace replay declares a
     * difference there rather than calling it one. A list element's field is named without
     * its index ("neighbors.lqi"). */
    const char *unit;
    uint8_t ver_min, ver_max; /* EZSP protocol versions with these layouts; 0, 0: every one */
} zs_cmd;

/* The row for `id` at `version` (ignored by rows with ver_min 0), or NULL. */
const zs_cmd *zs_cmd_find(const zs_cmd *rows, size_t n, uint32_t id, unsigned version);
/* Whether the walked field `name` (zs_walk: "neighbors[2].lqi", "value#") is one of the
 * command's unit fields: indices and the count mark '#' are ignored. */
int zs_is_unit(const zs_cmd *c, const char *name);

#endif
