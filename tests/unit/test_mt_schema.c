/* test_mt_schema.c - the MT layouts (proto/mt/mt_schema.c) against real sticks' bytes: each row a
 * frame from vectors/traces/znp, decoded through its command's layout to the field values the
 * firmware meant and encoded back to the same bytes; the unit's bytes of item-selected answers;
 * and the emulator's answers to requests too short for their layout. */
#include "emu.h"
#include "hex.h"
#include "mt_host.h"
#include "mt_schema.h"
#include "serial.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* one frame (cmd0 cmd1 payload, hex as in the trace) and one field to check */
typedef struct vec {
    const char *trace; /* vectors/traces/znp/<trace>.json */
    const char *hex;
    int answer;        /* 1: the answer of the row (SRSP or indication); 0: the request */
    const char *field; /* a top-level integer field, or a counted field's count "name#" */
    uint64_t want;
} vec;

static const vec VECS[] = {
    {"zstack3x0-20240710-herdsman-zhc8776a", "6102020102070146d9340100", 1, "product", 1},
    {"zstack3x0-20240710-herdsman-zhc8776a", "6102020102070146d9340100", 1, "revision#", 5},
    {"zstack12-stock-openhab-oh9a", "61020200020603", 1, "maint", 3},
    {"zstack12-stock-openhab-oh9a", "61020200020603", 1, "revision#", 0},
    {"zstack3x0-20240710-herdsman-zhc8776a", "210f0014", 0, "value", 0x14},
    {"zstack3x0-20240710-herdsman-zhc8776a", "670000139fcc4ddf4b1200feff070000", 1, "nwk", 0xFFFE},
    {"zstack3x0-20240710-herdsman-zhc8776a", "670000139fcc4ddf4b1200feff070000", 1, "device_type",
     7},
    {"zstack3x0-20210708-lcl-berdonlcl", "2108820000", 0, "id", 0x0082},
    {"zstack3x0-20210708-lcl-berdonlcl", "61080018003ab7ae72c76678a97d2db690d4b96dece7010008290000",
     1, "value#", 24},
    {"zstack3x0-unknown-zigpy-tube110", "2133010700000000000c", 0, "item_id", 7},
    {"zstack3x0-unknown-zigpy-tube110", "2133010700000000000c", 0, "length", 12},
    {"zstack12-stock-openhab-oh9a", "6606050b00000000000000", 1, "param", 5},
    {"(a ZDO_ACTIVE_EP_RSP)", "458500000000000df22f0d0c6e0b08060504030201", 1, "endpoints#", 13},
    {"(an AF_INCOMING_MSG)", "4481000000043e020201000f00790791000008088d0a000021d67848601b", 1,
     "cluster", 0x0400},
    {"(an AF_INCOMING_MSG)", "4481000000043e020201000f00790791000008088d0a000021d67848601b", 1,
     "data#", 8},
};

/* the bytes of a hex string (whole, or the test fails) */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    cr_assert(n <= cap && hex_decode(s, out, n) == 0, "bad hex %s", s);
    return n;
}

static uint64_t field_value(const zs_layout *l, const uint8_t *obj, const char *name)
{
    char base[64];
    size_t n = strcspn(name, "#");
    snprintf(base, sizeof base, "%.*s", (int)n, name);
    const zs_field *f = zs_field_named(l, base);
    cr_assert_not_null(f, "%s has no field %s", l->name, base);
    if (name[n] == '#') return *(const uint16_t *)(const void *)(obj + f->len_off);
    switch (f->kind) {
    case ZS_U8: return obj[f->off];
    case ZS_U16: return *(const uint16_t *)(const void *)(obj + f->off);
    case ZS_U32: return *(const uint32_t *)(const void *)(obj + f->off);
    default: cr_assert_fail("%s.%s is not an integer", l->name, base); return 0;
    }
}

Test(mt_schema, real_frames_decode_to_their_fields_and_encode_back)
{
    for (size_t i = 0; i < sizeof VECS / sizeof VECS[0]; i++) {
        const vec *v = &VECS[i];
        uint8_t f[256], out[256], obj[2048];
        size_t n = 0;
        n = unhex(v->hex, f, sizeof f);
        const zs_cmd *c = v->answer ? mt_schema_of_answer(f[0], f[1]) : mt_schema_find(f[0], f[1]);
        cr_assert_not_null(c, "%s: no row for %02x %02x", v->trace, f[0], f[1]);
        const zs_layout *l = v->answer ? c->rsp : c->req;
        cr_assert(l->size <= sizeof obj);
        zs_err err = {0};
        long used = zs_decode(l, f + 2, n - 2, obj, &err);
        cr_assert_eq(used, (long)(n - 2), "%s %s: %s at %s", v->trace, c->name, err.why, err.field);
        cr_assert_eq(field_value(l, obj, v->field), v->want, "%s %s.%s", v->trace, c->name,
                     v->field);
        cr_assert_eq(zs_encode_to(l, obj, out, sizeof out), used, "%s %s", v->trace, c->name);
        cr_assert_arr_eq(out, f + 2, (size_t)used, "%s %s: encoded back differently", v->trace,
                         c->name);
    }
}

Test(mt_schema, every_row_is_found_by_its_id_and_named)
{
    for (size_t i = 0; i < mt_schema_n; i++) {
        const zs_cmd *c = &mt_schema[i];
        cr_assert(c->req || c->rsp, "%s carries nothing", c->name);
        cr_assert_eq(mt_schema_find((uint8_t)(c->id >> 8), (uint8_t)c->id), c, "%s", c->name);
    }
    const zs_cmd *ping = mt_schema_find(MT_SYS_PING);
    cr_assert_str_eq(ping->name, "SYS_PING");
    cr_assert_eq(mt_schema_of_answer(0x61, 0x01), ping);
    cr_assert(zs_is_unit(mt_schema_find(MT_UTIL_GET_DEVICE_INFO), "ieee"));
    cr_assert(!zs_is_unit(mt_schema_find(MT_UTIL_GET_DEVICE_INFO), "nwk"));
}

/* the replay's item-selected rows: NWKKEY's padding on a 24-byte (aligned) item only, the
 * IEEE in EXTADDR, the NWK frame counter of an ext sec-material row */
Test(mt_schema, unit_bytes_follow_the_item_the_request_named)
{
    uint8_t req[16], ans[64];
    size_t rn, an;
    mt_unit_range u;
    rn = unhex("820000", req, sizeof req);
    an = unhex("0018003ab7ae72c76678a97d2db690d4b96dece7010008290000", ans, sizeof ans);
    cr_assert(mt_unit_in_answer(req, rn, ans, an, 0x61, 0x08, &u));
    cr_assert_str_eq(u.name, "SYS_OSAL_NV_READ(NWKKEY).padding");
    cr_assert_eq(u.off, 19);
    cr_assert_eq(u.len, 3);
    ans[1] = 21; /* a packed 21-byte NWKKEY: those bytes are the frame counter */
    cr_assert(!mt_unit_in_answer(req, rn, ans, an, 0x61, 0x08, &u));
    rn = unhex("01000000", req, sizeof req);
    cr_assert(mt_unit_in_answer(req, rn, ans, an, 0x61, 0x1C, &u));
    cr_assert_str_eq(u.name, "SYS_OSAL_NV_READ_EXT(EXTADDR).value");
    cr_assert_eq(u.off, 2);
    cr_assert_eq(u.len, 8);
    rn = unhex("010700000000000c", req, sizeof req);
    cr_assert(mt_unit_in_answer(req, rn, ans, an, 0x61, 0x33, &u));
    cr_assert_eq(u.len, 4);
    rn = unhex("06", req, sizeof req);
    cr_assert(mt_unit_in_answer(req, rn, ans, an, 0x66, 0x06, &u));
    cr_assert_str_eq(u.name, "ZB_GET_DEVICE_INFO(PAN_ID).stale");
    cr_assert_eq(u.off, 3);
}

/* ---------------------------------------------------------------- the emulator's answers */

static void *loop_main(void *arg)
{
    emu_run(arg);
    return NULL;
}

typedef struct short_req {
    const char *hex;  /* cmd0 cmd1 payload */
    int rc;           /* MT_HOST_OK or MT_HOST_RPC_ERROR */
    const char *want; /* the answer's payload */
} short_req;

static const short_req SHORT[] = {
    /* fixed fields missing: RPC error "parameter" naming the request */
    {"2108"
     "8200",
     MT_HOST_RPC_ERROR, "032108"},
    {"2133"
     "01070000",
     MT_HOST_RPC_ERROR, "032133"},
    /* a counted field past the frame's end: the status the firmware checks itself */
    {"2109"
     "0100"
     "00"
     "05"
     "1122",
     MT_HOST_OK, "02"},
    {"211d"
     "0100"
     "0000"
     "0900"
     "11",
     MT_HOST_OK, "02"},
    {"2134"
     "01"
     "0700"
     "0000"
     "0000"
     "09",
     MT_HOST_OK, "04"},
    /* a whole request still answers */
    {"2113"
     "0100",
     MT_HOST_OK, "0800"},
};

Test(mt_schema, short_requests_get_the_emulators_error_answer, .timeout = 30)
{
    int sv[2];
    char err[256] = "";
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    emu_options o = {.profile = "zstack3x0", .seed = 7, .host_fd = sv[0], .time_scale = 0.01};
    emu *e = emu_create(&emu_znp_frontend, &o, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, loop_main, e), 0);
    zbh_serial *ser = zbh_serial_from_fd(sv[1], "znp", err, sizeof err);
    cr_assert_not_null(ser, "%s", err);
    mt_host h;
    mt_host_init(&h, ser);
    for (size_t i = 0; i < sizeof SHORT / sizeof SHORT[0]; i++) {
        uint8_t f[64], want[16];
        size_t n = 0, wn = 0;
        mt_frame r;
        n = unhex(SHORT[i].hex, f, sizeof f);
        wn = unhex(SHORT[i].want, want, sizeof want);
        int rc = mt_host_sreq(&h, f[0], f[1], f + 2, n - 2, &r, 2000);
        cr_assert_eq(rc, SHORT[i].rc, "%s: %s", SHORT[i].hex, mt_host_strerror(rc));
        cr_assert_eq(r.len, wn, "%s: %u bytes back", SHORT[i].hex, r.len);
        cr_assert_arr_eq(r.data, want, wn, "%s", SHORT[i].hex);
    }
    zbh_serial_close(ser);
    cr_assert_eq(pthread_join(th, NULL), 0);
    emu_destroy(e);
}
