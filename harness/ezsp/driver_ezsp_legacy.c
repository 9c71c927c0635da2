/* driver_ezsp_legacy.c - what the EZSP driver does differently on EmberZNet 6.7-7.3 (EZSP v8 to
 * v12), as bellows does for those versions (ezsp-ash.md §5.4): keys are read with getKey and
 * getKeyTableEntry and written with addOrUpdateKeyTableEntry, because the security-manager
 * commands the v13+ path uses are missing (v8-v11) or take another context layout and lack
 * getNetworkKeyInfo (v12). The network key's EmberKeyStruct carries the NWK frame counter and
 * the key sequence number; the TC link key is the hashed-TCLK root.
 *
 * Losses by version: v8 has no setChildData (added in v9), so children are restored into the
 * address table, which keeps their IEEE/NWK pair but not the fact that they are children. */
#include "driver_ezsp_legacy.h"

#include "bytes.h"
#include "ezsp_versions.h"
#include "log.h"

#include <string.h>

/* getKey(type): its status (0xFF for a short answer) or a negative host error */
static int get_key(ezsp_host *h, uint8_t type, ezsp_key_struct *k)
{
    ezsp_byte q = {.value = type};
    ezsp_key_rsp a;
    int rc = ezsp_host_call(h, EZSP_ID_GET_KEY, &q, &a);
    if (rc < 0) return rc;
    *k = a.key[0];
    return rc == EZSP_HOST_SHORT ? 0xFF : a.status;
}

int ezsp_legacy_read_keys(ezsp_host *h, uint8_t nwk_key[16], ezsp_network_key_info *ki,
                          uint8_t tclk[16])
{
    ezsp_key_struct nk, tk;
    int rc = get_key(h, EMBER_CURRENT_NETWORK_KEY, &nk);
    if (rc) return rc;
    if ((rc = get_key(h, EMBER_TRUST_CENTER_LINK_KEY, &tk))) return rc;
    memcpy(nwk_key, nk.key, 16);
    memcpy(tclk, tk.key, 16);
    memset(ki, 0, sizeof(*ki));
    ki->network_key_set = 1;
    /* bellows reads the sequence number and the counter only when the bitmask says so */
    if (nk.bitmask & EMBER_KEY_HAS_SEQUENCE_NUMBER) ki->network_key_seq = nk.sequence_number;
    if (nk.bitmask & EMBER_KEY_HAS_OUTGOING_FRAME_COUNTER)
        ki->network_key_frame_counter = nk.outgoing_frame_counter;
    return 0;
}

int ezsp_legacy_read_key_table(ezsp_host *h, unsigned table_size, ocb_backup *b,
                               void (*add)(ocb_backup *, const ocb_device *))
{
    for (unsigned i = 0; i < table_size && i < 256; i++) {
        ezsp_index q = {.index = (uint8_t)i};
        ezsp_key_rsp a;
        int rc = ezsp_host_call(h, EZSP_ID_GET_KEY_TABLE_ENTRY, &q, &a);
        if (rc < 0) return rc;
        const ezsp_key_struct *k = &a.key[0];
        if (a.status == EMBER_INDEX_OUT_OF_RANGE) break;
        if (a.status != EMBER_SUCCESS) continue;        /* TABLE_ENTRY_ERASED, NOT_FOUND */
        if (rc == EZSP_HOST_SHORT) return EZSP_HOST_IO; /* a short answer is a failed read */
        ocb_device nd = {.ieee = get_le64(k->partner_eui64), .has_link_key = true};
        memcpy(nd.link_key.key, k->key, 16);
        nd.link_key.tx_counter = k->outgoing_frame_counter;
        /* as on v13+: no EZSP command restores a key's incoming counter, so the backup says 0
         * (driver_ezsp.c, read_key_table) */
        nd.link_key.rx_counter = 0;
        add(b, &nd);
    }
    return 0;
}

long ezsp_legacy_write_link_key(ezsp_host *h, const uint8_t eui[8], const uint8_t key[16])
{
    ezsp_key_entry_req q = {.link_key = 1}; /* a link key, not a master key */
    memcpy(q.eui64, eui, 8);
    memcpy(q.key, key, 16);
    ezsp_st8 a;
    int rc = ezsp_host_call(h, EZSP_ID_ADD_OR_UPDATE_KEY_TABLE_ENTRY, &q, &a);
    if (rc < 0) return rc;
    return rc == EZSP_HOST_SHORT ? 0xFF : a.status;
}

const zbh_loss *ezsp_version_losses(int version, const zbh_loss *base)
{
    static const zbh_loss V8[] = {
        {"devices[].is_child", "EZSP v8 (EmberZNet 6.x) has no setChildData: children are "
                               "restored into the address table, as routers"},
    };
    static zbh_loss merged[16];
    if (version >= 9) return base;
    size_t n = 0;
    for (const zbh_loss *l = base; l && l->field && n < 15 - 1; l++)
        merged[n++] = *l;
    for (size_t i = 0; i < sizeof(V8) / sizeof(V8[0]) && n < 15; i++)
        merged[n++] = V8[i];
    merged[n] = (zbh_loss){NULL, NULL};
    return merged;
}
