/* cmd_conformance.c - `zbharness conformance`: named test cases against one coordinator (a
 * real stick or, with --emulate, each emulator in turn). The cases are data: a table of
 * {id, description, function}; each returns a verdict and a reason. A device's own network is
 * backed up before anything is written and put back at the end (the last case), so a vendor
 * can run the suite on a stick that holds a network. A first read that fails (rather than
 * proving the device empty) stops every write of the run: a network is never lost to a
 * timeout (issue 26). */
#include "cli.h"
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

static void conformance_help(void)
{
    printf("usage: zbharness conformance --stack znp|ezsp|zboss|auto --port PATH [OPTIONS]\n"
           "       zbharness conformance --emulate [--targets A,B] [OPTIONS]\n\n"
           "Runs the conformance cases against one coordinator. The device's network is backed\n"
           "up first (to --dir, default the current directory) and put back at the end.\n"
           "--stack auto identifies the protocol with each driver's read-only wake-up; zstack\n"
           "and ember are accepted for znp and ezsp. --port: a serial device, a pty,\n"
           "tcp://HOST:PORT or socket://HOST:PORT.\n\n" ZBH_SHARED_PORT_HELP
           "  --golden FILE   the backup to restore (default: the built-in populated network)\n"
           "  --dir DIR       where backups are kept (default .; must exist and be writable);\n"
           "                  with --emulate each emulator's NVRAM and backups stay in DIR/TARGET\n"
           "  --targets A,B   with --emulate: only these emulated targets\n"
           "  --shard K/N     with --emulate: only shard K of N of the targets (round-robin)\n"
           "  --jobs N        with --emulate: targets in parallel, each in its own process\n"
           "                  (default 2; 1..16); their progress lines interleave\n"
           "  --list          print the cases this run would take, and exit\n"
           "  --junit FILE    JUnit XML (a <properties> block: stack, firmware, IEEE, port, date)\n"
           "  --tap FILE      TAP; '-' for stdout (everything else goes to stderr)\n"
           "  --html FILE     the cases as a picture: case rows x device columns, with the\n"
           "                  device's properties;  --markdown FILE  the same as a markdown table\n"
           "  -q, --quiet     no progress lines on stderr\n"
           "  -v              log progress\n" ZBH_TIME_SCALE_HELP "\ncases:\n");
    for (size_t i = 0; i < N_CASES; i++)
        printf("  %-26s %s\n", CASES[i].id, CASES[i].description);
    printf("\nExit: 0 all passed (or skipped), 1 a case failed, 2 usage or environment error.\n");
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

int zbh_cmd_conformance(int argc, char **argv)
{
    static const struct option OPTS[] = {{"stack", required_argument, NULL, 's'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"emulate", no_argument, NULL, 'e'},
                                         {"targets", required_argument, NULL, 'o'},
                                         {"golden", required_argument, NULL, 'g'},
                                         {"dir", required_argument, NULL, 'd'},
                                         {"junit", required_argument, NULL, 'J'},
                                         {"tap", required_argument, NULL, 'T'},
                                         {"html", required_argument, NULL, 'H'},
                                         {"markdown", required_argument, NULL, 'M'},
                                         {"shard", required_argument, NULL, 'x'},
                                         {"list", no_argument, NULL, 'l'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"shared-port", no_argument, NULL, 'P'},
                                         {"time-scale", required_argument, NULL, 'Z'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *stack = NULL, *port = NULL, *golden_path = NULL, *dir = NULL, *junit = NULL,
               *tap = NULL, *only = NULL, *html = NULL, *markdown = NULL;
    int emulate = 0, verbose = 0, quiet = 0, list = 0, jobs = 2, c;
    zbh_shard shard = {1, 1};
    char err[ZB_MSG_MAX];
    optind = 1;
    while ((c = getopt_long(argc, argv, "vqh", OPTS, NULL)) != -1) {
        switch (c) {
        case 's': stack = optarg; break;
        case 'p': port = optarg; break;
        case 'P': zbh_cli_link_option(c, optarg, "zbharness", NULL); break;
        case 'e': emulate = 1; break;
        case 'o': only = optarg; break;
        case 'g': golden_path = optarg; break;
        case 'd': dir = optarg; break;
        case 'J': junit = optarg; break;
        case 'T': tap = optarg; break;
        case 'H': html = optarg; break;
        case 'M': markdown = optarg; break;
        case 'l': list = 1; break;
        case 'q': quiet = 1; break;
        case 'x':
            if (zbh_shard_parse(optarg, &shard, err, sizeof(err)) < 0) {
                fprintf(stderr, "zbharness conformance: %s\n", err);
                return ZBH_USAGE;
            }
            break;
        case 'v': verbose++; break;
        case 'Z':
            if (zbh_cli_time_scale_option(optarg, "zbharness conformance")) return ZBH_USAGE;
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || end == optarg || v < 1 || v > 16) {
                fprintf(stderr, "zbharness conformance: --jobs: '%s' is not a number in 1..16\n",
                        optarg);
                return ZBH_USAGE;
            }
            jobs = (int)v;
            break;
        }
        case 'h': conformance_help(); return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "zbharness conformance: unexpected argument '%s' (try --help)\n",
                argv[optind]);
        return ZBH_USAGE;
    }
    if (!emulate && (!stack || !port)) {
        fprintf(stderr, "zbharness conformance: --stack and --port, or --emulate (try --help)\n");
        return ZBH_USAGE;
    }
    if (!emulate && (only || shard.n > 1)) {
        fprintf(stderr, "zbharness conformance: --targets and --shard need --emulate\n");
        return ZBH_USAGE;
    }
    if (zbh_list_check(only, err, sizeof(err)) < 0) {
        fprintf(stderr, "zbharness conformance: %s\n", err);
        return ZBH_USAGE;
    }
    FILE *out = tap && strcmp(tap, "-") == 0 ? stderr : stdout;
    zb_log_set_level(verbose ? ZB_LOG_INFO : ZB_LOG_ERROR);
    zbh_progress_set_quiet(quiet);
    /* the run's targets: with --emulate the selected ones, dealt round-robin into shards */
    const zbh_target *targets[16];
    size_t nt = 0;
    if (emulate) {
        const zbh_target *all[16];
        size_t na = zbh_targets(all, 16), whole = 0;
        for (size_t i = 0; i < na; i++)
            if (zbh_list_has(only, all[i]->name) && zbh_shard_has(&shard, whole++))
                targets[nt++] = all[i];
    }
    if (list) {
        for (size_t t = 0; t < (emulate ? nt : 1); t++)
            for (size_t i = 0; i < N_CASES; i++)
                printf("%s%s%s\n", emulate ? targets[t]->name : "", emulate ? "/" : "",
                       CASES[i].id);
        return ZBH_OK;
    }
    if (!dir && !emulate) dir = ".";
    if (dir && check_dir(dir) < 0) return ZBH_USAGE;
    ocb_backup *golden = NULL;
    if (golden_path) {
        ocb_report rep;
        ocb_report_init(&rep);
        golden = ocb_parse_file(golden_path, &rep);
        ocb_report_free(&rep);
        if (!golden) {
            fprintf(stderr, "zbharness conformance: %s is not a valid backup (try validate)\n",
                    golden_path);
            return ZBH_USAGE;
        }
    } else {
        golden = zbh_seed_backup();
    }
    size_t total = (emulate ? nt : 1) * N_CASES, n = 0;
    zbh_case_result *results = calloc(total ? total : 1, sizeof(*results));
    zbh_grid_cell *grid = calloc(total ? total : 1, sizeof(*grid));
    if (!results || !grid || !golden) {
        free(results);
        free(grid);
        ocb_free(golden);
        return ZBH_USAGE;
    }
    zbh_report_props props = {0};
    zbh_props_common(&props, "conformance");
    if (shard.n > 1) zbh_props_add(&props, "shard", "%u/%u", shard.k, shard.n);
    int rc = ZBH_OK;
    if (!emulate) {
        conf_ctx ctx = {.stack = stack, .port = port, .dir = dir, .golden = golden};
        n += run_suite(out, &ctx, "", results, total, 0, NULL);
        device_props(&props, "", &ctx);
        char col[64];
        snprintf(col, sizeof(col), "%s", ctx.info.stack[0] ? ctx.info.stack : ctx.stack);
        to_grid(results, n, col, grid);
        ocb_free(ctx.original);
        ocb_free(ctx.after);
    }
    if (nt) {
        /* results, properties and a status per target, written by the workers (shared) */
        size_t shared_len = sizeof(conf_slot) * nt;
        conf_slot *slots =
            mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (slots == MAP_FAILED) {
            fprintf(stderr, "zbharness conformance: mmap: %s\n", strerror(errno));
            rc = ZBH_USAGE;
        } else {
            conf_run run = {out, golden, dir, total, slots};
            if (run_targets(&run, targets, nt, jobs) < 0) rc = ZBH_USAGE;
            for (size_t t = 0; t < nt; t++) {
                if (slots[t].rc != ZBH_OK) rc = ZBH_USAGE;
                memcpy(results + n, slots[t].results, sizeof(slots[t].results[0]) * slots[t].n);
                for (size_t k = 0; k < slots[t].n; k++) {
                    results[n + k].detail = (zbh_text){0};
                    zbh_text_set(&results[n + k].detail, "%s", slots[t].why[k]);
                }
                for (size_t k = 0; k < slots[t].props.n; k++)
                    zbh_props_add(&props, slots[t].props.p[k].name, "%s",
                                  slots[t].props.p[k].value);
                to_grid(results + n, slots[t].n, targets[t]->name, grid + n);
                n += slots[t].n;
            }
            munmap(slots, shared_len);
        }
    }
    size_t pass = 0, fail = 0, skip = 0;
    for (size_t i = 0; i < n; i++) {
        pass += results[i].verdict == ZBH_PASS;
        skip += results[i].verdict == ZBH_SKIP;
        fail += results[i].verdict == ZBH_FAILED || results[i].verdict == ZBH_ERROR;
    }
    fprintf(out, "conformance: %zu passed, %zu failed, %zu skipped\n", pass, fail, skip);
    if (rc == ZBH_OK) rc = zbh_report_exit_code(results, n);
    zbh_grid pic = {"zbharness conformance", "case \\ device", &props, grid, n};
    const char *case_ids[N_CASES], *cols[16];
    for (size_t i = 0; i < N_CASES; i++)
        case_ids[i] = CASES[i].id;
    pic.rows = case_ids;
    pic.n_rows = N_CASES;
    const zbh_target *all[16];
    for (size_t i = 0, na = emulate ? zbh_targets(all, 16) : 0; i < na; i++)
        if (zbh_list_has(only, all[i]->name)) cols[pic.n_cols++] = all[i]->name;
    pic.cols = cols;
    const struct {
        const char *path;
        int err; /* its own errno, read right after its write; 0: written or not asked for */
    } OUT[] = {
        {junit, !junit || zbh_report_junit(junit, "zbharness.conformance", &props, results, n) == 0
                    ? 0
                    : errno},
        {tap, !tap || zbh_report_tap(tap, results, n) == 0 ? 0 : errno},
        {html, !html || zbh_report_html(html, &pic) == 0 ? 0 : errno},
        {markdown, !markdown || zbh_report_markdown(markdown, &pic) == 0 ? 0 : errno},
    };
    for (size_t i = 0; i < sizeof(OUT) / sizeof(OUT[0]); i++)
        if (OUT[i].err) {
            char why[160];
            fprintf(stderr, "zbharness conformance: cannot write %s: %s\n", OUT[i].path,
                    file_write_error(OUT[i].path, OUT[i].err, 0, why, sizeof(why)));
            rc = ZBH_USAGE;
        }
    zbh_case_results_free(results, n);
    zbh_grid_cells_free(grid, n);
    free(results);
    free(grid);
    ocb_free(golden);
    return rc;
}
