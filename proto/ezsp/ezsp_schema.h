/* ezsp_schema.h - every EZSP command the emulated NCP serves and the harness's driver sends,
 * with its frame id, Silicon Labs name and the layouts of its parameters each way, declared once
 * (schema.h) for both sides; and the EZSP structures those layouts carry.
 *
 * Why: the emulator parsed each request by hand that the driver built by hand, and the reverse
 * for responses, with one put/get function pair per structure in between. Here a payload is an
 * X-macro list of fields: the list gives the C struct both sides fill and the layout the one
 * codec (zs_decode/zs_encode) reads and writes.
 *
 * Versions (ezsp-ash.md §2.5): a command whose layout changed is one row per version range,
 * all rows over ONE struct so a handler or a driver call does not branch on the layout. Two
 * pseudo kinds make the common change a single list:
 *     ST   a status: EmberStatus/EzspStatus u8 up to v13, sl_status u32 from v14
 *     TAG  a message tag: u8 up to v13, u16 from v14
 * The struct keeps the wide member; the "_v8" layout (v8-v13) reads/writes one byte (U8W).
 * Where fields moved or appeared (security manager, messageSent, incomingMessage, child data,
 * secman context), each version's list is written out over the struct of the newest one. */
#ifndef ZB_EZSP_SCHEMA_H
#define ZB_EZSP_SCHEMA_H

#include "schema.h"

#include <stddef.h>
#include <stdint.h>

/* ---- the pseudo kinds, mapped for v14+ (K14) and v8-v13 (K8) ---- */
#define EZ_K14_ST    U32
#define EZ_K14_TAG   U16
#define EZ_K8_ST     U8W
#define EZ_K8_TAG    U8W
#define EZ_K14_U8    U8
#define EZ_K8_U8     U8
#define EZ_K14_U16   U16
#define EZ_K8_U16    U16
#define EZ_K14_U32   U32
#define EZ_K8_U32    U32
#define EZ_K14_U64   U64
#define EZ_K8_U64    U64
#define EZ_K14_U8W   U8W
#define EZ_K8_U8W    U8W
#define EZ_K14_BYTES BYTES
#define EZ_K8_BYTES  BYTES
#define EZ_K14_LEN8  LEN8
#define EZ_K8_LEN8   LEN8
#define EZ_K14_REST  REST
#define EZ_K8_REST   REST
#define EZ_K14_ARRAY ARRAY
#define EZ_K8_ARRAY  ARRAY

#define EZ_X_(X, S, kind, ...) X(S, kind, __VA_ARGS__)
#define EZ_M14(S, kind, ...)   EZ_X_(ZS_MEMBER, S, EZ_K14_##kind, __VA_ARGS__)
#define EZ_R14(S, kind, ...)   EZ_X_(ZS_ROW, S, EZ_K14_##kind, __VA_ARGS__)
#define EZ_R8(S, kind, ...)    EZ_X_(ZS_ROW, S, EZ_K8_##kind, __VA_ARGS__)

/* the struct (wide members) and its layout; EZ_STRUCT2 also declares name_v8_layout */
#define EZ_STRUCT(name, LIST)                                                                      \
    typedef struct name {                                                                          \
        LIST(EZ_M14, name)                                                                         \
    } name;                                                                                        \
    extern const zs_layout name##_layout;
#define EZ_STRUCT2(name, LIST)                                                                     \
    EZ_STRUCT(name, LIST)                                                                          \
    extern const zs_layout name##_v8_layout;

/* ======================================================== structures (ezsp-ash.md §3) */

#define EZSP_NETWORK_PARAMS(X, S) /* EmberNetworkParameters, 20 bytes */                           \
    X(S, BYTES, extended_pan_id, 8)                                                                \
    X(S, U16, pan_id)                                                                              \
    X(S, U8, radio_tx_power)                                                                       \
    X(S, U8, radio_channel)                                                                        \
    X(S, U8, join_method) X(S, U16, nwk_manager_id) X(S, U8, nwk_update_id) X(S, U32, channels)
EZ_STRUCT(ezsp_network_params, EZSP_NETWORK_PARAMS)

#define EZSP_INITIAL_SECURITY(X, S) /* EmberInitialSecurityState, 43 bytes */                      \
    X(S, U16, bitmask)                                                                             \
    X(S, BYTES, preconfigured_key, 16)                                                             \
    X(S, BYTES, network_key, 16) X(S, U8, network_key_seq) X(S, BYTES, tc_eui64, 8)
EZ_STRUCT(ezsp_initial_security, EZSP_INITIAL_SECURITY)

/* sl_zb_sec_man_context_t: 18 bytes from v13; v12 (bellows' v12 table) has derivedType u8 */
#define EZSP_SECMAN_CONTEXT(X, S)                                                                  \
    X(S, U8, core_key_type)                                                                        \
    X(S, U8, key_index)                                                                            \
    X(S, U16, derived_type)                                                                        \
    X(S, BYTES, eui64, 8)                                                                          \
    X(S, U8, multi_network_index) X(S, U8, flags) X(S, U32, psa_key_alg_permission)
#define EZSP_SECMAN_CONTEXT_V12(X, S)                                                              \
    X(S, U8, core_key_type)                                                                        \
    X(S, U8, key_index)                                                                            \
    X(S, U8W, derived_type)                                                                        \
    X(S, BYTES, eui64, 8)                                                                          \
    X(S, U8, multi_network_index) X(S, U8, flags) X(S, U32, psa_key_alg_permission)
EZ_STRUCT(ezsp_secman_context, EZSP_SECMAN_CONTEXT)
extern const zs_layout ezsp_secman_context_v12_layout;
/* its size on the wire at `version` (17 in v12, 18 from v13), from the layouts */
size_t ezsp_secman_context_size(int version);

#define EZSP_NETWORK_KEY_INFO(X, S) /* sl_zb_sec_man_network_key_info_t, 8 bytes */                \
    X(S, U8, network_key_set)                                                                      \
    X(S, U8, alternate_network_key_set)                                                            \
    X(S, U8, network_key_seq) X(S, U8, alt_network_key_seq) X(S, U32, network_key_frame_counter)
EZ_STRUCT(ezsp_network_key_info, EZSP_NETWORK_KEY_INFO)

#define EZSP_APS_KEY_METADATA(X, S) /* sl_zb_sec_man_aps_key_metadata_t, 12 bytes */               \
    X(S, U16, bitmask)                                                                             \
    X(S, U32, outgoing_frame_counter) X(S, U32, incoming_frame_counter) X(S, U16, ttl_seconds)
EZ_STRUCT(ezsp_aps_key_metadata, EZSP_APS_KEY_METADATA)

/* EmberChildData: 18 bytes from v10, 14 before (no remainingTimeout) */
#define EZSP_CHILD_DATA(X, S)                                                                      \
    X(S, BYTES, eui64, 8)                                                                          \
    X(S, U8, type)                                                                                 \
    X(S, U16, id) X(S, U8, phy) X(S, U8, power) X(S, U8, timeout) X(S, U32, remaining_timeout)
#define EZSP_CHILD_DATA_V9(X, S)                                                                   \
    X(S, BYTES, eui64, 8)                                                                          \
    X(S, U8, type) X(S, U16, id) X(S, U8, phy) X(S, U8, power) X(S, U8, timeout)
EZ_STRUCT(ezsp_child_data, EZSP_CHILD_DATA)
extern const zs_layout ezsp_child_data_v9_layout;

#define EZSP_APS_FRAME(X, S) /* EmberApsFrame, 11 bytes */                                         \
    X(S, U16, profile_id)                                                                          \
    X(S, U16, cluster_id)                                                                          \
    X(S, U8, src_ep) X(S, U8, dst_ep) X(S, U16, options) X(S, U16, group_id) X(S, U8, sequence)
EZ_STRUCT(ezsp_aps_frame, EZSP_APS_FRAME)

#define EZSP_TOKEN_INFO(X, S) /* EmberTokenInfo, 8 bytes */                                        \
    X(S, U32, nvm3_key) X(S, U8, is_cnt) X(S, U8, is_idx) X(S, U8, size) X(S, U8, array_size)
EZ_STRUCT(ezsp_token_info, EZSP_TOKEN_INFO)

#define EZSP_VERSION_INFO(X, S) /* EmberVersion (getValue VERSION_INFO), 7 bytes */                \
    X(S, U16, build)                                                                               \
    X(S, U8, major) X(S, U8, minor) X(S, U8, patch) X(S, U8, special) X(S, U8, type)
EZ_STRUCT(ezsp_version_info, EZSP_VERSION_INFO)

#define EZSP_MULTICAST_ENTRY(X, S) /* EmberMulticastTableEntry, 4 bytes */                         \
    X(S, U16, multicast_id) X(S, U8, endpoint) X(S, U8, network_index)
EZ_STRUCT(ezsp_multicast_entry, EZSP_MULTICAST_ENTRY)

#define EZSP_KEY_STRUCT(X, S) /* EmberKeyStruct (getKey, getKeyTableEntry, <= v12), 36 bytes */    \
    X(S, U16, bitmask)                                                                             \
    X(S, U8, type)                                                                                 \
    X(S, BYTES, key, 16)                                                                           \
    X(S, U32, outgoing_frame_counter)                                                              \
    X(S, U32, incoming_frame_counter) X(S, U8, sequence_number) X(S, BYTES, partner_eui64, 8)
EZ_STRUCT(ezsp_key_struct, EZSP_KEY_STRUCT)

#define EZSP_NEIGHBOR(X, S) /* EmberNeighborTableEntry, 14 bytes */                                \
    X(S, U16, short_id)                                                                            \
    X(S, U8, average_lqi) X(S, U8, in_cost) X(S, U8, out_cost) X(S, U8, age) X(S, BYTES, long_id, 8)
EZ_STRUCT(ezsp_neighbor, EZSP_NEIGHBOR)

#define EZSP_COUNTER(X, S) X(S, U16, value) /* one of readCounters' u16s (§4.8) */
EZ_STRUCT(ezsp_counter, EZSP_COUNTER)

#define EZSP_NETWORK_PARAMS_SIZE   20
#define EZSP_INITIAL_SECURITY_SIZE 43
#define EZSP_SECMAN_CONTEXT_SIZE   18
#define EZSP_CHILD_DATA_SIZE       18
#define EZSP_KEY_STRUCT_SIZE       36
#define EZSP_N_COUNTERS            42 /* v14+; 41 up to v13 */

/* ======================================================== command payloads (§5, §6) */

/* shared shapes */
#define EZ_EMPTY(X, S)
#define EZ_ST(X, S) X(S, ST, status) /* an Ember/Ezsp status alone */
EZ_STRUCT2(ezsp_st, EZ_ST)
#define EZ_ST32(X, S) X(S, U32, status) /* sl_status in every version (security manager) */
EZ_STRUCT(ezsp_st32, EZ_ST32)
#define EZ_ST8(X, S) X(S, U8, status) /* EmberStatus in every version that has the command */
EZ_STRUCT(ezsp_st8, EZ_ST8)
#define EZ_INDEX(X, S) X(S, U8, index)
EZ_STRUCT(ezsp_index, EZ_INDEX)
#define EZ_EUI64(X, S) X(S, BYTES, eui64, 8)
EZ_STRUCT(ezsp_eui64, EZ_EUI64)
#define EZ_NODE_ID(X, S) X(S, U16, node_id)
EZ_STRUCT(ezsp_node_id, EZ_NODE_ID)
#define EZ_BYTE(X, S) X(S, U8, value) /* one u8 parameter (duration, mode, channel, power...) */
EZ_STRUCT(ezsp_byte, EZ_BYTE)

/* ---- configuration and utilities (§5.1) ---- */
#define EZ_VERSION_REQ(X, S) X(S, U8, desired)
EZ_STRUCT(ezsp_version_req, EZ_VERSION_REQ)
#define EZ_VERSION_RSP(X, S)                                                                       \
    X(S, U8, protocol_version) X(S, U8, stack_type) X(S, U16, stack_version)
EZ_STRUCT(ezsp_version_rsp, EZ_VERSION_RSP)
#define EZ_BOOTLOADER_RSP(X, S)                                                                    \
    X(S, U16, bootloader_version) X(S, U8, node_plat) X(S, U8, node_micro) X(S, U8, node_phy)
EZ_STRUCT(ezsp_bootloader_rsp, EZ_BOOTLOADER_RSP)
#define EZ_ID_REQ(X, S) X(S, U8, id) /* configId, policyId, valueId, tokenId, libraryId */
EZ_STRUCT(ezsp_id_req, EZ_ID_REQ)
#define EZ_CONFIG_RSP(X, S) X(S, ST, status) X(S, U16, value)
EZ_STRUCT2(ezsp_config_rsp, EZ_CONFIG_RSP)
#define EZ_SET_CONFIG_REQ(X, S) X(S, U8, id) X(S, U16, value)
EZ_STRUCT(ezsp_set_config_req, EZ_SET_CONFIG_REQ)
#define EZ_SET_POLICY_REQ(X, S) X(S, U8, id) X(S, U8, decision)
EZ_STRUCT(ezsp_set_policy_req, EZ_SET_POLICY_REQ)
#define EZ_GET_POLICY_RSP(X, S) X(S, ST, status) X(S, U8, decision)
EZ_STRUCT2(ezsp_get_policy_rsp, EZ_GET_POLICY_RSP)
#define EZ_VALUE_RSP(X, S) X(S, ST, status) X(S, LEN8, value, 128)
EZ_STRUCT2(ezsp_value_rsp, EZ_VALUE_RSP)
#define EZ_SET_VALUE_REQ(X, S) X(S, U8, id) X(S, LEN8, value, 255)
EZ_STRUCT(ezsp_set_value_req, EZ_SET_VALUE_REQ)
#define EZ_EXT_VALUE_REQ(X, S) X(S, U8, id) X(S, U32, characteristics)
EZ_STRUCT(ezsp_ext_value_req, EZ_EXT_VALUE_REQ)
/* addEndpoint: both cluster counts come before both lists, which LIST8_U16 cannot say: the
 * lists are the rest of the payload, inputs then outputs, u16 each */
#define EZ_ADD_ENDPOINT_REQ(X, S)                                                                  \
    X(S, U8, endpoint)                                                                             \
    X(S, U16, profile_id)                                                                          \
    X(S, U16, device_id)                                                                           \
    X(S, U8, device_version) X(S, U8, input_count) X(S, U8, output_count) X(S, REST, clusters, 255)
EZ_STRUCT(ezsp_add_endpoint_req, EZ_ADD_ENDPOINT_REQ)
#define EZ_CODE_REQ(X, S) X(S, U16, code)
EZ_STRUCT(ezsp_code_req, EZ_CODE_REQ)
#define EZ_LV(X, S) X(S, LEN8, data, 255) /* echo, customFrame payload, getMfgToken data */
EZ_STRUCT(ezsp_lv, EZ_LV)
#define EZ_SET_MFG_TOKEN_REQ(X, S) X(S, U8, id) X(S, LEN8, data, 255)
EZ_STRUCT(ezsp_set_mfg_token_req, EZ_SET_MFG_TOKEN_REQ)
#define EZ_CUSTOM_FRAME_RSP(X, S) X(S, ST, status) X(S, LEN8, reply, 255)
EZ_STRUCT2(ezsp_custom_frame_rsp, EZ_CUSTOM_FRAME_RSP)
#define EZ_COUNTERS(X, S) X(S, ARRAY, counters, EZSP_N_COUNTERS, ezsp_counter)
EZ_STRUCT(ezsp_counters_rsp, EZ_COUNTERS)
extern const zs_layout ezsp_counters_rsp_v8_layout; /* 41 counters */
#define EZ_RANDOM_RSP(X, S) X(S, ST, status) X(S, U16, value)
EZ_STRUCT2(ezsp_random_rsp, EZ_RANDOM_RSP)

/* ---- network management (§5.2) ---- */
#define EZ_CONCENTRATOR_REQ(X, S)                                                                  \
    X(S, U8, on)                                                                                   \
    X(S, U16, concentrator_type)                                                                   \
    X(S, U16, min_time)                                                                            \
    X(S, U16, max_time)                                                                            \
    X(S, U8, route_error_threshold) X(S, U8, delivery_failure_threshold) X(S, U8, max_hops)
EZ_STRUCT(ezsp_concentrator_req, EZ_CONCENTRATOR_REQ)
#define EZ_NETWORK_INIT_REQ(X, S) X(S, U16, bitmask)
EZ_STRUCT(ezsp_network_init_req, EZ_NETWORK_INIT_REQ)
#define EZ_FORM_REQ(X, S) X(S, ARRAY, params, 1, ezsp_network_params)
EZ_STRUCT(ezsp_form_req, EZ_FORM_REQ)
#define EZ_NETWORK_PARAMS_RSP(X, S)                                                                \
    X(S, ST, status) X(S, U8, node_type) X(S, ARRAY, params, 1, ezsp_network_params)
EZ_STRUCT2(ezsp_network_params_rsp, EZ_NETWORK_PARAMS_RSP)
#define EZ_SECURITY_REQ(X, S) X(S, ARRAY, state, 1, ezsp_initial_security)
EZ_STRUCT(ezsp_security_req, EZ_SECURITY_REQ)
#define EZ_U32_RSP(X, S) X(S, U32, value) /* setSourceRouteDiscoveryMode: ms to the next MTORR */
EZ_STRUCT(ezsp_u32_rsp, EZ_U32_RSP)

/* ---- messaging (§5.3, §6) ---- */
#define EZ_SEND_RSP(X, S) X(S, ST, status) X(S, U8, sequence)
EZ_STRUCT2(ezsp_send_rsp, EZ_SEND_RSP)
#define EZ_UNICAST_REQ(X, S)                                                                       \
    X(S, U8, type)                                                                                 \
    X(S, U16, destination)                                                                         \
    X(S, ARRAY, aps, 1, ezsp_aps_frame) X(S, TAG, tag) X(S, LEN8, message, 255)
EZ_STRUCT2(ezsp_unicast_req, EZ_UNICAST_REQ)
/* sendBroadcast: v14 adds alias and nwkSequence */
#define EZ_BROADCAST_REQ(X, S)                                                                     \
    X(S, U16, alias)                                                                               \
    X(S, U16, destination)                                                                         \
    X(S, U8, nwk_sequence)                                                                         \
    X(S, ARRAY, aps, 1, ezsp_aps_frame) X(S, U8, radius) X(S, TAG, tag) X(S, LEN8, message, 255)
#define EZ_BROADCAST_REQ_V8(X, S)                                                                  \
    X(S, U16, destination)                                                                         \
    X(S, ARRAY, aps, 1, ezsp_aps_frame) X(S, U8, radius) X(S, TAG, tag) X(S, LEN8, message, 255)
EZ_STRUCT2(ezsp_broadcast_req, EZ_BROADCAST_REQ)
/* sendMulticast: nonMemberRadius up to v13; broadcastAddr, alias, nwkSequence from v14 */
#define EZ_MULTICAST_REQ(X, S)                                                                     \
    X(S, ARRAY, aps, 1, ezsp_aps_frame)                                                            \
    X(S, U8, hops)                                                                                 \
    X(S, U16, broadcast_addr)                                                                      \
    X(S, U16, alias)                                                                               \
    X(S, U8, nwk_sequence) X(S, TAG, tag) X(S, LEN8, message, 255) X(S, U8, nonmember_radius)
#define EZ_MULTICAST_REQ_V14(X, S)                                                                 \
    X(S, ARRAY, aps, 1, ezsp_aps_frame)                                                            \
    X(S, U8, hops)                                                                                 \
    X(S, U16, broadcast_addr)                                                                      \
    X(S, U16, alias) X(S, U8, nwk_sequence) X(S, TAG, tag) X(S, LEN8, message, 255)
#define EZ_MULTICAST_REQ_V8(X, S)                                                                  \
    X(S, ARRAY, aps, 1, ezsp_aps_frame)                                                            \
    X(S, U8, hops) X(S, U8, nonmember_radius) X(S, TAG, tag) X(S, LEN8, message, 255)
EZ_STRUCT2(ezsp_multicast_req, EZ_MULTICAST_REQ) /* _layout: v14's list */
/* messageSentHandler: status u32 first from v14, tag then status u8 before */
#define EZ_MESSAGE_SENT(X, S)                                                                      \
    X(S, ST, status)                                                                               \
    X(S, U8, type)                                                                                 \
    X(S, U16, destination)                                                                         \
    X(S, ARRAY, aps, 1, ezsp_aps_frame) X(S, TAG, tag) X(S, LEN8, message, 255)
#define EZ_MESSAGE_SENT_V8(X, S)                                                                   \
    X(S, U8, type)                                                                                 \
    X(S, U16, destination)                                                                         \
    X(S, ARRAY, aps, 1, ezsp_aps_frame) X(S, TAG, tag) X(S, ST, status) X(S, LEN8, message, 255)
EZ_STRUCT2(ezsp_message_sent, EZ_MESSAGE_SENT)
/* incomingMessageHandler: lqi, rssi, sender, binding/address index up to v13; the 18-byte
 * EmberRxPacketInfo (sender, its EUI64, indices, lqi, rssi, timestamp) from v14 */
#define EZ_INCOMING(X, S)                                                                          \
    X(S, U8, type)                                                                                 \
    X(S, ARRAY, aps, 1, ezsp_aps_frame)                                                            \
    X(S, U16, sender)                                                                              \
    X(S, BYTES, sender_eui64, 8)                                                                   \
    X(S, U8, binding_index)                                                                        \
    X(S, U8, address_index) X(S, U8, lqi) X(S, U8, rssi) X(S, U32, timestamp)                      \
        X(S, LEN8, message, 255)
#define EZ_INCOMING_V8(X, S)                                                                       \
    X(S, U8, type)                                                                                 \
    X(S, ARRAY, aps, 1, ezsp_aps_frame)                                                            \
    X(S, U8, lqi)                                                                                  \
    X(S, U8, rssi)                                                                                 \
    X(S, U16, sender) X(S, U8, binding_index) X(S, U8, address_index) X(S, LEN8, message, 255)
EZ_STRUCT2(ezsp_incoming, EZ_INCOMING)

/* ---- trust center, key table, security manager (§5.4, §5.5) ---- */
#define EZ_SECURITY_STATE_RSP(X, S) X(S, ST, status) X(S, U16, bitmask) X(S, BYTES, tc_eui64, 8)
EZ_STRUCT2(ezsp_security_state_rsp, EZ_SECURITY_STATE_RSP)
#define EZ_FIND_KEY_REQ(X, S) X(S, BYTES, eui64, 8) X(S, U8, link_key)
EZ_STRUCT(ezsp_find_key_req, EZ_FIND_KEY_REQ)
#define EZ_CONTEXT_REQ(X, S) X(S, ARRAY, context, 1, ezsp_secman_context)
EZ_STRUCT(ezsp_context_req, EZ_CONTEXT_REQ)
extern const zs_layout ezsp_context_req_v12_layout;
/* exportKey: key then status up to v13; status, key, context from v14 */
#define EZ_EXPORT_KEY_RSP(X, S)                                                                    \
    X(S, U32, status) X(S, BYTES, key, 16) X(S, ARRAY, context, 1, ezsp_secman_context)
EZ_STRUCT(ezsp_export_key_rsp, EZ_EXPORT_KEY_RSP)
extern const zs_layout ezsp_export_key_rsp_v12_layout;
#define EZ_IMPORT_KEY_REQ(X, S) X(S, ARRAY, context, 1, ezsp_secman_context) X(S, BYTES, key, 16)
EZ_STRUCT(ezsp_import_key_req, EZ_IMPORT_KEY_REQ)
extern const zs_layout ezsp_import_key_req_v12_layout;
#define EZ_IMPORT_KEY_RSP(X, S) X(S, U32, status) X(S, ARRAY, context, 1, ezsp_secman_context)
EZ_STRUCT(ezsp_import_key_rsp, EZ_IMPORT_KEY_RSP)
extern const zs_layout ezsp_import_key_rsp_v12_layout; /* the status alone (v12, v13) */
#define EZ_NETWORK_KEY_INFO_RSP(X, S) X(S, U32, status) X(S, ARRAY, info, 1, ezsp_network_key_info)
EZ_STRUCT(ezsp_network_key_info_rsp, EZ_NETWORK_KEY_INFO_RSP)
/* getApsKeyInfo: eui64, metadata, status up to v13; status, metadata, context from v14 */
#define EZ_APS_KEY_INFO_RSP(X, S)                                                                  \
    X(S, U32, status)                                                                              \
    X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata)                                                \
    X(S, ARRAY, context, 1, ezsp_secman_context) X(S, BYTES, eui64, 8)
EZ_STRUCT(ezsp_aps_key_info_rsp, EZ_APS_KEY_INFO_RSP) /* _layout: v14's order, no eui64 */
extern const zs_layout ezsp_aps_key_info_rsp_v12_layout;
#define EZ_IMPORT_LINK_KEY_REQ(X, S) X(S, U8, index) X(S, BYTES, eui64, 8) X(S, BYTES, key, 16)
EZ_STRUCT(ezsp_import_link_key_req, EZ_IMPORT_LINK_KEY_REQ)
/* exportLinkKeyByIndex/ByEui: v14 status, context, key, metadata; up to v13 by index: eui64,
 * key, metadata, status; by EUI64: key, index, metadata, status */
#define EZ_EXPORT_LINK_KEY_RSP(X, S)                                                               \
    X(S, U32, status)                                                                              \
    X(S, ARRAY, context, 1, ezsp_secman_context)                                                   \
    X(S, BYTES, key, 16)                                                                           \
    X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata) X(S, BYTES, eui64, 8) X(S, U8, index)
EZ_STRUCT(ezsp_export_link_key_rsp, EZ_EXPORT_LINK_KEY_RSP) /* _layout: v14, no eui64/index */
extern const zs_layout ezsp_export_link_key_by_index_rsp_v12_layout;
extern const zs_layout ezsp_export_link_key_by_eui_rsp_v12_layout;
#define EZ_TRANSIENT_KEY_REQ(X, S)                                                                 \
    X(S, BYTES, eui64, 8)                                                                          \
    X(S, BYTES, key, 16) /* + flags: ignored                                                       \
                          */
EZ_STRUCT(ezsp_transient_key_req, EZ_TRANSIENT_KEY_REQ)
/* the key-table API up to v12 (EmberStatus u8: these versions have no other) */
#define EZ_KEY_RSP(X, S) X(S, U8, status) X(S, ARRAY, key, 1, ezsp_key_struct)
EZ_STRUCT(ezsp_key_rsp, EZ_KEY_RSP)
#define EZ_KEY_ENTRY_REQ(X, S) X(S, BYTES, eui64, 8) X(S, U8, link_key) X(S, BYTES, key, 16)
EZ_STRUCT(ezsp_key_entry_req, EZ_KEY_ENTRY_REQ)
#define EZ_SET_KEY_ENTRY_REQ(X, S)                                                                 \
    X(S, U8, index) X(S, BYTES, eui64, 8) X(S, U8, link_key) X(S, BYTES, key, 16)
EZ_STRUCT(ezsp_set_key_entry_req, EZ_SET_KEY_ENTRY_REQ)
#define EZ_KEY16_REQ(X, S) X(S, BYTES, key, 16) /* becomeTrustCenter(newNetworkKey) */
EZ_STRUCT(ezsp_key16_req, EZ_KEY16_REQ)

/* ---- tokens (§5.6) ---- */
#define EZ_TOKEN_COUNT_RSP(X, S) X(S, U32, count) /* u8 up to v17 (U8W), u32 from v18 */
EZ_STRUCT(ezsp_token_count_rsp, EZ_TOKEN_COUNT_RSP)
extern const zs_layout ezsp_token_count_rsp_v9_layout;
#define EZ_TOKEN_INFO_RSP(X, S) X(S, ST, status) X(S, ARRAY, info, 1, ezsp_token_info)
EZ_STRUCT2(ezsp_token_info_rsp, EZ_TOKEN_INFO_RSP)
#define EZ_TOKEN_REQ(X, S) X(S, U32, token) X(S, U32, index)
EZ_STRUCT(ezsp_token_req, EZ_TOKEN_REQ)
/* EmberTokenData: size u32, then that many bytes (no u32-counted kind: size, then the rest) */
#define EZ_TOKEN_DATA_RSP(X, S) X(S, ST, status) X(S, U32, size) X(S, REST, data, 255)
EZ_STRUCT2(ezsp_token_data_rsp, EZ_TOKEN_DATA_RSP)
#define EZ_SET_TOKEN_REQ(X, S)                                                                     \
    X(S, U32, token) X(S, U32, index) X(S, U32, size) X(S, REST, data, 255)
EZ_STRUCT(ezsp_set_token_req, EZ_SET_TOKEN_REQ)
#define EZ_FACTORY_RESET_REQ(X, S) X(S, U8, exclude_outgoing_fc) X(S, U8, exclude_boot_counter)
EZ_STRUCT(ezsp_factory_reset_req, EZ_FACTORY_RESET_REQ)

/* ---- tables (§5.2) ---- */
#define EZ_CHILD_RSP(X, S) X(S, ST, status) X(S, ARRAY, child, 1, ezsp_child_data)
EZ_STRUCT2(ezsp_child_rsp, EZ_CHILD_RSP)
extern const zs_layout ezsp_child_rsp_v9_layout; /* u8 status, 14-byte EmberChildData */
#define EZ_SET_CHILD_REQ(X, S) X(S, U8, index) X(S, ARRAY, child, 1, ezsp_child_data)
EZ_STRUCT(ezsp_set_child_req, EZ_SET_CHILD_REQ)
extern const zs_layout ezsp_set_child_req_v9_layout;
#define EZ_NEIGHBOR_RSP(X, S) X(S, ST, status) X(S, ARRAY, entry, 1, ezsp_neighbor)
EZ_STRUCT2(ezsp_neighbor_rsp, EZ_NEIGHBOR_RSP)
#define EZ_INDEX_EUI64_REQ(X, S) X(S, U8, index) X(S, BYTES, eui64, 8)
EZ_STRUCT(ezsp_index_eui64_req, EZ_INDEX_EUI64_REQ)
#define EZ_INDEX_NODE_REQ(X, S) X(S, U8, index) X(S, U16, node_id)
EZ_STRUCT(ezsp_index_node_req, EZ_INDEX_NODE_REQ)
#define EZ_ADDRESS_INFO_REQ(X, S)                                                                  \
    X(S, U8, index) X(S, BYTES, eui64, 8) X(S, U16, node_id) X(S, U8, extended_timeout)
EZ_STRUCT(ezsp_address_info_req, EZ_ADDRESS_INFO_REQ)
#define EZ_ADDRESS_INFO_RSP(X, S) X(S, U32, status) X(S, U16, node_id) X(S, BYTES, eui64, 8)
EZ_STRUCT(ezsp_address_info_rsp, EZ_ADDRESS_INFO_RSP)
#define EZ_ST_EUI64_RSP(X, S) X(S, ST, status) X(S, BYTES, eui64, 8)
EZ_STRUCT2(ezsp_st_eui64_rsp, EZ_ST_EUI64_RSP)
#define EZ_MULTICAST_ENTRY_RSP(X, S) X(S, ST, status) X(S, ARRAY, entry, 1, ezsp_multicast_entry)
EZ_STRUCT2(ezsp_multicast_entry_rsp, EZ_MULTICAST_ENTRY_RSP)
#define EZ_SET_MULTICAST_REQ(X, S) X(S, U8, index) X(S, ARRAY, entry, 1, ezsp_multicast_entry)
EZ_STRUCT(ezsp_set_multicast_req, EZ_SET_MULTICAST_REQ)
#define EZ_EXTENDED_TIMEOUT_REQ(X, S) X(S, BYTES, eui64, 8) X(S, U8, extended_timeout)
EZ_STRUCT(ezsp_extended_timeout_req, EZ_EXTENDED_TIMEOUT_REQ)

/* ======================================================== the command table */

/* every row of every version; zs_cmd_find(ezsp_commands, ezsp_n_commands, id, version) gives
 * the row of the negotiated version (ver_max 0: no upper bound) */
extern const zs_cmd ezsp_commands[];
extern const size_t ezsp_n_commands;
const zs_cmd *ezsp_cmd_row(uint16_t frame_id, int version);

/* An answer's field that is the unit's only for some requests (the rows' `unit` column holds
 * those that always are): getKey's outgoing counter of the TC link key (a backup carries no TC
 * key counter), getValue(FREE_BUFFERS) (buffers free at that instant). `field` as zs_walk names
 * it without indices; the request's payload byte `sel_off` must hold `sel`. Returns the name
 * the trace replay declares ("getKey(TC link key).outgoingFrameCounter"), or NULL. */
const char *ezsp_unit_when(uint16_t frame_id, const uint8_t *req, size_t req_len,
                           const char *field);

/* the largest struct any row's layout fills (the dispatcher's and the driver's buffers) */
#define EZSP_SCHEMA_MAX_STRUCT 1024

#endif
