/* zboss_nv.h - the emulated ZBOSS NCP's store: the NVRAM datasets and production config as
 * the NCP keeps them, and their JSON file form (zboss_nv.c, emulator/zboss/ZBOSS-NVRAM.md). The
 * core saves and loads the file (emu_nv_restore, and the commit after each turn) through the front end's hooks. */
#ifndef ZB_ZBOSS_NV_H
#define ZB_ZBOSS_NV_H

#include "zboss.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One NVRAM dataset as the NCP keeps it in flash: its version and raw payload. */
typedef struct zboss_dataset_blob {
    bool present;
    uint16_t version;
    uint8_t *data;
    size_t len;
} zboss_dataset_blob;

/* The simulated NVRAM (emulator/zboss/ZBOSS-NVRAM.md). `production` survives erase and clear;
 * `common` is COMMON_DATA (dataset 1) held as fields; the other datasets are raw blobs. */
typedef struct zboss_nv {
    uint8_t ieee[8]; /* production config: the local IEEE, LE as on the wire */
    /* COMMON_DATA */
    bool formed;
    uint8_t role; /* 0 ZC, 1 ZR, 2 ZED, 3 none */
    uint16_t pan_id;
    uint8_t nwk_epid[8]; /* as received in NWK_FORMATION (wire order) */
    uint8_t aps_epid[8]; /* as received in SET_EXTENDED_PAN_ID */
    uint8_t channel, page;
    uint32_t channel_mask; /* page 0 */
    uint8_t rx_on_when_idle, ed_timeout, max_children;
    uint8_t tc_policy[6];
    uint8_t coordinator_version;
    bool key_present[3];
    uint8_t nwk_key[3][16]; /* slot n holds the key with sequence number n */
    uint8_t active_key_seq;
    zboss_dataset_blob ds[ZBOSS_DS_MAX + 1];
} zboss_nv;

void zboss_nv_init_blank(zboss_nv *nv);
void zboss_nv_free(zboss_nv *nv);
/* Replaces dataset `type` (copying data). Returns 0 or -1 on allocation failure. */
int zboss_nv_ds_put(zboss_nv *nv, uint16_t type, uint16_t version, const uint8_t *p, size_t n);
void zboss_nv_ds_delete(zboss_nv *nv, uint16_t type);
/* NVRAM_ERASE / reset option 1: everything but the production config. */
void zboss_nv_erase(zboss_nv *nv);
/* NVRAM_CLEAR / reset option 2: like erase, but RESERVED, IB_COUNTERS and APP_DATA1-4 stay. */
void zboss_nv_clear(zboss_nv *nv);
cJSON *zboss_nv_to_json(const zboss_nv *nv);
/* the store's fingerprint: changes with anything zboss_nv_to_json writes */
uint64_t zboss_nv_hash(const zboss_nv *nv);
/* Fills nv from the file's JSON. Returns 0, or -1 with a message naming the field. */
int zboss_nv_from_json(zboss_nv *nv, const cJSON *doc, char *err, size_t errlen);

#endif
