/* tap.h - the recorder of `zbharness tap` (issue 29): the bytes a host and a stick exchange,
 * decoded at the protocol layer and written as a "zbtrace 1" trace (vectors/traces/README.md).
 *
 * Why apart from the command: it does no I/O. The command feeds it the bytes in each direction
 * with their time, and asks it for the trace's text whenever it flushes; the unit tests feed it
 * frames and read the same text. The link layers (MT framing, ASH with its retransmissions and
 * de-randomising, the ZBOSS LL with its fragments) are undone with the proto/ codecs; frames are
 * kept raw and the exchanges (request, direct answers, unasked frames) and the sanitising are
 * made each time the text is asked for, so a value learnt late is still replaced everywhere. */
#ifndef ZB_TAP_H
#define ZB_TAP_H

#include "tap_sanitise.h"
#include "trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zbh_tap zbh_tap;

typedef enum { ZBH_TAP_HOST = 0, ZBH_TAP_STICK = 1 } zbh_tap_dir;

/* `port` names the real stick in the trace's "where". NULL out of memory. */
zbh_tap *zbh_tap_new(zbt_stack stack, const char *port, uint64_t now_ms);
void zbh_tap_free(zbh_tap *t);

/* Bytes as they passed, in one direction. */
void zbh_tap_feed(zbh_tap *t, zbh_tap_dir d, const uint8_t *b, size_t n, uint64_t now_ms);
/* The host closed or (re)opened the port: partial frames are dropped, the link layers restart. */
void zbh_tap_link_restart(zbh_tap *t);
/* A whole protocol-layer frame (the trace's layout), as if decoded: for tests. */
int zbh_tap_add_frame(zbh_tap *t, zbh_tap_dir d, const uint8_t *f, size_t n, uint64_t now_ms);

/* Frames recorded so far; true when some arrived since the last zbh_tap_json. */
size_t zbh_tap_frames(const zbh_tap *t);
bool zbh_tap_dirty(const zbh_tap *t);

/* The trace as JSON text (caller frees), sanitised unless `raw`. NULL out of memory, or when
 * the sanitiser could not draw a replacement (then nothing may be published). */
char *zbh_tap_json(zbh_tap *t, bool raw);
/* The mapping original -> replacement as JSON (caller frees), for --keep-map. */
char *zbh_tap_map_json(const zbh_tap *t);

#endif
