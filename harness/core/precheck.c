/* precheck.c - what a coordinator stack would refuse, change or not fit (see precheck.h).
 *
 * Two tables: values no stack keeps as given (a reserved PAN, security off, an empty key, a
 * reserved coordinator IEEE, a device that is the coordinator, two devices on one NWK
 * address), and each firmware's table capacities and message limit, from what the drivers
 * and the emulated firmware hold (harness/driver_*.c, emulator/znp/znp_frontend.c profiles,
 * emulator/ezsp_ncp.h, zboss-ncp.md: the NCP's 1600-byte message). A restore checks both
 * before the first write; `validate --for STACK` reports the same. */
#include "precheck.h"

#include "driver.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct capacity {
    const char *stack, *profile; /* profile "" = the stack's default */
    size_t devices;              /* address manager / address map entries */
    size_t children;             /* child table entries (0 = no separate limit) */
    size_t routers;              /* address table for non-child devices (0 = no limit) */
    size_t link_keys;            /* key table entries (0 = no separate limit) */
    size_t message;              /* largest request the device takes (0 = no limit) */
} capacity;

/* ZNP: the address manager rows each firmware has after formation (emulator/znp/znp_frontend.c, from the
 * real sticks' NVRAM); link keys that fit neither the TCLK seed nor the APS key table are a
 * declared loss, not a refusal. EZSP: EmberZNet's default key, child and address tables (the
 * key table size is also read from the NCP before writing). ZBOSS: the address map count is
 * a u8 and one NVRAM_WRITE of a dataset must fit the NCP's 1600-byte message. */
static const capacity CAPS[] = {
    {"znp", "", 257, 0, 0, 0, 0},        {"znp", "zstack3x0", 257, 0, 0, 0, 0},
    {"znp", "zstack30", 62, 0, 0, 0, 0}, {"znp", "zstack30-cc2538", 62, 0, 0, 0, 0},
    {"znp", "zstack12", 23, 0, 0, 0, 0}, {"ezsp", "", 0, 32, 64, 32, 0},
    {"zboss", "", 255, 0, 0, 0, 1600},
};

static const capacity *caps_for(const char *stack, const char *profile)
{
    const capacity *dflt = NULL;
    for (size_t i = 0; i < sizeof(CAPS) / sizeof(CAPS[0]); i++) {
        if (strcmp(CAPS[i].stack, stack) != 0) continue;
        if (profile && strcmp(CAPS[i].profile, profile) == 0) return &CAPS[i];
        if (!CAPS[i].profile[0]) dflt = &CAPS[i];
    }
    return dflt;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Values every stack refuses or silently changes. */
static void check_values(const ocb_backup *b, ocb_report *rep)
{
    static const uint8_t zero[16];
    if (b->pan_id >= 0xFFFE)
        ocb_report_add(rep, OCB_ERROR, "pan_id",
                       "%04x is reserved (0xfffe/0xffff mean 'any PAN'); stacks pick another",
                       b->pan_id);
    if (b->security_level == 0)
        ocb_report_add(rep, OCB_ERROR, "security_level",
                       "0 (no security): Zigbee 3.0 stacks run level 5 and would change it");
    if (!memcmp(b->network_key.key, zero, 16))
        ocb_report_add(rep, OCB_ERROR, "network_key.key",
                       "all zero: stacks treat it as 'no key' and generate their own");
    if (b->coordinator_ieee == 0 || b->coordinator_ieee == UINT64_MAX)
        ocb_report_add(rep, OCB_ERROR, "coordinator_ieee",
                       "%016llx is not an address a stick can take",
                       (unsigned long long)b->coordinator_ieee);
    uint16_t *nwk = b->n_devices ? calloc(b->n_devices, sizeof(*nwk)) : NULL;
    size_t n_nwk = 0;
    for (size_t i = 0; i < b->n_devices; i++) {
        const ocb_device *d = &b->devices[i];
        char path[40];
        snprintf(path, sizeof(path), "devices[%016llx]", (unsigned long long)d->ieee);
        if (d->ieee == b->coordinator_ieee)
            ocb_report_add(rep, OCB_ERROR, path, "has the coordinator's own IEEE");
        if (d->has_nwk && (d->nwk == 0x0000 || d->nwk >= 0xFFF8))
            ocb_report_add(rep, OCB_ERROR, path,
                           "nwk_address %04x is the coordinator's or reserved", d->nwk);
        if (d->has_nwk && nwk) nwk[n_nwk++] = d->nwk;
    }
    if (nwk) {
        qsort(nwk, n_nwk, sizeof(*nwk), cmp_u16);
        for (size_t i = 1; i < n_nwk; i++)
            if (nwk[i] == nwk[i - 1] && (i < 2 || nwk[i - 1] != nwk[i - 2]))
                ocb_report_add(rep, OCB_ERROR, "devices", "two or more devices on nwk_address %04x",
                               nwk[i]);
    } else if (b->n_devices) {
        ocb_report_add(rep, OCB_ERROR, "devices", "out of memory checking nwk addresses");
    }
    free(nwk);
}

static void check_capacity(const ocb_backup *b, const capacity *c, ocb_report *rep)
{
    size_t children = 0, routers = 0, keys = 0;
    for (size_t i = 0; i < b->n_devices; i++) {
        const ocb_device *d = &b->devices[i];
        if (d->is_child && d->has_nwk) children++;
        if (!d->is_child && d->has_nwk) routers++;
        keys += d->has_link_key;
    }
    const char *fw = c->profile[0] ? c->profile : c->stack;
    if (c->devices && b->n_devices > c->devices)
        ocb_report_add(rep, OCB_ERROR, "devices", "%zu devices: %s holds %zu", b->n_devices, fw,
                       c->devices);
    if (c->children && children > c->children)
        ocb_report_add(rep, OCB_ERROR, "devices", "%zu children: the %s child table holds %zu",
                       children, fw, c->children);
    if (c->routers && routers > c->routers)
        ocb_report_add(rep, OCB_ERROR, "devices",
                       "%zu non-child devices: the %s address table holds %zu", routers, fw,
                       c->routers);
    if (c->link_keys && keys > c->link_keys)
        ocb_report_add(rep, OCB_ERROR, "devices", "%zu link keys: the %s key table holds %zu", keys,
                       fw, c->link_keys);
    if (c->message) {
        /* ZBOSS: each dataset goes in one NVRAM_WRITE (5-byte header + 7 + dataset) */
        size_t am = 5 + 7 + 4 + 16 * b->n_devices, ks = 5 + 7 + 4 + 28 * keys;
        if (am > c->message)
            ocb_report_add(rep, OCB_ERROR, "devices",
                           "%zu devices: the address map (%zu bytes) exceeds the %s's %zu-byte "
                           "message",
                           b->n_devices, am, fw, c->message);
        if (ks > c->message)
            ocb_report_add(rep, OCB_ERROR, "devices",
                           "%zu link keys: the key dataset (%zu bytes) exceeds the %s's "
                           "%zu-byte message",
                           keys, ks, fw, c->message);
    }
}

size_t zbh_precheck(const ocb_backup *b, const char *stack, const char *profile, ocb_report *rep)
{
    size_t before = rep->n_errors;
    check_values(b, rep);
    const capacity *c = caps_for(stack, profile);
    if (c) check_capacity(b, c, rep);
    return rep->n_errors - before;
}

int zbh_precheck_parse_for(const char *arg, char *stack, size_t cap, const char **profile)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    *profile = colon ? colon + 1 : NULL;
    if (n >= cap || !snprintf(stack, cap, "%.*s", (int)n, arg) || !zbh_find_driver(stack)) {
        fprintf(stderr, "zbharness validate: --for %s: unknown stack (known: %s)\n", arg,
                zbh_driver_names());
        return -1;
    }
    return 0;
}
