/* emu_nv.c - the simulated NVRAM file: JSON on disk, replaced atomically on every write, and
 * locked so that two emulators can never interleave writes to one device's memory. */
#include "emu.h"

#include "fileio.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

int emu_nv_save(emu *e, const cJSON *doc)
{
    const char *path = emu_opts(e)->nvram_path;
    if (!path) return 0;
    char *text = cJSON_Print(doc);
    if (!text) {
        LOG_ERROR("%s: out of memory serialising the NVRAM", path);
        return -1;
    }
    int rc = file_write_atomic(path, text, strlen(text), 0600);
    if (rc < 0) LOG_ERROR("%s: cannot write the NVRAM file: %s", path, strerror(errno));
    free(text);
    return rc;
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
        return -1;
    }
    free(lock);
    remove_stale_temps(path);
    return fd;
}
