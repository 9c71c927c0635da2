/* ocb_model.c - the backup as plain C data: its lifecycle (new, clone, free), its device list
 * and the table of the stack_specific fields the model knows.
 *
 * Why its own file: parse, emit, diff and every driver build or read an ocb_backup; what it
 * owns and how it grows is decided here once, apart from how it is read or written. */
#include "ocb_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The known stack_specific fields: parse moves them into these typed fields, emit writes them
 * back in place, diff compares them under these paths. A new one is a row here, a field in
 * ocb_backup and an OCB_KNOWN_* name. */
const ocb_known OCB_KNOWN[OCB_N_KNOWN] = {
    [OCB_KNOWN_TCLK_SEED] = {"zstack", "tclk_seed", "stack_specific.zstack.tclk_seed",
                             offsetof(ocb_backup, has_tclk_seed), offsetof(ocb_backup, tclk_seed)},
    [OCB_KNOWN_HASHED_TCLK] = {"ezsp", "hashed_tclk", "stack_specific.ezsp.hashed_tclk",
                               offsetof(ocb_backup, has_hashed_tclk),
                               offsetof(ocb_backup, hashed_tclk)},
};

ocb_backup *ocb_new(void)
{
    ocb_backup *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    b->version = 1;
    b->security_level = 5;
    return b;
}

void ocb_free(ocb_backup *b)
{
    if (!b) return;
    free(b->source);
    cJSON_Delete(b->internal);
    cJSON_Delete(b->stack_specific);
    free(b->devices);
    free(b);
}

int ocb_set_source(ocb_backup *b, const char *source)
{
    char *s = strdup(source);
    if (!s) return -1;
    free(b->source);
    b->source = s;
    return 0;
}

/* The device array's capacity: the next power of two, so that adding n devices costs
 * O(n) copies, not O(n^2) (10,000 devices took 49 s under ASan, whose realloc always moves). */
static size_t devices_cap(size_t n)
{
    size_t c = 1;
    while (c < n)
        c <<= 1;
    return c;
}

int ocb_add_device(ocb_backup *b, const ocb_device *d)
{
    if (b->n_devices >= OCB_MAX_DEVICES) return -1;
    if (!b->devices || b->n_devices == devices_cap(b->n_devices)) {
        ocb_device *n = realloc(b->devices, devices_cap(b->n_devices + 1) * sizeof(*n));
        if (!n) return -1;
        b->devices = n;
    }
    b->devices[b->n_devices++] = *d;
    return 0;
}

ocb_backup *ocb_clone(const ocb_backup *src)
{
    ocb_backup *b = ocb_new();
    if (!b) return NULL;
    *b = *src;
    b->source = NULL;
    b->internal = NULL;
    b->stack_specific = NULL;
    b->devices = NULL;
    b->n_devices = 0;
    if ((src->source && !(b->source = strdup(src->source))) ||
        (src->internal && !(b->internal = cJSON_Duplicate(src->internal, 1))) ||
        (src->stack_specific && !(b->stack_specific = cJSON_Duplicate(src->stack_specific, 1))))
        goto fail;
    if (src->n_devices) {
        b->devices = malloc(devices_cap(src->n_devices) * sizeof(*b->devices));
        if (!b->devices) goto fail;
        memcpy(b->devices, src->devices, src->n_devices * sizeof(*b->devices));
        b->n_devices = src->n_devices;
    }
    return b;
fail:
    ocb_free(b);
    return NULL;
}

int ocb_device_cmp(const void *a, const void *b)
{
    uint64_t x = ((const ocb_device *)a)->ieee, y = ((const ocb_device *)b)->ieee;
    return x < y ? -1 : x > y;
}

void ocb_sort_devices(ocb_backup *b)
{
    if (b->n_devices > 1) qsort(b->devices, b->n_devices, sizeof(*b->devices), ocb_device_cmp);
}

const ocb_device *ocb_find_device(const ocb_backup *b, uint64_t ieee)
{
    for (size_t i = 0; i < b->n_devices; i++)
        if (b->devices[i].ieee == ieee) return &b->devices[i];
    return NULL;
}
