/* bytes.h - explicit little/big-endian field codecs.
 *
 * Every wire and NVRAM layout in this project is written with these helpers instead of
 * memcpy of packed structs: the layouts differ per chip (packed 8051 vs aligned ARM), and an
 * explicit offset per field is what the protocol documents give us. */
#ifndef ZB_BYTES_H
#define ZB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | ((uint64_t)get_le32(p + 4) << 32);
}
static inline void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* ---- 8-byte addresses: IEEE (EUI-64) and extended PAN ids ---- */

/* dst = src with its 8 bytes in the other order: the wire and NV keep them least significant
 * byte first, files and users write them most significant first. dst may be src (in place);
 * otherwise the two must not overlap. */
static inline void zb_ieee_reverse(uint8_t dst[8], const uint8_t src[8])
{
    for (int i = 0; i < 4; i++) {
        uint8_t lo = src[i], hi = src[7 - i];
        dst[i] = hi;
        dst[7 - i] = lo;
    }
}

/* Are all n bytes at p equal to v? (n == 0: true) */
static inline bool zb_all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v) return false;
    return true;
}

/* An 8-byte address that names nothing: all 00 (never written) or all FF (erased flash, the
 * stacks' "unused slot"). Sites that accept only one of the two call zb_all_bytes. */
static inline bool zb_ieee_blank(const uint8_t p[8])
{
    return zb_all_bytes(p, 8, 0x00) || zb_all_bytes(p, 8, 0xFF);
}

/* FNV-1a, 64 bits: a store's fingerprint (emu core: commit when it changed), not a MAC */
#define ZB_FNV1A_INIT 0xcbf29ce484222325ull
static inline uint64_t zb_fnv1a(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* A bounded byte writer: writes past the end set `overflow` instead of corrupting memory,
 * so encoders can write a whole frame and check once. */
typedef struct zb_buf {
    uint8_t *data;
    size_t cap;
    size_t len;
    int overflow;
} zb_buf;

static inline zb_buf zb_buf_init(uint8_t *data, size_t cap)
{
    zb_buf b = {data, cap, 0, 0};
    return b;
}
static inline void zb_put_u8(zb_buf *b, uint8_t v)
{
    if (b->len + 1 > b->cap) {
        b->overflow = 1;
        return;
    }
    b->data[b->len++] = v;
}
static inline void zb_put_le16(zb_buf *b, uint16_t v)
{
    zb_put_u8(b, (uint8_t)v);
    zb_put_u8(b, (uint8_t)(v >> 8));
}
static inline void zb_put_le32(zb_buf *b, uint32_t v)
{
    zb_put_le16(b, (uint16_t)v);
    zb_put_le16(b, (uint16_t)(v >> 16));
}
static inline void zb_put_le64(zb_buf *b, uint64_t v)
{
    zb_put_le32(b, (uint32_t)v);
    zb_put_le32(b, (uint32_t)(v >> 32));
}
static inline void zb_put_bytes(zb_buf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zb_put_u8(b, p[i]);
}

/* A bounded byte reader: reads past the end set `short_read` and return zeros. */
typedef struct zb_rd {
    const uint8_t *data;
    size_t len;
    size_t pos;
    int short_read;
} zb_rd;

static inline zb_rd zb_rd_init(const uint8_t *data, size_t len)
{
    zb_rd r = {data, len, 0, 0};
    return r;
}
static inline uint8_t zb_get_u8(zb_rd *r)
{
    if (r->pos + 1 > r->len) {
        r->short_read = 1;
        return 0;
    }
    return r->data[r->pos++];
}
static inline uint16_t zb_get_le16(zb_rd *r)
{
    uint16_t lo = zb_get_u8(r);
    return (uint16_t)(lo | (zb_get_u8(r) << 8));
}
static inline uint32_t zb_get_le32(zb_rd *r)
{
    uint32_t lo = zb_get_le16(r);
    return lo | ((uint32_t)zb_get_le16(r) << 16);
}
static inline uint64_t zb_get_le64(zb_rd *r)
{
    uint64_t lo = zb_get_le32(r);
    return lo | ((uint64_t)zb_get_le32(r) << 32);
}
static inline void zb_get_bytes(zb_rd *r, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zb_get_u8(r);
}
static inline size_t zb_rd_left(const zb_rd *r)
{
    return r->pos < r->len ? r->len - r->pos : 0;
}

#endif
