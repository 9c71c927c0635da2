/* roundtrip_world.h - `zbharness roundtrip --emulate --world`: the migration judged by the
 * devices of a simulated house (emulator/world/WORLD.md), per cell: alive / alive after rejoin / lost
 * with the reason. The emulators do the traffic; this reads their world file and summarises. */
#ifndef ZB_ROUNDTRIP_WORLD_H
#define ZB_ROUNDTRIP_WORLD_H

#include "emuproc.h"
#include "ocb.h"

#include <stddef.h>
#include <stdint.h>

/* What --world asks of a cell (all zero: no world). */
typedef struct zbh_world_opts {
    int on;
    uint32_t frames_after_backup; /* the source keeps sending this many frames after the backup */
    int64_t counter_increment;    /* restore's NWK counter increment; < 0: the default 2500 */
    int keep_target_ieee;         /* restore keeps the target stick's own IEEE (herdsman ember) */
    int key_switch;               /* after the migration the new TC switches the network key */
} zbh_world_opts;

/* Per-device outcome counts read from a world file, with up to 3 distinct lost reasons. A device
 * whose verdict is not current (judged before the network went down, or before `after`) is
 * "not judged since", never alive nor lost; `since` says since when. */
typedef struct zbh_world_verdict {
    uint32_t rounds; /* exchanges the world has seen */
    size_t n, alive, rejoined, lost, unjudged;
    char reasons[3][200];
    size_t n_reasons;
    char since[120]; /* "the network went down after round 14 at 2026-...Z" / "the migration ..." */
} zbh_world_verdict;

/* Parses --frames-after-backup (frames = 1) or --counter-increment into o: 0 .. 2^31-1, else
 * -1 after a message. */
int zbh_world_number(const char *opt, const char *s, zbh_world_opts *o, int frames);
/* Reads a world file (zbemu-world/2, or /1: no times, no network_down). A device whose verdict
 * comes from round `after` or earlier (e.g. the target never ran the network), or from before the
 * network went down (status "not judged since", or a round the file's network_down covers), had
 * no exchange since: it counts as not judged. Returns 0, or -1 with a message naming the file and
 * field. */
int zbh_world_read(const char *path, uint32_t after, zbh_world_verdict *v, char *err,
                   size_t errlen);
/* "alive 8/8", "alive 8/8 (2 after rejoin)", "alive 5/8, lost 3: <reason>; <reason>", then
 * "; not judged since <when>: 3" when some verdicts are not current. */
void zbh_world_summary(const zbh_world_verdict *v, char *out, size_t cap);
/* The golden form: counts and reason classes only (no counter values, which vary with timing):
 * "alive 5/8 rejoined 0 lost 3 [coordinator frame counter]", " not judged N" appended when N > 0.
 */
void zbh_world_golden(const zbh_world_verdict *v, char *out, size_t cap);

/* Cell steps (roundtrip.c). The world file is DIR/world.json. */
/* zbemu arguments for the source: --world FILE --world-adopt (NULL without a world). */
const char *const *zbh_world_source_args(const zbh_world_opts *o, const char *dir);
/* After the source's backup: let it send frames, stop it (it holds the world lock), start the
 * target on the world. Returns 0, or -1 with err. */
int zbh_world_migrate(const zbh_world_opts *o, const char *dir, zbh_emu *src, zbh_emu *dst,
                      const zbh_target *dst_t, unsigned seed, ocb_backup *backup, char *err,
                      size_t errlen);
/* Before the target stops: the key switch if asked. */
void zbh_world_before_stop(const zbh_world_opts *o, zbh_emu *dst);
/* After both stopped: the verdict into out ("world: ..." on an unreadable file). */
void zbh_world_cell_verdict(const char *dir, char *out, size_t cap, char *golden, size_t gcap);

#endif
