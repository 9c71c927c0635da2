/* zboss_schema.c - the layouts of proto/zboss_schema.h and the table of ZBOSS calls: one row
 * per call id with its vendor name (zboss-ncp.md §4), request and response layouts and the
 * response fields whose value is the unit's own (the trace replay declares those). */
#include "zboss_schema.h"

#include "zboss.h"

const uint8_t ZBOSS_TC_STANDARD_KEY[16] = {0x5A, 0x69, 0x67, 0x42, 0x65, 0x65, 0x41, 0x6C,
                                           0x6C, 0x69, 0x61, 0x6E, 0x63, 0x65, 0x30, 0x39};

ZS_LAYOUT(zboss_u8, ZBOSS_U8_)
ZS_LAYOUT(zboss_nwk, ZBOSS_NWK_)
ZS_LAYOUT(zboss_ieee, ZBOSS_IEEE_)
ZS_LAYOUT(zboss_key, ZBOSS_KEY_)
ZS_LAYOUT(zboss_epid, ZBOSS_EPID_)
ZS_LAYOUT(zboss_chmask, ZBOSS_CHMASK_)

ZS_LAYOUT(zboss_module_version_rsp, ZBOSS_MODULE_VERSION_RSP)
ZS_LAYOUT(zboss_reset_req, ZBOSS_RESET_REQ)
ZS_LAYOUT(zboss_role, ZBOSS_ROLE_)
ZS_LAYOUT(zboss_chmask_list, ZBOSS_CHMASK_LIST_)
ZS_LAYOUT(zboss_channel_rsp, ZBOSS_CHANNEL_RSP)
ZS_LAYOUT(zboss_pan, ZBOSS_PAN_)
ZS_LAYOUT(zboss_local_ieee_req, ZBOSS_LOCAL_IEEE_REQ)
ZS_LAYOUT(zboss_local_ieee, ZBOSS_LOCAL_IEEE_)
ZS_LAYOUT(zboss_dbm, ZBOSS_DBM_)
ZS_LAYOUT(zboss_set_nwk_key_req, ZBOSS_SET_NWK_KEY_REQ)
ZS_LAYOUT(zboss_nwk_key, ZBOSS_NWK_KEY_)
ZS_LAYOUT(zboss_nwk_keys_rsp, ZBOSS_NWK_KEYS_RSP)
ZS_LAYOUT(zboss_tc_policy_req, ZBOSS_TC_POLICY_REQ)
ZS_LAYOUT(zboss_tc_policy_rsp, ZBOSS_TC_POLICY_RSP)

ZS_LAYOUT(zboss_nvram_write_req, ZBOSS_NVRAM_WRITE_REQ)
ZS_LAYOUT(zboss_nvram_dataset, ZBOSS_NVRAM_DATASET)
ZS_LAYOUT(zboss_common_data, ZBOSS_COMMON_DATA)
ZS_LAYOUT(zboss_nvram_read_req, ZBOSS_NVRAM_READ_REQ)
ZS_LAYOUT(zboss_nvram_data_rsp, ZBOSS_NVRAM_READ_RSP)

ZS_LAYOUT(zboss_simple_desc, ZBOSS_SIMPLE_DESC_)
ZS_LAYOUT(zboss_node_desc_req, ZBOSS_NODE_DESC_REQ)
ZS_LAYOUT(zboss_power_desc_req, ZBOSS_POWER_DESC_REQ)

ZS_LAYOUT(zboss_apsde_data_req, ZBOSS_APSDE_DATA_REQ)
ZS_LAYOUT(zboss_apsde_params, ZBOSS_APSDE_PARAMS)
ZS_LAYOUT(zboss_apsde_params20, ZBOSS_APSDE_PARAMS20)
ZS_LAYOUT(zboss_apsde_data_rsp, ZBOSS_APSDE_DATA_RSP)
ZS_LAYOUT(zboss_group_req, ZBOSS_GROUP_REQ)
ZS_LAYOUT(zboss_group_table_rsp, ZBOSS_GROUP_TABLE_RSP)
ZS_LAYOUT(zboss_apsde_data_ind, ZBOSS_APSDE_DATA_IND)

ZS_LAYOUT(zboss_formation_req, ZBOSS_FORMATION_REQ)
ZS_LAYOUT(zboss_formation_rsp, ZBOSS_FORMATION_RSP)

ZS_LAYOUT(zboss_nwk_addr_req, ZBOSS_NWK_ADDR_REQ)
ZS_LAYOUT(zboss_ieee_addr_req, ZBOSS_IEEE_ADDR_REQ)
ZS_LAYOUT(zboss_addr_rsp, ZBOSS_ADDR_RSP)
ZS_LAYOUT(zboss_power_desc_rsp, ZBOSS_POWER_DESC_RSP)
ZS_LAYOUT(zboss_node_desc_rsp, ZBOSS_NODE_DESC_RSP)
ZS_LAYOUT(zboss_simple_desc_req, ZBOSS_SIMPLE_DESC_REQ)
ZS_LAYOUT(zboss_simple_desc_rsp, ZBOSS_SIMPLE_DESC_RSP)
ZS_LAYOUT(zboss_ep_list_rsp, ZBOSS_EP_LIST_RSP)
ZS_LAYOUT(zboss_match_desc_req, ZBOSS_MATCH_DESC_REQ)
ZS_LAYOUT(zboss_zdo_target_req, ZBOSS_ZDO_TARGET_REQ)
ZS_LAYOUT(zboss_leave_zdp, ZBOSS_LEAVE_ZDP)
ZS_LAYOUT(zboss_permit_join_req, ZBOSS_PERMIT_JOIN_REQ)
ZS_LAYOUT(zboss_zdo_start_req, ZBOSS_ZDO_START_REQ)
ZS_LAYOUT(zboss_mgmt_bind_rsp, ZBOSS_MGMT_BIND_RSP)
ZS_LAYOUT(zboss_lqi_neighbor, ZBOSS_LQI_NEIGHBOR)
ZS_LAYOUT(zboss_mgmt_lqi_rsp, ZBOSS_MGMT_LQI_RSP)
ZS_LAYOUT(zboss_nwk_update_req, ZBOSS_NWK_UPDATE_REQ)
ZS_LAYOUT(zboss_nwk_update_rsp, ZBOSS_NWK_UPDATE_RSP)
ZS_LAYOUT(zboss_manuf_req, ZBOSS_MANUF_REQ)

ZS_LAYOUT(zboss_reset_ind, ZBOSS_RESET_IND)
ZS_LAYOUT(zboss_dev_annce_ind, ZBOSS_DEV_ANNCE_IND)
ZS_LAYOUT(zboss_dev_auth_ind, ZBOSS_DEV_AUTH_IND)
ZS_LAYOUT(zboss_dev_update_ind, ZBOSS_DEV_UPDATE_IND)
ZS_LAYOUT(zboss_leave_ind, ZBOSS_LEAVE_IND)

#define E       (&zs_empty_layout)
#define L(name) (&name##_layout)
#define CALL(id, req, rsp)                                                                         \
    {                                                                                              \
        ZBOSS_##id, #id, req, rsp, NULL, 0, 0                                                      \
    }
#define IND(id, layout)                                                                            \
    {                                                                                              \
        ZBOSS_##id, #id, NULL, L(layout), NULL, 0, 0                                               \
    }

const zs_cmd zboss_cmds[] = {
    /* NCP configuration */
    CALL(GET_MODULE_VERSION, E, L(zboss_module_version_rsp)),
    CALL(NCP_RESET, L(zboss_reset_req), E), /* answered after the reboot, TSN 0xFF (§7.1) */
    CALL(GET_ZIGBEE_ROLE, E, L(zboss_role)),
    CALL(SET_ZIGBEE_ROLE, L(zboss_role), E),
    CALL(GET_ZIGBEE_CHANNEL_MASK, E, L(zboss_chmask_list)),
    CALL(SET_ZIGBEE_CHANNEL_MASK, L(zboss_chmask), E),
    CALL(GET_ZIGBEE_CHANNEL, E, L(zboss_channel_rsp)),
    CALL(GET_PAN_ID, E, L(zboss_pan)),
    CALL(SET_PAN_ID, L(zboss_pan), E),
    {ZBOSS_GET_LOCAL_IEEE_ADDR, "GET_LOCAL_IEEE_ADDR", L(zboss_local_ieee_req), L(zboss_local_ieee),
     "ieee", 0, 0},
    CALL(SET_LOCAL_IEEE_ADDR, L(zboss_local_ieee), E),
    CALL(GET_TX_POWER, E, L(zboss_dbm)),
    CALL(SET_TX_POWER, L(zboss_dbm), L(zboss_dbm)), /* answers the power it took */
    CALL(GET_RX_ON_WHEN_IDLE, E, L(zboss_u8)),
    CALL(SET_RX_ON_WHEN_IDLE, L(zboss_u8), E),
    CALL(GET_JOINED, E, L(zboss_u8)), /* bit0 joined, bit1 parent lost */
    CALL(GET_AUTHENTICATED, E, L(zboss_u8)),
    CALL(GET_ED_TIMEOUT, E, L(zboss_u8)),
    CALL(SET_ED_TIMEOUT, L(zboss_u8), E),
    CALL(SET_NWK_KEY, L(zboss_set_nwk_key_req), E),
    CALL(GET_NWK_KEYS, E, L(zboss_nwk_keys_rsp)),
    CALL(GET_APS_KEY_BY_IEEE, L(zboss_ieee), L(zboss_key)),
    CALL(GET_PARENT_ADDRESS, E, L(zboss_nwk)),
    CALL(GET_EXTENDED_PAN_ID, E, L(zboss_epid)), /* reversed w.r.t. what was set (§9.2) */
    CALL(GET_COORDINATOR_VERSION, E, L(zboss_u8)),
    CALL(GET_SHORT_ADDRESS, E, L(zboss_nwk)),
    CALL(GET_TRUST_CENTER_ADDRESS, E, L(zboss_ieee)),
    CALL(NVRAM_WRITE, L(zboss_nvram_write_req), E),
    CALL(NVRAM_READ, L(zboss_nvram_read_req), L(zboss_nvram_data_rsp)),
    CALL(NVRAM_ERASE, E, E),
    CALL(NVRAM_CLEAR, E, E),
    CALL(SET_TC_POLICY, L(zboss_tc_policy_req), L(zboss_tc_policy_rsp)),
    CALL(SET_EXTENDED_PAN_ID, L(zboss_epid), E),
    CALL(SET_MAX_CHILDREN, L(zboss_u8), E),
    CALL(GET_MAX_CHILDREN, E, L(zboss_u8)),
    /* AF */
    CALL(AF_SET_SIMPLE_DESC, L(zboss_simple_desc), E),
    CALL(AF_DEL_SIMPLE_DESC, L(zboss_u8), E),
    CALL(AF_SET_NODE_DESC, L(zboss_node_desc_req), E),
    CALL(AF_SET_POWER_DESC, L(zboss_power_desc_req), E),
    /* ZDO */
    CALL(ZDO_NWK_ADDR_REQ, L(zboss_nwk_addr_req), L(zboss_addr_rsp)),
    CALL(ZDO_IEEE_ADDR_REQ, L(zboss_ieee_addr_req), L(zboss_addr_rsp)),
    CALL(ZDO_POWER_DESC_REQ, L(zboss_nwk), L(zboss_power_desc_rsp)),
    CALL(ZDO_NODE_DESC_REQ, L(zboss_nwk), L(zboss_node_desc_rsp)),
    CALL(ZDO_SIMPLE_DESC_REQ, L(zboss_simple_desc_req), L(zboss_simple_desc_rsp)),
    CALL(ZDO_ACTIVE_EP_REQ, L(zboss_nwk), L(zboss_ep_list_rsp)),
    CALL(ZDO_MATCH_DESC_REQ, L(zboss_match_desc_req), L(zboss_ep_list_rsp)),
    CALL(ZDO_BIND_REQ, L(zboss_zdo_target_req), E),
    CALL(ZDO_UNBIND_REQ, L(zboss_zdo_target_req), E),
    CALL(ZDO_MGMT_LEAVE_REQ, L(zboss_zdo_target_req), E),
    CALL(ZDO_PERMIT_JOINING_REQ, L(zboss_permit_join_req), E),
    CALL(ZDO_MGMT_BIND_REQ, L(zboss_zdo_start_req), L(zboss_mgmt_bind_rsp)),
    CALL(ZDO_MGMT_LQI_REQ, L(zboss_zdo_start_req), L(zboss_mgmt_lqi_rsp)),
    CALL(ZDO_MGMT_NWK_UPDATE_REQ, L(zboss_nwk_update_req), L(zboss_nwk_update_rsp)),
    CALL(ZDO_SET_NODE_DESC_MANUF_CODE, L(zboss_manuf_req), E),
    /* APS */
    CALL(APSDE_DATA_REQ, L(zboss_apsde_data_req), L(zboss_apsde_data_rsp)),
    CALL(APSME_ADD_GROUP, L(zboss_group_req), E),
    CALL(APSME_RM_GROUP, L(zboss_group_req), E),
    CALL(APSME_RM_ALL_GROUPS, L(zboss_u8), E), /* the endpoint */
    CALL(APS_GET_GROUP_TABLE, E, L(zboss_group_table_rsp)),
    /* NWK */
    CALL(NWK_FORMATION, L(zboss_formation_req), L(zboss_formation_rsp)),
    CALL(NWK_PERMIT_JOINING, L(zboss_u8), E), /* the duration */
    CALL(NWK_GET_IEEE_BY_SHORT, L(zboss_nwk), L(zboss_ieee)),
    CALL(NWK_GET_SHORT_BY_IEEE, L(zboss_ieee), L(zboss_nwk)),
    CALL(NWK_START_WITHOUT_FORMATION, E, E),
    /* indications (§6) */
    IND(NCP_RESET_IND, zboss_reset_ind),
    IND(ZDO_DEV_ANNCE_IND, zboss_dev_annce_ind),
    IND(ZDO_DEV_AUTHORIZED_IND, zboss_dev_auth_ind),
    IND(ZDO_DEV_UPDATE_IND, zboss_dev_update_ind),
    IND(NWK_LEAVE_IND, zboss_leave_ind),
    IND(APSDE_DATA_IND, zboss_apsde_data_ind),
};
const size_t zboss_n_cmds = sizeof(zboss_cmds) / sizeof(zboss_cmds[0]);

const zs_cmd *zboss_cmd_row(uint16_t id)
{
    return zs_cmd_find(zboss_cmds, zboss_n_cmds, id, 0);
}

