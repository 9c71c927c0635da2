/* test_zboss_schema.c - the ZBOSS call layouts (proto/zboss_schema.[ch]) against real NCP
 * bytes: each row is an HL message from vectors/traces/zboss (an nRF52840 NCP's answers and
 * herdsman's requests, see that folder's SOURCE.md), decoded through its call's layout to the
 * field values the trace notes give and encoded back to the same bytes. Then the emulated NCP
 * through the same rows: a request too short or too long for its layout gets INVALID_FORMAT
 * (0/42) and an unknown call ILLEGAL_REQUEST (0/62), header only, as the DSR firmware answers;
 * its answers decode through the layouts the harness reads them with. */
#include "bytes.h"
#include "emu.h"
#include "hex.h"
#include "serial.h"
#include "zboss.h"
#include "zboss_host.h"
#include "zboss_schema.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---------------------------------------------------------------- real bytes */

typedef struct row {
    const char *hl;     /* the whole HL message, hex */
    const char *fields; /* "name=value ..." (counted fields: name#=count) */
} row;

static const row ROWS[] = {
    /* 01-herdsman-10.6.1-nrf52840dk-startup-cut.json */
    {"0001140001000001", "value=1"},                 /* GET_JOINED -> joined */
    {"0000040002", ""},                              /* GET_ZIGBEE_ROLE request */
    {"00010800060000000f", "page=0 channel=15"},     /* GET_ZIGBEE_CHANNEL */
    {"0000320008000000", "type=0 value=0"},          /* SET_TC_POLICY request */
    {"000032000a020001", "type=2 value=1"},          /* SET_TC_POLICY request */
    {"000032000d050000", "type=5 value=0"},          /* SET_TC_POLICY request (raw) */
    {"00013200080000000f2d2ed2beca9e", "buffer#=8"}, /* SET_TC_POLICY: 8 trailing */
    /* 02-herdsman-pr1187-dev-annce-ind.json */
    {"00020c020cda65823765e9d5b3708e", "nwk=0xda0c ieee=0x70b3d5e965378265 mac_cap=0x8e"},
};

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    cr_assert(n <= cap && hex_decode(s, out, n) == 0, "bad hex %s", s);
    return n;
}

/* A field's value in a decoded struct: an integer, or a counted field's count. */
static uint64_t value_of(const zs_layout *l, const void *obj, const char *name)
{
    char plain[64];
    snprintf(plain, sizeof plain, "%s", name);
    size_t k = strlen(plain);
    int count = k && plain[k - 1] == '#';
    if (count) plain[k - 1] = '\0';
    const zs_field *f = zs_field_named(l, plain);
    cr_assert_not_null(f, "%s has no field %s", l->name, plain);
    const uint8_t *m = (const uint8_t *)obj + (count ? f->len_off : f->off);
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    if (count || f->kind == ZS_U16) return memcpy(&u16, m, 2), u16;
    if (f->kind == ZS_U8) return *m;
    if (f->kind == ZS_U32) return memcpy(&u32, m, 4), u32;
    cr_assert_eq(f->kind, ZS_U64, "%s.%s: not an integer", l->name, plain);
    return memcpy(&u64, m, 8), u64;
}

static void check_fields(const zs_layout *l, const void *obj, const char *spec)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(t, '=');
        cr_assert_not_null(eq);
        *eq = '\0';
        uint64_t want = strtoull(eq + 1, NULL, 0);
        cr_expect_eq(value_of(l, obj, t), want, "%s.%s", l->name, t);
    }
}

Test(zboss_schema, real_frames_decode_and_encode_back)
{
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        uint8_t msg[64], out[64];
        size_t n = unhex(ROWS[i].hl, msg, sizeof msg);
        zboss_hl h;
        cr_assert_eq(zboss_hl_decode(msg, n, &h), 0);
        const zs_cmd *c = zboss_cmd_row(h.call_id);
        cr_assert_not_null(c, "call %04x has no row", h.call_id);
        const zs_layout *l = h.type == ZBOSS_HL_REQUEST ? c->req : c->rsp;
        cr_assert_not_null(l, "%s: no layout that way", c->name);
        void *v = calloc(1, (size_t)l->size + 1);
        zs_err err = {0};
        long used = zs_decode(l, h.params, h.params_len, v, &err);
        cr_assert_eq(used, (long)h.params_len, "%s: took %ld of %zu (%s %s)", c->name, used,
                     h.params_len, err.field ? err.field : "", err.why ? err.why : "");
        check_fields(l, v, ROWS[i].fields);
        cr_assert_eq(zs_encode_to(l, v, out, sizeof out), (long)h.params_len, "%s", c->name);
        cr_assert_arr_eq(out, h.params, h.params_len, "%s: encoded back differently", c->name);
        free(v);
    }
}

/* Every call id has one row, and every request-carrying row both layouts. */
Test(zboss_schema, rows_are_unique_and_whole)
{
    for (size_t i = 0; i < zboss_n_cmds; i++) {
        const zs_cmd *c = &zboss_cmds[i];
        cr_expect_eq(zboss_cmd_row((uint16_t)c->id), c, "%s: call id %04x twice", c->name, c->id);
        cr_expect_not_null(c->rsp, "%s", c->name);
    }
    const zs_cmd *ieee = zboss_cmd_row(ZBOSS_GET_LOCAL_IEEE_ADDR);
    cr_assert(zs_is_unit(ieee, "ieee"));
    cr_assert_not(zs_is_unit(ieee, "mac_if"));
}

/* NVRAM_WRITE carries its datasets back to back: each through zboss_nvram_dataset. */
Test(zboss_schema, nvram_write_datasets)
{
    uint8_t msg[32];
    size_t n = unhex("01"
                     "0700"
                     "0100"
                     "0800"
                     "1027000000000000",
                     msg, sizeof msg);
    zboss_nvram_write_req *q = calloc(1, sizeof(*q));
    zboss_nvram_dataset ds;
    cr_assert_eq(zs_decode(&zboss_nvram_write_req_layout, msg, n, q, NULL), (long)n);
    cr_assert_eq(q->count, 1);
    cr_assert_eq(zs_decode(&zboss_nvram_dataset_layout, q->datasets, q->datasets_len, &ds, NULL),
                 (long)q->datasets_len);
    cr_assert(ds.type == ZBOSS_DS_IB_COUNTERS && ds.version == 1 && ds.data_len == 8);
    cr_assert_eq(get_le32(ds.data), 10000);
    free(q);
}

/* ---------------------------------------------------------------- the emulated NCP */

typedef struct ncp {
    emu *e;
    pthread_t thread;
    zbh_serial *ser;
    zboss_host h;
    char nv[64];
} ncp;

static void *loop_main(void *arg)
{
    emu_run(arg);
    return NULL;
}

static void ncp_start(ncp *p)
{
    int sv[2];
    char err[256] = "";
    snprintf(p->nv, sizeof p->nv, "/tmp/zb-zboss-schema-%d.json", (int)getpid());
    unlink(p->nv);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    emu_options o = {.nvram_path = p->nv, .seed = 7, .host_fd = sv[0], .time_scale = 0.01};
    p->e = emu_create(&emu_zboss_frontend, &o, err, sizeof(err));
    cr_assert_not_null(p->e, "%s", err);
    cr_assert_eq(pthread_create(&p->thread, NULL, loop_main, p->e), 0);
    p->ser = zbh_serial_from_fd(sv[1], "zboss", err, sizeof(err));
    cr_assert_not_null(p->ser, "%s", err);
    zboss_host_init(&p->h, p->ser);
}

static void ncp_stop(ncp *p)
{
    zboss_host_free(&p->h);
    zbh_serial_close(p->ser);
    cr_assert_eq(pthread_join(p->thread, NULL), 0);
    emu_destroy(p->e);
    unlink(p->nv);
}

static int raw_call(ncp *p, uint16_t id, const char *hex)
{
    uint8_t b[32];
    size_t n = unhex(hex, b, sizeof b);
    return zboss_host_call(&p->h, id, b, n, NULL, 2000);
}

Test(zboss_schema, the_emulator_answers_through_the_layouts)
{
    ncp p;
    ncp_start(&p);
    /* too short, too long for the layout: INVALID_FORMAT, header only */
    cr_expect_eq(raw_call(&p, ZBOSS_SET_PAN_ID, "34"), ZBOSS_INVALID_FORMAT);
    cr_expect_eq(raw_call(&p, ZBOSS_SET_PAN_ID, "341200"), ZBOSS_INVALID_FORMAT);
    cr_expect_eq(raw_call(&p, ZBOSS_NVRAM_READ, "07"), ZBOSS_INVALID_FORMAT);
    cr_expect_eq(raw_call(&p, ZBOSS_NCP_RESET, ""), ZBOSS_INVALID_FORMAT);
    cr_expect_eq(raw_call(&p, ZBOSS_SET_TC_POLICY, "0000"), ZBOSS_INVALID_FORMAT);
    cr_expect_eq(raw_call(&p, ZBOSS_NWK_FORMATION, "00050000000000000000000000000000"),
                 ZBOSS_INVALID_FORMAT);
    /* an unknown call */
    cr_expect_eq(raw_call(&p, 0x0FFE, ""), ZBOSS_ILLEGAL_REQUEST);
    /* the answers decode through the rows the harness reads them with */
    zboss_module_version_rsp v;
    cr_assert_eq(zboss_call(&p.h, ZBOSS_GET_MODULE_VERSION, NULL, &v, 2000), 0);
    cr_expect_eq(v.protocol, 0x113);
    zboss_pan pan = {0x1a62};
    cr_assert_eq(zboss_call(&p.h, ZBOSS_SET_PAN_ID, &pan, NULL, 2000), 0);
    pan.pan_id = 0;
    cr_assert_eq(zboss_call(&p.h, ZBOSS_GET_PAN_ID, NULL, &pan, 2000), 0);
    cr_expect_eq(pan.pan_id, 0x1a62);
    zboss_tc_policy_req tc = {2, 1};
    zboss_tc_policy_rsp tr;
    cr_assert_eq(zboss_call(&p.h, ZBOSS_SET_TC_POLICY, &tc, &tr, 2000), 0);
    cr_expect_eq(tr.buffer_len, 8, "the DSR answer's 8 trailing bytes");
    ncp_stop(&p);
}

typedef struct span {
    const char *name;
    size_t off, len;
} span;

static void find_span(void *ctx, const char *name, size_t off, size_t len)
{
    span *s = ctx;
    if (strcmp(name, s->name) == 0) s->off = off, s->len = len;
}

/* COMMON_DATA version 2 is 92 bytes with the channel at 77 and the rx-on flags last (§8.4). */
Test(zboss_schema, common_data_layout)
{
    uint8_t b[ZBOSS_COMMON_DATA_SIZE] = {0};
    zboss_common_data d = {.channel = 15};
    cr_assert_eq(zs_encode_to(&zboss_common_data_layout, &d, b, sizeof b), ZBOSS_COMMON_DATA_SIZE);
    span ch = {"channel", 0, 0}, fl = {"flags", 0, 0};
    cr_assert_eq(zs_walk(&zboss_common_data_layout, b, sizeof b, find_span, &ch), 92);
    zs_walk(&zboss_common_data_layout, b, sizeof b, find_span, &fl);
    cr_expect_eq(ch.off, 77);
    cr_expect_eq(b[77], 15);
    cr_expect_eq(fl.off, 91);
}
