/* ocb_parse.c - read and check an open coordinator backup into the model.
 *
 * Why by hand on top of cJSON instead of a schema library: every problem must name its JSON
 * path and say what was expected ("devices[3].link_key.key: expected 32 hex digits, got 16"),
 * semantic rules (channel in mask, unique IEEEs; ocb_check.c) need the whole document, and
 * known quirks of real implementations are warnings, not failures. This file owns the shape of
 * each value; it calls the rules of ocb_check.c as it reads, so problems come in document order.
 * The stack_specific keys the model knows move into their typed fields; the others are kept
 * verbatim, in order. */
#include "ocb_internal.h"

#include "fileio.h"
#include "hex.h"
#include "log.h"
#include "ocb_json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parsing context: the report plus whether the document came from herdsman (quirks). */
typedef struct pctx {
    ocb_report *r;
    int from_herdsman;
    unsigned flags; /* OCB_PARSE_* */
} pctx;

static void err(pctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err(pctx *c, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ocb_report_vadd(c->r, OCB_ERROR, path, fmt, ap);
    va_end(ap);
}

static const char *json_type_name(const cJSON *j)
{
    if (cJSON_IsNull(j)) return "null";
    if (cJSON_IsBool(j)) return "boolean";
    if (cJSON_IsNumber(j)) return "number";
    if (cJSON_IsString(j)) return "string";
    if (cJSON_IsArray(j)) return "array";
    if (cJSON_IsObject(j)) return "object";
    return "invalid";
}

/* Paths are for messages: a path longer than the buffer (only from absurd key names) is cut
 * with a trailing "..." rather than failing the parse. */
static void join_path(char *out, size_t cap, const char *base, const char *key)
{
    int n = base[0] ? snprintf(out, cap, "%s.%s", base, key) : snprintf(out, cap, "%s", key);
    if (n >= 0 && (size_t)n >= cap && cap > 4) memcpy(out + cap - 4, "...", 4);
}

/* The keys an object may hold; anything else is an error where the spec is closed. */
static void check_keys(pctx *c, const cJSON *obj, const char *path, const char *const *allowed)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (it->string && strcmp(it->string, *a) == 0) ok = 1;
        if (!ok) { /* the key comes from the file: any length, reported whole */
            const char *k = it->string ? it->string : "?";
            char *p = path[0] ? zb_strdup_printf("%s.%s", path, k) : strdup(k);
            err(c, p ? p : path, "unknown key (the format does not define it)");
            free(p);
        }
    }
}

/* Fetch a member, reporting a missing required one. */
static const cJSON *member(pctx *c, const cJSON *obj, const char *path, const char *key,
                           int required)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!j && required) {
        char p[96];
        join_path(p, sizeof(p), path, key);
        err(c, p, "missing required key");
    }
    return j;
}

static int get_uint(pctx *c, const cJSON *j, const char *path, double max, uint64_t *out)
{
    if (!cJSON_IsNumber(j)) {
        err(c, path, "expected an integer, got %s", json_type_name(j));
        return -1;
    }
    double v = j->valuedouble;
    if (v != floor(v) || isnan(v)) {
        err(c, path, "expected an integer, got %g", v);
        return -1;
    }
    if (v < 0 || v > max) {
        err(c, path, "%.0f is out of range 0..%.0f", v, max);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* Hex fields: exactly `n` bytes as 2n hex digits, either case. */
static int get_hex(pctx *c, const cJSON *j, const char *path, uint8_t *out, size_t n)
{
    if (!cJSON_IsString(j)) {
        err(c, path, "expected a string of %zu hex digits, got %s", 2 * n, json_type_name(j));
        return -1;
    }
    const char *s = j->valuestring;
    size_t span = hex_span(s), len = strlen(s);
    if (span != len) {
        err(c, path, "expected %zu hex digits, found '%c' at position %zu", 2 * n, s[span], span);
        return -1;
    }
    if (len != 2 * n) {
        err(c, path, "expected %zu hex digits, got %zu", 2 * n, len);
        return -1;
    }
    return hex_decode(s, out, n);
}

static int get_hex_u64(pctx *c, const cJSON *j, const char *path, uint64_t *out)
{
    uint8_t b[8];
    if (get_hex(c, j, path, b, 8) < 0) return -1;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    *out = v;
    return 0;
}

/* 16-bit addresses (pan_id, nwk_address): 4 hex digits. herdsman's z-stack and ember
 * adapters write them with toString(16), i.e. without zero padding: a warning, not an error. */
static int get_hex_u16(pctx *c, const cJSON *j, const char *path, uint16_t *out)
{
    if (!cJSON_IsString(j)) {
        err(c, path, "expected a string of 4 hex digits, got %s", json_type_name(j));
        return -1;
    }
    const char *s = j->valuestring;
    size_t span = hex_span(s), len = strlen(s);
    if (span != len) {
        err(c, path, "expected 4 hex digits, found '%c' at position %zu", s[span], span);
        return -1;
    }
    if (len == 0 || len > 4) {
        err(c, path, "expected 4 hex digits, got %zu", len);
        return -1;
    }
    uint64_t v = 0;
    hex_to_u64(s, &v);
    if (len < 4) {
        if (!c->from_herdsman) {
            err(c, path, "expected 4 hex digits, got %zu", len);
            return -1;
        }
        ocb_report_add(c->r, OCB_WARNING, path,
                       "\"%s\" is not zero-padded to 4 hex digits (zigbee-herdsman quirk), read as "
                       "%04llx; `zbharness format` writes it padded",
                       s, (unsigned long long)v);
    }
    *out = (uint16_t)v;
    return 0;
}

static void parse_metadata(pctx *c, const cJSON *m, ocb_backup *b)
{
    static const char *const keys[] = {"format", "version", "source", "internal", NULL};
    if (!cJSON_IsObject(m)) {
        err(c, "metadata", "expected an object, got %s", json_type_name(m));
        return;
    }
    check_keys(c, m, "metadata", keys);
    const cJSON *j = member(c, m, "metadata", "format", 1);
    if (j && (!cJSON_IsString(j) || strcmp(j->valuestring, OCB_FORMAT) != 0))
        err(c, "metadata.format", "expected \"" OCB_FORMAT "\"");
    uint64_t v;
    if ((j = member(c, m, "metadata", "version", 1)) &&
        get_uint(c, j, "metadata.version", 255, &v) == 0) {
        ocb_check_version(c->r, v);
        b->version = (int)v;
    }
    if ((j = member(c, m, "metadata", "source", 1))) {
        const char *at = cJSON_IsString(j) ? strchr(j->valuestring, '@') : NULL;
        if (cJSON_IsNull(j) && (c->flags & OCB_PARSE_LENIENT))
            ocb_report_add(c->r, OCB_WARNING, "metadata.source",
                           "null (zigpy-zboss writes it so; the format wants \"name@version\"): "
                           "read anyway, the writer is unknown");
        else if (!at || at == j->valuestring || !at[1])
            err(c, "metadata.source", "expected \"name@version\"%s",
                cJSON_IsNull(j) ? ", got null (zigpy-zboss writes it so; diff and restore accept "
                                  "it with a warning)"
                                : "");
        else if (ocb_set_source(b, j->valuestring) < 0)
            err(c, "metadata.source", "out of memory");
    }
    if ((j = member(c, m, "metadata", "internal", 0))) {
        if (!cJSON_IsObject(j))
            err(c, "metadata.internal", "expected an object, got %s", json_type_name(j));
        else if (!(b->internal = cJSON_Duplicate(j, 1)))
            err(c, "metadata.internal", "out of memory");
    }
}

/* The known fields move out of the verbatim tree into their typed fields (the one place they
 * are kept), each remembering its place among its stack object's keys for emit; the stack
 * object itself stays, with the keys the model does not know, untouched and in order. */
static void parse_stack_specific(pctx *c, const cJSON *s, ocb_backup *b)
{
    if (!cJSON_IsObject(s)) {
        err(c, "stack_specific", "expected an object, got %s", json_type_name(s));
        return;
    }
    if (!(b->stack_specific = cJSON_Duplicate(s, 1))) {
        err(c, "stack_specific", "out of memory");
        return;
    }
    for (size_t i = 0; i < OCB_N_KNOWN; i++) {
        const ocb_known *k = &OCB_KNOWN[i];
        cJSON *sub = cJSON_GetObjectItemCaseSensitive(b->stack_specific, k->stack);
        if (!sub) continue;
        if (!cJSON_IsObject(sub)) {
            char p[64];
            snprintf(p, sizeof(p), "stack_specific.%s", k->stack);
            err(c, p, "expected an object, got %s", json_type_name(sub));
            continue;
        }
        size_t slot = 0;
        cJSON *f = sub->child;
        for (; f && !(f->string && strcmp(f->string, k->name) == 0); f = f->next)
            slot++;
        if (!f || get_hex(c, f, k->path, ocb_known_value(b, i), 16) < 0) continue;
        *ocb_known_has(b, i) = true;
        b->known_slot[i] = slot;
        cJSON_Delete(cJSON_DetachItemViaPointer(sub, f));
    }
}

static void parse_network_key(pctx *c, const cJSON *k, ocb_backup *b)
{
    static const char *const keys[] = {"key", "sequence_number", "frame_counter", NULL};
    if (!cJSON_IsObject(k)) {
        err(c, "network_key", "expected an object, got %s", json_type_name(k));
        return;
    }
    check_keys(c, k, "network_key", keys);
    const cJSON *j;
    uint64_t v;
    if ((j = member(c, k, "network_key", "key", 1)))
        get_hex(c, j, "network_key.key", b->network_key.key, 16);
    if ((j = member(c, k, "network_key", "sequence_number", 1)) &&
        get_uint(c, j, "network_key.sequence_number", 255, &v) == 0)
        b->network_key.sequence_number = (uint8_t)v;
    if ((j = member(c, k, "network_key", "frame_counter", 1)) &&
        get_uint(c, j, "network_key.frame_counter", 4294967295.0, &v) == 0)
        b->network_key.frame_counter = (uint32_t)v;
}

static void parse_link_key(pctx *c, const cJSON *k, const char *path, ocb_device *d)
{
    static const char *const keys[] = {"key", "tx_counter", "rx_counter", NULL};
    if (!cJSON_IsObject(k)) {
        err(c, path, "expected an object, got %s", json_type_name(k));
        return;
    }
    check_keys(c, k, path, keys);
    char p[96];
    const cJSON *j;
    uint64_t v;
    d->has_link_key = true;
    join_path(p, sizeof(p), path, "key");
    if ((j = member(c, k, path, "key", 1))) get_hex(c, j, p, d->link_key.key, 16);
    join_path(p, sizeof(p), path, "tx_counter");
    if ((j = member(c, k, path, "tx_counter", 1)) && get_uint(c, j, p, 4294967295.0, &v) == 0)
        d->link_key.tx_counter = (uint32_t)v;
    join_path(p, sizeof(p), path, "rx_counter");
    if ((j = member(c, k, path, "rx_counter", 1)) && get_uint(c, j, p, 4294967295.0, &v) == 0)
        d->link_key.rx_counter = (uint32_t)v;
}

static void parse_device(pctx *c, const cJSON *o, const char *path, ocb_device *d)
{
    static const char *const keys[] = {"nwk_address", "ieee_address", "is_child", "link_key", NULL};
    memset(d, 0, sizeof(*d));
    d->is_child = true;
    if (!cJSON_IsObject(o)) {
        err(c, path, "expected an object, got %s", json_type_name(o));
        return;
    }
    check_keys(c, o, path, keys);
    char p[96];
    const cJSON *j;
    join_path(p, sizeof(p), path, "ieee_address");
    if ((j = member(c, o, path, "ieee_address", 1))) get_hex_u64(c, j, p, &d->ieee);
    join_path(p, sizeof(p), path, "nwk_address");
    if ((j = member(c, o, path, "nwk_address", 1)) && !cJSON_IsNull(j))
        d->has_nwk = get_hex_u16(c, j, p, &d->nwk) == 0;
    join_path(p, sizeof(p), path, "is_child");
    if ((j = member(c, o, path, "is_child", 0))) {
        if (!cJSON_IsBool(j))
            err(c, p, "expected a boolean, got %s", json_type_name(j));
        else
            d->is_child = cJSON_IsTrue(j);
    }
    join_path(p, sizeof(p), path, "link_key");
    if ((j = member(c, o, path, "link_key", 0))) parse_link_key(c, j, p, d);
}

static void parse_devices(pctx *c, const cJSON *arr, ocb_backup *b)
{
    if (!cJSON_IsArray(arr)) {
        err(c, "devices", "expected an array, got %s", json_type_name(arr));
        return;
    }
    int n = cJSON_GetArraySize(arr);
    if (n > (int)OCB_MAX_DEVICES) {
        err(c, "devices", "%d devices is more than the %u a network can hold", n, OCB_MAX_DEVICES);
        return;
    }
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, arr)
    {
        char p[96];
        snprintf(p, sizeof(p), "devices[%d]", i);
        ocb_device d;
        size_t before = c->r->n_errors;
        parse_device(c, it, p, &d);
        if (c->r->n_errors == before) {
            if (ocb_check_device_unique(c->r, b, &d, i) == 0 && ocb_add_device(b, &d) < 0)
                err(c, p, "out of memory");
        }
        i++;
    }
}

static void parse_channels(pctx *c, const cJSON *root, ocb_backup *b)
{
    const cJSON *j;
    uint64_t v;
    int have_channel = 0;
    if ((j = member(c, root, "", "channel", 1)) && get_uint(c, j, "channel", 255, &v) == 0 &&
        ocb_check_channel(c->r, "channel", v) == 0) {
        b->channel = (uint8_t)v;
        have_channel = 1;
    }
    if (!(j = member(c, root, "", "channel_mask", 1))) return;
    if (!cJSON_IsArray(j)) {
        err(c, "channel_mask", "expected an array, got %s", json_type_name(j));
        return;
    }
    if (cJSON_GetArraySize(j) == 0) err(c, "channel_mask", "must list at least one channel");
    const cJSON *it;
    int i = 0, ok = 1;
    cJSON_ArrayForEach(it, j)
    {
        char p[32];
        snprintf(p, sizeof(p), "channel_mask[%d]", i++);
        if (get_uint(c, it, p, 255, &v) < 0 || ocb_check_channel(c->r, p, v) < 0) {
            ok = 0;
        } else if (b->channel_mask & (1u << v)) {
            err(c, p, "channel %llu is listed twice", (unsigned long long)v);
            ok = 0;
        } else {
            b->channel_mask |= 1u << v;
        }
    }
    if (ok && have_channel) ocb_check_channel_in_mask(c->r, b);
}

static void parse_root(pctx *c, const cJSON *root, ocb_backup *b)
{
    static const char *const keys[] = {"metadata",       "stack_specific",  "coordinator_ieee",
                                       "pan_id",         "extended_pan_id", "nwk_update_id",
                                       "security_level", "channel",         "channel_mask",
                                       "network_key",    "devices",         NULL};
    check_keys(c, root, "", keys);
    const cJSON *j;
    uint64_t v;
    if ((j = member(c, root, "", "metadata", 1))) parse_metadata(c, j, b);
    if (b->source && strncmp(b->source, "zigbee-herdsman@", 16) == 0) c->from_herdsman = 1;
    if ((j = member(c, root, "", "stack_specific", 0))) parse_stack_specific(c, j, b);
    bool have_ieee = false;
    if ((j = member(c, root, "", "coordinator_ieee", 1)))
        have_ieee = get_hex_u64(c, j, "coordinator_ieee", &b->coordinator_ieee) == 0;
    if ((j = member(c, root, "", "pan_id", 1)) && get_hex_u16(c, j, "pan_id", &b->pan_id) == 0)
        ocb_check_pan_id(c->r, b->pan_id);
    if ((j = member(c, root, "", "extended_pan_id", 1)) &&
        get_hex_u64(c, j, "extended_pan_id", &b->extended_pan_id) == 0 &&
        ocb_check_extended_pan_id(c->r, b->extended_pan_id) == 0 && have_ieee)
        ocb_check_coordinator_ieee(c->r, b);
    if ((j = member(c, root, "", "nwk_update_id", 1)) &&
        get_uint(c, j, "nwk_update_id", 255, &v) == 0)
        b->nwk_update_id = (uint8_t)v;
    if ((j = member(c, root, "", "security_level", 1)) &&
        get_uint(c, j, "security_level", 7, &v) == 0)
        b->security_level = (uint8_t)v;
    parse_channels(c, root, b);
    if ((j = member(c, root, "", "network_key", 1))) parse_network_key(c, j, b);
    if ((j = member(c, root, "", "devices", 1))) parse_devices(c, j, b);
    ocb_check_herdsman(c->r, b);
}

/* zigpy's state is not a backup: say so once, instead of a dozen missing-key errors. */
static const char ZIGPY_HINT[] =
    "this is zigpy's own network state (network_info/node_info, as zigpy's backup manager and "
    "ZHA store it), not an open coordinator backup; convert it with `zbharness format "
    "--from-zigpy FILE -o backup.json`";

ocb_backup *ocb_parse_ex(const char *text, size_t len, unsigned flags, ocb_report *report)
{
    if (len > OCB_MAX_FILE) {
        ocb_report_add(report, OCB_ERROR, "", "%zu bytes is larger than the %u-byte limit", len,
                       OCB_MAX_FILE);
        return NULL;
    }
    if (len == 0) {
        ocb_report_add(report, OCB_ERROR, "", "empty file, expected a JSON object");
        return NULL;
    }
    cJSON *root = ocb_json_parse(text, len, report);
    if (!root) return NULL;
    if (!cJSON_IsObject(root)) {
        ocb_report_add(report, OCB_ERROR, "", "expected a JSON object at the top level, got %s",
                       json_type_name(root));
        cJSON_Delete(root);
        return NULL;
    }
    if (flags & OCB_PARSE_FROM_ZIGPY) {
        ocb_backup *b = ocb_from_zigpy(root, report);
        cJSON_Delete(root);
        return b;
    }
    if (ocb_is_zigpy_state(root)) {
        ocb_report_add(report, OCB_ERROR, "", "%s", ZIGPY_HINT);
        cJSON_Delete(root);
        return NULL;
    }
    ocb_backup *b = ocb_new();
    if (!b) {
        cJSON_Delete(root);
        ocb_report_add(report, OCB_ERROR, "", "out of memory");
        return NULL;
    }
    pctx c = {report, 0, flags};
    size_t errors_before = report->n_errors;
    parse_root(&c, root, b);
    cJSON_Delete(root);
    if (report->n_errors != errors_before) {
        ocb_free(b);
        return NULL;
    }
    return b;
}

ocb_backup *ocb_parse(const char *text, size_t len, ocb_report *report)
{
    return ocb_parse_ex(text, len, 0, report);
}

ocb_backup *ocb_load(const char *path, unsigned flags, ocb_report *report)
{
    size_t len = 0;
    int std_in = strcmp(path, "-") == 0;
    char *text = std_in ? file_read_fd(STDIN_FILENO, OCB_MAX_FILE, &len)
                        : file_read_all(path, OCB_MAX_FILE, &len);
    if (!text) {
        char why[128];
        int e = errno;
        if (e == EFBIG) { /* too large is the content's fault, not the environment's */
            ocb_report_add(report, OCB_ERROR, "", "file is larger than the %u-byte limit",
                           OCB_MAX_FILE);
            return NULL;
        }
        report->unreadable = true;
        ocb_report_add(report, OCB_ERROR, "", "cannot read%s: %s", std_in ? " standard input" : "",
                       file_read_error(path, e, OCB_MAX_FILE, why, sizeof(why)));
        return NULL;
    }
    ocb_backup *b = ocb_parse_ex(text, len, flags, report);
    free(text);
    return b;
}

ocb_backup *ocb_parse_file(const char *path, ocb_report *report)
{
    return ocb_load(path, 0, report);
}
