/* zboss_world.c - the emulated ZBOSS NCP as the world's devices see it (world.h).
 *
 * WHY from the datasets: what a migration wrote is what the devices meet. The network is
 * COMMON_DATA (PAN, EPID, channel, the key of the active sequence); the coordinator's NWK counter
 * is the NCP's own (IB_COUNTERS follows it); link keys are the APS_SECURE_DATA key pairs (plain
 * keys, §5.4); children are the neighbour-table entries with relationship child. Accepted
 * reports reach the host as APSDE_DATA_IND (0x0306, zboss-ncp.md). */
#include "zboss_frontend.h"
#include "zboss_incoming.h"

#include "bytes.h"
#include "log.h"
#include "world_link.h"

#include <stdlib.h>
#include <string.h>

#define WORLD_MAX_DEV 255

typedef struct zw_tables {
    zboss_addr_map_entry am[WORLD_MAX_DEV];
    long n_am;
    zboss_neighbour nb[WORLD_MAX_DEV];
    long n_nb;
} zw_tables;

static long ds_decode(const zboss_emu *z, int type, zw_tables *t)
{
    const zboss_dataset_blob *b = &z->nv.ds[type];
    if (!b->present) return 0;
    long n = type == ZBOSS_DS_ADDR_MAP
                 ? zboss_addr_map_decode(b->data, b->len, t->am, WORLD_MAX_DEV)
                 : zboss_neighbour_decode(b->data, b->len, t->nb, WORLD_MAX_DEV);
    return n < 0 ? 0 : n;
}

static zw_tables *tables(const zboss_emu *z)
{
    zw_tables *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->n_am = ds_decode(z, ZBOSS_DS_ADDR_MAP, t);
    t->n_nb = ds_decode(z, ZBOSS_DS_NEIGHBOUR_TBL, t);
    return t;
}

static int is_child(const zw_tables *t, long am_index)
{
    for (long i = 0; i < t->n_nb; i++)
        if (t->nb[i].addr_ref == am_index) return t->nb[i].relationship == ZBOSS_REL_CHILD;
    return 0;
}

static const char *zboss_link_key(void *fe, uint64_t ieee, uint8_t key[16])
{
    zboss_emu *z = fe;
    const zboss_dataset_blob *b = &z->nv.ds[ZBOSS_DS_APS_SECURE_DATA];
    zboss_aps_key *k = b->present ? calloc(WORLD_MAX_DEV, sizeof(*k)) : NULL;
    long n = k ? zboss_aps_keys_decode(b->data, b->len, k, WORLD_MAX_DEV) : 0;
    const char *how = NULL;
    for (long i = 0; i < n && !how; i++)
        if (k[i].ieee == ieee) {
            memcpy(key, k[i].key, 16);
            how = (k[i].flags & 1) ? "global" : "unique";
        }
    free(k);
    return how;
}

static int zboss_knows_child(void *fe, uint64_t ieee)
{
    zw_tables *t = tables(fe);
    int r = 0;
    for (long i = 0; t && i < t->n_am && !r; i++)
        if (t->am[i].ieee == ieee) r = is_child(t, i) ? 1 : -1;
    free(t);
    return r > 0;
}

static int zboss_member(void *fe, size_t i, world_member *m)
{
    zw_tables *t = tables(fe);
    size_t k = 0;
    int found = 0;
    for (long j = 0; t && j < t->n_am && !found; j++)
        if (t->am[j].nwk != 0x0000 && k++ == i) {
            *m = (world_member){t->am[j].ieee, t->am[j].nwk, is_child(t, j)};
            found = 1;
        }
    free(t);
    return found;
}

/* APSDE_DATA_IND (proto/core/incoming.h) to endpoint 1, else the first one registered; the APS
 * counter follows the device's frames; NWK key only. */
static void zboss_deliver(void *fe, const world_report *r)
{
    zboss_emu *z = fe;
    int ep = 1;
    if (!z->endpoints[1].used)
        for (int i = 2; i < 241; i++)
            if (z->endpoints[i].used) {
                ep = i;
                break;
            }
    zb_incoming m = {.nwk = r->nwk,
                     .profile = r->profile,
                     .cluster = r->cluster,
                     .src_ep = r->src_ep,
                     .dst_ep = (uint8_t)ep,
                     .lqi = r->lqi,
                     .rssi = (int8_t)(-90 + r->lqi / 8),
                     .seq = r->zcl_len > 1 ? r->zcl[1] : 0,
                     .data = r->zcl,
                     .len = r->zcl_len};
    uint8_t d[160];
    size_t n = zboss_apsde_data_ind_encode(&m, d, sizeof(d));
    if (n) zboss_indicate(z, ZBOSS_APSDE_DATA_IND, d, n);
}

static int zboss_set_network_key(void *fe, const uint8_t key[16], uint8_t seq)
{
    zboss_emu *z = fe;
    if (seq >= 3) return -1; /* three material slots, indexed by sequence (zboss_frontend.h) */
    memcpy(z->nv.nwk_key[seq], key, 16);
    z->nv.key_present[seq] = true;
    z->nv.active_key_seq = seq;
    return 0;
}

static uint32_t zboss_world_nwk_use(void *fe, uint32_t n)
{
    return zboss_nwk_use(fe, n);
}

static int zboss_coord(void *fe, world_coord *c)
{
    zboss_emu *z = fe;
    uint8_t seq = z->nv.active_key_seq;
    if (!z->running || !z->nv.formed || seq >= 3 || !z->nv.key_present[seq]) return -1;
    *c = (world_coord){.ieee = get_le64(z->nv.ieee),
                       .epid = get_le64(z->nv.nwk_epid),
                       .pan = z->nv.pan_id,
                       .channel = z->nv.channel,
                       .key_seq = seq};
    memcpy(c->nwk_key, z->nv.nwk_key[seq], 16);
    return 0;
}

static const world_stack ZBOSS_WORLD = {.name = "zboss",
                                        .nwk_use = zboss_world_nwk_use,
                                        .link_key = zboss_link_key,
                                        .knows_child = zboss_knows_child,
                                        .member = zboss_member,
                                        .deliver = zboss_deliver,
                                        .set_network_key = zboss_set_network_key,
                                        .coord = zboss_coord};

int zboss_world_attach(zboss_emu *z, const emu_options *o, char *err, size_t errlen)
{
    return world_link_attach(&z->world, z->e, &ZBOSS_WORLD, z, &z->last_rx_ms, o, err, errlen);
}
