/* fileio.h - whole-file reads with a size cap and a file-type check, and crash-safe whole-file
 * writes that never follow a planted link. */
#ifndef ZB_FILEIO_H
#define ZB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole regular file into a NUL-terminated buffer (caller frees). The file is opened
 * non-blocking, so a FIFO or a device never hangs the caller: anything but a regular file is
 * refused (errno = EISDIR for a directory, EINVAL otherwise; file_kind() says what it was).
 * Files larger than `max` bytes are refused (errno = EFBIG). Returns NULL with errno set. */
char *file_read_all(const char *path, size_t max, size_t *len_out);

/* Read an already open descriptor (e.g. stdin, which may be a pipe) to its end, at most `max`
 * bytes (more: errno = EFBIG). The descriptor is not closed. NULL with errno set on failure. */
char *file_read_fd(int fd, size_t max, size_t *len_out);

/* What `path` is when it is not a regular file, for messages: "a directory", "a FIFO (named
 * pipe)", "a character device", "a block device", "a socket"; NULL for a regular file or when
 * it cannot be stat()ed. Follows symbolic links, like open() does. */
const char *file_kind(const char *path);

/* One line saying why file_read_all(path) failed with `err` (an errno value), for messages:
 * "is a FIFO (named pipe), not a regular file", "larger than the 4194304-byte limit", or
 * strerror(err). Returns `buf`. */
const char *file_read_error(const char *path, int err, size_t max, char *buf, size_t cap);

/* Replace `path` atomically with `len` bytes. The temp file is created in the target's folder
 * as PATH.tmp.XXXXXX with mkstemp-style exclusivity (O_CREAT|O_EXCL: an existing name, a
 * planted symbolic link included, is never opened, so no data ever goes anywhere but the new
 * file) and mode 0600 from its creation; it is written, fsynced, given `mode`, renamed over
 * `path` and the folder fsynced. After a crash at any point the file is either the old or the
 * new complete content; on any failure the temp file is removed and the old file is untouched.
 * A symbolic link at `path` itself is replaced by the new file (its target is not written).
 * Returns 0, or -1 with errno set. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

#endif
