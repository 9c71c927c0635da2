/* prerestore.c - the pre-restore backup and the recovery advice (see prerestore.h). A file
 * that is the only copy of someone's home network must never replace another file, never be
 * written through a symlink, and be on disk (fsync) before the device is touched. */
#include "prerestore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Creates `path` (O_EXCL|O_NOFOLLOW, 0600) with `text`, on disk before it returns. Returns 0,
 * or -1 with errno (EEXIST: the name is taken) and nothing left behind. */
static int write_new(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int rc = write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0 ? 0 : -1;
    int e = errno;
    if (close(fd) < 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc < 0) {
        unlink(path); /* nothing partial */
        errno = e;
        return -1;
    }
    /* the directory entry on disk too */
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int zbh_backup_write_new(const ocb_backup *b, const char *path)
{
    char *text = ocb_emit(b);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    int rc = write_new(path, text);
    int e = errno;
    free(text);
    errno = e;
    return rc;
}

int zbh_prerestore_write(const ocb_backup *cur, const char *dir, char *path, size_t cap)
{
    return zbh_backup_write_named(cur, dir, "zbharness-prerestore", path, cap);
}

int zbh_backup_write_named(const ocb_backup *cur, const char *dir, const char *prefix, char *path,
                           size_t cap)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm)) {
        errno = EINVAL;
        return -1;
    }
    char *text = ocb_emit(cur);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    /* an absolute path: the printed recovery command works from any directory */
    char absdir[4096];
    if (!realpath(dir ? dir : ".", absdir)) {
        int e = errno;
        snprintf(path, cap, "%s", dir ? dir : ".");
        free(text);
        errno = e;
        return -1;
    }
    int rc = -1;
    for (int n = 1; n < 100; n++) {
        char suffix[8] = "";
        if (n > 1) snprintf(suffix, sizeof(suffix), "-%d", n);
        int k = snprintf(path, cap, "%s/%s-%016llx-%s%s.json", absdir, prefix,
                         (unsigned long long)cur->coordinator_ieee, stamp, suffix);
        if (k < 0 || (size_t)k >= cap) {
            errno = ENAMETOOLONG;
            break;
        }
        if ((rc = write_new(path, text)) == 0 || errno != EEXIST) break; /* EEXIST: next name */
    }
    int e = errno;
    free(text);
    errno = e;
    return rc;
}

void zbh_recovery_advice(char *out, size_t cap, const char *stack, const char *port,
                         const char *pre_backup)
{
    if (pre_backup && pre_backup[0])
        snprintf(out, cap,
                 "The device may be half-written. Its previous network is in the pre-restore "
                 "backup %s; to put it back, run:\n"
                 "  zbharness restore --stack %s --port %s --backup %s --force\n",
                 pre_backup, stack, port, pre_backup);
    else
        snprintf(out, cap,
                 "The device may be half-written. It held no network before (nothing to put "
                 "back); run the restore again.\n");
}

static char g_advice[1536];
static size_t g_advice_len;
static struct sigaction g_old[3];
static const int SIGS[3] = {SIGINT, SIGTERM, SIGHUP};
static int g_armed;

static void on_signal(int sig)
{
    static const char head[] = "\nzbharness restore: interrupted.\n";
    ssize_t w = write(STDERR_FILENO, head, sizeof(head) - 1);
    w = write(STDERR_FILENO, g_advice, g_advice_len);
    (void)w;
    (void)sig;
    _exit(1);
}

void zbh_interrupt_arm(const char *advice)
{
    sigset_t block, old;
    sigemptyset(&block);
    for (int i = 0; i < 3; i++)
        sigaddset(&block, SIGS[i]);
    sigprocmask(SIG_BLOCK, &block, &old); /* no half-updated message on a signal */
    snprintf(g_advice, sizeof(g_advice), "%s", advice);
    g_advice_len = strlen(g_advice);
    if (!g_armed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int i = 0; i < 3; i++)
            sigaction(SIGS[i], &sa, &g_old[i]);
        g_armed = 1;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void zbh_interrupt_disarm(void)
{
    if (!g_armed) return;
    for (int i = 0; i < 3; i++)
        sigaction(SIGS[i], &g_old[i], NULL);
    g_armed = 0;
}
