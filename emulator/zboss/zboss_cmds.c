/* zboss_cmds.c - HL call handlers of the emulated ZBOSS NCP, one table row per call id.
 *
 * Each row names the call id and its handler; the call's row in proto/zboss_schema.c gives its
 * name and the layouts its parameters are decoded from and its answer encoded with. Unknown
 * call ids get ILLEGAL_REQUEST (0/62), parameters that do not fit the layout INVALID_FORMAT
 * (0/42), both with the response header only, as the DSR firmware does (zboss-ncp.md §3, §5).
 * Every NVRAM change is on disk before its response. ZDO calls addressed to the coordinator are
 * answered from its own descriptors; simulated devices never answer (ZDO timeout, APS no-ack). */
#include "emu_commands.h"
#include "zboss_cmds.h"

#include "bytes.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- NCP configuration */

static int get_module_version(const zboss_ctx *c)
{
    zboss_module_version_rsp *o = c->out;
    o->fw = 0x02090000;       /* firmware 2.9.0.0 */
    o->stack = 0x03020000;    /* stack 3.2.0.0 (DSR example, §5.1) */
    o->protocol = 0x00000113; /* NCP protocol 1.19 */
    return ZBOSS_OK;
}

static int ncp_reset(const zboss_ctx *c)
{
    /* DSR ncp_hl_proto.c reset_req: a request without its option byte (the layout's) or with an
     * unknown option is INVALID_FORMAT */
    const zboss_reset_req *in = c->in;
    if (in->option > 3) return ZBOSS_INVALID_FORMAT;
    zboss_schedule_reset(c->z, in->option); /* answered after the reboot, TSN 0xFF */
    return ZBOSS_ANSWERED;
}

static int get_role(const zboss_ctx *c)
{
    ((zboss_role *)c->out)->role = c->z->nv.role;
    return ZBOSS_OK;
}

static int set_role(const zboss_ctx *c)
{
    const zboss_role *in = c->in;
    if (in->role > 2) return ZBOSS_INVALID_PARAMETER;
    c->z->nv.role = in->role;
    return ZBOSS_OK;
}

static int get_channel_mask(const zboss_ctx *c)
{
    zboss_chmask_list *o = c->out;
    o->entries_len = 1;
    o->entries[0] = (zboss_chmask){0, c->z->nv.channel_mask};
    return ZBOSS_OK;
}

static int set_channel_mask(const zboss_ctx *c)
{
    const zboss_chmask *in = c->in;
    if (in->page != 0) return ZBOSS_NOT_IMPLEMENTED; /* a 2.4 GHz build knows page 0 only */
    if (in->mask & ~0x07FFF800u) return ZBOSS_INVALID_PARAMETER;
    c->z->nv.channel_mask = in->mask;
    return ZBOSS_OK;
}

static int get_channel(const zboss_ctx *c)
{
    *(zboss_channel_rsp *)c->out = (zboss_channel_rsp){c->z->nv.page, c->z->nv.channel};
    return ZBOSS_OK;
}

static int get_pan_id(const zboss_ctx *c)
{
    ((zboss_pan *)c->out)->pan_id = c->z->nv.pan_id;
    return ZBOSS_OK;
}

static int set_pan_id(const zboss_ctx *c)
{
    c->z->nv.pan_id = ((const zboss_pan *)c->in)->pan_id;
    return ZBOSS_OK;
}

static int get_local_ieee(const zboss_ctx *c)
{
    ((zboss_local_ieee *)c->out)->ieee = get_le64(c->z->nv.ieee);
    return ZBOSS_OK;
}

static int set_local_ieee(const zboss_ctx *c)
{
    const zboss_local_ieee *in = c->in;
    if (in->mac_if != 0) return ZBOSS_INVALID_PARAMETER;
    put_le64(c->z->nv.ieee, in->ieee);
    return ZBOSS_OK;
}

static int get_tx_power(const zboss_ctx *c)
{
    ((zboss_dbm *)c->out)->dbm = (uint8_t)c->z->tx_power;
    return ZBOSS_OK;
}

static int set_tx_power(const zboss_ctx *c)
{
    int8_t dbm = (int8_t)((const zboss_dbm *)c->in)->dbm;
    c->z->tx_power = dbm > 8 ? 8 : dbm < -40 ? -40 : dbm; /* nRF52840 range */
    return get_tx_power(c);
}

/* a call answering one byte */
static int ok_u8(const zboss_ctx *c, uint8_t v)
{
    ((zboss_u8 *)c->out)->value = v;
    return ZBOSS_OK;
}

static int get_rx_on(const zboss_ctx *c)
{
    return ok_u8(c, c->z->nv.rx_on_when_idle);
}

static int set_rx_on(const zboss_ctx *c)
{
    c->z->nv.rx_on_when_idle = ((const zboss_u8 *)c->in)->value ? 1 : 0;
    return ZBOSS_OK;
}

static int get_joined(const zboss_ctx *c)
{
    return ok_u8(c, c->z->nv.formed ? 1 : 0); /* herdsman tests == 1 */
}

static int get_authenticated(const zboss_ctx *c)
{
    return ok_u8(c, c->z->nv.formed ? 1 : 0);
}

static int get_ed_timeout(const zboss_ctx *c)
{
    return ok_u8(c, c->z->nv.ed_timeout);
}

static int set_ed_timeout(const zboss_ctx *c)
{
    uint8_t v = ((const zboss_u8 *)c->in)->value;
    if (v > 14) return ZBOSS_INVALID_PARAMETER;
    c->z->nv.ed_timeout = v;
    return ZBOSS_OK;
}

static int set_nwk_key(const zboss_ctx *c)
{
    const zboss_set_nwk_key_req *in = c->in;
    uint8_t n = in->key_no;
    if (n >= 3) return ZBOSS_OK; /* §9.4: ignored, still OK */
    memcpy(c->z->nv.nwk_key[n], in->key, 16);
    c->z->nv.key_present[n] = true;
    return ZBOSS_OK;
}

static int get_nwk_keys(const zboss_ctx *c)
{
    const zboss_nv *nv = &c->z->nv;
    zboss_nwk_keys_rsp *o = c->out;
    if (c->z->keys_locked) return ZBOSS_OPERATION_FAILED;
    /* the active key first, then the other sequence numbers ascending; missing: zeros */
    uint8_t order[3] = {nv->active_key_seq, 0, 0};
    for (uint8_t s = 0, k = 1; s < 3; s++)
        if (s != nv->active_key_seq) order[k++] = s;
    for (int i = 0; i < 3; i++) {
        uint8_t s = order[i];
        if (!nv->key_present[s]) continue;
        memcpy(o->keys[i].key, nv->nwk_key[s], 16);
        o->keys[i].seq = s;
    }
    return ZBOSS_OK;
}

static long load_keys(const zboss_emu *z, zboss_aps_key *out, size_t max)
{
    const zboss_dataset_blob *b = &z->nv.ds[ZBOSS_DS_APS_SECURE_DATA];
    if (!b->present) return 0;
    long n = zboss_aps_keys_decode(b->data, b->len, out, max);
    return n < 0 ? 0 : n;
}

static int get_aps_key_by_ieee(const zboss_ctx *c)
{
    zboss_aps_key keys[255];
    long n = load_keys(c->z, keys, 255);
    uint64_t ieee = ((const zboss_ieee *)c->in)->ieee;
    for (long i = 0; i < n; i++)
        if (keys[i].ieee == ieee) {
            memcpy(((zboss_key *)c->out)->key, keys[i].key, 16);
            return ZBOSS_OK;
        }
    return ZBOSS_NOT_FOUND;
}

static int answer_nwk(const zboss_ctx *c, uint16_t nwk)
{
    ((zboss_nwk *)c->out)->nwk = nwk;
    return ZBOSS_OK;
}

static int get_parent_address(const zboss_ctx *c)
{
    return answer_nwk(c, 0xFFFF); /* a coordinator has no parent */
}

static int get_extended_pan_id(const zboss_ctx *c)
{
    /* §9.2: real NCPs return the reverse of the bytes they were given (herdsman PR #1293);
     * both hosts reverse what they read, so each reads back what it wrote */
    const zboss_nv *nv = &c->z->nv;
    zb_ieee_reverse(((zboss_epid *)c->out)->epid, nv->formed ? nv->nwk_epid : nv->aps_epid);
    return ZBOSS_OK;
}

static int get_coordinator_version(const zboss_ctx *c)
{
    return ok_u8(c, c->z->nv.coordinator_version);
}

static int get_short_address(const zboss_ctx *c)
{
    return answer_nwk(c, c->z->nv.formed ? 0x0000 : 0xFFFF);
}

static int get_tc_address(const zboss_ctx *c)
{
    ((zboss_ieee *)c->out)->ieee = c->z->nv.formed ? get_le64(c->z->nv.ieee) : 0;
    return ZBOSS_OK;
}

static int set_tc_policy(const zboss_ctx *c)
{
    const zboss_tc_policy_req *in = c->in;
    zboss_emu *z = c->z;
    if (in->type > 5) return ZBOSS_NOT_FOUND;
    z->nv.tc_policy[in->type] = in->value;
    /* the 8 bytes the DSR source appends: what the response buffer holds (zboss_frontend.h) */
    zboss_tc_policy_rsp *o = c->out;
    o->buffer_len = sizeof(z->rsp_buf);
    memcpy(o->buffer, z->rsp_buf, sizeof(z->rsp_buf));
    return ZBOSS_OK;
}

static int set_extended_pan_id(const zboss_ctx *c)
{
    memcpy(c->z->nv.aps_epid, ((const zboss_epid *)c->in)->epid, 8);
    return ZBOSS_OK;
}

static int set_max_children(const zboss_ctx *c)
{
    c->z->nv.max_children = ((const zboss_u8 *)c->in)->value;
    return ZBOSS_OK;
}

static int get_max_children(const zboss_ctx *c)
{
    return ok_u8(c, c->z->nv.max_children);
}

/* ---------------------------------------------------------------- NVRAM */

/* COMMON_DATA (proto/zboss_schema.h) from the fields the NCP keeps: its length. */
static size_t encode_common_data(const zboss_nv *nv, uint8_t *out, size_t cap)
{
    uint8_t s = nv->active_key_seq;
    /* designated coordinator, stack profile 2, device type from the role */
    zboss_common_data d = {
        .bits = (uint8_t)((nv->role == 0 ? 1 : 0) | (2 << 2) | ((nv->role & 3) << 6)),
        .pan_id = nv->pan_id,
        .nwk_addr = nv->formed ? 0x0000 : 0xFFFF,
        .aps_channel_mask = nv->channel_mask, /* page 0 in the top bits */
        .nwk_key_seq = s,
        .channel = nv->channel,
        .page = nv->page,
        .channel_in_use = nv->channel ? 1u << nv->channel : 0,
        .supported_channels = 0x07FFF800,
        .flags = (uint8_t)((nv->rx_on_when_idle & 1) << 1)};
    memcpy(d.aps_use_epid, nv->aps_epid, 8);
    memcpy(d.nwk_epid, nv->nwk_epid, 8);
    memset(d.parent_ieee, 0xFF, 8); /* parent: none */
    memcpy(d.tc_ieee, nv->ieee, 8);
    if (nv->key_present[s]) memcpy(d.nwk_key, nv->nwk_key[s], 16);
    memcpy(d.tc_standard_key, ZBOSS_TC_STANDARD_KEY, 16);
    long n = zs_encode_to(&zboss_common_data_layout, &d, out, cap);
    return n < 0 ? 0 : (size_t)n;
}

static int nvram_read(const zboss_ctx *c)
{
    zboss_emu *z = c->z;
    uint16_t type = ((const zboss_nvram_read_req *)c->in)->type;
    if (type < 1 || type > ZBOSS_DS_MAX) {
        /* DSR ncp_hl_proto.c nvram_read: every failure of the dataset read but NOT_FOUND is
         * answered as generic ERROR (0/1); the INVALID_PARAMETER_1 of zb_nvram.c stays inside */
        return ZBOSS_ERROR;
    }
    zboss_nvram_data_rsp *o = c->out;
    o->nvram_version = ZBOSS_NVRAM_VERSION;
    o->type = type;
    if (type == ZBOSS_DS_COMMON_DATA) {
        if (!z->nv.formed) return ZBOSS_NOT_FOUND;
        o->data_len = (uint16_t)encode_common_data(&z->nv, o->data, sizeof(o->data));
        o->version = zboss_dataset_version(type);
        return ZBOSS_OK; /* over 247 bytes: fragmented */
    }
    const zboss_dataset_blob *b = &z->nv.ds[type];
    if (!b->present) return ZBOSS_NOT_FOUND;
    if (b->len > sizeof(o->data)) return ZBOSS_OPERATION_FAILED;
    o->version = b->version;
    o->data_len = (uint16_t)b->len;
    memcpy(o->data, b->data, o->data_len);
    return ZBOSS_OK;
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

/* One dataset of a transaction: 0 when stored or acceptable (pass 0: checks only), else the
 * failure to answer. */
static int nvram_write_one(zboss_emu *z, int pass, const zboss_nvram_dataset *ds)
{
    if (pass == 0) {
        /* a dataset the stack refuses (type out of 1..31, or not the version it writes, §8.2):
         * DSR ncp_hl_proto.c nvram_write answers generic ERROR (0/1) whatever
         * zb_nvram_write_dataset_direct returned (INVALID_PARAMETER_1/2) */
        if (ds->type < 1 || ds->type > ZBOSS_DS_MAX ||
            ds->version != zboss_dataset_version(ds->type))
            return ZBOSS_ERROR;
        /* COMMON_DATA is kept as fields, written by the NCP's own calls only (zigpy warns that
         * a foreign COMMON_DATA bricks real firmware) */
        if (ds->type == ZBOSS_DS_COMMON_DATA) return ZBOSS_NOT_IMPLEMENTED;
        if (!dataset_well_formed(ds->type, ds->data, ds->data_len)) return ZBOSS_INVALID_FORMAT;
        return ZBOSS_OK;
    }
    if (zboss_nv_ds_put(&z->nv, ds->type, ds->version, ds->data, ds->data_len) < 0)
        return ZBOSS_OPERATION_FAILED;
    return ZBOSS_OK;
}

static int nvram_write(const zboss_ctx *c)
{
    const zboss_nvram_write_req *in = c->in;
    zboss_nvram_dataset *ds = malloc(sizeof(*ds));
    if (!ds) return ZBOSS_OPERATION_FAILED;
    /* validate the whole transaction first, then apply it (§8.3) */
    int st = ZBOSS_OK;
    for (int pass = 0; pass < 2 && !st; pass++) {
        size_t at = 0;
        for (uint8_t i = 0; i < in->count && !st; i++) {
            long n = zs_decode(&zboss_nvram_dataset_layout, in->datasets + at,
                               in->datasets_len - at, ds, NULL);
            if (n < 0) {
                st = ZBOSS_INVALID_FORMAT;
                break;
            }
            at += (size_t)n;
            st = nvram_write_one(c->z, pass, ds);
        }
        if (!st && pass == 0 && at != in->datasets_len) st = ZBOSS_INVALID_FORMAT;
    }
    free(ds);
    return st;
}

static int nvram_erase(const zboss_ctx *c)
{
    zboss_nv_erase(&c->z->nv);
    c->z->running = false;
    return ZBOSS_OK;
}

static int nvram_clear(const zboss_ctx *c)
{
    zboss_nv_clear(&c->z->nv);
    c->z->running = false;
    return ZBOSS_OK;
}

/* ---------------------------------------------------------------- AF */

static int af_set_simple_desc(const zboss_ctx *c)
{
    const zboss_simple_desc *in = c->in;
    if (in->clusters_len != 2 * ((size_t)in->in_count + in->out_count) || in->ep == 0 ||
        in->ep == 255)
        return ZBOSS_INVALID_FORMAT;
    zboss_endpoint *ep = &c->z->endpoints[in->ep];
    long n = zs_encode_to(&zboss_simple_desc_layout, in, ep->desc, sizeof(ep->desc));
    if (n < 0) return ZBOSS_INVALID_FORMAT;
    ep->used = true;
    ep->len = (size_t)n;
    return ZBOSS_OK;
}

static int af_del_simple_desc(const zboss_ctx *c)
{
    c->z->endpoints[((const zboss_u8 *)c->in)->value].used = false;
    return ZBOSS_OK;
}

static int af_set_node_desc(const zboss_ctx *c)
{
    c->z->manuf_code = ((const zboss_node_desc_req *)c->in)->manuf;
    return ZBOSS_OK;
}

static int ok_empty(const zboss_ctx *c)
{
    (void)c;
    return ZBOSS_OK;
}

/* ---------------------------------------------------------------- APS */

/* The parameter block by its length: DSR's 21 bytes, or herdsman's 20-byte group form without
 * dst_ep (accepted, unlike DSR). */
static int apsde_params(const zboss_apsde_data_req *in, zboss_apsde_params *p)
{
    if (in->param_len == 21)
        return zs_decode(&zboss_apsde_params_layout, in->body, in->body_len, p, NULL) < 0 ? -1 : 0;
    zboss_apsde_params20 g;
    if (in->param_len != 20 ||
        zs_decode(&zboss_apsde_params20_layout, in->body, in->body_len, &g, NULL) < 0)
        return -1;
    *p = (zboss_apsde_params){.profile = g.profile,
                              .cluster = g.cluster,
                              .src_ep = g.src_ep,
                              .radius = g.radius,
                              .addr_mode = g.addr_mode,
                              .tx_options = g.tx_options,
                              .use_alias = g.use_alias,
                              .alias_src = g.alias_src,
                              .alias_seq = g.alias_seq};
    memcpy(p->dst, g.dst, 8);
    return 0;
}

static int apsde_data_req(const zboss_ctx *c)
{
    const zboss_apsde_data_req *in = c->in;
    zboss_apsde_params p;
    if (in->body_len != (size_t)in->param_len + in->data_len || apsde_params(in, &p) < 0)
        return ZBOSS_INVALID_FORMAT;
    uint16_t short_dst = get_le16(p.dst);
    uint8_t mode = p.addr_mode;
    int delivered =
        mode == 1 || (mode == 2 && short_dst >= 0xFFF8) || (mode == 2 && short_dst == 0x0000);
    if (!delivered) return zboss_st(ZBOSS_CAT_APS, APS_NO_ACK);
    zboss_apsde_data_rsp *o = c->out;
    memcpy(o->dst, p.dst, 8);
    o->dst_ep = p.dst_ep;
    o->src_ep = p.src_ep;
    o->tx_time = 5;
    o->addr_mode = mode;
    return ZBOSS_OK;
}

static int apsme_add_group(const zboss_ctx *c)
{
    zboss_emu *z = c->z;
    uint16_t g = ((const zboss_group_req *)c->in)->group;
    for (int i = 0; i < z->n_groups; i++)
        if (z->groups[i] == g) return ZBOSS_OK;
    if (z->n_groups == 32) return 65; /* TABLE_FULL */
    z->groups[z->n_groups++] = g;
    return ZBOSS_OK;
}

static int apsme_rm_group(const zboss_ctx *c)
{
    zboss_emu *z = c->z;
    uint16_t g = ((const zboss_group_req *)c->in)->group;
    for (int i = 0; i < z->n_groups; i++)
        if (z->groups[i] == g) z->groups[i--] = z->groups[--z->n_groups];
    return ZBOSS_OK;
}

static int apsme_rm_all_groups(const zboss_ctx *c)
{
    c->z->n_groups = 0;
    return ZBOSS_OK;
}

static int aps_get_group_table(const zboss_ctx *c)
{
    zboss_group_table_rsp *o = c->out;
    o->groups_len = (uint16_t)c->z->n_groups;
    memcpy(o->groups, c->z->groups, sizeof(uint16_t) * (size_t)c->z->n_groups);
    return ZBOSS_OK;
}

/* ---------------------------------------------------------------- NWK */

static int nwk_formation(const zboss_ctx *c)
{
    const zboss_formation_req *in = c->in;
    zboss_emu *z = c->z;
    if (in->channels_len == 0) return ZBOSS_INVALID_FORMAT;
    uint32_t mask = 0;
    for (size_t i = 0; i < in->channels_len; i++)
        if (in->channels[i].page == 0) mask |= in->channels[i].mask;
    uint16_t pan;
    if (z->nv.role != 0 || in->distributed != 0 ||
        zboss_form(z, mask & 0x07FFF800, in->epid, &pan) < 0)
        return ZBOSS_OPERATION_FAILED;
    *(zboss_formation_rsp *)c->out = (zboss_formation_rsp){0x0000, pan, z->nv.page, z->nv.channel};
    return ZBOSS_OK;
}

static int nwk_get_ieee_by_short(const zboss_ctx *c)
{
    zboss_emu *z = c->z;
    uint16_t nwk = ((const zboss_nwk *)c->in)->nwk;
    uint64_t *ieee = &((zboss_ieee *)c->out)->ieee;
    if (nwk == 0x0000 && z->nv.formed) {
        *ieee = get_le64(z->nv.ieee);
        return ZBOSS_OK;
    }
    zboss_addr_map_entry am[255];
    long n = load_addr_map(z, am, 255);
    for (long i = 0; i < n; i++)
        if (am[i].nwk == nwk) {
            *ieee = am[i].ieee;
            return ZBOSS_OK;
        }
    return ZBOSS_NOT_FOUND;
}

static int nwk_get_short_by_ieee(const zboss_ctx *c)
{
    zboss_emu *z = c->z;
    uint64_t ieee = ((const zboss_ieee *)c->in)->ieee;
    if (ieee == get_le64(z->nv.ieee) && z->nv.formed) return answer_nwk(c, 0x0000);
    zboss_addr_map_entry am[255];
    long n = load_addr_map(z, am, 255);
    for (long i = 0; i < n; i++)
        if (am[i].ieee == ieee) return answer_nwk(c, am[i].nwk);
    return ZBOSS_NOT_FOUND;
}

static int nwk_start_without_formation(const zboss_ctx *c)
{
    zboss_emu *z = c->z;
    if (!z->nv.formed || z->nv.channel == 0 || zb_all_bytes(z->nv.nwk_epid, 8, 0x00))
        return ZBOSS_OPERATION_FAILED; /* §5.5: no stored network */
    zboss_start_network(z);
    return ZBOSS_OK;
}

/* ---------------------------------------------------------------- table */

static const zboss_cmd COMMANDS[] = {
    {ZBOSS_GET_MODULE_VERSION, get_module_version},
    {ZBOSS_NCP_RESET, ncp_reset},
    {ZBOSS_GET_ZIGBEE_ROLE, get_role},
    {ZBOSS_SET_ZIGBEE_ROLE, set_role},
    {ZBOSS_GET_ZIGBEE_CHANNEL_MASK, get_channel_mask},
    {ZBOSS_SET_ZIGBEE_CHANNEL_MASK, set_channel_mask},
    {ZBOSS_GET_ZIGBEE_CHANNEL, get_channel},
    {ZBOSS_GET_PAN_ID, get_pan_id},
    {ZBOSS_SET_PAN_ID, set_pan_id},
    {ZBOSS_GET_LOCAL_IEEE_ADDR, get_local_ieee},
    {ZBOSS_SET_LOCAL_IEEE_ADDR, set_local_ieee},
    {ZBOSS_GET_TX_POWER, get_tx_power},
    {ZBOSS_SET_TX_POWER, set_tx_power},
    {ZBOSS_GET_RX_ON_WHEN_IDLE, get_rx_on},
    {ZBOSS_SET_RX_ON_WHEN_IDLE, set_rx_on},
    {ZBOSS_GET_JOINED, get_joined},
    {ZBOSS_GET_AUTHENTICATED, get_authenticated},
    {ZBOSS_GET_ED_TIMEOUT, get_ed_timeout},
    {ZBOSS_SET_ED_TIMEOUT, set_ed_timeout},
    {ZBOSS_SET_NWK_KEY, set_nwk_key},
    {ZBOSS_GET_NWK_KEYS, get_nwk_keys},
    {ZBOSS_GET_APS_KEY_BY_IEEE, get_aps_key_by_ieee},
    {ZBOSS_GET_PARENT_ADDRESS, get_parent_address},
    {ZBOSS_GET_EXTENDED_PAN_ID, get_extended_pan_id},
    {ZBOSS_GET_COORDINATOR_VERSION, get_coordinator_version},
    {ZBOSS_GET_SHORT_ADDRESS, get_short_address},
    {ZBOSS_GET_TRUST_CENTER_ADDRESS, get_tc_address},
    {ZBOSS_NVRAM_WRITE, nvram_write},
    {ZBOSS_NVRAM_READ, nvram_read},
    {ZBOSS_NVRAM_ERASE, nvram_erase},
    {ZBOSS_NVRAM_CLEAR, nvram_clear},
    {ZBOSS_SET_TC_POLICY, set_tc_policy},
    {ZBOSS_SET_EXTENDED_PAN_ID, set_extended_pan_id},
    {ZBOSS_SET_MAX_CHILDREN, set_max_children},
    {ZBOSS_GET_MAX_CHILDREN, get_max_children},
    {ZBOSS_AF_SET_SIMPLE_DESC, af_set_simple_desc},
    {ZBOSS_AF_DEL_SIMPLE_DESC, af_del_simple_desc},
    {ZBOSS_AF_SET_NODE_DESC, af_set_node_desc},
    {ZBOSS_AF_SET_POWER_DESC, ok_empty},
    {ZBOSS_APSDE_DATA_REQ, apsde_data_req},
    {ZBOSS_APSME_ADD_GROUP, apsme_add_group},
    {ZBOSS_APSME_RM_GROUP, apsme_rm_group},
    {ZBOSS_APSME_RM_ALL_GROUPS, apsme_rm_all_groups},
    {ZBOSS_APS_GET_GROUP_TABLE, aps_get_group_table},
    {ZBOSS_NWK_FORMATION, nwk_formation},
    {ZBOSS_NWK_PERMIT_JOINING, ok_empty},
    {ZBOSS_NWK_GET_IEEE_BY_SHORT, nwk_get_ieee_by_short},
    {ZBOSS_NWK_GET_SHORT_BY_IEEE, nwk_get_short_by_ieee},
    {ZBOSS_NWK_START_WITHOUT_FORMATION, nwk_start_without_formation},
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
    const zs_cmd *row = find_cmd(call_id) ? zboss_cmd_row(call_id) : NULL;
    return row ? row->name : NULL;
}

void zboss_answer(zboss_emu *z, const zboss_hl *req, const zs_layout *layout, const void *rsp)
{
    size_t cap = (size_t)layout->size + 1; /* a struct is never shorter than its payload */
    uint8_t *b = malloc(cap);
    long n = b ? zs_encode_to(layout, rsp, b, cap) : -1;
    if (n < 0)
        zboss_respond(z, req, ZBOSS_CAT_GENERIC, ZBOSS_OPERATION_FAILED, NULL, 0);
    else
        zboss_respond(z, req, ZBOSS_CAT_GENERIC, ZBOSS_OK, b, (size_t)n);
    free(b);
}

/* Decodes the request through the row's layout (a short or overlong one is INVALID_FORMAT,
 * 0/42, the header only, as the DSR firmware answers), runs the handler, answers. */
static void serve(zboss_emu *z, const zboss_hl *req, const zs_cmd *row, zboss_handler fn)
{
    void *in = calloc(1, (size_t)row->req->size + 1), *out = calloc(1, (size_t)row->rsp->size + 1);
    zs_err err = {0};
    long used = in ? zs_decode(row->req, req->params, req->params_len, in, &err) : -1;
    int st;
    if (!in || !out) {
        st = ZBOSS_OPERATION_FAILED;
    } else if (used != (long)req->params_len) {
        LOG_DEBUG("zboss: %s with %zu parameter bytes (%s%s%s): invalid format", row->name,
                  req->params_len, used < 0 ? err.field : "", used < 0 ? " " : "",
                  used < 0 ? err.why : "trailing bytes");
        st = ZBOSS_INVALID_FORMAT;
    } else {
        LOG_DEBUG("zboss: %s (tsn %u)", row->name, req->tsn);
        st = fn(&(zboss_ctx){z, req, in, out});
    }
    if (st == ZBOSS_OK)
        zboss_answer(z, req, row->rsp, out);
    else if (st != ZBOSS_ANSWERED)
        zboss_respond(z, req, (uint8_t)(st >> 8), (uint8_t)st, NULL, 0);
    free(in);
    free(out);
}

void zboss_dispatch(zboss_emu *z, const zboss_hl *req)
{
    const zboss_cmd *c = find_cmd(req->call_id);
    const zs_cmd *row = c ? zboss_cmd_row(req->call_id) : NULL;
    if (!row || !row->req || !row->rsp) {
        LOG_DEBUG("zboss: unsupported call %04x: illegal request", req->call_id);
        zboss_respond(z, req, ZBOSS_CAT_GENERIC, ZBOSS_ILLEGAL_REQUEST, NULL, 0);
        return;
    }
    serve(z, req, row, c->fn);
}
