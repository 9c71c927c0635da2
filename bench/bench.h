/* bench.h - helpers of the benchmark (zbbench): child processes, clocks, statistics.
 *
 * Kept apart from bench.c so the measuring code reads as a list of experiments and the
 * process plumbing (fork/exec, pipes, /proc) is written once. */
#ifndef ZB_BENCH_H
#define ZB_BENCH_H

#include "clock.h" /* zb_now_s(): the clock every measurement reads */
#include "emuproc.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Emulators are started the harness's way (harness/emuproc.h: zbh_emu_spawn, then
 * zbh_emu_wait_ready, zbh_emu_stop), with stderr to /dev/null. The two halves, each with its
 * message on stderr, for starting many at once: spawn returns the fd the port line arrives on
 * (or -1); port reads it (10 s at most), closes the fd and stops the emulator on failure. */
int bench_emu_spawn(char *const argv[], zbh_emu *out);
int bench_emu_port(zbh_emu *e, int fd);
/* Both: 0, or -1 with a message on stderr (the child is reaped). */
int bench_emu_start(char *const argv[], zbh_emu *out);
/* Peak resident set (VmHWM) of a process in KiB, or -1. */
long bench_vm_hwm_kb(pid_t pid);
/* Proportional set size (shared pages divided among their users) in KiB, or -1: the sum over
 * processes is what they really take together, where a VmHWM sum counts libc 500 times. */
long bench_pss_kb(pid_t pid);
/* Runs argv with stdout/stderr to /dev/null, waits; returns the exit status or -1. */
int bench_run(char *const argv[]);

/* Median, min and max of n samples (sorts v). */
typedef struct bench_stats {
    double median, min, max;
} bench_stats;
bench_stats bench_stats_of(double *v, size_t n);

/* Copies a file (for per-emulator NVRAM files). Returns 0 or -1. */
int bench_copy_file(const char *from, const char *to);

/* ---- shared by the experiments ---- */
#include "serial.h"

typedef struct bench_cfg {
    char zbemu[4096], zbharness[4096];
    char vectors[4096]; /* the source tree's vectors/ */
    char tmpdir[256];   /* scratch directory, removed at exit */
    int quick;
    double link_secs; /* per link measurement */
    int runs;         /* backups per cell (>= 5) */
    int scale_n;      /* emulators in the scale run */
    int baud;         /* the UART the results are compared with */
} bench_cfg;

/* One stack as the bench drives it. `ping*` NULL: the cheapest request is not written yet. */
typedef struct bench_stack {
    const char *name;         /* zbemu STACK and zbharness --stack */
    const char *cheapest;     /* label of the request the link test repeats */
    int max_devices;          /* what the emulator's tables hold */
    const char *formed_nvram; /* under vectors/: a formed NVRAM dump; NULL: form by restore */
    void *(*ping_open)(zbh_serial *s);
    int (*ping)(void *h); /* one request/response; 0 on success */
    void (*ping_close)(void *h);
} bench_stack;

extern const bench_stack BENCH_STACKS[];
extern const size_t BENCH_N_STACKS;

/* Is `stack` listed by `zbemu --help`? */
int bench_stack_available(const bench_cfg *c, const char *stack);
/* Starts `zbemu STACK --seed 1 --devices N [--baud B] [--nvram F]`. */
int bench_emu_for(const bench_cfg *c, const char *stack, int devices, int baud, const char *nvram,
                  zbh_emu *out);
/* The argv bench_emu_for uses (strings in `dev`/`bd`, 16 bytes each). */
void bench_emu_argv(const bench_cfg *c, const char *stack, int devices, int baud, const char *nvram,
                    char *dev, char *bd, char *argv[12]);
/* Forms a network on a running emulator by restoring a device-less backup (in-process). */
int bench_form(const bench_cfg *c, const char *stack, const char *port);
/* Starts an emulator holding a formed network with `devices` simulated devices: from a copy of
 * the stack's formed NVRAM dump, or by a restore. */
int bench_formed_emu(const bench_cfg *c, const bench_stack *st, int devices, int baud,
                     zbh_emu *out);

/* Echo peer round trips/s through a pty pair, `req`/`rsp` bytes each way. */
double bench_link_echo(const bench_cfg *c, size_t req, size_t rsp);
/* Round trips/s of the stack's cheapest request on a running emulator, or -1. */
double bench_link_stack(const bench_cfg *c, const bench_stack *st, const char *port);

/* One backup through the harness driver in this process: seconds, bytes both ways, devices. */
typedef struct bench_backup {
    double secs;
    uint64_t tx, rx;
    size_t devices;
} bench_backup;
int bench_backup_inproc(const char *stack, const char *port, bench_backup *out);
/* One `zbharness backup` (the spawned binary): seconds, or -1. */
double bench_backup_spawned(const bench_cfg *c, const char *stack, const char *port);

/* The scale experiment (scale.c): prints its rows. */
void bench_scale(const bench_cfg *c);

#endif
