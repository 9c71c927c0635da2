/* report_text.h - the owned, whole text of a report's detail or note (zbh_text).
 *
 * Why: report details (a case's reason, a cell's losses and log tail, a golden difference)
 * used to live in fixed 600/640-byte arrays, so a long reason (a path, a driver's message, a
 * log tail) was cut in JUnit, TAP, HTML and on the terminal. A zbh_text holds the whole text
 * on the heap and has one owner; when memory runs out it says so ("lost") instead of holding a
 * cut message. A zero zbh_text is empty. */
#ifndef ZB_REPORT_TEXT_H
#define ZB_REPORT_TEXT_H

#include "strbuf.h"

#include <stdbool.h>

typedef struct zbh_text {
    char *s;   /* owned, NUL-terminated; NULL: empty (or lost) */
    bool lost; /* an allocation failed: the text is gone, and get() says so */
} zbh_text;

/* Replaces the text. 0, or -1 (out of memory: the text is then lost). */
int zbh_text_set(zbh_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends to the text (a lost text stays lost). 0 or -1. */
int zbh_text_append(zbh_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Replaces the text with b's (b is left empty; a failed b makes the text lost). 0 or -1. */
int zbh_text_take(zbh_text *t, zb_sb *b);
/* The text, "" when empty, or a sentence saying it was lost; never NULL. */
const char *zbh_text_get(const zbh_text *t);
void zbh_text_free(zbh_text *t);

#endif
