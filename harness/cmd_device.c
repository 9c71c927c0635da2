/* cmd_device.c - the subcommands that talk to a coordinator: backup and restore.
 *
 * The drivers (driver.h) speak the protocols; this file owns the safety rules: a restore
 * first backs up what it is about to overwrite and refuses to replace a different network
 * without --force; backups are written atomically with mode 0600. */
#include "cli.h"
#include "driver.h"
#include "log.h"
#include "ocb.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct dev_args {
    const char *stack, *port, *output, *backup;
    int baud, force, verbose, show_keys, dry_run;
    long counter_increment;
} dev_args;

static const struct option DEV_OPTS[] = {{"stack", required_argument, NULL, 's'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"backup", required_argument, NULL, 'b'},
                                         {"baud", required_argument, NULL, 'B'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"counter-increment", required_argument, NULL, 'c'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"show-keys", no_argument, NULL, 'k'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};

static void backup_help(void)
{
    printf("usage: zbharness backup --stack znp --port PATH [-o FILE] [OPTIONS]\n\n"
           "Reads the network from a coordinator and writes an open coordinator backup\n"
           "(canonical JSON, mode 0600) to FILE, or prints it.\n\n"
           "  --stack S      protocol: znp | ezsp\n"
           "  --port PATH    serial port (/dev/ttyUSB0, /dev/ttyACM0, or an emulator's pty)\n"
           "  --baud N       default 115200\n"
           "  -o, --output F write the backup to F (atomically)\n"
           "  -v, --verbose  log progress; twice: frame trace (keys redacted)\n"
           "  --show-keys    do not redact keys in logs\n");
}

static void restore_help(void)
{
    printf("usage: zbharness restore --stack znp --port PATH --backup FILE [OPTIONS]\n\n"
           "Writes the network in FILE to the coordinator and restarts it on that network.\n"
           "Before writing, the network on the device is backed up to\n"
           "  zbharness-prerestore-<time>.json (in the current directory, mode 0600).\n"
           "A device holding a different formed network (other extended PAN ID) is refused\n"
           "unless --force.\n\n"
           "  --counter-increment N  added to the NWK and link-key TX frame counters\n"
           "                         (default 2500, like zigbee-herdsman)\n"
           "  --force                overwrite a different network (after the backup)\n"
           "  --dry-run              say what would be written, write nothing\n"
           "  --stack, --port, --baud, -v, --show-keys: as for backup\n");
}

static int parse_dev_args(int argc, char **argv, dev_args *a, void (*help)(void))
{
    memset(a, 0, sizeof(*a));
    a->baud = 115200;
    a->counter_increment = 2500;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:o:b:vh", DEV_OPTS, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's': a->stack = optarg; break;
        case 'p': a->port = optarg; break;
        case 'o': a->output = optarg; break;
        case 'b': a->backup = optarg; break;
        case 'B':
            a->baud = (int)strtol(optarg, &end, 10);
            if (*end || a->baud <= 0) {
                fprintf(stderr, "zbharness: --baud: '%s' is not a baud rate\n", optarg);
                return ZBH_USAGE;
            }
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
        case 'h': help(); return -1;
        default: return ZBH_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "zbharness: unexpected argument '%s'\n", argv[optind]);
        return ZBH_USAGE;
    }
    if (!a->stack || !a->port) {
        fprintf(stderr, "zbharness %s: --stack and --port are required (try --help)\n", argv[0]);
        return ZBH_USAGE;
    }
    if (!zbh_find_driver(a->stack)) {
        fprintf(stderr, "zbharness: --stack %s: unknown (known: %s)\n", a->stack,
                zbh_driver_names());
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    zb_log_set_show_keys(a->show_keys);
    return 0;
}

typedef struct session {
    const zbh_driver *drv;
    zbh_serial *serial;
    void *dev;
    zbh_device_info info;
} session;

static int session_open(session *s, const dev_args *a)
{
    char err[256];
    memset(s, 0, sizeof(*s));
    s->drv = zbh_find_driver(a->stack);
    s->serial = zbh_serial_open(a->port, a->baud, err, sizeof(err));
    if (!s->serial) {
        fprintf(stderr, "zbharness: %s\n", err);
        return ZBH_USAGE;
    }
    s->dev = s->drv->open(s->serial, &s->info, err, sizeof(err));
    if (!s->dev) {
        fprintf(stderr, "zbharness: %s: %s\n", a->port, err);
        zbh_serial_close(s->serial);
        return ZBH_FAIL;
    }
    return 0;
}

static void session_close(session *s)
{
    if (s->dev) s->drv->close(s->dev);
    zbh_serial_close(s->serial);
}

static int write_backup(const ocb_backup *b, const char *path)
{
    if (!path) {
        char *text = ocb_emit(b);
        if (!text) return ZBH_USAGE;
        fputs(text, stdout);
        free(text);
        return ZBH_OK;
    }
    if (ocb_write_file(b, path) < 0) {
        fprintf(stderr, "zbharness: cannot write %s: %s\n", path, strerror(errno));
        return ZBH_USAGE;
    }
    return ZBH_OK;
}

int zbh_cmd_backup(int argc, char **argv)
{
    dev_args a;
    int rc = parse_dev_args(argc, argv, &a, backup_help);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    session s;
    if ((rc = session_open(&s, &a))) return rc;
    char err[256];
    ocb_backup *b = s.drv->read_network(s.dev, err, sizeof(err));
    if (!b) {
        fprintf(stderr, "zbharness backup: %s: %s\n", a.port, err);
        session_close(&s);
        return ZBH_FAIL;
    }
    rc = write_backup(b, a.output);
    if (rc == ZBH_OK && a.output)
        fprintf(stderr, "zbharness: backed up %s (%s): %zu devices -> %s\n", a.port,
                s.info.firmware, b->n_devices, a.output);
    ocb_free(b);
    session_close(&s);
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
    ocb_backup *want = ocb_parse_file(a.backup, &rep);
    for (size_t i = 0; i < rep.n_issues; i++)
        fprintf(stderr, "zbharness restore: %s: %s: %s%s%s\n", a.backup,
                rep.issues[i].severity == OCB_ERROR ? "error" : "warning", rep.issues[i].path,
                rep.issues[i].path[0] ? ": " : "", rep.issues[i].message);
    ocb_report_free(&rep);
    if (!want) return ZBH_FAIL;

    session s;
    if ((rc = session_open(&s, &a))) {
        ocb_free(want);
        return rc;
    }
    char err[256];
    /* 1. safety: back up what is there */
    ocb_backup *cur = s.drv->read_network(s.dev, err, sizeof(err));
    if (cur) {
        char path[128];
        snprintf(path, sizeof(path), "zbharness-prerestore-%ld.json", (long)time(NULL));
        if (write_backup(cur, path) != ZBH_OK) {
            fprintf(stderr, "zbharness restore: refusing to write without a backup of the "
                            "current network\n");
            rc = ZBH_USAGE;
            goto out;
        }
        fprintf(stderr, "zbharness: the network on %s is backed up to %s\n", a.port, path);
        if (cur->extended_pan_id != want->extended_pan_id && !a.force) {
            fprintf(stderr,
                    "zbharness restore: %s holds another network (extended PAN ID %016llx, "
                    "backup has %016llx); use --force to overwrite it\n",
                    a.port, (unsigned long long)cur->extended_pan_id,
                    (unsigned long long)want->extended_pan_id);
            rc = ZBH_FAIL;
            goto out;
        }
    } else {
        fprintf(stderr, "zbharness: %s holds no network (%s): nothing to back up first\n", a.port,
                err);
    }
    if (a.dry_run) {
        printf("would restore to %s (%s): PAN %04x, extended PAN ID %016llx, channel %u, "
               "%zu devices, frame counter %u + %ld\n",
               a.port, s.info.firmware, want->pan_id, (unsigned long long)want->extended_pan_id,
               want->channel, want->n_devices, want->network_key.frame_counter,
               a.counter_increment);
        rc = ZBH_OK;
        goto out;
    }
    /* 2. write */
    zbh_restore_opts o = {(uint32_t)a.counter_increment};
    if (s.drv->write_network(s.dev, want, &o, err, sizeof(err)) < 0) {
        fprintf(stderr,
                "zbharness restore: %s: %s\nThe device may be half-written. Its previous "
                "network is in the pre-restore backup above; run the restore again, or restore "
                "that backup.\n",
                a.port, err);
        rc = ZBH_FAIL;
        goto out;
    }
    /* 3. read back */
    ocb_backup *after = s.drv->read_network(s.dev, err, sizeof(err));
    if (!after) {
        fprintf(stderr, "zbharness restore: reading back failed: %s\n", err);
        rc = ZBH_FAIL;
        goto out;
    }
    ocb_diff_result d;
    ocb_diff_rules rules = OCB_RULES_ROUNDTRIP;
    int n = ocb_diff(want, after, &rules, &d);
    for (size_t i = 0; n > 0 && i < d.n; i++)
        fprintf(stderr, "zbharness restore: read back %s: %s -> %s (%s)\n", d.items[i].path,
                d.items[i].a, d.items[i].b, d.items[i].why);
    ocb_diff_result_free(&d);
    ocb_free(after);
    if (n != 0) {
        rc = ZBH_FAIL;
        goto out;
    }
    fprintf(stderr, "zbharness: restored %s onto %s (%s) and read it back equal\n", a.backup,
            a.port, s.info.firmware);
    rc = ZBH_OK;
out:
    ocb_free(cur);
    ocb_free(want);
    session_close(&s);
    return rc;
}
