/* test_ezsp_versions.c - the version-dependent EZSP layouts (proto/ezsp/ezsp_schema.h) against
 * bellows' per-version structures (EmberKeyStruct; EmberChildDataV7 14 bytes vs V10 18 bytes;
 * SecurityManagerContextV12 17 bytes vs V13 18 bytes), the frame-id version ranges that share
 * an id, the emulator's legacy command table, and the driver's per-version losses. */
#include "driver_ezsp_legacy.h"
#include "ezsp_frontend.h"
#include "ezsp_versions.h"
#include "hex.h"

#include <criterion/criterion.h>
#include <string.h>

static void hexof(const uint8_t *p, size_t n, char *out)
{
    hex_encode(p, n, out);
}

Test(ezsp_versions, key_struct_layout)
{
    ezsp_key_struct k = {.bitmask = 0x001E,
                         .type = EMBER_APPLICATION_LINK_KEY,
                         .outgoing_frame_counter = 0x11223344,
                         .incoming_frame_counter = 0x55667788,
                         .sequence_number = 7};
    for (int i = 0; i < 16; i++)
        k.key[i] = (uint8_t)(0xA0 + i);
    for (int i = 0; i < 8; i++)
        k.partner_eui64[i] = (uint8_t)(0x10 + i);
    uint8_t b[64];
    zb_buf w = zb_buf_init(b, sizeof(b));
    zs_encode(&ezsp_key_struct_layout, &k, &w);
    cr_assert_eq(w.len, EZSP_KEY_STRUCT_SIZE);
    char hx[2 * 64 + 1];
    hexof(b, w.len, hx);
    cr_assert_str_eq(hx, "1e0005"
                         "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
                         "44332211"
                         "88776655"
                         "07"
                         "1011121314151617");
    ezsp_key_struct back;
    cr_assert_eq(zs_decode(&ezsp_key_struct_layout, b, w.len, &back, NULL), (long)w.len);
    cr_assert_eq(memcmp(&back.key, &k.key, 16), 0);
    cr_assert_eq(back.incoming_frame_counter, 0x55667788);
    cr_assert_eq(memcmp(back.partner_eui64, k.partner_eui64, 8), 0);
}

/* the layout of a structure inside a command's payload at a version, from the schema's rows */
static const zs_layout *inner(uint16_t id, int v, int rsp, const char *field)
{
    const zs_cmd *row = ezsp_cmd_row(id, v);
    cr_assert_not_null(row, "0x%04x at v%d", id, v);
    const zs_field *f = zs_field_named(rsp ? row->rsp : row->req, field);
    cr_assert_not_null(f);
    return f->sub;
}

Test(ezsp_versions, child_data_before_and_from_v10)
{
    ezsp_child_data c = {.type = 4, .id = 0x1234, .timeout = 8, .remaining_timeout = 99};
    memset(c.eui64, 0x5A, 8);
    uint8_t b[32];
    for (int v = 8; v <= 19; v++) {
        const zs_layout *l = inner(EZSP_ID_GET_CHILD_DATA, v, 1, "child");
        if (v >= 9) cr_assert_eq(inner(EZSP_ID_SET_CHILD_DATA, v, 0, "child"), l, "v%d", v);
        zb_buf w = zb_buf_init(b, sizeof(b));
        zs_encode(l, &c, &w);
        cr_assert_eq(w.len, v >= 10 ? 18u : 14u, "v%d", v);
        cr_assert_eq(b[9] | b[10] << 8, 0x1234);
        ezsp_child_data back;
        cr_assert_eq(zs_decode(l, b, w.len, &back, NULL), (long)w.len, "v%d", v);
        cr_assert_eq(back.remaining_timeout, v >= 10 ? 99u : 0u);
    }
    /* a v9 reply read with the v10 layout is short: the layouts really differ */
    zb_buf w = zb_buf_init(b, sizeof(b));
    zs_encode(&ezsp_child_data_v9_layout, &c, &w);
    ezsp_child_data back;
    cr_assert_eq(zs_decode(&ezsp_child_data_layout, b, w.len, &back, NULL), -1);
}

Test(ezsp_versions, secman_context_v12_has_a_one_byte_derived_type)
{
    ezsp_secman_context c = {.core_key_type = SECMAN_KEY_TC_LINK,
                             .key_index = 3,
                             .derived_type = 2,
                             .flags = 1,
                             .psa_key_alg_permission = 0x05440100};
    memset(c.eui64, 0xEE, 8);
    uint8_t b[32];
    char hx[65];
    zb_buf w = zb_buf_init(b, sizeof(b));
    zs_encode(inner(EZSP_ID_EXPORT_KEY, 12, 0, "context"), &c, &w);
    cr_assert_eq(w.len, 17u);
    hexof(b, w.len, hx);
    cr_assert_str_eq(hx, "020302eeeeeeeeeeeeeeee000100014405");
    w = zb_buf_init(b, sizeof(b));
    zs_encode(inner(EZSP_ID_EXPORT_KEY, 13, 0, "context"), &c, &w);
    cr_assert_eq(w.len, EZSP_SECMAN_CONTEXT_SIZE);
    hexof(b, w.len, hx);
    cr_assert_str_eq(hx, "02030200eeeeeeeeeeeeeeee000100014405");
    ezsp_secman_context back;
    cr_assert_eq(zs_decode(&ezsp_secman_context_layout, b, w.len, &back, NULL), (long)w.len);
    cr_assert(back.derived_type == 2 && back.flags == 1);
    cr_assert_eq(ezsp_secman_context_size(12), 17u);
}

/* the ids reused between versions must never be served twice at one version */
#define LO_(a, b) (a)
#define LO(r)     LO_(r)
#define HI_(a, b) (b)
#define HI(r)     HI_(r)
Test(ezsp_versions, reused_ids_have_disjoint_ranges)
{
    cr_assert_eq(EZSP_ID_BECOME_TRUST_CENTER, EZSP_ID_TOKEN_FACTORY_RESET);
    cr_assert_lt(HI(EZSP_V_BECOME_TRUST_CENTER), LO(EZSP_V_TOKEN_FACTORY_RESET));
    for (size_t i = 0; i < ezsp_n_legacy_commands; i++)
        for (size_t j = i + 1; j < ezsp_n_legacy_commands; j++) {
            const ezsp_cmd *a = &ezsp_legacy_commands[i], *b = &ezsp_legacy_commands[j];
            if (a->id != b->id) continue;
            cr_assert(a->max_ver < b->min_ver || b->max_ver < a->min_ver, "0x%04x", a->id);
        }
    /* the key-table API ends where the security manager's v13 reads begin */
    cr_assert_eq(HI(EZSP_V_GET_KEY) + 1, LO(EZSP_V_GET_NETWORK_KEY_INFO));
    cr_assert_eq(HI(EZSP_V_GET_KEY) + 1, EZSP_DRV_SECMAN);
}

Test(ezsp_versions, losses_by_version)
{
    static const zbh_loss base[] = {{"devices[].link_key.rx_counter", "x"}, {NULL, NULL}};
    cr_assert_eq(ezsp_version_losses(9, base), base);
    cr_assert_eq(ezsp_version_losses(19, base), base);
    const zbh_loss *l = ezsp_version_losses(8, base);
    cr_assert_str_eq(l[0].field, "devices[].link_key.rx_counter");
    cr_assert_str_eq(l[1].field, "devices[].is_child");
    cr_assert(strstr(l[1].why, "setChildData") != NULL);
    cr_assert_null(l[2].field);
}
