/* herdsman.c - the same backup by zigbee-herdsman, the host most users run, on the same
 * emulator: how zbharness compares with the real client the tests install.
 *
 * For each stack herdsman can back up and each device count, one emulator holds a formed
 * network; zbharness backs it up once to learn the network (that file is herdsman's
 * --restore-from, so herdsman resumes the network rather than forming its own), herdsman runs
 * once to warm up (its first start may re-form or write its database), then the two alternate:
 * `zbharness backup` and `node tests/herdsman/zh-client.mjs ... backup` (start, backup, stop:
 * what a user runs to get a backup out of herdsman). `node -e 0` is node's own start-up. Only
 * ratios measured here, in the same minutes, are quoted. */
#include "bench.h"

#include "fileio.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const int ZH_DEVICES[] = {50, 200};

/* One herdsman run as zh-client reports it. */
typedef struct zh_run {
    double wall, backup_ms;
    char start[16]; /* startResult: reset | resumed | restored */
    int devices;    /* in the backup herdsman wrote; -1 unknown */
} zh_run;

/* Devices in an OCB file, or -1. */
static int devices_in(const char *path)
{
    size_t len;
    char *text = file_read_all(path, 16 << 20, &len);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "devices");
    int n = cJSON_IsArray(d) ? cJSON_GetArraySize(d) : -1;
    cJSON_Delete(j);
    return n;
}

/* Reads zh-client's one JSON line: 0 when it says ok. */
static int parse_zh(const char *path, zh_run *r)
{
    size_t len;
    char *text = file_read_all(path, 1 << 20, &len);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(j, "ok");
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "backupMs");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "startResult");
    int rc = cJSON_IsTrue(ok) && cJSON_IsNumber(ms) && cJSON_IsString(st) ? 0 : -1;
    if (rc == 0) {
        r->backup_ms = ms->valuedouble;
        snprintf(r->start, sizeof(r->start), "%s", st->valuestring);
    }
    cJSON_Delete(j);
    return rc;
}

/* Where one cell keeps its files. */
typedef struct cell_files {
    char dir[512], golden[600], workdir[600], zh_out[600], zh_backup[600];
} cell_files;

static int zh_once(const bench_cfg *c, const bench_stack *st, const char *port, const cell_files *f,
                   zh_run *r)
{
    char script[4400];
    snprintf(script, sizeof(script), "%s/tests/herdsman/zh-client.mjs", c->source);
    char *argv[] = {"node",
                    script,
                    "--adapter",
                    (char *)st->zh_adapter,
                    "--port",
                    (char *)port,
                    "--workdir",
                    (char *)f->workdir,
                    "--restore-from",
                    (char *)f->golden,
                    "--backup-out",
                    (char *)f->zh_backup,
                    "--timeout-ms",
                    "60000",
                    NULL};
    char **argvs[] = {argv};
    const char *dirs[] = {f->dir}, *outs[] = {f->zh_out};
    bench_tree t;
    if (bench_run_group(argvs, dirs, outs, 1, &t) < 0 || t.failed || parse_zh(f->zh_out, r) < 0) {
        fprintf(stderr, "zbbench: herdsman run failed; its output: %s\n", f->zh_out);
        return -1;
    }
    r->wall = t.wall;
    r->devices = devices_in(f->zh_backup);
    return 0;
}

static bench_stats node_floor(const bench_cfg *c)
{
    double v[64];
    int n = c->zh_runs > 64 ? 64 : c->zh_runs;
    char *argv[] = {"node", "-e", "0", NULL};
    char **argvs[] = {argv};
    const char *dirs[] = {c->tmpdir}, *outs[] = {"/dev/null"};
    for (int i = 0; i < n; i++) {
        bench_tree t;
        v[i] = bench_run_group(argvs, dirs, outs, 1, &t) == 0 && !t.failed ? t.wall : -1;
    }
    return bench_stats_of(v, (size_t)n);
}

static int prepare(const bench_cfg *c, const bench_stack *st, int devices, cell_files *f)
{
    snprintf(f->dir, sizeof(f->dir), "%s/zh-%s-%d", c->tmpdir, st->name, devices);
    snprintf(f->golden, sizeof(f->golden), "%s/zbharness.json", f->dir);
    snprintf(f->workdir, sizeof(f->workdir), "%s/herdsman", f->dir);
    snprintf(f->zh_out, sizeof(f->zh_out), "%s/zh-client.out", f->dir);
    snprintf(f->zh_backup, sizeof(f->zh_backup), "%s/herdsman.json", f->dir);
    return mkdir(f->dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* The measured pairs of one cell. */
typedef struct pairs {
    double bin[64], zh[64], zh_backup[64];
    int n, zh_devices, resumed;
} pairs;

static int measure(const bench_cfg *c, const bench_stack *st, const zbh_emu *e, const cell_files *f,
                   pairs *p)
{
    zh_run r;
    if (bench_backup_spawned(c, st->name, e->port, f->golden) < 0 ||
        zh_once(c, st, e->port, f, &r) < 0) /* the warm-up run */
        return -1;
    int runs = c->zh_runs > 64 ? 64 : c->zh_runs;
    for (p->n = 0; p->n < runs; p->n++) {
        double b = bench_backup_spawned(c, st->name, e->port, NULL);
        if (b < 0 || zh_once(c, st, e->port, f, &r) < 0) return -1;
        p->bin[p->n] = b, p->zh[p->n] = r.wall, p->zh_backup[p->n] = r.backup_ms / 1e3;
        p->zh_devices = r.devices;
        p->resumed += strcmp(r.start, "resumed") == 0;
    }
    return 0;
}

static void cell_row(const bench_stack *st, int devices, size_t ours, pairs *p, double node)
{
    bench_stats b = bench_stats_of(p->bin, (size_t)p->n), z = bench_stats_of(p->zh, (size_t)p->n);
    bench_stats zb = bench_stats_of(p->zh_backup, (size_t)p->n);
    bench_out("| %s | %d (%zu / %d) | %.1f | %.0f (%.0f-%.0f) | %.0f | %.0f | %.0fx | %.0fx | "
              "%.1fx | %d/%d |\n",
              st->name, devices, ours, p->zh_devices, b.median * 1e3, z.median * 1e3, z.min * 1e3,
              z.max * 1e3, zb.median * 1e3, node * 1e3, z.median / b.median,
              (z.median - node) / b.median, zb.median / b.median, p->resumed, p->n);
}

static void one_cell(const bench_cfg *c, const bench_stack *st, int devices, double node)
{
    zbh_emu e;
    cell_files f;
    pairs p = {.n = 0};
    bench_backup probe;
    bench_emu_opts o = {.devices = devices};
    if (prepare(c, st, devices, &f) < 0 || bench_formed_emu(c, st, &o, &e) < 0) {
        bench_out_failed("| %s | %d | failed to start (see stderr) | | | | | | | |\n", st->name,
                         devices);
        return;
    }
    int rc = bench_backup_inproc(st->name, e.port, &probe);
    if (rc == 0) rc = measure(c, st, &e, &f, &p);
    zbh_emu_stop(&e);
    if (rc < 0)
        bench_out_failed("| %s | %d | failed (see stderr) | | | | | | | |\n", st->name, devices);
    else
        cell_row(st, devices, probe.devices, &p, node);
}

void bench_section_herdsman(const bench_cfg *c)
{
    bench_out("\n## The same backup by zigbee-herdsman 10.9.5 (tests/herdsman/zh-client.mjs; "
              "median (min-max) of %d runs, ms)\n\n",
              c->zh_runs);
    bench_stats node = node_floor(c);
    bench_out("`node -e 0` (node's own start-up): %.0f ms (%.0f-%.0f).\n\n", node.median * 1e3,
              node.min * 1e3, node.max * 1e3);
    bench_out("| stack | devices (zbharness / herdsman backup) | zbharness binary | herdsman "
              "process (start, backup, stop) | herdsman backup() alone | node start-up | "
              "herdsman / zbharness | herdsman minus node start-up / zbharness | herdsman "
              "backup() / zbharness | herdsman resumed |\n"
              "|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < BENCH_N_STACKS; i++) {
        const bench_stack *st = &BENCH_STACKS[i];
        if (st->zh_cannot) {
            bench_out("| %s | %s | | | | | | | | |\n", st->name, st->zh_cannot);
            continue;
        }
        for (size_t k = 0; k < sizeof(ZH_DEVICES) / sizeof(ZH_DEVICES[0]) && (int)k < c->zh_counts;
             k++)
            one_cell(c, st, ZH_DEVICES[k], node.median);
    }
}
