/* report_html.c - the results as a picture: a grid of verdict-coloured cells in one HTML file
 * (inline style, no script, no external asset: it opens from a CI artefact store or a mail
 * attachment as it is) or as a GitHub-flavoured markdown table (a job summary, a PR comment).
 * Every text from devices and files is escaped. Each cell carries its verdict as a class
 * (v-pass, v-fail, v-error, v-skip, v-none) and as data-verdict, so a browser test can count
 * what rendered. */
#include "report.h"

#include "fileio.h"
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void zbh_grid_line(zbh_grid_cell *c, const char *fmt, ...)
{
    if (c->n_lines >= sizeof(c->lines) / sizeof(c->lines[0])) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->lines[c->n_lines++], sizeof(c->lines[0]), fmt, ap);
    va_end(ap);
}

void zbh_grid_note(zbh_grid_cell *c, const char *fmt, ...)
{
    if (c->n_notes >= sizeof(c->notes) / sizeof(c->notes[0])) return;
    va_list ap;
    va_start(ap, fmt);
    zb_sb b = {0};
    zb_sb_vprintf(&b, fmt, ap);
    va_end(ap);
    zbh_text_take(&c->notes[c->n_notes++], &b); /* whole, or said lost */
}

void zbh_grid_cells_free(zbh_grid_cell *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        zbh_text_free(&c[i].detail);
        for (size_t k = 0; k < c[i].n_notes; k++)
            zbh_text_free(&c[i].notes[k]);
        c[i].n_notes = 0;
    }
}

/* The distinct row and column names in order of first appearance, and for each (row, col) the
 * cell that names it (or NULL). */
typedef struct layout {
    const char **rows, **cols;
    const zbh_grid_cell **rtitle; /* a cell of the row, for its title (NULL: none) */
    size_t nr, nc;
    const zbh_grid_cell **at; /* nr * nc */
} layout;

static size_t index_of(const char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    return n;
}

static int layout_build(const zbh_grid *g, layout *l)
{
    memset(l, 0, sizeof(*l));
    size_t cap = g->n + g->n_rows + g->n_cols + 1;
    l->rows = calloc(cap, sizeof(*l->rows));
    l->cols = calloc(cap, sizeof(*l->cols));
    l->rtitle = calloc(cap, sizeof(*l->rtitle));
    if (!l->rows || !l->cols || !l->rtitle) goto nomem;
    for (size_t i = 0; i < g->n_rows; i++)
        if (index_of(l->rows, l->nr, g->rows[i]) == l->nr) l->rows[l->nr++] = g->rows[i];
    for (size_t i = 0; i < g->n_cols; i++)
        if (index_of(l->cols, l->nc, g->cols[i]) == l->nc) l->cols[l->nc++] = g->cols[i];
    for (size_t i = 0; i < g->n; i++) {
        size_t r = index_of(l->rows, l->nr, g->cells[i].row);
        if (r == l->nr) l->rows[l->nr++] = g->cells[i].row;
        if (!l->rtitle[r]) l->rtitle[r] = &g->cells[i];
        if (index_of(l->cols, l->nc, g->cells[i].col) == l->nc) l->cols[l->nc++] = g->cells[i].col;
    }
    l->at = calloc(l->nr * l->nc + 1, sizeof(*l->at));
    if (!l->at) goto nomem;
    for (size_t i = 0; i < g->n; i++) {
        size_t r = index_of(l->rows, l->nr, g->cells[i].row);
        size_t c = index_of(l->cols, l->nc, g->cells[i].col);
        l->at[r * l->nc + c] = &g->cells[i];
    }
    return 0;
nomem:
    free(l->rows);
    free(l->cols);
    free(l->rtitle);
    errno = ENOMEM;
    return -1;
}

static void layout_free(layout *l)
{
    free(l->rows);
    free(l->cols);
    free(l->rtitle);
    free(l->at);
}

static const char *const VERDICT_CLASS[] = {"v-pass", "v-fail", "v-error", "v-skip"};

static int write_out(const char *path, zb_sb *b)
{
    int rc = -1;
    if (b->failed)
        errno = ENOMEM;
    else
        rc = file_write(path, b->buf ? b->buf : "", b->len, 0644, 0);
    zb_sb_free(b);
    return rc;
}

static void count_verdicts(const zbh_grid *g, size_t counts[4])
{
    memset(counts, 0, 4 * sizeof(counts[0]));
    for (size_t i = 0; i < g->n; i++)
        counts[g->cells[i].verdict]++;
}

static const char STYLE[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1b1b1b}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    "table{border-collapse:collapse}"
    "th,td{border:1px solid #b0b0b0;padding:5px 9px;vertical-align:top}"
    "table.props th{text-align:left;background:#f3f3f3;font-weight:600}"
    "table.grid th{background:#f3f3f3;font-weight:600}"
    "table.grid th.row{text-align:left}"
    "td.cell{text-align:center;min-width:90px}"
    "td.cell .verdict{display:block;font-weight:700}"
    "td.cell .line{display:block;font-size:12px}"
    "td.cell sup a{text-decoration:none;color:inherit}"
    ".v-pass{background:#c7e8c9}.v-fail{background:#f8c4c4}.v-error{background:#fbd9a8}"
    ".v-skip{background:#e4e4e4}.v-none{background:#fff;color:#8a8a8a}"
    ".legend span{display:inline-block;padding:2px 10px;margin-right:6px;border:1px solid #b0b0b0}"
    "ol.notes li{margin-bottom:4px}ol.notes ul{margin:2px 0}";

int zbh_report_html(const char *path, const zbh_grid *g)
{
    layout l;
    if (layout_build(g, &l) < 0) return -1;
    zb_sb b = {0};
    zb_sb_put(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    zb_sb_escaped(&b, g->title);
    zb_sb_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", STYLE);
    zb_sb_escaped(&b, g->title);
    zb_sb_put(&b, "</h1>\n");
    if (g->props && g->props->n) {
        zb_sb_put(&b, "<table class=\"props\">\n");
        for (size_t i = 0; i < g->props->n; i++) {
            zb_sb_put(&b, "<tr><th>");
            zb_sb_escaped(&b, g->props->p[i].name);
            zb_sb_put(&b, "</th><td>");
            zb_sb_escaped(&b, g->props->p[i].value);
            zb_sb_put(&b, "</td></tr>\n");
        }
        zb_sb_put(&b, "</table>\n");
    }
    size_t counts[4];
    count_verdicts(g, counts);
    zb_sb_printf(&b,
                 "<p class=\"legend\"><span class=\"v-pass\">PASS %zu</span><span "
                 "class=\"v-fail\">FAIL %zu</span><span class=\"v-error\">ERROR %zu</span><span "
                 "class=\"v-skip\">SKIP %zu</span><span class=\"v-none\">not run %zu</span></p>\n",
                 counts[0], counts[1], counts[2], counts[3], l.nr * l.nc - g->n);
    zb_sb_printf(&b, "<table class=\"grid\" id=\"grid\" data-rows=\"%zu\" data-cols=\"%zu\">\n",
                 l.nr, l.nc);
    zb_sb_put(&b, "<thead><tr><th class=\"corner\">");
    zb_sb_escaped(&b, g->corner);
    zb_sb_put(&b, "</th>");
    for (size_t c = 0; c < l.nc; c++) {
        zb_sb_put(&b, "<th class=\"col\" scope=\"col\">");
        zb_sb_escaped(&b, l.cols[c]);
        zb_sb_put(&b, "</th>");
    }
    zb_sb_put(&b, "</tr></thead>\n<tbody>\n");
    size_t note_no = 0;
    for (size_t r = 0; r < l.nr; r++) {
        zb_sb_put(&b, "<tr><th class=\"row\" scope=\"row\" title=\"");
        zb_sb_escaped(&b, l.rtitle[r] ? l.rtitle[r]->row_title : "");
        zb_sb_put(&b, "\">");
        zb_sb_escaped(&b, l.rows[r]);
        zb_sb_put(&b, "</th>");
        for (size_t c = 0; c < l.nc; c++) {
            const zbh_grid_cell *x = l.at[r * l.nc + c];
            if (!x) {
                zb_sb_put(&b, "<td class=\"cell v-none\" data-verdict=\"NONE\" title=\"not run "
                              "(another shard, or not selected)\"><span "
                              "class=\"verdict\">&#8211;</span></td>");
                continue;
            }
            zb_sb_printf(&b, "<td class=\"cell %s\" data-verdict=\"%s\" title=\"",
                         VERDICT_CLASS[x->verdict], zbh_verdict_name(x->verdict));
            zb_sb_escaped(&b, x->row);
            zb_sb_put(&b, " / ");
            zb_sb_escaped(&b, x->col);
            zb_sb_printf(&b, ": %s\n", zbh_verdict_name(x->verdict));
            zb_sb_escaped(&b, zbh_text_get(&x->detail));
            for (size_t i = 0; i < x->n_notes; i++) {
                zb_sb_put(&b, "\n");
                zb_sb_escaped(&b, zbh_text_get(&x->notes[i]));
            }
            zb_sb_printf(&b, "\"><span class=\"verdict\">%s</span>", zbh_verdict_name(x->verdict));
            for (size_t i = 0; i < x->n_lines; i++) {
                zb_sb_put(&b, "<span class=\"line\">");
                zb_sb_escaped(&b, x->lines[i]);
                zb_sb_put(&b, "</span>");
            }
            if (x->n_notes) {
                note_no++;
                zb_sb_printf(&b, "<sup><a href=\"#note-%zu\">[%zu]</a></sup>", note_no, note_no);
            }
            zb_sb_put(&b, "</td>");
        }
        zb_sb_put(&b, "</tr>\n");
    }
    zb_sb_put(&b, "</tbody>\n</table>\n");
    if (note_no) {
        zb_sb_put(&b, "<h2>Notes</h2>\n<ol class=\"notes\">\n");
        size_t k = 0;
        for (size_t r = 0; r < l.nr; r++)
            for (size_t c = 0; c < l.nc; c++) {
                const zbh_grid_cell *x = l.at[r * l.nc + c];
                if (!x || !x->n_notes) continue;
                k++;
                zb_sb_printf(&b, "<li value=\"%zu\" id=\"note-%zu\"><b>", k, k);
                zb_sb_escaped(&b, x->row);
                zb_sb_put(&b, " &#8594; ");
                zb_sb_escaped(&b, x->col);
                zb_sb_printf(&b, "</b> (%s)<ul>", zbh_verdict_name(x->verdict));
                for (size_t i = 0; i < x->n_notes; i++) {
                    zb_sb_put(&b, "<li>");
                    zb_sb_escaped(&b, zbh_text_get(&x->notes[i]));
                    zb_sb_put(&b, "</li>");
                }
                zb_sb_put(&b, "</ul></li>\n");
            }
        zb_sb_put(&b, "</ol>\n");
    }
    zb_sb_put(&b, "</body>\n</html>\n");
    layout_free(&l);
    return write_out(path, &b);
}

/* Markdown table cells: one line, no '|', nothing GitHub would read as markup or HTML. */
static void md_escaped(zb_sb *b, const char *s)
{
    for (; *s; s++) {
        char tmp[2] = {*s, '\0'};
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '[' ||
            *s == ']') {
            zb_sb_put(b, "\\");
            zb_sb_put(b, tmp);
        } else if (*s == '<')
            zb_sb_put(b, "&lt;");
        else if (*s == '>')
            zb_sb_put(b, "&gt;");
        else if (*s == '&')
            zb_sb_put(b, "&amp;");
        else if ((unsigned char)*s < 0x20)
            zb_sb_put(b, " ");
        else
            zb_sb_put(b, tmp);
    }
}

int zbh_report_markdown(const char *path, const zbh_grid *g)
{
    static const char *const MARK[] = {"\xF0\x9F\x9F\xA9", "\xF0\x9F\x9F\xA5", "\xF0\x9F\x9F\xA7",
                                       "\xE2\xAC\x9C"}; /* green, red, orange, white squares */
    layout l;
    if (layout_build(g, &l) < 0) return -1;
    zb_sb b = {0};
    zb_sb_put(&b, "## ");
    md_escaped(&b, g->title);
    zb_sb_put(&b, "\n\n");
    if (g->props && g->props->n) {
        zb_sb_put(&b, "| property | value |\n|---|---|\n");
        for (size_t i = 0; i < g->props->n; i++) {
            zb_sb_put(&b, "| ");
            md_escaped(&b, g->props->p[i].name);
            zb_sb_put(&b, " | ");
            md_escaped(&b, g->props->p[i].value);
            zb_sb_put(&b, " |\n");
        }
        zb_sb_put(&b, "\n");
    }
    size_t counts[4];
    count_verdicts(g, counts);
    zb_sb_printf(&b, "%s PASS %zu, %s FAIL %zu, %s ERROR %zu, %s SKIP %zu, not run %zu\n\n",
                 MARK[0], counts[0], MARK[1], counts[1], MARK[2], counts[2], MARK[3], counts[3],
                 l.nr * l.nc - g->n);
    zb_sb_put(&b, "| ");
    md_escaped(&b, g->corner);
    for (size_t c = 0; c < l.nc; c++) {
        zb_sb_put(&b, " | ");
        md_escaped(&b, l.cols[c]);
    }
    zb_sb_put(&b, " |\n|---");
    for (size_t c = 0; c < l.nc; c++)
        zb_sb_put(&b, "|:---:");
    zb_sb_put(&b, "|\n");
    size_t note_no = 0;
    for (size_t r = 0; r < l.nr; r++) {
        zb_sb_put(&b, "| **");
        md_escaped(&b, l.rows[r]);
        zb_sb_put(&b, "**");
        for (size_t c = 0; c < l.nc; c++) {
            const zbh_grid_cell *x = l.at[r * l.nc + c];
            zb_sb_put(&b, " | ");
            if (!x) {
                zb_sb_put(&b, "&#8211;");
                continue;
            }
            zb_sb_printf(&b, "%s %s", MARK[x->verdict], zbh_verdict_name(x->verdict));
            for (size_t i = 0; i < x->n_lines; i++) {
                zb_sb_put(&b, "<br>");
                md_escaped(&b, x->lines[i]);
            }
            if (x->n_notes) zb_sb_printf(&b, " [^%zu]", ++note_no);
        }
        zb_sb_put(&b, " |\n");
    }
    if (note_no) {
        zb_sb_put(&b, "\n");
        size_t k = 0;
        for (size_t r = 0; r < l.nr; r++)
            for (size_t c = 0; c < l.nc; c++) {
                const zbh_grid_cell *x = l.at[r * l.nc + c];
                if (!x || !x->n_notes) continue;
                zb_sb_printf(&b, "[^%zu]: **", ++k);
                md_escaped(&b, x->row);
                zb_sb_put(&b, " \xE2\x86\x92 ");
                md_escaped(&b, x->col);
                zb_sb_printf(&b, "** (%s): ", zbh_verdict_name(x->verdict));
                for (size_t i = 0; i < x->n_notes; i++) {
                    if (i) zb_sb_put(&b, "; ");
                    md_escaped(&b, zbh_text_get(&x->notes[i]));
                }
                zb_sb_put(&b, "\n");
            }
    }
    layout_free(&l);
    return write_out(path, &b);
}
