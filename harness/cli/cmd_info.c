/* cmd_info.c - `zbharness info`: what is this stick? The first thing a user runs, so it must be
 * harmless on anyone's only coordinator: it opens the port exclusively like every command,
 * wakes the device with its driver's own identification (the same read-only wake-up as
 * --stack auto) and reads the network the way `backup` does, then prints a summary. It
 * writes nothing to the device and no file; no key material is printed.
 *
 * Output is one "key: value" line per fact (stable names, for scripts and bug reports). The
 * options are one table (cli_opts.h) that is both parsed and --help. */
#include "cli.h"
#include "cli_opts.h"
#include "driver.h"
#include "log.h"
#include "ocb.h"
#include "ops.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct info_args {
    const char *stack, *port;
    int baud, verbose;
} info_args;

static const zbh_opt ROWS[] = {
    {"port", 1, 'p', "PORT", "serial device, pty, tcp://HOST:PORT or socket://HOST:PORT", 1,
     ZBH_STR(info_args, port)},
    {"stack", 1, 's', "S", "one of the stacks below, or auto (default)", 1,
     ZBH_STR(info_args, stack)},
    {"baud", 1, 'B', "N", "default 115200 (a rate termios sets exactly)"},
    {"flow-control", 1, 'F', "F", "none (default) | software | hardware"},
    ZBH_ROW_SHARED_PORT,
    {"verbose", 0, 'v', NULL, "log progress; twice: frame trace (keys redacted)", 1,
     ZBH_COUNT(info_args, verbose)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness info --port PORT [--stack S|auto] [OPTIONS]\n\n"
           "Read-only summary of a coordinator: stack, firmware, IEEE, whether a network is\n"
           "up, PAN ID, extended PAN ID, channel, NWK frame counter, device count.\n"
           "Writes nothing to the device and prints no keys.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nstacks: %s\n\n"
           "Exit: 0 summary printed (network up or none), 1 the network could not be read\n"
           "(a failed read is never reported as no network), 2 usage or port error.\n",
           zbh_driver_names());
}

/* The rows that are not stored as they are: the link options and --help. */
static int on_option(void *args, int c, const char *arg)
{
    info_args *a = args;
    if (c == 'h') {
        help();
        return -1;
    }
    return zbh_cli_link_option(c, arg, "zbharness info", &a->baud) ? ZBH_USAGE : ZBH_OK;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int parse(int argc, char **argv, info_args *a)
{
    *a = (info_args){.stack = "auto", .baud = 115200};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc) return rc;
    if (optind < argc) {
        fprintf(stderr, "zbharness info: unexpected argument '%s'\n", argv[optind]);
        return ZBH_USAGE;
    }
    if (!a->port) {
        fprintf(stderr, "zbharness info: --port is required (try --help)\n");
        return ZBH_USAGE;
    }
    if (strcmp(a->stack, "auto") != 0 && !zbh_find_driver(a->stack)) {
        fprintf(stderr, "zbharness info: --stack %s: unknown (known: %s, or auto)\n", a->stack,
                zbh_driver_names());
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    return 0;
}

static void print_device(const char *port, const zbh_session *s)
{
    printf("port: %s\n", port);
    printf("stack: %s\n", s->drv->name);
    printf("firmware: %s\n", s->info.firmware);
    if (s->info.profile[0]) printf("profile: %s\n", s->info.profile);
    printf("restore_supported: %s\n", s->info.can_restore ? "yes" : "no");
}

static void print_network(const ocb_backup *b)
{
    size_t children = 0, keys = 0;
    for (size_t i = 0; i < b->n_devices; i++) {
        children += b->devices[i].is_child;
        keys += b->devices[i].has_link_key;
    }
    printf("ieee: %016llx\n", (unsigned long long)b->coordinator_ieee);
    printf("network: up\n");
    printf("pan_id: %04x\n", b->pan_id);
    printf("extended_pan_id: %016llx\n", (unsigned long long)b->extended_pan_id);
    printf("channel: %u\n", b->channel);
    printf("channel_mask:");
    for (int c = 11; c <= 26; c++)
        if (b->channel_mask & (1u << c)) printf(" %d", c);
    printf("\n");
    printf("nwk_update_id: %u\n", b->nwk_update_id);
    printf("nwk_frame_counter: %lu\n", (unsigned long)b->network_key.frame_counter);
    printf("devices: %zu (children %zu, with link keys %zu)\n", b->n_devices, children, keys);
}

/* Reads the network of the open session and prints it: ZBH_OK, or ZBH_FAIL when the read
 * failed (a failed read is never "no network", issue 12). */
static int read_network(const info_args *a, zbh_session *s)
{
    char err[1024];
    zbh_read_status st = ZBH_READ_FAILED;
    ocb_backup *b = zbh_backup(s, &st, err, sizeof(err));
    if (b) {
        print_network(b);
        ocb_free(b);
        return ZBH_OK;
    }
    if (st == ZBH_READ_NO_NETWORK) {
        /* The drivers read the IEEE together with the network. */
        printf("ieee: unknown (read with the network)\n");
        printf("network: none (%s)\n", err);
        return ZBH_OK;
    }
    printf("network: could not be read (%s)\n", err);
    fprintf(stderr, "zbharness info: could not read the network on %s: %s\n", a->port, err);
    return ZBH_FAIL;
}

int zbh_cmd_info(int argc, char **argv)
{
    info_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    zbh_session s;
    char err[1024];
    if ((rc = zbh_session_open(&s, a.stack, a.port, a.baud, err, sizeof(err)))) {
        fprintf(stderr, "zbharness info: %s\n", err);
        return rc;
    }
    print_device(a.port, &s);
    rc = read_network(&a, &s);
    zbh_session_close(&s);
    return rc;
}
