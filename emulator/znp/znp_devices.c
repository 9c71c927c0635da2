/* znp_devices.c - simulated devices joining an emulated Z-Stack coordinator.
 *
 * A device that joins a real Z-Stack 3 coordinator gets an address-manager entry and a
 * trust-center link key: normally a key hashed from the TCLK seed (a TCLK table row with the
 * seed shift), for some devices a unique key in the APS key data table, named by the
 * security-manager table. The simulated ones take the same places, so a backup of the emulator
 * exercises every path a backup of a real stick does. */
#include "znp_frontend.h"

#include "bytes.h"
#include "log.h"
#include "znp_layout.h"

#include <stdlib.h>
#include <string.h>

static int slot_free(znp *z, const uint8_t *slot)
{
    znp_addrmgr_entry e;
    if (znp_addrmgr_entry_decode(slot, znp_addrmgr_entry_size(z->prof->aligned), z->prof->aligned,
                                 &e) < 0)
        return 0;
    return zb_ieee_blank(e.ext_addr);
}

/* Makes the network hold at least `want` devices: counts the used address-manager rows and
 * joins the rest, so a restart with the same --devices adds nobody twice. */
int znp_add_simulated_devices(znp *z, int want)
{
    int have = 0;
    for (size_t i = 0; znp_addrmgr_slot(z, i); i++)
        if (!slot_free(z, znp_addrmgr_slot(z, i))) have++;
    if (have >= want) return 0;
    int n = want - have;
    emu_device *devs = emu_make_devices(z->e, n);
    if (!devs) return -1;
    const znp_nv_item *seed_it = znp_nv_osal(&z->nv, ZNP_NV_TCLK_SEED);
    const uint8_t *seed = seed_it && seed_it->len == 16 ? seed_it->data : NULL;
    znp_nv_item *smt_it = znp_nv_osal(&z->nv, ZNP_NV_APS_LINK_KEY_TABLE);
    znp_aps_link_key_table smt = {0};
    int have_smt = smt_it && znp_aps_link_key_table_decode(smt_it->data, smt_it->len,
                                                           z->prof->aligned, &smt) == 0;
    size_t slot_i = 0, tclk_i = 0, joined = 0;
    for (int k = 0; k < n; k++) {
        emu_device *d = &devs[k];
        uint8_t *slot = NULL;
        for (; (slot = znp_addrmgr_slot(z, slot_i)) != NULL; slot_i++)
            if (slot_free(z, slot)) break;
        if (!slot) {
            LOG_WARN("znp: address manager full after %zu simulated devices", joined);
            break;
        }
        znp_addrmgr_entry e = {.type = (uint8_t)(d->is_child ? 1 : 0), .nwk_addr = d->nwk};
        put_le64(e.ext_addr, d->ieee);
        if (z->prof->bdb && seed) {
            /* every fourth device has a unique key (APS key table), the rest a hashed one */
            int unique = have_smt && (k % 4 == 3) && smt.count < smt.n_rows;
            znp_nv_item *aps =
                unique ? znp_nv_row(z, ZNP_EX_APS_KEY_DATA_TABLE, ZNP_NV_LEGACY_APS_KEY, smt.count)
                       : NULL;
            if (aps) {
                znp_aps_key_data kd = {.tx_counter = d->tx_counter, .rx_counter = d->rx_counter};
                memcpy(kd.key, d->link_key, 16);
                znp_aps_key_data_encode(&kd, aps->data);
                smt.rows[smt.count] = (znp_aps_link_key_row){
                    .addr_mgr_index = (uint16_t)slot_i,
                    .link_key_nv_id =
                        (uint16_t)(z->prof->ext_nv ? smt.count : ZNP_NV_LEGACY_APS_KEY + smt.count),
                    .auth_state = 1};
                smt.count++;
                e.type |= 2;
            } else {
                znp_nv_item *row;
                while ((row = znp_nv_row(z, ZNP_EX_TCLK_TABLE, ZNP_NV_LEGACY_TCLK, tclk_i)) !=
                       NULL) {
                    znp_tclk_row t;
                    if (znp_tclk_row_decode(row->data, row->len, z->prof->aligned, &t) == 0 &&
                        zb_all_bytes(t.ext_addr, 8, 0x00))
                        break;
                    tclk_i++;
                }
                if (row) {
                    znp_tclk_row t = {.tx_counter = d->tx_counter,
                                      .rx_counter = d->rx_counter,
                                      .key_attributes = 2,
                                      .key_type = 0,
                                      .seed_shift = (uint8_t)(emu_rand(z->e) % 16)};
                    memcpy(t.ext_addr, e.ext_addr, 8);
                    znp_tclk_row_encode(&t, z->prof->aligned, row->data);
                    tclk_i++;
                    e.type |= 2;
                }
            }
        } else {
            /* 1.2 keeps no link keys; a router is typed Security as on the real CC2531 */
            if (!d->is_child) e.type |= 2;
        }
        znp_addrmgr_entry_encode(&e, z->prof->aligned, slot);
        slot_i++;
        joined++;
    }
    if (have_smt) {
        znp_aps_link_key_table_encode(&smt, z->prof->aligned, smt_it->data, smt_it->len);
        znp_aps_link_key_table_free(&smt);
    }
    for (size_t k = 0; k < joined; k++) /* with every table written: the keys are there */
        world_link_joined(&z->world, &devs[k]);
    free(devs);
    LOG_INFO("znp: %zu simulated devices joined", joined);
    return 0;
}
