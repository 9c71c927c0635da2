/* roundtrip.h - one migration round trip (back up a source, restore onto a target, back the
 * target up, compare), used by `zbharness roundtrip` and by the conformance suite. */
#ifndef ZB_ROUNDTRIP_H
#define ZB_ROUNDTRIP_H

#include "emuproc.h"
#include "ops.h"
#include "report_text.h"
#include "roundtrip_world.h"

enum zbh_verdict { ZBH_PASS, ZBH_FAILED, ZBH_ERROR, ZBH_SKIP };
const char *zbh_verdict_name(enum zbh_verdict v);

typedef struct zbh_cell {
    /* input: emulated targets, or stack + port of real devices */
    const zbh_target *src_t, *dst_t;
    const char *src_stack, *src_port, *dst_stack, *dst_port;
    const char *keep_dir; /* write <src>__<dst>.source.json / .target.json there, or NULL */
    unsigned seed;
    bool burn_ieee;       /* --burn-ieee: a real target's write-once IEEE may be burnt */
    bool force;           /* --force: a real target holding another network is overwritten
                             (emulated targets, started by the run, always are) */
    zbh_world_opts world; /* --world: the devices judge the migration (roundtrip_world.h) */
    /* output */
    enum zbh_verdict verdict;
    size_t n_devices;
    zbh_loss_report losses[16];
    size_t n_losses;
    zbh_text detail; /* whole (owned: the caller frees it with zbh_text_free) */
    double seconds;
    char world_verdict[400], world_golden[200]; /* "alive 8/8"; the golden form */
    uint64_t epid;        /* the source's extended PAN ID (0: no backup of the source) */
    char pre_backup[512]; /* the target's pre-restore backup ("" when none was written) */
} zbh_cell;

/* Runs one cell. With emulated targets it starts both emulators in a private directory,
 * seeds the source with the built-in populated backup, and stops them at the end. */
void zbh_cell_run(zbh_cell *c);

/* The populated network every emulated source starts from (embedded at build time from
 * vectors/backups/valid/znp-CC2652R-ZStack4.json: 8 devices, 7 link keys, counter 7500). */
ocb_backup *zbh_seed_backup(void);

#endif
