/* ezsp_tokens.h - byte layouts of the EmberZNet stack tokens whose elements the emulator reads
 * and writes field by field (ezsp-ash.md §8.2), as layouts (schema.h) read and written through
 * the one codec: no caller indexes a token element by hand. Multi-byte fields are little-endian,
 * as the NCP stores them.
 *
 * STACK_CHILD_TABLE element (11 bytes): eui64[8], EmberNodeType u8, node id u16.
 * STACK_KEY_TABLE element (25 bytes): partner eui64[8], key[16], info u8. */
#ifndef ZB_EZSP_TOKENS_H
#define ZB_EZSP_TOKENS_H

#include "schema.h"

#include <stdint.h>

/* NVM3 keys of the stack tokens the NCP itself reads (ezsp-ash.md §8.2);
 * the emulator stores them, the driver asks for RESTORED_EUI64 by key (getTokenData) */
enum {
    TOK_NVDATA_VERSION = 0x1FF01,
    TOK_APS_FRAME_COUNTER = 0x1E123,
    TOK_ALTERNATE_KEY = 0x1E475,
    TOK_BOOT_COUNTER = 0x1E263,
    TOK_NONCE_COUNTER = 0x1E563,
    TOK_KEYS = 0x1EB79,
    TOK_NODE_DATA = 0x1EE64,
    TOK_TRUST_CENTER = 0x1E124,
    TOK_NETWORK_MANAGEMENT = 0x1E125,
    TOK_RESTORED_EUI64 = 0x1E12A,
    TOK_CHILD_TABLE = 0x10580,
    TOK_KEY_TABLE = 0x10600,
};

#define EZSP_TOK_CHILD_SIZE 11
/* type: EmberNodeType, 3 end device, 4 sleepy end device */
#define EZSP_TOK_CHILD(X, S) X(S, BYTES, eui64, 8) X(S, U8, type) X(S, U16, id)
ZS_STRUCT(ezsp_tok_child, EZSP_TOK_CHILD)
void ezsp_tok_child_decode(const uint8_t p[EZSP_TOK_CHILD_SIZE], ezsp_tok_child *v);
void ezsp_tok_child_encode(const ezsp_tok_child *v, uint8_t p[EZSP_TOK_CHILD_SIZE]);

#define EZSP_TOK_KEY_SIZE            25
#define EZSP_TOK_KEY_INFO_AUTHORIZED 0x10 /* what the stack writes for a link key it stores */
#define EZSP_TOK_KEY(X, S)           X(S, BYTES, eui64, 8) X(S, BYTES, key, 16) X(S, U8, info)
ZS_STRUCT(ezsp_tok_key, EZSP_TOK_KEY)
void ezsp_tok_key_decode(const uint8_t p[EZSP_TOK_KEY_SIZE], ezsp_tok_key *v);
void ezsp_tok_key_encode(const ezsp_tok_key *v, uint8_t p[EZSP_TOK_KEY_SIZE]);

#endif
