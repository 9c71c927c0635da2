/* test_common.c - the small shared helpers of common/ (clock, byte helpers, growable buffers)
 * that replaced per-file copies: each copy's meaning has to survive the move, so the edge cases
 * the call sites rely on are pinned here. */
#include "bytes.h"
#include "clock.h"
#include "strbuf.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- clock.h ---- */

Test(clock, the_three_units_agree_and_never_go_back)
{
    int64_t ns0 = zb_now_ns(), ms0 = zb_now_ms();
    double s0 = zb_now_s();
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    int64_t ns1 = zb_now_ns(), ms1 = zb_now_ms();
    double s1 = zb_now_s();
    cr_expect_geq(ns1 - ns0, 20 * 1000 * 1000);
    cr_expect_geq(ms1 - ms0, 19); /* truncated to ms at both ends */
    cr_expect_geq(s1 - s0, 0.019);
    /* one clock, three scales: within 100 ms of each other */
    cr_expect_lt(ms1 - ns1 / 1000000, 100);
    cr_expect_gt(ms1 - ns1 / 1000000, -100);
    cr_expect_lt(s1 * 1000 - (double)ms1, 100.0);
    cr_expect_gt(s1 * 1000 - (double)ms1, -100.0);
}

Test(clock, a_passed_deadline_is_negative)
{
    /* the hosts write `long long left = deadline - zb_now_ms()`: signed on purpose */
    long long deadline = zb_now_ms() - 5;
    long long left = deadline - zb_now_ms();
    cr_expect_lt(left, 0);
}

/* ---- bytes.h: 8-byte addresses ---- */

Test(bytes, ieee_reverse_copies_and_works_in_place)
{
    const uint8_t be[8] = {0x00, 0x12, 0x4B, 0x00, 0x01, 0x02, 0x03, 0x04};
    const uint8_t le[8] = {0x04, 0x03, 0x02, 0x01, 0x00, 0x4B, 0x12, 0x00};
    uint8_t out[8];
    zb_ieee_reverse(out, be);
    cr_expect_arr_eq(out, le, 8);
    zb_ieee_reverse(out, out); /* dst == src: the emulators reverse NV bytes in place */
    cr_expect_arr_eq(out, be, 8);
    uint8_t pal[8] = {1, 2, 3, 4, 4, 3, 2, 1};
    zb_ieee_reverse(pal, pal);
    cr_expect_arr_eq(pal, ((uint8_t[8]){1, 2, 3, 4, 4, 3, 2, 1}), 8);
}

Test(bytes, all_bytes_is_exact)
{
    uint8_t p[16];
    memset(p, 0xFF, sizeof(p));
    cr_expect(zb_all_bytes(p, 16, 0xFF));
    cr_expect_not(zb_all_bytes(p, 16, 0x00));
    p[15] = 0xFE; /* the last byte counts */
    cr_expect_not(zb_all_bytes(p, 16, 0xFF));
    cr_expect(zb_all_bytes(p, 15, 0xFF));
    cr_expect(zb_all_bytes(p, 0, 0x42)); /* nothing to differ */
}

Test(bytes, ieee_blank_is_all_zero_or_all_ff_only)
{
    uint8_t z[8] = {0}, f[8], a[8] = {0, 0, 0, 0, 0, 0, 0, 1}, m[8];
    memset(f, 0xFF, 8);
    memcpy(m, f, 8);
    m[0] = 0x00; /* half erased: a real address */
    cr_expect(zb_ieee_blank(z));
    cr_expect(zb_ieee_blank(f));
    cr_expect_not(zb_ieee_blank(a));
    cr_expect_not(zb_ieee_blank(m));
}

/* ---- strbuf.h: growing buffers ---- */

Test(grow, starts_at_first_doubles_and_keeps_contents)
{
    size_t cap = 0;
    int *a = zb_grow(NULL, &cap, 1, sizeof(int), 8);
    cr_assert_not_null(a);
    cr_expect_eq(cap, 8);
    for (int i = 0; i < 8; i++)
        a[i] = i;
    cr_expect_eq(zb_grow(a, &cap, 8, sizeof(int), 8), a); /* fits: same block, same cap */
    cr_expect_eq(cap, 8);
    int *b = zb_grow(a, &cap, 9, sizeof(int), 8);
    cr_assert_not_null(b);
    cr_expect_eq(cap, 16);
    int *c = zb_grow(b, &cap, 100, sizeof(int), 8); /* doubles as often as needed */
    cr_assert_not_null(c);
    cr_expect_eq(cap, 128);
    for (int i = 0; i < 8; i++)
        cr_expect_eq(c[i], i);
    free(c);
}

Test(grow, empty_need_still_allocates)
{
    size_t cap = 0;
    void *p = zb_grow(NULL, &cap, 0, 1, 4096); /* NULL means failure, never "nothing yet" */
    cr_assert_not_null(p);
    cr_expect_eq(cap, 4096);
    free(p);
}

Test(grow, overflow_fails_and_changes_nothing)
{
    size_t cap = 4;
    uint8_t *p = zb_grow(NULL, &cap, 4, 1, 4);
    cr_assert_not_null(p);
    p[3] = 0x5A;
    cr_expect_null(zb_grow(p, &cap, SIZE_MAX, 1, 4));      /* doubling cannot reach it */
    cr_expect_null(zb_grow(p, &cap, SIZE_MAX / 4, 16, 4)); /* elements * size overflows */
    cr_expect_eq(cap, 4);
    cr_expect_eq(p[3], 0x5A); /* the caller still owns the old block */
    free(p);
}

Test(strbuf, add_takes_any_bytes_and_keeps_a_nul_after_them)
{
    zb_sb b = {0};
    const uint8_t bytes[] = {0x00, 0xFE, 0x00, 0x41};
    cr_expect_eq(zb_sb_add(&b, bytes, sizeof(bytes)), 0);
    zb_sb_printf(&b, "%d-%s", 7, "x");
    cr_expect_eq(b.len, 7);
    cr_expect_arr_eq(b.buf, ((char[]){0x00, (char)0xFE, 0x00, 0x41, '7', '-', 'x', 0}), 8);
    zb_sb_free(&b);
    cr_expect_null(b.buf);
    cr_expect_eq(b.len, 0);
}

Test(strbuf, a_failure_is_sticky)
{
    zb_sb b = {0};
    zb_sb_put(&b, "kept");
    b.failed = 1; /* as after a failed allocation */
    cr_expect_eq(zb_sb_add(&b, "lost", 4), -1);
    zb_sb_put(&b, "lost");
    zb_sb_printf(&b, "%s", "lost");
    cr_expect_eq(b.len, 4);
    cr_expect_str_eq(b.buf, "kept");
    zb_sb_free(&b);
}
