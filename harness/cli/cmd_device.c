/* cmd_device.c - the subcommands that talk to a coordinator: backup and restore.
 *
 * The drivers (driver.h) speak the protocols; this file owns the safety rules: a restore
 * first backs up what it is about to overwrite and refuses to replace a different network
 * without --force; backups are written atomically with mode 0600, and a backup never silently
 * replaces a better one of the same network (higher NWK frame counter, more devices or link
 * keys) in FILE: that needs --force, which keeps the old file as FILE.prev (issue 26). */
#include "cli.h"
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
    int baud, force, verbose, show_keys, dry_run, burn_ieee, keep_ieee, placeholder_ieee;
    long counter_increment;
} dev_args;

static const struct option DEV_OPTS[] = {{"stack", required_argument, NULL, 's'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"backup", required_argument, NULL, 'b'},
                                         {"baud", required_argument, NULL, 'B'},
                                         {"flow-control", required_argument, NULL, 'F'},
                                         {"shared-port", no_argument, NULL, 'P'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"counter-increment", required_argument, NULL, 'c'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"show-keys", no_argument, NULL, 'k'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"burn-ieee", no_argument, NULL, 'U'},
                                         {"keep-ieee", no_argument, NULL, 'K'},
                                         {"write-placeholder-ieee", no_argument, NULL, 'W'},
                                         {"prerestore-dir", required_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};

static void backup_help(void)
{
    printf("usage: zbharness backup --stack znp|ezsp|zboss --port PATH [-o FILE] [OPTIONS]\n\n"
           "Reads the network from a coordinator and writes an open coordinator backup\n"
           "(canonical JSON, mode 0600) to FILE, or prints it.\n\n"
           "  --stack S      protocol: znp (alias zstack) | ezsp (alias ember) | zboss |\n"
           "                 auto (identify: read-only wake-up)\n"
           "  --port PATH    serial port (/dev/ttyUSB0, /dev/ttyACM0, an emulator's pty), held\n"
           "                 exclusively (flock + TIOCEXCL; a port in use is refused, exit 2),\n"
           "                 or a network coordinator: tcp://HOST:PORT, socket://HOST:PORT\n"
           "  --baud N       default 115200; a rate termios sets exactly (e.g. 460800, 921600),\n"
           "                 anything else is refused\n"
           "  --flow-control none (default) | software (XON/XOFF) | hardware "
           "(RTS/CTS)\n" ZBH_SHARED_PORT_HELP
           "  -o, --output F write the backup to F: a file atomically (a symlink's target),\n"
           "                 a pipe, terminal or /dev/stdout in place; '-' is standard output.\n"
           "                 If F holds a backup of the same network with a higher NWK frame\n"
           "                 counter, more devices or more link keys, it is kept (exit 1)\n"
           "  --force        replace such a better F anyway, keeping the old one as F.prev\n"
           "  -q, --quiet    no progress lines on stderr (--stack auto tries, table reads)\n"
           "  -v, --verbose  log progress; twice: frame trace (keys redacted)\n"
           "  --show-keys    do not redact keys in logs\n");
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
           "backup's plus the increment (a higher one is reported, not a failure).\n\n"
           "  --counter-increment N  added to the NWK and link-key TX frame counters\n"
           "                         (default 2500, like zigbee-herdsman)\n"
           "  --force                overwrite a different network (after the backup)\n"
           "  --dry-run              say what would be written, write nothing\n"
           "  --prerestore-dir DIR   where the pre-restore backup goes (default .)\n"
           "  --burn-ieee            EmberZNet: burn the backup's IEEE into the write-once\n"
           "                         MFG_CUSTOM_EUI_64 token when that is the only way (once,\n"
           "                         forever); without it or --keep-ieee such a restore stops\n"
           "  --keep-ieee            restore with the stick's own IEEE (a declared loss:\n"
           "                         devices bound to the old IEEE must be re-paired)\n"
           "  --write-placeholder-ieee\n"
           "                         write the backup's coordinator_ieee even though it is a\n"
           "                         placeholder (no OUI: eight equal bytes such as Zigbee2MQTT's\n"
           "                         dddddddddddddddd, or a first byte with the group or the\n"
           "                         locally-administered bit, as a byte-reversed herdsman\n"
           "                         ember IEEE has; validate warns). Without it or --keep-ieee\n"
           "                         such a restore stops, unless the stick has that IEEE\n"
           "                         already; on EmberZNet with a blank token it needs\n"
           "                         --burn-ieee as well\n"
           "Device entries a writer garbled (NWK fffe or reserved, two bytes of the device's\n"
           "OUI, shared by two devices; an IEEE that is another entry's shifted) are said one\n"
           "by one with what is done: a NWK address that cannot be right is left out (the\n"
           "device's IEEE and link key are written), anything else is written as it is.\n"
           "No entry is dropped.\n"
           "  --stack, --port, --baud, --flow-control, --shared-port, -q, -v, --show-keys:\n"
           "                         as for backup\n");
}

static int parse_dev_args(int argc, char **argv, dev_args *a, void (*help)(void))
{
    memset(a, 0, sizeof(*a));
    a->baud = 115200;
    a->counter_increment = 2500;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:o:b:vqh", DEV_OPTS, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's': a->stack = optarg; break;
        case 'p': a->port = optarg; break;
        case 'o': a->output = optarg; break;
        case 'b': a->backup = optarg; break;
        case 'B':
        case 'F':
        case 'P':
            if (zbh_cli_link_option(c, optarg, "zbharness", &a->baud)) return ZBH_USAGE;
            break;
        case 'c':
            errno = 0;
            a->counter_increment = strtol(optarg, &end, 0);
            if (errno || *end || a->counter_increment < 0 || a->counter_increment > 1000000000) {
                fprintf(stderr, "zbharness: --counter-increment: '%s' is not 0..1000000000\n",
                        optarg);
                return ZBH_USAGE;
            }
            break;
        case 'f': a->force = 1; break;
        case 'v': a->verbose++; break;
        case 'k': a->show_keys = 1; break;
        case 'n': a->dry_run = 1; break;
        case 'q': zbh_progress_set_quiet(1); break;
        case 'U': a->burn_ieee = 1; break;
        case 'K': a->keep_ieee = 1; break;
        case 'W': a->placeholder_ieee = 1; break;
        case 'D': a->pre_dir = optarg; break;
        case 'h': help(); return -1;
        default: return ZBH_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "zbharness: unexpected argument '%s'\n", argv[optind]);
        return ZBH_USAGE;
    }
    if (a->keep_ieee && (a->burn_ieee || a->placeholder_ieee)) {
        fprintf(stderr, "zbharness: --keep-ieee excludes %s\n",
                a->burn_ieee ? "--burn-ieee" : "--write-placeholder-ieee");
        return ZBH_USAGE;
    }
    if (!a->stack || !a->port) {
        fprintf(stderr, "zbharness %s: --stack and --port are required (try --help)\n", argv[0]);
        return ZBH_USAGE;
    }
    if (!zbh_find_driver(a->stack) && strcmp(a->stack, "auto") != 0) {
        fprintf(stderr, "zbharness: --stack %s: unknown (known: %s, or auto)\n", a->stack,
                zbh_driver_names());
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    zb_log_set_show_keys(a->show_keys);
    return 0;
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
        size_t cap = strlen(path) + sizeof(".prev");
        char *prev = malloc(cap);
        char why[160];
        if (prev) snprintf(prev, cap, "%s.prev", path);
        if (!prev || file_write(prev, text, len, 0600, 0) < 0) {
            fprintf(stderr,
                    "zbharness backup: cannot keep the old backup as %s.prev: %s; %s is "
                    "left as it is\n",
                    path,
                    prev ? file_write_error(prev, errno, 0, why, sizeof(why)) : "out of memory",
                    path);
            rc = ZBH_USAGE;
        } else {
            fprintf(stderr,
                    "zbharness backup: --force: %s replaced; the old backup is kept as %s\n", path,
                    prev);
        }
        free(prev);
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
    int rc = parse_dev_args(argc, argv, &a, backup_help);
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

int zbh_cmd_restore(int argc, char **argv)
{
    dev_args a;
    int rc = parse_dev_args(argc, argv, &a, restore_help);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    if (!a.backup) {
        fprintf(stderr, "zbharness restore: --backup FILE is required\n");
        return ZBH_USAGE;
    }
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *want = ocb_load(a.backup, OCB_PARSE_LENIENT, &rep);
    for (size_t i = 0; i < rep.n_issues; i++)
        fprintf(stderr, "zbharness restore: %s: %s: %s%s%s\n", a.backup,
                rep.issues[i].severity == OCB_ERROR ? "error" : "warning", rep.issues[i].path,
                rep.issues[i].path[0] ? ": " : "", rep.issues[i].message);
    int unreadable = rep.unreadable;
    ocb_report_free(&rep);
    if (!want) return unreadable ? ZBH_USAGE : ZBH_FAIL;

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
