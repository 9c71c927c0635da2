/* test_znp_layout.c - the Z-Stack NV struct codecs against the eight real NVRAM dumps in
 * ../shared/nvram/znp (decode -> encode must give back the stick's bytes), the golden values of
 * zstack-mt.md §10, the TCLK seed vectors of §6.2 and zigpy-znp's NV item naming (§4.9). */
#include "bytes.h"
#include "fileio.h"
#include "hex.h"
#include "znp_layout.h"

#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unchanged copies of ../shared/nvram/znp, kept in the repo: formed-network dumps in
 * vectors/nvram/znp/, factory-reset dumps in emulator/factory/ (the emulator embeds those). */
#define FORMED_DIR ZB_SOURCE_DIR "/vectors/nvram/znp/"
#define RESET_DIR  ZB_SOURCE_DIR "/emulator/factory/"

typedef struct dump_info {
    const char *file;
    bool aligned;
} dump_info;

static const dump_info DUMPS[] = {
    {"CC2531-ZStack1.formed.json", false}, {"CC2531-ZStack1.reset.json", false},
    {"CC2531-ZStack3.formed.json", false}, {"CC2531-ZStack3.reset.json", false},
    {"CC2538-ZStack3.formed.json", true},  {"CC2538-ZStack3.reset.json", true},
    {"CC2652R-ZStack4.formed.json", true}, {"CC2652R-ZStack4.reset.json", true},
};
#define N_DUMPS (sizeof(DUMPS) / sizeof(DUMPS[0]))

static cJSON *load_dump(const char *file)
{
    char path[512];
    snprintf(path, sizeof(path), "%s%s", strstr(file, ".reset.") ? RESET_DIR : FORMED_DIR, file);
    size_t len;
    char *text = file_read_all(path, 8u << 20, &len);
    cr_assert(text, "cannot read %s", path);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cr_assert(doc, "%s is not JSON", path);
    return doc;
}

/* Raw bytes of a JSON hex string (caller frees). */
static size_t item_bytes(const cJSON *v, uint8_t **out)
{
    cr_assert(cJSON_IsString(v), "item %s is not a string", v->string);
    long n = hex_decode_alloc(v->valuestring, out);
    cr_assert(n >= 0, "item %s: bad hex", v->string);
    return (size_t)n;
}

/* Raw bytes of LEGACY[key], or 0 / NULL if absent. */
static size_t legacy(const cJSON *doc, const char *key, uint8_t **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(doc, "LEGACY"), key);
    *out = NULL;
    return v ? item_bytes(v, out) : 0;
}

static void unhex(const char *s, uint8_t *out, size_t n)
{
    cr_assert(hex_decode(s, out, n) == 0, "test bug: bad hex %s", s);
}

/* The 8 bytes of a big-endian IEEE/EPID string in NV (little-endian) order. */
static void ieee_le(const char *be, uint8_t out[8])
{
    uint8_t b[8];
    unhex(be, b, 8);
    zb_ieee_reverse(out, b);
}

/* A callback applied to every row of a legacy id range and/or an ext section. */
typedef void (*row_fn)(const uint8_t *p, size_t n, bool aligned, const char *where);

static size_t for_rows(const cJSON *doc, bool aligned, const char *legacy_prefix,
                       const char *ext_section, row_fn fn)
{
    size_t rows = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "LEGACY"))
    {
        if (strncmp(v->string, legacy_prefix, strlen(legacy_prefix)) != 0) continue;
        uint8_t *b;
        size_t n = item_bytes(v, &b);
        fn(b, n, aligned, v->string);
        free(b);
        rows++;
    }
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, ext_section))
    {
        uint8_t *b;
        size_t n = item_bytes(v, &b);
        fn(b, n, aligned, v->string);
        free(b);
        rows++;
    }
    return rows;
}

/* ------------------------------------------------------------------ sizes */

Test(znp_layout, sizes)
{
    cr_assert_eq(znp_nib_size(false), 110);
    cr_assert_eq(znp_nib_size(true), 116);
    cr_assert_eq(znp_nwkkey_size(false), 21);
    cr_assert_eq(znp_nwkkey_size(true), 24);
    cr_assert_eq(znp_tclk_row_size(false), 19);
    cr_assert_eq(znp_tclk_row_size(true), 20);
    cr_assert_eq(znp_addrmgr_entry_size(false), 11);
    cr_assert_eq(znp_addrmgr_entry_size(true), 12);
    cr_assert_eq(znp_aps_link_key_row_size(false), 5);
    cr_assert_eq(znp_aps_link_key_row_size(true), 6);
    cr_assert_eq(znp_assoc_size(false), 28);
    cr_assert_eq(znp_assoc_size(true), 36);
}

/* ------------------------------------------------------------------ round trips on real dumps */

Test(znp_layout, nib_roundtrip_all_dumps)
{
    size_t seen = 0;
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        uint8_t *b, out[128];
        size_t n = legacy(doc, "NIB", &b);
        if (n) {
            bool a = DUMPS[d].aligned;
            znp_nib nib;
            cr_assert_eq(n, znp_nib_size(a), "%s: NIB length %zu", DUMPS[d].file, n);
            cr_assert_eq(znp_nib_decode(b, n, a, &nib), 0);
            cr_assert_eq(znp_nib_decode(b, n, !a, &nib), -1, "wrong layout must be refused");
            cr_assert_eq(znp_nib_decode(b, n, a, &nib), 0);
            memset(out, 0xA5, sizeof(out));
            znp_nib_encode(&nib, a, out);
            cr_assert(memcmp(out, b, n) == 0, "%s: NIB round trip differs", DUMPS[d].file);
            cr_assert_eq(out[n], 0xA5, "encoder wrote past the NIB");
            seen++;
        }
        free(b);
        cJSON_Delete(doc);
    }
    cr_assert_eq(seen, 5, "NIB is in the 5 formed/1.2 dumps");
}

Test(znp_layout, nwkkey_roundtrip_all_dumps)
{
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        uint8_t *b, out[32];
        size_t n = legacy(doc, "NWKKEY", &b);
        bool a = DUMPS[d].aligned;
        znp_nwkkey k;
        cr_assert_eq(n, znp_nwkkey_size(a), "%s: NWKKEY length %zu", DUMPS[d].file, n);
        cr_assert_eq(znp_nwkkey_decode(b, n, !a, &k), -1);
        cr_assert_eq(znp_nwkkey_decode(b, n, a, &k), 0);
        znp_nwkkey_encode(&k, a, out);
        cr_assert(memcmp(out, b, n) == 0, "%s: NWKKEY round trip differs", DUMPS[d].file);
        free(b);
        cJSON_Delete(doc);
    }
}

Test(znp_layout, key_info_roundtrip_all_dumps)
{
    static const char *const KEYS[] = {"NWK_ACTIVE_KEY_INFO", "NWK_ALTERN_KEY_INFO"};
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        for (size_t i = 0; i < 2; i++) {
            uint8_t *b, out[ZNP_KEY_DESC_SIZE];
            size_t n = legacy(doc, KEYS[i], &b);
            znp_key_desc k;
            cr_assert_eq(znp_key_desc_decode(b, n, &k), 0, "%s %s", DUMPS[d].file, KEYS[i]);
            znp_key_desc_encode(&k, out);
            cr_assert(memcmp(out, b, n) == 0, "%s: %s round trip", DUMPS[d].file, KEYS[i]);
            free(b);
        }
        cJSON_Delete(doc);
    }
}

static void addrmgr_check(const uint8_t *p, size_t n, bool aligned, const char *where)
{
    size_t rs = znp_addrmgr_entry_size(aligned);
    cr_assert(n > 0 && n % rs == 0, "%s: %zu bytes is not a number of entries", where, n);
    for (size_t off = 0; off < n; off += rs) {
        znp_addrmgr_entry e;
        uint8_t out[16];
        cr_assert_eq(znp_addrmgr_entry_decode(p + off, rs, aligned, &e), 0);
        znp_addrmgr_entry_encode(&e, aligned, out);
        cr_assert(memcmp(out, p + off, rs) == 0, "%s: entry at %zu differs", where, off);
    }
}

Test(znp_layout, addrmgr_roundtrip_legacy_and_ext)
{
    size_t items = 0;
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        /* "ADDRMGR" matches the legacy item exactly; the ext section holds one entry per row */
        items += for_rows(doc, DUMPS[d].aligned, "ADDRMGR", "ADDRMGR", addrmgr_check);
        cJSON_Delete(doc);
    }
    cr_assert_eq(items, 4 + 257, "4 legacy items and 257 ext rows");
}

Test(znp_layout, aps_link_key_table_roundtrip_all_dumps)
{
    size_t seen = 0;
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        uint8_t *b;
        size_t n = legacy(doc, "APS_LINK_KEY_TABLE", &b);
        if (n) {
            bool a = DUMPS[d].aligned;
            size_t rs = znp_aps_link_key_row_size(a);
            znp_aps_link_key_table t;
            cr_assert_eq(znp_aps_link_key_table_decode(b, n, a, &t), 0, "%s", DUMPS[d].file);
            cr_assert_eq(t.n_rows, 3, "%s: 3 rows in every dump", DUMPS[d].file);
            cr_assert_eq(2 + t.n_rows * rs, n);
            /* into the old bytes: identical; into zeros: the used part identical */
            uint8_t *copy = malloc(n), *zero = calloc(1, n);
            memcpy(copy, b, n);
            znp_aps_link_key_table_encode(&t, a, copy, n);
            cr_assert(memcmp(copy, b, n) == 0, "%s: round trip differs", DUMPS[d].file);
            znp_aps_link_key_table_encode(&t, a, zero, n);
            cr_assert(memcmp(zero, b, 2 + t.count * rs) == 0, "%s: used rows", DUMPS[d].file);
            free(copy);
            free(zero);
            znp_aps_link_key_table_free(&t);
            cr_assert_null(t.rows);
            seen++;
        }
        free(b);
        cJSON_Delete(doc);
    }
    cr_assert_eq(seen, 5);
}

static void tclk_check(const uint8_t *p, size_t n, bool aligned, const char *where)
{
    znp_tclk_row r;
    uint8_t out[20];
    cr_assert_eq(znp_tclk_row_decode(p, n, aligned, &r), 0, "%s: %zu bytes", where, n);
    znp_tclk_row_encode(&r, aligned, out);
    cr_assert(memcmp(out, p, n) == 0, "%s: TCLK row differs", where);
}

static void sec_material_check(const uint8_t *p, size_t n, bool aligned, const char *where)
{
    (void)aligned;
    znp_sec_material m;
    uint8_t out[ZNP_SEC_MATERIAL_SIZE];
    cr_assert_eq(znp_sec_material_decode(p, n, &m), 0, "%s: %zu bytes", where, n);
    znp_sec_material_encode(&m, out);
    cr_assert(memcmp(out, p, n) == 0, "%s: sec material row differs", where);
}

static void aps_key_data_check(const uint8_t *p, size_t n, bool aligned, const char *where)
{
    (void)aligned;
    znp_aps_key_data k;
    uint8_t out[ZNP_APS_KEY_DATA_SIZE];
    cr_assert_eq(znp_aps_key_data_decode(p, n, &k), 0, "%s: %zu bytes", where, n);
    znp_aps_key_data_encode(&k, out);
    cr_assert(memcmp(out, p, n) == 0, "%s: APS key data row differs", where);
}

Test(znp_layout, table_rows_roundtrip_all_dumps)
{
    size_t tclk = 0, sec = 0, aps = 0;
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        bool a = DUMPS[d].aligned;
        tclk += for_rows(doc, a, "LEGACY_TCLK_TABLE_START+", "TCLK_TABLE", tclk_check);
        sec += for_rows(doc, a, "LEGACY_NWK_SEC_MATERIAL_TABLE_START+", "NWK_SEC_MATERIAL_TABLE",
                        sec_material_check);
        aps += for_rows(doc, a, "LEGACY_APS_LINK_KEY_DATA_START+", "APS_KEY_DATA_TABLE",
                        aps_key_data_check);
        cJSON_Delete(doc);
    }
    cr_assert_eq(tclk, 2 * 40 + 2 * 200 + 2 * 200, "TCLK rows: CC2531 3.0, CC2538, CC2652R");
    cr_assert_eq(sec, 2 * 2 + 2 * 2 + 2 * 5);
    cr_assert_eq(aps, 2 * 3 + 2 * 3 + 2 * 3);
}

/* ------------------------------------------------------------------ golden values (§10) */

Test(znp_layout, golden_cc2652r_formed)
{
    cJSON *doc = load_dump("CC2652R-ZStack4.formed.json");
    uint8_t *b, want[16], epid[8];
    size_t n;

    n = legacy(doc, "EXTADDR", &b);
    ieee_le("00124b001e17efa8", want);
    cr_assert(n == 8 && memcmp(b, want, 8) == 0, "EXTADDR");
    free(b);

    znp_nib nib;
    n = legacy(doc, "NIB", &b);
    cr_assert_eq(znp_nib_decode(b, n, true, &nib), 0);
    free(b);
    cr_assert_eq(nib.sequence_num, 0x60);
    cr_assert_eq(nib.nwk_logical_channel, 15);
    cr_assert_eq(nib.channel_list, 0x00008000u);
    cr_assert_eq(nib.nwk_pan_id, 0x4402);
    ieee_le("a2ba38a8b5e683a0", epid);
    cr_assert(memcmp(nib.extended_pan_id, epid, 8) == 0, "EPID");
    cr_assert_eq(nib.security_level, 5);
    cr_assert_eq(nib.nwk_update_id, 0);
    cr_assert_eq(nib.nwk_state, 8);
    cr_assert_eq(nib.nwk_key_loaded, 1);
    cr_assert_eq(nib.nwk_dev_address, 0x0000);
    cr_assert_eq(nib.nwk_manager_addr, 0x0000);
    /* the rest of the §4.5.1 "real formed values" line */
    cr_assert_eq(nib.capability_flags, 0x8F);
    cr_assert_eq(nib.transaction_persistence_time, 7);
    cr_assert_eq(nib.route_discovery_time, 0x0D);
    cr_assert_eq(nib.beacon_order, 15);
    cr_assert_eq(nib.scan_duration, 4);
    cr_assert_eq(nib.allocated_router_addresses, 1);
    cr_assert_eq(nib.allocated_end_device_addresses, 1);
    cr_assert_eq(nib.nwk_link_status_period, 0x0F);
    cr_assert_eq(nib.nwk_concentrator_discovery_time, 0x78);
    cr_assert_eq(nib.nwk_all_fresh, 1);

    static const char KEY[] = "4c4e72b8412251799abf35251288ca83";
    unhex(KEY, want, 16);
    znp_key_desc kd;
    n = legacy(doc, "NWK_ACTIVE_KEY_INFO", &b);
    cr_assert_eq(znp_key_desc_decode(b, n, &kd), 0);
    free(b);
    cr_assert_eq(kd.seq, 0);
    cr_assert(memcmp(kd.key, want, 16) == 0, "active key");

    znp_nwkkey nk;
    n = legacy(doc, "NWKKEY", &b);
    cr_assert_eq(znp_nwkkey_decode(b, n, true, &nk), 0);
    free(b);
    cr_assert_eq(nk.frame_counter, 7500);
    cr_assert(memcmp(nk.key, want, 16) == 0);
    cr_assert(nk.pad[0] == 0xFF && nk.pad[1] == 0xFF && nk.pad[2] == 0xFF);

    znp_sec_material m;
    const cJSON *sm =
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "NWK_SEC_MATERIAL_TABLE"), "0x0000");
    n = item_bytes(sm, &b);
    cr_assert_eq(znp_sec_material_decode(b, n, &m), 0);
    free(b);
    cr_assert_eq(m.frame_counter, 7500);
    cr_assert(memcmp(m.extended_pan_id, epid, 8) == 0);

    n = legacy(doc, "TCLK_SEED", &b);
    unhex("c04884427c8a1ed7bb8412815ccce7aa", want, 16);
    cr_assert(n == 16 && memcmp(b, want, 16) == 0, "TCLK_SEED");
    free(b);

    znp_aps_link_key_table t;
    n = legacy(doc, "APS_LINK_KEY_TABLE", &b);
    cr_assert_eq(znp_aps_link_key_table_decode(b, n, true, &t), 0);
    free(b);
    cr_assert_eq(t.count, 2);
    cr_assert_eq(t.rows[0].addr_mgr_index, 0);
    cr_assert_eq(t.rows[0].link_key_nv_id, 0);
    cr_assert_eq(t.rows[0].auth_state, 1);
    cr_assert_eq(t.rows[1].addr_mgr_index, 5);
    cr_assert_eq(t.rows[1].link_key_nv_id, 1);
    cr_assert_eq(t.rows[1].auth_state, 1);
    znp_aps_link_key_table_free(&t);
    cJSON_Delete(doc);
}

/* The devices list of §10 as the host derives it: address manager entries named by the
 * security-manager table, APS key data rows, and hashed TCLK rows. */
Test(znp_layout, golden_cc2652r_devices_and_keys)
{
    cJSON *doc = load_dump("CC2652R-ZStack4.formed.json");
    const cJSON *am = cJSON_GetObjectItem(doc, "ADDRMGR");
    const cJSON *aps = cJSON_GetObjectItem(doc, "APS_KEY_DATA_TABLE");
    const cJSON *tc = cJSON_GetObjectItem(doc, "TCLK_TABLE");
    uint8_t *b, seed[16], ieee[8], key[16], want[16];
    size_t n;
    unhex("c04884427c8a1ed7bb8412815ccce7aa", seed, 16);

    static const struct {
        const char *row, *ieee;
        uint16_t nwk;
        const char *key;
        uint32_t tx, rx;
    } KEYED[] = {
        {"0x0000", "000b57fffe2bd457", 0x664B, "6822d93c39c7d86085d999879e3fd7f4", 7023, 7},
        {"0x0005", "d0cf5efffece3af2", 0x8F15, "92e8c34c863fa70c0605380c3d985f03", 6032, 18},
    };
    for (size_t i = 0; i < 2; i++) {
        znp_addrmgr_entry e;
        n = item_bytes(cJSON_GetObjectItem(am, KEYED[i].row), &b);
        cr_assert_eq(znp_addrmgr_entry_decode(b, n, true, &e), 0);
        free(b);
        ieee_le(KEYED[i].ieee, ieee);
        cr_assert(memcmp(e.ext_addr, ieee, 8) == 0, "entry %s ieee", KEYED[i].row);
        cr_assert_eq(e.nwk_addr, KEYED[i].nwk);
        cr_assert_eq(e.type, 0x02);
        znp_aps_key_data k;
        n = item_bytes(cJSON_GetArrayItem(aps, (int)i), &b);
        cr_assert_eq(znp_aps_key_data_decode(b, n, &k), 0);
        free(b);
        unhex(KEYED[i].key, want, 16);
        cr_assert(memcmp(k.key, want, 16) == 0);
        cr_assert_eq(k.tx_counter, KEYED[i].tx);
        cr_assert_eq(k.rx_counter, KEYED[i].rx);
    }

    static const struct {
        int row;
        const char *ieee;
        int shift;
        const char *key; /* NULL: §10 gives no key for this one */
    } HASHED[] = {
        {0, "90fd9ffffe2bbbdd", 14, "3a11ebb67bdd811ac36c907aed1ea15c"},
        {1, "90fd9ffffe329a0b", 13, "c77d983eb71bbfec8184e5457b8d7ccc"},
        {2, "ccccccfffeeec02a", 0, "ea886abc8346d21b9144fc7fa3002b66"},
        {3, "d0cf5efffeda9bbb", 8, "001fc87fa392287a7bd35ebc83d4d107"},
        {4, "ec1bbdfffe544f40", 0, "8007d0bc8337053bfbcb467fa371fc46"},
    };
    for (size_t i = 0; i < sizeof(HASHED) / sizeof(HASHED[0]); i++) {
        znp_tclk_row r;
        n = item_bytes(cJSON_GetArrayItem(tc, HASHED[i].row), &b);
        cr_assert_eq(znp_tclk_row_decode(b, n, true, &r), 0);
        free(b);
        ieee_le(HASHED[i].ieee, ieee);
        cr_assert(memcmp(r.ext_addr, ieee, 8) == 0, "TCLK row %d ieee", HASHED[i].row);
        cr_assert_eq(r.seed_shift, HASHED[i].shift);
        cr_assert_eq(r.key_attributes, 2);
        cr_assert_eq(r.key_type, 0);
        znp_tclk_derive(seed, r.ext_addr, r.seed_shift, key);
        unhex(HASHED[i].key, want, 16);
        cr_assert(memcmp(key, want, 16) == 0, "TCLK row %d key", HASHED[i].row);
        cr_assert_eq(znp_tclk_find_shift(seed, r.ext_addr, key), HASHED[i].shift);
    }
    znp_tclk_row r0;
    n = item_bytes(cJSON_GetArrayItem(tc, 0), &b);
    znp_tclk_row_decode(b, n, true, &r0);
    free(b);
    cr_assert_eq(r0.tx_counter, 23491);
    cr_assert_eq(r0.rx_counter, 13365);
    cJSON_Delete(doc);
}

Test(znp_layout, golden_cc2531_packed)
{
    static const struct {
        const char *file;
        uint8_t channel;
        uint16_t pan;
        const char *epid_be;
        const char *key;
        uint32_t nwkkey_fc;
    } G[] = {
        {"CC2531-ZStack3.formed.json", 15, 0xB6AB, "629232463c772db2",
         "6dde24eae28552b6de2956eb05851afa", 1},
        {"CC2531-ZStack1.formed.json", 11, 0x1A62, "dddddddddddddddd",
         "01030507090b0d0f00020406080a0c0d", 1250},
    };
    for (size_t i = 0; i < 2; i++) {
        cJSON *doc = load_dump(G[i].file);
        uint8_t *b, epid[8], key[16];
        znp_nib nib;
        size_t n = legacy(doc, "NIB", &b);
        cr_assert_eq(n, 110);
        cr_assert_eq(znp_nib_decode(b, n, false, &nib), 0);
        free(b);
        cr_assert_eq(nib.nwk_logical_channel, G[i].channel, "%s channel", G[i].file);
        cr_assert_eq(nib.nwk_pan_id, G[i].pan, "%s PAN %04x", G[i].file, nib.nwk_pan_id);
        ieee_le(G[i].epid_be, epid);
        cr_assert(memcmp(nib.extended_pan_id, epid, 8) == 0, "%s EPID", G[i].file);
        cr_assert_eq(nib.nwk_key_loaded, 1);
        cr_assert_eq(nib.security_level, 5);
        cr_assert_eq(nib.nwk_dev_address, 0);
        cr_assert_eq(nib.channel_list, 1u << G[i].channel);
        unhex(G[i].key, key, 16);
        znp_key_desc kd;
        n = legacy(doc, "NWK_ACTIVE_KEY_INFO", &b);
        cr_assert_eq(znp_key_desc_decode(b, n, &kd), 0);
        free(b);
        cr_assert(memcmp(kd.key, key, 16) == 0, "%s key", G[i].file);
        znp_nwkkey nk;
        n = legacy(doc, "NWKKEY", &b);
        cr_assert_eq(znp_nwkkey_decode(b, n, false, &nk), 0);
        free(b);
        cr_assert(memcmp(nk.key, key, 16) == 0);
        cr_assert_eq(nk.frame_counter, G[i].nwkkey_fc);
        cJSON_Delete(doc);
    }
    /* 3.0 keeps its counter in legacy sec-material row 0 (§6.5) */
    cJSON *doc = load_dump("CC2531-ZStack3.formed.json");
    uint8_t *b, epid[8];
    znp_sec_material m;
    size_t n = legacy(doc, "LEGACY_NWK_SEC_MATERIAL_TABLE_START+0", &b);
    cr_assert_eq(znp_sec_material_decode(b, n, &m), 0);
    free(b);
    ieee_le("629232463c772db2", epid);
    cr_assert_eq(m.frame_counter, 2501);
    cr_assert(memcmp(m.extended_pan_id, epid, 8) == 0);
    cJSON_Delete(doc);
}

Test(znp_layout, reset_nib_state)
{
    /* §4.5.1: after a factory reset (1.2 dump) dev/coord/PAN 0xFFFE, channel 0, state 0 */
    cJSON *doc = load_dump("CC2531-ZStack1.reset.json");
    uint8_t *b, *ext;
    znp_nib nib;
    size_t n = legacy(doc, "NIB", &b);
    cr_assert_eq(znp_nib_decode(b, n, false, &nib), 0);
    cr_assert_eq(legacy(doc, "EXTADDR", &ext), 8);
    cr_assert_eq(nib.nwk_dev_address, 0xFFFE);
    cr_assert_eq(nib.nwk_coord_address, 0xFFFE);
    cr_assert_eq(nib.nwk_pan_id, 0xFFFE);
    cr_assert_eq(nib.nwk_logical_channel, 0);
    cr_assert_eq(nib.nwk_state, 0);
    cr_assert_eq(nib.nwk_key_loaded, 0);
    cr_assert(memcmp(nib.extended_pan_id, ext, 8) == 0, "EPID = own IEEE");
    free(b);
    free(ext);
    cJSON_Delete(doc);
}

/* ------------------------------------------------------------------ TCLK hashing (§6.2) */

Test(znp_layout, tclk_golden_vectors)
{
    static const struct {
        const char *ieee_be;
        int shift;
        const char *key;
    } V[] = {
        {"000b57fffe38b212", 0, "d2fabcbc83dd15d7a9362a7fa39becaa"},
        {"aabbccddeeff0011", 12, "4dcc18441d843fe86d8ae1396648a92b"},
        {"90fd9ffffe2bbbdd", 14, "3a11ebb67bdd811ac36c907aed1ea15c"},
        {"ccccccfffeeec02a", 0, "ea886abc8346d21b9144fc7fa3002b66"},
    };
    uint8_t seed[16];
    unhex("c04884427c8a1ed7bb8412815ccce7aa", seed, 16);
    for (size_t i = 0; i < 4; i++) {
        uint8_t ieee[8], want[16], key[16];
        ieee_le(V[i].ieee_be, ieee);
        unhex(V[i].key, want, 16);
        znp_tclk_derive(seed, ieee, V[i].shift, key);
        cr_assert(memcmp(key, want, 16) == 0, "vector %zu: derive", i);
        cr_assert_eq(znp_tclk_find_shift(seed, ieee, want), V[i].shift, "vector %zu: shift", i);
        /* shift is taken mod 16 */
        znp_tclk_derive(seed, ieee, V[i].shift + 16, key);
        cr_assert(memcmp(key, want, 16) == 0);
        /* a key that is not derived from the seed */
        want[3] ^= 0x01;
        cr_assert_eq(znp_tclk_find_shift(seed, ieee, want), -1, "vector %zu: tampered", i);
    }
}

/* ------------------------------------------------------------------ layouts cover every byte */

/* Encoding a zero struct must write every byte of the item (no gaps), and decoding a pattern
 * and re-encoding must give the pattern back except for constant pad bytes. */
Test(znp_layout, encoders_write_every_byte)
{
    for (int a = 0; a < 2; a++) {
        uint8_t out[64], pat[128], back[128];
        for (size_t i = 0; i < sizeof(pat); i++)
            pat[i] = (uint8_t)(i * 37 + 11);

        znp_nib nib;
        memset(&nib, 0, sizeof(nib));
        memset(back, 0xA5, sizeof(back));
        znp_nib_encode(&nib, a, back);
        for (size_t i = 0; i < znp_nib_size(a); i++)
            cr_assert_eq(back[i], 0, "NIB byte %zu", i);
        cr_assert_eq(znp_nib_decode(pat, znp_nib_size(a), a, &nib), 0);
        znp_nib_encode(&nib, a, back);
        cr_assert(memcmp(back, pat, znp_nib_size(a)) == 0, "NIB pattern aligned=%d", a);

        znp_nwkkey k;
        cr_assert_eq(znp_nwkkey_decode(pat, znp_nwkkey_size(a), a, &k), 0);
        znp_nwkkey_encode(&k, a, out);
        cr_assert(memcmp(out, pat, znp_nwkkey_size(a)) == 0, "NWKKEY pattern");

        znp_tclk_row t = {0};
        memset(out, 0xA5, sizeof(out));
        znp_tclk_row_encode(&t, a, out);
        for (size_t i = 0; i < znp_tclk_row_size(a); i++)
            cr_assert_eq(out[i], 0, "TCLK %zu", i);

        znp_addrmgr_entry e = {0};
        memset(out, 0xA5, sizeof(out));
        znp_addrmgr_entry_encode(&e, a, out);
        for (size_t i = 0; i < znp_addrmgr_entry_size(a); i++)
            cr_assert_eq(out[i], (a && i == 1) ? 0xFF : 0, "ADDRMGR %zu", i);
        cr_assert_eq(out[znp_addrmgr_entry_size(a)], 0xA5);

        znp_assoc_device ad;
        memset(&ad, 0, sizeof(ad));
        memset(out, 0xA5, sizeof(out));
        znp_assoc_encode(&ad, a, out);
        for (size_t i = 0; i < znp_assoc_size(a); i++)
            cr_assert_eq(out[i], 0, "assoc %zu", i);
        cr_assert_eq(out[znp_assoc_size(a)], 0xA5);
    }
}

Test(znp_layout, nwkkey_fields_and_pad)
{
    uint8_t b[24];
    znp_nwkkey k = {.seq = 3, .frame_counter = 0x11223344};
    for (int i = 0; i < 16; i++)
        k.key[i] = (uint8_t)(0xA0 + i);
    znp_nwkkey_encode(&k, false, b);
    cr_assert_eq(b[0], 3);
    cr_assert_eq(b[1], 0xA0);
    cr_assert_eq(b[16], 0xAF);
    cr_assert(b[17] == 0x44 && b[20] == 0x11, "packed counter at 17");
    k.pad[0] = k.pad[1] = k.pad[2] = 0xFF;
    znp_nwkkey_encode(&k, true, b);
    cr_assert(b[17] == 0xFF && b[18] == 0xFF && b[19] == 0xFF);
    cr_assert(b[20] == 0x44 && b[23] == 0x11, "aligned counter at 20");
}

Test(znp_layout, aps_link_key_table_encode)
{
    uint8_t b[2 + 3 * 6];
    memset(b, 0x00, sizeof(b));
    znp_aps_link_key_row rows[3] = {{0, 0, 1}, {5, 1, 1}, {9, 9, 9}};
    znp_aps_link_key_table t = {.count = 2, .n_rows = 3, .rows = rows};
    znp_aps_link_key_table_encode(&t, true, b, sizeof(b));
    uint8_t want[20];
    unhex("02000000000001ff0500010001ff000000000000", want, 20);
    cr_assert(memcmp(b, want, 20) == 0, "the CC2652R bytes (§4.5.7)");
    /* packed, 3 rows, length 17 */
    memset(b, 0xEE, sizeof(b));
    t.count = 3;
    znp_aps_link_key_table_encode(&t, false, b, 17);
    cr_assert(b[0] == 3 && b[2] == 0 && b[6] == 1 && b[7] == 5 && b[12] == 9 && b[16] == 9);
    cr_assert_eq(b[17], 0xEE, "never past len");
    /* a count beyond the rows is stored, rows are bounded */
    t.count = 7;
    znp_aps_link_key_table_encode(&t, false, b, 17);
    cr_assert_eq(get_le16(b), 7);
    znp_aps_link_key_table d;
    cr_assert_eq(znp_aps_link_key_table_decode(b, 17, false, &d), 0);
    cr_assert(d.count == 7 && d.n_rows == 3);
    znp_aps_link_key_table_free(&d);
    cr_assert_eq(znp_aps_link_key_table_decode(b, 16, false, &d), -1, "not 2 + k x 5");
    cr_assert_eq(znp_aps_link_key_table_decode(b, 1, false, &d), -1);
    cr_assert_eq(znp_aps_link_key_table_decode(b, 2, false, &d), 0, "count only");
    cr_assert_eq(d.n_rows, 0);
    znp_aps_link_key_table_free(&d);
}

Test(znp_layout, assoc_layouts)
{
    znp_assoc_device d = {.short_addr = 0x1234,
                          .addr_idx = 0x0005,
                          .node_relation = 1,
                          .dev_status = 2,
                          .assoc_cnt = 3,
                          .age = 4,
                          .tx_counter = 5,
                          .tx_cost = 6,
                          .rx_lqi = 7,
                          .in_key_seq_num = 8,
                          .in_frm_cntr = 0xA1A2A3A4,
                          .tx_failure = 0xB1B2,
                          .end_dev_cfg = 9,
                          .device_timeout = 0xC1C2C3C4,
                          .timeout_counter = 0xD1D2D3D4,
                          .keepalive_rcv = 1,
                          .ctrl = 0x77};
    uint8_t p[28], a[36];
    znp_assoc_encode(&d, false, p);
    znp_assoc_encode(&d, true, a);
    cr_assert(p[0] == 0x34 && p[1] == 0x12 && p[2] == 5 && p[4] == 1 && p[7] == 4);
    cr_assert(p[12] == 0xA4 && p[15] == 0xA1 && p[16] == 0xB2 && p[17] == 0xB1);
    cr_assert(p[18] == 9 && p[19] == 0xC4 && p[22] == 0xC1);
    cr_assert(p[23] == 0xD4 && p[26] == 0xD1 && p[27] == 1);
    cr_assert(a[12] == 0xA4 && a[16] == 0xB2 && a[18] == 0 && a[19] == 0);
    cr_assert(a[20] == 9 && a[21] == 0 && a[24] == 0xC4 && a[27] == 0xC1);
    cr_assert(a[28] == 0xD4 && a[31] == 0xD1 && a[32] == 1 && a[33] == 0x77);
    cr_assert(a[34] == 0 && a[35] == 0);
    znp_assoc_device back;
    cr_assert_eq(znp_assoc_decode(a, 36, true, &back), 0);
    cr_assert(back.device_timeout == d.device_timeout && back.ctrl == 0x77);
    cr_assert_eq(znp_assoc_decode(p, 28, false, &back), 0);
    cr_assert(back.timeout_counter == d.timeout_counter && back.ctrl == 0);
    cr_assert_eq(znp_assoc_decode(p, 28, true, &back), -1);
}

Test(znp_layout, tclink_key_global_entry)
{
    znp_tclink_key k = {.tx_counter = 0, .rx_counter = 0};
    memset(k.ext_addr, 0xFF, 8);
    memcpy(k.key, "ZigBeeAlliance09", 16);
    uint8_t b[ZNP_TCLINK_KEY_SIZE], want[ZNP_TCLINK_KEY_SIZE];
    znp_tclink_key_encode(&k, b);
    unhex("ffffffffffffffff5a6967426565416c6c69616e63653039"
          "0000000000000000",
          want, sizeof(want));
    cr_assert(memcmp(b, want, sizeof(b)) == 0);
    want[24] = 0x10;
    want[31] = 0x20;
    znp_tclink_key d;
    cr_assert_eq(znp_tclink_key_decode(want, sizeof(want), &d), 0);
    cr_assert_eq(d.tx_counter, 0x10);
    cr_assert_eq(d.rx_counter, 0x20000000u);
    cr_assert_eq(znp_tclink_key_decode(want, 31, &d), -1);
}

Test(znp_layout, wrong_lengths_refused)
{
    uint8_t b[128] = {0};
    znp_nib nib;
    znp_nwkkey k;
    znp_tclk_row t;
    znp_addrmgr_entry e;
    znp_sec_material m;
    znp_aps_key_data a;
    znp_key_desc kd;
    cr_assert_eq(znp_nib_decode(b, 109, false, &nib), -1);
    cr_assert_eq(znp_nib_decode(b, 111, false, &nib), -1);
    cr_assert_eq(znp_nib_decode(b, 115, true, &nib), -1);
    cr_assert_eq(znp_nwkkey_decode(b, 22, false, &k), -1);
    cr_assert_eq(znp_tclk_row_decode(b, 19, true, &t), -1);
    cr_assert_eq(znp_tclk_row_decode(b, 20, false, &t), -1);
    cr_assert_eq(znp_addrmgr_entry_decode(b, 12, false, &e), -1);
    cr_assert_eq(znp_sec_material_decode(b, 11, &m), -1);
    cr_assert_eq(znp_aps_key_data_decode(b, 23, &a), -1);
    cr_assert_eq(znp_key_desc_decode(b, 16, &kd), -1);
}

Test(znp_layout, nib_defaults)
{
    znp_nib nib;
    memset(&nib, 0x5A, sizeof(nib));
    znp_nib_defaults(&nib);
    cr_assert_eq(nib.security_level, 5);
    cr_assert_eq(nib.nwk_pan_id, 0xFFFF);
    cr_assert_eq(nib.nwk_dev_address, 0xFFFE);
    cr_assert_eq(nib.nwk_logical_channel, 0);
    cr_assert_eq(nib.nwk_key_loaded, 0);
    cr_assert_eq(nib.nwk_state, 0);
    cr_assert_eq(nib.capability_flags, 0x8F);
    cr_assert_eq(nib.spare1.seq, 0);
    cr_assert_eq(nib.align_pad[3], 0);
}

/* ------------------------------------------------------------------ NV item names (§4.9) */

Test(znp_layout, every_dump_key_maps_and_back)
{
    size_t keys = 0;
    for (size_t d = 0; d < N_DUMPS; d++) {
        cJSON *doc = load_dump(DUMPS[d].file);
        const cJSON *sec;
        cJSON_ArrayForEach(sec, doc)
        {
            if (strcmp(sec->string, "LEGACY") != 0) {
                uint16_t item;
                cr_assert_eq(znp_ext_table_from_name(sec->string, &item), 0, "%s", sec->string);
                cr_assert_str_eq(znp_ext_table_name(item), sec->string);
                continue;
            }
            const cJSON *v;
            cJSON_ArrayForEach(v, sec)
            {
                uint16_t id;
                char name[64];
                cr_assert_eq(znp_nv_id_from_name(v->string, &id), 0, "%s: unknown key %s",
                             DUMPS[d].file, v->string);
                cr_assert_str_eq(znp_nv_id_name(id, name, sizeof(name)), v->string, "%s: id 0x%04X",
                                 DUMPS[d].file, id);
                keys++;
            }
        }
        cJSON_Delete(doc);
    }
    cr_assert(keys > 1000, "%zu keys", keys);
}

Test(znp_layout, nv_names)
{
    static const struct {
        uint16_t id;
        const char *name;
    } N[] = {
        {0x0001, "EXTADDR"},
        {0x0021, "NIB"},
        {0x0024, "POLL_RATE_OLD16"},
        {0x005F, "ZIGPY_ZNP_MIGRATION_ID"},
        {0x0060, "HAS_CONFIGURED_ZSTACK3"},
        {0x0082, "NWKKEY"},
        {0x0101, "TCLK_SEED"},
        {0x0F00, "HAS_CONFIGURED_ZSTACK1"},
        {0x0075, "LEGACY_NWK_SEC_MATERIAL_TABLE_START+0"},
        {0x0076, "LEGACY_NWK_SEC_MATERIAL_TABLE_START+1"},
        {0x0080, "LEGACY_NWK_SEC_MATERIAL_TABLE_END"},
        {0x0104, "LEGACY_TCLK_IC_TABLE_START+0"},
        {0x0111, "LEGACY_TCLK_TABLE_START+0"},
        {0x01FE, "LEGACY_TCLK_TABLE_START+237"},
        {0x01FF, "LEGACY_TCLK_TABLE_END"},
        {0x0203, "LEGACY_APS_LINK_KEY_DATA_START+2"},
        {0x0311, "LEGACY_PROXY_TABLE_START+1"},
        {0x032E, "LEGACY_SINK_TABLE_START+14"},
        {0x0040, "0x0040"},
        {0x0400, "0x0400"},
        {0xFFFF, "0xFFFF"},
    };
    for (size_t i = 0; i < sizeof(N) / sizeof(N[0]); i++) {
        char buf[64];
        uint16_t id = 0;
        cr_assert_str_eq(znp_nv_id_name(N[i].id, buf, sizeof(buf)), N[i].name);
        cr_assert_eq(znp_nv_id_from_name(N[i].name, &id), 0, "%s", N[i].name);
        cr_assert_eq(id, N[i].id, "%s", N[i].name);
    }
    uint16_t id;
    cr_assert_eq(znp_nv_id_from_name("LEGACY_TCLK_TABLE_START", &id), 0, "plain start name");
    cr_assert_eq(id, 0x0111);
    cr_assert_eq(znp_nv_id_from_name("0x21", &id), 0);
    cr_assert_eq(id, 0x0021);
    cr_assert_eq(znp_nv_id_from_name("0Xabcd", &id), 0);
    cr_assert_eq(id, 0xABCD);
    static const char *const BAD[] = {
        "",
        "FOO",
        "nib",
        "INVALID_INDEX",
        "NIB+1",
        "LEGACY_TCLK_TABLE_START+238",
        "LEGACY_TCLK_TABLE_START+",
        "LEGACY_TCLK_TABLE_START+-1",
        "LEGACY_TCLK_TABLE_START+99999999999999999999",
        "LEGACY_NWK_SEC_MATERIAL_TABLE_START+11",
        "0x",
        "0x12345",
        "0xG1",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++)
        cr_assert_eq(znp_nv_id_from_name(BAD[i], &id), -1, "'%s' must be refused", BAD[i]);
    cr_assert_eq(znp_nv_id_from_name(NULL, &id), -1);
    char small[8];
    cr_assert_str_eq(znp_nv_id_name(0x0021, small, sizeof(small)), "NIB");
    cr_assert_str_eq(znp_nv_id_name(0x0111, small, sizeof(small)), "LEGACY_", "truncated");
}

Test(znp_layout, ext_table_names)
{
    static const char *const T[] = {
        "ADDRMGR",       "BINDING_TABLE",      "DEVICE_LIST",           "TCLK_TABLE",
        "TCLK_IC_TABLE", "APS_KEY_DATA_TABLE", "NWK_SEC_MATERIAL_TABLE"};
    for (uint16_t i = 1; i <= 7; i++) {
        uint16_t id = 0;
        cr_assert_str_eq(znp_ext_table_name(i), T[i - 1]);
        cr_assert_eq(znp_ext_table_from_name(T[i - 1], &id), 0);
        cr_assert_eq(id, i);
    }
    uint16_t id;
    cr_assert_null(znp_ext_table_name(0));
    cr_assert_null(znp_ext_table_name(8));
    cr_assert_eq(znp_ext_table_from_name("LEGACY", &id), -1);
    cr_assert_eq(znp_ext_table_from_name("NIB", &id), -1);
}
