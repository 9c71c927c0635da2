/* ezsp_incoming.h - this stack's encoder and decoder of the incoming-message event
 * (proto/core/incoming.h says why one struct serves the three stacks). */
#ifndef ZB_EZSP_INCOMING_H
#define ZB_EZSP_INCOMING_H

#include "incoming.h"

#include <stddef.h>
#include <stdint.h>

size_t ezsp_incoming_encode(int version, const zb_incoming *m, uint8_t *out, size_t cap);
int ezsp_incoming_decode(int version, const uint8_t *p, size_t n, zb_incoming *m);

#endif
