/* drivers.c - the table of host drivers: one line per protocol, looked up by --stack. */
#include "driver.h"

#include <stdio.h>
#include <string.h>

static const zbh_driver *const DRIVERS[] = {
    &zbh_znp_driver,
    &zbh_ezsp_driver,
    &zbh_zboss_driver,
};
#define N_DRIVERS (sizeof(DRIVERS) / sizeof(DRIVERS[0]))

const zbh_driver *zbh_find_driver(const char *stack)
{
    for (size_t i = 0; i < N_DRIVERS; i++)
        if (strcmp(DRIVERS[i]->name, stack) == 0) return DRIVERS[i];
    return NULL;
}

const char *zbh_driver_names(void)
{
    static char names[64];
    if (!names[0])
        for (size_t i = 0; i < N_DRIVERS; i++)
            snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
                     DRIVERS[i]->name);
    return names;
}

const zbh_driver *zbh_driver_at(size_t i)
{
    return i < N_DRIVERS ? DRIVERS[i] : NULL;
}

/* Names to declared losses: exact names first, then prefixes (ezsp-v13, znp-zstack30, ...).
 * EZSP and ZBOSS declare the same losses for every firmware (their losses() ignore the
 * device); Z-Stack differs between 1.2 and 3.x. */
const zbh_loss *zbh_declared_losses(const char *name)
{
    static const struct {
        const char *name;
        int prefix, zstack12;
        const zbh_driver *drv; /* NULL: Z-Stack */
    } NAMES[] = {
        {"znp-zstack12", 0, 1, NULL},
        {"zstack12", 0, 1, NULL},
        {"znp", 0, 0, NULL},
        {"zstack", 0, 0, NULL},
        {"znp-", 1, 0, NULL},
        {"zstack3", 1, 0, NULL},
        {"ezsp", 0, 0, &zbh_ezsp_driver},
        {"ember", 0, 0, &zbh_ezsp_driver},
        {"ezsp-", 1, 0, &zbh_ezsp_driver},
        {"zboss", 0, 0, &zbh_zboss_driver},
    };
    for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
        size_t n = strlen(NAMES[i].name);
        if (NAMES[i].prefix ? strncmp(name, NAMES[i].name, n) != 0 : strcmp(name, NAMES[i].name))
            continue;
        if (!NAMES[i].drv) return zbh_znp_declared_losses(NAMES[i].zstack12);
        return NAMES[i].drv->losses(NULL);
    }
    return NULL;
}
