/* emu_link.h - the --link symlink to the emulator's pty (see emu_link.c for the rules). */
#ifndef ZB_EMU_LINK_H
#define ZB_EMU_LINK_H

#include <stddef.h>

/* Makes PATH a symlink to target. PATH may be absent or a symlink to a pty; anything else is
 * refused with a message (never deleted). Returns 0 or -1. */
int emu_link_create(const char *path, const char *target, char *err, size_t errlen);
/* Removes PATH if it is still the symlink to target. */
void emu_link_remove(const char *path, const char *target);

#endif
