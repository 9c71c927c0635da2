/* zboss_schema.h - every ZBOSS NCP call the emulator serves or the harness sends, declared once:
 * its call id, name and the layouts of its request and response parameters (proto/schema.h).
 *
 * Why: the emulated NCP decodes what the harness's driver encodes, and the reverse for the
 * answers; with one declaration per payload both sides serialise through the same layout and
 * can only disagree with the firmware together, where the real sticks' traces (vectors/traces/
 * zboss) and tests/unit/test_zboss_schema.c catch it. Layouts follow zboss-ncp.md §5-§6 (the
 * DSR NCP source as read there); a layout cites its source where it is not the §5 table.
 *
 * Parameters only: the HL header (call id, TSN, status) is proto/zboss.h's. A failed call
 * answers with the header alone, so a response layout is the success case. */
#ifndef ZB_ZBOSS_SCHEMA_H
#define ZB_ZBOSS_SCHEMA_H

#include "schema.h"

#include <stddef.h>
#include <stdint.h>

/* The NCP's reassembly buffer (§2.6): no request is longer. */
#define ZBOSS_MAX_MESSAGE 1600
/* The most a dataset read here holds (NVRAM_READ of a 255-record APS key table is 7144 bytes);
 * a layout's struct must stay under 64 KiB (zs_layout.size is a u16) */
#define ZBOSS_MAX_DATASET 0x7F00

/* the stack's standard trust-centre link key "ZigBeeAlliance09" (§9.6) */
extern const uint8_t ZBOSS_TC_STANDARD_KEY[16];

/* ---------------------------------------------------------------- shared shapes */

#define ZBOSS_U8_(X, S)     X(S, U8, value)
#define ZBOSS_NWK_(X, S)    X(S, U16, nwk)
#define ZBOSS_IEEE_(X, S)   X(S, U64, ieee)
#define ZBOSS_KEY_(X, S)    X(S, BYTES, key, 16)
#define ZBOSS_EPID_(X, S)   X(S, BYTES, epid, 8)
#define ZBOSS_CHMASK_(X, S) X(S, U8, page) X(S, U32, mask)
ZS_STRUCT(zboss_u8, ZBOSS_U8_)
ZS_STRUCT(zboss_nwk, ZBOSS_NWK_)
ZS_STRUCT(zboss_ieee, ZBOSS_IEEE_)
ZS_STRUCT(zboss_key, ZBOSS_KEY_)
ZS_STRUCT(zboss_epid, ZBOSS_EPID_)
ZS_STRUCT(zboss_chmask, ZBOSS_CHMASK_)

/* ---------------------------------------------------------------- NCP configuration (§5.1) */

#define ZBOSS_MODULE_VERSION_RSP(X, S) X(S, U32, fw) X(S, U32, stack) X(S, U32, protocol)
#define ZBOSS_RESET_REQ(X, S)          X(S, U8, option)
#define ZBOSS_ROLE_(X, S)              X(S, U8, role)
/* only non-zero masks listed: one entry per channel page */
#define ZBOSS_CHMASK_LIST_(X, S) X(S, LIST8, entries, 255, zboss_chmask)
#define ZBOSS_CHANNEL_RSP(X, S)  X(S, U8, page) X(S, U8, channel)
#define ZBOSS_PAN_(X, S)         X(S, U16, pan_id)
/* hosts send mac_if 0; the NCP takes the request without it too */
#define ZBOSS_LOCAL_IEEE_REQ(X, S)  X(S, REST, mac_if, 1)
#define ZBOSS_LOCAL_IEEE_(X, S)     X(S, U8, mac_if) X(S, U64, ieee)
#define ZBOSS_DBM_(X, S)            X(S, U8, dbm) /* an i8 on the wire */
#define ZBOSS_SET_NWK_KEY_REQ(X, S) X(S, BYTES, key, 16) X(S, U8, key_no)
#define ZBOSS_NWK_KEY_(X, S)        X(S, BYTES, key, 16) X(S, U8, seq)
ZS_STRUCT(zboss_nwk_key, ZBOSS_NWK_KEY_)
/* the active key first, then the other sequence numbers ascending; missing: 17 zero bytes */
#define ZBOSS_NWK_KEYS_RSP(X, S)  X(S, ARRAY, keys, 3, zboss_nwk_key)
#define ZBOSS_TC_POLICY_REQ(X, S) X(S, U16, type) X(S, U8, value)
/* the 8 bytes the DSR source appends: what the NCP's response buffer held (zboss_frontend.h);
 * zigpy-zboss takes them as optional */
#define ZBOSS_TC_POLICY_RSP(X, S) X(S, REST, buffer, 8)
ZS_STRUCT(zboss_module_version_rsp, ZBOSS_MODULE_VERSION_RSP)
ZS_STRUCT(zboss_reset_req, ZBOSS_RESET_REQ)
ZS_STRUCT(zboss_role, ZBOSS_ROLE_)
ZS_STRUCT(zboss_chmask_list, ZBOSS_CHMASK_LIST_)
ZS_STRUCT(zboss_channel_rsp, ZBOSS_CHANNEL_RSP)
ZS_STRUCT(zboss_pan, ZBOSS_PAN_)
ZS_STRUCT(zboss_local_ieee_req, ZBOSS_LOCAL_IEEE_REQ)
ZS_STRUCT(zboss_local_ieee, ZBOSS_LOCAL_IEEE_)
ZS_STRUCT(zboss_dbm, ZBOSS_DBM_)
ZS_STRUCT(zboss_set_nwk_key_req, ZBOSS_SET_NWK_KEY_REQ)
ZS_STRUCT(zboss_nwk_keys_rsp, ZBOSS_NWK_KEYS_RSP)
ZS_STRUCT(zboss_tc_policy_req, ZBOSS_TC_POLICY_REQ)
ZS_STRUCT(zboss_tc_policy_rsp, ZBOSS_TC_POLICY_RSP)

/* ---------------------------------------------------------------- NVRAM (§5.1, §8) */

/* NVRAM_WRITE: a count, then that many datasets (zboss_nvram_dataset) back to back */
#define ZBOSS_NVRAM_WRITE_REQ(X, S) X(S, U8, count) X(S, REST, datasets, ZBOSS_MAX_MESSAGE)
#define ZBOSS_NVRAM_DATASET(X, S)                                                                  \
    X(S, U16, type) X(S, U16, version) X(S, LEN16, data, ZBOSS_MAX_MESSAGE)
#define ZBOSS_NVRAM_READ_REQ(X, S) X(S, U16, type)
#define ZBOSS_NVRAM_READ_RSP(X, S)                                                                 \
    X(S, U16, nvram_version) X(S, U16, type) X(S, U16, version) X(S, LEN16, data, ZBOSS_MAX_DATASET)
/* COMMON_DATA (1) version 2, 92 bytes on a 2.4 GHz single-interface build (§8.4): bits
 * (designated_coordinator:1, insecure_join:1, stack_profile:4, device_type:2), then one
 * MAC-interface entry (mac_bits twice, power/data rate, channel in use, supported channels) and
 * the flags (hub_connectivity:1, rx_on:1, tc_swapped:1) */
/* clang-format off: one field a line (it reflows X-macro chains differently each run) */
#define ZBOSS_COMMON_DATA(X, S)                                                                    \
    X(S, U8, bits)                                                                                 \
    X(S, U8, depth)                                                                                \
    X(S, U16, nwk_manager)                                                                         \
    X(S, U16, pan_id)                                                                              \
    X(S, U16, nwk_addr)                                                                            \
    X(S, U32, aps_channel_mask)                                                                    \
    X(S, BYTES, aps_use_epid, 8)                                                                   \
    X(S, BYTES, nwk_epid, 8)                                                                       \
    X(S, BYTES, parent_ieee, 8)                                                                    \
    X(S, BYTES, tc_ieee, 8)                                                                        \
    X(S, BYTES, nwk_key, 16)                                                                       \
    X(S, U8, nwk_key_seq)                                                                          \
    X(S, BYTES, tc_standard_key, 16)                                                               \
    X(S, U8, channel)                                                                              \
    X(S, U8, page)                                                                                 \
    X(S, U8, mac_bits1)                                                                            \
    X(S, U8, mac_bits2)                                                                            \
    X(S, U16, power_rate)                                                                          \
    X(S, U32, channel_in_use)                                                                      \
    X(S, U32, supported_channels)                                                                  \
    X(S, U8, flags)
/* clang-format on */
#define ZBOSS_COMMON_DATA_SIZE 92
ZS_STRUCT(zboss_nvram_write_req, ZBOSS_NVRAM_WRITE_REQ)
ZS_STRUCT(zboss_nvram_dataset, ZBOSS_NVRAM_DATASET)
ZS_STRUCT(zboss_common_data, ZBOSS_COMMON_DATA)
ZS_STRUCT(zboss_nvram_read_req, ZBOSS_NVRAM_READ_REQ)
ZS_STRUCT(zboss_nvram_data_rsp, ZBOSS_NVRAM_READ_RSP)

/* ---------------------------------------------------------------- AF (§5.2) */

/* ep, profile, device, version, the two counts, then in[in_count] and out[out_count] as u16:
 * the counts both lead, so the clusters are one run of bytes (2 per cluster) */
#define ZBOSS_SIMPLE_DESC_(X, S)                                                                   \
    X(S, U8, ep)                                                                                   \
    X(S, U16, profile)                                                                             \
    X(S, U16, device)                                                                              \
    X(S, U8, version) X(S, U8, in_count) X(S, U8, out_count) X(S, REST, clusters, 248)
#define ZBOSS_NODE_DESC_REQ(X, S) X(S, U8, role) X(S, U8, mac_cap) X(S, U16, manuf)
#define ZBOSS_POWER_DESC_REQ(X, S)                                                                 \
    X(S, U8, mode) X(S, U8, avail_src) X(S, U8, cur_src) X(S, U8, level)
ZS_STRUCT(zboss_simple_desc, ZBOSS_SIMPLE_DESC_)
ZS_STRUCT(zboss_node_desc_req, ZBOSS_NODE_DESC_REQ)
ZS_STRUCT(zboss_power_desc_req, ZBOSS_POWER_DESC_REQ)

/* ---------------------------------------------------------------- APS (§5.4) */

/* APSDE_DATA_REQ as the row takes it: param_len, data_len, then the parameter block and the
 * data; the block is zboss_apsde_params (param_len 21, DSR) or zboss_apsde_params20 (20: the
 * group form herdsman sends, without dst_ep) */
#define ZBOSS_APSDE_DATA_REQ(X, S)                                                                 \
    X(S, U8, param_len) X(S, U16, data_len) X(S, REST, body, ZBOSS_MAX_MESSAGE)
#define ZBOSS_APSDE_TAIL_(X, S)                                                                    \
    X(S, U8, radius)                                                                               \
    X(S, U8, addr_mode)                                                                            \
    X(S, U8, tx_options) X(S, U8, use_alias) X(S, U16, alias_src) X(S, U8, alias_seq)
#define ZBOSS_APSDE_PARAMS(X, S)                                                                   \
    X(S, BYTES, dst, 8)                                                                            \
    X(S, U16, profile) X(S, U16, cluster) X(S, U8, dst_ep) X(S, U8, src_ep) ZBOSS_APSDE_TAIL_(X, S)
#define ZBOSS_APSDE_PARAMS20(X, S)                                                                 \
    X(S, BYTES, dst, 8)                                                                            \
    X(S, U16, profile) X(S, U16, cluster) X(S, U8, src_ep) ZBOSS_APSDE_TAIL_(X, S)
#define ZBOSS_APSDE_DATA_RSP(X, S)                                                                 \
    X(S, BYTES, dst, 8)                                                                            \
    X(S, U8, dst_ep) X(S, U8, src_ep) X(S, U32, tx_time) X(S, U8, addr_mode)
#define ZBOSS_GROUP_REQ(X, S)       X(S, U16, group) X(S, U8, ep)
#define ZBOSS_GROUP_TABLE_RSP(X, S) X(S, LIST8_U16, groups, 32)
/* APSDE_DATA_IND (§6): param_len (21), data_len, the 21-byte block, the data */
/* clang-format off: one field a line (it reflows X-macro chains differently each run) */
#define ZBOSS_APSDE_DATA_IND(X, S)                                                                 \
    X(S, U8, param_len)                                                                            \
    X(S, U16, data_len)                                                                            \
    X(S, U8, aps_fc)                                                                               \
    X(S, U16, src)                                                                                 \
    X(S, U16, dst)                                                                                 \
    X(S, U16, group)                                                                               \
    X(S, U8, dst_ep)                                                                               \
    X(S, U8, src_ep)                                                                               \
    X(S, U16, cluster)                                                                             \
    X(S, U16, profile)                                                                             \
    X(S, U8, aps_counter)                                                                          \
    X(S, U16, mac_src)                                                                             \
    X(S, U16, mac_dst)                                                                             \
    X(S, U8, lqi)                                                                                  \
    X(S, U8, rssi)                                                                                 \
    X(S, U8, key_src_attr)                                                                         \
    X(S, REST, payload, ZBOSS_MAX_MESSAGE)
/* clang-format on */
ZS_STRUCT(zboss_apsde_data_req, ZBOSS_APSDE_DATA_REQ)
ZS_STRUCT(zboss_apsde_params, ZBOSS_APSDE_PARAMS)
ZS_STRUCT(zboss_apsde_params20, ZBOSS_APSDE_PARAMS20)
ZS_STRUCT(zboss_apsde_data_rsp, ZBOSS_APSDE_DATA_RSP)
ZS_STRUCT(zboss_group_req, ZBOSS_GROUP_REQ)
ZS_STRUCT(zboss_group_table_rsp, ZBOSS_GROUP_TABLE_RSP)
ZS_STRUCT(zboss_apsde_data_ind, ZBOSS_APSDE_DATA_IND)

/* ---------------------------------------------------------------- NWK (§5.5) */

#define ZBOSS_FORMATION_REQ(X, S)                                                                  \
    X(S, LIST8, channels, 255, zboss_chmask)                                                       \
    X(S, U8, scan_duration) X(S, U8, distributed) X(S, U16, distributed_addr) X(S, BYTES, epid, 8)
#define ZBOSS_FORMATION_RSP(X, S) X(S, U16, nwk) X(S, U16, pan_id) X(S, U8, page) X(S, U8, channel)
ZS_STRUCT(zboss_formation_req, ZBOSS_FORMATION_REQ)
ZS_STRUCT(zboss_formation_rsp, ZBOSS_FORMATION_RSP)

/* ---------------------------------------------------------------- ZDO (§5.3) */

#define ZBOSS_NWK_ADDR_REQ(X, S)  X(S, U16, dst) X(S, U64, ieee) X(S, U8, type) X(S, U8, start)
#define ZBOSS_IEEE_ADDR_REQ(X, S) X(S, U16, dst) X(S, U16, nwk) X(S, U8, type) X(S, U8, start)
/* extended (type 1) adds num, and only if num > 0: start, nwk[num] */
#define ZBOSS_ADDR_RSP(X, S)       X(S, U64, ieee) X(S, U16, nwk) X(S, REST, extended, 130)
#define ZBOSS_POWER_DESC_RSP(X, S) X(S, U16, power_desc) X(S, U16, nwk)
#define ZBOSS_NODE_DESC_RSP(X, S)                                                                  \
    X(S, U16, flags)                                                                               \
    X(S, U8, mac_cap)                                                                              \
    X(S, U16, manuf)                                                                               \
    X(S, U8, max_buf)                                                                              \
    X(S, U16, max_in) X(S, U16, server_mask) X(S, U16, max_out) X(S, U8, desc_cap) X(S, U16, nwk)
#define ZBOSS_SIMPLE_DESC_REQ(X, S) X(S, U16, nwk) X(S, U8, ep)
/* the simple descriptor (zboss_simple_desc), then the source nwk u16: the descriptor's
 * clusters run on to the end, so the nwk is the REST's last two bytes */
#define ZBOSS_SIMPLE_DESC_RSP(X, S)                                                                \
    X(S, U8, ep)                                                                                   \
    X(S, U16, profile)                                                                             \
    X(S, U16, device)                                                                              \
    X(S, U8, version) X(S, U8, in_count) X(S, U8, out_count) X(S, REST, clusters_nwk, 250)
#define ZBOSS_EP_LIST_RSP(X, S) X(S, LEN8, eps, 255) X(S, U16, nwk)
#define ZBOSS_MATCH_DESC_REQ(X, S)                                                                 \
    X(S, U16, nwk)                                                                                 \
    X(S, U16, profile)                                                                             \
    X(S, U8, in_count) X(S, U8, out_count) X(S, REST, clusters, ZBOSS_MAX_MESSAGE)
/* bind, unbind and leave as the emulator takes them: the target, then the ZDP request as it
 * comes (bind: src_ieee, src_ep, cluster u16, dst_mode, dst 8, dst_ep; leave:
 * zboss_leave_zdp) */
#define ZBOSS_ZDO_TARGET_REQ(X, S)  X(S, U16, dst) X(S, REST, zdp, ZBOSS_MAX_MESSAGE)
#define ZBOSS_LEAVE_ZDP(X, S)       X(S, U64, ieee) X(S, U8, flags)
#define ZBOSS_PERMIT_JOIN_REQ(X, S) X(S, U16, dst) X(S, U8, duration) X(S, U8, tc_significance)
#define ZBOSS_ZDO_START_REQ(X, S)   X(S, U16, dst) X(S, U8, start)
/* the binding table's records vary with their address mode: left as bytes */
#define ZBOSS_MGMT_BIND_RSP(X, S)                                                                  \
    X(S, U8, total) X(S, U8, start) X(S, U8, count) X(S, REST, records, ZBOSS_MAX_MESSAGE)
#define ZBOSS_LQI_NEIGHBOR(X, S)                                                                   \
    X(S, BYTES, epid, 8)                                                                           \
    X(S, U64, ieee) X(S, U16, nwk) X(S, U8, flags) X(S, U8, permit) X(S, U8, depth) X(S, U8, lqi)
ZS_STRUCT(zboss_lqi_neighbor, ZBOSS_LQI_NEIGHBOR)
#define ZBOSS_MGMT_LQI_RSP(X, S)                                                                   \
    X(S, U8, total) X(S, U8, start) X(S, LIST8, neighbors, 16, zboss_lqi_neighbor)
#define ZBOSS_NWK_UPDATE_REQ(X, S)                                                                 \
    X(S, U32, channels) X(S, U8, duration) X(S, REST, rest, ZBOSS_MAX_MESSAGE)
#define ZBOSS_NWK_UPDATE_RSP(X, S)                                                                 \
    X(S, U32, scanned) X(S, U16, total_tx) X(S, U16, tx_fail) X(S, LEN8, energies, 16)
#define ZBOSS_MANUF_REQ(X, S) X(S, U16, manuf)
ZS_STRUCT(zboss_nwk_addr_req, ZBOSS_NWK_ADDR_REQ)
ZS_STRUCT(zboss_ieee_addr_req, ZBOSS_IEEE_ADDR_REQ)
ZS_STRUCT(zboss_addr_rsp, ZBOSS_ADDR_RSP)
ZS_STRUCT(zboss_power_desc_rsp, ZBOSS_POWER_DESC_RSP)
ZS_STRUCT(zboss_node_desc_rsp, ZBOSS_NODE_DESC_RSP)
ZS_STRUCT(zboss_simple_desc_req, ZBOSS_SIMPLE_DESC_REQ)
ZS_STRUCT(zboss_simple_desc_rsp, ZBOSS_SIMPLE_DESC_RSP)
ZS_STRUCT(zboss_ep_list_rsp, ZBOSS_EP_LIST_RSP)
ZS_STRUCT(zboss_match_desc_req, ZBOSS_MATCH_DESC_REQ)
ZS_STRUCT(zboss_zdo_target_req, ZBOSS_ZDO_TARGET_REQ)
ZS_STRUCT(zboss_leave_zdp, ZBOSS_LEAVE_ZDP)
ZS_STRUCT(zboss_permit_join_req, ZBOSS_PERMIT_JOIN_REQ)
ZS_STRUCT(zboss_zdo_start_req, ZBOSS_ZDO_START_REQ)
ZS_STRUCT(zboss_mgmt_bind_rsp, ZBOSS_MGMT_BIND_RSP)
ZS_STRUCT(zboss_mgmt_lqi_rsp, ZBOSS_MGMT_LQI_RSP)
ZS_STRUCT(zboss_nwk_update_req, ZBOSS_NWK_UPDATE_REQ)
ZS_STRUCT(zboss_nwk_update_rsp, ZBOSS_NWK_UPDATE_RSP)
ZS_STRUCT(zboss_manuf_req, ZBOSS_MANUF_REQ)

/* ---------------------------------------------------------------- indications (§6) */

#define ZBOSS_RESET_IND(X, S)      X(S, U8, source)
#define ZBOSS_DEV_ANNCE_IND(X, S)  X(S, U16, nwk) X(S, U64, ieee) X(S, U8, mac_cap)
#define ZBOSS_DEV_AUTH_IND(X, S)   X(S, U64, ieee) X(S, U16, nwk) X(S, U8, type) X(S, U8, status)
#define ZBOSS_DEV_UPDATE_IND(X, S) X(S, U64, ieee) X(S, U16, nwk) X(S, U8, status)
#define ZBOSS_LEAVE_IND(X, S)      X(S, U64, ieee) X(S, U8, rejoin)
ZS_STRUCT(zboss_reset_ind, ZBOSS_RESET_IND)
ZS_STRUCT(zboss_dev_annce_ind, ZBOSS_DEV_ANNCE_IND)
ZS_STRUCT(zboss_dev_auth_ind, ZBOSS_DEV_AUTH_IND)
ZS_STRUCT(zboss_dev_update_ind, ZBOSS_DEV_UPDATE_IND)
ZS_STRUCT(zboss_leave_ind, ZBOSS_LEAVE_IND)

/* ---------------------------------------------------------------- the calls */

extern const zs_cmd zboss_cmds[];
extern const size_t zboss_n_cmds;

/* The row of call `id`, or NULL. */
const zs_cmd *zboss_cmd_row(uint16_t id);

#endif
