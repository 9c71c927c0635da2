/* cli_link.c - the link options of every command that opens a port (--baud, --flow-control,
 * --shared-port), parsed and reported one way for all of them instead of once per command. */
#include "cli.h"
#include "driver.h"
#include "serial.h"

#include <stdio.h>
#include <string.h>

int zbh_cli_link_option(int opt, const char *arg, const char *who, int *baud)
{
    if (opt == 'P') {
        zbh_serial_set_shared(1);
        return ZBH_OK;
    }
    if (opt == 'B') {
        char why[1024];
        if (zbh_parse_baud(arg, baud, why, sizeof(why)) == 0) return ZBH_OK;
        fprintf(stderr, "%s: %s\n", who, why);
        return ZBH_USAGE;
    }
    zbh_flow f;
    if (zbh_flow_parse(arg, &f) != 0) {
        fprintf(stderr, "%s: --flow-control %s: expected none, software or hardware\n", who, arg);
        return ZBH_USAGE;
    }
    zbh_serial_set_flow(f);
    return ZBH_OK;
}

int zbh_cli_time_scale_option(const char *arg, const char *who)
{
    if (zbh_emu_set_time_scale(arg) == 0) return ZBH_OK;
    fprintf(stderr, "%s: --time-scale: '%s' is not a number in (0, 1]\n", who, arg);
    return ZBH_USAGE;
}

int zbh_split_endpoint(const char *spec, char *stack, size_t cap, const char **port)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= cap || !colon[1]) return -1;
    memcpy(stack, spec, (size_t)(colon - spec));
    stack[colon - spec] = '\0';
    *port = colon + 1;
    return zbh_find_driver(stack) ? 0 : -1;
}
