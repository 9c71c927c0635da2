/* cmd_info.c - `zbharness info`: what is this stick? The first thing a user runs, so it must be
 * harmless on anyone's only coordinator: it opens the port exclusively like every command,
 * wakes the device with its driver's own identification (the same read-only wake-up as
 * --stack auto) and reads the network the way `backup` does, then prints a summary. It
 * writes nothing to the device and no file; no key material is printed.
 *
 * Output is one "key: value" line per fact (stable names, for scripts and bug reports). */
#include "cli.h"
#include "driver.h"
#include "log.h"
#include "ocb.h"
#include "ops.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void info_help(void)
{
    printf("usage: zbharness info --port PORT [--stack S|auto] [OPTIONS]\n\n"
           "Read-only summary of a coordinator: stack, firmware, IEEE, whether a network is\n"
           "up, PAN ID, extended PAN ID, channel, NWK frame counter, device count.\n"
           "Writes nothing to the device and prints no keys.\n\n"
           "  --port PORT          serial device, pty, tcp://HOST:PORT or socket://HOST:PORT\n"
           "  --stack S            %s, or auto (default)\n"
           "  --baud N             default 115200 (a rate termios sets exactly)\n"
           "  --flow-control F     none (default) | software | hardware\n" ZBH_SHARED_PORT_HELP
           "  -v, --verbose        log progress; twice: frame trace (keys redacted)\n\n"
           "Exit: 0 summary printed (network up or none), 1 the network could not be read\n"
           "(a failed read is never reported as no network), 2 usage or port error.\n",
           zbh_driver_names());
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

int zbh_cmd_info(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"stack", required_argument, NULL, 's'}, {"port", required_argument, NULL, 'p'},
        {"baud", required_argument, NULL, 'B'},  {"flow-control", required_argument, NULL, 'F'},
        {"shared-port", no_argument, NULL, 'P'}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *stack = "auto", *port = NULL;
    int baud = 115200, verbose = 0, c;
    char err[1024];
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:vh", OPTS, NULL)) != -1) {
        switch (c) {
        case 's': stack = optarg; break;
        case 'p': port = optarg; break;
        case 'B':
        case 'F':
        case 'P':
            if (zbh_cli_link_option(c, optarg, "zbharness info", &baud)) return ZBH_USAGE;
            break;
        case 'v': verbose++; break;
        case 'h': info_help(); return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "zbharness info: unexpected argument '%s'\n", argv[optind]);
        return ZBH_USAGE;
    }
    if (!port) {
        fprintf(stderr, "zbharness info: --port is required (try --help)\n");
        return ZBH_USAGE;
    }
    if (strcmp(stack, "auto") != 0 && !zbh_find_driver(stack)) {
        fprintf(stderr, "zbharness info: --stack %s: unknown (known: %s, or auto)\n", stack,
                zbh_driver_names());
        return ZBH_USAGE;
    }
    zb_log_set_level(verbose >= 2 ? ZB_LOG_TRACE : verbose ? ZB_LOG_INFO : ZB_LOG_WARN);

    zbh_session s;
    int rc = zbh_session_open(&s, stack, port, baud, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "zbharness info: %s\n", err);
        return rc;
    }
    printf("port: %s\n", port);
    printf("stack: %s\n", s.drv->name);
    printf("firmware: %s\n", s.info.firmware);
    if (s.info.profile[0]) printf("profile: %s\n", s.info.profile);
    printf("restore_supported: %s\n", s.info.can_restore ? "yes" : "no");
    zbh_read_status st = ZBH_READ_FAILED;
    ocb_backup *b = zbh_backup(&s, &st, err, sizeof(err));
    rc = ZBH_OK;
    if (b) {
        print_network(b);
        ocb_free(b);
    } else if (st == ZBH_READ_NO_NETWORK) {
        /* The drivers read the IEEE together with the network. */
        printf("ieee: unknown (read with the network)\n");
        printf("network: none (%s)\n", err);
    } else { /* a failed read is never "no network" (issue 12) */
        printf("network: could not be read (%s)\n", err);
        fprintf(stderr, "zbharness info: could not read the network on %s: %s\n", port, err);
        rc = ZBH_FAIL;
    }
    zbh_session_close(&s);
    return rc;
}
