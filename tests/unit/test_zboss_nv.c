/* test_zboss_nv.c - the emulated ZBOSS NCP's NVRAM: zboss-ncp.md §8.3 (what NVRAM_CLEAR / a
 * factory reset keeps: RESERVED, IB_COUNTERS, APP_DATA1-4; what NVRAM_ERASE keeps: nothing but
 * the production IEEE), the JSON file round trip, and the startup errors that name the field
 * (a corrupt NVRAM file must never become a silent factory reset). */
#include "zboss_frontend.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static zboss_nv formed(void)
{
    zboss_nv nv;
    memset(&nv, 0, sizeof(nv));
    for (int i = 0; i < 8; i++)
        nv.ieee[i] = (uint8_t)(0x11 * (i + 1));
    zboss_nv_init_blank(&nv);
    nv.formed = true;
    nv.role = 0;
    nv.pan_id = 0x2A5C;
    nv.channel = 20;
    memcpy(nv.nwk_epid, "\xdd\x3c\x0f\xfe\xe1\xa2\xb3\xc4", 8);
    nv.key_present[0] = true;
    memset(nv.nwk_key[0], 0x5A, 16);
    static const uint8_t d[8] = {0x00, 0x04, 0, 0, 0, 0, 0, 0};
    static const int ids[] = {7, 9, 10, 11, 12, 14, 27, 28};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        cr_assert_eq(zboss_nv_ds_put(&nv, (uint16_t)ids[i], zboss_dataset_version((uint16_t)ids[i]),
                                     d, ids[i] == 11 ? 4 : 8),
                     0);
    return nv;
}

Test(zboss_nv, clear_keeps_counters_app_data_and_ieee)
{
    zboss_nv nv = formed();
    uint8_t ieee[8];
    memcpy(ieee, nv.ieee, 8);
    zboss_nv_clear(&nv);
    cr_assert(!nv.formed && nv.role == 3 && nv.channel == 0 && !nv.key_present[0]);
    cr_assert(nv.ds[7].present && nv.ds[7].len == 8, "IB_COUNTERS survives a factory reset");
    cr_assert(nv.ds[9].present && nv.ds[10].present && nv.ds[27].present && nv.ds[28].present);
    cr_assert(!nv.ds[11].present && !nv.ds[12].present && !nv.ds[14].present);
    cr_assert(memcmp(nv.ieee, ieee, 8) == 0);
    zboss_nv_free(&nv);
}

Test(zboss_nv, erase_keeps_only_the_ieee)
{
    zboss_nv nv = formed();
    zboss_nv_erase(&nv);
    for (int i = 0; i <= ZBOSS_DS_MAX; i++)
        cr_assert(!nv.ds[i].present, "dataset %d survived an erase", i);
    cr_assert(!nv.formed && nv.ieee[0] == 0x11);
    zboss_nv_free(&nv);
}

Test(zboss_nv, json_round_trip)
{
    zboss_nv nv = formed(), back;
    cJSON *doc = zboss_nv_to_json(&nv);
    cr_assert_not_null(doc);
    memset(&back, 0, sizeof(back));
    char err[200] = "";
    cr_assert_eq(zboss_nv_from_json(&back, doc, err, sizeof(err)), 0, "%s", err);
    cr_assert(back.formed && back.pan_id == 0x2A5C && back.channel == 20 && back.role == 0);
    cr_assert(memcmp(back.nwk_epid, nv.nwk_epid, 8) == 0 && memcmp(back.ieee, nv.ieee, 8) == 0);
    cr_assert(back.key_present[0] && !back.key_present[1] && back.nwk_key[0][15] == 0x5A);
    for (int i = 0; i <= ZBOSS_DS_MAX; i++) {
        cr_assert_eq(back.ds[i].present, nv.ds[i].present, "dataset %d", i);
        if (!nv.ds[i].present) continue;
        cr_assert(back.ds[i].len == nv.ds[i].len && back.ds[i].version == nv.ds[i].version);
        cr_assert(memcmp(back.ds[i].data, nv.ds[i].data, nv.ds[i].len) == 0);
    }
    cJSON_Delete(doc);
    zboss_nv_free(&nv);
    zboss_nv_free(&back);
}

/* Breaks one field of a good file and expects an error naming it. */
static void expect_error(const char *path, const char *bad_json, const char *want)
{
    zboss_nv nv = formed(), back;
    cJSON *doc = zboss_nv_to_json(&nv);
    cJSON *parent = doc;
    char p[64];
    snprintf(p, sizeof(p), "%s", path);
    char *dot = strchr(p, '.');
    if (dot) {
        *dot = 0;
        parent = cJSON_GetObjectItemCaseSensitive(doc, p);
    }
    cJSON *v = cJSON_Parse(bad_json);
    cr_assert_not_null(v);
    cJSON_ReplaceItemInObjectCaseSensitive(parent, dot ? dot + 1 : p, v);
    memset(&back, 0, sizeof(back));
    char err[200] = "";
    cr_assert_eq(zboss_nv_from_json(&back, doc, err, sizeof(err)), -1, "%s accepted", path);
    cr_assert(strstr(err, want), "error '%s' does not name '%s'", err, want);
    cJSON_Delete(doc);
    zboss_nv_free(&nv);
    zboss_nv_free(&back);
}

Test(zboss_nv, corrupt_fields_are_named)
{
    expect_error("format", "\"zbemu-znp\"", "format");
    expect_error("common.pan_id", "\"x\"", "common.pan_id");
    expect_error("common.channel", "27", "common.channel");
    expect_error("common.nwk_extended_pan_id", "\"00\"", "common.nwk_extended_pan_id");
    expect_error("common.nwk_keys", "[null]", "common.nwk_keys");
    expect_error("common.tc_policy", "[0,0,0]", "common.tc_policy");
    expect_error("production.ieee", "\"zz\"", "production.ieee");
    expect_error("datasets.7", "{\"version\":1,\"data\":\"0g\"}", "datasets.7.data");
    expect_error("datasets.7", "[]", "datasets.7");
}

Test(zboss_nv, formed_without_a_key_is_refused)
{
    zboss_nv nv = formed(), back;
    nv.key_present[0] = false;
    cJSON *doc = zboss_nv_to_json(&nv);
    memset(&back, 0, sizeof(back));
    char err[200] = "";
    cr_assert_eq(zboss_nv_from_json(&back, doc, err, sizeof(err)), -1);
    cr_assert(strstr(err, "common"), "%s", err);
    cJSON_Delete(doc);
    zboss_nv_free(&nv);
    zboss_nv_free(&back);
}
