/* emu_nv.c - the simulated NVRAM file: JSON on disk, replaced atomically on every write, and
 * locked so that two emulators can never interleave writes to one device's memory.
 *
 * --nvram names a file the way a user sees it; the emulator works on the file itself: the path
 * is resolved once at start (symlinks, `..`), the lock sits next to the real file, and every
 * write renames over the real file, so a symlink stays a symlink and an alias of a locked file
 * is refused (issue 13). A dangling symlink is refused rather than followed: creating a file
 * wherever a link points is how a planted link makes a root process write somewhere else. */
#include "emu.h"

#include "bytes.h"
#include "fileio.h"
#include "hex.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define NV_MAX_FILE (64u * 1024 * 1024)

int emu_nv_load(const char *path, cJSON **doc, char *err, size_t errlen)
{
    *doc = NULL;
    size_t len = 0;
    char *text = file_read_all(path, NV_MAX_FILE, &len);
    if (!text) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: cannot read the NVRAM file: %s", path, strerror(errno));
        return -1;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (j && cJSON_IsObject(j)) {
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
            end++;
        if (end < text + len) {
            snprintf(err, errlen,
                     "%s: data after the NVRAM JSON object at byte %zu; refusing to start rather "
                     "than drop it - fix or remove the file",
                     path, (size_t)(end - text));
            cJSON_Delete(j);
            free(text);
            return -1;
        }
    }
    if (!j || !cJSON_IsObject(j)) {
        size_t off = j ? 0 : (size_t)(cJSON_GetErrorPtr() - text);
        snprintf(err, errlen,
                 "%s: the NVRAM file is not a JSON object (%s at byte %zu); refusing to start "
                 "rather than reset the device - fix or remove the file",
                 path, j ? "wrong type" : "syntax error", off);
        cJSON_Delete(j);
        free(text);
        return -1;
    }
    free(text);
    *doc = j;
    return 1;
}

unsigned emu_file_flags(const emu_options *o)
{
    return FILE_WRITE_REGULAR_ONLY | (o->no_fsync ? FILE_WRITE_NO_SYNC : 0);
}

int emu_nv_save(emu *e, const cJSON *doc)
{
    const char *path = emu_opts(e)->nvram_path;
    if (!doc) { /* the front end could not build the whole document */
        LOG_ERROR("%s: out of memory building the NVRAM document (the file keeps its previous "
                  "state)",
                  path ? path : "NVRAM");
        emu_nv_mark(e, path != NULL);
        return -1;
    }
    if (!path) return 0;
    char *text = cJSON_Print(doc);
    if (!text) {
        LOG_ERROR("%s: out of memory serialising the NVRAM (the file keeps its previous state)",
                  path);
        emu_nv_mark(e, 1);
        return -1;
    }
    unsigned flags = emu_file_flags(emu_opts(e));
    int rc = file_write(path, text, strlen(text), 0600, flags);
    if (rc < 0) {
        char why[160];
        LOG_ERROR("%s: cannot write the NVRAM file: %s", path,
                  file_write_error(path, errno, flags, why, sizeof(why)));
    }
    free(text);
    emu_nv_mark(e, rc < 0);
    return rc;
}

int emu_nv_restore(emu *e, void *fe, char *err, size_t errlen)
{
    const char *path = emu_opts(e)->nvram_path;
    cJSON *doc = NULL;
    int have = path ? emu_nv_load(path, &doc, err, errlen) : 0;
    if (have <= 0) return have;
    char sub[200];
    int rc = emu_frontend_of(e)->nv_from_json(fe, doc, sub, sizeof(sub));
    cJSON_Delete(doc);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, sub);
        return -1;
    }
    if (emu_frontend_of(e)->nv_hash) emu_nv_synced(e, emu_frontend_of(e)->nv_hash(fe));
    return 1;
}

int emu_ieee_option(const emu_options *o, uint8_t wire[8])
{
    if (!o->ieee) return 0;
    uint8_t be[8];
    hex_decode(o->ieee, be, 8);
    zb_ieee_reverse(wire, be);
    return 1;
}

/* With the lock held, any PATH.tmp.<pid> is what a killed emulator was writing when it died:
 * the rename never happened, so PATH is still the previous complete state. Remove them. */
static void remove_stale_temps(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return;
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    const char *base = slash ? slash + 1 : copy;
    if (slash) *slash = '\0';
    char prefix[512];
    int plen = snprintf(prefix, sizeof(prefix), "%s.tmp.", base);
    DIR *d = (plen > 0 && (size_t)plen < sizeof(prefix)) ? opendir(dir) : NULL;
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL) {
        if (strncmp(ent->d_name, prefix, (size_t)plen) != 0) continue;
        char full[1024];
        snprintf(full, sizeof(full), "%s/%s", dir, ent->d_name);
        if (unlink(full) == 0) LOG_INFO("removed %s (left by an emulator that was killed)", full);
    }
    if (d) closedir(d);
    free(copy);
}

int emu_nv_lock(const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path) + 6;
    char *lock = malloc(n);
    if (!lock) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(lock, n, "%s.lock", path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", lock, strerror(errno));
        free(lock);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(err, errlen, "%s is in use by another zbemu (lock %s held)", path, lock);
        close(fd);
        free(lock);
        errno = EWOULDBLOCK; /* the caller may wait for it (--world-wait) */
        return -1;
    }
    free(lock);
    remove_stale_temps(path);
    return fd;
}

char *emu_nv_resolve(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        char *real = realpath(path, NULL);
        if (!real && errno == ENOENT && S_ISLNK(st.st_mode)) {
            char target[512] = "";
            ssize_t n = readlink(path, target, sizeof(target) - 1);
            if (n > 0) target[n] = '\0';
            snprintf(err, errlen,
                     "%s is a symlink to %s, which does not exist: create the target or remove "
                     "the link (zbemu does not create files through a dangling symlink)",
                     path, target);
            return NULL;
        }
        if (!real) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return real;
    }
    if (errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    /* a new file: resolve its folder, keep its name */
    char *copy = strdup(path);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    if (slash) *slash = '\0';
    char *rdir = *base ? realpath(dir, NULL) : NULL;
    char *out = NULL;
    if (!*base) {
        snprintf(err, errlen, "%s: not a file name", path);
    } else if (!rdir) {
        snprintf(err, errlen, "%s: folder %s: %s", path, dir, strerror(errno));
    } else {
        size_t n = strlen(rdir) + strlen(base) + 2;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%s/%s", strcmp(rdir, "/") == 0 ? "" : rdir, base);
        else
            snprintf(err, errlen, "out of memory");
    }
    free(rdir);
    free(copy);
    return out;
}
