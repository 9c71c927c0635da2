/* fileio.h - whole-file reads with a size cap and a file-type check, and whole-file writes
 * that do what the user means by the path: a file is replaced crash-safely (never through a
 * planted temp-name link), a pipe, a terminal or /dev/stdout is written in place, and a
 * directory or socket is refused by name. */
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

/* file_write() flags. */
enum {
    /* Only a regular file (or none) is written: FIFOs, devices and /dev/stdout-style names are
     * refused too. For state a program rewrites on its own (the emulators' NVRAM and world
     * files), where writing into a pipe nobody reads would hang it. */
    FILE_WRITE_REGULAR_ONLY = 1u << 0,
    /* A replaced file is not fsynced (nor its folder): it is still never partial and survives
     * the writer's death (SIGKILL), but not the machine's. For scratch state a program throws
     * away, where waiting for the disk is all the write would cost (zbemu --no-fsync). */
    FILE_WRITE_NO_SYNC = 1u << 1,
};

/* Write `len` bytes as the whole content of `path`, the way a user naming an output means it.
 * The path is looked at first (lstat):
 *  - missing or a regular file: replaced atomically. The temp file is created in the target's
 *    folder as PATH.tmp.XXXXXX with mkstemp-style exclusivity (O_CREAT|O_EXCL: an existing
 *    name, a planted symbolic link included, is never opened) and mode 0600 from its creation;
 *    it is written, fsynced, given `mode`, renamed over the file and the folder fsynced. After
 *    a crash at any point the file is the old or the new complete content; on any failure the
 *    temp file is removed and the old file is untouched.
 *  - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: written to that open descriptor
 *    (at its offset, like the shell's `>` or `>>` set it up; a regular file there is fsynced).
 *  - a symbolic link: resolved once (realpath; a dangling link: the real folder of its text
 *    plus its last name) and these rules applied to the target, so a regular target is
 *    replaced atomically and the link stays a link. A link to a dangling link: ELOOP.
 *  - a FIFO or a character device: written in place (opened O_WRONLY without O_CREAT; a FIFO
 *    waits for its reader); `mode` is not applied to a file that is not ours.
 *  - anything else is refused before a byte is written: EISDIR for a directory, EINVAL for a
 *    socket or a block device (file_write_error says which).
 * Every byte is written or the call fails: a short write such as ENOSPC (/dev/full) is an
 * error. Returns 0, or -1 with errno set. */
int file_write(const char *path, const void *data, size_t len, mode_t mode, unsigned flags);

/* The descriptor a name stands for, as file_write reads it: /dev/stdout 1, /dev/stderr 2,
 * /dev/fd/N, /proc/self/fd/N and /proc/<our pid>/fd/N N; -1 for any other name. */
int file_fd_alias(const char *path);

/* One line saying why file_write(path, ..., flags) failed with `err`, for messages: "is a
 * socket, not a regular file, FIFO or character device" (with FILE_WRITE_REGULAR_ONLY: "is a
 * FIFO (named pipe), not a regular file"), or strerror(err). Returns `buf`. */
const char *file_write_error(const char *path, int err, unsigned flags, char *buf, size_t cap);

#endif
