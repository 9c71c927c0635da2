/* zboss_cmds.c - HL call handlers of the emulated ZBOSS NCP, one table row per call id.
 *
 * Each row names the call, the accepted parameter length range and the handler. Unknown call
 * ids get ILLEGAL_REQUEST (0/62), a wrong parameter length INVALID_FORMAT (0/42), both with the
 * response header only, as the DSR firmware does (zboss-ncp.md §3, §5). Every NVRAM change is
 * on disk before its response. ZDO calls addressed to the coordinator are answered from its
 * own descriptors; simulated devices never answer (ZDO timeout, APS no-ack). */
#include "emu_commands.h"
#include "zboss_cmds.h"

#include "bytes.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the stack's standard trust-centre link key "ZigBeeAlliance09" (§9.6) */
static const uint8_t TC_STANDARD_KEY[16] = {0x5A, 0x69, 0x67, 0x42, 0x65, 0x65, 0x41, 0x6C,
                                            0x6C, 0x69, 0x61, 0x6E, 0x63, 0x65, 0x30, 0x39};

/* ---------------------------------------------------------------- NCP configuration */

static void get_module_version(zboss_emu *z, const zboss_hl *req)
{
    uint8_t b[12];
    put_le32(b, 0x02090000);     /* firmware 2.9.0.0 */
    put_le32(b + 4, 0x03020000); /* stack 3.2.0.0 (DSR example, §5.1) */
    put_le32(b + 8, 0x00000113); /* NCP protocol 1.19 */
    ok(z, req, b, sizeof(b));
}

static void ncp_reset(zboss_emu *z, const zboss_hl *req)
{
    /* DSR ncp_hl_proto.c reset_req: a request without its option byte is INVALID_FORMAT */
    if (req->params_len < 1) {
        fail(z, req, ZBOSS_INVALID_FORMAT);
        return;
    }
    uint8_t opt = req->params[0];
    if (opt > 3) {
        fail(z, req, ZBOSS_INVALID_FORMAT);
        return;
    }
    zboss_schedule_reset(z, opt); /* answered after the reboot, TSN 0xFF */
}

static void get_role(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.role);
}

static void set_role(zboss_emu *z, const zboss_hl *req)
{
    if (req->params[0] > 2) {
        fail(z, req, ZBOSS_INVALID_PARAMETER);
        return;
    }
    z->nv.role = req->params[0];
    ok(z, req, NULL, 0);
}

static void get_channel_mask(zboss_emu *z, const zboss_hl *req)
{
    uint8_t b[6] = {1, 0};
    put_le32(b + 2, z->nv.channel_mask);
    ok(z, req, b, sizeof(b));
}

static void set_channel_mask(zboss_emu *z, const zboss_hl *req)
{
    uint32_t mask = get_le32(req->params + 1);
    if (req->params[0] != 0) {
        fail(z, req, ZBOSS_NOT_IMPLEMENTED); /* a 2.4 GHz build knows page 0 only */
        return;
    }
    if (mask & ~0x07FFF800u) {
        fail(z, req, ZBOSS_INVALID_PARAMETER);
        return;
    }
    z->nv.channel_mask = mask;
    ok(z, req, NULL, 0);
}

static void get_channel(zboss_emu *z, const zboss_hl *req)
{
    uint8_t b[2] = {z->nv.page, z->nv.channel};
    ok(z, req, b, 2);
}

static void get_pan_id(zboss_emu *z, const zboss_hl *req)
{
    ok_u16(z, req, z->nv.pan_id);
}

static void set_pan_id(zboss_emu *z, const zboss_hl *req)
{
    z->nv.pan_id = get_le16(req->params);
    ok(z, req, NULL, 0);
}

static void get_local_ieee(zboss_emu *z, const zboss_hl *req)
{
    uint8_t b[9] = {0};
    memcpy(b + 1, z->nv.ieee, 8);
    ok(z, req, b, sizeof(b));
}

static void set_local_ieee(zboss_emu *z, const zboss_hl *req)
{
    if (req->params[0] != 0) {
        fail(z, req, ZBOSS_INVALID_PARAMETER);
        return;
    }
    memcpy(z->nv.ieee, req->params + 1, 8);
    ok(z, req, NULL, 0);
}

static void get_tx_power(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, (uint8_t)z->tx_power);
}

static void set_tx_power(zboss_emu *z, const zboss_hl *req)
{
    int8_t dbm = (int8_t)req->params[0];
    z->tx_power = dbm > 8 ? 8 : dbm < -40 ? -40 : dbm; /* nRF52840 range */
    ok_u8(z, req, (uint8_t)z->tx_power);
}

static void get_rx_on(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.rx_on_when_idle);
}

static void set_rx_on(zboss_emu *z, const zboss_hl *req)
{
    z->nv.rx_on_when_idle = req->params[0] ? 1 : 0;
    ok(z, req, NULL, 0);
}

static void get_joined(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.formed ? 1 : 0); /* herdsman tests == 1 */
}

static void get_authenticated(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.formed ? 1 : 0);
}

static void get_ed_timeout(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.ed_timeout);
}

static void set_ed_timeout(zboss_emu *z, const zboss_hl *req)
{
    if (req->params[0] > 14) {
        fail(z, req, ZBOSS_INVALID_PARAMETER);
        return;
    }
    z->nv.ed_timeout = req->params[0];
    ok(z, req, NULL, 0);
}

static void set_nwk_key(zboss_emu *z, const zboss_hl *req)
{
    uint8_t n = req->params[16];
    if (n >= 3) { /* §9.4: ignored, still OK */
        ok(z, req, NULL, 0);
        return;
    }
    memcpy(z->nv.nwk_key[n], req->params, 16);
    z->nv.key_present[n] = true;
    ok(z, req, NULL, 0);
}

static void get_nwk_keys(zboss_emu *z, const zboss_hl *req)
{
    if (z->keys_locked) {
        fail(z, req, ZBOSS_OPERATION_FAILED);
        return;
    }
    /* the active key first, then the other sequence numbers ascending; missing: zeros */
    uint8_t b[51] = {0}, order[3] = {z->nv.active_key_seq, 0, 0};
    for (uint8_t s = 0, k = 1; s < 3; s++)
        if (s != z->nv.active_key_seq) order[k++] = s;
    for (int i = 0; i < 3; i++) {
        uint8_t s = order[i];
        if (!z->nv.key_present[s]) continue;
        memcpy(b + 17 * i, z->nv.nwk_key[s], 16);
        b[17 * i + 16] = s;
    }
    ok(z, req, b, sizeof(b));
}

static long load_keys(const zboss_emu *z, zboss_aps_key *out, size_t max)
{
    const zboss_dataset_blob *b = &z->nv.ds[ZBOSS_DS_APS_SECURE_DATA];
    if (!b->present) return 0;
    long n = zboss_aps_keys_decode(b->data, b->len, out, max);
    return n < 0 ? 0 : n;
}

static void get_aps_key_by_ieee(zboss_emu *z, const zboss_hl *req)
{
    zboss_aps_key keys[255];
    long n = load_keys(z, keys, 255);
    uint64_t ieee = get_le64(req->params);
    for (long i = 0; i < n; i++)
        if (keys[i].ieee == ieee) {
            ok(z, req, keys[i].key, 16);
            return;
        }
    fail(z, req, ZBOSS_NOT_FOUND);
}

static void get_parent_address(zboss_emu *z, const zboss_hl *req)
{
    ok_u16(z, req, 0xFFFF); /* a coordinator has no parent */
}

static void get_extended_pan_id(zboss_emu *z, const zboss_hl *req)
{
    /* §9.2: real NCPs return the reverse of the bytes they were given (herdsman PR #1293);
     * both hosts reverse what they read, so each reads back what it wrote */
    const uint8_t *src = z->nv.formed ? z->nv.nwk_epid : z->nv.aps_epid;
    uint8_t b[8];
    zb_ieee_reverse(b, src);
    ok(z, req, b, 8);
}

static void get_coordinator_version(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.coordinator_version);
}

static void get_short_address(zboss_emu *z, const zboss_hl *req)
{
    ok_u16(z, req, z->nv.formed ? 0x0000 : 0xFFFF);
}

static void get_tc_address(zboss_emu *z, const zboss_hl *req)
{
    static const uint8_t zero[8];
    ok(z, req, z->nv.formed ? z->nv.ieee : zero, 8);
}

static void set_tc_policy(zboss_emu *z, const zboss_hl *req)
{
    uint16_t type = get_le16(req->params);
    if (type > 5) {
        fail(z, req, ZBOSS_NOT_FOUND);
        return;
    }
    z->nv.tc_policy[type] = req->params[2];
    /* the 8 bytes the DSR source appends: what the response buffer holds (zboss_frontend.h) */
    ok(z, req, z->rsp_buf, sizeof(z->rsp_buf));
}

static void set_extended_pan_id(zboss_emu *z, const zboss_hl *req)
{
    memcpy(z->nv.aps_epid, req->params, 8);
    ok(z, req, NULL, 0);
}

static void set_max_children(zboss_emu *z, const zboss_hl *req)
{
    z->nv.max_children = req->params[0];
    ok(z, req, NULL, 0);
}

static void get_max_children(zboss_emu *z, const zboss_hl *req)
{
    ok_u8(z, req, z->nv.max_children);
}

/* ---------------------------------------------------------------- NVRAM */

/* COMMON_DATA version 2 (92 bytes, §8.4) built from the fields the NCP keeps. */
static size_t encode_common_data(const zboss_nv *nv, uint8_t *out)
{
    zb_buf b = zb_buf_init(out, 92);
    /* designated coordinator, stack profile 2, device type from the role */
    zb_put_u8(&b, (uint8_t)((nv->role == 0 ? 1 : 0) | (2 << 2) | ((nv->role & 3) << 6)));
    zb_put_u8(&b, 0);        /* depth */
    zb_put_le16(&b, 0x0000); /* nwk manager */
    zb_put_le16(&b, nv->pan_id);
    zb_put_le16(&b, nv->formed ? 0x0000 : 0xFFFF);
    zb_put_le32(&b, nv->channel_mask); /* page 0 in the top bits */
    zb_put_bytes(&b, nv->aps_epid, 8);
    zb_put_bytes(&b, nv->nwk_epid, 8);
    uint8_t ff[8];
    memset(ff, 0xFF, 8);
    zb_put_bytes(&b, ff, 8); /* parent: none */
    zb_put_bytes(&b, nv->ieee, 8);
    static const uint8_t zero[16];
    uint8_t s = nv->active_key_seq;
    zb_put_bytes(&b, nv->key_present[s] ? nv->nwk_key[s] : zero, 16);
    zb_put_u8(&b, s);
    zb_put_bytes(&b, TC_STANDARD_KEY, 16);
    zb_put_u8(&b, nv->channel);
    zb_put_u8(&b, nv->page);
    zb_put_u8(&b, 0);
    zb_put_u8(&b, 0);
    zb_put_le16(&b, 0);
    zb_put_le32(&b, nv->channel ? 1u << nv->channel : 0);
    zb_put_le32(&b, 0x07FFF800);
    zb_put_u8(&b, (uint8_t)((nv->rx_on_when_idle & 1) << 1));
    return b.overflow ? 0 : b.len;
}

static void nvram_read(zboss_emu *z, const zboss_hl *req)
{
    uint16_t type = get_le16(req->params);
    if (type < 1 || type > ZBOSS_DS_MAX) {
        /* DSR ncp_hl_proto.c nvram_read: every failure of the dataset read but NOT_FOUND is
         * answered as generic ERROR (0/1); the INVALID_PARAMETER_1 of zb_nvram.c stays inside */
        fail(z, req, ZBOSS_ERROR);
        return;
    }
    uint8_t common[92];
    const uint8_t *data;
    size_t len;
    uint16_t version;
    if (type == ZBOSS_DS_COMMON_DATA) {
        if (!z->nv.formed) {
            fail(z, req, ZBOSS_NOT_FOUND);
            return;
        }
        len = encode_common_data(&z->nv, common);
        data = common;
        version = zboss_dataset_version(type);
    } else {
        const zboss_dataset_blob *b = &z->nv.ds[type];
        if (!b->present) {
            fail(z, req, ZBOSS_NOT_FOUND);
            return;
        }
        data = b->data;
        len = b->len;
        version = b->version;
    }
    uint8_t *out = malloc(8 + len);
    if (!out) {
        fail(z, req, ZBOSS_OPERATION_FAILED);
        return;
    }
    put_le16(out, ZBOSS_NVRAM_VERSION);
    put_le16(out + 2, type);
    put_le16(out + 4, version);
    put_le16(out + 6, (uint16_t)len);
    memcpy(out + 8, data, len);
    ok(z, req, out, 8 + len); /* over 247 bytes: fragmented */
    free(out);
}

/* The layouts the emulator itself reads back must be well formed. */
static int dataset_well_formed(uint16_t type, const uint8_t *p, size_t n)
{
    zboss_ib_counters c;
    switch (type) {
    case ZBOSS_DS_IB_COUNTERS: return zboss_ib_counters_decode(p, n, &c) == 0;
    case ZBOSS_DS_ADDR_MAP:
        return n >= ZBOSS_ADDR_MAP_HDR && (n - ZBOSS_ADDR_MAP_HDR) % ZBOSS_ADDR_MAP_REC == 0;
    case ZBOSS_DS_NEIGHBOUR_TBL:
        return n >= ZBOSS_NBT_HDR && (n - ZBOSS_NBT_HDR) % ZBOSS_NBT_REC == 0;
    case ZBOSS_DS_APS_SECURE_DATA:
        return n >= ZBOSS_APS_KEYS_HDR && (n - ZBOSS_APS_KEYS_HDR) % ZBOSS_APS_KEYS_REC == 0;
    default: return 1;
    }
}

static void nvram_write(zboss_emu *z, const zboss_hl *req)
{
    zb_rd r = zb_rd_init(req->params, req->params_len);
    uint8_t count = zb_get_u8(&r);
    size_t start = r.pos;
    /* validate the whole transaction first, then apply it (§8.3) */
    for (int pass = 0; pass < 2; pass++) {
        r.pos = start;
        for (uint8_t i = 0; i < count; i++) {
            uint16_t type = zb_get_le16(&r), ver = zb_get_le16(&r), len = zb_get_le16(&r);
            if (r.short_read || zb_rd_left(&r) < len) {
                fail(z, req, ZBOSS_INVALID_FORMAT);
                return;
            }
            const uint8_t *data = req->params + r.pos;
            r.pos += len;
            if (pass == 0) {
                /* a dataset the stack refuses (type out of 1..31, or not the version it
                 * writes, §8.2): DSR ncp_hl_proto.c nvram_write answers generic ERROR (0/1)
                 * whatever zb_nvram_write_dataset_direct returned (INVALID_PARAMETER_1/2) */
                if (type < 1 || type > ZBOSS_DS_MAX || ver != zboss_dataset_version(type)) {
                    fail(z, req, ZBOSS_ERROR);
                    return;
                }
                if (type == ZBOSS_DS_COMMON_DATA) {
                    /* kept as fields, written by the NCP's own calls only (zigpy warns that
                     * a foreign COMMON_DATA bricks real firmware) */
                    fail(z, req, ZBOSS_NOT_IMPLEMENTED);
                    return;
                }
                if (!dataset_well_formed(type, data, len)) {
                    fail(z, req, ZBOSS_INVALID_FORMAT);
                    return;
                }
            } else if (zboss_nv_ds_put(&z->nv, type, ver, data, len) < 0) {
                fail(z, req, ZBOSS_OPERATION_FAILED);
                return;
            }
        }
        if (pass == 0 && zb_rd_left(&r)) {
            fail(z, req, ZBOSS_INVALID_FORMAT);
            return;
        }
    }
    ok(z, req, NULL, 0);
}

static void nvram_erase(zboss_emu *z, const zboss_hl *req)
{
    zboss_nv_erase(&z->nv);
    z->running = false;
    ok(z, req, NULL, 0);
}

static void nvram_clear(zboss_emu *z, const zboss_hl *req)
{
    zboss_nv_clear(&z->nv);
    z->running = false;
    ok(z, req, NULL, 0);
}

/* ---------------------------------------------------------------- AF */

static void af_set_simple_desc(zboss_emu *z, const zboss_hl *req)
{
    const uint8_t *p = req->params;
    size_t need = 8 + 2 * ((size_t)p[6] + p[7]);
    if (req->params_len != need || p[0] == 0 || p[0] == 255) {
        fail(z, req, ZBOSS_INVALID_FORMAT);
        return;
    }
    zboss_endpoint *ep = &z->endpoints[p[0]];
    ep->used = true;
    ep->len = need;
    memcpy(ep->desc, p, need);
    ok(z, req, NULL, 0);
}

static void af_del_simple_desc(zboss_emu *z, const zboss_hl *req)
{
    z->endpoints[req->params[0]].used = false;
    ok(z, req, NULL, 0);
}

static void af_set_node_desc(zboss_emu *z, const zboss_hl *req)
{
    z->manuf_code = get_le16(req->params + 2);
    ok(z, req, NULL, 0);
}

static void ok_empty(zboss_emu *z, const zboss_hl *req)
{
    ok(z, req, NULL, 0);
}

/* ---------------------------------------------------------------- APS */

static void apsde_data_req(zboss_emu *z, const zboss_hl *req)
{
    const uint8_t *p = req->params;
    uint8_t plen = p[0];
    uint16_t dlen = get_le16(p + 1);
    /* herdsman sends group frames with param_len 20 (no dst_ep): accepted, unlike DSR */
    if ((plen != 21 && plen != 20) || req->params_len != 3u + plen + dlen) {
        fail(z, req, ZBOSS_INVALID_FORMAT);
        return;
    }
    const uint8_t *a = p + 3;
    uint8_t dst_ep = plen == 21 ? a[12] : 0, src_ep = a[plen == 21 ? 13 : 12];
    uint8_t mode = a[plen == 21 ? 15 : 14];
    uint16_t short_dst = get_le16(a);
    int delivered =
        mode == 1 || (mode == 2 && short_dst >= 0xFFF8) || (mode == 2 && short_dst == 0x0000);
    if (!delivered) {
        zboss_respond(z, req, ZBOSS_CAT_APS, APS_NO_ACK, NULL, 0);
        return;
    }
    uint8_t b[15];
    memcpy(b, a, 8);
    b[8] = dst_ep;
    b[9] = src_ep;
    put_le32(b + 10, 5);
    b[14] = mode;
    ok(z, req, b, sizeof(b));
}

static void apsme_add_group(zboss_emu *z, const zboss_hl *req)
{
    uint16_t g = get_le16(req->params);
    for (int i = 0; i < z->n_groups; i++)
        if (z->groups[i] == g) {
            ok(z, req, NULL, 0);
            return;
        }
    if (z->n_groups == 32) {
        fail(z, req, 65); /* TABLE_FULL */
        return;
    }
    z->groups[z->n_groups++] = g;
    ok(z, req, NULL, 0);
}

static void apsme_rm_group(zboss_emu *z, const zboss_hl *req)
{
    uint16_t g = get_le16(req->params);
    for (int i = 0; i < z->n_groups; i++)
        if (z->groups[i] == g) z->groups[i--] = z->groups[--z->n_groups];
    ok(z, req, NULL, 0);
}

static void apsme_rm_all_groups(zboss_emu *z, const zboss_hl *req)
{
    z->n_groups = 0;
    ok(z, req, NULL, 0);
}

static void aps_get_group_table(zboss_emu *z, const zboss_hl *req)
{
    uint8_t b[1 + 64];
    b[0] = (uint8_t)z->n_groups;
    for (int i = 0; i < z->n_groups; i++)
        put_le16(b + 1 + 2 * i, z->groups[i]);
    ok(z, req, b, 1 + 2 * (size_t)z->n_groups);
}

/* ---------------------------------------------------------------- NWK */

static void nwk_formation(zboss_emu *z, const zboss_hl *req)
{
    const uint8_t *p = req->params;
    uint8_t n = p[0];
    if (n == 0 || req->params_len != 1u + 5u * n + 12u) {
        fail(z, req, ZBOSS_INVALID_FORMAT);
        return;
    }
    uint32_t mask = 0;
    for (uint8_t i = 0; i < n; i++)
        if (p[1 + 5 * i] == 0) mask |= get_le32(p + 2 + 5 * i);
    const uint8_t *tail = p + 1 + 5 * n; /* scan_dur, distributed, distributed_addr, epid */
    uint16_t pan;
    if (z->nv.role != 0 || tail[1] != 0 || zboss_form(z, mask & 0x07FFF800, tail + 4, &pan) < 0) {
        fail(z, req, ZBOSS_OPERATION_FAILED);
        return;
    }
    uint8_t b[6];
    put_le16(b, 0x0000);
    put_le16(b + 2, pan);
    b[4] = z->nv.page;
    b[5] = z->nv.channel;
    ok(z, req, b, 6);
}

static void nwk_permit_joining(zboss_emu *z, const zboss_hl *req)
{
    ok(z, req, NULL, 0);
}

static void nwk_get_ieee_by_short(zboss_emu *z, const zboss_hl *req)
{
    uint16_t nwk = get_le16(req->params);
    if (nwk == 0x0000 && z->nv.formed) {
        ok(z, req, z->nv.ieee, 8);
        return;
    }
    zboss_addr_map_entry am[255];
    long n = load_addr_map(z, am, 255);
    for (long i = 0; i < n; i++)
        if (am[i].nwk == nwk) {
            uint8_t b[8];
            put_le64(b, am[i].ieee);
            ok(z, req, b, 8);
            return;
        }
    fail(z, req, ZBOSS_NOT_FOUND);
}

static void nwk_get_short_by_ieee(zboss_emu *z, const zboss_hl *req)
{
    uint64_t ieee = get_le64(req->params);
    if (ieee == get_le64(z->nv.ieee) && z->nv.formed) {
        ok_u16(z, req, 0x0000);
        return;
    }
    zboss_addr_map_entry am[255];
    long n = load_addr_map(z, am, 255);
    for (long i = 0; i < n; i++)
        if (am[i].ieee == ieee) {
            ok_u16(z, req, am[i].nwk);
            return;
        }
    fail(z, req, ZBOSS_NOT_FOUND);
}

static void nwk_start_without_formation(zboss_emu *z, const zboss_hl *req)
{
    if (!z->nv.formed || z->nv.channel == 0 || zb_all_bytes(z->nv.nwk_epid, 8, 0x00)) {
        fail(z, req, ZBOSS_OPERATION_FAILED); /* §5.5: no stored network */
        return;
    }
    zboss_start_network(z);
    ok(z, req, NULL, 0);
}

/* ---------------------------------------------------------------- table */

static const zboss_cmd COMMANDS[] = {
    {ZBOSS_GET_MODULE_VERSION, 0, 0, get_module_version, "GET_MODULE_VERSION"},
    {ZBOSS_NCP_RESET, 0, 1, ncp_reset, "NCP_RESET"},
    {ZBOSS_GET_ZIGBEE_ROLE, 0, 0, get_role, "GET_ZIGBEE_ROLE"},
    {ZBOSS_SET_ZIGBEE_ROLE, 1, 1, set_role, "SET_ZIGBEE_ROLE"},
    {ZBOSS_GET_ZIGBEE_CHANNEL_MASK, 0, 0, get_channel_mask, "GET_ZIGBEE_CHANNEL_MASK"},
    {ZBOSS_SET_ZIGBEE_CHANNEL_MASK, 5, 5, set_channel_mask, "SET_ZIGBEE_CHANNEL_MASK"},
    {ZBOSS_GET_ZIGBEE_CHANNEL, 0, 0, get_channel, "GET_ZIGBEE_CHANNEL"},
    {ZBOSS_GET_PAN_ID, 0, 0, get_pan_id, "GET_PAN_ID"},
    {ZBOSS_SET_PAN_ID, 2, 2, set_pan_id, "SET_PAN_ID"},
    {ZBOSS_GET_LOCAL_IEEE_ADDR, 0, 1, get_local_ieee, "GET_LOCAL_IEEE_ADDR"},
    {ZBOSS_SET_LOCAL_IEEE_ADDR, 9, 9, set_local_ieee, "SET_LOCAL_IEEE_ADDR"},
    {ZBOSS_GET_TX_POWER, 0, 0, get_tx_power, "GET_TX_POWER"},
    {ZBOSS_SET_TX_POWER, 1, 1, set_tx_power, "SET_TX_POWER"},
    {ZBOSS_GET_RX_ON_WHEN_IDLE, 0, 0, get_rx_on, "GET_RX_ON_WHEN_IDLE"},
    {ZBOSS_SET_RX_ON_WHEN_IDLE, 1, 1, set_rx_on, "SET_RX_ON_WHEN_IDLE"},
    {ZBOSS_GET_JOINED, 0, 0, get_joined, "GET_JOINED"},
    {ZBOSS_GET_AUTHENTICATED, 0, 0, get_authenticated, "GET_AUTHENTICATED"},
    {ZBOSS_GET_ED_TIMEOUT, 0, 0, get_ed_timeout, "GET_ED_TIMEOUT"},
    {ZBOSS_SET_ED_TIMEOUT, 1, 1, set_ed_timeout, "SET_ED_TIMEOUT"},
    {ZBOSS_SET_NWK_KEY, 17, 17, set_nwk_key, "SET_NWK_KEY"},
    {ZBOSS_GET_NWK_KEYS, 0, 0, get_nwk_keys, "GET_NWK_KEYS"},
    {ZBOSS_GET_APS_KEY_BY_IEEE, 8, 8, get_aps_key_by_ieee, "GET_APS_KEY_BY_IEEE"},
    {ZBOSS_GET_PARENT_ADDRESS, 0, 0, get_parent_address, "GET_PARENT_ADDRESS"},
    {ZBOSS_GET_EXTENDED_PAN_ID, 0, 0, get_extended_pan_id, "GET_EXTENDED_PAN_ID"},
    {ZBOSS_GET_COORDINATOR_VERSION, 0, 0, get_coordinator_version, "GET_COORDINATOR_VERSION"},
    {ZBOSS_GET_SHORT_ADDRESS, 0, 0, get_short_address, "GET_SHORT_ADDRESS"},
    {ZBOSS_GET_TRUST_CENTER_ADDRESS, 0, 0, get_tc_address, "GET_TRUST_CENTER_ADDRESS"},
    {ZBOSS_NVRAM_WRITE, 1, ANY_LEN, nvram_write, "NVRAM_WRITE"},
    {ZBOSS_NVRAM_READ, 2, 2, nvram_read, "NVRAM_READ"},
    {ZBOSS_NVRAM_ERASE, 0, 0, nvram_erase, "NVRAM_ERASE"},
    {ZBOSS_NVRAM_CLEAR, 0, 0, nvram_clear, "NVRAM_CLEAR"},
    {ZBOSS_SET_TC_POLICY, 3, 3, set_tc_policy, "SET_TC_POLICY"},
    {ZBOSS_SET_EXTENDED_PAN_ID, 8, 8, set_extended_pan_id, "SET_EXTENDED_PAN_ID"},
    {ZBOSS_SET_MAX_CHILDREN, 1, 1, set_max_children, "SET_MAX_CHILDREN"},
    {ZBOSS_GET_MAX_CHILDREN, 0, 0, get_max_children, "GET_MAX_CHILDREN"},
    {ZBOSS_AF_SET_SIMPLE_DESC, 8, ANY_LEN, af_set_simple_desc, "AF_SET_SIMPLE_DESC"},
    {ZBOSS_AF_DEL_SIMPLE_DESC, 1, 1, af_del_simple_desc, "AF_DEL_SIMPLE_DESC"},
    {ZBOSS_AF_SET_NODE_DESC, 4, 4, af_set_node_desc, "AF_SET_NODE_DESC"},
    {ZBOSS_AF_SET_POWER_DESC, 4, 4, ok_empty, "AF_SET_POWER_DESC"},
    {ZBOSS_APSDE_DATA_REQ, 23, ANY_LEN, apsde_data_req, "APSDE_DATA_REQ"},
    {ZBOSS_APSME_ADD_GROUP, 3, 3, apsme_add_group, "APSME_ADD_GROUP"},
    {ZBOSS_APSME_RM_GROUP, 3, 3, apsme_rm_group, "APSME_RM_GROUP"},
    {ZBOSS_APSME_RM_ALL_GROUPS, 1, 1, apsme_rm_all_groups, "APSME_RM_ALL_GROUPS"},
    {ZBOSS_APS_GET_GROUP_TABLE, 0, 0, aps_get_group_table, "APS_GET_GROUP_TABLE"},
    {ZBOSS_NWK_FORMATION, 18, ANY_LEN, nwk_formation, "NWK_FORMATION"},
    {ZBOSS_NWK_PERMIT_JOINING, 1, 1, nwk_permit_joining, "NWK_PERMIT_JOINING"},
    {ZBOSS_NWK_GET_IEEE_BY_SHORT, 2, 2, nwk_get_ieee_by_short, "NWK_GET_IEEE_BY_SHORT"},
    {ZBOSS_NWK_GET_SHORT_BY_IEEE, 8, 8, nwk_get_short_by_ieee, "NWK_GET_SHORT_BY_IEEE"},
    {ZBOSS_NWK_START_WITHOUT_FORMATION, 0, 0, nwk_start_without_formation,
     "NWK_START_WITHOUT_FORMATION"},
};

/* Each call id is in one table. */
static const zboss_cmd *find_cmd(uint16_t call_id)
{
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
        if (COMMANDS[i].call_id == call_id) return &COMMANDS[i];
    for (size_t i = 0; i < zboss_n_zdo_commands; i++)
        if (zboss_zdo_commands[i].call_id == call_id) return &zboss_zdo_commands[i];
    return NULL;
}

const char *zboss_command_name(uint16_t call_id)
{
    const zboss_cmd *c = find_cmd(call_id);
    return c ? c->name : NULL;
}

void zboss_dispatch(zboss_emu *z, const zboss_hl *req)
{
    const zboss_cmd *c = find_cmd(req->call_id);
    if (!c) {
        LOG_DEBUG("zboss: unsupported call %04x: illegal request", req->call_id);
        fail(z, req, ZBOSS_ILLEGAL_REQUEST);
        return;
    }
    if (req->params_len < c->min_len || (c->max_len != ANY_LEN && req->params_len > c->max_len)) {
        LOG_DEBUG("zboss: %s with %zu parameter bytes: invalid format", c->name, req->params_len);
        fail(z, req, ZBOSS_INVALID_FORMAT);
        return;
    }
    LOG_DEBUG("zboss: %s (tsn %u)", c->name, req->tsn);
    c->fn(z, req);
}
