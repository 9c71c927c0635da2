/* trace.c - loads "zbtrace 1" files (trace.h): every field checked, nothing partial. */
#include "trace.h"

#include "fileio.h"
#include "hex.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_MAX (16u << 20) /* far above any log */

static const char *const STACKS[] = {"znp", "ezsp", "zboss"};
static const char *const ZNP_LINES[] = {"zstack12", "zstack30", "zstack30-cc2538", "zstack3x0"};

const char *zbt_stack_name(zbt_stack s)
{
    return STACKS[s];
}

int zbt_stack_of(const char *name, zbt_stack *out)
{
    static const char *const ALIASES[][2] = {
        {"znp", "zstack"}, {"ezsp", "ember"}, {"zboss", "zboss"}};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, ALIASES[i][0]) || !strcmp(name, ALIASES[i][1])) {
            *out = (zbt_stack)i;
            return 0;
        }
    return -1;
}

static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

static char *dup_or_null(const cJSON *v)
{
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

/* One frame: lower- or upper-case hex, at least 2 bytes (every protocol's id). */
static int load_frame(const cJSON *v, zbt_frame *f, const char *path, const char *field, char *err,
                      size_t errlen)
{
    if (!cJSON_IsString(v)) return fail(err, errlen, path, "%s: not a hex string", field);
    long n = hex_decode_alloc(v->valuestring, &f->b);
    if (n < 0) return fail(err, errlen, path, "%s: not an even number of hex digits", field);
    f->n = (size_t)n;
    if (n < 2) return fail(err, errlen, path, "%s: %ld byte(s), shorter than an id", field, n);
    return 0;
}

static int load_frames(const cJSON *arr, zbt_frames *out, const char *path, const char *field,
                       char *err, size_t errlen)
{
    if (!arr) return 0;
    if (!cJSON_IsArray(arr)) return fail(err, errlen, path, "%s: not an array", field);
    int n = cJSON_GetArraySize(arr);
    if (n == 0) return 0;
    out->v = calloc((size_t)n, sizeof(*out->v));
    if (!out->v) return fail(err, errlen, path, "out of memory");
    for (int i = 0; i < n; i++) {
        char f[96];
        snprintf(f, sizeof(f), "%s[%d]", field, i);
        out->n = (size_t)i + 1;
        if (load_frame(cJSON_GetArrayItem(arr, i), &out->v[i], path, f, err, errlen) < 0) return -1;
    }
    return 0;
}

static int load_exchange(const cJSON *e, size_t i, zbt_exchange *x, const char *path, char *err,
                         size_t errlen)
{
    char f[96];
    if (!cJSON_IsObject(e)) return fail(err, errlen, path, "exchanges[%zu]: not an object", i);
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(e, "req");
    const cJSON *rsp = cJSON_GetObjectItemCaseSensitive(e, "rsp");
    snprintf(f, sizeof(f), "exchanges[%zu].req", i);
    if (req && !cJSON_IsNull(req) && load_frame(req, &x->req, path, f, err, errlen) < 0) return -1;
    x->rsp_known = rsp && !cJSON_IsNull(rsp);
    snprintf(f, sizeof(f), "exchanges[%zu].rsp", i);
    if (x->rsp_known && load_frames(rsp, &x->rsp, path, f, err, errlen) < 0) return -1;
    snprintf(f, sizeof(f), "exchanges[%zu].ind", i);
    if (load_frames(cJSON_GetObjectItemCaseSensitive(e, "ind"), &x->ind, path, f, err, errlen) < 0)
        return -1;
    x->note = dup_or_null(cJSON_GetObjectItemCaseSensitive(e, "note"));
    if (!x->req.n && !x->rsp.n && !x->ind.n)
        return fail(err, errlen, path, "exchanges[%zu]: no request and no frame", i);
    return 0;
}

static int index_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, set[i]) == 0) return (int)i;
    return -1;
}

static int load_firmware(const cJSON *fw, zbt_trace *t, char *err, size_t errlen)
{
    if (!cJSON_IsObject(fw)) return fail(err, errlen, t->path, "firmware: not an object");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(fw, "text");
    const cJSON *stack = cJSON_GetObjectItemCaseSensitive(fw, "stack");
    const cJSON *build = cJSON_GetObjectItemCaseSensitive(fw, "build");
    (void)text; /* for people: the log's own words */
    const cJSON *ver = cJSON_IsString(stack) ? stack : cJSON_IsString(build) ? build : NULL;
    t->fw = strdup(ver ? ver->valuestring : "unknown");
    if (!t->fw) return fail(err, errlen, t->path, "out of memory");
    char arg[40] = "";
    if (t->stack == ZBT_ZNP && cJSON_IsString(build) && strlen(build->valuestring) == 8 &&
        strspn(build->valuestring, "0123456789") == 8)
        snprintf(arg, sizeof(arg), "%s", build->valuestring);
    unsigned a, b, c, d;
    int used = 0;
    if (t->stack == ZBT_EZSP && cJSON_IsString(stack) &&
        sscanf(stack->valuestring, "%u.%u.%u.%u%n", &a, &b, &c, &d, &used) == 4 &&
        !stack->valuestring[used]) {
        snprintf(arg, sizeof(arg), "%u.%u.%u.%u", a, b, c, d);
        if (cJSON_IsNumber(build))
            snprintf(arg + strlen(arg), sizeof(arg) - strlen(arg), "+%d", build->valueint);
    }
    if (arg[0] && !(t->fw_arg = strdup(arg))) return fail(err, errlen, t->path, "out of memory");
    if (t->stack == ZBT_ZNP) {
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(fw, "line");
        t->line = dup_or_null(line);
        if (index_of(t->line, ZNP_LINES, 4) < 0)
            return fail(err, errlen, t->path,
                        "firmware.line: want zstack12, zstack30, zstack30-cc2538 or zstack3x0");
    } else if (t->stack == ZBT_EZSP) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(fw, "ezsp");
        if (!cJSON_IsNumber(v) || v->valueint < 4 || v->valueint > 19)
            return fail(err, errlen, t->path, "firmware.ezsp: want the EZSP version, 4..19");
        t->ezsp = v->valueint;
    }
    return 0;
}

static int load_doc(const cJSON *doc, zbt_trace *t, char *err, size_t errlen)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "zbtrace 1") != 0)
        return fail(err, errlen, t->path, "format: want \"zbtrace 1\"");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "stack");
    int s = index_of(cJSON_IsString(st) ? st->valuestring : NULL, STACKS, 3);
    if (s < 0) return fail(err, errlen, t->path, "stack: want znp, ezsp or zboss");
    t->stack = (zbt_stack)s;
    t->source = dup_or_null(cJSON_GetObjectItemCaseSensitive(doc, "source"));
    if (!t->source) return fail(err, errlen, t->path, "source: missing (the log's URL)");
    t->host = dup_or_null(cJSON_GetObjectItemCaseSensitive(doc, "host"));
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(doc, "state");
    if (state && !cJSON_IsNull(state)) {
        if (!cJSON_IsString(state) || !state->valuestring[0] || strchr(state->valuestring, '/'))
            return fail(err, errlen, t->path, "state: want a file name beside the trace");
        const char *slash = strrchr(t->path, '/');
        int dir = slash ? (int)(slash - t->path + 1) : 0;
        size_t n = (size_t)dir + strlen(state->valuestring) + 1;
        if (!(t->state_path = malloc(n))) return fail(err, errlen, t->path, "out of memory");
        snprintf(t->state_path, n, "%.*s%s", dir, t->path, state->valuestring);
    }
    if (load_firmware(cJSON_GetObjectItemCaseSensitive(doc, "firmware"), t, err, errlen) < 0)
        return -1;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(doc, "exchanges");
    if (!cJSON_IsArray(ex) || cJSON_GetArraySize(ex) == 0)
        return fail(err, errlen, t->path, "exchanges: want a non-empty array");
    size_t n = (size_t)cJSON_GetArraySize(ex);
    t->ex = calloc(n, sizeof(*t->ex));
    if (!t->ex) return fail(err, errlen, t->path, "out of memory");
    for (size_t i = 0; i < n; i++) {
        t->n_ex = i + 1;
        if (load_exchange(cJSON_GetArrayItem(ex, (int)i), i, &t->ex[i], t->path, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".json") == 0) n -= 5;
    return strndup(b, n);
}

zbt_trace *zbt_load(const char *path, char *err, size_t errlen)
{
    zbt_trace *t = calloc(1, sizeof(*t));
    if (!t || !(t->path = strdup(path)) || !(t->name = base_name(path))) {
        zbt_free(t);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    size_t len = 0;
    char *text = file_read_all(path, TRACE_MAX, &len);
    if (!text) {
        char why[300];
        snprintf(err, errlen, "%s: %s", path,
                 file_read_error(path, errno, TRACE_MAX, why, sizeof(why)));
        zbt_free(t);
        return NULL;
    }
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    int rc = doc ? load_doc(doc, t, err, errlen) : fail(err, errlen, path, "not JSON");
    cJSON_Delete(doc);
    if (rc < 0) {
        zbt_free(t);
        return NULL;
    }
    return t;
}

static void free_frames(zbt_frames *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].b);
    free(f->v);
}

void zbt_free(zbt_trace *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_ex; i++) {
        free(t->ex[i].req.b);
        free_frames(&t->ex[i].rsp);
        free_frames(&t->ex[i].ind);
        free(t->ex[i].note);
    }
    free(t->ex);
    free(t->path);
    free(t->name);
    free(t->source);
    free(t->line);
    free(t->fw);
    free(t->fw_arg);
    free(t->host);
    free(t->state_path);
    free(t);
}
