/* ezsp_frontend.h - the emulated EmberZNet NCP: state shared by the front end (ezsp_frontend.c), the command
 * tables (ezsp_cmds*.c), the token store (ezsp_nv.c) and the simulated devices. */
#ifndef ZB_EMU_EZSP_H
#define ZB_EMU_EZSP_H

#include "ash.h"
#include "emu.h"
#include "world_link.h"
#include "ezsp.h"
#include "ezsp_nv.h"
#include "ezsp_tokens.h"
#include "ezsp_versions.h"

#include <stdbool.h>
#include <stdint.h>

#define EZSP_MIN_VERSION     EZSP_FIRST_EXTENDED /* 8: EmberZNet 6.7-6.10 */
#define EZSP_MAX_VERSION     EZSP_NEWEST         /* 19: EmberZNet 9.1 */
#define EZSP_DEFAULT_VERSION 18                  /* both hosts' newest common ground before v19 */
#define EZSP_MAX_ENDPOINTS   8
#define EZSP_MAX_CLUSTERS    32
#define EZSP_MULTICAST_TABLE 16
#define EZSP_N_CONFIG        0x50

typedef struct ezsp_endpoint {
    uint8_t ep;
    uint16_t profile, device;
    uint8_t version;
    uint8_t n_in, n_out;
    uint16_t in[EZSP_MAX_CLUSTERS], out[EZSP_MAX_CLUSTERS];
} ezsp_endpoint;

/* A callback that follows a response after a pause: herdsman registers its waiter for e.g.
 * NETWORK_UP only once the response has been processed (§10). A fixed pool in the NCP: nothing
 * to free when the loop stops with timers set (the core drops its timers with the NCP). */
#define EZSP_LATER_POOL 32
typedef struct ezsp_later_cb {
    bool used;
    struct ezsp_ncp *n;
    unsigned boot; /* dropped if the NCP was reset meanwhile (boot_generation moved on) */
    uint16_t frame_id;
    size_t len;
    uint8_t data[EZSP_MAX_FRAME];
} ezsp_later_cb;

typedef struct ezsp_ncp {
    emu *e;
    ash_link link;
    unsigned link_timer;
    ezsp_nv nv;
    int max_version;   /* what we advertise (--ezsp-version) */
    bool have_release; /* --firmware: this EmberZNet release instead of the version's own */
    ezsp_version_info release;
    int version;      /* negotiated; 0 before `version` */
    uint8_t eui64[8]; /* effective EUI64 since the last boot (§8.4) */
    bool network_up;
    bool security_set; /* setInitialSecurityState since the last boot */
    ezsp_initial_security sec;
    uint16_t ext_security_bitmask;
    uint16_t config[EZSP_N_CONFIG];
    uint8_t policy[16];
    uint16_t manufacturer_code;
    ezsp_endpoint endpoints[EZSP_MAX_ENDPOINTS];
    int n_endpoints;
    ezsp_multicast_entry multicast[EZSP_MULTICAST_TABLE];
    uint32_t nwk_frame_counter; /* RAM value (next to use); NONCE_COUNTER token is ahead */
    uint8_t aps_seq;
    uint8_t last_seq; /* seq of the latest command: callbacks carry it (§2.1 rule 2) */
    bool transient_key_set;
    uint8_t transient_key[16];
    int devices_wanted;
    world_link world;         /* --world (world_link.h, bound in ezsp_world.c) */
    uint64_t last_rx_ms;      /* the host's last bytes (emu_now_ms) */
    unsigned boot_generation; /* ezsp_boot count: a later callback of an older boot is dropped */
    ezsp_later_cb later[EZSP_LATER_POOL];
} ezsp_ncp;

/* output (ezsp_frontend.c) */
void ezsp_respond(ezsp_ncp *n, const ezsp_header *req, const uint8_t *p, size_t len);
void ezsp_callback(ezsp_ncp *n, uint16_t frame_id, const uint8_t *p, size_t len);
void ezsp_callback_later(ezsp_ncp *n, uint16_t frame_id, const uint8_t *p, size_t len,
                         unsigned delay_ms);
/* One NWK frame uses a counter value; NONCE_COUNTER is moved EZSP_NWK_FC_BLOCK ahead (and saved)
 * before the value it reserves would be used. */
#define EZSP_NWK_FC_BLOCK 4096u
void ezsp_nwk_fc_use(ezsp_ncp *n);
bool ezsp_has_network(ezsp_ncp *n);
void ezsp_boot(ezsp_ncp *n);
int ezsp_add_simulated_devices(ezsp_ncp *n, int want);

/* the world's devices (ezsp_world.c, emulator/world/WORLD.md); the rest runs through world_link
 * (world_link.h) */
int ezsp_world_attach(ezsp_ncp *n, const emu_options *o, char *err, size_t errlen);

/* dispatch (ezsp_cmds.c; the commands in ezsp_cmds_*.c) */
void ezsp_dispatch(ezsp_ncp *n, const ezsp_header *h, const uint8_t *params, size_t len);

/* One call of a command: the request decoded through the schema row of the negotiated version
 * (ezsp_schema.h), and the response struct the handler fills, zeroed, that the dispatcher encodes
 * through rsp_layout (the row's, unless the handler answers in another shape). A request shorter
 * than its layout has the fields it carried and zeros after: short_req says so, and each handler
 * answers it as the firmware does (most with a status, some as if the missing bytes were 0). */
typedef struct ezsp_call {
    const ezsp_header *h;
    const void *req;
    bool short_req;
    void *rsp;
    const zs_layout *rsp_layout;
} ezsp_call;
typedef void (*ezsp_handler)(ezsp_ncp *n, ezsp_call *c);
/* A command served by fn while the negotiated version is in [min_ver, max_ver]; its name and
 * layouts are the schema's row. */
typedef struct ezsp_cmd {
    uint16_t id;
    uint8_t min_ver, max_ver;
    ezsp_handler fn;
} ezsp_cmd;

/* key-table slots (ezsp_cmds_security.c): element i of STACK_KEY_TABLE, used or not, lookup by
 * EUI64 */
uint8_t *ezsp_key_table_slot(ezsp_ncp *n, unsigned i);
bool ezsp_key_table_used(const uint8_t *slot);
/* writes slot i (< EZSP_KEY_TABLE_SIZE): eui64, key, the stack's "authorized" info byte */
void ezsp_key_table_store(ezsp_ncp *n, unsigned i, const uint8_t eui[8], const uint8_t key[16]);
int ezsp_key_table_find(ezsp_ncp *n, const uint8_t eui[8]);

/* the commands only some versions have (ezsp_legacy.c): the key-table API of v8-v12,
 * becomeTrustCenter, clearBindingTableOnLeave (v19) */
extern const ezsp_cmd ezsp_legacy_commands[];
extern const size_t ezsp_n_legacy_commands;

#endif
