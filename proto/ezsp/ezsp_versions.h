/* ezsp_versions.h - what changed between EZSP v8 and v19 (ezsp-ash.md §2.5, §5): the frame ids
 * that exist only in some versions, each defined once here with the versions that have it
 * (EZSP_V_<NAME> expands to "first, last"). The schema's rows (ezsp_schema.c), the emulator's
 * command tables and the harness's driver all use these names, so a grep for one finds every
 * side. Every other frame id the emulator answers is named here too, so no table or driver needs
 * a raw id; the layouts that depend on the version are rows of ezsp_schema.h.
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

/* ---- frame ids every version from v8 has, unless EZSP_V_<NAME> says otherwise ---- */
#define EZSP_V_ALL EZSP_FIRST_EXTENDED, 255
enum {
    EZSP_ID_GET_LIBRARY_STATUS = 0x0001,                /* getLibraryStatus */
    EZSP_ID_ADD_ENDPOINT = 0x0002,                      /* addEndpoint */
    EZSP_ID_GET_EXTENDED_VALUE = 0x0003,                /* getExtendedValue */
    EZSP_ID_NOP = 0x0005,                               /* nop */
    EZSP_ID_GET_STANDALONE_BOOTLOADER_VERSION = 0x0091, /* getStandaloneBootloaderVersion... */
    EZSP_ID_GET_MFG_TOKEN = 0x000B,                     /* getMfgToken */
    EZSP_ID_SET_MFG_TOKEN = 0x000C,                     /* setMfgToken */
    EZSP_ID_SET_CONCENTRATOR = 0x0010,                  /* setConcentrator */
    EZSP_ID_SET_MANUFACTURER_CODE = 0x0015,             /* setManufacturerCode */
    EZSP_ID_NETWORK_INIT = 0x0017,                      /* networkInit */
    EZSP_ID_NETWORK_STATE = 0x0018,                     /* networkState */
    EZSP_ID_FORM_NETWORK = 0x001E,                      /* formNetwork */
    EZSP_ID_LEAVE_NETWORK = 0x0020,                     /* leaveNetwork */
    EZSP_ID_PERMIT_JOINING = 0x0022,                    /* permitJoining */
    EZSP_ID_GET_EUI64 = 0x0026,                         /* getEui64 */
    EZSP_ID_GET_NODE_ID = 0x0027,                       /* getNodeId */
    EZSP_ID_GET_NETWORK_PARAMETERS = 0x0028,            /* getNetworkParameters */
    EZSP_ID_SEND_UNICAST = 0x0034,                      /* sendUnicast */
    EZSP_ID_SEND_BROADCAST = 0x0036,                    /* sendBroadcast */
    EZSP_ID_SEND_MULTICAST = 0x0038,                    /* sendMulticast */
    EZSP_ID_CUSTOM_FRAME = 0x0047,                      /* customFrame */
    EZSP_ID_GET_CHILD_DATA = 0x004A,                    /* getChildData */
    EZSP_ID_GET_CONFIGURATION_VALUE = 0x0052,           /* getConfigurationValue */
    EZSP_ID_SET_CONFIGURATION_VALUE = 0x0053,           /* setConfigurationValue */
    EZSP_ID_SET_POLICY = 0x0055,                        /* setPolicy */
    EZSP_ID_GET_POLICY = 0x0056,                        /* getPolicy */
    EZSP_ID_SET_SOURCE_ROUTE_DISCOVERY_MODE = 0x005A,   /* setSourceRouteDiscoveryMode */
    EZSP_ID_SET_ADDRESS_TABLE_INFO = 0x005C,            /* setAddressTableInfo */
    EZSP_ID_SET_ADDRESS_TABLE_REMOTE_EUI64 = 0x005C,    /* setAddressTableRemoteEui64 */
    EZSP_ID_SET_ADDRESS_TABLE_REMOTE_NODE_ID = 0x005D,  /* setAddressTableRemoteNodeId */
    EZSP_ID_GET_ADDRESS_TABLE_INFO = 0x005E,            /* getAddressTableInfo */
    EZSP_ID_GET_ADDRESS_TABLE_REMOTE_EUI64 = 0x005E,    /* getAddressTableRemoteEui64 */
    EZSP_ID_GET_ADDRESS_TABLE_REMOTE_NODE_ID = 0x005F,  /* getAddressTableRemoteNodeId */
    EZSP_ID_LOOKUP_NODE_ID_BY_EUI64 = 0x0060,           /* lookupNodeIdByEui64 */
    EZSP_ID_LOOKUP_EUI64_BY_NODE_ID = 0x0061,           /* lookupEui64ByNodeId */
    EZSP_ID_GET_MULTICAST_TABLE_ENTRY = 0x0063,         /* getMulticastTableEntry */
    EZSP_ID_SET_MULTICAST_TABLE_ENTRY = 0x0064,         /* setMulticastTableEntry */
    EZSP_ID_READ_AND_CLEAR_COUNTERS = 0x0065,           /* readAndClearCounters */
    EZSP_ID_SET_INITIAL_SECURITY_STATE = 0x0068,        /* setInitialSecurityState */
    EZSP_ID_GET_CURRENT_SECURITY_STATE = 0x0069,        /* getCurrentSecurityState */
    EZSP_ID_CLEAR_TRANSIENT_LINK_KEYS = 0x006B,         /* clearTransientLinkKeys */
    EZSP_ID_FIND_KEY_TABLE_ENTRY = 0x0075,              /* findKeyTableEntry */
    EZSP_ID_ERASE_KEY_TABLE_ENTRY = 0x0076,             /* eraseKeyTableEntry */
    EZSP_ID_GET_NEIGHBOR = 0x0079,                      /* getNeighbor */
    EZSP_ID_NEIGHBOR_COUNT = 0x007A,                    /* neighborCount */
    EZSP_ID_ECHO = 0x0081,                              /* echo */
    EZSP_ID_SET_RADIO_POWER = 0x0099,                   /* setRadioPower */
    EZSP_ID_GET_VALUE = 0x00AA,                         /* getValue */
    EZSP_ID_SET_VALUE = 0x00AB,                         /* setValue */
    EZSP_ID_CLEAR_KEY_TABLE = 0x00B1,                   /* clearKeyTable */
    EZSP_ID_SET_LOGICAL_AND_RADIO_CHANNEL = 0x00B9,     /* setLogicalAndRadioChannel */
    EZSP_ID_READ_COUNTERS = 0x00F1,                     /* readCounters */
    EZSP_ID_SET_EXTENDED_TIMEOUT = 0x007E,              /* setExtendedTimeout */
    EZSP_ID_GET_RANDOM_NUMBER = 0x0049,                 /* getRandomNumber (not served) */
    /* callbacks */
    EZSP_ID_STACK_STATUS_HANDLER = 0x0019,     /* stackStatusHandler */
    EZSP_ID_MESSAGE_SENT_HANDLER = 0x003F,     /* messageSentHandler */
    EZSP_ID_INCOMING_MESSAGE_HANDLER = 0x0045, /* incomingMessageHandler */
};
/* 0x005C-0x005F mean different commands by version: v8-v13 set/get the remote EUI64
 * (0x005C/0x005E) and node id (0x005D/0x005F) one at a time; v14 took 0x005C/0x005E over for
 * set/getAddressTableInfo (both at once, sl_status) and dropped 0x005D/0x005F. Use the name
 * of the version at hand: the two names of one id never overlap in versions. */
#define EZSP_V_SET_ADDRESS_TABLE_INFO           14, 255
#define EZSP_V_SET_ADDRESS_TABLE_REMOTE_EUI64   8, 13
#define EZSP_V_SET_ADDRESS_TABLE_REMOTE_NODE_ID 8, 13
#define EZSP_V_GET_ADDRESS_TABLE_INFO           14, 255
#define EZSP_V_GET_ADDRESS_TABLE_REMOTE_EUI64   8, 13
#define EZSP_V_GET_ADDRESS_TABLE_REMOTE_NODE_ID 8, 13

/* EzspConfigId (get/setConfigurationValue), EzspValueId (get/setValue), EzspMfgTokenId
 * (get/setMfgToken): the ones the harness and the emulator both use (bellows' types) */
enum {
    EZSP_CONFIG_ADDRESS_TABLE_SIZE = 0x05,
    EZSP_CONFIG_SECURITY_LEVEL = 0x0D,
    EZSP_CONFIG_KEY_TABLE_SIZE = 0x1E,
};
enum {
    EZSP_VALUE_FREE_BUFFERS = 0x03,
    EZSP_VALUE_STACK_TOKEN_WRITING = 0x07,
    EZSP_VALUE_EXTENDED_SECURITY_BITMASK = 0x0A,
    EZSP_VALUE_NODE_SHORT_ID = 0x0B,
    EZSP_VALUE_VERSION_INFO = 0x11,
    EZSP_VALUE_NWK_FRAME_COUNTER = 0x23,
    EZSP_VALUE_APS_FRAME_COUNTER = 0x24,
    EZSP_VALUE_KEY_STORAGE_VERSION = 0x44,
};
enum { EZSP_EXT_VALUE_ENDPOINT_FLAGS = 0x00 }; /* EzspExtendedValueId */
enum { EZSP_MFG_CUSTOM_EUI_64 = 0x0C };

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
/* ember-types.h: an address- or binding-table entry in use whose node id is not known yet (the
 * stack discovers it) */
#define EMBER_UNKNOWN_NODE_ID       0xFFFDu
#define EMBER_KEY_HAS_PARTNER_EUI64 0x0008
#define EMBER_KEY_IS_AUTHORIZED     0x0010

/* EmberStatus values of the key-table API (≤ v12) */
enum {
    EMBER_KEY_INVALID = 0xB2,
    EMBER_TABLE_ENTRY_ERASED = 0xB6,
};

/* EmberKeyStruct, EmberChildData (14 bytes before v10) and the security-manager context (17
 * bytes in v12) are layouts in ezsp_schema.h, one per version, over one struct each. */

#endif
