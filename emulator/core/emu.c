/* emu.c - the emulator's event loop: one poll() over the serial endpoint, timers, signals.
 *
 * Single-threaded on purpose: every host request is handled to completion (NVRAM on disk
 * included) before the next byte is read, so the protocol front ends need no locking and a
 * response can never overtake the write it acknowledges. */
#define _GNU_SOURCE /* ppoll: --baud paces in microseconds, poll() only has milliseconds */
#include "emu.h"
#include "emu_ctl.h"
#include "emu_fault.h"
#include "emu_port.h"

#include "log.h"
#include "strbuf.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* --baud: bytes wait here until a UART at that speed would have carried them. `free_ns` is
 * when the line is done with the released bytes; byte j of `buf` goes out when its start bit
 * would, at free_ns + j * byte_ns (a burst of n bytes takes n - 1 byte times here, and the one
 * byte time left is about what the pty and the timer wake-up add on this kind of machine, see
 * BENCHMARKS.md). Times are absolute, so rounding never accumulates over a transfer. */
typedef struct pacer {
    uint8_t *buf;
    size_t len, cap;
    uint64_t free_ns;
} pacer;

typedef struct emu_timer {
    unsigned id;
    uint64_t seq;
    unsigned pass; /* the run_timers pass it was added in: it never fires in that pass */
    int64_t when;  /* ns, common/clock.h */
    emu_timer_fn fn;
    void *arg;
} emu_timer;

struct emu {
    emu_options opts;
    const emu_frontend *fe;
    void *fe_state;
    emu_port port;
    uint8_t *out;
    size_t out_len, out_cap;
    emu_timer *timers;
    size_t n_timers, cap_timers;
    unsigned next_timer_id;
    uint64_t timer_seq;  /* order of addition: breaks ties between timers due at once */
    double scale;        /* --time-scale, 1.0 when not given */
    unsigned timer_pass; /* bumped at the start of each run_timers pass */
    uint64_t rng;
    int stop;
    emu_fault fault;
    /* --fault delay: chunks held until `due`, in order; one timer drains them */
    struct delayed_chunk {
        int64_t due; /* ns */
        size_t len;
        uint8_t *data;
    } * delayed;
    size_t n_delayed, cap_delayed;
    unsigned delay_timer;
    emu_ctl ctl;      /* DTR/RTS reports for a pty (libzbmodem.so) */
    uint64_t byte_ns; /* --baud: 10 bits per byte (8N1); 0: no pacing */
    pacer tx, rx;     /* to the host / from the host */
    int nv_behind;    /* the last NVRAM save failed: the file is not the current state */
    int nv_known;     /* nv_hash is the file's fingerprint (loaded or written) */
    uint64_t nv_hash;
    emu_script *script; /* --script: a real stick's recorded answers first (emu_script.h) */
};

static volatile sig_atomic_t g_signal;

static void on_signal(int sig)
{
    g_signal = sig;
}
static void install_signals(void);

const emu_options *emu_opts(const emu *e)
{
    return &e->opts;
}

const emu_frontend *emu_frontend_of(const emu *e)
{
    return e->fe;
}

const char *emu_port_path(const emu *e)
{
    return e->port.path;
}

int emu_connected(const emu *e)
{
    return e->port.connected;
}

/* ---- randomness: splitmix64, seeded from --seed (or the clock), reproducible per seed ---- */

uint32_t emu_rand(emu *e)
{
    uint64_t z = (e->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 16);
}

void emu_rand_bytes(emu *e, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)emu_rand(e);
}

/* ---- --baud pacing ---- */

static int pace_push(pacer *q, const uint8_t *p, size_t n, uint64_t now)
{
    uint8_t *nb = zb_grow(q->buf, &q->cap, q->len + n, 1, 1024);
    if (!nb) {
        LOG_ERROR("out of memory pacing %zu bytes", n);
        return -1;
    }
    q->buf = nb;
    if (!q->len && q->free_ns < now) q->free_ns = now; /* an idle line starts now */
    memcpy(q->buf + q->len, p, n);
    q->len += n;
    return 0;
}

/* How many queued bytes the line has delivered by `now`; advances the line clock. */
static size_t pace_due(pacer *q, uint64_t byte_ns, uint64_t now)
{
    if (!q->len || now < q->free_ns) return 0;
    uint64_t k = (now - q->free_ns) / byte_ns + 1;
    size_t n = k < q->len ? (size_t)k : q->len;
    q->free_ns += (uint64_t)n * byte_ns;
    return n;
}

static void pace_consume(pacer *q, size_t n)
{
    memmove(q->buf, q->buf + n, q->len - n);
    q->len -= n;
}

/* ns until the next queued byte is due, or -1 when nothing waits */
static int64_t pace_wait_ns(const pacer *q, uint64_t now)
{
    if (!q->len) return -1;
    return q->free_ns > now ? (int64_t)(q->free_ns - now) : 0;
}

/* ---- output ---- */

static void queue_out(emu *e, const uint8_t *p, size_t n);
static void wire_out(emu *e, const uint8_t *p, size_t n);
static unsigned timer_add_ns(emu *e, int64_t delay_ns, emu_timer_fn fn, void *arg);

/* a firmware delay of `ms` under --time-scale, in ns */
static int64_t scaled_ns(const emu *e, uint64_t ms)
{
    return (int64_t)((double)ms * 1e6 * e->scale);
}

static void release_delayed(emu *e, void *arg)
{
    (void)arg;
    e->delay_timer = 0;
    int64_t now = zb_now_ns();
    size_t i = 0;
    for (; i < e->n_delayed && e->delayed[i].due <= now; i++) {
        queue_out(e, e->delayed[i].data, e->delayed[i].len);
        free(e->delayed[i].data);
    }
    memmove(e->delayed, e->delayed + i, (e->n_delayed - i) * sizeof(*e->delayed));
    e->n_delayed -= i;
    if (e->n_delayed)
        e->delay_timer = timer_add_ns(e, e->delayed[0].due - now, release_delayed, NULL);
}

static void drop_delayed(emu *e)
{
    for (size_t i = 0; i < e->n_delayed; i++)
        free(e->delayed[i].data);
    e->n_delayed = 0;
    if (e->delay_timer) emu_timer_cancel(e, e->delay_timer);
    e->delay_timer = 0;
}

static void hold_out(emu *e, const uint8_t *p, size_t n)
{
    struct delayed_chunk *nd =
        zb_grow(e->delayed, &e->cap_delayed, e->n_delayed + 1, sizeof(*nd), 16);
    if (!nd) return;
    e->delayed = nd;
    uint8_t *copy = malloc(n);
    if (!copy) return;
    memcpy(copy, p, n);
    int64_t delay = scaled_ns(e, e->fault.delay_ms);
    e->delayed[e->n_delayed++] = (struct delayed_chunk){zb_now_ns() + delay, n, copy};
    if (!e->delay_timer) e->delay_timer = timer_add_ns(e, delay, release_delayed, NULL);
}

void emu_send(emu *e, const uint8_t *p, size_t n)
{
    if (!e->port.connected) return; /* nobody listens: a real UART drops it too */
    if (!e->fault.active) {
        queue_out(e, p, n);
        return;
    }
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) return;
    memcpy(copy, p, n);
    emu_fault_apply(&e->fault, copy, &n, 1);
    if (e->fault.delay_ms)
        hold_out(e, copy, n);
    else
        queue_out(e, copy, n);
    free(copy);
}

static void queue_out(emu *e, const uint8_t *p, size_t n)
{
    if (e->byte_ns)
        pace_push(&e->tx, p, n, (uint64_t)zb_now_ns());
    else
        wire_out(e, p, n);
}

/* Appends to what goes to the fd. The loop writes it once the handler or timer that produced
 * it returns, so a burst (an LL ACK and its response, several SRSPs) is one write() and the host
 * wakes once for it. */
static void wire_out(emu *e, const uint8_t *p, size_t n)
{
    uint8_t *np = zb_grow(e->out, &e->out_cap, e->out_len + n, 1, 4096);
    if (!np) {
        LOG_ERROR("out of memory queueing %zu bytes for the host", n);
        return;
    }
    e->out = np;
    memcpy(e->out + e->out_len, p, n);
    e->out_len += n;
}

/* ---- turns: the one NVRAM commit (emu.h) ---- */

/* Writes the store when its fingerprint differs from the file's. 0: the file holds the store. */
static int nv_sync(emu *e)
{
    if (!e->fe->nv_hash) return 0; /* a front end without a store (tests) */
    uint64_t h = e->fe->nv_hash(e->fe_state);
    if (e->nv_known && h == e->nv_hash) return 0;
    if (e->opts.nvram_path) {
        cJSON *doc = e->fe->nv_to_json(e->fe_state);
        int rc = emu_nv_save(e, doc);
        cJSON_Delete(doc);
        if (rc < 0) return -1;
    }
    emu_nv_synced(e, h);
    return 0;
}

void emu_nv_synced(emu *e, uint64_t hash)
{
    e->nv_hash = hash;
    e->nv_known = 1;
}

/* what the host has been sent so far (the loop writes it out after the turns) */
typedef struct turn {
    size_t out, tx, delayed;
} turn;

static turn turn_begin(const emu *e)
{
    return (turn){e->out_len, e->tx.len, e->n_delayed};
}

/* After each call into the front end: the store on disk before what the turn sent can leave;
 * if it cannot be saved, what the turn sent is withheld. Returns 0 or -1 (withheld). */
static int turn_end(emu *e, turn t)
{
    if (nv_sync(e) == 0) return 0;
    size_t withheld = e->out_len - t.out + e->tx.len - t.tx;
    while (e->n_delayed > t.delayed) {
        struct delayed_chunk *c = &e->delayed[--e->n_delayed];
        withheld += c->len;
        free(c->data);
    }
    e->out_len = t.out;
    e->tx.len = t.tx;
    if (withheld) LOG_ERROR("NVRAM not saved: %zu bytes to the host withheld", withheld);
    return -1;
}

/* ---- timers: a small unsorted array; there are only a handful at any time ---- */

static unsigned timer_add_ns(emu *e, int64_t delay_ns, emu_timer_fn fn, void *arg)
{
    emu_timer *nt = zb_grow(e->timers, &e->cap_timers, e->n_timers + 1, sizeof(*nt), 8);
    if (!nt) return 0;
    e->timers = nt;
    unsigned id = ++e->next_timer_id ? e->next_timer_id : ++e->next_timer_id;
    e->timers[e->n_timers++] =
        (emu_timer){id, e->timer_seq++, e->timer_pass, zb_now_ns() + delay_ns, fn, arg};
    return id;
}

unsigned emu_timer_add(emu *e, uint64_t delay_ms, emu_timer_fn fn, void *arg)
{
    return timer_add_ns(e, scaled_ns(e, delay_ms), fn, arg);
}

unsigned emu_timer_add_host(emu *e, uint64_t delay_ms, emu_timer_fn fn, void *arg)
{
    return timer_add_ns(e, (int64_t)delay_ms * 1000000, fn, arg);
}

void emu_timer_cancel(emu *e, unsigned id)
{
    for (size_t i = 0; i < e->n_timers; i++)
        if (e->timers[i].id == id) {
            e->timers[i] = e->timers[--e->n_timers];
            return;
        }
}

double emu_time_scale(const emu *e)
{
    return e->scale;
}

/* ns until the first timer is due (0 if one is), or -1 with none */
static int64_t next_timer_ns(const emu *e, int64_t now)
{
    int64_t t = -1;
    for (size_t i = 0; i < e->n_timers; i++) {
        int64_t d = e->timers[i].when - now;
        if (d < 0) d = 0;
        if (t < 0 || d < t) t = d;
    }
    return t;
}

unsigned emu_timer_pass(const emu *e)
{
    return e->timer_pass;
}

/* The timer to fire next in this pass: due, not added in it, earliest (then first added). */
static emu_timer *first_due(emu *e, int64_t now, unsigned pass)
{
    emu_timer *best = NULL;
    for (size_t i = 0; i < e->n_timers; i++) {
        emu_timer *t = &e->timers[i];
        if (t->when > now || t->pass == pass) continue;
        if (!best || t->when < best->when || (t->when == best->when && t->seq < best->seq))
            best = t;
    }
    return best;
}

static void run_timers(emu *e)
{
    int64_t now = zb_now_ns();
    /* A callback may add or cancel timers: look again after each one fires. A timer added
     * during this pass (even with 0 ms) waits for the next pass, as in Redis' ae.c, so a
     * callback that re-arms itself cannot spin here. */
    unsigned pass = ++e->timer_pass;
    for (emu_timer *due; (due = first_due(e, now, pass)) != NULL;) {
        emu_timer t = *due;
        *due = e->timers[--e->n_timers];
        turn tn = turn_begin(e);
        t.fn(e, t.arg);
        turn_end(e, tn);
    }
}

/* ---- lifecycle ---- */

emu *emu_create(const emu_frontend *fe, const emu_options *o, char *err, size_t errlen)
{
    emu *e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->opts = *o;
    e->fe = fe;
    e->scale = o->time_scale > 0 && o->time_scale < 1 ? o->time_scale : 1.0;
    e->byte_ns = o->baud > 0 ? (uint64_t)(1e10 / o->baud * e->scale) : 0;
    /* a byte at 115200 baud is 87 us; the default 50 us timer slack would be half of it */
    if (e->byte_ns) prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    e->rng = o->seed ? o->seed : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (o->fault_spec && emu_fault_parse(o->fault_spec, &e->fault, err, errlen) < 0) {
        free(e);
        return NULL;
    }
    if (emu_port_open(&e->port, o, err, errlen) < 0) {
        free(e);
        return NULL;
    }
    e->ctl.fd = -1;
    if (o->script_path && !(e->script = emu_script_load(o->script_path, fe->name, err, errlen))) {
        emu_port_close(&e->port);
        free(e);
        return NULL;
    }
    if (!o->tcp_port && !o->host_fd) emu_ctl_open(&e->ctl, e->port.path);
    e->fe_state = fe->create(e, o, err, errlen);
    if (e->fe_state && nv_sync(e) < 0) {
        snprintf(err, errlen, "%s: cannot write the NVRAM file", o->nvram_path);
        if (fe->on_stop) fe->on_stop(e->fe_state);
        fe->destroy(e->fe_state);
        e->fe_state = NULL;
    }
    if (!e->fe_state) {
        emu_script_free(e->script);
        emu_ctl_close(&e->ctl);
        emu_port_close(&e->port);
        free(e);
        return NULL;
    }
    install_signals();
    return e;
}

emu_script *emu_script_of(const emu *e)
{
    return e->script;
}

void emu_stop(emu *e)
{
    e->stop = 1;
}

static void service_port(emu *e, const struct pollfd *pfd, int n)
{
    uint8_t buf[4096];
    size_t got = 0;
    int ev = emu_port_service(&e->port, pfd, n, buf, sizeof(buf), &got);
    if (ev & EMU_PORT_CLOSED) {
        LOG_INFO("host closed the port");
        e->out_len = e->tx.len = e->rx.len = 0;
        drop_delayed(e);
        turn t = turn_begin(e);
        e->fe->on_close(e->fe_state);
        turn_end(e, t);
    }
    if (ev & EMU_PORT_OPENED) {
        LOG_INFO("host opened the port");
        e->out_len = e->tx.len = e->rx.len = 0;
        turn t = turn_begin(e);
        e->fe->on_open(e->fe_state);
        turn_end(e, t);
    }
    if (got) emu_fault_apply(&e->fault, buf, &got, 0);
    if (got && e->byte_ns)
        pace_push(&e->rx, buf, got, (uint64_t)zb_now_ns());
    else if (got)
        emu_feed(e, buf, got);
}

/* --baud: hands the front end what has "arrived", puts on the wire what has "left" */
static void run_pacers(emu *e)
{
    uint64_t now = (uint64_t)zb_now_ns();
    size_t n = pace_due(&e->rx, e->byte_ns, now);
    if (n) { /* front ends never touch e->rx: hand them the queue itself */
        emu_feed(e, e->rx.buf, n);
        pace_consume(&e->rx, n);
    }
    if ((n = pace_due(&e->tx, e->byte_ns, now))) {
        wire_out(e, e->tx.buf, n);
        pace_consume(&e->tx, n);
    }
}

/* poll timeout: the next timer, paced byte or port check, whichever is first */
static struct timespec loop_timeout(const emu *e, int *infinite)
{
    uint64_t now = (uint64_t)zb_now_ns();
    int idle_ms = emu_port_idle_ms(&e->port);
    int64_t w[3] = {next_timer_ns(e, (int64_t)now), pace_wait_ns(&e->rx, now),
                    pace_wait_ns(&e->tx, now)};
    int64_t ns = idle_ms < 0 ? -1 : (int64_t)idle_ms * 1000000;
    for (int i = 0; i < 3; i++)
        if (w[i] >= 0 && (ns < 0 || w[i] < ns)) ns = w[i];
    *infinite = ns < 0;
    return (struct timespec){ns < 0 ? 0 : ns / 1000000000, ns < 0 ? 0 : ns % 1000000000};
}

/* After service_port: a report follows the host's open, so on_open has been called first. */
static void service_ctl(emu *e, const struct pollfd *pfd)
{
    int dtr, rts;
    if (!(pfd->revents & POLLIN)) return;
    while (emu_ctl_read(&e->ctl, &dtr, &rts)) {
        if (!e->fe->on_modem) continue;
        turn t = turn_begin(e);
        e->fe->on_modem(e->fe_state, dtr, rts);
        turn_end(e, t);
    }
}

/* Installed when the emulator is created, before its port is announced: a SIGTERM that comes
 * as soon as a test or harness sees the port must still run the clean exit (link removed,
 * NVRAM saved), not the default death. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int emu_run(emu *e)
{
    while (!e->stop && !g_signal && !e->port.ended) {
        struct pollfd pfd[3];
        int n = emu_port_pollfds(&e->port, pfd, e->out_len > 0), infinite;
        int nctl = emu_ctl_pollfd(&e->ctl, &pfd[n]);
        struct timespec ts = loop_timeout(e, &infinite);
        int rc = ppoll(pfd, (nfds_t)(n + nctl), infinite ? NULL : &ts, NULL);
        if (rc < 0 && errno != EINTR) {
            LOG_ERROR("poll: %s", strerror(errno));
            return -1;
        }
        if (rc > 0 || emu_port_idle_ms(&e->port) >= 0) service_port(e, pfd, n);
        if (rc > 0 && nctl) service_ctl(e, &pfd[n]);
        run_timers(e);
        if (e->byte_ns) run_pacers(e);
        if (e->out_len) emu_port_flush(&e->port, e->out, &e->out_len);
    }
    if (g_signal) LOG_INFO("signal %d: stopping", (int)g_signal);
    return 0;
}

void emu_feed(emu *e, const uint8_t *p, size_t n)
{
    turn t = turn_begin(e);
    e->fe->on_bytes(e->fe_state, p, n);
    turn_end(e, t);
}

void emu_nv_mark(emu *e, int failed)
{
    e->nv_behind = failed;
}

int emu_destroy(emu *e)
{
    if (!e) return 0;
    if (e->fe_state) {
        turn t = turn_begin(e);
        if (e->fe->on_stop) e->fe->on_stop(e->fe_state);
        turn_end(e, t);
        e->fe->destroy(e->fe_state);
    }
    int behind = e->nv_behind;
    if (e->fault.active)
        LOG_INFO("faults injected: received %llu bytes, %llu dropped, %llu corrupted; sent %llu "
                 "bytes, %llu dropped, %llu corrupted",
                 (unsigned long long)e->fault.rx_bytes, (unsigned long long)e->fault.rx_dropped,
                 (unsigned long long)e->fault.rx_corrupted, (unsigned long long)e->fault.tx_bytes,
                 (unsigned long long)e->fault.tx_dropped,
                 (unsigned long long)e->fault.tx_corrupted);
    emu_script_free(e->script);
    drop_delayed(e);
    free(e->delayed);
    emu_ctl_close(&e->ctl);
    emu_port_close(&e->port);
    free(e->out);
    free(e->tx.buf);
    free(e->rx.buf);
    free(e->timers);
    free(e);
    return behind ? -1 : 0;
}
