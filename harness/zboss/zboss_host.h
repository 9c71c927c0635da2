/* zboss_host.h - the host side of the ZBOSS NCP protocol: LL packets with ACKs and
 * retransmission (1 s, three attempts, as zigpy-zboss does), fragmentation both ways, one HL
 * request outstanding at a time matched by call id and TSN, and a queue for the indications and
 * stray responses that arrive meanwhile. */
#ifndef ZB_ZBOSS_HOST_H
#define ZB_ZBOSS_HOST_H

#include "serial.h"
#include "zboss.h"

#include <stdbool.h>

#define ZBOSS_HOST_QUEUE 32

enum { ZBOSS_HOST_OK = 0, ZBOSS_HOST_TIMEOUT = -1, ZBOSS_HOST_IO = -2, ZBOSS_HOST_NO_ACK = -3 };
/* rc is one of the ZBOSS_HOST_* transport errors, not a status the NCP answered (those are
 * positive: status_cat << 8 | status_code) */
static inline bool zboss_host_is_error(long rc)
{
    return rc <= ZBOSS_HOST_TIMEOUT && rc >= ZBOSS_HOST_NO_ACK;
}

/* A received HL message (owned copy) and its decoded header pointing into it. */
typedef struct zboss_msg {
    uint8_t *data;
    size_t len;
    zboss_hl hl;
} zboss_msg;

typedef struct zboss_host {
    zbh_serial *s;
    zboss_ll_parser parser;
    zboss_reasm rx;
    uint8_t tx_pkt; /* 0 first, then 1,2,3,1... (advanced on a matching ACK) */
    uint8_t tsn;
    int acked;  /* the ACK for the packet in flight arrived */
    int nacked; /* the NCP NACKed it (bad body CRC): resend now */
    uint8_t ack_num;
    int io_error;
    zboss_msg queue[ZBOSS_HOST_QUEUE];
    int q_len;
} zboss_host;

void zboss_host_init(zboss_host *h, zbh_serial *s);
void zboss_host_free(zboss_host *h);
void zboss_msg_free(zboss_msg *m);
/* Drops queued messages (before a reset). */
void zboss_host_drain(zboss_host *h);

/* Sends a request and waits for its response (same call id and TSN). Returns a negative
 * ZBOSS_HOST_* transport error, or (status_cat << 8 | status_code): 0 is success, and then
 * *rsp (if given) holds the response, freed by the caller with zboss_msg_free. */
int zboss_host_call(zboss_host *h, uint16_t call_id, const uint8_t *params, size_t n,
                    zboss_msg *rsp, int timeout_ms);
/* The typed form of zboss_host_call: `req` (the call's request struct, NULL for none) is
 * encoded through its row in proto/zboss_schema.c and, on success, the answer decoded into
 * `rsp` (the response struct; NULL: not read). A request or answer that does not fit its
 * layout is ZBOSS_HOST_IO. */
int zboss_call(zboss_host *h, uint16_t call_id, const void *req, void *rsp, int timeout_ms);
/* Sends a request without waiting for a response (NCP_RESET). */
int zboss_host_send(zboss_host *h, uint16_t call_id, const uint8_t *params, size_t n);
/* zboss_host_send of a request struct through its row's layout. */
int zboss_send(zboss_host *h, uint16_t call_id, const void *req);
/* Waits for any response with `call_id` (the post-reset NCP_RESET reply carries TSN 0xFF). */
int zboss_host_wait(zboss_host *h, uint16_t call_id, zboss_msg *out, int timeout_ms);
/* The next indication (queued first). ZBOSS_HOST_OK or a transport error. */
int zboss_host_next_ind(zboss_host *h, zboss_msg *out, int timeout_ms);
/* Sends a whole HL request as given (its own TSN; the replay's recorded requests) and waits for
 * the response with that call id and TSN, whatever its status. ZBOSS_HOST_OK (rsp filled: the
 * caller frees it) or a transport error. */
int zboss_host_request_raw(zboss_host *h, const uint8_t *msg, size_t n, zboss_msg *rsp,
                           int timeout_ms);
const char *zboss_host_strerror(int rc);

#endif
