/* mt_host.h - the host side of TI's MT protocol: one SREQ outstanding at a time (as every real
 * host does), SRSP matching, RPC errors, and a queue of the AREQs that arrive meanwhile. */
#ifndef ZB_MT_HOST_H
#define ZB_MT_HOST_H

#include "mt.h"
#include "serial.h"

#include <stdbool.h>

#define MT_HOST_QUEUE 64

enum { MT_HOST_OK = 0, MT_HOST_TIMEOUT = -1, MT_HOST_IO = -2, MT_HOST_RPC_ERROR = -3 };
/* rc is one of the MT_HOST_* errors (the link, or an RPC error: the device does not know the
 * command), not a result the device answered */
static inline bool mt_host_is_error(long rc)
{
    return rc <= MT_HOST_TIMEOUT && rc >= MT_HOST_RPC_ERROR;
}

typedef struct mt_host {
    zbh_serial *s;
    mt_parser parser;
    mt_frame queue[MT_HOST_QUEUE]; /* received frames not consumed yet */
    int q_len;
    int timeout_ms; /* default SREQ timeout */
} mt_host;

void mt_host_init(mt_host *h, zbh_serial *s);
/* Sends an SREQ and waits for its SRSP. Returns MT_HOST_OK (rsp filled), MT_HOST_TIMEOUT,
 * MT_HOST_IO or MT_HOST_RPC_ERROR (the device does not know the command). */
int mt_host_sreq(mt_host *h, uint8_t cmd0, uint8_t cmd1, const uint8_t *d, size_t n, mt_frame *rsp,
                 int timeout_ms);
int mt_host_areq(mt_host *h, uint8_t cmd0, uint8_t cmd1, const uint8_t *d, size_t n);
/* The same through the command's proto/mt/mt_schema.c row: `req` (NULL: an empty request) encoded
 * by its request layout, the SRSP decoded into `rsp` (NULL: not wanted) by its answer layout.
 * An answer its layout does not fit is MT_HOST_IO. */
int mt_host_call(mt_host *h, uint8_t cmd0, uint8_t cmd1, const void *req, void *rsp,
                 int timeout_ms);
/* An AREQ to the device, encoded by its row's request layout. */
int mt_host_send(mt_host *h, uint8_t cmd0, uint8_t cmd1, const void *req);
/* Waits for the indication cmd0 cmd1 and decodes it into `ind` (NULL: not wanted) by its row's
 * layout; MT_HOST_IO if it does not fit. */
int mt_host_wait_ind(mt_host *h, uint8_t cmd0, uint8_t cmd1, void *ind, int timeout_ms);
/* Waits for a frame (cmd0, cmd1) (from the queue first). Returns MT_HOST_OK or an error. */
int mt_host_wait(mt_host *h, uint8_t cmd0, uint8_t cmd1, mt_frame *out, int timeout_ms);
/* Waits for the next frame of any kind (from the queue first): the replay's indications. */
int mt_host_next(mt_host *h, mt_frame *out, int timeout_ms);
/* Drops queued frames (e.g. before a reset). */
void mt_host_drain(mt_host *h);
const char *mt_host_strerror(int rc);

#endif
