/* tap_sanitise.c - where each stack's frames carry keys, IEEEs, EPIDs and PAN IDs, and their
 * consistent replacement (tap_sanitise.h).
 *
 * Two tables say where values sit: FIELDS (one field of one command, per direction, with an
 * optional selector on the request: which NV item, which EZSP version) and NV_ITEMS (Z-Stack NV
 * items, reached through the six MT commands that read or write them). Structures with a codec
 * of their own go through it: the Z-Stack NIB (znp_layout), ZBOSS NVRAM_READ answers and the
 * ZBOSS datasets (zboss.h). Everything else is the last-resort scan for values already found. */
#include "tap_sanitise.h"

#include "ezsp_versions.h"
#include "znp_layout.h"
#include "zboss.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char *const KIND_NAMES[ZBH_SK_N] = {"keys (network, link, TCLK seed)",
                                                 "IEEE/EUI64 addresses (OUI kept)",
                                                 "extended PAN IDs", "PAN IDs"};
static const uint8_t KIND_LEN[ZBH_SK_N] = {16, 8, 8, 2};
/* "ZigBeeAlliance09": public, kept (vectors/traces/README.md) */
static const uint8_t ZBA09[16] = "ZigBeeAlliance09";

const char *zbh_sk_name(zbh_sk_kind k)
{
    return KIND_NAMES[k];
}

void zbh_san_init(zbh_sanitiser *s, zbt_stack stack)
{
    memset(s, 0, sizeof(*s));
    s->stack = stack;
    s->aligned = -1;
}

void zbh_san_free(zbh_sanitiser *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- the map */

static void reversed(const uint8_t *p, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = p[n - 1 - i];
}

static bool trivial(const uint8_t *p, size_t n)
{
    size_t i = 1;
    while (i < n && p[i] == p[0])
        i++;
    if (i == n) return true; /* 00.., FF..: "none", not a value */
    uint8_t r[16];
    reversed(p, n, r);
    return n == 16 && (!memcmp(p, ZBA09, 16) || !memcmp(r, ZBA09, 16));
}

/* The entry holding p (in either order); *rev says which. */
static zbh_san_entry *find(zbh_sanitiser *s, const uint8_t *p, size_t len, bool *rev)
{
    uint8_t r[16];
    reversed(p, len, r);
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].len != len) continue;
        if (!memcmp(s->v[i].orig, p, len)) return *rev = false, &s->v[i];
        if (len > 2 && !memcmp(s->v[i].orig, r, len)) return *rev = true, &s->v[i];
    }
    return NULL;
}

static int draw(zbh_san_entry *e)
{
    for (int tries = 0; tries < 8; tries++) {
        if (getrandom(e->repl, e->len, 0) != (ssize_t)e->len) return -1;
        if (e->kind == ZBH_SK_IEEE) memcpy(e->repl + 5, e->orig + 5, 3); /* OUI, LE order */
        if (e->kind == ZBH_SK_PAN && (e->repl[1] >= 0xFF || (!e->repl[0] && !e->repl[1])))
            continue; /* 0x0000 and 0xFFxx mean something */
        if (memcmp(e->repl, e->orig, e->len) && !trivial(e->repl, e->len)) return 0;
    }
    return -1;
}

int zbh_san_note(zbh_sanitiser *s, zbh_sk_kind k, const uint8_t *p)
{
    size_t len = KIND_LEN[k];
    bool rev;
    if (trivial(p, len) || (k == ZBH_SK_PAN && p[1] == 0xFF) || find(s, p, len, &rev)) return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        zbh_san_entry *v = realloc(s->v, cap * sizeof(*v));
        if (!v) return s->oom = 1, -1;
        s->v = v, s->cap = cap;
    }
    zbh_san_entry *e = &s->v[s->n];
    memset(e, 0, sizeof(*e));
    e->kind = k, e->len = (uint8_t)len;
    memcpy(e->orig, p, len);
    if (draw(e) < 0) return s->oom = 1, -1;
    s->n++;
    return 0;
}

/* One field at p[at..]: recorded (pass 1) or, for a PAN ID, replaced (pass 2; the longer values
 * are replaced by the scan, wherever they are). */
static void field(zbh_sanitiser *s, uint8_t *p, size_t n, size_t at, zbh_sk_kind k, int replace)
{
    size_t len = KIND_LEN[k];
    if (at + len > n) return;
    if (!replace) {
        zbh_san_note(s, k, p + at);
        return;
    }
    bool rev;
    zbh_san_entry *e = k == ZBH_SK_PAN ? find(s, p + at, len, &rev) : NULL;
    if (e) memcpy(p + at, e->repl, len);
}

/* The rule of last resort: every recorded key and IEEE/EPID, in either byte order. */
static void scan(const zbh_sanitiser *s, uint8_t *p, size_t n)
{
    for (size_t len = 16; len >= 8; len -= 8) {
        for (size_t k = 0; k < s->n; k++) {
            const zbh_san_entry *e = &s->v[k];
            if (e->len != len) continue;
            uint8_t ro[16], rr[16];
            reversed(e->orig, len, ro);
            reversed(e->repl, len, rr);
            for (size_t i = 0; i + len <= n; i++) {
                const uint8_t *to = !memcmp(p + i, e->orig, len) ? e->repl
                                    : !memcmp(p + i, ro, len)    ? rr
                                                                 : NULL;
                if (!to) continue;
                memcpy(p + i, to, len);
                i += len - 1;
            }
        }
    }
}

/* ---------------------------------------------------------------- frames: ids and payloads */

enum { FROM_HOST = 1, FROM_STICK = 2 };

typedef struct fview {
    uint8_t *b;
    size_t n;
    uint16_t cmd;
    size_t pay; /* where the payload starts */
    int from;
} fview;

static bool ezsp_legacy(const uint8_t *f, size_t n)
{
    return n >= 4 && f[2] == 0x00 && (n == 4 || n == 7);
}

static bool view(zbt_stack st, uint8_t *b, size_t n, int from, fview *v)
{
    *v = (fview){b, n, 0, 0, from};
    if (st == ZBT_ZNP) {
        if (n < 2) return false;
        v->cmd = (uint16_t)(b[0] << 8 | b[1]);
        v->pay = 2;
        return true;
    }
    if (st == ZBT_EZSP) {
        if (n < EZSP_EXT_HEADER || ezsp_legacy(b, n)) return false;
        v->cmd = (uint16_t)(b[3] | b[4] << 8);
        v->pay = EZSP_EXT_HEADER;
        return true;
    }
    zboss_hl h;
    if (zboss_hl_decode(b, n, &h) < 0) return false;
    v->cmd = h.call_id;
    v->pay = (size_t)(h.params - b);
    return true;
}

/* ---------------------------------------------------------------- FIELDS */

#define ANY      (-1)
#define PLUS_CTX 1 /* the offset is after an EZSP sl_zb_sec_man_context_t (size by version) */
#define FROM_END 2 /* the offset counts back from the frame's end (after a variable list) */

typedef struct field_rule {
    zbt_stack st;
    uint8_t from;
    uint16_t cmd;
    int sel_off; /* >= 0: only when the request's payload byte there is `sel` */
    uint8_t sel;
    uint8_t vmin, vmax; /* EZSP versions (0: any) */
    uint16_t off;
    uint8_t flags;
    zbh_sk_kind kind;
} field_rule;

#define Z(from, cmd, so, sel, off, k)                                                              \
    {                                                                                              \
        ZBT_ZNP, from, cmd, so, sel, 0, 0, off, 0, ZBH_SK_##k                                      \
    }
#define E(from, cmd, vmin, vmax, off, fl, k)                                                       \
    {                                                                                              \
        ZBT_EZSP, from, cmd, ANY, 0, vmin, vmax, off, fl, ZBH_SK_##k                               \
    }
#define ES(from, cmd, so, sel, off, k)                                                             \
    {                                                                                              \
        ZBT_EZSP, from, cmd, so, sel, 0, 0, off, 0, ZBH_SK_##k                                     \
    }
#define B(from, cmd, off, k)                                                                       \
    {                                                                                              \
        ZBT_ZBOSS, from, cmd, ANY, 0, 0, 0, off, 0, ZBH_SK_##k                                     \
    }

static const field_rule FIELDS[] = {
    /* Z-Stack MT: CMD0 CMD1 of the frame; offsets in DATA */
    Z(FROM_STICK, 0x6104, ANY, 0, 0, IEEE),  /* SYS_GET_EXTADDR */
    Z(FROM_HOST, 0x2103, ANY, 0, 0, IEEE),   /* SYS_SET_EXTADDR */
    Z(FROM_STICK, 0x6700, ANY, 0, 1, IEEE),  /* UTIL_GET_DEVICE_INFO */
    Z(FROM_STICK, 0x6606, 0, 1, 1, IEEE),    /* ZB_GET_DEVICE_INFO(IEEE) */
    Z(FROM_STICK, 0x6606, 0, 4, 1, IEEE),    /* ZB_GET_DEVICE_INFO(PARENT_IEEE) */
    Z(FROM_STICK, 0x6606, 0, 6, 1, PAN),     /* ZB_GET_DEVICE_INFO(PAN_ID) */
    Z(FROM_STICK, 0x6606, 0, 7, 1, EPID),    /* ZB_GET_DEVICE_INFO(EXT_PAN_ID) */
    Z(FROM_STICK, 0x6550, ANY, 0, 3, PAN),   /* ZDO_EXT_NWK_INFO: short, state, PAN */
    Z(FROM_STICK, 0x6550, ANY, 0, 7, EPID),  /* ... parent, EPID */
    Z(FROM_STICK, 0x6550, ANY, 0, 15, IEEE), /* ... parent's IEEE */
    Z(FROM_STICK, 0x45C1, ANY, 0, 4, IEEE),  /* ZDO_END_DEVICE_ANNCE_IND */
    Z(FROM_STICK, 0x45CA, ANY, 0, 2, IEEE),  /* ZDO_TC_DEV_IND */
    Z(FROM_STICK, 0x4581, ANY, 0, 1, IEEE),  /* ZDO_IEEE_ADDR_RSP */
    Z(FROM_STICK, 0x4580, ANY, 0, 1, IEEE),  /* ZDO_NWK_ADDR_RSP */
    /* EZSP: frame id; offsets after the 5-byte header */
    E(FROM_STICK, 0x0026, 0, 0, 0, 0, IEEE), /* getEui64 */
    E(FROM_STICK, 0x0028, 0, 0, 2, 0, EPID), /* getNetworkParameters: status, type, params */
    E(FROM_STICK, 0x0028, 0, 0, 10, 0, PAN),
    E(FROM_HOST, 0x001E, 0, 0, 0, 0, EPID), /* formNetwork */
    E(FROM_HOST, 0x001E, 0, 0, 8, 0, PAN),
    E(FROM_HOST, 0x0068, 0, 0, 2, 0, KEY),  /* setInitialSecurityState: bitmask, keys, */
    E(FROM_HOST, 0x0068, 0, 0, 18, 0, KEY), /* sequence, TC EUI64 */
    E(FROM_HOST, 0x0068, 0, 0, 35, 0, IEEE),
    E(FROM_STICK, 0x006A, 0, 0, 4, 0, KEY), /* getKey: status, EmberKeyStruct */
    E(FROM_STICK, 0x006A, 0, 0, 29, 0, IEEE),
    E(FROM_STICK, 0x0071, 0, 0, 4, 0, KEY), /* getKeyTableEntry: the same struct */
    E(FROM_STICK, 0x0071, 0, 0, 29, 0, IEEE),
    E(FROM_HOST, 0x0072, 0, 0, 1, 0, IEEE), /* setKeyTableEntry: index, address, linkKey, key */
    E(FROM_HOST, 0x0072, 0, 0, 10, 0, KEY),
    E(FROM_HOST, 0x0066, 0, 0, 0, 0, IEEE), /* addOrUpdateKeyTableEntry */
    E(FROM_HOST, 0x0066, 0, 0, 9, 0, KEY),
    E(FROM_STICK, 0x0114, 13, 13, 0, 0, KEY),     /* exportKey: key, status (v13) */
    E(FROM_STICK, 0x0114, 14, 0, 4, 0, KEY),      /* status, key, context (v14+) */
    E(FROM_HOST, 0x0115, 0, 0, 0, PLUS_CTX, KEY), /* importKey: context, key */
    E(FROM_STICK, 0x010F, 13, 13, 0, 0, IEEE),    /* exportLinkKeyByIndex: eui, key (v13) */
    E(FROM_STICK, 0x010F, 13, 13, 8, 0, KEY),
    E(FROM_STICK, 0x010F, 14, 0, 4, PLUS_CTX, KEY), /* status, context, key (v14+) */
    E(FROM_STICK, 0x010D, 13, 13, 0, 0, KEY),       /* exportLinkKeyByEui: key, index, ... (v13) */
    E(FROM_STICK, 0x010D, 14, 0, 4, PLUS_CTX, KEY),
    E(FROM_HOST, 0x010E, 0, 0, 1, 0, IEEE), /* importLinkKey: index, eui, key */
    E(FROM_HOST, 0x010E, 0, 0, 9, 0, KEY),
    E(FROM_HOST, 0x0111, 0, 0, 0, 0, IEEE), /* importTransientKey: eui, key */
    E(FROM_HOST, 0x0111, 0, 0, 8, 0, KEY),
    ES(FROM_STICK, 0x000B, 0, 0x01, 1, IEEE), /* getMfgToken(CUSTOM_EUI_64): length, data */
    ES(FROM_HOST, 0x000C, 0, 0x01, 2, IEEE),  /* setMfgToken(CUSTOM_EUI_64) */
    E(FROM_STICK, 0x0024, 0, 0, 2, 0, IEEE),  /* trustCenterJoinHandler: node id, eui */
    E(FROM_STICK, 0x0023, 0, 0, 4, 0, IEEE),  /* childJoinHandler: index, joining, id, eui */
    E(FROM_STICK, 0x0059, 0, 0, 2, 0, IEEE),  /* incomingRouteRecordHandler */
    E(FROM_HOST, 0x007E, 0, 0, 0, 0, IEEE),   /* setExtendedTimeout */
    /* ZBOSS: call id; offsets in the parameters (after a response's status) */
    B(FROM_STICK, ZBOSS_GET_LOCAL_IEEE_ADDR, 1, IEEE), /* mac interface, ieee */
    B(FROM_HOST, ZBOSS_SET_LOCAL_IEEE_ADDR, 1, IEEE),
    B(FROM_STICK, ZBOSS_GET_EXTENDED_PAN_ID, 0, EPID),
    B(FROM_HOST, ZBOSS_SET_EXTENDED_PAN_ID, 0, EPID),
    B(FROM_STICK, ZBOSS_GET_PAN_ID, 0, PAN),
    B(FROM_HOST, ZBOSS_SET_PAN_ID, 0, PAN),
    B(FROM_STICK, ZBOSS_GET_NWK_KEYS, 0, KEY), /* three (key, sequence) pairs */
    B(FROM_STICK, ZBOSS_GET_NWK_KEYS, 17, KEY),
    B(FROM_STICK, ZBOSS_GET_NWK_KEYS, 34, KEY),
    B(FROM_HOST, ZBOSS_SET_NWK_KEY, 0, KEY),
    B(FROM_HOST, ZBOSS_GET_APS_KEY_BY_IEEE, 0, IEEE),
    B(FROM_STICK, ZBOSS_GET_APS_KEY_BY_IEEE, 0, KEY),
    B(FROM_STICK, ZBOSS_GET_TRUST_CENTER_ADDRESS, 0, IEEE),
    B(FROM_STICK, ZBOSS_ZDO_DEV_ANNCE_IND, 2, IEEE), /* nwk, ieee */
    /* NWK_FORMATION: channel list (n x page, mask), scan duration, distributed, short, EPID */
    {ZBT_ZBOSS, FROM_HOST, ZBOSS_NWK_FORMATION, ANY, 0, 0, 0, 8, FROM_END, ZBH_SK_EPID},
    B(FROM_STICK, ZBOSS_NWK_FORMATION, 2, PAN), /* short address, PAN, page, channel */
    B(FROM_STICK, 0x0032, 2, PAN), /* herdsman's poll after formation: the same answer */
    B(FROM_STICK, ZBOSS_ZDO_DEV_UPDATE_IND, 0, IEEE),
};
#define N_FIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static bool version_ok(const zbh_sanitiser *s, const field_rule *r)
{
    if (!r->vmin && !r->vmax) return true;
    if (!s->ezsp) return false; /* layout depends on a version not seen: the scan only */
    return s->ezsp >= r->vmin && (!r->vmax || s->ezsp <= r->vmax);
}

static void apply_fields(zbh_sanitiser *s, const fview *f, const fview *req, int replace)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        const field_rule *r = &FIELDS[i];
        if (r->st != s->stack || r->from != f->from || r->cmd != f->cmd || !version_ok(s, r))
            continue;
        if (r->sel_off >= 0) {
            size_t at = req ? req->pay + (size_t)r->sel_off : 0;
            if (!req || at >= req->n || req->b[at] != r->sel) continue;
        }
        size_t off = f->pay + r->off;
        if (r->flags & FROM_END) off = f->n >= f->pay + r->off ? f->n - r->off : f->n;
        if (r->flags & PLUS_CTX) off += ezsp_secman_context_size(s->ezsp);
        field(s, f->b, f->n, off, r->kind, replace);
    }
}

/* ---------------------------------------------------------------- Z-Stack NV items */

#define EX(item) (0x10000u | (item)) /* a 3.x.0 extended table item (SYS_NV_*, sysid 1) */

typedef struct nv_item {
    uint32_t lo, hi; /* OSAL id range, or EX(item id) */
    uint16_t off;
    zbh_sk_kind kind;
    int16_t len; /* > 0: only an item of this length */
} nv_item;

static const nv_item NV_ITEMS[] = {
    {0x0001, 0x0001, 0, ZBH_SK_IEEE, 0}, /* EXTADDR */
    {0x002D, 0x002D, 0, ZBH_SK_EPID, 0}, /* EXTENDED_PAN_ID */
    {0x0047, 0x0047, 0, ZBH_SK_EPID, 0}, /* APS_USE_EXT_PANID */
    {0x0062, 0x0062, 0, ZBH_SK_KEY, 0},  /* PRECFGKEY */
    {0x0083, 0x0083, 0, ZBH_SK_PAN, 0},  /* PANID */
    {0x0082, 0x0082, 1, ZBH_SK_KEY, 0},  /* NWKKEY: sequence, key, ... */
    {0x003A, 0x003B, 1, ZBH_SK_KEY, 0},  /* NWK_ACTIVE_KEY_INFO, NWK_ALTERN_KEY_INFO */
    {0x0075, 0x0080, 4, ZBH_SK_EPID, 0}, /* NWK_SEC_MATERIAL_TABLE: counter, EPID */
    {0x0101, 0x0101, 0, ZBH_SK_KEY, 16}, /* TCLK_SEED (3.x) */
    {0x0101, 0x0101, 0, ZBH_SK_IEEE, ZNP_TCLINK_KEY_SIZE}, /* Z-Stack 1.2 TCLinkKey */
    {0x0101, 0x0101, 8, ZBH_SK_KEY, ZNP_TCLINK_KEY_SIZE},
    {0x0111, 0x01FF, 8, ZBH_SK_IEEE, 0}, /* TCLK_TABLE rows: counters, IEEE */
    {0x0201, 0x02FF, 0, ZBH_SK_KEY, 0},  /* APS_LINK_KEY_DATA rows */
    {EX(4), EX(4), 8, ZBH_SK_IEEE, 0},   /* ex TCLK_TABLE */
    {EX(6), EX(6), 0, ZBH_SK_KEY, 0},    /* ex APS_KEY_DATA_TABLE */
    {EX(7), EX(7), 4, ZBH_SK_EPID, 0},   /* ex NWK_SEC_MATERIAL_TABLE */
};
#define N_NV_ITEMS (sizeof(NV_ITEMS) / sizeof(NV_ITEMS[0]))

typedef struct nv_val {
    uint32_t id;
    uint8_t *v; /* the value's bytes in the frame */
    size_t n;
    size_t item_off; /* where they start in the item */
    size_t item_len; /* the item's length when known (a whole read or write), else 0 */
} nv_val;

/* A field at `pos` of the item, when the value covers it. */
static void nv_field(zbh_sanitiser *s, const nv_val *x, size_t pos, zbh_sk_kind k, int replace)
{
    if (pos < x->item_off) return;
    field(s, x->v, x->n, pos - x->item_off, k, replace);
}

/* The NIB through its codec: PAN ID, EPID, the coordinator's address, the spare keys. */
static void nv_nib(zbh_sanitiser *s, const nv_val *x, int replace)
{
    znp_nib nib;
    bool al = x->n == znp_nib_size(true);
    if (x->item_off || znp_nib_decode(x->v, x->n, al, &nib) < 0) return;
    s->aligned = al;
    if (!replace) {
        zbh_san_note(s, ZBH_SK_PAN,
                     (const uint8_t[]){(uint8_t)nib.nwk_pan_id, (uint8_t)(nib.nwk_pan_id >> 8)});
        zbh_san_note(s, ZBH_SK_EPID, nib.extended_pan_id);
        zbh_san_note(s, ZBH_SK_IEEE, nib.nwk_coord_ext_address);
        zbh_san_note(s, ZBH_SK_KEY, nib.spare1.key);
        zbh_san_note(s, ZBH_SK_KEY, nib.spare2.key);
        return;
    }
    uint8_t pan[2] = {(uint8_t)nib.nwk_pan_id, (uint8_t)(nib.nwk_pan_id >> 8)};
    field(s, pan, 2, 0, ZBH_SK_PAN, 1);
    nib.nwk_pan_id = (uint16_t)(pan[0] | pan[1] << 8);
    znp_nib_encode(&nib, al, x->v);
}

/* The address manager (legacy item 0x0023: entries back to back; EX(1): one entry). */
static void nv_addrmgr(zbh_sanitiser *s, const nv_val *x, int replace)
{
    bool al = s->aligned == 1 || (s->aligned < 0 && x->item_len % 12 == 0 && x->item_len % 11);
    size_t size = znp_addrmgr_entry_size(al), ext = al ? 4 : 3;
    for (size_t at = 0; at + size <= x->item_off + x->n; at += size)
        nv_field(s, x, at + ext, ZBH_SK_IEEE, replace);
}

static void nv_value(zbh_sanitiser *s, const nv_val *x, int replace)
{
    if (x->id == 0x0021) return nv_nib(s, x, replace);
    if (x->id == 0x0023 || x->id == EX(1)) return nv_addrmgr(s, x, replace);
    if (x->id == 0x0082 || x->id == 0x003A) s->aligned = x->item_len == 24 ? 1 : s->aligned;
    for (size_t i = 0; i < N_NV_ITEMS; i++) {
        const nv_item *it = &NV_ITEMS[i];
        if (x->id < it->lo || x->id > it->hi) continue;
        if (it->len > 0 && x->item_len != (size_t)it->len) continue;
        nv_field(s, x, it->off, it->kind, replace);
    }
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The NV item a request addresses (id, offset), 0 if it is none of the six NV commands. */
static int znp_nv_req(const fview *q, uint32_t *id, size_t *off)
{
    const uint8_t *p = q->b + q->pay;
    size_t n = q->n - q->pay;
    switch (q->cmd) {
    case 0x2108:
        if (n < 3) return 0;
        *id = le16(p), *off = p[2];
        return 1; /* NV_READ */
    case 0x211C:
        if (n < 4) return 0;
        *id = le16(p), *off = le16(p + 2);
        return 1; /* _EXT */
    case 0x2133:  /* SYS_NV_READ */
        if (n < 7 || p[0] != 1) return 0;
        *id = le16(p + 1) ? EX(le16(p + 1)) : le16(p + 3), *off = le16(p + 5);
        return 1;
    default: return 0;
    }
}

static void znp_nv(zbh_sanitiser *s, const fview *f, const fview *req, int replace)
{
    uint8_t *p = f->b + f->pay;
    size_t n = f->n - f->pay;
    nv_val x = {0};
    if (f->cmd == 0x2109 && n >= 4) /* OSAL_NV_WRITE: id, offset u8, len u8, value */
        x = (nv_val){le16(p), p + 4, n - 4, p[2], p[2] ? 0 : n - 4};
    else if (f->cmd == 0x211D && n >= 6) /* OSAL_NV_WRITE_EXT: id, offset u16, len u16 */
        x = (nv_val){le16(p), p + 6, n - 6, le16(p + 2), le16(p + 2) ? 0 : n - 6};
    else if (f->cmd == 0x2107 && n >= 5) /* OSAL_NV_ITEM_INIT: id, len u16, init len, value */
        x = (nv_val){le16(p), p + 5, n - 5, 0, le16(p + 2)};
    else if (f->cmd == 0x2134 && n >= 8 && p[0] == 1) /* SYS_NV_WRITE */
        x = (nv_val){le16(p + 1) ? EX(le16(p + 1)) : le16(p + 3), p + 8, n - 8, le16(p + 5),
                     le16(p + 5) ? 0 : n - 8};
    else if (f->cmd == 0x2605 && n >= 2) /* ZB_WRITE_CONFIGURATION: id u8, len, value */
        x = (nv_val){p[0], p + 2, n - 2, 0, n - 2};
    else if (f->cmd == 0x6604 && n >= 3) /* ZB_READ_CONFIGURATION: status, id, len, value */
        x = (nv_val){p[1], p + 3, n - 3, 0, n - 3};
    else if ((f->cmd == 0x6108 || f->cmd == 0x611C || f->cmd == 0x6133) && n >= 2 && !p[0] && req &&
             znp_nv_req(req, &x.id, &x.item_off)) /* the reads: status, len, value */
        x.v = p + 2, x.n = n - 2, x.item_len = x.item_off ? 0 : n - 2;
    if (x.v) nv_value(s, &x, replace);
}

/* ---------------------------------------------------------------- ZBOSS datasets */

static void zb_dataset(zbh_sanitiser *s, uint16_t type, uint8_t *d, size_t n, int replace)
{
    if (type == ZBOSS_DS_ADDR_MAP)
        for (size_t at = ZBOSS_ADDR_MAP_HDR; at + ZBOSS_ADDR_MAP_REC <= n; at += ZBOSS_ADDR_MAP_REC)
            field(s, d, n, at, ZBH_SK_IEEE, replace);
    if (type == ZBOSS_DS_APS_SECURE_DATA)
        for (size_t at = ZBOSS_APS_KEYS_HDR; at + ZBOSS_APS_KEYS_REC <= n;
             at += ZBOSS_APS_KEYS_REC) {
            field(s, d, n, at, ZBH_SK_IEEE, replace);
            field(s, d, n, at + 8, ZBH_SK_KEY, replace);
        }
}

static void zboss_nvram(zbh_sanitiser *s, const fview *f, int replace)
{
    uint8_t *p = f->b + f->pay;
    size_t n = f->n - f->pay;
    if (f->cmd == ZBOSS_NVRAM_READ && f->from == FROM_STICK) {
        zboss_nvram_read_rsp r;
        if (zboss_nvram_read_rsp_decode(p, n, &r) == 0)
            zb_dataset(s, r.type, p + (r.data - p), r.len, replace);
        return;
    }
    if (f->cmd != ZBOSS_NVRAM_WRITE || f->from != FROM_HOST || n < 1) return;
    size_t at = 1; /* count, then (type, version, length, data) per dataset */
    for (unsigned i = 0; i < p[0] && at + 6 <= n; i++) {
        uint16_t type = le16(p + at), len = le16(p + at + 4);
        if (at + 6 + len > n) return;
        zb_dataset(s, type, p + at + 6, len, replace);
        at += 6 + (size_t)len;
    }
}

/* ---------------------------------------------------------------- an exchange */

static void one_frame(zbh_sanitiser *s, const fview *f, const fview *req, int replace)
{
    apply_fields(s, f, req, replace);
    if (s->stack == ZBT_ZNP) znp_nv(s, f, req, replace);
    if (s->stack == ZBT_ZBOSS) zboss_nvram(s, f, replace);
}

void zbh_san_exchange(zbh_sanitiser *s, uint8_t *req, size_t req_n, uint8_t **fr,
                      const size_t *fr_n, size_t n_fr, int replace)
{
    fview q, f;
    bool have_q = req && view(s->stack, req, req_n, FROM_HOST, &q);
    /* EZSP layouts move with the version: the legacy version answer says which */
    if (s->stack == ZBT_EZSP && req && ezsp_legacy(req, req_n))
        for (size_t i = 0; i < n_fr; i++)
            if (ezsp_legacy(fr[i], fr_n[i]) && fr_n[i] == 7) s->ezsp = fr[i][3];
    if (have_q) one_frame(s, &q, NULL, replace);
    for (size_t i = 0; i < n_fr; i++)
        if (view(s->stack, fr[i], fr_n[i], FROM_STICK, &f))
            one_frame(s, &f, have_q ? &q : NULL, replace);
    if (!replace) return;
    if (req) scan(s, req, req_n);
    for (size_t i = 0; i < n_fr; i++)
        scan(s, fr[i], fr_n[i]);
}

size_t zbh_san_kinds(const zbh_sanitiser *s, const char *out[ZBH_SK_N])
{
    bool seen[ZBH_SK_N] = {false};
    for (size_t i = 0; i < s->n; i++)
        seen[s->v[i].kind] = true;
    size_t k = 0;
    for (int i = 0; i < ZBH_SK_N; i++)
        if (seen[i]) out[k++] = KIND_NAMES[i];
    return k;
}
