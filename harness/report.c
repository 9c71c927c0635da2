/* report.c - JUnit XML and TAP writers. Text from devices and files goes into XML attributes
 * and bodies, so everything is escaped; nothing here ever prints key material (the details
 * come from redacted messages). */
#include "report.h"

#include "fileio.h"

#include <stdlib.h>
#include <string.h>

void zbh_report_progress(FILE *f, size_t i, size_t n, const zbh_case_result *r)
{
    fprintf(f, "[%2zu/%zu] %-5s %-36s %s (%.1f s)\n", i + 1, n, zbh_verdict_name(r->verdict), r->id,
            r->detail, r->seconds);
    fflush(f);
}

/* Appends s XML-escaped to the growing buffer. */
static void xml_append(char **buf, size_t *len, size_t *cap, const char *s)
{
    for (; *s; s++) {
        char tmp[8];
        const char *piece = tmp;
        unsigned char ch = (unsigned char)*s;
        if (ch == '&')
            piece = "&amp;";
        else if (ch == '<')
            piece = "&lt;";
        else if (ch == '>')
            piece = "&gt;";
        else if (ch == '"')
            piece = "&quot;";
        else if (ch < 0x20 && ch != '\n' && ch != '\t')
            piece = "?"; /* not allowed in XML 1.0 */
        else {
            tmp[0] = (char)ch;
            tmp[1] = '\0';
        }
        size_t pl = strlen(piece);
        if (*len + pl + 1 > *cap) {
            size_t nc = *cap ? *cap * 2 : 4096;
            while (nc < *len + pl + 1)
                nc *= 2;
            char *nb = realloc(*buf, nc);
            if (!nb) return;
            *buf = nb;
            *cap = nc;
        }
        memcpy(*buf + *len, piece, pl + 1);
        *len += pl;
    }
}

static void raw_append(char **buf, size_t *len, size_t *cap, const char *fmt_result)
{
    /* raw text (markup we generate) goes through the same growth path, unescaped */
    size_t pl = strlen(fmt_result);
    if (*len + pl + 1 > *cap) {
        size_t nc = *cap ? *cap * 2 : 4096;
        while (nc < *len + pl + 1)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb) return;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, fmt_result, pl + 1);
    *len += pl;
}

int zbh_report_junit(const char *path, const char *suite, const zbh_case_result *r, size_t n)
{
    size_t fails = 0, errors = 0, skips = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        fails += r[i].verdict == ZBH_FAILED;
        errors += r[i].verdict == ZBH_ERROR;
        skips += r[i].verdict == ZBH_SKIP;
        total += r[i].seconds;
    }
    char *buf = NULL, line[256];
    size_t len = 0, cap = 0;
    raw_append(&buf, &len, &cap, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    raw_append(&buf, &len, &cap, "  <testsuite name=\"");
    xml_append(&buf, &len, &cap, suite);
    snprintf(line, sizeof(line),
             "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n", n,
             fails, errors, skips, total);
    raw_append(&buf, &len, &cap, line);
    for (size_t i = 0; i < n; i++) {
        raw_append(&buf, &len, &cap, "    <testcase classname=\"");
        xml_append(&buf, &len, &cap, suite);
        raw_append(&buf, &len, &cap, "\" name=\"");
        xml_append(&buf, &len, &cap, r[i].id);
        snprintf(line, sizeof(line), "\" time=\"%.3f\">\n", r[i].seconds);
        raw_append(&buf, &len, &cap, line);
        static const char *const TAG[] = {NULL, "failure", "error", "skipped"};
        const char *tag = TAG[r[i].verdict];
        if (tag) {
            snprintf(line, sizeof(line), "      <%s message=\"", tag);
            raw_append(&buf, &len, &cap, line);
            xml_append(&buf, &len, &cap, r[i].detail);
            snprintf(line, sizeof(line), "\"/>\n");
            raw_append(&buf, &len, &cap, line);
        }
        raw_append(&buf, &len, &cap, "      <system-out>");
        xml_append(&buf, &len, &cap, r[i].description);
        raw_append(&buf, &len, &cap, ": ");
        xml_append(&buf, &len, &cap, r[i].detail);
        raw_append(&buf, &len, &cap, "</system-out>\n    </testcase>\n");
    }
    raw_append(&buf, &len, &cap, "  </testsuite>\n</testsuites>\n");
    int rc = buf ? file_write_atomic(path, buf, len, 0644) : -1;
    free(buf);
    return rc;
}

int zbh_report_tap(const char *path, const zbh_case_result *r, size_t n)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "TAP version 13\n1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        /* TAP descriptions end at a newline or '#'; keep them on one line */
        char detail[640];
        snprintf(detail, sizeof(detail), "%s", r[i].detail);
        for (char *p = detail; *p; p++)
            if (*p == '\n' || *p == '#') *p = ' ';
        if (r[i].verdict == ZBH_SKIP)
            fprintf(f, "ok %zu - %s # SKIP %s\n", i + 1, r[i].id, detail);
        else
            fprintf(f, "%s %zu - %s: %s\n", r[i].verdict == ZBH_PASS ? "ok" : "not ok", i + 1,
                    r[i].id, detail);
    }
    return f == stdout ? 0 : fclose(f);
}

int zbh_report_exit_code(const zbh_case_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].verdict == ZBH_FAILED || r[i].verdict == ZBH_ERROR) return 1;
    return 0;
}
