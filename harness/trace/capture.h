/* capture.h - the read-only probe of `zbharness capture` (issue 29): the requests hosts send to
 * a stick at start-up and for a backup, sent to a real stick and recorded as a trace, and the
 * emulator profile derived from that trace.
 *
 * Why data: each stack's probe is one table of requests (capture.c), with what kind of identity
 * each answer is and where its status and value sit, so the probe grows by adding rows. No row
 * writes or resets; the link's own start (an EZSP ASH RST) is the only reset. */
#ifndef ZB_CAPTURE_H
#define ZB_CAPTURE_H

#include "serial.h"
#include "tap.h"
#include "trace.h"

#include <stddef.h>

/* Sends the stack's probe over `s` and feeds every request and answer to `tap`. 0, or -1 + err
 * when the link failed. */
int zbh_capture_probe(zbt_stack st, zbh_serial *s, zbh_tap *tap, char *err, size_t errlen);

/* The emulator profile (caller frees) from the sanitised capture `trace_json`: a "zbtrace 1"
 * document of the identity answers (versions, capabilities, config, table sizes, refused
 * commands) with their decoded summary under "profile". NULL + err. */
char *zbh_capture_profile(zbt_stack st, const char *trace_json, char *err, size_t errlen);

#endif
