/* drive.c - what the bench asks of the emulators and the harness: start an emulator, form a
 * network on it, back it up in-process (the harness driver, with its byte counters) or through
 * the spawned `zbharness` binary (what users run), and what starting a program costs. */
#include "bench.h"

#include "driver.h"
#include "log.h"
#include "ocb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bench_emu_argv(const bench_cfg *c, const char *stack, const bench_emu_opts *o, char num[2][16],
                    char *argv[14])
{
    int n = 0;
    snprintf(num[0], 16, "%d", o->devices);
    snprintf(num[1], 16, "%d", o->baud);
    argv[n++] = (char *)c->zbemu;
    argv[n++] = (char *)stack;
    argv[n++] = "--seed";
    argv[n++] = "1";
    argv[n++] = "--devices";
    argv[n++] = num[0];
    if (o->baud) {
        argv[n++] = "--baud";
        argv[n++] = num[1];
    }
    if (o->nvram) {
        argv[n++] = "--nvram";
        argv[n++] = (char *)o->nvram;
    }
    if (o->time_scale) {
        argv[n++] = "--time-scale";
        argv[n++] = (char *)o->time_scale;
    }
    argv[n] = NULL;
}

int bench_emu_for(const bench_cfg *c, const char *stack, const bench_emu_opts *o, zbh_emu *out)
{
    char num[2][16], *argv[14];
    bench_emu_argv(c, stack, o, num, argv);
    return bench_emu_start(argv, out);
}

/* Opens a driver session on `port`. Returns the device handle or NULL (message printed). */
static void *session(const zbh_driver *drv, const char *port, zbh_serial **s)
{
    char err[256];
    zbh_device_info info;
    *s = zbh_serial_open(port, 115200, err, sizeof(err));
    if (!*s) {
        fprintf(stderr, "zbbench: %s\n", err);
        return NULL;
    }
    void *d = drv->open(*s, &info, err, sizeof(err));
    if (!d) {
        fprintf(stderr, "zbbench: %s: %s\n", port, err);
        zbh_serial_close(*s);
    }
    return d;
}

int bench_form(const bench_cfg *c, const char *stack, const char *port)
{
    char path[4400], err[256];
    snprintf(path, sizeof(path), "%s/backups/valid/minimal-no-devices.json", c->vectors);
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *b = ocb_parse_file(path, &rep);
    ocb_report_free(&rep);
    if (!b) {
        fprintf(stderr, "zbbench: cannot read %s\n", path);
        return -1;
    }
    const zbh_driver *drv = zbh_find_driver(stack);
    zbh_serial *s;
    void *d = drv ? session(drv, port, &s) : NULL;
    int rc = -1;
    if (d) {
        zbh_restore_opts o = {
            ZBH_IEEE_BURN}; /* emulators only; the backup's counters as they are */
        rc = drv->write_network(d, b, &o, err, sizeof(err));
        if (rc < 0) fprintf(stderr, "zbbench: restore on %s: %s\n", port, err);
        drv->close(d);
        zbh_serial_close(s);
    }
    ocb_free(b);
    return rc;
}

int bench_backup_inproc(const char *stack, const char *port, bench_backup *out)
{
    char err[256];
    const zbh_driver *drv = zbh_find_driver(stack);
    if (!drv) return -1;
    double t0 = zb_now_s();
    zbh_serial *s;
    void *d = session(drv, port, &s);
    if (!d) return -1;
    ocb_backup *b = drv->read_network(d, NULL, err, sizeof(err));
    drv->close(d);
    zbh_serial_counters(s, &out->tx, &out->rx);
    zbh_serial_close(s);
    out->secs = zb_now_s() - t0;
    if (!b) {
        fprintf(stderr, "zbbench: backup of %s: %s\n", port, err);
        return -1;
    }
    out->devices = b->n_devices;
    ocb_free(b);
    return 0;
}

double bench_backup_spawned(const bench_cfg *c, const char *stack, const char *port,
                            const char *out)
{
    char *argv[] = {(char *)c->zbharness, "backup", "--stack",   (char *)stack, "--port",
                    (char *)port,         "-o",     (char *)out, NULL};
    if (!out) argv[6] = NULL;
    double t0 = zb_now_s();
    int rc = bench_run(argv);
    return rc == 0 ? zb_now_s() - t0 : -1;
}

bench_stats bench_spawn_floor(const bench_cfg *c, int runs)
{
    double v[64];
    char *argv[] = {(char *)c->zbharness, "--version", NULL};
    if (runs > 64) runs = 64;
    for (int i = 0; i < runs; i++) {
        double t0 = zb_now_s();
        bench_run(argv);
        v[i] = zb_now_s() - t0;
    }
    return bench_stats_of(v, (size_t)runs);
}

int bench_formed_nvram(const bench_cfg *c, const bench_stack *st, char *out, size_t cap)
{
    if (st->formed_nvram) {
        snprintf(out, cap, "%s/%s", c->vectors, st->formed_nvram);
        return 0;
    }
    snprintf(out, cap, "%s/%s-formed.json", c->tmpdir, st->name);
    if (access(out, F_OK) == 0) return 0; /* made by an earlier call */
    zbh_emu e;
    bench_emu_opts o = {.nvram = out};
    if (bench_emu_for(c, st->name, &o, &e) < 0) return -1;
    int rc = bench_form(c, st->name, e.port);
    if (zbh_emu_stop(&e) != 0) rc = -1; /* SIGTERM flushes the NVRAM file */
    if (rc < 0) {
        fprintf(stderr, "zbbench: could not form a %s network to start from\n", st->name);
        unlink(out);
    }
    return rc;
}

int bench_formed_emu(const bench_cfg *c, const bench_stack *st, const bench_emu_opts *o,
                     zbh_emu *out)
{
    static int serial;
    char from[4400], nv[4300];
    if (!st->boot_joins && o->devices > 0) { /* form while it runs: the devices join then */
        if (bench_emu_for(c, st->name, o, out) < 0) return -1;
        if (bench_form(c, st->name, out->port) == 0) return 0;
        zbh_emu_stop(out);
        return -1;
    }
    if (bench_formed_nvram(c, st, from, sizeof(from)) < 0) return -1;
    snprintf(nv, sizeof(nv), "%s/%s-%d.json", c->tmpdir, st->name, ++serial);
    if (bench_copy_file(from, nv) < 0) {
        fprintf(stderr, "zbbench: cannot copy %s to %s\n", from, nv);
        return -1;
    }
    bench_emu_opts with = *o;
    with.nvram = nv;
    return bench_emu_for(c, st->name, &with, out);
}
