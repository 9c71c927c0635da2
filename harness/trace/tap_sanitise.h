/* tap_sanitise.h - the secrets of a recorded session replaced consistently (zbharness tap).
 *
 * Why its own module: what a trace may publish is decided here and nowhere else. Values are
 * first found where the frames the hosts use put them (per stack, per command; tap_sanitise.c
 * lists them), then replaced everywhere: a 16-byte key or an 8-byte IEEE/EPID already found is
 * replaced wherever it occurs again, in either byte order (the rule of last resort for frames
 * whose layout is not known). A PAN ID (2 bytes, too short to look for blindly) is replaced
 * only where a rule says it is. The replacement of a value is random per run, drawn once, so
 * the same value has the same replacement in the whole trace; an IEEE keeps its OUI. */
#ifndef ZB_TAP_SANITISE_H
#define ZB_TAP_SANITISE_H

#include "trace.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { ZBH_SK_KEY, ZBH_SK_IEEE, ZBH_SK_EPID, ZBH_SK_PAN, ZBH_SK_N } zbh_sk_kind;

typedef struct zbh_san_entry {
    zbh_sk_kind kind;
    uint8_t len;
    uint8_t orig[16], repl[16]; /* in the byte order the value was first found in */
} zbh_san_entry;

typedef struct zbh_sanitiser {
    zbt_stack stack;
    int ezsp;    /* the EZSP protocol version (layouts move with it); 0 unknown */
    int aligned; /* Z-Stack NV layout: 1 ARM, 0 packed, -1 not known yet */
    zbh_san_entry *v;
    size_t n, cap;
    int oom; /* a value could not be recorded: the writer must not publish */
} zbh_sanitiser;

void zbh_san_init(zbh_sanitiser *s, zbt_stack stack);
void zbh_san_free(zbh_sanitiser *s);

/* One exchange's frames in the trace's layout. Pass 1 (replace = 0) records the values the
 * rules find; pass 2 (replace != 0) writes the replacements into the frames: at the rules'
 * places, then every recorded key and IEEE/EPID anywhere in the frame. `req` may be NULL. */
void zbh_san_exchange(zbh_sanitiser *s, uint8_t *req, size_t req_n, uint8_t **fr,
                      const size_t *fr_n, size_t n_fr, int replace);

/* Records a value directly (tests, and values known from outside). 0, or -1 out of memory. */
int zbh_san_note(zbh_sanitiser *s, zbh_sk_kind k, const uint8_t *p);

/* What was replaced, for the trace's "sanitised" field: one static name per kind seen. */
size_t zbh_san_kinds(const zbh_sanitiser *s, const char *out[ZBH_SK_N]);
const char *zbh_sk_name(zbh_sk_kind k);

#endif
