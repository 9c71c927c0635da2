/* test_mt.c - the MT/UNPI codec against the frame examples of zstack-mt.md §1.2/§1.5/§3.7, and the
 * parser's resynchronisation rules: garbage and 0xEF wake bytes, split reads, bad FCS, LEN > 250,
 * and real frames hidden inside rejected candidates. */
#include "hex.h"
#include "mt.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GOT 64

typedef struct got {
    mt_frame f[MAX_GOT];
    size_t n;
} got;

static void collect(void *ctx, const mt_frame *f)
{
    got *g = ctx;
    cr_assert(g->n < MAX_GOT, "too many frames");
    g->f[g->n++] = *f;
}

/* Decodes spaced hex ("FE 00 21") into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    char compact[1024];
    size_t k = 0;
    for (; *s; s++)
        if (*s != ' ') {
            cr_assert(k + 1 < sizeof(compact));
            compact[k++] = *s;
        }
    compact[k] = 0;
    cr_assert(k % 2 == 0 && k / 2 <= cap, "bad test hex %s", compact);
    cr_assert(hex_decode(compact, out, k / 2) == 0, "bad test hex %s", compact);
    return k / 2;
}

static size_t feed_all(mt_parser *p, const uint8_t *b, size_t n, got *g)
{
    mt_parser_feed(p, b, n, collect, g);
    return g->n;
}

/* ------------------------------------------------------------------ §3.7 examples */

typedef struct example {
    const char *name;
    uint8_t type, subsys, cmd1;
    const char *data; /* DATA field only */
    const char *wire; /* the whole frame as printed in the document */
} example;

static const example EXAMPLES[] = {
    {"SYS_PING req", MT_TYPE_SREQ, MT_SUBSYS_SYS, 0x01, "", "FE 00 21 01 20"},
    {"SYS_PING rsp", MT_TYPE_SRSP, MT_SUBSYS_SYS, 0x01, "59 06", "FE 02 61 01 59 06 3D"},
    {"SYS_VERSION rsp", MT_TYPE_SRSP, MT_SUBSYS_SYS, 0x02, "02 01 02 07 01 D1 FE 34 01",
     "FE 09 61 02 02 01 02 07 01 D1 FE 34 01 77"},
    {"SYS_OSAL_NV_LENGTH req", MT_TYPE_SREQ, MT_SUBSYS_SYS, 0x13, "21 00", "FE 02 21 13 21 00 11"},
    {"SYS_OSAL_NV_LENGTH rsp", MT_TYPE_SRSP, MT_SUBSYS_SYS, 0x13, "74 00", "FE 02 61 13 74 00 04"},
    {"SYS_OSAL_NV_READ_EXT req", MT_TYPE_SREQ, MT_SUBSYS_SYS, 0x1C, "21 00 00 00",
     "FE 04 21 1C 21 00 00 00 18"},
    {"SYS_NV_LENGTH req", MT_TYPE_SREQ, MT_SUBSYS_SYS, 0x32, "01 04 00 00 00",
     "FE 05 21 32 01 04 00 00 00 13"},
    {"SYS_NV_LENGTH rsp", MT_TYPE_SRSP, MT_SUBSYS_SYS, 0x32, "14 00 00 00",
     "FE 04 61 32 14 00 00 00 43"},
    {"UTIL_ASSOC_FIND_DEVICE req", MT_TYPE_SREQ, MT_SUBSYS_UTIL, 0x49, "00", "FE 01 27 49 00 6F"},
    {"APP_CNF_BDB_SET_CHANNEL req", MT_TYPE_SREQ, MT_SUBSYS_APP_CNF, 0x08, "01 00 80 10 02",
     "FE 05 2F 08 01 00 80 10 02 B1"},
    {"APP_CNF_BDB_START_COMMISSIONING req", MT_TYPE_SREQ, MT_SUBSYS_APP_CNF, 0x05, "04",
     "FE 01 2F 05 04 2F"},
    {"APP_CNF_BDB_START_COMMISSIONING rsp", MT_TYPE_SRSP, MT_SUBSYS_APP_CNF, 0x05, "00",
     "FE 01 6F 05 00 6B"},
    {"BDB notification", MT_TYPE_AREQ, MT_SUBSYS_APP_CNF, 0x80, "00 02 00",
     "FE 03 4F 80 00 02 00 CE"},
    {"ZDO_STATE_CHANGE_IND", MT_TYPE_AREQ, MT_SUBSYS_ZDO, 0xC0, "09", "FE 01 45 C0 09 8D"},
    {"ZDO_STARTUP_FROM_APP req", MT_TYPE_SREQ, MT_SUBSYS_ZDO, 0x40, "64 00",
     "FE 02 25 40 64 00 03"},
    {"ZDO_MGMT_PERMIT_JOIN_REQ", MT_TYPE_SREQ, MT_SUBSYS_ZDO, 0x36, "02 00 00 00 01",
     "FE 05 25 36 02 00 00 00 01 15"},
    {"ZDO_MGMT_PERMIT_JOIN_RSP", MT_TYPE_AREQ, MT_SUBSYS_ZDO, 0xB6, "00 00 00",
     "FE 03 45 B6 00 00 00 F0"},
    {"RPC error", MT_TYPE_SRSP, MT_SUBSYS_RPC_ERR, 0x00, "02 21 32", "FE 03 60 00 02 21 32 72"},
    {"SYS_RESET_REQ", MT_TYPE_AREQ, MT_SUBSYS_SYS, 0x00, "01", "FE 01 41 00 01 41"},
    {"SYS_RESET_IND", MT_TYPE_AREQ, MT_SUBSYS_SYS, 0x80, "00 02 01 02 07 01",
     "FE 06 41 80 00 02 01 02 07 01 C0"},
};
#define N_EXAMPLES (sizeof(EXAMPLES) / sizeof(EXAMPLES[0]))

static void example_frame(const example *e, mt_frame *f)
{
    uint8_t data[MT_MAX_DATA];
    size_t n = unhex(e->data, data, sizeof(data));
    cr_assert_eq(mt_frame_set(f, mt_cmd0(e->type, e->subsys), e->cmd1, data, n), 0);
}

static void assert_frame_eq(const mt_frame *a, const mt_frame *b, const char *what)
{
    cr_assert_eq(a->cmd0, b->cmd0, "%s: cmd0 %02X != %02X", what, a->cmd0, b->cmd0);
    cr_assert_eq(a->cmd1, b->cmd1, "%s: cmd1", what);
    cr_assert_eq(a->len, b->len, "%s: len %u != %u", what, a->len, b->len);
    cr_assert(memcmp(a->data, b->data, a->len) == 0, "%s: data", what);
}

Test(mt, examples_encode_byte_for_byte)
{
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        const example *e = &EXAMPLES[i];
        uint8_t want[MT_MAX_FRAME], out[MT_MAX_FRAME];
        size_t wn = unhex(e->wire, want, sizeof(want));
        mt_frame f;
        example_frame(e, &f);
        size_t n = mt_encode(&f, out, sizeof(out));
        cr_assert_eq(n, wn, "%s: encoded %zu bytes, want %zu", e->name, n, wn);
        cr_assert(memcmp(out, want, n) == 0, "%s: bytes differ", e->name);
        cr_assert_eq(mt_frame_type(&f), e->type, "%s: type", e->name);
        cr_assert_eq(mt_frame_subsys(&f), e->subsys, "%s: subsystem", e->name);
    }
}

Test(mt, examples_parse_back)
{
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        const example *e = &EXAMPLES[i];
        uint8_t wire[MT_MAX_FRAME];
        size_t wn = unhex(e->wire, wire, sizeof(wire));
        mt_parser p;
        got g = {0};
        mt_parser_init(&p);
        cr_assert_eq(feed_all(&p, wire, wn, &g), 1, "%s: no frame parsed", e->name);
        mt_frame want;
        example_frame(e, &want);
        assert_frame_eq(&g.f[0], &want, e->name);
        cr_assert_eq(p.frames, 1);
        cr_assert_eq(p.bad_fcs + p.too_long + p.garbage_bytes, 0, "%s: stats", e->name);
    }
}

Test(mt, fcs_is_xor_without_sof)
{
    const uint8_t b[] = {0x02, 0x61, 0x01, 0x59, 0x06};
    cr_assert_eq(mt_fcs(b, sizeof(b)), 0x3D);
    cr_assert_eq(mt_fcs(b, 0), 0x00);
}

Test(mt, rpc_error_example)
{
    mt_frame f;
    uint8_t out[16], want[16];
    size_t wn = unhex("FE 03 60 00 02 21 32 72", want, sizeof(want));
    mt_rpc_error(&f, MT_RPC_ERR_COMMAND_ID, 0x21, 0x32);
    cr_assert_eq(mt_frame_type(&f), MT_TYPE_SRSP);
    cr_assert_eq(mt_frame_subsys(&f), MT_SUBSYS_RPC_ERR);
    size_t n = mt_encode(&f, out, sizeof(out));
    cr_assert_eq(n, wn);
    cr_assert(memcmp(out, want, n) == 0);
    cr_assert_eq(MT_RPC_ERR_SUBSYSTEM, 1);
    cr_assert_eq(MT_RPC_ERR_PARAMETER, 3);
    cr_assert_eq(MT_RPC_ERR_LENGTH, 4);
}

Test(mt, cmd0_helpers)
{
    cr_assert_eq(mt_cmd0(MT_TYPE_SREQ, MT_SUBSYS_SYS), 0x21);
    cr_assert_eq(mt_cmd0(MT_TYPE_SRSP, MT_SUBSYS_GP), 0x75);
    cr_assert_eq(mt_cmd0(MT_TYPE_AREQ, MT_SUBSYS_APP_CNF), 0x4F);
    cr_assert_eq(mt_cmd0(MT_TYPE_POLL, MT_SUBSYS_UTIL), 0x07);
    cr_assert_eq(mt_cmd0(MT_TYPE_AREQ, MT_SUBSYS_UBL), 0x4D);
    mt_frame f = {.cmd0 = 0x67};
    cr_assert_eq(mt_frame_type(&f), MT_TYPE_SRSP);
    cr_assert_eq(mt_frame_subsys(&f), MT_SUBSYS_UTIL);
}

Test(mt, encode_limits)
{
    mt_frame f;
    uint8_t data[MT_MAX_DATA + 1], out[MT_MAX_FRAME + 8];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    cr_assert_eq(mt_frame_set(&f, 0x21, 0x01, data, MT_MAX_DATA + 1), -1);
    cr_assert_eq(mt_frame_set(&f, 0x21, 0x01, NULL, 1), -1);
    cr_assert_eq(mt_frame_set(&f, 0x21, 0x01, NULL, 0), 0);
    cr_assert_eq(mt_frame_set(&f, 0x24, 0x02, data, MT_MAX_DATA), 0);
    cr_assert_eq(mt_encode(&f, out, MT_MAX_FRAME - 1), 0, "cap too small must fail");
    cr_assert_eq(mt_encode(&f, out, sizeof(out)), MT_MAX_FRAME);
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, out, MT_MAX_FRAME, &g), 1, "a 250-byte frame parses");
    assert_frame_eq(&g.f[0], &f, "max frame");
    f.len = MT_MAX_DATA + 1; /* only reachable by writing the field directly */
    cr_assert_eq(mt_encode(&f, out, sizeof(out)), 0);
}

/* ------------------------------------------------------------------ resynchronisation */

Test(mt, garbage_and_wake_bytes_before_frame)
{
    uint8_t buf[512];
    size_t n = 0;
    for (int i = 0; i < 256; i++)
        buf[n++] = 0xEF; /* zigpy-znp's bootloader skip burst */
    n += unhex("00 11 22 EF 7F 80", buf + n, sizeof(buf) - n);
    n += unhex("FE 00 21 01 20", buf + n, sizeof(buf) - n);
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, buf, n, &g), 1);
    cr_assert_eq(g.f[0].cmd0, 0x21);
    cr_assert_eq(g.f[0].cmd1, 0x01);
    cr_assert_eq(p.garbage_bytes, 262);
    cr_assert_eq(p.frames, 1);
}

Test(mt, split_feeding_one_byte_at_a_time)
{
    uint8_t stream[2048];
    size_t n = 0;
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        n += unhex("EF", stream + n, sizeof(stream) - n);
        n += unhex(EXAMPLES[i].wire, stream + n, sizeof(stream) - n);
    }
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    for (size_t i = 0; i < n; i++)
        mt_parser_feed(&p, stream + i, 1, collect, &g);
    cr_assert_eq(g.n, N_EXAMPLES);
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        mt_frame want;
        example_frame(&EXAMPLES[i], &want);
        assert_frame_eq(&g.f[i], &want, EXAMPLES[i].name);
    }
    cr_assert_eq(p.garbage_bytes, N_EXAMPLES);
    cr_assert_eq(p.bad_fcs, 0);
}

Test(mt, bad_fcs_then_good_frame_right_after)
{
    uint8_t buf[64];
    size_t n = unhex("FE 00 21 01 21  FE 00 21 01 20", buf, sizeof(buf));
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, buf, n, &g), 1);
    cr_assert_eq(g.f[0].cmd1, 0x01);
    cr_assert_eq(p.bad_fcs, 1);
    cr_assert_eq(p.frames, 1);
    cr_assert_eq(p.garbage_bytes, 4, "the rejected candidate's body is skipped as garbage");
}

/* A truncated frame (LEN 10, only 2 bytes of it sent) followed by three pings: the candidate
 * swallows the first ping and part of the second before its FCS fails; every ping must come out. */
Test(mt, bad_frame_body_holds_a_real_frame)
{
    uint8_t buf[64];
    size_t n =
        unhex("FE 0A 21 01  FE 00 21 01 20  FE 00 21 01 20  FE 00 21 01 20", buf, sizeof(buf));
    cr_assert_neq(mt_fcs(buf + 1, 13), buf[14], "test premise: the candidate's FCS is bad");
    for (int split = 0; split < 2; split++) {
        mt_parser p;
        got g = {0};
        mt_parser_init(&p);
        if (split)
            for (size_t i = 0; i < n; i++)
                mt_parser_feed(&p, buf + i, 1, collect, &g);
        else
            mt_parser_feed(&p, buf, n, collect, &g);
        cr_assert_eq(g.n, 3, "split=%d: got %zu pings", split, g.n);
        for (size_t i = 0; i < 3; i++)
            cr_assert(g.f[i].cmd0 == 0x21 && g.f[i].len == 0);
        cr_assert_eq(p.bad_fcs, 1);
        cr_assert_eq(p.garbage_bytes, 3);
        cr_assert_eq(p.n, 0);
    }
}

/* The real frame starts inside the rejected candidate's header area: its SOF is the candidate's
 * CMD1 byte. */
Test(mt, real_frame_starts_at_candidate_cmd_byte)
{
    uint8_t buf[64];
    size_t n = unhex("FE 03 21  FE 01 45 C0 09 8D", buf, sizeof(buf));
    cr_assert_neq(mt_fcs(buf + 1, 6), buf[7], "test premise");
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, buf, n, &g), 1);
    cr_assert_eq(g.f[0].cmd0, 0x45);
    cr_assert_eq(g.f[0].cmd1, 0xC0);
    cr_assert_eq(g.f[0].data[0], 9);
    cr_assert_eq(p.bad_fcs, 1);
}

Test(mt, len_251_rejected_and_resync)
{
    uint8_t buf[64];
    size_t n = unhex("FE FB 21 01 00 00  FE 00 21 01 20", buf, sizeof(buf));
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, buf, n, &g), 1);
    cr_assert_eq(p.too_long, 1);
    cr_assert_eq(p.garbage_bytes, 5);
    cr_assert_eq(p.bad_fcs, 0);
}

/* LEN = 0xFE is too long and is itself a SOF: the frame that starts there must survive. */
Test(mt, len_byte_is_a_sof)
{
    uint8_t buf[64];
    size_t n = unhex("FE FE 00 21 01 20", buf, sizeof(buf));
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, buf, n, &g), 1);
    cr_assert_eq(p.too_long, 1);
    cr_assert_eq(p.garbage_bytes, 0);
}

Test(mt, stats_counters)
{
    uint8_t buf[128];
    size_t n = unhex("EF EF 00"          /* 3 garbage */
                     "FE 00 21 01 20"    /* frame */
                     "FE FF"             /* too long; FF then garbage */
                     "FE 01 27 49 00 00" /* bad FCS; its 5 body bytes garbage */
                     "FE 01 27 49 00 6F" /* frame */
                     "FE 02 61",         /* incomplete, held */
                     buf, sizeof(buf));
    mt_parser p;
    got g = {0};
    mt_parser_init(&p);
    cr_assert_eq(feed_all(&p, buf, n, &g), 2);
    cr_assert_eq(p.frames, 2);
    cr_assert_eq(p.too_long, 1);
    cr_assert_eq(p.bad_fcs, 1);
    cr_assert_eq(p.garbage_bytes, 3 + 1 + 5);
    cr_assert_eq(p.n, 3, "the incomplete candidate is kept for the next read");
    mt_parser_init(&p);
    cr_assert_eq(p.frames + p.too_long + p.bad_fcs + p.garbage_bytes + p.n, 0);
}

/* ------------------------------------------------------------------ robustness */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Arbitrary input in arbitrary chunks: no out-of-bounds access (ASan), and the result does not
 * depend on how the stream was split. */
Test(mt, random_streams_chunking_invariant)
{
    static uint8_t stream[8192];
    for (int round = 0; round < 40; round++) {
        size_t n = sizeof(stream);
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd();
            /* many SOFs, many small LEN values, some valid frames spliced in */
            stream[i] = (r % 5 == 0) ? MT_SOF : (uint8_t)(r >> 8) % (round % 2 ? 256 : 12);
        }
        for (int k = 0; k < 30; k++) {
            size_t at = rnd() % (n - 16);
            memcpy(stream + at, "\xFE\x01\x45\xC0\x09\x8D", 6);
        }
        mt_parser a, b;
        got ga = {0}, gb = {0};
        mt_parser_init(&a);
        mt_parser_init(&b);
        /* whole buffer at once vs random chunks; only the first MAX_GOT frames are compared */
        size_t fa = 0, fb = 0;
        for (size_t i = 0; i < n; i += 64) {
            size_t c = n - i < 64 ? n - i : 64;
            ga.n = 0;
            mt_parser_feed(&a, stream + i, c, collect, &ga);
            fa += ga.n;
        }
        for (size_t i = 0; i < n;) {
            size_t c = 1 + rnd() % 40;
            if (c > n - i) c = n - i;
            gb.n = 0;
            mt_parser_feed(&b, stream + i, c, collect, &gb);
            fb += gb.n;
            i += c;
        }
        cr_assert_eq(fa, fb);
        cr_assert_eq(a.frames, b.frames);
        cr_assert_eq(a.bad_fcs, b.bad_fcs);
        cr_assert_eq(a.too_long, b.too_long);
        cr_assert_eq(a.garbage_bytes, b.garbage_bytes);
        cr_assert_eq(a.n, b.n);
        cr_assert(a.frames >= 1, "some spliced frames survive");
    }
}

/* Frames separated by noise that holds no SOF are all found, whatever the noise. */
Test(mt, frames_in_sof_free_noise_all_found)
{
    static uint8_t stream[16384];
    size_t n = 0, sent = 0;
    while (n + 300 < sizeof(stream)) {
        size_t noise = rnd() % 20;
        for (size_t i = 0; i < noise; i++) {
            uint8_t b = (uint8_t)rnd();
            stream[n++] = b == MT_SOF ? 0xEF : b;
        }
        mt_frame f;
        uint8_t data[MT_MAX_DATA];
        size_t len = rnd() % (MT_MAX_DATA + 1);
        for (size_t i = 0; i < len; i++)
            data[i] = (uint8_t)rnd();
        mt_frame_set(&f, 0x44, 0x81, data, len);
        n += mt_encode(&f, stream + n, sizeof(stream) - n);
        sent++;
    }
    mt_parser p;
    mt_parser_init(&p);
    for (size_t i = 0; i < n;) {
        size_t c = 1 + rnd() % 100;
        if (c > n - i) c = n - i;
        mt_parser_feed(&p, stream + i, c, NULL, NULL);
        i += c;
    }
    cr_assert_eq(p.frames, sent);
    cr_assert_eq(p.bad_fcs + p.too_long, 0);
}
