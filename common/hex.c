/* hex.c - hex text codecs. Strict on input (no prefixes, no separators) so that every
 * caller can name exactly what was wrong with a field. */
#include "hex.h"

#include <stdlib.h>
#include <string.h>

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t hex_span(const char *s)
{
    size_t n = 0;
    while (s[n] && hex_nibble(s[n]) >= 0)
        n++;
    return n;
}

int hex_decode(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n || hex_span(s) != 2 * n) return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(hex_nibble(s[2 * i]) << 4 | hex_nibble(s[2 * i + 1]));
    return 0;
}

long hex_decode_alloc(const char *s, uint8_t **out)
{
    size_t len = strlen(s);
    *out = NULL;
    if (len % 2 || hex_span(s) != len) return -1;
    uint8_t *p = malloc(len / 2 ? len / 2 : 1);
    if (!p) return -1;
    if (hex_decode(s, p, len / 2) < 0) {
        free(p);
        return -1;
    }
    *out = p;
    return (long)(len / 2);
}

void hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

char *hex_encode_alloc(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (s) hex_encode(p, n, s);
    return s;
}

int hex_to_u64(const char *s, uint64_t *out)
{
    size_t len = strlen(s);
    if (len == 0 || len > 16 || hex_span(s) != len) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v << 4 | (uint64_t)hex_nibble(s[i]);
    *out = v;
    return 0;
}
