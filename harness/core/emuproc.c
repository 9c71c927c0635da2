/* emuproc.c - starting and stopping zbemu for --emulate runs. The emulator prints its pty on
 * the first line of stdout; its log goes to a file beside its NVRAM so a failed cell can be
 * read afterwards. */
#define _GNU_SOURCE /* pipe2, environ */
#include "emuproc.h"

#include "clock.h"
#include "driver.h"
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const zbh_target TARGETS[] = {
    {"znp-zstack3x0", "znp", {"znp", "--profile", "zstack3x0", NULL}},
    {"znp-zstack30", "znp", {"znp", "--profile", "zstack30", NULL}},
    {"znp-zstack12", "znp", {"znp", "--profile", "zstack12", NULL}},
    {"ezsp-v8", "ezsp", {"ezsp", "--ezsp-version", "8", NULL}},   /* EmberZNet 6.10: getKey API */
    {"ezsp-v12", "ezsp", {"ezsp", "--ezsp-version", "12", NULL}}, /* 7.3: last with getKey */
    {"ezsp-v13", "ezsp", {"ezsp", "--ezsp-version", "13", NULL}},
    {"ezsp-v18", "ezsp", {"ezsp", "--ezsp-version", "18", NULL}},
    {"ezsp-v19", "ezsp", {"ezsp", "--ezsp-version", "19", NULL}}, /* 9.1 */
    {"zboss", "zboss", {"zboss", NULL, NULL, NULL}},
};
#define N_TARGETS (sizeof(TARGETS) / sizeof(TARGETS[0]))

size_t zbh_targets(const zbh_target *out[], size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N_TARGETS && n < cap; i++)
        if (zbh_find_driver(TARGETS[i].stack)) out[n++] = &TARGETS[i];
    return n;
}

const zbh_target *zbh_target_find(const char *name)
{
    for (size_t i = 0; i < N_TARGETS; i++)
        if (strcmp(TARGETS[i].name, name) == 0 && zbh_find_driver(TARGETS[i].stack))
            return &TARGETS[i];
    return NULL;
}

static char g_time_scale[24] = ZBH_EMU_TIME_SCALE;

int zbh_emu_set_time_scale(const char *f)
{
    char *end;
    errno = 0;
    double v = strtod(f, &end);
    if (errno || *end || end == f || !(v > 0 && v <= 1) || strlen(f) >= sizeof(g_time_scale))
        return -1;
    snprintf(g_time_scale, sizeof(g_time_scale), "%s", v == 1 ? "1" : f);
    return 0;
}

const char *zbh_emu_time_scale(void)
{
    return g_time_scale;
}

static void zbemu_path(char *out, size_t cap)
{
    const char *env = getenv("ZBEMU");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        snprintf(out, cap, "zbemu");
        return;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    int k = snprintf(out, cap, "%s/zbemu", self);
    if (k < 0 || (size_t)k >= cap) snprintf(out, cap, "zbemu"); /* absurdly deep: use PATH */
}

int zbh_emu_start(zbh_emu *e, const zbh_target *t, const char *dir, unsigned seed, char *err,
                  size_t errlen)
{
    return zbh_emu_start_args(e, t, dir, seed, NULL, err, errlen);
}

int zbh_emu_start_args(zbh_emu *e, const zbh_target *t, const char *dir, unsigned seed,
                       const char *const *extra, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->dir, sizeof(e->dir), "%s", dir);
    snprintf(e->log, sizeof(e->log), "%s/zbemu.log", dir);
    char exe[PATH_MAX], nvram[300], seedstr[16];
    zbemu_path(exe, sizeof(exe));
    snprintf(nvram, sizeof(nvram), "%s/nvram.json", dir);
    snprintf(seedstr, sizeof(seedstr), "%u", seed ? seed : 1);
    const char *argv[24];
    int n = 0;
    argv[n++] = exe;
    for (int i = 0; i < 4 && t->argv[i]; i++)
        argv[n++] = t->argv[i];
    argv[n++] = "--nvram";
    argv[n++] = nvram;
    argv[n++] = "--seed";
    argv[n++] = seedstr;
    argv[n++] = "--no-fsync"; /* a scratch NVRAM in a folder this run deletes */
    if (g_time_scale[0] && strcmp(g_time_scale, "1") != 0) {
        argv[n++] = "--time-scale";
        argv[n++] = g_time_scale;
    }
    for (int i = 0; extra && extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int fd = zbh_emu_spawn(e, (char *const *)argv, e->log, err, errlen);
    if (fd < 0) return -1;
    /* the first line is the port; zbemu prints it once the pty exists */
    if (zbh_emu_wait_ready(e, fd, -1, err, errlen) < 0 || strncmp(e->port, "/dev/", 5) != 0) {
        snprintf(err, errlen, "%s did not start (see %s)", exe, e->log);
        zbh_emu_stop(e);
        return -1;
    }
    zbh_serial_mark_private(e->port);
    return 0;
}

/* posix_spawn, not fork: glibc starts the child without copying this process's page tables
 * (CLONE_VM|CLONE_VFORK), which a sanitizer build's large mappings make costly (copy-on-write
 * faults and TLB flushes in both processes: about a tenth of an ASan matrix cell's CPU). */
int zbh_emu_spawn(zbh_emu *e, char *const argv[], const char *log, char *err, size_t errlen)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 2, log ? log : "/dev/null",
                                              O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    if (rc == 0) rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (rc != 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
        close(out[0]);
        return -1;
    }
    e->pid = pid;
    e->port[0] = '\0';
    return out[0];
}

/* A folder and everything in it, without a shell (nftw, depth first, no symlinks followed). */
static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int zbh_remove_tree(const char *dir)
{
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One line (without its newline) from fd: 0, or -1 on timeout, error, signal or an empty line.
 * A last line without a newline counts, as with fgets. */
static int read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
    size_t n = 0;
    int64_t end = zb_now_ms() + timeout_ms;
    while (n + 1 < cap) {
        int64_t left = timeout_ms < 0 ? -1 : end - zb_now_ms();
        if (timeout_ms >= 0 && left <= 0) return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, (int)left) <= 0) return -1;
        char c;
        ssize_t k = read(fd, &c, 1);
        if (k < 0) return -1;
        if (k == 0 || c == '\n') break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return n ? 0 : -1;
}

int zbh_emu_wait_ready(zbh_emu *e, int fd, int timeout_ms, char *err, size_t errlen)
{
    int rc = read_line(fd, e->port, sizeof(e->port), timeout_ms);
    close(fd); /* zbemu writes nothing more to stdout */
    if (rc < 0) {
        snprintf(err, errlen, "zbemu (pid %d) did not print its port", (int)e->pid);
        zbh_emu_stop(e);
    }
    return rc;
}

int zbh_emu_stop(zbh_emu *e)
{
    if (e->pid <= 0) return 0;
    kill(e->pid, SIGTERM);
    int st = 0;
    /* up to 5 s, then SIGKILL; looks again after 0.5, 1, 2, 4, 8, 10, 10 ... ms: an emulator
     * usually exits within a millisecond, and a matrix stops two per cell */
    int64_t end = zb_now_ms() + 5000;
    for (long wait_us = 500;; wait_us = wait_us < 5000 ? wait_us * 2 : 10000) {
        pid_t r = waitpid(e->pid, &st, WNOHANG);
        if (r == e->pid) break;
        if (r < 0) {
            st = 0;
            break;
        }
        if (zb_now_ms() >= end) {
            kill(e->pid, SIGKILL);
            waitpid(e->pid, &st, 0);
            break;
        }
        struct timespec ts = {0, wait_us * 1000};
        nanosleep(&ts, NULL);
    }
    e->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
