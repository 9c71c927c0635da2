/* log.c - stderr logger with levels and key redaction. Lines are built whole on the heap and
 * written at once (never cut at a buffer size, never interleaved with a parallel job's line),
 * and what a file or a device said is escaped before it reaches a terminal. */
#include "log.h"

#include "clock.h"
#include "hex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int g_level = ZB_LOG_INFO;
static int g_show_keys;
static const char *g_prefix = "";

void zb_log_set_level(int level)
{
    g_level = level;
}
int zb_log_level(void)
{
    return g_level;
}
void zb_log_set_show_keys(int show)
{
    g_show_keys = show;
}
int zb_log_show_keys(void)
{
    return g_show_keys;
}
void zb_log_set_prefix(const char *prefix)
{
    g_prefix = prefix ? prefix : "";
}

static char *vdup_printf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *zb_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vdup_printf(fmt, ap);
    va_end(ap);
    return s;
}

/* Length of the valid UTF-8 sequence at p (2..4), or 0. Overlong forms and surrogates are
 * not valid. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (c >= 0xF5) n = 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))) return 0;
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) return 0;
    return n;
}

size_t zb_escape(const char *s, char *out, size_t cap)
{
    static const struct {
        char c;
        const char *esc;
    } NAMED[] = {{'\n', "\\n"}, {'\t', "\\t"}, {'\r', "\\r"}, {'\x1b', "\\e"}};
    size_t len = 0;
#define PUT(str, n)                                                                                \
    do {                                                                                           \
        for (size_t k_ = 0; k_ < (n); k_++, len++)                                                 \
            if (len + 1 < cap) out[len] = (str)[k_];                                               \
    } while (0)
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        char tmp[8];
        const char *esc = NULL;
        for (size_t i = 0; i < sizeof(NAMED) / sizeof(NAMED[0]); i++)
            if (*p == (unsigned char)NAMED[i].c) esc = NAMED[i].esc;
        if (esc) {
            PUT(esc, strlen(esc));
            p++;
        } else if (*p < 0x20 || *p == 0x7F) {
            snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
            PUT(tmp, 4u);
            p++;
        } else if (*p < 0x80) {
            PUT((const char *)p, 1u);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) { /* C1 control, e.g. U+009B CSI */
                snprintf(tmp, sizeof(tmp), "\\u%04x", p[1]);
                PUT(tmp, 6u);
            } else if (n) {
                PUT((const char *)p, n);
            } else {
                snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
                PUT(tmp, 4u);
                n = 1;
            }
            p += n;
        }
    }
#undef PUT
    if (cap) out[len < cap ? len : cap - 1] = '\0';
    return len;
}

char *zb_escape_dup(const char *s)
{
    size_t n = zb_escape(s, NULL, 0);
    char *out = malloc(n + 1);
    if (out) zb_escape(s, out, n + 1);
    return out;
}

/* Writes all of s to stderr with one write(2) where the kernel allows. */
static void write_err(const char *s, size_t n)
{
    fflush(stderr);
    while (n) {
        ssize_t k = write(STDERR_FILENO, s, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        s += k;
        n -= (size_t)k;
    }
}

void zb_log(int level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug", "trace"};
    if (level > g_level) return;
    int64_t ms = zb_now_ms();
    va_list ap;
    va_start(ap, fmt);
    char *msg = vdup_printf(fmt, ap);
    va_end(ap);
    /* a log line is one line: any control character in it (a device or a file said it) is
     * escaped */
    char *safe = NULL;
    if (msg) {
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
            n += *p < 0x20 || *p == 0x7F || *p >= 0x80;
        safe = n ? zb_escape_dup(msg) : NULL;
    }
    char *line = zb_strdup_printf("%s[%ld.%03ld] %s: %s\n", g_prefix, (long)(ms / 1000),
                                  (long)(ms % 1000), names[level],
                                  safe  ? safe
                                  : msg ? msg
                                        : fmt);
    if (line)
        write_err(line, strlen(line));
    else
        write_err("zb_log: out of memory\n", 22);
    free(line);
    free(safe);
    free(msg);
}

void zb_log_frame(const char *what, const uint8_t *p, size_t n, size_t public_len)
{
    if (g_level < ZB_LOG_TRACE) return;
    char buf[2 * 512 + 1];
    size_t shown = g_show_keys ? n : (public_len < n ? public_len : n);
    if (shown > 512) shown = 512;
    hex_encode(p, shown, buf);
    if (shown < n)
        zb_log(ZB_LOG_TRACE, "%s %s +%zu bytes%s", what, buf, n - shown,
               g_show_keys ? "" : " (--show-keys to see them)");
    else
        zb_log(ZB_LOG_TRACE, "%s %s", what, buf);
}

const char *zb_log_key(const uint8_t key[16], char buf[33])
{
    if (g_show_keys)
        hex_encode(key, 16, buf);
    else
        strcpy(buf, "<redacted>");
    return buf;
}
