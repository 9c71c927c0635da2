/* zboss.h - DSR ZBOSS NCP serial protocol codec, shared by the emulated NCP and the harness's
 * host driver (zboss-ncp.md §2, §3, §8.4).
 *
 * Two layers. LL: `DE AD | LEN u16 | TYPE | FLAGS | HCRC8 | [BCRC16 | DATA]`, ACK packets without
 * a body, packet numbers in FLAGS, HL messages over 247 bytes split into fragments. HL: the
 * request/response/indication header with call id, TSN and the two-byte status. Dataset layouts
 * (IB counters, address map, neighbour table, APS keys) are explicit encode/decode functions so
 * that both sides agree byte for byte with what zigpy-zboss reads and writes. */
#ifndef ZB_ZBOSS_H
#define ZB_ZBOSS_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- LL (§2) */

#define ZBOSS_SIG0        0xDE
#define ZBOSS_SIG1        0xAD
#define ZBOSS_LL_TYPE_HL  0x06 /* ZBOSS NCP API HL: the only type in use */
#define ZBOSS_LL_HDR      7    /* signature, LEN, TYPE, FLAGS, HCRC */
#define ZBOSS_LL_MAX_BODY 247
#define ZBOSS_LL_MAX_PKT  (ZBOSS_LL_HDR + 2 + ZBOSS_LL_MAX_BODY) /* 256 */
#define ZBOSS_LL_LEN_MIN  5
#define ZBOSS_LL_LEN_MAX  254

enum zboss_ll_flag {
    ZBOSS_FLAG_ACK = 0x01,
    ZBOSS_FLAG_RETRANSMIT = 0x02, /* on an ACK: NACK, resend */
    ZBOSS_FLAG_FIRST = 0x40,
    ZBOSS_FLAG_LAST = 0x80,
};

static inline uint8_t zboss_flags_pkt(uint8_t flags)
{
    return (uint8_t)((flags >> 2) & 3u);
}
static inline uint8_t zboss_flags_ack_num(uint8_t flags)
{
    return (uint8_t)((flags >> 4) & 3u);
}
static inline uint8_t zboss_data_flags(uint8_t pkt, int first, int last)
{
    return (uint8_t)(((pkt & 3u) << 2) | (first ? ZBOSS_FLAG_FIRST : 0) |
                     (last ? ZBOSS_FLAG_LAST : 0));
}

/* CRC-8 (poly 0x4D reflected, init 0xFF, xorout 0xFF) over LEN, TYPE, FLAGS. */
uint8_t zboss_ll_crc8(const uint8_t *p, size_t n);
/* CRC-16/KERMIT over the DATA of one packet. */
uint16_t zboss_ll_crc16(const uint8_t *p, size_t n);

/* Writes one data packet (1..247 body bytes). Returns the packet size or 0 on bad input. */
size_t zboss_ll_encode(uint8_t flags, const uint8_t *body, size_t n, uint8_t *out, size_t cap);
/* Writes an ACK (or a NACK) for packet number `pkt`: 7 bytes. */
size_t zboss_ll_encode_ack(uint8_t pkt, int nack, uint8_t *out, size_t cap);

typedef struct zboss_ll_packet {
    uint8_t type, flags;
    size_t len; /* body bytes (0 for an ACK) */
    uint8_t body[ZBOSS_LL_MAX_BODY];
} zboss_ll_packet;

enum zboss_ll_event {
    ZBOSS_LL_PACKET = 0,   /* a valid packet (data or ACK) */
    ZBOSS_LL_BAD_BODY = 1, /* header valid, body CRC wrong: the NCP answers with a NACK */
};

typedef void (*zboss_ll_cb)(void *ctx, int event, const zboss_ll_packet *p);

/* Incremental LL parser. A bad signature, LEN out of 5..254 or a bad header CRC drops one byte
 * and rescans (the NCP's byte-by-byte resynchronisation). */
typedef struct zboss_ll_parser {
    uint8_t buf[ZBOSS_LL_MAX_PKT];
    size_t n;
    uint32_t packets, bad_hcrc, bad_bcrc, garbage_bytes;
} zboss_ll_parser;

void zboss_ll_parser_init(zboss_ll_parser *p);
void zboss_ll_parser_feed(zboss_ll_parser *p, const uint8_t *b, size_t n, zboss_ll_cb cb,
                          void *ctx);

/* Fragmentation (§2.6): a message of `len` bytes goes out as zboss_frag_count() packets; the
 * first carries len mod 247 bytes (247 when an exact multiple), the others 247. */
size_t zboss_frag_count(size_t len);
/* Offset and size of fragment i; returns its ZBOSS_FLAG_FIRST/LAST bits. */
uint8_t zboss_frag_span(size_t len, size_t i, size_t *off, size_t *n);

/* Receiver side: concatenates fragments. */
typedef struct zboss_reasm {
    uint8_t *buf;
    size_t len, cap, max; /* max: refuse messages larger than this */
    int active;
} zboss_reasm;

void zboss_reasm_init(zboss_reasm *r, size_t max);
void zboss_reasm_free(zboss_reasm *r);
/* Adds one data packet. Returns 1 when a whole message is in r->buf[0..len), 0 when more
 * fragments are needed, -1 when the fragment is out of order or too large (dropped). */
int zboss_reasm_add(zboss_reasm *r, uint8_t flags, const uint8_t *body, size_t n);

/* ---------------------------------------------------------------- HL (§3) */

enum zboss_hl_type { ZBOSS_HL_REQUEST = 0, ZBOSS_HL_RESPONSE = 1, ZBOSS_HL_INDICATION = 2 };

#define ZBOSS_HL_REQ_HDR 5
#define ZBOSS_HL_RSP_HDR 7
#define ZBOSS_HL_IND_HDR 4

typedef struct zboss_hl {
    uint8_t version;
    uint8_t type; /* zboss_hl_type (low 2 bits of the control byte) */
    uint16_t call_id;
    uint8_t tsn;                     /* requests and responses */
    uint8_t status_cat, status_code; /* responses */
    const uint8_t *params;           /* points into the decoded buffer */
    size_t params_len;
} zboss_hl;

/* Decodes a whole HL message. Returns 0, or -1 when shorter than its header. */
int zboss_hl_decode(const uint8_t *p, size_t n, zboss_hl *out);
/* Encodes header + params (h->params/params_len). Returns the size or 0 if cap is too small. */
size_t zboss_hl_encode(const zboss_hl *h, uint8_t *out, size_t cap);

/* Status categories and the generic codes used here (§3.1). */
enum {
    ZBOSS_CAT_GENERIC = 0,
    ZBOSS_CAT_MAC = 2,
    ZBOSS_CAT_NWK = 3,
    ZBOSS_CAT_APS = 4,
    ZBOSS_CAT_ZDO = 5
};
enum {
    ZBOSS_OK = 0,
    ZBOSS_ERROR = 1,
    ZBOSS_INVALID_PARAMETER_1 = 10,
    ZBOSS_INVALID_PARAMETER_2 = 11,
    ZBOSS_INVALID_PARAMETER = 23,
    ZBOSS_OPERATION_FAILED = 24,
    ZBOSS_NOT_FOUND = 28,
    ZBOSS_NOT_IMPLEMENTED = 31,
    ZBOSS_INVALID_FORMAT = 42,
    ZBOSS_ILLEGAL_REQUEST = 62,
};

/* Call ids (§4) used by zigpy-zboss, herdsman and the harness. */
enum zboss_call {
    ZBOSS_GET_MODULE_VERSION = 0x0001,
    ZBOSS_NCP_RESET = 0x0002,
    ZBOSS_GET_ZIGBEE_ROLE = 0x0004,
    ZBOSS_SET_ZIGBEE_ROLE = 0x0005,
    ZBOSS_GET_ZIGBEE_CHANNEL_MASK = 0x0006,
    ZBOSS_SET_ZIGBEE_CHANNEL_MASK = 0x0007,
    ZBOSS_GET_ZIGBEE_CHANNEL = 0x0008,
    ZBOSS_GET_PAN_ID = 0x0009,
    ZBOSS_SET_PAN_ID = 0x000A,
    ZBOSS_GET_LOCAL_IEEE_ADDR = 0x000B,
    ZBOSS_SET_LOCAL_IEEE_ADDR = 0x000C,
    ZBOSS_GET_TX_POWER = 0x0010,
    ZBOSS_SET_TX_POWER = 0x0011,
    ZBOSS_GET_RX_ON_WHEN_IDLE = 0x0012,
    ZBOSS_SET_RX_ON_WHEN_IDLE = 0x0013,
    ZBOSS_GET_JOINED = 0x0014,
    ZBOSS_GET_AUTHENTICATED = 0x0015,
    ZBOSS_GET_ED_TIMEOUT = 0x0016,
    ZBOSS_SET_ED_TIMEOUT = 0x0017,
    ZBOSS_SET_NWK_KEY = 0x001B,
    ZBOSS_GET_NWK_KEYS = 0x001E,
    ZBOSS_GET_APS_KEY_BY_IEEE = 0x001F,
    ZBOSS_GET_PARENT_ADDRESS = 0x0022,
    ZBOSS_GET_EXTENDED_PAN_ID = 0x0023,
    ZBOSS_GET_COORDINATOR_VERSION = 0x0024,
    ZBOSS_GET_SHORT_ADDRESS = 0x0025,
    ZBOSS_GET_TRUST_CENTER_ADDRESS = 0x0026,
    ZBOSS_NCP_RESET_IND = 0x002B,
    ZBOSS_NVRAM_WRITE = 0x002E,
    ZBOSS_NVRAM_READ = 0x002F,
    ZBOSS_NVRAM_ERASE = 0x0030,
    ZBOSS_NVRAM_CLEAR = 0x0031,
    ZBOSS_SET_TC_POLICY = 0x0032,
    ZBOSS_SET_EXTENDED_PAN_ID = 0x0033,
    ZBOSS_SET_MAX_CHILDREN = 0x0034,
    ZBOSS_GET_MAX_CHILDREN = 0x0035,
    ZBOSS_AF_SET_SIMPLE_DESC = 0x0101,
    ZBOSS_AF_DEL_SIMPLE_DESC = 0x0102,
    ZBOSS_AF_SET_NODE_DESC = 0x0103,
    ZBOSS_AF_SET_POWER_DESC = 0x0104,
    ZBOSS_ZDO_NWK_ADDR_REQ = 0x0201,
    ZBOSS_ZDO_IEEE_ADDR_REQ = 0x0202,
    ZBOSS_ZDO_POWER_DESC_REQ = 0x0203,
    ZBOSS_ZDO_NODE_DESC_REQ = 0x0204,
    ZBOSS_ZDO_SIMPLE_DESC_REQ = 0x0205,
    ZBOSS_ZDO_ACTIVE_EP_REQ = 0x0206,
    ZBOSS_ZDO_MATCH_DESC_REQ = 0x0207,
    ZBOSS_ZDO_BIND_REQ = 0x0208,
    ZBOSS_ZDO_UNBIND_REQ = 0x0209,
    ZBOSS_ZDO_MGMT_LEAVE_REQ = 0x020A,
    ZBOSS_ZDO_PERMIT_JOINING_REQ = 0x020B,
    ZBOSS_ZDO_DEV_ANNCE_IND = 0x020C,
    ZBOSS_ZDO_MGMT_BIND_REQ = 0x020F,
    ZBOSS_ZDO_MGMT_LQI_REQ = 0x0210,
    ZBOSS_ZDO_MGMT_NWK_UPDATE_REQ = 0x0211,
    ZBOSS_ZDO_DEV_AUTHORIZED_IND = 0x0214,
    ZBOSS_ZDO_DEV_UPDATE_IND = 0x0215,
    ZBOSS_ZDO_SET_NODE_DESC_MANUF_CODE = 0x0216,
    ZBOSS_APSDE_DATA_REQ = 0x0301,
    ZBOSS_APSME_ADD_GROUP = 0x0304,
    ZBOSS_APSDE_DATA_IND = 0x0306,
    ZBOSS_APSME_RM_GROUP = 0x0305,
    ZBOSS_APSME_RM_ALL_GROUPS = 0x0307,
    ZBOSS_APS_GET_GROUP_TABLE = 0x0309,
    ZBOSS_NWK_FORMATION = 0x0401,
    ZBOSS_NWK_PERMIT_JOINING = 0x0404,
    ZBOSS_NWK_GET_IEEE_BY_SHORT = 0x0405,
    ZBOSS_NWK_GET_SHORT_BY_IEEE = 0x0406,
    ZBOSS_NWK_LEAVE_IND = 0x040B,
    ZBOSS_NWK_START_WITHOUT_FORMATION = 0x041D,
};

/* ---------------------------------------------------------------- NVRAM (§8) */

enum zboss_dataset {
    ZBOSS_DS_COMMON_DATA = 1,
    ZBOSS_DS_IB_COUNTERS = 7,
    ZBOSS_DS_ADDR_MAP = 11,
    ZBOSS_DS_NEIGHBOUR_TBL = 12,
    ZBOSS_DS_APS_SECURE_DATA = 14,
};
#define ZBOSS_DS_MAX        31
#define ZBOSS_NVRAM_VERSION 9 /* page format version reported by NVRAM_READ (DSR 3.x) */

/* The version a dataset must be written with (§8.2). */
uint16_t zboss_dataset_version(uint16_t type);

/* NVRAM_READ response params: nvram_version, type, version, len, then the data. */
typedef struct zboss_nvram_read_rsp {
    uint16_t nvram_version, type, version, len;
    const uint8_t *data;
} zboss_nvram_read_rsp;
int zboss_nvram_read_rsp_decode(const uint8_t *p, size_t n, zboss_nvram_read_rsp *out);

/* IB_COUNTERS (7), 8 bytes. */
typedef struct zboss_ib_counters {
    uint32_t nib_outgoing_fc, aib_outgoing_fc;
} zboss_ib_counters;
#define ZBOSS_IB_COUNTERS_SIZE 8
void zboss_ib_counters_encode(const zboss_ib_counters *c, uint8_t out[8]);
/* Accepts the 8-byte layout and the old 4-byte one (NWK counter only). */
int zboss_ib_counters_decode(const uint8_t *p, size_t n, zboss_ib_counters *out);

/* ADDR_MAP (11): header count, version 2, 2 pad; 16-byte records. */
typedef struct zboss_addr_map_entry {
    uint64_t ieee;
    uint16_t nwk;
    uint8_t index, redirect_type, redirect_ref;
} zboss_addr_map_entry;
#define ZBOSS_ADDR_MAP_HDR    4
#define ZBOSS_ADDR_MAP_REC    16
#define ZBOSS_ADDR_MAP_FORMAT 2
/* Returns the size written (4 + 16n) or 0 when cap is too small / n > 255. */
size_t zboss_addr_map_encode(const zboss_addr_map_entry *e, size_t n, uint8_t *out, size_t cap);
/* Decodes up to `max` records; returns the count or -1 when the length is not 4 + 16k. */
long zboss_addr_map_decode(const uint8_t *p, size_t n, zboss_addr_map_entry *out, size_t max);

/* NEIGHBOUR_TBL (12): header count, version, 2 pad; 8-byte records. */
enum { ZBOSS_REL_PARENT = 0, ZBOSS_REL_CHILD = 1, ZBOSS_REL_SIBLING = 2, ZBOSS_REL_NONE = 3 };
enum { ZBOSS_DEV_ZC = 0, ZBOSS_DEV_ZR = 1, ZBOSS_DEV_ZED = 2 };
typedef struct zboss_neighbour {
    uint8_t addr_ref; /* index into the address map */
    uint8_t depth, rx_on, relationship;
    uint8_t device_type, ed_timeout;
    uint8_t key_seq, mac_if_idx;
} zboss_neighbour;
#define ZBOSS_NBT_HDR    4
#define ZBOSS_NBT_REC    8
#define ZBOSS_NBT_FORMAT 3
size_t zboss_neighbour_encode(const zboss_neighbour *e, size_t n, uint8_t *out, size_t cap);
long zboss_neighbour_decode(const uint8_t *p, size_t n, zboss_neighbour *out, size_t max);

/* APS_SECURE_DATA (14): header coordinator_version + 3 pad; 28-byte records. */
typedef struct zboss_aps_key {
    uint64_t ieee;
    uint8_t key[16];
    uint8_t flags; /* bit0 global, bit1 CBKE source, bits2-3 attributes (2 = verified) */
} zboss_aps_key;
#define ZBOSS_APS_KEYS_HDR            4
#define ZBOSS_APS_KEYS_REC            28
#define ZBOSS_APS_KEY_UNIQUE_VERIFIED 0x08
#define ZBOSS_APS_KEY_GLOBAL_VERIFIED 0x09
size_t zboss_aps_keys_encode(uint8_t coordinator_version, const zboss_aps_key *k, size_t n,
                             uint8_t *out, size_t cap);
long zboss_aps_keys_decode(const uint8_t *p, size_t n, zboss_aps_key *out, size_t max);

#endif
