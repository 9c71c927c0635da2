/* cmd_roundtrip.c - `zbharness roundtrip`: one migration between two devices, or with
 * --emulate the whole matrix (every emulated stack to every other, across stacks) on
 * emulators the harness starts and always stops. Cells run in parallel child processes
 * (--jobs); each reports one line back through a pipe, so a crashing cell cannot take the run
 * down and Ctrl-C tears every emulator down (each cell is its own process group). A run
 * between real ports (--from/--to) writes to someone's stick: its cell keeps the real stderr,
 * so the restore's own messages and, on Ctrl-C, its recovery advice reach the user; another
 * network on the target is refused without --force; the pre-restore file is named, and the
 * user is told to stop the source, which now shares its network with the target.
 *
 * The options are one table (cli_opts.h) that is both parsed and --help; the command is parse,
 * plan, run, print and the reports, apart. */
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "fileio.h"
#include "log.h"
#include "progress.h"
#include "report.h"
#include "roundtrip.h"
#include "select.h"
#include "strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 16
#define MAX_CELLS   (MAX_TARGETS * MAX_TARGETS) /* every target to every target */

typedef struct rt_args {
    const char *from, *to, *keep, *junit, *tap, *tsv, *golden, *html, *markdown;
    int emulate, jobs, verbose, show_keys, quiet, list, burn_ieee, force;
    const char *only; /* comma list of target names */
    zbh_shard shard;
    zbh_world_opts world;
} rt_args;

/* Human output: stdout, or stderr when stdout carries the TAP stream (--tap -). */
static FILE *g_out;

static const zbh_opt ROWS[] = {
    {"from", 1, 'f', "STACK:PORT", "the source: backed up, never written", 0,
     ZBH_STR(rt_args, from)},
    {"to", 1, 't', "STACK:PORT", "the target: restored onto (see above)", 0, ZBH_STR(rt_args, to)},
    ZBH_ROW_SHARED_PORT,
    {"emulate", 0, 'e', NULL,
     "run the matrix on emulators started here: every target\n"
     "below to every target; each source is seeded with a\n"
     "populated network (8 devices, 7 link keys, frame counter\n"
     "7500)",
     0, ZBH_SET(rt_args, emulate)},
    {"targets", 1, 'o', "A,B", "with --emulate: only these (default: all of them)", 0,
     ZBH_STR(rt_args, only)},
    {"jobs", 1, 'j', "N", "cells in parallel (default 2)"},
    {"shard", 1, 'x', "K/N",
     "with --emulate: run only shard K of N (cells dealt\n"
     "round-robin; N runners with K = 1..N run every cell once)"},
    {"list", 0, 'l', NULL, "print the cells this run would take, and exit", 0,
     ZBH_SET(rt_args, list)},
    {"keep", 1, 'k', "DIR", "write each cell's source and target backups to DIR\n(created)", 0,
     ZBH_STR(rt_args, keep)},
    {"junit", 1, 'J', "FILE", "JUnit XML report (with a <properties> block)", 0,
     ZBH_STR(rt_args, junit)},
    {"tap", 1, 'T', "FILE", "TAP report; '-' for stdout (everything else goes to\nstderr)", 0,
     ZBH_STR(rt_args, tap)},
    {"html", 1, 'H', "FILE",
     "the matrix as a picture: source rows x target columns,\n"
     "each cell coloured by verdict, losses on hover and as\n"
     "numbered notes",
     0, ZBH_STR(rt_args, html)},
    {"markdown", 1, 'M', "FILE",
     "the same grid as a markdown table (CI job summaries, PR\ncomments)", 0,
     ZBH_STR(rt_args, markdown)},
    {"tsv", 1, 'S', "FILE", "verdicts and losses, one line per cell (the golden\nformat)", 0,
     ZBH_STR(rt_args, tsv)},
    {"golden", 1, 'g', "FILE",
     "compare the verdicts and losses with FILE; a differing\n"
     "cell fails (exit 1, and FAIL in the JUnit/TAP/HTML\n"
     "reports)",
     0, ZBH_STR(rt_args, golden)},
    {"quiet", 0, 'q', NULL, "no progress lines on stderr", 1, ZBH_SET(rt_args, quiet)},
    {"force", 0, 'O', NULL,
     "with --to: overwrite a target that holds another network\n"
     "(it is backed up first; emulators started by --emulate\n"
     "always are)",
     0, ZBH_SET(rt_args, force)},
    {"burn-ieee", 0, 'U', NULL,
     "with --to: an EmberZNet target may burn the backup's IEEE\n"
     "into its write-once MFG_CUSTOM_EUI_64 (never without this\n"
     "flag; emulators started by --emulate are always allowed)",
     0, ZBH_SET(rt_args, burn_ieee)},
    {"world", 0, 'W', NULL,
     "with --emulate: a simulated house judges each migration;\n"
     "the cell gains the devices' verdict (alive 8/8, or lost\n"
     "N: reason) and --tsv/--golden use the world golden\n"
     "(vectors/roundtrip/WORLD*)",
     0, ZBH_SET(rt_args, world.on)},
    {"frames-after-backup", 1, 'F', "N", "the source keeps sending N frames after the backup"},
    {"counter-increment", 1, 'I', "N", "restore's NWK counter increment (default 2500)"},
    {"keep-target-ieee", 0, 'E', NULL, "the restore keeps the target's own IEEE (control)", 0,
     ZBH_SET(rt_args, world.keep_target_ieee)},
    {"key-switch", 0, 'X', NULL,
     "the new coordinator switches the network key after the\nmigration (control)", 0,
     ZBH_SET(rt_args, world.key_switch)},
    {"verbose", 0, 'v', NULL, "log progress of each step; twice: frame trace", 1,
     ZBH_COUNT(rt_args, verbose)},
    {"show-keys", 0, 'K', NULL, "do not redact keys in logs", 0, ZBH_SET(rt_args, show_keys)},
    ZBH_ROW_TIME_SCALE,
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness roundtrip --from STACK:PORT --to STACK:PORT [OPTIONS]\n"
           "       zbharness roundtrip --emulate [OPTIONS]\n\n"
           "Backs up the source, validates the backup, restores it onto the target, backs the\n"
           "target up, validates and compares under the round-trip rules. Fields the target\n"
           "cannot store are reported as losses with their reason; any other difference fails.\n"
           "A target that holds another network is refused (nothing written) unless --force;\n"
           "its network is backed up first, to the --keep directory or the current directory.\n"
           "STACK: znp (or zstack), ezsp (or ember), zboss. PORT: a serial device, a pty,\n"
           "tcp://HOST:PORT or socket://HOST:PORT (network coordinators).\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\ntargets:");
    const zbh_target *t[16];
    size_t n = zbh_targets(t, 16);
    for (size_t i = 0; i < n; i++)
        printf(" %s", t[i]->name);
    printf("\n\nExit: 0 every cell passed, 1 a cell failed or differs from --golden, 2 usage.\n");
}

/* The rows that are not stored as they are: checked numbers, and the shared options. */
static int on_option(void *args, int c, const char *arg)
{
    rt_args *a = args;
    char err[ZB_MSG_MAX];
    switch (c) {
    case 'j': a->jobs = atoi(arg); return ZBH_OK;
    case 'x':
        if (zbh_shard_parse(arg, &a->shard, err, sizeof(err)) == 0) return ZBH_OK;
        fprintf(stderr, "zbharness roundtrip: %s\n", err);
        return ZBH_USAGE;
    case 'F':
    case 'I':
        return zbh_world_number(c == 'F' ? "--frames-after-backup" : "--counter-increment", arg,
                                &a->world, c == 'F') < 0
                   ? ZBH_USAGE
                   : ZBH_OK;
    case 'P': zbh_cli_link_option(c, arg, "zbharness roundtrip", NULL); return ZBH_OK;
    case 'Z': return zbh_cli_time_scale_option(arg, "zbharness roundtrip") ? ZBH_USAGE : ZBH_OK;
    default: help(); return -1; /* --help */
    }
}

/* The first rule the options break (a message for "zbharness roundtrip: "), or NULL. */
static const char *misuse(const rt_args *a, const char *extra, char *buf, size_t cap)
{
    if (a->jobs < 1 || a->jobs > 32) return "--jobs must be 1..32";
    if (extra) {
        snprintf(buf, cap, "unexpected argument '%s' (try --help)", extra);
        return buf;
    }
    if (a->world.on && !a->emulate) return "--world needs --emulate";
    if (!a->emulate && (!a->from || !a->to)) return "--from and --to, or --emulate (try --help)";
    if (a->emulate && a->force)
        return "--force is for --to (emulated targets are always overwritten)";
    if (!a->emulate && (a->shard.n > 1 || a->only)) return "--shard and --targets need --emulate";
    if (zbh_list_check(a->only, buf, cap) < 0) return buf;
    return NULL;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int parse(int argc, char **argv, rt_args *a)
{
    *a = (rt_args){.jobs = 2, .shard = {1, 1}, .world.counter_increment = -1};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc) return rc;
    char buf[ZB_MSG_MAX];
    const char *bad = misuse(a, optind < argc ? argv[optind] : NULL, buf, sizeof(buf));
    if (bad) {
        fprintf(stderr, "zbharness roundtrip: %s\n", bad);
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_ERROR);
    zb_log_set_show_keys(a->show_keys);
    zbh_progress_set_quiet(a->quiet);
    return 0;
}

/* ---- cells in child processes; one result line each over a pipe ---- */

static void cell_to_case(const zbh_cell *c, zbh_case_result *r)
{
    snprintf(r->id, sizeof(r->id), "%s->%s", c->src_t ? c->src_t->name : c->src_stack,
             c->dst_t ? c->dst_t->name : c->dst_stack);
    snprintf(r->description, sizeof(r->description), "migrate a populated network from %s to %s",
             c->src_t ? c->src_t->name : c->src_port, c->dst_t ? c->dst_t->name : c->dst_port);
    r->verdict = c->verdict;
    r->seconds = c->seconds;
    zb_sb b = {0};
    zb_sb_printf(&b, "%s%s%s", c->world_verdict, c->world_verdict[0] ? "; " : "",
                 zbh_text_get(&c->detail));
    for (size_t i = 0; i < c->n_losses; i++)
        zb_sb_printf(&b, "; lost %s (%s)", c->losses[i].field, c->losses[i].why);
    zbh_text_take(&r->detail, &b);
}

/* tab-separated: verdict seconds n_devices n_losses field\twhy... world golden epid pre detail */
/* The detail is the last field and runs to the end of the line: a tab or newline in it (a
 * log tail) becomes a space. Out of memory, the line says so instead of its detail. */
static void write_cell_line(int fd, const zbh_cell *c)
{
    zb_sb b = {0};
    zb_sb_printf(&b, "%d\t%.3f\t%zu\t%zu", (int)c->verdict, c->seconds, c->n_devices, c->n_losses);
    for (size_t i = 0; i < c->n_losses; i++)
        zb_sb_printf(&b, "\t%s\t%s", c->losses[i].field, c->losses[i].why);
    zb_sb_printf(&b, "\t%s\t%s\t%016llx\t%s\t", c->world_verdict[0] ? c->world_verdict : "-",
                 c->world_golden[0] ? c->world_golden : "-", (unsigned long long)c->epid,
                 c->pre_backup[0] ? c->pre_backup : "-");
    size_t head = b.len;
    zb_sb_put(&b, zbh_text_get(&c->detail));
    for (size_t i = head; !b.failed && i < b.len; i++)
        if (b.buf[i] == '\n' || b.buf[i] == '\t') b.buf[i] = ' ';
    zb_sb_put(&b, "\n");
    const char *text =
        b.failed ? "2\t0\t0\t0\t-\t-\t0\t-\tout of memory reporting the cell\n" : b.buf;
    size_t len = strlen(text);
    for (size_t w = 0; w < len;) {
        ssize_t k = write(fd, text + w, len - w);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        w += (size_t)k;
    }
    zb_sb_free(&b);
}

static void read_cell_line(char *line, zbh_cell *c)
{
    char *save = NULL, *tok = strtok_r(line, "\t\n", &save);
    if (!tok) {
        c->verdict = ZBH_ERROR;
        zbh_text_set(&c->detail, "the cell process died without a result");
        return;
    }
    c->verdict = (enum zbh_verdict)atoi(tok);
    c->seconds = atof(strtok_r(NULL, "\t\n", &save));
    c->n_devices = (size_t)atol(strtok_r(NULL, "\t\n", &save));
    c->n_losses = (size_t)atol(strtok_r(NULL, "\t\n", &save));
    for (size_t i = 0; i < c->n_losses && i < 16; i++) {
        char *f = strtok_r(NULL, "\t\n", &save), *w = strtok_r(NULL, "\t\n", &save);
        snprintf(c->losses[i].field, sizeof(c->losses[i].field), "%s", f ? f : "?");
        snprintf(c->losses[i].why, sizeof(c->losses[i].why), "%s", w ? w : "?");
    }
    char *wv = strtok_r(NULL, "\t\n", &save), *wg = strtok_r(NULL, "\t\n", &save);
    snprintf(c->world_verdict, sizeof(c->world_verdict), "%s", wv && strcmp(wv, "-") ? wv : "");
    snprintf(c->world_golden, sizeof(c->world_golden), "%s", wg && strcmp(wg, "-") ? wg : "");
    char *ep = strtok_r(NULL, "\t\n", &save), *pre = strtok_r(NULL, "\t\n", &save);
    c->epid = ep ? strtoull(ep, NULL, 16) : 0;
    snprintf(c->pre_backup, sizeof(c->pre_backup), "%s", pre && strcmp(pre, "-") ? pre : "");
    char *d = strtok_r(NULL, "\n", &save);
    zbh_text_set(&c->detail, "%s", d ? d : "");
}

typedef struct running {
    pid_t pid;
    int fd;
    int log; /* the cell's stderr (emulated cells), unlinked, read when it dies; or -1 */
    size_t cell;
} running;

static volatile sig_atomic_t g_interrupted;
static running g_run[32];
static int g_n_run;

static void on_interrupt(int sig)
{
    g_interrupted = sig;
    for (int i = 0; i < g_n_run; i++)
        if (g_run[i].pid > 0) kill(-g_run[i].pid, SIGTERM); /* the cell and its emulators */
}

static void append_log_tail(int fd, zbh_cell *c)
{
    char tail[400];
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof(tail) - 1 ? end - (off_t)sizeof(tail) + 1 : 0;
    ssize_t k = pread(fd, tail, sizeof(tail) - 1, from);
    if (k <= 0) return;
    tail[k] = '\0';
    for (char *q = tail; *q; q++)
        if (*q == '\n' || *q == '\t') *q = ' ';
    zbh_text_append(&c->detail, " [log: ...%s]", tail);
}

/* Emulated cells run in parallel: their messages go to a private log (the parent's, so it
 * outlives the cell), quoted when a cell fails and printed whole when one dies. A cell on real
 * ports keeps the real stderr: what the restore says there (the pre-restore file, a refusal,
 * the recovery advice when it is interrupted mid-write) is addressed to the user. */
static pid_t spawn_cell(zbh_cell *c, int *fd_out, int *log_out)
{
    int p[2];
    *log_out = -1;
    if (c->src_t || c->dst_t) {
        char logp[] = "/tmp/zbharness-cell-log-XXXXXX";
        if ((*log_out = mkstemp(logp)) >= 0) unlink(logp);
    }
    if (pipe(p) < 0) {
        if (*log_out >= 0) close(*log_out);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        if (*log_out >= 0) close(*log_out);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        zbh_progress_set_quiet(1); /* progress is the parent's */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        close(p[0]);
        if (*log_out >= 0) dup2(*log_out, 2);
        zbh_cell_run(c);
        if (*log_out >= 0 && c->verdict != ZBH_PASS) append_log_tail(*log_out, c);
        write_cell_line(p[1], c);
        _exit(0);
    }
    setpgid(pid, pid);
    close(p[1]);
    *fd_out = p[0];
    return pid;
}

/* A cell that died without a result (a signal, a crash): its log is all there is. */
static void print_log(int fd, const char *who)
{
    char buf[4096];
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
    ssize_t k = pread(fd, buf, sizeof(buf), from);
    if (k <= 0) return;
    fprintf(stderr, "zbharness roundtrip: %s died without a result; the end of its log:\n", who);
    fwrite(buf, 1, (size_t)k, stderr);
    if (buf[k - 1] != '\n') fputc('\n', stderr);
}

/* The cell's whole result line, however long (NULL when out of memory: the cell is then an
 * error that says so). */
static char *read_all(int fd, size_t *len)
{
    zb_sb b = {0};
    char chunk[4096];
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof(chunk));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        zb_sb_add(&b, chunk, (size_t)k);
    }
    *len = b.len;
    if (b.failed) {
        zb_sb_free(&b);
        return NULL;
    }
    return b.buf ? b.buf : calloc(1, 1);
}

static void collect(running *r, zbh_cell *cells)
{
    size_t len = 0;
    char *line = read_all(r->fd, &len);
    close(r->fd);
    int st;
    while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR) {
    }
    zbh_cell *c = &cells[r->cell];
    if (line) {
        read_cell_line(line, c);
    } else {
        c->verdict = ZBH_ERROR;
        zbh_text_set(&c->detail, "out of memory reading the cell's result");
    }
    free(line);
    if (len == 0 && r->log >= 0) {
        zbh_case_result id = {0};
        cell_to_case(c, &id);
        print_log(r->log, id.id);
        zbh_case_results_free(&id, 1);
    } else if (len == 0 && g_interrupted) {
        zbh_text_set(&c->detail, "interrupted before the cell reported (its messages, and any "
                                 "recovery advice, are above)");
    }
    if (r->log >= 0) close(r->log);
}

static void run_cells(zbh_cell *cells, size_t n, int jobs, zbh_case_result *results)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    size_t next = 0, done = 0;
    g_n_run = 0;
    while (done < n) {
        while (!g_interrupted && next < n && g_n_run < jobs) {
            int fd, log;
            pid_t pid = spawn_cell(&cells[next], &fd, &log);
            if (pid < 0) {
                cells[next].verdict = ZBH_ERROR;
                zbh_text_set(&cells[next].detail, "fork: %s", strerror(errno));
                cell_to_case(&cells[next], &results[next]);
                zbh_report_progress(g_out, done++, n, &results[next]);
                next++;
                continue;
            }
            g_run[g_n_run++] = (running){pid, fd, log, next++};
        }
        if (g_n_run == 0) break;
        /* wait for any cell; its pipe closes when it exits */
        int st;
        pid_t pid = wait(&st);
        if (pid < 0 && errno == EINTR) continue;
        for (int i = 0; i < g_n_run; i++) {
            if (g_run[i].pid != pid) continue;
            g_run[i].pid = pid;
            collect(&g_run[i], cells);
            size_t ci = g_run[i].cell;
            cell_to_case(&cells[ci], &results[ci]);
            zbh_report_progress(g_out, done++, n, &results[ci]);
            g_run[i] = g_run[--g_n_run];
            break;
        }
    }
    for (size_t i = next; i < n; i++) { /* interrupted before they started */
        cells[i].verdict = ZBH_SKIP;
        zbh_text_set(&cells[i].detail, "interrupted");
        cell_to_case(&cells[i], &results[i]);
    }
}

/* ---- golden: "src<TAB>dst<TAB>verdict<TAB>lost fields (comma-separated or -)" ---- */

static void tsv_line(const zbh_cell *c, char *out, size_t cap)
{
    size_t o =
        (size_t)snprintf(out, cap, "%s\t%s\t%s\t", c->src_t ? c->src_t->name : c->src_stack,
                         c->dst_t ? c->dst_t->name : c->dst_stack, zbh_verdict_name(c->verdict));
    if (c->world.on) { /* the world golden: the devices' counts and reason classes */
        snprintf(out + o, cap - o, "%s", c->world_golden);
        return;
    }
    if (!c->n_losses) o += (size_t)snprintf(out + o, cap - o, "-");
    for (size_t i = 0; i < c->n_losses && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "," : "", c->losses[i].field);
}

static int write_tsv(const char *path, const zbh_cell *cells, size_t n)
{
    zb_sb b = {0};
    if (n && cells[0].world.on) /* roundtrip_world.h: the devices' verdict */
        zb_sb_printf(&b,
                     "# zbharness roundtrip --emulate --world --frames-after-backup %u: source, "
                     "target, verdict, devices alive/rejoined/lost [reason classes]\n",
                     cells[0].world.frames_after_backup);
    else
        zb_sb_put(&b, "# zbharness roundtrip --emulate: source, target, verdict, fields the "
                      "target cannot store\n");
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        tsv_line(&cells[i], line, sizeof(line));
        zb_sb_printf(&b, "%s\n", line);
    }
    return zb_sb_write_file(&b, path, 0644, 0);
}

/* The golden line for cell c ("" when the file has none). */
static void golden_find(FILE *f, const zbh_cell *c, char *want, size_t cap)
{
    char got[1024], line[1024];
    tsv_line(c, got, sizeof(got));
    size_t key = strcspn(got, "\t");
    key += 1 + strcspn(got + key + 1, "\t"); /* "src\tdst" */
    want[0] = '\0';
    rewind(f);
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || strncmp(line, got, key) != 0 || line[key] != '\t') continue;
        snprintf(want, cap, "%s", line);
        return;
    }
}

/* Each cell whose verdict or losses differ from the golden file (or that it lacks) fails in
 * every report, not only in the exit code. Returns the number of such cells. */
static int check_golden(FILE *f, const char *path, const zbh_cell *cells, zbh_case_result *res,
                        zbh_grid_cell *grid, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char want[1024], got[1024];
        zbh_text why = {0};
        golden_find(f, &cells[i], want, sizeof(want));
        tsv_line(&cells[i], got, sizeof(got));
        if (want[0] && strcmp(want, got) == 0) continue;
        bad++;
        if (!want[0]) {
            fprintf(g_out, "golden %s has no line for %s\n", path, res[i].id);
            zbh_text_set(&why, "golden %s has no line for this cell", path);
        } else {
            fprintf(g_out, "golden differs: want  %s\n                got   %s\n", want, got);
            for (char *p = want; *p; p++)
                if (*p == '\t') *p = ' ';
            for (char *p = got; *p; p++)
                if (*p == '\t') *p = ' ';
            zbh_text_set(&why, "differs from golden %s: want '%s', got '%s'", path, want, got);
        }
        zbh_case_fail_after(&res[i], zbh_text_get(&why));
        grid[i].verdict = res[i].verdict;
        zbh_grid_note(&grid[i], "%s", zbh_text_get(&why));
        zbh_text_free(&why);
        zbh_grid_line(&grid[i], "golden differs");
    }
    return bad;
}

/* ---- pictures and properties ---- */

static void cell_to_grid(const zbh_cell *c, const zbh_case_result *r, zbh_grid_cell *g)
{
    memset(g, 0, sizeof(*g));
    if (c->src_t)
        snprintf(g->row, sizeof(g->row), "%s", c->src_t->name);
    else
        snprintf(g->row, sizeof(g->row), "%s:%s", c->src_stack, c->src_port);
    if (c->dst_t)
        snprintf(g->col, sizeof(g->col), "%s", c->dst_t->name);
    else
        snprintf(g->col, sizeof(g->col), "%s:%s", c->dst_stack, c->dst_port);
    g->verdict = r->verdict;
    zbh_text_set(&g->detail, "%s", zbh_text_get(&c->detail));
    if (c->world_verdict[0]) { /* --world: the devices' verdict, e.g. "alive 8/8" */
        zbh_grid_line(g, "%.40s", c->world_verdict);
        zbh_grid_note(g, "devices: %s", c->world_verdict);
    }
    if (c->n_losses) zbh_grid_line(g, "%zu lost", c->n_losses);
    for (size_t i = 0; i < c->n_losses; i++)
        zbh_grid_note(g, "lost %s: %s", c->losses[i].field, c->losses[i].why);
    if (c->verdict != ZBH_PASS) zbh_grid_note(g, "%s", zbh_text_get(&c->detail));
}

static void run_props(const rt_args *a, zbh_report_props *p)
{
    zbh_props_common(p, "roundtrip");
    if (a->emulate) {
        zbh_props_add(p, "mode", "emulate");
        zbh_props_add(p, "targets", "%s", a->only ? a->only : "all");
    } else {
        zbh_props_add(p, "from", "%s", a->from);
        zbh_props_add(p, "to", "%s", a->to);
    }
    zbh_props_add(p, "shard", "%u/%u", a->shard.k, a->shard.n);
    if (a->golden) zbh_props_add(p, "golden", "%s", a->golden);
}

/* A run between real sticks: where the target's old network went and, once the target runs the
 * source's network, that the two must not both stay on (one network, two coordinators). */
static void tell_real_run(const zbh_cell *c)
{
    if (c->pre_backup[0])
        fprintf(g_out, "roundtrip: the network %s held before is backed up to %s\n", c->dst_port,
                c->pre_backup);
    if (c->verdict == ZBH_PASS)
        fprintf(g_out,
                "roundtrip: stop the source coordinator (%s) before you use the target: both now "
                "run network %016llx\n",
                c->src_port, (unsigned long long)c->epid);
}

/* --keep DIR: created (with its parents) or the run does not start. */
static int make_dir(const char *dir, char *err, size_t errlen)
{
    char path[1024];
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        *p = saved;
        if (!saved) break;
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) < 0) {
        snprintf(err, errlen, "%s is not a writable directory", dir);
        return -1;
    }
    return 0;
}

/* The cells of the run: the whole matrix (or the --targets square), then this shard of it.
 * Each cell's seed follows its place in the whole matrix, so a sharded cell runs exactly as
 * it does unsharded. */
static size_t plan_emulated(const rt_args *a, zbh_cell *cells, size_t cap)
{
    const zbh_target *t[MAX_TARGETS];
    size_t nt = zbh_targets(t, MAX_TARGETS), n = 0, whole = 0;
    for (size_t i = 0; i < nt; i++)
        for (size_t j = 0; j < nt; j++) {
            if (!zbh_list_has(a->only, t[i]->name) || !zbh_list_has(a->only, t[j]->name)) continue;
            if (zbh_shard_has(&a->shard, whole) && n < cap)
                cells[n++] = (zbh_cell){.src_t = t[i],
                                        .dst_t = t[j],
                                        .keep_dir = a->keep,
                                        .seed = (unsigned)(100 + whole),
                                        .world = a->world};
            whole++;
        }
    return n;
}

/* One run: its cells, their results and pictures, and what the run found on the way. */
typedef struct rt_run {
    zbh_cell *cells;
    zbh_case_result *results;
    zbh_grid_cell *grid;
    size_t n;
    char src_stack[32], dst_stack[32]; /* the real pair's stacks (--from, --to) */
    FILE *golden;
    double wall;
    int bad; /* cells that differ from --golden */
} rt_run;

/* The cells: the emulated matrix, or the one real pair. ZBH_USAGE: not STACK:PORT. */
static int plan(const rt_args *a, rt_run *r)
{
    if (a->emulate) {
        r->n = plan_emulated(a, r->cells, MAX_CELLS);
        return ZBH_OK;
    }
    const char *sp, *dp;
    if (zbh_split_endpoint(a->from, r->src_stack, sizeof(r->src_stack), &sp) < 0 ||
        zbh_split_endpoint(a->to, r->dst_stack, sizeof(r->dst_stack), &dp) < 0) {
        fprintf(stderr, "zbharness roundtrip: expected STACK:PORT with STACK one of %s\n",
                zbh_driver_names());
        return ZBH_USAGE;
    }
    r->cells[r->n++] = (zbh_cell){.src_stack = r->src_stack,
                                  .src_port = sp,
                                  .dst_stack = r->dst_stack,
                                  .dst_port = dp,
                                  .keep_dir = a->keep,
                                  .burn_ieee = a->burn_ieee,
                                  .force = a->force};
    return ZBH_OK;
}

static void print_list(const rt_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        zbh_case_result c = {0};
        cell_to_case(&r->cells[i], &c);
        printf("%s\n", c.id);
        zbh_case_results_free(&c, 1);
    }
}

/* --golden opened and --keep made before the first cell starts. */
static int prepare(const rt_args *a, rt_run *r)
{
    char err[1200];
    if (a->golden && !(r->golden = fopen(a->golden, "r"))) {
        fprintf(stderr, "zbharness roundtrip: --golden %s: %s\n", a->golden, strerror(errno));
        return ZBH_USAGE;
    }
    if (a->keep && make_dir(a->keep, err, sizeof(err)) < 0) {
        fprintf(stderr, "zbharness roundtrip: --keep %s\n", err);
        if (r->golden) fclose(r->golden);
        return ZBH_USAGE;
    }
    return ZBH_OK;
}

/* Runs the cells and judges them (--golden); the pictures are made on the way. */
static void run(const rt_args *a, rt_run *r)
{
    double t0 = zb_now_s();
    size_t n = r->n;
    if (a->shard.n > 1)
        fprintf(g_out, "roundtrip: shard %u/%u: %zu cell%s, %d in parallel\n", a->shard.k,
                a->shard.n, n, n == 1 ? "" : "s", a->jobs);
    else
        fprintf(g_out, "roundtrip: %zu cell%s, %d in parallel\n", n, n == 1 ? "" : "s", a->jobs);
    run_cells(r->cells, n, a->jobs, r->results);
    r->wall = zb_now_s() - t0;
    if (!a->emulate) tell_real_run(&r->cells[0]);
    for (size_t i = 0; i < n; i++)
        cell_to_grid(&r->cells[i], &r->results[i], &r->grid[i]);
    if (!r->golden) return;
    r->bad = check_golden(r->golden, a->golden, r->cells, r->results, r->grid, n);
    fclose(r->golden);
    r->golden = NULL;
}

static void print_summary(const rt_args *a, const rt_run *r)
{
    size_t pass = 0, fail = 0;
    for (size_t i = 0; i < r->n; i++)
        r->results[i].verdict == ZBH_PASS ? pass++ : fail++;
    fprintf(g_out, "roundtrip: %zu passed, %zu not passed, wall time %.1f s\n", pass, fail,
            r->wall);
    if (r->bad > 0)
        fprintf(g_out,
                "roundtrip: %d golden difference%s; if intended, regenerate with "
                "'zbharness roundtrip --emulate%s --tsv %s' and review the diff\n",
                r->bad, r->bad == 1 ? "" : "s", a->world.on ? " --world" : "", a->golden);
}

/* Every report asked for; ZBH_USAGE when one cannot be written (said on stderr), else ZBH_OK. */
static int write_reports(const rt_args *a, const rt_run *r)
{
    zbh_report_props props = {0};
    run_props(a, &props);
    zbh_grid pic = {"zbharness roundtrip: migration matrix", "source \\ target", &props, r->grid,
                    r->n};
    const char *axis[16];
    size_t n_axis = 0;
    const zbh_target *t[16];
    for (size_t i = 0, nt = a->emulate ? zbh_targets(t, 16) : 0; i < nt; i++)
        if (zbh_list_has(a->only, t[i]->name)) axis[n_axis++] = t[i]->name;
    pic.rows = pic.cols = axis;
    pic.n_rows = pic.n_cols = n_axis;
    const zbh_case_result *res = r->results;
    /* each report's errno, read right after its own write (0: written or not asked for) */
    const struct {
        const char *path, *what;
        int err;
    } OUT[] = {
        {a->junit, "JUnit",
         !a->junit || zbh_report_junit(a->junit, "zbharness.roundtrip", &props, res, r->n) == 0
             ? 0
             : errno},
        {a->tap, "TAP", !a->tap || zbh_report_tap(a->tap, res, r->n) == 0 ? 0 : errno},
        {a->tsv, "TSV", !a->tsv || write_tsv(a->tsv, r->cells, r->n) == 0 ? 0 : errno},
        {a->html, "HTML", !a->html || zbh_report_html(a->html, &pic) == 0 ? 0 : errno},
        {a->markdown, "markdown",
         !a->markdown || zbh_report_markdown(a->markdown, &pic) == 0 ? 0 : errno},
    };
    int rc = ZBH_OK;
    for (size_t i = 0; i < sizeof(OUT) / sizeof(OUT[0]); i++)
        if (OUT[i].err) {
            char why[160];
            fprintf(stderr, "zbharness roundtrip: cannot write the %s report %s: %s\n", OUT[i].what,
                    OUT[i].path, file_write_error(OUT[i].path, OUT[i].err, 0, why, sizeof(why)));
            rc = ZBH_USAGE;
        }
    return rc;
}

int zbh_cmd_roundtrip(int argc, char **argv)
{
    rt_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    g_out = a.tap && strcmp(a.tap, "-") == 0 ? stderr : stdout;
    static zbh_cell cells[MAX_CELLS];
    static zbh_case_result results[MAX_CELLS];
    static zbh_grid_cell grid[MAX_CELLS];
    rt_run r = {cells, results, grid};
    if ((rc = plan(&a, &r)) != ZBH_OK) return rc;
    if (a.list) {
        print_list(&r);
        return ZBH_OK;
    }
    if ((rc = prepare(&a, &r)) != ZBH_OK) return rc;
    run(&a, &r);
    print_summary(&a, &r);
    rc = zbh_report_exit_code(results, r.n);
    if (write_reports(&a, &r) != ZBH_OK || g_interrupted) rc = ZBH_USAGE;
    zbh_case_results_free(results, r.n);
    zbh_grid_cells_free(grid, r.n);
    for (size_t i = 0; i < r.n; i++)
        zbh_text_free(&cells[i].detail);
    return rc;
}
