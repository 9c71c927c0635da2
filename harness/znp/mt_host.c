/* mt_host.c - MT request/response over a serial link with deadlines. */
#include "mt_host.h"
#include "host_queue.h" /* the pending-frame queue */

#include "clock.h"
#include "log.h"
#include "mt_cmds.h"
#include "mt_schema.h"

#include <string.h>
#include <time.h>

static void on_frame(void *ctx, const mt_frame *f)
{
    mt_host *h = ctx;
    zbh_queue_push(h->queue, sizeof(h->queue[0]), &h->q_len, MT_HOST_QUEUE, f, NULL);
}

void mt_host_init(mt_host *h, zbh_serial *s)
{
    memset(h, 0, sizeof(*h));
    h->s = s;
    h->timeout_ms = 6000;
    mt_parser_init(&h->parser);
}

void mt_host_drain(mt_host *h)
{
    h->q_len = 0;
}

const char *mt_host_strerror(int rc)
{
    switch (rc) {
    case MT_HOST_OK: return "ok";
    case MT_HOST_TIMEOUT: return "no response (timeout)";
    case MT_HOST_IO: return "serial I/O error";
    case MT_HOST_RPC_ERROR: return "command not supported by the device (RPC error)";
    default: return "unknown error";
    }
}

static int send_frame(mt_host *h, uint8_t cmd0, uint8_t cmd1, const uint8_t *d, size_t n)
{
    mt_frame f;
    uint8_t out[MT_MAX_DATA + 5];
    if (mt_frame_set(&f, cmd0, cmd1, d, n) < 0) return MT_HOST_IO;
    size_t len = mt_encode(&f, out, sizeof(out));
    return zbh_serial_write(h->s, out, len) == 0 ? MT_HOST_OK : MT_HOST_IO;
}

/* Takes the first queued frame accepted by `match` into out. */
typedef int (*frame_match)(const mt_frame *f, uint8_t cmd0, uint8_t cmd1);

static int take(mt_host *h, frame_match match, uint8_t cmd0, uint8_t cmd1, mt_frame *out)
{
    for (int i = 0; i < h->q_len; i++) {
        if (!match(&h->queue[i], cmd0, cmd1)) continue;
        zbh_queue_take(h->queue, sizeof(h->queue[0]), &h->q_len, i, out);
        return 1;
    }
    return 0;
}

static int wait_match(mt_host *h, frame_match match, uint8_t cmd0, uint8_t cmd1, mt_frame *out,
                      int timeout_ms)
{
    long long deadline = zb_now_ms() + timeout_ms;
    for (;;) {
        if (take(h, match, cmd0, cmd1, out)) return MT_HOST_OK;
        long long left = deadline - zb_now_ms();
        if (left <= 0) return MT_HOST_TIMEOUT;
        uint8_t buf[512];
        /* while a frame is half received, wait only MT_STALE_MS for the rest of it */
        int pending = mt_parser_pending(&h->parser);
        int n = zbh_serial_read(h->s, buf, sizeof(buf),
                                pending && left > MT_STALE_MS ? MT_STALE_MS : (int)left);
        if (n < 0) return MT_HOST_IO;
        if (n > 0)
            mt_parser_feed(&h->parser, buf, (size_t)n, on_frame, h);
        else if (pending)
            mt_parser_expire(&h->parser, on_frame, h);
    }
}

static int is_exact(const mt_frame *f, uint8_t cmd0, uint8_t cmd1)
{
    return f->cmd0 == cmd0 && f->cmd1 == cmd1;
}

static int is_srsp_for(const mt_frame *f, uint8_t cmd0, uint8_t cmd1)
{
    if (is_exact(f, mt_cmd0(MT_TYPE_SRSP, cmd0), cmd1)) return 1;
    /* RPC error: [code, req cmd0, req cmd1] */
    return is_exact(f, MT_RPC_ERROR) && f->len == 3 && f->data[1] == cmd0 && f->data[2] == cmd1;
}

/* SREQs are strictly one at a time, so an SRSP still queued when the next SREQ goes out
 * answers an earlier attempt; keeping it could pair it with the wrong request (MT frames carry
 * no sequence number). */
static void drop_stale_srsps(mt_host *h)
{
    int w = 0;
    for (int i = 0; i < h->q_len; i++)
        if (mt_frame_type(&h->queue[i]) != MT_TYPE_SRSP) h->queue[w++] = h->queue[i];
    h->q_len = w;
}

int mt_host_sreq(mt_host *h, uint8_t cmd0, uint8_t cmd1, const uint8_t *d, size_t n, mt_frame *rsp,
                 int timeout_ms)
{
    /* MT has no retransmission: a frame with a bad FCS is dropped silently by either side. With
     * the default timeout an SREQ is sent up to four times within the same 6 s, waiting 0.3,
     * 0.7, 1.5 and 3.5 s (a stick answers in milliseconds; a flash page erase can take a few
     * hundred, and an SRSP that comes after its resend is dropped as stale). Four attempts,
     * because bit errors come in clusters: at 0.1% a cluster hit three attempts of one read in
     * tests/system/znp_faults.sh. Every SREQ the drivers send is idempotent (reads, and writes
     * of the same value). An explicit timeout means the caller handles silence itself (the
     * wake-up ping). */
    static const int BACKOFF_MS[] = {300, 700, 1500, 3500};
    int attempts = timeout_ms > 0 ? 1 : 4;
    mt_frame tmp;
    if (!rsp) rsp = &tmp;
    int rc = MT_HOST_TIMEOUT;
    for (int i = 0; i < attempts && rc == MT_HOST_TIMEOUT; i++) {
        int wait_ms = timeout_ms > 0 ? timeout_ms : BACKOFF_MS[i] * h->timeout_ms / 6000;
        if (i) LOG_DEBUG("mt: no SRSP for %02x %02x, sending it again", cmd0, cmd1);
        drop_stale_srsps(h);
        rc = send_frame(h, cmd0, cmd1, d, n);
        if (rc != MT_HOST_OK) return rc;
        rc = wait_match(h, is_srsp_for, cmd0, cmd1, rsp, wait_ms);
    }
    if (rc == MT_HOST_OK && is_exact(rsp, MT_RPC_ERROR) && (cmd0 & 0x1F) != MT_SUBSYS_RPC_ERR)
        return MT_HOST_RPC_ERROR;
    return rc;
}

int mt_host_areq(mt_host *h, uint8_t cmd0, uint8_t cmd1, const uint8_t *d, size_t n)
{
    return send_frame(h, cmd0, cmd1, d, n);
}

int mt_host_wait(mt_host *h, uint8_t cmd0, uint8_t cmd1, mt_frame *out, int timeout_ms)
{
    return wait_match(h, is_exact, cmd0, cmd1, out, timeout_ms);
}

static int is_any(const mt_frame *f, uint8_t cmd0, uint8_t cmd1)
{
    (void)f;
    (void)cmd0;
    (void)cmd1;
    return 1;
}

int mt_host_next(mt_host *h, mt_frame *out, int timeout_ms)
{
    return wait_match(h, is_any, 0, 0, out, timeout_ms);
}

/* ---------------------------------------------------------------- typed calls (mt_schema) */

static int encode_req(const zs_cmd *row, const void *req, uint8_t *d, size_t cap, size_t *n)
{
    long len = !row || !row->req ? -1 : req ? zs_encode_to(row->req, req, d, cap) : 0;
    if (len < 0) return MT_HOST_IO;
    *n = (size_t)len;
    return MT_HOST_OK;
}

static int decode_into(const zs_cmd *row, const mt_frame *f, void *out)
{
    zs_err err;
    if (!out) return MT_HOST_OK;
    if (row->rsp && zs_decode(row->rsp, f->data, f->len, out, &err) >= 0) return MT_HOST_OK;
    LOG_WARN("mt: %s: answer of %u bytes does not fit its layout (%s at %s)", row->name, f->len,
             row->rsp ? err.why : "no layout", row->rsp ? err.field : "-");
    return MT_HOST_IO;
}

int mt_host_call(mt_host *h, uint8_t cmd0, uint8_t cmd1, const void *req, void *rsp, int timeout_ms)
{
    const zs_cmd *row = mt_schema_find(cmd0, cmd1);
    uint8_t d[MT_MAX_DATA];
    size_t n;
    mt_frame r;
    int rc = encode_req(row, req, d, sizeof d, &n);
    if (rc == MT_HOST_OK) rc = mt_host_sreq(h, cmd0, cmd1, d, n, &r, timeout_ms);
    return rc == MT_HOST_OK ? decode_into(row, &r, rsp) : rc;
}

int mt_host_send(mt_host *h, uint8_t cmd0, uint8_t cmd1, const void *req)
{
    uint8_t d[MT_MAX_DATA];
    size_t n;
    int rc = encode_req(mt_schema_find(cmd0, cmd1), req, d, sizeof d, &n);
    return rc == MT_HOST_OK ? mt_host_areq(h, cmd0, cmd1, d, n) : rc;
}

int mt_host_wait_ind(mt_host *h, uint8_t cmd0, uint8_t cmd1, void *ind, int timeout_ms)
{
    const zs_cmd *row = mt_schema_find(cmd0, cmd1);
    mt_frame f;
    int rc = row ? mt_host_wait(h, cmd0, cmd1, &f, timeout_ms) : MT_HOST_IO;
    return rc == MT_HOST_OK ? decode_into(row, &f, ind) : rc;
}
