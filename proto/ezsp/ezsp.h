/* ezsp.h - EZSP (EmberZNet Serial Protocol) frame header and the structures that travel in
 * its parameters (ezsp-ash.md §2-§5), shared by the emulated NCP and the harness's host.
 *
 * Every structure has an explicit encoder and decoder over the bounded zb_buf/zb_rd helpers:
 * the wire is little endian with no padding, and EUI64s/extended PAN IDs are 8 raw bytes in
 * wire order (LSB first), kept as bytes here so nobody reverses them by accident. */
#ifndef ZB_EZSP_H
#define ZB_EZSP_H

#include "bytes.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* frame control */
#define EZSP_FC_RESPONSE 0x80
#define EZSP_FC_CALLBACK 0x10
#define EZSP_FC_HI       0x01 /* frame format version 1, no security, no padding */
#define EZSP_FC_HI_RESVD 0x3C
#define EZSP_MAX_FRAME   220
#define EZSP_EXT_HEADER  5
#define EZSP_LEGACY_HDR  3
#define EZSP_ID_VERSION  0x0000
#define EZSP_ID_INVALID  0x0058

typedef struct ezsp_header {
    uint8_t seq;
    uint8_t fc_lo;
    uint8_t fc_hi; /* extended only */
    uint16_t frame_id;
    bool legacy; /* seq | FC | id(1): only for the first `version` */
} ezsp_header;

/* Decodes the header; returns the offset of the parameters, or -1 if the frame is too short
 * or its FC_hi has reserved bits / an unknown format version. A 4-byte frame whose third byte
 * is 0x00 is the legacy `version` command (§2.1). */
int ezsp_header_decode(const uint8_t *p, size_t n, ezsp_header *h);
/* Writes the header; returns its length (3 legacy, 5 extended). */
size_t ezsp_header_encode(const ezsp_header *h, uint8_t *out);

/* ---- statuses (§4.1) ---- */
enum {
    EZSP_SUCCESS = 0x00,
    EZSP_ERROR_VERSION_NOT_SET = 0x30,
    EZSP_ERROR_INVALID_FRAME_ID = 0x31,
    EZSP_ERROR_INVALID_VALUE = 0x36,
    EZSP_ERROR_INVALID_ID = 0x37,
    EZSP_ERROR_INVALID_CALL = 0x38,
};
enum {
    EMBER_SUCCESS = 0x00,
    EMBER_ERR_FATAL = 0x01,
    EMBER_BAD_ARGUMENT = 0x02,
    EMBER_NOT_FOUND = 0x03,
    EMBER_INVALID_CALL = 0x70,
    EMBER_NETWORK_UP = 0x90,
    EMBER_NETWORK_DOWN = 0x91,
    EMBER_NOT_JOINED = 0x93,
    EMBER_NETWORK_OPENED = 0x9C,
    EMBER_NETWORK_CLOSED = 0x9D,
    EMBER_INVALID_ENDPOINT = 0xA3,
    EMBER_SECURITY_STATE_NOT_SET = 0xA8,
    EMBER_INDEX_OUT_OF_RANGE = 0xB1,
    EMBER_TABLE_FULL = 0xB4,
};
enum {
    SL_OK = 0x0000,
    SL_FAIL = 0x0001,
    SL_INVALID_STATE = 0x0002,
    SL_NETWORK_UP = 0x0015,
    SL_NETWORK_DOWN = 0x0016,
    SL_NOT_JOINED = 0x0017,
    SL_INVALID_PARAMETER = 0x0021,
    SL_INVALID_INDEX = 0x0027,
    SL_NOT_FOUND = 0x002D,
    SL_ZIGBEE_SECURITY_STATE_NOT_SET = 0x0C0B,
    SL_ZIGBEE_NETWORK_OPENED = 0x0C18,
    SL_ZIGBEE_NETWORK_CLOSED = 0x0C19,
    SL_ZIGBEE_EZSP_ERROR = 0x0C1E,
};

/* sl_zb_sec_man_key_type_t values both hosts agree on (§4.3) */
enum { SECMAN_KEY_NETWORK = 1, SECMAN_KEY_TC_LINK = 2, SECMAN_KEY_APP_LINK = 4 };
#define SECMAN_FLAG_KEY_INDEX_VALID 0x01
#define SECMAN_FLAG_EUI_VALID       0x02

/* EmberInitialSecurityBitmask bits the NCP acts on */
#define EMBER_HAVE_TRUST_CENTER_EUI64 0x0040
#define EMBER_TC_USES_HASHED_LINK_KEY 0x0084
#define EMBER_NO_FRAME_COUNTER_RESET  0x1000

/* ---- structures (§3) ---- */
typedef struct ezsp_network_params { /* EmberNetworkParameters, 20 bytes */
    uint8_t extended_pan_id[8];
    uint16_t pan_id;
    uint8_t radio_tx_power;
    uint8_t radio_channel;
    uint8_t join_method;
    uint16_t nwk_manager_id;
    uint8_t nwk_update_id;
    uint32_t channels;
} ezsp_network_params;
#define EZSP_NETWORK_PARAMS_SIZE 20

typedef struct ezsp_initial_security { /* EmberInitialSecurityState, 43 bytes */
    uint16_t bitmask;
    uint8_t preconfigured_key[16];
    uint8_t network_key[16];
    uint8_t network_key_seq;
    uint8_t tc_eui64[8];
} ezsp_initial_security;
#define EZSP_INITIAL_SECURITY_SIZE 43

typedef struct ezsp_secman_context { /* sl_zb_sec_man_context_t (v13+), 18 bytes */
    uint8_t core_key_type;
    uint8_t key_index;
    uint16_t derived_type;
    uint8_t eui64[8];
    uint8_t multi_network_index;
    uint8_t flags;
    uint32_t psa_key_alg_permission;
} ezsp_secman_context;
#define EZSP_SECMAN_CONTEXT_SIZE 18

typedef struct ezsp_network_key_info { /* 8 bytes */
    uint8_t network_key_set;
    uint8_t alternate_network_key_set;
    uint8_t network_key_seq;
    uint8_t alt_network_key_seq;
    uint32_t network_key_frame_counter;
} ezsp_network_key_info;
#define EZSP_NETWORK_KEY_INFO_SIZE 8

typedef struct ezsp_aps_key_metadata { /* 12 bytes */
    uint16_t bitmask;
    uint32_t outgoing_frame_counter;
    uint32_t incoming_frame_counter;
    uint16_t ttl_seconds;
} ezsp_aps_key_metadata;
#define EZSP_APS_KEY_METADATA_SIZE 12

typedef struct ezsp_child_data { /* EmberChildData (v10+), 18 bytes */
    uint8_t eui64[8];
    uint8_t type;
    uint16_t id;
    uint8_t phy, power, timeout;
    uint32_t remaining_timeout;
} ezsp_child_data;
#define EZSP_CHILD_DATA_SIZE 18

typedef struct ezsp_aps_frame { /* EmberApsFrame, 11 bytes */
    uint16_t profile_id, cluster_id;
    uint8_t src_ep, dst_ep;
    uint16_t options, group_id;
    uint8_t sequence;
} ezsp_aps_frame;
#define EZSP_APS_FRAME_SIZE 11

typedef struct ezsp_token_info { /* EmberTokenInfo, 8 bytes */
    uint32_t nvm3_key;
    uint8_t is_cnt, is_idx, size, array_size;
} ezsp_token_info;
#define EZSP_TOKEN_INFO_SIZE 8

typedef struct ezsp_version_info { /* EmberVersion (VERSION_INFO value), 7 bytes */
    uint16_t build;
    uint8_t major, minor, patch, special, type;
} ezsp_version_info;
#define EZSP_VERSION_INFO_SIZE 7

typedef struct ezsp_multicast_entry { /* EmberMulticastTableEntry, 4 bytes */
    uint16_t multicast_id;
    uint8_t endpoint, network_index;
} ezsp_multicast_entry;

void ezsp_put_network_params(zb_buf *b, const ezsp_network_params *v);
void ezsp_get_network_params(zb_rd *r, ezsp_network_params *v);
void ezsp_put_initial_security(zb_buf *b, const ezsp_initial_security *v);
void ezsp_get_initial_security(zb_rd *r, ezsp_initial_security *v);
void ezsp_put_secman_context(zb_buf *b, const ezsp_secman_context *v);
void ezsp_get_secman_context(zb_rd *r, ezsp_secman_context *v);
void ezsp_put_network_key_info(zb_buf *b, const ezsp_network_key_info *v);
void ezsp_get_network_key_info(zb_rd *r, ezsp_network_key_info *v);
void ezsp_put_aps_key_metadata(zb_buf *b, const ezsp_aps_key_metadata *v);
void ezsp_get_aps_key_metadata(zb_rd *r, ezsp_aps_key_metadata *v);
void ezsp_put_child_data(zb_buf *b, const ezsp_child_data *v);
void ezsp_get_child_data(zb_rd *r, ezsp_child_data *v);
void ezsp_put_aps_frame(zb_buf *b, const ezsp_aps_frame *v);
void ezsp_get_aps_frame(zb_rd *r, ezsp_aps_frame *v);
void ezsp_put_token_info(zb_buf *b, const ezsp_token_info *v);
void ezsp_get_token_info(zb_rd *r, ezsp_token_info *v);
void ezsp_put_version_info(zb_buf *b, const ezsp_version_info *v);
void ezsp_get_version_info(zb_rd *r, ezsp_version_info *v);
void ezsp_put_multicast_entry(zb_buf *b, const ezsp_multicast_entry *v);
void ezsp_get_multicast_entry(zb_rd *r, ezsp_multicast_entry *v);

/* A status in the width the negotiated version uses (§2.5): u8 up to v13, u32 from v14. */
void ezsp_put_status(zb_buf *b, int version, uint32_t status);
uint32_t ezsp_get_status(zb_rd *r, int version);

/* Channel mask <-> list helpers (bit n = channel n). */
uint32_t ezsp_channel_mask(const uint8_t *channels, size_t n);

#endif
