/* znp_cmds.c - MT command handlers of the emulated ZNP, one table row per command.
 *
 * The layouts are proto/mt/mt_schema.c's: the dispatcher decodes a request through its schema row
 * and hands the handler the struct; the handler fills the answer's struct, which znp_reply
 * encodes through the same row. A request too short for its fixed fields gets the RPC error a
 * real stick sends for an SREQ (zigpy-znp's version probe depends on unknown ones getting it);
 * one whose counted field runs past its end gets the row's `cut` status where the firmware
 * checks that length itself; unknown or short AREQs are dropped silently, as on the real
 * firmware. zstack-mt.md §3. */
#include "emu_commands.h"
#include "znp_frontend.h"

#include "bytes.h"
#include "log.h"
#include "znp_layout.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* `in` is the request decoded through its schema row's layout */
typedef void (*znp_handler)(znp *z, const mt_frame *req, const void *in);

#define NO_CUT 0xFF /* a counted field cut short is an RPC error like any short request */

typedef struct znp_cmd {
    uint8_t cmd0, cmd1;
    uint8_t cut;         /* the status answered when a counted field runs past the frame */
    uint8_t only_ext_nv; /* SYS_NV_*: 3.x.0 only, an RPC error elsewhere (§3.1) */
    znp_handler fn;
} znp_cmd;

enum {
    ST_OK = 0x00,
    ST_FAIL = 0x01,
    ST_INVALID = 0x02,
    ST_NV_UNINIT = 0x09,
    ST_NV_FAIL = 0x0A,
    ST_NV_BAD_LEN = 0x0C,
    ST_APS_DUP = 0xB8
};
enum { NVI_NOTFOUND = 0x0A, NVI_BADLEN = 0x05, NVI_BADPARAM = 0x04 };


#define MAX_READ 244 /* data bytes per NV read response: keeps LEN <= 250 */

/* ---------------------------------------------------------------- SYS */

static void sys_reset_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_reset_req *r = in;
    (void)req;
    znp_reset(z, r->type_len ? r->type[0] : 1);
}

static void sys_ping(znp *z, const mt_frame *req, const void *in)
{
    mt_sys_ping_rsp rsp = {z->prof->capabilities};
    (void)in;
    znp_reply(z, req, &rsp);
}

static void sys_version(znp *z, const mt_frame *req, const void *in)
{
    mt_sys_version_rsp rsp = {.transport_rev = 2,
                              .product = z->prof->product,
                              .major = z->prof->major,
                              .minor = z->prof->minor,
                              .maint = z->prof->maint,
                              .revision_len = (uint16_t)(4 + z->prof->version_tail_len)};
    (void)in;
    put_le32(rsp.revision, z->code_revision);
    memcpy(rsp.revision + 4, z->prof->version_tail, z->prof->version_tail_len);
    znp_reply(z, req, &rsp);
}

/* the IEEE the stick answers with: NV's EXTADDR, else the chip's own */
static const uint8_t *own_ieee(const znp *z)
{
    const znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_EXTADDR);
    return it && it->len == 8 ? it->data : z->hw_ieee;
}

static void sys_get_extaddr(znp *z, const mt_frame *req, const void *in)
{
    mt_ieee rsp;
    (void)in;
    memcpy(rsp.ieee, own_ieee(z), 8);
    znp_reply(z, req, &rsp);
}

static void sys_set_extaddr(znp *z, const mt_frame *req, const void *in)
{
    const mt_ieee *r = in;
    znp_nv_osal_put(&z->nv, ZNP_NV_EXTADDR, r->ieee, 8);
    znp_srsp_status(z, req, ST_OK);
}

static void sys_osal_nv_item_init(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_osal_nv_item_init_req *r = in;
    /* MT_SysOsalNVItemInit (TI mt_sys.c): with initLen >= len the item is created from the
     * first len bytes of the init data, not refused */
    size_t init_len = r->init_len > r->len ? r->len : r->init_len;
    if (znp_nv_osal(&z->nv, r->id)) {
        znp_srsp_status(z, req, ST_OK); /* exists: untouched */
        return;
    }
    znp_nv_item *it = znp_nv_osal_put(&z->nv, r->id, NULL, r->len);
    if (!it) {
        znp_srsp_status(z, req, ST_NV_FAIL);
        return;
    }
    memset(it->data, 0xFF, r->len);
    memcpy(it->data, r->init, init_len);
    znp_srsp_status(z, req, ST_NV_UNINIT); /* created: it held nothing before */
}

/* status and up to `max` bytes of the item from `off`; `missing` for no item, INVALID and no
 * byte past its end */
static void nv_read_reply(znp *z, const mt_frame *req, const znp_nv_item *it, size_t off,
                          size_t max, uint8_t missing)
{
    mt_nv_read_rsp rsp = {.status = it ? ST_INVALID : missing};
    if (it && off < it->len) {
        size_t n = it->len - off;
        rsp.status = ST_OK;
        rsp.value_len = (uint16_t)(n > max ? max : n);
        memcpy(rsp.value, it->data + off, rsp.value_len);
    }
    znp_reply(z, req, &rsp);
}

static void sys_osal_nv_read(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_osal_nv_read_req *r = in;
    nv_read_reply(z, req, znp_nv_osal(&z->nv, r->id), r->offset, MAX_READ, ST_INVALID);
}

static void sys_osal_nv_read_ext(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_osal_nv_read_ext_req *r = in;
    nv_read_reply(z, req, znp_nv_osal(&z->nv, r->id), r->offset, MAX_READ, ST_INVALID);
}

static void nv_write_at(znp *z, const mt_frame *req, uint16_t id, size_t off, const uint8_t *p,
                        size_t n)
{
    znp_nv_item *it = znp_nv_osal(&z->nv, id);
    if (!it || off + n > it->len) {
        znp_srsp_status(z, req, ST_INVALID);
        return;
    }
    memcpy(it->data + off, p, n);
    if (id == ZNP_NV_EXTADDR) memcpy(z->hw_ieee, it->data, 8 <= it->len ? 8 : it->len);
    znp_srsp_status(z, req, ST_OK);
}

static void sys_osal_nv_write(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_osal_nv_write_req *r = in;
    nv_write_at(z, req, r->id, r->offset, r->value, r->value_len);
}

static void sys_osal_nv_write_ext(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_osal_nv_write_ext_req *r = in;
    nv_write_at(z, req, r->id, r->offset, r->value, r->value_len);
}

static void sys_osal_nv_delete(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_osal_nv_delete_req *r = in;
    const znp_nv_item *it = znp_nv_osal(&z->nv, r->id);
    if (!it) {
        znp_srsp_status(z, req, ST_NV_UNINIT);
        return;
    }
    if (it->len != r->len) {
        znp_srsp_status(z, req, ST_NV_BAD_LEN);
        return;
    }
    znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, r->id);
    znp_srsp_status(z, req, ST_OK);
}

static void sys_osal_nv_length(znp *z, const mt_frame *req, const void *in)
{
    const mt_nv_id *r = in;
    const znp_nv_item *it = znp_nv_osal(&z->nv, r->id);
    /* POLL_RATE_OLD16 always reads 0 */
    mt_sys_osal_nv_length_rsp rsp = {it && r->id != 0x0024 ? it->len : 0};
    znp_reply(z, req, &rsp);
}

static void sys_set_tx_power(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_set_tx_power_req *r = in;
    znp_srsp_status(z, req, z->prof->ext_nv ? ST_OK : r->power);
}

/* STK_TX_PWR (0) answers the MAC's status for setting it, 0, not the dBm (a CC2652 of 20240710
 * in vectors/traces/znp/zstack3x0-20240710-herdsman-zhc8776a); the other operations echo the
 * value (unverified) */
static void sys_stack_tune(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_stack_tune_req *r = in;
    mt_sys_stack_tune_rsp rsp = {r->operation == 0 ? ST_OK : r->value};
    znp_reply(z, req, &rsp);
}

/* Extended NV (sysId u8, itemId u16, subId u16, ...): every request starts with the item */
static znp_nv_item *ext_item(const znp *z, const void *in)
{
    const mt_sys_nv_item *x = in;
    return znp_nv_find(&z->nv, x->sys_id, x->item_id, x->sub_id);
}

static void sys_nv_create(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_nv_create_req *r = in;
    if (r->length == 0 || r->length > 0xFFFF) {
        znp_srsp_status(z, req, NVI_BADLEN);
        return;
    }
    if (znp_nv_find(&z->nv, r->sys_id, r->item_id, r->sub_id)) {
        znp_srsp_status(z, req, 13); /* NVINTF_EXIST */
        return;
    }
    if (!znp_nv_put(&z->nv, r->sys_id, r->item_id, r->sub_id, NULL, r->length)) {
        znp_srsp_status(z, req, ST_FAIL);
        return;
    }
    znp_srsp_status(z, req, ST_OK);
}

static void sys_nv_delete(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_nv_item *x = in;
    if (znp_nv_delete(&z->nv, x->sys_id, x->item_id, x->sub_id) < 0) {
        znp_srsp_status(z, req, NVI_NOTFOUND);
        return;
    }
    znp_srsp_status(z, req, ST_OK);
}

static void sys_nv_length(znp *z, const mt_frame *req, const void *in)
{
    const znp_nv_item *it = ext_item(z, in);
    mt_sys_nv_length_rsp rsp = {it ? it->len : 0};
    znp_reply(z, req, &rsp);
}

static void sys_nv_read(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_nv_read_req *r = in;
    nv_read_reply(z, req, ext_item(z, in), r->offset, r->length < MAX_READ ? r->length : MAX_READ,
                  NVI_NOTFOUND);
}

static void sys_nv_write(znp *z, const mt_frame *req, const void *in)
{
    const mt_sys_nv_write_req *r = in;
    if (r->offset != 0) {
        znp_srsp_status(z, req, NVI_BADPARAM);
        return;
    }
    znp_nv_item *it = ext_item(z, in);
    if (it && r->value_len <= it->len) {
        memcpy(it->data, r->value, r->value_len); /* writes in place, keeps the item's length */
    } else if (!znp_nv_put(&z->nv, r->sys_id, r->item_id, r->sub_id, r->value, r->value_len)) {
        znp_srsp_status(z, req, ST_FAIL);
        return;
    }
    if (r->sys_id == ZNP_NV_SYS_ZSTACK && r->item_id == ZNP_NV_LEGACY &&
        r->sub_id == ZNP_NV_EXTADDR && r->value_len >= 8)
        memcpy(z->hw_ieee, r->value, 8);
    znp_srsp_status(z, req, ST_OK);
}

/* ---------------------------------------------------------------- UTIL */

static uint16_t own_nwk(const znp *z)
{
    znp_nib nib;
    const znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_NIB);
    if (z->dev_state != 9 || !it || znp_nib_decode(it->data, it->len, z->prof->aligned, &nib) < 0)
        return 0xFFFE;
    return nib.nwk_dev_address;
}

static void util_get_device_info(znp *z, const mt_frame *req, const void *in)
{
    /* coordinator | router | end device capable; no associated devices listed */
    mt_util_get_device_info_rsp rsp = {
        .status = ST_OK, .nwk = own_nwk(z), .device_type = 0x07, .device_state = z->dev_state};
    (void)in;
    memcpy(rsp.ieee, own_ieee(z), 8);
    znp_reply(z, req, &rsp);
}

/* SAPI ZB_GET_DEVICE_INFO (param u8 -> param, value[8]): builds with SAPI (SYS_PING capability
 * 0x0020: 1.2, CC2538 3.0) only. The value is little-endian at the start of the 8 bytes; a
 * real 1.2 stick leaves the rest of a short value as its buffer held it (vectors/traces/znp/
 * zstack12-stock-*): zeros here, a declared field of the replay. */
static void sapi_get_device_info(znp *z, const mt_frame *req, const void *in)
{
    const mt_u8_arg *r = in;
    mt_sapi_zb_get_device_info_rsp rsp = {.param = r->value};
    znp_nib nib;
    const znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_NIB);
    bool have = it && znp_nib_decode(it->data, it->len, z->prof->aligned, &nib) == 0;
    switch (r->value) {
    case 0: rsp.value[0] = z->dev_state; break;
    case 1: memcpy(rsp.value, own_ieee(z), 8); break;
    case 2: put_le16(rsp.value, own_nwk(z)); break;
    case 5: rsp.value[0] = have ? nib.nwk_logical_channel : 0; break;
    case 6: put_le16(rsp.value, have ? nib.nwk_pan_id : 0xFFFF); break;
    case 7:
        if (have) memcpy(rsp.value, nib.extended_pan_id, 8);
        break;
    default: break; /* parent short address and IEEE: a coordinator has none */
    }
    znp_reply(z, req, &rsp);
}

/* an empty slot of associated_devices_t, in the chip's own struct layout */
static void util_assoc_device(znp *z, const mt_frame *req, const void *in)
{
    znp_assoc_device empty = {.short_addr = 0xFFFE, .node_relation = 0xFF};
    mt_util_assoc_device_rsp rsp = {(uint16_t)znp_assoc_size(z->prof->aligned)};
    (void)in;
    znp_assoc_encode(&empty, z->prof->aligned, rsp.device);
    znp_reply(z, req, &rsp);
}

static void status_ok(znp *z, const mt_frame *req, const void *in)
{
    (void)in;
    znp_srsp_status(z, req, ST_OK);
}

/* ---------------------------------------------------------------- ZDO */

/* The ZDO requests the coordinator answers about itself, by ZDP cluster (the response's is the
 * request's | 0x8000), with the indication herdsman waits for. */
enum { ZDP_NODE_DESC = 0x0002, ZDP_SIMPLE_DESC = 0x0004, ZDP_ACTIVE_EP = 0x0005 };
#define ZDP_RSP 0x8000

/* An indication's src field is 2 bytes; the ZDP frame body follows it. */
#define ZDO_IND_SRC 2

/* A ZDO response from the coordinator itself: its AREQ (herdsman) and, when the host
 * registered for it, MSG_CB_INCOMING (zigpy-znp) with the same body (status onwards). */
static void zdo_self_response(znp *z, uint8_t cmd1, uint16_t cluster, uint8_t tsn, const void *ind)
{
    const zs_cmd *row = mt_schema_find(MT_AREQ(ZDO), cmd1);
    uint8_t d[MT_MAX_DATA];
    long n = zs_encode_to(row->rsp, ind, d, sizeof d);
    if (n < ZDO_IND_SRC) return;
    znp_send(z, MT_AREQ(ZDO), cmd1, d, (size_t)n);
    if (!z->msg_cb_all) return;
    mt_zdo_msg_cb_incoming m = {.cluster = (uint16_t)(cluster | ZDP_RSP),
                                .tsn = tsn,
                                .data_len = (uint16_t)(n - ZDO_IND_SRC)};
    memcpy(m.data, d + ZDO_IND_SRC, m.data_len);
    znp_indicate(z, MT_ZDO_MSG_CB_INCOMING, &m);
}

static void active_ep_rsp(const znp *z, mt_zdo_active_ep_rsp *r)
{
    memset(r, 0, sizeof *r);
    for (int ep = 1; ep < 255; ep++)
        if (z->endpoints[ep].used) r->endpoints[r->endpoints_len++] = (uint8_t)ep;
}

static void node_desc_rsp(const znp *z, mt_zdo_node_desc_rsp *r)
{
    *r = (mt_zdo_node_desc_rsp){.logical_type = 0x00,   /* coordinator */
                                .aps_flags_band = 0x40, /* 2.4 GHz */
                                .mac_capabilities = 0x8F,
                                .max_buffer = 80,
                                .max_in_transfer = 160,
                                .server_mask = z->prof->bdb ? 0x2C01 : 0x0001,
                                .max_out_transfer = 160};
}

/* the simple descriptor is AF_REGISTER's request without the latency */
static void simple_desc_rsp(const znp *z, uint8_t ep, mt_zdo_simple_desc_rsp *r)
{
    memset(r, 0, sizeof *r);
    if (!z->endpoints[ep].used) {
        r->status = 0x83; /* NOT_ACTIVE */
        return;
    }
    const mt_af_register_req *e = &z->endpoints[ep].reg;
    mt_simple_desc d = {e->endpoint, e->profile, e->device, e->version, e->in_clusters_len};
    memcpy(d.in_clusters, e->in_clusters, sizeof d.in_clusters);
    d.out_clusters_len = e->out_clusters_len;
    memcpy(d.out_clusters, e->out_clusters, sizeof d.out_clusters);
    long n = zs_encode_to(&mt_simple_desc_layout, &d, r->descriptor, sizeof r->descriptor);
    r->descriptor_len = (uint16_t)(n > 0 ? n : 0);
}

/* Answers the ZDP request `cluster` about the coordinator (`ep`: SIMPLE_DESC's endpoint). */
static void zdo_about_self(znp *z, uint16_t cluster, uint8_t tsn, uint8_t ep)
{
    union {
        mt_zdo_node_desc_rsp node;
        mt_zdo_active_ep_rsp active;
        mt_zdo_simple_desc_rsp simple;
    } r;
    switch (cluster) {
    case ZDP_NODE_DESC: node_desc_rsp(z, &r.node); break;
    case ZDP_ACTIVE_EP: active_ep_rsp(z, &r.active); break;
    case ZDP_SIMPLE_DESC: simple_desc_rsp(z, ep, &r.simple); break;
    default: return;
    }
    /* ZDO_<X>_RSP's cmd1 is the ZDP cluster | 0x80 (NODE_DESC_RSP 0x82 ...) */
    zdo_self_response(z, (uint8_t)(0x80 | cluster), cluster, tsn, &r);
}

static void zdo_node_desc_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_dst_nwk *r = in;
    znp_srsp_status(z, req, ST_OK);
    if (r->dst == 0x0000) zdo_about_self(z, ZDP_NODE_DESC, z->zdo_tsn++, 0);
}

static void zdo_active_ep_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_dst_nwk *r = in;
    znp_srsp_status(z, req, ST_OK);
    if (r->dst == 0x0000) zdo_about_self(z, ZDP_ACTIVE_EP, z->zdo_tsn++, 0);
}

static void zdo_simple_desc_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_simple_desc_req_req *r = in;
    znp_srsp_status(z, req, ST_OK);
    if (r->dst == 0x0000) zdo_about_self(z, ZDP_SIMPLE_DESC, z->zdo_tsn++, r->endpoint);
}

static void state_change(znp *z, uint8_t state)
{
    mt_zdo_state_change_ind ind = {state};
    znp_indicate(z, MT_ZDO_STATE_CHANGE_IND, &ind);
}

static void zdo_startup_from_app(znp *z, const mt_frame *req, const void *in)
{
    bool was_formed = znp_is_formed(z);
    mt_zdo_startup_from_app_rsp rsp = {0}; /* restored */
    (void)in;
    if (z->dev_state == 9) {
        znp_reply(z, req, &rsp);
        return;
    }
    int rc = znp_start_network(z, false);
    rsp.state = rc < 0 ? 2 : (was_formed ? 0 : 1);
    znp_reply(z, req, &rsp);
    if (rc < 0) return;
    state_change(z, 8);
    state_change(z, 9);
}

static void zdo_ext_nwk_info(znp *z, const mt_frame *req, const void *in)
{
    mt_zdo_ext_nwk_info_rsp rsp = {.nwk = 0xFFFE, .pan_id = 0xFFFF};
    znp_nib nib;
    const znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_NIB);
    (void)in;
    if (it && znp_nib_decode(it->data, it->len, z->prof->aligned, &nib) == 0) {
        rsp.nwk = z->dev_state == 9 ? nib.nwk_dev_address : 0xFFFE;
        rsp.dev_state = z->dev_state;
        rsp.pan_id = nib.nwk_pan_id;
        rsp.parent_nwk = nib.nwk_coord_address;
        memcpy(rsp.ext_pan_id, nib.extended_pan_id, 8);
        memcpy(rsp.parent_ieee, nib.nwk_coord_ext_address, 8);
        rsp.channel = nib.nwk_logical_channel;
    }
    znp_reply(z, req, &rsp);
}

static void zdo_msg_cb_register(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_msg_cb_register_req *r = in;
    if (r->cluster == 0xFFFF) z->msg_cb_all = true;
    znp_srsp_status(z, req, ST_OK);
}

static void zdo_mgmt_permit_join_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_mgmt_permit_join_req_req *r = in;
    mt_zdo_mgmt_permit_join_rsp rsp = {0x0000, ST_OK};
    mt_zdo_permit_join_ind ind = {r->duration};
    znp_srsp_status(z, req, ST_OK);
    znp_indicate(z, MT_ZDO_MGMT_PERMIT_JOIN_RSP, &rsp);
    if (!z->prof->ext_nv) znp_indicate(z, MT_ZDO_PERMIT_JOIN_IND, &ind); /* 1.2/3.0 */
}

/* energy scan: quiet channels, one result per scanned channel */
static void energy_scan(znp *z, uint32_t mask)
{
    mt_zdo_mgmt_nwk_update_notify n = {.scanned_channels = mask & 0x07FFF800};
    for (int ch = 11; ch <= 26; ch++)
        if (mask & (1u << ch)) n.energy[n.energy_len++] = (uint8_t)(emu_rand(z->e) % 0x40);
    znp_indicate(z, MT_ZDO_MGMT_NWK_UPDATE_NOTIFY, &n);
}

static void zdo_mgmt_nwk_update_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_mgmt_nwk_update_req_req *r = in;
    znp_srsp_status(z, req, ST_OK);
    if (r->duration <= 5) {
        energy_scan(z, r->channel_mask);
    } else if (r->duration == 0xFE) {
        /* channel change: the stack bumps nwkUpdateId and moves */
        znp_nib nib;
        znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_NIB);
        if (it && znp_nib_decode(it->data, it->len, z->prof->aligned, &nib) == 0) {
            for (int ch = 11; ch <= 26; ch++)
                if (r->channel_mask & (1u << ch)) nib.nwk_logical_channel = (uint8_t)ch;
            nib.nwk_update_id++;
            znp_nib_encode(&nib, z->prof->aligned, it->data);
        }
    }
}

static void zdo_ext_find_group(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_group_req *r = in;
    mt_zdo_ext_find_group_rsp rsp = {.status = ST_FAIL};
    for (int i = 0; i < z->n_groups; i++)
        if (z->groups[i][0] == r->endpoint && z->groups[i][1] == r->group) {
            rsp.status = ST_OK;
            rsp.group = r->group;
            break;
        }
    znp_reply(z, req, &rsp);
}

static void zdo_ext_add_group(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_ext_add_group_req *r = in;
    if (z->n_groups < (int)(sizeof(z->groups) / sizeof(z->groups[0]))) {
        z->groups[z->n_groups][0] = r->endpoint;
        z->groups[z->n_groups][1] = r->group;
        z->n_groups++;
        znp_srsp_status(z, req, ST_OK);
    } else {
        znp_srsp_status(z, req, ST_FAIL);
    }
}

/* NWK_ADDR_REQ / IEEE_ADDR_REQ: the coordinator's own addresses, no associated devices */
static void zdo_addr_req(znp *z, const mt_frame *req, const void *in)
{
    mt_zdo_addr_rsp ind = {.status = ST_OK, .nwk = own_nwk(z)};
    (void)in;
    znp_srsp_status(z, req, ST_OK);
    memcpy(ind.ieee, own_ieee(z), 8);
    znp_indicate(z, MT_AREQ(ZDO), (uint8_t)(0x80 | req->cmd1), &ind);
}

/* LQI / RTG / BIND of the coordinator: empty tables, answered as MGMT_LQI_RSP (0xB1) /
 * MGMT_RTG_RSP (0xB2) / MGMT_BIND_RSP (0xB3) */
static void zdo_mgmt_table_req(znp *z, const mt_frame *req, const void *in)
{
    const mt_zdo_mgmt_table_req *r = in;
    mt_zdo_mgmt_table_rsp ind = {.status = ST_OK, .start = r->start};
    znp_srsp_status(z, req, ST_OK);
    znp_indicate(z, MT_AREQ(ZDO), (uint8_t)(0x80 | req->cmd1), &ind);
}

/* ---------------------------------------------------------------- AF */

static void af_register(znp *z, const mt_frame *req, const void *in)
{
    const mt_af_register_req *r = in;
    if (r->endpoint == 0 || r->endpoint == 0xFF) {
        znp_srsp_status(z, req, ST_INVALID);
        return;
    }
    if (z->endpoints[r->endpoint].used) {
        znp_srsp_status(z, req, ST_APS_DUP);
        return;
    }
    z->endpoints[r->endpoint].used = true;
    z->endpoints[r->endpoint].reg = *r;
    znp_srsp_status(z, req, ST_OK);
}

static void af_confirm(znp *z, uint8_t src_ep, uint8_t tsn)
{
    mt_af_data_confirm c = {ST_OK, src_ep, tsn};
    znp_indicate(z, MT_AF_DATA_CONFIRM, &c);
}

/* AF_DATA_REQUEST and _SRC_RTG: the confirm names the source endpoint and the transaction id
 * (a real CC2652: `00 01 03` for src ep 1, trans 3 in
 * vectors/traces/znp/zstack3x0-unknown-herdsman-z2m3363) */
static void af_data_request(znp *z, const mt_frame *req, const void *in)
{
    const mt_af_data_request_req *r = in;
    znp_srsp_status(z, req, ST_OK);
    af_confirm(z, r->src_ep, r->tsn);
}

static void af_data_request_src_rtg(znp *z, const mt_frame *req, const void *in)
{
    const mt_af_data_request_src_rtg_req *r = in;
    znp_srsp_status(z, req, ST_OK);
    af_confirm(z, r->src_ep, r->tsn);
}

/* zigpy-znp sends its ZDO requests to the coordinator as AF to endpoint 0: the ZDP frame is
 * tsn, then the request (NWKAddrOfInterest u16, and SIMPLE_DESC's endpoint) */
static void af_zdo_loopback(znp *z, uint16_t cluster, const uint8_t *p, size_t n)
{
    if (n < 1) return;
    if (cluster == ZDP_SIMPLE_DESC && n < 4) return;
    zdo_about_self(z, cluster, p[0], cluster == ZDP_SIMPLE_DESC ? p[3] : 0);
}

#define AF_ADDR_16BIT 2
#define AF_ADDR_64BIT 3

static void af_data_request_ext(znp *z, const mt_frame *req, const void *in)
{
    const mt_af_data_request_ext_req *r = in;
    uint16_t dst = get_le16(r->dst); /* a short address in the first two of the 8 bytes */
    znp_srsp_status(z, req, ST_OK);
    if (r->dst_mode == AF_ADDR_16BIT && dst == 0x0000 && r->dst_ep == 0) {
        af_zdo_loopback(z, r->cluster, r->data, r->data_len);
        return;
    }
    if (r->dst_mode == AF_ADDR_16BIT || r->dst_mode == AF_ADDR_64BIT)
        af_confirm(z, r->src_ep, r->tsn);
}

/* ---------------------------------------------------------------- APP_CNF (BDB) */

static void bdb_notify(znp *z, uint8_t status, uint8_t mode, uint8_t remaining)
{
    mt_app_cnf_bdb_commissioning_notification n = {status, mode, remaining};
    znp_indicate(z, MT_APP_CNF_BDB_COMMISSIONING_NOTIFICATION, &n);
}

static void bdb_start_commissioning(znp *z, const mt_frame *req, const void *in)
{
    const mt_u8_arg *r = in;
    znp_srsp_status(z, req, ST_OK);
    if (!(r->value & 0x04)) { /* steering etc.: nothing to do for a coordinator here */
        bdb_notify(z, 0, 1, 0);
        return;
    }
    bool was_formed = znp_is_formed(z);
    /* a 3.x.0 stick of 20210708 forming: "in progress" (status 1, mode 2, remaining 4) comes
     * before state 8 (vectors/traces/znp/zstack3x0-20210708-lcl-berdonlcl, exchange 31) */
    if (!was_formed) bdb_notify(z, 1, 2, 0x04);
    state_change(z, 8);
    int rc = znp_start_network(z, true);
    if (rc < 0) {
        bdb_notify(z, 8, 2, 0);
        return;
    }
    state_change(z, 9);
    if (was_formed) {
        bdb_notify(z, 0x0D, 0, 0x04);
        bdb_notify(z, 8, 2, 0); /* real firmware: formation "fails" on a formed network */
    } else {
        bdb_notify(z, 0, 2, 0);
    }
}

static void bdb_set_channel(znp *z, const mt_frame *req, const void *in)
{
    const mt_app_cnf_bdb_set_channel_req *r = in;
    if (r->is_primary)
        z->bdb_primary = r->channel_mask;
    else
        z->bdb_secondary = r->channel_mask;
    znp_srsp_status(z, req, ST_OK);
}

/* ---------------------------------------------------------------- SAPI (1.2) */

static void sapi_read_configuration(znp *z, const mt_frame *req, const void *in)
{
    const mt_u8_arg *r = in;
    const znp_nv_item *it = znp_nv_osal(&z->nv, r->value);
    mt_sapi_zb_read_configuration_rsp rsp = {.status = ST_INVALID, .id = r->value};
    if (it && it->len <= sizeof rsp.value) {
        rsp.status = ST_OK;
        rsp.value_len = it->len;
        memcpy(rsp.value, it->data, it->len);
    }
    znp_reply(z, req, &rsp);
}

static void sapi_write_configuration(znp *z, const mt_frame *req, const void *in)
{
    const mt_sapi_zb_write_configuration_req *r = in;
    znp_nv_item *it = znp_nv_osal(&z->nv, r->id);
    if (!it || it->len != r->value_len) {
        znp_srsp_status(z, req, ST_INVALID);
        return;
    }
    memcpy(it->data, r->value, r->value_len);
    znp_srsp_status(z, req, ST_OK);
}

/* ---------------------------------------------------------------- table */

/* clang-format off */
static const znp_cmd COMMANDS[] = {
    {MT_SYS_RESET_REQ, NO_CUT, 0, sys_reset_req},
    {MT_SYS_PING, NO_CUT, 0, sys_ping},
    {MT_SYS_VERSION, NO_CUT, 0, sys_version},
    {MT_SYS_SET_EXTADDR, NO_CUT, 0, sys_set_extaddr},
    {MT_SYS_GET_EXTADDR, NO_CUT, 0, sys_get_extaddr},
    {MT_SYS_OSAL_NV_ITEM_INIT, ST_INVALID, 0, sys_osal_nv_item_init},
    {MT_SYS_OSAL_NV_READ, NO_CUT, 0, sys_osal_nv_read},
    {MT_SYS_OSAL_NV_WRITE, ST_INVALID, 0, sys_osal_nv_write},
    {MT_SYS_STACK_TUNE, NO_CUT, 0, sys_stack_tune},
    {MT_SYS_OSAL_NV_DELETE, NO_CUT, 0, sys_osal_nv_delete},
    {MT_SYS_OSAL_NV_LENGTH, NO_CUT, 0, sys_osal_nv_length},
    {MT_SYS_SET_TX_POWER, NO_CUT, 0, sys_set_tx_power},
    {MT_SYS_OSAL_NV_READ_EXT, NO_CUT, 0, sys_osal_nv_read_ext},
    {MT_SYS_OSAL_NV_WRITE_EXT, ST_INVALID, 0, sys_osal_nv_write_ext},
    {MT_SYS_NV_CREATE, NO_CUT, 1, sys_nv_create},
    {MT_SYS_NV_DELETE, NO_CUT, 1, sys_nv_delete},
    {MT_SYS_NV_LENGTH, NO_CUT, 1, sys_nv_length},
    {MT_SYS_NV_READ, NO_CUT, 1, sys_nv_read},
    {MT_SYS_NV_WRITE, NVI_BADPARAM, 1, sys_nv_write},
    {MT_UTIL_GET_DEVICE_INFO, NO_CUT, 0, util_get_device_info},
    {MT_UTIL_LED_CONTROL, NO_CUT, 0, status_ok},
    {MT_UTIL_ASSOC_FIND_DEVICE, NO_CUT, 0, util_assoc_device},
    {MT_UTIL_ASSOC_GET_WITH_ADDRESS, NO_CUT, 0, util_assoc_device},
    {MT_UTIL_ASSOC_REMOVE, NO_CUT, 0, status_ok},
    {MT_UTIL_ASSOC_ADD, NO_CUT, 0, status_ok},
    {MT_ZDO_NWK_ADDR_REQ, NO_CUT, 0, zdo_addr_req},
    {MT_ZDO_IEEE_ADDR_REQ, NO_CUT, 0, zdo_addr_req},
    {MT_ZDO_NODE_DESC_REQ, NO_CUT, 0, zdo_node_desc_req},
    {MT_ZDO_SIMPLE_DESC_REQ, NO_CUT, 0, zdo_simple_desc_req},
    {MT_ZDO_ACTIVE_EP_REQ, NO_CUT, 0, zdo_active_ep_req},
    {MT_ZDO_BIND_REQ, NO_CUT, 0, status_ok},
    {MT_ZDO_UNBIND_REQ, NO_CUT, 0, status_ok},
    {MT_ZDO_MGMT_LQI_REQ, NO_CUT, 0, zdo_mgmt_table_req},
    {MT_ZDO_MGMT_RTG_REQ, NO_CUT, 0, zdo_mgmt_table_req},
    {MT_ZDO_MGMT_BIND_REQ, NO_CUT, 0, zdo_mgmt_table_req},
    {MT_ZDO_MGMT_LEAVE_REQ, NO_CUT, 0, status_ok},
    {MT_ZDO_MGMT_PERMIT_JOIN_REQ, NO_CUT, 0, zdo_mgmt_permit_join_req},
    {MT_ZDO_MGMT_NWK_UPDATE_REQ, NO_CUT, 0, zdo_mgmt_nwk_update_req},
    {MT_ZDO_MSG_CB_REGISTER, NO_CUT, 0, zdo_msg_cb_register},
    {MT_ZDO_STARTUP_FROM_APP, NO_CUT, 0, zdo_startup_from_app},
    {MT_ZDO_EXT_ROUTE_DISC, NO_CUT, 0, status_ok},
    {MT_ZDO_EXT_ROUTE_CHECK, NO_CUT, 0, status_ok},
    {MT_ZDO_EXT_FIND_GROUP, NO_CUT, 0, zdo_ext_find_group},
    {MT_ZDO_EXT_ADD_GROUP, NO_CUT, 0, zdo_ext_add_group},
    {MT_ZDO_EXT_NWK_INFO, NO_CUT, 0, zdo_ext_nwk_info},
    {MT_AF_REGISTER, NO_CUT, 0, af_register},
    {MT_AF_DATA_REQUEST, NO_CUT, 0, af_data_request},
    {MT_AF_DATA_REQUEST_EXT, ST_INVALID, 0, af_data_request_ext},
    {MT_AF_DATA_REQUEST_SRC_RTG, NO_CUT, 0, af_data_request_src_rtg},
    {MT_AF_INTER_PAN_CTL, NO_CUT, 0, status_ok},
    {MT_APP_CNF_BDB_ADD_INSTALLCODE, NO_CUT, 0, status_ok},
    {MT_APP_CNF_BDB_START_COMMISSIONING, NO_CUT, 0, bdb_start_commissioning},
    {MT_APP_CNF_BDB_SET_JOINUSESINSTALLCODEKEY, NO_CUT, 0, status_ok},
    {MT_APP_CNF_BDB_SET_CHANNEL, NO_CUT, 0, bdb_set_channel},
    {MT_APP_CNF_BDB_SET_TC_REQUIRE_KEY_EXCHANGE, NO_CUT, 0, status_ok},
    {MT_SAPI_ZB_READ_CONFIGURATION, NO_CUT, 0, sapi_read_configuration},
    {MT_SAPI_ZB_GET_DEVICE_INFO, NO_CUT, 0, sapi_get_device_info},
    {MT_SAPI_ZB_WRITE_CONFIGURATION, ST_INVALID, 0, sapi_write_configuration},
};
/* clang-format on */
#define N_COMMANDS (sizeof(COMMANDS) / sizeof(COMMANDS[0]))

static const znp_cmd *command_of(uint8_t cmd0, uint8_t cmd1)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (COMMANDS[i].cmd0 == cmd0 && COMMANDS[i].cmd1 == cmd1) return &COMMANDS[i];
    return NULL;
}

const char *znp_command_name(uint8_t cmd0, uint8_t cmd1)
{
    const zs_cmd *row = command_of(cmd0, cmd1) ? mt_schema_find(cmd0, cmd1) : NULL;
    return row ? row->name : NULL;
}

/* Whether this firmware has the command at all (else: unknown, as on the real stick). */
static bool served(const znp *z, const znp_cmd *c)
{
    if (c->only_ext_nv && !z->prof->ext_nv) return false;
    if ((c->cmd0 & 0x1F) == MT_SUBSYS_APP_CNF && !z->prof->bdb) return false; /* none on 1.2 */
    if (c->fn == sapi_get_device_info && !(z->prof->capabilities & MT_CAP_SAPI)) return false;
    return true;
}

static void rpc_error(znp *z, const mt_frame *f, uint8_t code)
{
    mt_rpc_error_ind e = {code, f->cmd0, f->cmd1};
    if ((f->cmd0 >> 5) == MT_TYPE_SREQ) znp_indicate(z, MT_RPC_ERROR, &e);
}

/* MT_RPC answers "no such subsystem" apart from "no such command in it" */
static void unsupported(znp *z, const mt_frame *f)
{
    uint8_t sub = f->cmd0 & 0x1F;
    /* DEBUG, APP: present, nothing we serve */
    bool known = sub == MT_SUBSYS_DEBUG || sub == MT_SUBSYS_APP;
    LOG_DEBUG("znp: unsupported %02x %02x (%u bytes)", f->cmd0, f->cmd1, f->len);
    for (size_t i = 0; i < N_COMMANDS && !known; i++)
        known = (COMMANDS[i].cmd0 & 0x1F) == sub;
    rpc_error(z, f, known ? MT_RPC_ERR_COMMAND_ID : MT_RPC_ERR_SUBSYSTEM);
}

/* A request its layout does not fit: the row's status for a counted field cut short, else the
 * RPC error (an SREQ; an AREQ is dropped). */
static void too_short(znp *z, const mt_frame *f, const znp_cmd *c, const zs_cmd *row,
                      const zs_err *err)
{
    const zs_field *fd = zs_field_named(row->req, err->field);
    bool counted = fd && fd->kind >= ZS_LEN8 && fd->kind <= ZS_LIST8_U16;
    LOG_DEBUG("znp: %s: %u bytes, %s at %s", row->name, f->len, err->why, err->field);
    if (counted && c->cut != NO_CUT)
        znp_srsp_status(z, f, c->cut);
    else
        rpc_error(z, f, MT_RPC_ERR_PARAMETER);
}

void znp_dispatch(znp *z, const mt_frame *f)
{
    const znp_cmd *c = command_of(f->cmd0, f->cmd1);
    const zs_cmd *row = c ? mt_schema_find(f->cmd0, f->cmd1) : NULL;
    union {
        max_align_t align;
        uint8_t b[1024];
    } in;
    zs_err err;
    if (!row || !row->req || !served(z, c)) {
        unsupported(z, f);
        return;
    }
    if (row->req->size > sizeof in || zs_decode(row->req, f->data, f->len, &in, &err) < 0) {
        if (row->req->size > sizeof in) err = (zs_err){row->req->name, "", 0, "too large"};
        too_short(z, f, c, row, &err);
        return;
    }
    LOG_DEBUG("znp: %s", row->name);
    c->fn(z, f, &in);
}
