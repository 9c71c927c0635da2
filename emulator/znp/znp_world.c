/* znp_world.c - the emulated Z-Stack coordinator as the world's devices see it (world.h).
 *
 * WHY here and not in znp_frontend.c: the world is an optional second model; the Z-Stack specifics it
 * needs are read from the same NV the host reads and writes (the NIB, NWK_ACTIVE_KEY_INFO, the
 * TCLK seed and rows, the APS key data table, the address manager), so what a migration wrote
 * is exactly what the devices meet. Accepted reports reach the host as AF_INCOMING_MSG. */
#include "znp_frontend.h"
#include "mt_incoming.h"

#include "bytes.h"
#include "log.h"
#include "world_link.h"
#include "znp_layout.h"

#include <stdio.h>
#include <string.h>

/* Address-manager entry `i`: 1 and *e, 0 past the end. */
static int addrmgr(const znp *z, size_t i, znp_addrmgr_entry *e)
{
    const uint8_t *p = znp_addrmgr_slot(z, i);
    if (!p) return 0;
    if (znp_addrmgr_entry_decode(p, znp_addrmgr_entry_size(z->prof->aligned), z->prof->aligned, e) <
        0)
        memset(e, 0, sizeof(*e));
    return 1;
}

static int entry_used(const znp_addrmgr_entry *e)
{
    return !zb_ieee_blank(e->ext_addr);
}

/* The TC's key for a device (§5.2): a TCLK row derives it from the seed and the row's shift; a
 * unique key sits in the APS key data table named by APS_LINK_KEY_TABLE; Z-Stack 1.2 has one
 * global key for everybody. */
static const char *znp_link_key(void *fe, uint64_t ieee, uint8_t key[16])
{
    znp *z = fe;
    uint8_t le[8];
    put_le64(le, ieee);
    if (!z->prof->bdb) {
        const znp_nv_item *g = znp_nv_osal(&z->nv, ZNP_NV_TCLK_SEED); /* 0x0101: TCLinkKey */
        znp_tclink_key k;
        if (g && znp_tclink_key_decode(g->data, g->len, &k) == 0)
            memcpy(key, k.key, 16);
        else /* not in NV: the build-time default, ZigBeeAlliance09 (§5.1) */
            memcpy(key, "ZigBeeAlliance09", 16);
        return "global";
    }
    const znp_nv_item *seed = znp_nv_osal(&z->nv, ZNP_NV_TCLK_SEED);
    const znp_nv_item *row;
    for (size_t i = 0; seed && seed->len == 16 &&
                       (row = znp_nv_row(z, ZNP_EX_TCLK_TABLE, ZNP_NV_LEGACY_TCLK, i)) != NULL;
         i++) {
        znp_tclk_row t;
        if (znp_tclk_row_decode(row->data, row->len, z->prof->aligned, &t) == 0 &&
            memcmp(t.ext_addr, le, 8) == 0) {
            znp_tclk_derive(seed->data, le, t.seed_shift, key);
            return "zstack-seed";
        }
    }
    const znp_nv_item *smt_it = znp_nv_osal(&z->nv, ZNP_NV_APS_LINK_KEY_TABLE);
    znp_aps_link_key_table smt = {0};
    if (!smt_it ||
        znp_aps_link_key_table_decode(smt_it->data, smt_it->len, z->prof->aligned, &smt) < 0)
        return NULL;
    const char *how = NULL;
    for (size_t i = 0; !how && i < smt.count && i < smt.n_rows; i++) {
        znp_addrmgr_entry e;
        if (!addrmgr(z, smt.rows[i].addr_mgr_index, &e) || memcmp(e.ext_addr, le, 8) != 0) continue;
        uint16_t id = smt.rows[i].link_key_nv_id;
        const znp_nv_item *kd =
            z->prof->ext_nv ? znp_nv_find(&z->nv, ZNP_NV_SYS_ZSTACK, ZNP_EX_APS_KEY_DATA_TABLE, id)
                            : znp_nv_osal(&z->nv, id);
        znp_aps_key_data k;
        if (kd && znp_aps_key_data_decode(kd->data, kd->len, &k) == 0) {
            memcpy(key, k.key, 16);
            how = "unique";
        }
    }
    znp_aps_link_key_table_free(&smt);
    return how;
}

static int znp_knows_child(void *fe, uint64_t ieee)
{
    znp *z = fe;
    uint8_t le[8];
    znp_addrmgr_entry e;
    put_le64(le, ieee);
    for (size_t i = 0; addrmgr(z, i, &e); i++)
        if (entry_used(&e) && memcmp(e.ext_addr, le, 8) == 0) return (e.type & 0x01) != 0;
    return 0;
}

static int znp_member(void *fe, size_t i, world_member *m)
{
    znp *z = fe;
    znp_addrmgr_entry e;
    size_t k = 0;
    for (size_t j = 0; addrmgr(z, j, &e); j++) {
        if (!entry_used(&e) || !(e.type & 0x03)) continue;
        if (k++ == i) {
            *m = (world_member){get_le64(e.ext_addr), e.nwk_addr, (e.type & 0x01) != 0};
            return 1;
        }
    }
    return 0;
}

/* AF_INCOMING_MSG (proto/core/incoming.h) to the first application endpoint: endpoint 1, else the
 * first one registered; without one Z-Stack drops the frame. */
static void znp_deliver(void *fe, const world_report *r)
{
    znp *z = fe;
    int ep = z->endpoints[1].used ? 1 : 0;
    for (int i = 2; !ep && i < 241; i++)
        if (z->endpoints[i].used) ep = i;
    if (!ep) return;
    zb_incoming m = {.nwk = r->nwk,
                     .cluster = r->cluster,
                     .src_ep = r->src_ep,
                     .dst_ep = (uint8_t)ep,
                     .lqi = r->lqi,
                     .timestamp = (uint32_t)emu_now_ms(),
                     .data = r->zcl,
                     .len = r->zcl_len};
    uint8_t d[MT_MAX_DATA];
    size_t n = mt_af_incoming_encode(&m, d, sizeof(d));
    if (n) znp_send(z, MT_AF_INCOMING_MSG, d, n);
}

static int znp_set_network_key(void *fe, const uint8_t key[16], uint8_t seq)
{
    znp *z = fe;
    uint8_t desc[17];
    desc[0] = seq;
    memcpy(desc + 1, key, 16);
    znp_nwkkey nk = {.seq = seq, .frame_counter = z->frame_counter};
    memcpy(nk.key, key, 16);
    uint8_t buf[32];
    znp_nwkkey_encode(&nk, z->prof->aligned, buf);
    if (!znp_nv_osal_put(&z->nv, ZNP_NV_NWK_ACTIVE_KEY_INFO, desc, 17) ||
        !znp_nv_osal_put(&z->nv, ZNP_NV_NWKKEY, buf, znp_nwkkey_size(z->prof->aligned)))
        return -1;
    return 0;
}

static uint32_t znp_world_nwk_use(void *fe, uint32_t n)
{
    return znp_nwk_use(fe, n);
}

/* The coordinator from NV; 0, or -1 when no network is up. */
static int znp_coord(void *fe, world_coord *c)
{
    znp *z = fe;
    const znp_nv_item *nib_it = znp_nv_osal(&z->nv, ZNP_NV_NIB);
    const znp_nv_item *ak = znp_nv_osal(&z->nv, ZNP_NV_NWK_ACTIVE_KEY_INFO);
    const znp_nv_item *ext = znp_nv_osal(&z->nv, ZNP_NV_EXTADDR);
    znp_nib nib;
    znp_key_desc kd;
    if (z->dev_state != 9 || !nib_it || !ak ||
        znp_nib_decode(nib_it->data, nib_it->len, z->prof->aligned, &nib) < 0 ||
        znp_key_desc_decode(ak->data, ak->len, &kd) < 0)
        return -1;
    *c = (world_coord){.ieee = get_le64(ext && ext->len == 8 ? ext->data : z->hw_ieee),
                       .epid = get_le64(nib.extended_pan_id),
                       .pan = nib.nwk_pan_id,
                       .channel = nib.nwk_logical_channel,
                       .key_seq = kd.seq};
    memcpy(c->nwk_key, kd.key, 16);
    return 0;
}

/* --devices join while the network starts (dev_state not yet 9). */
static int znp_coord_joining(void *fe, world_coord *c)
{
    znp *z = fe;
    uint8_t st = z->dev_state;
    z->dev_state = 9;
    int r = znp_coord(z, c);
    z->dev_state = st;
    return r;
}

static const world_stack ZNP_WORLD = {.name = "znp",
                                      .nwk_use = znp_world_nwk_use,
                                      .link_key = znp_link_key,
                                      .knows_child = znp_knows_child,
                                      .member = znp_member,
                                      .deliver = znp_deliver,
                                      .set_network_key = znp_set_network_key,
                                      .coord = znp_coord,
                                      .coord_joining = znp_coord_joining};

int znp_world_attach(znp *z, const emu_options *o, char *err, size_t errlen)
{
    return world_link_attach(&z->world, z->e, &ZNP_WORLD, z, &z->last_rx_ms, o, err, errlen);
}
