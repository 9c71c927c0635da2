/* watch.h - which devices a coordinator hears: the stick's own incoming-message events, matched
 * against the devices of a backup (or of the stick's tables), read only. The proof after a
 * migration that devices answer; `migrate` ends with one. */
#ifndef ZB_WATCH_H
#define ZB_WATCH_H

#include "driver.h"
#include "ocb.h"
#include "ops.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zbh_watch_dev {
    uint64_t ieee; /* 0 for a sender the device list lacks and no event named */
    uint16_t nwk;
    bool listed;   /* in the backup or the stick's tables */
    bool is_child; /* an end device of the coordinator (OCB is_child) */
    bool heard;
    long long first_ms; /* after the start of listening */
    uint8_t lqi;        /* of the first frame */
    uint16_t cluster;   /* of the first frame */
    unsigned frames;
} zbh_watch_dev;

typedef struct zbh_watch {
    zbh_watch_dev *devs; /* listed devices first, then unknown senders as heard */
    size_t n, cap;
    long long ms;                      /* how long to listen */
    bool until_all;                    /* stop once every listed device is heard */
    const volatile sig_atomic_t *stop; /* set by a signal handler: stop now */
    bool interrupted;                  /* out: stopped by *stop */
    long long elapsed_ms;              /* out */
} zbh_watch;

/* The listed devices of `b` into w (w zeroed first by the caller). 0, or -1 out of memory. */
int zbh_watch_list(zbh_watch *w, const ocb_backup *b);
/* Listens on the session's stick (its network must have been read: driver.h `listen`) and
 * records each frame; progress lines on stderr. ZBH_OK, or ZBH_FAIL + err on a link error. */
int zbh_watch_run(zbh_session *s, zbh_watch *w, char *err, size_t errlen);
size_t zbh_watch_heard(const zbh_watch *w, bool listed_only);
size_t zbh_watch_listed(const zbh_watch *w);
/* "router", "end device" or "unknown" (a sender no list named). */
const char *zbh_watch_kind(const zbh_watch_dev *d);
/* The result as JSON in PATH (atomically, 0644): ZBH_OK, or ZBH_USAGE after a message. */
int zbh_watch_write_json(const zbh_watch *w, const char *path);
void zbh_watch_free(zbh_watch *w);

#endif
