/* suites.c - the migration matrix, the world matrix and the conformance suite, timed as users
 * run them: the zbharness binary next to zbbench, its emulators started by itself.
 *
 * Wall time alone says little on a shared 2-core machine, so each run also counts the CPU time
 * of its whole process tree (wait4: zbharness and every emulator it started and reaped). Wall
 * / (CPU / cores) is 1.0 when the suite keeps every core busy and grows with the time spent
 * waiting (timers, fsync, the other end of a pty); the issue's goal is <= 1.5 at --jobs 2.
 * Each suite runs with the emulators' virtual time (--time-scale 0.01, the default) and in real
 * time (--time-scale 1), and the ratio of the two is the speed-up virtual time buys. */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A suite: the zbharness arguments (up to 8), how many processes run at once (shards of one
 * command; 1 for all of these), and what is asked of it. */
typedef struct suite {
    const char *label;
    const char *goal; /* the Goals row for wall / (CPU / cores); NULL: no goal */
    const char *args[9];
    int shards;
    double wall_goal; /* issue 6: the suite within this many seconds (0: none) */
    int real_too;     /* also timed in real time (--time-scale 1) */
} suite;

static const suite SUITES[] = {
    {"migration matrix, --jobs 2",
     "migration matrix at --jobs 2: wall <= 1.5 x CPU / cores",
     {"roundtrip", "--emulate", "--jobs", "2", "-q"},
     1,
     10,
     1},
    {"world matrix, --jobs 2",
     "world matrix at --jobs 2: wall <= 1.5 x CPU / cores",
     {"roundtrip", "--emulate", "--jobs", "2", "--world", "--frames-after-backup", "@FRAMES@",
      "-q"},
     1,
     0,
     1},
    {"conformance, --jobs 1", NULL, {"conformance", "--emulate", "--jobs", "1", "-q"}, 1, 10, 1},
    {"conformance, --jobs 2",
     "conformance at --jobs 2: wall <= 1.5 x CPU / cores",
     {"conformance", "--emulate", "--jobs", "2", "-q"},
     1,
     0,
     1},
    {"migration matrix, --jobs 4 (more jobs than cores; not the goal's setting)",
     NULL,
     {"roundtrip", "--emulate", "--jobs", "4", "-q"},
     1,
     0,
     0},
};
#define N_SUITES (sizeof(SUITES) / sizeof(SUITES[0]))

/* What one run of a suite gave. */
typedef struct result {
    bench_tree t;
    int passed, total; /* from the summary lines on stdout */
} result;

/* argv for shard k (1-based) of the suite at a time scale; strings in `buf`. */
static void build_argv(const bench_cfg *c, const suite *s, int k, const char *scale,
                       char buf[2][32], char *argv[16])
{
    int n = 0;
    argv[n++] = (char *)c->zbharness;
    snprintf(buf[0], 32, "%d", c->frames);
    snprintf(buf[1], 32, "%d/%d", k, s->shards);
    for (const char *const *a = s->args; *a; a++)
        argv[n++] = strcmp(*a, "@FRAMES@") == 0  ? buf[0]
                    : strcmp(*a, "@SHARD@") == 0 ? buf[1]
                                                 : (char *)*a;
    argv[n++] = "--time-scale";
    argv[n++] = (char *)scale;
    if (c->targets) {
        argv[n++] = "--targets";
        argv[n++] = (char *)c->targets;
    }
    argv[n] = NULL;
}

/* Adds the counts of the "...: N passed, M ..." summary line of a run's stdout. */
static void count_passed(const char *path, result *r)
{
    char line[512];
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof(line), f)) {
        int p, q;
        const char *colon = strstr(line, ": ");
        if ((strncmp(line, "roundtrip:", 10) == 0 || strncmp(line, "conformance:", 12) == 0) &&
            colon && sscanf(colon, ": %d passed, %d", &p, &q) == 2)
            r->passed += p, r->total += p + q;
    }
    fclose(f);
}

static int run_suite(const bench_cfg *c, const suite *s, const char *scale, result *r)
{
    static int serial;
    char dirs[2][300], outs[2][640], buf[2][2][32], *argv[2][16];
    char **argvs[2];
    const char *d[2], *o[2];
    memset(r, 0, sizeof(*r));
    for (int k = 0; k < s->shards && k < 2; k++) {
        snprintf(dirs[k], sizeof(dirs[k]), "%s/suite-%d", c->tmpdir, ++serial);
        snprintf(outs[k], sizeof(outs[k]), "%s/stdout", dirs[k]);
        if (mkdir(dirs[k], 0700) != 0) return -1;
        build_argv(c, s, k + 1, scale, buf[k], argv[k]);
        argvs[k] = argv[k], d[k] = dirs[k], o[k] = outs[k];
    }
    if (bench_run_group(argvs, d, o, s->shards, &r->t) < 0) return -1;
    for (int k = 0; k < s->shards; k++)
        count_passed(outs[k], r);
    return 0;
}

static double busy_ratio(const bench_cfg *c, const result *r)
{
    return r->t.cpu > 0 ? r->t.wall / (r->t.cpu / (double)c->cores) : -1;
}

/* The same on the machine's busy CPU (bench_tree.machine): what the run cost the CPUs,
 * kernel pty workers included. The goal is judged on this one. */
static double machine_ratio(const bench_cfg *c, const bench_tree *t)
{
    return t->machine > 0 ? t->wall / (t->machine / (double)c->cores) : -1;
}

static void suite_row(const bench_cfg *c, const char *label, const char *mode, const result *r,
                      const char *goal, const char *speedup)
{
    if (r->t.failed || r->total == 0 || r->passed != r->total) {
        bench_out_failed(
            "| %s | %s | FAILED: %d of %d passed, %d runs exited non-zero | %.1f | %.1f | "
            "| | | | |\n",
            label, mode, r->passed, r->total, r->t.failed, r->t.wall, r->t.cpu);
        return;
    }
    bench_out("| %s | %s | %d/%d | %.1f | %.1f | %.2f | %.1f | %.2f | %s | %s |\n", label, mode,
              r->passed, r->total, r->t.wall, r->t.cpu, busy_ratio(c, r), r->t.machine,
              machine_ratio(c, &r->t), goal, speedup);
}

static int all_passed(const result *r)
{
    return !r->t.failed && r->total && r->passed == r->total;
}

/* A run's row; r NULL: it could not be started. */
static void print_run(const bench_cfg *c, const suite *s, const char *mode, const result *r,
                      const char *goal, const char *speedup)
{
    if (!r)
        bench_out_failed("| %s | %s | could not run (see stderr) | | | | | | | |\n", s->label,
                         mode);
    else
        suite_row(c, s->label, mode, r, goal, speedup);
}

static void suite_goals(const bench_cfg *c, const suite *s, const result *v, double real_ratio,
                        double floor)
{
    int good = all_passed(v);
    if (s->wall_goal > 0) {
        char g[128];
        snprintf(g, sizeof(g), "%s: wall < %.0f s (issue 6)", s->label, s->wall_goal);
        bench_goal(g, good && v->t.wall < s->wall_goal, NULL, "%.1f s (%d of %d passed)", v->t.wall,
                   v->passed, v->total);
    }
    if (!s->goal) return;
    char why[600];
    snprintf(why, sizeof(why),
             "judged on the machine's busy CPU: a pty write is flushed to the reader by a kernel "
             "worker that rusage charges to no process. On the processes' own CPU it is %.2f: a "
             "cell is one chain (harness, emulator, harness, ...) and one bare C echo chain per "
             "core gives %.2f there (floor row); more chains than cores do better (--jobs 4)",
             good ? busy_ratio(c, v) : -1.0, floor);
    double mr = machine_ratio(c, &v->t);
    bench_goal(s->goal, good && mr > 0 && mr <= 1.5, why,
               "%.2f (%.1f s wall, %.1f s of the machine's CPU, %.1f s of its own, %ld cores; "
               "real time: %.2f)",
               good ? mr : -1.0, v->t.wall, v->t.machine, v->t.cpu, c->cores, real_ratio);
}

static void one_suite(const bench_cfg *c, const suite *s, double floor)
{
    result v, real;
    char speedup[32] = "", goal[32] = "";
    int vran = run_suite(c, s, "0.01", &v) == 0;
    int rran = s->real_too && run_suite(c, s, "1", &real) == 0;
    int vgood = vran && all_passed(&v);
    if (vgood && rran && all_passed(&real))
        snprintf(speedup, sizeof(speedup), "%.1fx", real.t.wall / v.t.wall);
    if (s->goal && vgood) {
        double mr = machine_ratio(c, &v.t);
        snprintf(goal, sizeof(goal), "%s", mr > 0 && mr <= 1.5 ? "met" : "NOT met");
    }
    print_run(c, s, "virtual (0.01)", vran ? &v : NULL, goal, speedup);
    if (s->real_too)
        print_run(c, s, "real (1)", rran ? &real : NULL, s->goal ? "(not judged)" : "", "");
    if (vran) suite_goals(c, s, &v, rran ? busy_ratio(c, &real) : -1.0, floor);
}

static double tv_s(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* The floor under wall / (CPU / cores): one C echo chain per core, nothing else (ZNP's shape,
 * 5 bytes out, 7 back). Returns 0 and fills r, or -1. */
static int echo_floor(const bench_cfg *c, double secs, bench_tree *r)
{
    pid_t pids[64];
    int n = c->cores > 64 ? 64 : (int)c->cores, started = 0;
    memset(r, 0, sizeof(*r));
    double t0 = zb_now_s(), m0 = bench_machine_busy_s();
    for (; started < n; started++) {
        if ((pids[started] = fork()) < 0) break;
        if (pids[started] == 0) _exit(bench_echo_chain(BENCH_STACKS[0].shape, secs) > 0 ? 0 : 1);
    }
    for (int i = 0; i < started; i++) {
        int st = 0;
        struct rusage ru;
        pid_t w;
        while ((w = wait4(pids[i], &st, 0, &ru)) < 0 && errno == EINTR)
            ;
        if (w < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) r->failed++;
        if (w > 0) r->cpu += tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    }
    r->wall = zb_now_s() - t0;
    r->machine = m0 >= 0 ? bench_machine_busy_s() - m0 : -1;
    return started == n && !r->failed ? 0 : -1;
}

/* Prints the floor row; returns its wall / (CPU / cores), or -1. */
static double floor_row(const bench_cfg *c)
{
    bench_tree t;
    double secs = c->link_secs * c->link_rounds / 2;
    if (echo_floor(c, secs > 0.1 ? secs : 0.1, &t) < 0 || t.cpu <= 0) {
        bench_out_failed("| (floor: %ld C echo chains at once) | | failed | | | | | | | |\n",
                         c->cores);
        return -1;
    }
    double ratio = t.wall / (t.cpu / (double)c->cores);
    bench_out("| (floor: %ld C echo chains at once, pty only) | | | %.1f | %.1f | %.2f | %.1f | "
              "%.2f | | |\n",
              c->cores, t.wall, t.cpu, ratio, t.machine, machine_ratio(c, &t));
    return ratio;
}

void bench_section_matrix(const bench_cfg *c)
{
    bench_out("\n## Matrix, world matrix, conformance (the zbharness binary; emulators started "
              "by it%s%s)\n\n",
              c->targets ? "; --targets " : "", c->targets ? c->targets : "");
    bench_out("| suite | emulators' time (--time-scale) | passed | wall s | own CPU s (whole "
              "process tree) | wall / (own CPU / %ld cores) | machine CPU s (all CPUs busy) | "
              "wall / (machine CPU / %ld cores) | goal <= 1.5 (machine) | virtual vs real "
              "(wall) |\n|---|---|---|---|---|---|---|---|---|---|\n",
              c->cores, c->cores);
    double floor = floor_row(c);
    for (size_t i = 0; i < N_SUITES; i++)
        one_suite(c, &SUITES[i], floor);
    bench_out("\nThe world matrix runs with `--frames-after-backup %d`. The goal is judged on the "
              "virtual-time runs (the default); in real time the cells wait on the emulated "
              "firmware's own delays, which is what --time-scale removes.\n",
              c->frames);
}
