/* log.c - stderr logger with levels and key redaction. */
#include "log.h"

#include "hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

void zb_log(int level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug", "trace"};
    if (level > g_level) return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(stderr, "%s[%ld.%03ld] %s: ", g_prefix, (long)ts.tv_sec, ts.tv_nsec / 1000000L,
            names[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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
