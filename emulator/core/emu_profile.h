/* emu_profile.h - zbemu --profile-file FILE (issue 29): an emulator with the identity a real
 * stick showed to `zbharness capture --profile`.
 *
 * Why so thin: the profile is a trace of the identity answers (versions, capabilities, config
 * defaults, table sizes, refused commands), so the scripted stick (emu_script.h) answers those
 * requests from it, and the model answers the rest. The profile's firmware picks the model's
 * base (znp --profile, ezsp --ezsp-version, --firmware) unless the command line names it. */
#ifndef ZB_EMU_PROFILE_H
#define ZB_EMU_PROFILE_H

#include "emu.h"
#include "trace.h"

#include <stddef.h>

/* Loads FILE, checks it is a profile of `stack`, and fills the options it implies into *o
 * (pointing into the returned trace, which the caller frees after the emulator). NULL + err. */
zbt_trace *emu_profile_apply(const char *path, const char *stack, emu_options *o, char *err,
                             size_t errlen);

#endif
