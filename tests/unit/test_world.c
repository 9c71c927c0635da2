/* test_world.c - the world's security rules (emulator/world/world.c) against a fake coordinator, the
 * world file (format, lock, errors), the binding the three front ends share (world_link.c:
 * joins, adoption, the exchange timer and its quiet wait, the last exchange at exit) and the
 * key-derivation primitives (emulator/core/zb_crypto.c) against published check values. Why: the
 * verdicts of every migration cell rest on these rules; the front ends only describe their
 * coordinator. */
#include "emu.h"
#include "roundtrip_world.h"
#include "world.h"
#include "world_link.h"
#include "zb_crypto.h"

#include "fileio.h"
#include "hex.h"

#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hex16(const uint8_t *p, char out[33])
{
    hex_encode(p, 16, out);
}

Test(zb_crypto, aes128_fips197)
{
    uint8_t k[16], pt[16], ct[16];
    char h[33];
    for (int i = 0; i < 16; i++)
        k[i] = (uint8_t)i, pt[i] = (uint8_t)(i * 0x11);
    zb_aes128_encrypt(k, pt, ct);
    hex16(ct, h);
    cr_assert_str_eq(h, "69c4e0d86a7b0430d8cdb78070b4c55a");
}

Test(zb_crypto, zigbee_check_values)
{
    /* zigbee-security.md §2.2: key-transport and key-load keys of ZigBeeAlliance09, and the
     * install-code key of the Silicon Labs example */
    uint8_t out[16], t = 0x00;
    const uint8_t *za09 = (const uint8_t *)"ZigBeeAlliance09";
    char h[33];
    cr_assert_eq(zb_hmac_aes_mmo(za09, &t, 1, out), 0);
    hex16(out, h);
    cr_assert_str_eq(h, "4bab0f173e1434a2d572e1c1ef478782");
    zb_key_transport_key(za09, out);
    hex16(out, h);
    cr_assert_str_eq(h, "4bab0f173e1434a2d572e1c1ef478782");
    t = 0x02;
    cr_assert_eq(zb_hmac_aes_mmo(za09, &t, 1, out), 0);
    hex16(out, h);
    cr_assert_str_eq(h, "c5a47035c332ccbf251571d8baded188");
    zb_key_load_key(za09, out);
    hex16(out, h);
    cr_assert_str_eq(h, "c5a47035c332ccbf251571d8baded188");
    uint8_t ic[18];
    hex_decode("83FED3407A939723A5C639B26916D505C3B5", ic, 18);
    cr_assert_eq(zb_aes_mmo(ic, 18, out), 0);
    hex16(out, h);
    cr_assert_str_eq(h, "66b6900981e1ee3ca4206b6b861c02bb");
    cr_assert_eq(zb_install_code_key(ic, 18, out), 0);
    hex16(out, h);
    cr_assert_str_eq(h, "66b6900981e1ee3ca4206b6b861c02bb");
    cr_assert_eq(zb_install_code_key(ic, 17, out), -1, "17 bytes is no install code");
}

Test(zb_crypto, mmo_padding_at_block_edges_and_length_limit)
{
    /* the incremental hash against the one-shot definition (a message of 13..17 bytes moves
     * the 0x80 and the length across the block edge): HMAC's inner hash of key^0x36 | text is
     * the plain MMO of those bytes */
    uint8_t key[16] = {0}, buf[16 + 17], a[16], b[16], outer[32];
    for (size_t n = 0; n <= 17; n++) {
        for (size_t i = 0; i < n; i++)
            buf[16 + i] = (uint8_t)(i * 7 + 1);
        memset(buf, 0x36, 16);
        cr_assert_eq(zb_aes_mmo(buf, 16 + n, a), 0);
        memset(outer, 0x5C, 16);
        memcpy(outer + 16, a, 16);
        cr_assert_eq(zb_aes_mmo(outer, 32, a), 0);
        cr_assert_eq(zb_hmac_aes_mmo(key, buf + 16, n, b), 0);
        cr_assert_eq(memcmp(a, b, 16), 0, "n = %zu", n);
    }
    static uint8_t big[ZB_MMO_MAX_LEN + 1];
    memset(b, 0xEE, 16);
    cr_assert_eq(zb_aes_mmo(big, ZB_MMO_MAX_LEN, a), 0);
    cr_assert_eq(zb_aes_mmo(big, ZB_MMO_MAX_LEN + 1, b), -1, "2^16 bits needs the other padding");
    cr_assert_eq(zb_hmac_aes_mmo(key, big, ZB_MMO_MAX_LEN - 15, b), -1);
    cr_assert_eq(b[0], 0xEE, "out untouched on error");
}

/* ---- a fake coordinator ---- */

typedef struct fake {
    uint32_t fc;
    uint8_t keys[4][16]; /* link keys it holds, by device index */
    int has_key[4];
    int child_known[4];
    int reports[4];
    uint64_t ieee_of[4];
    uint8_t new_key[16], new_seq;
    int switched;
} fake;

static int idx(const fake *f, uint64_t ieee)
{
    for (int i = 0; i < 4; i++)
        if (f->ieee_of[i] == ieee) return i;
    return -1;
}
static const char *f_link_key(void *fe, uint64_t ieee, uint8_t key[16])
{
    fake *f = fe;
    int i = idx(f, ieee);
    if (i < 0 || !f->has_key[i]) return NULL;
    memcpy(key, f->keys[i], 16);
    return "unique";
}
static int f_knows_child(void *fe, uint64_t ieee)
{
    fake *f = fe;
    int i = idx(f, ieee);
    return i >= 0 && f->child_known[i];
}
static void f_deliver(void *fe, const world_report *r)
{
    fake *f = fe;
    int i = idx(f, r->ieee);
    cr_assert_eq(r->cluster, 0x0402);
    cr_assert_eq(r->zcl_len, 8);
    cr_assert_eq(r->zcl[2], 0x0A, "ZCL Report Attributes");
    if (i >= 0) f->reports[i]++;
}
static int f_set_key(void *fe, const uint8_t key[16], uint8_t seq)
{
    fake *f = fe;
    memcpy(f->new_key, key, 16);
    f->new_seq = seq;
    f->switched = 1;
    return 0;
}

static uint32_t f_nwk_use(void *fe, uint32_t n)
{
    fake *f = fe;
    f->fc += n;
    return f->fc;
}

static const world_stack FAKE = {.name = "fake",
                                 .nwk_use = f_nwk_use,
                                 .link_key = f_link_key,
                                 .knows_child = f_knows_child,
                                 .deliver = f_deliver,
                                 .set_network_key = f_set_key};

static world_coord coord(fake *f, uint64_t ieee)
{
    world_coord c = {.stack = &FAKE,
                     .fe = f,
                     .ieee = ieee,
                     .epid = 0xDDDDDDDDDDDDDDDDull,
                     .pan = 0x1A62,
                     .channel = 15,
                     .key_seq = 0};
    memset(c.nwk_key, 0x11, 16);
    return c;
}

static char g_path[64];

static world *fresh(void)
{
    snprintf(g_path, sizeof(g_path), "/tmp/test_world_%d.json", (int)getpid());
    unlink(g_path);
    char err[256];
    world *w = world_open(g_path, err, sizeof(err));
    cr_assert_not_null(w, "%s", err);
    return w;
}

/* status and reason of device i, read back from the file */
static void status_of(int i, char *st, char *why)
{
    size_t n;
    char *text = file_read_all(g_path, 1 << 20, &n);
    cr_assert_not_null(text);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "devices"), i);
    strcpy(st, cJSON_GetObjectItem(d, "status")->valuestring);
    strcpy(why, cJSON_GetObjectItem(d, "reason")->valuestring);
    cJSON_Delete(doc);
}

/* the world file as JSON (the caller deletes it) */
static cJSON *file_doc(void)
{
    size_t n;
    char *text = file_read_all(g_path, 1 << 20, &n);
    cr_assert_not_null(text);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(doc);
    return doc;
}

static const char *dev_str(const cJSON *doc, int i, const char *field)
{
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "devices"), i);
    const cJSON *v = cJSON_GetObjectItem(d, field);
    return cJSON_IsString(v) ? v->valuestring : "(absent)";
}

static time_t fixed_clock(void)
{
    return 1796651405; /* 2026-12-07T13:50:05Z */
}

static void populate(world *w, fake *f, world_coord *c)
{
    for (int i = 0; i < 4; i++) {
        f->ieee_of[i] = 0x000B57FFFE000000ull + (uint64_t)i;
        memset(f->keys[i], 0xA0 + i, 16);
        f->has_key[i] = 1;
        f->child_known[i] = 1;
        world_member m = {f->ieee_of[i], (uint16_t)(0x1000 + i), i >= 2}; /* 2, 3: end devices */
        cr_assert_eq(world_join(w, c, &m), 0);
    }
}

Test(world, alive_both_ways_and_reports_reach_the_host)
{
    fake f = {.fc = 100};
    world *w = fresh();
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    cr_assert_eq(world_round(w, &c), 4);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(f.reports[i], 1);
    size_t k[5];
    world_counts(w, k);
    cr_assert_eq(k[0], 4);
    cr_assert_eq(k[1], 4);
    world_close(w, NULL);
    char st[40], why[300];
    status_of(0, st, why);
    cr_assert_str_eq(st, "alive");
    unlink(g_path);
}

Test(world, a_coordinator_counter_that_went_back_loses_the_devices)
{
    fake f = {.fc = 5000};
    world *w = fresh();
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    world_burst(w, &c, 3000); /* the old stick keeps sending: devices saw 8004 */
    fake g = f;               /* the new stick restored from the backup, +0 */
    g.fc = 5000;
    world_coord c2 = coord(&g, 0x00124B0000000001ull);
    memset(g.reports, 0, sizeof(g.reports));
    cr_assert_eq(world_round(w, &c2), 0);
    cr_assert_eq(g.reports[0] + g.reports[1] + g.reports[2] + g.reports[3], 0,
                 "a device that drops the request does not report");
    world_close(w, NULL);
    char st[40], why[300];
    status_of(0, st, why);
    cr_assert_str_eq(st, "lost");
    cr_assert_str_eq(why, "coordinator frame counter 5001 <= last seen 8004");
    unlink(g_path);
}

Test(world, the_new_ieee_does_not_escape_the_old_counter)
{
    /* the record is found by short address 0x0000 when the IEEE is new (ZBOSS order) */
    fake f = {.fc = 5000};
    world *w = fresh();
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    world_burst(w, &c, 100);
    fake g = f;
    g.fc = 5050;
    world_coord c2 = coord(&g, 0x00124B00C0FFEE01ull);
    cr_assert_eq(world_round(w, &c2), 0);
    world_close(w, NULL);
    unlink(g_path);
}

Test(world, key_switch_needs_the_tc_ieee_and_the_link_key)
{
    fake f = {.fc = 10};
    world *w = fresh();
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    world_close(w, NULL);
    char err[256];
    w = world_open(g_path, err, sizeof(err));
    cr_assert_not_null(w, "%s", err);
    /* new stick: another IEEE, the end device 3's key missing */
    fake g = f;
    g.fc = 20000;
    g.has_key[3] = 0;
    world_coord c2 = coord(&g, 0x00124B00C0FFEE01ull);
    cr_assert_eq(world_round(w, &c2), 4, "NWK traffic does not need the TC IEEE (§4.3)");
    cr_assert_eq(world_key_switch(w, &c2), 0);
    cr_assert(g.switched);
    c2.key_seq = g.new_seq;
    memcpy(c2.nwk_key, g.new_key, 16);
    cr_assert_eq(world_round(w, &c2), 2, "routers took the broadcast, end devices are lost");
    world_close(w, NULL);
    char st[40], why[300];
    status_of(0, st, why);
    cr_assert_str_eq(st, "alive");
    status_of(2, st, why);
    cr_assert_str_eq(st, "lost");
    cr_assert(strstr(why, "TC rejoin failed: trust center IEEE changed"), "%s", why);
    unlink(g_path);
}

Test(world, link_key_differs_or_missing)
{
    fake f = {.fc = 10};
    world *w = fresh();
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    f.has_key[3] = 0;
    f.keys[2][0] ^= 1;
    cr_assert_eq(world_key_switch(w, &c), 0);
    c.key_seq = f.new_seq;
    memcpy(c.nwk_key, f.new_key, 16);
    world_round(w, &c);
    world_close(w, NULL);
    char st[40], why[300];
    status_of(2, st, why);
    cr_assert(strstr(why, "link key differs"), "%s", why);
    status_of(3, st, why);
    cr_assert(strstr(why, "link key missing at the coordinator"), "%s", why);
    unlink(g_path);
}

Test(world, an_orphaned_end_device_rejoins)
{
    fake f = {.fc = 10};
    world *w = fresh();
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    f.child_known[2] = 0;
    cr_assert_eq(world_round(w, &c), 4);
    world_close(w, NULL);
    char st[40], why[300];
    status_of(2, st, why);
    cr_assert_str_eq(st, "alive after rejoin");
    unlink(g_path);
}

Test(world, file_is_locked_and_errors_name_the_field)
{
    world *w = fresh();
    char err[256];
    cr_assert_null(world_open(g_path, err, sizeof(err)), "a second holder");
    cr_assert(strstr(err, "in use"), "%s", err);
    world_close(w, NULL);
    FILE *fp = fopen(g_path, "w");
    fputs("{\"format\":\"zbemu-world/1\",\"devices\":[{\"ieee\":\"00124b0000000001\","
          "\"nwk\":\"zz\"}]}",
          fp);
    fclose(fp);
    cr_assert_null(world_open(g_path, err, sizeof(err)));
    cr_assert(strstr(err, "devices[0].nwk: expected 4 hex digits"), "%s", err);
    unlink(g_path);
}

/* ---------------------------------------------------------------- the binding (world_link.c) */

typedef struct link_fake {
    int up;           /* the network is up: coord answers */
    int starting;     /* the network is starting: only coord_joining answers */
    int joining_used; /* calls of coord_joining */
    uint32_t fc;
    int reports;
    size_t n_members;
    uint64_t last_rx_ms;
} link_fake;

static uint32_t lf_nwk_use(void *fe, uint32_t n)
{
    link_fake *f = fe;
    return f->fc += n;
}
static void lf_deliver(void *fe, const world_report *r)
{
    link_fake *f = fe;
    (void)r;
    f->reports++;
}
static int lf_member(void *fe, size_t i, world_member *m)
{
    link_fake *f = fe;
    if (i >= f->n_members) return 0;
    *m = (world_member){0x000B57FFFE100000ull + i, (uint16_t)(0x2000 + i), 0};
    return 1;
}
static int lf_coord(void *fe, world_coord *c)
{
    link_fake *f = fe;
    if (!f->up) return -1;
    *c = (world_coord){
        .ieee = 0x00124B0000000001ull, .epid = 0xDDDDDDDDDDDDDDDDull, .pan = 0x1A62, .channel = 15};
    memset(c->nwk_key, 0x11, 16);
    return 0;
}
static int lf_coord_joining(void *fe, world_coord *c)
{
    link_fake *f = fe;
    f->joining_used++;
    int up = f->up;
    f->up = f->up || f->starting;
    int r = lf_coord(f, c);
    f->up = up;
    return r;
}
static const world_stack LINK_FAKE = {.name = "fake",
                                      .nwk_use = lf_nwk_use,
                                      .member = lf_member,
                                      .deliver = lf_deliver,
                                      .coord = lf_coord,
                                      .coord_joining = lf_coord_joining};

static void *lf_create(emu *e, const emu_options *o, char *err, size_t errlen)
{
    (void)e, (void)o, (void)err, (void)errlen;
    static int dummy;
    return &dummy;
}
static void lf_void(void *fe)
{
    (void)fe;
}
static void lf_bytes(void *fe, const uint8_t *p, size_t n)
{
    (void)fe, (void)p, (void)n;
}
static const emu_frontend LF_FRONTEND = {
    "link-fake", "world_link test", lf_create, lf_void, lf_void, lf_void, lf_bytes, NULL,
};

static void stop_at(emu *e, void *arg)
{
    (void)arg;
    emu_stop(e);
}

typedef struct busy_probe {
    link_fake *f;
    world_link *l;
    int reports_while_busy;
    unsigned timer_while_busy;
} busy_probe;

static void go_quiet(emu *e, void *arg)
{
    busy_probe *p = arg;
    (void)e;
    p->reports_while_busy = p->f->reports;
    p->timer_while_busy = p->l->timer;
    p->f->last_rx_ms = 0;
}

static size_t devices_in_file(void)
{
    char err[256];
    world *w = world_open(g_path, err, sizeof(err));
    cr_assert_not_null(w, "%s", err);
    size_t k[5];
    world_counts(w, k);
    world_close(w, NULL);
    return k[0];
}

Test(world_link, without_world_every_call_is_a_no_op)
{
    emu_options o = {0};
    char err[256];
    emu *e = emu_create(&LF_FRONTEND, &o, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    link_fake f = {.up = 1};
    world_link l;
    cr_assert_eq(world_link_attach(&l, e, &LINK_FAKE, &f, &f.last_rx_ms, &o, err, sizeof(err)), 0);
    cr_assert_null(l.w);
    emu_device d = {.ieee = 0x000B57FFFE000001ull, .nwk = 0x1234};
    world_link_joined(&l, &d);
    world_link_up(&l);
    cr_assert_eq(l.timer, 0u, "no exchange timer without a world");
    world_link_detach(&l);
    cr_assert_eq(f.fc, 0u, "no frames sent");
    emu_destroy(e);
}

Test(world_link, joins_adoption_exchanges_and_the_last_round)
{
    snprintf(g_path, sizeof(g_path), "/tmp/test_world_link_%d.json", (int)getpid());
    unlink(g_path);
    emu_options o = {.world_path = g_path, .world_adopt = 1};
    char err[256];
    emu *e = emu_create(&LF_FRONTEND, &o, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    link_fake f = {.starting = 1, .n_members = 2};
    world_link l;
    cr_assert_eq(world_link_attach(&l, e, &LINK_FAKE, &f, &f.last_rx_ms, &o, err, sizeof(err)), 0,
                 "%s", err);
    cr_assert_not_null(l.w);
    /* --devices join while the network starts: through coord_joining, not coord */
    emu_device d = {.ieee = 0x000B57FFFE000001ull, .nwk = 0x1234, .is_child = 1};
    world_link_joined(&l, &d);
    cr_assert_eq(f.joining_used, 1);
    /* no network: up does nothing */
    world_link_up(&l);
    cr_assert_eq(l.timer, 0u);
    /* the network is up: --world-adopt takes the two members in, the exchange timer starts */
    f.up = 1;
    world_link_up(&l);
    cr_assert_neq(l.timer, 0u);
    /* a host that just talked holds the first exchange (at 300 ms) back by the quiet wait of
     * 1 s; at 700 ms the host falls quiet; the exchange runs at 1300 ms, the next at 3300 ms */
    f.last_rx_ms = emu_now_ms();
    busy_probe p = {&f, &l, -1, 0};
    cr_assert(emu_timer_add(e, 700, go_quiet, &p));
    cr_assert(emu_timer_add(e, 2000, stop_at, NULL));
    cr_assert_eq(emu_run(e), 0);
    cr_assert_eq(p.reports_while_busy, 0, "an exchange while the host talks");
    cr_assert_neq(p.timer_while_busy, 0u, "the exchange waits, it is not dropped");
    cr_assert_eq(f.reports, 3, "1 joined + 2 adopted devices report once (%d)", f.reports);
    /* the last exchange at exit, then the file is saved and unlocked */
    world_link_detach(&l);
    cr_assert_null(l.w);
    cr_assert_eq(f.reports, 6, "%d", f.reports);
    cr_assert_eq(devices_in_file(), 3u);
    emu_destroy(e);
    unlink(g_path);
}

/* ---------------------------------------------------------------- verdicts over time */

Test(world, verdicts_carry_round_and_time_and_go_stale_when_the_network_goes_down)
{
    fake f = {.fc = 100};
    world *w = fresh();
    world_set_clock(w, fixed_clock);
    world_coord c = coord(&f, 0x00124B0000000001ull);
    populate(w, &f, &c);
    cr_assert_eq(world_round(w, &c), 4);
    cr_assert_eq(world_round(w, &c), 4);
    cJSON *doc = file_doc();
    cr_assert_str_eq(dev_str(doc, 0, "status"), "alive");
    cr_assert_eq(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "devices"), 0), "round")
            ->valueint,
        2);
    cr_assert_str_eq(dev_str(doc, 0, "time"), "2026-12-07T13:50:05Z");
    cr_assert_str_eq(cJSON_GetObjectItem(doc, "format")->valuestring, "zbemu-world/2");
    cJSON_Delete(doc);
    /* the coordinator leaves its network: nothing is judged from now on */
    cr_assert_eq(world_network_down(w), 0);
    size_t k[5];
    world_counts(w, k);
    cr_assert_eq(k[1] + k[2] + k[3], 0, "no verdict is current");
    cr_assert_eq(k[4], 4);
    doc = file_doc();
    cr_assert_str_eq(dev_str(doc, 0, "status"), "not judged since");
    cr_assert_str_eq(dev_str(doc, 0, "last_status"), "alive");
    cr_assert_str_eq(dev_str(doc, 0, "reason"),
                     "the coordinator's network went down after round 2 at 2026-12-07T13:50:05Z");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "network_down"), "round")->valueint,
                 2);
    cJSON_Delete(doc);
    /* kept across a reopen, then the next exchange judges again */
    world_close(w, NULL);
    char err[256];
    cr_assert_not_null(w = world_open(g_path, err, sizeof(err)), "%s", err);
    world_counts(w, k);
    cr_assert_eq(k[4], 4, "stale verdicts survive a reload");
    cr_assert_eq(world_round(w, &c), 4);
    world_counts(w, k);
    cr_assert_eq(k[1], 4);
    cr_assert_eq(k[4], 0);
    world_close(w, NULL);
    doc = file_doc();
    cr_assert_null(cJSON_GetObjectItem(doc, "network_down"), "cleared by the exchange");
    cr_assert_str_eq(dev_str(doc, 0, "status"), "alive");
    cr_assert_str_eq(dev_str(doc, 0, "time"), "", "no clock after the reopen");
    cJSON_Delete(doc);
    unlink(g_path);
}

/* A file as an older zbemu wrote it: zbemu-world/1, no times, no network_down. */
static void write_file(const char *fmt, const char *extra, const char *status)
{
    FILE *fp = fopen(g_path, "w");
    cr_assert_not_null(fp);
    fprintf(fp,
            "{\"format\":\"%s\",\"rounds\":7%s,\"devices\":[{\"ieee\":\"000b57fffe000001\","
            "\"nwk\":\"1000\",\"role\":\"router\",\"parent\":\"0000\",\"network\":{"
            "\"extended_pan_id\":\"dddddddddddddddd\",\"pan_id\":\"1a62\",\"channel\":15},"
            "\"network_key\":{\"key\":\"11111111111111111111111111111111\","
            "\"sequence_number\":0},\"nwk_frame_counter\":3,\"incoming_frame_counters\":[],"
            "\"trust_center_ieee\":\"00124b0000000001\",\"link_key\":{\"key\":"
            "\"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\",\"derivation\":\"unique\","
            "\"aps_tx_counter\":0,\"aps_rx_counter\":0},\"status\":\"%s\",\"reason\":"
            "\"both directions accepted\",\"round\":7}]}",
            fmt, extra, status);
    fclose(fp);
}

Test(world, old_world_files_are_read)
{
    snprintf(g_path, sizeof(g_path), "/tmp/test_world_old_%d.json", (int)getpid());
    write_file("zbemu-world/1", "", "alive");
    char err[256];
    world *w = world_open(g_path, err, sizeof(err));
    cr_assert_not_null(w, "a zbemu-world/1 file opens: %s", err);
    size_t k[5];
    world_counts(w, k);
    cr_assert_eq(k[1], 1, "its verdict stands: nothing says the network went down");
    world_close(w, NULL);
    zbh_world_verdict v;
    cr_assert_eq(zbh_world_read(g_path, 0, &v, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(v.alive, 1);
    cJSON *doc = file_doc();
    cr_assert_str_eq(cJSON_GetObjectItem(doc, "format")->valuestring, "zbemu-world/2",
                     "rewritten in the new format");
    cr_assert_str_eq(dev_str(doc, 0, "time"), "", "the judging time is unknown");
    cJSON_Delete(doc);
    write_file("zbemu-world/3", "", "alive");
    cr_assert_null(world_open(g_path, err, sizeof(err)));
    cr_assert(strstr(err, "format: expected \"zbemu-world/2\" (or \"zbemu-world/1\")"), "%s", err);
    unlink(g_path);
}

Test(world, the_reader_never_counts_a_verdict_from_before_the_network_went_down)
{
    /* a file that records the network going down after round 7 but whose statuses still say
     * alive (as a writer that knows only network_down would leave it) */
    snprintf(g_path, sizeof(g_path), "/tmp/test_world_rd_%d.json", (int)getpid());
    write_file("zbemu-world/2", ",\"network_down\":{\"round\":7,\"time\":\"2026-12-07T13:50:05Z\"}",
               "alive");
    zbh_world_verdict v;
    char err[256], sum[400], gold[200];
    cr_assert_eq(zbh_world_read(g_path, 0, &v, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(v.alive + v.rejoined + v.lost, 0);
    cr_assert_eq(v.unjudged, 1);
    zbh_world_summary(&v, sum, sizeof(sum));
    cr_assert_str_eq(sum, "alive 0/1; not judged since the network went down after round 7 at "
                          "2026-12-07T13:50:05Z: 1");
    zbh_world_golden(&v, gold, sizeof(gold));
    cr_assert_str_eq(gold, "alive 0/1 rejoined 0 lost 0 not judged 1");
    /* a verdict older than the migration: not judged since the migration */
    write_file("zbemu-world/2", "", "lost");
    cr_assert_eq(zbh_world_read(g_path, 7, &v, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(v.lost, 0);
    cr_assert_eq(v.unjudged, 1);
    zbh_world_summary(&v, sum, sizeof(sum));
    cr_assert(strstr(sum, "not judged since the migration"), "%s", sum);
    unlink(g_path);
}

static void leave_network(emu *e, void *arg)
{
    link_fake *f = arg;
    (void)e;
    f->up = 0;
}

Test(world_link, a_coordinator_that_leaves_its_network_is_not_judged_since)
{
    snprintf(g_path, sizeof(g_path), "/tmp/test_world_leave_%d.json", (int)getpid());
    unlink(g_path);
    emu_options o = {.world_path = g_path, .world_adopt = 1};
    char err[256];
    emu *e = emu_create(&LF_FRONTEND, &o, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    link_fake f = {.up = 1, .n_members = 3};
    world_link l;
    cr_assert_eq(world_link_attach(&l, e, &LINK_FAKE, &f, &f.last_rx_ms, &o, err, sizeof(err)), 0,
                 "%s", err);
    world_link_up(&l);
    /* exchanges at 300 ms (all alive), the coordinator leaves at 1000 ms, the exchange due at
     * 2300 ms finds no network */
    cr_assert(emu_timer_add(e, 1000, leave_network, &f));
    cr_assert(emu_timer_add(e, 2600, stop_at, NULL));
    cr_assert_eq(emu_run(e), 0);
    cr_assert_eq(f.reports, 3);
    world_link_detach(&l);
    zbh_world_verdict v;
    char sum[400];
    cr_assert_eq(zbh_world_read(g_path, 0, &v, err, sizeof(err)), 0, "%s", err);
    zbh_world_summary(&v, sum, sizeof(sum));
    cr_assert_eq(v.alive, 0, "a coordinator without a network keeps nobody alive: %s", sum);
    cr_assert_eq(v.unjudged, 3, "%s", sum);
    cr_assert(strstr(sum, "alive 0/3; not judged since the network went down after round 1 at 20"),
              "%s", sum);
    cJSON *doc = file_doc();
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(dev_str(doc, i, "status"), "not judged since");
        cr_assert_str_eq(dev_str(doc, i, "last_status"), "alive");
        cr_assert_eq(strlen(dev_str(doc, i, "time")), 20, "judged at a wall-clock time: %s",
                     dev_str(doc, i, "time"));
    }
    cJSON_Delete(doc);
    emu_destroy(e);
    unlink(g_path);
}
