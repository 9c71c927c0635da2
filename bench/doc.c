/* doc.c - the document zbbench writes: BENCHMARKS.md as a whole, never edited by hand.
 *
 * The prose that does not change between runs (how to run, how each number is measured, the
 * history of what was changed) lives in a template under bench/; the sections append their
 * tables here and register their goals, and at the end the template's placeholder lines are
 * replaced and the file is written atomically (common/fileio.h file_write), so an interrupted
 * or failed run leaves the previous file as it was. */
#include "bench.h"

#include "fileio.h"
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zb_sb results, goals;
static int failures;

/* Appends to the results and echoes the new text on stderr, as the run goes. */
static void vout(const char *fmt, va_list ap)
{
    size_t from = results.len;
    zb_sb_vprintf(&results, fmt, ap);
    if (!results.failed) fputs(results.buf + from, stderr);
}

void bench_out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vout(fmt, ap);
    va_end(ap);
}

void bench_out_failed(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vout(fmt, ap);
    va_end(ap);
    failures++;
}

int bench_failures(void)
{
    return failures;
}

void bench_goal(const char *goal, int met, const char *why, const char *fmt, ...)
{
    zb_sb_printf(&goals, "| %s | ", goal);
    va_list ap;
    va_start(ap, fmt);
    zb_sb_vprintf(&goals, fmt, ap);
    va_end(ap);
    zb_sb_printf(&goals, " | %s | %s |\n", met ? "met" : "**NOT met**", met || !why ? "" : why);
}

static void put_machine(zb_sb *doc, const char *machine)
{
    zb_sb_put(doc, machine);
}

static void put_results(zb_sb *doc, const char *machine)
{
    (void)machine;
    if (results.len) zb_sb_add(doc, results.buf, results.len);
}

static void put_goals(zb_sb *doc, const char *machine)
{
    (void)machine;
    zb_sb_put(doc, "| goal | measured in this run | result | why, when not met |\n"
                   "|---|---|---|---|\n");
    if (goals.len) zb_sb_add(doc, goals.buf, goals.len);
}

/* The template's placeholder lines and what replaces them. */
static const struct {
    const char *line;
    void (*put)(zb_sb *doc, const char *machine);
} SLOTS[] = {
    {"@MACHINE@\n", put_machine},
    {"@RESULTS@\n", put_results},
    {"@GOALS@\n", put_goals},
};

/* The template with each placeholder line replaced; other lines as they are. */
static void merge(zb_sb *doc, const char *tmpl, const char *machine)
{
    const char *p = tmpl;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p), k = 0;
        while (k < sizeof(SLOTS) / sizeof(SLOTS[0]) &&
               (strlen(SLOTS[k].line) != n || memcmp(SLOTS[k].line, p, n) != 0))
            k++;
        if (k < sizeof(SLOTS) / sizeof(SLOTS[0]))
            SLOTS[k].put(doc, machine);
        else
            zb_sb_add(doc, p, n);
        p += n;
    }
}

static int write_stdout(const zb_sb *doc)
{
    if (fwrite(doc->buf, 1, doc->len, stdout) != doc->len || fflush(stdout) != 0) {
        fprintf(stderr, "zbbench: writing the document to stdout: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

int bench_doc_write(const char *template_path, const char *machine, const char *output)
{
    char why[256];
    size_t len;
    char *tmpl = file_read_all(template_path, 1 << 20, &len);
    if (!tmpl) {
        fprintf(stderr, "zbbench: template %s: %s\n", template_path,
                file_read_error(template_path, errno, 1 << 20, why, sizeof(why)));
        return -1;
    }
    zb_sb doc = {0};
    merge(&doc, tmpl, machine);
    free(tmpl);
    zb_sb_free(&results);
    zb_sb_free(&goals);
    if (doc.failed) {
        fprintf(stderr, "zbbench: out of memory for the document\n");
        zb_sb_free(&doc);
        return -1;
    }
    if (strcmp(output, "-") == 0) {
        int rc = write_stdout(&doc);
        zb_sb_free(&doc);
        return rc;
    }
    if (zb_sb_write_file(&doc, output, 0644, FILE_WRITE_REGULAR_ONLY) < 0) {
        fprintf(stderr, "zbbench: %s: %s\n", output,
                file_write_error(output, errno, FILE_WRITE_REGULAR_ONLY, why, sizeof(why)));
        return -1;
    }
    return 0;
}
