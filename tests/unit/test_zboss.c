/* test_zboss.c - the ZBOSS NCP codec against zboss-ncp.md: the CRC check values (§2.3), every
 * worked packet of §2.4 (encode and decode), herdsman's first GET_JOINED as captured on a pty
 * (tests/herdsman/README.md §6), the parser's resynchronisation and NACK cases, fragmentation
 * round trips with the §2.6 split rule, and each dataset layout of §8.4 written out by hand. */
#include "bytes.h"
#include "hex.h"
#include "zboss.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    char compact[2048];
    size_t k = 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '|') {
            cr_assert(k + 1 < sizeof(compact));
            compact[k++] = *s;
        }
    compact[k] = 0;
    cr_assert(k % 2 == 0 && k / 2 <= cap, "bad test hex %s", compact);
    cr_assert(hex_decode(compact, out, k / 2) == 0, "bad test hex %s", compact);
    return k / 2;
}

#define MAX_GOT 32
typedef struct got {
    zboss_ll_packet p[MAX_GOT];
    int ev[MAX_GOT];
    size_t n;
} got;

static void collect(void *ctx, int ev, const zboss_ll_packet *p)
{
    got *g = ctx;
    cr_assert(g->n < MAX_GOT);
    g->p[g->n] = *p;
    g->ev[g->n++] = ev;
}

/* ------------------------------------------------------------------ §2.3 */

Test(zboss_crc, check_values)
{
    const uint8_t s[] = "123456789";
    cr_assert_eq(zboss_ll_crc8(s, 9), 0xD8);
    cr_assert_eq(zboss_ll_crc16(s, 9), 0x2189);
}

/* ------------------------------------------------------------------ §2.4 */

typedef struct ll_example {
    const char *name;
    uint8_t flags;
    const char *body; /* "" for ACKs */
    const char *wire;
} ll_example;

static const ll_example EXAMPLES[] = {
    {"ACK for PKT#0", 0x01, "", "de ad 05 00 06 01 8f"},
    {"ACK for PKT#1", 0x11, "", "de ad 05 00 06 11 c0"},
    {"NACK for PKT#2", 0x23, "", "de ad 05 00 06 23 6d"},
    {"GET_ZIGBEE_ROLE req", 0xC0, "00 00 04 00 01", "de ad 0c 00 06 c0 7c e8 72 | 00 00 04 00 01"},
    {"GET_ZIGBEE_ROLE rsp", 0xC4, "00 01 04 00 01 00 00 00",
     "de ad 0f 00 06 c4 07 c2 93 | 00 01 04 00 01 00 00 00"},
    {"NCP_RESET rsp after reboot", 0xC0, "00 01 02 00 ff 00 00",
     "de ad 0e 00 06 c0 5d 50 d4 | 00 01 02 00 ff 00 00"},
    {"NCP_RESET_IND power-on", 0xC0, "00 02 2b 00 00",
     "de ad 0c 00 06 c0 7c eb 13 | 00 02 2b 00 00"},
    {"NVRAM_READ ds 7 req", 0xC4, "00 00 2f 00 10 07 00",
     "de ad 0e 00 06 c4 a5 f0 c2 | 00 00 2f 00 10 07 00"},
    {"NVRAM_READ not found", 0xC8, "00 01 2f 00 10 00 1c",
     "de ad 0e 00 06 c8 c8 3e 51 | 00 01 2f 00 10 00 1c"},
    {"START_WITHOUT_FORMATION failed", 0xC4, "00 01 1d 04 22 00 18",
     "de ad 0e 00 06 c4 a5 b9 94 | 00 01 1d 04 22 00 18"},
    /* herdsman's first frame after opening the port (tests/herdsman/README.md §6) */
    {"herdsman GET_JOINED", 0xC0, "00 00 14 00 01", "de ad 0c 00 06 c0 7c 7d f7 00 00 14 00 01"},
};
#define N_EXAMPLES (sizeof(EXAMPLES) / sizeof(EXAMPLES[0]))

Test(zboss_ll, encode_worked_examples)
{
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        const ll_example *x = &EXAMPLES[i];
        uint8_t body[64], want[128], out[ZBOSS_LL_MAX_PKT];
        size_t bn = unhex(x->body, body, sizeof(body));
        size_t wn = unhex(x->wire, want, sizeof(want));
        size_t n =
            (x->flags & ZBOSS_FLAG_ACK)
                ? zboss_ll_encode_ack(zboss_flags_ack_num(x->flags),
                                      (x->flags & ZBOSS_FLAG_RETRANSMIT) != 0, out, sizeof(out))
                : zboss_ll_encode(x->flags, body, bn, out, sizeof(out));
        cr_assert_eq(n, wn, "%s: %zu bytes, want %zu", x->name, n, wn);
        cr_assert(memcmp(out, want, n) == 0, "%s: bytes differ", x->name);
    }
}

Test(zboss_ll, decode_worked_examples_in_one_stream_split_bytewise)
{
    uint8_t stream[1024];
    size_t total = 0;
    for (size_t i = 0; i < N_EXAMPLES; i++)
        total += unhex(EXAMPLES[i].wire, stream + total, sizeof(stream) - total);
    zboss_ll_parser p;
    zboss_ll_parser_init(&p);
    got g = {0};
    for (size_t i = 0; i < total; i++)
        zboss_ll_parser_feed(&p, stream + i, 1, collect, &g);
    cr_assert_eq(g.n, N_EXAMPLES);
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        uint8_t body[64];
        size_t bn = unhex(EXAMPLES[i].body, body, sizeof(body));
        cr_assert_eq(g.ev[i], ZBOSS_LL_PACKET, "%s", EXAMPLES[i].name);
        cr_assert_eq(g.p[i].flags, EXAMPLES[i].flags, "%s", EXAMPLES[i].name);
        cr_assert_eq(g.p[i].type, ZBOSS_LL_TYPE_HL);
        cr_assert_eq(g.p[i].len, bn, "%s", EXAMPLES[i].name);
        cr_assert(memcmp(g.p[i].body, body, bn) == 0);
    }
    cr_assert_eq(zboss_flags_pkt(g.p[4].flags), 1);
    cr_assert_eq(zboss_flags_ack_num(g.p[1].flags), 1);
}

Test(zboss_ll, resynchronises_after_garbage_and_bad_header)
{
    uint8_t b[256];
    size_t n = 0;
    n += unhex("00 de 41 ad de", b + n, sizeof(b) - n); /* noise, lone signature bytes */
    n += unhex("de ad 0c 00 06 c0 7d e8 72 00 00 04 00 01", b + n, sizeof(b) - n); /* bad HCRC */
    n += unhex("de ad ff 00 06 c0", b + n, sizeof(b) - n);    /* LEN 255: out of range */
    n += unhex("de ad 05 00 06 11 c0", b + n, sizeof(b) - n); /* a good ACK */
    zboss_ll_parser p;
    zboss_ll_parser_init(&p);
    got g = {0};
    zboss_ll_parser_feed(&p, b, n, collect, &g);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.p[0].flags, 0x11);
    cr_assert(p.bad_hcrc >= 1);
}

Test(zboss_ll, bad_body_crc_is_reported_for_a_nack)
{
    uint8_t b[64];
    size_t n = unhex("de ad 0c 00 06 c0 7c e8 72 00 00 04 00 02", b, sizeof(b)); /* TSN changed */
    zboss_ll_parser p;
    zboss_ll_parser_init(&p);
    got g = {0};
    zboss_ll_parser_feed(&p, b, n, collect, &g);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.ev[0], ZBOSS_LL_BAD_BODY);
    cr_assert_eq(zboss_flags_pkt(g.p[0].flags), 0);
}

Test(zboss_ll, rejects_empty_or_oversized_bodies)
{
    uint8_t body[300] = {0}, out[400];
    cr_assert_eq(zboss_ll_encode(0xC0, body, 0, out, sizeof(out)), 0);
    cr_assert_eq(zboss_ll_encode(0xC0, body, 248, out, sizeof(out)), 0);
    cr_assert_eq(zboss_ll_encode(0xC0, body, 247, out, sizeof(out)), 256);
    cr_assert_eq(get_le16(out + 2), 254); /* the largest LEN */
}

/* ------------------------------------------------------------------ §2.6 */

Test(zboss_frag, split_rule)
{
    size_t off, n;
    cr_assert_eq(zboss_frag_count(247), 1);
    cr_assert_eq(zboss_frag_count(248), 2);
    cr_assert_eq(zboss_frag_span(248, 0, &off, &n), ZBOSS_FLAG_FIRST);
    cr_assert(off == 0 && n == 1, "first fragment = size mod 247");
    cr_assert_eq(zboss_frag_span(248, 1, &off, &n), ZBOSS_FLAG_LAST);
    cr_assert(off == 1 && n == 247);
    cr_assert_eq(zboss_frag_count(494), 2);
    zboss_frag_span(494, 0, &off, &n);
    cr_assert(off == 0 && n == 247, "exact multiple: 247 first");
    cr_assert_eq(zboss_frag_span(100, 0, &off, &n), ZBOSS_FLAG_FIRST | ZBOSS_FLAG_LAST);
    cr_assert(off == 0 && n == 100);
}

static void roundtrip(size_t len)
{
    uint8_t *msg = malloc(len), pkt[ZBOSS_LL_MAX_PKT];
    for (size_t i = 0; i < len; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    zboss_ll_parser p;
    zboss_ll_parser_init(&p);
    zboss_reasm r;
    zboss_reasm_init(&r, 4096);
    size_t frags = zboss_frag_count(len);
    int done = 0;
    for (size_t i = 0; i < frags; i++) {
        size_t off, n;
        zboss_frag_span(len, i, &off, &n);
        uint8_t flags = zboss_data_flags((uint8_t)(i % 3 + 1), i == 0, i + 1 == frags);
        size_t k = zboss_ll_encode(flags, msg + off, n, pkt, sizeof(pkt));
        cr_assert(k > 0);
        got g = {0};
        zboss_ll_parser_feed(&p, pkt, k, collect, &g);
        cr_assert_eq(g.n, 1);
        cr_assert_eq(done, 0, "complete before the last fragment");
        done = zboss_reasm_add(&r, g.p[0].flags, g.p[0].body, g.p[0].len);
        cr_assert(done >= 0);
    }
    cr_assert_eq(done, 1, "len %zu: not complete", len);
    cr_assert_eq(r.len, len);
    cr_assert(memcmp(r.buf, msg, len) == 0);
    zboss_reasm_free(&r);
    free(msg);
}

Test(zboss_frag, round_trips)
{
    size_t lens[] = {1, 7, 246, 247, 248, 493, 494, 495, 19 + 16 * 30, 1600};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        roundtrip(lens[i]);
}

Test(zboss_frag, continuation_without_first_is_dropped)
{
    zboss_reasm r;
    zboss_reasm_init(&r, 100);
    uint8_t b[10] = {0};
    cr_assert_eq(zboss_reasm_add(&r, ZBOSS_FLAG_LAST, b, 10), -1);
    cr_assert_eq(zboss_reasm_add(&r, ZBOSS_FLAG_FIRST, b, 10), 0);
    cr_assert_eq(zboss_reasm_add(&r, 0, b, 10), 0);
    cr_assert_eq(zboss_reasm_add(&r, ZBOSS_FLAG_LAST, b, 10), 1);
    cr_assert_eq(r.len, 30);
    cr_assert_eq(zboss_reasm_add(&r, ZBOSS_FLAG_FIRST, b, 10), 0);
    uint8_t big[100] = {0};
    cr_assert_eq(zboss_reasm_add(&r, ZBOSS_FLAG_LAST, big, 100), -1, "over max");
    zboss_reasm_free(&r);
}

/* ------------------------------------------------------------------ §3 */

Test(zboss_hl, decode_three_kinds)
{
    uint8_t b[32];
    zboss_hl h;
    size_t n = unhex("00 01 04 00 01 00 00 00", b, sizeof(b));
    cr_assert_eq(zboss_hl_decode(b, n, &h), 0);
    cr_assert(h.type == ZBOSS_HL_RESPONSE && h.call_id == ZBOSS_GET_ZIGBEE_ROLE && h.tsn == 1);
    cr_assert(h.status_cat == 0 && h.status_code == 0 && h.params_len == 1 && h.params[0] == 0);
    n = unhex("00 01 1d 04 22 00 18", b, sizeof(b));
    cr_assert_eq(zboss_hl_decode(b, n, &h), 0);
    cr_assert(h.call_id == ZBOSS_NWK_START_WITHOUT_FORMATION && h.tsn == 0x22);
    cr_assert(h.status_code == ZBOSS_OPERATION_FAILED && h.params_len == 0);
    n = unhex("00 02 2b 00 00", b, sizeof(b));
    cr_assert_eq(zboss_hl_decode(b, n, &h), 0);
    cr_assert(h.type == ZBOSS_HL_INDICATION && h.call_id == ZBOSS_NCP_RESET_IND);
    cr_assert(h.params_len == 1 && h.params[0] == 0);
    n = unhex("00 00 2f 00 10 07 00", b, sizeof(b));
    cr_assert_eq(zboss_hl_decode(b, n, &h), 0);
    cr_assert(h.type == ZBOSS_HL_REQUEST && h.call_id == ZBOSS_NVRAM_READ && h.tsn == 0x10);
    cr_assert(h.params_len == 2 && get_le16(h.params) == ZBOSS_DS_IB_COUNTERS);
    cr_assert_eq(zboss_hl_decode(b, 4, &h), -1, "request shorter than its header");
    n = unhex("00 01 04 00 01 00", b, sizeof(b));
    cr_assert_eq(zboss_hl_decode(b, n, &h), -1, "response without status");
}

Test(zboss_hl, encode_reset_response_and_not_found)
{
    uint8_t out[32], want[32];
    zboss_hl h = {.type = ZBOSS_HL_RESPONSE, .call_id = ZBOSS_NCP_RESET, .tsn = 0xFF};
    size_t n = zboss_hl_encode(&h, out, sizeof(out));
    size_t wn = unhex("00 01 02 00 ff 00 00", want, sizeof(want));
    cr_assert(n == wn && memcmp(out, want, n) == 0);
    h = (zboss_hl){.type = ZBOSS_HL_RESPONSE,
                   .call_id = ZBOSS_NVRAM_READ,
                   .tsn = 0x10,
                   .status_code = ZBOSS_NOT_FOUND};
    n = zboss_hl_encode(&h, out, sizeof(out));
    wn = unhex("00 01 2f 00 10 00 1c", want, sizeof(want));
    cr_assert(n == wn && memcmp(out, want, n) == 0);
    uint8_t role = 0;
    h = (zboss_hl){.type = ZBOSS_HL_RESPONSE,
                   .call_id = ZBOSS_GET_ZIGBEE_ROLE,
                   .tsn = 1,
                   .params = &role,
                   .params_len = 1};
    cr_assert_eq(zboss_hl_encode(&h, out, 7), 0, "no room for the params");
}

/* ------------------------------------------------------------------ §8.4 */

Test(zboss_ds, ib_counters)
{
    uint8_t b[8], want[8];
    unhex("00 04 00 00 10 00 00 00", want, sizeof(want));
    zboss_ib_counters c = {.nib_outgoing_fc = 1024, .aib_outgoing_fc = 16};
    zboss_ib_counters_encode(&c, b);
    cr_assert(memcmp(b, want, 8) == 0);
    zboss_ib_counters d;
    cr_assert_eq(zboss_ib_counters_decode(want, 8, &d), 0);
    cr_assert(d.nib_outgoing_fc == 1024 && d.aib_outgoing_fc == 16);
    cr_assert_eq(zboss_ib_counters_decode(want, 4, &d), 0, "old 4-byte version");
    cr_assert(d.nib_outgoing_fc == 1024 && d.aib_outgoing_fc == 0);
    cr_assert_eq(zboss_ib_counters_decode(want, 6, &d), -1);
}

Test(zboss_ds, addr_map)
{
    uint8_t want[64], out[64];
    size_t wn = unhex("02 02 00 00"
                      "88 77 66 55 44 33 22 11 34 12 00 00 00 00 00 00"
                      "08 07 06 05 04 03 02 01 cd ab 01 00 00 00 00 00",
                      want, sizeof(want));
    zboss_addr_map_entry e[2] = {{0x1122334455667788ull, 0x1234, 0, 0, 0},
                                 {0x0102030405060708ull, 0xABCD, 1, 0, 0}};
    cr_assert_eq(zboss_addr_map_encode(e, 2, out, sizeof(out)), wn);
    cr_assert(memcmp(out, want, wn) == 0);
    zboss_addr_map_entry d[4];
    cr_assert_eq(zboss_addr_map_decode(want, wn, d, 4), 2);
    cr_assert(d[1].ieee == 0x0102030405060708ull && d[1].nwk == 0xABCD && d[1].index == 1);
    cr_assert_eq(zboss_addr_map_decode(want, wn - 1, d, 4), -1);
    cr_assert_eq(zboss_addr_map_encode(e, 2, out, 35), 0);
}

Test(zboss_ds, neighbour_table)
{
    /* depth 1, rx_on 0, relationship child (1): 0x21; ZED, timeout 8: 0x22 */
    uint8_t want[32], out[32];
    size_t wn = unhex("01 03 00 00  05 21 22 00 00 00 00 00", want, sizeof(want));
    zboss_neighbour nb = {.addr_ref = 5,
                          .depth = 1,
                          .relationship = ZBOSS_REL_CHILD,
                          .device_type = ZBOSS_DEV_ZED,
                          .ed_timeout = 8};
    cr_assert_eq(zboss_neighbour_encode(&nb, 1, out, sizeof(out)), wn);
    cr_assert(memcmp(out, want, wn) == 0);
    zboss_neighbour d;
    cr_assert_eq(zboss_neighbour_decode(want, wn, &d, 1), 1);
    cr_assert(d.addr_ref == 5 && d.relationship == ZBOSS_REL_CHILD && d.device_type == 2 &&
              d.ed_timeout == 8 && d.depth == 1 && d.rx_on == 0);
}

Test(zboss_ds, aps_secure_data)
{
    uint8_t want[64], out[64];
    size_t wn = unhex("00 00 00 00"
                      "88 77 66 55 44 33 22 11"
                      "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"
                      "08 00 00 00",
                      want, sizeof(want));
    zboss_aps_key k = {.ieee = 0x1122334455667788ull, .flags = ZBOSS_APS_KEY_UNIQUE_VERIFIED};
    for (int i = 0; i < 16; i++)
        k.key[i] = (uint8_t)(i * 0x11);
    cr_assert_eq(zboss_aps_keys_encode(0, &k, 1, out, sizeof(out)), wn);
    cr_assert(memcmp(out, want, wn) == 0);
    zboss_aps_key d;
    cr_assert_eq(zboss_aps_keys_decode(want, wn, &d, 1), 1);
    cr_assert(d.ieee == k.ieee && d.flags == 0x08 && memcmp(d.key, k.key, 16) == 0);
    cr_assert_eq(zboss_aps_keys_decode(want, 31, &d, 1), -1);
}

Test(zboss_ds, nvram_read_response_and_versions)
{
    uint8_t b[32];
    size_t n = unhex("09 00 07 00 01 00 08 00 00 04 00 00 00 00 00 00", b, sizeof(b));
    zboss_nvram_read_rsp r;
    cr_assert_eq(zboss_nvram_read_rsp_decode(b, n, &r), 0);
    cr_assert(r.nvram_version == 9 && r.type == 7 && r.version == 1 && r.len == 8);
    cr_assert_eq(get_le32(r.data), 1024);
    cr_assert_eq(zboss_nvram_read_rsp_decode(b, n - 1, &r), -1, "data shorter than len");
    /* §8.2 */
    cr_assert_eq(zboss_dataset_version(ZBOSS_DS_COMMON_DATA), 2);
    cr_assert_eq(zboss_dataset_version(ZBOSS_DS_IB_COUNTERS), 1);
    cr_assert_eq(zboss_dataset_version(ZBOSS_DS_ADDR_MAP), 2);
    cr_assert_eq(zboss_dataset_version(ZBOSS_DS_NEIGHBOUR_TBL), 3);
    cr_assert_eq(zboss_dataset_version(ZBOSS_DS_APS_SECURE_DATA), 0);
}

/* Regression (fuzz_zboss_ll_hl): a 4-byte message with control type 3 once read a TSN past
 * its end. Type 3 is no message type: refused. */
Test(zboss_hl, type_3_is_refused_not_overread)
{
    uint8_t *m = malloc(4); /* exactly 4 bytes, so ASan sees any read past them */
    cr_assert_not_null(m);
    m[0] = 0x00;
    m[1] = 0x03;
    m[2] = 0x01;
    m[3] = 0x00;
    zboss_hl h;
    cr_assert_eq(zboss_hl_decode(m, 4, &h), -1);
    m[1] = 0x02; /* an indication of the same size is fine */
    cr_assert_eq(zboss_hl_decode(m, 4, &h), 0);
    cr_assert_eq(h.params_len, 0);
    free(m);
}
