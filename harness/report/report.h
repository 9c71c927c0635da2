/* report.h - test-case results for CI: a human line per case with progress, JUnit XML (what
 * CI systems render, with the device's properties), TAP, and pictures: the results as a grid
 * (roundtrip: source rows x target columns; conformance: case rows x device columns) in
 * self-contained HTML or markdown. Used by the round-trip matrix and the conformance suite. */
#ifndef ZB_REPORT_H
#define ZB_REPORT_H

#include "roundtrip.h"

#include <stddef.h>
#include <stdio.h>

typedef struct zbh_case_result {
    char id[96];
    char description[160];
    enum zbh_verdict verdict;
    zbh_text detail; /* reason for FAIL/ERROR/SKIP, or facts for PASS: whole, owned */
    double seconds;
} zbh_case_result;

/* Frees the details of n results (the results themselves are the caller's). */
void zbh_case_results_free(zbh_case_result *r, size_t n);

/* Name/value pairs for the JUnit <properties> block and the head of the HTML page. */
typedef struct zbh_report_props {
    struct {
        char name[64];
        char value[256];
    } p[64]; /* 5 per device: 9 emulated targets and the common ones fit */
    size_t n;
} zbh_report_props;

/* Adds one (silently dropped past the 64th). */
void zbh_props_add(zbh_report_props *p, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* date (UTC, ISO 8601), zbharness version, host name. */
void zbh_props_common(zbh_report_props *p, const char *command);

/* "[ 3/16] PASS  id  detail  (1.2 s)" */
void zbh_report_progress(FILE *f, size_t i, size_t n, const zbh_case_result *r);
/* Writes JUnit XML (one <testsuite> with props as <properties>; props may be NULL). Returns 0
 * or -1 (errno set). */
int zbh_report_junit(const char *path, const char *suite, const zbh_report_props *props,
                     const zbh_case_result *r, size_t n);
/* Writes TAP version 13 ('-': stdout, which then carries nothing else). Returns 0 or -1. */
int zbh_report_tap(const char *path, const zbh_case_result *r, size_t n);
/* 0 when every case passed or was skipped, 1 otherwise. */
int zbh_report_exit_code(const zbh_case_result *r, size_t n);
/* Marks a case failed for a reason found after it ran (e.g. a golden difference): the verdict
 * becomes FAIL unless it is already FAIL/ERROR, and the reason goes in front of the detail
 * (whole: nothing is cut). */
void zbh_case_fail_after(zbh_case_result *r, const char *reason);

/* One cell of a picture. Every cell shows its verdict (colour and word), its `lines` (short
 * facts: "3 lost", a world verdict...) and a footnote mark when it has notes; hovering shows
 * the detail and the notes. New facts a cell reports go in lines/notes: the renderers need no
 * change. */
typedef struct zbh_grid_cell {
    char row[64], col[64];
    char row_title[160]; /* hover text of the row header (e.g. a case description), may be "" */
    enum zbh_verdict verdict;
    char lines[4][48];
    size_t n_lines;
    zbh_text notes[16]; /* footnote lines: each loss "field: why", a golden difference... */
    size_t n_notes;
    zbh_text detail; /* whole, owned, as the notes */
} zbh_grid_cell;

/* Frees the detail and notes of n cells. */
void zbh_grid_cells_free(zbh_grid_cell *c, size_t n);

typedef struct zbh_grid {
    const char *title;  /* "zbharness roundtrip: migration matrix" */
    const char *corner; /* header of the row labels: "source \\ target" */
    const zbh_report_props *props;
    const zbh_grid_cell *cells;
    size_t n;
    /* optional: every row and column of the whole run, in order (a shard's picture shows the
     * cells of the other shards as "not run"); names no cell uses are still drawn */
    const char *const *rows, *const *cols;
    size_t n_rows, n_cols;
} zbh_grid;

void zbh_grid_line(zbh_grid_cell *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void zbh_grid_note(zbh_grid_cell *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rows and columns are g->rows/cols, then the distinct row/col names of the cells not among
 * them, in order of first appearance; a pair no cell names is drawn as "not run". Both return 0 or
 * -1 (errno set). */
int zbh_report_html(const char *path, const zbh_grid *g);
int zbh_report_markdown(const char *path, const zbh_grid *g);

#endif
