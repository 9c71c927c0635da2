/* drivers.c - the table of host drivers: one line per protocol, looked up by --stack, under
 * its own name or as users already write it (zigbee-herdsman's adapter names: `zstack` for
 * Z-Stack ZNP, `ember` for EmberZNet EZSP). */
#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const zbh_driver *const DRIVERS[] = {
    &zbh_znp_driver,
    &zbh_ezsp_driver,
    &zbh_zboss_driver,
};
#define N_DRIVERS (sizeof(DRIVERS) / sizeof(DRIVERS[0]))

static const struct {
    const char *alias, *name;
} ALIASES[] = {
    {"zstack", "znp"},
    {"ember", "ezsp"},
};
#define N_ALIASES (sizeof(ALIASES) / sizeof(ALIASES[0]))

const zbh_driver *zbh_find_driver(const char *stack)
{
    for (size_t i = 0; i < N_ALIASES; i++)
        if (strcmp(ALIASES[i].alias, stack) == 0) stack = ALIASES[i].name;
    for (size_t i = 0; i < N_DRIVERS; i++)
        if (strcmp(DRIVERS[i]->name, stack) == 0) return DRIVERS[i];
    return NULL;
}

const char *zbh_driver_names(void)
{
    static char names[128];
    if (!names[0])
        for (size_t i = 0; i < N_DRIVERS; i++) {
            size_t o = strlen(names);
            o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", i ? ", " : "",
                                  DRIVERS[i]->name);
            for (size_t k = 0; k < N_ALIASES && o < sizeof(names); k++)
                if (strcmp(ALIASES[k].name, DRIVERS[i]->name) == 0)
                    o += (size_t)snprintf(names + o, sizeof(names) - o, " (or %s)",
                                          ALIASES[k].alias);
        }
    return names;
}

const zbh_driver *zbh_driver_at(size_t i)
{
    return i < N_DRIVERS ? DRIVERS[i] : NULL;
}

/* Names to declared losses: exact names first, then prefixes (ezsp-v13, znp-zstack30, ...).
 * ZBOSS declares the same losses for every firmware; Z-Stack differs between 1.2 and 3.x,
 * EmberZNet between EZSP versions (a bare "ezsp"/"ember" means the emulator's default, 18). */
const zbh_loss *zbh_declared_losses(const char *name)
{
    /* kind: 'z' Z-Stack (arg 1 = Z-Stack 1.2), 'e' EmberZNet (arg = EZSP version; "ezsp-vN"
     * names give their own), 'b' ZBOSS */
    static const struct {
        const char *name;
        int prefix;
        char kind;
        int arg;
    } NAMES[] = {
        {"znp-zstack12", 0, 'z', 1}, {"zstack12", 0, 'z', 1}, {"znp", 0, 'z', 0},
        {"zstack", 0, 'z', 0},       {"znp-", 1, 'z', 0},     {"zstack3", 1, 'z', 0},
        {"ezsp", 0, 'e', 18},        {"ember", 0, 'e', 18},   {"ezsp-v", 1, 'e', 18},
        {"zboss", 0, 'b', 0},
    };
    for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
        size_t n = strlen(NAMES[i].name);
        if (NAMES[i].prefix ? strncmp(name, NAMES[i].name, n) != 0 : strcmp(name, NAMES[i].name))
            continue;
        if (NAMES[i].kind == 'z') return zbh_znp_declared_losses(NAMES[i].arg);
        if (NAMES[i].kind == 'b') return zbh_zboss_driver.losses(NULL);
        int version = NAMES[i].arg;
        if (NAMES[i].prefix) {
            char *end;
            long v = strtol(name + n, &end, 10);
            if (end == name + n || *end || v < 8 || v > 19) return NULL; /* no such version */
            version = (int)v;
        }
        return zbh_ezsp_declared_losses(version);
    }
    return NULL;
}

ocb_backup *zbh_backup_new(void)
{
    ocb_backup *b = ocb_new();
    if (b && ocb_set_source(b, "zbharness@" ZB_VERSION) < 0) {
        ocb_free(b);
        return NULL;
    }
    return b;
}
