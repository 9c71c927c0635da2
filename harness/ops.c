/* ops.c - one device's backup and restore as library calls (see ops.h for the rules). */
#include "ops.h"

#include "cli.h"
#include "log.h"
#include "progress.h"

#include <errno.h>
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

/* Compares want with the read-back: differences in declared losses are noted, any other is
 * printed and counted. Returns the number of real differences, or -1. */
static int compare_read_back(const ocb_backup *want, const ocb_backup *after,
                             const zbh_loss *losses, zbh_restore_result *res)
{
    ocb_diff_result d = {0};
    int n = ocb_diff(want, after, &OCB_RULES_ROUNDTRIP, &d);
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

static int write_pre_backup(const ocb_backup *cur, const char *dir, char *path, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(path, cap, "%s/zbharness-prerestore-%ld-%03ld.json", dir ? dir : ".", (long)ts.tv_sec,
             ts.tv_nsec / 1000000);
    if (ocb_write_file(cur, path) < 0) {
        fprintf(stderr,
                "zbharness restore: cannot write %s: %s; refusing to write to the device "
                "without a backup of its current network\n",
                path, strerror(errno));
        return -1;
    }
    return 0;
}

int zbh_restore(zbh_session *s, const ocb_backup *want, const zbh_restore_req *req,
                zbh_restore_result *res)
{
    memset(res, 0, sizeof(*res));
    const char *port = zbh_serial_name(s->serial);
    char err[ZB_MSG_MAX];
    /* 1. safety: back up what is there */
    zbh_progress("reading what %s holds before writing", port);
    ocb_backup *cur = s->drv->read_network(s->dev, err, sizeof(err));
    int rc = ZBH_FAIL;
    if (cur) {
        if (write_pre_backup(cur, req->pre_dir, res->pre_backup, sizeof(res->pre_backup)) < 0) {
            rc = ZBH_USAGE;
            goto out;
        }
        fprintf(stderr, "zbharness: the network on %s is backed up to %s\n", port, res->pre_backup);
        if (cur->extended_pan_id != want->extended_pan_id && !req->force) {
            fprintf(stderr,
                    "zbharness restore: %s holds another network (extended PAN ID %016llx, "
                    "backup has %016llx); use --force to overwrite it\n",
                    port, (unsigned long long)cur->extended_pan_id,
                    (unsigned long long)want->extended_pan_id);
            goto out;
        }
    } else {
        fprintf(stderr, "zbharness: %s holds no network (%s): nothing to back up first\n", port,
                err);
    }
    if (req->dry_run) {
        printf("would restore to %s (%s): PAN %04x, extended PAN ID %016llx, channel %u, "
               "%zu devices, frame counter %u + %u\n",
               port, s->info.firmware, want->pan_id, (unsigned long long)want->extended_pan_id,
               want->channel, want->n_devices, want->network_key.frame_counter,
               req->counter_increment);
        rc = ZBH_OK;
        goto out;
    }
    /* 2. write */
    zbh_restore_opts o = {req->counter_increment};
    zbh_progress("writing the network to %s", port);
    if (s->drv->write_network(s->dev, want, &o, err, sizeof(err)) < 0) {
        fprintf(stderr,
                "zbharness restore: %s: %s\nThe device may be half-written. %s; run the "
                "restore again%s.\n",
                port, err,
                res->pre_backup[0] ? "Its previous network is in the pre-restore backup above"
                                   : "It held no network before",
                res->pre_backup[0] ? ", or restore that backup" : "");
        goto out;
    }
    /* 3. read back */
    zbh_progress("reading %s back", port);
    res->after = s->drv->read_network(s->dev, err, sizeof(err));
    if (!res->after) {
        fprintf(stderr, "zbharness restore: reading back failed: %s\n", err);
        goto out;
    }
    const zbh_loss *losses = s->drv->losses ? s->drv->losses(s->dev) : NULL;
    int real = compare_read_back(want, res->after, losses, res);
    for (size_t i = 0; i < res->n_losses; i++)
        fprintf(stderr, "zbharness restore: not stored by this device: %s (%s)\n",
                res->losses[i].field, res->losses[i].why);
    rc = real == 0 ? ZBH_OK : ZBH_FAIL;
out:
    ocb_free(cur);
    return rc;
}

void zbh_restore_result_free(zbh_restore_result *res)
{
    ocb_free(res->after);
    res->after = NULL;
}
