/* cmd_capture.c - `zbharness capture` (issue 29): a read-only probe of a real stick, recorded
 * as a sanitised trace (capture.h), and on request the emulator profile derived from it.
 *
 * Why the profile is an option of capture and not a command of its own: it is made from the
 * probe's own rows (which request is a version, a config default, a table size), so it can only
 * be derived from a trace the same probe table made; one command keeps the two together. */
#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "fileio.h"
#include "log.h"
#include "serial.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "zbharness capture"

typedef struct cap_args {
    const char *stack, *port, *out, *profile;
    int baud, verbose;
    zbt_stack st;
} cap_args;

static const zbh_opt ROWS[] = {
    {"stack", 1, 's', "S", "znp (zstack) | ezsp (ember) | zboss", 1, ZBH_STR(cap_args, stack)},
    {"port", 1, 'p', "PATH", "the real stick: serial port or tcp://HOST:PORT (held\nexclusively)",
     1, ZBH_STR(cap_args, port)},
    {"output", 1, 'o', "FILE", "the trace (\"zbtrace 1\"), sanitised (default: stdout)", 1,
     ZBH_STR(cap_args, out)},
    {"profile", 1, 'P', "FILE",
     "also write the emulator profile derived from it\n(zbemu --profile-file FILE)", 0,
     ZBH_STR(cap_args, profile)},
    {"baud", 1, 'B', "N", "as for backup"},
    {"flow-control", 1, 'F', "F", "as for backup"},
    {"verbose", 0, 'v', NULL, "log progress", 1, ZBH_COUNT(cap_args, verbose)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness capture --stack S --port REAL [-o TRACE] [--profile FILE]\n\n"
           "Asks the stick what hosts ask at start-up and for a backup - versions, capabilities,\n"
           "configuration values and table sizes, NV item lengths, network parameters - and\n"
           "records requests and answers as a trace (vectors/traces/README.md), sanitised as\n"
           "`zbharness tap` does. Read only: no write, no reset but the link's own start (EZSP:\n"
           "an ASH RST, as every host sends; Z-Stack: SYS_PING and SYS_VERSION; ZBOSS: none).\n"
           "The requests are one table per stack in harness/trace/capture.c.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nExit: 0 captured, 1 the stick's link failed, 2 usage, a port or a file that cannot\n"
           "be used.\n");
}

/* the rows that are not stored as they are: the link options and --help */
static int on_option(void *args, int c, const char *arg)
{
    if (c != 'h') return zbh_cli_link_option(c, arg, WHO, &((cap_args *)args)->baud);
    help();
    return -1;
}

/* argv -> a: ZBH_OK, -1 after --help, or the exit code after a message */
static int parse(int argc, char **argv, cap_args *a)
{
    *a = (cap_args){.baud = 115200};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc != ZBH_OK) return rc;
    if (optind < argc || !a->stack || !a->port) {
        fprintf(stderr, WHO ": %s (try --help)\n",
                optind < argc ? "unexpected argument" : "--stack and --port are required");
        return ZBH_USAGE;
    }
    if (zbt_stack_of(a->stack, &a->st) < 0) {
        fprintf(stderr, WHO ": --stack %s: expected znp, ezsp or zboss\n", a->stack);
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose ? ZB_LOG_INFO : ZB_LOG_WARN);
    return ZBH_OK;
}

static int write_text(const char *path, const char *text)
{
    if (!path) return fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 ? -1 : 0;
    if (file_write(path, text, strlen(text), 0644, 0) == 0) return 0;
    char why[300];
    fprintf(stderr, WHO ": %s: %s\n", path, file_write_error(path, errno, 0, why, sizeof(why)));
    return -1;
}

/* The trace and the profile from what the probe recorded. */
static int write_outputs(const cap_args *a, zbh_tap *tap)
{
    char *text = zbh_tap_json(tap, false);
    if (!text) {
        fprintf(stderr, WHO ": the trace could not be made (out of memory, or no random "
                            "replacement could be drawn): nothing written\n");
        return ZBH_USAGE;
    }
    int rc = write_text(a->out, text) < 0 ? ZBH_USAGE : ZBH_OK;
    if (rc == ZBH_OK && a->profile) {
        char err[ZB_MSG_MAX];
        char *prof = zbh_capture_profile(a->st, text, err, sizeof(err));
        if (!prof) fprintf(stderr, WHO ": --profile: %s\n", err);
        rc = prof && write_text(a->profile, prof) == 0 ? ZBH_OK : ZBH_USAGE;
        free(prof);
    }
    free(text);
    return rc;
}

int zbh_cmd_capture(int argc, char **argv)
{
    cap_args a;
    int rc = parse(argc, argv, &a);
    if (rc != ZBH_OK) return rc < 0 ? ZBH_OK : rc;
    char err[ZB_MSG_MAX];
    zbh_serial *s = zbh_serial_open(a.port, a.baud, err, sizeof(err));
    if (!s) {
        fprintf(stderr, WHO ": %s\n", err);
        return ZBH_USAGE;
    }
    zbh_tap *tap = zbh_tap_new(a.st, a.port, zb_now_ms());
    if (!tap) {
        fprintf(stderr, WHO ": out of memory\n");
        zbh_serial_close(s);
        return ZBH_USAGE;
    }
    rc = zbh_capture_probe(a.st, s, tap, err, sizeof(err));
    zbh_serial_close(s);
    if (rc < 0) {
        fprintf(stderr, WHO ": %s: %s\n", a.port, err);
        rc = ZBH_FAIL;
    } else {
        rc = write_outputs(&a, tap);
    }
    zbh_tap_free(tap);
    return rc;
}
