/* log.h - one logger for both programs. Key material is redacted unless the user asked for
 * --show-keys: logs end up in CI artefacts and bug reports. */
#ifndef ZB_LOG_H
#define ZB_LOG_H

#include <stddef.h>
#include <stdint.h>

enum zb_log_level { ZB_LOG_ERROR, ZB_LOG_WARN, ZB_LOG_INFO, ZB_LOG_DEBUG, ZB_LOG_TRACE };

void zb_log_set_level(int level);
int zb_log_level(void);
void zb_log_set_show_keys(int show);
int zb_log_show_keys(void);
void zb_log_set_prefix(const char *prefix);

void zb_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hex dump of a frame at TRACE level: "<what> <hex>". Frames carry keys (NV writes, key
 * exports), so only the first `public_len` bytes (the header naming the command) are shown
 * unless --show-keys; the rest is summarised as "+N bytes". */
void zb_log_frame(const char *what, const uint8_t *p, size_t n, size_t public_len);
/* Format a 16-byte key for a log line: the hex, or "<redacted>" without --show-keys. */
const char *zb_log_key(const uint8_t key[16], char buf[33]);

/* Messages are never cut: zb_log formats each line on the heap, whatever its length, and
 * writes it with one write(2) so lines of parallel jobs do not interleave. For error text that
 * travels through `char *err, size_t errlen` parameters, ZB_MSG_MAX is a buffer size that
 * holds any path (PATH_MAX 4096) with the words around it. */
#define ZB_MSG_MAX 8192

/* printf into a new heap string (caller frees); NULL when out of memory. */
char *zb_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text from files and devices made safe for a terminal: control characters (C0, DEL, and C1
 * as UTF-8) and bytes that are not UTF-8 are written as escapes (\n, \t, \r, \e, \xNN,
 * \u0080..\u009f); printable text and valid UTF-8 are kept. zb_escape writes at most cap-1 bytes
 * plus the NUL and returns the length the whole escape needs (like snprintf); zb_escape_dup returns
 * a new string (NULL when out of memory). */
size_t zb_escape(const char *s, char *out, size_t cap);
char *zb_escape_dup(const char *s);

#define LOG_ERROR(...) zb_log(ZB_LOG_ERROR, __VA_ARGS__)
#define LOG_WARN(...)  zb_log(ZB_LOG_WARN, __VA_ARGS__)
#define LOG_INFO(...)  zb_log(ZB_LOG_INFO, __VA_ARGS__)
#define LOG_DEBUG(...) zb_log(ZB_LOG_DEBUG, __VA_ARGS__)

#endif
