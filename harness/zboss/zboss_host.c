/* zboss_host.c - ZBOSS NCP request/response over a serial link with deadlines (zboss_host.h).
 *
 * Every valid data packet from the NCP is ACKed the moment it is parsed, before anything else
 * is written, so the NCP never has to retransmit (and never makes us see a message twice). */
#include "zboss_host.h"
#include "host_queue.h" /* the pending-frame queue */
#include "zboss_schema.h"

#include "clock.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACK_WAIT_MS   1000
#define SEND_ATTEMPTS 3
#define RX_MAX        (64 * 1024)

void zboss_host_init(zboss_host *h, zbh_serial *s)
{
    memset(h, 0, sizeof(*h));
    h->s = s;
    zboss_ll_parser_init(&h->parser);
    zboss_reasm_init(&h->rx, RX_MAX);
}

void zboss_msg_free(zboss_msg *m)
{
    free(m->data);
    memset(m, 0, sizeof(*m));
}

void zboss_host_drain(zboss_host *h)
{
    for (int i = 0; i < h->q_len; i++)
        zboss_msg_free(&h->queue[i]);
    h->q_len = 0;
}

void zboss_host_free(zboss_host *h)
{
    zboss_host_drain(h);
    zboss_reasm_free(&h->rx);
}

const char *zboss_host_strerror(int rc)
{
    switch (rc) {
    case ZBOSS_HOST_OK: return "ok";
    case ZBOSS_HOST_TIMEOUT: return "no response (timeout)";
    case ZBOSS_HOST_IO: return "serial I/O error";
    case ZBOSS_HOST_NO_ACK: return "the NCP did not acknowledge the packet";
    default: return rc > 0 ? "error status from the NCP" : "unknown error";
    }
}

static void push_message(zboss_host *h, const uint8_t *p, size_t n)
{
    zboss_msg m = {malloc(n), n, {0}};
    if (!m.data) return;
    memcpy(m.data, p, n);
    if (zboss_hl_decode(m.data, n, &m.hl) < 0) {
        free(m.data);
        return;
    }
    zboss_msg oldest; /* forgotten when the queue is full (an unread indication) */
    if (zbh_queue_push(h->queue, sizeof(h->queue[0]), &h->q_len, ZBOSS_HOST_QUEUE, &m, &oldest))
        zboss_msg_free(&oldest);
}

static void on_packet(void *ctx, int ev, const zboss_ll_packet *p)
{
    zboss_host *h = ctx;
    if (ev != ZBOSS_LL_PACKET || p->type != ZBOSS_LL_TYPE_HL) return; /* hosts drop, no NACK */
    if (p->flags & ZBOSS_FLAG_ACK) {
        /* an ACK with the retransmit flag is a NACK: the NCP got our packet damaged, so it
         * must go out again now (taking it for an ACK waited for a response that never came) */
        if (p->flags & ZBOSS_FLAG_RETRANSMIT) {
            h->nacked = 1;
            return;
        }
        h->acked = 1;
        h->ack_num = zboss_flags_ack_num(p->flags);
        return;
    }
    if (!p->len) return;
    uint8_t ack[ZBOSS_LL_HDR];
    size_t n = zboss_ll_encode_ack(zboss_flags_pkt(p->flags), 0, ack, sizeof(ack));
    if (zbh_serial_write(h->s, ack, n) < 0) h->io_error = 1;
    if (zboss_reasm_add(&h->rx, p->flags, p->body, p->len) == 1)
        push_message(h, h->rx.buf, h->rx.len);
}

/* Reads what arrives within `ms` and processes it. */
static int pump(zboss_host *h, int ms)
{
    uint8_t buf[1024];
    int n = zbh_serial_read(h->s, buf, sizeof(buf), ms);
    if (n < 0) return ZBOSS_HOST_IO;
    if (n > 0) zboss_ll_parser_feed(&h->parser, buf, (size_t)n, on_packet, h);
    return h->io_error ? ZBOSS_HOST_IO : ZBOSS_HOST_OK;
}

static int send_packet(zboss_host *h, uint8_t first_last, const uint8_t *body, size_t n)
{
    uint8_t pkt[ZBOSS_LL_MAX_PKT];
    uint8_t num = h->tx_pkt;
    for (int attempt = 0; attempt < SEND_ATTEMPTS; attempt++) {
        uint8_t flags = (uint8_t)(zboss_data_flags(num, 0, 0) | first_last |
                                  (attempt ? ZBOSS_FLAG_RETRANSMIT : 0));
        size_t len = zboss_ll_encode(flags, body, n, pkt, sizeof(pkt));
        if (!len || zbh_serial_write(h->s, pkt, len) < 0) return ZBOSS_HOST_IO;
        h->acked = h->nacked = 0;
        long long deadline = zb_now_ms() + ACK_WAIT_MS;
        while (!(h->acked && h->ack_num == num) && !h->nacked) {
            long long left = deadline - zb_now_ms();
            if (left <= 0) break;
            int rc = pump(h, (int)left);
            if (rc) return rc;
        }
        if (h->acked && h->ack_num == num) {
            h->tx_pkt = (uint8_t)(num % 3 + 1);
            return ZBOSS_HOST_OK;
        }
        LOG_INFO("zboss: %s for packet %u (attempt %d)", h->nacked ? "NACK" : "no ACK", num,
                 attempt + 1);
    }
    return ZBOSS_HOST_NO_ACK;
}

/* Sends one HL message, fragmented when over 247 bytes (§2.6). */
static int send_message(zboss_host *h, const uint8_t *msg, size_t len)
{
    size_t frags = zboss_frag_count(len);
    for (size_t i = 0; i < frags; i++) {
        size_t off, n;
        uint8_t fl = zboss_frag_span(len, i, &off, &n);
        int rc = send_packet(h, fl, msg + off, n);
        if (rc) return rc;
    }
    return ZBOSS_HOST_OK;
}

static int send_request(zboss_host *h, uint16_t call_id, const uint8_t *params, size_t n,
                        uint8_t *tsn_out)
{
    uint8_t *msg = malloc(ZBOSS_HL_REQ_HDR + n);
    if (!msg) return ZBOSS_HOST_IO;
    zboss_hl req = {.type = ZBOSS_HL_REQUEST,
                    .call_id = call_id,
                    .tsn = h->tsn,
                    .params = params,
                    .params_len = n};
    *tsn_out = h->tsn;
    h->tsn = (uint8_t)((h->tsn + 1) % 255); /* 0..254: 0xFF is the NCP's "no request" TSN */
    size_t len = zboss_hl_encode(&req, msg, ZBOSS_HL_REQ_HDR + n);
    int rc = len ? send_message(h, msg, len) : ZBOSS_HOST_IO;
    free(msg);
    return rc;
}

int zboss_host_send(zboss_host *h, uint16_t call_id, const uint8_t *params, size_t n)
{
    uint8_t tsn;
    return send_request(h, call_id, params, n, &tsn);
}

/* Takes the first queued response for call_id (and tsn unless any_tsn). */
static int take(zboss_host *h, uint16_t call_id, int any_tsn, uint8_t tsn, zboss_msg *out)
{
    for (int i = 0; i < h->q_len; i++) {
        const zboss_hl *m = &h->queue[i].hl;
        if (m->type != ZBOSS_HL_RESPONSE || m->call_id != call_id) continue;
        if (!any_tsn && m->tsn != tsn) continue;
        zbh_queue_take(h->queue, sizeof(h->queue[0]), &h->q_len, i, out);
        return 1;
    }
    return 0;
}

static int wait_response(zboss_host *h, uint16_t call_id, int any_tsn, uint8_t tsn, zboss_msg *out,
                         int timeout_ms)
{
    long long deadline = zb_now_ms() + timeout_ms;
    for (;;) {
        if (take(h, call_id, any_tsn, tsn, out)) return ZBOSS_HOST_OK;
        long long left = deadline - zb_now_ms();
        if (left <= 0) return ZBOSS_HOST_TIMEOUT;
        int rc = pump(h, (int)left);
        if (rc) return rc;
    }
}

int zboss_host_wait(zboss_host *h, uint16_t call_id, zboss_msg *out, int timeout_ms)
{
    return wait_response(h, call_id, 1, 0, out, timeout_ms);
}

int zboss_host_next_ind(zboss_host *h, zboss_msg *out, int timeout_ms)
{
    long long deadline = zb_now_ms() + timeout_ms;
    for (;;) {
        for (int i = 0; i < h->q_len; i++) {
            if (h->queue[i].hl.type != ZBOSS_HL_INDICATION) continue;
            zbh_queue_take(h->queue, sizeof(h->queue[0]), &h->q_len, i, out);
            return ZBOSS_HOST_OK;
        }
        long long left = deadline - zb_now_ms();
        if (left <= 0) return ZBOSS_HOST_TIMEOUT;
        int rc = pump(h, (int)left);
        if (rc) return rc;
    }
}

int zboss_host_request_raw(zboss_host *h, const uint8_t *msg, size_t n, zboss_msg *rsp,
                           int timeout_ms)
{
    zboss_hl req;
    if (zboss_hl_decode(msg, n, &req) < 0 || req.type != ZBOSS_HL_REQUEST) return ZBOSS_HOST_IO;
    int rc = send_message(h, msg, n);
    if (rc) return rc;
    return wait_response(h, req.call_id, 0, req.tsn, rsp, timeout_ms);
}

int zboss_host_call(zboss_host *h, uint16_t call_id, const uint8_t *params, size_t n,
                    zboss_msg *rsp, int timeout_ms)
{
    uint8_t tsn;
    zboss_msg tmp;
    int rc = send_request(h, call_id, params, n, &tsn);
    if (rc) return rc;
    rc = wait_response(h, call_id, 0, tsn, &tmp, timeout_ms > 0 ? timeout_ms : 5000);
    if (rc) return rc;
    int status = tmp.hl.status_cat << 8 | tmp.hl.status_code;
    if (status == 0 && rsp)
        *rsp = tmp;
    else
        zboss_msg_free(&tmp);
    return status;
}

/* ---------------------------------------------------------------- typed calls */

/* `req` through the request layout of `call_id` into a new buffer (*out, freed by the caller):
 * its length, or -1. */
static long encode_req(uint16_t call_id, const void *req, uint8_t **out)
{
    const zs_cmd *row = zboss_cmd_row(call_id);
    *out = NULL;
    if (!row || !row->req) return -1;
    size_t cap = (size_t)row->req->size + 1; /* a struct is never shorter than its payload */
    *out = malloc(cap);
    if (!*out) return -1;
    return req ? zs_encode_to(row->req, req, *out, cap) : 0;
}

int zboss_send(zboss_host *h, uint16_t call_id, const void *req)
{
    uint8_t *p;
    long n = encode_req(call_id, req, &p);
    int rc = n < 0 ? ZBOSS_HOST_IO : zboss_host_send(h, call_id, p, (size_t)n);
    free(p);
    return rc;
}

int zboss_call(zboss_host *h, uint16_t call_id, const void *req, void *rsp, int timeout_ms)
{
    uint8_t *p;
    zboss_msg m;
    long n = encode_req(call_id, req, &p);
    int rc = n < 0 ? ZBOSS_HOST_IO
                   : zboss_host_call(h, call_id, p, (size_t)n, rsp ? &m : NULL, timeout_ms);
    free(p);
    if (rc || !rsp) return rc;
    zs_err err;
    const zs_layout *l = zboss_cmd_row(call_id)->rsp;
    if (zs_decode(l, m.hl.params, m.hl.params_len, rsp, &err) < 0) {
        LOG_DEBUG("zboss: %s answer of %zu bytes: %s at %s (byte %zu)",
                  zboss_cmd_row(call_id)->name, m.hl.params_len, err.why, err.field, err.offset);
        rc = ZBOSS_HOST_IO;
    }
    zboss_msg_free(&m);
    return rc;
}
