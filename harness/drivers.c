/* drivers.c - the table of host drivers: one line per protocol, looked up by --stack, under
 * its own name or as users already write it (zigbee-herdsman's adapter names: `zstack` for
 * Z-Stack ZNP, `ember` for EmberZNet EZSP). */
#include "driver.h"

#include <stdio.h>
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
