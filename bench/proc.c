/* proc.c - process plumbing for zbbench: start an emulator (through harness/core/emuproc.h, the one
 * way to start one) and learn its port, read its peak memory and CPU time from /proc, run a
 * program to completion, run a group of programs at once and count the CPU time of their whole
 * process trees (wait4).
 *
 * Emulators are real child processes (what users run), never linked in: the numbers must
 * include the pty, the poll loop and the kernel's scheduling like they do for a user. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In the child: stdout to `out_fd` (or /dev/null when -1), stderr to /dev/null, then exec. */
static void exec_child(char *const argv[], int out_fd)
{
    int null = open("/dev/null", O_RDWR);
    if (null < 0) _exit(127);
    if (dup2(out_fd >= 0 ? out_fd : null, 1) < 0 || dup2(null, 2) < 0) _exit(127);
    execvp(argv[0], argv); /* a path, or a program on PATH (node) */
    _exit(127);
}

int bench_emu_spawn(char *const argv[], zbh_emu *out)
{
    char err[256];
    int fd = zbh_emu_spawn(out, argv, NULL, err, sizeof(err));
    if (fd < 0) fprintf(stderr, "zbbench: %s\n", err);
    return fd;
}

int bench_emu_port(zbh_emu *e, int fd)
{
    char err[256];
    int rc = zbh_emu_wait_ready(e, fd, 10000, err, sizeof(err));
    if (rc < 0) fprintf(stderr, "zbbench: %s\n", err);
    return rc;
}

int bench_emu_start(char *const argv[], zbh_emu *out)
{
    int fd = bench_emu_spawn(argv, out);
    return fd < 0 ? -1 : bench_emu_port(out, fd);
}

/* The first "KEY: N kB" line of a /proc file, or -1. */
static long proc_kb(pid_t pid, const char *file, const char *fmt)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, fmt, &kb) == 1) break;
    fclose(f);
    return kb;
}

long bench_vm_hwm_kb(pid_t pid)
{
    return proc_kb(pid, "status", "VmHWM: %ld kB");
}

long bench_pss_kb(pid_t pid)
{
    return proc_kb(pid, "smaps_rollup", "Pss: %ld kB");
}

double bench_proc_cpu_s(pid_t pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *ok = fgets(line, sizeof(line), f);
    fclose(f);
    char *p = ok ? strrchr(line, ')') : NULL; /* the name may hold spaces and ')' */
    unsigned long ut, st;
    if (!p || sscanf(p, ") %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double tv_s(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

double bench_self_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

int bench_run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) exec_child(argv, -1);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* In the child of a group: into `dir`, stdout to `out`, then exec. */
static void exec_in(char *const argv[], const char *dir, const char *out)
{
    if (chdir(dir) != 0) _exit(127);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) _exit(127);
    exec_child(argv, fd);
}

double bench_machine_busy_s(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    int k = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    if (k != 8 || hz <= 0) return -1;
    /* user nice system idle iowait irq softirq steal: all but idle and iowait */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;
}

int bench_run_group(char **const argvs[], const char *const dirs[], const char *const outs[], int n,
                    bench_tree *out)
{
    pid_t pids[16];
    int started = 0, rc = 0;
    if (n > 16) n = 16;
    memset(out, 0, sizeof(*out));
    double t0 = zb_now_s(), m0 = bench_machine_busy_s();
    for (; started < n; started++) {
        if ((pids[started] = fork()) < 0) break;
        if (pids[started] == 0) exec_in(argvs[started], dirs[started], outs[started]);
    }
    if (started < n) rc = -1;
    for (int i = 0; i < started; i++) {
        int st = 0;
        struct rusage ru;
        pid_t w;
        while ((w = wait4(pids[i], &st, 0, &ru)) < 0 && errno == EINTR)
            ;
        if (w < 0) {
            out->failed++, rc = -1;
            continue;
        }
        out->cpu += tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) out->failed++;
    }
    out->wall = zb_now_s() - t0;
    out->machine = m0 >= 0 ? bench_machine_busy_s() - m0 : -1;
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_stats bench_stats_of(double *v, size_t n)
{
    bench_stats s = {0, 0, 0};
    if (!n) return s;
    qsort(v, n, sizeof(*v), cmp_double);
    s.min = v[0];
    s.max = v[n - 1];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

int bench_copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in) return -1;
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    char buf[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n) rc = -1;
    if (ferror(in)) rc = -1;
    fclose(in);
    if (fclose(out) != 0) rc = -1;
    return rc;
}
