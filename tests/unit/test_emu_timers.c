/* test_emu_timers.c - the emulator loop's timers: a callback that re-arms itself with 0 ms
 * must wait for the next loop pass (as in Redis ae.c), so other timers and the port still get
 * their turn; before the fix such a timer spun inside one pass forever. Due timers fire earliest
 * first, and --time-scale shrinks the firmware's delays but never a wait on the host. */
#include "emu.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

typedef struct {
    int rearms;
    int same_pass; /* fires that came in the pass of the previous fire */
    unsigned last_pass;
    int stopped_after; /* rearms seen when the stop timer fired */
} timer_state;

static timer_state g_ts;

static void *stub_create(emu *e, const emu_options *o, char *err, size_t errlen)
{
    (void)e, (void)o, (void)err, (void)errlen;
    return &g_ts;
}
static void stub_destroy(void *fe)
{
    (void)fe;
}
static void stub_void(void *fe)
{
    (void)fe;
}
static void stub_bytes(void *fe, const uint8_t *p, size_t n)
{
    (void)fe, (void)p, (void)n;
}

static const emu_frontend stub_frontend = {
    "stub", "timer test", stub_create, stub_destroy, stub_void, stub_void, stub_bytes, NULL,
};

static void stop_timer(emu *e, void *arg)
{
    timer_state *ts = arg;
    ts->stopped_after = ts->rearms;
    emu_stop(e);
}

static void rearm_timer(emu *e, void *arg)
{
    timer_state *ts = arg;
    if (ts->rearms && emu_timer_pass(e) == ts->last_pass) ts->same_pass++;
    ts->last_pass = emu_timer_pass(e);
    ts->rearms++;
    if (ts->rearms < 1000000) emu_timer_add(e, 0, rearm_timer, arg);
}

Test(emu_timers, zero_ms_rearm_waits_for_next_pass, .timeout = 10)
{
    memset(&g_ts, 0, sizeof(g_ts));
    emu_options o = {0};
    char err[256];
    emu *e = emu_create(&stub_frontend, &o, err, sizeof(err));
    cr_assert_not_null(e, "emu_create: %s", err);
    cr_assert(emu_timer_add(e, 20, stop_timer, &g_ts));
    cr_assert(emu_timer_add(e, 0, rearm_timer, &g_ts));
    cr_assert_eq(emu_run(e), 0);
    /* the stop timer fired while the re-arming one was still going: it never monopolised a pass */
    cr_assert_gt(g_ts.stopped_after, 1);
    cr_assert_eq(g_ts.same_pass, 0, "a 0 ms re-arm fired again in its own pass %d times",
                 g_ts.same_pass);
    cr_assert_lt(g_ts.stopped_after, 1000000, "a 0 ms re-arm ran %d times in one pass",
                 g_ts.stopped_after);
    emu_destroy(e);
}

/* ---- order and --time-scale ---- */

typedef struct {
    emu *e;
    char order[16];
    size_t n;
    int64_t fired_ns[8];
    int64_t start_ns;
} order_state;

static order_state g_os;

static void mark(emu *e, void *arg)
{
    char c = (char)(uintptr_t)arg;
    g_os.fired_ns[g_os.n] = zb_now_ns() - g_os.start_ns;
    g_os.order[g_os.n++] = c;
    if (c == 'Z') emu_stop(e);
}

static emu *timer_emu(double scale)
{
    memset(&g_os, 0, sizeof(g_os));
    emu_options o = {.time_scale = scale};
    char err[256];
    emu *e = emu_create(&stub_frontend, &o, err, sizeof(err));
    cr_assert_not_null(e, "emu_create: %s", err);
    g_os.start_ns = zb_now_ns();
    return e;
}

/* Due timers fire earliest first whatever their place in the array, ties in the order added:
 * a scaled run keeps the firmware's own sequence of events. */
Test(emu_timers, due_timers_fire_earliest_first, .timeout = 10)
{
    emu *e = timer_emu(0);
    cr_assert(emu_timer_add(e, 30, mark, (void *)(uintptr_t)'c'));
    cr_assert(emu_timer_add(e, 10, mark, (void *)(uintptr_t)'a'));
    cr_assert(emu_timer_add(e, 20, mark, (void *)(uintptr_t)'b'));
    cr_assert(emu_timer_add(e, 20, mark, (void *)(uintptr_t)'B'));
    cr_assert(emu_timer_add(e, 40, mark, (void *)(uintptr_t)'Z'));
    /* all of them are overdue before the loop first looks */
    struct timespec ts = {0, 60 * 1000 * 1000};
    nanosleep(&ts, NULL);
    cr_assert_eq(emu_run(e), 0);
    cr_assert_str_eq(g_os.order, "abBcZ");
    emu_destroy(e);
}

/* --time-scale 0.01: a firmware delay of 2 s fires within a fraction of it; a wait on the host
 * (emu_timer_add_host) keeps its real length. */
Test(emu_timers, time_scale_shrinks_firmware_delays_not_host_waits, .timeout = 10)
{
    emu *e = timer_emu(0.01);
    cr_assert(emu_time_scale(e) == 0.01);
    cr_assert(emu_timer_add(e, 2000, mark, (void *)(uintptr_t)'f'));     /* 20 ms */
    cr_assert(emu_timer_add_host(e, 150, mark, (void *)(uintptr_t)'h')); /* 150 ms */
    cr_assert(emu_timer_add(e, 30000, mark, (void *)(uintptr_t)'Z'));    /* 300 ms */
    cr_assert_eq(emu_run(e), 0);
    cr_assert_str_eq(g_os.order, "fhZ");
    cr_assert_geq(g_os.fired_ns[0], 20000000);
    cr_assert_lt(g_os.fired_ns[0], 150000000, "a 2 s delay at 0.01 took %lld ns",
                 (long long)g_os.fired_ns[0]);
    cr_assert_geq(g_os.fired_ns[1], 150000000, "a 150 ms host wait fired after %lld ns",
                  (long long)g_os.fired_ns[1]);
    cr_assert_geq(g_os.fired_ns[2], 300000000);
    emu_destroy(e);
}

/* Without the option (0) and with 1, time is real. */
Test(emu_timers, no_scale_is_real_time, .timeout = 10)
{
    for (int i = 0; i < 2; i++) {
        emu *e = timer_emu(i ? 1.0 : 0);
        cr_assert(emu_time_scale(e) == 1.0);
        cr_assert(emu_timer_add(e, 100, mark, (void *)(uintptr_t)'Z'));
        cr_assert_eq(emu_run(e), 0);
        cr_assert_geq(g_os.fired_ns[0], 100000000);
        emu_destroy(e);
    }
}
