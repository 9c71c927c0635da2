/* ash.h - Silicon Labs ASH (Asynchronous Serial Host, UG101) link layer: frame codec and the
 * NCP side of the link state machine.
 *
 * EZSP hosts (zigbee-herdsman `ember`, bellows) talk to an EmberZNet NCP through ASH: byte
 * stuffing of six reserved bytes, CRC-CCITT, a randomised data field, 3-bit frame numbers with
 * piggybacked acknowledgements, NAK/retransmission and an RST/RSTACK handshake (ezsp-ash.md
 * §1). The codec is shared with the harness's host driver; the state machine (ash_link) is the
 * NCP's and is clock-driven from outside so that tests can run it without a serial port. */
#ifndef ZB_ASH_H
#define ZB_ASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ASH_FLAG       0x7E
#define ASH_ESCAPE     0x7D
#define ASH_XON        0x11
#define ASH_XOFF       0x13
#define ASH_SUBSTITUTE 0x18
#define ASH_CANCEL     0x1A
#define ASH_WAKE       0xFF
#define ASH_FLIP       0x20

#define ASH_VERSION  0x02
#define ASH_MAX_DATA 220 /* EZSP bytes in one DATA frame (herdsman's limit) */
#define ASH_MIN_DATA 3
#define ASH_MAX_BODY (1 + ASH_MAX_DATA) /* control + data */
#define ASH_MAX_WIRE (2 * (ASH_MAX_BODY + 2) + 2)

/* control bytes of the fixed frames */
#define ASH_CTRL_RST    0xC0
#define ASH_CTRL_RSTACK 0xC1
#define ASH_CTRL_ERROR  0xC2

/* reset / error codes (§1.6) */
#define ASH_RESET_POWER_ON    0x02
#define ASH_RESET_SOFTWARE    0x0B
#define ASH_ERROR_ACK_TIMEOUT 0x51

enum ash_type { ASH_DATA, ASH_ACK, ASH_NAK, ASH_RST, ASH_RSTACK, ASH_ERROR, ASH_INVALID };

/* How a received frame ended (the state machine NAKs some of these, §1.7). */
enum ash_rx_status {
    ASH_RX_OK,
    ASH_RX_BAD_CRC,
    ASH_RX_TOO_SHORT,
    ASH_RX_TOO_LONG,
    ASH_RX_BAD_TYPE
};

typedef struct ash_frame {
    int status; /* enum ash_rx_status */
    uint8_t control;
    uint8_t data[ASH_MAX_DATA]; /* DATA: de-randomised EZSP bytes; RSTACK/ERROR: version, code */
    size_t len;
} ash_frame;

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over p[0..n). */
uint16_t ash_crc(const uint8_t *p, size_t n);
/* XOR p[0..n) with the §1.3 pseudo-random sequence (its own inverse). */
void ash_randomize(uint8_t *p, size_t n);

/* Frame type from the control byte and the body length (control + data, no CRC), as
 * herdsman classifies it: DATA needs >= 4 bytes, ACK/NAK/RST exactly 1, RSTACK/ERROR 3. */
enum ash_type ash_frame_type(uint8_t control, size_t body_len);

/* Encoders: write the complete wire frame (CRC, stuffing, FLAG) into out. Return its length,
 * or 0 if cap is too small or the data too long. `cancel` prefixes a CANCEL byte (RST, RSTACK). */
size_t ash_encode_body(const uint8_t *body, size_t n, bool cancel, uint8_t *out, size_t cap);
size_t ash_encode_data(uint8_t frm_num, uint8_t ack_num, bool retx, const uint8_t *ezsp, size_t n,
                       uint8_t *out, size_t cap);
size_t ash_encode_ack(uint8_t ack_num, bool nrdy, uint8_t *out, size_t cap);
size_t ash_encode_nak(uint8_t ack_num, bool nrdy, uint8_t *out, size_t cap);
size_t ash_encode_rst(uint8_t *out, size_t cap);
size_t ash_encode_rstack(uint8_t code, uint8_t *out, size_t cap);
size_t ash_encode_error(uint8_t code, uint8_t *out, size_t cap);

static inline uint8_t ash_frm_num(uint8_t control)
{
    return (uint8_t)((control >> 4) & 7);
}
static inline uint8_t ash_ack_num(uint8_t control)
{
    return (uint8_t)(control & 7);
}
static inline bool ash_retx(uint8_t control)
{
    return (control & 0x08) != 0;
}
static inline bool ash_nrdy(uint8_t control)
{
    return (control & 0x08) != 0;
}

/* Incremental, resynchronising decoder: unstuffs, drops XON/XOFF, honours CANCEL and
 * SUBSTITUTE, splits at FLAG and checks the CRC. Every non-empty frame is reported, with a
 * status; DATA payloads are de-randomised. */
typedef struct ash_decoder {
    uint8_t buf[ASH_MAX_BODY + 2];
    size_t len;
    bool escape;
    bool overflow;
    bool discard; /* after SUBSTITUTE: drop everything up to the next FLAG */
} ash_decoder;

typedef void (*ash_frame_fn)(void *ctx, const ash_frame *f);
void ash_decoder_init(ash_decoder *d);
void ash_decoder_feed(ash_decoder *d, const uint8_t *p, size_t n, ash_frame_fn fn, void *ctx);

/* ---- the NCP side of the link (§1.6-1.8) ---- */

#define ASH_TX_K            5 /* unacknowledged DATA frames in flight */
#define ASH_T_RX_ACK_INIT   1600
#define ASH_T_RX_ACK_MIN    400
#define ASH_T_RX_ACK_MAX    3200
#define ASH_ACK_TIMEOUTS    4
#define ASH_T_REMOTE_NOTRDY 1000
#define ASH_TXQ             32 /* queued outgoing EZSP frames */

typedef struct ash_link_ops {
    void (*write)(void *ctx, const uint8_t *p, size_t n);
    /* An accepted, in-sequence DATA frame; the reply is queued with ash_link_send from here. */
    void (*frame)(void *ctx, const uint8_t *ezsp, size_t n);
    /* RST received: the NCP reboots its RAM state (before RSTACK goes out). */
    void (*reset)(void *ctx);
    uint64_t (*now_ms)(void *ctx);
} ash_link_ops;

typedef struct ash_out {
    uint8_t data[ASH_MAX_DATA];
    size_t len;
    bool callback;
} ash_out;

typedef struct ash_link {
    ash_link_ops ops;
    void *ctx;
    ash_decoder dec;
    bool connected; /* an RST was answered */
    bool failed;    /* FAILED state: ERROR sent, only RST leaves it */
    uint8_t frm_tx, ack_rx, frm_rx;
    bool reject;
    bool ack_pending; /* an accepted DATA frame still needs its acknowledgement */
    ash_out sent[8];  /* by frame number: sent, not yet acknowledged */
    ash_out queue[ASH_TXQ];
    size_t q_head, q_len;
    uint32_t t_rx_ack;
    uint64_t ack_deadline; /* 0: timer stopped */
    uint64_t sent_at;
    int timeouts;
    uint64_t notrdy_until; /* host not ready for callbacks until then */
    /* counters for logs and tests */
    unsigned n_rx_data, n_dup, n_nak_tx, n_retx, n_bad;
} ash_link;

void ash_link_init(ash_link *l, const ash_link_ops *ops, void *ctx);
void ash_link_feed(ash_link *l, const uint8_t *p, size_t n);
/* Queues one EZSP frame (a response or a callback) and sends what the window allows.
 * Returns 0, or -1 if the frame is too long or the queue is full. */
int ash_link_send(ash_link *l, const uint8_t *ezsp, size_t n, bool callback);
/* Runs the ACK-timeout and not-ready timers; call at ash_link_deadline(). */
void ash_link_tick(ash_link *l);
/* Next time ash_link_tick has work (0: none). */
uint64_t ash_link_deadline(const ash_link *l);

#endif
