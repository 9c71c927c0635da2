/* hex.h - hex text <-> bytes, the one representation every file format here uses. */
#ifndef ZB_HEX_H
#define ZB_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decode exactly `n` bytes from `s` (2n hex digits, either case, nothing else).
 * Returns 0, or -1 if `s` is not exactly 2n hex digits. */
int hex_decode(const char *s, uint8_t *out, size_t n);

/* Decode a hex string of any even length into a new buffer (caller frees).
 * Returns the byte count, or -1 on bad input / allocation failure. */
long hex_decode_alloc(const char *s, uint8_t **out);

/* Write 2n lowercase hex digits and a NUL into `out` (size >= 2n+1). */
void hex_encode(const uint8_t *p, size_t n, char *out);

/* Same, into a new string (caller frees); NULL on allocation failure. */
char *hex_encode_alloc(const uint8_t *p, size_t n);

/* Number of hex digits at the start of `s` (stops at the first non-hex char). */
size_t hex_span(const char *s);

/* Parse up to 16 hex digits as a big-endian number. Returns 0 or -1 on bad input. */
int hex_to_u64(const char *s, uint64_t *out);

#endif
