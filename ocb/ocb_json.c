/* ocb_json.c - the strict JSON reader under every backup the harness reads.
 *
 * Why not cJSON's own parser: a backup is read by zigpy (Python) and herdsman (JavaScript) as
 * well as by us, and cJSON disagrees with both on inputs that matter. A duplicate key is kept
 * first by cJSON and last by Python and JavaScript, so the same file would restore key A here
 * and key B there: refused, with its JSON path. "\u0000" inside a string silently cut the
 * string at the NUL in cJSON (a key "ca83\u0000junk" read as "ca83"): refused. Numbers with
 * leading zeros (015) are not JSON: refused. Every error names the byte, line and column.
 *
 * The tree is still cJSON (the model and the emulators work on it), built node by node here.
 * A number node also keeps its literal text in `valuestring` (cJSON frees and duplicates that
 * field for every node type), so the canonical emitter writes 3.3 back as 3.3, never as
 * 3.2999999999999998. */
#include "ocb_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jp {
    const char *s;
    size_t len, pos;
    int depth;
    ocb_report *r;
    char *path; /* JSON path of the value being parsed, for messages */
    size_t path_len, path_cap;
    int failed;
} jp;

static void where(const jp *p, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < p->len; i++) {
        if (p->s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* "invalid KIND at byte N (line L, column C): WHAT", KIND "JSON" or "UTF-8"; the first only. */
static void vfail(jp *p, const char *kind, size_t off, const char *fmt, va_list ap)
{
    if (p->failed) return;
    p->failed = 1;
    char what[256];
    vsnprintf(what, sizeof(what), fmt, ap);
    size_t line, col;
    where(p, off, &line, &col);
    ocb_report_add(p->r, OCB_ERROR, p->path, "invalid %s at byte %zu (line %zu, column %zu): %s",
                   kind, off, line, col, what);
}

static void fail_at(jp *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(jp *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(p, "JSON", off, fmt, ap);
    va_end(ap);
}

static void fail_utf8(jp *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_utf8(jp *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(p, "UTF-8", off, fmt, ap);
    va_end(ap);
}

/* ---- the path of the current value ---- */

static int path_push(jp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int path_push(jp *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if (p->path_len + (size_t)n + 1 > p->path_cap) {
        size_t cap = (p->path_len + (size_t)n + 1) * 2;
        char *np = realloc(p->path, cap);
        if (!np) return -1;
        p->path = np;
        p->path_cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(p->path + p->path_len, p->path_cap - p->path_len, fmt, ap);
    va_end(ap);
    p->path_len += (size_t)n;
    return 0;
}

static void path_pop(jp *p, size_t to)
{
    p->path_len = to;
    p->path[to] = '\0';
}

/* ---- lexing ---- */

static void skip_ws(jp *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static const char *describe_byte(const jp *p, size_t off, char buf[16])
{
    if (off >= p->len) return "the end of the input";
    unsigned char c = (unsigned char)p->s[off];
    if (c == 0) return "a NUL byte";
    if (c < 0x20 || c >= 0x7F)
        snprintf(buf, 16, "byte 0x%02x", c);
    else
        snprintf(buf, 16, "'%c'", c);
    return buf;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- UTF-8 (RFC 3629) ----
 *
 * Raw bytes in a string must be well-formed UTF-8: Python's json.load refuses the file
 * otherwise and JavaScript turns each bad byte into U+FFFD, so a key name or label would read
 * differently in each. One row per lead byte range: how many continuation bytes follow, the
 * range the first of them must be in (the rest are 80..BF), and what it means when it is not.
 * The narrowed ranges are RFC 3629's table (E0 A0..BF, ED 80..9F, F0 90..BF, F4 80..8F). */
static const struct {
    unsigned char lo, hi; /* lead byte */
    unsigned char n;      /* continuation bytes; 0: the lead is never valid */
    unsigned char c1_lo, c1_hi;
    const char *below, *above; /* the first continuation byte under c1_lo / over c1_hi */
    const char *bad_lead;
} UTF8_LEADS[] = {
    {0x80, 0xBF, 0, 0, 0, NULL, NULL, "continuation byte without a lead byte"},
    {0xC0, 0xC1, 0, 0, 0, NULL, NULL, "overlong form"},
    {0xC2, 0xDF, 1, 0x80, 0xBF, NULL, NULL, NULL},
    {0xE0, 0xE0, 2, 0xA0, 0xBF, "overlong form", NULL, NULL},
    {0xE1, 0xEC, 2, 0x80, 0xBF, NULL, NULL, NULL},
    {0xED, 0xED, 2, 0x80, 0x9F, NULL, "UTF-16 surrogate (CESU-8)", NULL},
    {0xEE, 0xEF, 2, 0x80, 0xBF, NULL, NULL, NULL},
    {0xF0, 0xF0, 3, 0x90, 0xBF, "overlong form", NULL, NULL},
    {0xF1, 0xF3, 3, 0x80, 0xBF, NULL, NULL, NULL},
    {0xF4, 0xF4, 3, 0x80, 0x8F, NULL, "code point above U+10FFFF", NULL},
    {0xF5, 0xF7, 0, 0, 0, NULL, NULL, "code point above U+10FFFF"},
    {0xF8, 0xFF, 0, 0, 0, NULL, NULL, "a byte that never occurs in UTF-8"},
};

/* The length of the well-formed sequence at s[0] (>= 0x80) within n bytes, or 0 after
 * reporting what is wrong with it at `off`. */
static size_t utf8_seq(jp *p, const unsigned char *s, size_t n, size_t off)
{
    for (size_t i = 0; i < sizeof(UTF8_LEADS) / sizeof(UTF8_LEADS[0]); i++) {
        if (s[0] < UTF8_LEADS[i].lo || s[0] > UTF8_LEADS[i].hi) continue;
        if (!UTF8_LEADS[i].n) {
            fail_utf8(p, off, "%s (byte 0x%02x)", UTF8_LEADS[i].bad_lead, s[0]);
            return 0;
        }
        size_t len = 1 + UTF8_LEADS[i].n;
        for (size_t k = 1; k < len; k++) {
            unsigned lo = k == 1 ? UTF8_LEADS[i].c1_lo : 0x80;
            unsigned hi = k == 1 ? UTF8_LEADS[i].c1_hi : 0xBF;
            if (k < n && s[k] >= lo && s[k] <= hi) continue;
            if (k < n && k == 1 && s[k] >= 0x80 && s[k] < lo && UTF8_LEADS[i].below)
                fail_utf8(p, off, "%s", UTF8_LEADS[i].below);
            else if (k < n && k == 1 && s[k] > hi && s[k] <= 0xBF && UTF8_LEADS[i].above)
                fail_utf8(p, off, "%s", UTF8_LEADS[i].above);
            else
                fail_utf8(p, off,
                          "truncated sequence (lead byte 0x%02x expects %zu bytes, byte "
                          "%zu is %s)",
                          s[0], len, k + 1, k < n ? "not a continuation" : "missing");
            return 0;
        }
        return len;
    }
    return 0; /* unreachable: the rows cover 0x80..0xFF */
}

/* A string at p->pos (the opening quote), decoded into a new buffer. No NUL can be in it. */
static char *parse_string(jp *p)
{
    size_t start = p->pos++;
    size_t end = p->pos;
    while (end < p->len && p->s[end] != '"') /* upper bound of the decoded length */
        end += p->s[end] == '\\' ? 2 : 1;
    if (end >= p->len) {
        fail_at(p, start, "string not terminated");
        return NULL;
    }
    char *out = malloc(end - p->pos + 1), *o = out;
    if (!out) {
        fail_at(p, start, "out of memory");
        return NULL;
    }
    static const struct {
        char esc, val;
    } SIMPLE[] = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
                  {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'}};
    while (p->s[p->pos] != '"') {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20) {
            fail_at(p, p->pos, "control character 0x%02x inside a string (JSON needs \\u%04x)", c,
                    c);
            goto bad;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq(p, (const unsigned char *)p->s + p->pos, p->len - p->pos, p->pos);
            if (!n) goto bad;
            memcpy(o, p->s + p->pos, n);
            o += n;
            p->pos += n;
            continue;
        }
        if (c != '\\') {
            *o++ = (char)c;
            p->pos++;
            continue;
        }
        char e = p->s[p->pos + 1];
        int done = 0;
        for (size_t i = 0; i < sizeof(SIMPLE) / sizeof(SIMPLE[0]); i++)
            if (e == SIMPLE[i].esc) {
                *o++ = SIMPLE[i].val;
                p->pos += 2;
                done = 1;
                break;
            }
        if (done) continue;
        unsigned cp;
        if (e != 'u' || p->pos + 6 > p->len || hex4(p->s + p->pos + 2, &cp) < 0) {
            fail_at(p, p->pos, "invalid escape sequence in a string");
            goto bad;
        }
        size_t at = p->pos;
        p->pos += 6;
        if (cp == 0) {
            fail_at(p, at,
                    "\\u0000 (a NUL character) inside a string: readers disagree on where such "
                    "a string ends");
            goto bad;
        }
        if (cp >= 0xD800 && cp < 0xDC00) {
            unsigned lo;
            if (p->pos + 6 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
                hex4(p->s + p->pos + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
                fail_at(p, at, "unpaired UTF-16 surrogate \\u%04x in a string", cp);
                goto bad;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p->pos += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail_at(p, at, "unpaired UTF-16 surrogate \\u%04x in a string", cp);
            goto bad;
        }
        o += put_utf8(o, cp); /* an escape is 6 bytes and decodes to at most 4 */
    }
    p->pos++;
    *o = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

/* A number per RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static cJSON *parse_number(jp *p)
{
    size_t start = p->pos, i = p->pos;
    const char *s = p->s;
#define DIGIT(k) ((k) < p->len && s[(k)] >= '0' && s[(k)] <= '9')
    if (i < p->len && s[i] == '-') i++;
    if (!DIGIT(i)) {
        fail_at(p, i, "expected a digit");
        return NULL;
    }
    if (s[i] == '0' && DIGIT(i + 1)) {
        size_t e = i;
        while (DIGIT(e))
            e++;
        fail_at(p, start, "%.*s is not a JSON number (leading zero)", (int)(e - start), s + start);
        return NULL;
    }
    while (DIGIT(i))
        i++;
    if (i < p->len && s[i] == '.') {
        if (!DIGIT(i + 1)) {
            fail_at(p, i + 1, "expected a digit after the decimal point");
            return NULL;
        }
        i++;
        while (DIGIT(i))
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-')) i++;
        if (!DIGIT(i)) {
            fail_at(p, i, "expected a digit in the exponent");
            return NULL;
        }
        while (DIGIT(i))
            i++;
    }
#undef DIGIT
    char *lit = strndup(s + start, i - start);
    if (!lit) {
        fail_at(p, start, "out of memory");
        return NULL;
    }
    double v = strtod(lit, NULL);
    if (isinf(v)) {
        fail_at(p, start, "%s is out of the range of a double", lit);
        free(lit);
        return NULL;
    }
    cJSON *j = cJSON_CreateNumber(v);
    if (!j) {
        free(lit);
        fail_at(p, start, "out of memory");
        return NULL;
    }
    j->valuestring = lit; /* the number as written (see the top of the file) */
    p->pos = i;
    return j;
}

static cJSON *parse_value(jp *p);

static int key_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    int c = strcmp(x->string, y->string);
    return c ? c : (x < y ? -1 : x > y); /* the earlier member first */
}

/* Duplicate keys: sorted pointers, O(n log n) even for hostile objects. */
static void check_duplicates(jp *p, cJSON *obj, size_t n)
{
    if (n < 2) return;
    cJSON **v = malloc(n * sizeof(*v));
    if (!v) {
        fail_at(p, p->pos, "out of memory");
        return;
    }
    size_t k = 0;
    for (cJSON *it = obj->child; it && k < n; it = it->next)
        v[k++] = it;
    qsort(v, k, sizeof(*v), key_cmp);
    for (size_t i = 1; i < k && !p->failed; i++) {
        if (strcmp(v[i - 1]->string, v[i]->string) != 0) continue;
        size_t mark = p->path_len;
        path_push(p, "%s%s", p->path_len ? "." : "", v[i]->string);
        p->failed = 1;
        ocb_report_add(p->r, OCB_ERROR, p->path,
                       "duplicate key \"%s\": JSON readers disagree on which one counts "
                       "(Python and JavaScript keep the last, others the first)",
                       v[i]->string);
        path_pop(p, mark);
    }
    free(v);
}

static cJSON *parse_container(jp *p, int is_obj)
{
    size_t open_at = p->pos;
    if (++p->depth > OCB_MAX_DEPTH) {
        p->failed = 1;
        ocb_report_add(p->r, OCB_ERROR, "",
                       "JSON nested deeper than %d levels at byte %zu (a backup has 4)",
                       OCB_MAX_DEPTH, open_at);
        return NULL;
    }
    cJSON *c = is_obj ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!c) {
        fail_at(p, open_at, "out of memory");
        return NULL;
    }
    p->pos++;
    skip_ws(p);
    char close = is_obj ? '}' : ']';
    size_t n = 0, mark = p->path_len;
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        p->depth--;
        return c;
    }
    cJSON *last = NULL;
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (is_obj) {
            char b[16];
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                fail_at(p, p->pos, "expected a key string, found %s", describe_byte(p, p->pos, b));
                break;
            }
            if (!(key = parse_string(p))) break;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                fail_at(p, p->pos, "expected ':' after a key, found %s",
                        describe_byte(p, p->pos, b));
                free(key);
                break;
            }
            p->pos++;
            if (path_push(p, "%s%s", mark ? "." : "", key) < 0) {
                free(key);
                fail_at(p, p->pos, "out of memory");
                break;
            }
        } else if (path_push(p, "[%zu]", n) < 0) {
            fail_at(p, p->pos, "out of memory");
            break;
        }
        cJSON *v = parse_value(p);
        path_pop(p, mark);
        if (!v) {
            free(key);
            break;
        }
        v->string = key; /* owned by the node, like cJSON_AddItemToObject's copy */
        /* append in O(1): cJSON keeps child->prev pointing at the last element */
        if (!last) {
            c->child = v;
        } else {
            last->next = v;
            v->prev = last;
        }
        c->child->prev = v;
        last = v;
        n++;
        skip_ws(p);
        char b[16];
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            if (is_obj) check_duplicates(p, c, n);
            if (p->failed) break;
            p->depth--;
            return c;
        }
        fail_at(p, p->pos, "expected ',' or '%c', found %s", close, describe_byte(p, p->pos, b));
        break;
    }
    cJSON_Delete(c);
    return NULL;
}

static cJSON *parse_value(jp *p)
{
    skip_ws(p);
    char b[16];
    if (p->pos >= p->len) {
        fail_at(p, p->pos, "unexpected end of input");
        return NULL;
    }
    char c = p->s[p->pos];
    if (c == '{' || c == '[') return parse_container(p, c == '{');
    if (c == '"') {
        size_t at = p->pos;
        char *s = parse_string(p);
        if (!s) return NULL;
        cJSON *j = cJSON_CreateString("");
        if (!j) {
            free(s);
            fail_at(p, at, "out of memory");
            return NULL;
        }
        free(j->valuestring);
        j->valuestring = s;
        return j;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p);
    static const struct {
        const char *word;
        int type;
    } WORDS[] = {{"true", cJSON_True}, {"false", cJSON_False}, {"null", cJSON_NULL}};
    for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++) {
        size_t n = strlen(WORDS[i].word);
        if (p->len - p->pos >= n && memcmp(p->s + p->pos, WORDS[i].word, n) == 0) {
            p->pos += n;
            cJSON *j = WORDS[i].type == cJSON_NULL ? cJSON_CreateNull()
                                                   : cJSON_CreateBool(WORDS[i].type == cJSON_True);
            if (!j) fail_at(p, p->pos, "out of memory");
            return j;
        }
    }
    fail_at(p, p->pos, "expected a value, found %s", describe_byte(p, p->pos, b));
    return NULL;
}

cJSON *ocb_json_parse(const char *text, size_t len, ocb_report *r)
{
    jp p = {.s = text, .len = len, .r = r};
    p.path = calloc(1, 64);
    if (!p.path) {
        ocb_report_add(r, OCB_ERROR, "", "out of memory");
        return NULL;
    }
    p.path_cap = 64;
    cJSON *root = parse_value(&p);
    if (root) {
        skip_ws(&p);
        if (p.pos < len) {
            ocb_report_add(r, OCB_ERROR, "", "unexpected data after the JSON object at byte %zu",
                           p.pos);
            cJSON_Delete(root);
            root = NULL;
        }
    }
    free(p.path);
    return root;
}
