/* zboss_cmds_zdo.c - the ZDO calls of the emulated ZBOSS NCP (zboss-ncp.md §7): requests
 * addressed to the coordinator are answered from its own descriptors; simulated devices never
 * answer (ZDO timeout). Split from zboss_cmds.c, which dispatches. */
#include "zboss_cmds.h"

#include "bytes.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- ZDO */

static void zdo_fail(zboss_emu *z, const zboss_hl *req, uint8_t zdp_status)
{
    zboss_respond(z, req, ZBOSS_CAT_ZDO, zdp_status, NULL, 0);
}

/* A request for a node other than the coordinator, named by its NWK address or (by_ieee) its
 * IEEE: a device in the address map never answers (simulated devices), another is not found. */
static void zdo_remote_by(zboss_emu *z, const zboss_hl *req, bool by_ieee, uint64_t id)
{
    zboss_addr_map_entry am[255];
    long n = load_addr_map(z, am, 255);
    for (long i = 0; i < n; i++)
        if (by_ieee ? am[i].ieee == id : am[i].nwk == id) {
            zdo_fail(z, req, ZDP_TIMEOUT);
            return;
        }
    zdo_fail(z, req, ZDP_DEVICE_NOT_FOUND);
}

static void zdo_remote(zboss_emu *z, const zboss_hl *req, uint16_t nwk)
{
    zdo_remote_by(z, req, false, nwk);
}

/* A request whose first parameter (the target's NWK address) names another node goes there
 * (zdo_remote): true then, and the handler is done; false for the coordinator itself. */
static bool to_remote(zboss_emu *z, const zboss_hl *req)
{
    uint16_t nwk = get_le16(req->params);
    if (nwk == 0x0000) return false;
    zdo_remote(z, req, nwk);
    return true;
}

static void zdo_addr_reply(zboss_emu *z, const zboss_hl *req, uint64_t ieee, uint16_t nwk)
{
    uint8_t b[11];
    put_le64(b, ieee);
    put_le16(b + 8, nwk);
    b[10] = 0; /* extended: no associated devices listed */
    ok(z, req, b, req->params[req->call_id == ZBOSS_ZDO_NWK_ADDR_REQ ? 10 : 4] ? 11 : 10);
}

static void zdo_nwk_addr_req(zboss_emu *z, const zboss_hl *req)
{
    uint64_t ieee = get_le64(req->params + 2);
    if (ieee == get_le64(z->nv.ieee)) {
        zdo_addr_reply(z, req, ieee, 0x0000);
        return;
    }
    zdo_remote_by(z, req, true, ieee);
}

static void zdo_ieee_addr_req(zboss_emu *z, const zboss_hl *req)
{
    uint16_t nwk = get_le16(req->params + 2);
    if (nwk == 0x0000)
        zdo_addr_reply(z, req, get_le64(z->nv.ieee), 0x0000);
    else
        zdo_remote(z, req, nwk);
}

static void zdo_power_desc_req(zboss_emu *z, const zboss_hl *req)
{
    if (to_remote(z, req)) return;
    uint8_t b[4];
    put_le16(b, 0xC010); /* on when idle, mains, full */
    put_le16(b + 2, 0x0000);
    ok(z, req, b, 4);
}

static void zdo_node_desc_req(zboss_emu *z, const zboss_hl *req)
{
    if (to_remote(z, req)) return;
    uint8_t b[15];
    zb_buf w = zb_buf_init(b, sizeof(b));
    zb_put_le16(&w, 0x4000); /* coordinator, 2.4 GHz band */
    zb_put_u8(&w, 0x8F);     /* alternate PAN coordinator, FFD, mains, rx on, allocate */
    zb_put_le16(&w, z->manuf_code);
    zb_put_u8(&w, 89);       /* max buffer */
    zb_put_le16(&w, 160);    /* max incoming transfer */
    zb_put_le16(&w, 0x2C41); /* stack revision 22, primary TC, network manager */
    zb_put_le16(&w, 160);    /* max outgoing transfer */
    zb_put_u8(&w, 0);
    zb_put_le16(&w, 0x0000); /* NWK address last (§5.3) */
    ok(z, req, b, w.len);
}

static void zdo_simple_desc_req(zboss_emu *z, const zboss_hl *req)
{
    uint8_t ep = req->params[2];
    if (ep == 0 || ep == 255) {
        fail(z, req, ZBOSS_INVALID_PARAMETER_2);
        return;
    }
    if (to_remote(z, req)) return;
    if (!z->endpoints[ep].used) {
        zdo_fail(z, req, 0x83); /* NOT_ACTIVE */
        return;
    }
    uint8_t b[260];
    memcpy(b, z->endpoints[ep].desc, z->endpoints[ep].len);
    put_le16(b + z->endpoints[ep].len, 0x0000);
    ok(z, req, b, z->endpoints[ep].len + 2);
}

static void zdo_active_ep_req(zboss_emu *z, const zboss_hl *req)
{
    if (to_remote(z, req)) return;
    uint8_t b[260];
    size_t n = 0;
    for (int ep = 1; ep < 255; ep++)
        if (z->endpoints[ep].used) b[1 + n++] = (uint8_t)ep;
    b[0] = (uint8_t)n;
    put_le16(b + 1 + n, 0x0000);
    ok(z, req, b, n + 3);
}

static void zdo_match_desc_req(zboss_emu *z, const zboss_hl *req)
{
    uint8_t b[3] = {0};
    uint16_t nwk = get_le16(req->params);
    if (nwk != 0x0000 && nwk < 0xFFF8) {
        zdo_remote(z, req, nwk);
        return;
    }
    ok(z, req, b, 3); /* no matching endpoint, NWK address 0x0000 */
}

/* bind, unbind, leave, binding table: the coordinator itself accepts; others never answer */
static void zdo_target_first(zboss_emu *z, const zboss_hl *req)
{
    if (to_remote(z, req)) return;
    if (req->call_id == ZBOSS_ZDO_MGMT_BIND_REQ) {
        uint8_t b[3] = {0, req->params[2], 0}; /* empty binding table */
        ok(z, req, b, 3);
        return;
    }
    ok(z, req, NULL, 0);
}

static void zdo_permit_joining_req(zboss_emu *z, const zboss_hl *req)
{
    LOG_DEBUG("zboss: permit joining %u s (dst %04x)", req->params[2], get_le16(req->params));
    ok(z, req, NULL, 0);
}

static void zdo_mgmt_lqi_req(zboss_emu *z, const zboss_hl *req)
{
    if (to_remote(z, req)) return;
    zboss_addr_map_entry am[255];
    zboss_neighbour nb[255];
    long n_am = load_addr_map(z, am, 255), n_nb = 0;
    const zboss_dataset_blob *bl = &z->nv.ds[ZBOSS_DS_NEIGHBOUR_TBL];
    if (bl->present) n_nb = zboss_neighbour_decode(bl->data, bl->len, nb, 255);
    if (n_nb < 0) n_nb = 0;
    uint8_t start = req->params[2], b[3 + 2 * 22];
    size_t cnt = 0;
    for (long i = start; i < n_nb && cnt < 2; i++, cnt++) {
        uint8_t *r = b + 3 + cnt * 22;
        const zboss_addr_map_entry *a = nb[i].addr_ref < n_am ? &am[nb[i].addr_ref] : NULL;
        memcpy(r, z->nv.nwk_epid, 8);
        put_le64(r + 8, a ? a->ieee : 0);
        put_le16(r + 16, a ? a->nwk : 0xFFFF);
        r[18] =
            (uint8_t)(nb[i].device_type | ((nb[i].rx_on ? 1 : 0) << 2) | (nb[i].relationship << 4));
        r[19] = 2; /* permit joining unknown */
        r[20] = nb[i].depth;
        r[21] = 200;
    }
    b[0] = (uint8_t)n_nb;
    b[1] = start;
    b[2] = (uint8_t)cnt;
    ok(z, req, b, 3 + cnt * 22);
}

static void zdo_mgmt_nwk_update_req(zboss_emu *z, const zboss_hl *req)
{
    uint32_t mask = get_le32(req->params);
    uint8_t duration = req->params[4];
    if (duration > 5) { /* channel change or manager update: accepted, nothing to report */
        ok(z, req, NULL, 0);
        return;
    }
    uint8_t b[9 + 16];
    size_t n = 0;
    for (int ch = 11; ch <= 26; ch++)
        if (mask & (1u << ch))
            b[9 + n++] = (uint8_t)(ch == z->nv.channel ? 0x40 : emu_rand(z->e) % 0x30);
    put_le32(b, mask & 0x07FFF800);
    put_le16(b + 4, 0);
    put_le16(b + 6, 0);
    b[8] = (uint8_t)n;
    ok(z, req, b, 9 + n);
}

static void zdo_set_manuf_code(zboss_emu *z, const zboss_hl *req)
{
    z->manuf_code = get_le16(req->params);
    ok(z, req, NULL, 0);
}

/* A simulated device obeys MGMT_LEAVE: it leaves, the NCP forgets it (datasets on disk first),
 * answers OK and reports the leave with NWK_LEAVE_IND (ieee, rejoin), as for a real device. */
static void zdo_mgmt_leave_req(zboss_emu *z, const zboss_hl *req)
{
    uint16_t nwk = get_le16(req->params);
    if (nwk == 0x0000 || req->params_len < 11) {
        zdo_target_first(z, req);
        return;
    }
    uint64_t ieee = 0;
    int rc = zboss_remove_device(z, nwk, &ieee);
    if (rc == 1) {
        zdo_fail(z, req, ZDP_DEVICE_NOT_FOUND);
        return;
    }
    if (rc < 0) {
        fail(z, req, ZBOSS_OPERATION_FAILED);
        return;
    }
    ok(z, req, NULL, 0);
    uint8_t ind[9];
    put_le64(ind, ieee);
    ind[8] = (req->params[10] & 0x80) ? 1 : 0;
    zboss_indicate(z, ZBOSS_NWK_LEAVE_IND, ind, sizeof(ind));
}

/* ---------------------------------------------------------------- table */

const zboss_cmd zboss_zdo_commands[] = {
    {ZBOSS_ZDO_NWK_ADDR_REQ, 12, 12, zdo_nwk_addr_req, "ZDO_NWK_ADDR_REQ"},
    {ZBOSS_ZDO_IEEE_ADDR_REQ, 6, 6, zdo_ieee_addr_req, "ZDO_IEEE_ADDR_REQ"},
    {ZBOSS_ZDO_POWER_DESC_REQ, 2, 2, zdo_power_desc_req, "ZDO_POWER_DESC_REQ"},
    {ZBOSS_ZDO_NODE_DESC_REQ, 2, 2, zdo_node_desc_req, "ZDO_NODE_DESC_REQ"},
    {ZBOSS_ZDO_SIMPLE_DESC_REQ, 3, 3, zdo_simple_desc_req, "ZDO_SIMPLE_DESC_REQ"},
    {ZBOSS_ZDO_ACTIVE_EP_REQ, 2, 2, zdo_active_ep_req, "ZDO_ACTIVE_EP_REQ"},
    {ZBOSS_ZDO_MATCH_DESC_REQ, 6, ANY_LEN, zdo_match_desc_req, "ZDO_MATCH_DESC_REQ"},
    {ZBOSS_ZDO_BIND_REQ, 2, ANY_LEN, zdo_target_first, "ZDO_BIND_REQ"},
    {ZBOSS_ZDO_UNBIND_REQ, 2, ANY_LEN, zdo_target_first, "ZDO_UNBIND_REQ"},
    {ZBOSS_ZDO_MGMT_LEAVE_REQ, 2, ANY_LEN, zdo_mgmt_leave_req, "ZDO_MGMT_LEAVE_REQ"},
    {ZBOSS_ZDO_PERMIT_JOINING_REQ, 4, 4, zdo_permit_joining_req, "ZDO_PERMIT_JOINING_REQ"},
    {ZBOSS_ZDO_MGMT_BIND_REQ, 3, 3, zdo_target_first, "ZDO_MGMT_BIND_REQ"},
    {ZBOSS_ZDO_MGMT_LQI_REQ, 3, 3, zdo_mgmt_lqi_req, "ZDO_MGMT_LQI_REQ"},
    {ZBOSS_ZDO_MGMT_NWK_UPDATE_REQ, 5, ANY_LEN, zdo_mgmt_nwk_update_req, "ZDO_MGMT_NWK_UPDATE_REQ"},
    {ZBOSS_ZDO_SET_NODE_DESC_MANUF_CODE, 2, 2, zdo_set_manuf_code, "ZDO_SET_NODE_DESC_MANUF_CODE"},
};
const size_t zboss_n_zdo_commands = sizeof(zboss_zdo_commands) / sizeof(zboss_zdo_commands[0]);
