/* zboss_devices.c - simulated devices joining the emulated ZBOSS coordinator.
 *
 * A device that joins a ZBOSS coordinator ends up in three datasets: the address map (IEEE and
 * NWK address), the neighbour table if it is a child (or a neighbouring router), and the APS
 * key table with the unique verified link key the trust centre gave it (§6, §8.4). The simulated
 * ones are written to the same datasets, so a backup of the emulator reads every place a
 * backup of a real NCP reads. Joins happen silently (no indications), like a network that was
 * already populated before the host connected. */
#include "zboss_frontend.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEVICES 255 /* the address map's u8 count */

typedef struct tables {
    zboss_addr_map_entry am[MAX_DEVICES];
    long n_am;
    zboss_neighbour nb[MAX_DEVICES];
    long n_nb;
    zboss_aps_key keys[MAX_DEVICES];
    long n_keys;
} tables;

static long decode_ds(const zboss_nv *nv, int type,
                      long (*fn)(const uint8_t *, size_t, void *, size_t), void *out)
{
    const zboss_dataset_blob *b = &nv->ds[type];
    if (!b->present) return 0;
    long n = fn(b->data, b->len, out, MAX_DEVICES);
    return n < 0 ? 0 : n;
}

static long am_dec(const uint8_t *p, size_t n, void *o, size_t m)
{
    return zboss_addr_map_decode(p, n, o, m);
}
static long nb_dec(const uint8_t *p, size_t n, void *o, size_t m)
{
    return zboss_neighbour_decode(p, n, o, m);
}
static long key_dec(const uint8_t *p, size_t n, void *o, size_t m)
{
    return zboss_aps_keys_decode(p, n, o, m);
}

static int store(zboss_emu *z, const tables *t)
{
    uint8_t *buf = malloc(ZBOSS_APS_KEYS_HDR + MAX_DEVICES * ZBOSS_APS_KEYS_REC);
    if (!buf) return -1;
    size_t n = zboss_addr_map_encode(t->am, (size_t)t->n_am, buf,
                                     ZBOSS_ADDR_MAP_HDR + MAX_DEVICES * ZBOSS_ADDR_MAP_REC);
    int rc = zboss_nv_ds_put(&z->nv, ZBOSS_DS_ADDR_MAP, zboss_dataset_version(ZBOSS_DS_ADDR_MAP),
                             buf, n);
    n = zboss_neighbour_encode(t->nb, (size_t)t->n_nb, buf,
                               ZBOSS_NBT_HDR + MAX_DEVICES * ZBOSS_NBT_REC);
    rc |= zboss_nv_ds_put(&z->nv, ZBOSS_DS_NEIGHBOUR_TBL,
                          zboss_dataset_version(ZBOSS_DS_NEIGHBOUR_TBL), buf, n);
    n = zboss_aps_keys_encode(z->nv.coordinator_version, t->keys, (size_t)t->n_keys, buf,
                              ZBOSS_APS_KEYS_HDR + MAX_DEVICES * ZBOSS_APS_KEYS_REC);
    rc |= zboss_nv_ds_put(&z->nv, ZBOSS_DS_APS_SECURE_DATA,
                          zboss_dataset_version(ZBOSS_DS_APS_SECURE_DATA), buf, n);
    free(buf);
    return rc ? -1 : 0;
}

int zboss_add_simulated_devices(zboss_emu *z, int want)
{
    tables *t = calloc(1, sizeof(*t));
    if (!t) return -1;
    t->n_am = decode_ds(&z->nv, ZBOSS_DS_ADDR_MAP, am_dec, t->am);
    t->n_nb = decode_ds(&z->nv, ZBOSS_DS_NEIGHBOUR_TBL, nb_dec, t->nb);
    t->n_keys = decode_ds(&z->nv, ZBOSS_DS_APS_SECURE_DATA, key_dec, t->keys);
    long have = 0;
    for (long i = 0; i < t->n_am; i++)
        if (t->am[i].nwk != 0x0000) have++;
    if (want > MAX_DEVICES) want = MAX_DEVICES;
    int n = want - (int)have;
    if (n > MAX_DEVICES - t->n_am) n = (int)(MAX_DEVICES - t->n_am); /* the map is full */
    if (n <= 0) {
        free(t);
        return 0;
    }
    emu_device *d = emu_make_devices(z->e, n);
    if (!d) {
        free(t);
        return -1;
    }
    for (int k = 0; k < n; k++) {
        long idx = t->n_am++;
        t->am[idx] =
            (zboss_addr_map_entry){.ieee = d[k].ieee, .nwk = d[k].nwk, .index = (uint8_t)idx};
        t->nb[t->n_nb++] =
            (zboss_neighbour){.addr_ref = (uint8_t)idx,
                              .depth = 1,
                              .rx_on = d[k].is_child ? 0 : 1,
                              .relationship = d[k].is_child ? ZBOSS_REL_CHILD : ZBOSS_REL_NONE,
                              .device_type = d[k].is_child ? ZBOSS_DEV_ZED : ZBOSS_DEV_ZR,
                              .ed_timeout = d[k].is_child ? z->nv.ed_timeout : 0};
        zboss_aps_key *key = &t->keys[t->n_keys++];
        key->ieee = d[k].ieee;
        memcpy(key->key, d[k].link_key, 16);
        key->flags = ZBOSS_APS_KEY_UNIQUE_VERIFIED;
    }
    int rc = store(z, t);
    free(t);
    for (int k = 0; rc == 0 && k < n; k++) /* with the tables written: the keys are there */
        world_link_joined(&z->world, &d[k]);
    free(d);
    if (rc < 0) return -1;
    LOG_INFO("zboss: %d simulated devices joined", n);
    return 0;
}

int zboss_remove_device(zboss_emu *z, uint16_t nwk, uint64_t *ieee_out)
{
    tables *t = calloc(1, sizeof(*t));
    if (!t) return -1;
    t->n_am = decode_ds(&z->nv, ZBOSS_DS_ADDR_MAP, am_dec, t->am);
    t->n_nb = decode_ds(&z->nv, ZBOSS_DS_NEIGHBOUR_TBL, nb_dec, t->nb);
    t->n_keys = decode_ds(&z->nv, ZBOSS_DS_APS_SECURE_DATA, key_dec, t->keys);
    long idx = -1;
    for (long i = 0; i < t->n_am && idx < 0; i++)
        if (t->am[i].nwk == nwk && nwk != 0x0000) idx = i;
    if (idx < 0) {
        free(t);
        return 1;
    }
    uint64_t ieee = t->am[idx].ieee;
    /* the address map closes the gap; neighbours refer to it by position */
    memmove(&t->am[idx], &t->am[idx + 1], (size_t)(t->n_am - idx - 1) * sizeof(t->am[0]));
    t->n_am--;
    for (long i = 0; i < t->n_am; i++)
        t->am[i].index = (uint8_t)i;
    long k = 0;
    for (long i = 0; i < t->n_nb; i++) {
        if (t->nb[i].addr_ref == idx) continue;
        t->nb[k] = t->nb[i];
        if (t->nb[k].addr_ref > idx) t->nb[k].addr_ref--;
        k++;
    }
    t->n_nb = k;
    k = 0;
    for (long i = 0; i < t->n_keys; i++)
        if (t->keys[i].ieee != ieee) t->keys[k++] = t->keys[i];
    t->n_keys = k;
    int rc = store(z, t);
    free(t);
    if (rc < 0) return -1;
    *ieee_out = ieee;
    return 0;
}
