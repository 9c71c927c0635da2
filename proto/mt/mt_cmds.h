/* mt_cmds.h - the MT commands this project speaks, each named once as its cmd0, cmd1 pair
 * (Z-Stack MT API; zstack-znp.md): MT_<NAME> expands to "cmd0, cmd1", so it fills both
 * arguments of a send or both fields of a table row. The emulator's table (znp_cmds.c) and the
 * harness's driver use the same names, so a grep for one finds both sides. */
#ifndef ZB_MT_CMDS_H
#define ZB_MT_CMDS_H

#include "mt.h"

#define MT_CMD0(type, subsys) ((uint8_t)(((type) << 5) | (subsys)))
#define MT_SREQ(sub)          MT_CMD0(MT_TYPE_SREQ, MT_SUBSYS_##sub)
#define MT_AREQ(sub)          MT_CMD0(MT_TYPE_AREQ, MT_SUBSYS_##sub)
#define MT_SRSP(sub)          MT_CMD0(MT_TYPE_SRSP, MT_SUBSYS_##sub)
/* cmd1 alone of a named pair: MT_CMD1(MT_ZDO_STATE_CHANGE_IND) is 0xC0 */
#define MT_CMD1_(cmd0, cmd1) (cmd1)
#define MT_CMD1(...)         MT_CMD1_(__VA_ARGS__)

/* ---- requests (host -> NCP) ---- */
#define MT_SYS_RESET_REQ                           MT_AREQ(SYS), 0x00
#define MT_SYS_PING                                MT_SREQ(SYS), 0x01
#define MT_SYS_VERSION                             MT_SREQ(SYS), 0x02
#define MT_SYS_SET_EXTADDR                         MT_SREQ(SYS), 0x03
#define MT_SYS_GET_EXTADDR                         MT_SREQ(SYS), 0x04
#define MT_SYS_OSAL_NV_ITEM_INIT                   MT_SREQ(SYS), 0x07
#define MT_SYS_OSAL_NV_READ                        MT_SREQ(SYS), 0x08
#define MT_SYS_OSAL_NV_WRITE                       MT_SREQ(SYS), 0x09
#define MT_SYS_RANDOM                              MT_SREQ(SYS), 0x0C /* replay only */
#define MT_SYS_STACK_TUNE                          MT_SREQ(SYS), 0x0F
#define MT_SYS_OSAL_NV_DELETE                      MT_SREQ(SYS), 0x12
#define MT_SYS_OSAL_NV_LENGTH                      MT_SREQ(SYS), 0x13
#define MT_SYS_SET_TX_POWER                        MT_SREQ(SYS), 0x14
#define MT_SYS_OSAL_NV_READ_EXT                    MT_SREQ(SYS), 0x1C
#define MT_SYS_OSAL_NV_WRITE_EXT                   MT_SREQ(SYS), 0x1D
#define MT_SYS_NV_CREATE                           MT_SREQ(SYS), 0x30
#define MT_SYS_NV_DELETE                           MT_SREQ(SYS), 0x31
#define MT_SYS_NV_LENGTH                           MT_SREQ(SYS), 0x32
#define MT_SYS_NV_READ                             MT_SREQ(SYS), 0x33
#define MT_SYS_NV_WRITE                            MT_SREQ(SYS), 0x34
#define MT_UTIL_GET_DEVICE_INFO                    MT_SREQ(UTIL), 0x00
#define MT_UTIL_LED_CONTROL                        MT_SREQ(UTIL), 0x0A
#define MT_UTIL_ASSOC_FIND_DEVICE                  MT_SREQ(UTIL), 0x49
#define MT_UTIL_ASSOC_GET_WITH_ADDRESS             MT_SREQ(UTIL), 0x4A
#define MT_UTIL_ASSOC_REMOVE                       MT_SREQ(UTIL), 0x63
#define MT_UTIL_ASSOC_ADD                          MT_SREQ(UTIL), 0x64
#define MT_ZDO_NWK_ADDR_REQ                        MT_SREQ(ZDO), 0x00
#define MT_ZDO_IEEE_ADDR_REQ                       MT_SREQ(ZDO), 0x01
#define MT_ZDO_NODE_DESC_REQ                       MT_SREQ(ZDO), 0x02
#define MT_ZDO_SIMPLE_DESC_REQ                     MT_SREQ(ZDO), 0x04
#define MT_ZDO_ACTIVE_EP_REQ                       MT_SREQ(ZDO), 0x05
#define MT_ZDO_BIND_REQ                            MT_SREQ(ZDO), 0x21
#define MT_ZDO_UNBIND_REQ                          MT_SREQ(ZDO), 0x22
#define MT_ZDO_MGMT_LQI_REQ                        MT_SREQ(ZDO), 0x31
#define MT_ZDO_MGMT_RTG_REQ                        MT_SREQ(ZDO), 0x32
#define MT_ZDO_MGMT_BIND_REQ                       MT_SREQ(ZDO), 0x33
#define MT_ZDO_MGMT_LEAVE_REQ                      MT_SREQ(ZDO), 0x34
#define MT_ZDO_MGMT_PERMIT_JOIN_REQ                MT_SREQ(ZDO), 0x36
#define MT_ZDO_MGMT_NWK_UPDATE_REQ                 MT_SREQ(ZDO), 0x37
#define MT_ZDO_MSG_CB_REGISTER                     MT_SREQ(ZDO), 0x3E
#define MT_ZDO_STARTUP_FROM_APP                    MT_SREQ(ZDO), 0x40
#define MT_ZDO_EXT_ROUTE_DISC                      MT_SREQ(ZDO), 0x45
#define MT_ZDO_EXT_ROUTE_CHECK                     MT_SREQ(ZDO), 0x46
#define MT_ZDO_EXT_FIND_GROUP                      MT_SREQ(ZDO), 0x4A
#define MT_ZDO_EXT_ADD_GROUP                       MT_SREQ(ZDO), 0x4B
#define MT_ZDO_EXT_NWK_INFO                        MT_SREQ(ZDO), 0x50
#define MT_AF_REGISTER                             MT_SREQ(AF), 0x00
#define MT_AF_DATA_REQUEST                         MT_SREQ(AF), 0x01
#define MT_AF_DATA_REQUEST_EXT                     MT_SREQ(AF), 0x02
#define MT_AF_DATA_REQUEST_SRC_RTG                 MT_SREQ(AF), 0x03
#define MT_AF_INTER_PAN_CTL                        MT_SREQ(AF), 0x10
#define MT_APP_CNF_BDB_ADD_INSTALLCODE             MT_SREQ(APP_CNF), 0x04
#define MT_APP_CNF_BDB_START_COMMISSIONING         MT_SREQ(APP_CNF), 0x05
#define MT_APP_CNF_BDB_SET_JOINUSESINSTALLCODEKEY  MT_SREQ(APP_CNF), 0x06
#define MT_APP_CNF_BDB_SET_CHANNEL                 MT_SREQ(APP_CNF), 0x08
#define MT_APP_CNF_BDB_SET_TC_REQUIRE_KEY_EXCHANGE MT_SREQ(APP_CNF), 0x09
#define MT_SAPI_ZB_READ_CONFIGURATION              MT_SREQ(SAPI), 0x04
#define MT_SAPI_ZB_WRITE_CONFIGURATION             MT_SREQ(SAPI), 0x05
#define MT_SAPI_ZB_GET_DEVICE_INFO                 MT_SREQ(SAPI), 0x06

/* ---- indications and callbacks (NCP -> host) ---- */
#define MT_RPC_ERROR                              MT_SRSP(RPC_ERR), 0x00 /* code, req cmd0, cmd1 */
#define MT_SYS_RESET_IND                          MT_AREQ(SYS), 0x80
#define MT_AF_DATA_CONFIRM                        MT_AREQ(AF), 0x80
#define MT_AF_INCOMING_MSG                        MT_AREQ(AF), 0x81
#define MT_ZDO_NWK_ADDR_RSP                       MT_AREQ(ZDO), 0x80
#define MT_ZDO_IEEE_ADDR_RSP                      MT_AREQ(ZDO), 0x81
#define MT_ZDO_NODE_DESC_RSP                      MT_AREQ(ZDO), 0x82
#define MT_ZDO_SIMPLE_DESC_RSP                    MT_AREQ(ZDO), 0x84
#define MT_ZDO_ACTIVE_EP_RSP                      MT_AREQ(ZDO), 0x85
#define MT_ZDO_MGMT_LQI_RSP                       MT_AREQ(ZDO), 0xB1
#define MT_ZDO_MGMT_RTG_RSP                       MT_AREQ(ZDO), 0xB2
#define MT_ZDO_MGMT_BIND_RSP                      MT_AREQ(ZDO), 0xB3
#define MT_ZDO_MGMT_PERMIT_JOIN_RSP               MT_AREQ(ZDO), 0xB6
#define MT_ZDO_MGMT_NWK_UPDATE_NOTIFY             MT_AREQ(ZDO), 0xB8
#define MT_ZDO_STATE_CHANGE_IND                   MT_AREQ(ZDO), 0xC0
#define MT_ZDO_PERMIT_JOIN_IND                    MT_AREQ(ZDO), 0xCB
#define MT_ZDO_MSG_CB_INCOMING                    MT_AREQ(ZDO), 0xFF
#define MT_APP_CNF_BDB_COMMISSIONING_NOTIFICATION MT_AREQ(APP_CNF), 0x80

#endif
