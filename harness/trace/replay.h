/* replay.h - the emulator replay (issue 21): each recorded request of a real stick's trace
 * (proto/core/trace.h) is sent to an emulator with that firmware's profile, in the trace's order,
 * and its answers are compared with the recorded ones byte by byte. Bytes that depend on the
 * unit (its IEEE, keys, random values, timing bits) are declared once, per command, in one
 * table (replay.c), each with its reason; every other byte must match.
 *
 * The verdict of an exchange:
 *   identical  every answer byte for byte;
 *   declared   equal apart from declared unit fields;
 *   different  a byte outside them, a length, a missing or an extra answer;
 *   played     the log does not show the answer: the request only brings the emulator to the
 *              trace's state;
 *   unasked    frames the stick sent with no request before them (a device's message, a
 *              callback of an earlier session): nothing to send, so nothing to compare. */
#ifndef ZB_REPLAY_H
#define ZB_REPLAY_H

#include "emuproc.h"
#include "serial.h"
#include "trace.h"

#include <stdio.h>

typedef enum {
    ZBH_RP_IDENTICAL,
    ZBH_RP_DECLARED,
    ZBH_RP_DIFFERENT,
    ZBH_RP_PLAYED,
    ZBH_RP_UNASKED,
    ZBH_RP_N
} zbh_rp_verdict;

const char *zbh_rp_verdict_name(zbh_rp_verdict v);

typedef struct zbh_rp_counts {
    size_t n[ZBH_RP_N];
} zbh_rp_counts;

/* Plays trace `t` over `s` (an emulator's port, freshly started factory-new) and writes one
 * TSV line per exchange to `out`: trace, index, command, verdict, detail. Adds the verdicts to
 * *counts. Returns 0, or -1 + err when the link failed (the lines so far are written). */
int zbh_replay_trace(const zbt_trace *t, zbh_serial *s, FILE *out, zbh_rp_counts *counts,
                     char *err, size_t errlen);

/* The emulator target of the trace's firmware (zbemu STACK and its profile option; `buf` holds
 * the version text the target points into). -1 + err when no emulator profile serves it (an
 * EZSP version below 8). */
int zbh_replay_target(const zbt_trace *t, zbh_target *out, char buf[8], char *err, size_t errlen);

/* The replay's link, for other commands that speak to a stick at the protocol layer (capture):
 * the harness's host layers behind frames in the trace's layout. */
typedef struct zbh_rp_link zbh_rp_link;

/* NULL out of memory. EZSP: the link starts with an ASH RST (every host's first step). */
zbh_rp_link *zbh_rp_link_open(zbt_stack st, zbh_serial *s, char *err, size_t errlen);
/* Drops what the stick sends on being opened (a boot indication). */
void zbh_rp_link_settle(zbh_rp_link *l);
/* One request: its direct answers in *rsp, then what the stick sends unasked within a moment
 * in *ind (both empty when none; the caller frees them with zbh_rp_frames_free). 0, or the
 * host layer's error when the link failed. */
int zbh_rp_link_request(zbh_rp_link *l, const zbt_frame *req, zbt_frames *rsp, zbt_frames *ind);
void zbh_rp_link_close(zbh_rp_link *l);
void zbh_rp_frames_free(zbt_frames *f);

#endif
