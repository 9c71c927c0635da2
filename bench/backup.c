/* backup.c - backup time and real-UART pacing: what a user waits for when backing up an
 * emulated stick, compared with the same bytes on a 115200-baud UART and with what starting
 * any program costs here (the spawn floor), and whether `zbemu --baud` paces a backup like a
 * real UART would. Each backup is taken in-process (the harness driver called here, with its
 * byte counters) and through the spawned `zbharness backup` binary (what users run). */
#include "bench.h"

#include <stdio.h>
#include <string.h>

static const int DEVICE_COUNTS[] = {0, 50, 200};
#define N_DEVICE_COUNTS (sizeof(DEVICE_COUNTS) / sizeof(DEVICE_COUNTS[0]))

/* Why a stack misses the 200-device goal, when it does (measured causes, see the Profile). */
static const struct {
    const char *stack, *why;
} WHY_200[] = {
    {"znp", "about 480 request/response round trips (the Z-Stack NV protocol reads every "
            "address-manager row, 257 on zstack3x0) at the pty's round trip, plus the spawn "
            "floor"},
    {"ezsp", "the emulated NCP sends NETWORK_UP 100 ms after networkInit, as the firmware does "
             "(emulator/ezsp/ezsp_cmds.c, ezsp_stack_status_later); the --time-scale 0.01 row is the "
             "same backup with that delay shrunk"},
};

static const char *why_200(const char *stack)
{
    for (size_t i = 0; i < sizeof(WHY_200) / sizeof(WHY_200[0]); i++)
        if (strcmp(WHY_200[i].stack, stack) == 0) return WHY_200[i].why;
    return NULL;
}

typedef struct cell {
    bench_stats inproc, spawned;
    bench_backup last;
} cell;

static int measure_cell(const bench_cfg *c, const char *stack, const char *port, cell *out)
{
    double in[64], sp[64];
    int runs = c->runs > 64 ? 64 : c->runs;
    for (int i = 0; i < runs; i++) {
        if (bench_backup_inproc(stack, port, &out->last) < 0) return -1;
        in[i] = out->last.secs;
        if ((sp[i] = bench_backup_spawned(c, stack, port, NULL)) < 0) return -1;
    }
    out->inproc = bench_stats_of(in, (size_t)runs);
    out->spawned = bench_stats_of(sp, (size_t)runs);
    return 0;
}

/* `judged`: the row the 200-device goal is judged on. */
static void backup_row(const bench_cfg *c, const char *label, int want, const cell *r, double floor,
                       int judged)
{
    uint64_t bytes = r->last.tx + r->last.rx;
    double uart = (double)bytes * 10.0 / c->baud, bin = r->spawned.median;
    bench_out("| %s | %d (%zu) | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %llu/%llu | %.0f | %.0fx | "
              "%.1fx | %s |\n",
              label, want, r->last.devices, r->inproc.median * 1e3, r->inproc.min * 1e3,
              r->inproc.max * 1e3, bin * 1e3, r->spawned.min * 1e3, r->spawned.max * 1e3,
              (unsigned long long)r->last.tx, (unsigned long long)r->last.rx, uart * 1e3,
              uart / bin, bin / floor,
              !judged       ? ""
              : bin < 0.020 ? "met"
                            : "NOT met");
}

static void one_cell(const bench_cfg *c, const bench_stack *st, int want, const char *scale,
                     double floor)
{
    char label[64];
    zbh_emu e;
    cell r;
    bench_emu_opts o = {.devices = want, .time_scale = scale};
    snprintf(label, sizeof(label), "%s%s%s", st->name, scale ? " --time-scale " : "",
             scale ? scale : "");
    if (bench_formed_emu(c, st, &o, &e) < 0) {
        bench_out_failed("| %s | %d | failed to start (see stderr) | | | | | | |\n", label, want);
        return;
    }
    if (measure_cell(c, st->name, e.port, &r) < 0) {
        bench_out_failed("| %s | %d | failed (see stderr) | | | | | | |\n", label, want);
    } else {
        backup_row(c, label, want, &r, floor, want == 200 && !scale);
        if (want == 200 && !scale) {
            char goal[96];
            snprintf(goal, sizeof(goal), "backup of 200 devices, %s, through the binary < 20 ms",
                     st->name);
            bench_goal(goal, r.spawned.median < 0.020, why_200(st->name),
                       "%.1f ms (%zu in the backup; %.1fx the spawn floor, %.0fx faster than "
                       "the UART)",
                       r.spawned.median * 1e3, r.last.devices, r.spawned.median / floor,
                       (double)(r.last.tx + r.last.rx) * 10.0 / c->baud / r.spawned.median);
        }
    }
    zbh_emu_stop(&e);
}

void bench_section_backup(const bench_cfg *c)
{
    bench_out("\n## Backup time (median (min-max) of %d runs, ms; UART = bytes x 10 bits / %d "
              "baud)\n\n",
              c->runs, c->baud);
    bench_out("| stack | devices (in backup) | in-process driver | zbharness binary | bytes host "
              "tx/rx | UART ms | UART / binary | binary / spawn floor | goal 200: < 20 ms |\n"
              "|---|---|---|---|---|---|---|---|---|\n");
    bench_stats floor = bench_spawn_floor(c, c->runs);
    bench_out("| (spawn floor: `zbharness --version`) | | | %.2f (%.2f-%.2f) | | | | 1.0x | |\n",
              floor.median * 1e3, floor.min * 1e3, floor.max * 1e3);
    for (size_t i = 0; i < BENCH_N_STACKS; i++)
        for (size_t k = 0; k < N_DEVICE_COUNTS; k++) {
            const bench_stack *st = &BENCH_STACKS[i];
            int want = DEVICE_COUNTS[k] > st->max_devices ? st->max_devices : DEVICE_COUNTS[k];
            one_cell(c, st, want, NULL, floor.median);
        }
    /* EZSP's backup waits for the firmware's NETWORK_UP: the same backup without that wait */
    for (size_t i = 0; i < BENCH_N_STACKS; i++)
        if (strcmp(BENCH_STACKS[i].name, "ezsp") == 0)
            one_cell(c, &BENCH_STACKS[i], 200, "0.01", floor.median);
}

/* ---- real-UART pacing ---- */

static void pace_stack(const bench_cfg *c, const bench_stack *st, int devices)
{
    zbh_emu e;
    bench_backup b;
    bench_emu_opts o = {.devices = devices, .baud = c->baud};
    if (bench_formed_emu(c, st, &o, &e) < 0) {
        bench_out_failed("| %s | %d | failed to start (see stderr) | | | | |\n", st->name, devices);
        return;
    }
    int rc = bench_backup_inproc(st->name, e.port, &b);
    zbh_emu_stop(&e);
    if (rc < 0) {
        bench_out_failed("| %s | %d | failed (see stderr) | | | | |\n", st->name, devices);
        return;
    }
    double uart = (double)(b.tx + b.rx) * 10.0 / c->baud;
    double err = (b.secs - uart) / uart;
    int met = err < 0.10 && err > -0.10;
    bench_out("| %s | %zu | %llu | %.0f | %.0f | %+.1f %% | %s |\n", st->name, b.devices,
              (unsigned long long)(b.tx + b.rx), uart * 1e3, b.secs * 1e3, err * 100,
              met ? "met" : "NOT met");
    char goal[96];
    snprintf(goal, sizeof(goal), "`zbemu --baud %d`, %s: backup within 10 %% of the UART time",
             c->baud, st->name);
    bench_goal(goal, met,
               strcmp(st->name, "ezsp") == 0
                   ? "the firmware's 100 ms NETWORK_UP wait after networkInit is not UART time"
                   : NULL,
               "%+.1f %% (%.0f ms for %.0f ms of UART time)", err * 100, b.secs * 1e3, uart * 1e3);
}

void bench_section_pace(const bench_cfg *c)
{
    bench_out("\n## Real-UART pacing (zbemu --baud %d; one in-process backup)\n\n", c->baud);
    bench_out("| stack | devices | bytes both ways | computed UART ms | paced backup ms | "
              "difference | goal within 10 %% |\n"
              "|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < BENCH_N_STACKS; i++)
        pace_stack(c, &BENCH_STACKS[i], strcmp(c->mode, "full") ? 10 : 50);
}
