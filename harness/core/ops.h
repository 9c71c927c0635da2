/* ops.h - backup and restore of one device as library calls, shared by the backup/restore
 * commands, round trips and conformance runs, so the safety rules (a backup before any write,
 * no overwrite of another network without force, read-back after writing) live in one place. */
#ifndef ZB_OPS_H
#define ZB_OPS_H

#include "driver.h"
#include "ocb.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zbh_session {
    const zbh_driver *drv;
    zbh_serial *serial;
    void *dev;
    zbh_device_info info;
} zbh_session;

/* Opens PORT and the driver for STACK. Returns 0, ZBH_USAGE (port or stack unusable) or
 * ZBH_FAIL (the device does not answer as STACK), with a message in err. */
int zbh_session_open(zbh_session *s, const char *stack, const char *port, int baud, char *err,
                     size_t errlen);
/* Opens the driver for STACK (no "auto") on a link already open (session_fd.c: the
 * in-process test tier hands in zbh_serial_from_fd). The session owns `serial` from here on,
 * also on failure. Returns 0, ZBH_USAGE (unknown stack) or ZBH_FAIL, with a message in err. */
int zbh_session_attach(zbh_session *s, const char *stack, zbh_serial *serial, char *err,
                       size_t errlen);
void zbh_session_close(zbh_session *s);

/* Backs up the network of the open session: a new backup (the caller frees it), or NULL +
 * err when the device holds no network or could not be read; *st (may be NULL) says which,
 * ZBH_READ_NO_NETWORK only when the stack's own state proved it. Writes nothing. */
ocb_backup *zbh_backup(zbh_session *s, zbh_read_status *st, char *err, size_t errlen);
/* Opens PORT as STACK (or "auto") at BAUD, backs it up and closes it again: for callers that
 * only read (round trips, conformance). *info (may be NULL) gets the device as identified,
 * also when the read fails. NULL + err (the open's or the read's message) on failure. */
ocb_backup *zbh_backup_port(const char *stack, const char *port, int baud, zbh_device_info *info,
                            char *err, size_t errlen);

/* One field of a backup that would shrink if FILE's backup were replaced by a new one. */
typedef struct zbh_shrink {
    const char *field; /* "network_key.frame_counter", "devices", "devices with link keys" */
    uint64_t old_value, new_value;
} zbh_shrink;
enum { ZBH_SHRINK_MAX = 3 };

/* What `neu` would lose against `old`, a backup of the same network (same extended PAN ID):
 * a lower NWK frame counter, fewer devices, fewer devices with link keys. Fills `out` with the
 * fields that shrank, in that order, and returns how many (0: a different network, or `neu`
 * is at least as good). Pure: reads the two models only. A backup taken from a stick after a
 * restore stopped half-way looks like this, and must not silently replace the good one. */
size_t zbh_backup_shrinks(const ocb_backup *old, const ocb_backup *neu,
                          zbh_shrink out[ZBH_SHRINK_MAX]);

typedef struct zbh_restore_req {
    uint32_t counter_increment;
    bool force;                /* overwrite a different network (after backing it up) */
    bool dry_run;              /* check and report, write nothing */
    const char *pre_dir;       /* where the pre-restore backup goes ("." when NULL) */
    enum zbh_ieee_policy ieee; /* an IEEE only a write-once token takes: refuse/burn/keep */
    const char *backup_file;   /* the backup's file, named in the journal (may be NULL) */
    bool scratch;              /* an emulator this run started and discards: the journal stays
                                  in pre_dir, none in the per-user state directory; its IEEE may
                                  become a placeholder */
    bool placeholder_ieee;     /* --write-placeholder-ieee: write a coordinator_ieee that is a
                                  placeholder (ocb_placeholder_ieee) all the same */
} zbh_restore_req;

/* One field the target could not store, as found on read-back. */
typedef struct zbh_loss_report {
    char field[96];
    char why[128];
} zbh_loss_report;

typedef struct zbh_restore_result {
    char pre_backup[512]; /* path of the pre-restore backup, "" when the device held none */
    char journal[1024];   /* the restore journal (journal.h), "" when none was written */
    zbh_loss_report losses[16];
    size_t n_losses;
    ocb_backup *after; /* the read-back (owned; free with zbh_restore_result_free) */
} zbh_restore_result;

/* Restores `want` onto the open session. Before the first write: reads what is there (a
 * failed read stops, only a proved "no network" goes on), refuses another network without
 * force, keeps the higher counters of the stick and of every restore journal of this network
 * and stick (journal.h), checks every value and capacity the target would refuse
 * (precheck.h) and the driver's own check (the write-once IEEE); then writes the pre-restore
 * backup (prerestore.h) and the journal, writes, reads back and verifies: every field as
 * planned, every written counter at least the plan plus the increment (a higher one is
 * reported, not a failure), the target's losses reported in res. Only a verified read-back
 * marks the journal done. A refused restore writes no file. Returns ZBH_OK, ZBH_FAIL (refused,
 * write failed, or a read-back difference that is not a declared loss) with messages on stderr,
 * ZBH_USAGE when the pre-restore file cannot be written. */
int zbh_restore(zbh_session *s, const ocb_backup *want, const zbh_restore_req *req,
                zbh_restore_result *res);
void zbh_restore_result_free(zbh_restore_result *res);

/* Diff rules for comparing a backup with its restored copy on a device with `losses`:
 * the round-trip rules with every lost field ignored. rules_buf needs room for 32 rules. */
void zbh_rules_with_losses(const zbh_loss *losses, ocb_rule *rules_buf, ocb_diff_rules *out);

#endif
