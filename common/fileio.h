/* fileio.h - whole-file reads with a size cap, and crash-safe whole-file writes. */
#ifndef ZB_FILEIO_H
#define ZB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole file into a NUL-terminated buffer (caller frees). Files larger than
 * `max` bytes are refused (errno = EFBIG). Returns NULL with errno set on failure. */
char *file_read_all(const char *path, size_t max, size_t *len_out);

/* Replace `path` atomically with `len` bytes: write a temp file beside it, fsync it, rename it
 * over the old one, fsync the directory. After a crash at any point the file is either the
 * old or the new complete content. `mode` is the new file's permission bits (e.g. 0600).
 * Returns 0, or -1 with errno set (the old file is untouched). */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

#endif
