/* znp_frontend.h - the emulated Z-Stack ZNP: state shared by the front end (znp_frontend.c) and its MT command
 * handlers (znp_cmds.c). */
#ifndef ZB_EMU_ZNP_H
#define ZB_EMU_ZNP_H

#include "emu.h"
#include "world_link.h"
#include "mt.h"
#include "mt_cmds.h"
#include "mt_schema.h"
#include "znp_nv.h"

#include <stdbool.h>
#include <stdint.h>

/* A firmware profile: everything a host uses to identify a stick, kept consistent. */
typedef struct znp_profile {
    const char *name;
    const char *description;
    uint8_t product; /* SYS_VERSION product id: herdsman's only version probe */
    uint8_t major, minor, maint;
    uint32_t code_revision;
    uint16_t capabilities; /* SYS_PING */
    bool aligned;          /* ARM struct layout vs packed 8051 */
    bool ext_nv;           /* SYS_NV_* (3.x.0 only): zigpy-znp's version probe */
    bool bdb;              /* APP_CNF present (3.0+) */
    const char *factory;   /* embedded factory-reset NVRAM image */
    size_t addrmgr_rows;   /* address manager capacity after formation */
    /* SYS_VERSION after the 9 bytes every release sends (the bootloader build type and
     * revision where the build has them), as real sticks answer in vectors/traces/znp */
    uint8_t version_tail[5];
    uint8_t version_tail_len;
} znp_profile;

typedef struct znp_endpoint {
    bool used;
    mt_af_register_req reg; /* as registered (the simple descriptor and the latency) */
} znp_endpoint;

typedef struct znp {
    emu *e;
    const znp_profile *prof;
    uint32_t code_revision; /* SYS_VERSION: the profile's, or --firmware */
    znp_nv nv;
    mt_parser parser;
    uint8_t hw_ieee[8]; /* LE, as in NV; EXTADDR is re-created from it */
    uint8_t dev_state;  /* §3.8: 0 hold, 8 starting, 9 coordinator */
    uint8_t reset_reason; /* of the next SYS_RESET_IND: 0 power-up, 2 watchdog */
    znp_endpoint endpoints[256];
    uint32_t bdb_primary, bdb_secondary;
    bool msg_cb_all;
    uint8_t zdo_tsn;
    uint32_t frame_counter;    /* RAM copy; NV is rewritten every 1000 frames */
    uint32_t frame_counter_nv; /* what NV holds */
    unsigned traffic_timer;
    uint16_t groups[32][2]; /* (endpoint, group) registered with EXT_ADD_GROUP */
    int n_groups;
    int devices_wanted;
    uint64_t last_rx_ms;
    /* modem lines as the host set them (libzbmodem.so) and what they did to the chip */
    uint8_t line_dtr, line_rts;
    uint8_t chip;              /* ZNP_CHIP_* */
    uint8_t bsl_sync;          /* 0x55 bytes seen by the ROM bootloader's auto-baud */
    /* for mt_parser_expire */ /* --devices: joined at formation (and at start if formed) */
    world_link world;          /* --world (world_link.h, bound in znp_world.c) */
} znp;

/* What the chip runs, driven by DTR/RTS on sticks wired for it (see znp_on_modem). */
enum { ZNP_CHIP_RUN = 0, ZNP_CHIP_HELD, ZNP_CHIP_BSL };

/* Replies and indications (znp_frontend.c). */
void znp_send(znp *z, uint8_t cmd0, uint8_t cmd1, const uint8_t *data, size_t len);
/* The SRSP to `req`: `rsp` encoded through the answer layout of its proto/mt/mt_schema.c row. */
void znp_reply(znp *z, const mt_frame *req, const void *rsp);
void znp_srsp_status(znp *z, const mt_frame *req, uint8_t status); /* an mt_status answer */
/* An indication (AREQ, RPC error) cmd0 cmd1: `ind` encoded through its schema row's layout. */
void znp_indicate(znp *z, uint8_t cmd0, uint8_t cmd1, const void *ind);
/* Uses `n` NWK frame counter values (frames sent); NV follows every 1000, as on the real stack
 * (the boot adds 1250 on top). Returns the last value used. */
uint32_t znp_nwk_use(znp *z, uint32_t n);
/* A reset: RAM state, STARTUP_OPTION, default items; SYS_RESET_IND follows. `type` is
 * SYS_RESET_REQ's (0 hard, 1 soft) or ZNP_BOOT (power-up, the reset pin). */
#define ZNP_BOOT 0xFF
void znp_reset(znp *z, uint8_t type);
/* Start the network from NV or form it (BDB commissioning / STARTUP_FROM_APP). Returns
 * 1 when a new network was formed, 0 when restored, -1 on failure. */
int znp_start_network(znp *z, bool from_bdb);
bool znp_is_formed(const znp *z);

/* Row `i` of a table 3.x.0 keeps as ext items (ZSTACK, ext_item, sub i) and 3.0 as consecutive
 * legacy items from legacy_first; NULL past the end (znp_frontend.c). */
znp_nv_item *znp_nv_row(const znp *z, uint16_t ext_item, uint16_t legacy_first, size_t i);
/* Address-manager entry `i` in NV: its ext row (3.x.0) or its slice of the legacy item; NULL
 * past the end. */
uint8_t *znp_addrmgr_slot(const znp *z, size_t i);

/* Join `n` simulated devices through the stack's own tables (znp_devices.c). */
int znp_add_simulated_devices(znp *z, int n);

/* The world's devices (znp_world.c, emulator/world/WORLD.md); the rest runs through world_link
 * (world_link.h). */
int znp_world_attach(znp *z, const emu_options *o, char *err, size_t errlen);

/* MT dispatch (znp_cmds.c). */
void znp_dispatch(znp *z, const mt_frame *f);

#endif
