/* test_emu_timers.c - the emulator loop's timers: a callback that re-arms itself with 0 ms
 * must wait for the next loop pass (as in Redis ae.c), so other timers and the port still get
 * their turn; before the fix such a timer spun inside one pass forever. */
#include "emu.h"

#include <criterion/criterion.h>
#include <string.h>

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
