/* ezsp_schema.c - the layouts of ezsp_schema.h and the EZSP command table: one row per command
 * and version range, naming the layouts each way. Layouts and field orders follow the protocol
 * note (../shared/protocols/ezsp-ash.md §3 structures, §5 commands, §6 callbacks, §2.5 the
 * per-version changes); where it is silent, the emulator's tested behaviour (traces in
 * vectors/traces/ezsp) is what the row says. */
#include "ezsp_schema.h"

#include "ezsp_versions.h"

#include <string.h>

/* a layout over struct S from a list, K14 (v14+) or K8 (v8-v13) */
#define EZ_LAYOUT_AS(lname, S, LIST, ROW)                                                          \
    _Static_assert(sizeof(S) <= UINT16_MAX, #S ": too large for zs_layout.size");               \
    static const zs_field lname##_fields[] = {LIST(ROW, S)};                                       \
    const zs_layout lname##_layout = {#lname, lname##_fields,                                      \
                                      (uint16_t)(sizeof lname##_fields / sizeof(zs_field)),        \
                                      (uint16_t)sizeof(S)};
#define EZ_LAYOUT(name, LIST) EZ_LAYOUT_AS(name, name, LIST, EZ_R14)
#define EZ_LAYOUT2(name, LIST)                                                                     \
    EZ_LAYOUT(name, LIST)                                                                          \
    EZ_LAYOUT_AS(name##_v8, name, LIST, EZ_R8)

/* ---- structures ---- */
EZ_LAYOUT(ezsp_network_params, EZSP_NETWORK_PARAMS)
EZ_LAYOUT(ezsp_initial_security, EZSP_INITIAL_SECURITY)
EZ_LAYOUT(ezsp_secman_context, EZSP_SECMAN_CONTEXT)
EZ_LAYOUT_AS(ezsp_secman_context_v12, ezsp_secman_context, EZSP_SECMAN_CONTEXT_V12, EZ_R14)
EZ_LAYOUT(ezsp_network_key_info, EZSP_NETWORK_KEY_INFO)
EZ_LAYOUT(ezsp_aps_key_metadata, EZSP_APS_KEY_METADATA)
EZ_LAYOUT(ezsp_child_data, EZSP_CHILD_DATA)
EZ_LAYOUT_AS(ezsp_child_data_v9, ezsp_child_data, EZSP_CHILD_DATA_V9, EZ_R14)
EZ_LAYOUT(ezsp_aps_frame, EZSP_APS_FRAME)
EZ_LAYOUT(ezsp_token_info, EZSP_TOKEN_INFO)
EZ_LAYOUT(ezsp_version_info, EZSP_VERSION_INFO)
EZ_LAYOUT(ezsp_multicast_entry, EZSP_MULTICAST_ENTRY)
EZ_LAYOUT(ezsp_key_struct, EZSP_KEY_STRUCT)
EZ_LAYOUT(ezsp_neighbor, EZSP_NEIGHBOR)
EZ_LAYOUT(ezsp_counter, EZSP_COUNTER)

/* ---- shared shapes ---- */
EZ_LAYOUT2(ezsp_st, EZ_ST)
EZ_LAYOUT(ezsp_st32, EZ_ST32)
EZ_LAYOUT(ezsp_st8, EZ_ST8)
EZ_LAYOUT(ezsp_index, EZ_INDEX)
EZ_LAYOUT(ezsp_eui64, EZ_EUI64)
EZ_LAYOUT(ezsp_node_id, EZ_NODE_ID)
EZ_LAYOUT(ezsp_byte, EZ_BYTE)

/* ---- configuration and utilities ---- */
EZ_LAYOUT(ezsp_version_req, EZ_VERSION_REQ)
EZ_LAYOUT(ezsp_version_rsp, EZ_VERSION_RSP)
EZ_LAYOUT(ezsp_bootloader_rsp, EZ_BOOTLOADER_RSP)
EZ_LAYOUT(ezsp_id_req, EZ_ID_REQ)
EZ_LAYOUT2(ezsp_config_rsp, EZ_CONFIG_RSP)
EZ_LAYOUT(ezsp_set_config_req, EZ_SET_CONFIG_REQ)
EZ_LAYOUT(ezsp_set_policy_req, EZ_SET_POLICY_REQ)
EZ_LAYOUT2(ezsp_get_policy_rsp, EZ_GET_POLICY_RSP)
EZ_LAYOUT2(ezsp_value_rsp, EZ_VALUE_RSP)
EZ_LAYOUT(ezsp_set_value_req, EZ_SET_VALUE_REQ)
EZ_LAYOUT(ezsp_ext_value_req, EZ_EXT_VALUE_REQ)
EZ_LAYOUT(ezsp_add_endpoint_req, EZ_ADD_ENDPOINT_REQ)
EZ_LAYOUT(ezsp_code_req, EZ_CODE_REQ)
EZ_LAYOUT(ezsp_lv, EZ_LV)
EZ_LAYOUT(ezsp_set_mfg_token_req, EZ_SET_MFG_TOKEN_REQ)
EZ_LAYOUT2(ezsp_custom_frame_rsp, EZ_CUSTOM_FRAME_RSP)
EZ_LAYOUT(ezsp_counters_rsp, EZ_COUNTERS)
#define EZ_COUNTERS_V8(X, S) X(S, ARRAY, counters, EZSP_N_COUNTERS - 1, ezsp_counter)
EZ_LAYOUT_AS(ezsp_counters_rsp_v8, ezsp_counters_rsp, EZ_COUNTERS_V8, EZ_R14)
EZ_LAYOUT2(ezsp_random_rsp, EZ_RANDOM_RSP)

/* ---- network ---- */
EZ_LAYOUT(ezsp_concentrator_req, EZ_CONCENTRATOR_REQ)
EZ_LAYOUT(ezsp_network_init_req, EZ_NETWORK_INIT_REQ)
EZ_LAYOUT(ezsp_form_req, EZ_FORM_REQ)
EZ_LAYOUT2(ezsp_network_params_rsp, EZ_NETWORK_PARAMS_RSP)
EZ_LAYOUT(ezsp_security_req, EZ_SECURITY_REQ)
EZ_LAYOUT(ezsp_u32_rsp, EZ_U32_RSP)

/* ---- messaging ---- */
EZ_LAYOUT2(ezsp_send_rsp, EZ_SEND_RSP)
EZ_LAYOUT2(ezsp_unicast_req, EZ_UNICAST_REQ)
EZ_LAYOUT(ezsp_broadcast_req, EZ_BROADCAST_REQ)
EZ_LAYOUT_AS(ezsp_broadcast_req_v8, ezsp_broadcast_req, EZ_BROADCAST_REQ_V8, EZ_R8)
EZ_LAYOUT_AS(ezsp_multicast_req, ezsp_multicast_req, EZ_MULTICAST_REQ_V14, EZ_R14)
EZ_LAYOUT_AS(ezsp_multicast_req_v8, ezsp_multicast_req, EZ_MULTICAST_REQ_V8, EZ_R8)
EZ_LAYOUT(ezsp_message_sent, EZ_MESSAGE_SENT)
EZ_LAYOUT_AS(ezsp_message_sent_v8, ezsp_message_sent, EZ_MESSAGE_SENT_V8, EZ_R8)
EZ_LAYOUT(ezsp_incoming, EZ_INCOMING)
EZ_LAYOUT_AS(ezsp_incoming_v8, ezsp_incoming, EZ_INCOMING_V8, EZ_R8)

/* ---- security ---- */
EZ_LAYOUT2(ezsp_security_state_rsp, EZ_SECURITY_STATE_RSP)
EZ_LAYOUT(ezsp_find_key_req, EZ_FIND_KEY_REQ)
EZ_LAYOUT(ezsp_context_req, EZ_CONTEXT_REQ)
#define EZ_CONTEXT_REQ_V12(X, S) X(S, ARRAY, context, 1, ezsp_secman_context_v12)
EZ_LAYOUT_AS(ezsp_context_req_v12, ezsp_context_req, EZ_CONTEXT_REQ_V12, EZ_R14)
EZ_LAYOUT(ezsp_export_key_rsp, EZ_EXPORT_KEY_RSP)
#define EZ_EXPORT_KEY_RSP_V12(X, S) X(S, BYTES, key, 16) X(S, U32, status)
EZ_LAYOUT_AS(ezsp_export_key_rsp_v12, ezsp_export_key_rsp, EZ_EXPORT_KEY_RSP_V12, EZ_R14)
EZ_LAYOUT(ezsp_import_key_req, EZ_IMPORT_KEY_REQ)
#define EZ_IMPORT_KEY_REQ_V12(X, S)                                                                \
    X(S, ARRAY, context, 1, ezsp_secman_context_v12) X(S, BYTES, key, 16)
EZ_LAYOUT_AS(ezsp_import_key_req_v12, ezsp_import_key_req, EZ_IMPORT_KEY_REQ_V12, EZ_R14)
EZ_LAYOUT(ezsp_import_key_rsp, EZ_IMPORT_KEY_RSP)
EZ_LAYOUT_AS(ezsp_import_key_rsp_v12, ezsp_import_key_rsp, EZ_ST32, EZ_R14)
EZ_LAYOUT(ezsp_network_key_info_rsp, EZ_NETWORK_KEY_INFO_RSP)
#define EZ_APS_KEY_INFO_RSP_V14(X, S)                                                              \
    X(S, U32, status)                                                                              \
    X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata) X(S, ARRAY, context, 1, ezsp_secman_context)
#define EZ_APS_KEY_INFO_RSP_V12(X, S)                                                              \
    X(S, BYTES, eui64, 8) X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata) X(S, U32, status)
EZ_LAYOUT_AS(ezsp_aps_key_info_rsp, ezsp_aps_key_info_rsp, EZ_APS_KEY_INFO_RSP_V14, EZ_R14)
EZ_LAYOUT_AS(ezsp_aps_key_info_rsp_v12, ezsp_aps_key_info_rsp, EZ_APS_KEY_INFO_RSP_V12, EZ_R14)
EZ_LAYOUT(ezsp_import_link_key_req, EZ_IMPORT_LINK_KEY_REQ)
#define EZ_EXPORT_LINK_KEY_RSP_V14(X, S)                                                           \
    X(S, U32, status)                                                                              \
    X(S, ARRAY, context, 1, ezsp_secman_context)                                                   \
    X(S, BYTES, key, 16) X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata)
#define EZ_EXPORT_BY_INDEX_RSP_V12(X, S)                                                           \
    X(S, BYTES, eui64, 8)                                                                          \
    X(S, BYTES, key, 16) X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata) X(S, U32, status)
#define EZ_EXPORT_BY_EUI_RSP_V12(X, S)                                                             \
    X(S, BYTES, key, 16)                                                                           \
    X(S, U8, index) X(S, ARRAY, metadata, 1, ezsp_aps_key_metadata) X(S, U32, status)
EZ_LAYOUT_AS(ezsp_export_link_key_rsp, ezsp_export_link_key_rsp, EZ_EXPORT_LINK_KEY_RSP_V14, EZ_R14)
EZ_LAYOUT_AS(ezsp_export_link_key_by_index_rsp_v12, ezsp_export_link_key_rsp,
             EZ_EXPORT_BY_INDEX_RSP_V12, EZ_R14)
EZ_LAYOUT_AS(ezsp_export_link_key_by_eui_rsp_v12, ezsp_export_link_key_rsp,
             EZ_EXPORT_BY_EUI_RSP_V12, EZ_R14)
EZ_LAYOUT(ezsp_transient_key_req, EZ_TRANSIENT_KEY_REQ)
EZ_LAYOUT(ezsp_key_rsp, EZ_KEY_RSP)
EZ_LAYOUT(ezsp_key_entry_req, EZ_KEY_ENTRY_REQ)
EZ_LAYOUT(ezsp_set_key_entry_req, EZ_SET_KEY_ENTRY_REQ)
EZ_LAYOUT(ezsp_key16_req, EZ_KEY16_REQ)

/* ---- tokens ---- */
EZ_LAYOUT(ezsp_token_count_rsp, EZ_TOKEN_COUNT_RSP)
#define EZ_TOKEN_COUNT_RSP_V9(X, S) X(S, U8W, count)
EZ_LAYOUT_AS(ezsp_token_count_rsp_v9, ezsp_token_count_rsp, EZ_TOKEN_COUNT_RSP_V9, EZ_R14)
EZ_LAYOUT2(ezsp_token_info_rsp, EZ_TOKEN_INFO_RSP)
EZ_LAYOUT(ezsp_token_req, EZ_TOKEN_REQ)
EZ_LAYOUT2(ezsp_token_data_rsp, EZ_TOKEN_DATA_RSP)
EZ_LAYOUT(ezsp_set_token_req, EZ_SET_TOKEN_REQ)
EZ_LAYOUT(ezsp_factory_reset_req, EZ_FACTORY_RESET_REQ)

/* ---- tables ---- */
EZ_LAYOUT2(ezsp_child_rsp, EZ_CHILD_RSP)
#define EZ_CHILD_RSP_V9(X, S) X(S, U8W, status) X(S, ARRAY, child, 1, ezsp_child_data_v9)
EZ_LAYOUT_AS(ezsp_child_rsp_v9, ezsp_child_rsp, EZ_CHILD_RSP_V9, EZ_R14)
EZ_LAYOUT(ezsp_set_child_req, EZ_SET_CHILD_REQ)
#define EZ_SET_CHILD_REQ_V9(X, S) X(S, U8, index) X(S, ARRAY, child, 1, ezsp_child_data_v9)
EZ_LAYOUT_AS(ezsp_set_child_req_v9, ezsp_set_child_req, EZ_SET_CHILD_REQ_V9, EZ_R14)
EZ_LAYOUT2(ezsp_neighbor_rsp, EZ_NEIGHBOR_RSP)
EZ_LAYOUT(ezsp_index_eui64_req, EZ_INDEX_EUI64_REQ)
EZ_LAYOUT(ezsp_index_node_req, EZ_INDEX_NODE_REQ)
EZ_LAYOUT(ezsp_address_info_req, EZ_ADDRESS_INFO_REQ)
EZ_LAYOUT(ezsp_address_info_rsp, EZ_ADDRESS_INFO_RSP)
EZ_LAYOUT2(ezsp_st_eui64_rsp, EZ_ST_EUI64_RSP)
EZ_LAYOUT2(ezsp_multicast_entry_rsp, EZ_MULTICAST_ENTRY_RSP)
EZ_LAYOUT(ezsp_set_multicast_req, EZ_SET_MULTICAST_REQ)
EZ_LAYOUT(ezsp_extended_timeout_req, EZ_EXTENDED_TIMEOUT_REQ)

/* ======================================================== rows */

#define L(name) (&name##_layout)
#define E       (&zs_empty_layout)
/* from v8 on, the same layouts */
#define ALL8(id, name, req, rsp, unit) {id, name, req, rsp, unit, 8, 0},
/* a status-first (or ST/TAG) response: v8-v13 with the _v8 layouts, v14+ with the wide ones,
 * within [lo, hi] (hi 0: open) */
#define ST_ROWS(id, name, req8, req14, rsp, unit, lo)                                              \
    {id, name, req8, L(rsp##_v8), unit, lo, 13}, {id, name, req14, L(rsp), unit, 14, 0},
#define ST2(id, name, req, rsp, unit) ST_ROWS(id, name, req, req, rsp, unit, 8)

const zs_cmd ezsp_commands[] = {
    /* configuration and utilities (§5.1) */
    {EZSP_ID_VERSION, "version", L(ezsp_version_req), L(ezsp_version_rsp), NULL, 0, 0},
    ALL8(EZSP_ID_GET_LIBRARY_STATUS, "getLibraryStatus", L(ezsp_id_req), L(ezsp_st8),
         NULL) ST2(EZSP_ID_ADD_ENDPOINT, "addEndpoint", L(ezsp_add_endpoint_req), ezsp_st, NULL)
        ST2(EZSP_ID_GET_EXTENDED_VALUE, "getExtendedValue", L(ezsp_ext_value_req), ezsp_value_rsp,
            NULL) ALL8(EZSP_ID_NOP, "nop", E, E, NULL) ALL8(EZSP_ID_GET_MFG_TOKEN, "getMfgToken",
                                                            L(ezsp_id_req), L(ezsp_lv), "data")
            ST2(EZSP_ID_SET_MFG_TOKEN, "setMfgToken", L(ezsp_set_mfg_token_req), ezsp_st,
                NULL) ALL8(EZSP_ID_SET_MANUFACTURER_CODE, "setManufacturerCode", L(ezsp_code_req),
                           E, NULL) ALL8(EZSP_ID_GET_EUI64, "getEui64", E, L(ezsp_eui64), "eui64")
                ALL8(EZSP_ID_GET_NODE_ID, "getNodeId", E, L(ezsp_node_id), NULL)
                    ST2(EZSP_ID_CUSTOM_FRAME, "customFrame", L(ezsp_lv), ezsp_custom_frame_rsp,
                        NULL) ST2(EZSP_ID_GET_CONFIGURATION_VALUE, "getConfigurationValue",
                                  L(ezsp_id_req), ezsp_config_rsp, NULL)
                        ST2(EZSP_ID_SET_CONFIGURATION_VALUE, "setConfigurationValue",
                            L(ezsp_set_config_req), ezsp_st,
                            NULL) ST2(EZSP_ID_SET_POLICY, "setPolicy", L(ezsp_set_policy_req),
                                      ezsp_st, NULL) ST2(EZSP_ID_GET_POLICY, "getPolicy",
                                                         L(ezsp_id_req), ezsp_get_policy_rsp, NULL)
                            ST2(EZSP_ID_GET_VALUE, "getValue", L(ezsp_id_req), ezsp_value_rsp, NULL)
                                ST2(EZSP_ID_SET_VALUE, "setValue", L(ezsp_set_value_req), ezsp_st,
                                    NULL) ALL8(EZSP_ID_ECHO, "echo", L(ezsp_lv), L(ezsp_lv), NULL)
    /* readCounters: 41 counters up to v13, 42 from v14 (§4.8) */
    {EZSP_ID_READ_AND_CLEAR_COUNTERS, "readAndClearCounters", E, L(ezsp_counters_rsp_v8), NULL, 8,
     13},
    {EZSP_ID_READ_AND_CLEAR_COUNTERS, "readAndClearCounters", E, L(ezsp_counters_rsp), NULL, 14, 0},
    {EZSP_ID_READ_COUNTERS, "readCounters", E, L(ezsp_counters_rsp_v8), "counters.value", 8, 13},
    {EZSP_ID_READ_COUNTERS, "readCounters", E, L(ezsp_counters_rsp), "counters.value", 14, 0},
    /* the chip's bootloader and platform: real SkyConnect values in the h-v13 trace */
    ALL8(EZSP_ID_GET_STANDALONE_BOOTLOADER_VERSION, "getStandaloneBootloaderVersionPlatMicroPhy", E,
         L(ezsp_bootloader_rsp), "bootloader_version node_plat node_micro node_phy")
    /* not served by the emulator: a row for the replay's unit column */
    ST2(EZSP_ID_GET_RANDOM_NUMBER, "getRandomNumber", E, ezsp_random_rsp, "value")

    /* network management (§5.2) */
    ST2(EZSP_ID_SET_CONCENTRATOR, "setConcentrator", L(ezsp_concentrator_req), ezsp_st, NULL)
        ST2(EZSP_ID_NETWORK_INIT, "networkInit", L(ezsp_network_init_req), ezsp_st, NULL)
            ALL8(EZSP_ID_NETWORK_STATE, "networkState", E, L(ezsp_byte), NULL)
                ST2(EZSP_ID_FORM_NETWORK, "formNetwork", L(ezsp_form_req), ezsp_st, NULL)
    /* leaveNetwork: options u8 from v14 (§2.5; optional in practice) */
    ST_ROWS(EZSP_ID_LEAVE_NETWORK, "leaveNetwork", E, L(ezsp_byte), ezsp_st, NULL,
            8) ST2(EZSP_ID_PERMIT_JOINING, "permitJoining", L(ezsp_byte), ezsp_st, NULL)
        ST2(EZSP_ID_GET_NETWORK_PARAMETERS, "getNetworkParameters", E, ezsp_network_params_rsp,
            NULL) ALL8(EZSP_ID_SET_SOURCE_ROUTE_DISCOVERY_MODE, "setSourceRouteDiscoveryMode",
                       L(ezsp_byte), L(ezsp_u32_rsp), NULL)
            ST2(EZSP_ID_SET_INITIAL_SECURITY_STATE, "setInitialSecurityState", L(ezsp_security_req),
                ezsp_st, NULL) ST_ROWS(EZSP_ID_SET_CCA_MODE, "setRadioIeee802154CcaMode",
                                       L(ezsp_byte), L(ezsp_byte), ezsp_st, NULL, 9)
                ST2(EZSP_ID_SET_RADIO_POWER, "setRadioPower", L(ezsp_byte), ezsp_st, NULL)
                    ST2(EZSP_ID_SET_LOGICAL_AND_RADIO_CHANNEL, "setLogicalAndRadioChannel",
                        L(ezsp_byte), ezsp_st, NULL)

    /* messaging (§5.3): the NCP numbers APS frames since its boot */
    ST_ROWS(EZSP_ID_SEND_UNICAST, "sendUnicast", L(ezsp_unicast_req_v8), L(ezsp_unicast_req),
            ezsp_send_rsp, "sequence", 8)
        ST_ROWS(EZSP_ID_SEND_BROADCAST, "sendBroadcast", L(ezsp_broadcast_req_v8),
                L(ezsp_broadcast_req), ezsp_send_rsp, "sequence", 8)
            ST_ROWS(EZSP_ID_SEND_MULTICAST, "sendMulticast", L(ezsp_multicast_req_v8),
                    L(ezsp_multicast_req), ezsp_send_rsp, "sequence", 8)
    /* callbacks (§6): what the NCP sends is the row's response */
    ST_ROWS(EZSP_ID_STACK_STATUS_HANDLER, "stackStatusHandler", NULL, NULL, ezsp_st, NULL, 8)
        ST_ROWS(EZSP_ID_MESSAGE_SENT_HANDLER, "messageSentHandler", NULL, NULL, ezsp_message_sent,
                NULL, 8) ST_ROWS(EZSP_ID_INCOMING_MESSAGE_HANDLER, "incomingMessageHandler", NULL,
                                 NULL, ezsp_incoming, NULL, 8)

    /* trust center and key table (§5.4) */
    ST2(EZSP_ID_GET_CURRENT_SECURITY_STATE, "getCurrentSecurityState", E, ezsp_security_state_rsp,
        NULL) ALL8(EZSP_ID_CLEAR_TRANSIENT_LINK_KEYS, "clearTransientLinkKeys", E, E, NULL)
        ALL8(EZSP_ID_FIND_KEY_TABLE_ENTRY, "findKeyTableEntry", L(ezsp_find_key_req), L(ezsp_index),
             NULL) ST2(EZSP_ID_ERASE_KEY_TABLE_ENTRY, "eraseKeyTableEntry", L(ezsp_index), ezsp_st,
                       NULL) ST2(EZSP_ID_CLEAR_KEY_TABLE, "clearKeyTable", E, ezsp_st, NULL)
    /* up to v12: EmberKeyStruct and u8 statuses */
    {EZSP_ID_GET_KEY, "getKey", L(ezsp_byte), L(ezsp_key_rsp), NULL, EZSP_V_GET_KEY},
    {EZSP_ID_GET_KEY_TABLE_ENTRY, "getKeyTableEntry", L(ezsp_index), L(ezsp_key_rsp), NULL,
     EZSP_V_GET_KEY_TABLE_ENTRY},
    {EZSP_ID_SET_KEY_TABLE_ENTRY, "setKeyTableEntry", L(ezsp_set_key_entry_req), L(ezsp_st8), NULL,
     EZSP_V_SET_KEY_TABLE_ENTRY},
    {EZSP_ID_ADD_OR_UPDATE_KEY_TABLE_ENTRY, "addOrUpdateKeyTableEntry", L(ezsp_key_entry_req),
     L(ezsp_st8), NULL, EZSP_V_ADD_OR_UPDATE_KEY_TABLE_ENTRY},
    {EZSP_ID_BECOME_TRUST_CENTER, "becomeTrustCenter", L(ezsp_key16_req), L(ezsp_st8), NULL,
     EZSP_V_BECOME_TRUST_CENTER},
    {EZSP_ID_CLEAR_BINDING_TABLE_ON_LEAVE, "clearBindingTableOnLeave", L(ezsp_byte), E, NULL,
     EZSP_V_CLEAR_BINDING_TABLE_ON_LEAVE},

    /* security manager (§5.5): v12 context 17 bytes; status last up to v13, first from v14 */
    {EZSP_ID_EXPORT_KEY, "exportKey", L(ezsp_context_req_v12), L(ezsp_export_key_rsp_v12), NULL, 12,
     12},
    {EZSP_ID_EXPORT_KEY, "exportKey", L(ezsp_context_req), L(ezsp_export_key_rsp_v12), NULL, 13,
     13},
    {EZSP_ID_EXPORT_KEY, "exportKey", L(ezsp_context_req), L(ezsp_export_key_rsp), NULL, 14, 0},
    {EZSP_ID_IMPORT_KEY, "importKey", L(ezsp_import_key_req_v12), L(ezsp_import_key_rsp_v12), NULL,
     12, 12},
    {EZSP_ID_IMPORT_KEY, "importKey", L(ezsp_import_key_req), L(ezsp_import_key_rsp_v12), NULL, 13,
     13},
    {EZSP_ID_IMPORT_KEY, "importKey", L(ezsp_import_key_req), L(ezsp_import_key_rsp), NULL, 14, 0},
    {EZSP_ID_GET_APS_KEY_INFO, "getApsKeyInfo", L(ezsp_context_req_v12),
     L(ezsp_aps_key_info_rsp_v12), NULL, 12, 12},
    {EZSP_ID_GET_APS_KEY_INFO, "getApsKeyInfo", L(ezsp_context_req), L(ezsp_aps_key_info_rsp_v12),
     NULL, 13, 13},
    {EZSP_ID_GET_APS_KEY_INFO, "getApsKeyInfo", L(ezsp_context_req), L(ezsp_aps_key_info_rsp), NULL,
     14, 0},
    {EZSP_ID_IMPORT_LINK_KEY, "importLinkKey", L(ezsp_import_link_key_req), L(ezsp_st32), NULL,
     EZSP_V_SECMAN},
    {EZSP_ID_EXPORT_LINK_KEY_BY_INDEX, "exportLinkKeyByIndex", L(ezsp_index),
     L(ezsp_export_link_key_by_index_rsp_v12), NULL, 12, 13},
    {EZSP_ID_EXPORT_LINK_KEY_BY_INDEX, "exportLinkKeyByIndex", L(ezsp_index),
     L(ezsp_export_link_key_rsp), NULL, 14, 0},
    {EZSP_ID_EXPORT_LINK_KEY_BY_EUI, "exportLinkKeyByEui", L(ezsp_eui64),
     L(ezsp_export_link_key_by_eui_rsp_v12), NULL, 12, 13},
    {EZSP_ID_EXPORT_LINK_KEY_BY_EUI, "exportLinkKeyByEui", L(ezsp_eui64),
     L(ezsp_export_link_key_rsp), NULL, 14, 0},
    {EZSP_ID_IMPORT_TRANSIENT_KEY, "importTransientKey", L(ezsp_transient_key_req), L(ezsp_st32),
     NULL, EZSP_V_SECMAN},
    {EZSP_ID_GET_NETWORK_KEY_INFO, "getNetworkKeyInfo", E, L(ezsp_network_key_info_rsp), NULL,
     EZSP_V_GET_NETWORK_KEY_INFO},

    /* tokens (§5.6, v9+): getTokenCount u8 up to v17, u32 from v18 */
    {EZSP_ID_GET_TOKEN_COUNT, "getTokenCount", E, L(ezsp_token_count_rsp_v9), NULL, 9, 17},
    {EZSP_ID_GET_TOKEN_COUNT, "getTokenCount", E, L(ezsp_token_count_rsp), NULL, 18, 0},
    ST_ROWS(EZSP_ID_GET_TOKEN_INFO, "getTokenInfo", L(ezsp_index), L(ezsp_index),
            ezsp_token_info_rsp, NULL, 9)
        ST_ROWS(EZSP_ID_GET_TOKEN_DATA, "getTokenData", L(ezsp_token_req), L(ezsp_token_req),
                ezsp_token_data_rsp, NULL, 9)
            ST_ROWS(EZSP_ID_SET_TOKEN_DATA, "setTokenData", L(ezsp_set_token_req),
                    L(ezsp_set_token_req), ezsp_st, NULL,
                    9){EZSP_ID_RESET_NODE, "resetNode", E, E, NULL, EZSP_V_TOKENS},
    {EZSP_ID_TOKEN_FACTORY_RESET, "tokenFactoryReset", L(ezsp_factory_reset_req), E, NULL,
     EZSP_V_TOKEN_FACTORY_RESET},

    /* tables (§5.2): EmberChildData 14 bytes before v10 */
    {EZSP_ID_GET_CHILD_DATA, "getChildData", L(ezsp_index), L(ezsp_child_rsp_v9), NULL, 8, 9},
    {EZSP_ID_GET_CHILD_DATA, "getChildData", L(ezsp_index), L(ezsp_child_rsp_v8), NULL, 10, 13},
    {EZSP_ID_GET_CHILD_DATA, "getChildData", L(ezsp_index), L(ezsp_child_rsp), NULL, 14, 0},
    {EZSP_ID_SET_CHILD_DATA, "setChildData", L(ezsp_set_child_req_v9), L(ezsp_st_v8), NULL, 9, 9},
    {EZSP_ID_SET_CHILD_DATA, "setChildData", L(ezsp_set_child_req), L(ezsp_st_v8), NULL, 10, 13},
    {EZSP_ID_SET_CHILD_DATA, "setChildData", L(ezsp_set_child_req), L(ezsp_st), NULL, 14, 0},
    ST2(EZSP_ID_GET_NEIGHBOR, "getNeighbor", L(ezsp_index), ezsp_neighbor_rsp, NULL)
        ALL8(EZSP_ID_NEIGHBOR_COUNT, "neighborCount", E, L(ezsp_byte), NULL)
    /* 0x005C-0x005F: one at a time up to v13, getAddressTableInfo/set... from v14 */
    {EZSP_ID_SET_ADDRESS_TABLE_REMOTE_EUI64, "setAddressTableRemoteEui64", L(ezsp_index_eui64_req),
     L(ezsp_st_v8), NULL, EZSP_V_SET_ADDRESS_TABLE_REMOTE_EUI64},
    {EZSP_ID_SET_ADDRESS_TABLE_INFO, "setAddressTableInfo", L(ezsp_address_info_req), L(ezsp_st32),
     NULL, EZSP_V_SET_ADDRESS_TABLE_INFO},
    {EZSP_ID_SET_ADDRESS_TABLE_REMOTE_NODE_ID, "setAddressTableRemoteNodeId",
     L(ezsp_index_node_req), E, NULL, EZSP_V_SET_ADDRESS_TABLE_REMOTE_NODE_ID},
    {EZSP_ID_GET_ADDRESS_TABLE_REMOTE_EUI64, "getAddressTableRemoteEui64", L(ezsp_index),
     L(ezsp_eui64), NULL, EZSP_V_GET_ADDRESS_TABLE_REMOTE_EUI64},
    {EZSP_ID_GET_ADDRESS_TABLE_INFO, "getAddressTableInfo", L(ezsp_index), L(ezsp_address_info_rsp),
     NULL, EZSP_V_GET_ADDRESS_TABLE_INFO},
    {EZSP_ID_GET_ADDRESS_TABLE_REMOTE_NODE_ID, "getAddressTableRemoteNodeId", L(ezsp_index),
     L(ezsp_node_id), NULL, EZSP_V_GET_ADDRESS_TABLE_REMOTE_NODE_ID},
    ALL8(EZSP_ID_LOOKUP_NODE_ID_BY_EUI64, "lookupNodeIdByEui64", L(ezsp_eui64), L(ezsp_node_id),
         NULL) ST2(EZSP_ID_LOOKUP_EUI64_BY_NODE_ID, "lookupEui64ByNodeId", L(ezsp_node_id),
                   ezsp_st_eui64_rsp, NULL)
        ST2(EZSP_ID_GET_MULTICAST_TABLE_ENTRY, "getMulticastTableEntry", L(ezsp_index),
            ezsp_multicast_entry_rsp, NULL)
            ST2(EZSP_ID_SET_MULTICAST_TABLE_ENTRY, "setMulticastTableEntry",
                L(ezsp_set_multicast_req), ezsp_st, NULL)
    /* setExtendedTimeout: no response parameters up to v13 (real v8 sticks), a status from v14 */
    {EZSP_ID_SET_EXTENDED_TIMEOUT, "setExtendedTimeout", L(ezsp_extended_timeout_req), E, NULL, 8,
     13},
    {EZSP_ID_SET_EXTENDED_TIMEOUT, "setExtendedTimeout", L(ezsp_extended_timeout_req), L(ezsp_st),
     NULL, 14, 0},
};
const size_t ezsp_n_commands = sizeof(ezsp_commands) / sizeof(ezsp_commands[0]);

size_t ezsp_secman_context_size(int version)
{
    static const ezsp_secman_context zero;
    uint8_t buf[EZSP_SECMAN_CONTEXT_SIZE];
    const zs_layout *l =
        version >= 13 ? &ezsp_secman_context_layout : &ezsp_secman_context_v12_layout;
    long n = zs_encode_to(l, &zero, buf, sizeof(buf));
    return n < 0 ? 0 : (size_t)n;
}

const zs_cmd *ezsp_cmd_row(uint16_t frame_id, int version)
{
    return zs_cmd_find(ezsp_commands, ezsp_n_commands, frame_id, (unsigned)version);
}

/* ---------------------------------------------------------------- request-selected unit fields */

static const struct {
    uint16_t id;
    uint8_t sel_off, sel;
    const char *field, *name;
} UNIT_WHEN[] = {
    {EZSP_ID_GET_KEY, 0, 0x01 /* EMBER_TRUST_CENTER_LINK_KEY */, "key.outgoing_frame_counter",
     "getKey(TC link key).outgoingFrameCounter"},
    {EZSP_ID_GET_VALUE, 0, 0x03 /* EZSP_VALUE_FREE_BUFFERS */, "value",
     "getValue(FREE_BUFFERS).value"},
};

const char *ezsp_unit_when(uint16_t frame_id, const uint8_t *req, size_t req_len, const char *field)
{
    for (size_t i = 0; i < sizeof UNIT_WHEN / sizeof UNIT_WHEN[0]; i++)
        if (UNIT_WHEN[i].id == frame_id && UNIT_WHEN[i].sel_off < req_len &&
            req[UNIT_WHEN[i].sel_off] == UNIT_WHEN[i].sel && strcmp(UNIT_WHEN[i].field, field) == 0)
            return UNIT_WHEN[i].name;
    return NULL;
}
