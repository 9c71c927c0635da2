/* strbuf.h - growing buffers, one doubling rule for all of them.
 *
 * zb_grow is the rule (start at `first` elements, double until the need fits, nothing changed
 * on failure) for any array that grows: byte queues, timer tables, NV item lists. zb_sb is the
 * text buffer on top of it for the report writers (JUnit, HTML, markdown): a failed allocation
 * is sticky, every later append is dropped and the writer sees `failed` and writes nothing, so
 * a report is never silently cut short. */
#ifndef ZB_STRBUF_H
#define ZB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* Returns p (an array of *cap elements of `elem` > 0 bytes, or NULL) grown to hold at least `need`
 * elements: p itself when it already does, else a reallocation to `first` elements doubled as
 * often as needed, with *cap updated. Returns NULL on allocation failure or size overflow;
 * p and *cap are then unchanged (the caller still owns p). Never NULL on success, also for
 * need == 0. */
void *zb_grow(void *p, size_t *cap, size_t need, size_t elem, size_t first);

typedef struct zb_sb {
    char *buf; /* NUL-terminated once anything was added */
    size_t len, cap;
    int failed;
} zb_sb;

/* Appends n bytes (any bytes; a NUL is kept after them). Returns 0, or -1 once failed. */
int zb_sb_add(zb_sb *b, const void *p, size_t n);
void zb_sb_put(zb_sb *b, const char *s);
void zb_sb_printf(zb_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list (consumed). */
void zb_sb_vprintf(zb_sb *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* s with & < > " ' as entities and control characters (but \n, \t) as '?': safe in XML and
 * HTML bodies and quoted attributes alike. */
void zb_sb_escaped(zb_sb *b, const char *s);
void zb_sb_free(zb_sb *b);
/* Writes the text to PATH with file_write (fileio.h: a file atomically, a pipe or device in
 * place) and frees the buffer. 0, or -1 with errno (ENOMEM when the text failed to grow). */
int zb_sb_write_file(zb_sb *b, const char *path, unsigned mode, unsigned flags);

#endif
