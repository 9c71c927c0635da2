/* test_incoming.c - the incoming-message events of proto/core/incoming.h: real sticks' bytes decode
 * to the fields their logs mean, and each stack's encoder and decoder agree field by field.
 *
 * Real bytes (vectors/traces, where each source is named):
 * - Z-Stack 3.x.0 AF_INCOMING_MSG from zstack3x0-unknown-herdsman-z2m3364 (an illuminance
 *   report from 0x023e);
 * - EmberZNet EZSP v8 incomingMessageHandler from b-v8-unknown-zhadh2042 (a Xiaomi 0xE000
 *   report from 0x9234; the log's frame has one byte after the message, which is ignored). */
#include "bytes.h"
#include "hex.h"
#include "ezsp_incoming.h"
#include "mt_incoming.h"
#include "zboss_incoming.h"

#include <criterion/criterion.h>
#include <string.h>

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    cr_assert(n <= cap);
    cr_assert_eq(hex_decode(hex, out, n), 0, "bad hex %s", hex);
    return n;
}

Test(incoming, zstack_af_incoming_real_bytes)
{
    uint8_t f[64];
    size_t n = unhex("4481000000043e020201000f00790791000008088d0a000021d67848601b", f, sizeof(f));
    zb_incoming m;
    cr_assert_eq(mt_af_incoming_decode(f + 2, n - 2, &m), 0);
    cr_assert_eq(m.cluster, 0x0400);
    cr_assert_eq(m.nwk, 0x023E);
    cr_assert_eq(m.src_ep, 2);
    cr_assert_eq(m.dst_ep, 1);
    cr_assert_eq(m.lqi, 0x0F);
    cr_assert_eq(m.len, 8);
    cr_assert_eq(m.data[0], 0x08); /* ZCL: profile-wide, server to client */
    cr_assert_eq(m.data[2], 0x0A); /* Report Attributes */
    cr_assert_eq(mt_af_incoming_decode(f + 2, 20, &m), -1, "a cut frame is refused");
}

Test(incoming, ezsp_v8_incoming_real_bytes)
{
    uint8_t f[64];
    size_t n =
        unhex("e29001450000040100e00101000100009fd0d03492ffff0f08ce0a03d04208414141414167414104", f,
              sizeof(f));
    zb_incoming m;
    cr_assert_eq(get_le16(f + 3), 0x0045);
    cr_assert_eq(ezsp_incoming_decode(8, f + 5, n - 5, &m), 0);
    cr_assert_eq(m.profile, 0x0104);
    cr_assert_eq(m.cluster, 0xE000);
    cr_assert_eq(m.nwk, 0x9234);
    cr_assert_eq(m.lqi, 0xD0);
    cr_assert_eq(m.rssi, -48);
    cr_assert_eq(m.len, 15);
    cr_assert_eq(m.ieee, 0, "v8 carries no sender EUI64");
    cr_assert_eq(ezsp_incoming_decode(14, f + 5, n - 5, &m), -1,
                 "read as v14 the same bytes are too short");
}

static const uint8_t ZCL[] = {0x18, 0x07, 0x0A, 0x00, 0x00, 0x29, 0x2C, 0x08};

static zb_incoming sample(void)
{
    return (zb_incoming){.nwk = 0x9697,
                         .ieee = 0x90FD9FFFFE2BBBDDull,
                         .profile = 0x0104,
                         .cluster = 0x0402,
                         .src_ep = 1,
                         .dst_ep = 1,
                         .lqi = 200,
                         .rssi = -65,
                         .seq = 7,
                         .timestamp = 123456,
                         .data = ZCL,
                         .len = sizeof(ZCL)};
}

static void same(const zb_incoming *a, const zb_incoming *b, int has_ieee, int has_profile)
{
    cr_assert_eq(a->nwk, b->nwk);
    cr_assert_eq(a->cluster, b->cluster);
    cr_assert_eq(a->src_ep, b->src_ep);
    cr_assert_eq(a->dst_ep, b->dst_ep);
    cr_assert_eq(a->lqi, b->lqi);
    if (has_ieee) cr_assert_eq(a->ieee, b->ieee);
    if (has_profile) cr_assert_eq(a->profile, b->profile);
    cr_assert_eq(a->len, b->len);
    cr_assert_arr_eq(a->data, b->data, a->len);
}

Test(incoming, each_encoder_and_decoder_agree)
{
    zb_incoming in = sample(), out;
    uint8_t buf[128];
    size_t n = mt_af_incoming_encode(&in, buf, sizeof(buf));
    cr_assert_eq(n, 17 + sizeof(ZCL) + 3);
    cr_assert_eq(mt_af_incoming_decode(buf, n, &out), 0);
    same(&in, &out, 0, 0);
    for (int v = 8; v <= 19; v++) {
        n = ezsp_incoming_encode(v, &in, buf, sizeof(buf));
        cr_assert_eq(n, (v >= 14 ? 31 : 19) + sizeof(ZCL), "v%d", v);
        cr_assert_eq(ezsp_incoming_decode(v, buf, n, &out), 0, "v%d", v);
        same(&in, &out, v >= 14, 1);
        cr_assert_eq(out.rssi, -65);
    }
    n = zboss_apsde_data_ind_encode(&in, buf, sizeof(buf));
    cr_assert_eq(n, 24 + sizeof(ZCL));
    cr_assert_eq(zboss_apsde_data_ind_decode(buf, n, &out), 0);
    same(&in, &out, 0, 1);
    cr_assert_eq(zboss_apsde_data_ind_decode(buf, n - 1, &out), -1, "data cut short");
    /* a later release's longer parameter block (param_len 23): the data is found by param_len */
    uint8_t longer[160];
    memcpy(longer, buf, 24);
    longer[0] = 23;
    longer[24] = 0xAA;
    longer[25] = 0xBB;
    memcpy(longer + 26, buf + 24, n - 24);
    cr_assert_eq(zboss_apsde_data_ind_decode(longer, n + 2, &out), 0);
    same(&in, &out, 0, 1);
    cr_assert(memcmp(out.data, ZCL, sizeof(ZCL)) == 0, "the data after the longer block");
    cr_assert_eq(mt_af_incoming_encode(&in, buf, 10), 0, "too small a buffer writes nothing");
}
