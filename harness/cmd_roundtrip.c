/* cmd_roundtrip.c - `zbharness roundtrip`: one migration between two devices, or with
 * --emulate the whole matrix (every emulated stack to every other, across stacks) on
 * emulators the harness starts and always stops. Cells run in parallel child processes
 * (--jobs); each reports one line back through a pipe, so a crashing cell cannot take the run
 * down and Ctrl-C tears every emulator down (each cell is its own process group). */
#include "cli.h"
#include "log.h"
#include "report.h"
#include "roundtrip.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_CELLS 64

typedef struct rt_args {
    const char *from, *to, *keep, *junit, *tap, *tsv, *golden;
    int emulate, jobs, verbose, show_keys;
    const char *only; /* comma list of target names */
    zbh_world_opts world;
} rt_args;

static void roundtrip_help(void)
{
    printf("usage: zbharness roundtrip --from STACK:PORT --to STACK:PORT [OPTIONS]\n"
           "       zbharness roundtrip --emulate [OPTIONS]\n\n"
           "Backs up the source, validates the backup, restores it onto the target, backs the\n"
           "target up, validates and compares under the round-trip rules. Fields the target\n"
           "cannot store are reported as losses with their reason; any other difference fails.\n"
           "The target is overwritten (its network is backed up first, to the --keep directory\n"
           "or the current directory).\n\n"
           "  --emulate        run the matrix on emulators started here: every target below to\n"
           "                   every target; each source is seeded with a populated network\n"
           "                   (8 devices, 7 link keys, frame counter 7500)\n"
           "  --targets A,B    with --emulate: only these (default: all of them)\n"
           "  --jobs N         cells in parallel (default 2)\n"
           "  --keep DIR       write each cell's source and target backups to DIR\n"
           "  --junit FILE     JUnit XML report;  --tap FILE  TAP report ('-' for stdout)\n"
           "  --tsv FILE       verdicts and losses, one line per cell (the golden format)\n"
           "  --golden FILE    compare the verdicts and losses with FILE; differ -> exit 1\n"
           "  --world          with --emulate: a simulated house judges each migration; the\n"
           "                   cell gains the devices' verdict (alive 8/8, or lost N: reason)\n"
           "                   and --tsv/--golden use the world golden (vectors/roundtrip/WORLD*)\n"
           "  --frames-after-backup N  the source keeps sending N frames after the backup\n"
           "  --counter-increment N    restore's NWK counter increment (default 2500)\n"
           "  --keep-target-ieee       the restore keeps the target's own IEEE (control)\n"
           "  --key-switch             the new coordinator switches the network key after the\n"
           "                           migration (control)\n"
           "  -v, --verbose    log progress of each step\n\n"
           "targets:");
    const zbh_target *t[16];
    size_t n = zbh_targets(t, 16);
    for (size_t i = 0; i < n; i++)
        printf(" %s", t[i]->name);
    printf("\n\nExit: 0 every cell passed, 1 a cell failed or differs from --golden, 2 usage.\n");
}

static int parse_args(int argc, char **argv, rt_args *a)
{
    // clang-format off
    static const struct option OPTS[] = {
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"emulate", no_argument, NULL, 'e'},      {"jobs", required_argument, NULL, 'j'},
        {"keep", required_argument, NULL, 'k'},   {"junit", required_argument, NULL, 'J'},
        {"tap", required_argument, NULL, 'T'},    {"tsv", required_argument, NULL, 'S'},
        {"golden", required_argument, NULL, 'g'}, {"targets", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},      {"show-keys", no_argument, NULL, 'K'},
        {"world", no_argument, NULL, 'W'},        {"frames-after-backup", required_argument, NULL, 'F'},
        {"counter-increment", required_argument, NULL, 'I'},
        {"keep-target-ieee", no_argument, NULL, 'E'}, {"key-switch", no_argument, NULL, 'X'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    // clang-format on
    memset(a, 0, sizeof(*a));
    a->jobs = 2;
    a->world.counter_increment = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", OPTS, NULL)) != -1) {
        switch (c) {
        case 'f': a->from = optarg; break;
        case 't': a->to = optarg; break;
        case 'e': a->emulate = 1; break;
        case 'j': a->jobs = atoi(optarg); break;
        case 'k': a->keep = optarg; break;
        case 'J': a->junit = optarg; break;
        case 'T': a->tap = optarg; break;
        case 'S': a->tsv = optarg; break;
        case 'g': a->golden = optarg; break;
        case 'o': a->only = optarg; break;
        case 'v': a->verbose++; break;
        case 'K': a->show_keys = 1; break;
        case 'W': a->world.on = 1; break;
        case 'F':
        case 'I':
            if (zbh_world_number(c == 'F' ? "--frames-after-backup" : "--counter-increment", optarg,
                                 &a->world, c == 'F') < 0)
                return ZBH_USAGE;
            break;
        case 'E': a->world.keep_target_ieee = 1; break;
        case 'X': a->world.key_switch = 1; break;
        case 'h': roundtrip_help(); return -1;
        default: return ZBH_USAGE;
        }
    }
    if (a->jobs < 1 || a->jobs > 32) {
        fprintf(stderr, "zbharness roundtrip: --jobs must be 1..32\n");
        return ZBH_USAGE;
    }
    if (a->world.on && !a->emulate) {
        fprintf(stderr, "zbharness roundtrip: --world needs --emulate\n");
        return ZBH_USAGE;
    }
    if (!a->emulate && (!a->from || !a->to)) {
        fprintf(stderr, "zbharness roundtrip: --from and --to, or --emulate (try --help)\n");
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose >= 2 ? ZB_LOG_TRACE : a->verbose ? ZB_LOG_INFO : ZB_LOG_ERROR);
    zb_log_set_show_keys(a->show_keys);
    return 0;
}

/* "znp:/dev/ttyUSB0" -> stack, port */
static int split_endpoint(const char *spec, char *stack, size_t cap, const char **port)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= cap || !colon[1]) return -1;
    memcpy(stack, spec, (size_t)(colon - spec));
    stack[colon - spec] = '\0';
    *port = colon + 1;
    return zbh_find_driver(stack) ? 0 : -1;
}

static int wanted(const rt_args *a, const char *name)
{
    if (!a->only) return 1;
    size_t n = strlen(name);
    for (const char *p = a->only; (p = strstr(p, name)) != NULL; p += n)
        if ((p == a->only || p[-1] == ',') && (p[n] == '\0' || p[n] == ',')) return 1;
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
    size_t o = (size_t)snprintf(r->detail, sizeof(r->detail), "%s%s%s", c->world_verdict,
                                c->world_verdict[0] ? "; " : "", c->detail);
    for (size_t i = 0; i < c->n_losses && o < sizeof(r->detail); i++)
        o += (size_t)snprintf(r->detail + o, sizeof(r->detail) - o, "; lost %s (%s)",
                              c->losses[i].field, c->losses[i].why);
}

/* tab-separated: verdict seconds n_losses field\twhy... detail */
static void write_cell_line(int fd, const zbh_cell *c)
{
    char buf[4096];
    size_t o = (size_t)snprintf(buf, sizeof(buf), "%d\t%.3f\t%zu\t%zu", (int)c->verdict, c->seconds,
                                c->n_devices, c->n_losses);
    for (size_t i = 0; i < c->n_losses; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\t%s\t%s", c->losses[i].field,
                              c->losses[i].why);
    o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\t%s\t%s\t%s\n",
                          c->world_verdict[0] ? c->world_verdict : "-",
                          c->world_golden[0] ? c->world_golden : "-", c->detail);
    if (o > sizeof(buf)) o = sizeof(buf);
    for (size_t w = 0; w < o;) {
        ssize_t k = write(fd, buf + w, o - w);
        if (k <= 0) break;
        w += (size_t)k;
    }
}

static void read_cell_line(char *line, zbh_cell *c)
{
    char *save = NULL, *tok = strtok_r(line, "\t\n", &save);
    if (!tok) {
        c->verdict = ZBH_ERROR;
        snprintf(c->detail, sizeof(c->detail), "the cell process died without a result");
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
    char *d = strtok_r(NULL, "\n", &save);
    snprintf(c->detail, sizeof(c->detail), "%s", d ? d : "");
}

typedef struct running {
    pid_t pid;
    int fd;
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
    size_t o = strlen(c->detail);
    snprintf(c->detail + o, sizeof(c->detail) - o, " [log: ...%s]", tail);
}

static pid_t spawn_cell(zbh_cell *c, int *fd_out)
{
    int p[2];
    if (pipe(p) < 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        close(p[0]);
        /* the restore's messages go to a private log; a failing cell quotes its tail */
        char logp[] = "/tmp/zbharness-cell-log-XXXXXX";
        int lfd = mkstemp(logp);
        if (lfd >= 0) dup2(lfd, 2);
        zbh_cell_run(c);
        if (lfd >= 0 && c->verdict != ZBH_PASS) append_log_tail(lfd, c);
        if (lfd >= 0) unlink(logp);
        write_cell_line(p[1], c);
        _exit(0);
    }
    setpgid(pid, pid);
    close(p[1]);
    *fd_out = p[0];
    return pid;
}

static void collect(running *r, zbh_cell *cells)
{
    char line[8192];
    size_t len = 0;
    for (;;) {
        ssize_t k = read(r->fd, line + len, sizeof(line) - 1 - len);
        if (k <= 0) break;
        len += (size_t)k;
    }
    line[len] = '\0';
    close(r->fd);
    int st;
    waitpid(r->pid, &st, 0);
    read_cell_line(line, &cells[r->cell]);
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
            int fd;
            pid_t pid = spawn_cell(&cells[next], &fd);
            if (pid < 0) {
                cells[next].verdict = ZBH_ERROR;
                snprintf(cells[next].detail, sizeof(cells[next].detail), "fork: %s",
                         strerror(errno));
                cell_to_case(&cells[next], &results[next]);
                zbh_report_progress(stdout, done++, n, &results[next]);
                next++;
                continue;
            }
            g_run[g_n_run++] = (running){pid, fd, next++};
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
            zbh_report_progress(stdout, done++, n, &results[ci]);
            g_run[i] = g_run[--g_n_run];
            break;
        }
    }
    for (size_t i = next; i < n; i++) { /* interrupted before they started */
        cells[i].verdict = ZBH_SKIP;
        snprintf(cells[i].detail, sizeof(cells[i].detail), "interrupted");
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
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    if (n && cells[0].world.on) /* roundtrip_world.h: the devices' verdict */
        fprintf(f,
                "# zbharness roundtrip --emulate --world --frames-after-backup %u: source, "
                "target, verdict, devices alive/rejoined/lost [reason classes]\n",
                cells[0].world.frames_after_backup);
    else
        fprintf(f, "# zbharness roundtrip --emulate: source, target, verdict, fields the target "
                   "cannot store\n");
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        tsv_line(&cells[i], line, sizeof(line));
        fprintf(f, "%s\n", line);
    }
    return fclose(f);
}

static int check_golden(const char *path, const zbh_cell *cells, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "zbharness roundtrip: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char want[1024];
    int bad = 0;
    size_t matched = 0;
    while (fgets(want, sizeof(want), f)) {
        want[strcspn(want, "\n")] = '\0';
        if (want[0] == '#' || !want[0]) continue;
        char src[96], dst[96];
        if (sscanf(want, "%95[^\t]\t%95[^\t]", src, dst) != 2) continue;
        for (size_t i = 0; i < n; i++) {
            char got[1024];
            tsv_line(&cells[i], got, sizeof(got));
            char gsrc[96], gdst[96];
            if (sscanf(got, "%95[^\t]\t%95[^\t]", gsrc, gdst) != 2 || strcmp(gsrc, src) ||
                strcmp(gdst, dst))
                continue;
            matched++;
            if (strcmp(got, want) != 0) {
                printf("golden differs: want  %s\n                got   %s\n", want, got);
                bad++;
            }
        }
    }
    fclose(f);
    if (matched < n) {
        printf("golden %s has no line for %zu of the cells run\n", path, n - matched);
        bad++;
    }
    return bad;
}

int zbh_cmd_roundtrip(int argc, char **argv)
{
    rt_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    static zbh_cell cells[MAX_CELLS];
    static zbh_case_result results[MAX_CELLS];
    size_t n = 0;
    char src_stack[32], dst_stack[32];
    if (a.emulate) {
        const zbh_target *t[16];
        size_t nt = zbh_targets(t, 16);
        for (size_t i = 0; i < nt; i++)
            for (size_t j = 0; j < nt && n < MAX_CELLS; j++)
                if (wanted(&a, t[i]->name) && wanted(&a, t[j]->name)) {
                    cells[n] = (zbh_cell){.src_t = t[i],
                                          .dst_t = t[j],
                                          .keep_dir = a.keep,
                                          .seed = (unsigned)(100 + n),
                                          .world = a.world};
                    n++;
                }
        if (!n) {
            fprintf(stderr, "zbharness roundtrip: --targets selects no target (see --help)\n");
            return ZBH_USAGE;
        }
    } else {
        const char *sp, *dp;
        if (split_endpoint(a.from, src_stack, sizeof(src_stack), &sp) < 0 ||
            split_endpoint(a.to, dst_stack, sizeof(dst_stack), &dp) < 0) {
            fprintf(stderr, "zbharness roundtrip: expected STACK:PORT with STACK one of %s\n",
                    zbh_driver_names());
            return ZBH_USAGE;
        }
        cells[n++] = (zbh_cell){.src_stack = src_stack,
                                .src_port = sp,
                                .dst_stack = dst_stack,
                                .dst_port = dp,
                                .keep_dir = a.keep};
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    printf("roundtrip: %zu cell%s, %d in parallel\n", n, n == 1 ? "" : "s", a.jobs);
    run_cells(cells, n, a.jobs, results);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    size_t pass = 0, fail = 0;
    for (size_t i = 0; i < n; i++)
        cells[i].verdict == ZBH_PASS ? pass++ : fail++;
    printf("roundtrip: %zu passed, %zu not passed, wall time %.1f s\n", pass, fail, wall);
    rc = zbh_report_exit_code(results, n);
    if (a.junit && zbh_report_junit(a.junit, "zbharness.roundtrip", results, n) < 0) {
        fprintf(stderr, "zbharness roundtrip: cannot write %s: %s\n", a.junit, strerror(errno));
        rc = ZBH_USAGE;
    }
    if (a.tap && zbh_report_tap(a.tap, results, n) < 0) rc = ZBH_USAGE;
    if (a.tsv && write_tsv(a.tsv, cells, n) < 0) rc = ZBH_USAGE;
    if (a.golden) {
        int bad = check_golden(a.golden, cells, n);
        if (bad) rc = rc ? rc : ZBH_FAIL;
        if (bad > 0)
            printf("roundtrip: %d golden difference%s; if intended, regenerate with "
                   "'zbharness roundtrip --emulate%s --tsv %s' and review the diff\n",
                   bad, bad == 1 ? "" : "s", a.world.on ? " --world" : "", a.golden);
    }
    if (g_interrupted) rc = ZBH_USAGE;
    return rc;
}
