/* fileio.c - NVRAM files and backups are the users' networks: they are only ever replaced
 * whole (exclusive temp file + fsync + rename + dir fsync), never rewritten in place, and the
 * temp file is created so that nothing planted at its name (a symbolic link to a key store, a
 * FIFO) can receive a byte. Reads open non-blocking and check the file type first, so a FIFO or
 * a directory named as input is a clear error instead of a hang or "Invalid argument". */
#define _GNU_SOURCE /* mkostemp */
#include "fileio.h"

#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *file_read_fd(int fd, size_t max, size_t *len_out)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (len + 1 >= cap) {
            if (len > max) break;
            char *nb = zb_grow(buf, &cap, cap + 1, 1, cap); /* doubles */
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    if (len > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[len] = '\0';
    if (len_out) *len_out = len;
    return buf;
}

char *file_read_all(const char *path, size_t max, size_t *len_out)
{
    /* O_NONBLOCK: opening a FIFO without a writer, or a device, must not block before the
     * type check below */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) < 0) goto out;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto out;
    }
    if ((size_t)st.st_size > max) {
        errno = EFBIG;
        goto out;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) goto out;
    buf = file_read_fd(fd, max, len_out); /* the file may grow after fstat: capped again */
out : {
    int e = errno;
    close(fd);
    errno = e;
    return buf;
}
}

const char *file_kind(const char *path)
{
    static const struct {
        mode_t type;
        const char *name;
    } KINDS[] = {
        {S_IFDIR, "a directory"},        {S_IFIFO, "a FIFO (named pipe)"},
        {S_IFCHR, "a character device"}, {S_IFBLK, "a block device"},
        {S_IFSOCK, "a socket"},
    };
    struct stat st;
    if (stat(path, &st) < 0 || S_ISREG(st.st_mode)) return NULL;
    for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
        if ((st.st_mode & S_IFMT) == KINDS[i].type) return KINDS[i].name;
    return "not a regular file";
}

const char *file_read_error(const char *path, int err, size_t max, char *buf, size_t cap)
{
    const char *kind = (err == EISDIR || err == EINVAL) ? file_kind(path) : NULL;
    if (kind)
        snprintf(buf, cap, "is %s, not a regular file", kind);
    else if (err == EFBIG)
        snprintf(buf, cap, "larger than the %zu-byte limit", max);
    else
        snprintf(buf, cap, "%s", strerror(err));
    return buf;
}

static int write_full(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The folder of `path` ("." for a bare name), for the fsync after the rename. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    static const char SUFFIX[] = ".tmp.XXXXXX";
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof(SUFFIX));
    char *dir = dir_of(path);
    int rc = -1, e = 0;
    if (!tmp || !dir) {
        e = ENOMEM;
        goto out;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, SUFFIX, sizeof(SUFFIX));
    /* mkostemp: a fresh name, O_CREAT|O_EXCL (never opens an existing file or follows a link
     * at that name), mode 0600 from creation */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        e = errno;
        goto out;
    }
    if (write_full(fd, data, len) < 0 || fsync(fd) < 0 || fchmod(fd, mode) < 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        e = errno;
        unlink(tmp);
        goto out;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* best effort: the rename is already visible */
        close(dfd);
    }
    rc = 0;
out:
    free(tmp);
    free(dir);
    if (rc < 0) errno = e;
    return rc;
}
