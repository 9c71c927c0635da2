/* driver_ezsp_legacy.h - the EZSP host driver's code paths for EmberZNet 6.7-7.3 (EZSP v8-v12),
 * whose keys come through the key-table API (getKey, getKeyTableEntry,
 * addOrUpdateKeyTableEntry) instead of v13's security manager, and what each version cannot
 * store (driver_ezsp_legacy.c). */
#ifndef ZB_DRIVER_EZSP_LEGACY_H
#define ZB_DRIVER_EZSP_LEGACY_H

#include "driver.h"
#include "ezsp_host.h"

/* first version with the security-manager reads the v13+ path uses (exportKey with an
 * 18-byte context, getNetworkKeyInfo) */
#define EZSP_DRV_SECMAN 13

/* getKey(CURRENT_NETWORK_KEY) and getKey(TRUST_CENTER_LINK_KEY): the network key with its
 * sequence number and NWK outgoing frame counter (into ki), the hashed-TCLK root. Returns 0,
 * a positive EmberStatus or a negative EZSP_HOST error. */
int ezsp_legacy_read_keys(ezsp_host *h, uint8_t nwk_key[16], ezsp_network_key_info *ki,
                          uint8_t tclk[16]);
/* getKeyTableEntry 0.. until INDEX_OUT_OF_RANGE (or table_size): every link key is passed to
 * add as a device. Returns 0 or a negative EZSP_HOST error. */
int ezsp_legacy_read_key_table(ezsp_host *h, unsigned table_size, ocb_backup *b,
                               void (*add)(ocb_backup *, const ocb_device *));
/* addOrUpdateKeyTableEntry(eui64, linkKey = true, key). Returns the EmberStatus or a
 * negative EZSP_HOST error. */
long ezsp_legacy_write_link_key(ezsp_host *h, const uint8_t eui[8], const uint8_t key[16]);
/* The fields an NCP of this version cannot store: base plus what the version lacks. */
const zbh_loss *ezsp_version_losses(int version, const zbh_loss *base);

#endif
