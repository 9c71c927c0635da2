/* progress.c - progress lines on stderr (see progress.h). One line per step, flushed at once
 * so it shows before the step blocks. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>

static int g_quiet;

void zbh_progress_set_quiet(int quiet)
{
    g_quiet = quiet;
}

int zbh_progress_quiet(void)
{
    return g_quiet;
}

void zbh_progress(const char *fmt, ...)
{
    if (g_quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("zbharness: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(ap);
}
