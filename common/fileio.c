/* fileio.c - NVRAM files and backups are the users' networks: a file is only ever replaced
 * whole (exclusive temp file + fsync + rename + dir fsync), never rewritten in place, and the
 * temp file is created so that nothing planted at its name (a symbolic link to a key store, a
 * FIFO) can receive a byte. But a path is what the user means by it (issue 26): renaming over
 * /dev/stdout, a FIFO or /dev/null would send nothing to the reader and put the keys in a new
 * regular file, and renaming over a symlink leaves its target stale. So the path is looked at
 * first: pipes, terminals and open descriptors are written in place (a full disk is an error),
 * links are followed once, and what cannot take a document is refused by name. Reads open
 * non-blocking and check the file type first, so a FIFO or a directory named as input is a
 * clear error instead of a hang or "Invalid argument". */
#define _GNU_SOURCE /* mkostemp */
#include "fileio.h"

#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
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

/* Every byte, or -1 with errno. A descriptor inherited non-blocking (a shell's pipe set so by
 * another process) is waited on rather than failed with EAGAIN. */
static int write_full(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return -1;
            continue;
        }
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

/* `path` (no symbolic link at it) replaced by a fresh file: temp + fsync + rename (+ the
 * folder's fsync); `sync` 0: no fsync (FILE_WRITE_NO_SYNC). */
static int replace_atomic(const char *path, const void *data, size_t len, mode_t mode, int sync)
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
    if (write_full(fd, data, len) < 0 || (sync && fsync(fd) < 0) || fchmod(fd, mode) < 0) {
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
    int dfd = sync ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
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

/* Closes fd; the first error of `rc`/close wins, errno kept. */
static int close_keep(int fd, int rc)
{
    int e = errno;
    if (close(fd) < 0 && rc == 0) return -1;
    errno = e;
    return rc;
}

/* "3" as a descriptor number, or -1. */
static int fd_number(const char *s)
{
    if (!isdigit((unsigned char)*s)) return -1;
    char *end;
    errno = 0;
    long fd = strtol(s, &end, 10);
    return !errno && !*end && fd <= INT_MAX ? (int)fd : -1;
}

/* The descriptor a name stands for (/dev/stdout, /dev/fd/3, /proc/self/fd/3, and what
 * realpath makes of a link to one: /proc/<our pid>/fd/3), or -1. */
int file_fd_alias(const char *path)
{
    static const struct {
        const char *name;
        int fd;
    } NAMED[] = {{"/dev/stdout", STDOUT_FILENO}, {"/dev/stderr", STDERR_FILENO}};
    for (size_t i = 0; i < sizeof(NAMED) / sizeof(NAMED[0]); i++)
        if (strcmp(path, NAMED[i].name) == 0) return NAMED[i].fd;
    char own[40];
    snprintf(own, sizeof(own), "/proc/%ld/fd/", (long)getpid());
    const char *const DIRS[] = {"/dev/fd/", "/proc/self/fd/", own};
    for (size_t i = 0; i < sizeof(DIRS) / sizeof(DIRS[0]); i++)
        if (strncmp(path, DIRS[i], strlen(DIRS[i])) == 0) return fd_number(path + strlen(DIRS[i]));
    return -1;
}

/* Written to an open descriptor of ours, at its own offset (`> file`, `>> file`, a pipe). */
static int write_to_fd(int fd, const void *data, size_t len)
{
    struct stat st;
    if (fstat(fd, &st) < 0) return -1;
    if (S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    if (fd == STDOUT_FILENO) fflush(stdout); /* what stdio holds goes first */
    if (fd == STDERR_FILENO) fflush(stderr);
    if (write_full(fd, data, len) < 0) return -1;
    return S_ISREG(st.st_mode) ? fsync(fd) : 0;
}

/* A FIFO or a character device, written in place. The kind is checked again on the open
 * descriptor: a name swapped for a regular file in between is refused (ESTALE), never
 * overwritten without truncation. */
static int write_in_place(const char *path, mode_t kind, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) return close_keep(fd, -1);
    if ((st.st_mode & S_IFMT) != kind) {
        errno = ESTALE;
        return close_keep(fd, -1);
    }
    return close_keep(fd, write_full(fd, data, len));
}

/* The file a symbolic link at `path` leads to (caller frees): realpath(), or for a dangling
 * link the real folder of the link's text plus its last name. NULL with errno. */
static char *link_target(const char *path)
{
    char *real = realpath(path, NULL);
    if (real || errno != ENOENT) return real;
    char text[PATH_MAX];
    ssize_t n = readlink(path, text, sizeof(text) - 1);
    if (n < 0) return NULL;
    text[n] = '\0';
    char *joined = NULL, *dir = NULL, *rdir = NULL, *out = NULL;
    if (text[0] == '/') {
        joined = strdup(text);
    } else if ((dir = dir_of(path)) != NULL) {
        size_t cap = strlen(dir) + (size_t)n + 2;
        if ((joined = malloc(cap)) != NULL) snprintf(joined, cap, "%s/%s", dir, text);
    }
    free(dir);
    dir = joined ? dir_of(joined) : NULL;
    if (dir && (rdir = realpath(dir, NULL)) != NULL) {
        const char *base = strrchr(joined, '/');
        base = base ? base + 1 : joined;
        size_t cap = strlen(rdir) + strlen(base) + 2;
        if ((out = malloc(cap)) != NULL)
            snprintf(out, cap, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
    }
    int e = (joined && dir && !rdir) ? errno : ENOMEM;
    free(joined);
    free(dir);
    free(rdir);
    if (!out) errno = e;
    return out;
}

/* How an existing path of each kind is written; a kind not listed is refused. */
enum write_how { HOW_REPLACE, HOW_IN_PLACE, HOW_FOLLOW };
static const struct {
    mode_t kind;
    enum write_how how;
    bool any; /* also with FILE_WRITE_REGULAR_ONLY */
} WRITE_RULES[] = {
    {S_IFREG, HOW_REPLACE, true},
    {S_IFLNK, HOW_FOLLOW, true},
    {S_IFIFO, HOW_IN_PLACE, false},
    {S_IFCHR, HOW_IN_PLACE, false},
};

static int write_path(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
                      bool followed)
{
    int fd = file_fd_alias(path); /* also what a link resolves to: a link to /dev/stdout */
    if (fd >= 0) {
        if (!(flags & FILE_WRITE_REGULAR_ONLY)) return write_to_fd(fd, data, len);
        errno = EINVAL;
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno != ENOENT) return -1;
        return replace_atomic(path, data, len, mode, !(flags & FILE_WRITE_NO_SYNC));
    }
    mode_t kind = st.st_mode & S_IFMT;
    for (size_t i = 0; i < sizeof(WRITE_RULES) / sizeof(WRITE_RULES[0]); i++) {
        if (WRITE_RULES[i].kind != kind) continue;
        if (!WRITE_RULES[i].any && (flags & FILE_WRITE_REGULAR_ONLY)) break;
        switch (WRITE_RULES[i].how) {
        case HOW_REPLACE:
            return replace_atomic(path, data, len, mode, !(flags & FILE_WRITE_NO_SYNC));
        case HOW_IN_PLACE: return write_in_place(path, kind, data, len);
        case HOW_FOLLOW: {
            if (followed) { /* a link to a dangling link: resolved once, not chased */
                errno = ELOOP;
                return -1;
            }
            char *target = link_target(path);
            if (!target) return -1;
            int rc = write_path(target, data, len, mode, flags, true);
            int e = errno;
            free(target);
            errno = e;
            return rc;
        }
        }
    }
    errno = kind == S_IFDIR ? EISDIR : EINVAL;
    return -1;
}

int file_write(const char *path, const void *data, size_t len, mode_t mode, unsigned flags)
{
    return write_path(path, data, len, mode, flags, false);
}

const char *file_write_error(const char *path, int err, unsigned flags, char *buf, size_t cap)
{
    const char *kind = (err == EISDIR || err == EINVAL) ? file_kind(path) : NULL;
    if (kind)
        snprintf(buf, cap, "is %s, not a regular file%s", kind,
                 (flags & FILE_WRITE_REGULAR_ONLY) ? "" : ", FIFO or character device");
    else if (err == ESTALE)
        snprintf(buf, cap, "was replaced by another kind of file while being opened");
    else if (err == ELOOP)
        snprintf(buf, cap, "is a symbolic link to a dangling symbolic link");
    else
        snprintf(buf, cap, "%s", strerror(err));
    return buf;
}
