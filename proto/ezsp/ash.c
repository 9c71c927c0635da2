/* ash.c - ASH frame codec and the NCP's link state machine (ezsp-ash.md §1).
 *
 * The order of the transmit steps matters and is easy to get wrong: EZSP bytes are randomised
 * first, the CRC covers control + randomised data, and stuffing comes last and applies to the
 * CRC bytes too. The receiver undoes it in reverse. Hosts run their tty with XON/XOFF, so a raw
 * 0x11/0x13 from us would freeze them: the encoder stuffs all six reserved bytes. */
#include "ash.h"

#include <string.h>

uint16_t ash_crc(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

void ash_randomize(uint8_t *p, size_t n)
{
    uint8_t r = 0x42;
    for (size_t i = 0; i < n; i++) {
        p[i] ^= r;
        r = (r & 1) ? (uint8_t)((r >> 1) ^ 0xB8) : (uint8_t)(r >> 1);
    }
}

enum ash_type ash_frame_type(uint8_t control, size_t body_len)
{
    if (!(control & 0x80)) return body_len >= 1 + ASH_MIN_DATA ? ASH_DATA : ASH_INVALID;
    if ((control & 0xE0) == 0x80) return body_len == 1 ? ASH_ACK : ASH_INVALID;
    if ((control & 0xE0) == 0xA0) return body_len == 1 ? ASH_NAK : ASH_INVALID;
    if (control == ASH_CTRL_RST) return body_len == 1 ? ASH_RST : ASH_INVALID;
    if (control == ASH_CTRL_RSTACK) return body_len == 3 ? ASH_RSTACK : ASH_INVALID;
    if (control == ASH_CTRL_ERROR) return body_len == 3 ? ASH_ERROR : ASH_INVALID;
    return ASH_INVALID;
}

static bool reserved(uint8_t b)
{
    return b == ASH_FLAG || b == ASH_ESCAPE || b == ASH_XON || b == ASH_XOFF ||
           b == ASH_SUBSTITUTE || b == ASH_CANCEL;
}

/* Appends b, stuffed. Returns the new position or 0 on overflow. */
static size_t put_stuffed(uint8_t *out, size_t pos, size_t cap, uint8_t b)
{
    if (reserved(b)) {
        if (pos + 2 > cap) return 0;
        out[pos++] = ASH_ESCAPE;
        out[pos++] = (uint8_t)(b ^ ASH_FLIP);
        return pos;
    }
    if (pos + 1 > cap) return 0;
    out[pos++] = b;
    return pos;
}

size_t ash_encode_body(const uint8_t *body, size_t n, bool cancel, uint8_t *out, size_t cap)
{
    if (n == 0 || n > ASH_MAX_BODY) return 0;
    size_t pos = 0;
    if (cancel) {
        if (cap < 1) return 0;
        out[pos++] = ASH_CANCEL;
    }
    uint16_t crc = ash_crc(body, n);
    for (size_t i = 0; i < n + 2; i++) {
        uint8_t b = i < n ? body[i] : i == n ? (uint8_t)(crc >> 8) : (uint8_t)crc;
        if (!(pos = put_stuffed(out, pos, cap, b))) return 0;
    }
    if (pos + 1 > cap) return 0;
    out[pos++] = ASH_FLAG;
    return pos;
}

size_t ash_encode_data(uint8_t frm_num, uint8_t ack_num, bool retx, const uint8_t *ezsp, size_t n,
                       uint8_t *out, size_t cap)
{
    uint8_t body[ASH_MAX_BODY];
    if (n < ASH_MIN_DATA || n > ASH_MAX_DATA) return 0;
    body[0] = (uint8_t)(((frm_num & 7) << 4) | (retx ? 0x08 : 0) | (ack_num & 7));
    memcpy(body + 1, ezsp, n);
    ash_randomize(body + 1, n);
    return ash_encode_body(body, n + 1, false, out, cap);
}

size_t ash_encode_ack(uint8_t ack_num, bool nrdy, uint8_t *out, size_t cap)
{
    uint8_t c = (uint8_t)(0x80 | (nrdy ? 0x08 : 0) | (ack_num & 7));
    return ash_encode_body(&c, 1, false, out, cap);
}

size_t ash_encode_nak(uint8_t ack_num, bool nrdy, uint8_t *out, size_t cap)
{
    uint8_t c = (uint8_t)(0xA0 | (nrdy ? 0x08 : 0) | (ack_num & 7));
    return ash_encode_body(&c, 1, false, out, cap);
}

size_t ash_encode_rst(uint8_t *out, size_t cap)
{
    uint8_t c = ASH_CTRL_RST;
    return ash_encode_body(&c, 1, true, out, cap);
}

size_t ash_encode_rstack(uint8_t code, uint8_t *out, size_t cap)
{
    uint8_t b[3] = {ASH_CTRL_RSTACK, ASH_VERSION, code};
    return ash_encode_body(b, 3, true, out, cap);
}

size_t ash_encode_error(uint8_t code, uint8_t *out, size_t cap)
{
    uint8_t b[3] = {ASH_CTRL_ERROR, ASH_VERSION, code};
    return ash_encode_body(b, 3, false, out, cap);
}

/* ---------------------------------------------------------------- decoder */

void ash_decoder_init(ash_decoder *d)
{
    memset(d, 0, sizeof(*d));
}

static void decoder_end_frame(ash_decoder *d, ash_frame_fn fn, void *ctx)
{
    ash_frame f;
    memset(&f, 0, sizeof(f));
    if (d->len == 0 && !d->overflow) return; /* FLAG FLAG */
    f.control = d->buf[0];
    if (d->overflow) {
        f.status = ASH_RX_TOO_LONG;
    } else if (d->len < 3) {
        f.status = ASH_RX_TOO_SHORT;
    } else if (ash_crc(d->buf, d->len - 2) !=
               (uint16_t)((d->buf[d->len - 2] << 8) | d->buf[d->len - 1])) {
        f.status = ASH_RX_BAD_CRC;
    } else {
        size_t body = d->len - 2;
        enum ash_type t = ash_frame_type(f.control, body);
        f.status = t == ASH_INVALID ? ASH_RX_BAD_TYPE : ASH_RX_OK;
        if (t != ASH_INVALID) {
            f.len = body - 1;
            memcpy(f.data, d->buf + 1, f.len);
            if (t == ASH_DATA) ash_randomize(f.data, f.len);
        }
    }
    fn(ctx, &f);
}

void ash_decoder_feed(ash_decoder *d, const uint8_t *p, size_t n, ash_frame_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (b == ASH_XON || b == ASH_XOFF) continue;
        if (b == ASH_FLAG) {
            if (!d->discard) decoder_end_frame(d, fn, ctx);
            d->len = 0;
            d->escape = d->overflow = d->discard = false;
            continue;
        }
        if (b == ASH_CANCEL) {
            d->len = 0;
            d->escape = d->overflow = d->discard = false;
            continue;
        }
        if (b == ASH_SUBSTITUTE) {
            d->discard = true;
            continue;
        }
        if (d->discard) continue;
        if (b == ASH_WAKE && d->len == 0 && !d->escape) continue; /* between frames */
        if (b == ASH_ESCAPE) {
            d->escape = true;
            continue;
        }
        if (d->escape) {
            b ^= ASH_FLIP;
            d->escape = false;
        }
        if (d->len < sizeof(d->buf))
            d->buf[d->len++] = b;
        else
            d->overflow = true;
    }
}

/* ---------------------------------------------------------------- NCP link */

static bool within(uint8_t x, uint8_t lo, uint8_t hi)
{
    return ((x - lo) & 7) <= ((hi - lo) & 7);
}

static void link_write(ash_link *l, const uint8_t *p, size_t n)
{
    if (n) l->ops.write(l->ctx, p, n);
}

static void send_ack(ash_link *l)
{
    uint8_t out[8];
    link_write(l, out, ash_encode_ack(l->frm_rx, false, out, sizeof(out)));
    l->ack_pending = false;
}

static void send_nak(ash_link *l)
{
    uint8_t out[8];
    link_write(l, out, ash_encode_nak(l->frm_rx, false, out, sizeof(out)));
    l->n_nak_tx++;
}

static void send_error(ash_link *l, uint8_t code)
{
    uint8_t out[16];
    link_write(l, out, ash_encode_error(code, out, sizeof(out)));
}

static void transmit(ash_link *l, uint8_t frm, bool retx)
{
    uint8_t out[ASH_MAX_WIRE];
    ash_out *o = &l->sent[frm & 7];
    size_t n = ash_encode_data(frm, l->frm_rx, retx, o->data, o->len, out, sizeof(out));
    link_write(l, out, n);
    l->ack_pending = false;
    if (retx) l->n_retx++;
}

static uint8_t n_outstanding(const ash_link *l)
{
    return (uint8_t)((l->frm_tx - l->ack_rx) & 7);
}

static void start_ack_timer(ash_link *l)
{
    l->sent_at = l->ops.now_ms(l->ctx);
    l->ack_deadline = l->sent_at + l->t_rx_ack;
}

/* Sends queued frames while the window has room. */
static void pump(ash_link *l)
{
    if (!l->connected || l->failed) return;
    uint64_t now = l->ops.now_ms(l->ctx);
    while (l->q_len && n_outstanding(l) < ASH_TX_K) {
        ash_out *o = &l->queue[l->q_head];
        if (o->callback && l->notrdy_until && now < l->notrdy_until) break;
        l->sent[l->frm_tx & 7] = *o;
        l->q_head = (l->q_head + 1) % ASH_TXQ;
        l->q_len--;
        bool first = n_outstanding(l) == 0;
        transmit(l, l->frm_tx, false);
        l->frm_tx = (uint8_t)((l->frm_tx + 1) & 7);
        if (first) start_ack_timer(l);
    }
}

/* Releases our frames before ack_num. Returns false if ack_num is out of the window. */
static bool take_ack(ash_link *l, uint8_t ack_num)
{
    if (!within(ack_num, l->ack_rx, l->frm_tx)) return false;
    if (ack_num != l->ack_rx) {
        uint64_t now = l->ops.now_ms(l->ctx);
        uint32_t measured = (uint32_t)(now - l->sent_at);
        uint32_t t = l->t_rx_ack - l->t_rx_ack / 8 + measured / 2;
        if (t < ASH_T_RX_ACK_MIN) t = ASH_T_RX_ACK_MIN;
        if (t > ASH_T_RX_ACK_MAX) t = ASH_T_RX_ACK_MAX;
        l->t_rx_ack = t;
        l->ack_rx = ack_num;
        l->timeouts = 0;
        if (n_outstanding(l))
            start_ack_timer(l);
        else
            l->ack_deadline = 0;
    }
    return true;
}

static void link_restart(ash_link *l)
{
    l->frm_tx = l->ack_rx = l->frm_rx = 0;
    l->reject = l->failed = l->ack_pending = false;
    l->q_head = l->q_len = 0;
    l->t_rx_ack = ASH_T_RX_ACK_INIT;
    l->ack_deadline = 0;
    l->timeouts = 0;
    l->notrdy_until = 0;
}

void ash_link_init(ash_link *l, const ash_link_ops *ops, void *ctx)
{
    memset(l, 0, sizeof(*l));
    l->ops = *ops;
    l->ctx = ctx;
    ash_decoder_init(&l->dec);
    link_restart(l);
}

static void on_rst(ash_link *l)
{
    link_restart(l);
    l->ops.reset(l->ctx);
    l->connected = true;
    uint8_t out[16];
    link_write(l, out, ash_encode_rstack(ASH_RESET_SOFTWARE, out, sizeof(out)));
}

static void host_ready_bit(ash_link *l, uint8_t control)
{
    if (ash_nrdy(control))
        l->notrdy_until = l->ops.now_ms(l->ctx) + ASH_T_REMOTE_NOTRDY;
    else
        l->notrdy_until = 0;
}

static void on_data(ash_link *l, const ash_frame *f)
{
    uint8_t frm = ash_frm_num(f->control);
    if (frm != l->frm_rx) {
        if (ash_retx(f->control)) {
            l->n_dup++;
            send_ack(l); /* the host lost our ACK: do not run the command twice */
        } else if (!l->reject) {
            l->reject = true;
            send_nak(l);
        }
        return;
    }
    if (!take_ack(l, ash_ack_num(f->control))) {
        l->n_bad++;
        return;
    }
    l->frm_rx = (uint8_t)((l->frm_rx + 1) & 7);
    l->reject = false;
    l->ack_pending = true;
    l->n_rx_data++;
    l->ops.frame(l->ctx, f->data, f->len);
    pump(l);
    if (l->ack_pending && l->connected && !l->failed) send_ack(l);
}

static void on_nak(ash_link *l, uint8_t ack_num)
{
    if (!take_ack(l, ack_num)) return;
    for (uint8_t frm = l->ack_rx; frm != l->frm_tx; frm = (uint8_t)((frm + 1) & 7))
        transmit(l, frm, true);
    if (n_outstanding(l)) start_ack_timer(l);
}

static void on_frame(void *ctx, const ash_frame *f)
{
    ash_link *l = ctx;
    if (f->status != ASH_RX_OK) {
        l->n_bad++;
        /* only something that looks like DATA is NAKed, once per Reject condition */
        if (l->connected && !l->failed && !(f->control & 0x80) && !l->reject) {
            l->reject = true;
            send_nak(l);
        }
        return;
    }
    enum ash_type t = ash_frame_type(f->control, f->len + 1);
    if (t == ASH_RST) {
        on_rst(l);
        return;
    }
    if (!l->connected) return; /* nothing but RST before the handshake */
    if (l->failed) {
        send_error(l, ASH_ERROR_ACK_TIMEOUT);
        return;
    }
    switch (t) {
    case ASH_DATA: on_data(l, f); break;
    case ASH_ACK:
        host_ready_bit(l, f->control);
        take_ack(l, ash_ack_num(f->control));
        break;
    case ASH_NAK:
        host_ready_bit(l, f->control);
        on_nak(l, ash_ack_num(f->control));
        break;
    default: l->n_bad++; break; /* RSTACK/ERROR from a host: meaningless */
    }
    pump(l);
}

void ash_link_feed(ash_link *l, const uint8_t *p, size_t n)
{
    ash_decoder_feed(&l->dec, p, n, on_frame, l);
}

int ash_link_send(ash_link *l, const uint8_t *ezsp, size_t n, bool callback)
{
    if (n < ASH_MIN_DATA || n > ASH_MAX_DATA || l->q_len == ASH_TXQ) return -1;
    ash_out *o = &l->queue[(l->q_head + l->q_len) % ASH_TXQ];
    memcpy(o->data, ezsp, n);
    o->len = n;
    o->callback = callback;
    l->q_len++;
    pump(l);
    return 0;
}

void ash_link_tick(ash_link *l)
{
    uint64_t now = l->ops.now_ms(l->ctx);
    if (l->notrdy_until && now >= l->notrdy_until) l->notrdy_until = 0;
    if (l->ack_deadline && now >= l->ack_deadline && !l->failed) {
        if (++l->timeouts >= ASH_ACK_TIMEOUTS) {
            l->failed = true;
            l->ack_deadline = 0;
            send_error(l, ASH_ERROR_ACK_TIMEOUT);
            return;
        }
        l->t_rx_ack = l->t_rx_ack * 2 > ASH_T_RX_ACK_MAX ? ASH_T_RX_ACK_MAX : l->t_rx_ack * 2;
        for (uint8_t frm = l->ack_rx; frm != l->frm_tx; frm = (uint8_t)((frm + 1) & 7))
            transmit(l, frm, true);
        start_ack_timer(l);
    }
    pump(l);
}

uint64_t ash_link_deadline(const ash_link *l)
{
    uint64_t d = l->failed ? 0 : l->ack_deadline;
    if (l->notrdy_until && l->q_len && (!d || l->notrdy_until < d)) d = l->notrdy_until;
    return d;
}
