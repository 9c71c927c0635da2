/* serial.c - the harness's link to a coordinator.
 *
 * Real sticks go through libserialport. Debian 12's libserialport (0.1.1) refuses
 * pseudo-terminals in sp_get_port_by_name (it looks the device up in sysfs), so a port it
 * cannot describe is opened with plain termios instead: same line settings, same read/write
 * semantics. Network coordinators (tcp://HOST:PORT, socket://HOST:PORT, the forms herdsman and
 * zigpy accept) are a TCP stream with the same semantics. Modem lines are left alone: toggling
 * DTR/RTS fails on a pty (ENOTTY) and resets some sticks; the drivers wake devices with frames.
 *
 * Exclusive access (issue 12): two hosts on one UART corrupt each other's frames and can leave
 * a half-written network, so a serial port is locked as node-serialport (`lock: true`) and
 * pyserial (`exclusive=True`) lock it - a non-blocking flock(LOCK_EX), then TIOCEXCL - and a
 * port someone else holds is refused before a byte is written, naming the holders found in
 * /proc/PID/fd. TIOCEXCL is cleared again on close, so the next host (herdsman, Zigbee2MQTT)
 * opens the port as usual. The flock stops only hosts that lock, so after it every other
 * process with the same device open (matched by st_rdev: a pty's master never counts) is
 * refused as well, naming it, unless --shared-port says it does not read (issue 26).
 *
 * A TCP bridge that serves another host accepts and closes at once; a link closed before its
 * first byte is remembered, so zbh_serial_explain can say so instead of "serial I/O error".
 *
 * Baud rates are set exactly or refused: a rate termios has no constant for is an error, never
 * a silent 115200, and libserialport's setting is read back.
 *
 * zbh_serial_from_fd wraps a socketpair end whose other end an emulator in the same process
 * serves (the in-process test tier, issue 14): the TCP read/write path, nothing to lock. */
#include "serial.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <libserialport.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define TCP_CONNECT_MS 5000

typedef enum { LINK_SP, LINK_TTY, LINK_TCP, LINK_FD } link_kind;

struct zbh_serial {
    char name[PATH_MAX + 32]; /* the port as given (a path, or tcp://HOST:PORT) */
    link_kind kind;
    struct sp_port *port; /* LINK_SP */
    int fd;               /* LINK_TTY, LINK_TCP, LINK_FD; LINK_SP: libserialport's fd */
    int excl;             /* TIOCEXCL set: clear it on close */
    int closed_silent;    /* LINK_TCP: the peer closed before sending a byte */
    uint64_t tx, rx;
};

static zbh_flow g_flow = ZBH_FLOW_NONE;
static int g_shared_port;

void zbh_serial_set_flow(zbh_flow f)
{
    g_flow = f;
}

void zbh_serial_set_shared(int shared)
{
    g_shared_port = shared;
}

static char g_private[16][256];
static unsigned g_n_private;

void zbh_serial_mark_private(const char *path)
{
    snprintf(g_private[g_n_private++ % 16], sizeof(g_private[0]), "%s", path);
}

static int is_private(const char *path)
{
    for (unsigned i = 0; i < 16 && i < g_n_private; i++)
        if (strcmp(g_private[i], path) == 0) return 1;
    return 0;
}

static const char *const FLOW_NAMES[] = {"none", "software", "hardware"};

const char *zbh_flow_name(zbh_flow f)
{
    return (unsigned)f < sizeof(FLOW_NAMES) / sizeof(FLOW_NAMES[0]) ? FLOW_NAMES[f] : "?";
}

int zbh_flow_parse(const char *s, zbh_flow *out)
{
    for (size_t i = 0; i < sizeof(FLOW_NAMES) / sizeof(FLOW_NAMES[0]); i++)
        if (strcmp(s, FLOW_NAMES[i]) == 0) {
            *out = (zbh_flow)i;
            return 0;
        }
    return -1;
}

/* The rates Linux termios has a constant for: what the termios path can set exactly. */
static const struct {
    int baud;
    speed_t speed;
} SPEEDS[] = {
    {50, B50},           {75, B75},           {110, B110},         {134, B134},
    {150, B150},         {200, B200},         {300, B300},         {600, B600},
    {1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};
#define N_SPEEDS (sizeof(SPEEDS) / sizeof(SPEEDS[0]))

static int speed_of(int baud, speed_t *out)
{
    for (size_t i = 0; i < N_SPEEDS; i++)
        if (SPEEDS[i].baud == baud) {
            *out = SPEEDS[i].speed;
            return 0;
        }
    return -1;
}

int zbh_serial_baud_check(int baud, char *err, size_t errlen)
{
    speed_t sp;
    if (speed_of(baud, &sp) == 0) return 0;
    size_t o = (size_t)snprintf(
        err, errlen, "--baud %d: not a rate the serial driver sets exactly; one of:", baud);
    for (size_t i = 0; i < N_SPEEDS && o < errlen; i++)
        o += (size_t)snprintf(err + o, errlen - o, " %d", SPEEDS[i].baud);
    return -1;
}

int zbh_parse_baud(const char *s, int *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v <= 0 || v > 4000000) {
        snprintf(err, errlen, "--baud '%s': not a baud rate", s);
        return -1;
    }
    if (zbh_serial_baud_check((int)v, err, errlen) != 0) return -1;
    *out = (int)v;
    return 0;
}

int zbh_serial_parse_url(const char *path, char *host, size_t hostcap, int *port, char *err,
                         size_t errlen)
{
    static const char *const SCHEMES[] = {"tcp://", "socket://"};
    const char *rest = NULL;
    for (size_t i = 0; i < sizeof(SCHEMES) / sizeof(SCHEMES[0]) && !rest; i++)
        if (strncmp(path, SCHEMES[i], strlen(SCHEMES[i])) == 0) rest = path + strlen(SCHEMES[i]);
    if (!rest) return 0;
    const char *h = rest, *hend, *colon;
    if (*h == '[') { /* [v6 address]:port */
        hend = strchr(h, ']');
        if (!hend || hend[1] != ':') goto bad;
        h++;
        colon = hend + 1;
    } else {
        colon = strrchr(h, ':');
        if (!colon) goto bad;
        hend = colon;
    }
    size_t hl = (size_t)(hend - h);
    if (hl == 0 || hl >= hostcap || memchr(h, '/', hl)) goto bad;
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end || errno || p < 1 || p > 65535) goto bad;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 1;
bad:
    snprintf(err, errlen, "%s: expected tcp://HOST:PORT or socket://HOST:PORT (PORT 1..65535)",
             path);
    return -1;
}

/* ---- exclusive access ---- */

/* "pid 1234 (node), pid 99 (flock)": the other processes that have the device WANT open (a
 * character device is matched by st_rdev, so a pty's master side, /dev/ptmx, never counts as
 * its slave). Returns how many were found. */
static int find_holders(const struct stat *want, char *out, size_t cap)
{
    out[0] = '\0';
    DIR *proc = opendir("/proc");
    if (!proc) return 0;
    size_t o = 0;
    int n = 0;
    pid_t self = getpid();
    struct dirent *pe;
    while ((pe = readdir(proc)) && o + 1 < cap) {
        char *end;
        long pid = strtol(pe->d_name, &end, 10);
        if (*end || pid <= 0 || pid == self) continue;
        char dir[64];
        snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
        DIR *fds = opendir(dir);
        if (!fds) continue;
        struct dirent *fe;
        int found = 0;
        while (!found && (fe = readdir(fds))) {
            char link[320];
            struct stat st;
            if (fe->d_name[0] == '.') continue;
            snprintf(link, sizeof(link), "%s/%s", dir, fe->d_name);
            if (stat(link, &st) != 0) continue;
            found = S_ISCHR(want->st_mode) ? S_ISCHR(st.st_mode) && st.st_rdev == want->st_rdev
                                           : st.st_dev == want->st_dev && st.st_ino == want->st_ino;
        }
        closedir(fds);
        if (!found) continue;
        char comm[64] = "?", cpath[64];
        snprintf(cpath, sizeof(cpath), "/proc/%ld/comm", pid);
        FILE *f = fopen(cpath, "r");
        if (f) {
            if (fgets(comm, sizeof(comm), f)) comm[strcspn(comm, "\n")] = '\0';
            fclose(f);
        }
        n++;
        int k = snprintf(out + o, cap - o, "%spid %ld (%s)", o ? ", " : "", pid, comm);
        if (k < 0 || (size_t)k >= cap - o) break;
        o += (size_t)k;
    }
    closedir(proc);
    return n;
}

static void in_use_error(const char *path, char *err, size_t errlen)
{
    char who[256] = "";
    struct stat want;
    if (stat(path, &want) == 0) find_holders(&want, who, sizeof(who));
    snprintf(err, errlen,
             "%s: in use by another program (%s); stop it (Zigbee2MQTT, ZHA, another "
             "zbharness) first: two hosts on one stick corrupt each other's frames",
             path, who[0] ? who : "holder not found in /proc");
}

/* The flock stops only hosts that lock. A reader that does not (ModemManager probing a
 * ttyACM, screen, cat, a root service) takes the stick's answers: the driver then sees
 * silence, and a restore can stop half-written. So after the flock every other process with
 * the same device open is refused too, unless the user says it does not read (--shared-port). */
static int refuse_unlocked_holders(int fd, const char *path, char *err, size_t errlen)
{
    struct stat want;
    if (g_shared_port || is_private(path)) return 0;
    if (fstat(fd, &want) != 0) {
        snprintf(err, errlen, "%s: cannot stat the open port: %s", path, strerror(errno));
        return -1;
    }
    char who[256];
    if (find_holders(&want, who, sizeof(who)) == 0) return 0;
    snprintf(err, errlen,
             "%s: also open in another program that did not lock it (%s); it would take the "
             "stick's answers and a restore could stop half-written: stop it, or pass "
             "--shared-port if you know it does not read",
             path, who);
    return -1;
}

static int lock_exclusive(zbh_serial *s, const char *path, char *err, size_t errlen)
{
    if (flock(s->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            in_use_error(path, err, errlen);
        } else {
            snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
        }
        return -1;
    }
    if (refuse_unlocked_holders(s->fd, path, err, errlen) != 0) return -1;
    if (ioctl(s->fd, TIOCEXCL) == 0) {
        s->excl = 1;
    } else if (errno != ENOTTY && errno != EINVAL) {
        snprintf(err, errlen, "%s: cannot take exclusive access (TIOCEXCL): %s", path,
                 strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- termios (ptys, anything libserialport cannot describe) ---- */

static void set_flow(struct termios *t, zbh_flow f)
{
    t->c_cflag &= ~(tcflag_t)CRTSCTS;
    t->c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    if (f == ZBH_FLOW_HARDWARE) t->c_cflag |= CRTSCTS;
    if (f == ZBH_FLOW_SOFTWARE) {
        t->c_iflag |= IXON | IXOFF;
        t->c_cc[VSTART] = 0x11;
        t->c_cc[VSTOP] = 0x13;
    }
}

static int tty_open(zbh_serial *s, const char *path, int baud, char *err, size_t errlen)
{
    speed_t speed;
    if (speed_of(baud, &speed) != 0) {
        char why[512];
        zbh_serial_baud_check(baud, why, sizeof(why));
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        if (errno == EBUSY)
            in_use_error(path, err, errlen);
        else
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(s->fd, &t) != 0) {
        snprintf(err, errlen, "%s: not a serial port: %s", path, strerror(errno));
        goto fail;
    }
    if (lock_exclusive(s, path, err, errlen) != 0) goto fail;
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB);
    set_flow(&t, g_flow);
    cfsetispeed(&t, speed);
    cfsetospeed(&t, speed);
    struct termios got;
    if (tcsetattr(s->fd, TCSANOW, &t) != 0 || tcgetattr(s->fd, &got) != 0) {
        snprintf(err, errlen, "%s: cannot configure: %s", path, strerror(errno));
        goto fail;
    }
    if (cfgetospeed(&got) != speed) {
        snprintf(err, errlen, "%s: the driver did not take --baud %d", path, baud);
        goto fail;
    }
    tcflush(s->fd, TCIOFLUSH);
    return 0;
fail:
    if (s->excl) ioctl(s->fd, TIOCNXCL);
    close(s->fd);
    s->fd = -1;
    s->excl = 0;
    return -1;
}

/* ---- TCP (network coordinators) ---- */

static int tcp_connect_one(const struct addrinfo *ai, int *soerr)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
        *soerr = errno;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            *soerr = errno;
            close(fd);
            return -1;
        }
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        int pr;
        while ((pr = poll(&pf, 1, TCP_CONNECT_MS)) < 0 && errno == EINTR)
            ;
        socklen_t sl = sizeof(*soerr);
        if (pr == 0) *soerr = ETIMEDOUT;
        if (pr <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, soerr, &sl) != 0 || *soerr) {
            if (pr < 0) *soerr = errno;
            close(fd);
            return -1;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    return fd;
}

static int tcp_open(zbh_serial *s, const char *path, const char *host, int port, char *err,
                    size_t errlen)
{
    char service[8];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    int gr = getaddrinfo(host, service, &hints, &res);
    if (gr != 0) {
        snprintf(err, errlen, "%s: cannot resolve host '%s': %s", path, host, gai_strerror(gr));
        return -1;
    }
    int soerr = 0;
    for (const struct addrinfo *ai = res; ai && s->fd < 0; ai = ai->ai_next)
        s->fd = tcp_connect_one(ai, &soerr);
    freeaddrinfo(res);
    if (s->fd < 0) {
        snprintf(err, errlen, "%s: cannot connect: %s", path, strerror(soerr));
        return -1;
    }
    LOG_INFO("%s: connected (baud rate and flow control are the bridge's)", path);
    return 0;
}

/* ---- fd read/write (termios and TCP) ---- */

static int fd_write(const zbh_serial *s, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = s->kind == LINK_TTY ? write(s->fd, p + done, n - done)
                                        : send(s->fd, p + done, n - done, MSG_NOSIGNAL);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return -1;
        struct pollfd pf = {.fd = s->fd, .events = POLLOUT};
        int pr = poll(&pf, 1, 1000);
        if (pr == 0) break;
        if (pr < 0 && errno != EINTR) return -1;
    }
    return (int)done;
}

static int fd_read(int fd, uint8_t *p, size_t cap, int timeout_ms)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    for (;;) {
        int pr = poll(&pf, 1, timeout_ms);
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) return -1;
        if (pr == 0) return 0;
        ssize_t r = read(fd, p, cap);
        if (r > 0) return (int)r;
        if (r == 0 || (pf.revents & (POLLHUP | POLLERR))) {
            errno = EIO; /* the other end (emulator, bridge) went away */
            return -1;
        }
        if (errno != EAGAIN && errno != EINTR) return -1;
    }
}

/* ---- libserialport (real serial devices) ---- */

static const char *sp_msg(void)
{
    char *m = sp_last_error_message();
    static char buf[256];
    snprintf(buf, sizeof(buf), "%s", m ? m : "unknown error");
    sp_free_error_message(m);
    return buf;
}

static const enum sp_flowcontrol SP_FLOW[] = {SP_FLOWCONTROL_NONE, SP_FLOWCONTROL_XONXOFF,
                                              SP_FLOWCONTROL_RTSCTS};

/* 0, or -1 + err: the rate did not stick (read back from the driver). */
static int sp_configure(zbh_serial *s, const char *path, int baud, char *err, size_t errlen)
{
    /* Each parameter on its own: the modem-line part of a whole sp_set_config is what fails on
     * odd drivers, and the lines are left alone on purpose. */
    if (sp_set_baudrate(s->port, baud) != SP_OK) {
        snprintf(err, errlen, "%s: --baud %d: %s", path, baud, sp_msg());
        return -1;
    }
    sp_set_bits(s->port, 8);
    sp_set_parity(s->port, SP_PARITY_NONE);
    sp_set_stopbits(s->port, 1);
    if (g_flow == ZBH_FLOW_HARDWARE) {
        if (sp_set_flowcontrol(s->port, SP_FLOW[g_flow]) != SP_OK) {
            snprintf(err, errlen, "%s: --flow-control hardware: %s", path, sp_msg());
            return -1;
        }
    } else {
        sp_set_xon_xoff(s->port,
                        g_flow == ZBH_FLOW_SOFTWARE ? SP_XONXOFF_INOUT : SP_XONXOFF_DISABLED);
        sp_set_cts(s->port, SP_CTS_IGNORE);
    }
    struct sp_port_config *cfg;
    int got = 0;
    if (sp_new_config(&cfg) == SP_OK) {
        if (sp_get_config(s->port, cfg) == SP_OK) sp_get_config_baudrate(cfg, &got);
        sp_free_config(cfg);
    }
    if (got != baud) {
        snprintf(err, errlen, "%s: --baud %d: the driver set %d", path, baud, got);
        return -1;
    }
    sp_flush(s->port, SP_BUF_BOTH);
    return 0;
}

static int sp_open_port(zbh_serial *s, const char *path, int baud, char *err, size_t errlen)
{
    if (sp_open(s->port, SP_MODE_READ_WRITE) != SP_OK) {
        if (errno == EBUSY)
            in_use_error(path, err, errlen);
        else
            snprintf(err, errlen, "%s: cannot open: %s", path, sp_msg());
        return -1;
    }
    if (sp_get_port_handle(s->port, &s->fd) != SP_OK || lock_exclusive(s, path, err, errlen) != 0 ||
        sp_configure(s, path, baud, err, errlen) != 0) {
        if (!err[0]) snprintf(err, errlen, "%s: no file descriptor: %s", path, sp_msg());
        if (s->excl) ioctl(s->fd, TIOCNXCL);
        sp_close(s->port);
        return -1;
    }
    return 0;
}

zbh_serial *zbh_serial_open(const char *path, int baud, char *err, size_t errlen)
{
    char host[256];
    int tcp_port = 0;
    if (errlen) err[0] = '\0';
    int url = zbh_serial_parse_url(path, host, sizeof(host), &tcp_port, err, errlen);
    if (url < 0) return NULL;
    zbh_serial *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->fd = -1;
    snprintf(s->name, sizeof(s->name), "%s", path);
    int rc;
    if (url) {
        s->kind = LINK_TCP;
        rc = tcp_open(s, path, host, tcp_port, err, errlen);
    } else if (sp_get_port_by_name(path, &s->port) != SP_OK) {
        s->port = NULL;
        s->kind = LINK_TTY;
        rc = tty_open(s, path, baud, err, errlen);
    } else {
        s->kind = LINK_SP;
        rc = sp_open_port(s, path, baud, err, errlen);
        if (rc != 0) sp_free_port(s->port);
    }
    if (rc != 0) {
        free(s);
        return NULL;
    }
    return s;
}

zbh_serial *zbh_serial_from_fd(int fd, const char *name, char *err, size_t errlen)
{
    int type = 0;
    socklen_t tl = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM) {
        snprintf(err, errlen, "%s: fd %d is not a stream socket", name, fd);
        close(fd);
        return NULL;
    }
    zbh_serial *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    s->kind = LINK_FD;
    s->fd = fd;
    snprintf(s->name, sizeof(s->name), "%s", name);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); /* fd_write/fd_read poll, as for ttys */
    return s;
}

void zbh_serial_close(zbh_serial *s)
{
    if (!s) return;
    if (s->excl) ioctl(s->fd, TIOCNXCL); /* the next host opens the port as usual */
    if (s->kind == LINK_SP) {
        sp_close(s->port); /* also drops the flock */
        sp_free_port(s->port);
    } else if (s->fd >= 0) {
        close(s->fd);
    }
    free(s);
}

int zbh_serial_write(zbh_serial *s, const uint8_t *p, size_t n)
{
    zb_log_frame("host tx", p, n, n < 4 ? n : 4);
    int r = s->kind == LINK_SP ? (int)sp_blocking_write(s->port, p, n, 1000) : fd_write(s, p, n);
    if (r < 0 || (size_t)r != n) {
        LOG_ERROR("serial write failed: %s", r >= 0               ? "timeout"
                                             : s->kind == LINK_SP ? sp_msg()
                                                                  : strerror(errno));
        return -1;
    }
    s->tx += n;
    return 0;
}

int zbh_serial_read(zbh_serial *s, uint8_t *p, size_t cap, int timeout_ms)
{
    int r = s->kind == LINK_SP ? (int)sp_blocking_read_next(s->port, p, cap, (unsigned)timeout_ms)
                               : fd_read(s->fd, p, cap, timeout_ms);
    if (r < 0) {
        if (s->kind == LINK_TCP && s->rx == 0 && (errno == EIO || errno == ECONNRESET))
            s->closed_silent = 1;
        LOG_ERROR("serial read failed: %s", s->kind == LINK_SP ? sp_msg() : strerror(errno));
        return -1;
    }
    if (r > 0) {
        s->rx += (uint64_t)r;
        zb_log_frame("host rx", p, (size_t)r, r < 4 ? (size_t)r : 4);
    }
    return (int)r;
}

void zbh_serial_counters(const zbh_serial *s, uint64_t *tx, uint64_t *rx)
{
    *tx = s->tx;
    *rx = s->rx;
}

/* A bridge (ser2net, SLZB-06, zbemu --tcp) that already serves another host accepts and closes
 * at once; the drivers would only see an I/O error and blame the protocol. */
int zbh_serial_explain(const zbh_serial *s, char *err, size_t errlen)
{
    if (!s || !s->closed_silent) return 0;
    const char *hostport = strstr(s->name, "://");
    snprintf(err, errlen,
             "the bridge at %s closed the connection: another host is probably connected to it",
             hostport ? hostport + 3 : s->name);
    return 1;
}

int zbh_serial_poll_fd(const zbh_serial *s)
{
    return s->fd;
}

const char *zbh_serial_name(const zbh_serial *s)
{
    return s->name;
}
