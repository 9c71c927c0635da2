/* migrate.h - the decisions of a migration, made from measurements and declared facts rather
 * than left to the user: the counter increment from the source's measured frame rate, the
 * devices likely to rejoin or need re-pairing from the target's declared losses and the IEEE
 * choice. `zbharness migrate` (cmd_migrate.c) prints them as the plan, then acts on them. */
#ifndef ZB_MIGRATE_H
#define ZB_MIGRATE_H

#include "driver.h"
#include "ocb.h"

#include <stdint.h>
#include <stdio.h>

/* zigbee-herdsman's and zbharness restore's default: the increment never goes below it. */
#define ZBH_MIGRATE_FLOOR 2500u
/* The stated margin: twice the frames the rate predicts for the swap. */
#define ZBH_MIGRATE_MARGIN 2.0

typedef struct zbh_rate {
    uint32_t first, second; /* the source's NWK frame counter, read twice */
    long long ms;           /* between the two reads */
    double per_s;           /* frames per second (0 when the counter did not move) */
} zbh_rate;

/* The rate between two reads of the counter `ms` apart. */
zbh_rate zbh_rate_of(uint32_t first, uint32_t second, long long ms);
/* The frames a source may have sent that its counter did not show yet: Z-Stack saves the NWK
 * counter to NV every 1000 frames (MAX_NWK_FRAMECOUNTER_CHANGES, docs/rules-audit.md) and a host
 * reads the NV copy; EmberZNet and ZBOSS report the counter in use. By --stack name. */
uint32_t zbh_migrate_unseen(const char *stack);
/* The increment for a swap of `swap_s` seconds: the frames the source sends in that time at
 * the measured rate, times the margin, plus the frames its counter did not show yet (`unseen`),
 * never below the floor, saturating at 2^31. */
uint32_t zbh_migrate_increment(const zbh_rate *r, unsigned swap_s, uint32_t unseen);

/* Prints, for the plan, the devices of `b` likely to need a rejoin or re-pairing on a target
 * that cannot store `losses` (driver.h), with why; with `keep_ieee` the target keeps its own
 * IEEE. Returns how many devices are named (a device is counted once). */
size_t zbh_migrate_rejoins(FILE *f, const ocb_backup *b, const zbh_loss *losses, bool keep_ieee);

#endif
