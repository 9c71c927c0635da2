/* ocb.c - parse, check and emit open coordinator backups.
 *
 * Why by hand on top of cJSON instead of a schema library: every problem must name its JSON
 * path and say what was expected ("devices[3].link_key.key: expected 32 hex digits, got 16"),
 * semantic rules (channel in mask, unique IEEEs) need the whole document, and known quirks of
 * real implementations are warnings, not failures. The emitter is canonical so that two equal
 * backups are byte-identical files. */
#include "ocb.h"

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

/* ---------------------------------------------------------------- report */

void ocb_report_init(ocb_report *r)
{
    memset(r, 0, sizeof(*r));
}

void ocb_report_free(ocb_report *r)
{
    for (size_t i = 0; i < r->n_issues; i++) {
        free(r->issues[i].path);
        free(r->issues[i].message);
    }
    free(r->issues);
    memset(r, 0, sizeof(*r));
}

void ocb_report_add(ocb_report *r, enum ocb_severity sev, const char *path, const char *fmt, ...)
{
    if (r->n_issues == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ocb_issue *n = realloc(r->issues, cap * sizeof(*n));
        if (!n) return; /* the counters below still record that something was wrong */
        r->issues = n;
        r->cap = cap;
    }
    if (sev == OCB_ERROR)
        r->n_errors++;
    else
        r->n_warnings++;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    /* whole, and escaped: paths and messages quote key names and characters from the file */
    ocb_issue *is = &r->issues[r->n_issues];
    is->severity = sev;
    is->path = zb_escape_dup(path ? path : "");
    is->message = msg ? zb_escape_dup(msg) : NULL;
    free(msg);
    if (!is->path || !is->message) {
        free(is->path);
        free(is->message);
        return;
    }
    r->n_issues++;
}

/* ---------------------------------------------------------------- lifecycle */

ocb_backup *ocb_new(void)
{
    ocb_backup *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    b->version = 1;
    b->security_level = 5;
    return b;
}

void ocb_free(ocb_backup *b)
{
    if (!b) return;
    free(b->source);
    cJSON_Delete(b->internal);
    cJSON_Delete(b->stack_specific);
    free(b->devices);
    free(b);
}

int ocb_set_source(ocb_backup *b, const char *source)
{
    char *s = strdup(source);
    if (!s) return -1;
    free(b->source);
    b->source = s;
    return 0;
}

/* The device array's capacity: the next power of two, so that adding n devices costs
 * O(n) copies, not O(n^2) (10,000 devices took 49 s under ASan, whose realloc always moves). */
static size_t devices_cap(size_t n)
{
    size_t c = 1;
    while (c < n)
        c <<= 1;
    return c;
}

int ocb_add_device(ocb_backup *b, const ocb_device *d)
{
    if (b->n_devices >= OCB_MAX_DEVICES) return -1;
    if (!b->devices || b->n_devices == devices_cap(b->n_devices)) {
        ocb_device *n = realloc(b->devices, devices_cap(b->n_devices + 1) * sizeof(*n));
        if (!n) return -1;
        b->devices = n;
    }
    b->devices[b->n_devices++] = *d;
    return 0;
}

ocb_backup *ocb_clone(const ocb_backup *src)
{
    ocb_backup *b = ocb_new();
    if (!b) return NULL;
    *b = *src;
    b->source = NULL;
    b->internal = NULL;
    b->stack_specific = NULL;
    b->devices = NULL;
    b->n_devices = 0;
    if ((src->source && !(b->source = strdup(src->source))) ||
        (src->internal && !(b->internal = cJSON_Duplicate(src->internal, 1))) ||
        (src->stack_specific && !(b->stack_specific = cJSON_Duplicate(src->stack_specific, 1))))
        goto fail;
    if (src->n_devices) {
        b->devices = malloc(devices_cap(src->n_devices) * sizeof(*b->devices));
        if (!b->devices) goto fail;
        memcpy(b->devices, src->devices, src->n_devices * sizeof(*b->devices));
        b->n_devices = src->n_devices;
    }
    return b;
fail:
    ocb_free(b);
    return NULL;
}

static int device_cmp(const void *a, const void *b)
{
    uint64_t x = ((const ocb_device *)a)->ieee, y = ((const ocb_device *)b)->ieee;
    return x < y ? -1 : x > y;
}

void ocb_sort_devices(ocb_backup *b)
{
    if (b->n_devices > 1) qsort(b->devices, b->n_devices, sizeof(*b->devices), device_cmp);
}

const ocb_device *ocb_find_device(const ocb_backup *b, uint64_t ieee)
{
    for (size_t i = 0; i < b->n_devices; i++)
        if (b->devices[i].ieee == ieee) return &b->devices[i];
    return NULL;
}

/* ---------------------------------------------------------------- parsing */

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
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    ocb_report_add(c->r, OCB_ERROR, path, "%s", msg ? msg : "out of memory");
    free(msg);
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
        if (v != 1)
            err(c, "metadata.version", "version %llu is not supported (only 1)",
                (unsigned long long)v);
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

/* Canonical form lowercases a known hex field inside the verbatim stack_specific tree. */
static void lowercase_string(cJSON *j)
{
    for (char *p = j->valuestring; *p; p++)
        if (*p >= 'A' && *p <= 'F') *p = (char)(*p - 'A' + 'a');
}

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
    static const struct {
        const char *stack, *field, *path;
        size_t has_off, val_off;
    } known[] = {
        {"zstack", "tclk_seed", "stack_specific.zstack.tclk_seed",
         offsetof(ocb_backup, has_tclk_seed), offsetof(ocb_backup, tclk_seed)},
        {"ezsp", "hashed_tclk", "stack_specific.ezsp.hashed_tclk",
         offsetof(ocb_backup, has_hashed_tclk), offsetof(ocb_backup, hashed_tclk)},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        cJSON *sub = cJSON_GetObjectItemCaseSensitive(b->stack_specific, known[i].stack);
        if (!sub) continue;
        if (!cJSON_IsObject(sub)) {
            char p[64];
            snprintf(p, sizeof(p), "stack_specific.%s", known[i].stack);
            err(c, p, "expected an object, got %s", json_type_name(sub));
            continue;
        }
        cJSON *f = cJSON_GetObjectItemCaseSensitive(sub, known[i].field);
        if (!f) continue;
        uint8_t *val = (uint8_t *)b + known[i].val_off;
        if (get_hex(c, f, known[i].path, val, 16) == 0) {
            *((bool *)((uint8_t *)b + known[i].has_off)) = true;
            lowercase_string(f);
        }
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
            const ocb_device *dup = ocb_find_device(b, d.ieee);
            if (dup) {
                snprintf(p, sizeof(p), "devices[%d].ieee_address", i);
                err(c, p, "duplicate IEEE address %016llx (also devices[%d])",
                    (unsigned long long)d.ieee, (int)(dup - b->devices));
            } else if (ocb_add_device(b, &d) < 0) {
                err(c, p, "out of memory");
            }
        }
        i++;
    }
}

static void parse_channels(pctx *c, const cJSON *root, ocb_backup *b)
{
    const cJSON *j;
    uint64_t v;
    int have_channel = 0;
    if ((j = member(c, root, "", "channel", 1)) && get_uint(c, j, "channel", 255, &v) == 0) {
        if (v < 11 || v > 26)
            err(c, "channel", "%llu is out of range 11..26", (unsigned long long)v);
        else {
            b->channel = (uint8_t)v;
            have_channel = 1;
        }
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
        if (get_uint(c, it, p, 255, &v) < 0) {
            ok = 0;
        } else if (v < 11 || v > 26) {
            err(c, p, "%llu is out of range 11..26", (unsigned long long)v);
            ok = 0;
        } else if (b->channel_mask & (1u << v)) {
            err(c, p, "channel %llu is listed twice", (unsigned long long)v);
            ok = 0;
        } else {
            b->channel_mask |= 1u << v;
        }
    }
    if (ok && have_channel && !(b->channel_mask & (1u << b->channel)))
        err(c, "channel", "channel %u is not in channel_mask", b->channel);
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
    if ((j = member(c, root, "", "coordinator_ieee", 1)))
        get_hex_u64(c, j, "coordinator_ieee", &b->coordinator_ieee);
    if ((j = member(c, root, "", "pan_id", 1)) && get_hex_u16(c, j, "pan_id", &b->pan_id) == 0 &&
        b->pan_id == 0xFFFF)
        err(c, "pan_id", "ffff is not a network's PAN ID (it means 'any')");
    if ((j = member(c, root, "", "extended_pan_id", 1)) &&
        get_hex_u64(c, j, "extended_pan_id", &b->extended_pan_id) == 0 &&
        (b->extended_pan_id == 0 || b->extended_pan_id == UINT64_MAX))
        err(c, "extended_pan_id", "%016llx is reserved, not a network's extended PAN ID",
            (unsigned long long)b->extended_pan_id);
    if ((j = member(c, root, "", "nwk_update_id", 1)) &&
        get_uint(c, j, "nwk_update_id", 255, &v) == 0)
        b->nwk_update_id = (uint8_t)v;
    if ((j = member(c, root, "", "security_level", 1)) &&
        get_uint(c, j, "security_level", 7, &v) == 0)
        b->security_level = (uint8_t)v;
    parse_channels(c, root, b);
    if ((j = member(c, root, "", "network_key", 1))) parse_network_key(c, j, b);
    if ((j = member(c, root, "", "devices", 1))) parse_devices(c, j, b);
    if (c->from_herdsman && b->stack_specific &&
        cJSON_GetObjectItemCaseSensitive(b->stack_specific, "ezsp"))
        ocb_report_add(c->r, OCB_WARNING, "coordinator_ieee",
                       "zigbee-herdsman's ember adapter writes coordinator_ieee and "
                       "extended_pan_id in wire (LSB-first) order; they may be byte-reversed");
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

/* ---------------------------------------------------------------- canonical emit */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_putn(sbuf *s, const char *p, size_t n)
{
    if (s->oom) return;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *np = realloc(s->p, cap);
        if (!np) {
            s->oom = 1;
            return;
        }
        s->p = np;
        s->cap = cap;
    }
    memcpy(s->p + s->len, p, n);
    s->len += n;
    s->p[s->len] = '\0';
}

static void sb_puts(sbuf *s, const char *str)
{
    sb_putn(s, str, strlen(str));
}

static void sb_printf(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) sb_putn(s, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void sb_indent(sbuf *s, int depth)
{
    for (int i = 0; i < depth; i++)
        sb_puts(s, "  ");
}

static void sb_json_string(sbuf *s, const char *str)
{
    sb_puts(s, "\"");
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '"': sb_puts(s, "\\\""); break;
        case '\\': sb_puts(s, "\\\\"); break;
        case '\n': sb_puts(s, "\\n"); break;
        case '\r': sb_puts(s, "\\r"); break;
        case '\t': sb_puts(s, "\\t"); break;
        case '\b': sb_puts(s, "\\b"); break;
        case '\f': sb_puts(s, "\\f"); break;
        default:
            if (*p < 0x20)
                sb_printf(s, "\\u%04x", *p);
            else
                sb_putn(s, (const char *)p, 1);
        }
    }
    sb_puts(s, "\"");
}

/* Verbatim subtrees (metadata.internal, stack_specific) in the same 2-space style. */
static void sb_json_value(sbuf *s, const cJSON *j, int depth)
{
    if (cJSON_IsNull(j)) {
        sb_puts(s, "null");
    } else if (cJSON_IsBool(j)) {
        sb_puts(s, cJSON_IsTrue(j) ? "true" : "false");
    } else if (ocb_json_number_text(j)) {
        sb_puts(s, ocb_json_number_text(j)); /* as written: 3.3 stays 3.3 */
    } else if (cJSON_IsNumber(j)) {
        double v = j->valuedouble;
        if (v == floor(v) && fabs(v) < 9007199254740992.0)
            sb_printf(s, "%lld", (long long)v);
        else
            sb_printf(s, "%.17g", v);
    } else if (cJSON_IsString(j)) {
        sb_json_string(s, j->valuestring);
    } else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        int obj = cJSON_IsObject(j);
        if (!j->child) {
            sb_puts(s, obj ? "{}" : "[]");
            return;
        }
        sb_puts(s, obj ? "{\n" : "[\n");
        for (const cJSON *it = j->child; it; it = it->next) {
            sb_indent(s, depth + 1);
            if (obj) {
                sb_json_string(s, it->string ? it->string : "");
                sb_puts(s, ": ");
            }
            sb_json_value(s, it, depth + 1);
            sb_puts(s, it->next ? ",\n" : "\n");
        }
        sb_indent(s, depth);
        sb_puts(s, obj ? "}" : "]");
    }
}

static void sb_hex(sbuf *s, const uint8_t *p, size_t n)
{
    char tmp[2 * 16 + 1];
    hex_encode(p, n, tmp);
    sb_printf(s, "\"%s\"", tmp);
}

static void sb_u64hex(sbuf *s, uint64_t v)
{
    sb_printf(s, "\"%016llx\"", (unsigned long long)v);
}

static void emit_device(sbuf *s, const ocb_device *d, int last)
{
    sb_puts(s, "    {\n      \"nwk_address\": ");
    if (d->has_nwk)
        sb_printf(s, "\"%04x\"", d->nwk);
    else
        sb_puts(s, "null");
    sb_puts(s, ",\n      \"ieee_address\": ");
    sb_u64hex(s, d->ieee);
    sb_printf(s, ",\n      \"is_child\": %s", d->is_child ? "true" : "false");
    if (d->has_link_key) {
        sb_puts(s, ",\n      \"link_key\": {\n        \"key\": ");
        sb_hex(s, d->link_key.key, 16);
        sb_printf(s, ",\n        \"tx_counter\": %u,\n        \"rx_counter\": %u\n      }",
                  d->link_key.tx_counter, d->link_key.rx_counter);
    }
    sb_puts(s, last ? "\n    }\n" : "\n    },\n");
}

char *ocb_emit(const ocb_backup *b)
{
    sbuf s = {0};
    sb_puts(&s, "{\n  \"metadata\": {\n    \"format\": \"" OCB_FORMAT "\",\n");
    sb_printf(&s, "    \"version\": %d,\n    \"source\": ", b->version);
    sb_json_string(&s, b->source ? b->source : "zbharness@" ZB_VERSION);
    if (b->internal) {
        sb_puts(&s, ",\n    \"internal\": ");
        sb_json_value(&s, b->internal, 2);
    }
    sb_puts(&s, "\n  },\n");
    if (b->stack_specific) {
        sb_puts(&s, "  \"stack_specific\": ");
        sb_json_value(&s, b->stack_specific, 1);
        sb_puts(&s, ",\n");
    }
    sb_puts(&s, "  \"coordinator_ieee\": ");
    sb_u64hex(&s, b->coordinator_ieee);
    sb_printf(&s, ",\n  \"pan_id\": \"%04x\",\n  \"extended_pan_id\": ", b->pan_id);
    sb_u64hex(&s, b->extended_pan_id);
    sb_printf(&s, ",\n  \"nwk_update_id\": %u,\n  \"security_level\": %u,\n  \"channel\": %u,\n",
              b->nwk_update_id, b->security_level, b->channel);
    sb_puts(&s, "  \"channel_mask\": [");
    int first = 1;
    for (int ch = 11; ch <= 26; ch++) {
        if (!(b->channel_mask & (1u << ch))) continue;
        sb_printf(&s, "%s\n    %d", first ? "" : ",", ch);
        first = 0;
    }
    sb_puts(&s, first ? "],\n" : "\n  ],\n");
    sb_puts(&s, "  \"network_key\": {\n    \"key\": ");
    sb_hex(&s, b->network_key.key, 16);
    sb_printf(&s, ",\n    \"sequence_number\": %u,\n    \"frame_counter\": %u\n  },\n",
              b->network_key.sequence_number, b->network_key.frame_counter);
    /* devices sorted by IEEE without touching the caller's order */
    ocb_device *sorted = NULL;
    if (b->n_devices) {
        sorted = malloc(b->n_devices * sizeof(*sorted));
        if (!sorted) {
            free(s.p);
            return NULL;
        }
        memcpy(sorted, b->devices, b->n_devices * sizeof(*sorted));
        qsort(sorted, b->n_devices, sizeof(*sorted), device_cmp);
    }
    sb_puts(&s, b->n_devices ? "  \"devices\": [\n" : "  \"devices\": []\n");
    for (size_t i = 0; i < b->n_devices; i++)
        emit_device(&s, &sorted[i], i + 1 == b->n_devices);
    if (b->n_devices) sb_puts(&s, "  ]\n");
    sb_puts(&s, "}\n");
    free(sorted);
    if (s.oom) {
        free(s.p);
        return NULL;
    }
    return s.p;
}

int ocb_write_file(const ocb_backup *b, const char *path)
{
    char *text = ocb_emit(b);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    int rc = file_write_atomic(path, text, strlen(text), 0600);
    int e = errno;
    free(text);
    errno = e;
    return rc;
}
