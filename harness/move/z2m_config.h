/* z2m_config.h - the changes a Zigbee2MQTT configuration.yaml needs after a migration: the
 * adapter and port under `serial:`, and the network under `advanced:` in the byte order the
 * target adapter reads (zigbee-herdsman's ember and zboss adapters compare `ext_pan_id` with
 * the stick in wire order, least significant byte first: a value in the other order makes
 * ember leave the network and zboss form a new one; its zstack adapter reads the NIB's EPID
 * reversed, so there the array is most significant byte first, the backup's hex order).
 *
 * The file is edited line by line, two levels deep, so that the user's comments, order and
 * other settings stay as they were: a key's value is replaced in place (a scalar, a flow
 * sequence or the block sequence under it), a missing key is added at the end of its section,
 * a missing section at the end of the file. A value that is a `!secret` reference is not
 * touched: it is reported, with the value it must hold. */
#ifndef ZB_Z2M_CONFIG_H
#define ZB_Z2M_CONFIG_H

#include "ocb.h"

#include <stdbool.h>
#include <stddef.h>

/* One setting to write: `section.key: value` (value as YAML text). */
typedef struct z2m_setting {
    const char *section, *key;
    char value[160];
} z2m_setting;

#define Z2M_SETTINGS 6

/* The settings for a migration onto ADAPTER ("zstack", "ember", "zboss") at PORT. Returns the
 * count, or -1 for an unknown adapter. */
int z2m_settings_for(const ocb_backup *b, const char *adapter, const char *port,
                     z2m_setting out[Z2M_SETTINGS]);

/* The Zigbee2MQTT adapter name for a --stack name (znp/zstack, ezsp/ember, zboss), or NULL. */
const char *z2m_adapter_of(const char *stack);

/* Applies the settings to the YAML text `in`. Returns the new text (caller frees) and, in
 * *secrets, how many settings were left because their value is a !secret reference (their
 * keys on stderr by the caller through z2m_is_secret); NULL when out of memory. */
char *z2m_apply(const char *in, const z2m_setting *s, size_t n, size_t *secrets);
/* Whether `section.key` holds a !secret reference in `text`. */
bool z2m_is_secret(const char *text, const char *section, const char *key);

#endif
