/* tap.c - link layers undone, exchanges assembled, the trace written (tap.h). */
#include "tap.h"

#include "ash.h"
#include "hex.h"
#include "mt.h"
#include "zboss.h"

#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ZBOSS_MSG_MAX 4096

typedef struct tap_frame {
    uint8_t *b;
    size_t n;
    zbh_tap_dir dir;
    uint64_t ms;
} tap_frame;

typedef struct tap_side {
    zbh_tap *t;
    zbh_tap_dir dir;
    mt_parser mt;
    ash_decoder ash;
    bool ash_sync;    /* a DATA frame was accepted since the last RST/RSTACK */
    uint8_t ash_next; /* the frame number expected next: others are retransmissions */
    zboss_ll_parser zl;
    zboss_reasm zr;
    int zl_last_pkt; /* -1: none yet */
    uint8_t zl_last[ZBOSS_LL_MAX_BODY];
    size_t zl_last_n;
} tap_side;

struct zbh_tap {
    zbt_stack stack;
    char port[256];
    char started[32];
    uint64_t t0, now;
    tap_frame *f;
    size_t n, cap;
    bool dirty;
    tap_side side[2];
    zbh_sanitiser san;
};

/* ---------------------------------------------------------------- frames */

int zbh_tap_add_frame(zbh_tap *t, zbh_tap_dir d, const uint8_t *b, size_t n, uint64_t now_ms)
{
    if (n < 2) return 0; /* shorter than any id: noise */
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        tap_frame *v = realloc(t->f, cap * sizeof(*v));
        if (!v) return -1;
        t->f = v, t->cap = cap;
    }
    uint8_t *copy = malloc(n);
    if (!copy) return -1;
    memcpy(copy, b, n);
    t->f[t->n++] = (tap_frame){copy, n, d, now_ms - t->t0};
    t->dirty = true;
    return 0;
}

static void on_mt(void *ctx, const mt_frame *m)
{
    tap_side *s = ctx;
    uint8_t b[2 + MT_MAX_DATA] = {m->cmd0, m->cmd1};
    memcpy(b + 2, m->data, m->len);
    zbh_tap_add_frame(s->t, s->dir, b, 2u + m->len, s->t->now);
}

/* ASH: DATA frames in sequence only (a retransmission repeats a frame already recorded); RST
 * and RSTACK restart the numbering. */
static void on_ash(void *ctx, const ash_frame *f)
{
    tap_side *s = ctx;
    if (f->status != ASH_RX_OK) return;
    enum ash_type ty = ash_frame_type(f->control, 1 + f->len);
    if (ty == ASH_RST || ty == ASH_RSTACK) {
        s->t->side[0].ash_sync = s->t->side[1].ash_sync = false;
        return;
    }
    if (ty != ASH_DATA) return;
    uint8_t num = ash_frm_num(f->control);
    if (s->ash_sync && num != s->ash_next) return;
    s->ash_sync = true;
    s->ash_next = (uint8_t)((num + 1) & 7);
    zbh_tap_add_frame(s->t, s->dir, f->data, f->len, s->t->now);
}

/* ZBOSS LL: data packets reassembled into HL messages; a packet that repeats the last one (the
 * same number and bytes: a retransmission) is skipped. */
static void on_zl(void *ctx, int ev, const zboss_ll_packet *p)
{
    tap_side *s = ctx;
    if (ev != ZBOSS_LL_PACKET || p->type != ZBOSS_LL_TYPE_HL || p->len == 0) return;
    int pkt = zboss_flags_pkt(p->flags);
    if (pkt == s->zl_last_pkt && p->len == s->zl_last_n && !memcmp(p->body, s->zl_last, p->len))
        return;
    s->zl_last_pkt = pkt;
    s->zl_last_n = p->len;
    memcpy(s->zl_last, p->body, p->len);
    if (zboss_reasm_add(&s->zr, p->flags, p->body, p->len) == 1) {
        zbh_tap_add_frame(s->t, s->dir, s->zr.buf, s->zr.len, s->t->now);
        s->zr.len = 0;
    }
}

static void side_init(zbh_tap *t, zbh_tap_dir d)
{
    tap_side *s = &t->side[d];
    zboss_reasm_free(&s->zr);
    memset(s, 0, sizeof(*s));
    s->t = t, s->dir = d, s->zl_last_pkt = -1;
    mt_parser_init(&s->mt);
    ash_decoder_init(&s->ash);
    zboss_ll_parser_init(&s->zl);
    zboss_reasm_init(&s->zr, ZBOSS_MSG_MAX);
}

void zbh_tap_link_restart(zbh_tap *t)
{
    side_init(t, ZBH_TAP_HOST);
    side_init(t, ZBH_TAP_STICK);
}

void zbh_tap_feed(zbh_tap *t, zbh_tap_dir d, const uint8_t *b, size_t n, uint64_t now_ms)
{
    tap_side *s = &t->side[d];
    t->now = now_ms;
    if (t->stack == ZBT_ZNP) mt_parser_feed(&s->mt, b, n, on_mt, s);
    if (t->stack == ZBT_EZSP) ash_decoder_feed(&s->ash, b, n, on_ash, s);
    if (t->stack == ZBT_ZBOSS) zboss_ll_parser_feed(&s->zl, b, n, on_zl, s);
}

zbh_tap *zbh_tap_new(zbt_stack stack, const char *port, uint64_t now_ms)
{
    zbh_tap *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->stack = stack;
    t->t0 = now_ms;
    snprintf(t->port, sizeof(t->port), "%s", port);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(t->started, sizeof(t->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    zbh_san_init(&t->san, stack);
    zbh_tap_link_restart(t);
    return t;
}

void zbh_tap_free(zbh_tap *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++)
        free(t->f[i].b);
    free(t->f);
    zboss_reasm_free(&t->side[0].zr);
    zboss_reasm_free(&t->side[1].zr);
    zbh_san_free(&t->san);
    free(t);
}

size_t zbh_tap_frames(const zbh_tap *t)
{
    return t->n;
}

bool zbh_tap_dirty(const zbh_tap *t)
{
    return t->dirty;
}

/* ---------------------------------------------------------------- exchanges */

/* Is a stick's frame a direct answer (not a frame sent on its own)? */
static bool is_answer(zbt_stack st, const uint8_t *f, size_t n)
{
    if (st == ZBT_ZNP) return (f[0] >> 5) == MT_TYPE_SRSP;
    if (st == ZBT_EZSP) return n >= 3 && (f[1] & 0x18) == 0; /* frame control: callback type */
    zboss_hl h;
    return zboss_hl_decode(f, n, &h) == 0 && h.type == ZBOSS_HL_RESPONSE;
}

typedef struct xch {
    size_t req; /* index into t->f, or SIZE_MAX */
    size_t *fr; /* the stick's frames after it */
    size_t n_fr;
    uint64_t ms;
} xch;

static void xch_free(xch *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(x[i].fr);
    free(x);
}

static xch *exchanges(const zbh_tap *t, size_t *n_out)
{
    xch *x = calloc(t->n + 1, sizeof(*x));
    size_t n = 0;
    for (size_t i = 0; x && i < t->n; i++) {
        if (t->f[i].dir == ZBH_TAP_HOST || n == 0) {
            x[n++] = (xch){t->f[i].dir == ZBH_TAP_HOST ? i : SIZE_MAX, NULL, 0, t->f[i].ms};
            if (t->f[i].dir == ZBH_TAP_HOST) continue;
        }
        xch *c = &x[n - 1];
        size_t *v = realloc(c->fr, (c->n_fr + 1) * sizeof(*v));
        if (!v) {
            xch_free(x, n);
            return NULL;
        }
        c->fr = v;
        c->fr[c->n_fr++] = i;
    }
    *n_out = n;
    return x;
}

/* ---------------------------------------------------------------- the firmware */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *const ZNP_LINE[] = {"zstack12", "zstack3x0", "zstack30"}; /* by product */

static bool fw_znp(cJSON *fw, const uint8_t *r, size_t n)
{
    if (n < 7 || r[0] != 0x61 || r[1] != 0x02 || r[3] > 2) return false;
    char text[160], build[16] = "";
    if (n >= 11) snprintf(build, sizeof(build), "%" PRIu32, le32(r + 7));
    snprintf(text, sizeof(text), "SYS_VERSION: transportrev %u product %u %u.%u.%u%s%s", r[2], r[3],
             r[4], r[5], r[6], build[0] ? " revision " : "", build);
    cJSON_AddStringToObject(fw, "line", ZNP_LINE[r[3]]);
    cJSON_AddNumberToObject(fw, "product", r[3]);
    if (build[0]) cJSON_AddStringToObject(fw, "build", build);
    cJSON_AddStringToObject(fw, "text", text);
    return true;
}

static bool fw_ezsp(cJSON *fw, const uint8_t *r, size_t n)
{
    if (n != 7 || r[2] != 0x00) return false; /* the legacy version answer */
    unsigned v = (unsigned)(r[5] | r[6] << 8);
    char stack[24], text[120];
    snprintf(stack, sizeof(stack), "%u.%u.%u.%u", v >> 12, (v >> 8) & 15, (v >> 4) & 15, v & 15);
    snprintf(text, sizeof(text), "version: protocolVersion %u stackType %u stackVersion 0x%04x",
             r[3], r[4], v);
    cJSON_AddNumberToObject(fw, "ezsp", r[3]);
    cJSON_AddStringToObject(fw, "stack", stack);
    cJSON_AddStringToObject(fw, "text", text);
    return true;
}

static void dotted(uint32_t v, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static bool fw_zboss(cJSON *fw, const uint8_t *r, size_t n)
{
    zboss_hl h;
    if (zboss_hl_decode(r, n, &h) < 0 || h.type != ZBOSS_HL_RESPONSE ||
        h.call_id != ZBOSS_GET_MODULE_VERSION || h.params_len < 12)
        return false;
    static const char *const NAMES[] = {"fw", "stack", "protocol"};
    char text[160] = "GET_MODULE_VERSION:", v[20];
    for (int i = 0; i < 3; i++) {
        dotted(le32(h.params + 4 * i), v, sizeof(v));
        cJSON_AddStringToObject(fw, NAMES[i], v);
        snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s %s", NAMES[i], v);
    }
    cJSON_AddStringToObject(fw, "text", text);
    return true;
}

static cJSON *firmware(const zbh_tap *t)
{
    static bool (*const FW[])(cJSON *, const uint8_t *, size_t) = {fw_znp, fw_ezsp, fw_zboss};
    cJSON *fw = cJSON_CreateObject();
    for (size_t i = 0; fw && i < t->n; i++)
        if (t->f[i].dir == ZBH_TAP_STICK && FW[t->stack](fw, t->f[i].b, t->f[i].n)) return fw;
    cJSON_AddStringToObject(fw, "text", "unknown: no version exchange was seen in the session");
    return fw;
}

/* ---------------------------------------------------------------- the trace */

static cJSON *hex_item(const uint8_t *b, size_t n)
{
    char *h = malloc(2 * n + 1);
    if (!h) return NULL;
    hex_encode(b, n, h);
    cJSON *s = cJSON_CreateString(h);
    free(h);
    return s;
}

/* Copies of the frames, sanitised in two passes over the whole session (find, then replace). */
static uint8_t **frame_copies(zbh_tap *t, const xch *x, size_t nx, bool raw)
{
    uint8_t **c = calloc(t->n + 1, sizeof(*c));
    for (size_t i = 0; c && i < t->n; i++) {
        if (!(c[i] = malloc(t->f[i].n))) goto fail;
        memcpy(c[i], t->f[i].b, t->f[i].n);
    }
    if (!c || raw) return c;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < nx; k++) {
            uint8_t *fr[x[k].n_fr + 1];
            size_t fn[x[k].n_fr + 1];
            for (size_t j = 0; j < x[k].n_fr; j++)
                fr[j] = c[x[k].fr[j]], fn[j] = t->f[x[k].fr[j]].n;
            size_t q = x[k].req;
            zbh_san_exchange(&t->san, q == SIZE_MAX ? NULL : c[q], q == SIZE_MAX ? 0 : t->f[q].n,
                             fr, fn, x[k].n_fr, pass);
        }
    if (!t->san.oom) return c;
fail:
    for (size_t i = 0; c && i < t->n; i++)
        free(c[i]);
    free(c);
    return NULL;
}

static cJSON *exchange_json(const zbh_tap *t, const xch *x, uint8_t **c)
{
    cJSON *e = cJSON_CreateObject(), *rsp = cJSON_CreateArray(), *ind = cJSON_CreateArray();
    if (!e || !rsp || !ind) {
        cJSON_Delete(e), cJSON_Delete(rsp), cJSON_Delete(ind);
        return NULL;
    }
    cJSON_AddItemToObject(
        e, "req", x->req == SIZE_MAX ? cJSON_CreateNull() : hex_item(c[x->req], t->f[x->req].n));
    for (size_t j = 0; j < x->n_fr; j++) {
        const tap_frame *f = &t->f[x->fr[j]];
        bool direct = x->req != SIZE_MAX && is_answer(t->stack, f->b, f->n);
        cJSON_AddItemToArray(direct ? rsp : ind, hex_item(c[x->fr[j]], f->n));
    }
    cJSON_AddItemToObject(e, "rsp", rsp);
    if (cJSON_GetArraySize(ind))
        cJSON_AddItemToObject(e, "ind", ind);
    else
        cJSON_Delete(ind);
    cJSON_AddNumberToObject(e, "t_ms", (double)x->ms);
    return e;
}

static cJSON *header(zbh_tap *t, bool raw)
{
    cJSON *d = cJSON_CreateObject();
    if (!d) return NULL;
    char where[400];
    snprintf(where, sizeof(where),
             "recorded by zbharness tap between a host and the stick at %s, from %s; t_ms: "
             "milliseconds from the first frame",
             t->port, t->started);
    cJSON_AddStringToObject(d, "format", "zbtrace 1");
    cJSON_AddStringToObject(d, "source", "zbharness tap (a live session, not a public log)");
    cJSON_AddStringToObject(d, "where", where);
    cJSON_AddStringToObject(d, "stack", zbt_stack_name(t->stack));
    cJSON_AddItemToObject(d, "firmware", firmware(t));
    cJSON_AddStringToObject(d, "host", "unknown (the program that opened the pty)");
    cJSON *san = cJSON_AddArrayToObject(d, "sanitised");
    const char *kinds[ZBH_SK_N];
    size_t nk = raw ? 0 : zbh_san_kinds(&t->san, kinds);
    for (size_t i = 0; san && i < nk; i++)
        cJSON_AddItemToArray(san, cJSON_CreateString(kinds[i]));
    if (raw) cJSON_AddItemToArray(san, cJSON_CreateString("nothing: a raw trace"));
    return d;
}

char *zbh_tap_json(zbh_tap *t, bool raw)
{
    size_t nx = 0;
    xch *x = exchanges(t, &nx);
    uint8_t **c = x ? frame_copies(t, x, nx, raw) : NULL;
    cJSON *d = c ? header(t, raw) : NULL;
    cJSON *ex = d ? cJSON_AddArrayToObject(d, "exchanges") : NULL;
    for (size_t k = 0; ex && k < nx; k++)
        cJSON_AddItemToArray(ex, exchange_json(t, &x[k], c));
    char *text = d ? cJSON_Print(d) : NULL;
    cJSON_Delete(d);
    for (size_t i = 0; c && i < t->n; i++)
        free(c[i]);
    free(c);
    if (x) xch_free(x, nx);
    if (text) t->dirty = false;
    return text;
}

char *zbh_tap_map_json(const zbh_tap *t)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "format", "zbtap map 1");
    cJSON_AddStringToObject(d, "note", "SECRET: the original values of a sanitised trace");
    cJSON *v = cJSON_AddArrayToObject(d, "values");
    for (size_t i = 0; v && i < t->san.n; i++) {
        const zbh_san_entry *e = &t->san.v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", zbh_sk_name(e->kind));
        cJSON_AddItemToObject(o, "original", hex_item(e->orig, e->len));
        cJSON_AddItemToObject(o, "replacement", hex_item(e->repl, e->len));
        cJSON_AddItemToArray(v, o);
    }
    char *text = d ? cJSON_Print(d) : NULL;
    cJSON_Delete(d);
    return text;
}
