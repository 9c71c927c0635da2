/* emu_port.c - pty and TCP endpoints.
 *
 * A pty master cannot be told "the host opened the slave"; what Linux does tell is POLLHUP on
 * the master while no process has the slave open. So the emulator keeps no slave fd of its own
 * and, while idle, looks every few milliseconds whether the hang-up has cleared: that moment is
 * the "port open" a real stick sees as a reset, and the front end is told about it.
 *
 * Where inotify works on the slave node (Linux devpts does) its IN_OPEN / IN_CLOSE events say
 * the same at once, with no polling: a host is answered without waiting for the next look,
 * idle emulators do not wake up at all, and a host that closes and reopens between two looks
 * is still seen as a new session (the ZBOSS LL sequence numbers must restart). Issue 8.
 *
 * A socketpair end (emu_options.host_fd) is the in-process test tier's port (issue 14): the
 * harness drivers talk to an emulator running in a thread of the same test process, with the
 * same framing and the same open/close events as over a pty, and no pty, process or timing
 * of either in between. It serves exactly one session: the host's hang-up ends emu_run. */
#include "emu_port.h"
#include "emu_link.h"

#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define IDLE_POLL_MS 10
/* Without inotify, after this many looks in vain (1 s) look every IDLE_SLOW_MS: hundreds of
 * idle emulators looking 100 times a second kept two CPUs busy (BENCHMARKS.md, scale). */
#define IDLE_FAST_LOOKS 100
#define IDLE_SLOW_MS    50

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_pty(emu_port *p, const emu_options *o, char *err, size_t errlen)
{
    int slave;
    struct termios tio;
    if (openpty(&p->master, &slave, p->path, NULL, NULL) < 0) {
        snprintf(err, errlen, "openpty: %s", strerror(errno));
        return -1;
    }
    /* raw 8N1, no echo, no flow control: what every host library sets anyway */
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
        cfsetispeed(&tio, B115200);
        cfsetospeed(&tio, B115200);
        tcsetattr(slave, TCSANOW, &tio);
    }
    close(slave);
    fcntl(p->master, F_SETFD, FD_CLOEXEC);
    set_nonblock(p->master);
    p->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (p->ino_fd >= 0 && inotify_add_watch(p->ino_fd, p->path, IN_OPEN | IN_CLOSE) < 0) {
        close(p->ino_fd); /* no events: fall back to looking every IDLE_POLL_MS */
        p->ino_fd = -1;
    }
    if (o->link_path) {
        if (emu_link_create(o->link_path, p->path, err, errlen) < 0) {
            close(p->master);
            if (p->ino_fd >= 0) close(p->ino_fd);
            return -1;
        }
        p->link_path = strdup(o->link_path);
    }
    return 0;
}

/* PORT, or EMU_TCP_ANY for a free one (parallel CI: `zbemu --tcp 0`, then read the first
 * stdout line). The path printed is always the port actually bound. */
static int open_tcp(emu_port *p, int port, char *err, size_t errlen)
{
    if (port == EMU_TCP_ANY) port = 0;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->listen_fd < 0 ||
        setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(p->listen_fd, 1) < 0) {
        snprintf(err, errlen, "--tcp %d: %s", port, strerror(errno));
        if (p->listen_fd >= 0) close(p->listen_fd);
        return -1;
    }
    socklen_t sl = sizeof(sa);
    getsockname(p->listen_fd, (struct sockaddr *)&sa, &sl);
    snprintf(p->path, sizeof(p->path), "tcp://127.0.0.1:%d", ntohs(sa.sin_port));
    set_nonblock(p->listen_fd);
    return 0;
}

/* The socket is connected already; its "open" is reported on the loop's first turn, so the
 * front end sees on_open as it would for a pty or a TCP client. */
static int open_fd(emu_port *p, int fd, char *err, size_t errlen)
{
    int type = 0;
    socklen_t tl = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM) {
        snprintf(err, errlen, "host fd %d: not a stream socket", fd);
        close(fd);
        return -1;
    }
    if (set_nonblock(fd) < 0) {
        snprintf(err, errlen, "host fd %d: %s", fd, strerror(errno));
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    p->client_fd = fd;
    p->fd_port = p->opening = 1;
    snprintf(p->path, sizeof(p->path), "socketpair:%d", fd);
    return 0;
}

int emu_port_open(emu_port *p, const emu_options *o, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    p->master = p->listen_fd = p->client_fd = p->ino_fd = -1;
    if (o->host_fd > 0) return open_fd(p, o->host_fd, err, errlen);
    return o->tcp_port ? open_tcp(p, o->tcp_port, err, errlen) : open_pty(p, o, err, errlen);
}

void emu_port_close(emu_port *p)
{
    if (p->master >= 0) close(p->master);
    if (p->listen_fd >= 0) close(p->listen_fd);
    if (p->client_fd >= 0) close(p->client_fd);
    if (p->ino_fd >= 0) close(p->ino_fd);
    if (p->link_path) {
        emu_link_remove(p->link_path, p->path);
        free(p->link_path);
    }
    p->master = p->listen_fd = p->client_fd = p->ino_fd = -1;
    p->link_path = NULL;
}

int emu_port_pollfds(emu_port *p, struct pollfd *pfd, int want_write)
{
    /* TCP with a host connected: also the listener, to turn a second host away at once (a
     * stick has one UART; ser2net does the same) instead of leaving it in the backlog. */
    short ev = (short)(POLLIN | (want_write ? POLLOUT : 0));
    if (p->master >= 0) {
        int n = 0;
        if (p->connected) pfd[n++] = (struct pollfd){p->master, ev, 0};
        /* not connected: POLLHUP on the master would spin; inotify or emu_port_idle_ms */
        if (p->ino_fd >= 0) pfd[n++] = (struct pollfd){p->ino_fd, POLLIN, 0};
        return n;
    }
    if (p->client_fd >= 0) {
        pfd[0] = (struct pollfd){p->client_fd, ev, 0};
        if (p->listen_fd < 0) return 1; /* fd_port */
        pfd[1] = (struct pollfd){p->listen_fd, POLLIN, 0};
        return 2;
    }
    pfd[0] = (struct pollfd){p->listen_fd, POLLIN, 0};
    return 1;
}

int emu_port_idle_ms(const emu_port *p)
{
    if (p->opening) return 0; /* report the host_fd's open at once */
    if (p->master < 0 || p->connected || p->ino_fd >= 0) return -1;
    return p->idle_looks < IDLE_FAST_LOOKS ? IDLE_POLL_MS : IDLE_SLOW_MS;
}

static int pty_check_open(emu_port *p)
{
    struct pollfd q = {p->master, POLLIN, 0};
    if (poll(&q, 1, 0) < 0 || (q.revents & POLLHUP)) {
        p->idle_looks++;
        return 0;
    }
    p->idle_looks = 0;
    /* Drop only what we wrote that a previous host never read. What the new host has already
     * written (its first SYS_PING, often within these 10 ms) must be answered, not flushed. */
    tcflush(p->master, TCOFLUSH);
    p->connected = 1;
    return EMU_PORT_OPENED;
}

static void pty_opened(emu_port *p)
{
    tcflush(p->master, TCOFLUSH); /* see pty_check_open */
    p->connected = 1;
}

/* One inotify event. A close then an open is a new session (both bits); an open then a close
 * before we looked is nothing at all. */
static int ino_event(emu_port *p, uint32_t mask, int ev)
{
    if (mask & IN_OPEN) {
        p->opens++;
        if (!p->connected) {
            pty_opened(p);
            ev |= EMU_PORT_OPENED;
        }
    }
    if ((mask & IN_CLOSE) && p->opens > 0 && --p->opens == 0 && p->connected) {
        p->connected = 0;
        ev = (ev & EMU_PORT_OPENED) ? ev & ~EMU_PORT_OPENED : ev | EMU_PORT_CLOSED;
    }
    if (mask & IN_Q_OVERFLOW) p->opens = p->connected; /* lost count: trust the state */
    return ev;
}

static int ino_service(emu_port *p)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int ev = 0;
    ssize_t n;
    while ((n = read(p->ino_fd, buf, sizeof(buf))) > 0)
        for (char *q = buf; q + sizeof(struct inotify_event) <= buf + n;) {
            const struct inotify_event *ie = (const struct inotify_event *)q;
            ev = ino_event(p, ie->mask, ev);
            q += sizeof(*ie) + ie->len;
        }
    return ev;
}

static int read_into(int fd, uint8_t *rx, size_t cap, size_t *got)
{
    ssize_t n = read(fd, rx, cap);
    if (n > 0) {
        *got = (size_t)n;
        return 0;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    return -1; /* EOF, or EIO on a pty whose slave was closed */
}

static int tcp_accept(emu_port *p)
{
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0) return 0;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    set_nonblock(fd);
    p->client_fd = fd;
    p->connected = 1;
    return EMU_PORT_OPENED;
}

/* A second host while one is connected: accepted and closed at once (it reads EOF). Only
 * while the connected host has nothing unread: a host that closes and reconnects at once (as
 * --stack auto and round trips do) may have left its last bytes and its end of stream in the
 * socket; those are read first, the hang-up seen, and the waiting host is then the next one. */
static void tcp_refuse(emu_port *p)
{
    uint8_t b;
    if (recv(p->client_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) >= 0 ||
        (errno != EAGAIN && errno != EWOULDBLOCK))
        return;
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0) return;
    LOG_WARN("a second host connected while one is connected: closed it");
    close(fd);
}

int emu_port_service(emu_port *p, const struct pollfd *pfd, int n, uint8_t *rx, size_t cap,
                     size_t *got)
{
    *got = 0;
    if (p->opening) {
        p->opening = 0;
        p->connected = 1;
        return EMU_PORT_OPENED;
    }
    if (p->ino_fd >= 0) {
        /* only when inotify has something: a read of an empty one is a syscall every turn */
        int ev = 0;
        for (int i = 0; i < n; i++)
            if (pfd[i].fd == p->ino_fd && pfd[i].revents) ev = ino_service(p);
        /* a session began or ended: the master's revents predate it; read on the next turn */
        if (ev || !p->connected) return ev;
    } else if (p->master >= 0 && !p->connected) {
        return pty_check_open(p);
    }
    if (p->master < 0 && p->client_fd < 0) return n > 0 && pfd[0].revents ? tcp_accept(p) : 0;
    if (p->client_fd >= 0 && n > 1 && pfd[1].revents) tcp_refuse(p);
    if (n <= 0 || !pfd[0].revents) return 0;
    int fd = pfd[0].fd;
    if ((pfd[0].revents & POLLIN) && read_into(fd, rx, cap, got) == 0) return 0;
    if (!(pfd[0].revents & (POLLHUP | POLLERR | POLLIN))) return 0;
    /* hang-up (or a failed read): the host closed its end */
    if (p->client_fd >= 0) {
        close(p->client_fd);
        p->client_fd = -1;
    }
    p->ended = p->fd_port;
    p->connected = 0;
    p->idle_looks = 0; /* a host that just closed often reopens soon: look fast for a while */
    return EMU_PORT_CLOSED;
}

void emu_port_flush(emu_port *p, uint8_t *buf, size_t *len)
{
    int fd = p->master >= 0 ? p->master : p->client_fd;
    if (fd < 0 || !p->connected) {
        *len = 0;
        return;
    }
    size_t done = 0;
    while (done < *len) {
        ssize_t w = write(fd, buf + done, *len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* EAGAIN: poll for POLLOUT; other errors surface as a hang-up */
        done += (size_t)w;
    }
    memmove(buf, buf + done, *len - done);
    *len -= done;
}
