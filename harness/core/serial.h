/* serial.h - the harness's link to a coordinator: libserialport for real sticks, termios for
 * ptys that libserialport cannot describe, a TCP socket for network coordinators
 * (tcp://HOST:PORT, socket://HOST:PORT: SLZB-06, ser2net, ESPHome serial proxies); one API so
 * drivers do not care which. A serial port is held exclusively (flock + TIOCEXCL) while open. */
#ifndef ZB_SERIAL_H
#define ZB_SERIAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct zbh_serial zbh_serial;

typedef enum { ZBH_FLOW_NONE, ZBH_FLOW_SOFTWARE, ZBH_FLOW_HARDWARE } zbh_flow;

/* Opens PATH at `baud` 8N1 with the flow control set by zbh_serial_set_flow (default none).
 * A serial port is locked the way node-serialport (`lock: true`) and pyserial
 * (`exclusive=True`) lock it: flock(LOCK_EX|LOCK_NB), then TIOCEXCL; a port another process
 * holds is refused with the holders named (from /proc/PID/fd). A baud rate the port cannot be
 * set to exactly is refused. For tcp:// and socket:// baud and flow control do not apply (the
 * bridge owns the UART). Returns NULL with a message in err. */
zbh_serial *zbh_serial_open(const char *path, int baud, char *err, size_t errlen);
/* Wraps an already connected stream socket (one end of a socketpair whose other end an
 * in-process emulator serves: the in-process test tier) under NAME. Takes the fd: it is closed
 * by zbh_serial_close, and on failure here. No lock, baud or flow control. NULL + err. */
zbh_serial *zbh_serial_from_fd(int fd, const char *name, char *err, size_t errlen);
void zbh_serial_close(zbh_serial *s);
/* When the link itself explains why a driver got nothing (a tcp:// bridge closed the
 * connection before sending a byte: it serves another host), writes that to err and returns
 * 1; else 0 and err is untouched. */
int zbh_serial_explain(const zbh_serial *s, char *err, size_t errlen);
/* The descriptor to poll(2) for input (a tty, a socket, or libserialport's own fd). */
int zbh_serial_poll_fd(const zbh_serial *s);
/* The path it was opened with. */
const char *zbh_serial_name(const zbh_serial *s);
/* Writes all bytes (blocking up to 1 s). Returns 0 or -1. */
int zbh_serial_write(zbh_serial *s, const uint8_t *p, size_t n);
/* Reads what arrives within timeout_ms (at least one byte, or 0 on timeout; -1 on error). */
int zbh_serial_read(zbh_serial *s, uint8_t *p, size_t cap, int timeout_ms);
/* Bytes sent and received so far (for the benchmark's UART-time estimate). */
void zbh_serial_counters(const zbh_serial *s, uint64_t *tx, uint64_t *rx);

/* Nonzero: other processes holding the same serial device without a lock are tolerated (the
 * --shared-port option); by default a port open anywhere else is refused. */
void zbh_serial_set_shared(int shared);
/* The pty of an emulator this process started itself (harness/core/emuproc.c): nobody else was told
 * its name, so opening it skips the search of /proc for other holders (about 2,000 stat calls
 * an open on a busy machine, a fifth of a matrix cell's CPU). The flock and TIOCEXCL stay.
 * Remembers the last 16 paths. */
void zbh_serial_mark_private(const char *path);
/* Flow control for every port this process opens from now on (the --flow-control option). */
void zbh_serial_set_flow(zbh_flow f);
/* "none" | "software" | "hardware" -> *out. Returns 0, or -1 for anything else. */
int zbh_flow_parse(const char *s, zbh_flow *out);
const char *zbh_flow_name(zbh_flow f);
/* 0 when the termios path sets `baud` exactly (a Linux B constant), else -1 + a message
 * listing the rates it can set. */
int zbh_serial_baud_check(int baud, char *err, size_t errlen);
/* Parses a --baud value: a number the termios path sets exactly. 0, or -1 + err. */
int zbh_parse_baud(const char *s, int *out, char *err, size_t errlen);
/* Splits tcp://HOST:PORT or socket://HOST:PORT (HOST may be [v6]). Returns 1 for such a URL
 * (host and port filled), 0 for anything else (a device path), -1 + err for a tcp:// or
 * socket:// URL that is malformed. */
int zbh_serial_parse_url(const char *path, char *host, size_t hostcap, int *port, char *err,
                         size_t errlen);

#endif
