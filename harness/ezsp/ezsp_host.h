/* ezsp_host.h - the host side of ASH + EZSP for the harness: RST/RSTACK, one command
 * outstanding at a time (as herdsman and bellows do), immediate ACKs of NCP frames,
 * retransmission of our own on NAK or silence, and a queue of the callbacks that arrive. */
#ifndef ZB_EZSP_HOST_H
#define ZB_EZSP_HOST_H

#include "ash.h"
#include "ezsp.h"
#include "serial.h"

#define EZSP_HOST_CBQ 32

enum {
    EZSP_HOST_OK = 0,
    EZSP_HOST_TIMEOUT = -1,
    EZSP_HOST_IO = -2,
    EZSP_HOST_INVALID = -3, /* invalidCommand: the NCP does not know the frame id */
    EZSP_HOST_LINK = -4,    /* ERROR frame or unexpected RSTACK */
};
/* rc is one of the EZSP_HOST_* errors (the link, or invalidCommand), not a status the NCP
 * answered */
static inline bool ezsp_host_is_error(long rc)
{
    return rc <= EZSP_HOST_TIMEOUT && rc >= EZSP_HOST_LINK;
}

typedef struct ezsp_host_frame {
    uint16_t frame_id;
    uint8_t seq; /* the frame's sequence number (a callback carries its command's) */
    uint8_t fc_lo;
    uint8_t data[EZSP_MAX_FRAME];
    size_t len;
} ezsp_host_frame;

typedef struct ezsp_host {
    zbh_serial *s;
    ash_decoder dec;
    uint8_t frm_tx, frm_rx;
    uint8_t seq;
    int version; /* negotiated; 0 before */
    bool got_rstack, link_error;
    bool reject;   /* a damaged frame was NAKed; no further NAK until a good DATA frame */
    bool nak_seen; /* the NCP NAKed our frame: retransmit now */
    bool have_rsp;
    ezsp_host_frame rsp;
    ezsp_host_frame cbq[EZSP_HOST_CBQ];
    int cb_len;
    int timeout_ms;
} ezsp_host;

void ezsp_host_init(ezsp_host *h, zbh_serial *s);
/* RST until RSTACK (software reset), then the version handshake. Returns the protocol
 * version (>= 4) or a negative EZSP_HOST error. */
int ezsp_host_connect(ezsp_host *h, int desired_version);
/* RST until RSTACK (software reset) only: the link is up, no version exchanged yet. */
int ezsp_host_reset(ezsp_host *h);
/* Sends a whole EZSP frame as given (header included; the replay's recorded requests) and
 * waits for the response. A version response sets the negotiated version. */
int ezsp_host_frame_exchange(ezsp_host *h, const uint8_t *frame, size_t n, ezsp_host_frame *rsp);
/* Sends a command and waits for its response (params into rsp, without the header). */
int ezsp_host_cmd(ezsp_host *h, uint16_t frame_id, const uint8_t *params, size_t n,
                  ezsp_host_frame *rsp);
/* The typed call: builds the request from `req` through the schema row of frame_id at the
 * negotiated version (ezsp_schema.h; req NULL for a command without parameters), sends it and
 * decodes the response into `rsp` (NULL: not decoded). Returns EZSP_HOST_OK, a negative
 * EZSP_HOST_* error, or EZSP_HOST_SHORT when the answer is shorter than its layout (`rsp`
 * then holds the fields it carried and zeros after). */
#define EZSP_HOST_SHORT 1
int ezsp_host_call(ezsp_host *h, uint16_t frame_id, const void *req, void *rsp);
/* A callback's payload decoded through its row: 0, or EZSP_HOST_SHORT (fields after: zero). */
int ezsp_host_decode_cb(const ezsp_host *h, const ezsp_host_frame *f, void *out);
/* Waits for a callback with this frame id (queued ones first); EZSP_HOST_ANY_CB: any. */
#define EZSP_HOST_ANY_CB 0xFFFFu
int ezsp_host_wait_cb(ezsp_host *h, uint16_t frame_id, ezsp_host_frame *out, int timeout_ms);
void ezsp_host_drain(ezsp_host *h);
const char *ezsp_host_strerror(int rc);

#endif
