/* zboss_incoming.h - this stack's encoder and decoder of the incoming-message event
 * (proto/core/incoming.h says why one struct serves the three stacks). */
#ifndef ZB_ZBOSS_INCOMING_H
#define ZB_ZBOSS_INCOMING_H

#include "incoming.h"

#include <stddef.h>
#include <stdint.h>

size_t zboss_apsde_data_ind_encode(const zb_incoming *m, uint8_t *out, size_t cap);
int zboss_apsde_data_ind_decode(const uint8_t *p, size_t n, zb_incoming *m);

#endif
