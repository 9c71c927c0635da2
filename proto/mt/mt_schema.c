/* mt_schema.c - the MT command table (mt_schema.h): the layouts, one row per command with its
 * request and answer, and the unit's fields of answers the trace replay declares. */
#include "mt_schema.h"

#include "bytes.h"
#include "znp_layout.h"

#include <stdio.h>
#include <string.h>

ZS_LAYOUT(mt_status, MTF_STATUS)
ZS_LAYOUT(mt_opaque, MTF_OPAQUE)
ZS_LAYOUT(mt_sys_reset_req, MTF_SYS_RESET_REQ_REQ)
ZS_LAYOUT(mt_sys_ping_rsp, MTF_SYS_PING_RSP)
ZS_LAYOUT(mt_sys_version_rsp, MTF_SYS_VERSION_RSP)
ZS_LAYOUT(mt_ieee, MTF_IEEE)
ZS_LAYOUT(mt_sys_osal_nv_item_init_req, MTF_SYS_OSAL_NV_ITEM_INIT_REQ)
ZS_LAYOUT(mt_sys_osal_nv_read_req, MTF_SYS_OSAL_NV_READ_REQ)
ZS_LAYOUT(mt_nv_read_rsp, MTF_NV_READ_RSP)
ZS_LAYOUT(mt_sys_osal_nv_write_req, MTF_SYS_OSAL_NV_WRITE_REQ)
ZS_LAYOUT(mt_sys_stack_tune_req, MTF_SYS_STACK_TUNE_REQ)
ZS_LAYOUT(mt_sys_stack_tune_rsp, MTF_SYS_STACK_TUNE_RSP)
ZS_LAYOUT(mt_sys_osal_nv_delete_req, MTF_SYS_OSAL_NV_DELETE_REQ)
ZS_LAYOUT(mt_nv_id, MTF_NV_ID)
ZS_LAYOUT(mt_sys_osal_nv_length_rsp, MTF_SYS_OSAL_NV_LENGTH_RSP)
ZS_LAYOUT(mt_sys_set_tx_power_req, MTF_SYS_SET_TX_POWER_REQ)
ZS_LAYOUT(mt_sys_random_rsp, MTF_SYS_RANDOM_RSP)
ZS_LAYOUT(mt_sys_osal_nv_read_ext_req, MTF_SYS_OSAL_NV_READ_EXT_REQ)
ZS_LAYOUT(mt_sys_osal_nv_write_ext_req, MTF_SYS_OSAL_NV_WRITE_EXT_REQ)
ZS_LAYOUT(mt_sys_nv_item, MTF_SYS_NV_ITEM)
ZS_LAYOUT(mt_sys_nv_create_req, MTF_SYS_NV_CREATE_REQ)
ZS_LAYOUT(mt_sys_nv_length_rsp, MTF_SYS_NV_LENGTH_RSP)
ZS_LAYOUT(mt_sys_nv_read_req, MTF_SYS_NV_READ_REQ)
ZS_LAYOUT(mt_sys_nv_write_req, MTF_SYS_NV_WRITE_REQ)
ZS_LAYOUT(mt_sys_reset_ind, MTF_SYS_RESET_IND)
ZS_LAYOUT(mt_util_get_device_info_rsp, MTF_UTIL_GET_DEVICE_INFO_RSP)
ZS_LAYOUT(mt_util_led_control_req, MTF_UTIL_LED_CONTROL_REQ)
ZS_LAYOUT(mt_util_assoc_find_device_req, MTF_UTIL_ASSOC_FIND_DEVICE_REQ)
ZS_LAYOUT(mt_util_assoc_device_rsp, MTF_UTIL_ASSOC_DEVICE_RSP)
ZS_LAYOUT(mt_util_assoc_get_with_address_req, MTF_UTIL_ASSOC_GET_WITH_ADDRESS_REQ)
ZS_LAYOUT(mt_util_assoc_add_req, MTF_UTIL_ASSOC_ADD_REQ)
ZS_LAYOUT(mt_zdo_nwk_addr_req_req, MTF_ZDO_NWK_ADDR_REQ_REQ)
ZS_LAYOUT(mt_zdo_ieee_addr_req_req, MTF_ZDO_IEEE_ADDR_REQ_REQ)
ZS_LAYOUT(mt_zdo_dst_nwk, MTF_ZDO_DST_NWK)
ZS_LAYOUT(mt_zdo_simple_desc_req_req, MTF_ZDO_SIMPLE_DESC_REQ_REQ)
ZS_LAYOUT(mt_zdo_mgmt_table_req, MTF_ZDO_MGMT_TABLE_REQ)
ZS_LAYOUT(mt_zdo_mgmt_permit_join_req_req, MTF_ZDO_MGMT_PERMIT_JOIN_REQ_REQ)
ZS_LAYOUT(mt_zdo_mgmt_nwk_update_req_req, MTF_ZDO_MGMT_NWK_UPDATE_REQ_REQ)
ZS_LAYOUT(mt_zdo_msg_cb_register_req, MTF_ZDO_MSG_CB_REGISTER_REQ)
ZS_LAYOUT(mt_zdo_startup_from_app_req, MTF_ZDO_STARTUP_FROM_APP_REQ)
ZS_LAYOUT(mt_zdo_startup_from_app_rsp, MTF_ZDO_STARTUP_FROM_APP_RSP)
ZS_LAYOUT(mt_zdo_group_req, MTF_ZDO_GROUP_REQ)
ZS_LAYOUT(mt_zdo_ext_add_group_req, MTF_ZDO_EXT_ADD_GROUP_REQ)
ZS_LAYOUT(mt_zdo_ext_find_group_rsp, MTF_ZDO_EXT_FIND_GROUP_RSP)
ZS_LAYOUT(mt_zdo_ext_nwk_info_rsp, MTF_ZDO_EXT_NWK_INFO_RSP)
ZS_LAYOUT(mt_zdo_addr_rsp, MTF_ZDO_ADDR_RSP)
ZS_LAYOUT(mt_zdo_node_desc_rsp, MTF_ZDO_NODE_DESC_RSP)
ZS_LAYOUT(mt_zdo_active_ep_rsp, MTF_ZDO_ACTIVE_EP_RSP)
ZS_LAYOUT(mt_zdo_simple_desc_rsp, MTF_ZDO_SIMPLE_DESC_RSP)
ZS_LAYOUT(mt_simple_desc, MTF_SIMPLE_DESC)
ZS_LAYOUT(mt_zdo_mgmt_table_rsp, MTF_ZDO_MGMT_TABLE_RSP)
ZS_LAYOUT(mt_zdo_mgmt_permit_join_rsp, MTF_ZDO_MGMT_PERMIT_JOIN_RSP)
ZS_LAYOUT(mt_zdo_mgmt_nwk_update_notify, MTF_ZDO_MGMT_NWK_UPDATE_NOTIFY)
ZS_LAYOUT(mt_zdo_state_change_ind, MTF_ZDO_STATE_CHANGE_IND)
ZS_LAYOUT(mt_zdo_permit_join_ind, MTF_ZDO_PERMIT_JOIN_IND)
ZS_LAYOUT(mt_zdo_msg_cb_incoming, MTF_ZDO_MSG_CB_INCOMING)
ZS_LAYOUT(mt_af_register_req, MTF_AF_REGISTER_REQ)
ZS_LAYOUT(mt_af_data_request_req, MTF_AF_DATA_REQUEST_REQ)
ZS_LAYOUT(mt_af_data_request_ext_req, MTF_AF_DATA_REQUEST_EXT_REQ)
ZS_LAYOUT(mt_af_data_request_src_rtg_req, MTF_AF_DATA_REQUEST_SRC_RTG_REQ)
ZS_LAYOUT(mt_af_data_confirm, MTF_AF_DATA_CONFIRM)
ZS_LAYOUT(mt_af_incoming_msg, MTF_AF_INCOMING_MSG)
ZS_LAYOUT(mt_app_cnf_bdb_add_installcode_req, MTF_APP_CNF_BDB_ADD_INSTALLCODE_REQ)
ZS_LAYOUT(mt_u8_arg, MTF_U8_ARG)
ZS_LAYOUT(mt_app_cnf_bdb_set_channel_req, MTF_APP_CNF_BDB_SET_CHANNEL_REQ)
ZS_LAYOUT(mt_app_cnf_bdb_commissioning_notification, MTF_APP_CNF_BDB_COMMISSIONING_NOTIFICATION)
ZS_LAYOUT(mt_sapi_zb_read_configuration_rsp, MTF_SAPI_ZB_READ_CONFIGURATION_RSP)
ZS_LAYOUT(mt_sapi_zb_write_configuration_req, MTF_SAPI_ZB_WRITE_CONFIGURATION_REQ)
ZS_LAYOUT(mt_sapi_zb_get_device_info_rsp, MTF_SAPI_ZB_GET_DEVICE_INFO_RSP)
ZS_LAYOUT(mt_rpc_error_ind, MTF_RPC_ERROR_IND)

/* a request with its SRSP; an AREQ to the NCP (no answer); an indication from it */
#define SREQ(cmd, name, req, rsp, ...)                                                             \
    {                                                                                              \
        MT_ID(cmd), name, &req##_layout, &rsp##_layout, __VA_ARGS__                                \
    }
#define AREQ(cmd, name, req)                                                                       \
    {                                                                                              \
        MT_ID(cmd), name, &req##_layout, NULL, NULL                                                \
    }
#define IND(cmd, name, rsp)                                                                        \
    {                                                                                              \
        MT_ID(cmd), name, NULL, &rsp##_layout, NULL                                                \
    }

/* clang-format off */
const zs_cmd mt_schema[] = {
    /* SYS */
    AREQ(MT_SYS_RESET_REQ, "SYS_RESET_REQ", mt_sys_reset_req),
    SREQ(MT_SYS_PING, "SYS_PING", zs_empty, mt_sys_ping_rsp, NULL),
    SREQ(MT_SYS_VERSION, "SYS_VERSION", zs_empty, mt_sys_version_rsp, NULL),
    SREQ(MT_SYS_SET_EXTADDR, "SYS_SET_EXTADDR", mt_ieee, mt_status, NULL),
    SREQ(MT_SYS_GET_EXTADDR, "SYS_GET_EXTADDR", zs_empty, mt_ieee, "ieee"),
    SREQ(MT_SYS_OSAL_NV_ITEM_INIT, "SYS_OSAL_NV_ITEM_INIT", mt_sys_osal_nv_item_init_req,
         mt_status, NULL),
    SREQ(MT_SYS_OSAL_NV_READ, "SYS_OSAL_NV_READ", mt_sys_osal_nv_read_req, mt_nv_read_rsp, NULL),
    SREQ(MT_SYS_OSAL_NV_WRITE, "SYS_OSAL_NV_WRITE", mt_sys_osal_nv_write_req, mt_status, NULL),
    SREQ(MT_SYS_RANDOM, "SYS_RANDOM", zs_empty, mt_sys_random_rsp, "value"),
    SREQ(MT_SYS_STACK_TUNE, "SYS_STACK_TUNE", mt_sys_stack_tune_req, mt_sys_stack_tune_rsp, NULL),
    SREQ(MT_SYS_OSAL_NV_DELETE, "SYS_OSAL_NV_DELETE", mt_sys_osal_nv_delete_req, mt_status, NULL),
    SREQ(MT_SYS_OSAL_NV_LENGTH, "SYS_OSAL_NV_LENGTH", mt_nv_id, mt_sys_osal_nv_length_rsp, NULL),
    SREQ(MT_SYS_SET_TX_POWER, "SYS_SET_TX_POWER", mt_sys_set_tx_power_req, mt_status, NULL),
    SREQ(MT_SYS_OSAL_NV_READ_EXT, "SYS_OSAL_NV_READ_EXT", mt_sys_osal_nv_read_ext_req,
         mt_nv_read_rsp, NULL),
    SREQ(MT_SYS_OSAL_NV_WRITE_EXT, "SYS_OSAL_NV_WRITE_EXT", mt_sys_osal_nv_write_ext_req,
         mt_status, NULL),
    SREQ(MT_SYS_NV_CREATE, "SYS_NV_CREATE", mt_sys_nv_create_req, mt_status, NULL),
    SREQ(MT_SYS_NV_DELETE, "SYS_NV_DELETE", mt_sys_nv_item, mt_status, NULL),
    SREQ(MT_SYS_NV_LENGTH, "SYS_NV_LENGTH", mt_sys_nv_item, mt_sys_nv_length_rsp, NULL),
    SREQ(MT_SYS_NV_READ, "SYS_NV_READ", mt_sys_nv_read_req, mt_nv_read_rsp, NULL),
    SREQ(MT_SYS_NV_WRITE, "SYS_NV_WRITE", mt_sys_nv_write_req, mt_status, NULL),
    IND(MT_SYS_RESET_IND, "SYS_RESET_IND", mt_sys_reset_ind),
    /* UTIL */
    SREQ(MT_UTIL_GET_DEVICE_INFO, "UTIL_GET_DEVICE_INFO", zs_empty, mt_util_get_device_info_rsp,
         "ieee"),
    SREQ(MT_UTIL_LED_CONTROL, "UTIL_LED_CONTROL", mt_util_led_control_req, mt_status, NULL),
    SREQ(MT_UTIL_ASSOC_FIND_DEVICE, "UTIL_ASSOC_FIND_DEVICE", mt_util_assoc_find_device_req,
         mt_util_assoc_device_rsp, NULL),
    SREQ(MT_UTIL_ASSOC_GET_WITH_ADDRESS, "UTIL_ASSOC_GET_WITH_ADDRESS",
         mt_util_assoc_get_with_address_req, mt_util_assoc_device_rsp, NULL),
    SREQ(MT_UTIL_ASSOC_REMOVE, "UTIL_ASSOC_REMOVE", mt_ieee, mt_status, NULL),
    SREQ(MT_UTIL_ASSOC_ADD, "UTIL_ASSOC_ADD", mt_util_assoc_add_req, mt_status, NULL),
    /* ZDO: each request answers a status, then (from the coordinator itself) its indication */
    SREQ(MT_ZDO_NWK_ADDR_REQ, "ZDO_NWK_ADDR_REQ", mt_zdo_nwk_addr_req_req, mt_status, NULL),
    SREQ(MT_ZDO_IEEE_ADDR_REQ, "ZDO_IEEE_ADDR_REQ", mt_zdo_ieee_addr_req_req, mt_status, NULL),
    SREQ(MT_ZDO_NODE_DESC_REQ, "ZDO_NODE_DESC_REQ", mt_zdo_dst_nwk, mt_status, NULL),
    SREQ(MT_ZDO_SIMPLE_DESC_REQ, "ZDO_SIMPLE_DESC_REQ", mt_zdo_simple_desc_req_req, mt_status,
         NULL),
    SREQ(MT_ZDO_ACTIVE_EP_REQ, "ZDO_ACTIVE_EP_REQ", mt_zdo_dst_nwk, mt_status, NULL),
    /* dstAddr, srcIEEE, srcEp, cluster, dstAddrMode, dstAddr (8), dstEp: acknowledged unread */
    SREQ(MT_ZDO_BIND_REQ, "ZDO_BIND_REQ", mt_opaque, mt_status, NULL),
    SREQ(MT_ZDO_UNBIND_REQ, "ZDO_UNBIND_REQ", mt_opaque, mt_status, NULL),
    SREQ(MT_ZDO_MGMT_LQI_REQ, "ZDO_MGMT_LQI_REQ", mt_zdo_mgmt_table_req, mt_status, NULL),
    SREQ(MT_ZDO_MGMT_RTG_REQ, "ZDO_MGMT_RTG_REQ", mt_zdo_mgmt_table_req, mt_status, NULL),
    SREQ(MT_ZDO_MGMT_BIND_REQ, "ZDO_MGMT_BIND_REQ", mt_zdo_mgmt_table_req, mt_status, NULL),
    /* dstAddr, deviceAddress (8), removeChildren_Rejoin: acknowledged unread */
    SREQ(MT_ZDO_MGMT_LEAVE_REQ, "ZDO_MGMT_LEAVE_REQ", mt_opaque, mt_status, NULL),
    SREQ(MT_ZDO_MGMT_PERMIT_JOIN_REQ, "ZDO_MGMT_PERMIT_JOIN_REQ", mt_zdo_mgmt_permit_join_req_req,
         mt_status, NULL),
    SREQ(MT_ZDO_MGMT_NWK_UPDATE_REQ, "ZDO_MGMT_NWK_UPDATE_REQ", mt_zdo_mgmt_nwk_update_req_req,
         mt_status, NULL),
    SREQ(MT_ZDO_MSG_CB_REGISTER, "ZDO_MSG_CB_REGISTER", mt_zdo_msg_cb_register_req, mt_status,
         NULL),
    SREQ(MT_ZDO_STARTUP_FROM_APP, "ZDO_STARTUP_FROM_APP", mt_zdo_startup_from_app_req,
         mt_zdo_startup_from_app_rsp, NULL),
    /* dstAddr, options, radius / dstAddr, options: acknowledged unread */
    SREQ(MT_ZDO_EXT_ROUTE_DISC, "ZDO_EXT_ROUTE_DISC", mt_opaque, mt_status, NULL),
    SREQ(MT_ZDO_EXT_ROUTE_CHECK, "ZDO_EXT_ROUTE_CHECK", mt_opaque, mt_status, NULL),
    SREQ(MT_ZDO_EXT_FIND_GROUP, "ZDO_EXT_FIND_GROUP", mt_zdo_group_req, mt_zdo_ext_find_group_rsp,
         NULL),
    SREQ(MT_ZDO_EXT_ADD_GROUP, "ZDO_EXT_ADD_GROUP", mt_zdo_ext_add_group_req, mt_status, NULL),
    SREQ(MT_ZDO_EXT_NWK_INFO, "ZDO_EXT_NWK_INFO", zs_empty, mt_zdo_ext_nwk_info_rsp, NULL),
    IND(MT_ZDO_NWK_ADDR_RSP, "ZDO_NWK_ADDR_RSP", mt_zdo_addr_rsp),
    IND(MT_ZDO_IEEE_ADDR_RSP, "ZDO_IEEE_ADDR_RSP", mt_zdo_addr_rsp),
    IND(MT_ZDO_NODE_DESC_RSP, "ZDO_NODE_DESC_RSP", mt_zdo_node_desc_rsp),
    IND(MT_ZDO_SIMPLE_DESC_RSP, "ZDO_SIMPLE_DESC_RSP", mt_zdo_simple_desc_rsp),
    IND(MT_ZDO_ACTIVE_EP_RSP, "ZDO_ACTIVE_EP_RSP", mt_zdo_active_ep_rsp),
    IND(MT_ZDO_MGMT_LQI_RSP, "ZDO_MGMT_LQI_RSP", mt_zdo_mgmt_table_rsp),
    IND(MT_ZDO_MGMT_RTG_RSP, "ZDO_MGMT_RTG_RSP", mt_zdo_mgmt_table_rsp),
    IND(MT_ZDO_MGMT_BIND_RSP, "ZDO_MGMT_BIND_RSP", mt_zdo_mgmt_table_rsp),
    IND(MT_ZDO_MGMT_PERMIT_JOIN_RSP, "ZDO_MGMT_PERMIT_JOIN_RSP", mt_zdo_mgmt_permit_join_rsp),
    IND(MT_ZDO_MGMT_NWK_UPDATE_NOTIFY, "ZDO_MGMT_NWK_UPDATE_NOTIFY", mt_zdo_mgmt_nwk_update_notify),
    IND(MT_ZDO_STATE_CHANGE_IND, "ZDO_STATE_CHANGE_IND", mt_zdo_state_change_ind),
    IND(MT_ZDO_PERMIT_JOIN_IND, "ZDO_PERMIT_JOIN_IND", mt_zdo_permit_join_ind),
    IND(MT_ZDO_MSG_CB_INCOMING, "ZDO_MSG_CB_INCOMING", mt_zdo_msg_cb_incoming),
    /* AF */
    SREQ(MT_AF_REGISTER, "AF_REGISTER", mt_af_register_req, mt_status, NULL),
    SREQ(MT_AF_DATA_REQUEST, "AF_DATA_REQUEST", mt_af_data_request_req, mt_status, NULL),
    SREQ(MT_AF_DATA_REQUEST_EXT, "AF_DATA_REQUEST_EXT", mt_af_data_request_ext_req, mt_status,
         NULL),
    SREQ(MT_AF_DATA_REQUEST_SRC_RTG, "AF_DATA_REQUEST_SRC_RTG", mt_af_data_request_src_rtg_req,
         mt_status, NULL),
    /* command, then its data (none, a PAN id, an endpoint): acknowledged unread */
    SREQ(MT_AF_INTER_PAN_CTL, "AF_INTER_PAN_CTL", mt_opaque, mt_status, NULL),
    IND(MT_AF_DATA_CONFIRM, "AF_DATA_CONFIRM", mt_af_data_confirm),
    IND(MT_AF_INCOMING_MSG, "AF_INCOMING_MSG", mt_af_incoming_msg),
    /* APP_CNF */
    SREQ(MT_APP_CNF_BDB_ADD_INSTALLCODE, "APP_CNF_BDB_ADD_INSTALLCODE",
         mt_app_cnf_bdb_add_installcode_req, mt_status, NULL),
    SREQ(MT_APP_CNF_BDB_START_COMMISSIONING, "APP_CNF_BDB_START_COMMISSIONING", mt_u8_arg,
         mt_status, NULL),
    SREQ(MT_APP_CNF_BDB_SET_JOINUSESINSTALLCODEKEY, "APP_CNF_BDB_SET_JOINUSESINSTALLCODEKEY",
         mt_u8_arg, mt_status, NULL),
    SREQ(MT_APP_CNF_BDB_SET_CHANNEL, "APP_CNF_BDB_SET_CHANNEL", mt_app_cnf_bdb_set_channel_req,
         mt_status, NULL),
    SREQ(MT_APP_CNF_BDB_SET_TC_REQUIRE_KEY_EXCHANGE, "APP_CNF_BDB_SET_TC_REQUIRE_KEY_EXCHANGE",
         mt_u8_arg, mt_status, NULL),
    IND(MT_APP_CNF_BDB_COMMISSIONING_NOTIFICATION, "APP_CNF_BDB_COMMISSIONING_NOTIFICATION",
        mt_app_cnf_bdb_commissioning_notification),
    /* SAPI */
    SREQ(MT_SAPI_ZB_READ_CONFIGURATION, "SAPI_ZB_READ_CONFIGURATION", mt_u8_arg,
         mt_sapi_zb_read_configuration_rsp, NULL),
    SREQ(MT_SAPI_ZB_WRITE_CONFIGURATION, "SAPI_ZB_WRITE_CONFIGURATION",
         mt_sapi_zb_write_configuration_req, mt_status, NULL),
    SREQ(MT_SAPI_ZB_GET_DEVICE_INFO, "SAPI_ZB_GET_DEVICE_INFO", mt_u8_arg,
         mt_sapi_zb_get_device_info_rsp, NULL),
    IND(MT_RPC_ERROR, "RPC_ERROR", mt_rpc_error_ind),
};
/* clang-format on */
const size_t mt_schema_n = sizeof mt_schema / sizeof mt_schema[0];

const zs_cmd *mt_schema_find(uint8_t cmd0, uint8_t cmd1)
{
    return zs_cmd_find(mt_schema, mt_schema_n, MT_ID_(cmd0, cmd1), 0);
}

const zs_cmd *mt_schema_of_answer(uint8_t cmd0, uint8_t cmd1)
{
    if ((cmd0 >> 5) == MT_TYPE_SRSP && (cmd0 & 0x1F) != MT_SUBSYS_RPC_ERR)
        cmd0 = mt_cmd0(MT_TYPE_SREQ, cmd0 & 0x1F);
    return mt_schema_find(cmd0, cmd1);
}

/* ---------------------------------------------------------------- the unit's bytes */

/* SAPI ZB_GET_DEVICE_INFO's value by the parameter asked (1.2's sapi_GetDeviceInfo) */
typedef struct sapi_unit {
    uint8_t param;
    uint8_t off, len; /* in the 8 value bytes */
    const char *name, *why;
} sapi_unit;

static const sapi_unit SAPI_UNITS[] = {
    {1, 0, 8, "ZB_GET_DEVICE_INFO(IEEE).value", "the unit's IEEE address"},
    {6, 2, 6, "ZB_GET_DEVICE_INFO(PAN_ID).stale",
     "after the 2-byte PAN ID, what the stack's buffer held (a real 1.2 stick: 09 8d 16)"},
};

static int sapi_unit_of(const uint8_t *req, size_t n, mt_unit_range *out)
{
    for (size_t i = 0; n >= 1 && i < sizeof SAPI_UNITS / sizeof SAPI_UNITS[0]; i++) {
        const sapi_unit *u = &SAPI_UNITS[i];
        if (u->param != req[0]) continue;
        snprintf(out->name, sizeof out->name, "%s", u->name);
        out->why = u->why;
        out->off = 1u + u->off;
        out->len = u->len;
        return 1;
    }
    return 0;
}

/* An NV read: the item's unit part (znp_layout.c) where the read's bytes cover it. The value
 * starts at answer byte 2 (status, length) and at item byte `at`; `got` value bytes came. */
static int nv_unit_of(const char *cmd, int have, const znp_nv_unit *u, size_t at,
                      const uint8_t *ans, size_t ans_len, mt_unit_range *out)
{
    size_t got = ans_len >= 2 ? ans[1] : 0;
    if (!have || (u->item_size && (at != 0 || u->item_size != got))) return 0;
    if (at >= (size_t)u->off + u->len) return 0;
    size_t from = u->off > at ? u->off : at;
    snprintf(out->name, sizeof out->name, "%s(%s).%s", cmd, u->item, u->field);
    out->why = u->why;
    out->off = 2 + from - at;
    out->len = (size_t)u->off + u->len - from;
    return 1;
}

int mt_unit_in_answer(const uint8_t *req, size_t req_len, const uint8_t *ans, size_t ans_len,
                      uint8_t cmd0, uint8_t cmd1, mt_unit_range *out)
{
    const zs_cmd *c = mt_schema_of_answer(cmd0, cmd1);
    mt_sys_osal_nv_read_req rd;
    mt_sys_osal_nv_read_ext_req ext;
    mt_sys_nv_read_req nv;
    znp_nv_unit u;
    if (!c || !c->req) return 0;
    switch (c->id) {
    case MT_ID(MT_SYS_OSAL_NV_READ):
        return zs_decode(c->req, req, req_len, &rd, NULL) >= 0 &&
               nv_unit_of("SYS_OSAL_NV_READ", znp_nv_unit_of(rd.id, &u), &u, rd.offset, ans,
                          ans_len, out);
    case MT_ID(MT_SYS_OSAL_NV_READ_EXT):
        return zs_decode(c->req, req, req_len, &ext, NULL) >= 0 &&
               nv_unit_of("SYS_OSAL_NV_READ_EXT", znp_nv_unit_of(ext.id, &u), &u, ext.offset, ans,
                          ans_len, out);
    case MT_ID(MT_SYS_NV_READ):
        return zs_decode(c->req, req, req_len, &nv, NULL) >= 0 && nv.sys_id == 1 &&
               nv_unit_of("SYS_NV_READ", znp_ext_unit_of(nv.item_id, &u), &u, nv.offset, ans,
                          ans_len, out);
    case MT_ID(MT_SAPI_ZB_GET_DEVICE_INFO): return sapi_unit_of(req, req_len, out);
    default: return 0;
    }
}
