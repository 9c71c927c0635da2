/* emuproc.h - zbemu processes started by the harness itself (--emulate): each on a fresh
 * NVRAM file in a private directory, always torn down, also on failure and Ctrl-C.
 *
 * The one way to start an emulator: zbh_emu_start[_args] for a matrix target, and below it
 * spawn / wait-ready / stop for callers that build their own zbemu command line (zbbench, which
 * spawns hundreds at once and then collects their ports). */
#ifndef ZB_EMUPROC_H
#define ZB_EMUPROC_H

#include <stddef.h>
#include <sys/types.h>

/* A stack as the matrix knows it: the driver name and the zbemu arguments that select it. */
typedef struct zbh_target {
    const char *name;    /* "znp-zstack3x0" */
    const char *stack;   /* driver: "znp" */
    const char *argv[4]; /* zbemu STACK [OPTION VALUE], NULL-terminated */
} zbh_target;

/* The emulated targets whose host driver exists, in matrix order (at most cap). */
size_t zbh_targets(const zbh_target *out[], size_t cap);
const zbh_target *zbh_target_find(const char *name);

typedef struct zbh_emu {
    pid_t pid;
    char port[256];
    char dir[256];
    char log[300];
} zbh_emu;

/* zbemu --time-scale for every emulator started from here (as text, passed through): the
 * emulated firmware's own delays (reboots, NETWORK_UP, the world's exchange period) shrink to
 * this fraction; waits on the host stay real (emulator/core/emu.h). The verdicts do not change: the
 * matrix test runs both ways. "1" is real time. */
#define ZBH_EMU_TIME_SCALE "0.01"
/* Sets it from an option's text; -1 unless 0 < F <= 1. */
int zbh_emu_set_time_scale(const char *f);
const char *zbh_emu_time_scale(void);

/* Starts zbemu for `t` with NVRAM in dir (created by the caller) and a fixed seed; waits for
 * its port. zbemu is $ZBEMU, or the zbemu next to this program. Returns 0 or -1 + err. */
int zbh_emu_start(zbh_emu *e, const zbh_target *t, const char *dir, unsigned seed, char *err,
                  size_t errlen);
/* The same with more zbemu arguments (NULL-terminated; at most 7), e.g. --world FILE. */
int zbh_emu_start_args(zbh_emu *e, const zbh_target *t, const char *dir, unsigned seed,
                       const char *const *extra, char *err, size_t errlen);
/* Starts argv (argv[0] is the zbemu path; posix_spawn) with stdout on a pipe and stderr to the
 * file `log` (created or truncated; NULL: /dev/null). Sets e->pid and clears e->port; leaves
 * e->dir and e->log alone. Returns the pipe end the port line arrives on, or -1 + err (also
 * for a program that cannot be run). */
int zbh_emu_spawn(zbh_emu *e, char *const argv[], const char *log, char *err, size_t errlen);
/* Reads the line zbemu prints once its port exists into e->port, within timeout_ms (< 0: no
 * limit; a signal also ends the wait), and closes fd. On failure the emulator is stopped.
 * Returns 0 or -1 + err. */
int zbh_emu_wait_ready(zbh_emu *e, int fd, int timeout_ms, char *err, size_t errlen);
/* Removes dir and everything in it (the scratch folder of a cell or target). 0, or -1 with
 * errno. */
int zbh_remove_tree(const char *dir);
/* SIGTERM and wait (SIGKILL after 5 s). Returns zbemu's exit status (0 = clean), -1 if it died
 * of a signal. */
int zbh_emu_stop(zbh_emu *e);

#endif
