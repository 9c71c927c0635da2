/* test_report.c - the CI report pieces: --shard K/N parsing and its round-robin deal (every
 * index in exactly one shard), --targets lists, escaping for XML/HTML, JUnit with properties
 * and a failure added after the run (a golden difference), and the HTML/markdown grid layout
 * (every row x column drawn, missing pairs as "not run", extra lines and notes shown). */
#include "fileio.h"
#include "report.h"
#include "select.h"
#include "strbuf.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(select, shard_parse_accepts_and_refuses)
{
    zbh_shard s;
    char err[128];
    cr_assert(zbh_shard_parse("2/4", &s, err, sizeof(err)) == 0 && s.k == 2 && s.n == 4);
    cr_assert(zbh_shard_parse("1/1", &s, err, sizeof(err)) == 0);
    static const char *const BAD[] = {"0/4",  "5/4",  "4",      "/4",   "2/", "a/b",
                                      "-1/4", "1/-4", "1/1001", "2/4x", "",   "1/0"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++)
        cr_assert(zbh_shard_parse(BAD[i], &s, err, sizeof(err)) < 0, "accepted '%s'", BAD[i]);
    cr_assert(strstr(err, "K/N"));
}

Test(select, shards_cover_every_index_once)
{
    for (unsigned n = 1; n <= 9; n++)
        for (size_t i = 0; i < 100; i++) {
            unsigned owners = 0;
            for (unsigned k = 1; k <= n; k++)
                owners += (unsigned)zbh_shard_has(&(zbh_shard){k, n}, i);
            cr_assert(owners == 1, "index %zu is in %u shards of %u", i, owners, n);
        }
}

Test(select, lists_match_whole_names_only)
{
    cr_assert(zbh_list_has(NULL, "zboss"));
    cr_assert(zbh_list_has("znp-zstack30,zboss", "zboss"));
    cr_assert(!zbh_list_has("znp-zstack30x,zboss", "znp-zstack30"));
    cr_assert(!zbh_list_has("znp", "znp-zstack30"));
    char err[256];
    cr_assert(zbh_list_check("znp-zstack30,zboss", err, sizeof(err)) == 0);
    cr_assert(zbh_list_check("znp-zstack30,zbos", err, sizeof(err)) < 0);
    cr_assert(strstr(err, "zbos: no such target"), "%s", err);
    cr_assert(zbh_list_check("", err, sizeof(err)) < 0);
}

Test(strbuf, escapes_markup_and_control_characters)
{
    zb_sb b = {0};
    zb_sb_escaped(&b, "a<b>&\"c'\x01\n");
    zb_sb_printf(&b, "|%0300d|", 7); /* longer than the printf fast path */
    cr_assert(!b.failed);
    cr_assert(strncmp(b.buf, "a&lt;b&gt;&amp;&quot;c&#39;?\n|", 30) == 0, "%s", b.buf);
    cr_assert(b.len == 30 + 300 + 1);
    zb_sb_free(&b);
}

static char *slurp(const char *path)
{
    size_t len;
    char *t = file_read_all(path, 1 << 20, &len);
    cr_assert(t, "%s", path);
    return t;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static int write_junit(const char *path, const zbh_case_result *r)
{
    return zbh_report_junit(path, "s", NULL, r, 1);
}

static int write_tap(const char *path, const zbh_case_result *r)
{
    return zbh_report_tap(path, r, 1);
}

Test(report, junit_has_properties_and_late_failures)
{
    zbh_case_result r[2] = {{.id = "a->b", .description = "d", .verdict = ZBH_PASS},
                            {.id = "b->a", .description = "d", .verdict = ZBH_PASS}};
    zbh_text_set(&r[0].detail, "8 devices");
    zbh_case_fail_after(&r[0], "differs from golden");
    cr_assert(r[0].verdict == ZBH_FAILED);
    cr_assert_str_eq(zbh_text_get(&r[0].detail), "differs from golden; 8 devices");
    zbh_report_props p = {0};
    zbh_props_common(&p, "roundtrip");
    zbh_props_add(&p, "firmware", "Z-Stack <3.x> & \"co\"");
    char path[] = "/tmp/zbh-test-junit-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert(zbh_report_junit(path, "s", &p, r, 2) == 0);
    char *x = slurp(path);
    cr_assert(strstr(x, "failures=\"1\""), "%s", x);
    cr_assert(strstr(x, "<property name=\"firmware\" value=\"Z-Stack &lt;3.x&gt; &amp; "
                        "&quot;co&quot;\"/>"));
    cr_assert(strstr(x, "<property name=\"date\" value=\"20"));
    cr_assert(count(x, "<failure ") == 1);
    free(x);
    unlink(path);
    zbh_case_results_free(r, 2);
}

/* A reason far past the old 600/640-byte details (a long path, a driver's message, a log
 * tail) reaches every report whole: the terminal line, JUnit, TAP, HTML and markdown. */
Test(report, long_details_are_never_cut)
{
    char reason[3000], tail[40];
    size_t o = 0;
    for (int i = 0; o + 20 < sizeof(reason) - sizeof(tail); i++)
        o += (size_t)snprintf(reason + o, sizeof(reason) - o, "word%04d ", i);
    snprintf(tail, sizeof(tail), "THE-END-%zu", o);
    snprintf(reason + o, sizeof(reason) - o, "%s", tail);
    cr_assert_gt(strlen(reason), 2500);
    zbh_case_result r[1] = {{.id = "long", .description = "d", .verdict = ZBH_PASS}};
    zbh_text_set(&r[0].detail, "first half");
    zbh_case_fail_after(&r[0], reason);
    const char *d = zbh_text_get(&r[0].detail);
    cr_assert_eq(strlen(d), strlen(reason) + strlen("; first half"));
    cr_assert(strstr(d, tail) && strstr(d, "; first half"));
    char path[] = "/tmp/zbh-test-long-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    const struct {
        const char *what;
        int (*write)(const char *path, const zbh_case_result *r);
    } OUT[] = {{"junit", write_junit}, {"tap", write_tap}};
    for (size_t i = 0; i < 2; i++) {
        cr_assert(OUT[i].write(path, r) == 0);
        char *x = slurp(path);
        cr_expect(strstr(x, tail) && strstr(x, "; first half"), "%s: cut", OUT[i].what);
        free(x);
    }
    zbh_grid_cell c[1] = {{.row = "A", .col = "B", .verdict = ZBH_FAILED}};
    zbh_text_set(&c[0].detail, "%s", d);
    zbh_grid_note(&c[0], "%s", d);
    zbh_grid g = {"t", "src \\ dst", NULL, c, 1, NULL, NULL, 0, 0};
    cr_assert(zbh_report_html(path, &g) == 0);
    char *h = slurp(path);
    cr_expect_eq(count(h, tail), 3, "html: the detail and the note in the title, the note below");
    free(h);
    cr_assert(zbh_report_markdown(path, &g) == 0);
    char *m = slurp(path);
    cr_expect(strstr(m, tail), "markdown: the note, whole");
    free(m);
    unlink(path);
    zbh_grid_cells_free(c, 1);
    zbh_case_results_free(r, 1);
}

Test(report, grid_draws_every_row_and_column)
{
    zbh_grid_cell c[3] = {{.row = "A", .col = "A", .verdict = ZBH_PASS},
                          {.row = "A", .col = "B", .verdict = ZBH_FAILED},
                          {.row = "B", .col = "B", .verdict = ZBH_SKIP}};
    zbh_grid_line(&c[1], "2 lost");
    zbh_grid_note(&c[1], "lost <x>: why");
    zbh_grid_note(&c[1], "world: alive");
    const char *axis[] = {"A", "B", "C"};
    zbh_grid g = {"t", "src \\ dst", NULL, c, 3, axis, axis, 3, 3};
    char path[] = "/tmp/zbh-test-html-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert(zbh_report_html(path, &g) == 0);
    char *h = slurp(path);
    cr_assert(count(h, "<td class=\"cell ") == 9, "%zu", count(h, "<td class=\"cell "));
    cr_assert(count(h, "data-verdict=\"NONE\"") == 6);
    cr_assert(count(h, "class=\"cell v-fail\"") == 1);
    cr_assert(strstr(h, "<span class=\"line\">2 lost</span>"));
    cr_assert(strstr(h, "<li>lost &lt;x&gt;: why</li><li>world: alive</li>"));
    cr_assert(strstr(h, "data-rows=\"3\" data-cols=\"3\""));
    cr_assert(!strstr(h, "http") && !strstr(h, "<script"));
    free(h);
    cr_assert(zbh_report_markdown(path, &g) == 0);
    char *m = slurp(path);
    cr_assert(count(m, "\n| **") == 3, "%s", m);
    cr_assert(strstr(m, "[^1]: **A \xE2\x86\x92 B** (FAIL): lost &lt;x&gt;: why; world: alive"),
              "%s", m);
    free(m);
    unlink(path);
    zbh_grid_cells_free(c, 3);
}
