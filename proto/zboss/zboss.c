/* zboss.c - ZBOSS NCP LL/HL codec and dataset layouts (see zboss.h).
 *
 * LL packet offsets (zboss-ncp.md §2.1): 0-1 signature DE AD, 2-3 LEN (bytes after the
 * signature), 4 TYPE, 5 FLAGS, 6 HCRC over 2..5, 7-8 BCRC over DATA, 9.. DATA. */
#include "zboss.h"

#include "bytes.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

enum { OFF_LEN = 2, OFF_TYPE = 4, OFF_FLAGS = 5, OFF_HCRC = 6, OFF_BCRC = 7, OFF_DATA = 9 };

uint8_t zboss_ll_crc8(const uint8_t *p, size_t n)
{
    uint8_t crc = 0xFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (uint8_t)((crc & 1) ? (crc >> 1) ^ 0xB2 : crc >> 1);
    }
    return (uint8_t)(crc ^ 0xFF);
}

uint16_t zboss_ll_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (uint16_t)((crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1);
    }
    return crc;
}

static void put_header(uint8_t *out, uint16_t len, uint8_t flags)
{
    out[0] = ZBOSS_SIG0;
    out[1] = ZBOSS_SIG1;
    put_le16(out + OFF_LEN, len);
    out[OFF_TYPE] = ZBOSS_LL_TYPE_HL;
    out[OFF_FLAGS] = flags;
    out[OFF_HCRC] = zboss_ll_crc8(out + OFF_LEN, 4);
}

size_t zboss_ll_encode(uint8_t flags, const uint8_t *body, size_t n, uint8_t *out, size_t cap)
{
    if (n == 0 || n > ZBOSS_LL_MAX_BODY || !body || cap < OFF_DATA + n) return 0;
    put_header(out, (uint16_t)(ZBOSS_LL_LEN_MIN + 2 + n), flags);
    put_le16(out + OFF_BCRC, zboss_ll_crc16(body, n));
    memcpy(out + OFF_DATA, body, n);
    return OFF_DATA + n;
}

size_t zboss_ll_encode_ack(uint8_t pkt, int nack, uint8_t *out, size_t cap)
{
    if (cap < ZBOSS_LL_HDR) return 0;
    uint8_t flags =
        (uint8_t)(ZBOSS_FLAG_ACK | ((pkt & 3u) << 4) | (nack ? ZBOSS_FLAG_RETRANSMIT : 0));
    put_header(out, ZBOSS_LL_LEN_MIN, flags);
    return ZBOSS_LL_HDR;
}

/* ---------------------------------------------------------------- parser */

void zboss_ll_parser_init(zboss_ll_parser *p)
{
    memset(p, 0, sizeof(*p));
}

static void drop(zboss_ll_parser *p, size_t k)
{
    memmove(p->buf, p->buf + k, p->n - k);
    p->n -= k;
}

/* Decides every candidate the buffer can decide; leaves an undecided prefix. */
static void settle(zboss_ll_parser *p, zboss_ll_cb cb, void *ctx)
{
    for (;;) {
        size_t k = 0;
        while (k < p->n && p->buf[k] != ZBOSS_SIG0)
            k++;
        p->garbage_bytes += (uint32_t)k;
        drop(p, k);
        if (p->n < 2) return;
        if (p->buf[1] != ZBOSS_SIG1) {
            p->garbage_bytes++;
            drop(p, 1);
            continue;
        }
        if (p->n < ZBOSS_LL_HDR) return;
        uint16_t len = get_le16(p->buf + OFF_LEN);
        if (len < ZBOSS_LL_LEN_MIN || len > ZBOSS_LL_LEN_MAX ||
            zboss_ll_crc8(p->buf + OFF_LEN, 4) != p->buf[OFF_HCRC] ||
            (len > ZBOSS_LL_LEN_MIN && len < ZBOSS_LL_LEN_MIN + 3)) {
            p->bad_hcrc++;
            drop(p, 1);
            continue;
        }
        size_t total = 2 + (size_t)len;
        if (p->n < total) return;
        zboss_ll_packet pk;
        pk.type = p->buf[OFF_TYPE];
        pk.flags = p->buf[OFF_FLAGS];
        pk.len = len > ZBOSS_LL_LEN_MIN ? (size_t)len - ZBOSS_LL_LEN_MIN - 2 : 0;
        if (pk.len) memcpy(pk.body, p->buf + OFF_DATA, pk.len);
        int ev = ZBOSS_LL_PACKET;
        if (pk.len && zboss_ll_crc16(pk.body, pk.len) != get_le16(p->buf + OFF_BCRC)) {
            p->bad_bcrc++;
            ev = ZBOSS_LL_BAD_BODY;
        } else {
            p->packets++;
        }
        drop(p, total);
        if (cb) cb(ctx, ev, &pk);
    }
}

void zboss_ll_parser_feed(zboss_ll_parser *p, const uint8_t *b, size_t n, zboss_ll_cb cb, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (p->n == 0 && b[i] != ZBOSS_SIG0) {
            p->garbage_bytes++;
            continue;
        }
        p->buf[p->n++] = b[i];
        settle(p, cb, ctx);
    }
}

/* ---------------------------------------------------------------- fragmentation */

size_t zboss_frag_count(size_t len)
{
    return len == 0 ? 1 : (len + ZBOSS_LL_MAX_BODY - 1) / ZBOSS_LL_MAX_BODY;
}

uint8_t zboss_frag_span(size_t len, size_t i, size_t *off, size_t *n)
{
    size_t first = len % ZBOSS_LL_MAX_BODY;
    if (first == 0) first = len < ZBOSS_LL_MAX_BODY ? len : ZBOSS_LL_MAX_BODY;
    if (i == 0) {
        *off = 0;
        *n = first;
    } else {
        *off = first + (i - 1) * ZBOSS_LL_MAX_BODY;
        *n = ZBOSS_LL_MAX_BODY;
    }
    size_t frags = zboss_frag_count(len);
    return (uint8_t)((i == 0 ? ZBOSS_FLAG_FIRST : 0) | (i + 1 == frags ? ZBOSS_FLAG_LAST : 0));
}

void zboss_reasm_init(zboss_reasm *r, size_t max)
{
    memset(r, 0, sizeof(*r));
    r->max = max;
}

void zboss_reasm_free(zboss_reasm *r)
{
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

int zboss_reasm_add(zboss_reasm *r, uint8_t flags, const uint8_t *body, size_t n)
{
    if (flags & ZBOSS_FLAG_FIRST) {
        r->len = 0;
        r->active = 1;
    } else if (!r->active) {
        return -1; /* a middle or last fragment without its first */
    }
    if (r->len + n > r->max) {
        r->active = 0;
        r->len = 0;
        return -1;
    }
    uint8_t *nb = zb_grow(r->buf, &r->cap, r->len + n, 1, 512);
    if (!nb) {
        r->active = 0;
        r->len = 0;
        return -1;
    }
    r->buf = nb;
    memcpy(r->buf + r->len, body, n);
    r->len += n;
    if (!(flags & ZBOSS_FLAG_LAST)) return 0;
    r->active = 0;
    return 1;
}

/* ---------------------------------------------------------------- HL */

int zboss_hl_decode(const uint8_t *p, size_t n, zboss_hl *out)
{
    memset(out, 0, sizeof(*out));
    if (n < ZBOSS_HL_IND_HDR) return -1;
    out->version = p[0];
    out->type = p[1] & 3u;
    out->call_id = get_le16(p + 2);
    /* type 3 is not a message type (§3): refuse it rather than guess a header size (found by
     * fuzz_zboss_ll_hl: it read a TSN past the end of a 4-byte message) */
    if (out->type > ZBOSS_HL_INDICATION) return -1;
    size_t hdr = out->type == ZBOSS_HL_REQUEST    ? ZBOSS_HL_REQ_HDR
                 : out->type == ZBOSS_HL_RESPONSE ? ZBOSS_HL_RSP_HDR
                                                  : ZBOSS_HL_IND_HDR;
    if (n < hdr) return -1;
    if (out->type != ZBOSS_HL_INDICATION) out->tsn = p[4];
    if (out->type == ZBOSS_HL_RESPONSE) {
        out->status_cat = p[5];
        out->status_code = p[6];
    }
    out->params = p + hdr;
    out->params_len = n - hdr;
    return 0;
}

size_t zboss_hl_encode(const zboss_hl *h, uint8_t *out, size_t cap)
{
    zb_buf b = zb_buf_init(out, cap);
    zb_put_u8(&b, h->version);
    zb_put_u8(&b, h->type & 3u);
    zb_put_le16(&b, h->call_id);
    if (h->type != ZBOSS_HL_INDICATION) zb_put_u8(&b, h->tsn);
    if (h->type == ZBOSS_HL_RESPONSE) {
        zb_put_u8(&b, h->status_cat);
        zb_put_u8(&b, h->status_code);
    }
    if (h->params_len) zb_put_bytes(&b, h->params, h->params_len);
    return b.overflow ? 0 : b.len;
}

/* ---------------------------------------------------------------- datasets */

uint16_t zboss_dataset_version(uint16_t type)
{
    switch (type) {
    case ZBOSS_DS_COMMON_DATA: return 2;
    case ZBOSS_DS_IB_COUNTERS: return 1;
    case ZBOSS_DS_ADDR_MAP: return 2;
    case ZBOSS_DS_NEIGHBOUR_TBL: return 3;
    case 15: return 1; /* APS_BINDING_DATA */
    default: return 0;
    }
}

int zboss_nvram_read_rsp_decode(const uint8_t *p, size_t n, zboss_nvram_read_rsp *out)
{
    if (n < 8) return -1;
    out->nvram_version = get_le16(p);
    out->type = get_le16(p + 2);
    out->version = get_le16(p + 4);
    out->len = get_le16(p + 6);
    if ((size_t)out->len + 8 > n) return -1;
    out->data = p + 8;
    return 0;
}

void zboss_ib_counters_encode(const zboss_ib_counters *c, uint8_t out[8])
{
    put_le32(out, c->nib_outgoing_fc);
    put_le32(out + 4, c->aib_outgoing_fc);
}

int zboss_ib_counters_decode(const uint8_t *p, size_t n, zboss_ib_counters *out)
{
    if (n != 8 && n != 4) return -1;
    out->nib_outgoing_fc = get_le32(p);
    out->aib_outgoing_fc = n == 8 ? get_le32(p + 4) : 0;
    return 0;
}

static long table_count(size_t n, size_t hdr, size_t rec)
{
    if (n < hdr || (n - hdr) % rec) return -1;
    return (long)((n - hdr) / rec);
}

size_t zboss_addr_map_encode(const zboss_addr_map_entry *e, size_t n, uint8_t *out, size_t cap)
{
    size_t total = ZBOSS_ADDR_MAP_HDR + n * ZBOSS_ADDR_MAP_REC;
    if (n > 255 || cap < total) return 0;
    memset(out, 0, total);
    out[0] = (uint8_t)n;
    out[1] = ZBOSS_ADDR_MAP_FORMAT;
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = out + ZBOSS_ADDR_MAP_HDR + i * ZBOSS_ADDR_MAP_REC;
        put_le64(r, e[i].ieee);
        put_le16(r + 8, e[i].nwk);
        r[10] = e[i].index;
        r[11] = e[i].redirect_type;
        r[12] = e[i].redirect_ref;
    }
    return total;
}

long zboss_addr_map_decode(const uint8_t *p, size_t n, zboss_addr_map_entry *out, size_t max)
{
    long cnt = table_count(n, ZBOSS_ADDR_MAP_HDR, ZBOSS_ADDR_MAP_REC);
    if (cnt < 0) return -1;
    if ((size_t)cnt > max) cnt = (long)max;
    for (long i = 0; i < cnt; i++) {
        const uint8_t *r = p + ZBOSS_ADDR_MAP_HDR + (size_t)i * ZBOSS_ADDR_MAP_REC;
        out[i].ieee = get_le64(r);
        out[i].nwk = get_le16(r + 8);
        out[i].index = r[10];
        out[i].redirect_type = r[11];
        out[i].redirect_ref = r[12];
    }
    return cnt;
}

size_t zboss_neighbour_encode(const zboss_neighbour *e, size_t n, uint8_t *out, size_t cap)
{
    size_t total = ZBOSS_NBT_HDR + n * ZBOSS_NBT_REC;
    if (n > 255 || cap < total) return 0;
    memset(out, 0, total);
    out[0] = (uint8_t)n;
    out[1] = ZBOSS_NBT_FORMAT;
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = out + ZBOSS_NBT_HDR + i * ZBOSS_NBT_REC;
        r[0] = e[i].addr_ref;
        /* C bit-fields on the NCP (little-endian GCC): first field in the low bits */
        r[1] = (uint8_t)((e[i].depth & 0x0F) | ((e[i].rx_on & 1) << 4) |
                         ((e[i].relationship & 7) << 5));
        r[2] = (uint8_t)((e[i].device_type & 3) | ((e[i].ed_timeout & 0x0F) << 2));
        r[3] = e[i].key_seq;
        r[4] = e[i].mac_if_idx;
    }
    return total;
}

long zboss_neighbour_decode(const uint8_t *p, size_t n, zboss_neighbour *out, size_t max)
{
    long cnt = table_count(n, ZBOSS_NBT_HDR, ZBOSS_NBT_REC);
    if (cnt < 0) return -1;
    if ((size_t)cnt > max) cnt = (long)max;
    for (long i = 0; i < cnt; i++) {
        const uint8_t *r = p + ZBOSS_NBT_HDR + (size_t)i * ZBOSS_NBT_REC;
        out[i].addr_ref = r[0];
        out[i].depth = r[1] & 0x0F;
        out[i].rx_on = (r[1] >> 4) & 1;
        out[i].relationship = (r[1] >> 5) & 7;
        out[i].device_type = r[2] & 3;
        out[i].ed_timeout = (r[2] >> 2) & 0x0F;
        out[i].key_seq = r[3];
        out[i].mac_if_idx = r[4];
    }
    return cnt;
}

size_t zboss_aps_keys_encode(uint8_t coordinator_version, const zboss_aps_key *k, size_t n,
                             uint8_t *out, size_t cap)
{
    size_t total = ZBOSS_APS_KEYS_HDR + n * ZBOSS_APS_KEYS_REC;
    if (cap < total) return 0;
    memset(out, 0, total);
    out[0] = coordinator_version;
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = out + ZBOSS_APS_KEYS_HDR + i * ZBOSS_APS_KEYS_REC;
        put_le64(r, k[i].ieee);
        memcpy(r + 8, k[i].key, 16);
        r[24] = k[i].flags;
    }
    return total;
}

long zboss_aps_keys_decode(const uint8_t *p, size_t n, zboss_aps_key *out, size_t max)
{
    long cnt = table_count(n, ZBOSS_APS_KEYS_HDR, ZBOSS_APS_KEYS_REC);
    if (cnt < 0) return -1;
    if ((size_t)cnt > max) cnt = (long)max;
    for (long i = 0; i < cnt; i++) {
        const uint8_t *r = p + ZBOSS_APS_KEYS_HDR + (size_t)i * ZBOSS_APS_KEYS_REC;
        out[i].ieee = get_le64(r);
        memcpy(out[i].key, r + 8, 16);
        out[i].flags = r[24];
    }
    return cnt;
}
