/* zb_crypto.h - the Zigbee hash primitives the world needs to derive keys as stacks do: AES-128
 * (encryption only), the AES-MMO hash (spec Annex B.6) and its keyed HMAC (Annex B.1.4), as
 * described in ../shared/protocols/zigbee-security.md §2.2. Not for protecting anything: the
 * emulator only reproduces derived keys (EmberZNet's hashed TC link keys). */
#ifndef ZB_CRYPTO_H
#define ZB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

void zb_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
/* AES-MMO hash of n bytes (n < 8192: 16-bit bit length in the padding). */
void zb_aes_mmo(const uint8_t *p, size_t n, uint8_t out[16]);
/* HMAC-AES-MMO(key, text) with a 16-byte key: H((K^0x5C) | H((K^0x36) | text)). */
void zb_hmac_aes_mmo(const uint8_t key[16], const uint8_t *text, size_t n, uint8_t out[16]);

#endif
