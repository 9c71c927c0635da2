/* zboss_frontend.c - the ZBOSS NCP front end: LL link, boot and reset, formation, frame counter.
 *
 * The LL behaves as the DSR NCP firmware does (zboss-ncp.md §2.5): every valid host packet is
 * ACKed at once, before anything else goes out; a repeated non-zero packet number is ACKed and
 * dropped; the NCP numbers its own packets 0 once after boot, then 1,2,3,1...; one packet is
 * in flight, resent byte for byte after 500 ms up to three times, then dropped. Responses over
 * 247 bytes go out as fragments; a single packet always carries FIRST|LAST.
 *
 * NVRAM changes are written to the file before the response that acknowledges them. */
#include "zboss_frontend.h"

#include "bytes.h"
#include "log.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACK_TIMEOUT_MS   500
#define MAX_RETRIES      3
#define RESET_DELAY_MS   1000 /* §7.1: the reset is scheduled ~1 s after the ACK */
#define BOOT_INIT_MS     50   /* "NWK init done" after the reboot */
#define RX_MAX_MESSAGE   1600 /* the NCP's reassembly buffer (§2.6) */
#define FC_PERSIST_EVERY 1024 /* §9.5 */
#define TRAFFIC_EVERY_MS 1000

/* ---------------------------------------------------------------- LL transmit */

/* Logs show the LL header and, on a first fragment, the HL header; parameters (keys, NVRAM
 * datasets) only with --show-keys. */
static void send_raw(zboss_emu *z, const uint8_t *p, size_t n, const char *what)
{
    size_t pub = ZBOSS_LL_HDR;
    if (n > ZBOSS_LL_HDR && (p[5] & ZBOSS_FLAG_FIRST)) pub = ZBOSS_LL_HDR + 2 + ZBOSS_HL_IND_HDR;
    zb_log_frame(what, p, n, n < pub ? n : pub);
    emu_send(z->e, p, n);
}

static void send_ack(zboss_emu *z, uint8_t pkt, int nack)
{
    uint8_t a[ZBOSS_LL_HDR];
    size_t n = zboss_ll_encode_ack(pkt, nack, a, sizeof(a));
    send_raw(z, a, n, nack ? "zboss tx nack" : "zboss tx ack");
}

static void tx_next(zboss_emu *z);

static void ack_timeout(emu *e, void *arg)
{
    zboss_emu *z = arg;
    (void)e;
    z->ack_timer = 0;
    if (!z->inflight) return;
    if (z->retries < MAX_RETRIES && emu_connected(z->e)) {
        z->retries++;
        LOG_DEBUG("zboss: no ACK for packet %u, resend %d", z->inflight_num, z->retries);
        send_raw(z, z->inflight_pkt, z->inflight_len, "zboss tx (again)");
        z->ack_timer = emu_timer_add_host(z->e, ACK_TIMEOUT_MS, ack_timeout, z);
        return;
    }
    LOG_DEBUG("zboss: packet %u dropped after %d resends", z->inflight_num, z->retries);
    z->inflight = false;
    tx_next(z);
}

static void tx_next(zboss_emu *z)
{
    if (z->inflight || z->txq_head == z->txq_len) return;
    const zboss_tx_frag *f = &z->txq[z->txq_head++];
    if (z->txq_head == z->txq_len) z->txq_head = z->txq_len = 0;
    uint8_t num = z->next_tx_pkt;
    z->next_tx_pkt = (uint8_t)(num % 3 + 1); /* 0 -> 1 -> 2 -> 3 -> 1 */
    z->inflight_len = zboss_ll_encode(zboss_data_flags(num, 0, 0) | f->first_last, f->body, f->len,
                                      z->inflight_pkt, sizeof(z->inflight_pkt));
    z->inflight_num = num;
    z->inflight = true;
    z->retries = 0;
    send_raw(z, z->inflight_pkt, z->inflight_len, "zboss tx");
    z->ack_timer = emu_timer_add_host(z->e, ACK_TIMEOUT_MS, ack_timeout, z);
}

static int txq_push(zboss_emu *z, uint8_t first_last, const uint8_t *p, size_t n)
{
    zboss_tx_frag *q = zb_grow(z->txq, &z->txq_cap, z->txq_len + 1, sizeof(*q), 16);
    if (!q) return -1;
    z->txq = q;
    zboss_tx_frag *f = &z->txq[z->txq_len++];
    f->first_last = first_last;
    f->len = (uint8_t)n;
    memcpy(f->body, p, n);
    return 0;
}

void zboss_send_hl(zboss_emu *z, const uint8_t *msg, size_t n)
{
    if (!emu_connected(z->e)) return; /* nobody listens: the UART drops it */
    size_t frags = zboss_frag_count(n);
    for (size_t i = 0; i < frags; i++) {
        size_t off, len;
        uint8_t fl = zboss_frag_span(n, i, &off, &len);
        if (txq_push(z, fl, msg + off, len) < 0) {
            LOG_ERROR("zboss: out of memory queueing a response");
            return;
        }
    }
    tx_next(z);
}

void zboss_respond(zboss_emu *z, const zboss_hl *req, uint8_t cat, uint8_t code,
                   const uint8_t *params, size_t n)
{
    zboss_hl h = {.type = ZBOSS_HL_RESPONSE,
                  .call_id = req->call_id,
                  .tsn = req->tsn,
                  .status_cat = cat,
                  .status_code = code,
                  .params = params,
                  .params_len = (cat || code) ? 0 : n}; /* failures carry the header only */
    size_t cap = ZBOSS_HL_RSP_HDR + h.params_len;
    if (h.params_len && params != z->rsp_buf)
        memcpy(z->rsp_buf, params, h.params_len < 8 ? h.params_len : 8);
    uint8_t *buf = malloc(cap);
    if (!buf) return;
    size_t len = zboss_hl_encode(&h, buf, cap);
    if (len) zboss_send_hl(z, buf, len);
    free(buf);
}

void zboss_indicate(zboss_emu *z, uint16_t call_id, const uint8_t *params, size_t n)
{
    uint8_t buf[ZBOSS_HL_IND_HDR + 64];
    zboss_hl h = {
        .type = ZBOSS_HL_INDICATION, .call_id = call_id, .params = params, .params_len = n};
    size_t len = zboss_hl_encode(&h, buf, sizeof(buf));
    if (len) zboss_send_hl(z, buf, len);
}

/* the store hooks the core's NVRAM file calls (emu_nv_restore, and its commit after each turn) */
static int zboss_nv_hook_from_json(void *fe, const cJSON *doc, char *err, size_t errlen)
{
    return zboss_nv_from_json(&((zboss_emu *)fe)->nv, doc, err, errlen);
}

static cJSON *zboss_nv_hook_to_json(const void *fe)
{
    return zboss_nv_to_json(&((const zboss_emu *)fe)->nv);
}

static uint64_t zboss_nv_hook_hash(const void *fe)
{
    return zboss_nv_hash(&((const zboss_emu *)fe)->nv);
}

/* ---------------------------------------------------------------- LL receive */

static void on_ack(zboss_emu *z, const zboss_ll_packet *p)
{
    if (!z->inflight || zboss_flags_ack_num(p->flags) != z->inflight_num) return;
    if (z->ack_timer) emu_timer_cancel(z->e, z->ack_timer);
    z->ack_timer = 0;
    if (p->flags & ZBOSS_FLAG_RETRANSMIT) { /* a NACK: the host wants it again */
        send_raw(z, z->inflight_pkt, z->inflight_len, "zboss tx (nacked)");
        z->ack_timer = emu_timer_add_host(z->e, ACK_TIMEOUT_MS, ack_timeout, z);
        return;
    }
    z->inflight = false;
    tx_next(z);
}

/* --script: a request a real stick answered in the trace gets its recorded frames, with this
 * request's TSN */
static int scripted(zboss_emu *z, const zboss_hl *h, const uint8_t *msg, size_t n)
{
    emu_script *s = emu_script_of(z->e);
    if (!s) return 0;
    const zbt_exchange *x = emu_script_answer(s, msg, n, 4 /* TSN */);
    if (!x) return 0;
    for (size_t i = 0; i < x->rsp.n; i++) {
        uint8_t *m = malloc(x->rsp.v[i].n);
        if (!m) return 1;
        memcpy(m, x->rsp.v[i].b, x->rsp.v[i].n);
        if (x->rsp.v[i].n > 4) m[4] = h->tsn;
        zboss_send_hl(z, m, x->rsp.v[i].n);
        free(m);
    }
    for (size_t i = 0; i < x->ind.n; i++)
        zboss_send_hl(z, x->ind.v[i].b, x->ind.v[i].n);
    return 1;
}

static void on_message(zboss_emu *z, const uint8_t *msg, size_t n)
{
    zboss_hl h;
    if (zboss_hl_decode(msg, n, &h) < 0) {
        LOG_DEBUG("zboss: %zu-byte message shorter than its header: dropped", n);
        return;
    }
    if (h.type != ZBOSS_HL_REQUEST || h.version != 0) {
        /* the DSR NCP answers anything that is not a request as an illegal request */
        if (n >= ZBOSS_HL_REQ_HDR)
            zboss_respond(z, &h, ZBOSS_CAT_GENERIC, ZBOSS_ILLEGAL_REQUEST, NULL, 0);
        return;
    }
    if (!scripted(z, &h, msg, n)) zboss_dispatch(z, &h);
}

static void on_packet(void *ctx, int ev, const zboss_ll_packet *p)
{
    zboss_emu *z = ctx;
    uint8_t num = zboss_flags_pkt(p->flags);
    if (ev == ZBOSS_LL_BAD_BODY) {
        send_ack(z, num, 1);
        return;
    }
    if (p->flags & ZBOSS_FLAG_ACK) {
        if (p->type == ZBOSS_LL_TYPE_HL) on_ack(z, p);
        return;
    }
    if (p->len == 0) return;
    send_ack(z, num, 0); /* ACKs first, before any response */
    if (p->type != ZBOSS_LL_TYPE_HL) return;
    if (num != 0 && num == z->last_rx_pkt) {
        LOG_DEBUG("zboss: duplicate packet %u dropped", num);
        return;
    }
    z->last_rx_pkt = num;
    int rc = zboss_reasm_add(&z->rx, p->flags, p->body, p->len);
    if (rc < 0)
        LOG_DEBUG("zboss: fragment out of order or message over %d bytes: dropped", RX_MAX_MESSAGE);
    if (rc == 1) on_message(z, z->rx.buf, z->rx.len);
}

/* ---------------------------------------------------------------- frame counter */

static uint32_t stored_fc(const zboss_emu *z);

/* One NWK frame sent: the counter rises; IB_COUNTERS is rewritten with the next multiple of
 * 1024 when the counter reaches 1 or a multiple of 1024 (§9.5), and also when the stored value
 * is no longer ahead (a host wrote IB_COUNTERS, e.g. a restore), so the stored value is always
 * above every value used and a restart never hands one out twice (issue 13). */
static void count_frame(zboss_emu *z)
{
    z->nwk_fc++;
    if (z->nwk_fc != 1 && z->nwk_fc % FC_PERSIST_EVERY && stored_fc(z) >= z->nwk_fc) return;
    zboss_ib_counters c = {0, 0};
    const zboss_dataset_blob *b = &z->nv.ds[ZBOSS_DS_IB_COUNTERS];
    if (b->present) zboss_ib_counters_decode(b->data, b->len, &c);
    c.nib_outgoing_fc = (z->nwk_fc / FC_PERSIST_EVERY + 1) * FC_PERSIST_EVERY;
    uint8_t buf[ZBOSS_IB_COUNTERS_SIZE];
    zboss_ib_counters_encode(&c, buf);
    zboss_nv_ds_put(&z->nv, ZBOSS_DS_IB_COUNTERS, zboss_dataset_version(ZBOSS_DS_IB_COUNTERS), buf,
                    sizeof(buf));
}

uint32_t zboss_nwk_use(zboss_emu *z, uint32_t n)
{
    for (uint32_t i = 0; i < n && z->nwk_fc < UINT32_MAX; i++)
        count_frame(z);
    return z->nwk_fc;
}

static void traffic_tick(emu *e, void *arg)
{
    zboss_emu *z = arg;
    (void)e;
    z->traffic_timer = 0;
    if (!z->running) return;
    count_frame(z); /* link status, many-to-one route request, ... */
    z->traffic_timer = emu_timer_add(z->e, TRAFFIC_EVERY_MS, traffic_tick, z);
}

static uint32_t stored_fc(const zboss_emu *z)
{
    zboss_ib_counters c = {0, 0};
    const zboss_dataset_blob *b = &z->nv.ds[ZBOSS_DS_IB_COUNTERS];
    if (b->present && zboss_ib_counters_decode(b->data, b->len, &c) == 0) return c.nib_outgoing_fc;
    return 0;
}

/* ---------------------------------------------------------------- formation and start */

void zboss_start_network(zboss_emu *z)
{
    if (!z->running) {
        z->running = true;
        if (z->devices_wanted) zboss_add_simulated_devices(z, z->devices_wanted);
        count_frame(z); /* the first frame after starting (device announce) */
    }
    if (!z->traffic_timer)
        z->traffic_timer = emu_timer_add(z->e, TRAFFIC_EVERY_MS, traffic_tick, z);
    world_link_up(&z->world);
}

static uint8_t pick_channel(uint32_t mask)
{
    for (int ch = 11; ch <= 26; ch++)
        if (mask & (1u << ch)) return (uint8_t)ch;
    return 0;
}

int zboss_form(zboss_emu *z, uint32_t mask, const uint8_t epid[8], uint16_t *out_pan)
{
    zboss_nv *nv = &z->nv;
    uint8_t ch = pick_channel(mask);
    if (!ch) return -1;
    nv->channel = ch;
    nv->page = 0;
    while (nv->pan_id == 0x0000 || nv->pan_id >= 0xFFF8)
        nv->pan_id = (uint16_t)(emu_rand(z->e) & 0x3FFF);
    if (!zb_all_bytes(epid, 8, 0x00))
        memcpy(nv->nwk_epid, epid, 8);
    else if (!zb_all_bytes(nv->aps_epid, 8, 0x00))
        memcpy(nv->nwk_epid, nv->aps_epid, 8);
    else
        memcpy(nv->nwk_epid, nv->ieee, 8);
    if (!nv->key_present[0]) {
        /* §9.1: no key in slot 0: all three slots get random keys, active 0 */
        for (int i = 0; i < 3; i++) {
            emu_rand_bytes(z->e, nv->nwk_key[i], 16);
            nv->key_present[i] = true;
        }
        nv->active_key_seq = 0;
    }
    nv->formed = true;
    nv->role = 0;
    z->running = false;
    z->nwk_fc = stored_fc(z); /* a factory reset keeps the counter (§8.3) */
    zboss_start_network(z);
    *out_pan = nv->pan_id;
    LOG_INFO("zboss: formed network: channel %u, PAN %04x", ch, nv->pan_id);
    return 0;
}

/* ---------------------------------------------------------------- boot and reset */

static void ll_reset(zboss_emu *z)
{
    if (z->ack_timer) emu_timer_cancel(z->e, z->ack_timer);
    z->ack_timer = 0;
    z->inflight = false;
    z->txq_head = z->txq_len = 0;
    zboss_ll_parser_init(&z->parser);
    z->rx.active = 0;
    z->rx.len = 0;
}

static void stack_boot(zboss_emu *z)
{
    ll_reset(z);
    z->last_rx_pkt = 4; /* none */
    z->next_tx_pkt = 0; /* 0 once after boot */
    z->running = false;
    if (z->traffic_timer) emu_timer_cancel(z->e, z->traffic_timer);
    z->traffic_timer = 0;
    memset(z->endpoints, 0, sizeof(z->endpoints));
    z->manuf_code = 0x1234;
    z->tx_power = 8;
    z->n_groups = 0;
    z->nwk_fc = stored_fc(z);
}

static void send_reset_response(emu *e, void *arg)
{
    zboss_emu *z = arg;
    (void)e;
    /* §7.1: after a software reset the NCP answers the NCP_RESET it could not answer before,
     * with TSN 0xFF (first packet after boot: PKT# 0) */
    zboss_hl req = {.type = ZBOSS_HL_REQUEST, .call_id = ZBOSS_NCP_RESET, .tsn = 0xFF};
    zboss_respond(z, &req, 0, 0, NULL, 0);
}

static void do_reset(emu *e, void *arg)
{
    zboss_emu *z = arg;
    (void)e;
    z->reset_timer = 0;
    uint8_t opt = z->reset_option;
    if (opt == 1) {
        LOG_INFO("zboss: reset with NVRAM erase");
        zboss_nv_erase(&z->nv);
    } else if (opt == 2) {
        LOG_INFO("zboss: factory reset (NVRAM clear, frame counter kept)");
        zboss_nv_clear(&z->nv);
    } else {
        LOG_INFO("zboss: reset");
    }
    z->keys_locked = opt == 3;
    stack_boot(z);
    emu_timer_add(z->e, BOOT_INIT_MS, send_reset_response, z);
}

void zboss_schedule_reset(zboss_emu *z, uint8_t option)
{
    if (z->reset_timer) emu_timer_cancel(z->e, z->reset_timer);
    z->reset_option = option;
    z->reset_timer = emu_timer_add(z->e, RESET_DELAY_MS, do_reset, z);
}

/* ---------------------------------------------------------------- front end glue */

static void zboss_on_bytes(void *fe, const uint8_t *p, size_t n)
{
    zboss_emu *z = fe;
    /* LL header + request header (14 bytes): never the parameters of a request */
    zb_log_frame("zboss rx", p, n, n < 14 ? n : 14);
    z->last_rx_ms = emu_now_ms();
    zboss_ll_parser_feed(&z->parser, p, n, on_packet, z);
}

static void zboss_on_open(void *fe)
{
    /* A USB NCP does not reboot when a host opens its port, and neither host expects it to
     * speak first: herdsman sends GET_JOINED at once, zigpy-zboss probes GET_ZIGBEE_ROLE. So
     * nothing is sent; only a half-received packet of a previous host is forgotten. */
    zboss_emu *z = fe;
    ll_reset(z);
}

static void zboss_on_close(void *fe)
{
    zboss_emu *z = fe;
    ll_reset(z);
}

static void *zboss_create(emu *e, const emu_options *o, char *err, size_t errlen)
{
    if (o->profile) {
        snprintf(err, errlen, "--profile %s: the zboss emulator has no profiles", o->profile);
        return NULL;
    }
    if (o->firmware) {
        snprintf(err, errlen, "--firmware %s: the zboss emulator has one release", o->firmware);
        return NULL;
    }
    zboss_emu *z = calloc(1, sizeof(*z));
    if (!z) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    z->e = e;
    zboss_reasm_init(&z->rx, RX_MAX_MESSAGE);
    /* nRF52840 dongles carry a Nordic OUI */
    put_le64(z->nv.ieee, 0xF4CE360000000000ull | ((uint64_t)(emu_rand(e) & 0xFFFFFF) << 0) |
                             ((uint64_t)(emu_rand(e) & 0xFFFF) << 24));
    zboss_nv_init_blank(&z->nv);
    if (emu_nv_restore(e, z, err, errlen) < 0) goto fail;
    emu_ieee_option(o, z->nv.ieee);
    if (zboss_world_attach(z, o, err, errlen) < 0) goto fail;
    stack_boot(z);
    z->devices_wanted = o->devices > 255 ? 255 : o->devices;
    if (o->devices > 255) LOG_WARN("zboss: the address map holds 255 devices; --devices capped");
    LOG_INFO("zboss: %s network", z->nv.formed ? "formed" : "no");
    return z;
fail:
    zboss_nv_free(&z->nv);
    zboss_reasm_free(&z->rx);
    free(z);
    return NULL;
}

static void zboss_on_stop(void *fe)
{
    world_link_detach(&((zboss_emu *)fe)->world);
}

static void zboss_destroy(void *fe)
{
    zboss_emu *z = fe;
    zboss_nv_free(&z->nv);
    zboss_reasm_free(&z->rx);
    free(z->txq);
    free(z);
}

const emu_frontend emu_zboss_frontend = {
    .name = "zboss",
    .summary = "DSR ZBOSS NCP (nRF52840 style; LL/HL over UART)",
    .create = zboss_create,
    .destroy = zboss_destroy,
    .on_stop = zboss_on_stop,
    .on_open = zboss_on_open,
    .on_close = zboss_on_close,
    .on_bytes = zboss_on_bytes,
    .nv_from_json = zboss_nv_hook_from_json,
    .nv_to_json = zboss_nv_hook_to_json,
    .nv_hash = zboss_nv_hook_hash,
};
