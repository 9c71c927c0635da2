/* ocb_internal.h - what the files of ocb/ share and nothing outside needs: the table of the
 * stack_specific fields the model knows (ocb_model.c), so that parse, emit and diff name them
 * once, and the checks parse runs as it reads each value (ocb_check.c). Not installed, not
 * included outside ocb/. */
#ifndef ZB_OCB_INTERNAL_H
#define ZB_OCB_INTERNAL_H

#include "ocb.h"

#include <stdarg.h>

/* One known stack_specific field: a 16-byte key at stack_specific.STACK.NAME. */
typedef struct ocb_known {
    const char *stack;       /* "zstack" */
    const char *name;        /* "tclk_seed" */
    const char *path;        /* "stack_specific.zstack.tclk_seed" (messages, diff field names) */
    size_t has_off, val_off; /* the typed field in ocb_backup: bool has_..., uint8_t [16] */
} ocb_known;

extern const ocb_known OCB_KNOWN[OCB_N_KNOWN];

static inline bool *ocb_known_has(ocb_backup *b, size_t i)
{
    return (bool *)((char *)b + OCB_KNOWN[i].has_off);
}
static inline uint8_t *ocb_known_value(ocb_backup *b, size_t i)
{
    return (uint8_t *)b + OCB_KNOWN[i].val_off;
}
static inline bool ocb_known_present(const ocb_backup *b, size_t i)
{
    return *(const bool *)((const char *)b + OCB_KNOWN[i].has_off);
}
static inline const uint8_t *ocb_known_bytes(const ocb_backup *b, size_t i)
{
    return (const uint8_t *)b + OCB_KNOWN[i].val_off;
}

/* qsort order of devices: by IEEE (ocb_model.c). */
int ocb_device_cmp(const void *a, const void *b);

/* ocb_report_add with a va_list (ocb_check.c). */
void ocb_report_vadd(ocb_report *r, enum ocb_severity sev, const char *path, const char *fmt,
                     va_list ap) __attribute__((format(printf, 4, 0)));

/* ---- the value rules parse applies as it reads each value (ocb_check.c). Each adds its
 * errors/warnings to the report and returns 0 when the value passes, -1 when not. ---- */
int ocb_check_version(ocb_report *r, uint64_t version);
int ocb_check_channel(ocb_report *r, const char *path, uint64_t channel);
int ocb_check_channel_in_mask(ocb_report *r, const ocb_backup *b);
int ocb_check_pan_id(ocb_report *r, uint16_t pan_id);
int ocb_check_extended_pan_id(ocb_report *r, uint64_t epid);
/* d (read from devices[index]) against the devices already in b */
int ocb_check_device_unique(ocb_report *r, const ocb_backup *b, const ocb_device *d, int index);
/* whole-document warnings for files from zigbee-herdsman (after everything else) */
void ocb_check_herdsman(ocb_report *r, const ocb_backup *b);
/* a coordinator_ieee that is a placeholder (ocb_placeholder_ieee) is a warning */
void ocb_check_coordinator_ieee(ocb_report *r, const ocb_backup *b);

#endif
