/* test_ocb_inputs.c - what the harness reads (issues 13 and 17): strict JSON where readers
 * disagree (duplicate keys, NUL in strings, leading zeros), escaped and uncut messages,
 * zigpy-zboss's null source, zigpy's own network state, numbers kept as written, and the
 * declared losses `diff --to` applies. */
#include "driver.h"
#include "fileio.h"
#include "ocb.h"
#include "ocb_json.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE ZB_SOURCE_DIR "/vectors/backups/valid/base.json"

static char *base_text(void)
{
    size_t n;
    char *s = file_read_all(BASE, 1 << 20, &n);
    cr_assert_not_null(s);
    return s;
}

/* base.json with `from` replaced by `to` once, parsed with flags. */
static ocb_backup *variant(const char *from, const char *to, unsigned flags, ocb_report *r)
{
    char *s = base_text();
    char *at = strstr(s, from);
    cr_assert_not_null(at, "test bug: %s", from);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *v = malloc(n);
    snprintf(v, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    ocb_report_init(r);
    ocb_backup *b = ocb_parse_ex(v, strlen(v), flags, r);
    free(v);
    free(s);
    return b;
}

static int has_issue(const ocb_report *r, enum ocb_severity sev, const char *path, const char *part)
{
    for (size_t i = 0; i < r->n_issues; i++)
        if (r->issues[i].severity == sev && strcmp(r->issues[i].path, path) == 0 &&
            strstr(r->issues[i].message, part))
            return 1;
    return 0;
}

static void dump(const ocb_report *r)
{
    for (size_t i = 0; i < r->n_issues; i++)
        fprintf(stderr, "  %s: %s\n", r->issues[i].path, r->issues[i].message);
}

Test(inputs, duplicate_key_is_refused_with_its_path)
{
    ocb_report r;
    ocb_backup *b =
        variant("\"tx_counter\": 370,", "\"tx_counter\": 370, \"tx_counter\": 9,", 0, &r);
    cr_expect_null(b);
    if (!has_issue(&r, OCB_ERROR, "devices[2].link_key.tx_counter", "duplicate key")) dump(&r);
    cr_expect(has_issue(&r, OCB_ERROR, "devices[2].link_key.tx_counter", "duplicate key"));
    ocb_report_free(&r);
    b = variant("\"pan_id\": \"cd0a\",", "\"pan_id\": \"cd0a\", \"pan_id\": \"1234\",", 0, &r);
    cr_expect_null(b);
    cr_expect(has_issue(&r, OCB_ERROR, "pan_id", "Python and JavaScript keep the last"));
    ocb_report_free(&r);
}

Test(inputs, nul_in_a_string_is_refused)
{
    ocb_report r;
    ocb_backup *b = variant("1a0355fd7abb5dc588a34998f8ee1233",
                            "1a0355fd7abb5dc588a34998f8ee1233\\u0000junk", 0, &r);
    cr_expect_null(b);
    cr_expect(has_issue(&r, OCB_ERROR, "network_key.key", "\\u0000"));
    ocb_report_free(&r);
    ocb_report_init(&r);
    cr_expect_null(ocb_parse("\0{}", 3, &r));
    cr_expect(has_issue(&r, OCB_ERROR, "", "a NUL byte"));
    ocb_report_free(&r);
}

Test(inputs, leading_zeros_and_other_non_json_numbers_are_refused)
{
    static const char *const BAD[] = {"015", "-01", "00", "1.", ".5", "+1", "1e", "0x15", "1e400"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        ocb_report r;
        ocb_backup *b = variant("\"channel\": 21", "\"channel\": ", 0, &r);
        ocb_free(b);
        ocb_report_free(&r);
        char to[32];
        snprintf(to, sizeof(to), "\"channel\": %s", BAD[i]);
        b = variant("\"channel\": 21", to, 0, &r);
        cr_expect_null(b, "%s accepted", BAD[i]);
        cr_expect(r.n_errors > 0 && strstr(r.issues[0].message, "invalid JSON"), "%s: %s", BAD[i],
                  r.n_issues ? r.issues[0].message : "");
        ocb_free(b);
        ocb_report_free(&r);
    }
    ocb_report r;
    ocb_backup *b = variant("\"channel\": 21", "\"channel\": 015", 0, &r);
    cr_expect(has_issue(&r, OCB_ERROR, "channel", "015 is not a JSON number (leading zero)"));
    ocb_free(b);
    ocb_report_free(&r);
    /* what JSON does allow still parses */
    b = variant("\"channel\": 21", "\"channel\": 2.1e1", 0, &r);
    cr_expect_not_null(b);
    ocb_free(b);
    ocb_report_free(&r);
}

Test(inputs, raw_control_characters_in_strings_are_refused)
{
    ocb_report r;
    ocb_backup *b = variant("zbtools-vectors@1", "zbtools\tvectors@1", 0, &r);
    cr_expect_null(b);
    cr_expect(has_issue(&r, OCB_ERROR, "metadata.source", "control character 0x09"));
    ocb_report_free(&r);
}

Test(inputs, escape_sequences_from_the_file_are_escaped_in_messages)
{
    ocb_report r;
    ocb_backup *b =
        variant("\"channel\": 21,", "\"channel\": 21, \"\\u001b[2Jx\\u009b\": 1,", 0, &r);
    cr_expect_null(b);
    cr_assert_geq(r.n_issues, 1);
    cr_expect_str_eq(r.issues[0].path, "\\e[2Jx\\u009b");
    for (size_t i = 0; i < r.n_issues; i++) {
        cr_expect_null(strchr(r.issues[i].path, '\x1b'));
        cr_expect_null(strstr(r.issues[i].path, "\xc2\x9b"));
    }
    ocb_report_free(&r);
    b = variant("\"pan_id\": \"cd0a\"", "\"pan_id\": \"c\\u001bd\"", 0, &r);
    cr_expect_null(b);
    if (!has_issue(&r, OCB_ERROR, "pan_id", "found '\\e'")) dump(&r);
    cr_expect(has_issue(&r, OCB_ERROR, "pan_id", "found '\\e'"));
    ocb_report_free(&r);
}

Test(inputs, long_key_names_are_reported_whole)
{
    char key[400], to[450];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    snprintf(to, sizeof(to), "\"channel\": 21, \"%s\": 1,", key);
    ocb_report r;
    ocb_backup *b = variant("\"channel\": 21,", to, 0, &r);
    cr_expect_null(b);
    cr_expect(has_issue(&r, OCB_ERROR, key, "unknown key"));
    ocb_report_free(&r);
}

Test(inputs, source_null_is_an_error_for_validate_and_a_warning_for_use)
{
    ocb_report r;
    ocb_backup *b = variant("\"zbtools-vectors@1\"", "null", 0, &r);
    cr_expect_null(b);
    cr_expect(has_issue(&r, OCB_ERROR, "metadata.source", "got null"));
    ocb_report_free(&r);
    b = variant("\"zbtools-vectors@1\"", "null", OCB_PARSE_LENIENT, &r);
    cr_assert_not_null(b);
    cr_expect_eq(r.n_errors, 0);
    cr_expect(has_issue(&r, OCB_WARNING, "metadata.source", "zigpy-zboss"));
    cr_expect_null(b->source);
    ocb_free(b);
    ocb_report_free(&r);
    /* lenient is about null: a malformed string is still an error */
    b = variant("\"zbtools-vectors@1\"", "\"nover\"", OCB_PARSE_LENIENT, &r);
    cr_expect_null(b);
    ocb_report_free(&r);
}

Test(inputs, internal_numbers_are_kept_as_written)
{
    ocb_report r;
    ocb_backup *b =
        variant("\"note\": \"hand-made test vector\"",
                "\"v\": 3.3, \"big\": 12345678901234567890, \"e\": 1E+2, \"n\": -0.10", 0, &r);
    cr_assert_not_null(b);
    char *out = ocb_emit(b);
    cr_assert_not_null(out);
    cr_expect_not_null(strstr(out, "\"v\": 3.3,"), "%s", out);
    cr_expect_not_null(strstr(out, "\"big\": 12345678901234567890,"));
    cr_expect_not_null(strstr(out, "\"e\": 1E+2,"));
    cr_expect_not_null(strstr(out, "\"n\": -0.10\n"));
    /* and again after a clone (what restore and roundtrip do) */
    ocb_backup *c = ocb_clone(b);
    char *out2 = ocb_emit(c);
    cr_expect_str_eq(out, out2);
    free(out);
    free(out2);
    ocb_free(c);
    ocb_free(b);
    ocb_report_free(&r);
}

Test(inputs, json_parser_builds_the_same_tree_as_before)
{
    const char *doc = "{\"a\": [1, 2.5, \"x\\n\\u00e9\\ud83d\\ude00\", true, false, null, {}], "
                      "\"b\": {\"c\": []}}";
    ocb_report r;
    ocb_report_init(&r);
    cJSON *j = ocb_json_parse(doc, strlen(doc), &r);
    cr_assert_not_null(j);
    cJSON *ref = cJSON_Parse(doc);
    cr_expect(cJSON_Compare(j, ref, 1));
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "a"), 2)->valuestring,
                     "x\n\xc3\xa9\xf0\x9f\x98\x80");
    cJSON_Delete(ref);
    cJSON_Delete(j);
    ocb_report_free(&r);
}

Test(inputs, deep_nesting_is_refused_without_recursing_far)
{
    static char deep[200001];
    memset(deep, '[', 100000);
    memset(deep + 100000, ']', 100000);
    ocb_report r;
    ocb_report_init(&r);
    cr_expect_null(ocb_parse(deep, 200000, &r));
    cr_expect(has_issue(&r, OCB_ERROR, "", "nested deeper than 32"));
    ocb_report_free(&r);
}

Test(inputs, zigpy_state_is_named_and_converts_to_the_same_network)
{
    size_t n;
    char *z = file_read_all(ZB_SOURCE_DIR "/vectors/zigpy/network-backup-v1.json", 1 << 20, &n);
    cr_assert_not_null(z);
    ocb_report r;
    ocb_report_init(&r);
    cr_expect_null(ocb_parse(z, n, &r));
    cr_expect_eq(r.n_issues, 1, "one clear message, not a list of missing keys");
    cr_expect(has_issue(&r, OCB_ERROR, "", "zigpy's own network state"));
    cr_expect(has_issue(&r, OCB_ERROR, "", "--from-zigpy"));
    ocb_report_free(&r);

    ocb_report_init(&r);
    ocb_backup *conv = ocb_parse_ex(z, n, OCB_PARSE_FROM_ZIGPY, &r);
    if (!conv) dump(&r);
    cr_assert_not_null(conv);
    ocb_report_free(&r);
    char *t = base_text();
    ocb_report_init(&r);
    ocb_backup *base = ocb_parse(t, strlen(t), &r);
    cr_assert_not_null(base);
    ocb_diff_result d;
    ocb_diff_rules exact = {NULL, 0, 0};
    cr_expect_eq(ocb_diff(base, conv, &exact, &d), 0, "%zu differences, first %s", d.n,
                 d.n ? d.items[0].path : "");
    ocb_diff_result_free(&d);
    cr_expect_str_eq(conv->source, "zigpy-znp@0.12.0");
    const cJSON *node = cJSON_GetObjectItem(conv->internal, "node");
    cr_expect_str_eq(cJSON_GetObjectItem(node, "model")->valuestring, "CC2652R");
    char *out = ocb_emit(conv);
    cr_expect_not_null(strstr(out, "\"version\": 3.3\n"), "zigpy metadata kept as written");
    free(out);
    ocb_free(conv);
    ocb_free(base);
    free(t);
    free(z);
    ocb_report_free(&r);
}

Test(inputs, zigpy_state_errors_name_the_zigpy_field)
{
    const char *doc = "{\"network_info\": {\"extended_pan_id\": \"00:12\"}, \"node_info\": {}}";
    ocb_report r;
    ocb_report_init(&r);
    cr_expect_null(ocb_parse_ex(doc, strlen(doc), OCB_PARSE_FROM_ZIGPY, &r));
    cr_expect(has_issue(&r, OCB_ERROR, "network_info.extended_pan_id", "8 bytes"));
    cr_expect(has_issue(&r, OCB_ERROR, "node_info.ieee", "missing"));
    ocb_report_free(&r);
}

Test(inputs, herdsman_quirk_warning_says_format_repairs_it)
{
    ocb_report r;
    char *t = base_text();
    char *v = malloc(strlen(t) + 64);
    char *at = strstr(t, "\"cd0a\"");
    sprintf(v, "%.*s\"d0a\"%s", (int)(at - t), t, at + 6);
    char *src = strstr(v, "zbtools-vectors@1");
    memcpy(src, "zigbee-herdsman@", 16); /* same length: "zigbee-herdsman@1" */
    ocb_report_init(&r);
    ocb_backup *b = ocb_parse(v, strlen(v), &r);
    if (!b) dump(&r);
    cr_assert_not_null(b);
    cr_expect(has_issue(&r, OCB_WARNING, "pan_id", "`zbharness format` writes it padded"));
    ocb_free(b);
    ocb_report_free(&r);
    free(v);
    free(t);
}

Test(inputs, declared_losses_by_stack_and_target_name)
{
    static const struct {
        const char *name, *field;
    } HAS[] = {
        {"ezsp", "devices[].link_key.rx_counter"},
        {"ezsp-v13", "devices[].link_key.rx_counter"},
        {"ember", "stack_specific.zstack.tclk_seed"},
        {"zboss", "devices[].link_key.tx_counter"},
        {"znp-zstack12", "devices[].link_key.key"},
        {"znp", "stack_specific.ezsp.hashed_tclk"},
        {"znp-zstack3x0", "stack_specific.ezsp.hashed_tclk"},
        {"ezsp-v8", "devices[].is_child"}, /* EmberZNet 6.x has no setChildData */
    };
    for (size_t i = 0; i < sizeof(HAS) / sizeof(HAS[0]); i++) {
        const zbh_loss *l = zbh_declared_losses(HAS[i].name);
        cr_assert_not_null(l, "%s", HAS[i].name);
        int found = 0;
        for (; l->field; l++)
            found |= strcmp(l->field, HAS[i].field) == 0;
        cr_expect(found, "%s should declare %s", HAS[i].name, HAS[i].field);
    }
    for (const zbh_loss *l = zbh_declared_losses("znp-zstack3x0"); l->field; l++)
        cr_expect_neq(strcmp(l->field, "devices[].link_key.key"), 0, "3.x stores link keys");
    for (const zbh_loss *l = zbh_declared_losses("ezsp-v19"); l->field; l++)
        cr_expect_neq(strcmp(l->field, "devices[].is_child"), 0, "v9+ keep children");
    cr_expect_null(zbh_declared_losses("deconz"));
    cr_expect_null(zbh_declared_losses("ezsp-v99"));
    cr_expect_null(zbh_declared_losses("ezsp-v"));
}

/* Issue 26: raw bytes in strings and key names are UTF-8 per RFC 3629, or the file is refused
 * (zigpy's json.load refuses it, Node reads U+FFFD): each kind named, with its byte offset. */
static const struct {
    const char *bytes, *kind;
} BAD_UTF8[] = {
    {"\xC0\xAF", "overlong form"},                     /* '/' in two bytes */
    {"\xC1\xBF", "overlong form"},                     /* U+007F in two bytes */
    {"\xE0\x80\xAF", "overlong form"},                 /* '/' in three bytes */
    {"\xE0\x9F\xBF", "overlong form"},                 /* U+07FF in three bytes */
    {"\xF0\x80\x80\xAF", "overlong form"},             /* '/' in four bytes */
    {"\xF0\x8F\xBF\xBF", "overlong form"},             /* U+FFFF in four bytes */
    {"\xED\xA0\x80", "UTF-16 surrogate (CESU-8)"},     /* U+D800 */
    {"\xED\xBF\xBF", "UTF-16 surrogate (CESU-8)"},     /* U+DFFF */
    {"\xED\xA0\xBD\xED\xB8\x80", "UTF-16 surrogate"},  /* CESU-8 of U+1F600 */
    {"\xFF", "never occurs in UTF-8"},                 /* */
    {"\xFE", "never occurs in UTF-8"},                 /* */
    {"\xFF\xFE", "never occurs in UTF-8"},             /* a UTF-16 BOM */
    {"\x80", "continuation byte without a lead byte"}, /* */
    {"\xBF\xBF", "continuation byte without a lead byte"},
    {"\xC3", "truncated sequence"},                    /* é without its second byte */
    {"\xC3x", "truncated sequence"},                   /* */
    {"\xE4\xB8", "truncated sequence"},                /* 中 cut short */
    {"\xF0\x9F\x98", "truncated sequence"},            /* 😀 cut short */
    {"\xF0\x9F\x98\xC3\xA9", "truncated sequence"},    /* a new lead inside a sequence */
    {"\xF4\x90\x80\x80", "code point above U+10FFFF"}, /* U+110000 */
    {"\xF5\x80\x80\x80", "code point above U+10FFFF"}, /* */
    {"\xF7\xBF\xBF\xBF", "code point above U+10FFFF"}, /* U+1FFFFF */
    {"\xF8\x88\x80\x80\x80", "never occurs in UTF-8"}, /* the old five-byte form */
};

Test(inputs, invalid_utf8_in_a_string_value_is_refused_with_offset_and_kind)
{
    for (size_t i = 0; i < sizeof(BAD_UTF8) / sizeof(BAD_UTF8[0]); i++) {
        char to[64];
        snprintf(to, sizeof(to), "zbtools%s-vectors@1", BAD_UTF8[i].bytes);
        ocb_report r;
        ocb_backup *b = variant("zbtools-vectors@1", to, 0, &r);
        cr_expect_null(b, "case %zu accepted", i);
        ocb_free(b);
        char *s = base_text();
        size_t at = (size_t)(strstr(s, "zbtools-vectors@1") - s) + strlen("zbtools");
        free(s);
        char want[64];
        snprintf(want, sizeof(want), "invalid UTF-8 at byte %zu ", at);
        cr_expect(has_issue(&r, OCB_ERROR, "metadata.source", want), "case %zu: no '%s'", i, want);
        cr_expect(has_issue(&r, OCB_ERROR, "metadata.source", BAD_UTF8[i].kind),
                  "case %zu: no '%s'", i, BAD_UTF8[i].kind);
        if (r.n_issues != 1) dump(&r);
        ocb_report_free(&r);
    }
}

Test(inputs, invalid_utf8_in_a_key_name_is_refused)
{
    for (size_t i = 0; i < sizeof(BAD_UTF8) / sizeof(BAD_UTF8[0]); i++) {
        char text[128];
        int n =
            snprintf(text, sizeof(text), "{\"stack_specific\": {\"x%s\": 1}}", BAD_UTF8[i].bytes);
        ocb_report r;
        ocb_report_init(&r);
        cJSON *j = ocb_json_parse(text, (size_t)n, &r);
        cr_expect_null(j, "case %zu accepted", i);
        cJSON_Delete(j);
        cr_expect(has_issue(&r, OCB_ERROR, "stack_specific", "invalid UTF-8 at byte 22 "),
                  "case %zu", i);
        cr_expect(has_issue(&r, OCB_ERROR, "stack_specific", BAD_UTF8[i].kind), "case %zu", i);
        if (r.n_issues != 1) dump(&r);
        ocb_report_free(&r);
    }
}

Test(inputs, valid_multibyte_text_is_accepted_raw_and_escaped)
{
    /* é, 中, 😀, and the edges of each length: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD,
     * U+10000, U+10FFFF */
    static const char RAW[] = "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80"
                              "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBD"
                              "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
    char text[512];
    int n = snprintf(text, sizeof(text),
                     "{\"raw\": \"%s\", \"esc\": \"\\u00e9\\u4e2d\\ud83d\\ude00\\u0080\\u07ff"
                     "\\u0800\\ud7ff\\ue000\\ufffd\\ud800\\udc00\\udbff\\udfff\", \"%s\": 1}",
                     RAW, RAW);
    ocb_report r;
    ocb_report_init(&r);
    cJSON *j = ocb_json_parse(text, (size_t)n, &r);
    cr_assert_not_null(j);
    cr_expect_eq(r.n_issues, 0);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "raw")->valuestring, RAW);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "esc")->valuestring, RAW);
    cr_expect_not_null(cJSON_GetObjectItem(j, RAW));
    cJSON_Delete(j);
    ocb_report_free(&r);
    /* and in a whole backup, with the emitter writing it back byte for byte */
    static const char SOURCE[] = "zbtools-\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80@1";
    ocb_backup *b = variant("zbtools-vectors@1", SOURCE, 0, &r);
    cr_assert_not_null(b);
    char *out = ocb_emit(b);
    cr_assert_not_null(out);
    cr_expect_not_null(strstr(out, SOURCE));
    free(out);
    ocb_free(b);
    ocb_report_free(&r);
}
