/* zb_crypto.h - the Zigbee hash constructions the world needs to derive keys as stacks do: the
 * AES-MMO hash (spec Annex B.6), its keyed HMAC (Annex B.1.4) and the key derivations built on
 * them, as described in ../shared/protocols/zigbee-security.md §2.2 and §5.3. The AES-128 block
 * cipher under them is nettle's. Not for protecting anything: the emulator only reproduces
 * derived keys (EmberZNet's hashed TC link keys). */
#ifndef ZB_CRYPTO_H
#define ZB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* The longest message AES-MMO takes here: the 16-bit bit-length padding form (Annex B.6). */
#define ZB_MMO_MAX_LEN 8191u

/* One AES-128 block (FIPS-197), encryption only. */
void zb_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
/* AES-MMO hash of n bytes. 0, or -1 (out untouched) when n > ZB_MMO_MAX_LEN. */
int zb_aes_mmo(const uint8_t *p, size_t n, uint8_t out[16]);
/* HMAC-AES-MMO(key, text) with a 16-byte key: H((K^0x5C) | H((K^0x36) | text)). 0, or -1 (out
 * untouched) when 16 + n > ZB_MMO_MAX_LEN. */
int zb_hmac_aes_mmo(const uint8_t key[16], const uint8_t *text, size_t n, uint8_t out[16]);

/* Key-transport key of a link key: HMAC(link key, 0x00) (§2.2). */
void zb_key_transport_key(const uint8_t link_key[16], uint8_t out[16]);
/* Key-load key of a link key: HMAC(link key, 0x02) (§2.2). */
void zb_key_load_key(const uint8_t link_key[16], uint8_t out[16]);
/* EmberZNet's hashed TC link key of a device: HMAC(root key, EUI64 in wire order) (§5.3). */
void zb_ezsp_hashed_link_key(const uint8_t root_key[16], const uint8_t eui64_wire[8],
                             uint8_t out[16]);
/* The link key of an install code (its CRC included: 8, 10, 14 or 18 bytes): AES-MMO of the
 * code. 0, or -1 for another length. The CRC is not checked here. */
int zb_install_code_key(const uint8_t *code, size_t n, uint8_t out[16]);

#endif
