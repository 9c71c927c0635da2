/* roundtrip_world.c - the world side of a round-trip cell (roundtrip_world.h).
 *
 * WHY the harness only reads: the devices' verdict must come from the emulators' own traffic
 * under the security rules (emulator/world/world.c), not from a second opinion computed here. The
 * harness arranges the house (world file, frames after the backup, the negative controls),
 * hands the world from the source stick to the target (one emulator holds it at a time) and
 * counts what the devices concluded. */
#define _GNU_SOURCE /* sigqueue */
#include "roundtrip_world.h"

#include "fileio.h"
#include "log.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TARGET_OWN_IEEE "00124b00c0ffee01" /* the target stick's hardware IEEE (control) */

/* The world's round count when the source let go: statuses from then on are the target's. One
 * cell runs per process (cmd_roundtrip.c), so a file-scope value is the cell's. */
static uint32_t g_rounds_at_migration;

int zbh_world_number(const char *opt, const char *s, zbh_world_opts *o, int frames)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end || end == s || v < 0 || v > 0x7FFFFFFF) {
        fprintf(stderr, "zbharness roundtrip: %s: '%s' is not a number in 0..2147483647\n", opt, s);
        return -1;
    }
    if (frames)
        o->frames_after_backup = (uint32_t)v;
    else
        o->counter_increment = v;
    return 0;
}

/* A reason without its numbers and parenthesised details: stable across runs. */
static void reason_class(const char *r, char *out, size_t cap)
{
    size_t o = 0;
    int depth = 0;
    while (*r && o + 1 < cap) {
        if (*r == '(') depth++;
        if (depth) {
            if (*r == ')') depth--;
            r++;
            continue;
        }
        const char *end = r;
        while (*end && *end != ' ' && *end != '(')
            end++;
        int digits = 0;
        for (const char *q = r; q < end; q++)
            digits |= isdigit((unsigned char)*q) != 0;
        if (!digits && end > r) {
            if (o && out[o - 1] != ' ' && o + 1 < cap) out[o++] = ' ';
            for (const char *q = r; q < end && o + 1 < cap; q++)
                out[o++] = *q;
        }
        r = *end == ' ' ? end + 1 : end;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    for (char *q; (q = strstr(out, " ;")) != NULL;) /* "(...);" left a space before the ';' */
        memmove(q, q + 1, strlen(q));
}

/* One example reason per reason class, up to 3. */
static void add_reason(zbh_world_verdict *v, const char *r)
{
    char cls[200], have[200];
    reason_class(r, cls, sizeof(cls));
    for (size_t i = 0; i < v->n_reasons; i++) {
        reason_class(v->reasons[i], have, sizeof(have));
        if (strcmp(cls, have) == 0) return;
    }
    if (v->n_reasons < 3) snprintf(v->reasons[v->n_reasons++], sizeof(v->reasons[0]), "%s", r);
}

/* The round the file's network_down covers (verdicts of it and before are not current): 0 and
 * *round, with `since` said; -1 when the network was up at the last save (or a /1 file). */
static int down_round(const cJSON *doc, uint32_t *round, zbh_world_verdict *v)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, "network_down");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "round");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
    if (!cJSON_IsObject(o) || !cJSON_IsNumber(r) || r->valuedouble < 0) return -1;
    *round = (uint32_t)r->valuedouble;
    snprintf(v->since, sizeof(v->since), "the network went down after round %u%s%s", *round,
             cJSON_IsString(t) && t->valuestring[0] ? " at " : "",
             cJSON_IsString(t) ? t->valuestring : "");
    return 0;
}

/* One device into v: -1 with err on a malformed entry. */
static int count_device(const cJSON *d, uint32_t after, zbh_world_verdict *v, const char *path,
                        char *err, size_t errlen)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "status");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(d, "reason");
    const cJSON *rnd = cJSON_GetObjectItemCaseSensitive(d, "round");
    if (!cJSON_IsString(st)) {
        snprintf(err, errlen, "%s: devices[%zu].status: expected a string", path, v->n);
        return -1;
    }
    v->n++;
    if (!cJSON_IsNumber(rnd) || rnd->valuedouble <= (double)after ||
        strcmp(st->valuestring, "not judged since") == 0) {
        v->unjudged++;
        if (!v->since[0] && strcmp(st->valuestring, "not judged since") == 0 && cJSON_IsString(why))
            snprintf(v->since, sizeof(v->since), "%s", why->valuestring);
        else if (!v->since[0])
            snprintf(v->since, sizeof(v->since),
                     "the migration (no exchange with the new coordinator)");
    } else if (strcmp(st->valuestring, "alive") == 0)
        v->alive++;
    else if (strcmp(st->valuestring, "alive after rejoin") == 0)
        v->rejoined++;
    else if (strcmp(st->valuestring, "lost") == 0) {
        v->lost++;
        add_reason(v, cJSON_IsString(why) ? why->valuestring : "?");
    }
    return 0;
}

int zbh_world_read(const char *path, uint32_t after, zbh_world_verdict *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof(*v));
    size_t len = 0;
    char *text = file_read_all(path, 16u * 1024 * 1024, &len);
    if (!text) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *devs = doc ? cJSON_GetObjectItemCaseSensitive(doc, "devices") : NULL;
    if (!cJSON_IsArray(devs)) {
        snprintf(err, errlen, "%s: devices: expected an array", path);
        cJSON_Delete(doc);
        return -1;
    }
    const cJSON *rounds = cJSON_GetObjectItemCaseSensitive(doc, "rounds");
    v->rounds = cJSON_IsNumber(rounds) ? (uint32_t)rounds->valuedouble : 0;
    uint32_t down;
    if (down_round(doc, &down, v) == 0 && down >= after)
        after = down;
    else
        v->since[0] = '\0'; /* the migration came later: say that */
    const cJSON *d;
    int rc = 0;
    cJSON_ArrayForEach(d, devs)
    {
        if ((rc = count_device(d, after, v, path, err, errlen)) < 0) break;
    }
    cJSON_Delete(doc);
    return rc;
}

void zbh_world_summary(const zbh_world_verdict *v, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "alive %zu/%zu", v->alive + v->rejoined, v->n);
    if (v->rejoined && o < cap)
        o += (size_t)snprintf(out + o, cap - o, " (%zu after rejoin)", v->rejoined);
    if (v->lost && o < cap) o += (size_t)snprintf(out + o, cap - o, ", lost %zu:", v->lost);
    for (size_t i = 0; i < v->n_reasons && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s %s", i ? ";" : "", v->reasons[i]);
    if (v->unjudged && o < cap)
        snprintf(out + o, cap - o, "%snot judged since %s: %zu", o ? "; " : "", v->since,
                 v->unjudged);
}

void zbh_world_golden(const zbh_world_verdict *v, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "alive %zu/%zu rejoined %zu lost %zu",
                                v->alive + v->rejoined, v->n, v->rejoined, v->lost);
    for (size_t i = 0; i < v->n_reasons && o < cap; i++) {
        char cls[200];
        reason_class(v->reasons[i], cls, sizeof(cls));
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "; " : " [", cls);
    }
    if (v->n_reasons && o < cap) o += (size_t)snprintf(out + o, cap - o, "]");
    if (v->unjudged && o < cap) snprintf(out + o, cap - o, " not judged %zu", v->unjudged);
}

const char *const *zbh_world_source_args(const zbh_world_opts *o, const char *dir)
{
    static char path[320];
    static const char *argv[4];
    if (!o->on) return NULL;
    snprintf(path, sizeof(path), "%s/world.json", dir);
    argv[0] = "--world";
    argv[1] = path;
    argv[2] = "--world-adopt";
    argv[3] = NULL;
    return argv;
}

int zbh_world_migrate(const zbh_world_opts *o, const char *dir, zbh_emu *src, zbh_emu *dst,
                      const zbh_target *dst_t, unsigned seed, ocb_backup *backup, char *err,
                      size_t errlen)
{
    char path[320];
    snprintf(path, sizeof(path), "%s/world.json", dir);
    if (o->frames_after_backup && src->pid > 0) {
        /* the source keeps running while the user swaps sticks (world.c: SIGUSR1 value n) */
        union sigval sv = {.sival_int = (int)o->frames_after_backup};
        if (sigqueue(src->pid, SIGUSR1, sv) < 0) {
            snprintf(err, errlen, "cannot signal the source emulator: %s", strerror(errno));
            return -1;
        }
    }
    int st = zbh_emu_stop(src); /* it applies pending frames and releases the world */
    if (st != 0) {
        snprintf(err, errlen, "the source emulator exited with status %d", st);
        return -1;
    }
    zbh_world_verdict before;
    if (zbh_world_read(path, 0, &before, err, errlen) < 0) return -1;
    if (before.n == 0) {
        snprintf(err, errlen, "%s: the source put no device into the world", path);
        return -1;
    }
    g_rounds_at_migration = before.rounds;
    const char *argv[5] = {"--world", path, NULL, NULL, NULL};
    if (o->keep_target_ieee) {
        /* the restore writes no IEEE: the stick keeps its own, as herdsman's ember restore does */
        argv[2] = "--ieee";
        argv[3] = TARGET_OWN_IEEE;
        uint64_t own = 0;
        for (const char *p = TARGET_OWN_IEEE; *p; p++)
            own = own << 4 |
                  (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
        backup->coordinator_ieee = own;
    }
    char dst_dir[300];
    snprintf(dst_dir, sizeof(dst_dir), "%s/target", dir);
    return zbh_emu_start_args(dst, dst_t, dst_dir, seed, argv, err, errlen);
}

void zbh_world_before_stop(const zbh_world_opts *o, zbh_emu *dst)
{
    if (!o->key_switch || dst->pid <= 0) return;
    union sigval sv = {.sival_int = -1};
    if (sigqueue(dst->pid, SIGUSR1, sv) < 0)
        LOG_WARN("cannot signal the target: %s", strerror(errno));
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

void zbh_world_cell_verdict(const char *dir, char *out, size_t cap, char *golden, size_t gcap)
{
    char path[320], err[400];
    zbh_world_verdict v;
    snprintf(path, sizeof(path), "%s/world.json", dir);
    if (zbh_world_read(path, g_rounds_at_migration, &v, err, sizeof(err)) < 0) {
        snprintf(out, cap, "world: %s", err);
        snprintf(golden, gcap, "world unreadable");
        return;
    }
    zbh_world_summary(&v, out, cap);
    zbh_world_golden(&v, golden, gcap);
}
