/* znp_layout.h - byte layouts of the Z-Stack NV structures (zstack-mt.md §4.5), NV item naming in
 * zigpy-znp's NVRAM JSON format (§4.9) and the TC link key seed hashing (§6.2).
 *
 * The same C struct lands in flash differently on the 8051 (CC2530/CC2531: packed) and on ARM
 * (CC2538, CC26x2: natural alignment), and both hosts read and rewrite these items byte for byte.
 * Every codec takes `aligned` (false = packed, true = ARM) where the two differ and reproduces the
 * real devices' padding bytes, so that decode -> encode gives back the stick's own bytes. Used by
 * the emulator (its NV content) and by the harness (what it reads from real sticks). */
#ifndef ZB_ZNP_LAYOUT_H
#define ZB_ZNP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ sizes that never vary */

#define ZNP_KEY_DESC_SIZE     17 /* NwkKeyDesc */
#define ZNP_SEC_MATERIAL_SIZE 12 /* NwkSecMaterialDesc */
#define ZNP_APS_KEY_DATA_SIZE 24 /* APS key data row */
#define ZNP_TCLINK_KEY_SIZE   32 /* TCLinkKey (Z-Stack 1.2 id 0x0101) */

/* ------------------------------------------------------------------ NwkKeyDesc (§4.5.2) */

/* NWK_ACTIVE_KEY_INFO / NWK_ALTERN_KEY_INFO and the NIB spares: 17 bytes on every chip. */
typedef struct znp_key_desc {
    uint8_t seq;
    uint8_t key[16]; /* as used on air */
} znp_key_desc;

int znp_key_desc_decode(const uint8_t *p, size_t n, znp_key_desc *out); /* -1 if n != 17 */
void znp_key_desc_encode(const znp_key_desc *d, uint8_t *out);

/* ------------------------------------------------------------------ NIB (§4.5.1) */

/* Every field of nwkIB_t. Multi-byte addresses (coord ext address, EPID) are in NV (LE) order.
 * `align_pad` holds the raw bytes the ARM layout inserts (offsets 15, 21, 25, 39, 109, 115) so that
 * a decoded NIB re-encodes to the same bytes; they are 0 on real sticks and unused when packed. */
typedef struct znp_nib {
    uint8_t sequence_num;
    uint8_t passive_ack_timeout;
    uint8_t max_broadcast_retries;
    uint8_t max_children;
    uint8_t max_depth;
    uint8_t max_routers;
    uint8_t dummy_neighbor_table;
    uint8_t broadcast_delivery_time;
    uint8_t report_constant_cost;
    uint8_t route_disc_retries;
    uint8_t dummy_routing_table;
    uint8_t secure_all_frames;
    uint8_t security_level;
    uint8_t sym_link;
    uint8_t capability_flags;
    uint16_t transaction_persistence_time;
    uint8_t nwk_protocol_version;
    uint8_t route_discovery_time;
    uint8_t route_expiry_time;
    uint16_t nwk_dev_address;
    uint8_t nwk_logical_channel;
    uint16_t nwk_coord_address;
    uint8_t nwk_coord_ext_address[8];
    uint16_t nwk_pan_id;
    uint8_t nwk_state; /* NIB enum: 0 NWK_INIT .. 8 NWK_ROUTER (a running coordinator) */
    uint32_t channel_list;
    uint8_t beacon_order;
    uint8_t super_frame_order;
    uint8_t scan_duration;
    uint8_t batt_life_ext;
    uint32_t allocated_router_addresses;
    uint32_t allocated_end_device_addresses;
    uint8_t node_depth;
    uint8_t extended_pan_id[8];
    uint8_t nwk_key_loaded;
    znp_key_desc spare1;
    znp_key_desc spare2;
    uint8_t spare3;
    uint8_t spare4;
    uint8_t nwk_link_status_period;
    uint8_t nwk_router_age_limit;
    uint8_t nwk_use_multicast;
    uint8_t nwk_is_concentrator;
    uint8_t nwk_concentrator_discovery_time;
    uint8_t nwk_concentrator_radius;
    uint8_t nwk_all_fresh;
    uint16_t nwk_manager_addr;
    uint16_t nwk_total_transmissions;
    uint8_t nwk_update_id;
    uint8_t align_pad[6];
} znp_nib;

size_t znp_nib_size(bool aligned); /* 110 packed, 116 aligned */
int znp_nib_decode(const uint8_t *p, size_t n, bool aligned, znp_nib *out); /* -1: wrong n */
void znp_nib_encode(const znp_nib *nib, bool aligned, uint8_t *out);
/* A not-yet-formed stack's NIB (zigpy-znp's mock defaults, §4.5.1): security level 5,
 * dev/coord address 0xFFFE, PAN 0xFFFF, channel 0, state NWK_INIT, key not loaded. */
void znp_nib_defaults(znp_nib *nib);

/* ------------------------------------------------------------------ NWKKEY 0x0082 (§4.5.3) */

/* NwkActiveKeyItems: 21 packed / 24 aligned. `pad` = the raw bytes 17..19 of the aligned layout
 * (the CC2652R formed dump has FF FF FF there, the other aligned dumps 00 00 00). */
typedef struct znp_nwkkey {
    uint8_t seq;
    uint8_t key[16];
    uint8_t pad[3];
    uint32_t frame_counter;
} znp_nwkkey;

size_t znp_nwkkey_size(bool aligned);
int znp_nwkkey_decode(const uint8_t *p, size_t n, bool aligned, znp_nwkkey *out);
void znp_nwkkey_encode(const znp_nwkkey *k, bool aligned, uint8_t *out);

/* ------------------------------------------------------------------ TCLK row (§4.5.4) */

/* TCLKDevEntry, legacy ids 0x0111.. (3.0.x) or ext table 4 (3.x.0): 19 packed / 20 aligned. The
 * aligned pad byte (19) is written as 0x00, as on every real dump. */
typedef struct znp_tclk_row {
    uint32_t tx_counter;
    uint32_t rx_counter;
    uint8_t ext_addr[8]; /* LE; all zero = empty row */
    uint8_t key_attributes;
    uint8_t key_type;
    uint8_t seed_shift; /* SeedShift_IcIndex */
} znp_tclk_row;

size_t znp_tclk_row_size(bool aligned);
int znp_tclk_row_decode(const uint8_t *p, size_t n, bool aligned, znp_tclk_row *out);
void znp_tclk_row_encode(const znp_tclk_row *r, bool aligned, uint8_t *out);

/* ------------------------------------------------------------------ sec material, APS key data */

/* NwkSecMaterialDesc (§4.5.5), 12 bytes on every chip. EPID FF x8 = the global entry. */
typedef struct znp_sec_material {
    uint32_t frame_counter;
    uint8_t extended_pan_id[8]; /* LE */
} znp_sec_material;

int znp_sec_material_decode(const uint8_t *p, size_t n, znp_sec_material *out); /* -1: n != 12 */
void znp_sec_material_encode(const znp_sec_material *m, uint8_t *out);

/* APS key data row (§4.5.5), 24 bytes on every chip. */
typedef struct znp_aps_key_data {
    uint8_t key[16];
    uint32_t tx_counter;
    uint32_t rx_counter;
} znp_aps_key_data;

int znp_aps_key_data_decode(const uint8_t *p, size_t n, znp_aps_key_data *out); /* -1: n != 24 */
void znp_aps_key_data_encode(const znp_aps_key_data *k, uint8_t *out);

/* ------------------------------------------------------------------ address manager (§4.5.6) */

/* One entry: 11 packed / 12 aligned (legacy item 0x0023 is n entries back to back; 3.x.0 keeps
 * one per ext row). The aligned pad byte (1) is written as 0xFF, as on every real dump. */
typedef struct znp_addrmgr_entry {
    uint8_t type; /* bits: 0x01 assoc, 0x02 security, 0x04 binding, 0x08 private1 */
    uint16_t nwk_addr;
    uint8_t ext_addr[8]; /* LE */
} znp_addrmgr_entry;

size_t znp_addrmgr_entry_size(bool aligned);
int znp_addrmgr_entry_decode(const uint8_t *p, size_t n, bool aligned, znp_addrmgr_entry *out);
void znp_addrmgr_entry_encode(const znp_addrmgr_entry *e, bool aligned, uint8_t *out);

/* ------------------------------------------------------------------ APS_LINK_KEY_TABLE (§4.5.7) */

typedef struct znp_aps_link_key_row {
    uint16_t addr_mgr_index;
    uint16_t link_key_nv_id; /* APS key data row (3.x.0) or OSAL id 0x0201 + row (3.0.x) */
    uint8_t auth_state;      /* 1 = AuthenticatedCBCK: a link key is present */
} znp_aps_link_key_row;

/* `count u16` + n_rows fixed rows (5 packed / 6 aligned). Decode reads all n_rows rows (used or
 * not) into a malloc'ed array; count may exceed n_rows only in a corrupt item. */
typedef struct znp_aps_link_key_table {
    uint16_t count;
    size_t n_rows;
    znp_aps_link_key_row *rows;
} znp_aps_link_key_table;

size_t znp_aps_link_key_row_size(bool aligned);
/* -1 if n is not 2 + k x row size, or out of memory. Free with znp_aps_link_key_table_free. */
int znp_aps_link_key_table_decode(const uint8_t *p, size_t n, bool aligned,
                                  znp_aps_link_key_table *out);
/* Writes count and the rows in use (min(count, n_rows), as far as `len` holds) into the `len`
 * bytes at `out`, pads as 0xFF; bytes after the used rows are left as they are, so the item keeps
 * its length and its unused rows. */
void znp_aps_link_key_table_encode(const znp_aps_link_key_table *t, bool aligned, uint8_t *out,
                                   size_t len);
void znp_aps_link_key_table_free(znp_aps_link_key_table *t);

/* ------------------------------------------------------------------ TCLinkKey (§4.5.8) */

/* Z-Stack 1.2's global TC link key entry at 0x0101: 32 bytes on every chip. */
typedef struct znp_tclink_key {
    uint8_t ext_addr[8];
    uint8_t key[16];
    uint32_t tx_counter;
    uint32_t rx_counter;
} znp_tclink_key;

int znp_tclink_key_decode(const uint8_t *p, size_t n, znp_tclink_key *out); /* -1: n != 32 */
void znp_tclink_key_encode(const znp_tclink_key *k, uint8_t *out);

/* ------------------------------------------------------------------ associated_devices_t (§4.5.9)
 */

/* What UTIL_ASSOC_FIND_DEVICE / ASSOC_GET_WITH_ADDRESS return: 28 packed / 36 aligned; zigpy-znp
 * detects the alignment from this length. Padding is written as 0x00. */
typedef struct znp_assoc_device {
    uint16_t short_addr; /* 0xFFFE = empty slot */
    uint16_t addr_idx;
    uint8_t node_relation; /* 0 parent .. 5 neighbor, 0xFF unused */
    uint8_t dev_status;
    uint8_t assoc_cnt;
    uint8_t age;
    uint8_t tx_counter;
    uint8_t tx_cost;
    uint8_t rx_lqi;
    uint8_t in_key_seq_num;
    uint32_t in_frm_cntr;
    uint16_t tx_failure;
    uint8_t end_dev_cfg;
    uint32_t device_timeout;
    uint32_t timeout_counter;
    uint8_t keepalive_rcv;
    uint8_t ctrl; /* aligned only (3.x.0 member inside the padding) */
} znp_assoc_device;

size_t znp_assoc_size(bool aligned);
int znp_assoc_decode(const uint8_t *p, size_t n, bool aligned, znp_assoc_device *out);
void znp_assoc_encode(const znp_assoc_device *d, bool aligned, uint8_t *out);

/* ------------------------------------------------------------------ hashed TC link keys (§6.2) */

/* key[i] = seed[(i + shift) mod 16] XOR ieee_le[i mod 8]; shift is taken mod 16. */
void znp_tclk_derive(const uint8_t seed[16], const uint8_t ieee_le[8], int shift,
                     uint8_t key_out[16]);
/* The shift 0..15 under which `key` derives from `seed` for this IEEE, or -1. */
int znp_tclk_find_shift(const uint8_t seed[16], const uint8_t ieee_le[8], const uint8_t key[16]);

/* ------------------------------------------------------------------ NV item names (§4.9) */

/* Extended NV item ids (sysId 1). */
enum znp_ex_item {
    ZNP_EX_LEGACY = 0x0000,
    ZNP_EX_ADDRMGR = 0x0001,
    ZNP_EX_BINDING_TABLE = 0x0002,
    ZNP_EX_DEVICE_LIST = 0x0003,
    ZNP_EX_TCLK_TABLE = 0x0004,
    ZNP_EX_TCLK_IC_TABLE = 0x0005,
    ZNP_EX_APS_KEY_DATA_TABLE = 0x0006,
    ZNP_EX_NWK_SEC_MATERIAL_TABLE = 0x0007,
};

/* OSAL NV ids the emulator and the host driver both use (zstack-mt.md §4.3); table ranges
 * are named by their first id. */
enum znp_osal_id {
    ZNP_NV_EXTADDR = 0x0001,
    ZNP_NV_STARTUP_OPTION = 0x0003,
    ZNP_NV_NIB = 0x0021,
    ZNP_NV_ADDRMGR = 0x0023,
    ZNP_NV_EXTENDED_PAN_ID = 0x002D,
    ZNP_NV_NWK_ACTIVE_KEY_INFO = 0x003A,
    ZNP_NV_NWK_ALTERN_KEY_INFO = 0x003B,
    ZNP_NV_APS_USE_EXT_PANID = 0x0047,
    ZNP_NV_APS_LINK_KEY_TABLE = 0x004C,
    ZNP_NV_BDBNODEISONANETWORK = 0x0055,
    ZNP_NV_HAS_CONFIGURED_ZSTACK3 = 0x0060,
    ZNP_NV_PRECFGKEY = 0x0062,
    ZNP_NV_PRECFGKEYS_ENABLE = 0x0063,
    ZNP_NV_LEGACY_SEC_MATERIAL = 0x0075,
    ZNP_NV_NWKKEY = 0x0082,
    ZNP_NV_PANID = 0x0083,
    ZNP_NV_CHANLIST = 0x0084,
    ZNP_NV_TCLK_SEED = 0x0101,
    ZNP_NV_LEGACY_TCLK = 0x0111,
    ZNP_NV_LEGACY_APS_KEY = 0x0201,
    ZNP_NV_HAS_CONFIGURED_ZSTACK1 = 0x0F00,
};

/* A "LEGACY" key -> OSAL id: a zigpy-znp (v0.12.1 OsalNvIds) name, "<TABLE>_START+n" for the
 * legacy table ranges, or "0x" + 1..4 hex digits. 0, or -1 if unknown/malformed. */
int znp_nv_id_from_name(const char *name, uint16_t *id);
/* The key zigpy-znp's nvram_read writes for `id`: "<TABLE>_START+n" inside a table range, the
 * plain name, else "0x%04X". Writes into buf (truncated to cap) and returns buf. */
const char *znp_nv_id_name(uint16_t id, char *buf, size_t cap);
/* Ext section names ADDRMGR (1) .. NWK_SEC_MATERIAL_TABLE (7); "LEGACY" is not a table: -1. */
int znp_ext_table_from_name(const char *name, uint16_t *item_id);
const char *znp_ext_table_name(uint16_t item_id); /* NULL if not a table id */

/* The bytes of an item that belong to the unit, not to the firmware (its IEEE, a seed drawn at
 * random), as the trace replay declares them (proto/mt/mt_schema.h mt_unit_in_answer). */
typedef struct znp_nv_unit {
    const char *item, *field; /* "NWKKEY", "padding" */
    uint16_t off, len;        /* in the item's bytes */
    uint16_t item_size;       /* only an item of this length (a layout's padding); 0: any */
    const char *why;
} znp_nv_unit;
/* An OSAL item's (id) or an ext table row's (item_id) unit part: 1 and `out`, or 0. */
int znp_nv_unit_of(uint16_t id, znp_nv_unit *out);
int znp_ext_unit_of(uint16_t item_id, znp_nv_unit *out);

#endif
