/* ezsp_versions.h - what changed between EZSP v8 and v19 (ezsp-ash.md §2.5, §5): the frame ids
 * that exist only in some versions, each defined once here with the versions that have it
 * (EZSP_V_<NAME> expands to "first, last"), and the structures whose layout depends on the
 * version. The emulator's command tables and the harness's driver both use these names, so a
 * grep for one finds both sides.
 *
 * Sources: bellows' per-version command tables v8-v19 (getKey & co. deleted from v13, the
 * security manager added in v12 with a 17-byte context, getNetworkKeyInfo and
 * tokenFactoryReset added in v13, setChildData and the token interface in v9, EmberChildData
 * gaining remainingTimeout in v10, clearBindingTableOnLeave in v19) and herdsman's ember
 * adapter (v13-v19). */
#ifndef ZB_EZSP_VERSIONS_H
#define ZB_EZSP_VERSIONS_H

#include "ezsp.h"

/* versions this project knows: the extended frame format exists from v8 */
#define EZSP_FIRST_EXTENDED 8
#define EZSP_NEWEST         19

/* ---- frame ids with the versions that have them ---- */
enum {
    EZSP_ID_GET_KEY = 0x006A,                       /* EmberKeyStruct by EmberKeyType */
    EZSP_ID_ADD_OR_UPDATE_KEY_TABLE_ENTRY = 0x0066, /* eui64, linkKey bool, key */
    EZSP_ID_GET_KEY_TABLE_ENTRY = 0x0071,           /* index -> EmberKeyStruct */
    EZSP_ID_SET_KEY_TABLE_ENTRY = 0x0072,           /* index, eui64, linkKey bool, key */
    EZSP_ID_BECOME_TRUST_CENTER = 0x0077,           /* newNetworkKey[16] (id reused in v13) */
    EZSP_ID_TOKEN_FACTORY_RESET = 0x0077,           /* excludeOutgoingFC, excludeBootCounter */
    EZSP_ID_SET_CHILD_DATA = 0x00AC,
    EZSP_ID_SET_CCA_MODE = 0x0095, /* setRadioIeee802154CcaMode */
    EZSP_ID_GET_TOKEN_COUNT = 0x0100,
    EZSP_ID_GET_TOKEN_INFO = 0x0101,
    EZSP_ID_GET_TOKEN_DATA = 0x0102,
    EZSP_ID_SET_TOKEN_DATA = 0x0103,
    EZSP_ID_RESET_NODE = 0x0104,
    EZSP_ID_GET_APS_KEY_INFO = 0x010C,
    EZSP_ID_EXPORT_LINK_KEY_BY_EUI = 0x010D,
    EZSP_ID_IMPORT_LINK_KEY = 0x010E,
    EZSP_ID_EXPORT_LINK_KEY_BY_INDEX = 0x010F,
    EZSP_ID_IMPORT_TRANSIENT_KEY = 0x0111,
    EZSP_ID_EXPORT_KEY = 0x0114,
    EZSP_ID_IMPORT_KEY = 0x0115,
    EZSP_ID_GET_NETWORK_KEY_INFO = 0x0116,
    EZSP_ID_CLEAR_BINDING_TABLE_ON_LEAVE = 0x006D, /* clear bool -> nothing */
};
#define EZSP_V_GET_KEY                       4, 12
#define EZSP_V_ADD_OR_UPDATE_KEY_TABLE_ENTRY 4, 12
#define EZSP_V_GET_KEY_TABLE_ENTRY           4, 12
#define EZSP_V_SET_KEY_TABLE_ENTRY           4, 12
#define EZSP_V_BECOME_TRUST_CENTER           4, 12
#define EZSP_V_TOKEN_FACTORY_RESET           13, 255
#define EZSP_V_SET_CHILD_DATA                9, 255
#define EZSP_V_SET_CCA_MODE                  9, 255
#define EZSP_V_TOKENS                        9, 255  /* getTokenCount .. resetNode */
#define EZSP_V_SECMAN                        12, 255 /* exportKey, importLinkKey & co. */
#define EZSP_V_GET_NETWORK_KEY_INFO          13, 255
#define EZSP_V_CLEAR_BINDING_TABLE_ON_LEAVE  19, 255

/* EmberKeyType (getKey) */
enum {
    EMBER_TRUST_CENTER_LINK_KEY = 1,
    EMBER_CURRENT_NETWORK_KEY = 3,
    EMBER_NEXT_NETWORK_KEY = 4,
    EMBER_APPLICATION_LINK_KEY = 5,
};
/* EmberKeyStructBitmask */
#define EMBER_KEY_HAS_SEQUENCE_NUMBER        0x0001
#define EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER 0x0002
#define EMBER_KEY_HAS_INCOMING_FRAME_COUNTER 0x0004
#define EMBER_KEY_HAS_PARTNER_EUI64          0x0008
#define EMBER_KEY_IS_AUTHORIZED              0x0010

/* EmberStatus values of the key-table API (≤ v12) */
enum {
    EMBER_KEY_INVALID = 0xB2,
    EMBER_TABLE_ENTRY_ERASED = 0xB6,
};

typedef struct ezsp_key_struct { /* EmberKeyStruct (getKey, getKeyTableEntry), 36 bytes */
    uint16_t bitmask;
    uint8_t type;
    uint8_t key[16];
    uint32_t outgoing_frame_counter;
    uint32_t incoming_frame_counter;
    uint8_t sequence_number;
    uint8_t partner_eui64[8];
} ezsp_key_struct;
#define EZSP_KEY_STRUCT_SIZE 36

void ezsp_put_key_struct(zb_buf *b, const ezsp_key_struct *v);
void ezsp_get_key_struct(zb_rd *r, ezsp_key_struct *v);

/* EmberChildData: 14 bytes before v10, 18 (+ remainingTimeout u32) from v10 */
size_t ezsp_child_data_size(int version);
void ezsp_put_child_data_v(zb_buf *b, int version, const ezsp_child_data *v);
void ezsp_get_child_data_v(zb_rd *r, int version, ezsp_child_data *v);

/* sl_zb_sec_man_context_t: derivedType u8 in v12 (17 bytes), u16 from v13 (18 bytes) */
size_t ezsp_secman_context_size(int version);
void ezsp_put_secman_context_v(zb_buf *b, int version, const ezsp_secman_context *v);
void ezsp_get_secman_context_v(zb_rd *r, int version, ezsp_secman_context *v);

#endif
