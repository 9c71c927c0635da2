/* test_ocb.c - the backup model: parse, checks, canonical emit, diff.
 *
 * The canonical form is checked against an independent canonicaliser written here on cJSON
 * (lowercase hex, padded addresses, is_child default, devices sorted): emit(parse(x)) must be
 * JSON-equal to it for every valid vector, and emitting twice must give identical bytes. */
#include "fileio.h"
#include "ocb.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VECTORS ZB_SOURCE_DIR "/vectors/backups"

static const char *MINIMAL =
    "{\"metadata\":{\"format\":\"zigpy/open-coordinator-backup\",\"version\":1,"
    "\"source\":\"test@1\"},\"coordinator_ieee\":\"00124B0009D80BA7\",\"pan_id\":\"CD0A\","
    "\"extended_pan_id\":\"00124b0009d69f77\",\"nwk_update_id\":0,\"security_level\":5,"
    "\"channel\":21,\"channel_mask\":[21,11],\"network_key\":{\"key\":"
    "\"1a0355fd7abb5dc588a34998f8ee1233\",\"sequence_number\":0,\"frame_counter\":108522},"
    "\"devices\":[{\"nwk_address\":\"1ad9\",\"ieee_address\":\"04cf8cdf3c79455f\","
    "\"link_key\":{\"key\":\"9c88e969f3d3d23cd557304f2ac9cb97\",\"rx_counter\":6,"
    "\"tx_counter\":10098}},{\"nwk_address\":null,\"ieee_address\":\"00158d0002ec571d\","
    "\"is_child\":false}]}";

static ocb_backup *parse_str(const char *s, ocb_report *r)
{
    ocb_report_init(r);
    return ocb_parse(s, strlen(s), r);
}

/* Replace `from` with `to` once in MINIMAL and parse; returns the first issue's path. */
static ocb_backup *parse_variant(const char *from, const char *to, ocb_report *r)
{
    const char *at = strstr(MINIMAL, from);
    cr_assert(at, "test bug: '%s' not in MINIMAL", from);
    size_t n = strlen(MINIMAL) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - MINIMAL), MINIMAL, to, at + strlen(from));
    ocb_backup *b = parse_str(s, r);
    free(s);
    return b;
}

Test(ocb, parses_every_field)
{
    ocb_report r;
    ocb_backup *b = parse_str(MINIMAL, &r);
    cr_assert_not_null(b, "errors: %zu (%s: %s)", r.n_errors, r.n_issues ? r.issues[0].path : "",
                       r.n_issues ? r.issues[0].message : "");
    cr_expect_eq(b->coordinator_ieee, 0x00124b0009d80ba7ull);
    cr_expect_eq(b->pan_id, 0xcd0a);
    cr_expect_eq(b->extended_pan_id, 0x00124b0009d69f77ull);
    cr_expect_eq(b->channel, 21);
    cr_expect_eq(b->channel_mask, (1u << 21) | (1u << 11));
    cr_expect_eq(b->network_key.key[0], 0x1a);
    cr_expect_eq(b->network_key.key[15], 0x33);
    cr_expect_eq(b->network_key.frame_counter, 108522u);
    cr_assert_eq(b->n_devices, 2);
    cr_expect(b->devices[0].is_child, "is_child defaults to true");
    cr_expect(b->devices[0].has_link_key);
    cr_expect_eq(b->devices[0].link_key.tx_counter, 10098u);
    cr_expect_eq(b->devices[0].link_key.rx_counter, 6u);
    cr_expect(!b->devices[1].has_nwk);
    cr_expect(!b->devices[1].is_child);
    cr_expect_str_eq(b->source, "test@1");
    ocb_free(b);
    ocb_report_free(&r);
}

static void expect_error(const char *from, const char *to, const char *path, const char *msg_part)
{
    ocb_report r;
    ocb_backup *b = parse_variant(from, to, &r);
    cr_expect_null(b, "'%s' -> '%s' should be rejected", from, to);
    int found = 0;
    for (size_t i = 0; i < r.n_issues; i++)
        if (r.issues[i].severity == OCB_ERROR && strcmp(r.issues[i].path, path) == 0 &&
            strstr(r.issues[i].message, msg_part))
            found = 1;
    cr_expect(found, "expected error at %s containing '%s'; first issue: %s: %s", path, msg_part,
              r.n_issues ? r.issues[0].path : "(none)", r.n_issues ? r.issues[0].message : "");
    ocb_free(b);
    ocb_report_free(&r);
}

Test(ocb, errors_name_path_and_reason)
{
    expect_error("\"9c88e969f3d3d23cd557304f2ac9cb97\"", "\"9c88e969f3d3d23c\"",
                 "devices[0].link_key.key", "expected 32 hex digits, got 16");
    expect_error("\"04cf8cdf3c79455f\"", "\"04cf8cdf3c79455z\"", "devices[0].ieee_address",
                 "found 'z' at position 15");
    expect_error("\"channel\":21", "\"channel\":27", "channel", "out of range 11..26");
    expect_error("\"channel\":21", "\"channel\":12", "channel", "not in channel_mask");
    expect_error("\"CD0A\"", "\"ffff\"", "pan_id", "ffff");
    expect_error("\"00124b0009d69f77\"", "\"0000000000000000\"", "extended_pan_id", "reserved");
    expect_error("\"00124b0009d69f77\"", "\"FFFFFFFFFFFFFFFF\"", "extended_pan_id", "reserved");
    expect_error("108522", "4294967296", "network_key.frame_counter", "out of range");
    expect_error("108522", "-1", "network_key.frame_counter", "out of range");
    expect_error("108522", "1.5", "network_key.frame_counter", "expected an integer");
    expect_error("\"sequence_number\":0", "\"sequence_number\":256", "network_key.sequence_number",
                 "out of range");
    expect_error("\"security_level\":5", "\"security_level\":8", "security_level", "out of range");
    expect_error("\"channel\":21", "\"channel\":\"21\"", "channel", "got string");
    expect_error("\"version\":1", "\"version\":2", "metadata.version", "not supported");
    expect_error("\"format\":\"zigpy/open-coordinator-backup\",", "", "metadata.format",
                 "missing required key");
    expect_error("\"source\":\"test@1\"", "\"source\":\"test\"", "metadata.source", "name@version");
    expect_error("\"nwk_update_id\":0,", "\"nwk_update_id\":0,\"extra\":1,", "extra",
                 "unknown key");
    expect_error("\"nwk_address\":\"1ad9\"", "\"nwk_address\":\"1ad\"", "devices[0].nwk_address",
                 "expected 4 hex digits, got 3");
    expect_error("\"is_child\":false", "\"is_child\":0", "devices[1].is_child", "boolean");
    expect_error("\"00158d0002ec571d\"", "\"04cf8cdf3c79455f\"", "devices[1].ieee_address",
                 "duplicate IEEE address 04cf8cdf3c79455f (also devices[0])");
    expect_error("[21,11]", "[21,21]", "channel_mask[1]", "listed twice");
    expect_error("[21,11]", "[]", "channel_mask", "at least one");
}

Test(ocb, document_level_errors)
{
    static const char *bad[] = {"", "{", "[1,2]", "{\"metadata\":", "{} junk", "nul\x01l"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ocb_report r;
        ocb_backup *b = parse_str(bad[i], &r);
        cr_expect_null(b, "input %zu", i);
        cr_expect_geq(r.n_errors, 1);
        ocb_report_free(&r);
    }
    /* 10000 nested arrays: refused by the parser's nesting limit, no stack overflow */
    size_t n = 20000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n / 2);
    memset(deep + n / 2, ']', n / 2);
    deep[n] = '\0';
    ocb_report r;
    cr_expect_null(parse_str(deep, &r));
    cr_expect_eq(r.n_errors, 1);
    ocb_report_free(&r);
    free(deep);
}

Test(ocb, herdsman_unpadded_pan_is_a_warning)
{
    ocb_report r;
    ocb_backup *b =
        parse_variant("\"source\":\"test@1\"", "\"source\":\"zigbee-herdsman@0.1\"", &r);
    ocb_free(b);
    ocb_report_free(&r);
    /* same document from herdsman with pan "244": accepted, warned, read as 0x0244 */
    const char *s = strstr(MINIMAL, "\"CD0A\"");
    cr_assert(s);
    char doc[2048];
    snprintf(doc, sizeof(doc), "%.*s\"244\"%s", (int)(s - MINIMAL), MINIMAL, s + 6);
    char *src = strstr(doc, "test@1");
    char doc2[2100];
    snprintf(doc2, sizeof(doc2), "%.*szigbee-herdsman@1%s", (int)(src - doc), doc, src + 6);
    b = parse_str(doc2, &r);
    cr_assert_not_null(b);
    cr_expect_eq(b->pan_id, 0x0244);
    cr_expect_eq(r.n_warnings, 1);
    cr_expect_str_eq(r.issues[0].path, "pan_id");
    ocb_free(b);
    ocb_report_free(&r);
    /* from anybody else, the same text is an error */
    expect_error("\"CD0A\"", "\"244\"", "pan_id", "expected 4 hex digits, got 3");
}

/* ---- independent canonicaliser for the emit test ---- */

static void lower(cJSON *s)
{
    for (char *p = s->valuestring; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

static void pad4(cJSON *parent, const char *key)
{
    cJSON *s = cJSON_GetObjectItem(parent, key);
    if (!s || !cJSON_IsString(s)) return;
    char buf[8];
    snprintf(buf, sizeof(buf), "%4s", s->valuestring);
    for (char *p = buf; *p; p++)
        if (*p == ' ') *p = '0';
    cJSON_SetValuestring(s, buf);
    lower(s);
}

static int by_ieee(const void *a, const void *b)
{
    const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
    return strcmp(cJSON_GetObjectItem(x, "ieee_address")->valuestring,
                  cJSON_GetObjectItem(y, "ieee_address")->valuestring);
}

static int by_int(const void *a, const void *b)
{
    double x = (*(cJSON *const *)a)->valuedouble, y = (*(cJSON *const *)b)->valuedouble;
    return (x > y) - (x < y);
}

static void sort_array(cJSON *parent, const char *key, int (*cmp)(const void *, const void *))
{
    cJSON *arr = cJSON_DetachItemFromObject(parent, key);
    int n = cJSON_GetArraySize(arr);
    cJSON **items = calloc((size_t)n + 1, sizeof(*items));
    for (int i = n - 1; i >= 0; i--)
        items[i] = cJSON_DetachItemFromArray(arr, i);
    qsort(items, (size_t)n, sizeof(*items), cmp);
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, items[i]);
    free(items);
    cJSON_AddItemToObject(parent, key, arr);
}

static cJSON *canonicalise(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    lower(cJSON_GetObjectItem(j, "coordinator_ieee"));
    lower(cJSON_GetObjectItem(j, "extended_pan_id"));
    pad4(j, "pan_id");
    lower(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "network_key"), "key"));
    cJSON *ss = cJSON_GetObjectItem(j, "stack_specific");
    cJSON *z = ss ? cJSON_GetObjectItem(ss, "zstack") : NULL;
    if (z && cJSON_GetObjectItem(z, "tclk_seed")) lower(cJSON_GetObjectItem(z, "tclk_seed"));
    cJSON *e = ss ? cJSON_GetObjectItem(ss, "ezsp") : NULL;
    if (e && cJSON_GetObjectItem(e, "hashed_tclk")) lower(cJSON_GetObjectItem(e, "hashed_tclk"));
    cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(j, "devices"))
    {
        lower(cJSON_GetObjectItem(d, "ieee_address"));
        pad4(d, "nwk_address");
        if (!cJSON_GetObjectItem(d, "is_child")) cJSON_AddTrueToObject(d, "is_child");
        cJSON *lk = cJSON_GetObjectItem(d, "link_key");
        if (lk) lower(cJSON_GetObjectItem(lk, "key"));
    }
    sort_array(j, "devices", by_ieee);
    sort_array(j, "channel_mask", by_int);
    return j;
}

static void check_emit(const char *path)
{
    size_t len;
    char *text = file_read_all(path, OCB_MAX_FILE, &len);
    cr_assert_not_null(text, "%s", path);
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_parse(text, len, &r);
    cr_assert_not_null(b, "%s: %s: %s", path, r.n_issues ? r.issues[0].path : "",
                       r.n_issues ? r.issues[0].message : "");
    char *out = ocb_emit(b);
    cJSON *want = canonicalise(text), *got = cJSON_Parse(out);
    cr_expect(cJSON_Compare(want, got, 1), "%s: emit(parse(x)) != canonical(x):\n%s", path, out);
    /* canonical means fixed point: parse(emit) emits the same bytes */
    ocb_report r2;
    ocb_report_init(&r2);
    ocb_backup *b2 = ocb_parse(out, strlen(out), &r2);
    cr_assert_not_null(b2);
    char *out2 = ocb_emit(b2);
    cr_expect_str_eq(out, out2, "%s: emit is not a fixed point", path);
    ocb_diff_result d;
    cr_expect_eq(ocb_diff(b, b2, NULL, &d), 0, "%s: reparsed backup differs", path);
    ocb_diff_result_free(&d);
    free(out2);
    ocb_free(b2);
    ocb_report_free(&r2);
    cJSON_Delete(want);
    cJSON_Delete(got);
    free(out);
    ocb_free(b);
    ocb_report_free(&r);
    free(text);
}

Test(ocb, emit_is_canonical_for_every_valid_vector)
{
    DIR *d = opendir(VECTORS "/valid");
    cr_assert_not_null(d, "no " VECTORS "/valid");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0) continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/valid/%s", VECTORS, de->d_name);
        check_emit(path);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 5, "expected at least 5 valid vectors, found %d", n);
}

Test(ocb, emit_text_shape)
{
    ocb_report r;
    ocb_backup *b = parse_str(MINIMAL, &r);
    cr_assert_not_null(b);
    char *out = ocb_emit(b);
    /* key order, lowercase, sorted devices, 2-space indent, trailing newline */
    const char *order[] = {"\"metadata\"",         "\"coordinator_ieee\": \"00124b0009d80ba7\"",
                           "\"pan_id\": \"cd0a\"", "\"extended_pan_id\"",
                           "\"nwk_update_id\"",    "\"security_level\"",
                           "\"channel\": 21",      "\"channel_mask\"",
                           "\"network_key\"",      "\"devices\"",
                           "00158d0002ec571d",     "04cf8cdf3c79455f"};
    const char *pos = out;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *p = strstr(pos, order[i]);
        cr_assert(p, "'%s' missing or out of order in:\n%s", order[i], out);
        pos = p;
    }
    cr_expect(strstr(out, "\n  \"pan_id\""), "2-space indent");
    cr_expect_eq(out[strlen(out) - 1], '\n');
    cr_expect(strstr(out, "\"channel_mask\": [\n    11,\n    21\n  ]"), "mask sorted:\n%s", out);
    free(out);
    ocb_free(b);
    ocb_report_free(&r);
}

/* ---- diff ---- */

Test(ocb_diff, round_trip_rules)
{
    ocb_report r;
    ocb_backup *a = parse_str(MINIMAL, &r);
    ocb_report_free(&r);
    ocb_backup *b = ocb_clone(a);
    cr_assert_not_null(b);
    ocb_diff_result d;
    cr_expect_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 0);
    ocb_diff_result_free(&d);

    /* counters may rise within the increment, never fall */
    b->network_key.frame_counter += 2500;
    b->devices[0].link_key.tx_counter += 2500;
    cr_expect_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 0);
    ocb_diff_result_free(&d);
    cr_expect_eq(ocb_diff(a, b, NULL, &d), 2, "exact comparison sees both counters");
    ocb_diff_result_free(&d);
    b->network_key.frame_counter = a->network_key.frame_counter - 1;
    cr_assert_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 1);
    cr_expect_str_eq(d.items[0].path, "network_key.frame_counter");
    cr_expect_str_eq(d.items[0].why, "counter went backwards");
    cr_expect_str_eq(d.items[0].a, "108522");
    cr_expect_str_eq(d.items[0].b, "108521");
    ocb_diff_result_free(&d);
    b->network_key.frame_counter = a->network_key.frame_counter + 200000;
    cr_assert_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 1);
    cr_expect_str_eq(d.items[0].why, "counter rose more than allowed");
    ocb_diff_result_free(&d);
    b->network_key.frame_counter = a->network_key.frame_counter;

    /* devices are matched by IEEE, not position */
    ocb_device t = b->devices[0];
    b->devices[0] = b->devices[1];
    b->devices[1] = t;
    cr_expect_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 0);
    ocb_diff_result_free(&d);

    /* each difference names the device and field, with both values */
    b->devices[1].nwk = 0x1234;
    b->devices[0].is_child = true;
    b->pan_id = 0x1111;
    cr_assert_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 3);
    cr_expect_str_eq(d.items[0].path, "pan_id");
    cr_expect_str_eq(d.items[0].a, "cd0a");
    cr_expect_str_eq(d.items[0].b, "1111");
    cr_expect_str_eq(d.items[1].path, "devices[04cf8cdf3c79455f].nwk_address");
    cr_expect_str_eq(d.items[2].path, "devices[00158d0002ec571d].is_child");
    ocb_diff_result_free(&d);

    /* a lost device, and ignore rules */
    b->n_devices = 1;
    ocb_rule ign[] = {{"pan_id", OCB_CMP_IGNORE},
                      {"devices[].nwk_address", OCB_CMP_IGNORE},
                      {"devices[].is_child", OCB_CMP_IGNORE}};
    ocb_diff_rules rules = {ign, 3, 0};
    cr_assert_eq(ocb_diff(a, b, &rules, &d), 1);
    cr_expect_str_eq(d.items[0].why, "device missing after restore");
    ocb_diff_result_free(&d);
    ocb_rule unknown[] = {{"no_such_field", OCB_CMP_IGNORE}};
    ocb_diff_rules bad = {unknown, 1, 0};
    cr_expect_eq(ocb_diff(a, b, &bad, &d), -1);
    ocb_free(a);
    ocb_free(b);
}

Test(ocb_diff, keys_are_redacted)
{
    ocb_report r;
    ocb_backup *a = parse_str(MINIMAL, &r);
    ocb_report_free(&r);
    ocb_backup *b = ocb_clone(a);
    b->network_key.key[0] ^= 1;
    ocb_diff_result d;
    cr_assert_eq(ocb_diff(a, b, &OCB_RULES_ROUNDTRIP, &d), 1);
    cr_expect_str_eq(d.items[0].path, "network_key.key");
    cr_expect_null(strstr(d.items[0].a, "1a0355"), "key printed: %s", d.items[0].a);
    ocb_diff_result_free(&d);
    ocb_free(a);
    ocb_free(b);
}
