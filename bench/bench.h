/* bench.h - what the parts of the benchmark (zbbench) share: the configuration, the stacks as
 * the bench drives them, the process plumbing (fork/exec, /proc, wait4) and the document the
 * sections write into.
 *
 * Kept apart from bench.c so each experiment reads as a list of measurements and the process
 * plumbing is written once. */
#ifndef ZB_BENCH_H
#define ZB_BENCH_H

#include "clock.h" /* zb_now_s(): the clock every measurement reads */
#include "emuproc.h"
#include "serial.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- configuration ---- */

typedef struct bench_cfg {
    char zbemu[4096], zbharness[4096];
    char source[4096];   /* the source tree (vectors/, tests/herdsman/, bench/) */
    char vectors[4200];  /* source/vectors */
    char tmpdir[256];    /* scratch directory, removed at exit */
    const char *mode;    /* "full", "quick" or "smoke": printed in the document */
    double link_secs;    /* per link measurement */
    int link_rounds;     /* link measurements interleaved this many times; the median counts */
    int runs;            /* backups per cell */
    int scale_n;         /* emulators in the scale run */
    int baud;            /* the UART the results are compared with */
    int zh_runs;         /* herdsman and zbharness backups per herdsman cell */
    int zh_counts;       /* device counts the herdsman section takes (of 50, 200) */
    int frames;          /* --frames-after-backup of the world matrix */
    const char *targets; /* roundtrip/conformance --targets; NULL: all of them */
    long cores;          /* online CPUs */
} bench_cfg;

/* ---- the document (doc.c) ---- */

/* Appends markdown to the results; each piece is also written to stderr as progress. */
void bench_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a row that says a measurement failed; counted for zbbench's exit status. */
void bench_out_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int bench_failures(void);
/* One row of the Goals table: `goal` as written in the issue, the measured value (printf),
 * met or not, and `why` (printed only when the goal is not met; NULL: nothing known). */
void bench_goal(const char *goal, int met, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Merges the template (its lines @MACHINE@, @RESULTS@ and @GOALS@ replaced) and writes it to
 * `output` atomically ("-": stdout). Returns 0, or -1 with a message on stderr. */
int bench_doc_write(const char *template_path, const char *machine, const char *output);

/* ---- processes (proc.c) ---- */

/* Emulators are started the harness's way (harness/core/emuproc.h: zbh_emu_spawn, then
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
/* CPU seconds (user + system) a running process has used so far, or -1. */
double bench_proc_cpu_s(pid_t pid);
/* CPU seconds (user + system) of this process so far. */
double bench_self_cpu_s(void);
/* Runs argv with stdout/stderr to /dev/null, waits; returns the exit status or -1. */
int bench_run(char *const argv[]);

/* A group of programs run at once, each in `dir` with stdout to its own file: wall seconds
 * from the first start to the last exit, CPU seconds of the whole process trees (wait4: each
 * child and every descendant it waited for). */
typedef struct bench_tree {
    double wall, cpu;
    /* busy seconds of all CPUs meanwhile (/proc/stat): also the kernel's pty workers, which
     * rusage charges to no process, and whatever else ran (the load is printed) */
    double machine;
    int failed; /* programs that did not exit 0 */
} bench_tree;
/* Busy CPU seconds of the whole machine since boot (/proc/stat: user, nice, system, irq,
 * softirq, steal), or -1. */
double bench_machine_busy_s(void);
/* argvs[i] runs in dirs[i] with stdout to outs[i] (stderr to /dev/null). 0, or -1 when one
 * could not be started (those started are waited for). */
int bench_run_group(char **const argvs[], const char *const dirs[], const char *const outs[], int n,
                    bench_tree *out);

/* Median, min and max of n samples (sorts v). */
typedef struct bench_stats {
    double median, min, max;
} bench_stats;
bench_stats bench_stats_of(double *v, size_t n);

/* Copies a file (for per-emulator NVRAM files). Returns 0 or -1. */
int bench_copy_file(const char *from, const char *to);

/* ---- the stacks (link.c) ---- */

/* A transfer pattern, in order: bytes the host writes (> 0) or the peer writes (< 0); 0 ends. */
#define BENCH_SHAPE_MAX 4

/* One stack as the bench drives it. */
typedef struct bench_stack {
    const char *name;         /* zbemu STACK and zbharness --stack */
    const char *cheapest;     /* label of the request the link test repeats */
    int max_devices;          /* what the emulator's tables hold */
    const char *formed_nvram; /* under vectors/: a formed NVRAM dump; NULL: form by restore */
    int boot_joins;         /* --devices join a network the NVRAM file holds at start (else only one
                             * formed while it runs: then each emulator is formed by a restore) */
    const char *zh_adapter; /* zigbee-herdsman's adapter name */
    const char *zh_cannot;  /* why herdsman cannot back this stack up; NULL: it can */
    int shape[BENCH_SHAPE_MAX + 1]; /* the pty transfers of one cheapest request */
    void *(*ping_open)(zbh_serial *s);
    int (*ping)(void *h); /* one request/response; 0 on success */
    void (*ping_close)(void *h);
} bench_stack;

extern const bench_stack BENCH_STACKS[];
extern const size_t BENCH_N_STACKS;

/* Round trips/s of a transfer pattern between this process and a C peer process through a pty
 * pair, for `secs`; -1 on failure. The peer is reaped, so a parent's wait4 counts its CPU. */
double bench_echo_chain(const int *shape, double secs);

/* ---- driving emulators and the harness (drive.c) ---- */

/* What an emulator is started with, besides the stack. */
typedef struct bench_emu_opts {
    int devices;
    int baud;               /* 0: pty speed */
    const char *nvram;      /* NULL: RAM only */
    const char *time_scale; /* NULL: real time */
} bench_emu_opts;

/* The argv of `zbemu STACK --seed 1 --devices N [--baud B] [--nvram F] [--time-scale S]`
 * (number strings in `num`, 2 x 16 bytes). */
void bench_emu_argv(const bench_cfg *c, const char *stack, const bench_emu_opts *o, char num[2][16],
                    char *argv[14]);
int bench_emu_for(const bench_cfg *c, const char *stack, const bench_emu_opts *o, zbh_emu *out);
/* Forms a network on a running emulator by restoring a device-less backup (in-process). */
int bench_form(const bench_cfg *c, const char *stack, const char *port);
/* The path of a formed NVRAM file of the stack to copy from: its dump under vectors/, or one
 * made once per run by restoring a device-less backup onto a blank emulator. 0, or -1 with a
 * message on stderr. */
int bench_formed_nvram(const bench_cfg *c, const bench_stack *st, char *out, size_t cap);
/* Starts an emulator with o->devices simulated devices on a copy of the formed NVRAM file. */
int bench_formed_emu(const bench_cfg *c, const bench_stack *st, const bench_emu_opts *o,
                     zbh_emu *out);

/* One backup through the harness driver in this process: seconds, bytes both ways, devices. */
typedef struct bench_backup {
    double secs;
    uint64_t tx, rx;
    size_t devices;
} bench_backup;
int bench_backup_inproc(const char *stack, const char *port, bench_backup *out);
/* One `zbharness backup` (the spawned binary), to `out` (NULL: stdout to /dev/null):
 * seconds, or -1. */
double bench_backup_spawned(const bench_cfg *c, const char *stack, const char *port,
                            const char *out);
/* `zbharness --version` `runs` times: what starting any program costs here. */
bench_stats bench_spawn_floor(const bench_cfg *c, int runs);

/* ---- the sections ---- */

void bench_section_link(const bench_cfg *c);
void bench_section_backup(const bench_cfg *c);
void bench_section_pace(const bench_cfg *c);
void bench_section_scale(const bench_cfg *c);
void bench_section_matrix(const bench_cfg *c);
void bench_section_herdsman(const bench_cfg *c);
void bench_section_tap(const bench_cfg *c);

#endif
