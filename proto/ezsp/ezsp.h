/* ezsp.h - EZSP (EmberZNet Serial Protocol) frame header and the structures that travel in
 * its parameters (ezsp-ash.md §2-§5), shared by the emulated NCP and the harness's host.
 *
 * The structures and every command's parameters are layouts (ezsp_schema.h) that the one codec
 * of schema.h reads and writes: the wire is little endian with no padding, and EUI64s/extended
 * PAN IDs are 8 raw bytes in wire order (LSB first), kept as bytes so nobody reverses them by
 * accident. */
#ifndef ZB_EZSP_H
#define ZB_EZSP_H

#include "bytes.h"
#include "ezsp_schema.h"

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

/* ---- structures (§3): declared as layouts in ezsp_schema.h, with the commands ---- */

/* Channel mask <-> list helpers (bit n = channel n). */
uint32_t ezsp_channel_mask(const uint8_t *channels, size_t n);

#endif
