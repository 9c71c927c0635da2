/* test_ash.c - the ASH codec against the constructed frames of ezsp-ash.md §1.2/§1.3/§1.5
 * (cross-checked there against herdsman's captures), the decoder's resynchronisation
 * (CANCEL, SUBSTITUTE, XON/XOFF, bad CRC) and the NCP link state machine of §1.6/§1.7:
 * RST/RSTACK, piggybacked acks, duplicates, out-of-order frames, NAK/Reject, retransmission,
 * ACK timeouts and the FAILED state. */
#include "ash.h"
#include "hex.h"

#include <criterion/criterion.h>
#include <string.h>

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    char compact[1024];
    size_t k = 0;
    for (; *s; s++)
        if (*s != ' ') compact[k++] = *s;
    compact[k] = 0;
    cr_assert(k % 2 == 0 && k / 2 <= cap);
    cr_assert(hex_decode(compact, out, k / 2) == 0, "bad hex %s", compact);
    return k / 2;
}

static void assert_bytes(const uint8_t *got, size_t n, const char *want_hex)
{
    uint8_t want[512];
    size_t wn = unhex(want_hex, want, sizeof(want));
    char gh[1100];
    hex_encode(got, n, gh);
    cr_assert(n == wn && memcmp(got, want, n) == 0, "got %s, want %s", gh, want_hex);
}

Test(ash, crc_check_value)
{
    uint8_t c = 0xC0;
    cr_assert_eq(ash_crc(&c, 1), 0x38BC);
}

Test(ash, randomisation_sequence)
{
    uint8_t z[16] = {0};
    ash_randomize(z, 16);
    assert_bytes(z, 16, "42 21 A8 54 2A 15 B2 59 94 4A 25 AA 55 92 49 9C");
    ash_randomize(z, 16);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(z[i], 0);
}

Test(ash, fixed_frames)
{
    uint8_t out[64];
    assert_bytes(out, ash_encode_rst(out, sizeof(out)), "1A C0 38 BC 7E");
    assert_bytes(out, ash_encode_rstack(0x0B, out, sizeof(out)), "1A C1 02 0B 0A 52 7E");
    uint8_t b[3] = {0xC1, 0x02, 0x02};
    assert_bytes(out, ash_encode_body(b, 3, false, out, sizeof(out)), "C1 02 02 9B 7B 7E");
    assert_bytes(out, ash_encode_error(0x51, out, sizeof(out)), "C2 02 51 A8 BD 7E");
}

Test(ash, ack_and_nak_frames)
{
    static const char *acks[8] = {"80 70 78 7E", "81 60 59 7E", "82 50 3A 7E", "83 40 1B 7E",
                                  "84 30 FC 7E", "85 20 DD 7E", "86 10 BE 7E", "87 00 9F 7E"};
    static const char *naks[8] = {"A0 54 7D 3A 7E", "A1 44 3B 7E", "A2 74 58 7E", "A3 64 79 7E",
                                  "A4 14 9E 7E",    "A5 04 BF 7E", "A6 34 DC 7E", "A7 24 FD 7E"};
    uint8_t out[16];
    for (uint8_t i = 0; i < 8; i++) {
        assert_bytes(out, ash_encode_ack(i, false, out, sizeof(out)), acks[i]);
        assert_bytes(out, ash_encode_nak(i, false, out, sizeof(out)), naks[i]);
    }
}

/* §1.5: (frmNum, ackNum, EZSP bytes, wire bytes) */
static const struct {
    uint8_t frm, ack;
    const char *ezsp, *wire;
} DATA_VECTORS[] = {
    {0, 0, "00 00 00 0D", "00 42 21 A8 59 7C 05 7E"},
    {0, 1, "00 80 00 0D 02 10 74", "01 42 A1 A8 59 28 05 C6 A8 77 7E"},
    {0, 0, "00 00 00 04", "00 42 21 A8 50 ED 2C 7E"},
    {0, 1, "00 80 00 0E 02 10 80", "01 42 A1 A8 5A 28 05 32 9C 30 7E"},
    {1, 1, "01 00 01 00 00 0E", "7D 31 43 21 A9 54 2A 1B A9 B9 7E"},
    {1, 2, "01 80 01 00 00 0E 02 10 80", "12 43 A1 A9 54 2A 1B B0 49 14 D0 C8 7E"},
    {2, 3, "10 80 01 17 00 17 00 00 00", "23 52 A1 A9 43 2A 02 B2 59 94 6C 45 7E"},
    {3, 3, "10 90 01 19 00 15 00 00 00", "33 52 B1 A9 4D 2A 00 B2 59 94 A8 AC 7E"},
    {3, 3, "10 90 01 19 00 90", "33 52 B1 A9 4D 2A 85 61 87 7E"},
};

typedef struct got {
    ash_frame f[16];
    size_t n;
} got;

static void collect(void *ctx, const ash_frame *f)
{
    got *g = ctx;
    cr_assert(g->n < 16);
    g->f[g->n++] = *f;
}

Test(ash, data_frames_round_trip)
{
    for (size_t i = 0; i < sizeof(DATA_VECTORS) / sizeof(DATA_VECTORS[0]); i++) {
        uint8_t ezsp[64], out[128];
        size_t n = unhex(DATA_VECTORS[i].ezsp, ezsp, sizeof(ezsp));
        size_t w = ash_encode_data(DATA_VECTORS[i].frm, DATA_VECTORS[i].ack, false, ezsp, n, out,
                                   sizeof(out));
        assert_bytes(out, w, DATA_VECTORS[i].wire);
        ash_decoder d;
        got g = {.n = 0};
        ash_decoder_init(&d);
        ash_decoder_feed(&d, out, w, collect, &g);
        cr_assert_eq(g.n, 1);
        cr_assert_eq(g.f[0].status, ASH_RX_OK);
        cr_assert_eq(ash_frm_num(g.f[0].control), DATA_VECTORS[i].frm);
        cr_assert_eq(ash_ack_num(g.f[0].control), DATA_VECTORS[i].ack);
        assert_bytes(g.f[0].data, g.f[0].len, DATA_VECTORS[i].ezsp);
    }
}

Test(ash, encoder_never_emits_raw_flow_control)
{
    /* every byte value in the data, every frame/ack number: no raw 11/13/18/1A/7D inside */
    uint8_t ezsp[ASH_MAX_DATA], out[ASH_MAX_WIRE];
    for (int v = 0; v < 256; v++) {
        memset(ezsp, v, sizeof(ezsp));
        for (uint8_t f = 0; f < 8; f++) {
            size_t w =
                ash_encode_data(f, (uint8_t)(7 - f), true, ezsp, sizeof(ezsp), out, sizeof(out));
            cr_assert(w > 0);
            for (size_t i = 0; i + 1 < w; i++) {
                cr_assert(out[i] != 0x11 && out[i] != 0x13 && out[i] != 0x18 && out[i] != 0x1A &&
                          out[i] != 0x7E);
                if (out[i] == 0x7D) {
                    uint8_t u = out[i + 1] ^ 0x20;
                    cr_assert(u == 0x7E || u == 0x7D || u == 0x11 || u == 0x13 || u == 0x18 ||
                              u == 0x1A);
                    i++;
                }
            }
            cr_assert_eq(out[w - 1], 0x7E);
        }
    }
}

Test(ash, decoder_resynchronises)
{
    uint8_t in[128];
    size_t n = unhex("11 13 55 66 1A C0 38 BC 7E"  /* XON/XOFF ignored, CANCEL drops 55 66 */
                     " 7E 7E"                      /* empty frames ignored */
                     " 00 42 18 21 A8 59 7C 05 7E" /* SUBSTITUTE: dropped up to FLAG */
                     " 81 60 58 7E"                /* bad CRC reported */
                     " 00 42 21 A8 59 7C 05 7E",
                     in, sizeof(in));
    ash_decoder d;
    got g = {.n = 0};
    ash_decoder_init(&d);
    for (size_t i = 0; i < n; i++) /* byte by byte: splits anywhere */
        ash_decoder_feed(&d, in + i, 1, collect, &g);
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.f[0].status, ASH_RX_OK);
    cr_assert_eq(g.f[0].control, 0xC0);
    cr_assert_eq(g.f[1].status, ASH_RX_BAD_CRC);
    cr_assert_eq(g.f[2].status, ASH_RX_OK);
    assert_bytes(g.f[2].data, g.f[2].len, "00 00 00 0D");
}

Test(ash, decoder_rejects_wrong_lengths)
{
    /* an ACK control byte with a data byte: valid CRC, wrong length for the type */
    uint8_t body[2] = {0x81, 0x00}, out[16];
    size_t w = ash_encode_body(body, 2, false, out, sizeof(out));
    ash_decoder d;
    got g = {.n = 0};
    ash_decoder_init(&d);
    ash_decoder_feed(&d, out, w, collect, &g);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.f[0].status, ASH_RX_BAD_TYPE);
    /* too long: 300 bytes between flags */
    uint8_t big[301];
    memset(big, 0x55, 300);
    big[300] = 0x7E;
    g.n = 0;
    ash_decoder_feed(&d, big, sizeof(big), collect, &g);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.f[0].status, ASH_RX_TOO_LONG);
}

/* ---------------------------------------------------------------- link state machine */

typedef struct sim {
    ash_link link;
    uint64_t now;
    uint8_t wire[4096];
    size_t wire_len;
    int resets;
    int frames;
    uint8_t last[ASH_MAX_DATA];
    size_t last_len;
    bool echo; /* answer each command with a 4-byte response */
} sim;

static void s_write(void *ctx, const uint8_t *p, size_t n)
{
    sim *s = ctx;
    cr_assert(s->wire_len + n <= sizeof(s->wire));
    memcpy(s->wire + s->wire_len, p, n);
    s->wire_len += n;
}

static void s_frame(void *ctx, const uint8_t *p, size_t n)
{
    sim *s = ctx;
    s->frames++;
    memcpy(s->last, p, n);
    s->last_len = n;
    if (s->echo) {
        uint8_t rsp[5] = {p[0], 0x80, 0x01, 0xAA, (uint8_t)s->frames};
        ash_link_send(&s->link, rsp, sizeof(rsp), false);
    }
}

static void s_reset(void *ctx)
{
    ((sim *)ctx)->resets++;
}

static uint64_t s_now(void *ctx)
{
    return ((sim *)ctx)->now;
}

static void sim_init(sim *s)
{
    memset(s, 0, sizeof(*s));
    s->now = 1000;
    ash_link_ops ops = {s_write, s_frame, s_reset, s_now};
    ash_link_init(&s->link, &ops, s);
}

/* Decodes everything the NCP wrote since the last call. */
static size_t sim_take(sim *s, got *g)
{
    ash_decoder d;
    ash_decoder_init(&d);
    g->n = 0;
    ash_decoder_feed(&d, s->wire, s->wire_len, collect, g);
    s->wire_len = 0;
    return g->n;
}

static void host_data(sim *s, uint8_t frm, uint8_t ack, bool retx, const char *ezsp_hex)
{
    uint8_t ezsp[64], out[128];
    size_t n = unhex(ezsp_hex, ezsp, sizeof(ezsp));
    size_t w = ash_encode_data(frm, ack, retx, ezsp, n, out, sizeof(out));
    ash_link_feed(&s->link, out, w);
}

static void host_raw(sim *s, const char *hexs)
{
    uint8_t b[64];
    size_t n = unhex(hexs, b, sizeof(b));
    ash_link_feed(&s->link, b, n);
}

static void connect(sim *s)
{
    got g;
    host_raw(s, "1A C0 38 BC 7E");
    cr_assert_eq(sim_take(s, &g), 1);
    cr_assert_eq(g.f[0].control, ASH_CTRL_RSTACK);
    host_raw(s, "80 70 78 7E"); /* herdsman's ACK(0) after RSTACK */
    cr_assert_eq(sim_take(s, &g), 0);
}

Test(ash_link, rst_gets_rstack_software_and_nothing_before)
{
    sim s;
    sim_init(&s);
    host_data(&s, 0, 0, false, "00 00 00 0D"); /* before RST: ignored */
    cr_assert_eq(s.wire_len, 0);
    host_raw(&s, "1A C0 38 BC 7E");
    cr_assert_eq(s.resets, 1);
    assert_bytes(s.wire, s.wire_len, "1A C1 02 0B 0A 52 7E");
}

Test(ash_link, response_piggybacks_the_ack)
{
    sim s;
    got g;
    sim_init(&s);
    s.echo = true;
    connect(&s);
    host_data(&s, 0, 0, false, "00 00 00 0D");
    cr_assert_eq(sim_take(&s, &g), 1, "one DATA frame, no separate ACK");
    cr_assert_eq(g.f[0].control, 0x01); /* frm 0, ack 1 */
    cr_assert_eq(s.frames, 1);
}

Test(ash_link, command_without_reply_gets_ack)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    host_data(&s, 0, 0, false, "00 00 00 0D");
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, 0x81); /* ACK(1) */
}

Test(ash_link, duplicate_is_acked_not_executed)
{
    sim s;
    got g;
    sim_init(&s);
    s.echo = true;
    connect(&s);
    host_data(&s, 0, 0, false, "05 00 01 AA 00");
    sim_take(&s, &g);
    host_data(&s, 0, 1, true, "05 00 01 AA 00"); /* host lost our answer's ack: reTx */
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, 0x81, "ACK(1)");
    cr_assert_eq(s.frames, 1, "executed once");
    cr_assert_eq(s.link.n_dup, 1);
}

Test(ash_link, out_of_sequence_naks_once_then_recovers)
{
    sim s;
    got g;
    sim_init(&s);
    s.echo = true;
    connect(&s);
    host_data(&s, 1, 0, false, "05 00 01 AA 00"); /* frame 0 was lost */
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, 0xA0, "NAK(0)");
    host_data(&s, 2, 0, false, "06 00 01 AA 00"); /* Reject: no second NAK */
    cr_assert_eq(sim_take(&s, &g), 0);
    cr_assert_eq(s.frames, 0);
    host_data(&s, 0, 0, true, "04 00 01 AA 00"); /* host retransmits */
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, 0x01);
    cr_assert_eq(s.frames, 1);
    cr_assert(!s.link.reject);
}

Test(ash_link, bad_crc_is_naked_once)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    host_raw(&s, "00 42 21 A8 59 7C 06 7E"); /* DATA with a wrong CRC */
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, 0xA0);
    host_raw(&s, "00 42 21 A8 59 7C 06 7E");
    cr_assert_eq(sim_take(&s, &g), 0, "Reject condition: silent");
    host_raw(&s, "81 60 58 7E"); /* corrupt ACK: dropped, no NAK */
    cr_assert_eq(sim_take(&s, &g), 0);
}

Test(ash_link, nak_retransmits_with_retx)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    uint8_t cb[5] = {0x00, 0x90, 0x01, 0x19, 0x00};
    ash_link_send(&s.link, cb, 5, true);
    ash_link_send(&s.link, cb, 5, true);
    cr_assert_eq(sim_take(&s, &g), 2);
    cr_assert_eq(g.f[0].control, 0x00);
    cr_assert_eq(g.f[1].control, 0x10);
    host_raw(&s, "A0 54 7D 3A 7E"); /* NAK(0) */
    cr_assert_eq(sim_take(&s, &g), 2);
    cr_assert_eq(g.f[0].control, 0x08, "frame 0 again, reTx");
    cr_assert_eq(g.f[1].control, 0x18);
    host_raw(&s, "82 50 3A 7E"); /* ACK(2): all released */
    cr_assert_eq(ash_link_deadline(&s.link), 0);
}

Test(ash_link, ack_timeouts_retransmit_then_fail)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    uint8_t cb[5] = {0x00, 0x90, 0x01, 0x19, 0x00};
    ash_link_send(&s.link, cb, 5, true);
    sim_take(&s, &g);
    uint64_t d = ash_link_deadline(&s.link);
    cr_assert_eq(d, s.now + ASH_T_RX_ACK_INIT);
    for (int i = 1; i < ASH_ACK_TIMEOUTS; i++) {
        s.now = ash_link_deadline(&s.link);
        ash_link_tick(&s.link);
        cr_assert_eq(sim_take(&s, &g), 1);
        cr_assert_eq(g.f[0].control, 0x08, "retransmission %d", i);
    }
    s.now = ash_link_deadline(&s.link);
    ash_link_tick(&s.link);
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, ASH_CTRL_ERROR);
    cr_assert_eq(g.f[0].data[1], ASH_ERROR_ACK_TIMEOUT);
    host_data(&s, 0, 0, false, "00 00 00 0D"); /* FAILED: answered with ERROR */
    cr_assert_eq(sim_take(&s, &g), 1);
    cr_assert_eq(g.f[0].control, ASH_CTRL_ERROR);
    connect(&s); /* RST leaves FAILED */
    cr_assert(!s.link.failed);
}

Test(ash_link, window_limits_frames_in_flight)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    uint8_t cb[5] = {0x00, 0x90, 0x01, 0x19, 0x00};
    for (int i = 0; i < 7; i++)
        ash_link_send(&s.link, cb, 5, true);
    cr_assert_eq(sim_take(&s, &g), ASH_TX_K);
    host_raw(&s, "82 50 3A 7E"); /* ACK(2) frees two slots */
    cr_assert_eq(sim_take(&s, &g), 2);
    cr_assert_eq(ash_frm_num(g.f[0].control), 5);
    cr_assert_eq(ash_frm_num(g.f[1].control), 6);
}

Test(ash_link, ack_outside_window_is_ignored)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    uint8_t cb[5] = {0x00, 0x90, 0x01, 0x19, 0x00};
    ash_link_send(&s.link, cb, 5, true);
    sim_take(&s, &g);
    host_raw(&s, "85 20 DD 7E"); /* ACK(5): we only sent frame 0 */
    cr_assert_eq(s.link.ack_rx, 0);
    cr_assert_neq(ash_link_deadline(&s.link), 0);
}

Test(ash_link, host_not_ready_holds_callbacks_only_for_a_while)
{
    sim s;
    got g;
    sim_init(&s);
    connect(&s);
    host_raw(&s, "88 F1 70 7E"); /* ACK(0) with nRdy set (CRC from binascii.crc_hqx) */
    cr_assert_eq(s.wire_len, 0);
    uint8_t cb[5] = {0x00, 0x90, 0x01, 0x19, 0x00};
    ash_link_send(&s.link, cb, 5, true);
    cr_assert_eq(sim_take(&s, &g), 0, "callback held while the host is not ready");
    cr_assert_eq(ash_link_deadline(&s.link), s.now + ASH_T_REMOTE_NOTRDY);
    s.now += ASH_T_REMOTE_NOTRDY;
    ash_link_tick(&s.link);
    cr_assert_eq(sim_take(&s, &g), 1, "sent after T_REMOTE_NOTRDY");
    cr_assert_eq(g.f[0].control, 0x00);
}
