/* ops.c - one device's backup and restore as library calls (see ops.h for the rules). */
#include "ops.h"

#include "journal.h"
#include "log.h"
#include "progress.h"
#include "precheck.h"
#include "prerestore.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --stack auto: each driver's own wake-up and identification (ZNP: SYS_PING and version
 * reads; ZBOSS: GET_MODULE_VERSION; EZSP: RST and the version exchange), which read and
 * reset but never write configuration or NVRAM. ZNP first: its ping is ignored as noise by
 * the other two link layers. */
static int session_open_auto(zbh_session *s, const char *port, int baud, char *err, size_t errlen)
{
    static const char *const ORDER[] = {"znp", "zboss", "ezsp"};
    char tried[ZB_MSG_MAX] = "";
    for (size_t i = 0; i < sizeof(ORDER) / sizeof(ORDER[0]); i++) {
        const zbh_driver *d = zbh_find_driver(ORDER[i]);
        if (!d) continue;
        memset(s, 0, sizeof(*s));
        s->drv = d;
        zbh_progress("--stack auto: trying %s on %s", d->name, port);
        s->serial = zbh_serial_open(port, baud, err, errlen);
        if (!s->serial) return ZBH_USAGE;
        char derr[ZB_MSG_MAX];
        s->dev = d->open(s->serial, &s->info, derr, sizeof(derr));
        if (s->dev) {
            LOG_INFO("%s speaks %s (%s)", port, d->name, s->info.firmware);
            return ZBH_OK;
        }
        zbh_serial_close(s->serial);
        s->serial = NULL;
        size_t o = strlen(tried);
        int k = snprintf(tried + o, sizeof(tried) - o, "%s%s: %s", o ? "; " : "", d->name, derr);
        if (k < 0 || (size_t)k >= sizeof(tried) - o) break; /* full: enough said */
    }
    snprintf(err, errlen, "%s: no known protocol answered (%s)", port, tried);
    return ZBH_FAIL;
}

int zbh_session_open(zbh_session *s, const char *stack, const char *port, int baud, char *err,
                     size_t errlen)
{
    memset(s, 0, sizeof(*s));
    if (strcmp(stack, "auto") == 0) return session_open_auto(s, port, baud, err, errlen);
    s->drv = zbh_find_driver(stack);
    if (!s->drv) {
        snprintf(err, errlen, "--stack %s: unknown (known: %s)", stack, zbh_driver_names());
        return ZBH_USAGE;
    }
    s->serial = zbh_serial_open(port, baud, err, errlen);
    if (!s->serial) return ZBH_USAGE;
    char derr[ZB_MSG_MAX];
    s->dev = s->drv->open(s->serial, &s->info, derr, sizeof(derr));
    if (!s->dev) {
        snprintf(err, errlen, "%s: %s", port, derr);
        zbh_serial_close(s->serial);
        s->serial = NULL;
        return ZBH_FAIL;
    }
    return ZBH_OK;
}

void zbh_session_close(zbh_session *s)
{
    if (s->dev) s->drv->close(s->dev);
    if (s->serial) zbh_serial_close(s->serial);
    memset(s, 0, sizeof(*s));
}

static ocb_backup *read_network(zbh_session *s, zbh_read_status *st, char *err, size_t errlen)
{
    if (st) *st = ZBH_READ_FAILED;
    return s->drv->read_network(s->dev, st, err, errlen);
}

/* Every unfinished restore on this port is said on stderr with the command that finishes it,
 * whatever the stick holds now: a backup taken now would be the half-written state, or the
 * stick still runs its old network while a reset the killed restore sent is still to come, or
 * it is rebooting and cannot be read (when the user needs this most). */
static void warn_unfinished_restores(zbh_session *s, const ocb_backup *b)
{
    zbh_journal *list;
    size_t n = zbh_journal_find(NULL, false, 0, zbh_serial_name(s->serial), &list);
    zbh_journal_warn_unfinished(list, n, "zbharness", b);
    zbh_journal_list_free(list, n);
}

ocb_backup *zbh_backup(zbh_session *s, zbh_read_status *st, char *err, size_t errlen)
{
    ocb_backup *b = read_network(s, st, err, errlen);
    warn_unfinished_restores(s, b);
    return b;
}

static uint64_t nwk_frame_counter(const ocb_backup *b)
{
    return b->network_key.frame_counter;
}

static uint64_t device_count(const ocb_backup *b)
{
    return b->n_devices;
}

static uint64_t link_key_count(const ocb_backup *b)
{
    uint64_t n = 0;
    for (size_t i = 0; i < b->n_devices; i++)
        n += b->devices[i].has_link_key;
    return n;
}

size_t zbh_backup_shrinks(const ocb_backup *old, const ocb_backup *neu,
                          zbh_shrink out[ZBH_SHRINK_MAX])
{
    static const struct {
        const char *field;
        uint64_t (*measure)(const ocb_backup *);
    } MEASURES[ZBH_SHRINK_MAX] = {
        {"network_key.frame_counter", nwk_frame_counter},
        {"devices", device_count},
        {"devices with link keys", link_key_count},
    };
    size_t n = 0;
    if (old->extended_pan_id != neu->extended_pan_id) return 0;
    for (size_t i = 0; i < ZBH_SHRINK_MAX; i++) {
        uint64_t was = MEASURES[i].measure(old), now = MEASURES[i].measure(neu);
        if (now < was) out[n++] = (zbh_shrink){MEASURES[i].field, was, now};
    }
    return n;
}

ocb_backup *zbh_backup_port(const char *stack, const char *port, int baud, zbh_device_info *info,
                            char *err, size_t errlen)
{
    zbh_session s;
    if (zbh_session_open(&s, stack, port, baud, err, errlen)) return NULL;
    if (info) *info = s.info;
    ocb_backup *b = zbh_backup(&s, NULL, err, errlen);
    zbh_session_close(&s);
    return b;
}

void zbh_rules_with_losses(const zbh_loss *losses, ocb_rule *rules_buf, ocb_diff_rules *out)
{
    size_t n = 0;
    for (size_t i = 0; i < OCB_RULES_ROUNDTRIP.n_rules && n < 32; i++)
        rules_buf[n++] = OCB_RULES_ROUNDTRIP.rules[i];
    /* later rules win: losses override the counter rules */
    for (const zbh_loss *l = losses; l && l->field && n < 32; l++)
        rules_buf[n++] = (ocb_rule){l->field, OCB_CMP_IGNORE};
    *out = (ocb_diff_rules){rules_buf, n, OCB_RULES_ROUNDTRIP.max_increment};
}

/* "devices[00124b0001020304].link_key.key" -> "devices[].link_key.key" */
static void field_of_path(const char *path, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 1 < cap; p++) {
        out[o++] = *p;
        if (*p == '[') {
            while (p[1] && p[1] != ']')
                p++;
        }
    }
    out[o] = '\0';
}

static const zbh_loss *find_loss(const zbh_loss *losses, const char *field)
{
    for (const zbh_loss *l = losses; l && l->field; l++)
        if (strcmp(l->field, field) == 0) return l;
    return NULL;
}

static void note_loss(zbh_restore_result *res, const zbh_loss *l)
{
    for (size_t i = 0; i < res->n_losses; i++)
        if (strcmp(res->losses[i].field, l->field) == 0) return;
    if (res->n_losses >= sizeof(res->losses) / sizeof(res->losses[0])) return;
    zbh_loss_report *r = &res->losses[res->n_losses++];
    snprintf(r->field, sizeof(r->field), "%s", l->field);
    snprintf(r->why, sizeof(r->why), "%s", l->why);
}

/* The counters as a restore writes them: the plan's NWK frame counter and every link-key TX
 * counter plus the increment, saturating. The one place the increment is applied: the drivers
 * write what they are given, and the journal records it. A key whose counter is 0 gets the
 * increment too: a writer that did not know the counter wrote 0. */
static ocb_backup *with_increment(const ocb_backup *plan, uint32_t inc)
{
    ocb_backup *b = ocb_clone(plan);
    if (!b) return NULL;
    b->network_key.frame_counter = zbh_counter_add(b->network_key.frame_counter, inc);
    for (size_t i = 0; i < b->n_devices; i++)
        if (b->devices[i].has_link_key)
            b->devices[i].link_key.tx_counter =
                zbh_counter_add(b->devices[i].link_key.tx_counter, inc);
    return b;
}

/* What a restore must read back: the plan with the increment on every counter it writes
 * (the NWK frame counter, and each link-key TX counter that is in use: a counter of 0 was
 * never used, so a stick may keep it at 0). Saturating, like the drivers. */
static ocb_backup *expected_after(const ocb_backup *plan, uint32_t inc)
{
    ocb_backup *want = ocb_clone(plan);
    if (!want) return NULL;
    want->network_key.frame_counter = zbh_counter_add(want->network_key.frame_counter, inc);
    for (size_t i = 0; i < want->n_devices; i++) {
        ocb_device *d = &want->devices[i];
        if (d->has_link_key && d->link_key.tx_counter)
            d->link_key.tx_counter = zbh_counter_add(d->link_key.tx_counter, inc);
    }
    return want;
}

/* Verification is "at least what was planned": a counter may read back higher than written
 * (a stick that keeps a higher counter through a reset, as ZBOSS does), never lower. The
 * bound on how much a counter may rise belongs to `diff`, not here. */
static const ocb_rule VERIFY_RULES[] = {
    {"network_key.frame_counter", OCB_CMP_COUNTER},
    {"devices[].link_key.tx_counter", OCB_CMP_COUNTER},
    {"devices[].link_key.rx_counter", OCB_CMP_COUNTER},
};
static const ocb_diff_rules RULES_VERIFY = {VERIFY_RULES,
                                            sizeof(VERIFY_RULES) / sizeof(VERIFY_RULES[0]), 0};

/* Compares want with the read-back: differences in declared losses are noted, any other is
 * printed and counted. Returns the number of real differences, or -1. */
static int compare_read_back(const ocb_backup *want, const ocb_backup *after,
                             const zbh_loss *losses, zbh_restore_result *res)
{
    ocb_diff_result d = {0};
    int n = ocb_diff(want, after, &RULES_VERIFY, &d);
    if (n < 0) return -1;
    int real = 0;
    for (size_t i = 0; i < d.n; i++) {
        char field[96];
        field_of_path(d.items[i].path, field, sizeof(field));
        /* another stack's sub-object that the target adds (its own TCLK seed, say) is new
         * information, not a difference */
        if (strncmp(field, "stack_specific.", 15) == 0 && strcmp(d.items[i].a, "(absent)") == 0)
            continue;
        const zbh_loss *l = find_loss(losses, field);
        if (l) {
            note_loss(res, l);
            continue;
        }
        fprintf(stderr, "zbharness restore: read back %s: %s -> %s (%s)\n", d.items[i].path,
                d.items[i].a, d.items[i].b, d.items[i].why);
        real++;
    }
    ocb_diff_result_free(&d);
    return real;
}

/* Counters that read back above what was written: fine (they only need to rise), and said. */
static void report_higher_counters(const ocb_backup *want, const ocb_backup *after)
{
    if (after->network_key.frame_counter > want->network_key.frame_counter)
        fprintf(stderr,
                "zbharness restore: the NWK frame counter reads back %u, above the %u written "
                "(the stick keeps a higher one): fine, counters only need to rise\n",
                after->network_key.frame_counter, want->network_key.frame_counter);
    size_t higher = 0;
    for (size_t i = 0; i < want->n_devices; i++) {
        const ocb_device *w = &want->devices[i];
        const ocb_device *a = ocb_find_device(after, w->ieee);
        if (w->has_link_key && a && a->has_link_key &&
            a->link_key.tx_counter > w->link_key.tx_counter)
            higher++;
    }
    if (higher)
        fprintf(stderr,
                "zbharness restore: %zu link-key TX counters read back above what was written "
                "(the stick keeps one counter for all keys, or a higher one): fine\n",
                higher);
}

/* For the same network, no counter goes below what the stick holds: the NWK frame counter
 * and each device's link-key TX counter take the higher of backup and stick (the increment
 * is added on top by with_increment). Says what it raised. */
static void keep_higher_counters(ocb_backup *plan, const ocb_backup *cur)
{
    if (plan->network_key.frame_counter < cur->network_key.frame_counter) {
        fprintf(stderr,
                "zbharness restore: the stick's NWK frame counter %u is above the backup's %u "
                "(same network): keeping %u, plus the increment\n",
                cur->network_key.frame_counter, plan->network_key.frame_counter,
                cur->network_key.frame_counter);
        plan->network_key.frame_counter = cur->network_key.frame_counter;
    }
    size_t raised = 0;
    uint32_t top = 0;
    for (size_t i = 0; i < plan->n_devices; i++) {
        ocb_device *d = &plan->devices[i];
        const ocb_device *c = ocb_find_device(cur, d->ieee);
        if (!d->has_link_key || !c || !c->has_link_key) continue;
        if (c->link_key.tx_counter > d->link_key.tx_counter) {
            d->link_key.tx_counter = c->link_key.tx_counter;
            if (c->link_key.tx_counter > top) top = c->link_key.tx_counter;
            raised++;
        }
    }
    if (raised)
        fprintf(stderr,
                "zbharness restore: %zu APS link-key TX counters on the stick are above the "
                "backup's (highest %u): keeping the stick's, plus the increment\n",
                raised, top);
}

/* Counters at the 32-bit end cannot grow: say so (the arithmetic saturates, never wraps). */
static void warn_saturation(const ocb_backup *plan, uint32_t inc)
{
    if ((uint64_t)plan->network_key.frame_counter + inc > UINT32_MAX)
        fprintf(stderr,
                "zbharness restore: warning: NWK frame counter %u + %u passes 2^32-1: written "
                "as 4294967295 (the network key must be changed soon)\n",
                plan->network_key.frame_counter, inc);
}

static void print_issues(const ocb_report *rep, const char *what)
{
    for (size_t i = 0; i < rep->n_issues; i++)
        fprintf(stderr, "zbharness restore: %s: %s: %s%s%s\n", what,
                rep->issues[i].severity == OCB_ERROR ? "error" : "warning", rep->issues[i].path,
                rep->issues[i].path[0] ? ": " : "", rep->issues[i].message);
}

/* The values and table sizes the target would refuse or change (precheck.h), printed; true
 * when the restore must stop before any write. */
static bool refused_by_target(const zbh_session *s, const ocb_backup *b)
{
    ocb_report rep;
    ocb_report_init(&rep);
    size_t n_err = zbh_precheck(b, s->drv->name, s->info.profile, &rep);
    print_issues(&rep, "the target would refuse or change this");
    ocb_report_free(&rep);
    if (n_err)
        fprintf(stderr, "zbharness restore: %zu problems for %s (%s); nothing was written\n", n_err,
                zbh_serial_name(s->serial), s->info.firmware);
    return n_err != 0;
}

/* Garbled device entries (ocb_entries.c): each said with what the restore does with it, and
 * the fix applied to a copy of `want` that the rest of the restore works from. NULL when out
 * of memory (said). */
static ocb_backup *fix_entries(const ocb_backup *want)
{
    ocb_backup *fixed = ocb_clone(want);
    ocb_entry_notes notes;
    if (!fixed || ocb_entry_notes_find(fixed, &notes) < 0) {
        fprintf(stderr, "zbharness restore: out of memory checking the device entries; nothing "
                        "was written\n");
        ocb_free(fixed);
        return NULL;
    }
    for (size_t i = 0; i < notes.n; i++)
        fprintf(stderr, "zbharness restore: %s: %s; %s\n", notes.items[i].path, notes.items[i].what,
                ocb_entry_fix_text(notes.items[i].fix));
    ocb_entry_notes_apply(fixed, &notes);
    ocb_entry_notes_free(&notes);
    return fixed;
}

/* A coordinator_ieee that is a placeholder (ocb_placeholder_ieee) is written only with the
 * user's consent, or when it changes nothing (the stick has it already) or costs nothing (a
 * scratch emulator). True when the restore must stop, said on stderr. */
static bool refused_placeholder(const ocb_backup *plan, const zbh_restore_req *req, bool have_ieee,
                                uint64_t dev_ieee)
{
    char why[320];
    if (!ocb_placeholder_ieee(plan, why, sizeof(why))) return false;
    if (have_ieee && dev_ieee == plan->coordinator_ieee) return false;
    if (req->placeholder_ieee || req->scratch) {
        fprintf(stderr, "zbharness restore: %s: coordinator_ieee %s; writing it all the same\n",
                req->scratch ? "a scratch emulator" : "--write-placeholder-ieee", why);
        return false;
    }
    fprintf(stderr,
            "zbharness restore: coordinator_ieee %s. Writing it would give the stick a fake "
            "address (on EmberZNet burnt into a write-once token, for ever); nothing was written. "
            "Choose one: --keep-ieee (restore with the stick's own IEEE: devices that check the "
            "trust center's address, or bound to the old IEEE, must be re-paired or re-bound) "
            "or --write-placeholder-ieee (the network really runs with this IEEE)\n",
            why);
    return true;
}

/* The journal next to the pre-restore backup (required: without it nothing is written),
 * then in the per-user state directory (a warning when that fails; none for a scratch
 * emulator). res->journal names the first. 0 or -1, with the reason on stderr. */
static int journal_save(zbh_journal *j, const zbh_restore_req *req, zbh_restore_result *res)
{
    char dir[PATH_MAX], state[PATH_MAX], err[ZB_MSG_MAX] = "";
    if (!realpath(req->pre_dir ? req->pre_dir : ".", dir) ||
        zbh_journal_save(j, dir, err, sizeof(err)) < 0) {
        if (!err[0]) snprintf(err, sizeof(err), "%s: %s", req->pre_dir, strerror(errno));
        fprintf(stderr,
                "zbharness restore: the restore journal: %s; refusing to write to the device "
                "without it\n",
                err);
        return -1;
    }
    snprintf(res->journal, sizeof(res->journal), "%s", j->file);
    if (req->scratch) return 0;
    if (zbh_journal_state_dir(state, sizeof(state), err, sizeof(err)) < 0 ||
        (strcmp(state, dir) != 0 && zbh_journal_save(j, state, err, sizeof(err)) < 0))
        fprintf(stderr, "zbharness restore: warning: no second copy of the journal: %s\n", err);
    fprintf(stderr, "zbharness: restore journal %s%s%s\n", res->journal,
            strcmp(j->file, res->journal) != 0 ? " and " : "",
            strcmp(j->file, res->journal) != 0 ? j->file : "");
    return 0;
}

/* A verified read-back: the journal is done, with the counters as read back. A journal that
 * cannot be marked done only makes later backups warn, so this is a warning. */
static void journal_finish(zbh_journal *j, const zbh_restore_req *req, zbh_restore_result *res)
{
    char dir[PATH_MAX], state[PATH_MAX], err[ZB_MSG_MAX] = "";
    j->done = true;
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) ||
        !strftime(j->finished, sizeof(j->finished), "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(j->finished, sizeof(j->finished), "?");
    zbh_journal_merge_counters(j, res->after);
    if (!realpath(req->pre_dir ? req->pre_dir : ".", dir) ||
        zbh_journal_save(j, dir, err, sizeof(err)) < 0)
        fprintf(stderr, "zbharness restore: warning: could not mark the journal done: %s\n", err);
    if (!req->scratch && zbh_journal_state_dir(state, sizeof(state), err, sizeof(err)) == 0 &&
        strcmp(state, dir) != 0 && zbh_journal_save(j, state, err, sizeof(err)) < 0)
        fprintf(stderr, "zbharness restore: warning: could not mark the journal done: %s\n", err);
}

int zbh_restore(zbh_session *s, const ocb_backup *want, const zbh_restore_req *req,
                zbh_restore_result *res)
{
    memset(res, 0, sizeof(*res));
    const char *port = zbh_serial_name(s->serial);
    char err[ZB_MSG_MAX];
    int rc = ZBH_FAIL;
    ocb_backup *plan = NULL, *cur = NULL, *expect = NULL, *fixed = NULL, *written = NULL;
    zbh_journal *journal = NULL, *found = NULL;
    size_t n_found = 0;
    zbh_read_status st = ZBH_READ_FAILED;
    /* Ctrl-C before the first write: say that nothing was written */
    zbh_interrupt_arm("Nothing was written to the device: it holds what it held before.\n");
    /* 0. garbled entries are said and fixed; what no target takes is refused without
     * touching the device */
    if (!(fixed = fix_entries(want)) || refused_by_target(s, fixed)) goto out;
    want = fixed;
    /* 1. what is there: a read that failed is never "no network" */
    zbh_progress("reading what %s holds before writing", port);
    cur = read_network(s, &st, err, sizeof(err));
    if (!cur && st != ZBH_READ_NO_NETWORK) {
        fprintf(stderr,
                "zbharness restore: could not read the network on %s (%s); nothing was "
                "written: a failed read is not \"no network\". Check the link and try again.\n",
                port, err);
        goto out;
    }
    if (!cur)
        fprintf(stderr, "zbharness: %s holds no network (%s): nothing to back up first\n", port,
                err);
    if (cur && cur->extended_pan_id != want->extended_pan_id && !req->force) {
        fprintf(stderr,
                "zbharness restore: %s holds another network (extended PAN ID %016llx, "
                "backup has %016llx); use --force to overwrite it (nothing was written)\n",
                port, (unsigned long long)cur->extended_pan_id,
                (unsigned long long)want->extended_pan_id);
        goto out;
    }
    /* 2. the plan: what will be written */
    plan = ocb_clone(want);
    if (!plan) goto out;
    zbh_restore_opts o = {req->ieee};
    uint64_t dev_ieee = cur ? cur->coordinator_ieee : 0;
    bool have_ieee = cur != NULL;
    if (cur && cur->extended_pan_id == want->extended_pan_id) keep_higher_counters(plan, cur);
    /* and never below what an earlier restore of this network onto this stick planned: one
     * that was interrupted after the reset left its counters nowhere else */
    n_found = zbh_journal_find(req->pre_dir, true, want->extended_pan_id, port, &found);
    zbh_journal_raise(found, n_found, plan);
    warn_saturation(plan, req->counter_increment);
    if (req->ieee == ZBH_IEEE_KEEP && s->drv->check_write) {
        zbh_restore_opts probe = o;
        probe.ieee = ZBH_IEEE_REFUSE;
        if (s->drv->check_write(s->dev, plan, &probe, &dev_ieee, err, sizeof(err)) == 0 || dev_ieee)
            have_ieee = true;
    }
    if (req->ieee == ZBH_IEEE_KEEP) {
        if (!have_ieee) {
            fprintf(stderr,
                    "zbharness restore: --keep-ieee: the IEEE of %s is unknown (it holds "
                    "no network); nothing was written\n",
                    port);
            goto out;
        }
        if (dev_ieee != plan->coordinator_ieee)
            fprintf(stderr,
                    "zbharness restore: --keep-ieee: restoring with the stick's own IEEE "
                    "%016llx instead of the backup's %016llx. This is a loss: devices that "
                    "check their trust center's address, or are bound to the old IEEE, must be "
                    "re-paired or re-bound\n",
                    (unsigned long long)dev_ieee, (unsigned long long)plan->coordinator_ieee);
        plan->coordinator_ieee = dev_ieee;
    }
    if (req->ieee != ZBH_IEEE_KEEP && refused_placeholder(plan, req, have_ieee, dev_ieee)) goto out;
    /* 3. again for what the plan changed (the stick's own IEEE, its counters) */
    if (refused_by_target(s, plan)) goto out;
    if (s->drv->check_write && s->drv->check_write(s->dev, plan, &o, &dev_ieee, err, sizeof(err))) {
        fprintf(stderr, "zbharness restore: %s: %s\n", port, err);
        goto out;
    }
    if (req->dry_run) {
        printf("would restore to %s (%s): PAN %04x, extended PAN ID %016llx, channel %u, "
               "%zu devices, frame counter %u + %u\n",
               port, s->info.firmware, plan->pan_id, (unsigned long long)plan->extended_pan_id,
               plan->channel, plan->n_devices, plan->network_key.frame_counter,
               req->counter_increment);
        rc = ZBH_OK;
        goto out;
    }
    /* 4. safety: back up what is there, on disk before the first write */
    if (cur) {
        if (zbh_prerestore_write(cur, req->pre_dir, res->pre_backup, sizeof(res->pre_backup)) < 0) {
            fprintf(stderr,
                    "zbharness restore: cannot write %s: %s; refusing to write to the device "
                    "without a backup of its current network\n",
                    res->pre_backup, strerror(errno));
            res->pre_backup[0] = '\0';
            rc = ZBH_USAGE;
            goto out;
        }
        fprintf(stderr, "zbharness: the network on %s is backed up to %s\n", port, res->pre_backup);
    }
    /* from here a Ctrl-C names the way back: once the pre-restore file exists, the user is
     * told about it, even if the journal's fsyncs are still under way */
    char advice[ZB_MSG_MAX];
    zbh_recovery_advice(advice, sizeof(advice), s->drv->name, port, res->pre_backup);
    zbh_interrupt_arm(advice);
    written = with_increment(plan, req->counter_increment);
    journal = written ? zbh_journal_new(written, s->drv->name, port, req->backup_file,
                                        res->pre_backup, cur ? cur->coordinator_ieee : dev_ieee)
                      : NULL;
    if (!journal || journal_save(journal, req, res) < 0) {
        rc = ZBH_USAGE;
        goto out;
    }
    /* 5. write; an interruption or failure names the way back */
    zbh_progress("writing the network to %s", port);
    int wrc = s->drv->write_network(s->dev, written, &o, err, sizeof(err));
    if (wrc < 0) {
        fprintf(stderr, "zbharness restore: %s: %s\n%s", port, err, advice);
        goto out;
    }
    /* 6. read back */
    zbh_progress("reading %s back", port);
    res->after = read_network(s, NULL, err, sizeof(err));
    if (!res->after) {
        fprintf(stderr, "zbharness restore: reading back failed: %s\n%s", err, advice);
        goto out;
    }
    const zbh_loss *losses = s->drv->losses ? s->drv->losses(s->dev) : NULL;
    expect = expected_after(plan, req->counter_increment);
    int real = expect ? compare_read_back(expect, res->after, losses, res) : -1;
    for (size_t i = 0; i < res->n_losses; i++)
        fprintf(stderr, "zbharness restore: not stored by this device: %s (%s)\n",
                res->losses[i].field, res->losses[i].why);
    if (real) {
        fputs(advice, stderr);
        goto out;
    }
    report_higher_counters(expect, res->after);
    journal_finish(journal, req, res);
    rc = ZBH_OK;
out:
    zbh_interrupt_disarm();
    zbh_journal_free(journal);
    zbh_journal_list_free(found, n_found);
    ocb_free(expect);
    ocb_free(written);
    ocb_free(plan);
    ocb_free(cur);
    ocb_free(fixed);
    return rc;
}

void zbh_restore_result_free(zbh_restore_result *res)
{
    ocb_free(res->after);
    res->after = NULL;
}
