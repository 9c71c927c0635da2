/* scale.c - many emulators at once: a CI matrix starts dozens of sticks on one runner, so the
 * bench starts N (default 500, the three stacks in turn), backs each up once with one worker
 * per CPU and reads every emulator's peak RSS (VmHWM) before stopping them. Each emulator gets
 * its own formed NVRAM file (ZNP: the real CC2652R dump; EZSP and ZBOSS: made once here by a
 * restore). */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct fleet {
    zbh_emu *emu;
    const char **stack;
    int n;
} fleet;

#define TMPL_MAX 4400

/* A formed NVRAM file per stack to copy from. */
static int make_templates(const bench_cfg *c, const char **stacks, char tmpl[][TMPL_MAX], int n)
{
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < BENCH_N_STACKS; k++)
            if (strcmp(BENCH_STACKS[k].name, stacks[i]) == 0 &&
                bench_formed_nvram(c, &BENCH_STACKS[k], tmpl[i], TMPL_MAX) < 0)
                return -1;
    return 0;
}

/* Spawns all, then collects the ports: the emulators start concurrently. */
static int start_fleet(const bench_cfg *c, fleet *f, char tmpl[][TMPL_MAX], const char **stacks,
                       int n_stacks)
{
    int *fds = malloc(sizeof(int) * (size_t)f->n);
    if (!fds) return -1;
    int ok = 0;
    for (int i = 0; i < f->n; i++) {
        char nv[4300], num[2][16], *argv[14];
        f->stack[i] = stacks[i % n_stacks];
        snprintf(nv, sizeof(nv), "%s/nv%d.json", c->tmpdir, i);
        fds[i] = -1;
        if (bench_copy_file(tmpl[i % n_stacks], nv) < 0) continue;
        bench_emu_opts o = {.nvram = nv};
        bench_emu_argv(c, f->stack[i], &o, num, argv);
        fds[i] = bench_emu_spawn(argv, &f->emu[i]);
    }
    for (int i = 0; i < f->n; i++)
        if (fds[i] >= 0 && bench_emu_port(&f->emu[i], fds[i]) == 0) ok++;
    free(fds);
    return ok;
}

/* One worker per CPU backs up every emulator i with i % workers == w; `shared`: without the
 * harness's check for other programs holding the port (--shared-port), which reads every
 * descriptor of every process in /proc on each open. Returns failures. */
static int backup_fleet(const fleet *f, int workers, int shared)
{
    pid_t *pids = calloc((size_t)workers, sizeof(pid_t));
    int failed = 0;
    if (!pids) return f->n;
    for (int w = 0; w < workers; w++) {
        if ((pids[w] = fork()) != 0) continue;
        int bad = 0;
        zbh_serial_set_shared(shared);
        for (int i = w; i < f->n; i += workers) {
            bench_backup b;
            if (!f->emu[i].pid || bench_backup_inproc(f->stack[i], f->emu[i].port, &b) < 0) bad++;
        }
        _exit(bad > 255 ? 255 : bad);
    }
    for (int w = 0; w < workers; w++) {
        int st;
        if (pids[w] < 0 || waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st))
            failed += f->n / workers;
        else
            failed += WEXITSTATUS(st);
    }
    free(pids);
    return failed;
}

static void stop_fleet(fleet *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->emu[i].pid > 0) kill(f->emu[i].pid, SIGTERM);
    for (int i = 0; i < f->n; i++)
        if (f->emu[i].pid > 0)
            while (waitpid(f->emu[i].pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* Seconds: starting them all, backing them all up as zbharness does, and with --shared-port. */
typedef struct spans {
    double start, backups, shared;
} spans;

static void report(const fleet *f, int started, int failed, const spans *t)
{
    long total = 0, peak = 0, pss = 0;
    for (int i = 0; i < f->n; i++) {
        long kb = f->emu[i].pid > 0 ? bench_vm_hwm_kb(f->emu[i].pid) : -1;
        long p = f->emu[i].pid > 0 ? bench_pss_kb(f->emu[i].pid) : -1;
        if (kb < 0) continue;
        total += kb;
        pss += p > 0 ? p : 0;
        if (kb > peak) peak = kb;
    }
    int met = started == f->n && failed == 0 && total < 1024L * 1024;
    bench_out("| %d (%d started, %d backed up twice) | %.2f | %.2f | %.2f | %.0f | %.0f | %.1f | "
              "%.1f | %s |\n",
              f->n, started, f->n - failed, t->start, t->backups, t->shared,
              started ? (double)total / started : 0.0, (double)peak, total / 1024.0, pss / 1024.0,
              met ? "met" : "NOT met");
    if (started < f->n || failed)
        bench_out_failed("\n%d emulators did not start, %d backups failed (see stderr).\n",
                         f->n - started, failed);
    char goal[96];
    snprintf(goal, sizeof(goal), "%d emulators on %ld CPUs < 1 GiB (VmHWM sum), all backed up",
             f->n, sysconf(_SC_NPROCESSORS_ONLN));
    bench_goal(goal, met,
               started < f->n || failed ? "not every emulator started or was backed up (stderr)"
                                        : "VmHWM counts the shared pages (libc, libcjson) once "
                                          "per process; the PSS sum is what they take together",
               "%.1f MiB VmHWM sum (PSS sum %.1f MiB); %d backups in %.1f s (%.1f s with "
               "--shared-port)",
               total / 1024.0, pss / 1024.0, f->n, t->backups, t->shared);
}

/* Each emulator takes one inotify instance to see its pty opened (emu_port.c); past the
 * per-user limit the rest look every 10 ms instead, which costs CPU at this scale. */
static long inotify_limit(void)
{
    long v = -1;
    FILE *f = fopen("/proc/sys/fs/inotify/max_user_instances", "r");
    if (f) {
        if (fscanf(f, "%ld", &v) != 1) v = -1;
        fclose(f);
    }
    return v;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

void bench_section_scale(const bench_cfg *c)
{
    static const char *stacks[] = {"znp", "ezsp", "zboss"};
    enum { N_STACKS = sizeof(stacks) / sizeof(stacks[0]) };
    char tmpl[N_STACKS][TMPL_MAX];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    bench_out("\n## Scale (%d emulators, the three stacks in turn, each backed up once, %ld "
              "workers)\n\n",
              c->scale_n, cpus);
    long ino = inotify_limit();
    bench_out("fs.inotify.max_user_instances = %ld%s\n\n", ino,
              ino >= 0 && ino < c->scale_n + 8
                  ? ": fewer than the emulators; those past it look for their host every 10 ms "
                    "(50 ms after 1 s idle)"
                  : "");
    bench_out("| emulators | start s | all backups s | all backups s, --shared-port | VmHWM KiB "
              "mean | VmHWM KiB max | VmHWM MiB sum (goal) | PSS MiB sum | goal < 1 GiB |\n"
              "|---|---|---|---|---|---|---|---|---|\n");
    raise_nofile();
    fleet f = {calloc((size_t)c->scale_n, sizeof(zbh_emu)),
               calloc((size_t)c->scale_n, sizeof(char *)), c->scale_n};
    if (!f.emu || !f.stack || make_templates(c, stacks, tmpl, N_STACKS) < 0) {
        bench_out_failed("| %d | failed to prepare (see stderr) | | | | | | | |\n", c->scale_n);
        free(f.emu);
        free(f.stack);
        return;
    }
    int workers = cpus > 0 ? (int)cpus : 1;
    double t0 = zb_now_s();
    int started = start_fleet(c, &f, tmpl, stacks, N_STACKS);
    double t1 = zb_now_s();
    int failed = backup_fleet(&f, workers, 0);
    double t2 = zb_now_s();
    failed += backup_fleet(&f, workers, 1);
    spans t = {t1 - t0, t2 - t1, zb_now_s() - t2};
    report(&f, started, failed, &t);
    stop_fleet(&f);
    free(f.emu);
    free(f.stack);
}
