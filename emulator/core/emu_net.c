/* emu_net.c - the protocol-neutral part of the simulated network: devices that join.
 * Front ends write these into their own tables (address manager, key tables, child table). */
#include "emu.h"

#include <stdlib.h>

/* Real vendor prefixes (OUIs) so that backups look like the networks users have. */
static const uint32_t OUIS[] = {0x00124B, 0x00158D, 0x04CF8C, 0x680AE2, 0x90FD9F,
                                0xCCCCCC, 0xD0CF5E, 0xEC1BBD, 0x000B57, 0x842E14};

emu_device *emu_make_devices(emu *e, int n)
{
    emu_device *d = calloc(n > 0 ? (size_t)n : 1, sizeof(*d));
    if (!d) return NULL;
    for (int i = 0; i < n; i++) {
        for (;;) {
            uint32_t oui = OUIS[emu_rand(e) % (sizeof(OUIS) / sizeof(OUIS[0]))];
            uint64_t ieee = (uint64_t)oui << 40 | (uint64_t)(emu_rand(e) & 0xFFFF) << 24 |
                            (emu_rand(e) & 0xFFFFFF);
            uint16_t nwk = (uint16_t)(1 + emu_rand(e) % 0xFFF6); /* 0x0001..0xFFF6 */
            int clash = 0;
            for (int k = 0; k < i; k++)
                if (d[k].ieee == ieee || d[k].nwk == nwk) clash = 1;
            if (clash) continue;
            d[i].ieee = ieee;
            d[i].nwk = nwk;
            break;
        }
        d[i].is_child = (emu_rand(e) % 3) != 0; /* two thirds end devices */
        emu_rand_bytes(e, d[i].link_key, 16);
        d[i].tx_counter = emu_rand(e) % 50000;
        d[i].rx_counter = emu_rand(e) % 5000;
    }
    return d;
}
