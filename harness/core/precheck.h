/* precheck.h - everything a stack would refuse, change or not fit, checked against a backup
 * before the first write (restore) or on request (validate --for STACK). A restore that fails
 * half way on a value the stick refuses leaves a user without a network; these checks move
 * every such failure to before the device is touched. */
#ifndef ZB_PRECHECK_H
#define ZB_PRECHECK_H

#include "ocb.h"

#include <stddef.h>

/* Appends every problem of `b` for STACK ("znp", "ezsp", "zboss"; profile may be NULL or
 * "" for the stack's defaults) to rep, as errors. Returns the number of errors added. */
size_t zbh_precheck(const ocb_backup *b, const char *stack, const char *profile, ocb_report *rep);

/* Parses validate's --for STACK[:PROFILE] into stack (cap bytes) and *profile (points into
 * arg, NULL without one). Returns 0, or -1 after a message naming the unknown stack. */
int zbh_precheck_parse_for(const char *arg, char *stack, size_t cap, const char **profile);

#endif
