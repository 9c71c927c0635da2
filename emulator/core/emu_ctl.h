/* emu_ctl.h - modem-line (DTR/RTS) reports for a pty port, sent by preload/zbmodem.c.
 *
 * WHY a separate channel: a pty carries bytes only. The path convention is the contract with
 * the LD_PRELOAD library: /dev/pts/N is served with /tmp/zbemu-pts-N.sock (UNIX datagram). */
#ifndef ZB_EMU_CTL_H
#define ZB_EMU_CTL_H

#include <poll.h>
#include <stddef.h>

typedef struct emu_ctl {
    int fd; /* -1: no socket (TCP port, or it could not be created) */
    char path[108];
} emu_ctl;

/* The socket path for a pty slave path "/dev/pts/N". Returns 0, or -1 for any other path. */
int emu_ctl_path(const char *pty_path, char *out, size_t outlen);
/* Binds the socket (replacing a stale file). Returns 0, or -1 after a warning: the emulator
 * then runs without modem-line reports. */
int emu_ctl_open(emu_ctl *c, const char *pty_path);
/* Closes and removes the socket file. */
void emu_ctl_close(emu_ctl *c);
/* Fills one pollfd; returns how many (0 without a socket). */
int emu_ctl_pollfd(const emu_ctl *c, struct pollfd *pfd);
/* Parses "DTR=d RTS=r" (d, r in {0,1}). Returns 0, or -1 if malformed. */
int emu_ctl_parse(const char *msg, int *dtr, int *rts);
/* Reads the next well-formed report (skipping malformed ones). Returns 1 with *dtr and *rts, or 0
 * when none is queued. */
int emu_ctl_read(emu_ctl *c, int *dtr, int *rts);

#endif
