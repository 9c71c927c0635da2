/* incoming.h - the event each stack passes up to its host when a device's frame arrives, in one
 * struct, with one encoder (the emulators' world delivers through it) and one decoder (the
 * harness's `watch` reads through it) per stack, in the stack's folder, so that the two ends
 * cannot drift apart:
 * - Z-Stack AF_INCOMING_MSG (0x44 0x81), as zstack-mt.md and herdsman 10.9.5's definition give it;
 * - EmberZNet incomingMessageHandler (0x0045): v14+ carries EmberRxPacketInfo, earlier versions
 *   lqi/rssi/sender/indices (ezsp-ash.md §2.5, §6);
 * - ZBOSS APSDE_DATA_IND (0x0306): 21 parameter bytes, then the data (zboss-ncp.md). */
#ifndef ZB_INCOMING_H
#define ZB_INCOMING_H

#include <stddef.h>
#include <stdint.h>

typedef struct zb_incoming {
    uint16_t nwk;  /* the sender's short address */
    uint64_t ieee; /* the sender's IEEE; 0 when the event does not carry it */
    uint16_t profile, cluster, group;
    uint8_t src_ep, dst_ep;
    uint8_t lqi;
    int8_t rssi;
    uint8_t seq;         /* APS counter (EZSP, ZBOSS) or transaction id (MT) */
    uint32_t timestamp;  /* MT, EZSP v14+ */
    uint16_t options;    /* EZSP APS options; ZBOSS APS frame control; MT: wasBroadcast */
    uint8_t security;    /* MT securityUse; ZBOSS key source/attribute */
    const uint8_t *data; /* the APS payload (decoders: points into the frame) */
    size_t len;
} zb_incoming;

/* Each stack's encoder and decoder live with its protocol (mt_incoming.h, ezsp_incoming.h,
 * zboss_incoming.h): encoders write the event's parameters (MT DATA, EZSP parameters after the
 * frame id, ZBOSS parameters after the HL header) and return the size, or 0 if `cap` is too
 * small; decoders return 0, or -1 on a short or inconsistent event. */

#endif
