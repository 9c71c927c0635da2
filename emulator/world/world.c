/* world.c - the devices of a simulated house and the security rules they apply (world.h).
 *
 * WHY a separate model: a coordinator's tables say what the *coordinator* believes; whether a
 * device still talks to a new stick depends on what the *device* holds. Each rule below names
 * its section in ../shared/protocols/zigbee-security.md; emulator/world/WORLD.md explains the model,
 * the file format and what is not modelled. Everything is deterministic: no clock, no random. */
#include "world.h"

#include "emu.h"
#include "fileio.h"
#include "hex.h"
#include "log.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WORLD_FORMAT   "zbemu-world/2"
#define WORLD_FORMAT_1 "zbemu-world/1" /* read: no judging times, no network_down */
#define WORLD_MAX_IN   4 /* incoming-counter records a device keeps (its neighbours) */
#define WORLD_MAX_DEV  4096
#define WORLD_MAX_FILE (16u * 1024 * 1024)

enum { ST_NONE, ST_ALIVE, ST_REJOINED, ST_LOST };
static const char *const STATUS_NAME[] = {"new", "alive", "alive after rejoin", "lost"};
/* what the file says of a verdict from before the network went down (wdev.stale) */
#define STATUS_UNJUDGED "not judged since"

typedef struct in_fc { /* §1 incoming frame counter set: last counter per sender IEEE */
    uint64_t ieee;
    uint16_t nwk;
    uint8_t seq;
    uint32_t fc;
} in_fc;

typedef struct wdev {
    uint64_t ieee;
    uint16_t nwk, parent;
    int router;
    uint64_t epid;
    uint16_t pan;
    uint8_t channel;
    uint8_t key[16], seq;
    uint32_t nwk_tx;
    in_fc in[WORLD_MAX_IN];
    size_t n_in;
    uint64_t tc_ieee;
    uint8_t link_key[16];
    char derivation[24];
    uint32_t aps_tx, aps_rx;
    int status;
    char reason[400];
    uint64_t status_coord;
    uint32_t round;     /* the world round that set the status */
    char judged_at[24]; /* and when (UTC, ISO 8601; "" when unknown: zbemu-world/1) */
    int stale;          /* the network went down after that: not judged since */
    /* the coordinator's RAM record of this device's counter (§2.5: not persisted) */
    int c_known;
    uint8_t c_seq;
    uint32_t c_last;
    uint8_t tsn;
} wdev;

struct world {
    char *path;
    int lock_fd;
    wdev *d;
    size_t n, cap;
    uint32_t rounds;
    unsigned file_flags; /* file_write() flags of world_save */
    time_t (*now)(void); /* the wall clock of the verdicts' times (world_set_clock), or NULL */
    int down;            /* the coordinator's network is down since round down_round */
    uint32_t down_round;
    char down_at[24];
};

/* ---------------------------------------------------------------- control signal */

static volatile sig_atomic_t g_frames, g_switch;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    int v = si ? si->si_value.sival_int : 0;
    if (v > 0)
        g_frames += v;
    else if (v == -1)
        g_switch = 1;
}

/* ---------------------------------------------------------------- file format */

static void ieee_str(uint64_t v, char out[17])
{
    snprintf(out, 17, "%016" PRIx64, v);
}

static int get_hex64(const cJSON *o, const char *name, uint64_t *v, const char *where, char *err,
                     size_t errlen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(j) || strlen(j->valuestring) != 16 || hex_to_u64(j->valuestring, v) < 0) {
        snprintf(err, errlen, "%s.%s: expected 16 hex digits", where, name);
        return -1;
    }
    return 0;
}

static int get_hex16(const cJSON *o, const char *name, uint16_t *v, const char *where, char *err,
                     size_t errlen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    uint64_t x;
    if (!cJSON_IsString(j) || strlen(j->valuestring) != 4 || hex_to_u64(j->valuestring, &x) < 0) {
        snprintf(err, errlen, "%s.%s: expected 4 hex digits", where, name);
        return -1;
    }
    *v = (uint16_t)x;
    return 0;
}

static int get_u32(const cJSON *o, const char *name, uint32_t *v, double max, const char *where,
                   char *err, size_t errlen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > max ||
        j->valuedouble != (double)(uint32_t)j->valuedouble) {
        snprintf(err, errlen, "%s.%s: expected an integer 0..%.0f", where, name, max);
        return -1;
    }
    *v = (uint32_t)j->valuedouble;
    return 0;
}

static int get_key(const cJSON *o, const char *name, uint8_t key[16], const char *where, char *err,
                   size_t errlen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(j) || hex_decode(j->valuestring, key, 16) < 0) {
        snprintf(err, errlen, "%s.%s: expected 32 hex digits", where, name);
        return -1;
    }
    return 0;
}

static const cJSON *get_obj(const cJSON *o, const char *name, const char *where, char *err,
                            size_t errlen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsObject(j)) snprintf(err, errlen, "%s.%s: expected an object", where, name);
    return cJSON_IsObject(j) ? j : NULL;
}

/* The last verdict: status, reason, round and time; a stale one ("not judged since") keeps the
 * verdict it replaced in last_status and last_reason. All optional: a device without them is new.
 */
static void verdict_from_json(const cJSON *o, wdev *d)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "reason");
    if (cJSON_IsString(st) && strcmp(st->valuestring, STATUS_UNJUDGED) == 0) {
        d->stale = 1;
        st = cJSON_GetObjectItemCaseSensitive(o, "last_status");
        why = cJSON_GetObjectItemCaseSensitive(o, "last_reason");
    }
    for (int s = 0; cJSON_IsString(st) && s < 4; s++)
        if (strcmp(st->valuestring, STATUS_NAME[s]) == 0) d->status = s;
    const cJSON *rnd = cJSON_GetObjectItemCaseSensitive(o, "round");
    if (cJSON_IsNumber(rnd) && rnd->valuedouble >= 0) d->round = (uint32_t)rnd->valuedouble;
    if (cJSON_IsString(why)) snprintf(d->reason, sizeof(d->reason), "%s", why->valuestring);
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "time");
    if (cJSON_IsString(at)) snprintf(d->judged_at, sizeof(d->judged_at), "%s", at->valuestring);
}

static int dev_from_json(const cJSON *o, wdev *d, const char *where, char *err, size_t errlen)
{
    uint32_t v;
    memset(d, 0, sizeof(*d));
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "%s: expected an object", where);
        return -1;
    }
    if (get_hex64(o, "ieee", &d->ieee, where, err, errlen) ||
        get_hex16(o, "nwk", &d->nwk, where, err, errlen) ||
        get_hex16(o, "parent", &d->parent, where, err, errlen))
        return -1;
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(o, "role");
    if (!cJSON_IsString(role) ||
        (strcmp(role->valuestring, "router") && strcmp(role->valuestring, "end_device"))) {
        snprintf(err, errlen, "%s.role: expected \"router\" or \"end_device\"", where);
        return -1;
    }
    d->router = strcmp(role->valuestring, "router") == 0;
    char sub[128];
    const cJSON *net, *nk, *lk, *in;
    snprintf(sub, sizeof(sub), "%s.network", where);
    if (!(net = get_obj(o, "network", where, err, errlen)) ||
        get_hex64(net, "extended_pan_id", &d->epid, sub, err, errlen) ||
        get_hex16(net, "pan_id", &d->pan, sub, err, errlen) ||
        get_u32(net, "channel", &v, 26, sub, err, errlen))
        return -1;
    d->channel = (uint8_t)v;
    snprintf(sub, sizeof(sub), "%s.network_key", where);
    if (!(nk = get_obj(o, "network_key", where, err, errlen)) ||
        get_key(nk, "key", d->key, sub, err, errlen) ||
        get_u32(nk, "sequence_number", &v, 255, sub, err, errlen))
        return -1;
    d->seq = (uint8_t)v;
    if (get_u32(o, "nwk_frame_counter", &d->nwk_tx, 4294967295.0, where, err, errlen) ||
        get_hex64(o, "trust_center_ieee", &d->tc_ieee, where, err, errlen))
        return -1;
    snprintf(sub, sizeof(sub), "%s.link_key", where);
    if (!(lk = get_obj(o, "link_key", where, err, errlen)) ||
        get_key(lk, "key", d->link_key, sub, err, errlen) ||
        get_u32(lk, "aps_tx_counter", &d->aps_tx, 4294967295.0, sub, err, errlen) ||
        get_u32(lk, "aps_rx_counter", &d->aps_rx, 4294967295.0, sub, err, errlen))
        return -1;
    const cJSON *der = cJSON_GetObjectItemCaseSensitive(lk, "derivation");
    if (cJSON_IsString(der)) snprintf(d->derivation, sizeof(d->derivation), "%s", der->valuestring);
    in = cJSON_GetObjectItemCaseSensitive(o, "incoming_frame_counters");
    if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) > WORLD_MAX_IN) {
        snprintf(err, errlen, "%s.incoming_frame_counters: expected an array of at most %d", where,
                 WORLD_MAX_IN);
        return -1;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, in)
    {
        in_fc *r = &d->in[d->n_in];
        snprintf(sub, sizeof(sub), "%s.incoming_frame_counters[%zu]", where, d->n_in);
        if (get_hex64(e, "ieee", &r->ieee, sub, err, errlen) ||
            get_hex16(e, "nwk", &r->nwk, sub, err, errlen) ||
            get_u32(e, "sequence_number", &v, 255, sub, err, errlen) ||
            get_u32(e, "frame_counter", &r->fc, 4294967295.0, sub, err, errlen))
            return -1;
        r->seq = (uint8_t)v;
        d->n_in++;
    }
    verdict_from_json(o, d);
    return 0;
}

static int add_hex(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    char buf[33];
    hex_encode(p, n, buf);
    return cJSON_AddStringToObject(o, name, buf) ? 0 : -1;
}

static int add_u64(cJSON *o, const char *name, uint64_t v)
{
    char buf[17];
    ieee_str(v, buf);
    return cJSON_AddStringToObject(o, name, buf) ? 0 : -1;
}

static int add_u16(cJSON *o, const char *name, uint16_t v)
{
    char buf[5];
    snprintf(buf, sizeof(buf), "%04x", v);
    return cJSON_AddStringToObject(o, name, buf) ? 0 : -1;
}

/* A stale verdict is written as "not judged since", so that no reader takes it for current;
 * the verdict itself follows as last_status and last_reason. */
static int verdict_to_json(cJSON *o, const wdev *d, const world *w)
{
    if (!d->stale)
        return !cJSON_AddStringToObject(o, "status", STATUS_NAME[d->status]) ||
               !cJSON_AddStringToObject(o, "reason", d->reason) ||
               !cJSON_AddNumberToObject(o, "round", d->round) ||
               !cJSON_AddStringToObject(o, "time", d->judged_at);
    char why[160];
    snprintf(why, sizeof(why), "the coordinator's network went down after round %" PRIu32 "%s%s",
             w->down_round, w->down_at[0] ? " at " : "", w->down_at);
    return !cJSON_AddStringToObject(o, "status", STATUS_UNJUDGED) ||
           !cJSON_AddStringToObject(o, "reason", why) ||
           !cJSON_AddNumberToObject(o, "round", d->round) ||
           !cJSON_AddStringToObject(o, "time", d->judged_at) ||
           !cJSON_AddStringToObject(o, "last_status", STATUS_NAME[d->status]) ||
           !cJSON_AddStringToObject(o, "last_reason", d->reason);
}

static cJSON *dev_to_json(const wdev *d, const world *w)
{
    cJSON *o = cJSON_CreateObject(), *net, *nk, *lk, *in;
    int bad = !o || add_u64(o, "ieee", d->ieee) || add_u16(o, "nwk", d->nwk) ||
              !cJSON_AddStringToObject(o, "role", d->router ? "router" : "end_device") ||
              add_u16(o, "parent", d->parent) || !(net = cJSON_AddObjectToObject(o, "network")) ||
              add_u64(net, "extended_pan_id", d->epid) || add_u16(net, "pan_id", d->pan) ||
              !cJSON_AddNumberToObject(net, "channel", d->channel) ||
              !(nk = cJSON_AddObjectToObject(o, "network_key")) || add_hex(nk, "key", d->key, 16) ||
              !cJSON_AddNumberToObject(nk, "sequence_number", d->seq) ||
              !cJSON_AddNumberToObject(o, "nwk_frame_counter", d->nwk_tx) ||
              !(in = cJSON_AddArrayToObject(o, "incoming_frame_counters")) ||
              add_u64(o, "trust_center_ieee", d->tc_ieee) ||
              !(lk = cJSON_AddObjectToObject(o, "link_key")) ||
              add_hex(lk, "key", d->link_key, 16) ||
              !cJSON_AddStringToObject(lk, "derivation", d->derivation) ||
              !cJSON_AddNumberToObject(lk, "aps_tx_counter", d->aps_tx) ||
              !cJSON_AddNumberToObject(lk, "aps_rx_counter", d->aps_rx) || verdict_to_json(o, d, w);
    for (size_t i = 0; !bad && i < d->n_in; i++) {
        cJSON *r = cJSON_CreateObject();
        bad = !r || !cJSON_AddItemToArray(in, r) || add_u64(r, "ieee", d->in[i].ieee) ||
              add_u16(r, "nwk", d->in[i].nwk) ||
              !cJSON_AddNumberToObject(r, "sequence_number", d->in[i].seq) ||
              !cJSON_AddNumberToObject(r, "frame_counter", d->in[i].fc);
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* "network_down": {"round": R, "time": T} while the coordinator's network is down: verdicts of
 * round R and before are not current (WORLD.md). */
static int down_to_json(cJSON *doc, const world *w)
{
    if (!w->down) return 0;
    cJSON *o = cJSON_AddObjectToObject(doc, "network_down");
    return !o || !cJSON_AddNumberToObject(o, "round", w->down_round) ||
           !cJSON_AddStringToObject(o, "time", w->down_at);
}

static void down_from_json(const cJSON *doc, world *w)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, "network_down");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "round");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
    if (!cJSON_IsObject(o) || !cJSON_IsNumber(r) || r->valuedouble < 0) return;
    w->down = 1;
    w->down_round = (uint32_t)r->valuedouble;
    if (cJSON_IsString(t)) snprintf(w->down_at, sizeof(w->down_at), "%s", t->valuestring);
}

static int world_save(world *w)
{
    cJSON *doc = cJSON_CreateObject(), *arr;
    int bad = !doc || !cJSON_AddStringToObject(doc, "format", WORLD_FORMAT) ||
              !cJSON_AddNumberToObject(doc, "rounds", w->rounds) || down_to_json(doc, w) ||
              !(arr = cJSON_AddArrayToObject(doc, "devices"));
    for (size_t i = 0; !bad && i < w->n; i++) {
        cJSON *o = dev_to_json(&w->d[i], w);
        bad = !o || !cJSON_AddItemToArray(arr, o);
        if (!o) break;
    }
    char *text = bad ? NULL : cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text) {
        LOG_ERROR("%s: out of memory serialising the world", w->path);
        return -1;
    }
    int rc = file_write(w->path, text, strlen(text), 0600, w->file_flags);
    if (rc < 0) {
        char why[160];
        LOG_ERROR("%s: cannot write the world file: %s", w->path,
                  file_write_error(w->path, errno, w->file_flags, why, sizeof(why)));
    }
    free(text);
    return rc;
}

static int world_load(world *w, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = file_read_all(w->path, WORLD_MAX_FILE, &len);
    if (!text) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: cannot read the world file: %s", w->path, strerror(errno));
        return -1;
    }
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *fmt = doc ? cJSON_GetObjectItemCaseSensitive(doc, "format") : NULL;
    const cJSON *devs = doc ? cJSON_GetObjectItemCaseSensitive(doc, "devices") : NULL;
    const cJSON *rounds = doc ? cJSON_GetObjectItemCaseSensitive(doc, "rounds") : NULL;
    int rc = -1;
    if (!doc || !cJSON_IsObject(doc))
        snprintf(err, errlen, "%s: not a JSON object", w->path);
    else if (!cJSON_IsString(fmt) || (strcmp(fmt->valuestring, WORLD_FORMAT) != 0 &&
                                      strcmp(fmt->valuestring, WORLD_FORMAT_1) != 0))
        snprintf(err, errlen, "%s: format: expected \"%s\" (or \"%s\")", w->path, WORLD_FORMAT,
                 WORLD_FORMAT_1);
    else if (!cJSON_IsArray(devs) || cJSON_GetArraySize(devs) > WORLD_MAX_DEV)
        snprintf(err, errlen, "%s: devices: expected an array of at most %d", w->path,
                 WORLD_MAX_DEV);
    else if (!(w->d = calloc((size_t)cJSON_GetArraySize(devs) + 1, sizeof(wdev))))
        snprintf(err, errlen, "out of memory");
    else {
        w->cap = (size_t)cJSON_GetArraySize(devs) + 1;
        w->rounds = cJSON_IsNumber(rounds) ? (uint32_t)rounds->valuedouble : 0;
        down_from_json(doc, w);
        const cJSON *e;
        rc = 0;
        cJSON_ArrayForEach(e, devs)
        {
            char where[64], sub[300];
            snprintf(where, sizeof(where), "devices[%zu]", w->n);
            if (dev_from_json(e, &w->d[w->n], where, sub, sizeof(sub)) < 0) {
                snprintf(err, errlen, "%s: %s", w->path, sub);
                rc = -1;
                break;
            }
            w->n++;
        }
    }
    cJSON_Delete(doc);
    return rc;
}

world *world_open(const char *path, char *err, size_t errlen)
{
    world *w = calloc(1, sizeof(*w));
    if (!w || !(w->path = strdup(path))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->file_flags = FILE_WRITE_REGULAR_ONLY;
    w->lock_fd = emu_nv_lock(path, err, errlen);
    if (w->lock_fd < 0 || world_load(w, err, errlen) < 0) {
        int e = errno;
        if (w->lock_fd >= 0) close(w->lock_fd);
        free(w->d);
        free(w->path);
        free(w);
        errno = e;
        return NULL;
    }
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    LOG_INFO("world %s: %zu devices", path, w->n);
    return w;
}

void world_set_file_flags(world *w, unsigned flags)
{
    w->file_flags = flags;
}

void world_set_clock(world *w, time_t (*now)(void))
{
    w->now = now;
}

/* The wall clock as the file writes it: "2026-12-07T13:50:05Z", or "" without a clock. */
static void stamp(const world *w, char out[24])
{
    struct tm tm;
    time_t t = w->now ? w->now() : (time_t)-1;
    out[0] = '\0';
    if (t != (time_t)-1 && gmtime_r(&t, &tm)) strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void world_close(world *w, const world_coord *c)
{
    if (!w) return;
    if (c) world_poll(w, c);
    world_save(w);
    close(w->lock_fd);
    free(w->d);
    free(w->path);
    free(w);
}

/* ---------------------------------------------------------------- devices */

static wdev *find(world *w, uint64_t ieee)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->d[i].ieee == ieee) return &w->d[i];
    return NULL;
}

static wdev *add(world *w)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        wdev *d = realloc(w->d, cap * sizeof(*d));
        if (!d) return NULL;
        w->d = d;
        w->cap = cap;
    }
    wdev *d = &w->d[w->n++];
    memset(d, 0, sizeof(*d));
    return d;
}

/* The device's record for a sender: by IEEE, else (ZBOSS lookup order, §2.4 step 2 and §3.2) the
 * record of the same short address. */
static in_fc *in_lookup(wdev *d, uint64_t ieee, uint16_t nwk)
{
    for (size_t i = 0; i < d->n_in; i++)
        if (d->in[i].ieee == ieee) return &d->in[i];
    for (size_t i = 0; i < d->n_in; i++)
        if (d->in[i].nwk == nwk) return &d->in[i];
    return NULL;
}

static void in_store(wdev *d, uint64_t ieee, uint16_t nwk, uint8_t seq, uint32_t fc)
{
    in_fc *r = in_lookup(d, ieee, nwk);
    if (!r) {
        if (d->n_in == WORLD_MAX_IN) memmove(d->in, d->in + 1, --d->n_in * sizeof(in_fc));
        r = &d->in[d->n_in++];
    }
    *r = (in_fc){ieee, nwk, seq, fc};
}

int world_join(world *w, const world_coord *c, const world_member *m)
{
    char at[24];
    stamp(w, at);
    wdev *d = find(w, m->ieee);
    if (!d && !(d = add(w))) return -1;
    memset(d, 0, sizeof(*d));
    d->ieee = m->ieee;
    d->nwk = m->nwk;
    d->router = !m->is_child;
    d->parent = 0x0000;
    d->epid = c->epid;
    d->pan = c->pan;
    d->channel = c->channel;
    memcpy(d->key, c->nwk_key, 16);
    d->seq = c->key_seq;
    d->tc_ieee = c->ieee;
    /* the key the TC made or derived for it, confirmed on both sides (§5.1) */
    const char *how = c->stack->link_key ? c->stack->link_key(c->fe, m->ieee, d->link_key) : NULL;
    snprintf(d->derivation, sizeof(d->derivation), "%s", how ? how : "global");
    if (!how) memcpy(d->link_key, "ZigBeeAlliance09", 16);
    /* the join itself: the coordinator's frames the device accepted */
    in_store(d, c->ieee, 0x0000, c->key_seq, c->stack->nwk_use(c->fe, 1));
    d->nwk_tx = 1;
    d->status = ST_ALIVE;
    d->round = w->rounds;
    memcpy(d->judged_at, at, sizeof(at));
    snprintf(d->reason, sizeof(d->reason), "joined");
    return 0;
}

int world_adopt(world *w, const world_coord *c)
{
    world_member m;
    size_t n = 0;
    for (size_t i = 0; c->stack->member && c->stack->member(c->fe, i, &m); i++) {
        if (find(w, m.ieee)) continue;
        if (world_join(w, c, &m) < 0) return -1;
        n++;
    }
    if (n) LOG_INFO("world: %zu devices of the %s coordinator adopted", n, c->stack->name);
    return n ? world_save(w) : 0;
}

/* ---------------------------------------------------------------- security rules */

static int on_network(const wdev *d, const world_coord *c, char *why, size_t n)
{
    if (d->epid == c->epid && d->pan == c->pan && d->channel == c->channel) return 1;
    snprintf(why, n, "network differs (device PAN %04x EPID %016" PRIx64 " channel %u)", d->pan,
             d->epid, d->channel);
    return 0;
}

/* Trust-center operations (§4.2, §5.5, §7): APS-secured between the TC and the device. */
static int tc_ok(const wdev *d, const world_coord *c, char *why, size_t n)
{
    uint8_t k[16];
    if (d->tc_ieee != c->ieee) {
        snprintf(why, n,
                 "trust center IEEE changed (device holds %016" PRIx64
                 ", coordinator is %016" PRIx64 ")",
                 d->tc_ieee, c->ieee);
        return 0;
    }
    const char *how = c->stack->link_key ? c->stack->link_key(c->fe, d->ieee, k) : NULL;
    if (!how) {
        snprintf(why, n, "link key missing at the coordinator");
        return 0;
    }
    if (memcmp(k, d->link_key, 16) != 0) {
        snprintf(why, n, "link key differs (coordinator: %s, device: %s)", how, d->derivation);
        return 0;
    }
    return 1;
}

/* A frame from the coordinator as the device checks it (§2.4): the key of its sequence, then the
 * counter against the last one accepted from that sender (rejected when <=, the strict reading
 * of §2.4; open question §10.1). */
static int device_accepts(wdev *d, const world_coord *c, uint32_t fc, char *why, size_t n)
{
    if (d->seq != c->key_seq || memcmp(d->key, c->nwk_key, 16) != 0) {
        snprintf(why, n, "network key sequence %u (coordinator) not held by the device (%u)",
                 c->key_seq, d->seq);
        return 0;
    }
    in_fc *r = in_lookup(d, c->ieee, 0x0000);
    if (r && r->seq == c->key_seq && fc <= r->fc) {
        snprintf(why, n, "coordinator frame counter %" PRIu32 " <= last seen %" PRIu32, fc, r->fc);
        return 0;
    }
    in_store(d, c->ieee, 0x0000, c->key_seq, fc);
    return 1;
}

/* The coordinator checks a device's frame (§2.4): replays of counters it knows are dropped. */
static int coord_accepts(wdev *d, const world_coord *c, char *why, size_t n)
{
    uint32_t fc = ++d->nwk_tx;
    if (d->seq != c->key_seq || memcmp(d->key, c->nwk_key, 16) != 0) {
        snprintf(why, n, "device uses network key sequence %u, coordinator %u", d->seq, c->key_seq);
        return 0;
    }
    if (d->c_known && d->c_seq == c->key_seq && fc <= d->c_last) {
        snprintf(why, n, "device frame counter %" PRIu32 " <= last seen %" PRIu32 " (replay)", fc,
                 d->c_last);
        return 0;
    }
    d->c_known = 1;
    d->c_seq = c->key_seq;
    d->c_last = fc;
    return 1;
}

/* A rejoin (§6.1, §6.2): secured first (network key alone; the device cleared the stale parent
 * record before rejoining, NXP "Clearing stack context data before a rejoin"), then a TC rejoin
 * that needs the TC IEEE and the link key and delivers the current network key. */
static int rejoin(wdev *d, const world_coord *c, char *why, size_t n)
{
    int have_key = d->seq == c->key_seq && memcmp(d->key, c->nwk_key, 16) == 0;
    if (!have_key && !tc_ok(d, c, why, n)) return 0;
    if (!have_key) {
        memcpy(d->key, c->nwk_key, 16);
        d->seq = c->key_seq;
        d->aps_rx++;
    }
    for (size_t i = 0; i < d->n_in; i++)
        if (d->in[i].nwk == 0x0000) d->in[i].fc = 0, d->in[i].seq = c->key_seq;
    d->parent = 0x0000;
    return 1;
}

static void report_frame(wdev *d, const world_coord *c)
{
    /* ZCL Report Attributes (0x0A), server to client, no default response: temperature
     * measurement MeasuredValue (0x0402/0x0000, int16 0x29) in 0.01 degC */
    int16_t t = (int16_t)(2000 + (int)(d->ieee % 500) + (int)(d->nwk_tx % 50));
    uint8_t zcl[8] = {0x18, d->tsn++, 0x0A,       0x00,
                      0x00, 0x29,     (uint8_t)t, (uint8_t)((uint16_t)t >> 8)};
    world_report r = {d->ieee, d->nwk, 1, (uint8_t)(200 + d->ieee % 50), 0x0104, 0x0402, zcl, 8};
    if (c->stack->deliver) c->stack->deliver(c->fe, &r);
}

static uint32_t g_round;    /* the round being run (set_status stamps it) */
static char g_round_at[24]; /* and when it runs */

static void set_status(wdev *d, const world_coord *c, int st, const char *why)
{
    d->status = st;
    d->stale = 0;
    d->round = g_round;
    memcpy(d->judged_at, g_round_at, sizeof(g_round_at));
    d->status_coord = c->ieee;
    snprintf(d->reason, sizeof(d->reason), "%s", why);
}

static void exchange(wdev *d, const world_coord *c)
{
    char why[300] = "";
    int rejoined = 0;
    if (!on_network(d, c, why, sizeof(why))) return set_status(d, c, ST_LOST, why);
    if (d->seq != c->key_seq || memcmp(d->key, c->nwk_key, 16) != 0) {
        /* it cannot read the network any more: TC rejoin for the current key (§7) */
        char tc[200];
        if (!tc_ok(d, c, tc, sizeof(tc))) {
            snprintf(why, sizeof(why),
                     "network key sequence %u not held (device has %u); TC rejoin failed: %s",
                     c->key_seq, d->seq, tc);
            return set_status(d, c, ST_LOST, why);
        }
        rejoin(d, c, why, sizeof(why));
        rejoined = 1;
    }
    if (!d->router && d->parent == 0x0000 && c->stack->knows_child &&
        !c->stack->knows_child(c->fe, d->ieee)) {
        /* its parent does not answer its polls: rejoin (§6.2) */
        if (!rejoin(d, c, why, sizeof(why))) {
            char tmp[sizeof(why) + 32];
            snprintf(tmp, sizeof(tmp), "parent lost, rejoin failed: %s", why);
            return set_status(d, c, ST_LOST, tmp);
        }
        rejoined = 1;
    }
    /* the coordinator's request, then the device's report in answer (one exchange) */
    if (!device_accepts(d, c, c->stack->nwk_use(c->fe, 1), why, sizeof(why)))
        return set_status(d, c, ST_LOST, why);
    if (!coord_accepts(d, c, why, sizeof(why))) return set_status(d, c, ST_LOST, why);
    report_frame(d, c);
    set_status(d, c, rejoined ? ST_REJOINED : ST_ALIVE,
               rejoined ? "rejoined" : "both directions accepted");
}

int world_round(world *w, const world_coord *c)
{
    int alive = 0;
    g_round = ++w->rounds;
    stamp(w, g_round_at);
    w->down = 0; /* an exchange: the network is up, every verdict below is current */
    for (size_t i = 0; i < w->n; i++) {
        exchange(&w->d[i], c);
        if (w->d[i].status == ST_ALIVE || w->d[i].status == ST_REJOINED) alive++;
    }
    size_t k[5];
    world_counts(w, k);
    LOG_DEBUG("world round %u with %s %016" PRIx64 ": %zu alive, %zu after rejoin, %zu lost",
              w->rounds, c->stack->name, c->ieee, k[1], k[2], k[3]);
    return world_save(w) < 0 ? -1 : alive;
}

int world_burst(world *w, const world_coord *c, uint32_t n)
{
    /* broadcasts and link status: every neighbour on the network that accepts them records the
     * counter (§2.4); one that does not (a lower counter) just drops them */
    uint32_t fc = c->stack->nwk_use(c->fe, n);
    for (size_t i = 0; i < w->n; i++) {
        char why[200];
        wdev *d = &w->d[i];
        if (on_network(d, c, why, sizeof(why))) device_accepts(d, c, fc, why, sizeof(why));
    }
    LOG_INFO("world: the %s coordinator sent %" PRIu32 " frames (counter now %" PRIu32 ")",
             c->stack->name, n, fc);
    return world_save(w);
}

int world_key_switch(world *w, const world_coord *c)
{
    uint8_t key[16];
    uint8_t seq = (uint8_t)(c->key_seq + 1);
    /* deterministic new key: the old one rotated and tweaked with the sequence */
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(c->nwk_key[(i + 1) % 16] ^ (0x5A + seq));
    /* the new key goes out as a broadcast under the current network key (§7): routers (rx on)
     * that accept the coordinator's frame store it; sleepy end devices miss it and must TC
     * rejoin at their next exchange, which needs the TC IEEE and their link key (§7 "Derived") */
    size_t got = 0;
    uint32_t fc = c->stack->nwk_use(c->fe, 1);
    for (size_t i = 0; i < w->n; i++) {
        char why[200];
        wdev *d = &w->d[i];
        if (!d->router || !on_network(d, c, why, sizeof(why)) ||
            !device_accepts(d, c, fc, why, sizeof(why)))
            continue;
        memcpy(d->key, key, 16);
        d->seq = seq;
        got++;
    }
    if (!c->stack->set_network_key || c->stack->set_network_key(c->fe, key, seq) < 0) {
        LOG_ERROR("world: the %s coordinator cannot switch its network key", c->stack->name);
        return -1;
    }
    LOG_INFO("world: network key switched to sequence %u; %zu of %zu devices received it", seq, got,
             w->n);
    return world_save(w);
}

void world_poll(world *w, const world_coord *c)
{
    if (g_frames > 0) {
        uint32_t n = (uint32_t)g_frames;
        g_frames = 0;
        world_burst(w, c, n);
    }
    if (g_switch) {
        g_switch = 0;
        world_key_switch(w, c);
    }
}

int world_network_down(world *w)
{
    if (w->down) return 0;
    w->down = 1;
    w->down_round = w->rounds;
    stamp(w, w->down_at);
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->d[i].status != ST_NONE && !w->d[i].stale) w->d[i].stale = 1, n++;
    LOG_INFO("world: the coordinator's network is down after round %" PRIu32
             ": %zu verdicts are not current",
             w->rounds, n);
    return world_save(w);
}

void world_counts(const world *w, size_t out[5])
{
    memset(out, 0, 5 * sizeof(size_t));
    out[0] = w->n;
    for (size_t i = 0; i < w->n; i++)
        if (w->d[i].stale)
            out[4]++;
        else if (w->d[i].status >= ST_ALIVE)
            out[w->d[i].status]++;
}
