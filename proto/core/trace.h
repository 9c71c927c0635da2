/* trace.h - traces of real sticks (vectors/traces/README.md, "zbtrace 1"): what a host sent
 * and what the firmware answered, at the protocol layer, loaded for the two replays (the
 * emulator replay in harness/trace/replay.c, the scripted stick in emulator/core/emu_script.c).
 *
 * A trace is plain data, owned by one zbt_trace and freed whole by zbt_free. Loading checks
 * the whole file (format, stack, firmware, every hex frame) and names the field at fault: a
 * trace that loads is one the replays can play. */
#ifndef ZB_TRACE_H
#define ZB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zbt_frame {
    uint8_t *b;
    size_t n;
} zbt_frame;

typedef struct zbt_frames {
    zbt_frame *v;
    size_t n;
} zbt_frames;

typedef struct zbt_exchange {
    zbt_frame req;  /* n == 0: none ("req": null, frames the stick sent unasked) */
    bool rsp_known; /* false: "rsp": null, the log does not show the answers */
    zbt_frames rsp; /* the direct answers */
    zbt_frames ind; /* frames the stick sent on its own after the request */
    char *note;     /* may be NULL */
} zbt_exchange;

typedef enum { ZBT_ZNP, ZBT_EZSP, ZBT_ZBOSS } zbt_stack;

typedef struct zbt_trace {
    char *path;   /* as given to zbt_load */
    char *name;   /* the file name without folders and ".json" */
    char *source; /* the URL */
    zbt_stack stack;
    char *line;  /* znp: the emulator profile (zstack12 | zstack30 | zstack30-cc2538 |
                    zstack3x0); NULL otherwise */
    int ezsp;    /* ezsp: the protocol version the NCP answered; 0 otherwise */
    char *fw;    /* firmware.text, or the build/stack version: for reports */
    /* zbemu --firmware for this release (znp: firmware.build YYYYMMDD; ezsp: firmware.stack
     * A.B.C.D, "+BUILD" with firmware.build), NULL when the log does not say it */
    char *fw_arg;
    char *host;
    /* "state": an open coordinator backup (a file beside the trace) of the network the stick
     * held when the log began, made from the trace's own answers: the replay restores it
     * before the first request. NULL: the stick was factory-new, or the log starts it. */
    char *state_path;
    zbt_exchange *ex;
    size_t n_ex;
} zbt_trace;

/* Loads and checks a trace file. NULL + err naming the file and field when it is not a
 * well-formed "zbtrace 1". */
zbt_trace *zbt_load(const char *path, char *err, size_t errlen);
void zbt_free(zbt_trace *t);
const char *zbt_stack_name(zbt_stack s);
/* A --stack name (znp or zstack, ezsp or ember, zboss) into *out: 0, or -1 when unknown. */
int zbt_stack_of(const char *name, zbt_stack *out);

#endif
