/* clock.h - the one monotonic clock: every timeout, deadline, pacing step and measurement in
 * the project reads CLOCK_MONOTONIC through these, never the wall clock (which jumps when NTP
 * or a user sets it).
 *
 * Header-only on purpose: tests/preload/modem_ioctl.c is built without sanitizers and without
 * the project's libraries (it runs under an LD_PRELOAD shim) and still uses the same clock.
 * Values are signed so `deadline - zb_now_ms()` goes negative once a deadline has passed. */
#ifndef ZB_CLOCK_H
#define ZB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds since an arbitrary start; never goes back. */
static inline int64_t zb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Milliseconds (truncated) on the same clock. */
static inline int64_t zb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seconds on the same clock, for measured durations (reports, benchmarks). */
static inline double zb_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
