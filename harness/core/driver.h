/* driver.h - one host driver per coordinator protocol behind the same small table, so that
 * backup, restore, round trips and conformance runs are written once for all stacks. */
#ifndef ZB_DRIVER_H
#define ZB_DRIVER_H

#include "ocb.h"
#include "serial.h"

#include <stddef.h>
#include <stdint.h>

typedef struct zbh_device_info {
    char stack[16];    /* "znp", "ezsp", "zboss" */
    char firmware[64]; /* e.g. "Z-Stack 3.x.0 20250321" */
    char profile[16];  /* e.g. "zstack3x0" */
    int can_restore;   /* the host side knows how to write this firmware */
} zbh_device_info;

/* What a restore may do to a coordinator IEEE that can only be written by burning a
 * write-once token (EmberZNet MFG_CUSTOM_EUI_64). The default refuses before any write. */
enum zbh_ieee_policy {
    ZBH_IEEE_REFUSE = 0, /* stop and explain (the default) */
    ZBH_IEEE_BURN,       /* --burn-ieee: burn it, once, forever */
    ZBH_IEEE_KEEP,       /* --keep-ieee: the caller restores with the stick's own IEEE */
};

/* The counters of the backup a driver writes already carry the restore's increment (ops.c
 * with_increment): a driver writes the values it is given. */
typedef struct zbh_restore_opts {
    enum zbh_ieee_policy ieee; /* see above; the backup's bellows override is not consent */
} zbh_restore_opts;

/* What a read of the device proved. "No network" only when the stack's own state says so
 * (ZNP: NIB absent or not formed; EZSP: networkInit NOT_JOINED; ZBOSS: GET_JOINED 0); a
 * timeout, a bad CRC or a short table read is "could not read", which must stop any write. */
typedef enum zbh_read_status {
    ZBH_READ_OK = 0,
    ZBH_READ_NO_NETWORK,
    ZBH_READ_FAILED,
} zbh_read_status;

/* Frame-counter arithmetic in 64 bits, saturating at the 32-bit maximum (a wrapped counter
 * makes every device drop the coordinator's frames). */
static inline uint32_t zbh_counter_add(uint32_t base, uint32_t inc)
{
    uint64_t v = (uint64_t)base + inc;
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* A field of the backup format that a device cannot store, and why. A restore compares the
 * read-back without these fields and reports each one that differs as a loss. */
typedef struct zbh_loss {
    const char *field; /* a name from ocb_diff_fields() */
    const char *why;
} zbh_loss;

/* A device's frame the stick passed up (`watch`): the stack's incoming-message event, decoded by
 * proto/core/incoming.h. */
typedef struct zbh_heard {
    uint16_t nwk;
    uint64_t ieee; /* 0 when the event names only the short address */
    uint16_t cluster;
    uint8_t src_ep, lqi;
} zbh_heard;
/* Called for each frame heard, and with h == NULL about every 200 ms of silence; a non-zero
 * return ends the listening (the caller's deadline, a Ctrl-C). */
typedef int (*zbh_heard_fn)(void *ctx, const zbh_heard *h);

typedef struct zbh_driver {
    const char *name;
    /* Opens the conversation: wakes the device, identifies the firmware. */
    void *(*open)(zbh_serial *s, zbh_device_info *info, char *err, size_t errlen);
    void (*close)(void *d);
    /* Reads the network into a new backup; NULL + err when not formed or on failure, and
     * *st (may be NULL) says which: ZBH_READ_NO_NETWORK only when proved. */
    ocb_backup *(*read_network)(void *d, zbh_read_status *st, char *err, size_t errlen);
    /* Writes `b` and restarts the network on it. Returns 0 or -1 + err. */
    int (*write_network)(void *d, const ocb_backup *b, const zbh_restore_opts *o, char *err,
                         size_t errlen);
    /* The fields this device (as identified by open) cannot store, {NULL, NULL}-terminated;
     * NULL when it stores everything. */
    const zbh_loss *(*losses)(void *d);
    /* Optional conformance probe: sends malformed frames and checks that the device answers
     * with the protocol's own error reply and keeps working. 0 = conforms, -1 + detail. */
    int (*probe_malformed)(void *d, char *detail, size_t len);
    /* Optional, read-only: what write_network would refuse or must ask about, checked before
     * the first write (EZSP: an IEEE only a write-once token can take). 0 = go ahead; -1 +
     * err = stop, nothing written. *device_ieee gets the stick's own IEEE when known. */
    int (*check_write)(void *d, const ocb_backup *b, const zbh_restore_opts *o,
                       uint64_t *device_ieee, char *err, size_t errlen);
    /* Optional: leaves and forgets the network, so that a factory-new stick that a test
     * wrote is factory-new again (read_network then proves "no network"). 0 or -1 + err. */
    int (*erase_network)(void *d, char *err, size_t errlen);
    /* Optional, for `watch`: runs the stick's stored network as a host does at start-up (an
     * application endpoint; the network started if it is not), never forming one: call it
     * only after read_network found a network. Then passes each frame heard to fn until fn
     * returns non-zero. 0, or -1 + err when the link or the start fails. */
    int (*listen)(void *d, zbh_heard_fn fn, void *ctx, char *err, size_t errlen);
} zbh_driver;

extern const zbh_driver zbh_znp_driver;
extern const zbh_driver zbh_zboss_driver;
extern const zbh_driver zbh_ezsp_driver;
/* The driver for --stack NAME (drivers.c), or NULL. NAME may be an alias (zstack, ember). */
const zbh_driver *zbh_find_driver(const char *stack);
/* The i-th driver, NULL past the end (for --stack auto). */
const zbh_driver *zbh_driver_at(size_t i);
/* "znp (or zstack), ezsp (or ember), zboss" for messages and help. */
const char *zbh_driver_names(void);

/* A new, empty backup whose metadata.source names this harness (what read_network fills). */
ocb_backup *zbh_backup_new(void);

/* The fields a stack or migration target cannot store, as its driver declares them, without
 * a device: NAME is a --stack name (znp, ezsp, zboss), a roundtrip target (znp-zstack12,
 * ezsp-v13, ...) or a Z-Stack profile (zstack12, zstack3x0, ...). {NULL, NULL}-terminated;
 * NULL when NAME is unknown. `diff --to/--from` applies them like restore does. */
const zbh_loss *zbh_declared_losses(const char *name);
/* driver_znp.c: Z-Stack 1.2 (zstack12 != 0) or 3.x */
const zbh_loss *zbh_znp_declared_losses(int zstack12);
/* What an EmberZNet NCP speaking EZSP `version` cannot store (driver_ezsp.c). */
const zbh_loss *zbh_ezsp_declared_losses(int version);

#endif
