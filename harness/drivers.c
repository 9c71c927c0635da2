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
