/* cmd_device.c - the subcommands that talk to a coordinator: backup and restore.
 *
 * The drivers (driver.h) speak the protocols; this file owns the safety rules: a restore
 * first backs up what it is about to overwrite and refuses to replace a different network
 * without --force; backups are written atomically with mode 0600, and a backup never silently
 * replaces a better one of the same network (higher NWK frame counter, more devices or link
 * keys) in FILE: that needs --force, which keeps the old file as FILE.prev (issue 26).
 *
 * Both commands parse one option table (cli_opts.h); each --help prints its part of it. */
#include "cli.h"
#include "cli_opts.h"
#include "driver.h"
#include "fileio.h"
#include "log.h"
#include "progress.h"
#include "ocb.h"
#include "ops.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct dev_args {
    const char *stack, *port, *output, *backup, *pre_dir;
    int baud, force, verbose, show_keys, dry_run, burn_ieee, keep_ieee, placeholder_ieee, quiet;
    long counter_increment;
    void (*help)(void); /* the command's --help */
} dev_args;

/* One table for both commands, in three runs: restore's own rows, the shared ones, backup's
 * own. backup --help shows the last two runs, restore --help the first two; both commands
 * accept every row (as they always have: backup ignores restore's own options, and so on). */
static const zbh_opt ROWS[] = {
    /* restore's own */
    {"backup", 1, 'b', "FILE", "the backup to write (required)", 1, ZBH_STR(dev_args, backup)},
    {"counter-increment", 1, 'c', "N",
     "added to the NWK and link-key TX frame counters\n(default 2500, like zigbee-herdsman)"},
    {"dry-run", 0, 'n', NULL, "say what would be written, write nothing", 0,
     ZBH_SET(dev_args, dry_run)},
    {"prerestore-dir", 1, 'D', "DIR", "where the pre-restore backup goes (default .)", 0,
     ZBH_STR(dev_args, pre_dir)},
    {"burn-ieee", 0, 'U', NULL,
     "EmberZNet: burn the backup's IEEE into the write-once\n"
     "MFG_CUSTOM_EUI_64 token when that is the only way (once,\n"
     "forever); without it or --keep-ieee such a restore stops",
     0, ZBH_SET(dev_args, burn_ieee)},
    {"keep-ieee", 0, 'K', NULL,
     "restore with the stick's own IEEE (a declared loss:\n"
     "devices bound to the old IEEE must be re-paired)",
     0, ZBH_SET(dev_args, keep_ieee)},
    {"write-placeholder-ieee", 0, 'W', NULL,
     "write the backup's coordinator_ieee even though it is a\n"
     "placeholder (no OUI: eight equal bytes such as\n"
     "Zigbee2MQTT's dddddddddddddddd, or a first byte with the\n"
     "group or the locally-administered bit, as a byte-reversed\n"
     "herdsman ember IEEE has; validate warns). Without it or\n"
     "--keep-ieee such a restore stops, unless the stick has\n"
     "that IEEE already; on EmberZNet with a blank token it\n"
     "needs --burn-ieee as well",
     0, ZBH_SET(dev_args, placeholder_ieee)},
#define N_RESTORE_OWN 7
    /* both */
    {"stack", 1, 's', "S",
     "protocol: znp (alias zstack) | ezsp (alias ember) | zboss\n"
     "| auto (identify: read-only wake-up)",
     1, ZBH_STR(dev_args, stack)},
    {"port", 1, 'p', "PATH",
     "serial port (/dev/ttyUSB0, /dev/ttyACM0, an emulator's\n"
     "pty), held exclusively (flock + TIOCEXCL; a port in use\n"
     "is refused, exit 2), or a network coordinator:\n"
     "tcp://HOST:PORT, socket://HOST:PORT",
     1, ZBH_STR(dev_args, port)},
    {"baud", 1, 'B', "N",
     "default 115200; a rate termios sets exactly (e.g.\n"
     "460800, 921600), anything else is refused"},
    {"flow-control", 1, 'F', "F", "none (default) | software (XON/XOFF) | hardware (RTS/CTS)"},
    ZBH_ROW_SHARED_PORT,
    {"force", 0, 'f', NULL,
     "backup: replace a better F (see --output) anyway, keeping\n"
     "the old one as F.prev; restore: overwrite a different\n"
     "network (after the backup)",
     0, ZBH_SET(dev_args, force)},
    {"quiet", 0, 'q', NULL, "no progress lines on stderr (--stack auto tries, table\nreads)", 1,
     ZBH_SET(dev_args, quiet)},
    {"verbose", 0, 'v', NULL, "log progress; twice: frame trace (keys redacted)", 1,
     ZBH_COUNT(dev_args, verbose)},
    {"show-keys", 0, 'k', NULL, "do not redact keys in logs", 0, ZBH_SET(dev_args, show_keys)},
    {"help", 0, 'h', NULL, "this text", 1},
#define N_SHARED 10
    /* backup's own */
    {"output", 1, 'o', "F",
     "write the backup to F: a file atomically (a symlink's\n"
     "target), a pipe, terminal or /dev/stdout in place; '-'\n"
     "is standard output. If F holds a backup of the same\n"
     "network with a higher NWK frame counter, more devices or\n"
     "more link keys, it is kept (exit 1)",
     1, ZBH_STR(dev_args, output)},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))
_Static_assert(N_ROWS == N_RESTORE_OWN + N_SHARED + 1, "the three runs of ROWS");

static void backup_help(void)
{
    printf("usage: zbharness backup --stack znp|ezsp|zboss --port PATH [-o FILE] [OPTIONS]\n\n"
           "Reads the network from a coordinator and writes an open coordinator backup\n"
           "(canonical JSON, mode 0600) to FILE, or prints it.\n\n");
    zbh_opts_help(stdout, ROWS + N_RESTORE_OWN, N_ROWS - N_RESTORE_OWN);
}

static void restore_help(void)
{
    printf("usage: zbharness restore --stack znp|ezsp|zboss --port PATH --backup FILE [OPTIONS]\n\n"
           "Writes the network in FILE to the coordinator and restarts it on that network.\n"
           "Nothing is written unless the device's network was read (a failed read is\n"
           "never taken for 'no network'), every value and table size of FILE fits the\n"
           "target, and a device holding a different network (other extended PAN ID) is\n"
           "overwritten only with --force. Then the network on the device is backed up to\n"
           "  zbharness-prerestore-<ieee>-<YYYYmmddTHHMMSS>.json (current directory, 0600,\n"
           "never overwriting) before the first write; an interrupted restore prints the\n"
           "command that puts it back. For the same network, frame counters never go\n"
           "below the device's, nor below those of an earlier restore of this network on\n"
           "this port: a journal, zbharness-journal-<epid>-<port>.json, is written next to\n"
           "the pre-restore backup and in the state directory ($ZBHARNESS_STATE_DIR, else\n"
           "$XDG_STATE_HOME/zbharness, else ~/.local/state/zbharness) before the first\n"
           "write, and marked done after the read-back; until then backup and info warn.\n"
           "The read-back must show every field as written and every counter at least the\n"
           "backup's plus the increment (a higher one is reported, not a failure).\n"
           "Device entries a writer garbled (NWK fffe or reserved, two bytes of the device's\n"
           "OUI, shared by two devices; an IEEE that is another entry's shifted) are said one\n"
           "by one with what is done: a NWK address that cannot be right is left out (the\n"
           "device's IEEE and link key are written), anything else is written as it is.\n"
           "No entry is dropped.\n\n");
    zbh_opts_help(stdout, ROWS, N_RESTORE_OWN + N_SHARED);
}

/* The rows that are not stored as they are: the link options, a checked number, --help. */
static int on_option(void *args, int c, const char *arg)
{
    dev_args *a = args;
    char *end;
    switch (c) {
    case 'B':
    case 'F':
    case 'P': return zbh_cli_link_option(c, arg, "zbharness", &a->baud) ? ZBH_USAGE : ZBH_OK;
    case 'c':
        errno = 0;
        a->counter_increment = strtol(arg, &end, 0);
        if (errno || *end || a->counter_increment < 0 || a->counter_increment > 1000000000) {
            fprintf(stderr, "zbharness: --counter-increment: '%s' is not 0..1000000000\n", arg);
            return ZBH_USAGE;
        }
        return ZBH_OK;
    default: a->help(); return -1; /* --help */
    }
}

/* The first rule the options break, as a whole message line (into buf), or NULL. */
static const char *misuse(const dev_args *a, const char *cmd, const char *extra, char *buf,
                          size_t cap)
{
    if (extra)
        snprintf(buf, cap, "zbharness: unexpected argument '%s'", extra);
    else if (a->keep_ieee && (a->burn_ieee || a->placeholder_ieee))
        snprintf(buf, cap, "zbharness: --keep-ieee excludes %s",
                 a->burn_ieee ? "--burn-ieee" : "--write-placeholder-ieee");
    else if (!a->stack || !a->port)
        snprintf(buf, cap, "zbharness %s: --stack and --port are required (try --help)", cmd);
    else if (!zbh_find_driver(a->stack) && strcmp(a->stack, "auto") != 0)
        snprintf(buf, cap, "zbharness: --stack %s: unknown (known: %s, or auto)", a->stack,
                 zbh_driver_names());
    else
        return NULL;
    return buf;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int parse(int argc, char **argv, dev_args *a, void (*help)(void))
{
    *a = (dev_args){.baud = 115200, .counter_increment = 2500, .help = help};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc) return rc;
    char buf[ZB_MSG_MAX];
    const char *bad = misuse(a, argv[0], optind < argc ? argv[optind] : NULL, buf, sizeof(buf));
    if (bad) {
        fprintf(stderr, "%s\n", bad);
        return ZBH_USAGE;
    }
    if (a->quiet) zbh_progress_set_quiet(1);
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    zb_log_set_show_keys(a->show_keys);
    return 0;
}

/* --force over a better backup: the old file's text is kept as FILE.prev first (said). */
static int keep_prev(const char *path, const char *text, size_t len)
{
    int rc = ZBH_OK;
    size_t cap = strlen(path) + sizeof(".prev");
    char *prev = malloc(cap);
    char why[160];
    if (prev) snprintf(prev, cap, "%s.prev", path);
    if (!prev || file_write(prev, text, len, 0600, 0) < 0) {
        fprintf(stderr,
                "zbharness backup: cannot keep the old backup as %s.prev: %s; %s is "
                "left as it is\n",
                path, prev ? file_write_error(prev, errno, 0, why, sizeof(why)) : "out of memory",
                path);
        rc = ZBH_USAGE;
    } else {
        fprintf(stderr, "zbharness backup: --force: %s replaced; the old backup is kept as %s\n",
                path, prev);
    }
    free(prev);
    return rc;
}

/* ZBH_OK when `b` may replace FILE: FILE is not a regular file holding a backup of the same
 * network that `b` would make worse (zbh_backup_shrinks), or `force` is set and the old file
 * is now kept as FILE.prev. ZBH_FAIL (FILE untouched, the reasons on stderr) or ZBH_USAGE. */
static int may_replace(const ocb_backup *b, const char *path, bool force)
{
    struct stat st;
    /* not a file with something to lose: an open descriptor (/dev/stdout, whatever the shell
     * put behind it), a shell's fresh `> FILE` (empty) or no file: file_write decides */
    if (file_fd_alias(path) >= 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return ZBH_OK;
    size_t len = 0;
    char *text = file_read_all(path, OCB_MAX_FILE, &len);
    if (!text) {
        char why[160];
        fprintf(stderr, "zbharness: warning: %s cannot be read (%s); replacing it\n", path,
                file_read_error(path, errno, OCB_MAX_FILE, why, sizeof(why)));
        return ZBH_OK;
    }
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *old = ocb_parse_ex(text, len, OCB_PARSE_LENIENT, &rep);
    zbh_shrink shrunk[ZBH_SHRINK_MAX];
    size_t n = old ? zbh_backup_shrinks(old, b, shrunk) : 0;
    int rc = ZBH_OK;
    if (!old) {
        fprintf(stderr,
                "zbharness: warning: %s is not a backup zbharness can read (%s%s%s); "
                "replacing it\n",
                path, rep.n_issues ? rep.issues[0].path : "",
                rep.n_issues && *rep.issues[0].path ? ": " : "",
                rep.n_issues ? rep.issues[0].message : "?");
    } else if (n && !force) {
        fprintf(stderr,
                "zbharness backup: %s holds a better backup of this network (extended PAN ID "
                "%016" PRIx64 "); not replacing it. What the new backup would lose:\n",
                path, b->extended_pan_id);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  %s: %" PRIu64 " -> %" PRIu64 "\n", shrunk[i].field,
                    shrunk[i].old_value, shrunk[i].new_value);
        fprintf(stderr,
                "The stick may hold a half-restored network: restore %s onto it, or write this "
                "backup to another file. --force replaces %s and keeps the old one as %s.prev.\n",
                path, path, path);
        rc = ZBH_FAIL;
    } else if (n) {
        rc = keep_prev(path, text, len);
    }
    ocb_free(old);
    ocb_report_free(&rep);
    free(text);
    return rc;
}

/* FILE ("-" or none: standard output, written in place so a full disk or a closed pipe is an
 * error, never exit 0 with nothing written). */
static int write_backup(const ocb_backup *b, const char *path, bool force)
{
    int rc = ZBH_OK;
    if (!path || strcmp(path, "-") == 0)
        path = "/dev/stdout";
    else
        rc = may_replace(b, path, force);
    if (rc != ZBH_OK) return rc;
    if (ocb_write_file(b, path) < 0) {
        char why[160];
        fprintf(stderr, "zbharness: cannot write %s: %s\n", path,
                file_write_error(path, errno, 0, why, sizeof(why)));
        return ZBH_USAGE;
    }
    return ZBH_OK;
}

int zbh_cmd_backup(int argc, char **argv)
{
    dev_args a;
    int rc = parse(argc, argv, &a, backup_help);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    zbh_session s;
    char err[ZB_MSG_MAX];
    if ((rc = zbh_session_open(&s, a.stack, a.port, a.baud, err, sizeof(err)))) {
        fprintf(stderr, "zbharness: %s\n", err);
        return rc;
    }
    ocb_backup *b = zbh_backup(&s, NULL, err, sizeof(err));
    if (!b) {
        fprintf(stderr, "zbharness backup: %s: %s\n", a.port, err);
        zbh_session_close(&s);
        return ZBH_FAIL;
    }
    rc = write_backup(b, a.output, a.force);
    if (rc == ZBH_OK && a.output && strcmp(a.output, "-") != 0)
        fprintf(stderr, "zbharness: backed up %s (%s): %zu devices -> %s\n", a.port,
                s.info.firmware, b->n_devices, a.output);
    ocb_free(b);
    zbh_session_close(&s);
    return rc;
}

/* --backup FILE, its issues on stderr; NULL with *rc ZBH_USAGE (unreadable) or ZBH_FAIL. */
static ocb_backup *load_backup(const char *path, int *rc)
{
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *want = ocb_load(path, OCB_PARSE_LENIENT, &rep);
    for (size_t i = 0; i < rep.n_issues; i++)
        fprintf(stderr, "zbharness restore: %s: %s: %s%s%s\n", path,
                rep.issues[i].severity == OCB_ERROR ? "error" : "warning", rep.issues[i].path,
                rep.issues[i].path[0] ? ": " : "", rep.issues[i].message);
    *rc = rep.unreadable ? ZBH_USAGE : ZBH_FAIL;
    ocb_report_free(&rep);
    return want;
}

int zbh_cmd_restore(int argc, char **argv)
{
    dev_args a;
    int rc = parse(argc, argv, &a, restore_help);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    if (!a.backup) {
        fprintf(stderr, "zbharness restore: --backup FILE is required\n");
        return ZBH_USAGE;
    }
    ocb_backup *want = load_backup(a.backup, &rc);
    if (!want) return rc;

    zbh_session s;
    char err[ZB_MSG_MAX];
    if ((rc = zbh_session_open(&s, a.stack, a.port, a.baud, err, sizeof(err)))) {
        fprintf(stderr, "zbharness: %s\n", err);
        ocb_free(want);
        return rc;
    }
    char *backup_abs = realpath(a.backup, NULL); /* the journal names it from anywhere */
    zbh_restore_req req = {(uint32_t)a.counter_increment,
                           a.force != 0,
                           a.dry_run != 0,
                           a.pre_dir,
                           a.burn_ieee   ? ZBH_IEEE_BURN
                           : a.keep_ieee ? ZBH_IEEE_KEEP
                                         : ZBH_IEEE_REFUSE,
                           backup_abs,
                           false,
                           a.placeholder_ieee != 0};
    zbh_restore_result res;
    rc = zbh_restore(&s, want, &req, &res);
    free(backup_abs);
    if (rc == ZBH_OK && !a.dry_run)
        fprintf(stderr, "zbharness: restored %s onto %s (%s) and read it back equal%s\n", a.backup,
                a.port, s.info.firmware,
                res.n_losses ? " (apart from what the device cannot store, above)" : "");
    zbh_restore_result_free(&res);
    ocb_free(want);
    zbh_session_close(&s);
    return rc;
}
