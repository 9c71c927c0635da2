/* report.c - JUnit XML and TAP writers. Text from devices and files goes into XML attributes
 * and bodies, so everything is escaped; nothing here ever prints key material (the details
 * come from redacted messages). Each report is built whole in memory and written by
 * file_write, so a report path means what it means for a backup (a file, a pipe, /dev/stdout). */
#include "report.h"

#include "fileio.h"
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void zbh_props_add(zbh_report_props *p, const char *name, const char *fmt, ...)
{
    if (p->n >= sizeof(p->p) / sizeof(p->p[0])) return;
    snprintf(p->p[p->n].name, sizeof(p->p[p->n].name), "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->p[p->n].value, sizeof(p->p[p->n].value), fmt, ap);
    va_end(ap);
    p->n++;
}

void zbh_props_common(zbh_report_props *p, const char *command)
{
    time_t now = time(NULL);
    struct tm tm;
    char date[32] = "?", host[128] = "?";
    if (gmtime_r(&now, &tm)) strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gethostname(host, sizeof(host)) != 0) snprintf(host, sizeof(host), "?");
    host[sizeof(host) - 1] = '\0';
    zbh_props_add(p, "date", "%s", date);
    zbh_props_add(p, "zbharness.version", "%s", ZB_VERSION);
    zbh_props_add(p, "zbharness.command", "%s", command);
    zbh_props_add(p, "host", "%s", host);
}

void zbh_report_progress(FILE *f, size_t i, size_t n, const zbh_case_result *r)
{
    fprintf(f, "[%2zu/%zu] %-5s %-36s %s (%.1f s)\n", i + 1, n, zbh_verdict_name(r->verdict), r->id,
            zbh_text_get(&r->detail), r->seconds);
    fflush(f);
}

int zbh_report_junit(const char *path, const char *suite, const zbh_report_props *props,
                     const zbh_case_result *r, size_t n)
{
    size_t fails = 0, errors = 0, skips = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        fails += r[i].verdict == ZBH_FAILED;
        errors += r[i].verdict == ZBH_ERROR;
        skips += r[i].verdict == ZBH_SKIP;
        total += r[i].seconds;
    }
    zb_sb b = {0};
    zb_sb_put(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
    zb_sb_escaped(&b, suite);
    zb_sb_printf(&b,
                 "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                 "time=\"%.3f\">\n",
                 n, fails, errors, skips, total);
    if (props && props->n) {
        zb_sb_put(&b, "    <properties>\n");
        for (size_t i = 0; i < props->n; i++) {
            zb_sb_put(&b, "      <property name=\"");
            zb_sb_escaped(&b, props->p[i].name);
            zb_sb_put(&b, "\" value=\"");
            zb_sb_escaped(&b, props->p[i].value);
            zb_sb_put(&b, "\"/>\n");
        }
        zb_sb_put(&b, "    </properties>\n");
    }
    static const char *const TAG[] = {NULL, "failure", "error", "skipped"};
    for (size_t i = 0; i < n; i++) {
        zb_sb_put(&b, "    <testcase classname=\"");
        zb_sb_escaped(&b, suite);
        zb_sb_put(&b, "\" name=\"");
        zb_sb_escaped(&b, r[i].id);
        zb_sb_printf(&b, "\" time=\"%.3f\">\n", r[i].seconds);
        const char *tag = TAG[r[i].verdict];
        if (tag) {
            zb_sb_printf(&b, "      <%s message=\"", tag);
            zb_sb_escaped(&b, zbh_text_get(&r[i].detail));
            zb_sb_put(&b, "\"/>\n");
        }
        zb_sb_put(&b, "      <system-out>");
        zb_sb_escaped(&b, r[i].description);
        zb_sb_put(&b, ": ");
        zb_sb_escaped(&b, zbh_text_get(&r[i].detail));
        zb_sb_put(&b, "</system-out>\n    </testcase>\n");
    }
    zb_sb_put(&b, "  </testsuite>\n</testsuites>\n");
    return zb_sb_write_file(&b, path, 0644, 0);
}

/* TAP descriptions end at a newline or '#': the whole text on one line */
static void tap_text(zb_sb *b, const char *s)
{
    while (*s) {
        size_t run = strcspn(s, "\n#");
        zb_sb_add(b, s, run);
        s += run;
        if (*s) {
            zb_sb_put(b, " ");
            s++;
        }
    }
}

int zbh_report_tap(const char *path, const zbh_case_result *r, size_t n)
{
    zb_sb b = {0};
    zb_sb_printf(&b, "TAP version 13\n1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        if (r[i].verdict == ZBH_SKIP)
            zb_sb_printf(&b, "ok %zu - %s # SKIP ", i + 1, r[i].id);
        else
            zb_sb_printf(&b, "%s %zu - %s: ", r[i].verdict == ZBH_PASS ? "ok" : "not ok", i + 1,
                         r[i].id);
        tap_text(&b, zbh_text_get(&r[i].detail));
        zb_sb_put(&b, "\n");
    }
    /* '-' is standard output, which file_write writes in place */
    return zb_sb_write_file(&b, strcmp(path, "-") == 0 ? "/dev/stdout" : path, 0644, 0);
}

int zbh_report_exit_code(const zbh_case_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].verdict == ZBH_FAILED || r[i].verdict == ZBH_ERROR) return 1;
    return 0;
}

void zbh_case_fail_after(zbh_case_result *r, const char *reason)
{
    if (r->verdict != ZBH_ERROR) r->verdict = ZBH_FAILED;
    zb_sb b = {0};
    zb_sb_put(&b, reason);
    const char *old = zbh_text_get(&r->detail);
    if (old[0]) {
        zb_sb_put(&b, "; ");
        zb_sb_put(&b, old);
    }
    zbh_text_take(&r->detail, &b);
}

void zbh_case_results_free(zbh_case_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zbh_text_free(&r[i].detail);
}
