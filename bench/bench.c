/* bench.c - zbbench: how the emulators and the harness compare with the physical limits, and
 * the whole of BENCHMARKS.md written from one run.
 *
 * Issue 8: users put these emulators in CI matrices, so they must be far faster than the
 * sticks they replace and close to what the pty itself allows; issue 23: CI minutes, so the
 * matrix and the conformance suite must keep the cores busy. Each section measures one thing
 * (link ceiling, backup time, real-UART pacing, scale, matrix and conformance, the same backup
 * by zigbee-herdsman) and appends its table and goals to the document; the document is the
 * template bench/BENCHMARKS.md.in with the results merged in, written atomically, so the file
 * is never edited by hand. Nothing here is a pass/fail test: the goals are printed next to the
 * numbers. `cmake --build build --target bench` runs it. */
#include "bench.h"

#include "log.h"
#include "progress.h"
#include "strbuf.h"

#include <getopt.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef ZB_SOURCE_DIR
#define ZB_SOURCE_DIR "."
#endif

/* ---- the sections, in the order they run and print ---- */

static const struct {
    const char *name;
    void (*run)(const bench_cfg *c);
} SECTIONS[] = {
    {"link", bench_section_link},     {"backup", bench_section_backup},
    {"pace", bench_section_pace},     {"scale", bench_section_scale},
    {"matrix", bench_section_matrix}, {"herdsman", bench_section_herdsman},
    {"tap", bench_section_tap},
};
#define N_SECTIONS (sizeof(SECTIONS) / sizeof(SECTIONS[0]))

/* ---- presets: the full run, --quick and --smoke ---- */

static const bench_cfg PRESETS[] = {
    {.mode = "full",
     .baud = 115200,
     .link_secs = 0.3,
     .link_rounds = 15,
     .runs = 7,
     .scale_n = 500,
     .zh_runs = 5,
     .zh_counts = 2,
     .frames = 3000},
    {.mode = "quick",
     .baud = 115200,
     .link_secs = 0.3,
     .link_rounds = 1,
     .runs = 5,
     .scale_n = 50,
     .zh_runs = 2,
     .zh_counts = 2,
     .frames = 300,
     .targets = "znp-zstack3x0,ezsp-v18,zboss"},
    {.mode = "smoke",
     .baud = 115200,
     .link_secs = 0.05,
     .link_rounds = 1,
     .runs = 1,
     .scale_n = 3,
     .zh_runs = 1,
     .zh_counts = 1,
     .frames = 20,
     .targets = "znp-zstack3x0,znp-zstack12"},
};

/* ---- options ---- */

typedef enum { OPT_PRESET, OPT_INT, OPT_DOUBLE, OPT_STR, OPT_HELP } opt_kind;

typedef struct opts {
    bench_cfg c;
    const char *only, *output;
} opts;

static const struct {
    const char *name;
    opt_kind kind;
    size_t off; /* into opts; OPT_PRESET: the index into PRESETS */
    const char *help;
} OPTS[] = {
    {"quick", OPT_PRESET, 1, "shorter runs, a 9-cell matrix, 50 emulators"},
    {"smoke", OPT_PRESET, 2, "every section at its smallest (the smoke test)"},
    {"runs", OPT_INT, offsetof(opts, c.runs), "backups per cell (1..64)"},
    {"scale", OPT_INT, offsetof(opts, c.scale_n), "emulators in the scale run"},
    {"link-secs", OPT_DOUBLE, offsetof(opts, c.link_secs), "seconds per link measurement"},
    {"link-rounds", OPT_INT, offsetof(opts, c.link_rounds), "interleaved link rounds (1..32)"},
    {"zh-runs", OPT_INT, offsetof(opts, c.zh_runs), "herdsman runs per cell (1..64)"},
    {"frames", OPT_INT, offsetof(opts, c.frames), "world matrix --frames-after-backup"},
    {"targets", OPT_STR, offsetof(opts, c.targets), "matrix/conformance --targets A,B"},
    {"only", OPT_STR, offsetof(opts, only), "sections, comma-separated"},
    {"output", OPT_STR, offsetof(opts, output), "the document; '-': stdout"},
    {"help", OPT_HELP, 0, "this text"},
};
#define N_OPTS     (sizeof(OPTS) / sizeof(OPTS[0]))
#define OUTPUT_OPT (N_OPTS - 2) /* -o */

static const char *const ARG_OF[] = {"", "N: ", "S: ", "X: ", ""}; /* by opt_kind */

static void usage(FILE *f)
{
    fprintf(f, "usage: zbbench [OPTIONS]\nMeasures the zbemu and zbharness next to this "
               "program and writes BENCHMARKS.md whole.\n\n");
    for (size_t i = 0; i < N_OPTS; i++)
        fprintf(f, "  --%-12s %s%s\n", OPTS[i].name, ARG_OF[OPTS[i].kind], OPTS[i].help);
    fprintf(f,
            "\nsections: link, backup, pace, scale, matrix, herdsman, tap. The output is %s/"
            "BENCHMARKS.md for a full run of every section, else stdout (-o FILE to "
            "choose).\n",
            ZB_SOURCE_DIR);
}

/* Stores one option's value. Returns 0, or -1 when the value does not parse. */
static int set_opt(opts *o, size_t i, const char *arg)
{
    char *end = NULL;
    void *p = (char *)o + OPTS[i].off;
    if (OPTS[i].kind == OPT_INT) *(int *)p = (int)strtol(arg, &end, 10);
    if (OPTS[i].kind == OPT_DOUBLE) *(double *)p = strtod(arg, &end);
    if (OPTS[i].kind == OPT_STR) *(const char **)p = arg;
    return end && (end == arg || *end) ? -1 : 0;
}

/* getopt_long over OPTS; `presets` 1: only the presets are applied (first pass), 0: the rest.
 * Returns 0, 1 for --help, 2 for a usage error. */
static int pass(int argc, char **argv, opts *o, int presets)
{
    struct option lo[N_OPTS + 2];
    /* -o is --output, -h --help */
    for (size_t i = 0; i < N_OPTS; i++)
        lo[i] = (struct option){OPTS[i].name, OPTS[i].kind >= OPT_INT && OPTS[i].kind <= OPT_STR,
                                NULL, (int)i};
    lo[N_OPTS] = lo[N_OPTS + 1] = (struct option){NULL, 0, NULL, 0};
    optind = 0; /* GNU: start over */
    opterr = presets;
    int ch;
    while ((ch = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        if (ch == '?') return 2;
        if (ch == 'h' || (ch < (int)N_OPTS && OPTS[ch].kind == OPT_HELP)) return 1;
        size_t i = ch == 'o' ? OUTPUT_OPT : (size_t)ch;
        if (OPTS[i].kind == OPT_PRESET) {
            if (presets) o->c = PRESETS[OPTS[i].off];
        } else if (!presets && set_opt(o, i, optarg) < 0) {
            fprintf(stderr, "zbbench: --%s: not a number: %s\n", OPTS[i].name, optarg);
            return 2;
        }
    }
    return optind < argc ? 2 : 0;
}

static int valid(const opts *o)
{
    const bench_cfg *c = &o->c;
    return c->runs >= 1 && c->runs <= 64 && c->scale_n >= 1 && c->link_secs > 0 &&
           c->link_rounds >= 1 && c->link_rounds <= 32 && c->zh_runs >= 1 && c->zh_runs <= 64 &&
           c->frames >= 0;
}

static int parse(int argc, char **argv, opts *o)
{
    o->c = PRESETS[0];
    int rc = pass(argc, argv, o, 1);
    if (rc == 0) rc = pass(argc, argv, o, 0);
    if (rc == 0 && !valid(o)) rc = 2;
    if (rc == 1) usage(stdout);
    if (rc == 2) usage(stderr);
    return rc;
}

/* ---- where things are ---- */

static int locate(bench_cfg *c)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return -1;
    self[n] = 0;
    const char *dir = dirname(self);
    snprintf(c->zbemu, sizeof(c->zbemu), "%s/zbemu", dir);
    snprintf(c->zbharness, sizeof(c->zbharness), "%s/zbharness", dir);
    snprintf(c->source, sizeof(c->source), "%s", ZB_SOURCE_DIR);
    snprintf(c->vectors, sizeof(c->vectors), "%s/vectors", c->source);
    snprintf(c->tmpdir, sizeof(c->tmpdir), "/tmp/zbbench.XXXXXX");
    c->cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (!mkdtemp(c->tmpdir)) return -1;
    /* the harness's restore journals stay out of the user's state directory, and the
     * zbharness measured starts the zbemu measured */
    char state[300];
    snprintf(state, sizeof(state), "%s/state", c->tmpdir);
    return setenv("ZBHARNESS_STATE_DIR", state, 1) == 0 && setenv("ZBEMU", c->zbemu, 1) == 0 ? 0
                                                                                             : -1;
}

static int section_wanted(const char *only, const char *name)
{
    if (!only) return 1;
    size_t n = strlen(name);
    for (const char *p = only; (p = strstr(p, name)); p += n)
        if ((p == only || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

static int only_is_valid(const char *only)
{
    size_t known = 0, listed = 1;
    for (const char *p = only; *p; p++)
        listed += *p == ',';
    for (size_t i = 0; i < N_SECTIONS; i++)
        known += (size_t)section_wanted(only, SECTIONS[i].name);
    return known == listed;
}

/* ---- the machine ---- */

static void read_first(const char *path, const char *key, char *out, size_t cap)
{
    char line[512];
    FILE *f = fopen(path, "r");
    snprintf(out, cap, "?");
    if (!f) return;
    while (fgets(line, sizeof(line), f)) {
        if (key && strncmp(line, key, strlen(key)) != 0) continue;
        char *v = key ? strchr(line, ':') : line;
        if (!v) continue;
        v += key ? 2 : 0;
        v[strcspn(v, "\n")] = 0;
        snprintf(out, cap, "%s", v);
        break;
    }
    fclose(f);
}

/* The first line a shell command prints, or "?". */
static void first_line_of(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    snprintf(out, cap, "?");
    if (!p) return;
    if (fgets(out, (int)cap, p)) out[strcspn(out, "\n")] = 0;
    if (pclose(p) != 0 || !out[0]) snprintf(out, cap, "?");
}

static void commit_of(const bench_cfg *c, char *out, size_t cap)
{
    char cmd[8400], head[64], dirty[256];
    snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --short HEAD 2>/dev/null", c->source);
    first_line_of(cmd, head, sizeof(head));
    snprintf(cmd, sizeof(cmd),
             "git -C '%s' status --porcelain --untracked-files=no -- . ':!BENCHMARKS.md' "
             "2>/dev/null",
             c->source);
    first_line_of(cmd, dirty, sizeof(dirty));
    snprintf(out, cap, "%s%s", head, strcmp(dirty, "?") ? " with uncommitted changes" : "");
}

/* The run's facts for the document's @MACHINE@ line: when, what, where, how loaded. */
static char *machine_text(const bench_cfg *c, const char *load0, double secs)
{
    char cpu[256], ptymax[32], ino[32], load1[64], when[64], commit[400];
    struct utsname u;
    struct rlimit rl;
    time_t now = time(NULL);
    read_first("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
    read_first("/proc/sys/kernel/pty/max", NULL, ptymax, sizeof(ptymax));
    read_first("/proc/sys/fs/inotify/max_user_instances", NULL, ino, sizeof(ino));
    read_first("/proc/loadavg", NULL, load1, sizeof(load1));
    if (uname(&u) != 0) snprintf(u.release, sizeof(u.release), "?");
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = 0;
    if (!strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now))) when[0] = 0;
    commit_of(c, commit, sizeof(commit));
    zb_sb t = {0};
    zb_sb_printf(&t,
                 "| | |\n|---|---|\n| run | `zbbench` %s run, finished %s, %.0f s, at commit "
                 "%s |\n| CPUs | %ld (nproc), %s |\n| kernel | Linux %s |\n| limits | ulimit -n "
                 "%llu, kernel.pty.max %s, fs.inotify.max_user_instances %s |\n| load average "
                 "at the start | %s |\n| load average at the end | %s |\n",
                 c->mode, when, secs, commit, c->cores, cpu, u.release,
                 (unsigned long long)rl.rlim_cur, ptymax, ino, load0, load1);
    if (!t.failed) return t.buf;
    zb_sb_free(&t);
    return NULL;
}

/* ---- main ---- */

static void remove_tmp(const bench_cfg *c)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "zbbench: could not remove %s\n", c->tmpdir);
}

static const char *output_of(const opts *o, char *buf, size_t cap)
{
    if (o->output) return o->output;
    if (o->only || strcmp(o->c.mode, "full") != 0) return "-";
    snprintf(buf, cap, "%s/BENCHMARKS.md", o->c.source);
    return buf;
}

static int run(opts *o)
{
    char load0[64], tmpl[4200], outbuf[4200];
    const bench_cfg *c = &o->c;
    double t0 = zb_now_s();
    read_first("/proc/loadavg", NULL, load0, sizeof(load0));
    fprintf(stderr, "zbbench: %s run, load average at the start: %s\n", c->mode, load0);
    for (size_t i = 0; i < N_SECTIONS; i++) {
        if (!section_wanted(o->only, SECTIONS[i].name)) continue;
        double s0 = zb_now_s();
        SECTIONS[i].run(c);
        fprintf(stderr, "zbbench: %s took %.1f s\n", SECTIONS[i].name, zb_now_s() - s0);
    }
    char *machine = machine_text(c, load0, zb_now_s() - t0);
    snprintf(tmpl, sizeof(tmpl), "%s/bench/BENCHMARKS.md.in", c->source);
    const char *out = output_of(o, outbuf, sizeof(outbuf));
    int rc = machine ? bench_doc_write(tmpl, machine, out) : -1;
    free(machine);
    if (rc == 0 && strcmp(out, "-") != 0) fprintf(stderr, "zbbench: wrote %s\n", out);
    int failed = bench_failures();
    if (failed) fprintf(stderr, "zbbench: %d measurements failed (their rows say so)\n", failed);
    return rc < 0 ? 2 : failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    opts o = {.only = NULL, .output = NULL};
    int rc = parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : rc;
    if (o.only && !only_is_valid(o.only)) {
        fprintf(stderr, "zbbench: --only: unknown section in '%s'\n", o.only);
        return 2;
    }
    zb_log_set_prefix("zbbench");
    zb_log_set_level(ZB_LOG_ERROR);
    zbh_progress_set_quiet(1); /* the in-process drivers' "reading the ... table" lines */
    if (locate(&o.c) < 0) {
        fprintf(stderr, "zbbench: cannot locate myself or make a scratch directory\n");
        return 2;
    }
    rc = run(&o);
    remove_tmp(&o.c);
    return rc;
}
