/* bench.c - zbbench: how the emulators and the harness compare with the physical limits.
 *
 * Issue 8: users put these emulators in CI matrices, so they must be far faster than the
 * sticks they replace and close to what the pty itself allows. This program prints one
 * markdown table per experiment (link ceiling, backup time, real-UART pacing, scale, matrix)
 * so the output can be pasted into BENCHMARKS.md as it is. Nothing here is a pass/fail test:
 * the goals are printed next to the numbers. `cmake --build build --target bench` runs it. */
#include "bench.h"

#include "log.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef ZB_SOURCE_DIR
#define ZB_SOURCE_DIR "."
#endif

static const int DEVICE_COUNTS[] = {0, 50, 200};
#define N_DEVICE_COUNTS (sizeof(DEVICE_COUNTS) / sizeof(DEVICE_COUNTS[0]))

/* ---- machine ---- */

static void read_first(const char *path, const char *key, char *out, size_t cap)
{
    char line[512];
    FILE *f = fopen(path, "r");
    snprintf(out, cap, "?");
    if (!f) return;
    while (fgets(line, sizeof(line), f)) {
        if (key && strncmp(line, key, strlen(key)) != 0) continue;
        char *v = key ? strchr(line, ':') : line;
        if (!v) continue;
        v += key ? 2 : 0;
        v[strcspn(v, "\n")] = 0;
        snprintf(out, cap, "%s", v);
        break;
    }
    fclose(f);
}

static void print_machine(void)
{
    char cpu[256], ptymax[32], load[64];
    struct utsname u;
    struct rlimit rl;
    read_first("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
    read_first("/proc/sys/kernel/pty/max", NULL, ptymax, sizeof(ptymax));
    read_first("/proc/loadavg", NULL, load, sizeof(load));
    if (uname(&u) != 0) snprintf(u.release, sizeof(u.release), "?");
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = 0;
    printf("# zbbench\n\nmachine: %ld CPUs (nproc), %s, Linux %s; ulimit -n %llu, "
           "kernel.pty.max %s\nload average at the start (other work on this machine skews "
           "every number): %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), cpu, u.release, (unsigned long long)rl.rlim_cur, ptymax,
           load);
}

/* ---- link ceiling ---- */

static void link_row(const char *peer, const char *req, double rate, double echo)
{
    printf("| %s | %s | %.0f | %.1f | %.2f | %s |\n", peer, req, rate, 1e6 / rate, rate / echo,
           rate / echo >= 0.8 ? "met" : "NOT met");
}

static void section_link(const bench_cfg *c)
{
    printf("\n## Link ceiling (round trips/s over a pty pair, %.1f s each)\n\n", c->link_secs);
    printf("| peer | request | round trips/s | us/round trip | ratio to echo | goal >= 0.8 |\n");
    printf("|---|---|---|---|---|---|\n");
    double echo = bench_link_echo(c, 5, 5);
    if (echo <= 0) {
        printf("| echo | - | failed | | | |\n");
        return;
    }
    link_row("echo peer (C)", "5 bytes echoed", echo, echo);
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        const bench_stack *st = &BENCH_STACKS[i];
        if (!st->ping || !bench_stack_available(c, st->name)) {
            printf("| %s | %s | skipped: %s | | | |\n", st->name, st->cheapest,
                   st->ping ? "not in zbemu --help" : "slot not filled");
            continue;
        }
        zbh_emu e;
        if (bench_emu_for(c, st->name, 0, 0, NULL, &e) < 0) continue;
        double r = bench_link_stack(c, st, e.port);
        zbh_emu_stop(&e);
        if (r > 0)
            link_row(st->name, st->cheapest, r, echo);
        else
            printf("| %s | %s | failed | | | |\n", st->name, st->cheapest);
    }
}

/* ---- backup time ---- */

typedef struct cell {
    bench_stats inproc, spawned;
    bench_backup last;
} cell;

static int measure_cell(const bench_cfg *c, const char *stack, const char *port, cell *out)
{
    double in[64], sp[64];
    int runs = c->runs > 64 ? 64 : c->runs;
    for (int i = 0; i < runs; i++) {
        if (bench_backup_inproc(stack, port, &out->last) < 0) return -1;
        in[i] = out->last.secs;
        if ((sp[i] = bench_backup_spawned(c, stack, port)) < 0) return -1;
    }
    out->inproc = bench_stats_of(in, (size_t)runs);
    out->spawned = bench_stats_of(sp, (size_t)runs);
    return 0;
}

static void backup_row(const bench_cfg *c, const char *stack, int want, const cell *r)
{
    uint64_t bytes = r->last.tx + r->last.rx;
    double uart = (double)bytes * 10.0 / c->baud;
    printf(
        "| %s | %d (%zu) | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %llu/%llu | %.0f | %.0fx | %s |\n",
        stack, want, r->last.devices, r->inproc.median * 1e3, r->inproc.min * 1e3,
        r->inproc.max * 1e3, r->spawned.median * 1e3, r->spawned.min * 1e3, r->spawned.max * 1e3,
        (unsigned long long)r->last.tx, (unsigned long long)r->last.rx, uart * 1e3,
        uart / r->spawned.median,
        want != 200                 ? ""
        : r->spawned.median < 0.020 ? "met"
                                    : "NOT met");
}

static void backup_stack(const bench_cfg *c, const bench_stack *st)
{
    for (size_t k = 0; k < N_DEVICE_COUNTS; k++) {
        int want = DEVICE_COUNTS[k] > st->max_devices ? st->max_devices : DEVICE_COUNTS[k];
        zbh_emu e;
        cell r;
        if (bench_formed_emu(c, st, want, 0, &e) < 0 || measure_cell(c, st->name, e.port, &r) < 0)
            printf("| %s | %d | failed | | | | | |\n", st->name, want);
        else
            backup_row(c, st->name, want, &r);
        zbh_emu_stop(&e);
    }
}

/* What starting any program costs here: the floor under the "zbharness binary" column. */
static void spawn_floor(const bench_cfg *c)
{
    double v[64];
    char *argv[] = {(char *)c->zbharness, "--version", NULL};
    for (int i = 0; i < c->runs; i++) {
        double t0 = zb_now_s();
        bench_run(argv);
        v[i] = zb_now_s() - t0;
    }
    bench_stats s = bench_stats_of(v, (size_t)c->runs);
    printf("| (spawn floor: `zbharness --version`) | | | %.2f (%.2f-%.2f) | | | | |\n",
           s.median * 1e3, s.min * 1e3, s.max * 1e3);
}

static void section_backup(const bench_cfg *c)
{
    printf("\n## Backup time (median (min-max) of %d runs, ms; UART = bytes x 10 bits / %d "
           "baud)\n\n",
           c->runs, c->baud);
    printf("| stack | devices (in backup) | in-process driver | zbharness binary | bytes "
           "host tx/rx | UART ms | speed-up (binary vs UART) | goal 200: < 20 ms |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    spawn_floor(c);
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        const bench_stack *st = &BENCH_STACKS[i];
        if (!st->ping || !bench_stack_available(c, st->name)) {
            printf("| %s | skipped (%s) | | | | | | |\n", st->name,
                   st->ping ? "not in zbemu --help" : "slot not filled");
            continue;
        }
        backup_stack(c, st);
    }
}

/* ---- real-UART pacing ---- */

static void pace_stack(const bench_cfg *c, const bench_stack *st, int devices)
{
    zbh_emu e;
    bench_backup b;
    if (bench_formed_emu(c, st, devices, c->baud, &e) < 0) return;
    if (bench_backup_inproc(st->name, e.port, &b) < 0) {
        printf("| %s | %d | failed | | | | |\n", st->name, devices);
        zbh_emu_stop(&e);
        return;
    }
    zbh_emu_stop(&e);
    double uart = (double)(b.tx + b.rx) * 10.0 / c->baud;
    double err = (b.secs - uart) / uart;
    printf("| %s | %zu | %llu | %.0f | %.0f | %+.1f %% | %s |\n", st->name, b.devices,
           (unsigned long long)(b.tx + b.rx), uart * 1e3, b.secs * 1e3, err * 100,
           err < 0.10 && err > -0.10 ? "met" : "NOT met");
}

static void section_pace(const bench_cfg *c)
{
    printf("\n## Real-UART pacing (zbemu --baud %d; one in-process backup)\n\n", c->baud);
    printf("| stack | devices | bytes both ways | computed UART ms | paced backup ms | "
           "difference | goal within 10 %% |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        const bench_stack *st = &BENCH_STACKS[i];
        if (st->ping && bench_stack_available(c, st->name)) pace_stack(c, st, c->quick ? 10 : 50);
    }
}

/* Runs `zbharness ARGS` (output discarded) and returns the wall time in seconds, or -1 when it
 * failed: the matrix and the suite are timed as users run them. */
static double time_harness(const bench_cfg *c, const char *args)
{
    char cmd[8400];
    snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s >/dev/null 2>&1", c->tmpdir, c->zbharness, args);
    double t0 = zb_now_s();
    int rc = system(cmd);
    double t1 = zb_now_s();
    if (rc != 0) return -1;
    return t1 - t0;
}

static void matrix_row(const bench_cfg *c, const char *label, const char *args)
{
    double s = time_harness(c, args);
    if (s < 0)
        printf("| %s | failed (run `zbharness %s`) | |\n", label, args);
    else
        printf("| %s | %.1f s | %s |\n", label, s, s < 10.0 ? "met" : "NOT met");
}

static void section_matrix(const bench_cfg *c)
{
    printf("\n## Matrix (issue 6; emulators started by zbharness)\n\n"
           "| suite | wall time | goal < 10 s |\n|---|---|---|\n");
    matrix_row(c, "migration matrix, 36 cells, --jobs 2", "roundtrip --emulate --jobs 2");
    matrix_row(c, "migration matrix, 36 cells, --jobs 8", "roundtrip --emulate --jobs 8");
    matrix_row(c, "conformance suite, 6 targets x 11 cases", "conformance --emulate");
}

/* ---- options ---- */

static void usage(FILE *f)
{
    fprintf(f, "usage: zbbench [--quick] [--runs N] [--scale N] [--link-secs S] [--only "
               "link|backup|pace|scale|matrix]\n"
               "Prints markdown tables; the zbemu and zbharness next to this program are "
               "measured.\n");
}

static int parse(int argc, char **argv, bench_cfg *c, const char **only)
{
    static const struct option o[] = {{"quick", no_argument, NULL, 'q'},
                                      {"runs", required_argument, NULL, 'r'},
                                      {"scale", required_argument, NULL, 's'},
                                      {"link-secs", required_argument, NULL, 'l'},
                                      {"only", required_argument, NULL, 'o'},
                                      {"help", no_argument, NULL, 'h'},
                                      {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", o, NULL)) != -1) {
        switch (ch) {
        case 'q': c->quick = 1, c->runs = 5, c->scale_n = 50, c->link_secs = 0.3; break;
        case 'r': c->runs = atoi(optarg); break;
        case 's': c->scale_n = atoi(optarg); break;
        case 'l': c->link_secs = atof(optarg); break;
        case 'o': *only = optarg; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (c->runs < 1 || c->runs > 64 || c->scale_n < 0 || c->link_secs <= 0) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static int locate(bench_cfg *c)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return -1;
    self[n] = 0;
    const char *dir = dirname(self);
    snprintf(c->zbemu, sizeof(c->zbemu), "%s/zbemu", dir);
    snprintf(c->zbharness, sizeof(c->zbharness), "%s/zbharness", dir);
    snprintf(c->vectors, sizeof(c->vectors), "%s/vectors", ZB_SOURCE_DIR);
    snprintf(c->tmpdir, sizeof(c->tmpdir), "/tmp/zbbench.XXXXXX");
    return mkdtemp(c->tmpdir) ? 0 : -1;
}

static int wants(const char *only, const char *s)
{
    return !only || strcmp(only, s) == 0;
}

int main(int argc, char **argv)
{
    bench_cfg c = {.runs = 7, .scale_n = 500, .link_secs = 2.0, .baud = 115200};
    const char *only = NULL;
    int rc = parse(argc, argv, &c, &only);
    if (rc) return rc == 1 ? 0 : rc;
    zb_log_set_prefix("zbbench");
    zb_log_set_level(ZB_LOG_ERROR);
    if (locate(&c) < 0) {
        fprintf(stderr, "zbbench: cannot locate myself or make a scratch directory\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    print_machine();
    if (wants(only, "link")) section_link(&c);
    if (wants(only, "backup")) section_backup(&c);
    if (wants(only, "pace")) section_pace(&c);
    if (wants(only, "scale")) bench_scale(&c);
    if (wants(only, "matrix")) section_matrix(&c);
    char load[64];
    read_first("/proc/loadavg", NULL, load, sizeof(load));
    printf("\nload average at the end: %s\n", load);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c.tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "zbbench: could not remove %s\n", c.tmpdir);
    return 0;
}
