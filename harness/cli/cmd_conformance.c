/* cmd_conformance.c - `zbharness conformance`: named test cases against one coordinator (a
 * real stick or, with --emulate, each emulator in turn). The cases are data: a table of
 * {id, description, function}; each returns a verdict and a reason. A device's own network is
 * backed up before anything is written and put back at the end (the last case), so a vendor
 * can run the suite on a stick that holds a network. A first read that fails (rather than
 * proving the device empty) stops every write of the run: a network is never lost to a
 * timeout (issue 26).
 *
 * The options are one table (cli_opts.h) that is both parsed and --help; the command is parse,
 * run (one device, or each target in a worker), print and the reports, apart. */
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "fileio.h"
#include "log.h"
#include "progress.h"
#include "prerestore.h"
#include "report.h"
#include "roundtrip.h"
#include "select.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct conf_ctx {
    const char *stack, *port, *dir;
    const zbh_target *target; /* set with --emulate */
    zbh_emu emu;
    ocb_backup *original; /* the device's network before the run (NULL: none) */
    ocb_backup *golden;   /* what the suite restores */
    ocb_backup *after;    /* the read-back after restoring the golden */
    const zbh_loss *losses;
    zbh_loss saved_losses[16];
    zbh_device_info info; /* as the probe identified it (for the reports) */
    bool no_writes;       /* no recovery file, or the first read failed: nothing is written */
    bool empty_proved;    /* the first read proved "no network" (only then: erase at the end) */
    uint64_t own_ieee;    /* the stick's own IEEE, which the golden network runs with */
} conf_ctx;

/* What a case says: at most one driver message (ZB_MSG_MAX, as every harness error), one path
 * and a sentence around them, so a case's buffer of this size never cuts its message. */
#define CASE_MSG_MAX (ZB_MSG_MAX + PATH_MAX + 1024)

typedef enum zbh_verdict (*case_fn)(conf_ctx *c, char *why, size_t len);

static ocb_backup *read_backup(conf_ctx *c, char *why, size_t len, zbh_device_info *info)
{
    return zbh_backup_port(c->stack, c->port, 115200, info, why, len);
}

static enum zbh_verdict case_probe(conf_ctx *c, char *why, size_t len)
{
    zbh_session s;
    if (zbh_session_open(&s, c->stack, c->port, 115200, why, len)) return ZBH_FAILED;
    snprintf(why, len, "%s: %s (profile %s)", s.drv->name, s.info.firmware, s.info.profile);
    if (strcmp(c->stack, "auto") == 0) c->stack = s.drv->name; /* identified: use it */
    c->info = s.info;
    zbh_session_close(&s);
    return ZBH_PASS;
}

/* The first read is tri-state, and only a read the stack itself proved empty lets the run
 * treat the device as factory-new (and erase it again at the end). A read that failed (a
 * timeout, a bad frame) says nothing about what the device holds: the run then writes
 * nothing at all, since its last case could neither put a network back nor erase honestly. */
static enum zbh_verdict case_backup_valid(conf_ctx *c, char *why, size_t len)
{
    char err[ZB_MSG_MAX];
    zbh_session s;
    zbh_read_status st = ZBH_READ_FAILED;
    if (zbh_session_open(&s, c->stack, c->port, 115200, err, sizeof(err)) == 0) {
        c->original = zbh_backup(&s, &st, err, sizeof(err));
        zbh_session_close(&s);
    }
    if (!c->original && st == ZBH_READ_NO_NETWORK) {
        c->empty_proved = true;
        snprintf(why, len, "no network to back up (%s)", err);
        return ZBH_SKIP;
    }
    if (!c->original) {
        c->no_writes = true;
        snprintf(why, len,
                 "could not read the device (%s): a failed read is not \"no network\", so "
                 "nothing will be written to the device in this run",
                 err);
        return ZBH_ERROR;
    }
    /* the only way back for the user's network: never replace an earlier run's file (it may
     * be all that is left of a stick a crashed run did not put back) */
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/conformance-original.json", c->dir) >= (int)sizeof(path)) {
        c->no_writes = true;
        snprintf(why, len,
                 "--dir %s: too long a path for the recovery file; nothing will be "
                 "written to the device",
                 c->dir);
        return ZBH_ERROR;
    }
    if (zbh_backup_write_new(c->original, path) < 0) {
        c->no_writes = true;
        if (errno == EEXIST)
            snprintf(why, len,
                     "%s exists (an earlier run's recovery file): refusing to overwrite it, and "
                     "so to write anything to the device; move it or use another --dir",
                     path);
        else
            snprintf(why, len,
                     "cannot keep the original backup in %s: %s; nothing will be "
                     "written to the device",
                     path, strerror(errno));
        return ZBH_ERROR;
    }
    char *text = ocb_emit(c->original);
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *again = text ? ocb_parse(text, strlen(text), &rep) : NULL;
    enum zbh_verdict v = again && !rep.n_errors && !rep.n_warnings ? ZBH_PASS : ZBH_FAILED;
    if (v == ZBH_PASS)
        snprintf(why, len, "%zu devices; kept in %s", c->original->n_devices, path);
    else
        snprintf(why, len, "%s: %s", rep.n_issues ? rep.issues[0].path : "?",
                 rep.n_issues ? rep.issues[0].message : "does not emit");
    ocb_free(again);
    ocb_report_free(&rep);
    free(text);
    return v;
}

static enum zbh_verdict diff_verdict(const ocb_backup *a, const ocb_backup *b,
                                     const ocb_diff_rules *rules, char *why, size_t len)
{
    ocb_diff_result d = {0};
    int n = ocb_diff(a, b, rules, &d);
    if (n > 0)
        snprintf(why, len, "%d differences, first %s: %s -> %s (%s)", n, d.items[0].path,
                 d.items[0].a, d.items[0].b, d.items[0].why);
    ocb_diff_result_free(&d);
    return n == 0 ? ZBH_PASS : ZBH_FAILED;
}

static enum zbh_verdict case_backup_stable(conf_ctx *c, char *why, size_t len)
{
    if (!c->original) {
        snprintf(why, len, "no network on the device");
        return ZBH_SKIP;
    }
    char err[ZB_MSG_MAX];
    ocb_backup *again = read_backup(c, err, sizeof(err), NULL);
    if (!again) {
        snprintf(why, len, "second backup failed: %s", err);
        return ZBH_FAILED;
    }
    enum zbh_verdict v = diff_verdict(c->original, again, &OCB_RULES_ROUNDTRIP, why, len);
    if (v == ZBH_PASS) snprintf(why, len, "two backups equal (counters may only grow)");
    ocb_free(again);
    return v;
}

static enum zbh_verdict restore(conf_ctx *c, const ocb_backup *b, bool force,
                                zbh_restore_result *res, char *why, size_t len)
{
    memset(res, 0, sizeof(*res));
    if (c->no_writes) {
        snprintf(why, len, "no recovery file was kept: nothing is written to the device");
        return ZBH_SKIP;
    }
    zbh_session s;
    if (zbh_session_open(&s, c->stack, c->port, 115200, why, len)) return ZBH_ERROR;
    /* the stick keeps its own IEEE: the suite never burns or brands a stick */
    zbh_restore_req req = {2500, force, false, c->dir, ZBH_IEEE_KEEP, NULL, c->target != NULL};
    if (!c->own_ieee && s.drv->check_write) {
        char err[ZB_MSG_MAX];
        zbh_restore_opts o = {ZBH_IEEE_KEEP};
        uint64_t ieee = 0;
        s.drv->check_write(s.dev, b, &o, &ieee, err, sizeof(err));
        c->own_ieee = ieee;
    }
    int rc = zbh_restore(&s, b, &req, res);
    const zbh_loss *l = s.drv->losses ? s.drv->losses(s.dev) : NULL;
    size_t n = 0;
    for (; l && l->field && n < 15; l++)
        c->saved_losses[n++] = *l;
    c->saved_losses[n] = (zbh_loss){NULL, NULL};
    c->losses = c->saved_losses;
    zbh_session_close(&s);
    return rc == ZBH_OK ? ZBH_PASS : ZBH_FAILED;
}

static enum zbh_verdict case_refuse_mismatch(conf_ctx *c, char *why, size_t len)
{
    if (!c->original) {
        snprintf(why, len, "no network on the device to protect");
        return ZBH_SKIP;
    }
    if (c->original->extended_pan_id == c->golden->extended_pan_id) {
        snprintf(why, len, "the device already runs the golden network");
        return ZBH_SKIP;
    }
    zbh_restore_result res;
    enum zbh_verdict v = restore(c, c->golden, false, &res, why, len);
    zbh_restore_result_free(&res);
    if (v == ZBH_SKIP) return v;
    if (v == ZBH_PASS) {
        snprintf(why, len, "a different network was written without --force");
        return ZBH_FAILED;
    }
    char err[ZB_MSG_MAX];
    ocb_backup *now = read_backup(c, err, sizeof(err), NULL);
    v = now ? diff_verdict(c->original, now, &OCB_RULES_ROUNDTRIP, why, len) : ZBH_FAILED;
    if (v == ZBH_PASS) snprintf(why, len, "refused; the device's network is untouched");
    ocb_free(now);
    return v;
}

static enum zbh_verdict case_restore_golden(conf_ctx *c, char *why, size_t len)
{
    zbh_restore_result res;
    enum zbh_verdict v = restore(c, c->golden, true, &res, why, len);
    if (v == ZBH_SKIP) return v;
    if (v == ZBH_PASS) {
        c->after = res.after;
        res.after = NULL;
        size_t o = (size_t)snprintf(why, len, "read back equal");
        for (size_t i = 0; i < res.n_losses && o < len; i++)
            o += (size_t)snprintf(why + o, len - o, "%s %s",
                                  i ? "," : "; not stored:", res.losses[i].field);
    } else {
        snprintf(why, len, "restore or read-back failed (see stderr)");
    }
    zbh_restore_result_free(&res);
    return v;
}

static enum zbh_verdict need_after(conf_ctx *c, char *why, size_t len)
{
    if (c->after) return ZBH_PASS;
    snprintf(why, len, "the golden restore did not succeed");
    return ZBH_SKIP;
}

static int lost(const conf_ctx *c, const char *field)
{
    for (const zbh_loss *l = c->losses; l && l->field; l++)
        if (strcmp(l->field, field) == 0) return 1;
    return 0;
}

static enum zbh_verdict case_fc_raised(conf_ctx *c, char *why, size_t len)
{
    if (need_after(c, why, len) != ZBH_PASS) return ZBH_SKIP;
    uint32_t want = c->golden->network_key.frame_counter, got = c->after->network_key.frame_counter;
    snprintf(why, len, "%u -> %u", want, got);
    return got >= want + 2500 ? ZBH_PASS : ZBH_FAILED;
}

static enum zbh_verdict case_ieee(conf_ctx *c, char *why, size_t len)
{
    if (need_after(c, why, len) != ZBH_PASS) return ZBH_SKIP;
    snprintf(why, len, "%016llx", (unsigned long long)c->after->coordinator_ieee);
    if (c->after->coordinator_ieee == c->golden->coordinator_ieee) return ZBH_PASS;
    if (c->own_ieee && c->after->coordinator_ieee == c->own_ieee) {
        snprintf(why, len,
                 "the golden network ran with the stick's own IEEE %016llx (the suite never "
                 "burns or brands a stick): writing another IEEE is not tested",
                 (unsigned long long)c->own_ieee);
        return ZBH_SKIP;
    }
    return ZBH_FAILED;
}

static enum zbh_verdict case_keys_children(conf_ctx *c, char *why, size_t len)
{
    if (need_after(c, why, len) != ZBH_PASS) return ZBH_SKIP;
    size_t keys = 0, kept = 0, children = 0, kept_children = 0, kept_as_devices = 0;
    for (size_t i = 0; i < c->golden->n_devices; i++) {
        const ocb_device *g = &c->golden->devices[i];
        const ocb_device *a = ocb_find_device(c->after, g->ieee);
        if (g->has_link_key) {
            keys++;
            kept += a && a->has_link_key && !memcmp(a->link_key.key, g->link_key.key, 16);
        }
        if (g->is_child) {
            children++;
            kept_children += a && a->is_child;
            /* where is_child is a declared loss, the child must still be there with its NWK */
            kept_as_devices += a && a->has_nwk && g->has_nwk && a->nwk == g->nwk;
        }
    }
    int keys_lost = lost(c, "devices[].link_key.key");
    int child_lost = lost(c, "devices[].is_child") && kept_as_devices == children;
    snprintf(why, len, "%zu/%zu link keys, %zu/%zu children%s%s", kept, keys, kept_children,
             children,
             keys_lost && kept < keys ? " (the device declares it cannot store all keys)" : "",
             child_lost && kept_children < children
                 ? " (kept as devices with their NWK: the device declares is_child lost)"
                 : "");
    return (kept_children == children || child_lost) && (kept == keys || keys_lost) ? ZBH_PASS
                                                                                    : ZBH_FAILED;
}

static enum zbh_verdict case_nvram_survives(conf_ctx *c, char *why, size_t len)
{
    if (need_after(c, why, len) != ZBH_PASS) return ZBH_SKIP;
    const char *how = "port closed and reopened";
    if (c->target) { /* an emulator: restart the process from its NVRAM file */
        char err[ZB_MSG_MAX];
        if (zbh_emu_stop(&c->emu) != 0) {
            snprintf(why, len, "the emulator did not exit cleanly");
            return ZBH_FAILED;
        }
        if (zbh_emu_start(&c->emu, c->target, c->dir, 7, err, sizeof(err)) < 0) {
            snprintf(why, len, "restart from NVRAM: %s", err);
            return ZBH_FAILED;
        }
        c->port = c->emu.port;
        how = "emulator restarted from its NVRAM file";
    }
    char err[ZB_MSG_MAX];
    ocb_backup *now = read_backup(c, err, sizeof(err), NULL);
    if (!now) {
        snprintf(why, len, "backup after reopening: %s", err);
        return ZBH_FAILED;
    }
    enum zbh_verdict v = diff_verdict(c->after, now, &OCB_RULES_ROUNDTRIP, why, len);
    if (v == ZBH_PASS) snprintf(why, len, "%s; backup equal", how);
    ocb_free(now);
    return v;
}

static enum zbh_verdict case_malformed(conf_ctx *c, char *why, size_t len)
{
    zbh_session s;
    if (zbh_session_open(&s, c->stack, c->port, 115200, why, len)) return ZBH_ERROR;
    enum zbh_verdict v = ZBH_SKIP;
    if (!s.drv->probe_malformed)
        snprintf(why, len, "the %s driver has no malformed-frame probe yet", s.drv->name);
    else
        v = s.drv->probe_malformed(s.dev, why, len) == 0 ? ZBH_PASS : ZBH_FAILED;
    zbh_session_close(&s);
    return v;
}

/* A stick factory-new before the run is erased again: nothing of the golden network stays. */
static enum zbh_verdict erase_again(conf_ctx *c, char *why, size_t len)
{
    zbh_session s;
    if (zbh_session_open(&s, c->stack, c->port, 115200, why, len)) return ZBH_ERROR;
    char err[ZB_MSG_MAX];
    enum zbh_verdict v = ZBH_FAILED;
    zbh_read_status st = ZBH_READ_FAILED;
    if (!s.drv->erase_network) {
        snprintf(why, len, "the %s driver cannot erase a network", s.drv->name);
    } else if (s.drv->erase_network(s.dev, err, sizeof(err)) < 0) {
        snprintf(why, len, "erasing the golden network: %s", err);
    } else {
        ocb_backup *left = zbh_backup(&s, &st, err, sizeof(err));
        ocb_free(left);
        if (st == ZBH_READ_NO_NETWORK) {
            v = ZBH_PASS;
            snprintf(why, len, "left as found: the factory-new stick holds no network again");
        } else {
            snprintf(why, len, "after erasing, the stick still %s",
                     left ? "holds a network" : "cannot be read");
        }
    }
    zbh_session_close(&s);
    return v;
}

/* The last case: the stick's own network back, then a new backup compared with the first
 * one (only counters may have grown), so the report says whether it was left as found. */
static enum zbh_verdict case_put_back(conf_ctx *c, char *why, size_t len)
{
    if (c->no_writes) {
        snprintf(why, len,
                 "nothing was written to the device in this run; what it holds was not "
                 "verified");
        return ZBH_SKIP;
    }
    if (!c->original && !c->empty_proved) { /* unreachable by the cases above; never erase */
        snprintf(why, len, "the device was never proved empty: not erased, not verified");
        return ZBH_ERROR;
    }
    if (!c->original) return erase_again(c, why, len);
    zbh_restore_result res;
    enum zbh_verdict v = restore(c, c->original, true, &res, why, len);
    zbh_restore_result_free(&res);
    if (v != ZBH_PASS) {
        snprintf(why, len,
                 "could not put the original network back: restore %s/conformance-original.json "
                 "by hand (zbharness restore --stack %s --port %s --backup "
                 "%s/conformance-original.json --force)",
                 c->dir, c->stack, c->port, c->dir);
        return v;
    }
    char err[ZB_MSG_MAX];
    ocb_backup *now = read_backup(c, err, sizeof(err), NULL);
    if (!now) {
        snprintf(why, len, "the backup after putting it back failed: %s", err);
        return ZBH_FAILED;
    }
    v = diff_verdict(c->original, now, &OCB_RULES_ROUNDTRIP, why, len);
    if (v == ZBH_PASS)
        snprintf(why, len,
                 "left as found: the device's own network is back; a new backup equals the first "
                 "(frame counter %u -> %u, counters only grew)",
                 c->original->network_key.frame_counter, now->network_key.frame_counter);
    ocb_free(now);
    return v;
}

static const struct {
    const char *id, *description;
    case_fn fn;
} CASES[] = {
    {"probe", "the device answers and identifies its firmware", case_probe},
    {"backup-valid", "a backup validates strictly (schema and semantics, no warning)",
     case_backup_valid},
    {"backup-stable", "two backups in a row are equal", case_backup_stable},
    {"restore-refuses-mismatch", "restoring another network without --force is refused",
     case_refuse_mismatch},
    {"restore-golden", "a golden backup restores and reads back equal", case_restore_golden},
    {"frame-counter-raised", "the NWK frame counter is raised by the restore increment",
     case_fc_raised},
    {"ieee-restored", "the coordinator IEEE address is restored", case_ieee},
    {"link-keys-and-children", "link keys and children survive the restore", case_keys_children},
    {"nvram-survives-reopen", "the restored network survives a reset/reopen", case_nvram_survives},
    {"malformed-frames", "malformed frames get the protocol's error reply", case_malformed},
    {"original-restored",
     "the device is left as found (own network back and equal to the first backup, or "
     "factory-new again)",
     case_put_back},
};
#define N_CASES (sizeof(CASES) / sizeof(CASES[0]))

/* The network an emulator holds before the suite runs: the golden one under another PAN,
 * extended PAN ID and key, so that the mismatch case has something to protect. The
 * coordinator IEEE stays: an EmberZNet NCP's custom EUI64 is write-once, and writing another
 * one here would make every later restore of the golden backup refuse (as a real stick does). */
static ocb_backup *other_network(const ocb_backup *g)
{
    ocb_backup *b = ocb_clone(g);
    if (!b) return NULL;
    b->extended_pan_id ^= 0x0101010101010101ull;
    b->pan_id ^= 0x0101;
    b->network_key.key[0] ^= 0xA5;
    return b;
}

/* Runs every case into out (each detail owned by out, whole) and says each on `progress`. Each
 * case's message is also left in why[i] when why is not NULL (the way a forked worker's
 * messages reach the parent: its heap does not). */
static size_t run_suite(FILE *progress, conf_ctx *c, const char *prefix, zbh_case_result *out,
                        size_t total, size_t first, char (*why)[CASE_MSG_MAX])
{
    char *msg = why ? NULL : malloc(CASE_MSG_MAX);
    for (size_t i = 0; i < N_CASES; i++) {
        zbh_case_result *r = &out[i];
        char *m = why ? why[i] : msg;
        memset(r, 0, sizeof(*r));
        snprintf(r->id, sizeof(r->id), "%s%s", prefix, CASES[i].id);
        snprintf(r->description, sizeof(r->description), "%s", CASES[i].description);
        double t0 = zb_now_s();
        if (m) {
            m[0] = '\0';
            r->verdict = CASES[i].fn(c, m, CASE_MSG_MAX);
            zbh_text_set(&r->detail, "%s", m);
        } else {
            r->verdict = ZBH_ERROR;
            zbh_text_set(&r->detail, "out of memory: the case did not run");
        }
        r->seconds = zb_now_s() - t0;
        zbh_report_progress(progress, first + i, total, r);
    }
    free(msg);
    return N_CASES;
}

/* --dir is checked before anything touches a device: a backup that cannot be kept must stop
 * the run before the first write, not in the middle of it. */
static int check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0) {
        fprintf(stderr, "zbharness conformance: --dir %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "zbharness conformance: --dir %s: not a directory\n", dir);
        return -1;
    }
    if (access(dir, W_OK | X_OK) < 0) {
        fprintf(stderr, "zbharness conformance: --dir %s: not writable: %s\n", dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* The device's properties for the reports; with several devices each name is prefixed. */
static void device_props(zbh_report_props *p, const char *prefix, const conf_ctx *c)
{
    char k[64];
    const ocb_backup *b = c->original ? c->original : c->after;
    snprintf(k, sizeof(k), "%sstack", prefix);
    zbh_props_add(p, k, "%s", c->info.stack[0] ? c->info.stack : c->stack);
    snprintf(k, sizeof(k), "%sfirmware", prefix);
    zbh_props_add(p, k, "%s", c->info.firmware[0] ? c->info.firmware : "(not identified)");
    snprintf(k, sizeof(k), "%sprofile", prefix);
    zbh_props_add(p, k, "%s", c->info.profile[0] ? c->info.profile : "?");
    snprintf(k, sizeof(k), "%sieee", prefix);
    if (b)
        zbh_props_add(p, k, "%016llx", (unsigned long long)b->coordinator_ieee);
    else
        zbh_props_add(p, k, "(unknown: no network read)");
    snprintf(k, sizeof(k), "%sport", prefix);
    zbh_props_add(p, k, "%s", c->port ? c->port : "?");
}

static void to_grid(const zbh_case_result *r, size_t n, const char *col, zbh_grid_cell *g)
{
    for (size_t i = 0; i < n; i++) {
        memset(&g[i], 0, sizeof(g[i]));
        snprintf(g[i].row, sizeof(g[i].row), "%s", CASES[i].id);
        snprintf(g[i].row_title, sizeof(g[i].row_title), "%s", CASES[i].description);
        snprintf(g[i].col, sizeof(g[i].col), "%s", col);
        g[i].verdict = r[i].verdict;
        zbh_text_set(&g[i].detail, "%s", zbh_text_get(&r[i].detail));
        zbh_grid_note(&g[i], "%s", zbh_text_get(&r[i].detail));
        zbh_grid_line(&g[i], "%.1f s", r[i].seconds);
    }
}

/* ---------------------------------------------------------------- emulated targets */

/* One emulated target's share of the run, filled by the worker that runs it (shared memory:
 * the workers are forked). */
typedef struct conf_slot {
    int rc; /* ZBH_OK, or ZBH_USAGE: its emulator or folder could not be set up */
    size_t n;
    zbh_case_result results[N_CASES]; /* without their details: pointers into the worker */
    char why[N_CASES][CASE_MSG_MAX];  /* the details, whole */
    zbh_report_props props;
} conf_slot;

typedef struct conf_run {
    FILE *out;
    ocb_backup *golden;
    const char *dir; /* --dir, or NULL: a temporary folder per target */
    size_t total;    /* cases in the whole run (the progress lines' "[ i/total]") */
    conf_slot *slots;
} conf_run;

/* Starts target t's emulator in its folder, gives it a network of its own, runs the suite on
 * it, stops it. `index` is the target's place in the run (its cases are numbered from
 * index * N_CASES). */
static void run_target(const conf_run *run, const zbh_target *t, size_t index)
{
    conf_slot *slot = &run->slots[index];
    char tdir[PATH_MAX] = "/tmp/zbharness-conf-XXXXXX", prefix[64], err[ZB_MSG_MAX];
    conf_ctx ctx = {.stack = t->stack, .target = t, .golden = run->golden};
    snprintf(prefix, sizeof(prefix), "%s/", t->name);
    slot->rc = ZBH_USAGE;
    if (run->dir) { /* --dir: kept, one directory per target */
        if (snprintf(tdir, sizeof(tdir), "%s/%s", run->dir, t->name) >= (int)sizeof(tdir)) {
            fprintf(stderr, "zbharness conformance: --dir %s: too long a path\n", run->dir);
            return;
        }
        if (mkdir(tdir, 0755) < 0 && errno != EEXIST) {
            fprintf(stderr, "zbharness conformance: cannot create %s: %s\n", tdir, strerror(errno));
            return;
        }
    }
    zbh_progress("%s: starting zbemu in %s", t->name, run->dir ? tdir : "/tmp");
    if ((!run->dir && !mkdtemp(tdir)) ||
        zbh_emu_start(&ctx.emu, t, tdir, 7, err, sizeof(err)) < 0) {
        fprintf(stderr, "zbharness conformance: %s: cannot start the emulator\n", t->name);
        return;
    }
    slot->rc = ZBH_OK;
    ctx.dir = tdir;
    ctx.port = ctx.emu.port;
    /* give the emulator a network of its own first */
    zbh_progress("%s: giving the emulator a network of its own", t->name);
    ocb_backup *own = other_network(run->golden);
    zbh_session s;
    if (own && zbh_session_open(&s, ctx.stack, ctx.port, 115200, err, sizeof(err)) == 0) {
        /* an emulator this run started: burning its write-once IEEE token costs nothing */
        zbh_restore_req req = {0, true, false, tdir, ZBH_IEEE_BURN, NULL, true};
        zbh_restore_result res;
        zbh_restore(&s, own, &req, &res);
        zbh_restore_result_free(&res);
        zbh_session_close(&s);
    }
    ocb_free(own);
    slot->n =
        run_suite(run->out, &ctx, prefix, slot->results, run->total, index * N_CASES, slot->why);
    zbh_case_results_free(slot->results, slot->n); /* the parent reads slot->why */
    device_props(&slot->props, prefix, &ctx);
    if (zbh_emu_stop(&ctx.emu) != 0) fprintf(stderr, "%s: zbemu exited uncleanly\n", tdir);
    ocb_free(ctx.original);
    ocb_free(ctx.after);
    if (run->dir) return; /* the user's directory: NVRAM, log and backups stay */
    if (zbh_remove_tree(tdir) < 0)
        fprintf(stderr, "could not remove %s: %s\n", tdir, strerror(errno));
}

/* The targets, `jobs` at a time, each in a forked worker (one process per target, as the
 * matrix runs its cells: a target's emulator, folder and session are its own). A worker's
 * progress lines are written whole (line-buffered), so lines of two targets interleave but
 * never mix. Ctrl-C reaches the workers (same process group) and their restores' own
 * recovery advice. Returns 0, or -1 when a worker could not be started or died. */
static int run_targets(const conf_run *run, const zbh_target *const *targets, size_t nt, int jobs)
{
    if (jobs <= 1) {
        for (size_t t = 0; t < nt; t++)
            run_target(run, targets[t], t);
        return 0;
    }
    int rc = 0, running = 0;
    pid_t pids[16] = {0};
    fflush(NULL);
    for (size_t t = 0; t < nt || running > 0;) {
        if (t < nt && running < jobs) {
            pid_t pid = fork();
            if (pid == 0) {
                setvbuf(run->out, NULL, _IOLBF, 0);
                run_target(run, targets[t], t);
                fflush(NULL);
                _exit(0);
            }
            if (pid < 0) {
                fprintf(stderr, "zbharness conformance: fork: %s\n", strerror(errno));
                run->slots[t].rc = ZBH_USAGE;
                rc = -1;
            } else {
                pids[t] = pid;
                running++;
            }
            t++;
            continue;
        }
        int st;
        pid_t w = wait(&st);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) break;
        running--;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) continue;
        for (size_t k = 0; k < nt; k++)
            if (pids[k] == w) {
                fprintf(stderr, "zbharness conformance: %s: its worker (pid %d) died\n",
                        targets[k]->name, (int)w);
                run->slots[k].rc = ZBH_USAGE;
            }
        rc = -1;
    }
    return rc;
}

/* ---------------------------------------------------------------- the command */

typedef struct conf_args {
    const char *stack, *port, *golden, *dir, *junit, *tap, *only, *html, *markdown;
    int emulate, verbose, quiet, list, jobs;
    zbh_shard shard;
} conf_args;

static const zbh_opt ROWS[] = {
    {"stack", 1, 's', "S", "znp | ezsp | zboss | auto (see above)", 0, ZBH_STR(conf_args, stack)},
    {"port", 1, 'p', "PATH", "the device (see above)", 0, ZBH_STR(conf_args, port)},
    ZBH_ROW_SHARED_PORT,
    {"emulate", 0, 'e', NULL, "run the cases on each emulated target in turn", 0,
     ZBH_SET(conf_args, emulate)},
    {"golden", 1, 'g', "FILE", "the backup to restore (default: the built-in populated\nnetwork)",
     0, ZBH_STR(conf_args, golden)},
    {"dir", 1, 'd', "DIR",
     "where backups are kept (default .; must exist and be\n"
     "writable); with --emulate each emulator's NVRAM and\n"
     "backups stay in DIR/TARGET",
     0, ZBH_STR(conf_args, dir)},
    {"targets", 1, 'o', "A,B", "with --emulate: only these emulated targets", 0,
     ZBH_STR(conf_args, only)},
    {"shard", 1, 'x', "K/N", "with --emulate: only shard K of N of the targets\n(round-robin)"},
    {"jobs", 1, 'j', "N",
     "with --emulate: targets in parallel, each in its own\n"
     "process (default 2; 1..16); their progress lines\n"
     "interleave"},
    {"list", 0, 'l', NULL, "print the cases this run would take, and exit", 0,
     ZBH_SET(conf_args, list)},
    {"junit", 1, 'J', "FILE",
     "JUnit XML (a <properties> block: stack, firmware, IEEE,\nport, date)", 0,
     ZBH_STR(conf_args, junit)},
    {"tap", 1, 'T', "FILE", "TAP; '-' for stdout (everything else goes to stderr)", 0,
     ZBH_STR(conf_args, tap)},
    {"html", 1, 'H', "FILE",
     "the cases as a picture: case rows x device columns, with\nthe device's properties", 0,
     ZBH_STR(conf_args, html)},
    {"markdown", 1, 'M', "FILE", "the same as a markdown table", 0, ZBH_STR(conf_args, markdown)},
    {"quiet", 0, 'q', NULL, "no progress lines on stderr", 1, ZBH_SET(conf_args, quiet)},
    {"verbose", 0, 'v', NULL, "log progress", 1, ZBH_COUNT(conf_args, verbose)},
    ZBH_ROW_TIME_SCALE,
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static void help(void)
{
    printf("usage: zbharness conformance --stack znp|ezsp|zboss|auto --port PATH [OPTIONS]\n"
           "       zbharness conformance --emulate [--targets A,B] [OPTIONS]\n\n"
           "Runs the conformance cases against one coordinator. The device's network is backed\n"
           "up first (to --dir, default the current directory) and put back at the end.\n"
           "--stack auto identifies the protocol with each driver's read-only wake-up; zstack\n"
           "and ember are accepted for znp and ezsp. --port: a serial device, a pty,\n"
           "tcp://HOST:PORT or socket://HOST:PORT.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\ncases:\n");
    for (size_t i = 0; i < N_CASES; i++)
        printf("  %-26s %s\n", CASES[i].id, CASES[i].description);
    printf("\nExit: 0 all passed (or skipped), 1 a case failed, 2 usage or environment error.\n");
}

/* The rows that are not stored as they are: checked numbers, and the shared options. */
static int on_option(void *args, int c, const char *arg)
{
    conf_args *a = args;
    char err[ZB_MSG_MAX], *end;
    long v;
    switch (c) {
    case 'P': zbh_cli_link_option(c, arg, "zbharness", NULL); return ZBH_OK;
    case 'x':
        if (zbh_shard_parse(arg, &a->shard, err, sizeof(err)) == 0) return ZBH_OK;
        fprintf(stderr, "zbharness conformance: %s\n", err);
        return ZBH_USAGE;
    case 'Z': return zbh_cli_time_scale_option(arg, "zbharness conformance") ? ZBH_USAGE : ZBH_OK;
    case 'j':
        v = strtol(arg, &end, 10);
        if (*end || end == arg || v < 1 || v > 16) {
            fprintf(stderr, "zbharness conformance: --jobs: '%s' is not a number in 1..16\n", arg);
            return ZBH_USAGE;
        }
        a->jobs = (int)v;
        return ZBH_OK;
    default: help(); return -1; /* --help */
    }
}

/* The first rule the options break (a message for "zbharness conformance: "), or NULL. */
static const char *misuse(const conf_args *a, const char *extra, char *buf, size_t cap)
{
    if (extra) {
        snprintf(buf, cap, "unexpected argument '%s' (try --help)", extra);
        return buf;
    }
    if (!a->emulate && (!a->stack || !a->port))
        return "--stack and --port, or --emulate (try --help)";
    if (!a->emulate && (a->only || a->shard.n > 1)) return "--targets and --shard need --emulate";
    if (zbh_list_check(a->only, buf, cap) < 0) return buf;
    return NULL;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int parse(int argc, char **argv, conf_args *a)
{
    *a = (conf_args){.jobs = 2, .shard = {1, 1}};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, on_option);
    if (rc) return rc;
    char buf[ZB_MSG_MAX];
    const char *bad = misuse(a, optind < argc ? argv[optind] : NULL, buf, sizeof(buf));
    if (bad) {
        fprintf(stderr, "zbharness conformance: %s\n", bad);
        return ZBH_USAGE;
    }
    zb_log_set_level(a->verbose ? ZB_LOG_INFO : ZB_LOG_ERROR);
    zbh_progress_set_quiet(a->quiet);
    return 0;
}

/* The run's targets: with --emulate the selected ones, dealt round-robin into shards. */
static size_t pick_targets(const conf_args *a, const zbh_target **targets)
{
    size_t nt = 0;
    if (!a->emulate) return 0;
    const zbh_target *all[16];
    size_t na = zbh_targets(all, 16), whole = 0;
    for (size_t i = 0; i < na; i++)
        if (zbh_list_has(a->only, all[i]->name) && zbh_shard_has(&a->shard, whole++))
            targets[nt++] = all[i];
    return nt;
}

static void print_list(const conf_args *a, const zbh_target *const *targets, size_t nt)
{
    for (size_t t = 0; t < (a->emulate ? nt : 1); t++)
        for (size_t i = 0; i < N_CASES; i++)
            printf("%s%s%s\n", a->emulate ? targets[t]->name : "", a->emulate ? "/" : "",
                   CASES[i].id);
}

/* --golden, or the built-in network; NULL (said, when it is the file's fault) stops the run. */
static ocb_backup *load_golden(const char *path)
{
    if (!path) return zbh_seed_backup();
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *golden = ocb_parse_file(path, &rep);
    ocb_report_free(&rep);
    if (!golden)
        fprintf(stderr, "zbharness conformance: %s is not a valid backup (try validate)\n", path);
    return golden;
}

/* What the run gathers: every case's result and cell, and the reports' properties. */
typedef struct conf_out {
    FILE *out; /* progress and the summary: stdout, or stderr under --tap - */
    ocb_backup *golden;
    zbh_case_result *results;
    zbh_grid_cell *grid;
    size_t n, total;
    zbh_report_props props;
} conf_out;

/* The suite on the one device of --stack/--port. */
static void run_device(const conf_args *a, conf_out *o)
{
    conf_ctx ctx = {.stack = a->stack, .port = a->port, .dir = a->dir, .golden = o->golden};
    size_t n = run_suite(o->out, &ctx, "", o->results, o->total, 0, NULL);
    device_props(&o->props, "", &ctx);
    char col[64];
    snprintf(col, sizeof(col), "%s", ctx.info.stack[0] ? ctx.info.stack : ctx.stack);
    to_grid(o->results, n, col, o->grid);
    o->n += n;
    ocb_free(ctx.original);
    ocb_free(ctx.after);
}

/* Target t's slot (written by its worker) into the run's results, properties and grid. */
static void take_slot(conf_out *o, const conf_slot *slot, const char *name)
{
    zbh_case_result *r = o->results + o->n;
    memcpy(r, slot->results, sizeof(slot->results[0]) * slot->n);
    for (size_t k = 0; k < slot->n; k++) {
        r[k].detail = (zbh_text){0};
        zbh_text_set(&r[k].detail, "%s", slot->why[k]);
    }
    for (size_t k = 0; k < slot->props.n; k++)
        zbh_props_add(&o->props, slot->props.p[k].name, "%s", slot->props.p[k].value);
    to_grid(r, slot->n, name, o->grid + o->n);
    o->n += slot->n;
}

/* The suite on each emulated target, in forked workers; ZBH_USAGE when one could not run. */
static int run_emulated(const conf_args *a, conf_out *o, const zbh_target *const *targets,
                        size_t nt)
{
    /* results, properties and a status per target, written by the workers (shared) */
    size_t shared_len = sizeof(conf_slot) * nt;
    conf_slot *slots =
        mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        fprintf(stderr, "zbharness conformance: mmap: %s\n", strerror(errno));
        return ZBH_USAGE;
    }
    int rc = ZBH_OK;
    conf_run run = {o->out, o->golden, a->dir, o->total, slots};
    if (run_targets(&run, targets, nt, a->jobs) < 0) rc = ZBH_USAGE;
    for (size_t t = 0; t < nt; t++) {
        if (slots[t].rc != ZBH_OK) rc = ZBH_USAGE;
        take_slot(o, &slots[t], targets[t]->name);
    }
    munmap(slots, shared_len);
    return rc;
}

static void print_summary(const conf_out *o)
{
    size_t pass = 0, fail = 0, skip = 0;
    for (size_t i = 0; i < o->n; i++) {
        pass += o->results[i].verdict == ZBH_PASS;
        skip += o->results[i].verdict == ZBH_SKIP;
        fail += o->results[i].verdict == ZBH_FAILED || o->results[i].verdict == ZBH_ERROR;
    }
    fprintf(o->out, "conformance: %zu passed, %zu failed, %zu skipped\n", pass, fail, skip);
}

/* Every report asked for; ZBH_USAGE when one cannot be written (said on stderr), else ZBH_OK. */
static int write_reports(const conf_args *a, conf_out *o)
{
    zbh_grid pic = {"zbharness conformance", "case \\ device", &o->props, o->grid, o->n};
    const char *case_ids[N_CASES], *cols[16];
    for (size_t i = 0; i < N_CASES; i++)
        case_ids[i] = CASES[i].id;
    pic.rows = case_ids;
    pic.n_rows = N_CASES;
    const zbh_target *all[16];
    for (size_t i = 0, na = a->emulate ? zbh_targets(all, 16) : 0; i < na; i++)
        if (zbh_list_has(a->only, all[i]->name)) cols[pic.n_cols++] = all[i]->name;
    pic.cols = cols;
    const zbh_case_result *res = o->results;
    const struct {
        const char *path;
        int err; /* its own errno, read right after its write; 0: written or not asked for */
    } OUT[] = {
        {a->junit,
         !a->junit || zbh_report_junit(a->junit, "zbharness.conformance", &o->props, res, o->n) == 0
             ? 0
             : errno},
        {a->tap, !a->tap || zbh_report_tap(a->tap, res, o->n) == 0 ? 0 : errno},
        {a->html, !a->html || zbh_report_html(a->html, &pic) == 0 ? 0 : errno},
        {a->markdown, !a->markdown || zbh_report_markdown(a->markdown, &pic) == 0 ? 0 : errno},
    };
    int rc = ZBH_OK;
    for (size_t i = 0; i < sizeof(OUT) / sizeof(OUT[0]); i++)
        if (OUT[i].err) {
            char why[160];
            fprintf(stderr, "zbharness conformance: cannot write %s: %s\n", OUT[i].path,
                    file_write_error(OUT[i].path, OUT[i].err, 0, why, sizeof(why)));
            rc = ZBH_USAGE;
        }
    return rc;
}

/* The device, or each target, then the summary and the reports. */
static int run_all(const conf_args *a, conf_out *o, const zbh_target *const *targets, size_t nt)
{
    int rc = ZBH_OK;
    zbh_props_common(&o->props, "conformance");
    if (a->shard.n > 1) zbh_props_add(&o->props, "shard", "%u/%u", a->shard.k, a->shard.n);
    if (!a->emulate) run_device(a, o);
    if (nt && run_emulated(a, o, targets, nt) != ZBH_OK) rc = ZBH_USAGE;
    print_summary(o);
    if (rc == ZBH_OK) rc = zbh_report_exit_code(o->results, o->n);
    if (write_reports(a, o) != ZBH_OK) rc = ZBH_USAGE;
    return rc;
}

int zbh_cmd_conformance(int argc, char **argv)
{
    conf_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    const zbh_target *targets[16];
    size_t nt = pick_targets(&a, targets);
    if (a.list) {
        print_list(&a, targets, nt);
        return ZBH_OK;
    }
    if (!a.dir && !a.emulate) a.dir = ".";
    if (a.dir && check_dir(a.dir) < 0) return ZBH_USAGE;
    conf_out o = {.out = a.tap && strcmp(a.tap, "-") == 0 ? stderr : stdout};
    if (!(o.golden = load_golden(a.golden)) && a.golden) return ZBH_USAGE;
    o.total = (a.emulate ? nt : 1) * N_CASES;
    o.results = calloc(o.total ? o.total : 1, sizeof(*o.results));
    o.grid = calloc(o.total ? o.total : 1, sizeof(*o.grid));
    rc = o.results && o.grid && o.golden ? run_all(&a, &o, targets, nt) : ZBH_USAGE;
    zbh_case_results_free(o.results, o.n);
    zbh_grid_cells_free(o.grid, o.n);
    free(o.results);
    free(o.grid);
    ocb_free(o.golden);
    return rc;
}
