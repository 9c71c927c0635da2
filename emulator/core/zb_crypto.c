/* zb_crypto.c - AES-MMO, HMAC-AES-MMO and the Zigbee key derivations (zb_crypto.h).
 *
 * WHY nettle underneath and our own code on top: the block cipher is the part worth taking from a
 * well-kept library (constant-time tables, AES-NI where the CPU has it, reviewed by many), and
 * nettle gives it as two calls on a stack context, with no allocation and no error path (OpenSSL's
 * EVP needs a heap context and a failure check per call; its plain AES_encrypt is deprecated in
 * 3.0). Neither nettle nor OpenSSL has AES-MMO (Zigbee's Matyas-Meyer-Oseas hash with its own
 * 16-bit length padding) nor HMAC over it: their HMACs expect a hash with a 64-byte block and
 * other padding, so the Zigbee constructions stay here, a few lines each, checked against FIPS-197
 * and the published Zigbee check values (tests/unit/test_world.c). */
#include "zb_crypto.h"

#include <nettle/aes.h>
#include <string.h>

void zb_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    struct aes128_ctx ctx;
    aes128_set_encrypt_key(&ctx, key);
    aes128_encrypt(&ctx, 16, out, in);
}

/* The incremental hash: Matyas-Meyer-Oseas, h = E_h(block) ^ block, starting from h = 0. */
typedef struct mmo {
    uint8_t h[16], blk[16];
    size_t fill, total;
} mmo;

static void mmo_block(mmo *m)
{
    uint8_t e[16];
    zb_aes128_encrypt(m->h, m->blk, e);
    for (int i = 0; i < 16; i++)
        m->h[i] = (uint8_t)(e[i] ^ m->blk[i]);
    m->fill = 0;
}

static void mmo_update(mmo *m, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        m->blk[m->fill++] = p[i];
        if (m->fill == 16) mmo_block(m);
    }
    m->total += n;
}

/* Padding for messages under 2^16 bits: 0x80, zeros, then the bit length in the last 2 bytes. */
static void mmo_final(mmo *m, uint8_t out[16])
{
    size_t bits = m->total * 8;
    m->blk[m->fill++] = 0x80;
    if (m->fill > 14) {
        memset(m->blk + m->fill, 0, 16 - m->fill);
        mmo_block(m);
    }
    memset(m->blk + m->fill, 0, 14 - m->fill);
    m->blk[14] = (uint8_t)(bits >> 8);
    m->blk[15] = (uint8_t)bits;
    mmo_block(m);
    memcpy(out, m->h, 16);
}

int zb_aes_mmo(const uint8_t *p, size_t n, uint8_t out[16])
{
    if (n > ZB_MMO_MAX_LEN) return -1;
    mmo m = {0};
    mmo_update(&m, p, n);
    mmo_final(&m, out);
    return 0;
}

int zb_hmac_aes_mmo(const uint8_t key[16], const uint8_t *text, size_t n, uint8_t out[16])
{
    if (n > ZB_MMO_MAX_LEN - 16) return -1;
    uint8_t ipad[16], opad[16], inner[16];
    for (int i = 0; i < 16; i++) { /* the key is one block long: no key hashing or padding */
        ipad[i] = (uint8_t)(key[i] ^ 0x36);
        opad[i] = (uint8_t)(key[i] ^ 0x5C);
    }
    mmo m = {0};
    mmo_update(&m, ipad, 16);
    mmo_update(&m, text, n);
    mmo_final(&m, inner);
    m = (mmo){0};
    mmo_update(&m, opad, 16);
    mmo_update(&m, inner, 16);
    mmo_final(&m, out);
    return 0;
}

void zb_key_transport_key(const uint8_t link_key[16], uint8_t out[16])
{
    static const uint8_t T = 0x00;
    zb_hmac_aes_mmo(link_key, &T, 1, out); /* 1 byte: within the limit */
}

void zb_key_load_key(const uint8_t link_key[16], uint8_t out[16])
{
    static const uint8_t T = 0x02;
    zb_hmac_aes_mmo(link_key, &T, 1, out); /* 1 byte: within the limit */
}

void zb_ezsp_hashed_link_key(const uint8_t root_key[16], const uint8_t eui64_wire[8],
                             uint8_t out[16])
{
    zb_hmac_aes_mmo(root_key, eui64_wire, 8, out); /* 8 bytes: within the limit */
}

int zb_install_code_key(const uint8_t *code, size_t n, uint8_t out[16])
{
    if (n != 8 && n != 10 && n != 14 && n != 18) return -1;
    return zb_aes_mmo(code, n, out);
}
