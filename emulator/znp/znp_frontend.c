/* znp_frontend.c - the Z-Stack ZNP front end: profiles, boot/reset, network formation and NVRAM.
 *
 * The NVRAM is the device's truth: hosts read and write NV items directly (the NIB, key
 * tables, the address manager), so the emulator keeps no second copy of the network. Every
 * change reaches the NVRAM file before the response that acknowledges it. Factory-new devices
 * start from the NVRAM of a real stick after a factory reset (emulator/factory/). */
#include "znp_frontend.h"

#include "bytes.h"
#include "log.h"
#include "znp_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char znp_factory_CC2531_ZStack1[], znp_factory_CC2531_ZStack3[],
    znp_factory_CC2538_ZStack3[], znp_factory_CC2652R_ZStack4[];

#define STARTUP_CLEAR_CONFIG 0x01
#define STARTUP_CLEAR_STATE  0x02
#define STARTUP_CLEAR_FC     0x80
#define FC_PERSIST_EVERY     1000
#define FC_BOOT_INCREMENT    1250 /* MAX_NWK_FRAMECOUNTER_CHANGES + restore delta (§4.8) */

/* SYS_VERSION's tail and SYS_PING's capabilities as real sticks answer them (vectors/traces/znp,
 * SOURCE.md): every 3.x.0 build of 2020-2025 sends one 00 after the revision (bootloader build
 * type, no revision); the CC2538 3.0 build of 20211222 sends type 2 and revision FFFFFFFF and
 * pings 0x0779 (SAPI and APP included); the CC2530/CC2531 1.2 build sends type 2, revision 0,
 * and pings 0x0179. The CC2531 3.0 tail is unverified (no trace): 9 bytes as before. */
static const znp_profile PROFILES[] = {
    {"zstack3x0", "Z-Stack 3.x.0 on CC2652R (SimpleLink, aligned, extended NV)", 1, 2, 7, 1,
     20250321, 0x0659, true, true, true, znp_factory_CC2652R_ZStack4, 257, {0x00}, 1},
    {"zstack30", "Z-Stack 3.0.x on CC2531 (packed, legacy NV tables)", 2, 2, 7, 2, 20190425, 0x0659,
     false, false, true, znp_factory_CC2531_ZStack3, 62, {0}, 0},
    /* The same firmware family on an ARM chip: aligned structs. Chosen for --profile zstack30
     * when the NVRAM file holds aligned items (a CC2538 dump), or by its own name. */
    {"zstack30-cc2538", "Z-Stack 3.0.x on CC2538 (aligned, legacy NV tables)", 2, 2, 7, 2, 20190425,
     0x0779, true, false, true, znp_factory_CC2538_ZStack3, 62, {0x02, 0xFF, 0xFF, 0xFF, 0xFF}, 5},
    {"zstack12", "Z-Stack Home 1.2 on CC2531 (packed, no BDB)", 0, 2, 6, 3, 20190608, 0x0179, false,
     false, false, znp_factory_CC2531_ZStack1, 23, {0x02, 0, 0, 0, 0}, 5},
};

/* ---------------------------------------------------------------- output */

void znp_send(znp *z, uint8_t cmd0, uint8_t cmd1, const uint8_t *data, size_t len)
{
    mt_frame f;
    uint8_t out[MT_MAX_DATA + 5];
    if (mt_frame_set(&f, cmd0, cmd1, data, len) < 0) {
        LOG_ERROR("znp: response %02x %02x too long (%zu bytes)", cmd0, cmd1, len);
        return;
    }
    if (z->chip != ZNP_CHIP_RUN) return; /* in reset or in the ROM bootloader: no MT */
    size_t n = mt_encode(&f, out, sizeof(out));
    zb_log_frame("znp tx", out, n, 4);
    emu_send(z->e, out, n);
}

/* `obj` through `l` as the payload of cmd0 cmd1 */
static void send_encoded(znp *z, uint8_t cmd0, uint8_t cmd1, const zs_layout *l, const void *obj)
{
    uint8_t d[MT_MAX_DATA];
    long n = l ? zs_encode_to(l, obj, d, sizeof d) : -1;
    if (n < 0) {
        LOG_ERROR("znp: %02x %02x: no layout or too long", cmd0, cmd1);
        return;
    }
    znp_send(z, cmd0, cmd1, d, (size_t)n);
}

void znp_reply(znp *z, const mt_frame *req, const void *rsp)
{
    const zs_cmd *row = mt_schema_find(req->cmd0, req->cmd1);
    send_encoded(z, mt_cmd0(MT_TYPE_SRSP, req->cmd0 & 0x1F), req->cmd1, row ? row->rsp : NULL, rsp);
}

void znp_srsp_status(znp *z, const mt_frame *req, uint8_t status)
{
    mt_status s = {status};
    send_encoded(z, mt_cmd0(MT_TYPE_SRSP, req->cmd0 & 0x1F), req->cmd1, &mt_status_layout, &s);
}

void znp_indicate(znp *z, uint8_t cmd0, uint8_t cmd1, const void *ind)
{
    const zs_cmd *row = mt_schema_find(cmd0, cmd1);
    send_encoded(z, cmd0, cmd1, row ? row->rsp : NULL, ind);
}

/* the store hooks the core's NVRAM file calls (emu_nv_restore, and its commit after each turn) */
static int znp_nv_hook_from_json(void *fe, const cJSON *doc, char *err, size_t errlen)
{
    return znp_nv_from_json(&((znp *)fe)->nv, doc, err, errlen);
}

static cJSON *znp_nv_hook_to_json(const void *fe)
{
    return znp_nv_to_json(&((const znp *)fe)->nv);
}

static uint64_t znp_nv_hook_hash(const void *fe)
{
    return znp_nv_hash(&((const znp *)fe)->nv);
}

/* ---------------------------------------------------------------- NIB helpers */

static int nib_load(const znp *z, znp_nib *nib)
{
    const znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_NIB);
    return it ? znp_nib_decode(it->data, it->len, z->prof->aligned, nib) : -1;
}

static int nib_store(znp *z, const znp_nib *nib)
{
    uint8_t buf[128];
    znp_nib_encode(nib, z->prof->aligned, buf);
    return znp_nv_osal_put(&z->nv, ZNP_NV_NIB, buf, znp_nib_size(z->prof->aligned)) ? 0 : -1;
}

bool znp_is_formed(const znp *z)
{
    znp_nib nib;
    if (nib_load(z, &nib) < 0) return false;
    if (nib.nwk_logical_channel < 11 || nib.nwk_logical_channel > 26) return false;
    if (nib.nwk_pan_id == 0xFFFE || nib.nwk_pan_id == 0xFFFF || !nib.nwk_key_loaded) return false;
    if (z->prof->bdb) {
        const znp_nv_item *on = znp_nv_osal(&z->nv, ZNP_NV_BDBNODEISONANETWORK);
        if (!on || on->len < 1 || on->data[0] != 1) return false;
    }
    return true;
}

/* ---------------------------------------------------------------- frame counter */

znp_nv_item *znp_nv_row(const znp *z, uint16_t ext_item, uint16_t legacy_first, size_t i)
{
    return z->prof->ext_nv ? znp_nv_find(&z->nv, ZNP_NV_SYS_ZSTACK, ext_item, (uint16_t)i)
                           : znp_nv_osal(&z->nv, (uint16_t)(legacy_first + i));
}

uint8_t *znp_addrmgr_slot(const znp *z, size_t i)
{
    size_t rs = znp_addrmgr_entry_size(z->prof->aligned);
    if (z->prof->ext_nv) {
        znp_nv_item *it = znp_nv_find(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_ADDRMGR, (uint16_t)i);
        return it && it->len == rs ? it->data : NULL;
    }
    znp_nv_item *it = znp_nv_osal(&z->nv, ZNP_NV_ADDRMGR);
    return it && (i + 1) * rs <= it->len ? it->data + i * rs : NULL;
}

/* The sec-material row (3.x.0 ext rows, 3.0 legacy rows) that holds the NWK frame counter:
 * FC_ROW_EPID and *fc for the network's EPID row, else FC_ROW_GLOBAL and *fc for the global
 * (FF) row, or 0 when there is neither. */
enum { FC_ROW_GLOBAL = 1, FC_ROW_EPID = 2 };
static uint32_t fc_read_nv(const znp *z);
static int fc_row(const znp *z, const znp_nib *nib, uint32_t *fc)
{
    int found = 0;
    for (uint16_t i = 0; i < 64; i++) {
        const znp_nv_item *row =
            znp_nv_row(z, ZNP_EX_NWK_SEC_MATERIAL_TABLE, ZNP_NV_LEGACY_SEC_MATERIAL, i);
        znp_sec_material m;
        if (!row || znp_sec_material_decode(row->data, row->len, &m) < 0) break;
        if (memcmp(m.extended_pan_id, nib->extended_pan_id, 8) == 0) {
            *fc = m.frame_counter;
            return FC_ROW_EPID;
        }
        if (zb_all_bytes(m.extended_pan_id, 8, 0xFF)) {
            *fc = m.frame_counter;
            found = FC_ROW_GLOBAL;
        }
    }
    return found;
}

/* The counter a boot restores, and whether it restores one at all (then the stack adds
 * MAX_NWK_FRAMECOUNTER_CHANGES + NWK_FRAMECOUNTER_CHANGES_RESTORE_DELTA). 3.0 / 3.x.0
 * (ZDApp_RestoreNwkSecMaterial, ZDApp.c / zd_app.c): the EPID row always, the generic row only
 * when its counter is not 0; otherwise nothing is restored and the counter starts at 0 with no
 * jump. 1.2 (ZDApp_RestoreNwkKey): the NWKKEY item of a formed network. */
static int fc_restore_nv(const znp *z, uint32_t *fc)
{
    *fc = 0;
    if (!z->prof->bdb) {
        *fc = fc_read_nv(z);
        return 1;
    }
    znp_nib nib;
    if (nib_load(z, &nib) < 0) return 0;
    int kind = fc_row(z, &nib, fc);
    if (kind == FC_ROW_EPID || (kind == FC_ROW_GLOBAL && *fc != 0)) return 1;
    *fc = 0;
    return 0;
}

/* STARTUP_OPTION bit 7 (ZCD_STARTOPT_CLEAR_NWK_FRAME_COUNTER), at every boot while it is set
 * (ZDSecMgrNwkKeyInit, called from zgInit; the stack never clears the bit): every existing
 * sec-material row becomes empty (EPID 0, counter 0), the last one the generic row (EPID FF,
 * counter 0). NWKKEY is untouched. 3.0 and 3.x.0 only (not verified for 1.2). */
static void clear_sec_material_counters(znp *z)
{
    znp_nv_item *last = NULL;
    for (uint16_t i = 0; i < 64; i++) {
        znp_nv_item *row =
            znp_nv_row(z, ZNP_EX_NWK_SEC_MATERIAL_TABLE, ZNP_NV_LEGACY_SEC_MATERIAL, i);
        znp_sec_material m = {.frame_counter = 0};
        if (!row || znp_sec_material_decode(row->data, row->len, &m) < 0) break;
        m.frame_counter = 0;
        memset(m.extended_pan_id, 0x00, 8);
        znp_sec_material_encode(&m, row->data);
        last = row;
    }
    if (last) {
        znp_sec_material m = {.frame_counter = 0};
        memset(m.extended_pan_id, 0xFF, 8);
        znp_sec_material_encode(&m, last->data);
    }
}

/* Where the stack keeps the NWK frame counter (§6.5): 3.x.0 ext sec-material rows, 3.0 legacy
 * rows, 1.2 NWKKEY. Reads the row of the network's EPID, else the global (FF) row. */
static uint32_t fc_read_nv(const znp *z)
{
    const znp_nv_item *nk = znp_nv_osal(&z->nv, ZNP_NV_NWKKEY);
    if (!z->prof->bdb) {
        znp_nwkkey k;
        return nk && znp_nwkkey_decode(nk->data, nk->len, z->prof->aligned, &k) == 0
                   ? k.frame_counter
                   : 0;
    }
    znp_nib nib;
    uint32_t fc = 0;
    return nib_load(z, &nib) == 0 && fc_row(z, &nib, &fc) ? fc : 0;
}

/* A formed network whose key or frame counter is not in NV. A host can make this state with
 * ordinary NV writes and deletes (fuzz_emu_frames found one), so refusing the file would make
 * the emulator refuse what it wrote itself. Z-Stack re-creates missing items with their
 * defaults at every boot (osal_nv_item_init; recreate_defaults here), so the state is said,
 * naming the item, never silent (issue 13). */
static void warn_formed_items(const znp *z, const char *path)
{
    if (!znp_is_formed(z)) return;
    const znp_nv_item *key = znp_nv_osal(&z->nv, ZNP_NV_NWK_ACTIVE_KEY_INFO);
    if (!key || key->len < 17)
        LOG_WARN("%s: LEGACY.NWK_ACTIVE_KEY_INFO (0x003A) %s on a formed network: Z-Stack "
                 "re-creates it with its default (no network key) at boot",
                 path, key ? "too short" : "missing");
    const znp_nv_item *nk = znp_nv_osal(&z->nv, ZNP_NV_NWKKEY);
    znp_nwkkey k;
    if (!z->prof->bdb) {
        if (!nk || znp_nwkkey_decode(nk->data, nk->len, z->prof->aligned, &k) < 0)
            LOG_WARN("%s: LEGACY.NWKKEY (0x0082) %s on a formed network: the NWK frame "
                     "counter starts at 0 (+1250 at network start), as on the real stack",
                     path, nk ? "unreadable" : "missing");
        return;
    }
    znp_nib nib;
    uint32_t fc;
    if (nib_load(z, &nib) < 0 || fc_row(z, &nib, &fc)) return;
    LOG_WARN("%s: %s has no row for the network's extended PAN ID (nor the global row) on a "
             "formed network: the NWK frame counter starts at 0 at network start (no restore, "
             "no jump), as on the real stack",
             path,
             z->prof->ext_nv ? "NWK_SEC_MATERIAL_TABLE" : "LEGACY.LEGACY_NWK_SEC_MATERIAL_TABLE");
}

/* Writes the counter where the stack keeps it (row of this EPID, creating it in the first
 * free row) and in NWKKEY. */
static void fc_write_nv(znp *z, uint32_t fc)
{
    znp_nv_item *nk = znp_nv_osal(&z->nv, ZNP_NV_NWKKEY);
    znp_nwkkey k;
    if (nk && znp_nwkkey_decode(nk->data, nk->len, z->prof->aligned, &k) == 0) {
        k.frame_counter = fc;
        znp_nwkkey_encode(&k, z->prof->aligned, nk->data);
    }
    z->frame_counter_nv = fc;
    if (!z->prof->bdb) return;
    znp_nib nib;
    if (nib_load(z, &nib) < 0) return;
    znp_nv_item *free_row = NULL, *first_row = NULL;
    for (uint16_t i = 0; i < 64; i++) {
        znp_nv_item *row =
            znp_nv_row(z, ZNP_EX_NWK_SEC_MATERIAL_TABLE, ZNP_NV_LEGACY_SEC_MATERIAL, i);
        znp_sec_material m;
        if (!row || znp_sec_material_decode(row->data, row->len, &m) < 0) break;
        if (memcmp(m.extended_pan_id, nib.extended_pan_id, 8) == 0) {
            m.frame_counter = fc;
            znp_sec_material_encode(&m, row->data);
            return;
        }
        if (!first_row) first_row = row;
        if (!free_row && zb_all_bytes(m.extended_pan_id, 8, 0x00)) free_row = row;
    }
    /* No row for this EPID and none free: a factory reset keeps the rows of the previous
     * network (the CC2531 3.0 reset dump has both rows on a stale EPID); take over row 0. */
    if (!free_row) free_row = first_row;
    if (free_row) {
        znp_sec_material m = {.frame_counter = fc};
        memcpy(m.extended_pan_id, nib.extended_pan_id, 8);
        znp_sec_material_encode(&m, free_row->data);
    }
}

uint32_t znp_nwk_use(znp *z, uint32_t n)
{
    z->frame_counter = n > UINT32_MAX - z->frame_counter ? UINT32_MAX : z->frame_counter + n;
    if (z->frame_counter - z->frame_counter_nv >= FC_PERSIST_EVERY) fc_write_nv(z, z->frame_counter);
    return z->frame_counter;
}

/* Simulated traffic: a coordinator sends link status, many-to-one route requests and relays;
 * each NWK frame uses one counter value. NV follows every 1000 frames, as on the real stack. */
static void traffic_tick(emu *e, void *arg)
{
    znp *z = arg;
    (void)e;
    z->traffic_timer = 0;
    if (z->dev_state != 9) return;
    znp_nwk_use(z, 1);
    z->traffic_timer = emu_timer_add(z->e, 1000, traffic_tick, z);
}

/* ---------------------------------------------------------------- factory image, reset */

static int load_factory(znp *z, char *err, size_t errlen)
{
    cJSON *doc = cJSON_Parse(z->prof->factory);
    if (!doc) {
        snprintf(err, errlen, "internal error: factory image of %s does not parse", z->prof->name);
        return -1;
    }
    int rc = znp_nv_from_json(&z->nv, doc, err, errlen);
    cJSON_Delete(doc);
    if (rc < 0) return -1;
    /* stick-specific values: our own IEEE and TCLK seed */
    znp_nv_osal_put(&z->nv, ZNP_NV_EXTADDR, z->hw_ieee, 8);
    if (z->prof->bdb) {
        uint8_t seed[16];
        emu_rand_bytes(z->e, seed, 16);
        znp_nv_osal_put(&z->nv, ZNP_NV_TCLK_SEED, seed, 16);
    }
    return 0;
}

/* Items the stack re-creates at every boot when missing (EXTADDR from the hardware IEEE,
 * every other default from the factory image); host-owned ids are not in the image. */
static void recreate_defaults(znp *z)
{
    znp_nv factory;
    char err[128];
    znp_nv_init(&factory);
    cJSON *doc = cJSON_Parse(z->prof->factory);
    if (doc && znp_nv_from_json(&factory, doc, err, sizeof(err)) == 0) {
        for (size_t i = 0; i < factory.n; i++) {
            const znp_nv_item *it = &factory.items[i];
            if (it->item != ZNP_NV_LEGACY && !z->prof->ext_nv) continue;
            if (znp_nv_find(&z->nv, it->sys, it->item, it->sub)) continue;
            if (it->item == ZNP_NV_LEGACY && it->sub == ZNP_NV_EXTADDR)
                znp_nv_osal_put(&z->nv, ZNP_NV_EXTADDR, z->hw_ieee, 8);
            else if (it->item == ZNP_NV_LEGACY && it->sub == ZNP_NV_NIB)
                continue; /* a missing NIB means "not formed" (3.x); 1.2 re-creates it below */
            else
                znp_nv_put(&z->nv, it->sys, it->item, it->sub, it->data, it->len);
        }
        if (!z->prof->bdb && !znp_nv_osal(&z->nv, ZNP_NV_NIB)) {
            const znp_nv_item *nib = znp_nv_osal(&factory, ZNP_NV_NIB);
            if (nib) znp_nv_osal_put(&z->nv, ZNP_NV_NIB, nib->data, nib->len);
        }
    }
    cJSON_Delete(doc);
    znp_nv_free(&factory);
}

/* STARTUP_OPTION bit 1: forget the network (NIB, tables, keys, counters). */
static void clear_network_state(znp *z, bool clear_fc)
{
    znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, ZNP_NV_ADDRMGR);
    znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, ZNP_NV_APS_LINK_KEY_TABLE);
    if (z->prof->bdb) {
        znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, ZNP_NV_NIB);
        uint8_t zero = 0;
        znp_nv_osal_put(&z->nv, ZNP_NV_BDBNODEISONANETWORK, &zero, 1);
    } else {
        znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY,
                      ZNP_NV_NIB); /* re-created default */
    }
    for (uint16_t i = 0; z->prof->ext_nv && i < 0x400; i++)
        if (znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_ADDRMGR, i) < 0) break;
    (void)clear_fc; /* tables below are re-created from the factory image (counters zero) */
    for (uint16_t i = 0; z->prof->ext_nv && i < 0x400; i++) {
        if (znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_TCLK_TABLE, i) < 0) break;
        znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_APS_KEY_DATA_TABLE, i);
        znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_NWK_SEC_MATERIAL_TABLE, i);
    }
    if (!z->prof->ext_nv)
        for (uint16_t i = 0; i < 0xF0; i++) {
            znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY,
                          (uint16_t)(ZNP_NV_LEGACY_TCLK + i));
            if (i < 12)
                znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY,
                              (uint16_t)(ZNP_NV_LEGACY_SEC_MATERIAL + i));
            znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY,
                          (uint16_t)(ZNP_NV_LEGACY_APS_KEY + i));
        }
    znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, ZNP_NV_NWKKEY);
    znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, ZNP_NV_NWK_ACTIVE_KEY_INFO);
    znp_nv_delete(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_NV_LEGACY, ZNP_NV_NWK_ALTERN_KEY_INFO);
}

static void send_reset_ind(emu *e, void *arg)
{
    znp *z = arg;
    (void)e;
    mt_sys_reset_ind ind = {z->reset_reason, 0x02,           z->prof->product,
                            z->prof->major,  z->prof->minor, z->prof->maint};
    znp_indicate(z, MT_SYS_RESET_IND, &ind);
}

void znp_reset(znp *z, uint8_t type)
{
    /* SYS_RESET_IND's reason: a hard reset (type 0) of an 8051 chip (CC2530/CC2531: the packed
     * profiles) is the watchdog's, reason 2 (vectors/traces/znp/zstack12-20190608-tasmota-
     * tas6924); a soft reset is reason 0 on every chip that has a trace. The hard reset of the
     * ARM chips is unverified: 0. */
    z->reset_reason = type == 0 && !z->prof->aligned ? 2 : 0;
    memset(z->endpoints, 0, sizeof(z->endpoints));
    z->bdb_primary = z->bdb_secondary = 0;
    z->msg_cb_all = false;
    z->n_groups = 0;
    z->dev_state = 0;
    if (z->traffic_timer) emu_timer_cancel(z->e, z->traffic_timer);
    z->traffic_timer = 0;
    znp_nv_item *opt = znp_nv_osal(&z->nv, ZNP_NV_STARTUP_OPTION);
    uint8_t o = opt && opt->len ? opt->data[0] : 0;
    if (o & STARTUP_CLEAR_CONFIG) {
        LOG_INFO("znp: reset with STARTUP_OPTION clear-config");
        uint8_t seed_keep[16];
        const znp_nv_item *seed = znp_nv_osal(&z->nv, ZNP_NV_TCLK_SEED);
        int had_seed = seed && seed->len == 16;
        if (had_seed) memcpy(seed_keep, seed->data, 16);
        znp_nv keep = z->nv;
        znp_nv_init(&z->nv);
        char err[128];
        if (load_factory(z, err, sizeof(err)) < 0) {
            LOG_ERROR("znp: %s", err);
            znp_nv_free(&z->nv);
            z->nv = keep;
        } else {
            /* host-owned markers survive a config reset only if the host does not delete them */
            for (size_t i = 0; i < keep.n; i++) {
                const znp_nv_item *it = &keep.items[i];
                if (it->item == ZNP_NV_LEGACY && (it->sub == 0x005F || it->sub == 0x0060 ||
                                                  it->sub == 0x0F00 || it->sub == ZNP_NV_EXTADDR))
                    znp_nv_put(&z->nv, it->sys, it->item, it->sub, it->data, it->len);
            }
            znp_nv_free(&keep);
        }
    }
    if (o & STARTUP_CLEAR_STATE) {
        LOG_INFO("znp: reset with STARTUP_OPTION clear-state");
        clear_network_state(z, (o & STARTUP_CLEAR_FC) != 0);
    }
    if ((o & STARTUP_CLEAR_FC) && z->prof->bdb) {
        LOG_INFO("znp: reset with STARTUP_OPTION clear-NWK-frame-counter");
        clear_sec_material_counters(z);
    }
    if (opt && o) {
        /* bit 7 stays: zgInit clears only bit 0, and nothing clears bit 7 */
        opt = znp_nv_osal(&z->nv, ZNP_NV_STARTUP_OPTION);
        if (opt && opt->len) opt->data[0] = o & STARTUP_CLEAR_FC;
    }
    recreate_defaults(z);
    emu_timer_add(z->e, 50, send_reset_ind, z);
}

/* ---------------------------------------------------------------- formation */

static void write_empty_tables(znp *z)
{
    bool a = z->prof->aligned;
    /* address manager: all rows empty (§4.5.6) */
    znp_addrmgr_entry empty = {.type = a ? 0xFF : 0x00, .nwk_addr = 0xFFFF};
    memset(empty.ext_addr, 0xFF, 8);
    size_t rs = znp_addrmgr_entry_size(a);
    if (z->prof->ext_nv) {
        uint8_t row[16];
        znp_addrmgr_entry_encode(&empty, a, row);
        for (size_t i = 0; i < z->prof->addrmgr_rows; i++)
            if (!znp_nv_find(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_ADDRMGR, (uint16_t)i))
                znp_nv_put(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_ADDRMGR, (uint16_t)i, row, rs);
    } else if (!znp_nv_osal(&z->nv, ZNP_NV_ADDRMGR)) {
        uint8_t *buf = calloc(z->prof->addrmgr_rows, rs);
        if (buf) {
            for (size_t i = 0; i < z->prof->addrmgr_rows; i++)
                znp_addrmgr_entry_encode(&empty, a, buf + i * rs);
            znp_nv_osal_put(&z->nv, ZNP_NV_ADDRMGR, buf, z->prof->addrmgr_rows * rs);
            free(buf);
        }
    }
    /* security manager table: count 0, three rows */
    if (z->prof->bdb && !znp_nv_osal(&z->nv, ZNP_NV_APS_LINK_KEY_TABLE)) {
        size_t len = 2 + 3 * (a ? 6 : 5);
        uint8_t buf[32] = {0};
        znp_nv_osal_put(&z->nv, ZNP_NV_APS_LINK_KEY_TABLE, buf, len);
    }
}

static uint8_t pick_channel(const znp *z, uint32_t mask)
{
    for (int ch = 11; ch <= 26; ch++)
        if (mask & (1u << ch)) return (uint8_t)ch;
    (void)z;
    return 11;
}

static int form_network(znp *z)
{
    const znp_nv_item *it;
    znp_nib nib;
    if (nib_load(z, &nib) < 0) {
        /* no NIB (3.x after clear-state): start from the factory-default NIB fields */
        memset(&nib, 0, sizeof(nib));
        znp_nib_defaults(&nib);
    }
    uint32_t mask = z->bdb_primary ? z->bdb_primary : z->bdb_secondary;
    if (!mask || !z->prof->bdb) {
        it = znp_nv_osal(&z->nv, ZNP_NV_CHANLIST);
        mask = it && it->len == 4 ? get_le32(it->data) : 0x07FFF800;
    }
    uint8_t channel = pick_channel(z, mask);
    it = znp_nv_osal(&z->nv, ZNP_NV_PANID);
    uint16_t pan = it && it->len == 2 ? get_le16(it->data) : 0xFFFF;
    while (pan == 0xFFFF || pan == 0xFFFE)
        pan = (uint16_t)(emu_rand(z->e) & 0x3FFF);
    uint8_t epid[8] = {0};
    it = znp_nv_osal(&z->nv, ZNP_NV_APS_USE_EXT_PANID);
    if (it && it->len == 8) memcpy(epid, it->data, 8);
    if (zb_all_bytes(epid, 8, 0x00)) {
        it = znp_nv_osal(&z->nv, ZNP_NV_EXTADDR);
        memcpy(epid, it && it->len == 8 ? it->data : z->hw_ieee, 8);
    }
    uint8_t key[16];
    it = znp_nv_osal(&z->nv, ZNP_NV_PRECFGKEY);
    if (it && it->len == 16)
        memcpy(key, it->data, 16);
    else
        emu_rand_bytes(z->e, key, 16);

    nib.nwk_dev_address = 0x0000;
    nib.nwk_coord_address = 0x0000;
    nib.nwk_logical_channel = channel;
    nib.nwk_pan_id = pan;
    memcpy(nib.extended_pan_id, epid, 8);
    nib.channel_list = 1u << channel;
    nib.nwk_key_loaded = 1;
    nib.security_level = 5;
    nib.nwk_state = 8;
    nib.nwk_manager_addr = 0x0000;
    nib.nwk_update_id = 0;
    if (nib_store(z, &nib) < 0) return -1;

    uint8_t desc[17];
    desc[0] = 0;
    memcpy(desc + 1, key, 16);
    znp_nv_osal_put(&z->nv, ZNP_NV_NWK_ACTIVE_KEY_INFO, desc, 17);
    znp_nv_osal_put(&z->nv, ZNP_NV_NWK_ALTERN_KEY_INFO, desc, 17);
    znp_nwkkey nk = {.seq = 0, .frame_counter = 0};
    memcpy(nk.key, key, 16);
    uint8_t nkbuf[32];
    znp_nwkkey_encode(&nk, z->prof->aligned, nkbuf);
    znp_nv_osal_put(&z->nv, ZNP_NV_NWKKEY, nkbuf, znp_nwkkey_size(z->prof->aligned));
    if (z->prof->bdb) {
        uint8_t one = 1;
        znp_nv_osal_put(&z->nv, ZNP_NV_BDBNODEISONANETWORK, &one, 1);
        znp_nv_osal_put(&z->nv, ZNP_NV_EXTENDED_PAN_ID, epid, 8);
    }
    recreate_defaults(z); /* sec-material / TCLK / APS tables if a clear-state removed them */
    write_empty_tables(z);
    z->frame_counter = 0;
    fc_write_nv(z, 0);
    LOG_INFO("znp: formed network: channel %u, PAN %04x", channel, pan);
    return 0;
}

int znp_start_network(znp *z, bool from_bdb)
{
    (void)from_bdb;
    int formed_now = 0;
    if (!znp_is_formed(z)) {
        if (form_network(z) < 0) return -1;
        formed_now = 1;
    } else {
        /* boot with a network: the counter jumps ahead of what NV held (frames sent after the
         * last save were lost with the power) and the new value is saved at once, so two hosts
         * reading NV one after the other see the same counter */
        uint32_t nv;
        z->frame_counter = fc_restore_nv(z, &nv) ? nv + FC_BOOT_INCREMENT : 0;
        fc_write_nv(z, z->frame_counter);
    }
    if (formed_now && z->devices_wanted) znp_add_simulated_devices(z, z->devices_wanted);
    z->dev_state = 9;
    if (!z->traffic_timer) z->traffic_timer = emu_timer_add(z->e, 1000, traffic_tick, z);
    world_link_up(&z->world);
    return formed_now;
}

/* ---------------------------------------------------------------- front end glue */

/* --script: a request a real stick answered in the trace gets its recorded frames */
static int scripted(znp *z, const mt_frame *f)
{
    emu_script *s = emu_script_of(z->e);
    if (!s) return 0;
    uint8_t req[2 + MT_MAX_DATA] = {f->cmd0, f->cmd1};
    memcpy(req + 2, f->data, f->len);
    const zbt_exchange *x = emu_script_answer(s, req, 2 + (size_t)f->len, SIZE_MAX);
    if (!x) return 0;
    for (size_t i = 0; i < x->rsp.n; i++)
        znp_send(z, x->rsp.v[i].b[0], x->rsp.v[i].b[1], x->rsp.v[i].b + 2, x->rsp.v[i].n - 2);
    for (size_t i = 0; i < x->ind.n; i++)
        znp_send(z, x->ind.v[i].b[0], x->ind.v[i].b[1], x->ind.v[i].b + 2, x->ind.v[i].n - 2);
    return 1;
}

static void on_frame(void *ctx, const mt_frame *f)
{
    znp *z = ctx;
    if (!scripted(z, f)) znp_dispatch(z, f);
}

static void bsl_bytes(znp *z, const uint8_t *p, size_t n);

static void znp_on_bytes(void *fe, const uint8_t *p, size_t n)
{
    znp *z = fe;
    zb_log_frame("znp rx", p, n, n < 4 ? n : 4);
    if (z->chip == ZNP_CHIP_HELD) return; /* a chip in reset hears nothing */
    if (z->chip == ZNP_CHIP_BSL) {
        bsl_bytes(z, p, n);
        return;
    }
    /* a candidate left incomplete by a pause had a corrupted LEN: give it up first */
    uint64_t now = emu_now_ms();
    if (mt_parser_pending(&z->parser) && now - z->last_rx_ms > MT_STALE_MS)
        mt_parser_expire(&z->parser, on_frame, z);
    z->last_rx_ms = now;
    mt_parser_feed(&z->parser, p, n, on_frame, z);
}

static void znp_on_open(void *fe)
{
    znp *z = fe;
    mt_parser_init(&z->parser);
    /* a real stick resets when the port opens (DTR/RTS); a pty cannot signal that, so the
     * emulator says hello on its own: zigpy-znp waits for any frame after opening */
    emu_timer_add(z->e, 150, send_reset_ind, z);
}

/* ---------------------------------------------------------------- DTR/RTS (libzbmodem.so)
 *
 * The ARM sticks (CC2652R, CC2538) sit behind a USB-UART bridge wired as cc2538-bsl's default
 * expects: RTS asserted holds nRESET low, DTR asserted pulls the bootloader backdoor pin low.
 * When RTS is released the chip boots: into the ROM serial bootloader if DTR is asserted at that
 * moment, otherwise into Z-Stack, which sends SYS_RESET_IND. That is why herdsman's CC2652
 * "skip bootloader" (znp.js: DTR=0/RTS=0, DTR=0/RTS=1, DTR=0/RTS=0, 150 ms apart) and zigpy-znp's
 * default connect pins (DTR F,F,F / RTS F,T,F; zstack-mt.md 1.4) reset the stick into its
 * firmware. A CC2531 is native USB: DTR/RTS are CDC-ACM requests that reach no pin. */

static void bsl_bytes(znp *z, const uint8_t *p, size_t n)
{
    /* The ROM bootloader's only answer modelled here: auto-baud sync 0x55 0x55 -> ACK 00 CC.
     * MT frames are not understood and get no answer, as on the real chip. */
    for (size_t i = 0; i < n; i++) {
        z->bsl_sync = p[i] == 0x55 ? (uint8_t)(z->bsl_sync + 1) : 0;
        if (z->bsl_sync == 2) {
            static const uint8_t ack[2] = {0x00, 0xCC};
            LOG_INFO("znp: ROM bootloader: auto-baud sync, ACK");
            emu_send(z->e, ack, sizeof(ack));
            z->bsl_sync = 0;
        }
    }
}

static void chip_hold(znp *z)
{
    LOG_INFO("znp: RTS asserted: chip held in reset");
    z->chip = ZNP_CHIP_HELD;
    if (z->traffic_timer) emu_timer_cancel(z->e, z->traffic_timer);
    z->traffic_timer = 0;
}

static void chip_boot(znp *z)
{
    mt_parser_init(&z->parser);
    z->bsl_sync = 0;
    if (z->line_dtr) {
        LOG_INFO("znp: reset released with DTR asserted: ROM serial bootloader (no MT)");
        z->chip = ZNP_CHIP_BSL;
        return;
    }
    LOG_INFO("znp: reset released with DTR clear: firmware boots (SYS_RESET_IND)");
    z->chip = ZNP_CHIP_RUN;
    znp_reset(z, ZNP_BOOT);
}

static void set_lines(znp *z, int dtr, int rts)
{
    if (!z->prof->aligned) return; /* CC2531: no pins behind DTR/RTS */
    int was_held = z->line_rts;
    z->line_dtr = (uint8_t)dtr;
    z->line_rts = (uint8_t)rts;
    if (rts && !was_held) chip_hold(z);
    if (!rts && was_held) chip_boot(z);
}

static void znp_on_modem(void *fe, int dtr, int rts)
{
    znp *z = fe;
    LOG_INFO("znp: host set DTR=%d RTS=%d", dtr, rts);
    set_lines(z, dtr, rts);
}

static void znp_on_close(void *fe)
{
    znp *z = fe;
    mt_parser_init(&z->parser);
    /* closing a serial port drops DTR and RTS (HUPCL): a held chip boots */
    if (z->line_dtr || z->line_rts) {
        LOG_INFO("znp: port closed: DTR and RTS drop");
        set_lines(z, 0, 0);
    }
}

static const znp_profile *find_profile(const char *name)
{
    for (size_t i = 0; i < sizeof(PROFILES) / sizeof(PROFILES[0]); i++)
        if (strcmp(PROFILES[i].name, name) == 0) return &PROFILES[i];
    return NULL;
}

static void *znp_create(emu *e, const emu_options *o, char *err, size_t errlen)
{
    const znp_profile *prof = find_profile(o->profile ? o->profile : "zstack3x0");
    if (!prof) {
        snprintf(err, errlen,
                 "--profile %s: unknown (zstack3x0, zstack30, zstack30-cc2538, zstack12)",
                 o->profile);
        return NULL;
    }
    znp *z = calloc(1, sizeof(*z));
    if (!z) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    z->e = e;
    z->prof = prof;
    z->code_revision = prof->code_revision;
    if (o->firmware) {
        char *end;
        unsigned long d = strtoul(o->firmware, &end, 10);
        if (*end || strlen(o->firmware) != 8 || d < 20000101) {
            snprintf(err, errlen, "--firmware %s: want the build date YYYYMMDD", o->firmware);
            free(z);
            return NULL;
        }
        z->code_revision = (uint32_t)d;
    }
    znp_nv_init(&z->nv);
    mt_parser_init(&z->parser);
    if (!emu_ieee_option(o, z->hw_ieee))
        put_le64(z->hw_ieee, 0x00124B0000000000ull | (emu_rand(e) & 0xFFFFFF) |
                                 ((uint64_t)(emu_rand(e) & 0xFF) << 24));
    int have = emu_nv_restore(e, z, err, errlen);
    if (have < 0) goto fail;
    if (have) {
        const znp_nv_item *ext = znp_nv_osal(&z->nv, ZNP_NV_EXTADDR);
        if (ext && ext->len == 8 && !o->ieee) memcpy(z->hw_ieee, ext->data, 8);
        const znp_nv_item *nib = znp_nv_osal(&z->nv, ZNP_NV_NIB);
        if (nib && prof == &PROFILES[1] && nib->len == znp_nib_size(true)) {
            prof = z->prof = &PROFILES[2];
            LOG_INFO("znp: %s holds aligned structs: profile %s", o->nvram_path, prof->name);
        }
        if (nib && nib->len != znp_nib_size(prof->aligned)) {
            snprintf(err, errlen,
                     "%s: NIB is %u bytes but profile %s expects %zu (wrong --profile?)",
                     o->nvram_path, nib->len, prof->name, znp_nib_size(prof->aligned));
            goto fail;
        }
    } else if (load_factory(z, err, errlen) < 0) {
        goto fail;
    }
    if (have) warn_formed_items(z, o->nvram_path);
    z->frame_counter_nv = fc_read_nv(z);
    if (znp_world_attach(z, o, err, errlen) < 0) goto fail;
    /* power-up: the same boot path as a soft reset (defaults, startup options) */
    znp_reset(z, ZNP_BOOT);
    z->devices_wanted = o->devices;
    if (o->devices && znp_is_formed(z)) znp_add_simulated_devices(z, o->devices);
    LOG_INFO("znp: profile %s (%s), %s network", prof->name, prof->description,
             znp_is_formed(z) ? "formed" : "no");
    return z;
fail:
    znp_nv_free(&z->nv);
    free(z);
    return NULL;
}

static void znp_on_stop(void *fe)
{
    znp *z = fe;
    world_link_detach(&z->world); /* may send frames: before the counter is saved */
    /* a clean shutdown keeps the counter exactly */
    if (z->dev_state == 9 && z->frame_counter != z->frame_counter_nv)
        fc_write_nv(z, z->frame_counter);
}

static void znp_destroy(void *fe)
{
    znp *z = fe;
    znp_nv_free(&z->nv);
    free(z);
}

const emu_frontend emu_znp_frontend = {
    .name = "znp",
    .summary = "TI Z-Stack ZNP (MT over UART): --profile zstack3x0 | zstack30 | zstack12",
    .create = znp_create,
    .destroy = znp_destroy,
    .on_stop = znp_on_stop,
    .on_open = znp_on_open,
    .on_close = znp_on_close,
    .on_bytes = znp_on_bytes,
    .on_modem = znp_on_modem,
    .nv_from_json = znp_nv_hook_from_json,
    .nv_to_json = znp_nv_hook_to_json,
    .nv_hash = znp_nv_hook_hash,
};
