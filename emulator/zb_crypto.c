/* zb_crypto.c - AES-128 encryption, AES-MMO and HMAC-AES-MMO (zb_crypto.h).
 *
 * WHY our own: the emulators link no crypto library, and only the hash is needed (EmberZNet's
 * hashed TC link key = HMAC-AES-MMO(root key, EUI64), zigbee-security.md §5.3). The S-box is
 * computed from its definition (multiplicative inverse in GF(2^8), then the affine map) instead of
 * a 256-byte table typed in; the unit tests check FIPS-197 and the Zigbee check values. */
#include "zb_crypto.h"

#include <string.h>

static uint8_t g_sbox[256];

static uint8_t rotl8(uint8_t x, int s)
{
    return (uint8_t)((x << s) | (x >> (8 - s)));
}

static void sbox_init(void)
{
    if (g_sbox[0]) return;
    uint8_t p = 1, q = 1;
    do { /* p runs over the powers of 3, q over those of its inverse */
        p = (uint8_t)(p ^ (uint8_t)(p << 1) ^ ((p & 0x80) ? 0x1B : 0));
        q ^= (uint8_t)(q << 1);
        q ^= (uint8_t)(q << 2);
        q ^= (uint8_t)(q << 4);
        if (q & 0x80) q ^= 0x09;
        g_sbox[p] = (uint8_t)(q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63);
    } while (p != 1);
    g_sbox[0] = 0x63;
}

static uint8_t xtime(uint8_t x)
{
    return (uint8_t)((x << 1) ^ ((x & 0x80) ? 0x1B : 0));
}

void zb_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    sbox_init();
    uint8_t rk[176], s[16], t[16];
    memcpy(rk, key, 16);
    uint8_t rcon = 1;
    for (int i = 16; i < 176; i += 4) {
        uint8_t w[4] = {rk[i - 4], rk[i - 3], rk[i - 2], rk[i - 1]};
        if (i % 16 == 0) {
            uint8_t w0 = w[0];
            w[0] = (uint8_t)(g_sbox[w[1]] ^ rcon);
            w[1] = g_sbox[w[2]];
            w[2] = g_sbox[w[3]];
            w[3] = g_sbox[w0];
            rcon = xtime(rcon);
        }
        for (int j = 0; j < 4; j++)
            rk[i + j] = (uint8_t)(rk[i - 16 + j] ^ w[j]);
    }
    for (int i = 0; i < 16; i++)
        s[i] = (uint8_t)(in[i] ^ rk[i]);
    for (int round = 1; round <= 10; round++) {
        for (int c = 0; c < 4; c++) /* SubBytes + ShiftRows */
            for (int r = 0; r < 4; r++)
                t[c * 4 + r] = g_sbox[s[((c + r) % 4) * 4 + r]];
        if (round < 10)
            for (int c = 0; c < 4; c++) { /* MixColumns */
                uint8_t *a = t + c * 4, all = (uint8_t)(a[0] ^ a[1] ^ a[2] ^ a[3]), a0 = a[0];
                a[0] ^= (uint8_t)(all ^ xtime((uint8_t)(a[0] ^ a[1])));
                a[1] ^= (uint8_t)(all ^ xtime((uint8_t)(a[1] ^ a[2])));
                a[2] ^= (uint8_t)(all ^ xtime((uint8_t)(a[2] ^ a[3])));
                a[3] ^= (uint8_t)(all ^ xtime((uint8_t)(a[3] ^ a0)));
            }
        for (int i = 0; i < 16; i++)
            s[i] = (uint8_t)(t[i] ^ rk[round * 16 + i]);
    }
    memcpy(out, s, 16);
}

void zb_aes_mmo(const uint8_t *p, size_t n, uint8_t out[16])
{
    uint8_t h[16] = {0}, blk[16], e[16];
    size_t total = ((n + 3 + 15) / 16) * 16; /* 0x80, then the 16-bit bit length at the end */
    for (size_t off = 0; off < total; off += 16) {
        for (size_t i = 0; i < 16; i++) {
            size_t k = off + i;
            blk[i] = k < n ? p[k] : k == n ? 0x80 : 0x00;
        }
        if (off + 16 == total) {
            blk[14] = (uint8_t)((n * 8) >> 8);
            blk[15] = (uint8_t)(n * 8);
        }
        zb_aes128_encrypt(h, blk, e);
        for (int i = 0; i < 16; i++)
            h[i] = (uint8_t)(e[i] ^ blk[i]);
    }
    memcpy(out, h, 16);
}

void zb_hmac_aes_mmo(const uint8_t key[16], const uint8_t *text, size_t n, uint8_t out[16])
{
    uint8_t inner[16 + 64], outer[32], ih[16];
    if (n > 64) n = 64; /* every Zigbee use hashes a few bytes */
    for (int i = 0; i < 16; i++) {
        inner[i] = (uint8_t)(key[i] ^ 0x36);
        outer[i] = (uint8_t)(key[i] ^ 0x5C);
    }
    memcpy(inner + 16, text, n);
    zb_aes_mmo(inner, 16 + n, ih);
    memcpy(outer + 16, ih, 16);
    zb_aes_mmo(outer, 32, out);
}
