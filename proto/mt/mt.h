/* mt.h - TI "Monitor and Test" (MT/UNPI) frame codec, shared by the emulated Z-Stack device and
 * the harness's host driver.
 *
 * Both sides speak the same framing (zstack-mt.md §1.1): SOF 0xFE | LEN | CMD0 | CMD1 | DATA |
 * FCS. The parser is incremental because serial reads split and merge frames arbitrarily, and it
 * resynchronises the way the real hosts do (skip to the next SOF) without ever losing a valid
 * frame hidden inside a rejected one. */
#ifndef ZB_MT_H
#define ZB_MT_H

#include <stddef.h>
#include <stdint.h>

#define MT_SOF       0xFE
#define MT_MAX_DATA  250 /* LEN limit both hosts enforce */
#define MT_OVERHEAD  5   /* SOF, LEN, CMD0, CMD1, FCS */
#define MT_MAX_FRAME (MT_MAX_DATA + MT_OVERHEAD)

/* CMD0 bits 7..5 */
enum mt_type {
    MT_TYPE_POLL = 0,
    MT_TYPE_SREQ = 1,
    MT_TYPE_AREQ = 2,
    MT_TYPE_SRSP = 3,
};

/* CMD0 bits 4..0 */
enum mt_subsys {
    MT_SUBSYS_RPC_ERR = 0x00,
    MT_SUBSYS_SYS = 0x01,
    MT_SUBSYS_MAC = 0x02,
    MT_SUBSYS_NWK = 0x03,
    MT_SUBSYS_AF = 0x04,
    MT_SUBSYS_ZDO = 0x05,
    MT_SUBSYS_SAPI = 0x06,
    MT_SUBSYS_UTIL = 0x07,
    MT_SUBSYS_DEBUG = 0x08,
    MT_SUBSYS_APP = 0x09,
    MT_SUBSYS_UBL = 0x0D,
    MT_SUBSYS_APP_CNF = 0x0F,
    MT_SUBSYS_GP = 0x15,
};

/* RPC error codes (§1.2), first data byte of `60 00` */
enum mt_rpc_error_code {
    MT_RPC_ERR_SUBSYSTEM = 0x01,
    MT_RPC_ERR_COMMAND_ID = 0x02,
    MT_RPC_ERR_PARAMETER = 0x03,
    MT_RPC_ERR_LENGTH = 0x04,
};

/* SYS_PING capability bits: which subsystems the build has */
#define MT_CAP_SAPI 0x0020

typedef struct mt_frame {
    uint8_t cmd0, cmd1;
    uint8_t len; /* DATA bytes in use, 0..MT_MAX_DATA */
    uint8_t data[MT_MAX_DATA];
} mt_frame;

static inline uint8_t mt_cmd0(uint8_t type, uint8_t subsys)
{
    return (uint8_t)(((type & 0x07u) << 5) | (subsys & 0x1Fu));
}
static inline uint8_t mt_frame_type(const mt_frame *f)
{
    return (uint8_t)(f->cmd0 >> 5);
}
static inline uint8_t mt_frame_subsys(const mt_frame *f)
{
    return (uint8_t)(f->cmd0 & 0x1Fu);
}

/* XOR of `n` bytes (for a frame: LEN, CMD0, CMD1 and DATA; SOF excluded). */
uint8_t mt_fcs(const uint8_t *p, size_t n);

/* Writes the whole frame (SOF .. FCS) to `out`. Returns the byte count (len + 5), or 0 if
 * f->len > MT_MAX_DATA or `cap` is too small (nothing useful written then). */
size_t mt_encode(const mt_frame *f, uint8_t *out, size_t cap);

/* Fills `f`. Returns 0, or -1 (f untouched) if len > MT_MAX_DATA or data is NULL with len > 0. */
int mt_frame_set(mt_frame *f, uint8_t cmd0, uint8_t cmd1, const uint8_t *data, size_t len);

/* Builds the RPC error answer `60 00 [code, req_cmd0, req_cmd1]`. */
void mt_rpc_error(mt_frame *out, uint8_t code, uint8_t req_cmd0, uint8_t req_cmd1);

/* Incremental parser. Bytes outside frames (0xEF wake bytes, noise) are skipped; a candidate
 * with LEN > MT_MAX_DATA or a bad FCS is dropped by discarding only its SOF byte and rescanning
 * the rest, so a real frame that starts inside a rejected candidate is still found. */
typedef struct mt_parser {
    uint8_t buf[MT_MAX_FRAME]; /* candidate frame, buf[0] == MT_SOF whenever n > 0 */
    size_t n;
    /* statistics */
    uint32_t frames;        /* valid frames delivered */
    uint32_t bad_fcs;       /* candidates dropped for a bad FCS */
    uint32_t too_long;      /* candidates dropped for LEN > MT_MAX_DATA */
    uint32_t garbage_bytes; /* bytes skipped while looking for a SOF */
    uint32_t stale;         /* incomplete candidates given up by mt_parser_expire */
} mt_parser;

typedef void (*mt_frame_cb)(void *ctx, const mt_frame *f);

void mt_parser_init(mt_parser *p);

/* Consumes `n` bytes, calling cb(ctx, frame) for every valid frame completed. The callback must
 * not feed the same parser. */
void mt_parser_feed(mt_parser *p, const uint8_t *buf, size_t n, mt_frame_cb cb, void *ctx);
/* The line went quiet in the middle of a candidate: a frame's bytes arrive back to back on a
 * UART, so a candidate still incomplete after a pause had a corrupted LEN (it would otherwise
 * swallow the next frames too). Gives up its SOF and rescans the bytes after it. Call when no
 * byte has arrived for MT_STALE_MS while mt_parser_pending() is true. */
void mt_parser_expire(mt_parser *p, mt_frame_cb cb, void *ctx);
static inline int mt_parser_pending(const mt_parser *p)
{
    return p->n > 0;
}
#define MT_STALE_MS 50

#endif
