/* journal.h - the restore journal: what a restore is about to write, on disk before the first
 * write and marked done only after a verified read-back.
 *
 * A restore resets the stick before it writes. One that stops after that point (SIGKILL, a
 * power cut, an unplugged stick, a link timeout) leaves the same network with a fresh counter,
 * or no network at all, and the higher counters it was about to write exist nowhere the next
 * run looks. Run again, the same command would write the backup's lower counters, and every
 * device would drop the coordinator's frames until the counter caught up. The journal keeps
 * the highest counters a restore planned or saw, per network and stick, so that:
 *   - a later restore of that network onto that stick never writes lower counters;
 *   - backup and info on that stick warn that a restore is unfinished and say how to finish it.
 *
 * One file per network and port (the stick is known by the port it is on),
 * zbharness-journal-<epid>-<port>.json (0600, written atomically, fsynced), in two places: next to
 * the pre-restore backup (--prerestore-dir, "." by default) and in the per-user state directory
 * ($ZBHARNESS_STATE_DIR, else $XDG_STATE_HOME/zbharness, else ~/.local/state/zbharness). Counters
 * in a journal only rise: a save merges with the file already there. Journals stay after a finished
 * restore: their counters still bound the next restore of the same network onto the same stick. */
#ifndef ZB_JOURNAL_H
#define ZB_JOURNAL_H

#include "ocb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zbh_journal_key {
    uint64_t ieee;       /* the device */
    uint32_t tx_counter; /* the highest APS link-key TX counter planned or seen for it */
} zbh_journal_key;

typedef struct zbh_journal {
    char file[1024];       /* where it was read from, or last written to */
    bool done;             /* the restore was read back and verified */
    char stack[16];        /* the driver: znp, ezsp, zboss */
    char port[256];        /* the port as given on the command line */
    char backup[1024];     /* the backup being restored ("" when not from a file) */
    char prerestore[1024]; /* the pre-restore backup ("" when the stick held no network) */
    char started[24];      /* UTC, 2026-12-07T01:02:03Z */
    char finished[24];     /* "" until done */
    uint64_t extended_pan_id;
    uint64_t device_ieee;       /* the stick's coordinator IEEE before the restore (0: unknown) */
    uint64_t target_ieee;       /* the coordinator IEEE the restore writes */
    uint32_t nwk_frame_counter; /* the highest NWK frame counter planned or seen */
    zbh_journal_key *keys;      /* owned */
    size_t n_keys;
} zbh_journal;

/* The per-user state directory (created 0700 when missing). 0, or -1 + err. */
int zbh_journal_state_dir(char *out, size_t cap, char *err, size_t errlen);

/* A new journal for restoring `plan` (its counters as they will be written, the increment
 * included) from `backup` onto STACK at PORT, in progress. Free with zbh_journal_free. NULL on
 * allocation failure. */
zbh_journal *zbh_journal_new(const ocb_backup *plan, const char *stack, const char *port,
                             const char *backup, const char *prerestore, uint64_t device_ieee);
void zbh_journal_free(zbh_journal *j);

/* Raises the journal's counters to those of `b` where they are higher (a read-back). */
void zbh_journal_merge_counters(zbh_journal *j, const ocb_backup *b);

/* Writes j to DIR/zbharness-journal-<epid>-<port>.json atomically (fsynced), merging the
 * counters of a journal already at that name (they never go down). Sets j->file. 0, or -1 +
 * err naming the file. */
int zbh_journal_save(zbh_journal *j, const char *dir, char *err, size_t errlen);

/* Every journal in the pre-restore DIR (NULL: ".") and the state directory that is about
 * network EPID (when has_epid) and this stick, known by its PORT as given (a stable name such
 * as /dev/serial/by-id/... keeps finding it after a re-plug). A journal found in both places
 * counts once: done if either copy is done (a restore stopped between
 * its two final saves), with the higher counters of the two. Returns how many; *out (free with
 * zbh_journal_list_free) gets them. Unreadable files are skipped with a warning on stderr. */
size_t zbh_journal_find(const char *dir, bool has_epid, uint64_t epid, const char *port,
                        zbh_journal **out);
void zbh_journal_list_free(zbh_journal *list, size_t n);

/* Raises plan's counters to the journals' (NWK frame counter, and each device's link-key TX
 * counter where the device has a link key); says on stderr what it raised and from which
 * file. */
void zbh_journal_raise(const zbh_journal *list, size_t n, ocb_backup *plan);

/* On stderr, for each unfinished journal in list: the network, the file, when it started,
 * and the command that finishes it; when the stick holds another network NOW (NULL: none or
 * unread), that too, the command with --force, and how to drop a restore no longer wanted.
 * Returns how many were unfinished. */
size_t zbh_journal_warn_unfinished(const zbh_journal *list, size_t n, const char *who,
                                   const ocb_backup *now);

#endif
