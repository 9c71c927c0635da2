/* zbmodem.c - LD_PRELOAD library: modem-line ioctls that work on the emulator's pty.
 *
 * WHY: host tools (zigbee-herdsman's CC2652 "skip bootloader", zigpy-znp's connect, flashers)
 * reset a stick by toggling DTR/RTS with ioctl(TIOCMSET/TIOCMBIS/TIOCMBIC). A Linux pty has no
 * modem lines and answers ENOTTY, which aborts those tools. Preloaded, this library keeps the
 * two output lines per fd for pty slaves, makes the ioctls succeed, and tells the emulator each
 * time the host sets them, so the emulator can do what the real stick does (reset, bootloader).
 *
 * Report channel: a UNIX datagram "DTR=d RTS=r" to /tmp/zbemu-pts-N.sock, N being the pty's
 * number (/dev/pts/N). zbemu binds that socket for its pty (emulator/core/emu_ctl.c). No socket (not
 * an emulator's pty): the ioctl still succeeds and nothing is sent. Every other ioctl, and every
 * ioctl on anything that is not a pty slave, goes to the real ioctl untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define PTS_MAJOR_FIRST 136 /* UNIX98_PTY_SLAVE_MAJOR */
#define PTS_MAJOR_LAST  143 /* + UNIX98_PTY_MAJOR_COUNT - 1 */
#define MAX_FDS         64
#define OUT_LINES       (TIOCM_DTR | TIOCM_RTS)
/* what a freshly opened serial port shows: Linux raises DTR/RTS on open; the "stick" is there */
#define INITIAL_LINES (TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD)

typedef int (*ioctl_fn)(int, unsigned long, ...);

struct line_state {
    int used;
    int fd;
    dev_t rdev;
    int bits;
};

static struct line_state g_fds[MAX_FDS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* node calls from libuv workers */

static ioctl_fn real_ioctl(void)
{
    static ioctl_fn fn;
    if (!fn) fn = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
    return fn;
}

static int is_modem_request(unsigned long req)
{
    return req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC;
}

/* A pty slave is a character device with a UNIX98 pty slave major; its number is N. */
static int pty_number(int fd, dev_t *rdev)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) return -1;
    unsigned maj = major(st.st_rdev);
    if (maj < PTS_MAJOR_FIRST || maj > PTS_MAJOR_LAST) return -1;
    *rdev = st.st_rdev;
    return (int)((maj - PTS_MAJOR_FIRST) * 256 + minor(st.st_rdev));
}

/* The entry for (fd, device); a new one starts as a freshly opened port. Caller holds g_lock. */
static struct line_state *lookup(int fd, dev_t rdev)
{
    struct line_state *free_slot = NULL;
    for (int i = 0; i < MAX_FDS; i++) {
        if (g_fds[i].used && g_fds[i].fd == fd) {
            if (g_fds[i].rdev == rdev) return &g_fds[i];
            g_fds[i].used = 0; /* the fd was closed and reused for another pty */
        }
        if (!g_fds[i].used && !free_slot) free_slot = &g_fds[i];
    }
    if (!free_slot) free_slot = &g_fds[(unsigned)fd % MAX_FDS]; /* evict: lines restart */
    *free_slot = (struct line_state){1, fd, rdev, INITIAL_LINES};
    return free_slot;
}

static void report(int pts, int bits)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/zbemu-pts-%d.sock", pts);
    char msg[32];
    int n = snprintf(msg, sizeof(msg), "DTR=%d RTS=%d", !!(bits & TIOCM_DTR), !!(bits & TIOCM_RTS));
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    /* ENOENT / ECONNREFUSED: not an emulator's pty (or it is gone); the host must not care */
    (void)sendto(s, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa,
                 sizeof(sa));
    close(s);
}

/* Applies one modem-line request to the fd's state. Returns 0, or -1 with errno. */
static int modem_ioctl(int fd, int pts, dev_t rdev, unsigned long req, int *arg)
{
    if (!arg) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&g_lock);
    struct line_state *ls = lookup(fd, rdev);
    if (req == TIOCMGET) {
        *arg = ls->bits;
    } else if (req == TIOCMSET) {
        ls->bits = (ls->bits & ~OUT_LINES) | (*arg & OUT_LINES);
    } else if (req == TIOCMBIS) {
        ls->bits |= *arg & OUT_LINES;
    } else {
        ls->bits &= ~(*arg & OUT_LINES);
    }
    int after = ls->bits;
    pthread_mutex_unlock(&g_lock);
    if (req != TIOCMGET)
        report(pts, after); /* every set, changed or not: the emulator is
                              idempotent and may have missed an earlier one */
    return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    ioctl_fn next = real_ioctl();
    if (is_modem_request(req)) {
        int saved = errno;
        dev_t rdev;
        int pts = pty_number(fd, &rdev);
        errno = saved;
        if (pts >= 0) {
            int rc = modem_ioctl(fd, pts, rdev, req, arg);
            if (rc == 0) errno = saved;
            return rc;
        }
    }
    if (!next) {
        errno = ENOSYS;
        return -1;
    }
    return next(fd, req, arg);
}
