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

static int zdo_fail(uint8_t zdp_status)
{
    return zboss_st(ZBOSS_CAT_ZDO, zdp_status);
}

/* A request for a node other than the coordinator, named by its NWK address or (by_ieee) its
 * IEEE: a device in the address map never answers (simulated devices), another is not found. */
static int zdo_remote_by(const zboss_emu *z, bool by_ieee, uint64_t id)
{
    zboss_addr_map_entry am[255];
    long n = load_addr_map(z, am, 255);
    for (long i = 0; i < n; i++)
        if (by_ieee ? am[i].ieee == id : am[i].nwk == id) return zdo_fail(ZDP_TIMEOUT);
    return zdo_fail(ZDP_DEVICE_NOT_FOUND);
}

static int zdo_remote(const zboss_emu *z, uint16_t nwk)
{
    return zdo_remote_by(z, false, nwk);
}

/* the coordinator's own addresses; `type` 1 (extended) adds an empty device list */
static int zdo_addr_reply(const zboss_ctx *c, uint8_t type)
{
    zboss_addr_rsp *o = c->out;
    o->ieee = get_le64(c->z->nv.ieee);
    o->nwk = 0x0000;
    o->extended_len = type ? 1 : 0; /* num 0: no start, no list */
    return ZBOSS_OK;
}

static int zdo_nwk_addr_req(const zboss_ctx *c)
{
    const zboss_nwk_addr_req *in = c->in;
    if (in->ieee == get_le64(c->z->nv.ieee)) return zdo_addr_reply(c, in->type);
    return zdo_remote_by(c->z, true, in->ieee);
}

static int zdo_ieee_addr_req(const zboss_ctx *c)
{
    const zboss_ieee_addr_req *in = c->in;
    if (in->nwk == 0x0000) return zdo_addr_reply(c, in->type);
    return zdo_remote(c->z, in->nwk);
}

static int zdo_power_desc_req(const zboss_ctx *c)
{
    uint16_t nwk = ((const zboss_nwk *)c->in)->nwk;
    if (nwk != 0x0000) return zdo_remote(c->z, nwk);
    /* on when idle, mains, full */
    *(zboss_power_desc_rsp *)c->out = (zboss_power_desc_rsp){0xC010, 0x0000};
    return ZBOSS_OK;
}

static int zdo_node_desc_req(const zboss_ctx *c)
{
    uint16_t nwk = ((const zboss_nwk *)c->in)->nwk;
    if (nwk != 0x0000) return zdo_remote(c->z, nwk);
    *(zboss_node_desc_rsp *)c->out = (zboss_node_desc_rsp){
        .flags = 0x4000, /* coordinator, 2.4 GHz band */
        .mac_cap = 0x8F, /* alternate PAN coordinator, FFD, mains, rx on, allocate */
        .manuf = c->z->manuf_code,
        .max_buf = 89,
        .max_in = 160,
        .server_mask = 0x2C41, /* stack revision 22, primary TC, network manager */
        .max_out = 160,
        .nwk = 0x0000}; /* NWK address last (§5.3) */
    return ZBOSS_OK;
}

static int zdo_simple_desc_req(const zboss_ctx *c)
{
    const zboss_simple_desc_req *in = c->in;
    if (in->ep == 0 || in->ep == 255) return ZBOSS_INVALID_PARAMETER_2;
    if (in->nwk != 0x0000) return zdo_remote(c->z, in->nwk);
    const zboss_endpoint *ep = &c->z->endpoints[in->ep];
    zboss_simple_desc d;
    if (!ep->used || zs_decode(&zboss_simple_desc_layout, ep->desc, ep->len, &d, NULL) < 0)
        return zdo_fail(0x83); /* NOT_ACTIVE */
    zboss_simple_desc_rsp *o = c->out;
    *o = (zboss_simple_desc_rsp){d.ep, d.profile, d.device, d.version, d.in_count, d.out_count};
    memcpy(o->clusters_nwk, d.clusters, d.clusters_len);
    put_le16(o->clusters_nwk + d.clusters_len, 0x0000); /* the source nwk */
    o->clusters_nwk_len = (uint16_t)(d.clusters_len + 2);
    return ZBOSS_OK;
}

static int zdo_active_ep_req(const zboss_ctx *c)
{
    uint16_t nwk = ((const zboss_nwk *)c->in)->nwk;
    if (nwk != 0x0000) return zdo_remote(c->z, nwk);
    zboss_ep_list_rsp *o = c->out;
    for (int ep = 1; ep < 255; ep++)
        if (c->z->endpoints[ep].used) o->eps[o->eps_len++] = (uint8_t)ep;
    o->nwk = 0x0000;
    return ZBOSS_OK;
}

static int zdo_match_desc_req(const zboss_ctx *c)
{
    uint16_t nwk = ((const zboss_match_desc_req *)c->in)->nwk;
    if (nwk != 0x0000 && nwk < 0xFFF8) return zdo_remote(c->z, nwk);
    return ZBOSS_OK; /* no matching endpoint, NWK address 0x0000 */
}

/* bind, unbind, leave: the coordinator itself accepts; others never answer */
static int zdo_bind_req(const zboss_ctx *c)
{
    uint16_t dst = ((const zboss_zdo_target_req *)c->in)->dst;
    return dst != 0x0000 ? zdo_remote(c->z, dst) : ZBOSS_OK;
}

/* the coordinator's binding table: empty */
static int zdo_mgmt_bind_req(const zboss_ctx *c)
{
    const zboss_zdo_start_req *in = c->in;
    if (in->dst != 0x0000) return zdo_remote(c->z, in->dst);
    ((zboss_mgmt_bind_rsp *)c->out)->start = in->start;
    return ZBOSS_OK;
}

static int zdo_permit_joining_req(const zboss_ctx *c)
{
    const zboss_permit_join_req *in = c->in;
    LOG_DEBUG("zboss: permit joining %u s (dst %04x)", in->duration, in->dst);
    return ZBOSS_OK;
}

static long load_neighbours(const zboss_emu *z, zboss_neighbour *nb, size_t max)
{
    const zboss_dataset_blob *bl = &z->nv.ds[ZBOSS_DS_NEIGHBOUR_TBL];
    long n = bl->present ? zboss_neighbour_decode(bl->data, bl->len, nb, max) : 0;
    return n < 0 ? 0 : n;
}

static int zdo_mgmt_lqi_req(const zboss_ctx *c)
{
    const zboss_zdo_start_req *in = c->in;
    if (in->dst != 0x0000) return zdo_remote(c->z, in->dst);
    zboss_addr_map_entry am[255];
    zboss_neighbour nb[255];
    long n_am = load_addr_map(c->z, am, 255), n_nb = load_neighbours(c->z, nb, 255);
    zboss_mgmt_lqi_rsp *o = c->out;
    o->total = (uint8_t)n_nb;
    o->start = in->start;
    for (long i = in->start; i < n_nb && o->neighbors_len < 2; i++) {
        zboss_lqi_neighbor *r = &o->neighbors[o->neighbors_len++];
        const zboss_addr_map_entry *a = nb[i].addr_ref < n_am ? &am[nb[i].addr_ref] : NULL;
        memcpy(r->epid, c->z->nv.nwk_epid, 8);
        r->ieee = a ? a->ieee : 0;
        r->nwk = a ? a->nwk : 0xFFFF;
        r->flags =
            (uint8_t)(nb[i].device_type | ((nb[i].rx_on ? 1 : 0) << 2) | (nb[i].relationship << 4));
        r->permit = 2; /* permit joining unknown */
        r->depth = nb[i].depth;
        r->lqi = 200;
    }
    return ZBOSS_OK;
}

static int zdo_mgmt_nwk_update_req(const zboss_ctx *c)
{
    const zboss_nwk_update_req *in = c->in;
    if (in->duration > 5) { /* channel change or manager update: accepted, nothing to report */
        zboss_answer(c->z, c->req, &zs_empty_layout, NULL);
        return ZBOSS_ANSWERED;
    }
    zboss_nwk_update_rsp *o = c->out;
    for (int ch = 11; ch <= 26; ch++)
        if (in->channels & (1u << ch))
            o->energies[o->energies_len++] =
                (uint8_t)(ch == c->z->nv.channel ? 0x40 : emu_rand(c->z->e) % 0x30);
    o->scanned = in->channels & 0x07FFF800;
    return ZBOSS_OK;
}

static int zdo_set_manuf_code(const zboss_ctx *c)
{
    c->z->manuf_code = ((const zboss_manuf_req *)c->in)->manuf;
    return ZBOSS_OK;
}

/* A simulated device obeys MGMT_LEAVE: it leaves, the NCP forgets it (datasets on disk first),
 * answers OK and reports the leave with NWK_LEAVE_IND (ieee, rejoin), as for a real device. */
static int zdo_mgmt_leave_req(const zboss_ctx *c)
{
    const zboss_zdo_target_req *in = c->in;
    zboss_leave_zdp zdp;
    if (in->dst == 0x0000 ||
        zs_decode(&zboss_leave_zdp_layout, in->zdp, in->zdp_len, &zdp, NULL) < 0)
        return zdo_bind_req(c);
    zboss_leave_ind ind = {0, (zdp.flags & 0x80) ? 1 : 0};
    int rc = zboss_remove_device(c->z, in->dst, &ind.ieee);
    if (rc == 1) return zdo_fail(ZDP_DEVICE_NOT_FOUND);
    if (rc < 0) return ZBOSS_OPERATION_FAILED;
    zboss_answer(c->z, c->req, &zs_empty_layout, NULL);
    uint8_t b[16];
    long n = zs_encode_to(&zboss_leave_ind_layout, &ind, b, sizeof(b));
    if (n > 0) zboss_indicate(c->z, ZBOSS_NWK_LEAVE_IND, b, (size_t)n);
    return ZBOSS_ANSWERED;
}

/* ---------------------------------------------------------------- table */

const zboss_cmd zboss_zdo_commands[] = {
    {ZBOSS_ZDO_NWK_ADDR_REQ, zdo_nwk_addr_req},
    {ZBOSS_ZDO_IEEE_ADDR_REQ, zdo_ieee_addr_req},
    {ZBOSS_ZDO_POWER_DESC_REQ, zdo_power_desc_req},
    {ZBOSS_ZDO_NODE_DESC_REQ, zdo_node_desc_req},
    {ZBOSS_ZDO_SIMPLE_DESC_REQ, zdo_simple_desc_req},
    {ZBOSS_ZDO_ACTIVE_EP_REQ, zdo_active_ep_req},
    {ZBOSS_ZDO_MATCH_DESC_REQ, zdo_match_desc_req},
    {ZBOSS_ZDO_BIND_REQ, zdo_bind_req},
    {ZBOSS_ZDO_UNBIND_REQ, zdo_bind_req},
    {ZBOSS_ZDO_MGMT_LEAVE_REQ, zdo_mgmt_leave_req},
    {ZBOSS_ZDO_PERMIT_JOINING_REQ, zdo_permit_joining_req},
    {ZBOSS_ZDO_MGMT_BIND_REQ, zdo_mgmt_bind_req},
    {ZBOSS_ZDO_MGMT_LQI_REQ, zdo_mgmt_lqi_req},
    {ZBOSS_ZDO_MGMT_NWK_UPDATE_REQ, zdo_mgmt_nwk_update_req},
    {ZBOSS_ZDO_SET_NODE_DESC_MANUF_CODE, zdo_set_manuf_code},
};
const size_t zboss_n_zdo_commands = sizeof(zboss_zdo_commands) / sizeof(zboss_zdo_commands[0]);
