/* ezsp_host.c - ASH + EZSP host over a serial link with deadlines.
 *
 * Deliberately simple where the protocol allows it: one DATA frame of ours in flight (TX_K 1,
 * like bellows), every NCP DATA frame acknowledged at once, retransmission with reTx when the
 * NCP NAKs or stays silent. Callbacks are routed by the FC callback bit (herdsman's rule). */
#include "ezsp_host.h"
#include "host_queue.h" /* the pending-frame queue */

#include "bytes.h"
#include "clock.h"
#include "log.h"

#include <string.h>
#include <time.h>

#define RSTACK_WAIT_MS 5000
#define RETX_MS        1600
#define MAX_RETX       4

void ezsp_host_init(ezsp_host *h, zbh_serial *s)
{
    memset(h, 0, sizeof(*h));
    h->s = s;
    h->timeout_ms = 6000;
    ash_decoder_init(&h->dec);
}

void ezsp_host_drain(ezsp_host *h)
{
    h->cb_len = 0;
}

const char *ezsp_host_strerror(int rc)
{
    switch (rc) {
    case EZSP_HOST_OK: return "ok";
    case EZSP_HOST_TIMEOUT: return "no response (timeout)";
    case EZSP_HOST_IO: return "serial I/O error";
    case EZSP_HOST_INVALID: return "invalidCommand (the NCP does not know the command)";
    case EZSP_HOST_LINK: return "ASH link failure (ERROR frame or NCP reset)";
    default: return "unknown error";
    }
}

static int send_nak(ezsp_host *h)
{
    uint8_t out[8];
    size_t w = ash_encode_nak(h->frm_rx, false, out, sizeof(out));
    return w && zbh_serial_write(h->s, out, w) == 0 ? EZSP_HOST_OK : EZSP_HOST_IO;
}

static int send_ack(ezsp_host *h)
{
    uint8_t out[8];
    size_t n = ash_encode_ack(h->frm_rx, false, out, sizeof(out));
    return zbh_serial_write(h->s, out, n) == 0 ? 0 : EZSP_HOST_IO;
}

static void queue_cb(ezsp_host *h, const ezsp_host_frame *f)
{
    zbh_queue_push(h->cbq, sizeof(h->cbq[0]), &h->cb_len, EZSP_HOST_CBQ, f, NULL);
}

static void on_ezsp(ezsp_host *h, const uint8_t *p, size_t n)
{
    ezsp_header hd;
    int off;
    if (n == 7 && p[2] == EZSP_ID_VERSION && !(p[1] & EZSP_FC_CALLBACK)) { /* legacy version */
        hd = (ezsp_header){.seq = p[0], .fc_lo = p[1], .frame_id = 0, .legacy = true};
        off = 3;
    } else if ((off = ezsp_header_decode(p, n, &hd)) < 0) {
        return;
    }
    ezsp_host_frame f = {
        .frame_id = hd.frame_id, .seq = hd.seq, .fc_lo = hd.fc_lo, .len = n - (size_t)off};
    memcpy(f.data, p + off, f.len);
    if (hd.fc_lo & EZSP_FC_CALLBACK) {
        queue_cb(h, &f);
    } else {
        h->rsp = f;
        h->have_rsp = true;
    }
}

static void on_frame(void *ctx, const ash_frame *f)
{
    ezsp_host *h = ctx;
    if (f->status != ASH_RX_OK) {
        /* a damaged frame that looks like DATA: NAK it once (Reject condition, ezsp-ash.md
         * §1.7) so the NCP retransmits at once instead of after its ACK timer */
        if (!h->reject && !(f->control & 0x80) && f->len > 0) {
            send_nak(h);
            h->reject = true;
        }
        return;
    }
    enum ash_type t = ash_frame_type(f->control, f->len + 1);
    if (t == ASH_RSTACK) {
        if (f->len >= 2 && f->data[0] == ASH_VERSION && f->data[1] == ASH_RESET_SOFTWARE)
            h->got_rstack = true;
        else
            h->link_error = true;
        return;
    }
    if (t == ASH_ERROR) {
        h->link_error = true;
        return;
    }
    if (t == ASH_NAK) {
        h->nak_seen = true; /* the NCP lost our frame: resend now, not after RETX_MS */
        return;
    }
    if (t != ASH_DATA) return; /* ACK: the response deadline covers it */
    if (ash_frm_num(f->control) == h->frm_rx) {
        h->reject = false;
        h->frm_rx = (uint8_t)((h->frm_rx + 1) & 7);
        on_ezsp(h, f->data, f->len);
    }
    send_ack(h); /* also for duplicates: the NCP lost our ACK */
}

/* Reads and decodes for up to `ms`; returns early once `*flag` is set. */
static int pump(ezsp_host *h, int ms, const bool *flag)
{
    long long deadline = zb_now_ms() + ms;
    uint8_t buf[512];
    h->nak_seen = false;
    while (!*flag && !h->link_error && !h->nak_seen) {
        long long left = deadline - zb_now_ms();
        if (left <= 0) return EZSP_HOST_TIMEOUT;
        int n = zbh_serial_read(h->s, buf, sizeof(buf), (int)left);
        if (n < 0) return EZSP_HOST_IO;
        if (n > 0) ash_decoder_feed(&h->dec, buf, (size_t)n, on_frame, h);
    }
    if (h->link_error) return EZSP_HOST_LINK;
    return *flag ? EZSP_HOST_OK : EZSP_HOST_TIMEOUT; /* a NAK counts as silence: resend */
}

static int send_data(ezsp_host *h, const uint8_t *ezsp, size_t n, bool retx)
{
    uint8_t out[ASH_MAX_WIRE];
    size_t w = ash_encode_data(h->frm_tx, h->frm_rx, retx, ezsp, n, out, sizeof(out));
    if (!w) return EZSP_HOST_IO;
    return zbh_serial_write(h->s, out, w) == 0 ? EZSP_HOST_OK : EZSP_HOST_IO;
}

/* One EZSP exchange: send, wait for the response, retransmit on silence. */
static int exchange(ezsp_host *h, const uint8_t *frame, size_t n, ezsp_host_frame *rsp)
{
    h->have_rsp = false;
    long long deadline = zb_now_ms() + h->timeout_ms;
    int rc = send_data(h, frame, n, false);
    for (int attempt = 0; rc == EZSP_HOST_OK; attempt++) {
        long long left = deadline - zb_now_ms();
        if (left <= 0) return EZSP_HOST_TIMEOUT;
        rc = pump(h, left < RETX_MS ? (int)left : RETX_MS, &h->have_rsp);
        if (rc == EZSP_HOST_OK) break;
        if (rc != EZSP_HOST_TIMEOUT || attempt >= MAX_RETX) return rc;
        rc = send_data(h, frame, n, true);
    }
    if (rc) return rc;
    h->frm_tx = (uint8_t)((h->frm_tx + 1) & 7);
    *rsp = h->rsp;
    return rsp->frame_id == EZSP_ID_INVALID ? EZSP_HOST_INVALID : EZSP_HOST_OK;
}

int ezsp_host_reset(ezsp_host *h)
{
    uint8_t rst[8];
    size_t rn = ash_encode_rst(rst, sizeof(rst));
    int rc = EZSP_HOST_TIMEOUT;
    for (int attempt = 0; attempt < 3 && rc; attempt++) {
        h->got_rstack = h->link_error = false;
        ash_decoder_init(&h->dec);
        if (zbh_serial_write(h->s, rst, rn) < 0) return EZSP_HOST_IO;
        rc = pump(h, RSTACK_WAIT_MS, &h->got_rstack);
        if (rc == EZSP_HOST_LINK) rc = EZSP_HOST_TIMEOUT; /* a non-software RSTACK: retry */
    }
    if (rc) return rc;
    h->frm_tx = h->frm_rx = 0;
    h->cb_len = 0;
    h->version = 0;
    return EZSP_HOST_OK;
}

int ezsp_host_connect(ezsp_host *h, int desired_version)
{
    int rc = ezsp_host_reset(h);
    if (rc) return rc;
    /* legacy version frame first, then the NCP's version in the extended format (§2.3) */
    uint8_t v[4] = {h->seq++, 0x00, EZSP_ID_VERSION, (uint8_t)desired_version}; /* seq, FC, id */
    ezsp_host_frame r;
    ezsp_version_rsp vr;
    if ((rc = exchange(h, v, sizeof(v), &r))) return rc;
    if (zs_decode(&ezsp_version_rsp_layout, r.data, r.len, &vr, NULL) < 0) return EZSP_HOST_IO;
    int pv = vr.protocol_version;
    if (pv < 8) return pv; /* legacy-only NCP: the caller refuses it */
    h->version = pv;
    ezsp_version_req vq = {.desired = (uint8_t)pv};
    if ((rc = ezsp_host_call(h, EZSP_ID_VERSION, &vq, &vr))) return rc < 0 ? rc : EZSP_HOST_IO;
    if (vr.protocol_version != pv || vr.stack_type != 2) return EZSP_HOST_IO;
    return pv;
}

int ezsp_host_frame_exchange(ezsp_host *h, const uint8_t *frame, size_t n, ezsp_host_frame *rsp)
{
    int rc = exchange(h, frame, n, rsp);
    if (rc == EZSP_HOST_OK && rsp->frame_id == EZSP_ID_VERSION && rsp->len >= 1)
        h->version = rsp->data[0];
    return rc;
}

int ezsp_host_cmd(ezsp_host *h, uint16_t frame_id, const uint8_t *params, size_t n,
                  ezsp_host_frame *rsp)
{
    uint8_t f[EZSP_MAX_FRAME];
    ezsp_header hd = {.seq = h->seq++, .fc_lo = 0, .fc_hi = EZSP_FC_HI, .frame_id = frame_id};
    size_t hn = ezsp_header_encode(&hd, f);
    if (hn + n > sizeof(f)) return EZSP_HOST_IO;
    if (n) memcpy(f + hn, params, n);
    int rc = exchange(h, f, hn + n, rsp);
    if (rc == EZSP_HOST_OK && rsp->frame_id != frame_id) rc = EZSP_HOST_IO;
    if (rc) LOG_DEBUG("ezsp host: command 0x%04x: %s", frame_id, ezsp_host_strerror(rc));
    return rc;
}

int ezsp_host_call(ezsp_host *h, uint16_t frame_id, const void *req, void *rsp)
{
    const zs_cmd *row = ezsp_cmd_row(frame_id, h->version);
    uint8_t p[EZSP_MAX_FRAME];
    long n = 0;
    if (!row || !row->rsp) {
        LOG_ERROR("ezsp host: no schema row for 0x%04x at v%d", frame_id, h->version);
        return EZSP_HOST_IO;
    }
    if (req && (n = zs_encode_to(row->req, req, p, sizeof(p))) < 0) return EZSP_HOST_IO;
    ezsp_host_frame f;
    int rc = ezsp_host_cmd(h, frame_id, p, (size_t)n, &f);
    if (rc || !rsp) return rc;
    zs_err err;
    if (zs_decode(row->rsp, f.data, f.len, rsp, &err) >= 0) return EZSP_HOST_OK;
    LOG_DEBUG("ezsp host: %s: %s.%s %s at %zu", row->name, err.layout, err.field, err.why,
              err.offset);
    return EZSP_HOST_SHORT;
}

int ezsp_host_decode_cb(const ezsp_host *h, const ezsp_host_frame *f, void *out)
{
    const zs_cmd *row = ezsp_cmd_row(f->frame_id, h->version);
    if (!row || !row->rsp) return EZSP_HOST_SHORT;
    return zs_decode(row->rsp, f->data, f->len, out, NULL) < 0 ? EZSP_HOST_SHORT : EZSP_HOST_OK;
}

int ezsp_host_wait_cb(ezsp_host *h, uint16_t frame_id, ezsp_host_frame *out, int timeout_ms)
{
    long long deadline = zb_now_ms() + timeout_ms;
    for (;;) {
        for (int i = 0; i < h->cb_len; i++) {
            if (frame_id != EZSP_HOST_ANY_CB && h->cbq[i].frame_id != frame_id) continue;
            zbh_queue_take(h->cbq, sizeof(h->cbq[0]), &h->cb_len, i, out);
            return EZSP_HOST_OK;
        }
        long long left = deadline - zb_now_ms();
        if (left <= 0) return EZSP_HOST_TIMEOUT;
        uint8_t buf[512];
        int n = zbh_serial_read(h->s, buf, sizeof(buf), (int)left);
        if (n < 0) return EZSP_HOST_IO;
        if (n > 0) ash_decoder_feed(&h->dec, buf, (size_t)n, on_frame, h);
        if (h->link_error) return EZSP_HOST_LINK;
    }
}
