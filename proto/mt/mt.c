/* mt.c - MT/UNPI framing: encoder and resynchronising incremental parser (see mt.h).
 *
 * Frame byte offsets (zstack-mt.md §1.1): 0 SOF, 1 LEN, 2 CMD0, 3 CMD1, 4.. DATA, 4+LEN FCS. */
#include "mt.h"
#include "mt_cmds.h"

#include <string.h>

enum { OFF_SOF = 0, OFF_LEN = 1, OFF_CMD0 = 2, OFF_CMD1 = 3, OFF_DATA = 4 };

uint8_t mt_fcs(const uint8_t *p, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= p[i];
    return x;
}

size_t mt_encode(const mt_frame *f, uint8_t *out, size_t cap)
{
    size_t total = (size_t)f->len + MT_OVERHEAD;
    if (f->len > MT_MAX_DATA || cap < total) return 0;
    out[OFF_SOF] = MT_SOF;
    out[OFF_LEN] = f->len;
    out[OFF_CMD0] = f->cmd0;
    out[OFF_CMD1] = f->cmd1;
    for (size_t i = 0; i < f->len; i++)
        out[OFF_DATA + i] = f->data[i];
    out[OFF_DATA + f->len] = mt_fcs(out + OFF_LEN, (size_t)f->len + 3);
    return total;
}

int mt_frame_set(mt_frame *f, uint8_t cmd0, uint8_t cmd1, const uint8_t *data, size_t len)
{
    if (len > MT_MAX_DATA || (len > 0 && !data)) return -1;
    f->cmd0 = cmd0;
    f->cmd1 = cmd1;
    f->len = (uint8_t)len;
    for (size_t i = 0; i < len; i++)
        f->data[i] = data[i];
    return 0;
}

void mt_rpc_error(mt_frame *out, uint8_t code, uint8_t req_cmd0, uint8_t req_cmd1)
{
    const uint8_t d[3] = {code, req_cmd0, req_cmd1};
    mt_frame_set(out, MT_RPC_ERROR, d, sizeof(d));
}

void mt_parser_init(mt_parser *p)
{
    memset(p, 0, sizeof(*p));
}

/* Drops the first k buffered bytes. */
static void drop(mt_parser *p, size_t k)
{
    memmove(p->buf, p->buf + k, p->n - k);
    p->n -= k;
}

static void deliver(mt_parser *p, mt_frame_cb cb, void *ctx)
{
    mt_frame f;
    mt_frame_set(&f, p->buf[OFF_CMD0], p->buf[OFF_CMD1], p->buf + OFF_DATA, p->buf[OFF_LEN]);
    p->frames++;
    if (cb) cb(ctx, &f);
}

/* Brings the buffer back to "empty or a SOF-led incomplete candidate", delivering or rejecting
 * every candidate that can be decided with the bytes held. A rejected candidate loses only its
 * SOF; the bytes after it are scanned again for the next SOF. */
static void settle(mt_parser *p, mt_frame_cb cb, void *ctx)
{
    for (;;) {
        size_t k = 0;
        while (k < p->n && p->buf[k] != MT_SOF)
            k++;
        p->garbage_bytes += (uint32_t)k;
        drop(p, k);
        if (p->n <= OFF_LEN) return;
        size_t len = p->buf[OFF_LEN];
        if (len > MT_MAX_DATA) {
            p->too_long++;
            drop(p, 1);
            continue;
        }
        size_t total = len + MT_OVERHEAD;
        if (p->n < total) return;
        if (mt_fcs(p->buf + OFF_LEN, len + 3) == p->buf[OFF_DATA + len]) {
            deliver(p, cb, ctx);
            drop(p, total);
        } else {
            p->bad_fcs++;
            drop(p, 1);
        }
    }
}

void mt_parser_feed(mt_parser *p, const uint8_t *buf, size_t n, mt_frame_cb cb, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (p->n == 0 && buf[i] != MT_SOF) {
            p->garbage_bytes++;
            continue;
        }
        /* settle() leaves n < total of the pending candidate, so there is room for one more */
        p->buf[p->n++] = buf[i];
        settle(p, cb, ctx);
    }
}

void mt_parser_expire(mt_parser *p, mt_frame_cb cb, void *ctx)
{
    if (p->n == 0) return;
    p->stale++;
    drop(p, 1);
    settle(p, cb, ctx);
}
