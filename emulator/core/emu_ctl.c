/* emu_ctl.c - the modem-line report socket of a pty port.
 *
 * WHY: a pty has no DTR/RTS, so a host's line toggles never reach the emulator. The LD_PRELOAD
 * library preload/zbmodem.c makes those ioctls succeed on the pty slave and sends each new line
 * state as a datagram "DTR=d RTS=r" to /tmp/zbemu-pts-N.sock (N from /dev/pts/N: both sides
 * derive the path from the pty alone). This file owns that socket: bound at start, polled by
 * the loop, removed at exit. */
#include "emu_ctl.h"

#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int emu_ctl_path(const char *pty_path, char *out, size_t outlen)
{
    const char *prefix = "/dev/pts/";
    size_t pl = strlen(prefix);
    if (strncmp(pty_path, prefix, pl) != 0) return -1;
    char *end;
    errno = 0;
    long n = strtol(pty_path + pl, &end, 10);
    if (errno || end == pty_path + pl || *end || n < 0) return -1;
    int w = snprintf(out, outlen, "/tmp/zbemu-pts-%ld.sock", n);
    return (w < 0 || (size_t)w >= outlen) ? -1 : 0;
}

int emu_ctl_open(emu_ctl *c, const char *pty_path)
{
    c->fd = -1;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (emu_ctl_path(pty_path, c->path, sizeof(c->path)) < 0 ||
        strlen(c->path) >= sizeof(sa.sun_path)) {
        LOG_WARN("%s: not a /dev/pts/N pty, no modem-line reports", pty_path);
        c->path[0] = 0;
        return -1;
    }
    memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
    c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    /* a file left by an emulator that was killed on this pty number: this pty is ours now */
    unlink(c->path);
    if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        LOG_WARN("%s: %s (modem-line reports from libzbmodem.so are off)", c->path,
                 strerror(errno));
        if (c->fd >= 0) close(c->fd);
        c->fd = -1;
        c->path[0] = 0;
        return -1;
    }
    return 0;
}

void emu_ctl_close(emu_ctl *c)
{
    if (c->fd >= 0) close(c->fd);
    if (c->path[0]) unlink(c->path);
    c->fd = -1;
    c->path[0] = 0;
}

int emu_ctl_pollfd(const emu_ctl *c, struct pollfd *pfd)
{
    if (c->fd < 0) return 0;
    *pfd = (struct pollfd){c->fd, POLLIN, 0};
    return 1;
}

int emu_ctl_parse(const char *msg, int *dtr, int *rts)
{
    int d, r, end = 0;
    if (sscanf(msg, "DTR=%d RTS=%d%n", &d, &r, &end) != 2 || msg[end] != 0) return -1;
    if ((d != 0 && d != 1) || (r != 0 && r != 1)) return -1;
    *dtr = d;
    *rts = r;
    return 0;
}

int emu_ctl_read(emu_ctl *c, int *dtr, int *rts)
{
    char buf[64];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof(buf) - 1, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return 0; /* EAGAIN: nothing (more) queued */
        buf[n] = 0;
        if (emu_ctl_parse(buf, dtr, rts) == 0) return 1;
        LOG_WARN("%s: ignored a malformed modem-line report (%zd bytes)", c->path, n);
    }
}
