/* link.c - the link ceiling: request/response round trips per second through a pty pair.
 *
 * Two ceilings: the plain echo (a C process that writes back the 5 bytes it reads: two pty
 * transfers) and, per stack, the same-shape echo: a C peer that replays that stack's exchange,
 * transfer by transfer and byte for byte (a ZBOSS call is three transfers: the request, the
 * NCP's LL ACK with its response, the host's LL ACK), with no parsing at all. Each emulator is
 * measured as the real `zbemu` process with its cheapest request through the harness's own
 * host code, so the ratio to the same-shape echo says what the emulator and the host code add
 * to the pty; the ratio to the plain echo adds what the protocol itself costs. The measurements
 * are interleaved over several rounds and the median counts, so a burst of other work on the
 * machine moves one round, not one stack. */
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
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
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

/* Shapes: ZNP SYS_PING is 5 bytes (SOF, len, cmd0, cmd1, FCS) and its SRSP 7 (2 bytes of
 * capabilities). EZSP nop: the host's ASH DATA frame (control, 5-byte EZSP header, CRC, flag:
 * 9 bytes), the NCP's DATA with the ACK piggybacked (9), the host's ACK (control, CRC, flag: 4).
 * ZBOSS GET_MODULE_VERSION: a 14-byte request (7 LL + 2 body CRC + 5 HL), the NCP's 7-byte LL
 * ACK and 28-byte response in one write, the host's 7-byte LL ACK. The link test checks these
 * against the bytes the harness's host code really moved. The ZBOSS emulator adds its
 * --devices only when a network is formed while it runs (emulator/zboss/zboss_frontend.c), so its cells
 * are formed by a restore each time; ZNP and EZSP add them to a formed NVRAM file at start. */
const bench_stack BENCH_STACKS[] = {
    {.name = "znp",
     .cheapest = "SYS_PING",
     .max_devices = 200,
     .formed_nvram = "nvram/znp/CC2652R-ZStack4.formed.json",
     .boot_joins = 1,
     .zh_adapter = "zstack",
     .shape = {5, -7},
     .ping_open = znp_ping_open,
     .ping = znp_ping,
     .ping_close = free},
    {.name = "ezsp",
     .cheapest = "nop over ASH (+ host ACK)",
     .max_devices = 200,
     .boot_joins = 1,
     .zh_adapter = "ember",
     .shape = {9, -9, 4},
     .ping_open = ezsp_ping_open,
     .ping = ezsp_ping,
     .ping_close = free},
    {.name = "zboss",
     .cheapest = "GET_MODULE_VERSION + LL ACKs",
     .max_devices = 255,
     .zh_adapter = "zboss",
     .zh_cannot = "herdsman 10.9.5 cannot back up a ZBOSS NCP: its zboss adapter's "
                  "supportsBackup() is false and backup() writes nothing "
                  "(tests/herdsman/README.md, section 2)",
     .shape = {14, -35, 7},
     .ping_open = zboss_ping_open,
     .ping = zboss_ping,
     .ping_close = zboss_ping_close},
};
const size_t BENCH_N_STACKS = sizeof(BENCH_STACKS) / sizeof(BENCH_STACKS[0]);

/* ---- shape echo: a C peer replaying a transfer pattern ---- */

static const int ECHO5[] = {5, -5, 0};

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

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* One pass of the pattern on the host side: write the positive steps, read the negative ones
 * (poll, then read, as the harness's serial layer does). Returns 0 or -1. */
static int one_pass(int fd, const int *shape, uint8_t *buf)
{
    for (const int *s = shape; *s; s++) {
        size_t n = (size_t)abs(*s);
        if ((*s > 0 ? write_all(fd, buf, n) : read_exact(fd, buf, n)) < 0) return -1;
    }
    return 0;
}

/* How the peer waits for the host: a blocking read (the ceiling), or, with `evloop`, the
 * syscalls zbemu's loop makes today for each wake-up (emulator/core/emu.c emu_run, emu_port.c
 * emu_port_service): a poll of the pty, the inotify descriptor that watches the slave and the
 * modem-line socket, a read of the inotify descriptor (EAGAIN), then the read of the pty. */
typedef struct peer_io {
    int master, ino, sock, evloop;
    const char *slave; /* the pty's slave path, for the inotify watch */
} peer_io;

static ssize_t peer_read(const peer_io *p, uint8_t *buf, size_t cap)
{
    if (!p->evloop) return read(p->master, buf, cap);
    for (;;) {
        char ev[4096];
        struct pollfd pf[3] = {{p->master, POLLIN, 0}, {p->ino, POLLIN, 0}, {p->sock, POLLIN, 0}};
        if (poll(pf, 3, -1) < 0 && errno != EINTR) return -1;
        while (read(p->ino, ev, sizeof(ev)) > 0)
            ;
        ssize_t r = read(p->master, buf, cap);
        if (r >= 0 || errno != EAGAIN) return r;
    }
}

static int peer_setup(peer_io *p)
{
    if (!p->evloop) return 0;
    p->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    p->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p->ino < 0 || p->sock < 0 || inotify_add_watch(p->ino, p->slave, IN_OPEN | IN_CLOSE) < 0)
        return -1;
    int fl = fcntl(p->master, F_GETFL);
    return fl < 0 || fcntl(p->master, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

/* The peer: one read per wake-up, whatever has arrived (the host's ACK and its next request
 * may come as one), counted against the pattern; its own transfers in one write each. */
static void peer_child(int master, const char *slave, const int *shape, int evloop)
{
    uint8_t buf[4096];
    size_t have = 0;
    peer_io p = {master, -1, -1, evloop, slave};
    memset(buf, 0x55, sizeof(buf));
    if (peer_setup(&p) < 0) _exit(2);
    for (;;)
        for (const int *s = shape; *s; s++) {
            size_t n = (size_t)abs(*s);
            if (*s < 0 && write_all(master, buf, n) < 0) _exit(1);
            while (*s > 0 && have < n) {
                ssize_t r = peer_read(&p, buf, sizeof(buf));
                if (r <= 0) _exit(0);
                have += (size_t)r;
            }
            if (*s > 0) have -= n;
        }
}

/* A measured rate: round trips per second and CPU seconds of both ends per round trip. */
typedef struct rate {
    double rps, cpu_per_rt;
} rate;

static int shape_loop(int fd, const int *shape, double secs, long *n_out, double *t_out)
{
    uint8_t buf[256];
    memset(buf, 0x55, sizeof(buf));
    long n = 0;
    double t0 = zb_now_s(), t;
    do {
        if (one_pass(fd, shape, buf) < 0) return -1;
        n++;
    } while ((t = zb_now_s()) - t0 < secs);
    *n_out = n, *t_out = t - t0;
    return 0;
}

static int open_raw_pty(int *master, int *slave, char name[64])
{
    struct termios tio;
    if (openpty(master, slave, name, NULL, NULL) < 0) return -1; /* glibc: name fits 64 */
    if (tcgetattr(*slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(*slave, TCSANOW, &tio);
    }
    return 0;
}

static double tv_s(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* Round trips/s of the pattern through a pty pair for `secs`, or rps -1. */
static rate link_shape_for(const int *shape, double secs, int evloop)
{
    rate r = {-1, 0};
    int master, slave;
    char name[64];
    if (open_raw_pty(&master, &slave, name) < 0) return r;
    pid_t pid = fork();
    if (pid == 0) {
        close(slave);
        peer_child(master, name, shape, evloop);
    }
    close(master);
    if (pid < 0) {
        close(slave);
        return r;
    }
    long n = 0;
    double t = 0, cpu0 = bench_self_cpu_s();
    int rc = shape_loop(slave, shape, secs, &n, &t);
    double cpu = bench_self_cpu_s() - cpu0;
    close(slave); /* the peer reads EOF and exits */
    struct rusage ru;
    while (wait4(pid, NULL, 0, &ru) < 0)
        if (errno != EINTR) return r;
    if (rc == 0 && n > 0)
        r = (rate){n / t, (cpu + tv_s(ru.ru_utime) + tv_s(ru.ru_stime)) / (double)n};
    return r;
}

static rate link_shape(const bench_cfg *c, const int *shape, int evloop)
{
    return link_shape_for(shape, c->link_secs, evloop);
}

double bench_echo_chain(const int *shape, double secs)
{
    return link_shape_for(shape, secs, 0).rps;
}

/* ---- an emulator's cheapest request ---- */

/* Bytes per round trip the host code moved (for the shape check). */
typedef struct moved {
    double tx, rx;
} moved;

static int warm_up(const bench_stack *st, void *h)
{
    for (int i = 0; i < 5; i++) /* the emulator notices the open within ms */
        if (st->ping(h) == 0) return 0;
    return -1;
}

static rate timed_pings(const bench_cfg *c, const bench_stack *st, void *h, zbh_serial *s,
                        pid_t emu, moved *m)
{
    rate r = {-1, 0};
    uint64_t tx0, rx0, tx1, rx1;
    long n = 0;
    int rc = 0;
    zbh_serial_counters(s, &tx0, &rx0);
    double cpu0 = bench_self_cpu_s() + bench_proc_cpu_s(emu), t0 = zb_now_s(), t;
    do {
        rc = st->ping(h);
        n++;
    } while (rc == 0 && (t = zb_now_s()) - t0 < c->link_secs);
    double cpu = bench_self_cpu_s() + bench_proc_cpu_s(emu) - cpu0;
    zbh_serial_counters(s, &tx1, &rx1);
    if (rc != 0) return r;
    m->tx = (double)(tx1 - tx0) / (double)n, m->rx = (double)(rx1 - rx0) / (double)n;
    return (rate){n / (t - t0), cpu / (double)n};
}

static rate link_stack(const bench_cfg *c, const bench_stack *st, const zbh_emu *e, moved *m)
{
    char err[256];
    rate r = {-1, 0};
    zbh_serial *s = zbh_serial_open(e->port, c->baud, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "zbbench: %s\n", err);
        return r;
    }
    void *h = st->ping_open(s);
    if (h && warm_up(st, h) == 0) r = timed_pings(c, st, h, s, e->pid, m);
    if (h) st->ping_close(h);
    zbh_serial_close(s);
    return r;
}

/* ---- the section ---- */

#define MAX_ROUNDS 32

/* One link measurement over the rounds, by round (rps 0: that round failed), and the bytes the
 * host code moved. Ratios are taken within a round (the two measurements a second apart), then
 * the median over the rounds: a burst of other work on the machine moves one round's pair,
 * not one row against another. */
typedef struct series {
    double rps[MAX_ROUNDS], cpu[MAX_ROUNDS];
    int rounds;
    moved m;
} series;

static void add(series *s, rate r)
{
    s->rps[s->rounds] = r.rps > 0 ? r.rps : 0;
    s->cpu[s->rounds] = r.rps > 0 ? r.cpu_per_rt : 0;
    s->rounds++;
}

/* Median of the rounds that measured; -1 when none did. */
static double median_ok(const double *v, const double *valid, int n)
{
    double w[MAX_ROUNDS];
    int k = 0;
    for (int i = 0; i < n; i++)
        if (valid[i] > 0) w[k++] = v[i];
    return k ? bench_stats_of(w, (size_t)k).median : -1;
}

static double median_rps(const series *s)
{
    return median_ok(s->rps, s->rps, s->rounds);
}

/* Median over the rounds of a->rps / b->rps, both measured in the same round. */
static double paired(const series *a, const series *b)
{
    double q[MAX_ROUNDS], ok[MAX_ROUNDS];
    for (int i = 0; i < a->rounds; i++) {
        ok[i] = a->rps[i] > 0 && b->rps[i] > 0;
        q[i] = ok[i] ? a->rps[i] / b->rps[i] : 0;
    }
    return median_ok(q, ok, a->rounds);
}

static int measured(const series *s)
{
    return median_rps(s) > 0;
}

static void shape_text(const int *shape, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    for (const int *s = shape; *s && len < cap; s++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s %d", s == shape ? "" : ", ",
                                *s > 0 ? "host" : "peer", abs(*s));
}

static void shape_sums(const int *shape, int *tx, int *rx)
{
    *tx = *rx = 0;
    for (const int *s = shape; *s; s++)
        *(*s > 0 ? tx : rx) += abs(*s);
}

/* Did the host code move the bytes the shape says (within a byte: ASH stuffs some)? */
static int shape_matches(const int *shape, moved m)
{
    int tx, rx;
    shape_sums(shape, &tx, &rx);
    return m.tx >= tx && m.tx < tx + 1 && m.rx >= rx && m.rx < rx + 1;
}

static void row(const char *peer, const char *req, const char *bytes, const series *s,
                const char *ratios)
{
    double rps = median_rps(s), cpu = median_ok(s->cpu, s->rps, s->rounds);
    bench_out("| %s | %s | %s | %.0f | %.1f | %.1f | %s |\n", peer, req, bytes, rps, 1e6 / rps,
              cpu * rps * 100, ratios);
}

/* The three measurements of a stack: its same-shape echo, the same through zbemu's loop
 * syscalls, and the emulator itself. */
typedef struct stack_series {
    series shape, loop, emu;
} stack_series;

/* The ratios of a stack's rows, each paired by round. */
typedef struct ratios {
    double emu_shape, emu_echo, loop_shape, emu_loop;
} ratios;

static void goal_row(const bench_stack *st, int ok, const ratios *q)
{
    char goal[96], why[400];
    snprintf(goal, sizeof(goal), "link, %s: %s / same-shape echo >= 0.9", st->name, st->cheapest);
    if (ok)
        snprintf(why, sizeof(why),
                 "a C peer making only zbemu's loop syscalls (poll of 3 descriptors, a read of "
                 "the inotify descriptor, the read) reaches %.2f of the same-shape echo; the "
                 "emulator reaches %.2f of that C peer",
                 q->loop_shape, q->emu_loop);
    else
        snprintf(why, sizeof(why), "the host code moved other bytes than the shape says");
    bench_goal(goal, ok && q->emu_shape >= 0.9, why, "%.2f (%.2f to the 5-byte echo)", q->emu_shape,
               q->emu_echo);
}

static void stack_rows(const bench_stack *st, const stack_series *s, const series *echo)
{
    char sh[128], text[128], bytes[64], label[160];
    ratios q = {paired(&s->emu, &s->shape), paired(&s->emu, echo), paired(&s->loop, &s->shape),
                paired(&s->emu, &s->loop)};
    shape_text(st->shape, sh, sizeof(sh));
    snprintf(label, sizeof(label), "same-shape echo for %s", st->name);
    row(label, "same transfers and bytes", sh, &s->shape, "1.00 (ceiling)");
    snprintf(label, sizeof(label), "same-shape echo for %s, zbemu's loop syscalls", st->name);
    snprintf(text, sizeof(text), "%.2f (what the loop costs)", q.loop_shape);
    row(label, "poll of 3 fds, inotify read, read", sh, &s->loop, text);
    int ok = shape_matches(st->shape, s->emu.m);
    snprintf(bytes, sizeof(bytes), "%.1f / %.1f%s", s->emu.m.tx, s->emu.m.rx,
             ok ? "" : " (differs from the shape!)");
    snprintf(text, sizeof(text), "%.2f (to the 5-byte echo %.2f)", q.emu_shape, q.emu_echo);
    row(st->name, st->cheapest, bytes, &s->emu, text);
    goal_row(st, ok, &q);
}

static void print_section(const bench_cfg *c, const series *echo, const stack_series *ss)
{
    bench_out("\n## Link ceiling (round trips/s over a pty pair; %d interleaved rounds of %.1f s, "
              "medians; ratios within each round, then their median)\n\n",
              c->link_rounds, c->link_secs);
    bench_out("| peer | request | bytes per round trip (host tx / rx) | round trips/s | us/round "
              "trip | CPU, both ends, %% of one core | ratio to the same-shape echo |\n"
              "|---|---|---|---|---|---|---|\n");
    row("echo peer (C)", "5 bytes echoed", "host 5, peer 5", echo, "");
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        const stack_series *s = &ss[i];
        if (measured(echo) && measured(&s->shape) && measured(&s->loop) && measured(&s->emu))
            stack_rows(&BENCH_STACKS[i], s, echo);
        else
            bench_out_failed("| %s | %s | failed (see stderr) | | | | |\n", BENCH_STACKS[i].name,
                             BENCH_STACKS[i].cheapest);
    }
}

/* One round: the echo, then for each stack its same-shape echo (plain, then through the
 * loop's syscalls) and the stack itself. */
static void one_round(const bench_cfg *c, const zbh_emu *emus, series *echo, stack_series *ss)
{
    add(echo, link_shape(c, ECHO5, 0));
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        rate none = {-1, 0};
        add(&ss[i].shape, link_shape(c, BENCH_STACKS[i].shape, 0));
        add(&ss[i].loop, link_shape(c, BENCH_STACKS[i].shape, 1));
        add(&ss[i].emu,
            emus[i].pid > 0 ? link_stack(c, &BENCH_STACKS[i], &emus[i], &ss[i].emu.m) : none);
    }
}

void bench_section_link(const bench_cfg *c)
{
    series echo = {0};
    stack_series ss[8] = {0};
    zbh_emu emus[8];
    int rounds = c->link_rounds > MAX_ROUNDS ? MAX_ROUNDS : c->link_rounds;
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        bench_emu_opts o = {0};
        if (bench_emu_for(c, BENCH_STACKS[i].name, &o, &emus[i]) < 0) emus[i].pid = 0;
    }
    for (int r = 0; r < rounds; r++)
        one_round(c, emus, &echo, ss);
    for (size_t i = 0; i < BENCH_N_STACKS; i++)
        if (emus[i].pid > 0) zbh_emu_stop(&emus[i]);
    print_section(c, &echo, ss);
}
