/* emu_link.c - `--link PATH`: a symlink to the emulator's pty, like socat's link=.
 *
 * The link is the only thing at PATH the emulator may create or remove. A regular file,
 * a folder, or a symlink to anything but a pty is someone else's and is never replaced
 * (issue 13: a stray --link once deleted a user's file). A symlink to a pty is what an emulator
 * left behind when it was killed and is replaced, atomically (a new link renamed over it). At
 * exit the link is removed only if it still points to this emulator's pty: a second emulator
 * may have taken the name over meanwhile. */
#include "emu_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the link's target, or "" when PATH is not a readable symlink */
static void link_target(const char *path, char *out, size_t cap)
{
    ssize_t n = readlink(path, out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
}

/* what emulators link to; a link to /dev/ttyUSB0 is a user's (a real stick) and stays */
static int is_pty_path(const char *t)
{
    return strncmp(t, "/dev/pts/", 9) == 0;
}

int emu_link_create(const char *path, const char *target, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        char old[512];
        link_target(path, old, sizeof(old));
        if (!S_ISLNK(st.st_mode) || !is_pty_path(old)) {
            snprintf(err, errlen,
                     "--link %s: already exists and is %s; zbemu only replaces a symlink to a pty "
                     "(one an emulator left) - remove it or choose another path",
                     path,
                     S_ISLNK(st.st_mode)   ? "a symlink to something else"
                     : S_ISDIR(st.st_mode) ? "a folder"
                     : S_ISREG(st.st_mode) ? "a regular file"
                                           : "not a symlink");
            return -1;
        }
    } else if (errno != ENOENT) {
        snprintf(err, errlen, "--link %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.zbemu-%ld", path, (long)getpid());
    unlink(tmp); /* only ever a link of ours: the name carries our pid */
    int rc = symlink(target, tmp) == 0 && rename(tmp, path) == 0 ? 0 : -1;
    if (rc < 0) {
        snprintf(err, errlen, "--link %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

void emu_link_remove(const char *path, const char *target)
{
    char now[512];
    link_target(path, now, sizeof(now));
    if (strcmp(now, target) == 0) unlink(path);
}
