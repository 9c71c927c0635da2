/* znp_nv.h - Z-Stack's non-volatile memory: OSAL items (16-bit ids) and, on 3.x.0, extended
 * items (sysId, itemId, subId). Legacy item `id` is the extended item (1, 0, id), as on the
 * real NVOCMP driver, so both command families see one store. */
#ifndef ZB_ZNP_NV_H
#define ZB_ZNP_NV_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define ZNP_NV_SYS_ZSTACK 1
#define ZNP_NV_LEGACY     0

typedef struct znp_nv_item {
    uint8_t sys;
    uint16_t item, sub;
    uint16_t len;
    uint8_t *data;
} znp_nv_item;

typedef struct znp_nv {
    znp_nv_item *items; /* sorted by (sys, item, sub) */
    size_t n, cap;
} znp_nv;

void znp_nv_init(znp_nv *nv);
void znp_nv_free(znp_nv *nv);

znp_nv_item *znp_nv_find(const znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub);
/* Creates (zero-filled, or from `data`) or replaces an item. Returns it, or NULL on OOM. */
znp_nv_item *znp_nv_put(znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub, const uint8_t *data,
                        size_t len);
int znp_nv_delete(znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub);

/* Shorthands for OSAL items. */
static inline znp_nv_item *znp_nv_osal(const znp_nv *nv, uint16_t id)
{
    return znp_nv_find(nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, id);
}
static inline znp_nv_item *znp_nv_osal_put(znp_nv *nv, uint16_t id, const uint8_t *d, size_t len)
{
    return znp_nv_put(nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, id, d, len);
}
/* Number of contiguous rows 0,1,2,... of an extended table (what hosts discover). */
size_t znp_nv_table_rows(const znp_nv *nv, uint16_t item);

/* zigpy-znp's NVRAM JSON ("LEGACY": {name: hex}, "<TABLE>": {"0x0000": hex}). Loading
 * reports the first bad entry by section and key; the store is left empty on error. */
int znp_nv_from_json(znp_nv *nv, const cJSON *doc, char *err, size_t errlen);
cJSON *znp_nv_to_json(const znp_nv *nv);
/* the store's fingerprint: changes with any item, id or byte znp_nv_to_json writes */
uint64_t znp_nv_hash(const znp_nv *nv);

#endif
