/* main.c - zbemu: serves an emulated Zigbee coordinator on a pseudo-terminal.
 *
 * `zbemu STACK [OPTIONS]`. The first line on stdout is the port path (for scripts); logs go
 * to stderr. Exit codes: 0 clean stop (SIGINT/SIGTERM), 1 runtime failure (also: the NVRAM file
 * could not be brought up to date at shutdown), 2 usage or startup error (bad NVRAM file, port
 * in use, --link over something zbemu did not make). */
#include "emu.h"
#include "emu_profile.h"

#include "hex.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const emu_frontend *const FRONTENDS[] = {&emu_znp_frontend, &emu_ezsp_frontend,
                                                &emu_zboss_frontend};
#define N_FRONTENDS (sizeof(FRONTENDS) / sizeof(FRONTENDS[0]))

static void usage(FILE *f)
{
    fprintf(f,
            "usage: zbemu STACK [OPTIONS]\n\n"
            "Emulates a Zigbee coordinator stick on a pseudo-terminal (or 127.0.0.1 TCP), with\n"
            "its NVRAM kept in a JSON file. Prints the port path as the first line on stdout.\n\n"
            "stacks:\n");
    for (size_t i = 0; i < N_FRONTENDS; i++)
        fprintf(f, "  %-8s %s\n", FRONTENDS[i]->name, FRONTENDS[i]->summary);
    fprintf(f,
            "\noptions:\n"
            "  --nvram FILE      simulated NVRAM (created factory-new if missing; a corrupt file\n"
            "                    is an error, never a silent reset). Without it: RAM only.\n"
            "  --link PATH       make PATH a symlink to the pty (like socat's link=); never\n"
            "                    over a file: PATH is absent or an old link to a pty\n"
            "  --tcp PORT        listen on 127.0.0.1:PORT instead of a pty (1..65535; 0: a free\n"
            "                    port): the first stdout line is then tcp://127.0.0.1:PORT\n"
            "  --profile NAME    znp: zstack12 | zstack30 | zstack30-cc2538 | zstack3x0 (default\n"
            "                    zstack3x0); zstack30 loads a CC2538 (aligned) NVRAM file too\n"
            "  --ezsp-version N  ezsp: EZSP protocol version served, 8..19 (default 18)\n"
            "  --devices N       simulated devices join once a network is formed, until it has N\n"
            "  --seed N          seed for generated keys, addresses and devices (reproducible)\n"
            "  --ieee HEX        hardware IEEE address (16 hex digits, MSB first)\n"
            "  --fault SPEC      inject link faults: drop=P,corrupt=P,delay=MS,seed=N (P as\n"
            "                    0.01 or 1%%; on bytes both ways; delay holds what zbemu sends)\n"
            "  --baud N          pace the link like a real UART at N baud 8N1 (10 bits a byte),\n"
            "                    both ways: a host's timeouts meet realistic timing\n"
            "  --world FILE      devices outside the stick (emulator/world/WORLD.md): --devices join\n"
            "                    them; they exchange secured frames with the network\n"
            "  --world-adopt     the stick's paired devices the world lacks join the world\n"
            "  --world-wait      the world is another zbemu's (the old stick, still plugged\n"
            "                    in): take it when that one exits\n"
            "  --time-scale F    the firmware's own delays (reboots, NETWORK_UP, device\n"
            "                    reports, the world's exchanges), --baud and --fault delay last\n"
            "                    F of their time, 0 < F <= 1 (default 1). Timeouts that wait on\n"
            "                    the host stay real. For harnesses that drive their own\n"
            "                    emulators; never under a host library's timing tests\n"
            "  --no-fsync        replace the NVRAM and world files without fsync: still whole\n"
            "                    and on disk for any process, lost only if the machine dies;\n"
            "                    for scratch emulators a harness throws away\n"
"  --firmware V      the release the stick reports within its profile: znp the build\n"
            "                    date (YYYYMMDD, SYS_VERSION); ezsp the EmberZNet version\n"
            "                    A.B.C.D[+BUILD] (version, getValue VERSION_INFO)\n"
            "  --script TRACE    a scripted stick: a request equal to one a real stick answered\n"
            "                    in TRACE (vectors/traces/) gets the recorded answers, the\n"
            "                    sequence number or TSN patched; the model answers the rest.\n"
            "                    At exit: how many requests the trace answered (on stderr)\n"
            "  --profile-file F  the identity a real stick showed `zbharness capture --profile`:\n"
            "                    its version, capability, config and table-size answers and\n"
            "                    the commands it refused, answered from F; F's firmware is the\n"
            "                    base (--profile, --ezsp-version, --firmware) unless given.\n"
            "                    Not with --script\n"
            "  --verbose, -v     log requests; twice: frame trace\n"
            "  --show-keys       do not redact key material in logs\n"
            "  --help, -h        this text;  --version\n");
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

static int run(const emu_frontend *fe, emu_options *op, char *err, size_t errlen);

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"nvram", required_argument, NULL, 'n'},
                                         {"link", required_argument, NULL, 'l'},
                                         {"tcp", required_argument, NULL, 't'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"devices", required_argument, NULL, 'd'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"ieee", required_argument, NULL, 'i'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"show-keys", no_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {"ezsp-version", required_argument, NULL, 'e'},
                                         {"fault", required_argument, NULL, 'f'},
                                         {"baud", required_argument, NULL, 'b'},
                                         {"world", required_argument, NULL, 'w'},
                                         {"world-adopt", no_argument, NULL, 'A'},
                                         {"world-wait", no_argument, NULL, 'J'},
                                         {"time-scale", required_argument, NULL, 'T'},
                                         {"no-fsync", no_argument, NULL, 'S'},
                                         {"script", required_argument, NULL, 'R'},
                                         {"firmware", required_argument, NULL, 'F'},
                                         {"profile-file", required_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    emu_options o = {0};
    const char *profile_path = NULL;
    long v;
    int c;
    zb_log_set_prefix("zbemu");
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("zbemu %s\n", ZB_VERSION);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        usage(stderr);
        return 2;
    }
    const emu_frontend *fe = find_frontend(argv[1]);
    if (!fe) {
        fprintf(stderr, "zbemu: unknown stack '%s' (try --help)\n", argv[1]);
        return 2;
    }
    optind = 2;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'n': o.nvram_path = optarg; break;
        case 'l': o.link_path = optarg; break;
        case 't':
            if (parse_int("--tcp", optarg, 0, 65535, &v) < 0) return 2;
            o.tcp_port = v ? (int)v : EMU_TCP_ANY;
            break;
        case 'p': o.profile = optarg; break;
        case 'w': o.world_path = optarg; break;
        case 'A': o.world_adopt = 1; break;
        case 'J': o.world_wait = 1; break;
        case 'f': o.fault_spec = optarg; break;
        case 'S': o.no_fsync = 1; break;
        case 'R': o.script_path = optarg; break;
        case 'F': o.firmware = optarg; break;
        case 'P': profile_path = optarg; break;
        case 'T': {
            char *end;
            errno = 0;
            o.time_scale = strtod(optarg, &end);
            if (errno || *end || end == optarg || !(o.time_scale > 0 && o.time_scale <= 1)) {
                fprintf(stderr, "zbemu: --time-scale: '%s' is not a number in (0, 1]\n", optarg);
                return 2;
            }
            break;
        }
        case 'b':
            if (parse_int("--baud", optarg, 300, 4000000, &v) < 0) return 2;
            o.baud = (int)v;
            break;
        case 'e':
            if (parse_int("--ezsp-version", optarg, 4, 255, &v) < 0) return 2;
            o.ezsp_version = (int)v;
            break;
        case 'd':
            if (parse_int("--devices", optarg, 0, 2000, &v) < 0) return 2;
            o.devices = (int)v;
            break;
        case 's':
            if (parse_int("--seed", optarg, 1, 0x7FFFFFFF, &v) < 0) return 2;
            o.seed = (uint32_t)v;
            break;
        case 'i': {
            uint8_t b[8];
            if (hex_decode(optarg, b, 8) < 0) {
                fprintf(stderr, "zbemu: --ieee: expected 16 hex digits, got '%s'\n", optarg);
                return 2;
            }
            o.ieee = optarg;
            break;
        }
        case 'v': o.verbose++; break;
        case 'k': o.show_keys = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("zbemu %s\n", ZB_VERSION); return 0;
        default: return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "zbemu: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    zb_log_set_level(o.verbose >= 2 ? ZB_LOG_TRACE : o.verbose ? ZB_LOG_DEBUG : ZB_LOG_INFO);
    zb_log_set_show_keys(o.show_keys);

    char err[512] = "";
    if (profile_path && o.script_path) {
        fprintf(stderr, "zbemu: --profile-file and --script: one scripted source at a time\n");
        return 2;
    }
    zbt_trace *prof = NULL;
    if (profile_path && !(prof = emu_profile_apply(profile_path, fe->name, &o, err, sizeof(err)))) {
        fprintf(stderr, "zbemu: --profile-file %s\n", err);
        return 2;
    }
    int rc = run(fe, &o, err, sizeof(err));
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
