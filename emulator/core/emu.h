/* emu.h - the emulator core shared by the Z-Stack, EmberZNet and ZBOSS front ends.
 *
 * One single-threaded poll loop (Redis ae.c style) owns: the serial endpoint (a pty pair, or
 * a TCP socket on 127.0.0.1), timers, the NVRAM file and the options. A protocol front end is a
 * small table of functions (libmodbus backend style): it receives the host's bytes and
 * open/close events and answers through emu_send(); it keeps its own NVRAM layout (its store).
 *
 * The NVRAM file has one writer, the core, and one rule: each call into the front end (the
 * host's bytes, a timer, an open or close, a modem-line change, creation and stop) is a turn;
 * after the turn, if the store's fingerprint (nv_hash) changed since the file was written, the
 * core writes the file, and only then may what the turn sent reach the host. So no handler
 * commits, and none can forget to: a reply is never ahead of the file. When the write fails,
 * what the turn sent is withheld (the host sees no confirmation, as from a stick that hung on a
 * flash error; it is not told a lie), the store stays ahead of the file, the next turn tries
 * again, and emu_destroy reports it. */
#ifndef ZB_EMU_H
#define ZB_EMU_H

#include "clock.h"
#include "emu_script.h"

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct emu emu;

#define EMU_TCP_ANY (-1) /* emu_options.tcp_port: listen on a free port the kernel picks */

typedef struct emu_options {
    const char *nvram_path; /* NULL: RAM only (nothing persisted) */
    const char *link_path;  /* symlink to the pty slave */
    int tcp_port;           /* 0: pty; EMU_TCP_ANY: TCP on a free port */
    const char *profile;    /* front-end specific (znp: zstack12|zstack30|zstack3x0) */
    int ezsp_version;
    int devices;   /* simulated devices to join after formation */
    uint32_t seed; /* for simulated devices, keys */
    int verbose;
    int show_keys;
    const char *ieee;       /* hardware IEEE override (16 hex digits, MSB first) */
    const char *fault_spec; /* --fault drop=P,corrupt=P,delay=MS,seed=N (emu_fault.h) */
    int baud; /* --baud: pace bytes like a UART at this speed, 8N1 (0: as fast as the pty) */
    const char *world_path; /* --world: simulated devices outside the stick (world.h) */
    /* --firmware: the release this unit reports, within its profile (znp: the build date
     * YYYYMMDD in SYS_VERSION; ezsp: the EmberZNet version A.B.C.D[+BUILD]) */
    const char *firmware;
    const char *script_path; /* --script: a real stick's trace answers first (emu_script.h) */
    int world_adopt;         /* --world-adopt: the stick's paired devices move into the world */
    int world_wait;          /* --world-wait: take the world once another zbemu lets it go */
    /* --time-scale: the firmware's own delays (emu_timer_add), --baud pacing and --fault delay
     * last this fraction of their time, 0 < F <= 1; 0 here means 1 (real time). Waits on the
     * host (emu_timer_add_host) never shrink: a host's speed is its own. */
    double time_scale;
    /* --no-fsync: NVRAM and world files are replaced without fsync (still atomic, still on disk
     * before the reply as far as any process can see; lost only if the machine dies). For the
     * scratch emulators a harness starts and deletes (zbharness --emulate). */
    int no_fsync;
    /* In-process tests: serve this connected stream socket (one end of a socketpair; emu_create
     * owns it from then on and closes it on failure too) instead of a pty or TCP; the host "opens
     * the port" at the first loop turn and emu_run returns once it closes its end. 0: unused (a pty
     * or TCP). */
    int host_fd;
} emu_options;

/* A protocol front end. `create` loads (or factory-initialises) the NVRAM and returns the
 * front end's state, or NULL after writing a message into err. */
typedef struct emu_frontend {
    const char *name;
    const char *summary;
    void *(*create)(emu *e, const emu_options *o, char *err, size_t errlen);
    void (*destroy)(void *fe);
    void (*on_open)(void *fe);  /* a host opened the port / connected */
    void (*on_close)(void *fe); /* the host closed it */
    void (*on_bytes)(void *fe, const uint8_t *p, size_t n);
    /* the host set DTR/RTS (1 = asserted), reported by preload/libzbmodem.so through
     * emulator/core/emu_ctl.c; NULL: the stick has no reset/bootloader wiring on those lines */
    void (*on_modem)(void *fe, int dtr, int rts);
    /* before destroy: the last turn (a clean shutdown's final counter), committed by the core;
     * NULL: nothing to do */
    void (*on_stop)(void *fe);
    /* The NVRAM store as JSON, both ways: the core owns the file (load, error prefix, the one
     * commit after each turn); the front end owns its layout (its *_nv.h store). */
    int (*nv_from_json)(void *fe, const cJSON *doc, char *err, size_t errlen);
    cJSON *(*nv_to_json)(const void *fe); /* NULL: out of memory */
    /* the store's fingerprint: changes with any byte nv_to_json would write; NULL: no store */
    uint64_t (*nv_hash)(const void *fe);
} emu_frontend;

extern const emu_frontend emu_znp_frontend;
extern const emu_frontend emu_zboss_frontend;
extern const emu_frontend emu_ezsp_frontend;

/* ---- loop ---- */
emu *emu_create(const emu_frontend *fe, const emu_options *o, char *err, size_t errlen);
/* Runs until SIGINT/SIGTERM, emu_stop() or (host_fd only) the host's hang-up. Returns 0 on a
 * clean stop. */
int emu_run(emu *e);
void emu_stop(emu *e);
/* Stops the front end (its last NVRAM write included) and frees everything. Returns 0, or -1
 * when the NVRAM file does not hold the final state (the last write failed; logged). */
int emu_destroy(emu *e);
const emu_options *emu_opts(const emu *e);
const emu_frontend *emu_frontend_of(const emu *e); /* set before its create runs */
/* Hands bytes to the front end as if the host had sent them (tests and fuzz targets; nothing
 * is read from the port). */
void emu_feed(emu *e, const uint8_t *p, size_t n);
const char *emu_port_path(const emu *e);
/* --script: the trace whose recorded answers go first; NULL without --script */
emu_script *emu_script_of(const emu *e);

/* ---- output to the host ---- */
void emu_send(emu *e, const uint8_t *p, size_t n);
int emu_connected(const emu *e);

/* ---- timers (milliseconds, monotonic) ----
 * Two kinds, told apart by who is being waited for:
 *  - emu_timer_add: the firmware's own time (a reboot, NETWORK_UP after formation, a device's
 *    report period, the world's exchange period). --time-scale shrinks it.
 *  - emu_timer_add_host: a wait on the host (an ACK timeout, a retransmission, the world's quiet
 *    wait for the host to stop talking). Always real time: the host runs on the wall clock.
 * Due timers fire earliest first (ties: the one added first), so a scaled run keeps the order
 * in which the firmware's own events happen. */
typedef void (*emu_timer_fn)(emu *e, void *arg);
static inline uint64_t emu_now_ms(void)
{
    return (uint64_t)zb_now_ms(); /* common/clock.h, unsigned like every deadline here */
}
/* Returns a timer id (> 0) or 0 on allocation failure. */
unsigned emu_timer_add(emu *e, uint64_t delay_ms, emu_timer_fn fn, void *arg);
unsigned emu_timer_add_host(emu *e, uint64_t delay_ms, emu_timer_fn fn, void *arg);
void emu_timer_cancel(emu *e, unsigned id);
/* The --time-scale factor in force (1.0: real time). */
double emu_time_scale(const emu *e);
/* How many times the loop has run its due timers (once a loop turn): a timer never fires twice
 * in one pass, even when its callback re-arms it with 0 ms. */
unsigned emu_timer_pass(const emu *e);

/* ---- NVRAM file (JSON, written atomically: temp, fsync, rename) ---- */
/* The file_write() flags (common/fileio.h) for the files an emulator rewrites on its own (NVRAM,
 * world): regular files only; without fsync under --no-fsync. */
unsigned emu_file_flags(const emu_options *o);
/* Loads the NVRAM file. Returns 1 and *doc when it exists, 0 when it does not exist (a factory
 * new device), -1 with a message naming the file and the problem. */
int emu_nv_load(const char *path, cJSON **doc, char *err, size_t errlen);
/* Persists `doc` (not consumed). Returns 0, or -1 after logging the error. No-op without a
 * --nvram file. doc NULL (a serialiser that could not build the whole document) is an error:
 * the file keeps its previous state, never a partial one. */
int emu_nv_save(emu *e, const cJSON *doc);
/* Takes an exclusive lock (PATH.lock) for the emulator's lifetime. Returns the lock fd, or -1
 * with a message (errno EWOULDBLOCK when another emulator holds it). PATH should come from
 * emu_nv_resolve. */
int emu_nv_lock(const char *path, char *err, size_t errlen);
/* The file --nvram PATH really names (symlinks and `..` resolved; for a new file, its resolved
 * folder + name), malloc'ed; NULL with a message for a dangling symlink or a missing folder. */
char *emu_nv_resolve(const char *path, char *err, size_t errlen);
/* Fills the front end's store `fe` (from its create) from the --nvram file through its
 * nv_from_json. Returns 1 when the file was loaded, 0 when there is none (no --nvram, or a
 * factory-new device), -1 with a message "PATH: problem". */
int emu_nv_restore(emu *e, void *fe, char *err, size_t errlen);
/* --ieee (16 hex digits, MSB first) as the 8 bytes in wire order (LSB first). Returns 1 and
 * fills `wire` when --ieee was given, 0 (wire untouched) when it was not. */
int emu_ieee_option(const emu_options *o, uint8_t wire[8]);
/* emu_nv_restore's note to the core: the file holds the store whose fingerprint is `hash`. */
void emu_nv_synced(emu *e, uint64_t hash);
/* emu_nv_save's bookkeeping: whether the file is behind the memory (the last save failed). */
void emu_nv_mark(emu *e, int failed);

/* ---- deterministic randomness for keys, PANs and simulated devices ---- */
uint32_t emu_rand(emu *e);
void emu_rand_bytes(emu *e, uint8_t *p, size_t n);

/* ---- protocol-neutral network model ---- */
typedef struct emu_device {
    uint64_t ieee;
    uint16_t nwk;
    int is_child;
    uint8_t link_key[16];
    uint32_t tx_counter, rx_counter;
} emu_device;

/* Makes `n` simulated devices (deterministic from the emulator's seed): unique IEEEs with a
 * real vendor prefix, unique NWK addresses, children and routers, random link keys and
 * counters. Caller frees. */
emu_device *emu_make_devices(emu *e, int n);

#endif
