/* serial.c - the harness's serial link. Real sticks go through libserialport. Debian 12's
 * libserialport (0.1.1) refuses pseudo-terminals in sp_get_port_by_name (it looks the device
 * up in sysfs), so a port it cannot describe is opened with plain termios instead: same line
 * settings, same read/write semantics. Modem lines are left alone either way: toggling DTR/RTS
 * fails on a pty (ENOTTY) and resets some sticks; the drivers wake devices with frames only. */
#include "serial.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct zbh_serial {
    char name[256];
    struct sp_port *port; /* libserialport, or NULL for the termios fallback */
    int fd;               /* termios fallback */
    uint64_t tx, rx;
};

static const char *sp_msg(void)
{
    char *m = sp_last_error_message();
    static char buf[256];
    snprintf(buf, sizeof(buf), "%s", m ? m : "unknown error");
    sp_free_error_message(m);
    return buf;
}

static speed_t tty_speed(int baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 230400: return B230400;
    case 460800: return B460800;
    default: return B115200;
    }
}

static int tty_open(zbh_serial *s, const char *path, int baud, char *err, size_t errlen)
{
    s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(s->fd, &t) != 0) {
        snprintf(err, errlen, "%s: not a serial port: %s", path, strerror(errno));
        close(s->fd);
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(CRTSCTS | CSTOPB | PARENB);
    t.c_iflag &= ~(IXON | IXOFF | IXANY);
    cfsetispeed(&t, tty_speed(baud));
    cfsetospeed(&t, tty_speed(baud));
    if (tcsetattr(s->fd, TCSANOW, &t) != 0) {
        snprintf(err, errlen, "%s: cannot configure: %s", path, strerror(errno));
        close(s->fd);
        return -1;
    }
    tcflush(s->fd, TCIOFLUSH);
    return 0;
}

static int tty_write(int fd, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return -1;
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        int pr = poll(&pf, 1, 1000);
        if (pr == 0) break;
        if (pr < 0 && errno != EINTR) return -1;
    }
    return (int)done;
}

static int tty_read(int fd, uint8_t *p, size_t cap, int timeout_ms)
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
            errno = EIO; /* the other end (emulator) went away */
            return -1;
        }
        if (errno != EAGAIN && errno != EINTR) return -1;
    }
}

zbh_serial *zbh_serial_open(const char *path, int baud, char *err, size_t errlen)
{
    zbh_serial *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->fd = -1;
    snprintf(s->name, sizeof(s->name), "%s", path);
    if (sp_get_port_by_name(path, &s->port) != SP_OK) {
        s->port = NULL;
        if (tty_open(s, path, baud, err, errlen) != 0) {
            free(s);
            return NULL;
        }
        return s;
    }
    if (sp_open(s->port, SP_MODE_READ_WRITE) != SP_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", path, sp_msg());
        sp_free_port(s->port);
        free(s);
        return NULL;
    }
    /* On a pty the modem-line part of the configuration fails with ENOTTY; set the line
     * parameters one by one and ignore only those failures. */
    sp_set_baudrate(s->port, baud);
    sp_set_bits(s->port, 8);
    sp_set_parity(s->port, SP_PARITY_NONE);
    sp_set_stopbits(s->port, 1);
    sp_set_xon_xoff(s->port, SP_XONXOFF_DISABLED);
    sp_flush(s->port, SP_BUF_BOTH);
    return s;
}

void zbh_serial_close(zbh_serial *s)
{
    if (!s) return;
    if (s->port) {
        sp_close(s->port);
        sp_free_port(s->port);
    } else {
        close(s->fd);
    }
    free(s);
}

int zbh_serial_write(zbh_serial *s, const uint8_t *p, size_t n)
{
    zb_log_frame("host tx", p, n, n < 4 ? n : 4);
    int r = s->port ? (int)sp_blocking_write(s->port, p, n, 1000) : tty_write(s->fd, p, n);
    if (r < 0 || (size_t)r != n) {
        LOG_ERROR("serial write failed: %s", r >= 0    ? "timeout"
                                             : s->port ? sp_msg()
                                                       : strerror(errno));
        return -1;
    }
    s->tx += n;
    return 0;
}

int zbh_serial_read(zbh_serial *s, uint8_t *p, size_t cap, int timeout_ms)
{
    int r = s->port ? (int)sp_blocking_read_next(s->port, p, cap, (unsigned)timeout_ms)
                    : tty_read(s->fd, p, cap, timeout_ms);
    if (r < 0) {
        LOG_ERROR("serial read failed: %s", s->port ? sp_msg() : strerror(errno));
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

const char *zbh_serial_name(const zbh_serial *s)
{
    return s->name;
}
