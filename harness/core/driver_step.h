/* driver_step.h - the one step macro of the three drivers (driver_znp.c, driver_ezsp.c,
 * driver_zboss.c). A restore or erase is a list of steps, each a call that returns 0 or a
 * nonzero result; the first failure ends it with "<what>: <why>" in the caller's err and -1.
 *
 * The macro's name says it returns. The "why" comes from the driver's describer, which tells
 * the two kinds of failure apart by the host layer's named codes, never by a numeric range: a
 * transport error (mt_host_is_error, ezsp_host_is_error, zboss_host_is_error: timeout, I/O,
 * link failure, unknown command) is described by the host's strerror; anything else is a
 * status the device answered, described in the protocol's own terms. */
#ifndef ZB_DRIVER_STEP_H
#define ZB_DRIVER_STEP_H

#include <stddef.h>
#include <stdio.h>

/* room for a describer's text of a device status ("status 0x%lx", "status %u/%u") */
#define ZBH_STEP_TEXT 32

/* The text for a nonzero step result: a static string, or one written into buf. */
typedef const char *zbh_step_describe(long rc, char *buf, size_t cap);

/* Runs expr (an int or long result, 0 = success). On failure writes "<what>: <describe(rc)>"
 * into `err` (errlen bytes) and returns -1 from the calling function: it needs `char *err` and
 * `size_t errlen` in scope, as every driver entry point has them. */
#define ZBH_RETURN_IF_FAILED(expr, what, describe)                                                 \
    do {                                                                                           \
        long step_rc_ = (expr);                                                                    \
        if (step_rc_) {                                                                            \
            char step_text_[ZBH_STEP_TEXT];                                                        \
            snprintf(err, errlen, "%s: %s", (what),                                                \
                     (describe)(step_rc_, step_text_, sizeof(step_text_)));                        \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

#endif
