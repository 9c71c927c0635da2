/* strbuf.h - a growing text buffer for the report writers (JUnit, HTML, markdown). A failed
 * allocation is sticky: every later append is dropped and the writer sees `failed` and writes
 * nothing, so a report is never silently cut short. */
#ifndef ZB_STRBUF_H
#define ZB_STRBUF_H

#include <stddef.h>

typedef struct zbh_sb {
    char *buf;
    size_t len, cap;
    int failed;
} zbh_sb;

void zbh_sb_put(zbh_sb *b, const char *s);
void zbh_sb_printf(zbh_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' as entities and control characters (but \n, \t) as '?': safe in XML and
 * HTML bodies and quoted attributes alike. */
void zbh_sb_escaped(zbh_sb *b, const char *s);
void zbh_sb_free(zbh_sb *b);

#endif
