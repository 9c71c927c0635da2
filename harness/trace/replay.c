/* replay.c - the emulator replay (replay.h): a real stick's recorded requests played to an
 * emulator, its answers compared with the recorded ones.
 *
 * Each stack is three small functions over the harness's own host side of the protocol
 * (mt_host, ezsp_host, zboss_host), so the link layers (MT framing, ASH, ZBOSS LL) are the
 * ones the drivers use: start the link, one request and its direct answers, the next frame the
 * stick sends unasked. Frames go in and out in the trace's layout (vectors/traces/README.md),
 * so one comparison serves all three. The bytes a unit decides are declared once, by the
 * schemas (declared_at); the rest is the firmware's behaviour and must match. */
#include "replay.h"

#include "ezsp_host.h"
#include "ezsp_versions.h"
#include "hex.h"
#include "ezsp_schema.h"
#include "mt_host.h"
#include "mt_schema.h"
#include "zboss_host.h"
#include "zboss_schema.h"

#include <stdlib.h>
#include <string.h>

#define RSP_WAIT_MS   3000 /* one attempt: a real stick answers in milliseconds */
#define IND_WAIT_MS   2000 /* for each indication the trace recorded */
#define EXTRA_WAIT_MS 20   /* then: does the emulator send more than the stick did? */
#define SETTLE_MS     150  /* at the start: the boot indication of a stick just opened */

static const char *const VERDICTS[ZBH_RP_N] = {"identical", "declared", "different", "played",
                                               "unasked"};

const char *zbh_rp_verdict_name(zbh_rp_verdict v)
{
    return VERDICTS[v];
}

/* ---------------------------------------------------------------- frame keys per stack */

/* The frame's id and where its payload starts, in the trace's layout; -1 if too short. */
static int rp_key(zbt_stack st, const uint8_t *f, size_t n, uint16_t *cmd, size_t *off)
{
    switch (st) {
    case ZBT_ZNP:
        if (n < 2) return -1;
        *cmd = (uint16_t)(f[0] << 8 | f[1]);
        *off = 2;
        return 0;
    case ZBT_EZSP:
        if (n >= 4 && f[2] == 0x00 && (n == 4 || n == 7)) { /* the legacy version frame */
            *cmd = EZSP_ID_VERSION;
            *off = EZSP_LEGACY_HDR;
            return 0;
        }
        if (n < EZSP_EXT_HEADER) return -1;
        *cmd = (uint16_t)(f[3] | f[4] << 8);
        *off = EZSP_EXT_HEADER;
        return 0;
    case ZBT_ZBOSS: {
        zboss_hl h;
        if (zboss_hl_decode(f, n, &h) < 0) return -1;
        *cmd = h.call_id;
        *off = (size_t)(h.params - f);
        return 0;
    }
    }
    return -1;
}

/* ---------------------------------------------------------------- declared unit fields */

/* The bytes a unit decides (its IEEE, random numbers, counters, padding) are the schemas' to
 * say, once: each command row's `unit` column (zs_is_unit over the field zs_walk finds at the
 * byte), and for answers whose meaning depends on the request, the protocol's own query
 * (mt_unit_in_answer: an NV item, a SAPI parameter; ezsp_unit_when: a key type, a value id). */

typedef struct field_at {
    size_t i;
    char name[160];
} field_at;

static void find_field(void *ctx, const char *name, size_t off, size_t len)
{
    field_at *f = ctx;
    if (!f->name[0] && f->i >= off && f->i < off + len)
        snprintf(f->name, sizeof f->name, "%s", name);
}

/* `name` without "[i]" */
static void plain(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < cap; p++) {
        if (*p == '[') {
            while (*p && *p != ']')
                p++;
            if (!*p) break;
            continue;
        }
        out[o++] = *p;
    }
    out[o] = '\0';
}

static const zs_cmd *answer_row(zbt_stack st, uint16_t cmd, int ezsp)
{
    switch (st) {
    case ZBT_ZNP: return mt_schema_of_answer((uint8_t)(cmd >> 8), (uint8_t)cmd);
    case ZBT_EZSP: return ezsp_cmd_row(cmd, ezsp);
    case ZBT_ZBOSS: return zboss_cmd_row(cmd);
    }
    return NULL;
}

/* Whether payload byte `i` of answer `ans` (payload at `aoff`, id `cmd`) is the unit's; its
 * declared name goes to `out`. */
static bool declared_at(zbt_stack st, int ezsp, uint16_t cmd, const zbt_frame *req,
                        const zbt_frame *ans, size_t aoff, size_t i, char *out, size_t cap)
{
    uint16_t rcmd = 0;
    size_t roff = 0;
    bool have_req = req->n && rp_key(st, req->b, req->n, &rcmd, &roff) == 0;
    const uint8_t *rp = have_req ? req->b + roff : NULL;
    size_t rn = have_req ? req->n - roff : 0;
    mt_unit_range r;
    if (st == ZBT_ZNP && have_req &&
        mt_unit_in_answer(rp, rn, ans->b + aoff, ans->n - aoff, (uint8_t)(cmd >> 8), (uint8_t)cmd,
                          &r) &&
        i >= r.off && i < r.off + r.len) {
        snprintf(out, cap, "%s", r.name);
        return true;
    }
    const zs_cmd *row = answer_row(st, cmd, ezsp);
    field_at f = {i, ""};
    if (!row || !row->rsp) return false;
    zs_walk(row->rsp, ans->b + aoff, ans->n - aoff, find_field, &f);
    if (!f.name[0]) return false;
    char field[160];
    plain(f.name, field, sizeof field);
    const char *when = st == ZBT_EZSP && have_req ? ezsp_unit_when(cmd, rp, rn, field) : NULL;
    if (when) {
        snprintf(out, cap, "%s", when);
        return true;
    }
    if (!zs_is_unit(row, f.name)) return false;
    return snprintf(out, cap, "%s.%s", row->name, field) > 0; /* a long name is cut: it is read */
}

/* ---------------------------------------------------------------- one comparison */

typedef struct cmp {
    zbh_rp_verdict v;
    char detail[240];
    int ezsp; /* the trace's EZSP version (the rows' layouts differ by it) */
} cmp;

static void worsen(cmp *c, zbh_rp_verdict v, const char *fmt, const char *a, size_t i,
                   unsigned want, unsigned got)
{
    if (v <= c->v) return;
    c->v = v;
    snprintf(c->detail, sizeof(c->detail), fmt, a, i, want, got);
}

/* EZSP frame control low byte: bit 0x04 (callbackPending) says whether a callback was queued at
 * that instant, which is timing, not firmware. */
#define EZSP_FC_TIMING 0x04

/* `early`: a callback that came before the request it followed in the session (take_pooled):
 * its EZSP sequence byte is that of the request it came during, which is timing too */
static void compare_frame(zbt_stack st, const zbt_frame *req, const zbt_frame *want,
                          const zbt_frame *got, const char *what, bool early, cmp *c)
{
    uint16_t cw = 0, cg = 0;
    size_t ow = 0, og = 0;
    if (rp_key(st, want->b, want->n, &cw, &ow) < 0 || rp_key(st, got->b, got->n, &cg, &og) < 0 ||
        cw != cg) {
        worsen(c, ZBH_RP_DIFFERENT, "%s: another command (id %zx, want %04x)", what, cg, cw, 0);
        return;
    }
    /* the header: EZSP seq is the host's; ZBOSS TSN likewise (the replay sends the recorded one) */
    for (size_t i = 0; i < ow && i < og; i++) {
        unsigned a = want->b[i], b = got->b[i];
        if (a == b) continue;
        if (st == ZBT_EZSP && i == 0 && early) {
            worsen(c, ZBH_RP_DECLARED,
                   "%s: header byte %zu (an early callback's sequence) %02x/%02x", what, i, a, b);
            continue;
        }
        if (st == ZBT_EZSP && i == 1 && ((a ^ b) & ~EZSP_FC_TIMING) == 0) {
            worsen(c, ZBH_RP_DECLARED, "%s: header byte %zu (callbackPending) %02x/%02x", what, i,
                   a, b);
            continue;
        }
        worsen(c, ZBH_RP_DIFFERENT, "%s: header byte %zu: want %02x, got %02x", what, i, a, b);
    }
    size_t pw = want->n - ow, pg = got->n - og;
    char name[160];
    for (size_t i = 0; i < pw && i < pg; i++) {
        unsigned a = want->b[ow + i], b = got->b[og + i];
        if (a == b) continue;
        if (declared_at(st, c->ezsp, cw, req, want, ow, i, name, sizeof name))
            worsen(c, ZBH_RP_DECLARED, "%s", name, 0, 0, 0);
        else
            worsen(c, ZBH_RP_DIFFERENT, "%s: payload byte %zu: want %02x, got %02x", what, i, a, b);
    }
    if (pw != pg) {
        /* a field of its own length (a counted or trailing one) that is the unit's */
        size_t at = pw < pg ? pw : pg;
        const zbt_frame *longer = pw < pg ? got : want;
        if (declared_at(st, c->ezsp, cw, req, longer, pw < pg ? og : ow, at, name, sizeof name))
            worsen(c, ZBH_RP_DECLARED, "%s", name, 0, 0, 0);
        else
            worsen(c, ZBH_RP_DIFFERENT, "%s: payload length (at byte %zu): want %u, got %u", what,
                   at, (unsigned)pw, (unsigned)pg);
    }
}

/* `early` (may be NULL): the payloads of `got` that came early (compare_frame) */
static void compare_list(zbt_stack st, const zbt_frame *req, const zbt_frames *want,
                         const zbt_frames *got, const zbt_frames *early, const char *what, cmp *c)
{
    char w[32];
    for (size_t i = 0; i < want->n && i < got->n; i++) {
        bool e = false;
        for (size_t k = 0; early && k < early->n; k++)
            e = e || early->v[k].b == got->v[i].b;
        snprintf(w, sizeof(w), "%s[%zu]", what, i);
        compare_frame(st, req, &want->v[i], &got->v[i], w, e, c);
    }
    if (want->n != got->n)
        worsen(c, ZBH_RP_DIFFERENT, "%s: count (from %zu): want %u, got %u", what,
               want->n < got->n ? want->n : got->n, (unsigned)want->n, (unsigned)got->n);
}

/* ---------------------------------------------------------------- the link per stack */

typedef struct zbh_rp_link {
    zbt_stack st;
    mt_host mt;
    ezsp_host ez;
    zboss_host zb;
} zbh_rp_link;
typedef zbh_rp_link rp_io;

static int push(zbt_frames *l, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    zbt_frame *v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v) return -1;
    l->v = v;
    uint8_t *p = malloc(an + bn + 1);
    if (!p) return -1;
    memcpy(p, a, an);
    if (bn) memcpy(p + an, b, bn);
    l->v[l->n++] = (zbt_frame){p, an + bn};
    return 0;
}

static void frames_free(zbt_frames *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].b);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* MT: an SREQ has one SRSP; an AREQ none. */
static int znp_request(rp_io *io, const zbt_frame *req, zbt_frames *rsp)
{
    uint8_t type = req->b[0] >> 5;
    if (type != 1) return mt_host_areq(&io->mt, req->b[0], req->b[1], req->b + 2, req->n - 2);
    mt_frame r;
    int rc = mt_host_sreq(&io->mt, req->b[0], req->b[1], req->b + 2, req->n - 2, &r, RSP_WAIT_MS);
    if (rc == MT_HOST_TIMEOUT) return 0; /* no answer: the comparison says so */
    if (rc && rc != MT_HOST_RPC_ERROR) return rc;
    return push(rsp, (const uint8_t[]){r.cmd0, r.cmd1}, 2, r.data, r.len);
}

static int znp_next(rp_io *io, zbt_frames *ind, int ms)
{
    mt_frame r;
    int rc = mt_host_next(&io->mt, &r, ms);
    if (rc) return rc;
    return push(ind, (const uint8_t[]){r.cmd0, r.cmd1}, 2, r.data, r.len) ? MT_HOST_IO : 0;
}

/* EZSP: the answer's header is rebuilt in the request's form (its sequence number, the NCP's
 * frame control and id): ezsp_host keeps the parameters, frame control and id it received. */
static int ezsp_request(rp_io *io, const zbt_frame *req, zbt_frames *rsp)
{
    ezsp_host_frame r;
    int rc = ezsp_host_frame_exchange(&io->ez, req->b, req->n, &r);
    if (rc == EZSP_HOST_TIMEOUT) return 0;
    if (rc && rc != EZSP_HOST_INVALID) return rc;
    uint8_t hd[EZSP_EXT_HEADER];
    size_t hn;
    if (req->n == 4 && req->b[2] == 0x00) {
        hd[0] = req->b[0], hd[1] = r.fc_lo, hd[2] = 0x00, hn = EZSP_LEGACY_HDR;
    } else {
        hd[0] = req->b[0], hd[1] = r.fc_lo, hd[2] = req->b[2];
        hd[3] = (uint8_t)r.frame_id, hd[4] = (uint8_t)(r.frame_id >> 8), hn = EZSP_EXT_HEADER;
    }
    return push(rsp, hd, hn, r.data, r.len);
}

static int ezsp_next(rp_io *io, zbt_frames *ind, int ms)
{
    ezsp_host_frame r;
    int rc = ezsp_host_wait_cb(&io->ez, EZSP_HOST_ANY_CB, &r, ms);
    if (rc) return rc;
    uint8_t hd[EZSP_EXT_HEADER] = {r.seq, r.fc_lo, EZSP_FC_HI, (uint8_t)r.frame_id,
                                   (uint8_t)(r.frame_id >> 8)};
    return push(ind, hd, sizeof(hd), r.data, r.len) ? EZSP_HOST_IO : 0;
}

static int zboss_request(rp_io *io, const zbt_frame *req, zbt_frames *rsp)
{
    zboss_msg m;
    int rc = zboss_host_request_raw(&io->zb, req->b, req->n, &m, RSP_WAIT_MS);
    if (rc == ZBOSS_HOST_TIMEOUT) return 0;
    if (rc) return rc;
    rc = push(rsp, m.data, m.len, NULL, 0);
    zboss_msg_free(&m);
    return rc;
}

static int zboss_next(rp_io *io, zbt_frames *ind, int ms)
{
    zboss_msg m;
    int rc = zboss_host_next_ind(&io->zb, &m, ms);
    if (rc) return rc;
    rc = push(ind, m.data, m.len, NULL, 0);
    zboss_msg_free(&m);
    return rc ? ZBOSS_HOST_IO : 0;
}

typedef struct rp_stack_ops {
    int (*request)(rp_io *io, const zbt_frame *req, zbt_frames *rsp);
    int (*next)(rp_io *io, zbt_frames *ind, int ms); /* 0, or the host's timeout/error */
    int timeout_rc;
} rp_stack_ops;

static const rp_stack_ops OPS[] = {
    [ZBT_ZNP] = {znp_request, znp_next, MT_HOST_TIMEOUT},
    [ZBT_EZSP] = {ezsp_request, ezsp_next, EZSP_HOST_TIMEOUT},
    [ZBT_ZBOSS] = {zboss_request, zboss_next, ZBOSS_HOST_TIMEOUT},
};

/* ---------------------------------------------------------------- a trace */

static void command_of(const zbt_trace *t, const zbt_exchange *x, char *out, size_t cap)
{
    const zbt_frame *f = x->req.n ? &x->req : x->ind.n ? &x->ind.v[0] : &x->rsp.v[0];
    uint16_t id = 0;
    size_t off;
    if (rp_key(t->stack, f->b, f->n, &id, &off) < 0) id = 0xFFFF;
    snprintf(out, cap, "%04x%s%s", id, x->note ? " " : "", x->note ? x->note : "");
    for (char *p = out; *p; p++)
        if (*p == '\t' || *p == '\n') *p = ' ';
}

/* Collects what the stick sends unasked: as many frames as the trace recorded, each within
 * IND_WAIT_MS, then `extra_ms` more to see whether the emulator sends more. */
static int collect(rp_io *io, size_t want, zbt_frames *got, int extra_ms)
{
    const rp_stack_ops *ops = &OPS[io->st];
    while (got->n < want) {
        int rc = ops->next(io, got, IND_WAIT_MS);
        if (rc == ops->timeout_rc) return 0;
        if (rc) return rc;
    }
    if (!extra_ms) return 0;
    int rc = ops->next(io, got, extra_ms);
    return rc == ops->timeout_rc ? 0 : rc;
}

static int start_link(rp_io *io, zbh_serial *s)
{
    memset(io, 0, sizeof(*io));
    mt_host_init(&io->mt, s);
    ezsp_host_init(&io->ez, s);
    zboss_host_init(&io->zb, s);
    return 0;
}

/* EZSP callbacks come when the NCP sends them, and a replay asks at its own pace (the emulator
 * time-scaled, no host work in between) where the session's host took its time: a callback may
 * come several requests before the one it followed in the session. An extra callback goes to a
 * pool when a later exchange (up to EARLY_AHEAD on) recorded one with the same frame id that
 * the pool does not already hold; that exchange takes it from the pool in its recorded place
 * instead of waiting for it, and is "declared" (timing, not firmware) if nothing else differs.
 * Any other extra frame stays where it came, and differs there. */
#define EARLY_AHEAD 16

static uint16_t key_of(zbt_stack st, const zbt_frame *f)
{
    uint16_t k = 0xFFFF;
    size_t off;
    return rp_key(st, f->b, f->n, &k, &off) == 0 ? k : 0xFFFF;
}

static size_t count_key(zbt_stack st, const zbt_frames *l, uint16_t k)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].b && key_of(st, &l->v[i]) == k;
    return n;
}

/* whether a later exchange recorded a frame with this id that the pool does not hold yet */
static bool wanted_later(const zbt_trace *t, size_t i, const zbt_frame *f, const zbt_frames *pool)
{
    if (t->stack != ZBT_EZSP) return false;
    uint16_t k = key_of(t->stack, f);
    size_t want = 0;
    for (size_t j = i + 1; j < t->n_ex && j <= i + EARLY_AHEAD; j++)
        if (t->ex[j].req.n) want += count_key(t->stack, &t->ex[j].ind, k);
    return want > count_key(t->stack, pool, k);
}

/* moves frame `f` (its bytes owned) to the end of `l`; on failure frees them */
static void move_frame(zbt_frames *l, zbt_frame *f)
{
    zbt_frame *v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v) {
        free(f->b);
    } else {
        l->v = v;
        l->v[l->n++] = *f;
    }
    f->b = NULL;
}

/* The recorded places this exchange's pooled callbacks fill: slot k of `got` (want->n slots)
 * takes the pool's oldest frame with want[k]'s id. Returns how many. */
static size_t take_pooled(zbt_stack st, const zbt_frames *want, zbt_frames *pool, zbt_frames *got)
{
    size_t taken = 0; /* got->v[k].b set: from the pool */
    for (size_t k = 0; k < want->n; k++) {
        uint16_t id = key_of(st, &want->v[k]);
        for (size_t j = 0; j < pool->n; j++) {
            if (!pool->v[j].b || key_of(st, &pool->v[j]) != id) continue;
            got->v[k] = pool->v[j];
            pool->v[j].b = NULL;
            taken++;
            break;
        }
    }
    size_t kept = 0; /* the pool without the taken ones, in order */
    for (size_t j = 0; j < pool->n; j++)
        if (pool->v[j].b) pool->v[kept++] = pool->v[j];
    pool->n = kept;
    return taken;
}

/* The frames to judge this exchange by: the pooled ones in their places, the live ones in the
 * free places in order, then the live extras that no later exchange wants (pooled ones leave). */
static void place_live(const zbt_trace *t, size_t i, zbt_frames *got, zbt_frames *live,
                       zbt_frames *pool)
{
    size_t j = 0;
    for (size_t k = 0; k < got->n && j < live->n; k++)
        if (!got->v[k].b) got->v[k] = live->v[j++];
    size_t kept = 0; /* places nothing filled go: the list stays in order */
    for (size_t k = 0; k < got->n; k++)
        if (got->v[k].b) got->v[kept++] = got->v[k];
    got->n = kept;
    for (; j < live->n; j++)
        move_frame(wanted_later(t, i, &live->v[j], pool) ? pool : got, &live->v[j]);
    free(live->v);
    memset(live, 0, sizeof(*live));
}

static int play(rp_io *io, const zbt_trace *t, size_t i, cmp *c, zbt_frames *pool)
{
    const zbt_exchange *x = &t->ex[i];
    zbt_frames rsp = {0}, live = {0}, ind = {calloc(x->ind.n + 1, sizeof(zbt_frame)), x->ind.n};
    if (!ind.v) return -1;
    if (!x->req.n) {
        c->v = ZBH_RP_UNASKED;
        snprintf(c->detail, sizeof(c->detail), "the stick sent it unasked");
        free(ind.v);
        return 0;
    }
    size_t early = take_pooled(t->stack, &x->ind, pool, &ind);
    zbt_frame early_v[16];
    zbt_frames early_set = {early_v, 0}; /* which payloads came from the pool (not owned) */
    for (size_t k = 0; k < ind.n && early_set.n < 16; k++)
        if (ind.v[k].b) early_set.v[early_set.n++] = ind.v[k];
    int rc = OPS[t->stack].request(io, &x->req, &rsp);
    /* after a trace's last exchange the log has ended: what the stick sent next was never
     * recorded, so nothing sent then can differ from it (and a window that a loaded machine
     * may or may not catch it in would make the verdict a matter of timing) */
    if (!rc) rc = collect(io, x->ind.n - early, &live, i + 1 < t->n_ex ? EXTRA_WAIT_MS : 0);
    place_live(t, i, &ind, &live, pool);
    if (!rc) {
        if (!x->rsp_known) {
            c->v = ZBH_RP_PLAYED;
            snprintf(c->detail, sizeof(c->detail), "answer not in the log");
        } else {
            compare_list(t->stack, &x->req, &x->rsp, &rsp, NULL, "rsp", c);
        }
        if (x->rsp_known || x->ind.n) {
            zbh_rp_verdict before = c->v;
            if (c->v == ZBH_RP_PLAYED) c->v = ZBH_RP_IDENTICAL;
            compare_list(t->stack, &x->req, &x->ind, &ind, &early_set, "ind", c);
            if (before == ZBH_RP_PLAYED && c->v == ZBH_RP_IDENTICAL) c->v = ZBH_RP_PLAYED;
        }
        if (early)
            worsen(c, ZBH_RP_DECLARED, "%s: %zu callback(s) came before this request (timing)",
                   "ind", early, 0, 0);
    }
    frames_free(&rsp);
    frames_free(&ind);
    return rc;
}

static bool has_request(const zbt_trace *t, uint16_t id)
{
    for (size_t i = 0; i < t->n_ex; i++) {
        uint16_t k;
        size_t off;
        if (t->ex[i].req.n && rp_key(t->stack, t->ex[i].req.b, t->ex[i].req.n, &k, &off) == 0 &&
            k == id)
            return true;
    }
    return false;
}

/* An EmberZNet log that begins after the host started the network (no networkInit in it) was
 * taken from an NCP with its network up: after the replay's own reset, start it as the host
 * did (version, networkInit, NETWORK_UP), so the first recorded request meets that state. */
static int ezsp_resume_network(rp_io *io, const zbt_trace *t)
{
    int v = ezsp_host_connect(&io->ez, t->ezsp);
    if (v < 0) return v;
    uint8_t p[2] = {0, 0};
    ezsp_host_frame r;
    int rc = ezsp_host_cmd(&io->ez, EZSP_ID_NETWORK_INIT, p, sizeof(p), &r);
    if (rc) return rc;
    return ezsp_host_wait_cb(&io->ez, EZSP_ID_STACK_STATUS_HANDLER, &r, IND_WAIT_MS);
}

int zbh_replay_trace(const zbt_trace *t, zbh_serial *s, FILE *out, zbh_rp_counts *counts, char *err,
                     size_t errlen)
{
    rp_io io;
    start_link(&io, s);
    io.st = t->stack;
    int rc = 0;
    if (t->stack == ZBT_EZSP && (rc = ezsp_host_reset(&io.ez)) != 0) {
        snprintf(err, errlen, "%s: no RSTACK from the emulator: %s", t->name,
                 ezsp_host_strerror(rc));
        return -1;
    }
    if (t->stack == ZBT_EZSP && t->state_path && !has_request(t, EZSP_ID_NETWORK_INIT) &&
        (rc = ezsp_resume_network(&io, t)) != 0) {
        snprintf(err, errlen, "%s: the network of its state did not come up: %s", t->name,
                 ezsp_host_strerror(rc));
        return -1;
    }
    /* A trace starts where its log starts, with the stick already running: what the emulator
     * says on being opened (a CC2652's reset indication) is not the answer to anything. */
    zbt_frames boot = {0};
    while (OPS[t->stack].next(&io, &boot, SETTLE_MS) == 0)
        ;
    frames_free(&boot);
    zbt_frames pool = {0}; /* callbacks that came before the exchange that recorded them */
    for (size_t i = 0; i < t->n_ex; i++) {
        cmp c = {ZBH_RP_IDENTICAL, "", t->ezsp & 0x1F};
        if ((rc = play(&io, t, i, &c, &pool)) != 0) {
            snprintf(err, errlen, "%s: exchange %zu: the link failed (%d)", t->name, i, rc);
            break;
        }
        char cmd[96];
        command_of(t, &t->ex[i], cmd, sizeof(cmd));
        fprintf(out, "%s\t%zu\t%s\t%s\t%s\n", t->name, i, cmd, VERDICTS[c.v], c.detail);
        counts->n[c.v]++;
    }
    frames_free(&pool);
    zboss_host_free(&io.zb);
    return rc ? -1 : 0;
}

int zbh_replay_target(const zbt_trace *t, zbh_target *out, char buf[8], char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->stack = zbt_stack_name(t->stack);
    out->name = t->name;
    out->argv[0] = out->stack;
    if (t->stack == ZBT_ZNP) {
        out->argv[1] = "--profile";
        out->argv[2] = t->line;
    } else if (t->stack == ZBT_EZSP) {
        if (t->ezsp < 8) {
            snprintf(err, errlen, "EZSP v%d: the emulator serves v8 to v19", t->ezsp);
            return -1;
        }
        snprintf(buf, 8, "%d", t->ezsp & 0x1F); /* 8..19 */
        out->argv[1] = "--ezsp-version";
        out->argv[2] = buf;
    }
    return 0;
}

/* ---------------------------------------------------------------- the link for other commands */

zbh_rp_link *zbh_rp_link_open(zbt_stack st, zbh_serial *s, char *err, size_t errlen)
{
    zbh_rp_link *l = malloc(sizeof(*l));
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    start_link(l, s);
    l->st = st;
    int rc = st == ZBT_EZSP ? ezsp_host_reset(&l->ez) : 0;
    if (rc) {
        snprintf(err, errlen, "no RSTACK after an ASH RST: %s", ezsp_host_strerror(rc));
        zbh_rp_link_close(l);
        return NULL;
    }
    return l;
}

void zbh_rp_link_settle(zbh_rp_link *l)
{
    zbt_frames boot = {0};
    while (OPS[l->st].next(l, &boot, SETTLE_MS) == 0)
        ;
    frames_free(&boot);
}

int zbh_rp_link_request(zbh_rp_link *l, const zbt_frame *req, zbt_frames *rsp, zbt_frames *ind)
{
    int rc = OPS[l->st].request(l, req, rsp);
    return rc ? rc : collect(l, 0, ind, EXTRA_WAIT_MS);
}

void zbh_rp_link_close(zbh_rp_link *l)
{
    if (!l) return;
    zboss_host_free(&l->zb);
    free(l);
}

void zbh_rp_frames_free(zbt_frames *f)
{
    frames_free(f);
}
