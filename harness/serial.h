/* serial.h - the harness's serial link: libserialport for real sticks, termios for ptys that
 * libserialport cannot describe; one API so drivers do not care which. */
#ifndef ZB_SERIAL_H
#define ZB_SERIAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct zbh_serial zbh_serial;

/* Opens PATH at `baud` 8N1, no flow control. Returns NULL with a message in err. */
zbh_serial *zbh_serial_open(const char *path, int baud, char *err, size_t errlen);
void zbh_serial_close(zbh_serial *s);
/* The path it was opened with. */
const char *zbh_serial_name(const zbh_serial *s);
/* Writes all bytes (blocking up to 1 s). Returns 0 or -1. */
int zbh_serial_write(zbh_serial *s, const uint8_t *p, size_t n);
/* Reads what arrives within timeout_ms (at least one byte, or 0 on timeout; -1 on error). */
int zbh_serial_read(zbh_serial *s, uint8_t *p, size_t cap, int timeout_ms);
/* Bytes sent and received so far (for the benchmark's UART-time estimate). */
void zbh_serial_counters(const zbh_serial *s, uint64_t *tx, uint64_t *rx);

#endif
