/* cmd_replay.c - `zbharness replay`: real sticks' traces (vectors/traces/) played against
 * emulators with each trace's firmware profile (replay.h), one fresh emulator per trace. The
 * per-exchange results are the golden (--expect): a change in an emulator that moves any
 * exchange, for better or worse, shows as a changed line. The options are one table
 * (cli_opts.h) that is both parsed and --help. */
#include "cli.h"
#include "cli_opts.h"
#include "emuproc.h"
#include "fileio.h"
#include "log.h"
#include "ops.h"
#include "replay.h"
#include "strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct replay_args {
    const char *tsv, *expect;
    const char *profile_file; /* every emulator starts with this captured identity */
} replay_args;

static const zbh_opt ROWS[] = {
    {"tsv", 1, 't', "FILE", "write one line per exchange: trace, index, command,\nverdict, detail",
     0, ZBH_STR(replay_args, tsv)},
    {"expect", 1, 'e', "FILE", "compare those lines with FILE (the golden); exit 1 on\nany change",
     0, ZBH_STR(replay_args, expect)},
    {"profile-file", 1, 'P', "FILE",
     "start each emulator with this captured identity\n"
     "(zbharness capture --profile; zbemu --profile-file)",
     0, ZBH_STR(replay_args, profile_file)},
    ZBH_ROW_TIME_SCALE,
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness replay [--tsv FILE | --expect FILE] [--time-scale F] TRACE...\n\n"
           "Plays each trace of a real stick (vectors/traces/README.md) against a fresh\n"
           "emulator with that firmware's profile: every recorded request in order, every\n"
           "answer compared with the recorded one byte by byte. Bytes that depend on the unit\n"
           "(IEEE, random values, timing bits) are declared per command in harness/trace/replay.c.\n"
           "Prints, per trace, the exchanges that are identical, equal apart from declared\n"
           "fields, different, only played (the log lacks the answer), or unasked (frames the\n"
           "stick sent with no request before them: nothing to replay).\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nExit: 0 played (and equal to --expect), 1 a changed line, 2 a trace that does not\n"
           "load or an emulator that does not start.\n");
}

/* The rows that are not stored as they are: --time-scale and --help. */
static int on_option(void *args, int c, const char *arg)
{
    (void)args;
    if (c == 'Z')
        return zbh_cli_time_scale_option(arg, "zbharness replay") != ZBH_OK ? ZBH_USAGE : ZBH_OK;
    help();
    return -1;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int parse(int argc, char **argv, replay_args *a)
{
    *a = (replay_args){0};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc) return rc;
    if (optind >= argc) {
        fprintf(stderr, "zbharness replay: at least one TRACE (try --help)\n");
        return ZBH_USAGE;
    }
    return 0;
}

/* The trace's "state": its backup restored onto the emulator through the driver, as a user's
 * restore would write it. */
static int bring_to_state(const zbt_trace *t, const zbh_emu *emu, char *err, size_t errlen)
{
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *b = ocb_load(t->state_path, OCB_PARSE_LENIENT, &rep);
    ocb_report_free(&rep);
    if (!b) {
        snprintf(err, errlen, "state %s: not a valid backup (zbharness validate says why)",
                 t->state_path);
        return -1;
    }
    zbh_session s;
    int rc = zbh_session_open(&s, zbt_stack_name(t->stack), emu->port, 115200, err, errlen);
    if (rc == 0) {
        zbh_restore_req req = {.counter_increment = 0,
                               .force = true,
                               .pre_dir = emu->dir,
                               .ieee = ZBH_IEEE_BURN,
                               .scratch = true};
        zbh_restore_result res;
        memset(&res, 0, sizeof(res));
        rc = zbh_restore(&s, b, &req, &res);
        zbh_restore_result_free(&res);
        zbh_session_close(&s);
        if (rc) snprintf(err, errlen, "state %s: the restore failed", t->state_path);
    }
    ocb_free(b);
    return rc ? -1 : 0;
}

/* One trace against its own emulator (started with --profile-file `profile`, when not NULL);
 * its lines are appended to `tsv`. */
static int replay_one(const zbt_trace *t, const char *profile, zb_sb *tsv, zbh_rp_counts *c,
                      char *err, size_t errlen)
{
    zbh_target target;
    char vbuf[8];
    if (zbh_replay_target(t, &target, vbuf, err, errlen) < 0) return -1;
    char dir[] = "/tmp/zbh-replay-XXXXXX";
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
        return -1;
    }
    zbh_emu emu;
    const char *extra[] = {t->fw_arg ? "--firmware" : NULL, t->fw_arg, NULL, NULL, NULL};
    if (profile) {
        const char **at = extra[0] ? extra + 2 : extra;
        at[0] = "--profile-file", at[1] = profile;
    }
    int rc = zbh_emu_start_args(&emu, &target, dir, 7, extra, err, errlen);
    if (rc == 0 && t->state_path) {
        rc = bring_to_state(t, &emu, err, errlen);
        if (rc) zbh_emu_stop(&emu);
    }
    if (rc == 0) {
        zbh_serial *s = zbh_serial_open(emu.port, 115200, err, errlen);
        if (!s) {
            rc = -1;
        } else {
            char *buf = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&buf, &len);
            rc = mem ? zbh_replay_trace(t, s, mem, c, err, errlen) : -1;
            if (mem) fclose(mem);
            if (buf) zb_sb_put(tsv, buf);
            free(buf);
            zbh_serial_close(s);
        }
        zbh_emu_stop(&emu);
    }
    zbh_remove_tree(dir);
    return rc;
}

/* Lines of `want` missing from `got` and lines of `got` not in `want`, in order, as a diff. */
static int compare_golden(const char *path, const char *got)
{
    size_t len = 0;
    char *want = file_read_all(path, 16u << 20, &len);
    if (!want) {
        char why[200];
        fprintf(stderr, "zbharness replay: %s: %s\n", path,
                file_read_error(path, errno, 16u << 20, why, sizeof(why)));
        return ZBH_USAGE;
    }
    int changed = strcmp(want, got) != 0;
    if (changed) {
        printf("\nchanged against %s (- golden, + now):\n", path);
        char *w = want;
        const char *g = got;
        while (*w || *g) {
            const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');
            size_t wl = we ? (size_t)(we - w) : strlen(w), gl = ge ? (size_t)(ge - g) : strlen(g);
            if (wl != gl || strncmp(w, g, wl) != 0) {
                if (wl) printf("- %.*s\n", (int)wl, w);
                if (gl) printf("+ %.*s\n", (int)gl, g);
            }
            w += wl + (we ? 1 : 0);
            g += gl + (ge ? 1 : 0);
        }
    }
    free(want);
    return changed ? ZBH_FAIL : ZBH_OK;
}

static void print_header(void)
{
    printf("%-48s %-6s %-12s %5s %9s %8s %9s %6s %7s\n", "trace", "stack", "firmware", "exch",
           "identical", "declared", "different", "played", "unasked");
}

static void print_row(const char *name, const char *stack, const char *fw, size_t n_ex,
                      const zbh_rp_counts *c)
{
    printf("%-48s %-6s %-12.12s %5zu %9zu %8zu %9zu %6zu %7zu\n", name, stack, fw, n_ex,
           c->n[ZBH_RP_IDENTICAL], c->n[ZBH_RP_DECLARED], c->n[ZBH_RP_DIFFERENT],
           c->n[ZBH_RP_PLAYED], c->n[ZBH_RP_UNASKED]);
}

static void print_total(const zbh_rp_counts *all)
{
    size_t total = 0;
    for (int v = 0; v < ZBH_RP_N; v++)
        total += all->n[v];
    printf("%-48s %-6s %-12s %5zu %9zu %8zu %9zu %6zu %7zu\n", "total", "", "", total,
           all->n[ZBH_RP_IDENTICAL], all->n[ZBH_RP_DECLARED], all->n[ZBH_RP_DIFFERENT],
           all->n[ZBH_RP_PLAYED], all->n[ZBH_RP_UNASKED]);
}

/* One TRACE file: played (its row printed, its lines into tsv, its counts added to all).
 * ZBH_OK, or ZBH_USAGE when it does not load or its emulator does not play. */
static int play_file(const replay_args *a, const char *path, zb_sb *tsv, zbh_rp_counts *all)
{
    char err[ZB_MSG_MAX] = "";
    zbt_trace *t = zbt_load(path, err, sizeof(err));
    if (!t) {
        fprintf(stderr, "zbharness replay: %s\n", err);
        return ZBH_USAGE;
    }
    zbh_rp_counts one = {0};
    zbh_target probe;
    char vbuf[8];
    int rc = ZBH_OK;
    if (zbh_replay_target(t, &probe, vbuf, err, sizeof(err)) < 0) {
        /* a firmware no emulator profile serves: said, not an error */
        zb_sb_printf(tsv, "%s\t-\t-\tno profile\t%s\n", t->name, err);
        printf("%-48s %-6s %-12.12s %5zu  no profile: %s\n", t->name, zbt_stack_name(t->stack),
               t->fw, t->n_ex, err);
        zbt_free(t);
        return ZBH_OK;
    }
    if (replay_one(t, a->profile_file, tsv, &one, err, sizeof(err)) < 0) {
        fprintf(stderr, "zbharness replay: %s: %s\n", t->name, err);
        zb_sb_printf(tsv, "%s\t-\t-\tnot played\t%s\n", t->name, err);
        rc = ZBH_USAGE;
    }
    print_row(t->name, zbt_stack_name(t->stack), t->fw, t->n_ex, &one);
    for (int v = 0; v < ZBH_RP_N; v++)
        all->n[v] += one.n[v];
    zbt_free(t);
    return rc;
}

int zbh_cmd_replay(int argc, char **argv)
{
    replay_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    zb_sb tsv = {0};
    zbh_rp_counts all = {0};
    print_header();
    for (int i = optind; i < argc; i++)
        if (play_file(&a, argv[i], &tsv, &all) != ZBH_OK) rc = ZBH_USAGE;
    print_total(&all);
    const char *text = tsv.buf ? tsv.buf : "";
    if (a.tsv && file_write(a.tsv, text, strlen(text), 0644, 0) < 0) {
        char why[200];
        fprintf(stderr, "zbharness replay: %s\n",
                file_write_error(a.tsv, errno, 0, why, sizeof(why)));
        rc = ZBH_USAGE;
    }
    if (a.expect && rc == ZBH_OK) rc = compare_golden(a.expect, text);
    zb_sb_free(&tsv);
    return rc;
}
