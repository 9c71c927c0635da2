/* report_text.c - owned report texts (report_text.h): whole, or said to be lost. */
#include "report_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char LOST[] = "(this text was lost: out of memory)";

int zbh_text_take(zbh_text *t, zb_sb *b)
{
    free(t->s);
    t->s = NULL;
    t->lost = b->failed != 0;
    if (t->lost) {
        zb_sb_free(b);
        return -1;
    }
    t->s = b->buf; /* NULL when nothing was added: empty */
    *b = (zb_sb){0};
    return 0;
}

static int vset(zbh_text *t, const char *keep, const char *fmt, va_list ap)
{
    zb_sb b = {0};
    if (keep) zb_sb_put(&b, keep);
    zb_sb_vprintf(&b, fmt, ap);
    return zbh_text_take(t, &b);
}

int zbh_text_set(zbh_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vset(t, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int zbh_text_append(zbh_text *t, const char *fmt, ...)
{
    if (t->lost) return -1;
    va_list ap;
    va_start(ap, fmt);
    int rc = vset(t, t->s, fmt, ap);
    va_end(ap);
    return rc;
}

const char *zbh_text_get(const zbh_text *t)
{
    return t->lost ? LOST : t->s ? t->s : "";
}

void zbh_text_free(zbh_text *t)
{
    free(t->s);
    *t = (zbh_text){0};
}
