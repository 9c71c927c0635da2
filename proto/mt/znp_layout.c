/* znp_layout.c - Z-Stack NV struct codecs, NV item names and TCLK seed hashing (see znp_layout.h).
 *
 * Each struct is one table of fields with its packed and its aligned byte offset (zstack-mt.md
 * §4.5), read and written by one generic walker, so a layout is checked against the document
 * line by line instead of being hidden in code. Padding is either kept raw (a struct member) or
 * written as the constant the real dumps show. */
#include "znp_layout.h"

#include "bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ generic field walker */

enum kind { K_U8, K_U16, K_U32, K_BYTES, K_CONST };

#define NO 0xFFFF /* field absent from this layout */

typedef struct field {
    uint8_t kind;
    uint8_t len;     /* K_BYTES: byte count; K_CONST: the byte written */
    uint16_t off_p;  /* packed offset or NO */
    uint16_t off_a;  /* aligned offset or NO */
    uint16_t member; /* offsetof in the C struct (unused for K_CONST) */
} field;

typedef struct layout {
    const field *f;
    size_t n;
    uint16_t size_p, size_a;
} layout;

/* clang-format off */
#define U8(T, m, p, a)           {K_U8, 1, p, a, offsetof(T, m)}
#define U16(T, m, p, a)          {K_U16, 2, p, a, offsetof(T, m)}
#define U32(T, m, p, a)          {K_U32, 4, p, a, offsetof(T, m)}
#define BYTES(T, m, n, p, a)     {K_BYTES, n, p, a, offsetof(T, m)}
#define CONST(v, p, a)           {K_CONST, v, p, a, 0}
#define LAYOUT(t, size_p, size_a) {t, sizeof(t) / sizeof(t[0]), size_p, size_a}
/* clang-format on */

static size_t lay_size(const layout *l, bool aligned)
{
    return aligned ? l->size_a : l->size_p;
}

static void get_field(const field *f, const uint8_t *src, uint8_t *obj)
{
    uint8_t *m = obj + f->member;
    switch (f->kind) {
    case K_U8: *m = *src; break;
    case K_U16: *(uint16_t *)(void *)m = get_le16(src); break;
    case K_U32: *(uint32_t *)(void *)m = get_le32(src); break;
    case K_BYTES: memcpy(m, src, f->len); break;
    default: break; /* K_CONST: nothing to keep */
    }
}

static void put_field(const field *f, const uint8_t *obj, uint8_t *dst)
{
    const uint8_t *m = obj + f->member;
    switch (f->kind) {
    case K_U8: *dst = *m; break;
    case K_U16: put_le16(dst, *(const uint16_t *)(const void *)m); break;
    case K_U32: put_le32(dst, *(const uint32_t *)(const void *)m); break;
    case K_BYTES: memcpy(dst, m, f->len); break;
    default: *dst = f->len; break;
    }
}

static int lay_decode(const layout *l, bool aligned, const uint8_t *p, size_t n, void *obj)
{
    if (n != lay_size(l, aligned)) return -1;
    for (size_t i = 0; i < l->n; i++) {
        uint16_t off = aligned ? l->f[i].off_a : l->f[i].off_p;
        if (off != NO) get_field(&l->f[i], p + off, obj);
    }
    return 0;
}

static void lay_encode(const layout *l, bool aligned, const void *obj, uint8_t *out)
{
    for (size_t i = 0; i < l->n; i++) {
        uint16_t off = aligned ? l->f[i].off_a : l->f[i].off_p;
        if (off != NO) put_field(&l->f[i], obj, out + off);
    }
}

/* ------------------------------------------------------------------ NwkKeyDesc */

static const field KEY_DESC_F[] = {
    U8(znp_key_desc, seq, 0, 0),
    BYTES(znp_key_desc, key, 16, 1, 1),
};
static const layout KEY_DESC = LAYOUT(KEY_DESC_F, ZNP_KEY_DESC_SIZE, ZNP_KEY_DESC_SIZE);

int znp_key_desc_decode(const uint8_t *p, size_t n, znp_key_desc *out)
{
    return lay_decode(&KEY_DESC, false, p, n, out);
}

void znp_key_desc_encode(const znp_key_desc *d, uint8_t *out)
{
    lay_encode(&KEY_DESC, false, d, out);
}

/* ------------------------------------------------------------------ NIB */

static const field NIB_F[] = {
    U8(znp_nib, sequence_num, 0, 0),
    U8(znp_nib, passive_ack_timeout, 1, 1),
    U8(znp_nib, max_broadcast_retries, 2, 2),
    U8(znp_nib, max_children, 3, 3),
    U8(znp_nib, max_depth, 4, 4),
    U8(znp_nib, max_routers, 5, 5),
    U8(znp_nib, dummy_neighbor_table, 6, 6),
    U8(znp_nib, broadcast_delivery_time, 7, 7),
    U8(znp_nib, report_constant_cost, 8, 8),
    U8(znp_nib, route_disc_retries, 9, 9),
    U8(znp_nib, dummy_routing_table, 10, 10),
    U8(znp_nib, secure_all_frames, 11, 11),
    U8(znp_nib, security_level, 12, 12),
    U8(znp_nib, sym_link, 13, 13),
    U8(znp_nib, capability_flags, 14, 14),
    U8(znp_nib, align_pad[0], NO, 15),
    U16(znp_nib, transaction_persistence_time, 15, 16),
    U8(znp_nib, nwk_protocol_version, 17, 18),
    U8(znp_nib, route_discovery_time, 18, 19),
    U8(znp_nib, route_expiry_time, 19, 20),
    U8(znp_nib, align_pad[1], NO, 21),
    U16(znp_nib, nwk_dev_address, 20, 22),
    U8(znp_nib, nwk_logical_channel, 22, 24),
    U8(znp_nib, align_pad[2], NO, 25),
    U16(znp_nib, nwk_coord_address, 23, 26),
    BYTES(znp_nib, nwk_coord_ext_address, 8, 25, 28),
    U16(znp_nib, nwk_pan_id, 33, 36),
    U8(znp_nib, nwk_state, 35, 38),
    U8(znp_nib, align_pad[3], NO, 39), /* high byte of the ARM u16 enum */
    U32(znp_nib, channel_list, 36, 40),
    U8(znp_nib, beacon_order, 40, 44),
    U8(znp_nib, super_frame_order, 41, 45),
    U8(znp_nib, scan_duration, 42, 46),
    U8(znp_nib, batt_life_ext, 43, 47),
    U32(znp_nib, allocated_router_addresses, 44, 48),
    U32(znp_nib, allocated_end_device_addresses, 48, 52),
    U8(znp_nib, node_depth, 52, 56),
    BYTES(znp_nib, extended_pan_id, 8, 53, 57),
    U8(znp_nib, nwk_key_loaded, 61, 65),
    U8(znp_nib, spare1.seq, 62, 66),
    BYTES(znp_nib, spare1.key, 16, 63, 67),
    U8(znp_nib, spare2.seq, 79, 83),
    BYTES(znp_nib, spare2.key, 16, 80, 84),
    U8(znp_nib, spare3, 96, 100),
    U8(znp_nib, spare4, 97, 101),
    U8(znp_nib, nwk_link_status_period, 98, 102),
    U8(znp_nib, nwk_router_age_limit, 99, 103),
    U8(znp_nib, nwk_use_multicast, 100, 104),
    U8(znp_nib, nwk_is_concentrator, 101, 105),
    U8(znp_nib, nwk_concentrator_discovery_time, 102, 106),
    U8(znp_nib, nwk_concentrator_radius, 103, 107),
    U8(znp_nib, nwk_all_fresh, 104, 108),
    U8(znp_nib, align_pad[4], NO, 109),
    U16(znp_nib, nwk_manager_addr, 105, 110),
    U16(znp_nib, nwk_total_transmissions, 107, 112),
    U8(znp_nib, nwk_update_id, 109, 114),
    U8(znp_nib, align_pad[5], NO, 115), /* tail padding to a multiple of 4 */
};
static const layout NIB = LAYOUT(NIB_F, 110, 116);

size_t znp_nib_size(bool aligned)
{
    return lay_size(&NIB, aligned);
}

int znp_nib_decode(const uint8_t *p, size_t n, bool aligned, znp_nib *out)
{
    memset(out, 0, sizeof(*out));
    return lay_decode(&NIB, aligned, p, n, out);
}

void znp_nib_encode(const znp_nib *nib, bool aligned, uint8_t *out)
{
    lay_encode(&NIB, aligned, nib, out);
}

void znp_nib_defaults(znp_nib *nib)
{
    memset(nib, 0, sizeof(*nib));
    nib->passive_ack_timeout = 5;
    nib->max_broadcast_retries = 2;
    nib->max_depth = 20;
    nib->broadcast_delivery_time = 30;
    nib->secure_all_frames = 1;
    nib->security_level = 5;
    nib->sym_link = 1;
    nib->capability_flags = 0x8F;
    nib->transaction_persistence_time = 7;
    nib->nwk_protocol_version = 2;
    nib->route_discovery_time = 5;
    nib->route_expiry_time = 30;
    nib->nwk_dev_address = 0xFFFE;
    nib->nwk_coord_address = 0xFFFE;
    nib->nwk_pan_id = 0xFFFF;
    nib->beacon_order = 15;
    nib->super_frame_order = 15;
    nib->nwk_link_status_period = 60;
    nib->nwk_router_age_limit = 3;
    nib->nwk_is_concentrator = 1;
    nib->nwk_concentrator_discovery_time = 120;
    nib->nwk_concentrator_radius = 10;
    nib->nwk_all_fresh = 1;
}

/* ------------------------------------------------------------------ NWKKEY */

/* The doc says the aligned pad is 0xFF on real devices; only the CC2652R formed dump agrees, the
 * CC2538 and CC2652R reset dumps hold 00 00 00 (the dump wins): the pad is kept raw. */
static const field NWKKEY_F[] = {
    U8(znp_nwkkey, seq, 0, 0),
    BYTES(znp_nwkkey, key, 16, 1, 1),
    BYTES(znp_nwkkey, pad, 3, NO, 17),
    U32(znp_nwkkey, frame_counter, 17, 20),
};
static const layout NWKKEY = LAYOUT(NWKKEY_F, 21, 24);

size_t znp_nwkkey_size(bool aligned)
{
    return lay_size(&NWKKEY, aligned);
}

int znp_nwkkey_decode(const uint8_t *p, size_t n, bool aligned, znp_nwkkey *out)
{
    memset(out, 0, sizeof(*out));
    return lay_decode(&NWKKEY, aligned, p, n, out);
}

void znp_nwkkey_encode(const znp_nwkkey *k, bool aligned, uint8_t *out)
{
    lay_encode(&NWKKEY, aligned, k, out);
}

/* ------------------------------------------------------------------ TCLK row */

static const field TCLK_F[] = {
    U32(znp_tclk_row, tx_counter, 0, 0),
    U32(znp_tclk_row, rx_counter, 4, 4),
    BYTES(znp_tclk_row, ext_addr, 8, 8, 8),
    U8(znp_tclk_row, key_attributes, 16, 16),
    U8(znp_tclk_row, key_type, 17, 17),
    U8(znp_tclk_row, seed_shift, 18, 18),
    CONST(0x00, NO, 19),
};
static const layout TCLK = LAYOUT(TCLK_F, 19, 20);

size_t znp_tclk_row_size(bool aligned)
{
    return lay_size(&TCLK, aligned);
}

int znp_tclk_row_decode(const uint8_t *p, size_t n, bool aligned, znp_tclk_row *out)
{
    return lay_decode(&TCLK, aligned, p, n, out);
}

void znp_tclk_row_encode(const znp_tclk_row *r, bool aligned, uint8_t *out)
{
    lay_encode(&TCLK, aligned, r, out);
}

/* ------------------------------------------------------------------ sec material, APS key data */

static const field SEC_MATERIAL_F[] = {
    U32(znp_sec_material, frame_counter, 0, 0),
    BYTES(znp_sec_material, extended_pan_id, 8, 4, 4),
};
static const layout SEC_MATERIAL =
    LAYOUT(SEC_MATERIAL_F, ZNP_SEC_MATERIAL_SIZE, ZNP_SEC_MATERIAL_SIZE);

int znp_sec_material_decode(const uint8_t *p, size_t n, znp_sec_material *out)
{
    return lay_decode(&SEC_MATERIAL, false, p, n, out);
}

void znp_sec_material_encode(const znp_sec_material *m, uint8_t *out)
{
    lay_encode(&SEC_MATERIAL, false, m, out);
}

static const field APS_KEY_DATA_F[] = {
    BYTES(znp_aps_key_data, key, 16, 0, 0),
    U32(znp_aps_key_data, tx_counter, 16, 16),
    U32(znp_aps_key_data, rx_counter, 20, 20),
};
static const layout APS_KEY_DATA =
    LAYOUT(APS_KEY_DATA_F, ZNP_APS_KEY_DATA_SIZE, ZNP_APS_KEY_DATA_SIZE);

int znp_aps_key_data_decode(const uint8_t *p, size_t n, znp_aps_key_data *out)
{
    return lay_decode(&APS_KEY_DATA, false, p, n, out);
}

void znp_aps_key_data_encode(const znp_aps_key_data *k, uint8_t *out)
{
    lay_encode(&APS_KEY_DATA, false, k, out);
}

/* ------------------------------------------------------------------ address manager entry */

static const field ADDRMGR_F[] = {
    U8(znp_addrmgr_entry, type, 0, 0),
    CONST(0xFF, NO, 1),
    U16(znp_addrmgr_entry, nwk_addr, 1, 2),
    BYTES(znp_addrmgr_entry, ext_addr, 8, 3, 4),
};
static const layout ADDRMGR = LAYOUT(ADDRMGR_F, 11, 12);

size_t znp_addrmgr_entry_size(bool aligned)
{
    return lay_size(&ADDRMGR, aligned);
}

int znp_addrmgr_entry_decode(const uint8_t *p, size_t n, bool aligned, znp_addrmgr_entry *out)
{
    return lay_decode(&ADDRMGR, aligned, p, n, out);
}

void znp_addrmgr_entry_encode(const znp_addrmgr_entry *e, bool aligned, uint8_t *out)
{
    lay_encode(&ADDRMGR, aligned, e, out);
}

/* ------------------------------------------------------------------ APS_LINK_KEY_TABLE */

#define ALKT_COUNT_SIZE 2

static const field ALKT_ROW_F[] = {
    U16(znp_aps_link_key_row, addr_mgr_index, 0, 0),
    U16(znp_aps_link_key_row, link_key_nv_id, 2, 2),
    U8(znp_aps_link_key_row, auth_state, 4, 4),
    CONST(0xFF, NO, 5),
};
static const layout ALKT_ROW = LAYOUT(ALKT_ROW_F, 5, 6);

size_t znp_aps_link_key_row_size(bool aligned)
{
    return lay_size(&ALKT_ROW, aligned);
}

int znp_aps_link_key_table_decode(const uint8_t *p, size_t n, bool aligned,
                                  znp_aps_link_key_table *out)
{
    size_t rs = lay_size(&ALKT_ROW, aligned);
    memset(out, 0, sizeof(*out));
    if (n < ALKT_COUNT_SIZE || (n - ALKT_COUNT_SIZE) % rs) return -1;
    out->n_rows = (n - ALKT_COUNT_SIZE) / rs;
    out->rows = calloc(out->n_rows ? out->n_rows : 1, sizeof(*out->rows));
    if (!out->rows) return -1;
    out->count = get_le16(p);
    for (size_t i = 0; i < out->n_rows; i++)
        lay_decode(&ALKT_ROW, aligned, p + ALKT_COUNT_SIZE + i * rs, rs, &out->rows[i]);
    return 0;
}

void znp_aps_link_key_table_encode(const znp_aps_link_key_table *t, bool aligned, uint8_t *out,
                                   size_t len)
{
    size_t rs = lay_size(&ALKT_ROW, aligned);
    if (len < ALKT_COUNT_SIZE) return;
    put_le16(out, t->count);
    for (size_t i = 0; i < t->count && i < t->n_rows; i++) {
        size_t off = ALKT_COUNT_SIZE + i * rs;
        if (off + rs > len) break;
        lay_encode(&ALKT_ROW, aligned, &t->rows[i], out + off);
    }
}

void znp_aps_link_key_table_free(znp_aps_link_key_table *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    t->count = 0;
}

/* ------------------------------------------------------------------ TCLinkKey */

static const field TCLINK_F[] = {
    BYTES(znp_tclink_key, ext_addr, 8, 0, 0),
    BYTES(znp_tclink_key, key, 16, 8, 8),
    U32(znp_tclink_key, tx_counter, 24, 24),
    U32(znp_tclink_key, rx_counter, 28, 28),
};
static const layout TCLINK = LAYOUT(TCLINK_F, ZNP_TCLINK_KEY_SIZE, ZNP_TCLINK_KEY_SIZE);

int znp_tclink_key_decode(const uint8_t *p, size_t n, znp_tclink_key *out)
{
    return lay_decode(&TCLINK, false, p, n, out);
}

void znp_tclink_key_encode(const znp_tclink_key *k, uint8_t *out)
{
    lay_encode(&TCLINK, false, k, out);
}

/* ------------------------------------------------------------------ associated_devices_t */

/* Aligned: linkInfo (u32 inside) starts at 8 and is 12 long, endDev {u8, u32} at 20 is 8 long. */
static const field ASSOC_F[] = {
    U16(znp_assoc_device, short_addr, 0, 0),
    U16(znp_assoc_device, addr_idx, 2, 2),
    U8(znp_assoc_device, node_relation, 4, 4),
    U8(znp_assoc_device, dev_status, 5, 5),
    U8(znp_assoc_device, assoc_cnt, 6, 6),
    U8(znp_assoc_device, age, 7, 7),
    U8(znp_assoc_device, tx_counter, 8, 8),
    U8(znp_assoc_device, tx_cost, 9, 9),
    U8(znp_assoc_device, rx_lqi, 10, 10),
    U8(znp_assoc_device, in_key_seq_num, 11, 11),
    U32(znp_assoc_device, in_frm_cntr, 12, 12),
    U16(znp_assoc_device, tx_failure, 16, 16),
    CONST(0x00, NO, 18),
    CONST(0x00, NO, 19),
    U8(znp_assoc_device, end_dev_cfg, 18, 20),
    CONST(0x00, NO, 21),
    CONST(0x00, NO, 22),
    CONST(0x00, NO, 23),
    U32(znp_assoc_device, device_timeout, 19, 24),
    U32(znp_assoc_device, timeout_counter, 23, 28),
    U8(znp_assoc_device, keepalive_rcv, 27, 32),
    U8(znp_assoc_device, ctrl, NO, 33),
    CONST(0x00, NO, 34),
    CONST(0x00, NO, 35),
};
static const layout ASSOC = LAYOUT(ASSOC_F, 28, 36);

size_t znp_assoc_size(bool aligned)
{
    return lay_size(&ASSOC, aligned);
}

int znp_assoc_decode(const uint8_t *p, size_t n, bool aligned, znp_assoc_device *out)
{
    memset(out, 0, sizeof(*out));
    return lay_decode(&ASSOC, aligned, p, n, out);
}

void znp_assoc_encode(const znp_assoc_device *d, bool aligned, uint8_t *out)
{
    lay_encode(&ASSOC, aligned, d, out);
}

/* ------------------------------------------------------------------ TCLK seed hashing */

void znp_tclk_derive(const uint8_t seed[16], const uint8_t ieee_le[8], int shift,
                     uint8_t key_out[16])
{
    int s = ((shift % 16) + 16) % 16;
    for (int i = 0; i < 16; i++)
        key_out[i] = seed[(i + s) % 16] ^ ieee_le[i % 8];
}

int znp_tclk_find_shift(const uint8_t seed[16], const uint8_t ieee_le[8], const uint8_t key[16])
{
    for (int s = 0; s < 16; s++) {
        uint8_t k[16];
        znp_tclk_derive(seed, ieee_le, s, k);
        if (memcmp(k, key, 16) == 0) return s;
    }
    return -1;
}

/* ------------------------------------------------------------------ NV item names */

/* `unit`: the item's bytes that belong to the unit, not to the firmware (its IEEE, a random
 * seed), named and with the reason, for the trace replay (mt_unit_in_answer); only when the
 * item is `unit_size` bytes long if that is not 0 (padding of one layout) */
typedef struct nv_name {
    uint16_t id;
    const char *name;
    const char *unit;
    uint16_t unit_off, unit_len, unit_size;
    const char *why;
} nv_name;

/* zigpy-znp v0.12.1 OsalNvIds (INVALID_INDEX 0xFFFF left out: nvram_read never reads it). */
static const nv_name NV_NAMES[] = {
    {0x0001, "EXTADDR", "value", 0, 8, 0, "the unit's IEEE address"},
    {0x0002, "BOOTCOUNTER"},
    {0x0003, "STARTUP_OPTION"},
    {0x0004, "START_DELAY"},
    {0x0021, "NIB"},
    {0x0022, "DEVICE_LIST"},
    {0x0023, "ADDRMGR"},
    {0x0024, "POLL_RATE_OLD16"},
    {0x0025, "QUEUED_POLL_RATE"},
    {0x0026, "RESPONSE_POLL_RATE"},
    {0x0027, "REJOIN_POLL_RATE"},
    {0x0028, "DATA_RETRIES"},
    {0x0029, "POLL_FAILURE_RETRIES"},
    {0x002A, "STACK_PROFILE"},
    {0x002B, "INDIRECT_MSG_TIMEOUT"},
    {0x002C, "ROUTE_EXPIRY_TIME"},
    {0x002D, "EXTENDED_PAN_ID", "value", 0, 8, 0,
     "a factory-new stick's own EPID (until the host writes one)"},
    {0x002E, "BCAST_RETRIES"},
    {0x002F, "PASSIVE_ACK_TIMEOUT"},
    {0x0030, "BCAST_DELIVERY_TIME"},
    {0x0031, "NWK_MODE"},
    {0x0032, "CONCENTRATOR_ENABLE"},
    {0x0033, "CONCENTRATOR_DISCOVERY"},
    {0x0034, "CONCENTRATOR_RADIUS"},
    {0x0035, "POLL_RATE"},
    {0x0036, "CONCENTRATOR_RC"},
    {0x0037, "NWK_MGR_MODE"},
    {0x0038, "SRC_RTG_EXPIRY_TIME"},
    {0x0039, "ROUTE_DISCOVERY_TIME"},
    {0x003A, "NWK_ACTIVE_KEY_INFO"},
    {0x003B, "NWK_ALTERN_KEY_INFO"},
    {0x003C, "ROUTER_OFF_ASSOC_CLEANUP"},
    {0x003D, "NWK_LEAVE_REQ_ALLOWED"},
    {0x003E, "NWK_CHILD_AGE_ENABLE"},
    {0x003F, "DEVICE_LIST_KA_TIMEOUT"},
    {0x0041, "BINDING_TABLE"},
    {0x0042, "GROUP_TABLE"},
    {0x0043, "APS_FRAME_RETRIES"},
    {0x0044, "APS_ACK_WAIT_DURATION"},
    {0x0045, "APS_ACK_WAIT_MULTIPLIER"},
    {0x0046, "BINDING_TIME"},
    {0x0047, "APS_USE_EXT_PANID"},
    {0x0048, "APS_USE_INSECURE_JOIN"},
    {0x0049, "COMMISSIONED_NWK_ADDR"},
    {0x004B, "APS_NONMEMBER_RADIUS"},
    {0x004C, "APS_LINK_KEY_TABLE"},
    {0x004D, "APS_DUPREJ_TIMEOUT_INC"},
    {0x004E, "APS_DUPREJ_TIMEOUT_COUNT"},
    {0x004F, "APS_DUPREJ_TABLE_SIZE"},
    {0x0050, "DIAGNOSTIC_STATS"},
    {0x0051, "NWK_PARENT_INFO"},
    {0x0052, "NWK_ENDDEV_TIMEOUT_DEF"},
    {0x0053, "END_DEV_TIMEOUT_VALUE"},
    {0x0054, "END_DEV_CONFIGURATION"},
    {0x0055, "BDBNODEISONANETWORK"},
    {0x0056, "BDBREPORTINGCONFIG"},
    {0x005F, "ZIGPY_ZNP_MIGRATION_ID"},
    {0x0060, "HAS_CONFIGURED_ZSTACK3"},
    {0x0061, "SECURITY_LEVEL"},
    {0x0062, "PRECFGKEY", "value", 0, 16, 0,
     "a factory-new stick's own random key (until the host writes one)"},
    {0x0063, "PRECFGKEYS_ENABLE"},
    {0x0064, "SECURITY_MODE"},
    {0x0065, "SECURE_PERMIT_JOIN"},
    {0x0066, "APS_LINK_KEY_TYPE"},
    {0x0067, "APS_ALLOW_R19_SECURITY"},
    {0x0068, "DISTRIBUTED_KEY"},
    {0x0069, "IMPLICIT_CERTIFICATE"},
    {0x006A, "DEVICE_PRIVATE_KEY"},
    {0x006B, "CA_PUBLIC_KEY"},
    {0x006C, "KE_MAX_DEVICES"},
    {0x006D, "USE_DEFAULT_TCLK"},
    {0x006F, "RNG_COUNTER"},
    {0x0070, "RANDOM_SEED"},
    {0x0071, "TRUSTCENTER_ADDR"},
    {0x0072, "CERT_283"},
    {0x0073, "PRIVATE_KEY_283"},
    {0x0074, "PUBLIC_KEY_283"},
    {0x0075, "LEGACY_NWK_SEC_MATERIAL_TABLE_START"},
    {0x0080, "LEGACY_NWK_SEC_MATERIAL_TABLE_END"},
    {0x0081, "USERDESC"},
    /* aligned (24 bytes): seq, key[16], 3 bytes of struct padding, counter */
    {0x0082, "NWKKEY", "padding", 17, 3, 24,
     "alignment padding of the key struct: what the stack's RAM held (01 00 20, 82 00 20, a "
     "copy of the key's first bytes on real sticks)"},
    {0x0083, "PANID"},
    {0x0084, "CHANLIST"},
    {0x0085, "LEAVE_CTRL"},
    {0x0086, "SCAN_DURATION"},
    {0x0087, "LOGICAL_TYPE"},
    {0x0088, "NWKMGR_MIN_TX"},
    {0x0089, "NWKMGR_ADDR"},
    {0x008F, "ZDO_DIRECT_CB"},
    {0x0091, "SCENE_TABLE"},
    {0x0092, "MIN_FREE_NWK_ADDR"},
    {0x0093, "MAX_FREE_NWK_ADDR"},
    {0x0094, "MIN_FREE_GRP_ID"},
    {0x0095, "MAX_FREE_GRP_ID"},
    {0x0096, "MIN_GRP_IDS"},
    {0x0097, "MAX_GRP_IDS"},
    {0x0098, "OTA_BLOCK_REQ_DELAY"},
    {0x00A1, "SAPI_ENDPOINT"},
    {0x00B1, "SAS_SHORT_ADDR"},
    {0x00B2, "SAS_EXT_PANID"},
    {0x00B3, "SAS_PANID"},
    {0x00B4, "SAS_CHANNEL_MASK"},
    {0x00B5, "SAS_PROTOCOL_VER"},
    {0x00B6, "SAS_STACK_PROFILE"},
    {0x00B7, "SAS_STARTUP_CTRL"},
    {0x00C1, "SAS_TC_ADDR"},
    {0x00C2, "SAS_TC_MASTER_KEY"},
    {0x00C3, "SAS_NWK_KEY"},
    {0x00C4, "SAS_USE_INSEC_JOIN"},
    {0x00C5, "SAS_PRECFG_LINK_KEY"},
    {0x00C6, "SAS_NWK_KEY_SEQ_NUM"},
    {0x00C7, "SAS_NWK_KEY_TYPE"},
    {0x00C8, "SAS_NWK_MGR_ADDR"},
    {0x00D1, "SAS_CURR_TC_MASTER_KEY"},
    {0x00D2, "SAS_CURR_NWK_KEY"},
    {0x00D3, "SAS_CURR_PRECFG_LINK_KEY"},
    {0x00FF, "USE_NVOCMP"},
    {0x0101, "TCLK_SEED", "value", 0, 16, 0,
     "a random seed the stick drew when the network was formed"},
    {0x0102, "TCLK_JOIN_DEV"},
    {0x0103, "TCLK_DEFAULT"},
    {0x0104, "LEGACY_TCLK_IC_TABLE_START"},
    {0x0110, "LEGACY_TCLK_IC_TABLE_END"},
    {0x0111, "LEGACY_TCLK_TABLE_START"},
    {0x01FF, "LEGACY_TCLK_TABLE_END"},
    {0x0201, "LEGACY_APS_LINK_KEY_DATA_START"},
    {0x02FF, "LEGACY_APS_LINK_KEY_DATA_END"},
    {0x0300, "DUPLICATE_BINDING_TABLE"},
    {0x0301, "DUPLICATE_DEVICE_LIST"},
    {0x0302, "DUPLICATE_DEVICE_LIST_KA_TIMEOUT"},
    {0x0310, "LEGACY_PROXY_TABLE_START"},
    {0x031F, "LEGACY_PROXY_TABLE_END"},
    {0x0320, "LEGACY_SINK_TABLE_START"},
    {0x032F, "LEGACY_SINK_TABLE_END"},
    {0x0F00, "HAS_CONFIGURED_ZSTACK1"},
    {0x0F01, "APP_ITEM_1"},
    {0x0F02, "APP_ITEM_2"},
    {0x0F03, "APP_ITEM_3"},
    {0x0F04, "APP_ITEM_4"},
    {0x0F05, "APP_ITEM_5"},
    {0x0F06, "APP_ITEM_6"},
    {0x0F07, "RF_TEST_PARMS"},
    {0x0F08, "UNKNOWN"},
};

/* Legacy table ranges: nvram_read names ids start .. end-1 "<start name>+<offset>"; the end id
 * itself is read under its own name. */
typedef struct nv_range {
    uint16_t start, end;
    const char *name;
} nv_range;

static const nv_range NV_RANGES[] = {
    {0x0075, 0x0080, "LEGACY_NWK_SEC_MATERIAL_TABLE_START"},
    {0x0104, 0x0110, "LEGACY_TCLK_IC_TABLE_START"},
    {0x0111, 0x01FF, "LEGACY_TCLK_TABLE_START"},
    {0x0201, 0x02FF, "LEGACY_APS_LINK_KEY_DATA_START"},
    {0x0310, 0x031F, "LEGACY_PROXY_TABLE_START"},
    {0x0320, 0x032F, "LEGACY_SINK_TABLE_START"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* "0x" + 1..4 hex digits */
static int parse_hex_id(const char *s, uint16_t *id)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return -1;
    unsigned v = 0;
    size_t k = 2;
    for (; s[k]; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0 || k >= 6) return -1;
        v = v * 16 + (unsigned)d;
    }
    if (k == 2) return -1;
    *id = (uint16_t)v;
    return 0;
}

/* "<range start name>+<decimal offset>" with the offset inside the range */
static int parse_range_id(const char *s, uint16_t *id)
{
    const char *plus = strchr(s, '+');
    if (!plus || !plus[1]) return -1;
    unsigned long off = 0;
    for (const char *c = plus + 1; *c; c++) {
        if (*c < '0' || *c > '9' || off > 0xFFFF) return -1;
        off = off * 10 + (unsigned long)(*c - '0');
    }
    size_t nlen = (size_t)(plus - s);
    for (size_t i = 0; i < COUNT(NV_RANGES); i++) {
        const nv_range *r = &NV_RANGES[i];
        if (strlen(r->name) == nlen && strncmp(s, r->name, nlen) == 0) {
            if (off >= (unsigned long)(r->end - r->start)) return -1;
            *id = (uint16_t)(r->start + off);
            return 0;
        }
    }
    return -1;
}

int znp_nv_id_from_name(const char *name, uint16_t *id)
{
    if (!name) return -1;
    if (parse_hex_id(name, id) == 0) return 0;
    if (strchr(name, '+')) return parse_range_id(name, id);
    for (size_t i = 0; i < COUNT(NV_NAMES); i++)
        if (strcmp(name, NV_NAMES[i].name) == 0) {
            *id = NV_NAMES[i].id;
            return 0;
        }
    return -1;
}

const char *znp_nv_id_name(uint16_t id, char *buf, size_t cap)
{
    if (!buf || cap == 0) return "";
    for (size_t i = 0; i < COUNT(NV_RANGES); i++)
        if (id >= NV_RANGES[i].start && id < NV_RANGES[i].end) {
            snprintf(buf, cap, "%s+%u", NV_RANGES[i].name, (unsigned)(id - NV_RANGES[i].start));
            return buf;
        }
    for (size_t i = 0; i < COUNT(NV_NAMES); i++)
        if (NV_NAMES[i].id == id) {
            snprintf(buf, cap, "%s", NV_NAMES[i].name);
            return buf;
        }
    snprintf(buf, cap, "0x%04X", (unsigned)id);
    return buf;
}

static const nv_name EXT_TABLES[] = {
    {ZNP_EX_ADDRMGR, "ADDRMGR"},
    {ZNP_EX_BINDING_TABLE, "BINDING_TABLE"},
    {ZNP_EX_DEVICE_LIST, "DEVICE_LIST"},
    {ZNP_EX_TCLK_TABLE, "TCLK_TABLE"},
    {ZNP_EX_TCLK_IC_TABLE, "TCLK_IC_TABLE"},
    {ZNP_EX_APS_KEY_DATA_TABLE, "APS_KEY_DATA_TABLE"},
    /* a row: frame counter u32, EPID */
    {ZNP_EX_NWK_SEC_MATERIAL_TABLE, "NWK_SEC_MATERIAL_TABLE", "frame_counter", 0, 4, 0,
     "network frames the stick sent so far"},
};

int znp_ext_table_from_name(const char *name, uint16_t *item_id)
{
    for (size_t i = 0; name && i < COUNT(EXT_TABLES); i++)
        if (strcmp(name, EXT_TABLES[i].name) == 0) {
            *item_id = EXT_TABLES[i].id;
            return 0;
        }
    return -1;
}

const char *znp_ext_table_name(uint16_t item_id)
{
    for (size_t i = 0; i < COUNT(EXT_TABLES); i++)
        if (EXT_TABLES[i].id == item_id) return EXT_TABLES[i].name;
    return NULL;
}

static int unit_of(const nv_name *rows, size_t n, uint16_t id, znp_nv_unit *out)
{
    for (size_t i = 0; i < n; i++) {
        const nv_name *r = &rows[i];
        if (r->id != id || !r->unit) continue;
        *out = (znp_nv_unit){r->name, r->unit, r->unit_off, r->unit_len, r->unit_size, r->why};
        return 1;
    }
    return 0;
}

int znp_nv_unit_of(uint16_t id, znp_nv_unit *out)
{
    return unit_of(NV_NAMES, COUNT(NV_NAMES), id, out);
}

int znp_ext_unit_of(uint16_t item_id, znp_nv_unit *out)
{
    return unit_of(EXT_TABLES, COUNT(EXT_TABLES), item_id, out);
}
