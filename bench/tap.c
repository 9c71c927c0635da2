/* tap.c - the time `zbharness tap` adds between a host and a stick: the same backup of the same
 * emulator, directly and through a tap, in alternating rounds (the tap holds the stick alone,
 * so a round is either all direct or all through one tap session). The host here is
 * `zbharness backup`, whose requests wait on each answer: any latency the tap adds shows once
 * per request, which is what makes a host time out. */
#include "bench.h"

#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAP_ROUNDS  2
#define TAP_DEVICES 50

/* A tap between `port` and a pty at `link`, recording to `trace`: its pid once the link is
 * there (5 s at most), else -1. */
static pid_t tap_start(const bench_cfg *c, const char *stack, const char *port, const char *link,
                       const char *trace)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
        char *argv[] = {(char *)c->zbharness,
                        "tap",
                        "--stack",
                        (char *)stack,
                        "--port",
                        (char *)port,
                        "--link",
                        (char *)link,
                        "-o",
                        (char *)trace,
                        NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    struct stat st;
    for (int i = 0; pid > 0 && i < 100; i++) {
        if (stat(link, &st) == 0) return pid;
        usleep(50000);
    }
    if (pid > 0) kill(pid, SIGKILL), waitpid(pid, NULL, 0);
    return -1;
}

static int tap_stop(pid_t pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0
                                                                                            : -1;
}

/* Backups into v[*n...], `k` of them through `port`. 0, or -1. */
static int backups(const bench_cfg *c, const char *stack, const char *port, int k, double *v,
                   int *n)
{
    for (int i = 0; i < k; i++) {
        double s = bench_backup_spawned(c, stack, port, NULL);
        if (s < 0) return -1;
        v[(*n)++] = s;
    }
    return 0;
}

static int measure(const bench_cfg *c, const bench_stack *st, const char *port, double *direct,
                   double *tapped, int *n)
{
    char link[400], trace[400];
    snprintf(link, sizeof(link), "%s/tap-%s.tty", c->tmpdir, st->name);
    snprintf(trace, sizeof(trace), "%s/tap-%s.json", c->tmpdir, st->name);
    int per = c->runs < 2 ? 1 : c->runs > 128 ? 64 : c->runs / 2, nd = 0, nt = 0;
    for (int r = 0; r < TAP_ROUNDS; r++) {
        if (backups(c, st->name, port, per, direct, &nd) < 0) return -1;
        pid_t tap = tap_start(c, st->name, port, link, trace);
        if (tap < 0) return -1;
        int rc = backups(c, st->name, link, per, tapped, &nt);
        if (tap_stop(tap) < 0 || rc < 0) return -1;
    }
    *n = nd;
    return 0;
}

void bench_section_tap(const bench_cfg *c)
{
    bench_out("\n## What `zbharness tap` adds (the same `zbharness backup` of %d devices, direct "
              "and through a tap, %d alternating rounds; median (min-max), ms)\n\n"
              "| stack | direct | through tap | ratio |\n|---|---|---|---|\n",
              TAP_DEVICES, TAP_ROUNDS);
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        const bench_stack *st = &BENCH_STACKS[i];
        zbh_emu e;
        double direct[128], tapped[128];
        int n = 0;
        bench_emu_opts o = {.devices = TAP_DEVICES};
        int rc = bench_formed_emu(c, st, &o, &e);
        if (rc == 0) {
            rc = measure(c, st, e.port, direct, tapped, &n);
            zbh_emu_stop(&e);
        }
        if (rc < 0 || n == 0) {
            bench_out_failed("| %s | failed (see stderr) | | |\n", st->name);
            continue;
        }
        bench_stats d = bench_stats_of(direct, (size_t)n), t = bench_stats_of(tapped, (size_t)n);
        bench_out("| %s | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %.2f |\n", st->name, d.median * 1e3,
                  d.min * 1e3, d.max * 1e3, t.median * 1e3, t.min * 1e3, t.max * 1e3,
                  t.median / d.median);
    }
}
