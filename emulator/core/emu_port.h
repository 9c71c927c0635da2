/* emu_port.h - the serial endpoint an emulator serves: a pty pair (what a USB stick looks
 * like to a host), a TCP socket on 127.0.0.1 (what ser2net-style setups look like), or one
 * end of a socketpair a test hands in (emu_options.host_fd: the in-process test tier). */
#ifndef ZB_EMU_PORT_H
#define ZB_EMU_PORT_H

#include "emu.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

enum { EMU_PORT_OPENED = 1, EMU_PORT_CLOSED = 2 };

typedef struct emu_port {
    int master;    /* pty master, or -1 */
    int listen_fd; /* tcp listener, or -1 */
    int client_fd; /* tcp client or the host_fd socket, or -1 */
    int fd_port;   /* serving emu_options.host_fd: no listener, one session only */
    int opening;   /* fd_port: the host's "open" is reported at the next service */
    int ended;     /* fd_port: the host closed its end; nobody can connect again */
    int connected;
    int ino_fd;     /* inotify on the pty slave: IN_OPEN / IN_CLOSE, or -1 (then: polling) */
    int opens;      /* the slave's opens minus closes, as inotify reports them */
    int idle_looks; /* no inotify: looks for a host in vain since the last close */
    char path[256]; /* pty slave path, or tcp://127.0.0.1:PORT */
    char *link_path;
} emu_port;

int emu_port_open(emu_port *p, const emu_options *o, char *err, size_t errlen);
void emu_port_close(emu_port *p);
/* Fills pfd (up to 2 entries) for the next poll; returns the count. */
int emu_port_pollfds(emu_port *p, struct pollfd *pfd, int want_write);
/* How often to look for a host opening an idle pty (ms), or -1 when poll() tells us. */
int emu_port_idle_ms(const emu_port *p);
/* After poll: detects open/close and reads what arrived into rx. Returns EMU_PORT_* bits. */
int emu_port_service(emu_port *p, const struct pollfd *pfd, int n, uint8_t *rx, size_t cap,
                     size_t *got);
/* Writes what it can of buf[0..*len) and keeps the rest at the front. */
void emu_port_flush(emu_port *p, uint8_t *buf, size_t *len);

#endif
