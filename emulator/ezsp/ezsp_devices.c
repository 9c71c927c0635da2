/* ezsp_devices.c - simulated devices joining the emulated EmberZNet coordinator.
 *
 * A device that joins a real EmberZNet trust center leaves a unique link key in the key table
 * (STACK_KEY_TABLE token: partner EUI64, key), an end device also an entry in the child table
 * token, and a router an address-table entry. The simulated ones take the same places, so a
 * host reading the NCP (exportLinkKeyByIndex, getChildData, getAddressTableInfo) sees what it
 * would see on a real stick. Outgoing APS counters are one global counter on EmberZNet: it is
 * raised to the highest counter of the joined devices. */
#include "ezsp_frontend.h"

#include "bytes.h"
#include "ezsp_tokens.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

int ezsp_add_simulated_devices(ezsp_ncp *n, int want)
{
    int have = 0;
    for (unsigned i = 0; i < EZSP_KEY_TABLE_SIZE; i++)
        if (!zb_ieee_blank(ezsp_nv_elem(&n->nv, TOK_KEY_TABLE, i))) have++;
    if (have >= want) return 0;
    int count = want - have;
    emu_device *devs = emu_make_devices(n->e, count);
    if (!devs) return -1;
    unsigned key_i = 0, child_i = 0, addr_i = 0;
    int joined = 0;
    uint8_t *aps_fc = ezsp_nv_elem(&n->nv, TOK_APS_FRAME_COUNTER, 0);
    for (int k = 0; k < count; k++) {
        const emu_device *d = &devs[k];
        uint8_t *slot = NULL;
        for (; key_i < EZSP_KEY_TABLE_SIZE; key_i++) {
            slot = ezsp_nv_elem(&n->nv, TOK_KEY_TABLE, key_i);
            if (zb_ieee_blank(slot)) break;
        }
        if (key_i >= EZSP_KEY_TABLE_SIZE) {
            LOG_WARN("ezsp: key table full after %d simulated devices", joined);
            break;
        }
        uint8_t eui[8];
        put_le64(eui, d->ieee);
        if (d->is_child) {
            uint8_t *c = NULL;
            for (; child_i < EZSP_CHILD_TABLE; child_i++) {
                c = ezsp_nv_elem(&n->nv, TOK_CHILD_TABLE, child_i);
                if (zb_ieee_blank(c)) break;
            }
            if (child_i >= EZSP_CHILD_TABLE) continue;   /* no room for another child */
            ezsp_tok_child t = {.type = (k % 2) ? 4 : 3, /* sleepy / non-sleepy end device */
                                .id = d->nwk};
            memcpy(t.eui64, eui, 8);
            ezsp_tok_child_encode(&t, c);
        } else {
            for (; addr_i < EZSP_ADDRESS_TABLE && n->nv.addr[addr_i].nwk != 0xFFFF; addr_i++)
                ;
            if (addr_i >= EZSP_ADDRESS_TABLE) continue;
            memcpy(n->nv.addr[addr_i].eui64, eui, 8);
            n->nv.addr[addr_i].nwk = d->nwk;
        }
        ezsp_tok_key kt = {.info = EZSP_TOK_KEY_INFO_AUTHORIZED};
        memcpy(kt.eui64, eui, 8);
        memcpy(kt.key, d->link_key, 16);
        ezsp_tok_key_encode(&kt, slot);
        n->nv.key_rx_counter[key_i] = d->rx_counter;
        if (get_le32(aps_fc) < d->tx_counter) put_le32(aps_fc, d->tx_counter);
        world_link_joined(&n->world, d);
        joined++;
    }
    free(devs);
    LOG_INFO("ezsp: %d simulated devices joined", joined);
    return 0;
}
