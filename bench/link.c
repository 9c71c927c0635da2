/* link.c - the link ceiling: request/response round trips per second through a pty pair.
 *
 * The echo peer is the physical limit of this machine's pty layer (a C process that writes
 * back what it reads, no parsing); each emulator is measured with its cheapest request through
 * the harness's own host code, so the ratio says how much the emulator adds to the pty. */
#include "bench.h"
#include "ezsp_host.h"

#include "mt_host.h"
#include "zboss.h"
#include "zboss_host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* ---- the stacks: cheapest request of each ---- */

static void *znp_ping_open(zbh_serial *s)
{
    mt_host *h = malloc(sizeof(*h));
    if (h) mt_host_init(h, s);
    return h;
}

static int znp_ping(void *h)
{
    mt_frame r;
    mt_host *mh = h;
    mh->q_len = 0; /* SYS_RESET_IND and traffic: not what we measure */
    return mt_host_sreq(mh, 0x21, 0x01, NULL, 0, &r, 1000);
}

static void *zboss_ping_open(zbh_serial *s)
{
    zboss_host *h = malloc(sizeof(*h));
    if (h) zboss_host_init(h, s);
    return h;
}

static int zboss_ping(void *h)
{
    zboss_host_drain(h);
    return zboss_host_call(h, ZBOSS_GET_MODULE_VERSION, NULL, 0, NULL, 1000);
}

static void zboss_ping_close(void *h)
{
    zboss_host_free(h);
    free(h);
}

/* EZSP: `nop` (frame 0x0005) over ASH after the RST/version handshake; each round trip is a
 * DATA frame each way plus the host's ACK, as herdsman and bellows do it. */
static void *ezsp_ping_open(zbh_serial *s)
{
    ezsp_host *h = malloc(sizeof(*h));
    if (!h) return NULL;
    ezsp_host_init(h, s);
    if (ezsp_host_connect(h, 18) < 8) {
        free(h);
        return NULL;
    }
    return h;
}

static int ezsp_ping(void *h)
{
    ezsp_host_frame r;
    return ezsp_host_cmd(h, 0x0005, NULL, 0, &r);
}

const bench_stack BENCH_STACKS[] = {
    {"znp", "SYS_PING", 200, "nvram/znp/CC2652R-ZStack4.formed.json", znp_ping_open, znp_ping,
     free},
    {"ezsp", "nop over ASH (+ host ACK)", 200, NULL, ezsp_ping_open, ezsp_ping, free},
    {"zboss", "GET_MODULE_VERSION + LL ACKs", 255, NULL, zboss_ping_open, zboss_ping,
     zboss_ping_close},
};
const size_t BENCH_N_STACKS = sizeof(BENCH_STACKS) / sizeof(BENCH_STACKS[0]);

/* ---- echo peer ---- */

static void echo_child(int master)
{
    uint8_t buf[4096];
    for (;;) {
        ssize_t n = read(master, buf, sizeof(buf));
        if (n <= 0) _exit(0);
        if (write(master, buf, (size_t)n) != n) _exit(1);
    }
}

/* Reads exactly n bytes (1 s per wait). Returns 0 or -1. */
static int read_exact(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 1000) <= 0) return -1;
        ssize_t r = read(fd, p + got, n - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

static double echo_loop(int fd, size_t req, double secs)
{
    uint8_t buf[256];
    memset(buf, 0x55, sizeof(buf));
    long n = 0;
    double t0 = zb_now_s(), t;
    do {
        if (write(fd, buf, req) != (ssize_t)req || read_exact(fd, buf, req) < 0) return -1;
        n++;
    } while ((t = zb_now_s()) - t0 < secs);
    return (double)n / (t - t0);
}

double bench_link_echo(const bench_cfg *c, size_t req, size_t rsp)
{
    (void)rsp; /* the echo answers with what it got: measured with the request size */
    int master, slave;
    struct termios tio;
    if (openpty(&master, &slave, NULL, NULL, NULL) < 0) return -1;
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(slave, TCSANOW, &tio);
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(master);
        close(slave);
        return -1;
    }
    if (pid == 0) {
        close(slave);
        echo_child(master);
    }
    close(master);
    double rate = echo_loop(slave, req > 256 ? 256 : req, c->link_secs);
    close(slave);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return rate;
}

/* ---- an emulator's cheapest request ---- */

double bench_link_stack(const bench_cfg *c, const bench_stack *st, const char *port)
{
    char err[256];
    zbh_serial *s = zbh_serial_open(port, c->baud, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "zbbench: %s\n", err);
        return -1;
    }
    void *h = st->ping_open(s);
    double rate = -1;
    int ok = 0;
    for (int i = 0; h && i < 5 && !ok; i++) /* the emulator notices the open within ms */
        ok = st->ping(h) == 0;
    if (ok) {
        long n = 0;
        double t0 = zb_now_s(), t;
        int rc = 0;
        do {
            rc = st->ping(h);
            n++;
        } while (rc == 0 && (t = zb_now_s()) - t0 < c->link_secs);
        rate = rc == 0 ? (double)n / (t - t0) : -1;
    }
    if (h) st->ping_close(h);
    zbh_serial_close(s);
    return rate;
}
