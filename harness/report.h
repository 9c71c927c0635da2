/* report.h - test-case results for CI: a human line per case with progress, JUnit XML (what
 * CI systems render) and TAP. Used by the round-trip matrix and the conformance suite. */
#ifndef ZB_REPORT_H
#define ZB_REPORT_H

#include "roundtrip.h"

#include <stddef.h>
#include <stdio.h>

typedef struct zbh_case_result {
    char id[96];
    char description[160];
    enum zbh_verdict verdict;
    char detail[640]; /* reason for FAIL/ERROR/SKIP, or facts for PASS */
    double seconds;
} zbh_case_result;

/* "[ 3/16] PASS  id  detail  (1.2 s)" */
void zbh_report_progress(FILE *f, size_t i, size_t n, const zbh_case_result *r);
/* Writes JUnit XML (one <testsuite>). Returns 0 or -1 (errno set). */
int zbh_report_junit(const char *path, const char *suite, const zbh_case_result *r, size_t n);
/* Writes TAP version 13. Returns 0 or -1. */
int zbh_report_tap(const char *path, const zbh_case_result *r, size_t n);
/* 0 when every case passed or was skipped, 1 otherwise. */
int zbh_report_exit_code(const zbh_case_result *r, size_t n);

#endif
