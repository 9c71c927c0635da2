/* driver_ezsp.c - the harness's EmberZNet host driver (EZSP over ASH, v8 and later; the v8-v12
 * key-table paths are in driver_ezsp_legacy.c).
 *
 * Backup reads what the NCP exposes through EZSP (ezsp-ash.md §9.1): network parameters, the
 * keys through the security manager, the NWK frame counter, and - unlike herdsman, whose ember
 * backups have no devices - the key table (plaintext link keys), child table and address
 * table. Restore follows bellows' order (§7.2): leave any network, set the node EUI64, write
 * the counters while no network exists, the initial security state, the link keys and device
 * tables, then form on the backup's channel.
 *
 * The coordinator EUI64: the rewritable STACK_RESTORED_EUI64 token is used when it is already
 * in use; otherwise the write-once MFG_CUSTOM_EUI_64 is burnt while it is blank, but only
 * with the caller's explicit ZBH_IEEE_BURN (--burn-ieee): by default the restore stops before
 * any write (check_write). When that token already holds another EUI64, the restore refuses,
 * unless the backup carries bellows' documented override `stack_specific.ezsp."i_understand_
 * i_can_update_eui64_only_once_and_i_still_want_to_do_it": true`, in which case the rewritable
 * restored-EUI64 token takes precedence. The override is never consent to burn. */
#include "driver.h"
#include "driver_step.h"
#include "driver_ezsp_legacy.h"
#include "ezsp_host.h"
#include "ezsp_tokens.h"
#include "progress.h"
#include "ezsp_versions.h"

#include "bytes.h"
#include "hex.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EUI64_OVERRIDE "i_understand_i_can_update_eui64_only_once_and_i_still_want_to_do_it"

typedef struct ezsp_drv {
    ezsp_host h;
    int version;
} ezsp_drv;

/* ---------------------------------------------------------------- small commands */

/* The typed call (ezsp_host.h): request and response structs through the schema's row */
static int call(ezsp_drv *d, uint16_t id, const void *req, void *rsp)
{
    return ezsp_host_call(&d->h, id, req, rsp);
}

/* A command whose whole answer is one Ember/Ezsp status in the version's width. Returns the
 * status, 0xFF for a short answer, or a negative host error. */
static long status_cmd(ezsp_drv *d, uint16_t id, const void *req)
{
    ezsp_st a;
    int rc = call(d, id, req, &a);
    if (rc < 0) return rc;
    return rc == EZSP_HOST_SHORT ? 0xFF : (long)a.status;
}

static long set_value(ezsp_drv *d, uint8_t id, const uint8_t *v, uint8_t len)
{
    ezsp_set_value_req q = {.id = id, .value_len = len};
    memcpy(q.value, v, len);
    return status_cmd(d, EZSP_ID_SET_VALUE, &q);
}

/* 0 and the value, 1 when refused or short, or a negative host error */
static int get_config(ezsp_drv *d, uint8_t id, uint16_t *v)
{
    ezsp_id_req q = {.id = id};
    ezsp_config_rsp a;
    int rc = call(d, EZSP_ID_GET_CONFIGURATION_VALUE, &q, &a);
    if (rc < 0) return rc;
    *v = a.value;
    return a.status || rc == EZSP_HOST_SHORT ? 1 : 0;
}

static int get_eui64(ezsp_drv *d, uint8_t eui[8])
{
    ezsp_eui64 a;
    int rc = call(d, EZSP_ID_GET_EUI64, NULL, &a);
    if (rc < 0) return rc;
    memcpy(eui, a.eui64, 8);
    return rc == EZSP_HOST_SHORT ? 1 : 0;
}

static int network_state(ezsp_drv *d)
{
    ezsp_byte a;
    int rc = call(d, EZSP_ID_NETWORK_STATE, NULL, &a);
    return rc < 0 ? rc : a.value;
}

/* stackStatusHandler with this status (Ember value up to v13, sl_status from v14) */
static int wait_stack_status(ezsp_drv *d, uint8_t ember, uint32_t sl)
{
    ezsp_host_frame f;
    for (;;) {
        int rc = ezsp_host_wait_cb(&d->h, EZSP_ID_STACK_STATUS_HANDLER, &f, 10000);
        if (rc) return rc;
        ezsp_st s = {0};
        ezsp_host_decode_cb(&d->h, &f, &s); /* a short one reads as 0: not the one awaited */
        if (s.status == (d->version >= 14 ? sl : ember)) return 0;
    }
}

/* network_up's own failures, apart from the host's codes and the NCP's statuses */
enum { NETINIT_REFUSED = -100, NETINIT_NOT_UP = -101 };

/* networkInit: 1 = network up, 0 = no network, < 0 error (a host code or NETINIT_*) */
static int network_up(ezsp_drv *d)
{
    if (network_state(d) == 2) return 1;
    ezsp_network_init_req q = {.bitmask = 0};
    ezsp_host_drain(&d->h);
    long st = status_cmd(d, EZSP_ID_NETWORK_INIT, &q);
    if (st < 0) return (int)st;
    if (st == (d->version >= 14 ? SL_NOT_JOINED : EMBER_NOT_JOINED)) return 0;
    if (st != 0) return NETINIT_REFUSED;
    return wait_stack_status(d, EMBER_NETWORK_UP, SL_NETWORK_UP) == 0 ? 1 : NETINIT_NOT_UP;
}

/* exportKey of the network or TC link key (the row puts the status first from v14, last
 * before, §5.5) */
static int export_key(ezsp_drv *d, uint8_t type, uint8_t index, uint8_t key[16])
{
    ezsp_context_req q = {0};
    q.context[0].core_key_type = type;
    q.context[0].key_index = index;
    ezsp_export_key_rsp a;
    int rc = call(d, EZSP_ID_EXPORT_KEY, &q, &a);
    if (rc < 0) return rc;
    memcpy(key, a.key, 16);
    return a.status || rc == EZSP_HOST_SHORT ? 1 : 0;
}

/* Resets the NCP, negotiates the version and reads the firmware's. */
static int identify(ezsp_drv *d, zbh_device_info *info, char *err, size_t errlen)
{
    int pv = ezsp_host_connect(&d->h, 13);
    if (pv < 0) {
        snprintf(err, errlen, "no EZSP NCP: %s (is it an EmberZNet stick?)",
                 ezsp_host_strerror(pv));
        return -1;
    }
    if (pv < EZSP_FIRST_EXTENDED) {
        snprintf(err, errlen, "EZSP v%d: this driver needs v%d or later", pv, EZSP_FIRST_EXTENDED);
        return -1;
    }
    d->version = pv;
    ezsp_id_req q = {.id = EZSP_VALUE_VERSION_INFO};
    ezsp_value_rsp a;
    ezsp_version_info vi = {0};
    if (call(d, EZSP_ID_GET_VALUE, &q, &a) >= 0 && a.status == 0 && a.value_len == 7)
        zs_decode(&ezsp_version_info_layout, a.value, 7, &vi, NULL);
    snprintf(info->stack, sizeof(info->stack), "ezsp");
    snprintf(info->profile, sizeof(info->profile), "ezsp%d", pv);
    snprintf(info->firmware, sizeof(info->firmware), "EmberZNet %u.%u.%u.%u build %u (EZSP v%d)",
             vi.major, vi.minor, vi.patch, vi.special, vi.build, pv);
    info->can_restore = 1;
    LOG_INFO("ezsp: %s", info->firmware);
    return 0;
}

static void *ezsp_open(zbh_serial *s, zbh_device_info *info, char *err, size_t errlen)
{
    ezsp_drv *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    ezsp_host_init(&d->h, s);
    if (identify(d, info, err, errlen) == 0) return d;
    zbh_serial_explain(s, err, errlen);
    free(d);
    return NULL;
}

static void ezsp_close(void *d)
{
    free(d);
}

/* ---------------------------------------------------------------- backup */

static void add_or_merge(ocb_backup *b, const ocb_device *nd)
{
    ocb_device *cur = (ocb_device *)ocb_find_device(b, nd->ieee);
    if (!cur) {
        ocb_add_device(b, nd);
        return;
    }
    if (nd->has_nwk && !cur->has_nwk) {
        cur->has_nwk = true;
        cur->nwk = nd->nwk;
    }
    if (nd->is_child) cur->is_child = true;
    if (nd->has_link_key && !cur->has_link_key) {
        cur->has_link_key = true;
        cur->link_key = nd->link_key;
    }
}

static int read_children(ezsp_drv *d, ocb_backup *b)
{
    for (unsigned i = 0; i < 64; i++) {
        ezsp_index q = {.index = (uint8_t)i};
        ezsp_child_rsp a;
        int rc = call(d, EZSP_ID_GET_CHILD_DATA, &q, &a);
        if (rc < 0) return rc;
        if (a.status) continue;                         /* NOT_JOINED: free slot */
        if (rc == EZSP_HOST_SHORT) return EZSP_HOST_IO; /* a short answer is a failed read */
        const ezsp_child_data *c = &a.child[0];
        ocb_device nd = {
            .ieee = get_le64(c->eui64), .has_nwk = true, .nwk = c->id, .is_child = true};
        add_or_merge(b, &nd);
    }
    return 0;
}

/* One address-table entry: 0x005E/0x005F are getAddressTableRemoteEui64/-NodeId up to v13;
 * from v14 0x005E is getAddressTableInfo (both at once) and 0x005F is gone
 * (ezsp_versions.h). 1: a free entry, 0: read, < 0: a failed read. */
static int address_entry(ezsp_drv *d, uint8_t i, uint16_t *nwk, uint8_t eui[8])
{
    ezsp_index q = {.index = i};
    int rc;
    if (d->version >= 14) {
        ezsp_address_info_rsp a;
        if ((rc = call(d, EZSP_ID_GET_ADDRESS_TABLE_INFO, &q, &a)) < 0) return rc;
        if (rc == EZSP_HOST_SHORT) return EZSP_HOST_IO;
        *nwk = a.node_id;
        memcpy(eui, a.eui64, 8);
        return a.status ? 1 : 0;
    }
    ezsp_node_id n;
    ezsp_eui64 e;
    if ((rc = call(d, EZSP_ID_GET_ADDRESS_TABLE_REMOTE_NODE_ID, &q, &n)) < 0) return rc;
    if (rc == EZSP_HOST_SHORT) return EZSP_HOST_IO;
    *nwk = n.node_id;
    if (*nwk >= 0xFFF8 && *nwk != EMBER_UNKNOWN_NODE_ID) return 1;
    if ((rc = call(d, EZSP_ID_GET_ADDRESS_TABLE_REMOTE_EUI64, &q, &e)) < 0) return rc;
    if (rc == EZSP_HOST_SHORT) return EZSP_HOST_IO;
    memcpy(eui, e.eui64, 8);
    return 0;
}

static int read_address_table(ezsp_drv *d, ocb_backup *b)
{
    uint16_t size = 0;
    int crc = get_config(d, EZSP_CONFIG_ADDRESS_TABLE_SIZE, &size);
    if (crc) return crc < 0 ? crc : EZSP_HOST_IO; /* could not read, not "no table" */
    static const uint8_t z8[8];
    for (unsigned i = 0; i < size && i < 256; i++) {
        uint8_t eui[8];
        uint16_t nwk;
        int rc = address_entry(d, (uint8_t)i, &nwk, eui);
        if (rc < 0) return rc;
        if (rc) continue;
        if (!memcmp(eui, z8, 8) || (nwk >= 0xFFF8 && nwk != EMBER_UNKNOWN_NODE_ID)) continue;
        bool known = nwk != EMBER_UNKNOWN_NODE_ID;
        ocb_device nd = {
            .ieee = get_le64(eui), .has_nwk = known, .nwk = known ? nwk : 0, .is_child = false};
        add_or_merge(b, &nd);
    }
    return 0;
}

static int read_key_table(ezsp_drv *d, ocb_backup *b)
{
    uint16_t size = 0;
    int crc = get_config(d, EZSP_CONFIG_KEY_TABLE_SIZE, &size);
    if (crc) return crc < 0 ? crc : EZSP_HOST_IO;
    if (d->version < EZSP_DRV_SECMAN)
        return ezsp_legacy_read_key_table(&d->h, size, b, add_or_merge);
    for (unsigned i = 0; i < size && i < 256; i++) {
        ezsp_index q = {.index = (uint8_t)i};
        ezsp_export_link_key_rsp a;
        int rc = call(d, EZSP_ID_EXPORT_LINK_KEY_BY_INDEX, &q, &a);
        if (rc < 0) return rc;
        if (rc == EZSP_HOST_SHORT) return EZSP_HOST_IO; /* a short row is a failed read */
        if (a.status) continue;
        /* the partner: in the context from v14, on its own before */
        const uint8_t *eui = d->version >= 14 ? a.context[0].eui64 : a.eui64;
        /* is_child: only the child table says so; a key alone makes a (router) device */
        ocb_device nd = {.ieee = get_le64(eui), .has_link_key = true, .is_child = false};
        memcpy(nd.link_key.key, a.key, 16);
        nd.link_key.tx_counter = a.metadata[0].outgoing_frame_counter;
        /* EZSP has no command that sets a key's incoming counter (importLinkKey carries the
         * key only), so no restore can bring it back and a restored NCP starts it at 0. The
         * backup says 0 too: a lower incoming counter only means "accept the device's next
         * frame", never a rejected device, and backups stay restorable and comparable. */
        nd.link_key.rx_counter = 0;
        add_or_merge(b, &nd);
    }
    return 0;
}

/* "No network" only when networkInit answers NOT_JOINED; every failed or short read after
 * that is ZBH_READ_FAILED. */
static ocb_backup *ezsp_read_network(void *dv, zbh_read_status *st_out, char *err, size_t errlen)
{
    ezsp_drv *d = dv;
    zbh_read_status dummy;
    if (!st_out) st_out = &dummy;
    *st_out = ZBH_READ_FAILED;
    int up = network_up(d);
    if (up == 0) *st_out = ZBH_READ_NO_NETWORK;
    if (up <= 0) {
        snprintf(err, errlen,
                 up == 0 ? "no network formed (networkInit: NOT_JOINED)" : "networkInit failed");
        return NULL;
    }
    ezsp_network_params_rsp pa = {0};
    int rc = call(d, EZSP_ID_GET_NETWORK_PARAMETERS, NULL, &pa);
    uint32_t st = rc < 0 ? 1 : pa.status;
    const ezsp_network_params np = pa.params[0];
    if (rc || st || pa.node_type != 1) {
        snprintf(err, errlen, "getNetworkParameters failed (status %u, node type %u)", (unsigned)st,
                 pa.node_type);
        return NULL;
    }
    uint8_t eui[8], nwk_key[16], tclk[16];
    ezsp_network_key_info ki;
    uint16_t level = 5;
    if (d->version < EZSP_DRV_SECMAN) { /* getKey (driver_ezsp_legacy.c) */
        if (get_eui64(d, eui) || ezsp_legacy_read_keys(&d->h, nwk_key, &ki, tclk)) {
            snprintf(err, errlen, "reading the EUI64 / the keys (getKey) failed");
            return NULL;
        }
        goto have_keys;
    }
    if (get_eui64(d, eui) || export_key(d, SECMAN_KEY_NETWORK, 0, nwk_key) ||
        export_key(d, SECMAN_KEY_TC_LINK, 0, tclk)) {
        snprintf(err, errlen, "reading the EUI64 / exporting the keys failed");
        return NULL;
    }
    ezsp_network_key_info_rsp ka;
    int krc = call(d, EZSP_ID_GET_NETWORK_KEY_INFO, NULL, &ka);
    if (krc < 0 || ka.status != 0) {
        snprintf(err, errlen, "getNetworkKeyInfo failed");
        return NULL;
    }
    ki = ka.info[0];
    if (krc == EZSP_HOST_SHORT || !ki.network_key_set) {
        snprintf(err, errlen, "getNetworkKeyInfo: no network key set");
        return NULL;
    }
have_keys:
    if (get_config(d, EZSP_CONFIG_SECURITY_LEVEL, &level) < 0) {
        snprintf(err, errlen, "getConfigurationValue(SECURITY_LEVEL) failed");
        return NULL;
    }

    ocb_backup *b = zbh_backup_new();
    if (!b) return NULL;
    b->internal = cJSON_CreateObject();
    if (b->internal) cJSON_AddNumberToObject(b->internal, "ezspVersion", d->version);
    b->coordinator_ieee = get_le64(eui);
    b->pan_id = np.pan_id;
    b->extended_pan_id = get_le64(np.extended_pan_id);
    b->nwk_update_id = np.nwk_update_id;
    b->security_level = (uint8_t)level;
    b->channel = np.radio_channel;
    b->channel_mask = np.channels & 0x07FFF800;
    if (!(b->channel_mask & (1u << b->channel))) b->channel_mask |= 1u << b->channel;
    memcpy(b->network_key.key, nwk_key, 16);
    b->network_key.sequence_number = ki.network_key_seq;
    b->network_key.frame_counter = ki.network_key_frame_counter;
    b->has_hashed_tclk = true; /* emitted as stack_specific.ezsp.hashed_tclk */
    memcpy(b->hashed_tclk, tclk, 16);
    zbh_progress("ezsp: reading the key, child and address tables");
    if ((rc = read_key_table(d, b)) || (rc = read_children(d, b)) ||
        (rc = read_address_table(d, b))) {
        snprintf(err, errlen, "reading the device tables: %s", ezsp_host_strerror(rc));
        goto fail;
    }
    ocb_sort_devices(b);
    *st_out = ZBH_READ_OK;
    return b;
fail:
    ocb_free(b);
    return NULL;
}

/* ---------------------------------------------------------------- restore */

/* A step's failure: an EZSP_HOST_* error of the link, or a status the NCP answered (Ember
 * or sl_status, or networkInit's own codes of network_up). */
static const char *rc_text(long rc, char *buf, size_t cap)
{
    if (ezsp_host_is_error(rc)) return ezsp_host_strerror((int)rc);
    if (rc == NETINIT_REFUSED) return "the NCP refused it";
    if (rc == NETINIT_NOT_UP) return "no NETWORK_UP status followed";
    snprintf(buf, cap, "status 0x%lx", (unsigned long)rc);
    return buf;
}

static bool override_eui64(const ocb_backup *b)
{
    const cJSON *ez = b->stack_specific ? cJSON_GetObjectItem(b->stack_specific, "ezsp") : NULL;
    return ez && cJSON_IsTrue(cJSON_GetObjectItem(ez, EUI64_OVERRIDE));
}

static long write_restored_eui64(ezsp_drv *d, const uint8_t want[8])
{
    ezsp_set_token_req q = {.token = TOK_RESTORED_EUI64, .index = 0, .size = 8, .data_len = 8};
    memcpy(q.data, want, 8);
    return status_cmd(d, EZSP_ID_SET_TOKEN_DATA, &q);
}

/* How the node EUI64 becomes the backup's: nothing to do, the rewritable restored-EUI64
 * token, or burning the write-once MFG_CUSTOM_EUI_64. */
enum eui_plan { EUI_SAME, EUI_TOKEN, EUI_BURN };

/* Read-only: decides how the node EUI64 becomes the backup's under the caller's policy.
 * Burning MFG_CUSTOM_EUI_64 needs ZBH_IEEE_BURN (--burn-ieee); bellows' override key in the
 * backup only allows the rewritable token when the manufacturing token is already used. */
static int plan_eui64(ezsp_drv *d, const ocb_backup *b, enum zbh_ieee_policy policy,
                      enum eui_plan *plan, uint64_t *device_ieee, char *err, size_t errlen)
{
    uint8_t cur[8], want[8];
    put_le64(want, b->coordinator_ieee);
    ZBH_RETURN_IF_FAILED(get_eui64(d, cur), "getEui64", rc_text);
    *device_ieee = get_le64(cur);
    *plan = EUI_SAME;
    if (!memcmp(cur, want, 8)) return 0;
    /* the rewritable NVM3 token, if this NCP uses it already */
    ezsp_token_req tq = {.token = TOK_RESTORED_EUI64, .index = 0};
    ezsp_token_data_rsp ta = {0};
    int rc = EZSP_HOST_SHORT; /* v8 has no token interface: reads as "no token" */
    if (d->version >= 9) {
        rc = call(d, EZSP_ID_GET_TOKEN_DATA, &tq, &ta);
        ZBH_RETURN_IF_FAILED(rc < 0 ? rc : 0, "getTokenData(RESTORED_EUI64)", rc_text);
    }
    bool have_token = rc == EZSP_HOST_OK && ta.status == 0 && ta.size == 8 && ta.data_len >= 8;
    if (have_token && !zb_all_bytes(ta.data, 8, 0xFF)) {
        *plan = EUI_TOKEN;
        return 0;
    }
    ezsp_id_req mq = {.id = EZSP_MFG_CUSTOM_EUI_64};
    ezsp_lv ma;
    rc = call(d, EZSP_ID_GET_MFG_TOKEN, &mq, &ma);
    ZBH_RETURN_IF_FAILED(rc < 0 ? rc : 0, "getMfgToken(CUSTOM_EUI_64)", rc_text);
    if (rc == EZSP_HOST_SHORT || ma.data_len < 8) {
        snprintf(err, errlen, "getMfgToken(CUSTOM_EUI_64): short answer");
        return -1;
    }
    if (ma.data_len == 8 && zb_all_bytes(ma.data, 8, 0xFF)) {
        if (policy == ZBH_IEEE_BURN) {
            *plan = EUI_BURN;
            return 0;
        }
        snprintf(err, errlen,
                 "the stick's IEEE is %016llx, the backup's %016llx, and the only way to give "
                 "it the backup's is to burn the write-once token MFG_CUSTOM_EUI_64, which can "
                 "never be changed again; nothing was written. Choose one: --burn-ieee (burn "
                 "it, once, forever: the stick takes the backup's IEEE and every device keeps "
                 "its trust center) or --keep-ieee (restore with the stick's own IEEE: devices "
                 "that check the trust center's address, or bound to the old IEEE, must be "
                 "re-paired or re-bound)",
                 (unsigned long long)get_le64(cur), (unsigned long long)b->coordinator_ieee);
        return -1;
    }
    if (!override_eui64(b) || !have_token) {
        snprintf(err, errlen,
                 "the stick's IEEE is %016llx, the backup's %016llx, and its write-once "
                 "MFG_CUSTOM_EUI_64 is already used; refusing (nothing written). Use "
                 "--keep-ieee to restore with the stick's own IEEE, or, to write the backup's "
                 "IEEE into the restored-EUI64 token instead, add \"%s\": true under "
                 "stack_specific.ezsp in the backup",
                 (unsigned long long)get_le64(cur), (unsigned long long)b->coordinator_ieee,
                 EUI64_OVERRIDE);
        return -1;
    }
    *plan = EUI_TOKEN;
    return 0;
}

/* Makes the node EUI64 the backup's (takes effect after the reset the caller does). Returns 1
 * when something was written, 0 when already right, -1 + err. */
static int set_eui64(ezsp_drv *d, const ocb_backup *b, enum zbh_ieee_policy policy, char *err,
                     size_t errlen)
{
    enum eui_plan plan;
    uint64_t dev_ieee;
    if (plan_eui64(d, b, policy, &plan, &dev_ieee, err, errlen) < 0) return -1;
    uint8_t want[8];
    put_le64(want, b->coordinator_ieee);
    switch (plan) {
    case EUI_SAME: return 0;
    case EUI_TOKEN:
        LOG_INFO("ezsp: EUI64 via the restored-EUI64 token (rewritable)");
        ZBH_RETURN_IF_FAILED(write_restored_eui64(d, want), "setTokenData(RESTORED_EUI64)",
                             rc_text);
        return 1;
    case EUI_BURN: break;
    }
    LOG_WARN("ezsp: --burn-ieee: burning MFG_CUSTOM_EUI_64 (write-once) with %016llx",
             (unsigned long long)b->coordinator_ieee);
    ezsp_set_mfg_token_req sq = {.id = EZSP_MFG_CUSTOM_EUI_64, .data_len = 8};
    memcpy(sq.data, want, 8);
    ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_SET_MFG_TOKEN, &sq), "setMfgToken(CUSTOM_EUI_64)",
                         rc_text);
    return 1;
}

/* The backup's link keys must fit the NCP's key table of key_size entries. */
static int keys_fit(const ocb_backup *b, uint16_t key_size, char *err, size_t errlen)
{
    size_t n_keys = 0;
    for (size_t i = 0; i < b->n_devices; i++)
        n_keys += b->devices[i].has_link_key;
    if (n_keys <= key_size) return 0;
    snprintf(err, errlen, "%zu link keys do not fit the NCP's key table (%u entries)", n_keys,
             key_size);
    return -1;
}

/* Before the first write: the IEEE decision, and the tables the backup must fit. */
static int ezsp_check_write(void *dv, const ocb_backup *b, const zbh_restore_opts *o,
                            uint64_t *device_ieee, char *err, size_t errlen)
{
    ezsp_drv *d = dv;
    enum eui_plan plan;
    if (plan_eui64(d, b, o->ieee, &plan, device_ieee, err, errlen) < 0) return -1;
    uint16_t key_size = 0;
    int rc = get_config(d, EZSP_CONFIG_KEY_TABLE_SIZE, &key_size);
    if (rc) {
        snprintf(err, errlen, "reading the key table size: %s",
                 rc < 0 ? ezsp_host_strerror(rc) : "refused");
        return -1;
    }
    return keys_fit(b, key_size, err, errlen);
}

/* A fresh TC link key root when the backup has none (zigpy does the same). */
static int random_key(uint8_t key[16])
{
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f) return -1;
    size_t n = fread(key, 1, 16, f);
    fclose(f);
    return n == 16 ? 0 : -1;
}

/* Resets the NCP in the middle of a session (a new IEEE takes effect only after a reset). The
 * version is negotiated again, and an NCP that now speaks another one is not the NCP this
 * session read and checked the backup against: every frame from here would be built for the
 * wrong version, so it is named and nothing more is written. */
static int reconnect(ezsp_drv *d, char *err, size_t errlen)
{
    int pv = ezsp_host_connect(&d->h, 13);
    if (pv < 0) {
        snprintf(err, errlen, "resetting the NCP: %s", ezsp_host_strerror(pv));
        return -1;
    }
    if (pv != d->version) {
        snprintf(err, errlen,
                 "the NCP now speaks EZSP v%d, not v%d as at the start of this session (was it "
                 "re-flashed or swapped?); nothing more was written",
                 pv, d->version);
        return -1;
    }
    return 0;
}

/* A status-only answer in sl_status (importLinkKey, setAddressTableInfo): the host error, or
 * the status (a short answer reads as 0, as it always has) */
static long st32_cmd(ezsp_drv *d, uint16_t id, const void *req)
{
    ezsp_st32 a;
    int rc = call(d, id, req, &a);
    return rc < 0 ? rc : (long)a.status;
}

/* One device's address-table entry: setAddressTableInfo from v14 (0x005C),
 * setAddressTableRemoteEui64 (0x005C) + setAddressTableRemoteNodeId (0x005D) up to v13 */
static int write_address_entry(ezsp_drv *d, uint8_t ai, const uint8_t eui[8], uint16_t nwk,
                               char *err, size_t errlen)
{
    if (d->version >= 14) {
        ezsp_address_info_req q = {.index = ai, .node_id = nwk, .extended_timeout = 0};
        memcpy(q.eui64, eui, 8);
        ZBH_RETURN_IF_FAILED(st32_cmd(d, EZSP_ID_SET_ADDRESS_TABLE_INFO, &q), "setAddressTableInfo",
                             rc_text);
        return 0;
    }
    ezsp_index_eui64_req q = {.index = ai};
    memcpy(q.eui64, eui, 8);
    ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_SET_ADDRESS_TABLE_REMOTE_EUI64, &q),
                         "setAddressTableRemoteEui64", rc_text);
    ezsp_index_node_req nq = {.index = ai, .node_id = nwk};
    ZBH_RETURN_IF_FAILED(call(d, EZSP_ID_SET_ADDRESS_TABLE_REMOTE_NODE_ID, &nq, NULL),
                         "setAddressTableRemoteNodeId", rc_text);
    return 0;
}

static int write_devices(ezsp_drv *d, const ocb_backup *b, char *err, size_t errlen)
{
    uint16_t key_size = 0, addr_size = 0;
    get_config(d, EZSP_CONFIG_KEY_TABLE_SIZE, &key_size);
    get_config(d, EZSP_CONFIG_ADDRESS_TABLE_SIZE, &addr_size);
    if (keys_fit(b, key_size, err, errlen) < 0) return -1;
    ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_CLEAR_KEY_TABLE, NULL), "clearKeyTable", rc_text);
    unsigned ki = 0, ci = 0, ai = 0;
    for (size_t i = 0; i < b->n_devices; i++) {
        const ocb_device *dev = &b->devices[i];
        uint8_t eui[8];
        put_le64(eui, dev->ieee);
        if (dev->has_link_key && d->version < EZSP_DRV_SECMAN) {
            ki++;
            ZBH_RETURN_IF_FAILED(ezsp_legacy_write_link_key(&d->h, eui, dev->link_key.key),
                                 "addOrUpdateKeyTableEntry", rc_text);
        } else if (dev->has_link_key) {
            ezsp_import_link_key_req q = {.index = (uint8_t)ki++};
            memcpy(q.eui64, eui, 8);
            memcpy(q.key, dev->link_key.key, 16);
            ZBH_RETURN_IF_FAILED(st32_cmd(d, EZSP_ID_IMPORT_LINK_KEY, &q), "importLinkKey",
                                 rc_text);
        }
        if (!dev->has_nwk && dev->has_link_key) continue; /* the key table holds it */
        /* a device with neither: an address-table entry whose node id the stack finds */
        uint16_t nwk = dev->has_nwk ? dev->nwk : EMBER_UNKNOWN_NODE_ID;
        bool child_table = dev->has_nwk && dev->is_child && d->version >= 9; /* v8: none */
        if (child_table && ci < 64) {
            ezsp_set_child_req q = {.index = (uint8_t)ci++};
            q.child[0] = (ezsp_child_data){.type = 4, .id = nwk};
            memcpy(q.child[0].eui64, eui, 8);
            ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_SET_CHILD_DATA, &q), "setChildData",
                                 rc_text);
        } else if (!child_table && ai < addr_size) {
            if (write_address_entry(d, (uint8_t)ai++, eui, nwk, err, errlen) < 0) return -1;
        }
    }
    LOG_INFO("ezsp: %u link keys, %u children, %u address-table entries written", ki, ci, ai);
    return 0;
}

/* Leaves the network the NCP is in, if any (networkInit first: an NCP just reset has its
 * network down until then). */
static int leave_network(ezsp_drv *d, char *err, size_t errlen)
{
    int up = network_up(d);
    if (up < 0) ZBH_RETURN_IF_FAILED(up, "networkInit", rc_text);
    if (up) {
        ezsp_byte options = {.value = 0}; /* v14+ only: the row of v8-v13 has no parameters */
        ezsp_host_drain(&d->h);
        ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_LEAVE_NETWORK, &options), "leaveNetwork",
                             rc_text);
        ZBH_RETURN_IF_FAILED(wait_stack_status(d, EMBER_NETWORK_DOWN, SL_NETWORK_DOWN),
                             "waiting NETWORK_DOWN", rc_text);
    }
    return 0;
}

static int ezsp_write_network(void *dv, const ocb_backup *b, const zbh_restore_opts *o, char *err,
                              size_t errlen)
{
    ezsp_drv *d = dv;
    LOG_INFO("ezsp: restore 1/5: coordinator IEEE %016llx",
             (unsigned long long)b->coordinator_ieee);
    int changed = set_eui64(d, b, o->ieee, err, errlen);
    if (changed < 0) return -1;
    if (changed) {
        if (reconnect(d, err, errlen) < 0) return -1;
        uint8_t now[8];
        ZBH_RETURN_IF_FAILED(get_eui64(d, now), "getEui64", rc_text);
        if (get_le64(now) != b->coordinator_ieee) {
            snprintf(err, errlen, "the NCP kept IEEE %016llx after the reset",
                     (unsigned long long)get_le64(now));
            return -1;
        }
    }

    LOG_INFO("ezsp: restore 2/5: leave the current network");
    if (leave_network(d, err, errlen) < 0) return -1;

    LOG_INFO("ezsp: restore 3/5: frame counters and security state");
    if (network_state(d) != 0) {
        snprintf(err, errlen, "the NCP still has a network up");
        return -1;
    }
    uint8_t v[4];
    put_le32(v, b->network_key.frame_counter);
    ZBH_RETURN_IF_FAILED(set_value(d, EZSP_VALUE_NWK_FRAME_COUNTER, v, 4),
                         "setValue(NWK_FRAME_COUNTER)", rc_text);
    uint32_t aps = 0;
    for (size_t i = 0; i < b->n_devices; i++)
        if (b->devices[i].has_link_key && b->devices[i].link_key.tx_counter > aps)
            aps = b->devices[i].link_key.tx_counter;
    /* EmberZNet: one outgoing APS counter for all keys: the highest */
    put_le32(v, aps);
    ZBH_RETURN_IF_FAILED(set_value(d, EZSP_VALUE_APS_FRAME_COUNTER, v, 4),
                         "setValue(APS_FRAME_COUNTER)", rc_text);
    ezsp_initial_security s = {.bitmask = 0x1BC4,
                               .network_key_seq = b->network_key.sequence_number};
    memcpy(s.network_key, b->network_key.key, 16);
    if (b->has_hashed_tclk) {
        memcpy(s.preconfigured_key, b->hashed_tclk, 16);
    } else if (random_key(s.preconfigured_key) < 0) {
        snprintf(err, errlen, "no randomness for a TC link key (/dev/urandom)");
        return -1;
    }
    put_le64(s.tc_eui64, b->coordinator_ieee);
    ezsp_security_req sq = {.state = {s}};
    ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_SET_INITIAL_SECURITY_STATE, &sq),
                         "setInitialSecurityState", rc_text);
    ZBH_RETURN_IF_FAILED(
        set_value(d, EZSP_VALUE_EXTENDED_SECURITY_BITMASK, (const uint8_t[]){0x10, 0x01}, 2),
        "setValue(EXT_SECURITY_BITMASK)", rc_text);

    LOG_INFO("ezsp: restore 4/5: %zu devices", b->n_devices);
    if (write_devices(d, b, err, errlen) < 0) return -1;

    LOG_INFO("ezsp: restore 5/5: form on channel %u, PAN %04x", b->channel, b->pan_id);
    ezsp_network_params np = {.pan_id = b->pan_id,
                              .radio_tx_power = 5,
                              .radio_channel = b->channel,
                              .join_method = 0,
                              .nwk_manager_id = 0x0000,
                              .nwk_update_id = b->nwk_update_id,
                              .channels = b->channel_mask};
    put_le64(np.extended_pan_id, b->extended_pan_id);
    ezsp_form_req fq = {.params = {np}};
    ezsp_host_drain(&d->h);
    ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_FORM_NETWORK, &fq), "formNetwork", rc_text);
    ZBH_RETURN_IF_FAILED(wait_stack_status(d, EMBER_NETWORK_UP, SL_NETWORK_UP),
                         "waiting NETWORK_UP", rc_text);
    ZBH_RETURN_IF_FAILED(set_value(d, EZSP_VALUE_STACK_TOKEN_WRITING, (const uint8_t[]){1}, 1),
                         "setValue(STACK_TOKEN_WRITING)", rc_text);
    return 0;
}

/* No network again: leaveNetwork (the NCP forgets it: networkInit answers NOT_JOINED) and an
 * empty key table. The node EUI64 tokens are left alone. */
static int ezsp_erase_network(void *dv, char *err, size_t errlen)
{
    ezsp_drv *d = dv;
    if (leave_network(d, err, errlen) < 0) return -1;
    ZBH_RETURN_IF_FAILED(status_cmd(d, EZSP_ID_CLEAR_KEY_TABLE, NULL), "clearKeyTable", rc_text);
    return 0;
}

/* What an EmberZNet NCP cannot take from a backup (ezsp-ash.md §9): importLinkKey carries a
 * key without its incoming frame counter, and the stack keeps no Z-Stack TCLK seed (its own
 * hashed TCLK goes in stack_specific.ezsp). */
static const zbh_loss EZSP_LOSSES[] = {
    {"devices[].link_key.rx_counter", "EZSP imports link keys without their incoming counter"},
    {"stack_specific.zstack.tclk_seed", "Z-Stack's TCLK seed has no EmberZNet equivalent (keys "
                                        "are imported one by one)"},
    {NULL, NULL}};

const zbh_loss *zbh_ezsp_declared_losses(int version)
{
    return ezsp_version_losses(version, EZSP_LOSSES);
}

static const zbh_loss *ezsp_losses(void *dv)
{
    return zbh_ezsp_declared_losses(((ezsp_drv *)dv)->version);
}

/* Conformance: line noise and a DATA-looking frame with a bad CRC (an NCP discards it and
 * NAKs, ezsp-ash.md §1.7), then a frame id no NCP has (the answer is invalidCommand), then nop:
 * the link must still carry commands. */
/* a frame id no EmberZNet version has; the probe relies on it being unknown (test_proto_names
 * checks the emulator has no such command) */
#define EZSP_PROBE_UNKNOWN_ID 0x7FFE

static int ezsp_probe_malformed(void *dv, char *detail, size_t len)
{
    ezsp_drv *d = dv;
    static const uint8_t junk[] = {0x42, 0x00, 0x25, 0x99, 0x7E, 0x12, 0x34, 0x56, 0x78, 0x7E};
    if (zbh_serial_write(d->h.s, junk, sizeof(junk)) < 0) {
        snprintf(detail, len, "write failed");
        return -1;
    }
    ezsp_host_frame rsp;
    int rc = ezsp_host_cmd(&d->h, EZSP_PROBE_UNKNOWN_ID, NULL, 0, &rsp);
    if (rc != EZSP_HOST_INVALID) {
        snprintf(detail, len, "unknown frame id 0x7FFE after noise: want invalidCommand, got %s",
                 rc ? ezsp_host_strerror(rc) : "a normal response");
        return -1;
    }
    if ((rc = call(d, EZSP_ID_NOP, NULL, NULL)) != EZSP_HOST_OK) {
        snprintf(detail, len, "nop after malformed frames: %s", ezsp_host_strerror(rc));
        return -1;
    }
    snprintf(detail, len,
             "noise and a bad-CRC frame survived, unknown frame id -> "
             "invalidCommand, nop answered");
    return 0;
}

/* ---------------------------------------------------------------- watch */

#define LISTEN_SLICE_MS 200

/* An NCP takes endpoints only between a reset and NETWORK_UP (addEndpoint answers
 * INVALID_CALL after it), and forgets them at reset: so watch starts as hosts do -- reset,
 * endpoint 1 (Home Automation, no clusters), networkInit of the stored network. */
static int start_with_endpoint(ezsp_drv *d, char *err, size_t errlen)
{
    char buf[32];
    int pv = ezsp_host_connect(&d->h, d->version);
    if (pv != d->version) {
        snprintf(err, errlen, "reconnecting: %s",
                 pv < 0 ? ezsp_host_strerror(pv) : "the NCP changed its EZSP version");
        return -1;
    }
    /* Home Automation (0x0104), device 0x0005, no clusters */
    static const ezsp_add_endpoint_req ep = {
        .endpoint = 1, .profile_id = 0x0104, .device_id = 0x0005};
    long st = status_cmd(d, EZSP_ID_ADD_ENDPOINT, &ep);
    if (st < 0) {
        snprintf(err, errlen, "addEndpoint: %s", rc_text(st, buf, sizeof(buf)));
        return -1;
    }
    if (st) LOG_INFO("ezsp: addEndpoint(1) answered 0x%lx", (unsigned long)st);
    int up = network_up(d);
    if (up != 1) {
        snprintf(err, errlen, "networkInit of the stored network: %s",
                 up == 0 ? "no network (NOT_JOINED)" : rc_text(up, buf, sizeof(buf)));
        return -1;
    }
    return 0;
}

static int ezsp_listen(void *dv, zbh_heard_fn fn, void *ctx, char *err, size_t errlen)
{
    ezsp_drv *d = dv;
    if (start_with_endpoint(d, err, errlen)) return -1;
    for (;;) {
        ezsp_host_frame f;
        ezsp_incoming m;
        int rc = ezsp_host_wait_cb(&d->h, EZSP_HOST_ANY_CB, &f, LISTEN_SLICE_MS);
        if (rc == EZSP_HOST_TIMEOUT) {
            if (fn(ctx, NULL)) return 0;
        } else if (rc) {
            snprintf(err, errlen, "listening: %s", ezsp_host_strerror(rc));
            return -1;
        } else if (f.frame_id == EZSP_ID_INCOMING_MESSAGE_HANDLER &&
                   ezsp_host_decode_cb(&d->h, &f, &m) == 0) {
            /* the sender's EUI64 only from v14 (EmberRxPacketInfo); 0 before */
            zbh_heard h = {m.sender, get_le64(m.sender_eui64), m.aps[0].cluster_id, m.aps[0].src_ep,
                           m.lqi};
            if (fn(ctx, &h)) return 0;
        }
    }
}

const zbh_driver zbh_ezsp_driver = {"ezsp",
                                    ezsp_open,
                                    ezsp_close,
                                    ezsp_read_network,
                                    ezsp_write_network,
                                    ezsp_losses,
                                    ezsp_probe_malformed,
                                    ezsp_check_write,
                                    ezsp_erase_network,
                                    ezsp_listen};
