/* cli.h - the zbharness subcommands. Each takes argv starting at the command name and returns
 * the exit code (0 ok, 1 check failed, 2 usage/environment error). */
#ifndef ZB_CLI_H
#define ZB_CLI_H

#include "emuproc.h" /* ZBH_EMU_TIME_SCALE */
#include "status.h"  /* ZBH_OK, ZBH_FAIL, ZBH_USAGE: the exit codes */

typedef struct zbh_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *args;
    const char *summary;
} zbh_command;

int zbh_cmd_validate(int argc, char **argv);
int zbh_cmd_diff(int argc, char **argv);
int zbh_cmd_format(int argc, char **argv);
int zbh_cmd_backup(int argc, char **argv);
int zbh_cmd_restore(int argc, char **argv);
int zbh_cmd_roundtrip(int argc, char **argv);
int zbh_cmd_conformance(int argc, char **argv);
int zbh_cmd_junit_merge(int argc, char **argv);
int zbh_cmd_info(int argc, char **argv);
int zbh_cmd_replay(int argc, char **argv);
int zbh_cmd_watch(int argc, char **argv);
int zbh_cmd_tap(int argc, char **argv);
int zbh_cmd_capture(int argc, char **argv);
int zbh_cmd_migrate(int argc, char **argv);

/* The option rows (cli_opts.h) of --shared-port (every command that opens a port: backup,
 * restore, info, conformance, roundtrip) and --time-scale (the commands that start their own
 * emulators: roundtrip, conformance, replay), written once; their handlers are
 * zbh_cli_link_option and zbh_cli_time_scale_option. */
#define ZBH_ROW_SHARED_PORT                                                                        \
    {                                                                                              \
        "shared-port", 0, 'P', NULL,                                                               \
            "do not refuse a serial port that other programs hold\n"                               \
            "without a lock (only if you know they do not read: a\n"                               \
            "reader takes the stick's answers)"                                                    \
    }
#define ZBH_ROW_TIME_SCALE                                                                         \
    {                                                                                              \
        "time-scale", 1, 'Z', "F",                                                                 \
            "with --emulate: the emulators' own delays (reboots,\n"                                \
            "NETWORK_UP, the world's exchange period) last F of their\n"                           \
            "time (default " ZBH_EMU_TIME_SCALE "); 1 runs them in real time. Waits on\n"          \
            "the host stay real; the verdicts are the same either way\n"                           \
            "(tests/system/matrix.sh runs both)"                                                   \
    }
/* --time-scale F (getopt code 'Z'): zbh_emu_set_time_scale; ZBH_OK, or ZBH_USAGE after a
 * message on stderr prefixed with `who`. */
int zbh_cli_time_scale_option(const char *arg, const char *who);

/* --baud N (getopt code 'B'), --flow-control F ('F') and --shared-port ('P'),
 * shared by the commands that open a port (cli_link.c): sets *baud, the flow control or the
 * shared-port tolerance; ZBH_OK, or ZBH_USAGE after a message on stderr prefixed with `who`
 * ("zbharness", "zbharness info"). */
int zbh_cli_link_option(int opt, const char *arg, const char *who, int *baud);
/* "znp:/dev/ttyUSB0" (roundtrip's and migrate's --from/--to) -> stack, port (pointing into
 * spec). 0, or -1 when malformed or the stack is unknown. */
int zbh_split_endpoint(const char *spec, char *stack, size_t cap, const char **port);

#endif
