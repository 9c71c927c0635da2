/* test_ezsp_nv.c - the emulated NCP's token store: the §8.2 token table (keys, sizes,
 * defaults), the STACK_NODE_DATA layout, the JSON file round trip, refusal of corrupt files
 * with the field named, and tokenFactoryReset's exclusions (ezsp-ash.md §8.1). */
#include "bytes.h"
#include "ezsp_frontend.h"
#include "hex.h"

#include <criterion/criterion.h>
#include <string.h>

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
    char got[600];
    hex_encode(p, n, got);
    cr_assert_str_eq(got, want);
}

Test(ezsp_nv, token_table_matches_the_sdk_keys_and_sizes)
{
    static const struct {
        uint32_t key;
        uint8_t size;
    } want[] = {{0x1E123, 4},  {0x1E475, 17}, {0x1E563, 4}, {0x1EB79, 17}, {0x1EE64, 16},
                {0x1E124, 26}, {0x1E125, 7},  {0x1E12A, 8}, {0x10600, 25}, {0x10580, 11}};
    ezsp_nv nv;
    cr_assert_eq(ezsp_nv_init(&nv), 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ezsp_token *t = ezsp_nv_token(&nv, want[i].key);
        cr_assert_not_null(t, "token %05x", want[i].key);
        cr_assert_eq(t->def->size, want[i].size, "token %s", t->def->name);
    }
    cr_assert_null(ezsp_nv_token(&nv, 0xE12A), "creator keys are not NVM3 keys");
    ezsp_nv_free(&nv);
}

Test(ezsp_nv, defaults)
{
    ezsp_nv nv;
    ezsp_nv_init(&nv);
    assert_hex(ezsp_nv_elem(&nv, TOK_RESTORED_EUI64, 0), 8, "ffffffffffffffff");
    assert_hex(ezsp_nv_elem(&nv, TOK_NETWORK_MANAGEMENT, 0), 7, "00000000ffff00");
    assert_hex(nv.mfg_custom_eui, 8, "ffffffffffffffff");
    ezsp_node_data nd;
    ezsp_node_data_decode(ezsp_nv_elem(&nv, TOK_NODE_DATA, 0), &nd);
    cr_assert_eq(nd.pan_id, 0xFFFF);
    cr_assert_eq(nd.radio_tx_power, 0xFF); /* -1 */
    cr_assert_eq(nd.node_type, 0);
    cr_assert_null(ezsp_nv_elem(&nv, TOK_KEY_TABLE, EZSP_KEY_TABLE_SIZE));
    ezsp_nv_free(&nv);
}

Test(ezsp_nv, node_data_layout)
{
    /* panId u16, radioTxPower i8, channel u8, stackProfile u8, nodeType u8, nodeId u16, EPID */
    ezsp_node_data nd = {.pan_id = 0x1A62,
                         .radio_tx_power = 5,
                         .radio_channel = 20,
                         .stack_profile = 2,
                         .node_type = 1,
                         .node_id = 0x0000,
                         .extended_pan_id = {0xDD, 0x3C, 0x0F, 0xFE, 0xE1, 0xA2, 0xB3, 0xC4}};
    uint8_t b[16];
    ezsp_node_data_encode(&nd, b);
    assert_hex(b, 16, "621a051402010000dd3c0ffee1a2b3c4");
    ezsp_node_data back;
    ezsp_node_data_decode(b, &back);
    cr_assert(memcmp(&back, &nd, sizeof(nd)) == 0);
}

Test(ezsp_nv, json_round_trip)
{
    ezsp_nv a, b;
    ezsp_nv_init(&a);
    ezsp_nv_init(&b);
    put_le64(a.hw_eui64, 0x000B57FFFE123456ull);
    uint8_t *k = ezsp_nv_elem(&a, TOK_KEY_TABLE, 3);
    for (int i = 0; i < EZSP_KEY_ENTRY_SIZE; i++)
        k[i] = (uint8_t)(i + 1);
    put_le32(ezsp_nv_elem(&a, TOK_NONCE_COUNTER, 0), 123456);
    a.mfg_custom_eui[0] = 0x01;
    a.addr[5].nwk = 0x1234;
    a.addr[5].eui64[7] = 0x99;
    a.key_rx_counter[3] = 777;
    cJSON *doc = ezsp_nv_to_json(&a);
    cr_assert_not_null(doc);
    char err[200] = "";
    cr_assert_eq(ezsp_nv_from_json(&b, doc, err, sizeof(err)), 0, "%s", err);
    for (size_t i = 0; i < a.n_tokens; i++) {
        const ezsp_token_def *d = a.tokens[i].def;
        cr_assert(memcmp(a.tokens[i].data, b.tokens[i].data, (size_t)d->size * d->array_size) == 0,
                  "token %s", d->name);
    }
    cr_assert(memcmp(a.hw_eui64, b.hw_eui64, 8) == 0);
    cr_assert(memcmp(a.mfg_custom_eui, b.mfg_custom_eui, 8) == 0);
    cr_assert_eq(b.addr[5].nwk, 0x1234);
    cr_assert_eq(b.addr[5].eui64[7], 0x99);
    cr_assert_eq(b.addr[4].nwk, 0xFFFF);
    cr_assert_eq(b.key_rx_counter[3], 777);
    /* the chip EUI64 is written MSB first, as --ieee takes it */
    cr_assert_str_eq(cJSON_GetObjectItem(doc, "hardware_eui64")->valuestring, "000b57fffe123456");
    cJSON_Delete(doc);
    ezsp_nv_free(&a);
    ezsp_nv_free(&b);
}

static void expect_refused(void (*mutate)(cJSON *doc), const char *want_prefix)
{
    ezsp_nv a, b;
    ezsp_nv_init(&a);
    ezsp_nv_init(&b);
    cJSON *doc = ezsp_nv_to_json(&a);
    mutate(doc);
    char err[200] = "";
    cr_assert_eq(ezsp_nv_from_json(&b, doc, err, sizeof(err)), -1);
    cr_assert(strncmp(err, want_prefix, strlen(want_prefix)) == 0, "message '%s'", err);
    cJSON_Delete(doc);
    ezsp_nv_free(&a);
    ezsp_nv_free(&b);
}

static void short_key(cJSON *doc)
{
    cJSON *arr = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tokens"), "STACK_KEYS"), "data");
    cJSON_ReplaceItemInArray(arr, 0, cJSON_CreateString("0011"));
}
static void unknown_token(cJSON *doc)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(t, "data"), cJSON_CreateString("00"));
    cJSON_AddItemToObject(cJSON_GetObjectItem(doc, "tokens"), "STACK_BOGUS", t);
}
static void wrong_format(cJSON *doc)
{
    cJSON_ReplaceItemInObject(doc, "format", cJSON_CreateString("zbemu-znp-nvram"));
}
static void bad_mfg(cJSON *doc)
{
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "mfg_tokens"), "MFG_CUSTOM_EUI_64",
                              cJSON_CreateString("xyz"));
}
static void short_key_table(cJSON *doc)
{
    cJSON *arr = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tokens"), "STACK_KEY_TABLE"), "data");
    cJSON_DeleteItemFromArray(arr, 0);
}

Test(ezsp_nv, corrupt_files_name_the_field)
{
    expect_refused(short_key, "tokens.STACK_KEYS.data[0]:");
    expect_refused(unknown_token, "tokens.STACK_BOGUS:");
    expect_refused(wrong_format, "format:");
    expect_refused(bad_mfg, "mfg_tokens.MFG_CUSTOM_EUI_64:");
    expect_refused(short_key_table, "tokens.STACK_KEY_TABLE.data:");
}

Test(ezsp_nv, factory_reset_exclusions)
{
    ezsp_nv nv;
    ezsp_nv_init(&nv);
    put_le32(ezsp_nv_elem(&nv, TOK_NONCE_COUNTER, 0), 5000);
    put_le32(ezsp_nv_elem(&nv, TOK_APS_FRAME_COUNTER, 0), 6000);
    put_le32(ezsp_nv_elem(&nv, TOK_BOOT_COUNTER, 0), 7);
    memset(ezsp_nv_elem(&nv, TOK_RESTORED_EUI64, 0), 0x11, 8);
    nv.mfg_custom_eui[0] = 0x22;
    ezsp_nv_factory_reset(&nv, true, false);
    cr_assert_eq(get_le32(ezsp_nv_elem(&nv, TOK_NONCE_COUNTER, 0)), 5000);
    cr_assert_eq(get_le32(ezsp_nv_elem(&nv, TOK_APS_FRAME_COUNTER, 0)), 6000);
    cr_assert_eq(get_le32(ezsp_nv_elem(&nv, TOK_BOOT_COUNTER, 0)), 0);
    assert_hex(ezsp_nv_elem(&nv, TOK_RESTORED_EUI64, 0), 8, "ffffffffffffffff");
    cr_assert_eq(nv.mfg_custom_eui[0], 0x22, "manufacturing tokens survive");
    ezsp_nv_factory_reset(&nv, false, false);
    cr_assert_eq(get_le32(ezsp_nv_elem(&nv, TOK_NONCE_COUNTER, 0)), 0);
    ezsp_nv_free(&nv);
}
