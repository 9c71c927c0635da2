/* world.h - simulated Zigbee devices that live outside any coordinator (emulator/world/WORLD.md).
 *
 * WHY: a migration only matters to the devices of a house, and those devices keep their own
 * security state (network key and sequence, frame counters, trust-center IEEE, link key) while
 * sticks come and go. The world file holds that state; an emulator attached with --world runs
 * secured traffic between its coordinator and the world's devices under the rules real stacks
 * apply (../shared/protocols/zigbee-security.md) and records, per device, whether it is alive,
 * alive after a rejoin or lost, and why. The module is protocol neutral: a front end describes
 * its coordinator in a world_coord (network, key, its own NWK frame counter, how it derives link
 * keys, which children it knows) and receives accepted reports through `deliver`. */
#ifndef ZB_WORLD_H
#define ZB_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct world world;

/* An attribute report a device sent and the coordinator accepted. */
typedef struct world_report {
    uint64_t ieee;
    uint16_t nwk;
    uint8_t src_ep, lqi;
    uint16_t profile, cluster;
    const uint8_t *zcl; /* ZCL frame: header + Report Attributes payload */
    size_t zcl_len;
} world_report;

/* A device the coordinator's tables hold (for --world-adopt). */
typedef struct world_member {
    uint64_t ieee;
    uint16_t nwk;
    int is_child; /* end device with the coordinator as parent; else a router */
} world_member;

typedef struct world_coord world_coord;

/* What a stack gives the world: one static table per front end (its *_world.c). The world uses
 * the hooks from nwk_use to set_network_key (all but nwk_use may be NULL); the binding
 * (world_link.h) uses coord and coord_joining. `fe` is the front end's own state. */
typedef struct world_stack {
    const char *name; /* "znp", "ezsp", "zboss" */
    /* Uses `n` values of the front end's own outgoing NWK counter (each frame sent uses one)
     * under the stack's own persistence rule (ZNP and ZBOSS every 1000, EZSP a block ahead), so
     * world traffic never hands a value out twice across a restart; returns the last used. */
    uint32_t (*nwk_use)(void *fe, uint32_t n);
    /* The link key the TC holds or derives for `ieee` into key; returns how it was obtained
     * ("zstack-seed", "unique", "ezsp-hashed", ...) or NULL when it has none. */
    const char *(*link_key)(void *fe, uint64_t ieee, uint8_t key[16]);
    /* 1 if `ieee` is in the coordinator's child table (a parent answers its polls). */
    int (*knows_child)(void *fe, uint64_t ieee);
    /* Member `i` of the coordinator's device tables: 1 and *m, or 0 past the end. */
    int (*member)(void *fe, size_t i, world_member *m);
    /* Hand an accepted report to the host as the stack's incoming-message event. */
    void (*deliver)(void *fe, const world_report *r);
    /* Activate a new network key (key switch); returns 0, or -1 if the stack cannot. */
    int (*set_network_key)(void *fe, const uint8_t key[16], uint8_t seq);
    /* The coordinator read from the front end's NV and RAM: 0 and *c (all but stack and fe,
     * which the binding sets), or -1 when no network is up. */
    int (*coord)(void *fe, world_coord *c);
    /* The same while --devices join a network that is still starting, or NULL: coord. */
    int (*coord_joining)(void *fe, world_coord *c);
} world_stack;

/* The coordinator as the world sees it, filled before each call (world_stack.coord). */
struct world_coord {
    const world_stack *stack;
    void *fe;
    uint64_t ieee; /* the IEEE it transmits with (aux header source, TC address) */
    uint64_t epid;
    uint16_t pan;
    uint8_t channel;
    uint8_t nwk_key[16];
    uint8_t key_seq;
};

/* Opens (locks: PATH.lock, one emulator at a time) and loads the world file; a missing file is
 * an empty world. NULL with a message naming the file and field on any problem. */
/* NULL with a message; errno EWOULDBLOCK when another zbemu holds the file. */
world *world_open(const char *path, char *err, size_t errlen);
/* file_write() flags for its saves (emu_file_flags: --no-fsync); FILE_WRITE_REGULAR_ONLY by
 * default. */
void world_set_file_flags(world *w, unsigned flags);
/* The wall clock that stamps each verdict and the network's going down (time(NULL) in the
 * binding); without one (the default: world.c has no clock) the times are written as "". */
void world_set_clock(world *w, time_t (*now)(void));
/* Runs pending control requests, saves and unlocks. NULL-safe. */
void world_close(world *w, const world_coord *c);

/* A device joins through coordinator c (--devices): it takes the network, key, TC IEEE and the
 * link key c derives for it. Returns 0, or -1 (saved state unchanged). */
int world_join(world *w, const world_coord *c, const world_member *m);
/* Devices in c's tables that the world lacks move into the world as paired with c
 * (--world-adopt: a house whose devices were paired before the world existed). */
int world_adopt(world *w, const world_coord *c);

/* One exchange with every device: each device reports, the coordinator sends each a request,
 * rejoins where needed; statuses are recorded and the file saved. Returns the number alive
 * (with or without rejoin), or -1 if the file could not be written. Each verdict is stamped with
 * the round and the time; a network_down record is cleared (the network is up again). */
int world_round(world *w, const world_coord *c);
/* The coordinator sends `n` frames its neighbours hear (link status, broadcasts). */
int world_burst(world *w, const world_coord *c, uint32_t n);
/* The TC distributes a new network key (sequence + 1) to every device under its link key,
 * then switches. */
int world_key_switch(world *w, const world_coord *c);

/* Control requests from outside (zbharness), taken from SIGUSR1's sigqueue value: n > 0 sends
 * n frames, -1 switches the network key. Applied by world_poll. */
void world_poll(world *w, const world_coord *c);

/* The coordinator's network is down (it left, was reset or wiped): nothing is judged until it is
 * up again, so every verdict so far is written as "not judged since" (its status kept as
 * last_status) and the file records "network_down" with the round and time; the next
 * world_round clears both. Once per going down; returns 0, or -1 if the file could not be
 * written. */
int world_network_down(world *w);

/* Counts in the world: n devices, alive, alive after rejoin, lost, not judged since the network
 * went down. */
void world_counts(const world *w, size_t out[5]);

#endif
