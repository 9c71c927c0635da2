/* strbuf.c - see strbuf.h. */
#include "strbuf.h"

#include "fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *zb_grow(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (p && need <= *cap) return p;
    size_t nc = *cap ? *cap : first ? first : 1;
    while (nc < need) {
        if (nc > SIZE_MAX / 2) return NULL;
        nc *= 2;
    }
    if (nc > SIZE_MAX / elem) return NULL;
    void *np = realloc(p, nc * elem);
    if (!np) return NULL;
    *cap = nc;
    return np;
}

int zb_sb_add(zb_sb *b, const void *p, size_t n)
{
    if (b->failed) return -1;
    char *nb = n < SIZE_MAX - b->len ? zb_grow(b->buf, &b->cap, b->len + n + 1, 1, 4096) : NULL;
    if (!nb) {
        b->failed = 1;
        return -1;
    }
    b->buf = nb;
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return 0;
}

void zb_sb_put(zb_sb *b, const char *s)
{
    zb_sb_add(b, s, strlen(s));
}

void zb_sb_vprintf(zb_sb *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        zb_sb_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    zb_sb_add(b, big, (size_t)n);
    free(big);
}

void zb_sb_printf(zb_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zb_sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void zb_sb_escaped(zb_sb *b, const char *s)
{
    static const struct {
        char ch;
        const char *entity;
    } ENT[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    while (*s) {
        size_t run = strcspn(s, "&<>\"'\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0d\x0e\x0f"
                                "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
                                "\x1f");
        zb_sb_add(b, s, run);
        s += run;
        if (!*s) break;
        const char *piece = "?"; /* a control character: not allowed in XML 1.0 */
        for (size_t i = 0; i < sizeof(ENT) / sizeof(ENT[0]); i++)
            if (ENT[i].ch == *s) piece = ENT[i].entity;
        zb_sb_put(b, piece);
        s++;
    }
}

void zb_sb_free(zb_sb *b)
{
    free(b->buf);
    *b = (zb_sb){0};
}

int zb_sb_write_file(zb_sb *b, const char *path, unsigned mode, unsigned flags)
{
    int rc = -1;
    if (b->failed)
        errno = ENOMEM;
    else
        rc = file_write(path, b->buf, b->len, (mode_t)mode, flags);
    int e = errno;
    zb_sb_free(b);
    errno = e;
    return rc;
}
