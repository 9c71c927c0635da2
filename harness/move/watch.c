/* watch.c - records which devices a coordinator hears (watch.h). The driver's `listen` brings
 * the stored network up as a host would and hands over each frame; this file matches senders
 * to the device list (by IEEE when the event carries one, else by short address) and keeps the
 * first hearing of each. */
#include "watch.h"

#include "clock.h"
#include "fileio.h"
#include "progress.h"

#include <cJSON.h>
#include <errno.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zbh_watch_dev *add(zbh_watch *w, uint64_t ieee, uint16_t nwk)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        zbh_watch_dev *d = realloc(w->devs, cap * sizeof(*d));
        if (!d) return NULL;
        w->devs = d;
        w->cap = cap;
    }
    zbh_watch_dev *d = &w->devs[w->n++];
    memset(d, 0, sizeof(*d));
    d->ieee = ieee;
    d->nwk = nwk;
    return d;
}

int zbh_watch_list(zbh_watch *w, const ocb_backup *b)
{
    for (size_t i = 0; i < b->n_devices; i++) {
        const ocb_device *od = &b->devices[i];
        zbh_watch_dev *d = add(w, od->ieee, od->has_nwk ? od->nwk : 0xFFFE);
        if (!d) return -1;
        d->listed = true;
        d->is_child = od->is_child;
    }
    return 0;
}

/* The device a frame came from: by IEEE when the event names it, else by short address; a
 * sender nobody listed is added as unknown. NULL only when out of memory. */
static zbh_watch_dev *sender(zbh_watch *w, const zbh_heard *h)
{
    for (size_t i = 0; h->ieee && i < w->n; i++)
        if (w->devs[i].ieee == h->ieee) return &w->devs[i];
    for (size_t i = 0; i < w->n; i++)
        if (w->devs[i].nwk == h->nwk && (!h->ieee || !w->devs[i].ieee)) return &w->devs[i];
    return add(w, h->ieee, h->nwk);
}

typedef struct run_ctx {
    zbh_watch *w;
    long long t0, end;
    int oom;
} run_ctx;

static void say_heard(const zbh_watch_dev *d)
{
    zbh_progress("heard %04x%s%016" PRIx64 "%s after %lld s: cluster 0x%04x, LQI %u", d->nwk,
                 d->ieee ? " (" : "", d->ieee, d->ieee ? ")" : "", d->first_ms / 1000, d->cluster,
                 d->lqi);
}

static int on_heard(void *ctx, const zbh_heard *h)
{
    run_ctx *c = ctx;
    zbh_watch *w = c->w;
    long long now = zb_now_ms();
    if (w->stop && *w->stop) {
        w->interrupted = true;
        return 1;
    }
    if (h) {
        zbh_watch_dev *d = sender(w, h);
        if (!d) {
            c->oom = 1;
            return 1;
        }
        if (!d->ieee && h->ieee) d->ieee = h->ieee;
        if (!d->heard) {
            d->heard = true;
            d->first_ms = now - c->t0;
            d->lqi = h->lqi;
            d->cluster = h->cluster;
            say_heard(d);
        }
        d->frames++;
    }
    if (w->until_all && zbh_watch_heard(w, true) == zbh_watch_listed(w)) return 1;
    return now >= c->end;
}

int zbh_watch_run(zbh_session *s, zbh_watch *w, char *err, size_t errlen)
{
    if (!s->drv->listen) {
        snprintf(err, errlen, "the %s driver cannot listen", s->drv->name);
        return ZBH_FAIL;
    }
    run_ctx c = {w, zb_now_ms(), 0, 0};
    c.end = c.t0 + w->ms;
    int rc = s->drv->listen(s->dev, on_heard, &c, err, errlen);
    w->elapsed_ms = zb_now_ms() - c.t0;
    if (c.oom) snprintf(err, errlen, "out of memory");
    return rc < 0 || c.oom ? ZBH_FAIL : ZBH_OK;
}

size_t zbh_watch_heard(const zbh_watch *w, bool listed_only)
{
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->devs[i].heard && (w->devs[i].listed || !listed_only)) k++;
    return k;
}

size_t zbh_watch_listed(const zbh_watch *w)
{
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++)
        k += w->devs[i].listed;
    return k;
}

void zbh_watch_free(zbh_watch *w)
{
    free(w->devs);
    memset(w, 0, sizeof(*w));
}

const char *zbh_watch_kind(const zbh_watch_dev *d)
{
    if (!d->listed) return "unknown";
    return d->is_child ? "end device" : "router";
}

int zbh_watch_write_json(const zbh_watch *w, const char *path)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "devices");
    cJSON_AddNumberToObject(root, "elapsed_ms", (double)w->elapsed_ms);
    cJSON_AddBoolToObject(root, "interrupted", w->interrupted);
    for (size_t i = 0; i < w->n; i++) {
        const zbh_watch_dev *d = &w->devs[i];
        char ieee[17], nwk[5];
        snprintf(ieee, sizeof(ieee), "%016" PRIx64, d->ieee);
        snprintf(nwk, sizeof(nwk), "%04x", d->nwk);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ieee", ieee);
        cJSON_AddStringToObject(o, "nwk", nwk);
        cJSON_AddStringToObject(o, "kind", zbh_watch_kind(d));
        cJSON_AddBoolToObject(o, "heard", d->heard);
        if (d->heard) {
            cJSON_AddNumberToObject(o, "after_ms", (double)d->first_ms);
            cJSON_AddNumberToObject(o, "lqi", d->lqi);
            cJSON_AddNumberToObject(o, "cluster", d->cluster);
            cJSON_AddNumberToObject(o, "frames", d->frames);
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    int rc = text && file_write(path, text, strlen(text), 0644, 0) == 0 ? ZBH_OK : ZBH_USAGE;
    if (rc != ZBH_OK) {
        char why[160];
        fprintf(stderr, "zbharness watch: cannot write %s: %s\n", path,
                text ? file_write_error(path, errno, 0, why, sizeof(why)) : "out of memory");
    }
    free(text);
    return rc;
}
