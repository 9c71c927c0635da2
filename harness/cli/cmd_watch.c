/* cmd_watch.c - `zbharness watch`: which devices the coordinator hears, listed against a backup
 * (watch.h). Read only: it reads the stick's network first and never forms one; it starts the
 * stored network and registers an application endpoint as any host does at start-up.
 *
 * The options are one table that drives both getopt and --help (parse, do, print apart). */
#include "cli.h"
#include "cli_opts.h"
#include "fileio.h"
#include "log.h"
#include "ocb.h"
#include "ops.h"
#include "progress.h"
#include "watch.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct watch_args {
    const char *stack, *port, *backup, *json;
    int baud, verbose, until_all;
    long long ms;
} watch_args;

static const zbh_opt ROWS[] = {
    {"stack", 1, 's', "S", "znp (zstack) | ezsp (ember) | zboss | auto", 1,
     ZBH_STR(watch_args, stack)},
    {"port", 1, 'p', "PATH", "the stick: serial port, pty or tcp://HOST:PORT (held\nexclusively)",
     1, ZBH_STR(watch_args, port)},
    {"backup", 1, 'b', "FILE",
     "the devices to expect (default: the stick's own tables);\n"
     "its network must be the stick's",
     1, ZBH_STR(watch_args, backup)},
    {"seconds", 1, 'S', "N", "listen N seconds (default 300)"},
    {"minutes", 1, 'm', "N", "listen N minutes"},
    {"until-all", 0, 'a', NULL, "stop as soon as every expected device was heard", 0,
     ZBH_SET(watch_args, until_all)},
    {"json", 1, 'j', "FILE", "also write the result as JSON to FILE (atomically, 0644)", 0,
     ZBH_STR(watch_args, json)},
    {"baud", 1, 'B', "N", "as for backup"},
    {"flow-control", 1, 'F', "F", "as for backup"},
    {"quiet", 0, 'q', NULL, "no progress lines on stderr", 1},
    {"verbose", 0, 'v', NULL, "log progress; twice: frame trace (keys redacted)", 1,
     ZBH_COUNT(watch_args, verbose)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf(
        "usage: zbharness watch --stack S --port PATH [--backup FILE] [--minutes N] [OPTIONS]\n\n"
        "Listens to the coordinator's own incoming-message events (Z-Stack AF_INCOMING_MSG,\n"
        "EmberZNet incomingMessageHandler, ZBOSS APSDE_DATA_IND) and lists, for each device,\n"
        "whether it was heard: when, with which LQI and cluster. Routers report or route\n"
        "within minutes; a sleepy end device only within its own report or poll interval\n"
        "(up to an hour for some sensors), so 'not yet heard' is not 'lost'. Read only: it\n"
        "reads the network first, never forms one, and starts the stored network and an\n"
        "application endpoint as a host does at start-up.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nExit: 0 every expected device was heard, 1 some were not (or the stick's network\n"
           "is not the backup's), 2 usage or link error; 130 after Ctrl-C (the list so far is\n"
           "printed).\n");
}

static int parse_count(const char *opt, const char *s, long long unit, long long *ms)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 7 * 24 * 3600) {
        fprintf(stderr, "zbharness watch: --%s: '%s' is not a positive count\n", opt, s);
        return ZBH_USAGE;
    }
    *ms = v * unit;
    return ZBH_OK;
}

/* the rows that are not stored as they are: durations, the link options, -q and --help */
static int on_option(void *args, int c, const char *arg)
{
    watch_args *a = args;
    switch (c) {
    case 'S': return parse_count("seconds", arg, 1000, &a->ms);
    case 'm': return parse_count("minutes", arg, 60000, &a->ms);
    case 'q': zbh_progress_set_quiet(1); return ZBH_OK;
    case 'h': help(); return -1;
    default: return zbh_cli_link_option(c, arg, "zbharness watch", &a->baud);
    }
}

static int parse(int argc, char **argv, watch_args *a)
{
    *a = (watch_args){.baud = 115200, .ms = 300000};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc != ZBH_OK) return rc;
    if (optind < argc || !a->stack || !a->port) {
        fprintf(stderr, "zbharness watch: %s (try --help)\n",
                optind < argc ? "unexpected argument" : "--stack and --port are required");
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    return ZBH_OK;
}

static uint64_t reversed64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++, v >>= 8)
        r = (r << 8) | (v & 0xFF);
    return r;
}

/* The devices to expect: the backup's, when it is of the stick's network (a zigbee-herdsman
 * ember backup writes the EPID in wire order: accepted, and said). */
static ocb_backup *expected(const watch_args *a, const ocb_backup *stick)
{
    if (!a->backup) return NULL;
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *b = ocb_load(a->backup, OCB_PARSE_LENIENT, &rep);
    if (!b)
        fprintf(stderr, "zbharness watch: %s: %s%s%s\n", a->backup,
                rep.n_issues ? rep.issues[0].path : "not a backup",
                rep.n_issues && *rep.issues[0].path ? ": " : "",
                rep.n_issues ? rep.issues[0].message : "");
    ocb_report_free(&rep);
    if (!b) return NULL;
    if (b->extended_pan_id == stick->extended_pan_id) return b;
    if (reversed64(b->extended_pan_id) == stick->extended_pan_id) {
        fprintf(stderr,
                "zbharness watch: %s holds the extended PAN ID in wire order "
                "(zigbee-herdsman's ember writer); the same network\n",
                a->backup);
        return b;
    }
    fprintf(stderr,
            "zbharness watch: the stick runs the network %016" PRIx64 ", %s is of %016" PRIx64
            ": its devices cannot be heard here\n",
            stick->extended_pan_id, a->backup, b->extended_pan_id);
    ocb_free(b);
    return NULL;
}

static void print_table(const zbh_watch *w)
{
    printf("%-16s  %-4s  %-10s  %-5s  %7s  %4s  %s\n", "ieee", "nwk", "kind", "heard", "after",
           "lqi", "first frame");
    for (size_t i = 0; i < w->n; i++) {
        const zbh_watch_dev *d = &w->devs[i];
        char after[24] = "-", lqi[8] = "-", first[40] = "-";
        if (d->heard) {
            snprintf(after, sizeof(after), "%lld s", d->first_ms / 1000);
            snprintf(lqi, sizeof(lqi), "%u", d->lqi);
            snprintf(first, sizeof(first), "cluster 0x%04x (%u frames)", d->cluster, d->frames);
        }
        printf("%016" PRIx64 "  %04x  %-10s  %-5s  %7s  %4s  %s\n", d->ieee, d->nwk,
               zbh_watch_kind(d), d->heard ? "yes" : "not yet", after, lqi, first);
    }
}

static void print_summary(const zbh_watch *w)
{
    size_t routers = 0, ends = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->devs[i].listed && !w->devs[i].heard) *(w->devs[i].is_child ? &ends : &routers) += 1;
    printf("\n%zu of %zu devices heard in %lld s%s", zbh_watch_heard(w, true), zbh_watch_listed(w),
           w->elapsed_ms / 1000, w->interrupted ? " (interrupted)" : "");
    if (w->n > zbh_watch_listed(w))
        printf("; %zu senders not in the list", w->n - zbh_watch_listed(w));
    printf(".\n");
    if (routers)
        printf("Not yet heard: %zu router(s). A router that answers reports or relays within "
               "minutes: still silent after ten, it is likely lost (frame counter, key or trust "
               "center: zbharness diff the backups, and see the restore's losses).\n",
               routers);
    if (ends)
        printf("Not yet heard: %zu end device(s). A sleepy device speaks at its own report or "
               "poll interval (minutes to an hour); press a button to wake it, or watch longer.\n",
               ends);
}

static volatile sig_atomic_t g_stop;
static void on_stop(int sig)
{
    g_stop = sig;
}

/* Reads the stick's network, then listens: ZBH_OK with w filled, or an exit code. */
static int watch_stick(const watch_args *a, zbh_session *s, zbh_watch *w)
{
    char err[ZB_MSG_MAX];
    ocb_backup *stick = zbh_backup(s, NULL, err, sizeof(err));
    if (!stick) {
        fprintf(stderr, "zbharness watch: %s: %s: nothing to listen to\n", a->port, err);
        return ZBH_FAIL;
    }
    ocb_backup *b = expected(a, stick);
    int rc = a->backup && !b ? ZBH_FAIL : ZBH_OK;
    if (rc == ZBH_OK && zbh_watch_list(w, b ? b : stick) < 0) rc = ZBH_USAGE;
    ocb_free(b);
    ocb_free(stick);
    if (rc != ZBH_OK) return rc;
    zbh_progress("listening on %s for %lld s to %zu devices", a->port, w->ms / 1000,
                 zbh_watch_listed(w));
    struct sigaction sa = {.sa_handler = on_stop}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    rc = zbh_watch_run(s, w, err, sizeof(err));
    sigaction(SIGINT, &old, NULL);
    if (rc != ZBH_OK) fprintf(stderr, "zbharness watch: %s: %s\n", a->port, err);
    return rc == ZBH_OK ? ZBH_OK : ZBH_USAGE;
}

int zbh_cmd_watch(int argc, char **argv)
{
    watch_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    zbh_session s;
    char err[ZB_MSG_MAX];
    if ((rc = zbh_session_open(&s, a.stack, a.port, a.baud, err, sizeof(err)))) {
        fprintf(stderr, "zbharness: %s\n", err);
        return rc;
    }
    zbh_watch w = {.ms = a.ms, .until_all = a.until_all != 0, .stop = &g_stop};
    rc = watch_stick(&a, &s, &w);
    zbh_session_close(&s);
    if (rc == ZBH_OK || w.interrupted) {
        print_table(&w);
        print_summary(&w);
        if (a.json && zbh_watch_write_json(&w, a.json) != ZBH_OK) rc = ZBH_USAGE;
        if (rc == ZBH_OK)
            rc = zbh_watch_heard(&w, true) == zbh_watch_listed(&w) ? ZBH_OK : ZBH_FAIL;
    }
    bool interrupted = w.interrupted;
    zbh_watch_free(&w);
    return interrupted ? 128 + SIGINT : rc;
}
