/* ezsp_nv.h - the emulated EmberZNet NCP's store: stack and manufacturing tokens (NVM3 keys),
 * the token codecs the NCP itself reads, and their JSON file form (ezsp_nv.c,
 * emulator/ezsp/EZSP-NVRAM.md). The core saves and loads the file (emu_nv_restore, and the commit after each turn)
 * through the front end's hooks. */
#ifndef ZB_EZSP_NV_H
#define ZB_EZSP_NV_H

#include "ezsp_tokens.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the store's table sizes */
#define EZSP_KEY_TABLE_SIZE 32 /* KEY_TABLE token entries (NVM3 0x10600...) */
#define EZSP_CHILD_TABLE    32 /* CHILD_TABLE token entries (NVM3 0x10580...) */
#define EZSP_ADDRESS_TABLE  64

typedef struct ezsp_token_def {
    uint32_t key;
    const char *name;
    uint8_t size;
    uint8_t array_size; /* > 1: indexed token */
    uint8_t is_cnt;
    const char *dflt_hex; /* one element's default; NULL = zeros */
} ezsp_token_def;

typedef struct ezsp_token {
    const ezsp_token_def *def;
    uint8_t *data; /* size * array_size bytes */
} ezsp_token;

/* The persistent store: stack tokens, manufacturing tokens and the emulator's model of what
 * the network knows about its devices (EZSP-NVRAM.md). */
typedef struct ezsp_nv {
    size_t n_tokens;
    ezsp_token *tokens;
    uint8_t hw_eui64[8];       /* chip EUI64, wire order */
    uint8_t mfg_custom_eui[8]; /* MFG_CUSTOM_EUI_64, FF x 8 = unset (write-once) */
    struct {
        uint8_t eui64[8];
        uint16_t nwk;
    } addr[EZSP_ADDRESS_TABLE];
    uint32_t key_rx_counter[EZSP_KEY_TABLE_SIZE]; /* incoming APS counters per key-table slot */
} ezsp_nv;

extern const ezsp_token_def ezsp_token_table[];
extern const size_t ezsp_n_token_defs;

int ezsp_nv_init(ezsp_nv *nv); /* all tokens at their defaults */
void ezsp_nv_free(ezsp_nv *nv);
ezsp_token *ezsp_nv_token(ezsp_nv *nv, uint32_t key);
/* Pointer to element `index` of token `key`, or NULL. */
uint8_t *ezsp_nv_elem(ezsp_nv *nv, uint32_t key, unsigned index);
void ezsp_nv_factory_reset(ezsp_nv *nv, bool keep_outgoing_fc, bool keep_boot_counter);
cJSON *ezsp_nv_to_json(const ezsp_nv *nv);
/* the store's fingerprint: changes with anything ezsp_nv_to_json writes */
uint64_t ezsp_nv_hash(const ezsp_nv *nv);
int ezsp_nv_from_json(ezsp_nv *nv, const cJSON *doc, char *err, size_t errlen);

/* STACK_NODE_DATA (16 bytes) */
typedef struct ezsp_node_data {
    uint16_t pan_id;
    uint8_t radio_tx_power;
    uint8_t radio_channel;
    uint8_t stack_profile;
    uint8_t node_type;
    uint16_t node_id;
    uint8_t extended_pan_id[8];
} ezsp_node_data;
void ezsp_node_data_decode(const uint8_t *p, ezsp_node_data *v);
void ezsp_node_data_encode(const ezsp_node_data *v, uint8_t *p);

/* STACK_KEY_TABLE element: eui64, key, info (codec: ezsp_tok_key_*) */
#define EZSP_KEY_ENTRY_SIZE EZSP_TOK_KEY_SIZE /* proto/ezsp/ezsp_tokens.h */

#endif
