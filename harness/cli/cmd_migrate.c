/* cmd_migrate.c - `zbharness migrate`: the user's whole move from one stick to another in one
 * command, in three steps:
 *   plan     both sticks read only; the counter increment from the source's measured rate; the
 *            target's checks (restore --dry-run: IEEE, capacities, another network); the losses
 *            and the devices they touch. --dry-run stops here; nothing is written without
 *            --yes or a "yes" on a terminal.
 *   move     the source backed up (a new file, 0600); the user unplugs the source (a powered
 *            stick keeps sending and raising its counter; migrate never erases it) and migrate
 *            sees its port go; the restore with every safety rule of `restore`.
 *   hand-off Zigbee2MQTT's configuration.yaml (z2m_config.h) with the old file kept and the
 *            stale coordinator_backup.json moved aside; ZHA's settings; then a short `watch`.
 * The options are one table (cli_opts.h). */
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "fileio.h"
#include "log.h"
#include "migrate.h"
#include "ocb.h"
#include "ops.h"
#include "prerestore.h"
#include "progress.h"
#include "serial.h"
#include "watch.h"
#include "z2m_config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct mig_args {
    char src_stack[16], dst_stack[16];
    const char *src_port, *dst_port, *dir, *z2m, *watch_json;
    int baud, dry_run, yes, force, burn_ieee, keep_ieee, zha, verbose;
    long long measure_ms, swap_s, watch_ms, unplug_ms;
    long long increment; /* -1: from the measured rate */
} mig_args;

static const zbh_opt ROWS[] = {
    {"from", 1, 'f', "STACK:PORT", "the stick the network is on (read only, never erased)"},
    {"to", 1, 't', "STACK:PORT", "the stick the network moves to"},
    {"dry-run", 0, 'n', NULL, "print the plan and stop: nothing is written", 1,
     ZBH_SET(mig_args, dry_run)},
    {"yes", 0, 'y', NULL, "go ahead without asking (a script's consent)", 1,
     ZBH_SET(mig_args, yes)},
    {"dir", 1, 'd', "DIR",
     "where the source backup and the target's pre-restore\nbackup go "
     "(default .)",
     0, ZBH_STR(mig_args, dir)},
    {"measure-seconds", 1, 'M', "N", "read the source's frame counter N s apart (default 10)"},
    {"swap-minutes", 1, 'W', "N",
     "how long the swap may take (default 5): the frames the\n"
     "source sends meanwhile are covered twice over"},
    {"counter-increment", 1, 'c', "N", "use N instead of the measured increment"},
    {"burn-ieee", 0, 'U', NULL,
     "EmberZNet target: burn the source's IEEE into the\n"
     "write-once token (once, forever), as restore does",
     0, ZBH_SET(mig_args, burn_ieee)},
    {"keep-ieee", 0, 'K', NULL, "the target keeps its own IEEE (a declared loss)", 0,
     ZBH_SET(mig_args, keep_ieee)},
    {"force", 0, 'F', NULL, "the target holds another network: back it up, overwrite it", 0,
     ZBH_SET(mig_args, force)},
    {"z2m", 1, 'z', "DATA_DIR",
     "write the changes Zigbee2MQTT needs into\n"
     "DATA_DIR/configuration.yaml (the old one kept)",
     0, ZBH_STR(mig_args, z2m)},
    {"zha", 0, 'a', NULL, "print the settings ZHA (zigpy) needs for the new stick", 0,
     ZBH_SET(mig_args, zha)},
    {"watch-seconds", 1, 'w', "N",
     "listen N s on the target afterwards (default 60; 0: only\n"
     "print the watch command)"},
    {"watch-json", 1, 'j', "FILE", "the watch's result as JSON", 0, ZBH_STR(mig_args, watch_json)},
    {"unplug-timeout", 1, 'u', "N",
     "wait at most N s for the source to be unplugged\n"
     "(default 600)"},
    {"baud", 1, 'B', "N", "as for backup (both sticks)"},
    {"quiet", 0, 'q', NULL, "no progress lines on stderr", 1},
    {"verbose", 0, 'v', NULL, "log progress; twice: frame trace (keys redacted)", 1,
     ZBH_COUNT(mig_args, verbose)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness migrate --from STACK:PORT --to STACK:PORT [OPTIONS]\n\n"
           "Moves a network from one coordinator stick to another: plan (both read only),\n"
           "move (source backup, unplug, restore with every rule of `restore`), hand-off\n"
           "(Zigbee2MQTT or ZHA settings) and a short watch of which devices answer.\n"
           "STACK: znp (zstack) | ezsp (ember) | zboss.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nExit: 0 moved (or planned, with --dry-run), 1 refused or failed (the source\n"
           "still holds the network: plug it back in), 2 usage or link error.\n");
}

static int count_opt(const char *opt, const char *s, long long lo, long long unit, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > 1000000000LL) {
        fprintf(stderr, "zbharness migrate: --%s: '%s' is not a count >= %lld\n", opt, s, lo);
        return ZBH_USAGE;
    }
    *out = v * unit;
    return ZBH_OK;
}

static int endpoint(const char *spec, const char *opt, char *stack, const char **port)
{
    if (zbh_split_endpoint(spec, stack, 16, port) == 0) return ZBH_OK;
    fprintf(stderr, "zbharness migrate: --%s %s: expected STACK:PORT with STACK one of %s\n", opt,
            spec, zbh_driver_names());
    return ZBH_USAGE;
}

/* the rows that are not stored as they are: endpoints, checked counts, -B, -q and --help */
static int on_option(void *args, int c, const char *arg)
{
    mig_args *a = args;
    switch (c) {
    case 'f': return endpoint(arg, "from", a->src_stack, &a->src_port);
    case 't': return endpoint(arg, "to", a->dst_stack, &a->dst_port);
    case 'M': return count_opt("measure-seconds", arg, 1, 1000, &a->measure_ms);
    case 'W': return count_opt("swap-minutes", arg, 1, 60, &a->swap_s);
    case 'c': return count_opt("counter-increment", arg, 0, 1, &a->increment);
    case 'w': return count_opt("watch-seconds", arg, 0, 1000, &a->watch_ms);
    case 'u': return count_opt("unplug-timeout", arg, 1, 1000, &a->unplug_ms);
    case 'B': return zbh_cli_link_option('B', arg, "zbharness migrate", &a->baud);
    case 'q': zbh_progress_set_quiet(1); return ZBH_OK;
    case 'h': help(); return -1;
    default: return ZBH_USAGE;
    }
}

static int parse(int argc, char **argv, mig_args *a)
{
    *a = (mig_args){.baud = 115200,
                    .measure_ms = 10000,
                    .swap_s = 300,
                    .watch_ms = 60000,
                    .unplug_ms = 600000,
                    .increment = -1};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc != ZBH_OK) return rc;
    const char *why = optind < argc                  ? "unexpected argument"
                      : !a->src_port || !a->dst_port ? "--from and --to are required"
                      : a->burn_ieee && a->keep_ieee ? "--burn-ieee and --keep-ieee exclude "
                                                       "each other"
                      : strcmp(a->src_port, a->dst_port) == 0 ? "--from and --to are the same port"
                                                              : NULL;
    if (why) {
        fprintf(stderr, "zbharness migrate: %s (try --help)\n", why);
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    return ZBH_OK;
}

/* ---------------------------------------------------------------- plan */

typedef struct mig_plan {
    ocb_backup *src; /* the second read: what the plan shows */
    zbh_rate rate;
    uint32_t increment;
} mig_plan;

static zbh_restore_req restore_req(const mig_args *a, uint32_t inc, bool dry, const char *file)
{
    return (zbh_restore_req){inc,
                             a->force != 0,
                             dry,
                             a->dir,
                             a->burn_ieee   ? ZBH_IEEE_BURN
                             : a->keep_ieee ? ZBH_IEEE_KEEP
                                            : ZBH_IEEE_REFUSE,
                             file,
                             false};
}

/* The source read twice, measure_ms apart: the rate and the increment. */
static int measure(const mig_args *a, zbh_session *src, mig_plan *p)
{
    char err[ZB_MSG_MAX];
    long long t0 = zb_now_ms();
    ocb_backup *first = zbh_backup(src, NULL, err, sizeof(err));
    if (!first) {
        fprintf(stderr, "zbharness migrate: the source %s: %s\n", a->src_port, err);
        return ZBH_FAIL;
    }
    zbh_progress("measuring the source's frame rate for %lld s", a->measure_ms / 1000);
    long long left = a->measure_ms - (zb_now_ms() - t0);
    if (left > 0) poll(NULL, 0, (int)left);
    p->src = zbh_backup(src, NULL, err, sizeof(err));
    long long t1 = zb_now_ms();
    if (p->src) {
        p->rate = zbh_rate_of(first->network_key.frame_counter, p->src->network_key.frame_counter,
                              t1 - t0);
        p->increment = a->increment >= 0 ? (uint32_t)a->increment
                                         : zbh_migrate_increment(&p->rate, (unsigned)a->swap_s,
                                                                 zbh_migrate_unseen(a->src_stack));
    } else {
        fprintf(stderr, "zbharness migrate: the source %s, second read: %s\n", a->src_port, err);
    }
    ocb_free(first);
    return p->src ? ZBH_OK : ZBH_FAIL;
}

static void print_counter(const mig_args *a, const mig_plan *p)
{
    printf("  counter   NWK frame counter %" PRIu32 "; it rose %" PRIu32 " in %.1f s: %.1f "
           "frames/s\n",
           p->src->network_key.frame_counter, p->rate.second - p->rate.first,
           (double)p->rate.ms / 1000.0, p->rate.per_s);
    if (a->increment >= 0)
        printf("            increment %" PRIu32 " (your --counter-increment)\n", p->increment);
    else
        printf("            increment %" PRIu32 ": %.0f frames in a %lld-minute swap, times %.0f, "
               "plus %u the counter did not show yet, never below %u (zigbee-herdsman's "
               "default)\n",
               p->increment, p->rate.per_s * (double)a->swap_s, a->swap_s / 60, ZBH_MIGRATE_MARGIN,
               zbh_migrate_unseen(a->src_stack), ZBH_MIGRATE_FLOOR);
    if (zbh_migrate_unseen(a->src_stack) && p->rate.per_s == 0)
        printf("            (Z-Stack saves its counter every 1000 frames: a network that sent "
               "fewer in the measurement shows 0 frames/s; a busy one is measured better with "
               "--measure-seconds 120)\n");
}

static void print_plan(const mig_args *a, const zbh_session *src, const zbh_session *dst,
                       const mig_plan *p)
{
    size_t children = 0, keys = 0;
    for (size_t i = 0; i < p->src->n_devices; i++) {
        children += p->src->devices[i].is_child;
        keys += p->src->devices[i].has_link_key;
    }
    printf("Migration plan\n");
    printf("  source    %s:%s  %s\n", a->src_stack, a->src_port, src->info.firmware);
    printf("            network %016" PRIx64 ", PAN %04x, channel %u, coordinator %016" PRIx64
           "; %zu devices (%zu end devices), %zu link keys\n",
           p->src->extended_pan_id, p->src->pan_id, p->src->channel, p->src->coordinator_ieee,
           p->src->n_devices, children, keys);
    printf("  target    %s:%s  %s\n", a->dst_stack, a->dst_port, dst->info.firmware);
    print_counter(a, p);
    printf("  keeps     the network (PAN, extended PAN ID, channel, network key and its "
           "sequence), the trust center's address, %zu devices and their link keys, but:\n",
           p->src->n_devices);
    printf("  loses     ");
    const zbh_loss *l = dst->drv->losses ? dst->drv->losses(dst->dev) : NULL;
    if (!l || !l->field) printf("nothing the backup format holds\n");
    for (size_t i = 0; l && l[i].field; i++)
        printf("%s%s: %s\n", i ? "            " : "", l[i].field, l[i].why);
    printf("  devices   likely to rejoin or need re-pairing:\n");
    zbh_migrate_rejoins(stdout, p->src, l, a->keep_ieee != 0);
    printf("  IEEE      %s\n", a->burn_ieee ? "burnt into the target's write-once token if it "
                                              "must be (--burn-ieee)"
                               : a->keep_ieee
                                   ? "the target keeps its own (--keep-ieee)"
                                   : "the source's, where the target can take it without "
                                     "burning a write-once token (the checks below say)");
    fflush(stdout);
}

/* ---------------------------------------------------------------- move */

static bool confirmed(const mig_args *a, const char *question)
{
    if (a->yes) return true;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "zbharness migrate: %s Not on a terminal: add --yes to go ahead.\n",
                question);
        return false;
    }
    fprintf(stderr, "%s [y/N] ", question);
    char line[16];
    return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

/* Whether the source is gone: its device node (or pty link) vanished, or a network
 * coordinator no longer accepts a connection. */
static bool unplugged(const char *port)
{
    char host[256], err[256];
    int tcp_port;
    if (zbh_serial_parse_url(port, host, sizeof(host), &tcp_port, err, sizeof(err)) != 1) {
        struct stat st;
        return stat(port, &st) < 0 && errno == ENOENT;
    }
    zbh_serial *s = zbh_serial_open(port, 115200, err, sizeof(err));
    if (s) zbh_serial_close(s);
    return s == NULL;
}

static int wait_unplugged(const mig_args *a)
{
    fprintf(stderr,
            "zbharness migrate: UNPLUG THE SOURCE STICK NOW (%s). A powered stick keeps sending "
            "and raising its frame counter past the backup. It is not erased: it is your way "
            "back. Waiting up to %lld s for its port to go%s.\n",
            a->src_port, a->unplug_ms / 1000,
            isatty(STDIN_FILENO) ? " (or press Enter once it is unplugged)" : "");
    long long end = zb_now_ms() + a->unplug_ms;
    while (zb_now_ms() < end) {
        if (unplugged(a->src_port)) return ZBH_OK;
        struct pollfd in = {STDIN_FILENO, POLLIN, 0};
        if (isatty(STDIN_FILENO) && poll(&in, 1, 500) == 1) {
            char line[16];
            if (fgets(line, sizeof(line), stdin)) return ZBH_OK;
        } else if (!isatty(STDIN_FILENO)) {
            poll(NULL, 0, 500);
        }
    }
    fprintf(stderr,
            "zbharness migrate: the source %s is still there after %lld s; nothing was "
            "written to the target\n",
            a->src_port, a->unplug_ms / 1000);
    return ZBH_FAIL;
}

/* The final backup of the source into DIR; its path into `path`. */
static ocb_backup *final_backup(const mig_args *a, zbh_session *src, char *path, size_t cap)
{
    char err[ZB_MSG_MAX];
    ocb_backup *b = zbh_backup(src, NULL, err, sizeof(err));
    if (!b) {
        fprintf(stderr, "zbharness migrate: the source's backup: %s\n", err);
        return NULL;
    }
    if (zbh_backup_write_named(b, a->dir, "zbharness-migrate-source", path, cap) < 0) {
        fprintf(stderr,
                "zbharness migrate: cannot write %s: %s; nothing was written to the "
                "target\n",
                path, strerror(errno));
        ocb_free(b);
        return NULL;
    }
    fprintf(stderr, "zbharness migrate: the source's network is backed up to %s\n", path);
    return b;
}

static int move(const mig_args *a, zbh_session *src, zbh_session *dst, const mig_plan *p)
{
    char path[1024];
    ocb_backup *b = final_backup(a, src, path, sizeof(path));
    if (!b) return ZBH_FAIL;
    zbh_session_close(src);
    int rc = wait_unplugged(a);
    if (rc == ZBH_OK) {
        zbh_restore_req req = restore_req(a, p->increment, false, path);
        zbh_restore_result res;
        rc = zbh_restore(dst, b, &req, &res);
        if (rc == ZBH_OK)
            fprintf(stderr, "zbharness migrate: restored onto %s and read back equal%s\n",
                    a->dst_port, res.n_losses ? " (apart from the losses above)" : "");
        else
            fprintf(stderr, "zbharness migrate: the restore did not complete; the source stick "
                            "still holds the network: plug it back in\n");
        zbh_restore_result_free(&res);
    }
    ocb_free(b);
    return rc;
}

/* ---------------------------------------------------------------- hand-off */

static void print_zha(const mig_args *a)
{
    static const struct {
        const char *stack, *radio;
    } RADIOS[] = {{"znp", "znp"},
                  {"zstack", "znp"},
                  {"ezsp", "ezsp"},
                  {"ember", "ezsp"},
                  {"zboss", "zboss (zigpy-zboss, not one of ZHA's built-in radio types)"}};
    const char *radio = "?";
    for (size_t i = 0; i < sizeof(RADIOS) / sizeof(RADIOS[0]); i++)
        if (strcmp(RADIOS[i].stack, a->dst_stack) == 0) radio = RADIOS[i].radio;
    printf("ZHA: reconfigure the Zigbee integration (Settings > Devices & services > Zigbee Home "
           "Automation > Configure > Migrate radio), or in configuration.yaml for zigpy:\n"
           "  radio type: %s\n  device path: %s\n  baudrate: %d\n"
           "ZHA keeps its device database; the network is on the new stick already, so choose "
           "not to restore a backup onto it again.\n",
           radio, a->dst_port, a->baud);
}

typedef struct lines {
    const char **p;
    size_t *len, n;
} lines;

static int split_lines(const char *t, lines *l)
{
    size_t n = 1;
    for (const char *c = t; *c; c++)
        n += *c == '\n';
    l->p = calloc(n, sizeof(*l->p));
    l->len = calloc(n, sizeof(*l->len));
    l->n = 0;
    if (!l->p || !l->len) return -1;
    while (*t) {
        const char *e = strchr(t, '\n');
        l->p[l->n] = t;
        l->len[l->n++] = e ? (size_t)(e - t) : strlen(t);
        t = e ? e + 1 : t + strlen(t);
    }
    return 0;
}

static bool same_line(const lines *a, size_t i, const lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* A line of the diff; the network key's value is not shown (no secret in any output). */
static void diff_line(char sign, const char *p, size_t len)
{
    const char *k = NULL;
    for (size_t i = 0; !k && i + 11 <= len; i++)
        if (memcmp(p + i, "network_key", 11) == 0) k = p + i;
    printf("  %c %.*s%s\n", sign, (int)(k ? (size_t)(k - p) + 11 : len), p,
           k ? ": (the network key, not shown)" : "");
}

/* The lines that differ, from a longest common subsequence (the files are small). */
static void print_diff(const char *old, const char *new_text)
{
    lines a, b;
    size_t *t = NULL;
    if (split_lines(old, &a) == 0 && split_lines(new_text, &b) == 0 &&
        (t = calloc((a.n + 1) * (b.n + 1), sizeof(*t)))) {
        size_t w = b.n + 1;
        for (size_t i = a.n; i-- > 0;)
            for (size_t j = b.n; j-- > 0;)
                t[i * w + j] = same_line(&a, i, &b, j)                 ? t[(i + 1) * w + j + 1] + 1
                               : t[(i + 1) * w + j] > t[i * w + j + 1] ? t[(i + 1) * w + j]
                                                                       : t[i * w + j + 1];
        size_t i = 0, j = 0;
        while (i < a.n || j < b.n) {
            if (i < a.n && j < b.n && same_line(&a, i, &b, j))
                i++, j++;
            else if (i < a.n && (j == b.n || t[(i + 1) * w + j] >= t[i * w + j + 1]))
                diff_line('-', a.p[i], a.len[i]), i++;
            else
                diff_line('+', b.p[j], b.len[j]), j++;
        }
    }
    free(t);
    free(a.p);
    free(a.len);
    free(b.p);
    free(b.len);
}

static void stamp_now(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(out, cap, "%Y%m%dT%H%M%S", &tm))
        snprintf(out, cap, "%lld", (long long)now);
}

/* FILE moved to FILE.before-migrate-STAMP (never over an existing file). */
static int move_aside(const char *file, const char *stamp, char *to, size_t cap)
{
    struct stat st;
    snprintf(to, cap, "%s.before-migrate-%s", file, stamp);
    if (stat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(file, to);
}

/* The new configuration: the old file kept beside it, the new one written atomically. */
static int write_z2m(const char *path, const char *old, const char *new_text, const char *stamp)
{
    char kept[1200];
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? st.st_mode & 0777 : 0600;
    snprintf(kept, sizeof(kept), "%s.before-migrate-%s", path, stamp);
    if (stat(kept, &st) == 0 || file_write(kept, old, strlen(old), mode, 0) < 0 ||
        file_write(path, new_text, strlen(new_text), mode, 0) < 0) {
        fprintf(stderr,
                "zbharness migrate: cannot write %s or keep the old one as %s: %s; "
                "configuration.yaml is as it was\n",
                path, kept, strerror(errno ? errno : EEXIST));
        return ZBH_USAGE;
    }
    printf("Zigbee2MQTT: %s written; the old one is kept as %s\n", path, kept);
    return ZBH_OK;
}

static int stale_backup_aside(const char *dir, const char *stamp)
{
    char file[1100], to[1200];
    struct stat st;
    snprintf(file, sizeof(file), "%s/coordinator_backup.json", dir);
    if (stat(file, &st) != 0) return ZBH_OK;
    if (move_aside(file, stamp, to, sizeof(to)) < 0) {
        fprintf(stderr,
                "zbharness migrate: cannot move %s aside: %s (Zigbee2MQTT's ember "
                "adapter refuses to start beside another stack's backup)\n",
                file, strerror(errno));
        return ZBH_USAGE;
    }
    printf("Zigbee2MQTT: the old stick's %s moved aside to %s\n", file, to);
    return ZBH_OK;
}

static int handoff_z2m(const mig_args *a, const ocb_backup *b)
{
    char path[1100], stamp[32];
    size_t len, secrets = 0;
    snprintf(path, sizeof(path), "%s/configuration.yaml", a->z2m);
    char *old = file_read_all(path, 1 << 20, &len);
    if (!old) {
        fprintf(stderr, "zbharness migrate: cannot read %s: %s\n", path, strerror(errno));
        return ZBH_USAGE;
    }
    z2m_setting set[Z2M_SETTINGS];
    int n = z2m_settings_for(b, z2m_adapter_of(a->dst_stack), a->dst_port, set);
    char *new_text = z2m_apply(old, set, (size_t)n, &secrets);
    int rc = new_text ? ZBH_OK : ZBH_USAGE;
    stamp_now(stamp, sizeof(stamp));
    for (int i = 0; new_text && i < n; i++)
        if (z2m_is_secret(new_text, set[i].section, set[i].key))
            printf("Zigbee2MQTT: %s.%s is a !secret reference, left as it is: set it in "
                   "secret.yaml to the %s\n",
                   set[i].section, set[i].key,
                   strcmp(set[i].key, "network_key") ? set[i].value : "backup's network key");
    if (new_text && strcmp(old, new_text) == 0) {
        printf("Zigbee2MQTT: %s already holds these settings\n", path);
    } else if (new_text) {
        printf("Zigbee2MQTT: changes to %s:\n", path);
        print_diff(old, new_text);
        rc = confirmed(a, "Write them?") ? write_z2m(path, old, new_text, stamp) : ZBH_FAIL;
    }
    if (rc == ZBH_OK) rc = stale_backup_aside(a->z2m, stamp);
    free(new_text);
    free(old);
    return rc;
}

/* ---------------------------------------------------------------- watch */

static int watch_after(const mig_args *a, zbh_session *dst, const ocb_backup *b)
{
    if (a->watch_ms == 0) {
        printf("To see which devices answer: zbharness watch --stack %s --port %s --minutes 10\n",
               a->dst_stack, a->dst_port);
        return ZBH_OK;
    }
    zbh_watch w = {.ms = a->watch_ms, .until_all = true};
    char err[ZB_MSG_MAX];
    int rc = zbh_watch_list(&w, b) < 0 ? ZBH_USAGE : zbh_watch_run(dst, &w, err, sizeof(err));
    if (rc != ZBH_OK) {
        fprintf(stderr, "zbharness migrate: watch: %s\n", err);
    } else {
        printf("After %lld s, %zu of %zu devices were heard on the new stick", w.elapsed_ms / 1000,
               zbh_watch_heard(&w, true), zbh_watch_listed(&w));
        printf("%s\n", zbh_watch_heard(&w, true) == zbh_watch_listed(&w)
                           ? "."
                           : "; sleepy devices speak later. Keep watching with: zbharness watch "
                             "--stack S --port P --minutes 10");
        if (a->watch_json) rc = zbh_watch_write_json(&w, a->watch_json);
    }
    zbh_watch_free(&w);
    return rc;
}

/* ---------------------------------------------------------------- the command */

static int plan_and_check(const mig_args *a, zbh_session *src, zbh_session *dst, mig_plan *p)
{
    int rc = measure(a, src, p);
    if (rc != ZBH_OK) return rc;
    print_plan(a, src, dst, p);
    printf("  checks    the target, as restore --dry-run:\n");
    fflush(stdout);
    zbh_restore_req req = restore_req(a, p->increment, true, NULL);
    zbh_restore_result res;
    rc = zbh_restore(dst, p->src, &req, &res);
    zbh_restore_result_free(&res);
    if (rc != ZBH_OK)
        fprintf(stderr, "zbharness migrate: the target refuses this network (above); nothing "
                        "was written to either stick\n");
    return rc;
}

int zbh_cmd_migrate(int argc, char **argv)
{
    mig_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    zbh_session src = {0}, dst = {0};
    char err[ZB_MSG_MAX];
    if ((rc = zbh_session_open(&src, a.src_stack, a.src_port, a.baud, err, sizeof(err))) ||
        (rc = zbh_session_open(&dst, a.dst_stack, a.dst_port, a.baud, err, sizeof(err)))) {
        fprintf(stderr, "zbharness migrate: %s\n", err);
        zbh_session_close(&src);
        return rc;
    }
    mig_plan p = {0};
    rc = plan_and_check(&a, &src, &dst, &p);
    if (rc == ZBH_OK && !a.dry_run)
        rc = confirmed(&a, "Move the network now?") ? move(&a, &src, &dst, &p) : ZBH_FAIL;
    if (rc == ZBH_OK && !a.dry_run && a.z2m) rc = handoff_z2m(&a, p.src);
    if (rc == ZBH_OK && !a.dry_run && a.zha) print_zha(&a);
    if (rc == ZBH_OK && !a.dry_run) rc = watch_after(&a, &dst, p.src);
    ocb_free(p.src);
    zbh_session_close(&src);
    zbh_session_close(&dst);
    return rc;
}
