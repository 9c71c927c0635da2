/* zboss_frontend.h - the emulated ZBOSS NCP (nRF52840-style): state shared by the front end
 * (zboss_frontend.c: LL, boot/reset, formation), the HL call table (zboss_cmds.c), the NVRAM file
 * (zboss_nv.c) and the simulated devices (zboss_devices.c). */
#ifndef ZB_EMU_ZBOSS_H
#define ZB_EMU_ZBOSS_H

#include "emu.h"
#include "world_link.h"
#include "zboss.h"
#include "zboss_nv.h"

#include <stdbool.h>
#include <stdint.h>

/* One queued LL data packet (a whole small message or one fragment of a large one). */
typedef struct zboss_tx_frag {
    uint8_t first_last; /* ZBOSS_FLAG_FIRST / ZBOSS_FLAG_LAST bits */
    uint8_t len;
    uint8_t body[ZBOSS_LL_MAX_BODY];
} zboss_tx_frag;

typedef struct zboss_endpoint {
    bool used;
    uint8_t desc[256]; /* AF_SET_SIMPLE_DESC params = ZDO simple descriptor layout */
    size_t len;
} zboss_endpoint;

typedef struct zboss_emu {
    emu *e;
    zboss_nv nv;
    /* LL */
    zboss_ll_parser parser;
    zboss_reasm rx;
    uint8_t last_rx_pkt; /* 4 = none yet (duplicate detection) */
    uint8_t next_tx_pkt; /* 0 once after boot, then 1,2,3,1... */
    zboss_tx_frag *txq;
    size_t txq_head, txq_len, txq_cap;
    bool inflight;
    uint8_t inflight_pkt[ZBOSS_LL_MAX_PKT];
    size_t inflight_len;
    uint8_t inflight_num;
    int retries;
    unsigned ack_timer;
    /* stack */
    bool running;     /* network started since the last boot */
    bool keys_locked; /* reset option 3 */
    uint32_t nwk_fc;  /* RAM NWK frame counter; IB_COUNTERS follows lazily */
    unsigned traffic_timer, reset_timer;
    uint8_t reset_option;
    uint16_t manuf_code;
    int8_t tx_power;
    uint16_t groups[32];
    int n_groups;
    zboss_endpoint endpoints[256];
    int devices_wanted;
    world_link world;    /* --world (world_link.h, bound in zboss_world.c) */
    uint64_t last_rx_ms; /* the host's last bytes (emu_now_ms) */
    /* The start of the NCP's response buffer: each answer's parameters overwrite its first
     * bytes, and SET_TC_POLICY answers with 8 bytes of it (a real nRF52840 NCP's answers in
     * vectors/traces/zboss/01: `00 0f` of the GET_ZIGBEE_CHANNEL before, then the EPID's bytes
     * 2..7 of the GET_EXTENDED_PAN_ID before that) */
    uint8_t rsp_buf[8];
} zboss_emu;

/* Output (zboss_frontend.c). */
void zboss_send_hl(zboss_emu *z, const uint8_t *msg, size_t n);
void zboss_respond(zboss_emu *z, const zboss_hl *req, uint8_t cat, uint8_t code,
                   const uint8_t *params, size_t n);
void zboss_indicate(zboss_emu *z, uint16_t call_id, const uint8_t *params, size_t n);
/* Uses `n` NWK frame counter values (frames sent), IB_COUNTERS kept ahead of every value used
 * (§9.5). Returns the last value used. */
uint32_t zboss_nwk_use(zboss_emu *z, uint32_t n);
/* NCP_RESET: reboot after the ACK has left, applying `option`. */
void zboss_schedule_reset(zboss_emu *z, uint8_t option);
/* Formation and start (zboss_frontend.c). */
int zboss_form(zboss_emu *z, uint32_t mask, const uint8_t epid[8], uint16_t *out_pan);
void zboss_start_network(zboss_emu *z);
/* Simulated devices (zboss_devices.c): make the network hold at least `want`. */
int zboss_add_simulated_devices(zboss_emu *z, int want);
/* A device that obeys a leave request: gone from the address map, neighbour table and key
 * table. Returns 0 (ieee_out set), 1 when no device has `nwk`, -1 on failure. */
int zboss_remove_device(zboss_emu *z, uint16_t nwk, uint64_t *ieee_out);

/* The world's devices (zboss_world.c, emulator/world/WORLD.md); the rest runs through world_link
 * (world_link.h). */
int zboss_world_attach(zboss_emu *z, const emu_options *o, char *err, size_t errlen);

/* HL dispatch (zboss_cmds.c). */
void zboss_dispatch(zboss_emu *z, const zboss_hl *req);

#endif
