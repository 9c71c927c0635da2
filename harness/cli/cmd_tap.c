/* cmd_tap.c - `zbharness tap`: a recording pass-through between a host and a real stick
 * (issue 29). The stick is opened as every command opens it (zbh_serial: exclusively, or
 * tcp://); the host gets a pty at --link. Every byte is passed on unchanged as soon as it is
 * read, in one poll loop; a copy goes to the recorder (tap.h), whose trace is rewritten
 * atomically at most once a second and at exit, sanitised (tap_sanitise.h).
 *
 * Why a pty with a link and no modem lines: it is what `zbemu --link` offers, so hosts are
 * driven the same way against either (tests/system/tap.sh). */
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "emu_link.h"
#include "fileio.h"
#include "log.h"
#include "serial.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define WHO           "zbharness tap"
#define FLUSH_MS      1000 /* the most a crash loses */
#define HOST_LOOK_MS  10   /* no host on the pty: look again after this */
#define WRITE_WAIT_MS 1000

typedef struct tap_args {
    const char *stack, *port, *link, *out, *map;
    int baud, verbose;
    zbt_stack st;
} tap_args;

static const zbh_opt ROWS[] = {
    {"stack", 1, 's', "S", "znp (zstack) | ezsp (ember) | zboss: how to decode the frames", 1,
     ZBH_STR(tap_args, stack)},
    {"port", 1, 'p', "PATH", "the real stick: serial port or tcp://HOST:PORT (held\nexclusively)",
     1, ZBH_STR(tap_args, port)},
    {"link", 1, 'l', "PATH", "where the host's port appears: a symlink to a pty, removed\nat exit",
     1, ZBH_STR(tap_args, link)},
    {"output", 1, 'o', "FILE",
     "the trace (\"zbtrace 1\"), rewritten atomically about once a\n"
     "second and at exit (default: stdout, at exit only)",
     1, ZBH_STR(tap_args, out)},
    {"keep-map", 1, 'k', "FILE",
     "also write what each replaced value was (SECRET: mode 0600;\n"
     "FILE must not exist)",
     0, ZBH_STR(tap_args, map)},
    {"baud", 1, 'B', "N", "as for backup"},
    {"flow-control", 1, 'F', "F", "as for backup"},
    {"verbose", 0, 'v', NULL, "log progress", 1, ZBH_COUNT(tap_args, verbose)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness tap --stack S --port REAL --link PATH [-o TRACE] [--keep-map FILE]\n\n"
           "Passes every byte between a host (on the pty at PATH) and the real stick, unchanged\n"
           "and at once, and records the session at the protocol layer as a trace in the\n"
           "format of vectors/traces/README.md (MT frames; EZSP frames after ASH, de-randomised;\n"
           "ZBOSS high-level messages). The trace is sanitised: network and link keys, the TCLK\n"
           "seed, IEEE addresses (OUI kept), extended PAN IDs and PAN IDs are replaced, the same\n"
           "value by the same replacement in the whole trace, everything else kept. Ends on\n"
           "Ctrl-C or SIGTERM.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nExit: 0 ended by a signal with the trace written, 1 the stick's link failed (the\n"
           "trace so far is written), 2 usage, a port or a file that cannot be used.\n");
}

/* the rows that are not stored as they are: the link options and --help */
static int on_option(void *args, int c, const char *arg)
{
    if (c != 'h') return zbh_cli_link_option(c, arg, WHO, &((tap_args *)args)->baud);
    help();
    return -1;
}

/* argv -> a: ZBH_OK, -1 after --help, or the exit code after a message */
static int parse(int argc, char **argv, tap_args *a)
{
    *a = (tap_args){.baud = 115200};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc != ZBH_OK) return rc;
    if (optind < argc || !a->stack || !a->port || !a->link) {
        fprintf(stderr, WHO ": %s (try --help)\n",
                optind < argc ? "unexpected argument" : "--stack, --port and --link are required");
        return ZBH_USAGE;
    }
    if (zbt_stack_of(a->stack, &a->st) < 0) {
        fprintf(stderr, WHO ": --stack %s: expected znp, ezsp or zboss\n", a->stack);
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    return ZBH_OK;
}

/* ---------------------------------------------------------------- files */

/* --keep-map FILE is created now, empty and 0600, so that it is never someone else's file. */
static int claim_map(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fprintf(stderr, WHO ": --keep-map %s: %s\n", path,
                errno == EEXIST ? "already exists; the map is never written over a file"
                                : strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    if (file_write(path, text, strlen(text), mode, 0) == 0) return 0;
    char why[300];
    fprintf(stderr, WHO ": %s: %s\n", path, file_write_error(path, errno, 0, why, sizeof(why)));
    return -1;
}

typedef struct session {
    const tap_args *a;
    zbh_tap *tap;
    zbh_serial *stick;
    int master;
    char pty[256];
    uint64_t last_flush;
    size_t map_written;
    bool host;
} session;

/* The trace (and the map when asked), now. -1 when a file could not be written. */
static int flush(session *s, bool final)
{
    s->last_flush = zb_now_ms();
    if (!s->a->out && !final) return 0;
    char *text = zbh_tap_json(s->tap, false);
    if (!text) {
        fprintf(stderr, WHO ": the trace could not be made (out of memory, or no random "
                            "replacement could be drawn): nothing written\n");
        return -1;
    }
    int rc = 0;
    if (s->a->out)
        rc = write_file(s->a->out, text, 0644);
    else
        rc = fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 ? -1 : 0;
    free(text);
    if (rc == 0 && s->a->map) {
        char *map = zbh_tap_map_json(s->tap);
        rc = map ? write_file(s->a->map, map, 0600) : -1;
        free(map);
    }
    return rc;
}

/* ---------------------------------------------------------------- the pty */

static int open_pty(session *s)
{
    int slave;
    if (openpty(&s->master, &slave, s->pty, NULL, NULL) < 0) {
        fprintf(stderr, WHO ": openpty: %s\n", strerror(errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
        tcsetattr(slave, TCSANOW, &tio);
    }
    close(slave);
    fcntl(s->master, F_SETFD, FD_CLOEXEC);
    fcntl(s->master, F_SETFL, fcntl(s->master, F_GETFL) | O_NONBLOCK);
    char err[600];
    if (emu_link_create(s->a->link, s->pty, err, sizeof(err)) < 0) {
        fprintf(stderr, WHO ": %s\n", err);
        close(s->master);
        return -1;
    }
    return 0;
}

/* Is a host holding the pty's other end? (Linux: POLLHUP on the master while nobody does.) */
static bool host_present(int master)
{
    struct pollfd p = {master, POLLIN, 0};
    return !(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP));
}

static int write_master(int fd, const uint8_t *b, size_t n)
{
    uint64_t end = zb_now_ms() + WRITE_WAIT_MS;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w > 0) {
            b += w, n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return -1;
        uint64_t now = zb_now_ms();
        if (now >= end) return -1;
        struct pollfd p = {fd, POLLOUT, 0};
        poll(&p, 1, (int)(end - now));
    }
    return 0;
}

/* ---------------------------------------------------------------- the loop */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* The stick has bytes: to the host as they are, then to the recorder. 0, or -1: link failed. */
static int from_stick(session *s)
{
    uint8_t b[4096];
    int n = zbh_serial_read(s->stick, b, sizeof(b), 0);
    if (n < 0) {
        fprintf(stderr, WHO ": %s: read failed: the stick's link is gone\n", s->a->port);
        return -1;
    }
    if (n == 0) return 0;
    if (s->host && write_master(s->master, b, (size_t)n) < 0)
        LOG_WARN("%s: the host does not read; %d bytes of the stick's dropped", s->pty, n);
    zbh_tap_feed(s->tap, ZBH_TAP_STICK, b, (size_t)n, zb_now_ms());
    return 0;
}

static int from_host(session *s)
{
    uint8_t b[4096];
    ssize_t n = read(s->master, b, sizeof(b));
    if (n <= 0) return 0; /* EIO: the host closed; seen at the next look */
    if (zbh_serial_write(s->stick, b, (size_t)n) < 0) {
        fprintf(stderr, WHO ": %s: write failed: the stick's link is gone\n", s->a->port);
        return -1;
    }
    zbh_tap_feed(s->tap, ZBH_TAP_HOST, b, (size_t)n, zb_now_ms());
    return 0;
}

static int turn(session *s)
{
    bool host = host_present(s->master);
    if (host != s->host) {
        LOG_INFO("%s: the host %s the port", s->pty, host ? "opened" : "closed");
        zbh_tap_link_restart(s->tap);
        s->host = host;
    }
    struct pollfd p[2] = {{zbh_serial_poll_fd(s->stick), POLLIN, 0}, {s->master, POLLIN, 0}};
    uint64_t due = s->last_flush + FLUSH_MS, now = zb_now_ms();
    int wait = host ? (now >= due ? 0 : (int)(due - now)) : HOST_LOOK_MS;
    int r = poll(p, host ? 2 : 1, wait);
    if (r < 0) return errno == EINTR ? 0 : -1;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR) && from_stick(s) < 0) return -1;
    if (host && (p[1].revents & POLLIN) && from_host(s) < 0) return -1;
    if (zbh_tap_dirty(s->tap) && (uint64_t)zb_now_ms() >= s->last_flush + FLUSH_MS && s->a->out &&
        flush(s, false) < 0)
        return -2;
    return 0;
}

static int run(session *s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("%s\n", s->pty);
    fflush(stdout);
    fprintf(stderr, WHO ": %s -> %s: recording %s\n", s->a->link, s->a->port,
            zbt_stack_name(s->a->st));
    int rc = 0;
    while (!g_stop && rc == 0)
        rc = turn(s);
    int wrote = flush(s, true);
    if (rc == -2 || wrote < 0) return ZBH_USAGE;
    return rc ? ZBH_FAIL : ZBH_OK;
}

int zbh_cmd_tap(int argc, char **argv)
{
    tap_args a;
    int rc = parse(argc, argv, &a);
    if (rc != ZBH_OK) return rc < 0 ? ZBH_OK : rc;
    session s = {.a = &a, .master = -1};
    char err[ZB_MSG_MAX];
    if (a.map && claim_map(a.map) < 0) return ZBH_USAGE;
    s.stick = zbh_serial_open(a.port, a.baud, err, sizeof(err));
    if (!s.stick) {
        fprintf(stderr, WHO ": %s\n", err);
        return ZBH_USAGE;
    }
    s.tap = zbh_tap_new(a.st, a.port, zb_now_ms());
    if (!s.tap || open_pty(&s) < 0) {
        if (!s.tap) fprintf(stderr, WHO ": out of memory\n");
        zbh_tap_free(s.tap);
        zbh_serial_close(s.stick);
        return ZBH_USAGE;
    }
    s.last_flush = zb_now_ms();
    rc = run(&s);
    emu_link_remove(a.link, s.pty);
    close(s.master);
    zbh_serial_close(s.stick);
    zbh_tap_free(s.tap);
    return rc;
}
