/* prerestore.h - the pre-restore backup file and the interrupted-restore message.
 *
 * Before the first write to a device, its network goes to a new file named after the stick
 * and the time, zbharness-prerestore-<ieee>-<YYYYmmddTHHMMSS>.json, created with O_EXCL and
 * O_NOFOLLOW (never overwriting a file, never following a symlink someone planted), mode 0600.
 * While the device is being written, SIGINT/SIGTERM/SIGHUP print the one command that puts
 * the previous network back, as does any failure of the write. */
#ifndef ZB_PRERESTORE_H
#define ZB_PRERESTORE_H

#include "ocb.h"

#include <stddef.h>

/* Writes `cur` to DIR/zbharness-prerestore-<ieee>-<time>.json (a "-N" suffix when that name
 * is taken). Returns 0 with the path in `path`, or -1 with errno and the tried path. */
int zbh_prerestore_write(const ocb_backup *cur, const char *dir, char *path, size_t cap);
/* The same with another name: DIR/PREFIX-<ieee>-<time>.json (migrate's source backup). */
int zbh_backup_write_named(const ocb_backup *cur, const char *dir, const char *prefix, char *path,
                           size_t cap);

/* Writes `b` to a new file `path` (O_EXCL|O_NOFOLLOW, 0600, fsync): 0, or -1 with errno
 * (EEXIST when the file exists: it is never replaced). */
int zbh_backup_write_new(const ocb_backup *b, const char *path);

/* The recovery advice for an interrupted restore: the pre-restore file (or that the device
 * held no network) and the command that puts it back. */
void zbh_recovery_advice(char *out, size_t cap, const char *stack, const char *port,
                         const char *pre_backup);

/* While armed, a SIGINT/SIGTERM/SIGHUP prints `advice` and exits 1 (the device may be
 * half-written; the message is what the user needs). Arming again replaces the advice;
 * disarm restores the handlers from before the first arm. */
void zbh_interrupt_arm(const char *advice);
void zbh_interrupt_disarm(void);

#endif
