/* emuproc.c - starting and stopping zbemu for --emulate runs. The emulator prints its pty on
 * the first line of stdout; its log goes to a file beside its NVRAM so a failed cell can be
 * read afterwards. */
#include "emuproc.h"

#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
    for (int i = 0; extra && extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int out[2];
    if (pipe(out) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (pid == 0) {
        int logfd = open(e->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        dup2(out[1], 1);
        if (logfd >= 0) dup2(logfd, 2);
        execv(exe, (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(out[1]);
    e->pid = pid;
    /* the first line is the port; zbemu prints it once the pty exists */
    FILE *f = fdopen(out[0], "r");
    if (!f || !fgets(e->port, sizeof(e->port), f) || strncmp(e->port, "/dev/", 5) != 0) {
        snprintf(err, errlen, "%s did not start (see %s)", exe, e->log);
        if (f) fclose(f);
        zbh_emu_stop(e);
        return -1;
    }
    e->port[strcspn(e->port, "\n")] = '\0';
    fclose(f); /* zbemu writes nothing more to stdout */
    return 0;
}

int zbh_emu_stop(zbh_emu *e)
{
    if (e->pid <= 0) return 0;
    kill(e->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 500; i++) { /* up to 5 s, then SIGKILL */
        pid_t r = waitpid(e->pid, &st, WNOHANG);
        if (r == e->pid) break;
        if (r < 0) {
            st = 0;
            break;
        }
        if (i == 499) {
            kill(e->pid, SIGKILL);
            waitpid(e->pid, &st, 0);
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    e->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
