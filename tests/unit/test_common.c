/* test_common.c - the small shared helpers of common/ (clock, byte helpers, growable buffers)
 * that replaced per-file copies: each copy's meaning has to survive the move, so the edge cases
 * the call sites rely on are pinned here. */
#include "clock.h"

#include <criterion/criterion.h>
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
