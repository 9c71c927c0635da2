/* main.c - zbemu: serves an emulated Zigbee coordinator on a pseudo-terminal.
 *
 * `zbemu STACK [OPTIONS]`. The first line on stdout is the port path (for scripts); logs go
 * to stderr. Exit codes: 0 clean stop (SIGINT/SIGTERM), 1 runtime failure (also: the NVRAM file
 * could not be brought up to date at shutdown), 2 usage or startup error (bad NVRAM file, port
 * in use, --link over something zbemu did not make).
 *
 * The options are one table (common/cli_opts.h, shared with zbharness) that is both parsed and
 * the --help text; main is parse, then run. */
#include "cli_opts.h"
#include "emu.h"
#include "emu_profile.h"

#include "hex.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const emu_frontend *const FRONTENDS[] = {&emu_znp_frontend, &emu_ezsp_frontend,
                                                &emu_zboss_frontend};
#define N_FRONTENDS (sizeof(FRONTENDS) / sizeof(FRONTENDS[0]))

typedef struct emu_args {
    emu_options o;
    const char *profile_file; /* --profile-file: a captured identity (emu_profile.h) */
} emu_args;

static const zbh_opt ROWS[] = {
    {"nvram", 1, 'n', "FILE",
     "simulated NVRAM (created factory-new if missing; a\n"
     "corrupt file is an error, never a silent reset). Without\n"
     "it: RAM only.",
     0, ZBH_STR(emu_args, o.nvram_path)},
    {"link", 1, 'l', "PATH",
     "make PATH a symlink to the pty (like socat's link=);\n"
     "never over a file: PATH is absent or an old link to a pty",
     0, ZBH_STR(emu_args, o.link_path)},
    {"tcp", 1, 't', "PORT",
     "listen on 127.0.0.1:PORT instead of a pty (1..65535; 0:\n"
     "a free port): the first stdout line is then\n"
     "tcp://127.0.0.1:PORT"},
    {"profile", 1, 'p', "NAME",
     "znp: zstack12 | zstack30 | zstack30-cc2538 | zstack3x0\n"
     "(default zstack3x0); zstack30 loads a CC2538 (aligned)\n"
     "NVRAM file too",
     0, ZBH_STR(emu_args, o.profile)},
    {"ezsp-version", 1, 'e', "N", "ezsp: EZSP protocol version served, 8..19 (default 18)"},
    {"devices", 1, 'd', "N", "simulated devices join once a network is formed, until\nit has N"},
    {"seed", 1, 's', "N", "seed for generated keys, addresses and devices\n(reproducible)"},
    {"ieee", 1, 'i', "HEX", "hardware IEEE address (16 hex digits, MSB first)"},
    {"fault", 1, 'f', "SPEC",
     "inject link faults: drop=P,corrupt=P,delay=MS,seed=N (P\n"
     "as 0.01 or 1%; on bytes both ways; delay holds what zbemu\n"
     "sends)",
     0, ZBH_STR(emu_args, o.fault_spec)},
    {"baud", 1, 'b', "N",
     "pace the link like a real UART at N baud 8N1 (10 bits a\n"
     "byte), both ways: a host's timeouts meet realistic timing"},
    {"world", 1, 'w', "FILE",
     "devices outside the stick (emulator/world/WORLD.md): --devices\n"
     "join them; they exchange secured frames with the network",
     0, ZBH_STR(emu_args, o.world_path)},
    {"world-adopt", 0, 'A', NULL, "the stick's paired devices the world lacks join the world", 0,
     ZBH_SET(emu_args, o.world_adopt)},
    {"world-wait", 0, 'J', NULL,
     "the world is another zbemu's (the old stick, still\n"
     "plugged in): take it when that one exits",
     0, ZBH_SET(emu_args, o.world_wait)},
    {"time-scale", 1, 'T', "F",
     "the firmware's own delays (reboots, NETWORK_UP, device\n"
     "reports, the world's exchanges), --baud and --fault delay\n"
     "last F of their time, 0 < F <= 1 (default 1). Timeouts\n"
     "that wait on the host stay real. For harnesses that\n"
     "drive their own emulators; never under a host library's\n"
     "timing tests"},
    {"no-fsync", 0, 'S', NULL,
     "replace the NVRAM and world files without fsync: still\n"
     "whole and on disk for any process, lost only if the\n"
     "machine dies; for scratch emulators a harness throws away",
     0, ZBH_SET(emu_args, o.no_fsync)},
    {"firmware", 1, 'F', "V",
     "the release the stick reports within its profile: znp\n"
     "the build date (YYYYMMDD, SYS_VERSION); ezsp the\n"
     "EmberZNet version A.B.C.D[+BUILD] (version, getValue\n"
     "VERSION_INFO)",
     0, ZBH_STR(emu_args, o.firmware)},
    {"script", 1, 'R', "TRACE",
     "a scripted stick: a request equal to one a real stick\n"
     "answered in TRACE (vectors/traces/) gets the recorded\n"
     "answers, the sequence number or TSN patched; the model\n"
     "answers the rest. At exit: how many requests the trace\n"
     "answered (on stderr)",
     0, ZBH_STR(emu_args, o.script_path)},
    {"profile-file", 1, 'P', "F",
     "the identity a real stick showed `zbharness capture\n"
     "--profile`: its version, capability, config and\n"
     "table-size answers and the commands it refused, answered\n"
     "from F; F's firmware is the base (--profile,\n"
     "--ezsp-version, --firmware) unless given. Not with\n"
     "--script",
     0, ZBH_STR(emu_args, profile_file)},
    {"verbose", 0, 'v', NULL, "log requests; twice: frame trace", 1,
     ZBH_COUNT(emu_args, o.verbose)},
    {"show-keys", 0, 'k', NULL, "do not redact key material in logs", 0,
     ZBH_SET(emu_args, o.show_keys)},
    {"help", 0, 'h', NULL, "this text", 1},
    {"version", 0, 'V', NULL, "the version, and exit"},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void usage(FILE *f)
{
    fprintf(f,
            "usage: zbemu STACK [OPTIONS]\n\n"
            "Emulates a Zigbee coordinator stick on a pseudo-terminal (or 127.0.0.1 TCP), with\n"
            "its NVRAM kept in a JSON file. Prints the port path as the first line on stdout.\n\n"
            "stacks:\n");
    for (size_t i = 0; i < N_FRONTENDS; i++)
        fprintf(f, "  %-8s %s\n", FRONTENDS[i]->name, FRONTENDS[i]->summary);
    fprintf(f, "\noptions:\n");
    zbh_opts_help(f, ROWS, N_ROWS);
}

static const emu_frontend *find_frontend(const char *name)
{
    for (size_t i = 0; i < N_FRONTENDS; i++)
        if (strcmp(FRONTENDS[i]->name, name) == 0) return FRONTENDS[i];
    return NULL;
}

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "zbemu: %s: '%s' is not a number in %ld..%ld\n", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_time_scale(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (errno || *end || end == s || !(*out > 0 && *out <= 1)) {
        fprintf(stderr, "zbemu: --time-scale: '%s' is not a number in (0, 1]\n", s);
        return -1;
    }
    return 0;
}

/* The numeric options: their range (checked as given), then where the value goes. */
static const struct {
    int code;
    const char *name;
    long lo, hi;
} NUMBERS[] = {
    {'t', "--tcp", 0, 65535},    {'b', "--baud", 300, 4000000},  {'e', "--ezsp-version", 4, 255},
    {'d', "--devices", 0, 2000}, {'s', "--seed", 1, 0x7FFFFFFF},
};

static void set_number(emu_options *o, int code, long v)
{
    switch (code) {
    case 't': o->tcp_port = v ? (int)v : EMU_TCP_ANY; break;
    case 'b': o->baud = (int)v; break;
    case 'e': o->ezsp_version = (int)v; break;
    case 'd': o->devices = (int)v; break;
    default: o->seed = (uint32_t)v; break;
    }
}

/* The rows that are not stored as they are: numbers, --time-scale, --ieee, --help, --version.
 * 0, -1 (exit 0: help or version printed) or 2 after a message. */
static int on_option(void *args, int c, const char *arg)
{
    emu_options *o = &((emu_args *)args)->o;
    uint8_t ieee[8];
    for (size_t i = 0; i < sizeof(NUMBERS) / sizeof(NUMBERS[0]); i++) {
        long v;
        if (NUMBERS[i].code != c) continue;
        if (parse_int(NUMBERS[i].name, arg, NUMBERS[i].lo, NUMBERS[i].hi, &v) < 0) return 2;
        set_number(o, c, v);
        return 0;
    }
    switch (c) {
    case 'T': return parse_time_scale(arg, &o->time_scale) < 0 ? 2 : 0;
    case 'i':
        if (hex_decode(arg, ieee, 8) < 0) {
            fprintf(stderr, "zbemu: --ieee: expected 16 hex digits, got '%s'\n", arg);
            return 2;
        }
        o->ieee = arg;
        return 0;
    case 'V': printf("zbemu %s\n", ZB_VERSION); return -1;
    default: usage(stdout); return -1; /* --help */
    }
}

/* argv -> the front end and a: 0, -1 (exit 0: help or version printed) or 2 after a
 * message. */
static int parse(int argc, char **argv, const emu_frontend **fe, emu_args *a)
{
    *a = (emu_args){0};
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return on_option(a, 'h', NULL);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) return on_option(a, 'V', NULL);
    if (argc < 2 || argv[1][0] == '-') {
        usage(stderr);
        return 2;
    }
    if (!(*fe = find_frontend(argv[1]))) {
        fprintf(stderr, "zbemu: unknown stack '%s' (try --help)\n", argv[1]);
        return 2;
    }
    int rc = zbh_opts_parse(argc, argv, 2, ROWS, N_ROWS, a, on_option);
    if (rc) return rc;
    if (optind < argc) {
        fprintf(stderr, "zbemu: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    const emu_options *o = &a->o;
    zb_log_set_level(o->verbose >= 2 ? ZB_LOG_TRACE : o->verbose ? ZB_LOG_DEBUG : ZB_LOG_INFO);
    zb_log_set_show_keys(o->show_keys);
    if (a->profile_file && o->script_path) {
        fprintf(stderr, "zbemu: --profile-file and --script: one scripted source at a time\n");
        return 2;
    }
    return 0;
}

static int run(const emu_frontend *fe, emu_options *op, char *err, size_t errlen);

int main(int argc, char **argv)
{
    zb_log_set_prefix("zbemu");
    const emu_frontend *fe = NULL;
    emu_args a;
    int rc = parse(argc, argv, &fe, &a);
    if (rc) return rc < 0 ? 0 : rc;
    char err[512] = "";
    zbt_trace *prof = NULL;
    if (a.profile_file &&
        !(prof = emu_profile_apply(a.profile_file, fe->name, &a.o, err, sizeof(err)))) {
        fprintf(stderr, "zbemu: --profile-file %s\n", err);
        return 2;
    }
    rc = run(fe, &a.o, err, sizeof(err));
    zbt_free(prof);
    return rc;
}

/* The emulator with its options: 0, 1 a failure while running, 2 one that cannot start. */
static int run(const emu_frontend *fe, emu_options *op, char *err, size_t errlen)
{
    emu_options o = *op;
    int lock_fd = -1;
    char *real_nv = NULL; /* --nvram resolved: the file that is read, written and locked */
    if (o.nvram_path) {
        if (!(real_nv = emu_nv_resolve(o.nvram_path, err, errlen)) ||
            (lock_fd = emu_nv_lock(real_nv, err, errlen)) < 0) {
            fprintf(stderr, "zbemu: %s\n", err);
            free(real_nv);
            return 2;
        }
        if (strcmp(real_nv, o.nvram_path) != 0)
            LOG_DEBUG("--nvram %s is the file %s", o.nvram_path, real_nv);
        o.nvram_path = real_nv;
    }
    emu *e = emu_create(fe, &o, err, errlen);
    if (!e) {
        fprintf(stderr, "zbemu: %s\n", err);
        free(real_nv);
        return 2;
    }
    printf("%s\n", emu_port_path(e));
    fflush(stdout);
    LOG_INFO("%s emulator on %s%s%s", fe->name, emu_port_path(e), o.nvram_path ? ", NVRAM " : "",
             o.nvram_path ? o.nvram_path : "");
    if (emu_time_scale(e) < 1)
        LOG_INFO("time scale %g: the firmware's own delays run %gx faster", emu_time_scale(e),
                 1 / emu_time_scale(e));
    int rc = emu_run(e);
    if (emu_destroy(e) < 0) {
        fprintf(stderr,
                "zbemu: %s does not hold the final NVRAM state: its last write failed "
                "(see above)\n",
                real_nv);
        rc = -1;
    }
    if (lock_fd >= 0) close(lock_fd);
    free(real_nv);
    return rc == 0 ? 0 : 1;
}
