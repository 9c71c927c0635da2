/* test_tap.c - zbharness tap's recorder and sanitiser (harness/trace/tap.h, tap_sanitise.h): values
 * found by a rule are replaced consistently, in either byte order and in frames no rule knows;
 * public and empty values are kept; ASH retransmissions are recorded once; the trace loads. */
#include "ash.h"
#include "hex.h"
#include "tap.h"
#include "tap_sanitise.h"
#include "trace.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t KEY[16] = {0x5a, 0x6b, 0x7c, 0x8d, 0x9e, 0xaf, 0x00, 0x11,
                                0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};

/* EZSP v13 setInitialSecurityState: bitmask, preconfigured key, network key, seq, TC EUI */
static size_t set_security(uint8_t *f, const uint8_t ieee[8])
{
    static const uint8_t hdr[5] = {0x01, 0x00, 0x01, 0x68, 0x00};
    memcpy(f, hdr, 5);
    f[5] = 0x0c, f[6] = 0x03;
    memcpy(f + 7, "ZigBeeAlliance09", 16);
    memcpy(f + 23, KEY, 16);
    f[39] = 0;
    memcpy(f + 40, ieee, 8);
    return 48;
}

Test(tap_sanitise, rule_then_last_resort_both_orders)
{
    static const uint8_t ieee[8] = {1, 2, 3, 4, 5, 0x4b, 0x12, 0x00};
    uint8_t req[64], other[40] = {0x02, 0x80, 0x01, 0x99, 0x00}, rev[16];
    size_t n = set_security(req, ieee);
    for (int i = 0; i < 16; i++)
        rev[i] = KEY[15 - i];
    memcpy(other + 5, rev, 16); /* a frame no rule knows, the key reversed */
    memcpy(other + 21, ieee, 8);
    zbh_sanitiser s;
    zbh_san_init(&s, ZBT_EZSP);
    uint8_t *fr[1] = {other};
    size_t fn[1] = {29};
    zbh_san_exchange(&s, req, n, fr, fn, 1, 0);
    zbh_san_exchange(&s, req, n, fr, fn, 1, 1);
    cr_assert(memcmp(req + 23, KEY, 16) != 0, "the network key is replaced");
    cr_assert(memcmp(req + 7, "ZigBeeAlliance09", 16) == 0, "the public key is kept");
    for (int i = 0; i < 16; i++)
        cr_assert_eq(other[5 + i], req[23 + 15 - i], "the reversed key: the reversed replacement");
    cr_assert(memcmp(req + 40, ieee, 8) != 0 && memcmp(req + 45, ieee + 5, 3) == 0,
              "the IEEE is replaced, its OUI kept");
    cr_assert(memcmp(other + 21, req + 40, 8) == 0, "the same IEEE, the same replacement");
    cr_assert_eq(s.n, 2);
    zbh_san_free(&s);
}

Test(tap_sanitise, empty_values_kept)
{
    zbh_sanitiser s;
    zbh_san_init(&s, ZBT_ZNP);
    static const uint8_t ff[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    cr_assert_eq(zbh_san_note(&s, ZBH_SK_KEY, ff), 0);
    cr_assert_eq(zbh_san_note(&s, ZBH_SK_PAN, ff), 0);
    cr_assert_eq(s.n, 0, "all-FF and PAN 0xFFFF are 'none', not values");
    zbh_san_free(&s);
}

/* Z-Stack: a NV write of NWKKEY (0x0082) through SYS_OSAL_NV_WRITE_EXT */
Test(tap_sanitise, znp_nv_write)
{
    uint8_t f[32] = {0x21, 0x1d, 0x82, 0x00, 0x00, 0x00, 21, 0x00, 0x00};
    memcpy(f + 9, KEY, 16);
    zbh_sanitiser s;
    zbh_san_init(&s, ZBT_ZNP);
    zbh_san_exchange(&s, f, 30, NULL, NULL, 0, 0);
    zbh_san_exchange(&s, f, 30, NULL, NULL, 0, 1);
    cr_assert_eq(s.n, 1);
    cr_assert(memcmp(f + 9, KEY, 16) != 0);
    zbh_san_free(&s);
}

Test(tap, ash_retransmission_once_and_trace_loads)
{
    zbh_tap *t = zbh_tap_new(ZBT_EZSP, "/dev/test", 0);
    cr_assert_not_null(t);
    uint8_t w[ASH_MAX_WIRE], ver[4] = {0x00, 0x00, 0x00, 13};
    size_t n = ash_encode_data(0, 0, false, ver, 4, w, sizeof(w));
    zbh_tap_feed(t, ZBH_TAP_HOST, w, n, 1);
    n = ash_encode_data(0, 0, true, ver, 4, w, sizeof(w)); /* the host resends it */
    zbh_tap_feed(t, ZBH_TAP_HOST, w, n, 2);
    uint8_t rsp[7] = {0x00, 0x80, 0x00, 13, 2, 0x30, 0x74};
    n = ash_encode_data(0, 1, false, rsp, 7, w, sizeof(w));
    zbh_tap_feed(t, ZBH_TAP_STICK, w, n, 3);
    cr_assert_eq(zbh_tap_frames(t), 2);
    char *text = zbh_tap_json(t, false);
    cr_assert_not_null(text);
    char path[] = "/tmp/test_tap_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    char err[512];
    zbt_trace *tr = zbt_load(path, err, sizeof(err));
    unlink(path);
    cr_assert_not_null(tr, "%s", err);
    cr_assert_eq(tr->ezsp, 13);
    cr_assert_str_eq(tr->fw_arg, "7.4.3.0");
    cr_assert_eq(tr->n_ex, 1);
    cr_assert_eq(tr->ex[0].rsp.n, 1);
    zbt_free(tr);
    free(text);
    zbh_tap_free(t);
}
