/* strbuf.c - see strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_n(zbh_sb *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *nb = realloc(b->buf, nc);
        if (!nb) {
            b->failed = 1;
            return;
        }
        b->buf = nb;
        b->cap = nc;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void zbh_sb_put(zbh_sb *b, const char *s)
{
    put_n(b, s, strlen(s));
}

void zbh_sb_printf(zbh_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        put_n(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put_n(b, big, (size_t)n);
    free(big);
}

void zbh_sb_escaped(zbh_sb *b, const char *s)
{
    static const struct {
        char ch;
        const char *entity;
    } ENT[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    while (*s) {
        size_t run = strcspn(s, "&<>\"'\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0d\x0e\x0f"
                                "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
                                "\x1f");
        put_n(b, s, run);
        s += run;
        if (!*s) break;
        const char *piece = "?"; /* a control character: not allowed in XML 1.0 */
        for (size_t i = 0; i < sizeof(ENT) / sizeof(ENT[0]); i++)
            if (ENT[i].ch == *s) piece = ENT[i].entity;
        zbh_sb_put(b, piece);
        s++;
    }
}

void zbh_sb_free(zbh_sb *b)
{
    free(b->buf);
    *b = (zbh_sb){0};
}
