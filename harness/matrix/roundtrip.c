/* roundtrip.c - one cell of the migration matrix. The verdict rests on the backup format
 * alone: the target's read-back must equal the source's backup under the round-trip rules,
 * except for fields the target's driver declares it cannot store, and each of those is
 * reported with its reason. Nothing is lost silently. */
#include "roundtrip.h"

#include "clock.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char zbh_seed_backup_json[];
extern const size_t zbh_seed_backup_json_len;

const char *zbh_verdict_name(enum zbh_verdict v)
{
    static const char *const NAMES[] = {"PASS", "FAIL", "ERROR", "SKIP"};
    return NAMES[v];
}

ocb_backup *zbh_seed_backup(void)
{
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *b = ocb_parse(zbh_seed_backup_json, zbh_seed_backup_json_len, &rep);
    ocb_report_free(&rep);
    return b;
}

/* A backup must validate with neither errors nor warnings once emitted. */
static int strictly_valid(const ocb_backup *b, char *why, size_t cap)
{
    char *text = ocb_emit(b);
    if (!text) return 0;
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *again = ocb_parse(text, strlen(text), &rep);
    int ok = again && rep.n_errors == 0 && rep.n_warnings == 0;
    if (!ok && rep.n_issues) {
        snprintf(why, cap, "%s: %s", rep.issues[0].path, rep.issues[0].message);
    }
    ocb_free(again);
    ocb_report_free(&rep);
    free(text);
    return ok;
}

/* `emulated`: the target is an emulator this run started, so burning its write-once IEEE
 * token costs nothing; a real stick is never burnt by a round trip. Without `force` a target
 * that holds another network is refused before anything is written, with both extended PAN
 * IDs named (a migration is no reason to drop someone's network unasked). */
static int restore_port(const char *stack, const char *port, const ocb_backup *b, uint32_t inc,
                        const char *pre_dir, bool emulated, bool force, zbh_restore_result *res,
                        char *err, size_t errlen)
{
    zbh_session s;
    memset(res, 0, sizeof(*res));
    if (zbh_session_open(&s, stack, port, 115200, err, errlen)) return -1;
    if (!force) {
        char rerr[ZB_MSG_MAX];
        ocb_backup *cur = zbh_backup(&s, NULL, rerr, sizeof(rerr));
        bool other = cur && cur->extended_pan_id != b->extended_pan_id;
        if (other)
            snprintf(err, errlen,
                     "refused: the target %s holds another network (extended PAN ID "
                     "%016llx; the source runs %016llx); nothing was written; --force "
                     "overwrites it (after backing it up)",
                     port, (unsigned long long)cur->extended_pan_id,
                     (unsigned long long)b->extended_pan_id);
        ocb_free(cur);
        if (other) {
            zbh_session_close(&s);
            return -1;
        }
    }
    zbh_restore_req req = {
        inc, force, false, pre_dir, emulated ? ZBH_IEEE_BURN : ZBH_IEEE_REFUSE, NULL, emulated};
    int rc = zbh_restore(&s, b, &req, res);
    zbh_session_close(&s);
    if (rc) snprintf(err, errlen, "restore onto %s failed (see the messages above)", port);
    return rc ? -1 : 0;
}

static void keep(const zbh_cell *c, const char *what, const ocb_backup *b)
{
    if (!c->keep_dir || !b) return;
    zbh_text path = {0};
    zbh_text_set(&path, "%s/%s__%s.%s.json", c->keep_dir, c->src_t ? c->src_t->name : c->src_stack,
                 c->dst_t ? c->dst_t->name : c->dst_stack, what);
    if (path.lost || ocb_write_file(b, zbh_text_get(&path)) < 0)
        LOG_WARN("--keep: could not write %s: %s", zbh_text_get(&path), strerror(errno));
    zbh_text_free(&path);
}

#define CELL_FAIL(v, ...)                                                                          \
    do {                                                                                           \
        c->verdict = (v);                                                                          \
        zbh_text_set(&c->detail, __VA_ARGS__);                                                     \
        goto out;                                                                                  \
    } while (0)

void zbh_cell_run(zbh_cell *c)
{
    double t0 = zb_now_s();
    char dir[] = "/tmp/zbharness-cell-XXXXXX";
    char src_dir[300] = "", dst_dir[300] = "", err[ZB_MSG_MAX];
    zbh_emu src_e = {0}, dst_e = {0};
    ocb_backup *seed = NULL, *a = NULL, *b = NULL;
    zbh_restore_result res = {0};
    c->verdict = ZBH_PASS;
    zbh_text_free(&c->detail);
    c->pre_backup[0] = '\0';
    c->epid = 0;
    const char *src_port = c->src_port, *dst_port = c->dst_port;
    const char *src_stack = c->src_t ? c->src_t->stack : c->src_stack;
    const char *dst_stack = c->dst_t ? c->dst_t->stack : c->dst_stack;
    const char *pre_dir = c->keep_dir ? c->keep_dir : ".";
    if (c->src_t || c->dst_t) {
        if (!mkdtemp(dir)) CELL_FAIL(ZBH_ERROR, "mkdtemp: %s", strerror(errno));
        pre_dir = dir;
    }
    if (c->src_t) {
        snprintf(src_dir, sizeof(src_dir), "%s/source", dir);
        mkdir(src_dir, 0700);
        if (zbh_emu_start_args(&src_e, c->src_t, src_dir, c->seed,
                               zbh_world_source_args(&c->world, dir), err, sizeof(err)) < 0)
            CELL_FAIL(ZBH_ERROR, "source emulator: %s", err);
        src_port = src_e.port;
        /* a populated network to migrate: the seed backup restored onto the source */
        seed = zbh_seed_backup();
        if (!seed) CELL_FAIL(ZBH_ERROR, "the built-in seed backup does not parse");
        if (restore_port(src_stack, src_port, seed, 2500, src_dir, true, true, &res, err,
                         sizeof(err)) < 0)
            CELL_FAIL(ZBH_ERROR, "seeding the source: %s", err);
        zbh_restore_result_free(&res);
    }
    if (c->dst_t) {
        snprintf(dst_dir, sizeof(dst_dir), "%s/target", dir);
        mkdir(dst_dir, 0700);
        if (!c->world.on &&
            zbh_emu_start(&dst_e, c->dst_t, dst_dir, c->seed + 1000, err, sizeof(err)) < 0)
            CELL_FAIL(ZBH_ERROR, "target emulator: %s", err);
        dst_port = dst_e.port;
    }
    /* 1. back up the source and validate */
    a = zbh_backup_port(src_stack, src_port, 115200, NULL, err, sizeof(err));
    if (!a) CELL_FAIL(ZBH_FAILED, "backup of the source: %s", err);
    keep(c, "source", a);
    char why[sizeof(((ocb_issue *)0)->path) + sizeof(((ocb_issue *)0)->message) + 4] = "";
    if (!strictly_valid(a, why, sizeof(why)))
        CELL_FAIL(ZBH_FAILED, "the source backup does not validate: %s", why);
    c->n_devices = a->n_devices;
    c->epid = a->extended_pan_id;
    if (c->world.on && c->src_t && c->dst_t) { /* the target starts once the source let go */
        if (zbh_world_migrate(&c->world, dir, &src_e, &dst_e, c->dst_t, c->seed + 1000, a, err,
                              sizeof(err)) < 0)
            CELL_FAIL(ZBH_ERROR, "world: %s", err);
        dst_port = dst_e.port;
    }
    /* 2. restore onto the target (it compares the read-back and names what it cannot store) */
    uint32_t inc = c->world.counter_increment >= 0 && c->world.on
                       ? (uint32_t)c->world.counter_increment
                       : 2500;
    int rrc = restore_port(dst_stack, dst_port, a, inc, pre_dir, c->dst_t != NULL || c->burn_ieee,
                           c->dst_t != NULL || c->force, &res, err, sizeof(err));
    snprintf(c->pre_backup, sizeof(c->pre_backup), "%s", res.pre_backup);
    if (rrc < 0) CELL_FAIL(ZBH_FAILED, "%s", err);
    c->n_losses = res.n_losses;
    memcpy(c->losses, res.losses, sizeof(res.losses));
    /* 3. a new session: the target answers and holds the network; validate and compare */
    b = zbh_backup_port(dst_stack, dst_port, 115200, NULL, err, sizeof(err));
    if (!b) CELL_FAIL(ZBH_FAILED, "the target does not answer after the restore: %s", err);
    keep(c, "target", b);
    if (!strictly_valid(b, why, sizeof(why)))
        CELL_FAIL(ZBH_FAILED, "the target's backup does not validate: %s", why);
    if (b->coordinator_ieee != a->coordinator_ieee || b->extended_pan_id != a->extended_pan_id ||
        b->pan_id != a->pan_id || b->channel != a->channel ||
        memcmp(b->network_key.key, a->network_key.key, 16) != 0)
        CELL_FAIL(ZBH_FAILED, "the target runs another network than the source's");
    if (b->network_key.frame_counter < a->network_key.frame_counter)
        CELL_FAIL(ZBH_FAILED, "the frame counter went back (%u -> %u)",
                  a->network_key.frame_counter, b->network_key.frame_counter);
out:
    if (c->verdict == ZBH_PASS)
        zbh_text_set(&c->detail, "%zu devices, counter %u -> %u", c->n_devices,
                     a->network_key.frame_counter, b->network_key.frame_counter);
    zbh_restore_result_free(&res);
    ocb_free(seed);
    ocb_free(a);
    ocb_free(b);
    zbh_world_before_stop(&c->world, &dst_e);
    int s1 = zbh_emu_stop(&src_e), s2 = zbh_emu_stop(&dst_e);
    if (c->world.on && c->src_t)
        zbh_world_cell_verdict(dir, c->world_verdict, sizeof(c->world_verdict), c->world_golden,
                               sizeof(c->world_golden));
    if ((s1 || s2) && c->verdict == ZBH_PASS) {
        c->verdict = ZBH_FAILED;
        zbh_text_set(&c->detail, "an emulator exited with status %d/%d (see %s)", s1, s2, dir);
    }
    if ((c->src_t || c->dst_t) && c->verdict == ZBH_PASS && !getenv("ZBH_KEEP_CELLS")) {
        if (zbh_remove_tree(dir) < 0) LOG_WARN("could not remove %s: %s", dir, strerror(errno));
    }
    c->seconds = zb_now_s() - t0;
}
