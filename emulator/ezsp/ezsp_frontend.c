/* ezsp_frontend.c - the EmberZNet NCP front end: ASH link glue, boot/reset, EZSP framing, callbacks
 * and the token file.
 *
 * The NCP never speaks first: hosts open the port and send RST, and an unsolicited RSTACK is
 * taken as a crash (ezsp-ash.md §1.6), so on_open only resets the decoder. herdsman's ember
 * adapter does not touch DTR/RTS (uart/ash.js opens with XON/XOFF only), so a pty is enough.
 * Every token write reaches the file before the response acknowledging it goes out. */
#include "ezsp_frontend.h"

#include "bytes.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- output */

static void link_write(void *ctx, const uint8_t *p, size_t n)
{
    ezsp_ncp *n_ = ctx;
    zb_log_frame("ezsp ash tx", p, n, n);
    emu_send(n_->e, p, n);
}

static void rearm(ezsp_ncp *n);

void ezsp_respond(ezsp_ncp *n, const ezsp_header *req, const uint8_t *p, size_t len)
{
    uint8_t out[EZSP_MAX_FRAME];
    ezsp_header h = {.seq = req->seq,
                     .fc_lo = EZSP_FC_RESPONSE,
                     .fc_hi = EZSP_FC_HI,
                     .frame_id = req->frame_id,
                     .legacy = req->legacy};
    size_t hn = ezsp_header_encode(&h, out);
    if (hn + len > sizeof(out)) {
        LOG_ERROR("ezsp: response %04x too long (%zu bytes)", req->frame_id, len);
        return;
    }
    memcpy(out + hn, p, len);
    zb_log_frame("ezsp tx", out, hn + len, hn);
    if (ash_link_send(&n->link, out, hn + len, false) < 0)
        LOG_WARN("ezsp: transmit queue full, response %04x dropped", req->frame_id);
    rearm(n);
}

void ezsp_callback(ezsp_ncp *n, uint16_t frame_id, const uint8_t *p, size_t len)
{
    uint8_t out[EZSP_MAX_FRAME];
    ezsp_header h = {.seq = n->last_seq,
                     .fc_lo = EZSP_FC_RESPONSE | EZSP_FC_CALLBACK,
                     .fc_hi = EZSP_FC_HI,
                     .frame_id = frame_id};
    size_t hn = ezsp_header_encode(&h, out);
    if (hn + len > sizeof(out)) return;
    memcpy(out + hn, p, len);
    zb_log_frame("ezsp cb", out, hn + len, hn);
    if (ash_link_send(&n->link, out, hn + len, true) < 0)
        LOG_WARN("ezsp: transmit queue full, callback %04x dropped", frame_id);
    rearm(n);
}

static void later_fire(emu *e, void *arg)
{
    ezsp_later_cb *c = arg;
    (void)e;
    if (c->boot == c->n->boot_generation) ezsp_callback(c->n, c->frame_id, c->data, c->len);
    c->used = false;
}

void ezsp_callback_later(ezsp_ncp *n, uint16_t frame_id, const uint8_t *p, size_t len,
                         unsigned delay_ms)
{
    ezsp_later_cb *c = NULL;
    for (size_t i = 0; i < EZSP_LATER_POOL && !c; i++)
        if (!n->later[i].used) c = &n->later[i];
    if (!c || len > sizeof(c->data)) {
        LOG_WARN("ezsp: callback %04x dropped (too many pending)", frame_id);
        return;
    }
    c->used = true;
    c->n = n;
    c->boot = n->boot_generation;
    c->frame_id = frame_id;
    c->len = len;
    memcpy(c->data, p, len);
    if (!emu_timer_add(n->e, delay_ms, later_fire, c)) c->used = false;
}

/* the store hooks the core's NVRAM file calls (emu_nv_restore, and its commit after each turn) */
static int ezsp_nv_hook_from_json(void *fe, const cJSON *doc, char *err, size_t errlen)
{
    return ezsp_nv_from_json(&((ezsp_ncp *)fe)->nv, doc, err, errlen);
}

static cJSON *ezsp_nv_hook_to_json(const void *fe)
{
    return ezsp_nv_to_json(&((const ezsp_ncp *)fe)->nv);
}

static uint64_t ezsp_nv_hook_hash(const void *fe)
{
    return ezsp_nv_hash(&((const ezsp_ncp *)fe)->nv);
}

/* ---------------------------------------------------------------- NWK frame counter */

/* The NONCE_COUNTER token is a reservation, as in Ember's CCM counter code (zigbee-security.md
 * §3.4): it holds a value no frame has used yet. Before a frame would use the reserved value,
 * the token moves a block ahead and is on disk before the frame goes out; a boot resumes at
 * the token. So a restart, clean or SIGKILL, may skip up to a block but never hands a value
 * out twice, and the file's counter never goes backwards (issue 13). */
void ezsp_nwk_fc_use(ezsp_ncp *n)
{
    uint8_t *tok = ezsp_nv_elem(&n->nv, TOK_NONCE_COUNTER, 0);
    if (n->nwk_frame_counter >= get_le32(tok)) {
        uint32_t fc = n->nwk_frame_counter;
        /* the core saves it before the frame leaves, or withholds the frame (emu.h) */
        put_le32(tok, fc > UINT32_MAX - EZSP_NWK_FC_BLOCK ? UINT32_MAX : fc + EZSP_NWK_FC_BLOCK);
    }
    if (n->nwk_frame_counter < UINT32_MAX) n->nwk_frame_counter++;
}

/* ---------------------------------------------------------------- link timers */

static void link_timer_fire(emu *e, void *arg)
{
    ezsp_ncp *n = arg;
    (void)e;
    n->link_timer = 0;
    ash_link_tick(&n->link);
    rearm(n);
}

static void rearm(ezsp_ncp *n)
{
    if (n->link_timer) emu_timer_cancel(n->e, n->link_timer);
    n->link_timer = 0;
    uint64_t d = ash_link_deadline(&n->link);
    if (!d) return;
    uint64_t now = emu_now_ms();
    n->link_timer = emu_timer_add_host(n->e, d > now ? d - now : 0, link_timer_fire, n);
}

static uint64_t link_now(void *ctx)
{
    (void)ctx;
    return emu_now_ms();
}

/* ---------------------------------------------------------------- boot */

bool ezsp_has_network(ezsp_ncp *n)
{
    ezsp_node_data nd;
    ezsp_node_data_decode(ezsp_nv_elem(&n->nv, TOK_NODE_DATA, 0), &nd);
    return nd.node_type != 0 && nd.pan_id != 0xFFFF;
}

/* A reboot (power-up or RST): RAM state back to defaults, tokens kept (§1.6), the effective
 * EUI64 chosen (§8.4). */
void ezsp_boot(ezsp_ncp *n)
{
    n->boot_generation++;
    n->version = 0;
    n->network_up = false;
    n->security_set = false;
    memset(&n->sec, 0, sizeof(n->sec));
    n->ext_security_bitmask = 0;
    memset(n->config, 0, sizeof(n->config));
    n->config[0x01] = 0xFF; /* PACKET_BUFFER_COUNT */
    n->config[0x02] = 16;   /* NEIGHBOR_TABLE_SIZE */
    n->config[EZSP_CONFIG_ADDRESS_TABLE_SIZE] = EZSP_ADDRESS_TABLE;
    n->config[0x06] = EZSP_MULTICAST_TABLE;
    n->config[0x0C] = 2; /* STACK_PROFILE */
    n->config[EZSP_CONFIG_SECURITY_LEVEL] = 5;
    n->config[0x10] = 30;
    n->config[0x11] = 32;
    n->config[EZSP_CONFIG_KEY_TABLE_SIZE] = EZSP_KEY_TABLE_SIZE;
    n->config[0x2D] = 1; /* SUPPORTED_NETWORKS */
    n->config[0x36] = 300;
    memset(n->policy, 0, sizeof(n->policy));
    n->policy[0x04] = 0x40; /* MESSAGE_TAG_ONLY_IN_CALLBACK */
    n->manufacturer_code = 0x1049;
    n->n_endpoints = 0;
    memset(n->multicast, 0, sizeof(n->multicast));
    n->transient_key_set = false;
    const uint8_t *restored = ezsp_nv_elem(&n->nv, TOK_RESTORED_EUI64, 0);
    if (!zb_all_bytes(restored, 8, 0xFF))
        memcpy(n->eui64, restored, 8);
    else if (!zb_all_bytes(n->nv.mfg_custom_eui, 8, 0xFF))
        memcpy(n->eui64, n->nv.mfg_custom_eui, 8);
    else
        memcpy(n->eui64, n->nv.hw_eui64, 8);
    n->nwk_frame_counter = get_le32(ezsp_nv_elem(&n->nv, TOK_NONCE_COUNTER, 0));
    uint8_t *boot = ezsp_nv_elem(&n->nv, TOK_BOOT_COUNTER, 0);
    put_le32(boot, get_le32(boot) + 1);
}

static void link_reset(void *ctx)
{
    ezsp_ncp *n = ctx;
    LOG_DEBUG("ezsp: RST: rebooting (tokens kept)");
    ezsp_boot(n);
}

/* ---------------------------------------------------------------- input */

/* --script: a request a real stick answered in the trace gets its recorded frames, with this
 * request's sequence number. `version` stays the model's: it sets the protocol version both
 * sides then speak, which the emulator was started with (--ezsp-version). */
static int scripted(ezsp_ncp *n, const ezsp_header *h, const uint8_t *p, size_t len)
{
    emu_script *s = emu_script_of(n->e);
    if (!s || h->frame_id == EZSP_ID_VERSION) return 0;
    const zbt_exchange *x = emu_script_answer(s, p, len, 0);
    if (!x) return 0;
    uint8_t out[EZSP_MAX_FRAME];
    for (size_t i = 0; i < x->rsp.n; i++) {
        size_t m = x->rsp.v[i].n < sizeof(out) ? x->rsp.v[i].n : sizeof(out);
        memcpy(out, x->rsp.v[i].b, m);
        out[0] = h->seq;
        zb_log_frame("ezsp tx (script)", out, m, m);
        ash_link_send(&n->link, out, m, false);
    }
    for (size_t i = 0; i < x->ind.n; i++) {
        size_t m = x->ind.v[i].n < sizeof(out) ? x->ind.v[i].n : sizeof(out);
        memcpy(out, x->ind.v[i].b, m);
        ash_link_send(&n->link, out, m, true);
    }
    rearm(n);
    return 1;
}

static void link_frame(void *ctx, const uint8_t *p, size_t len)
{
    ezsp_ncp *n = ctx;
    ezsp_header h;
    int off = ezsp_header_decode(p, len, &h);
    zb_log_frame("ezsp rx", p, len, off > 0 ? (size_t)off : len);
    if (off < 0) {
        /* unreadable header: answer invalidCommand on the frame id we can see */
        if (len < 3) return;
        h.seq = p[0];
        h.legacy = len < EZSP_EXT_HEADER;
        h.frame_id = h.legacy ? p[2] : get_le16(p + 3);
        uint8_t st[4] = {EZSP_ERROR_INVALID_FRAME_ID, 0, 0, 0};
        h.frame_id = EZSP_ID_INVALID;
        ezsp_respond(n, &h, st, n->version >= 14 ? 4 : 1);
        return;
    }
    n->last_seq = h.seq;
    if (!scripted(n, &h, p, len)) ezsp_dispatch(n, &h, p + off, len - (size_t)off);
}

static void ezsp_on_bytes(void *fe, const uint8_t *p, size_t len)
{
    ezsp_ncp *n = fe;
    zb_log_frame("ezsp ash rx", p, len, len);
    n->last_rx_ms = emu_now_ms();
    ash_link_feed(&n->link, p, len);
    rearm(n);
}

static void ezsp_on_open(void *fe)
{
    ezsp_ncp *n = fe;
    ash_decoder_init(&n->link.dec);
}

static void ezsp_on_close(void *fe)
{
    ezsp_ncp *n = fe;
    /* the host is gone: stop retransmitting into the void; the next host sends RST */
    n->link.connected = false;
    n->link.ack_deadline = 0;
    n->link.q_len = 0;
    rearm(n);
}

static void *ezsp_create(emu *e, const emu_options *o, char *err, size_t errlen)
{
    int ver = o->ezsp_version ? o->ezsp_version : EZSP_DEFAULT_VERSION;
    if (ver < EZSP_MIN_VERSION || ver > EZSP_MAX_VERSION) {
        snprintf(err, errlen, "--ezsp-version %d: this NCP serves EZSP %d..%d", ver,
                 EZSP_MIN_VERSION, EZSP_MAX_VERSION);
        return NULL;
    }
    if (o->profile) {
        snprintf(err, errlen, "--profile is not used by the ezsp stack (use --ezsp-version)");
        return NULL;
    }
    ezsp_ncp *n = calloc(1, sizeof(*n));
    if (!n || ezsp_nv_init(&n->nv) < 0) {
        free(n);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    n->e = e;
    n->max_version = ver;
    if (o->firmware) {
        unsigned a, b, c, d, build = 100;
        int used = 0, bused = 0;
        int k = sscanf(o->firmware, "%u.%u.%u.%u%n", &a, &b, &c, &d, &used);
        const char *rest = k == 4 ? o->firmware + used : "";
        if (*rest == '+' && sscanf(rest + 1, "%u%n", &build, &bused) == 1) rest += 1 + bused;
        if (k != 4 || *rest || a > 15 || b > 15 || c > 15 || d > 15 || build > 0xFFFF) {
            snprintf(err, errlen, "--firmware %s: want the EmberZNet version A.B.C.D[+BUILD]",
                     o->firmware);
            ezsp_nv_free(&n->nv);
            free(n);
            return NULL;
        }
        n->have_release = true;
        n->release = (ezsp_version_info){.build = (uint16_t)build, .major = (uint8_t)a,
                                         .minor = (uint8_t)b, .patch = (uint8_t)c,
                                         .special = (uint8_t)d, .type = 0xAA};
    }
    n->devices_wanted = o->devices;
    ash_link_ops ops = {link_write, link_frame, link_reset, link_now};
    ash_link_init(&n->link, &ops, n);
    int have = emu_nv_restore(e, n, err, errlen);
    if (have < 0) goto fail;
    if (!have) /* Silicon Labs OUI 0x000B57 + random */
        put_le64(n->nv.hw_eui64,
                 0x000B570000000000ull | ((uint64_t)emu_rand(e) << 8) | (emu_rand(e) & 0xFF));
    emu_ieee_option(o, n->nv.hw_eui64);
    if (ezsp_world_attach(n, o, err, errlen) < 0) goto fail;
    ezsp_boot(n);
    if (o->devices && ezsp_has_network(n)) ezsp_add_simulated_devices(n, o->devices);
    LOG_INFO("ezsp: EmberZNet NCP, EZSP v%d, %s network", ver,
             ezsp_has_network(n) ? "formed" : "no");
    return n;
fail:
    ezsp_nv_free(&n->nv);
    free(n);
    return NULL;
}

static void ezsp_on_stop(void *fe)
{
    ezsp_ncp *n = fe;
    world_link_detach(&n->world); /* may send frames: before the counter is saved */
    /* the token is already ahead of every value used (ezsp_nwk_fc_use): nothing to lower */
    uint8_t *fc = ezsp_nv_elem(&n->nv, TOK_NONCE_COUNTER, 0);
    if (get_le32(fc) < n->nwk_frame_counter) put_le32(fc, n->nwk_frame_counter);
}

static void ezsp_destroy(void *fe)
{
    ezsp_ncp *n = fe;
    ezsp_nv_free(&n->nv);
    free(n);
}

const emu_frontend emu_ezsp_frontend = {
    .name = "ezsp",
    .summary = "Silicon Labs EmberZNet NCP (EZSP over ASH): --ezsp-version 8..19",
    .create = ezsp_create,
    .destroy = ezsp_destroy,
    .on_stop = ezsp_on_stop,
    .on_open = ezsp_on_open,
    .on_close = ezsp_on_close,
    .on_bytes = ezsp_on_bytes,
    .nv_from_json = ezsp_nv_hook_from_json,
    .nv_to_json = ezsp_nv_hook_to_json,
    .nv_hash = ezsp_nv_hook_hash,
};
