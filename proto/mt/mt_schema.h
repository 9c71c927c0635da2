/* mt_schema.h - every MT command the emulated ZNP serves and the harness's driver sends or
 * parses, declared once: its id, its TI name and the layouts of its request and its answer
 * (proto/core/schema.h). The emulator decodes requests and encodes answers through these layouts,
 * the driver encodes requests and decodes answers through the same ones, and the trace replay
 * walks them, so the two sides cannot drift apart as the hand-written copies did.
 *
 * Layouts follow TI's MT interface (../shared/protocols/zstack-mt.md §3, Z-Stack mt_sys.c,
 * mt_util.c, mt_zdo.c, mt_af.c, mt_app_config.c, mt_sapi.c); where a layout is not obvious, the
 * comment says where it comes from. A row's id is cmd0 << 8 | cmd1 of the request (MT_ID); an
 * indication (AREQ from the NCP) has no request layout and its own id. */
#ifndef ZB_MT_SCHEMA_H
#define ZB_MT_SCHEMA_H

#include "mt.h"
#include "mt_cmds.h"
#include "schema.h"

/* MT_ID(MT_SYS_PING) is 0x2101: a named pair as one zs_cmd id */
#define MT_ID_(c0, c1) ((uint32_t)((unsigned)(c0) << 8 | (unsigned)(c1)))
#define MT_ID(...)     MT_ID_(__VA_ARGS__)

#define MT_NV_DATA_MAX 248 /* an NV item's bytes in one frame: 250 minus status and length */

/* ---- shared payloads ---- */
#define MTF_STATUS(X, S) X(S, U8, status)
ZS_STRUCT(mt_status, MTF_STATUS)
/* what the emulator acknowledges without reading (the request's own fields are in the comment
 * of its row) */
#define MTF_OPAQUE(X, S) X(S, REST, payload, MT_MAX_DATA)
ZS_STRUCT(mt_opaque, MTF_OPAQUE)

/* ---- SYS ---- */
/* type: 0 hard, 1 soft. A REST of one byte: an empty request resets soft here (a real stick
 * ignored one: vectors/traces/znp/zstack30-unknown-herdsman-jethome5, a difference EXPECT.tsv
 * keeps) */
#define MTF_SYS_RESET_REQ_REQ(X, S) X(S, REST, type, 1)
ZS_STRUCT(mt_sys_reset_req, MTF_SYS_RESET_REQ_REQ)
#define MTF_SYS_PING_RSP(X, S) X(S, U16, capabilities)
ZS_STRUCT(mt_sys_ping_rsp, MTF_SYS_PING_RSP)
/* what follows the release is optional: CodeRevision (u32), then the bootloader build type and
 * revision on the builds that have them (zigpy-znp SYS.Version; vectors/traces/znp: 00 on
 * 3.x.0, 02 FFFFFFFF on a CC2538 3.0); a stock 1.2 build sends none of it
 * (zstack12-stock-openhab-oh9a) */
#define MTF_SYS_VERSION_RSP(X, S)                                                                  \
    X(S, U8, transport_rev)                                                                        \
    X(S, U8, product) X(S, U8, major) X(S, U8, minor) X(S, U8, maint) X(S, REST, revision, 9)
ZS_STRUCT(mt_sys_version_rsp, MTF_SYS_VERSION_RSP)
#define MTF_IEEE(X, S) X(S, BYTES, ieee, 8)
ZS_STRUCT(mt_ieee, MTF_IEEE)
#define MTF_SYS_OSAL_NV_ITEM_INIT_REQ(X, S)                                                        \
    X(S, U16, id) X(S, U16, len) X(S, LEN8, init, MT_MAX_DATA)
ZS_STRUCT(mt_sys_osal_nv_item_init_req, MTF_SYS_OSAL_NV_ITEM_INIT_REQ)
#define MTF_SYS_OSAL_NV_READ_REQ(X, S) X(S, U16, id) X(S, U8, offset)
ZS_STRUCT(mt_sys_osal_nv_read_req, MTF_SYS_OSAL_NV_READ_REQ)
#define MTF_NV_READ_RSP(X, S) X(S, U8, status) X(S, LEN8, value, MT_NV_DATA_MAX)
ZS_STRUCT(mt_nv_read_rsp, MTF_NV_READ_RSP)
#define MTF_SYS_OSAL_NV_WRITE_REQ(X, S)                                                            \
    X(S, U16, id) X(S, U8, offset) X(S, LEN8, value, MT_MAX_DATA)
ZS_STRUCT(mt_sys_osal_nv_write_req, MTF_SYS_OSAL_NV_WRITE_REQ)
#define MTF_SYS_STACK_TUNE_REQ(X, S) X(S, U8, operation) X(S, U8, value)
ZS_STRUCT(mt_sys_stack_tune_req, MTF_SYS_STACK_TUNE_REQ)
#define MTF_SYS_STACK_TUNE_RSP(X, S) X(S, U8, value)
ZS_STRUCT(mt_sys_stack_tune_rsp, MTF_SYS_STACK_TUNE_RSP)
#define MTF_SYS_OSAL_NV_DELETE_REQ(X, S) X(S, U16, id) X(S, U16, len)
ZS_STRUCT(mt_sys_osal_nv_delete_req, MTF_SYS_OSAL_NV_DELETE_REQ)
#define MTF_NV_ID(X, S) X(S, U16, id)
ZS_STRUCT(mt_nv_id, MTF_NV_ID)
#define MTF_SYS_OSAL_NV_LENGTH_RSP(X, S) X(S, U16, length)
ZS_STRUCT(mt_sys_osal_nv_length_rsp, MTF_SYS_OSAL_NV_LENGTH_RSP)
/* 3.x.0 answers a status; 1.2 and 3.0 the power they set (zigpy-znp: StatusOrPower) */
#define MTF_SYS_SET_TX_POWER_REQ(X, S) X(S, U8, power)
ZS_STRUCT(mt_sys_set_tx_power_req, MTF_SYS_SET_TX_POWER_REQ)
#define MTF_SYS_RANDOM_RSP(X, S) X(S, U16, value)
ZS_STRUCT(mt_sys_random_rsp, MTF_SYS_RANDOM_RSP)
#define MTF_SYS_OSAL_NV_READ_EXT_REQ(X, S) X(S, U16, id) X(S, U16, offset)
ZS_STRUCT(mt_sys_osal_nv_read_ext_req, MTF_SYS_OSAL_NV_READ_EXT_REQ)
#define MTF_SYS_OSAL_NV_WRITE_EXT_REQ(X, S)                                                        \
    X(S, U16, id) X(S, U16, offset) X(S, LEN16, value, MT_MAX_DATA)
ZS_STRUCT(mt_sys_osal_nv_write_ext_req, MTF_SYS_OSAL_NV_WRITE_EXT_REQ)
/* extended NV (3.x.0, zstack-mt.md §3.1): sysId, itemId, subId */
#define MTF_SYS_NV_ITEM(X, S) X(S, U8, sys_id) X(S, U16, item_id) X(S, U16, sub_id)
ZS_STRUCT(mt_sys_nv_item, MTF_SYS_NV_ITEM)
#define MTF_SYS_NV_CREATE_REQ(X, S) MTF_SYS_NV_ITEM(X, S) X(S, U32, length)
ZS_STRUCT(mt_sys_nv_create_req, MTF_SYS_NV_CREATE_REQ)
#define MTF_SYS_NV_LENGTH_RSP(X, S) X(S, U32, length)
ZS_STRUCT(mt_sys_nv_length_rsp, MTF_SYS_NV_LENGTH_RSP)
#define MTF_SYS_NV_READ_REQ(X, S) MTF_SYS_NV_ITEM(X, S) X(S, U16, offset) X(S, U8, length)
ZS_STRUCT(mt_sys_nv_read_req, MTF_SYS_NV_READ_REQ)
#define MTF_SYS_NV_WRITE_REQ(X, S)                                                                 \
    MTF_SYS_NV_ITEM(X, S) X(S, U16, offset) X(S, LEN8, value, MT_MAX_DATA)
ZS_STRUCT(mt_sys_nv_write_req, MTF_SYS_NV_WRITE_REQ)
/* SYS_RESET_IND: reason, then SYS_VERSION's first five bytes but the revision */
#define MTF_SYS_RESET_IND(X, S)                                                                    \
    X(S, U8, reason)                                                                               \
    X(S, U8, transport_rev) X(S, U8, product) X(S, U8, major) X(S, U8, minor) X(S, U8, maint)
ZS_STRUCT(mt_sys_reset_ind, MTF_SYS_RESET_IND)

/* ---- UTIL ---- */
#define MTF_UTIL_GET_DEVICE_INFO_RSP(X, S)                                                         \
    X(S, U8, status)                                                                               \
    X(S, BYTES, ieee, 8)                                                                           \
    X(S, U16, nwk) X(S, U8, device_type) X(S, U8, device_state) X(S, LIST8_U16, assoc, 120)
ZS_STRUCT(mt_util_get_device_info_rsp, MTF_UTIL_GET_DEVICE_INFO_RSP)
#define MTF_UTIL_LED_CONTROL_REQ(X, S) X(S, U8, led) X(S, U8, mode)
ZS_STRUCT(mt_util_led_control_req, MTF_UTIL_LED_CONTROL_REQ)
#define MTF_UTIL_ASSOC_FIND_DEVICE_REQ(X, S) X(S, U8, number)
ZS_STRUCT(mt_util_assoc_find_device_req, MTF_UTIL_ASSOC_FIND_DEVICE_REQ)
/* associated_devices_t as the chip lays it out: 28 bytes packed, 36 aligned (znp_layout.h
 * znp_assoc_*; zigpy-znp tells the alignment from this length) */
#define MTF_UTIL_ASSOC_DEVICE_RSP(X, S) X(S, REST, device, 36)
ZS_STRUCT(mt_util_assoc_device_rsp, MTF_UTIL_ASSOC_DEVICE_RSP)
#define MTF_UTIL_ASSOC_GET_WITH_ADDRESS_REQ(X, S) X(S, BYTES, ieee, 8) X(S, U16, nwk)
ZS_STRUCT(mt_util_assoc_get_with_address_req, MTF_UTIL_ASSOC_GET_WITH_ADDRESS_REQ)
#define MTF_UTIL_ASSOC_ADD_REQ(X, S) X(S, U16, nwk) X(S, BYTES, ieee, 8) X(S, U8, relation)
ZS_STRUCT(mt_util_assoc_add_req, MTF_UTIL_ASSOC_ADD_REQ)

/* ---- ZDO ---- */
#define MTF_ZDO_NWK_ADDR_REQ_REQ(X, S) X(S, BYTES, ieee, 8) X(S, U8, type) X(S, U8, start)
ZS_STRUCT(mt_zdo_nwk_addr_req_req, MTF_ZDO_NWK_ADDR_REQ_REQ)
#define MTF_ZDO_IEEE_ADDR_REQ_REQ(X, S) X(S, U16, nwk) X(S, U8, type) X(S, U8, start)
ZS_STRUCT(mt_zdo_ieee_addr_req_req, MTF_ZDO_IEEE_ADDR_REQ_REQ)
/* NODE_DESC_REQ, ACTIVE_EP_REQ: dstAddr, nwkAddrOfInterest */
#define MTF_ZDO_DST_NWK(X, S) X(S, U16, dst) X(S, U16, nwk)
ZS_STRUCT(mt_zdo_dst_nwk, MTF_ZDO_DST_NWK)
#define MTF_ZDO_SIMPLE_DESC_REQ_REQ(X, S) X(S, U16, dst) X(S, U16, nwk) X(S, U8, endpoint)
ZS_STRUCT(mt_zdo_simple_desc_req_req, MTF_ZDO_SIMPLE_DESC_REQ_REQ)
/* MGMT_LQI_REQ, _RTG_REQ, _BIND_REQ: dstAddr, startIndex */
#define MTF_ZDO_MGMT_TABLE_REQ(X, S) X(S, U16, dst) X(S, U8, start)
ZS_STRUCT(mt_zdo_mgmt_table_req, MTF_ZDO_MGMT_TABLE_REQ)
#define MTF_ZDO_MGMT_PERMIT_JOIN_REQ_REQ(X, S)                                                     \
    X(S, U8, addr_mode) X(S, U16, dst) X(S, U8, duration) X(S, U8, tc_significance)
ZS_STRUCT(mt_zdo_mgmt_permit_join_req_req, MTF_ZDO_MGMT_PERMIT_JOIN_REQ_REQ)
#define MTF_ZDO_MGMT_NWK_UPDATE_REQ_REQ(X, S)                                                      \
    X(S, U16, dst)                                                                                 \
    X(S, U8, dst_mode)                                                                             \
    X(S, U32, channel_mask) X(S, U8, duration) X(S, U8, count) X(S, U16, nwk_manager)
ZS_STRUCT(mt_zdo_mgmt_nwk_update_req_req, MTF_ZDO_MGMT_NWK_UPDATE_REQ_REQ)
#define MTF_ZDO_MSG_CB_REGISTER_REQ(X, S) X(S, U16, cluster)
ZS_STRUCT(mt_zdo_msg_cb_register_req, MTF_ZDO_MSG_CB_REGISTER_REQ)
#define MTF_ZDO_STARTUP_FROM_APP_REQ(X, S) X(S, U16, start_delay)
ZS_STRUCT(mt_zdo_startup_from_app_req, MTF_ZDO_STARTUP_FROM_APP_REQ)
#define MTF_ZDO_STARTUP_FROM_APP_RSP(X, S) X(S, U8, state) /* 0 restored, 1 new, 2 leave */
ZS_STRUCT(mt_zdo_startup_from_app_rsp, MTF_ZDO_STARTUP_FROM_APP_RSP)
#define MTF_ZDO_GROUP_REQ(X, S) X(S, U8, endpoint) X(S, U16, group)
ZS_STRUCT(mt_zdo_group_req, MTF_ZDO_GROUP_REQ)
/* the group's name: a length byte and its characters (zigpy-znp ExtAddGroup GroupName) */
#define MTF_ZDO_EXT_ADD_GROUP_REQ(X, S) MTF_ZDO_GROUP_REQ(X, S) X(S, LEN8, name, MT_MAX_DATA)
ZS_STRUCT(mt_zdo_ext_add_group_req, MTF_ZDO_EXT_ADD_GROUP_REQ)
#define MTF_ZDO_EXT_FIND_GROUP_RSP(X, S) X(S, U8, status) X(S, U16, group) X(S, LEN8, name, 16)
ZS_STRUCT(mt_zdo_ext_find_group_rsp, MTF_ZDO_EXT_FIND_GROUP_RSP)
#define MTF_ZDO_EXT_NWK_INFO_RSP(X, S)                                                             \
    X(S, U16, nwk)                                                                                 \
    X(S, U8, dev_state)                                                                            \
    X(S, U16, pan_id)                                                                              \
    X(S, U16, parent_nwk) X(S, BYTES, ext_pan_id, 8) X(S, BYTES, parent_ieee, 8) X(S, U8, channel)
ZS_STRUCT(mt_zdo_ext_nwk_info_rsp, MTF_ZDO_EXT_NWK_INFO_RSP)
/* indications */
#define MTF_ZDO_ADDR_RSP(X, S)                                                                     \
    X(S, U8, status) X(S, BYTES, ieee, 8) X(S, U16, nwk) X(S, U8, start) X(S, LIST8_U16, assoc, 120)
ZS_STRUCT(mt_zdo_addr_rsp, MTF_ZDO_ADDR_RSP)
/* the node descriptor after srcAddr, status, nwkAddrOfInterest (ZigBee spec 2.3.2.3) */
#define MTF_ZDO_NODE_DESC_RSP(X, S)                                                                \
    X(S, U16, src)                                                                                 \
    X(S, U8, status)                                                                               \
    X(S, U16, nwk)                                                                                 \
    X(S, U8, logical_type)                                                                         \
    X(S, U8, aps_flags_band)                                                                       \
    X(S, U8, mac_capabilities)                                                                     \
    X(S, U16, manufacturer) X(S, U8, max_buffer) X(S, U16, max_in_transfer) X(S, U16, server_mask) \
        X(S, U16, max_out_transfer) X(S, U8, descriptor_capabilities)
ZS_STRUCT(mt_zdo_node_desc_rsp, MTF_ZDO_NODE_DESC_RSP)
#define MTF_ZDO_ACTIVE_EP_RSP(X, S)                                                                \
    X(S, U16, src) X(S, U8, status) X(S, U16, nwk) X(S, LEN8, endpoints, 240)
ZS_STRUCT(mt_zdo_active_ep_rsp, MTF_ZDO_ACTIVE_EP_RSP)
/* the simple descriptor goes with its own length byte: 0 and nothing for an inactive endpoint */
#define MTF_ZDO_SIMPLE_DESC_RSP(X, S)                                                              \
    X(S, U16, src) X(S, U8, status) X(S, U16, nwk) X(S, LEN8, descriptor, 240)
ZS_STRUCT(mt_zdo_simple_desc_rsp, MTF_ZDO_SIMPLE_DESC_RSP)
#define MTF_SIMPLE_DESC(X, S)                                                                      \
    X(S, U8, endpoint)                                                                             \
    X(S, U16, profile)                                                                             \
    X(S, U16, device)                                                                              \
    X(S, U8, version) X(S, LIST8_U16, in_clusters, 120) X(S, LIST8_U16, out_clusters, 120)
ZS_STRUCT(mt_simple_desc, MTF_SIMPLE_DESC)
/* MGMT_LQI_RSP, _RTG_RSP, _BIND_RSP: srcAddr, status, total, start, then the entries (the
 * count and each table's rows, not read by the driver; the emulator's tables are empty) */
#define MTF_ZDO_MGMT_TABLE_RSP(X, S)                                                               \
    X(S, U16, src)                                                                                 \
    X(S, U8, status) X(S, U8, total) X(S, U8, start) X(S, U8, count) X(S, REST, entries, 240)
ZS_STRUCT(mt_zdo_mgmt_table_rsp, MTF_ZDO_MGMT_TABLE_RSP)
#define MTF_ZDO_MGMT_PERMIT_JOIN_RSP(X, S) X(S, U16, src) X(S, U8, status)
ZS_STRUCT(mt_zdo_mgmt_permit_join_rsp, MTF_ZDO_MGMT_PERMIT_JOIN_RSP)
#define MTF_ZDO_MGMT_NWK_UPDATE_NOTIFY(X, S)                                                       \
    X(S, U16, src)                                                                                 \
    X(S, U8, status)                                                                               \
    X(S, U32, scanned_channels)                                                                    \
    X(S, U16, total_transmissions) X(S, U16, transmission_failures) X(S, LEN8, energy, 16)
ZS_STRUCT(mt_zdo_mgmt_nwk_update_notify, MTF_ZDO_MGMT_NWK_UPDATE_NOTIFY)
#define MTF_ZDO_STATE_CHANGE_IND(X, S) X(S, U8, state)
ZS_STRUCT(mt_zdo_state_change_ind, MTF_ZDO_STATE_CHANGE_IND)
#define MTF_ZDO_PERMIT_JOIN_IND(X, S) X(S, U8, duration)
ZS_STRUCT(mt_zdo_permit_join_ind, MTF_ZDO_PERMIT_JOIN_IND)
#define MTF_ZDO_MSG_CB_INCOMING(X, S)                                                              \
    X(S, U16, src)                                                                                 \
    X(S, U8, is_broadcast)                                                                         \
    X(S, U16, cluster) X(S, U8, security_use) X(S, U8, tsn) X(S, U16, mac_dst) X(S, REST, data, 240)
ZS_STRUCT(mt_zdo_msg_cb_incoming, MTF_ZDO_MSG_CB_INCOMING)

/* ---- AF ---- */
#define MTF_AF_REGISTER_REQ(X, S)                                                                  \
    X(S, U8, endpoint)                                                                             \
    X(S, U16, profile)                                                                             \
    X(S, U16, device)                                                                              \
    X(S, U8, version)                                                                              \
    X(S, U8, latency) X(S, LIST8_U16, in_clusters, 120) X(S, LIST8_U16, out_clusters, 120)
ZS_STRUCT(mt_af_register_req, MTF_AF_REGISTER_REQ)
#define MTF_AF_DATA_REQUEST_REQ(X, S)                                                              \
    X(S, U16, dst)                                                                                 \
    X(S, U8, dst_ep)                                                                               \
    X(S, U8, src_ep)                                                                               \
    X(S, U16, cluster)                                                                             \
    X(S, U8, tsn) X(S, U8, options) X(S, U8, radius) X(S, LEN8, data, MT_MAX_DATA)
ZS_STRUCT(mt_af_data_request_req, MTF_AF_DATA_REQUEST_REQ)
#define MTF_AF_DATA_REQUEST_EXT_REQ(X, S)                                                          \
    X(S, U8, dst_mode)                                                                             \
    X(S, BYTES, dst, 8)                                                                            \
    X(S, U8, dst_ep)                                                                               \
    X(S, U16, dst_pan)                                                                             \
    X(S, U8, src_ep)                                                                               \
    X(S, U16, cluster)                                                                             \
    X(S, U8, tsn) X(S, U8, options) X(S, U8, radius) X(S, LEN16, data, MT_MAX_DATA)
ZS_STRUCT(mt_af_data_request_ext_req, MTF_AF_DATA_REQUEST_EXT_REQ)
#define MTF_AF_DATA_REQUEST_SRC_RTG_REQ(X, S)                                                      \
    X(S, U16, dst)                                                                                 \
    X(S, U8, dst_ep)                                                                               \
    X(S, U8, src_ep)                                                                               \
    X(S, U16, cluster)                                                                             \
    X(S, U8, tsn)                                                                                  \
    X(S, U8, options) X(S, U8, radius) X(S, LIST8_U16, relays, 120) X(S, LEN8, data, MT_MAX_DATA)
ZS_STRUCT(mt_af_data_request_src_rtg_req, MTF_AF_DATA_REQUEST_SRC_RTG_REQ)
#define MTF_AF_DATA_CONFIRM(X, S) X(S, U8, status) X(S, U8, endpoint) X(S, U8, tsn)
ZS_STRUCT(mt_af_data_confirm, MTF_AF_DATA_CONFIRM)
/* groupId .. len, data, macSrcAddr, msgResultRadius (zstack-mt.md; herdsman's definition) */
#define MTF_AF_INCOMING_MSG(X, S)                                                                  \
    X(S, U16, group)                                                                               \
    X(S, U16, cluster)                                                                             \
    X(S, U16, src)                                                                                 \
    X(S, U8, src_ep)                                                                               \
    X(S, U8, dst_ep)                                                                               \
    X(S, U8, was_broadcast)                                                                        \
    X(S, U8, lqi) X(S, U8, security_use) X(S, U32, timestamp) X(S, U8, tsn) X(S, LEN8, data, 230)  \
        X(S, U16, mac_src) X(S, U8, radius)
ZS_STRUCT(mt_af_incoming_msg, MTF_AF_INCOMING_MSG)

/* ---- APP_CNF (BDB) ---- */
#define MTF_APP_CNF_BDB_ADD_INSTALLCODE_REQ(X, S)                                                  \
    X(S, U8, format) X(S, BYTES, ieee, 8) X(S, REST, code, MT_MAX_DATA)
ZS_STRUCT(mt_app_cnf_bdb_add_installcode_req, MTF_APP_CNF_BDB_ADD_INSTALLCODE_REQ)
#define MTF_U8_ARG(X, S) X(S, U8, value)
ZS_STRUCT(mt_u8_arg, MTF_U8_ARG)
#define MTF_APP_CNF_BDB_SET_CHANNEL_REQ(X, S) X(S, U8, is_primary) X(S, U32, channel_mask)
ZS_STRUCT(mt_app_cnf_bdb_set_channel_req, MTF_APP_CNF_BDB_SET_CHANNEL_REQ)
#define MTF_APP_CNF_BDB_COMMISSIONING_NOTIFICATION(X, S)                                           \
    X(S, U8, status) X(S, U8, mode) X(S, U8, remaining_modes)
ZS_STRUCT(mt_app_cnf_bdb_commissioning_notification, MTF_APP_CNF_BDB_COMMISSIONING_NOTIFICATION)

/* ---- SAPI (1.2, CC2538 3.0) ---- */
#define MTF_SAPI_ZB_READ_CONFIGURATION_RSP(X, S)                                                   \
    X(S, U8, status) X(S, U8, id) X(S, LEN8, value, 128)
ZS_STRUCT(mt_sapi_zb_read_configuration_rsp, MTF_SAPI_ZB_READ_CONFIGURATION_RSP)
#define MTF_SAPI_ZB_WRITE_CONFIGURATION_REQ(X, S) X(S, U8, id) X(S, LEN8, value, MT_MAX_DATA)
ZS_STRUCT(mt_sapi_zb_write_configuration_req, MTF_SAPI_ZB_WRITE_CONFIGURATION_REQ)
/* the value little-endian at the start of 8 bytes; the rest is what the buffer held */
#define MTF_SAPI_ZB_GET_DEVICE_INFO_RSP(X, S) X(S, U8, param) X(S, BYTES, value, 8)
ZS_STRUCT(mt_sapi_zb_get_device_info_rsp, MTF_SAPI_ZB_GET_DEVICE_INFO_RSP)

/* ---- RPC error (the NCP's answer to an SREQ it cannot take) ---- */
#define MTF_RPC_ERROR_IND(X, S) X(S, U8, code) X(S, U8, req_cmd0) X(S, U8, req_cmd1)
ZS_STRUCT(mt_rpc_error_ind, MTF_RPC_ERROR_IND)

/* ---- the table ---- */
extern const zs_cmd mt_schema[];
extern const size_t mt_schema_n;
/* The row of the request (or indication) cmd0 cmd1, or NULL. */
const zs_cmd *mt_schema_find(uint8_t cmd0, uint8_t cmd1);
/* The row an answer belongs to: an SRSP's request (cmd0 type SREQ), else the frame itself (an
 * indication); NULL when none. For the trace replay's field walk. */
const zs_cmd *mt_schema_of_answer(uint8_t cmd0, uint8_t cmd1);

/* The unit's part of an answer whose meaning depends on what the request named: the NV item of
 * SYS_OSAL_NV_READ(_EXT) and SYS_NV_READ (proto/mt/znp_layout.c keeps each item's unit part), the
 * parameter of SAPI ZB_GET_DEVICE_INFO. `req` and `ans` are the payloads (after cmd0 cmd1) of
 * the request and of its answer cmd0 cmd1. Fills the answer's byte range, its name
 * ("SYS_OSAL_NV_READ_EXT(EXTADDR).value") and why; returns 1, or 0 when nothing is the unit's.
 * The plain unit fields (a whole answer's field) are the rows' `unit` column. */
typedef struct mt_unit_range {
    char name[96];
    const char *why;
    size_t off, len;
} mt_unit_range;
int mt_unit_in_answer(const uint8_t *req, size_t req_len, const uint8_t *ans, size_t ans_len,
                      uint8_t cmd0, uint8_t cmd1, mt_unit_range *out);

#endif
