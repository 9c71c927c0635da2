/* drive.c - what the bench asks of the emulators and the harness: start an emulator, form a
 * network on it, back it up in-process (the harness driver, with its byte counters) or through
 * the spawned `zbharness` binary (what users run). */
#include "bench.h"

#include "driver.h"
#include "log.h"
#include "ocb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_stack_available(const bench_cfg *c, const char *stack)
{
    char cmd[4200], line[256], want[64];
    snprintf(cmd, sizeof(cmd), "'%s' --help 2>/dev/null", c->zbemu);
    snprintf(want, sizeof(want), "  %s ", stack);
    FILE *p = popen(cmd, "r");
    if (!p) return 0;
    int found = 0;
    while (fgets(line, sizeof(line), p))
        if (strncmp(line, want, strlen(want)) == 0) found = 1;
    pclose(p);
    return found;
}

void bench_emu_argv(const bench_cfg *c, const char *stack, int devices, int baud, const char *nvram,
                    char *dev, char *bd, char *argv[12])
{
    int n = 0;
    snprintf(dev, 16, "%d", devices);
    snprintf(bd, 16, "%d", baud);
    argv[n++] = (char *)c->zbemu;
    argv[n++] = (char *)stack;
    argv[n++] = "--seed";
    argv[n++] = "1";
    argv[n++] = "--devices";
    argv[n++] = dev;
    if (baud) {
        argv[n++] = "--baud";
        argv[n++] = bd;
    }
    if (nvram) {
        argv[n++] = "--nvram";
        argv[n++] = (char *)nvram;
    }
    argv[n] = NULL;
}

int bench_emu_for(const bench_cfg *c, const char *stack, int devices, int baud, const char *nvram,
                  zbh_emu *out)
{
    char dev[16], bd[16], *argv[12];
    bench_emu_argv(c, stack, devices, baud, nvram, dev, bd, argv);
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
    char path[4200], err[256];
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
        zbh_restore_opts o = {2500, ZBH_IEEE_BURN}; /* emulators only */
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

double bench_backup_spawned(const bench_cfg *c, const char *stack, const char *port)
{
    char *argv[] = {(char *)c->zbharness, "backup", "--stack", (char *)stack, "--port",
                    (char *)port,         NULL};
    double t0 = zb_now_s();
    int rc = bench_run(argv);
    return rc == 0 ? zb_now_s() - t0 : -1;
}

int bench_formed_emu(const bench_cfg *c, const bench_stack *st, int devices, int baud, zbh_emu *out)
{
    static int serial;
    char from[4200], nv[4300];
    if (!st->formed_nvram) {
        if (bench_emu_for(c, st->name, devices, baud, NULL, out) < 0) return -1;
        if (bench_form(c, st->name, out->port) == 0) return 0;
        zbh_emu_stop(out);
        return -1;
    }
    snprintf(from, sizeof(from), "%s/%s", c->vectors, st->formed_nvram);
    snprintf(nv, sizeof(nv), "%s/%s-%d.json", c->tmpdir, st->name, ++serial);
    if (bench_copy_file(from, nv) < 0) {
        fprintf(stderr, "zbbench: cannot copy %s to %s\n", from, nv);
        return -1;
    }
    return bench_emu_for(c, st->name, devices, baud, nv, out);
}
