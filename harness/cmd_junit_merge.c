/* cmd_junit_merge.c - `zbharness junit-merge -o OUT FILE...`: the JUnit files of a sharded
 * run (roundtrip/conformance --shard K/N on N CI runners) as one report. Test cases are
 * copied as they are (already escaped), grouped by suite name in the order the files are
 * given; the counts are recounted from the cases, the properties are the union (first value
 * wins; "shard" becomes the list of shards merged). A case name that appears in two files
 * means the shards overlap: the merge keeps the first copy, is written, and exits 1.
 *
 * This reads the JUnit zbharness writes (and JUnit of the same plain shape): <testsuite>
 * elements with <properties> and <testcase> children, no CDATA, no nested suites. */
#include "cli.h"
#include "fileio.h"
#include "strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUITES 16

typedef struct suite {
    char name[256]; /* as written (escaped) */
    zb_sb cases, props;
    char **prop_names;
    size_t n_props, n_cases, failures, errors, skipped;
    double time;
    zb_sb shards;
} suite;

/* The value of attribute `attr` in the start tag [tag, end), still escaped; "" if absent. */
static void attr_of(const char *tag, const char *end, const char *attr, char *out, size_t cap)
{
    out[0] = '\0';
    size_t al = strlen(attr);
    for (const char *p = tag; p && p < end; p = strchr(p + 1, ' ')) {
        const char *a = p + 1;
        if ((size_t)(end - a) > al + 2 && strncmp(a, attr, al) == 0 && a[al] == '=' &&
            a[al + 1] == '"') {
            const char *v = a + al + 2, *q = memchr(v, '"', (size_t)(end - v));
            if (!q) return;
            size_t n = (size_t)(q - v) < cap - 1 ? (size_t)(q - v) : cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return;
        }
    }
}

static int prop_known(const suite *s, const char *name)
{
    for (size_t i = 0; i < s->n_props; i++)
        if (strcmp(s->prop_names[i], name) == 0) return 1;
    return 0;
}

static void add_props(suite *s, const char *from, const char *to)
{
    for (const char *p = from; (p = strstr(p, "<property ")) != NULL && p < to;) {
        const char *e = strstr(p, "/>");
        if (!e || e > to) return;
        char name[256], value[512];
        attr_of(p, e, "name", name, sizeof(name));
        attr_of(p, e, "value", value, sizeof(value));
        p = e + 2;
        if (strcmp(name, "shard") == 0) {
            zb_sb_printf(&s->shards, "%s%s", s->shards.len ? "," : "", value);
            continue;
        }
        if (!name[0] || prop_known(s, name)) continue;
        char **nn = realloc(s->prop_names, (s->n_props + 1) * sizeof(*nn));
        if (!nn) return;
        s->prop_names = nn;
        if (!(nn[s->n_props] = strdup(name))) return;
        s->n_props++;
        zb_sb_printf(&s->props, "      <property name=\"%s\" value=\"%s\"/>\n", name, value);
    }
}

/* name as the user wrote it: the five entities zbharness writes turned back into characters */
static void unescape(const char *in, char *out, size_t cap)
{
    static const struct {
        const char *ent;
        char ch;
    } ENT[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    size_t o = 0;
    while (*in && o + 1 < cap) {
        size_t i = 0;
        while (i < sizeof(ENT) / sizeof(ENT[0]) && strncmp(in, ENT[i].ent, strlen(ENT[i].ent)))
            i++;
        if (i < sizeof(ENT) / sizeof(ENT[0])) {
            out[o++] = ENT[i].ch;
            in += strlen(ENT[i].ent);
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
}

/* Copies the test cases of one <testsuite> body; returns the number of duplicate names. */
static int add_cases(suite *all, size_t n_all, suite *s, const char *from, const char *to,
                     const char *file)
{
    int dup = 0;
    for (const char *p = from; (p = strstr(p, "<testcase")) != NULL && p < to;) {
        const char *gt = strchr(p, '>');
        if (!gt || gt > to) break;
        const char *end = gt[-1] == '/' ? gt + 1 : strstr(gt, "</testcase>");
        if (!end || end > to) break;
        if (gt[-1] != '/') end += strlen("</testcase>");
        char name[512], needle[600];
        attr_of(p, gt, "name", name, sizeof(name));
        snprintf(needle, sizeof(needle), " name=\"%s\"", name);
        int seen = 0;
        for (size_t i = 0; i < n_all && !seen; i++)
            if (strcmp(all[i].name, s->name) == 0 && all[i].cases.buf &&
                strstr(all[i].cases.buf, needle)) {
                seen = 1;
                char plain[512];
                unescape(name, plain, sizeof(plain));
                fprintf(stderr,
                        "zbharness junit-merge: %s: case %s is already in an earlier file "
                        "(do the shards overlap?)\n",
                        file, plain);
                dup++;
            }
        if (seen) { /* the first file's copy stands; counted once */
            p = end;
            continue;
        }
        size_t len = (size_t)(end - p);
        char *body = strndup(p, len);
        if (!body) break;
        s->failures += strstr(body, "<failure") != NULL;
        s->errors += strstr(body, "<error") != NULL;
        s->skipped += strstr(body, "<skipped") != NULL;
        zb_sb_printf(&s->cases, "    %s\n", body);
        free(body);
        s->n_cases++;
        p = end;
    }
    return dup;
}

static int merge_file(const char *path, suite *suites, size_t *n_suites, int *dups)
{
    size_t len;
    char *text = file_read_all(path, (size_t)64 << 20, &len);
    if (!text) {
        fprintf(stderr, "zbharness junit-merge: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int found = 0;
    for (const char *p = text; (p = strstr(p, "<testsuite")) != NULL;) {
        if (p[10] != ' ' && p[10] != '>') { /* <testsuites> */
            p += 10;
            continue;
        }
        const char *gt = strchr(p, '>'), *end = gt ? strstr(gt, "</testsuite>") : NULL;
        if (!gt || !end) break;
        char name[256], t[64];
        attr_of(p, gt, "name", name, sizeof(name));
        suite *s = NULL;
        for (size_t i = 0; i < *n_suites && !s; i++)
            if (strcmp(suites[i].name, name) == 0) s = &suites[i];
        if (!s) {
            if (*n_suites == MAX_SUITES) break;
            s = &suites[(*n_suites)++];
            snprintf(s->name, sizeof(s->name), "%s", name);
        }
        attr_of(p, gt, "time", t, sizeof(t));
        s->time += atof(t);
        const char *pe = strstr(gt, "</properties>");
        if (pe && pe < end) add_props(s, gt, pe);
        *dups += add_cases(suites, *n_suites, s, gt, end, path);
        found++;
        p = end;
    }
    free(text);
    if (!found) {
        fprintf(stderr, "zbharness junit-merge: %s: no <testsuite> (not a JUnit report?)\n", path);
        return -1;
    }
    return 0;
}

int zbh_cmd_junit_merge(int argc, char **argv)
{
    static const struct option OPTS[] = {{"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h':
            printf(
                "usage: zbharness junit-merge -o OUT FILE...\n\n"
                "Merges the JUnit reports of a sharded run (--shard K/N on N runners) into one:\n"
                "the cases of each suite together, counts recounted, properties united.\n"
                "Exit: 0 merged, 1 a case appears in two files (overlapping shards; OUT is\n"
                "still written), 2 a file is unreadable or not JUnit.\n");
            return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "zbharness junit-merge: -o OUT and at least one FILE (try --help)\n");
        return ZBH_USAGE;
    }
    static suite suites[MAX_SUITES];
    size_t n = 0;
    int dups = 0, rc = ZBH_OK;
    for (int i = optind; i < argc && rc == ZBH_OK; i++)
        if (merge_file(argv[i], suites, &n, &dups) < 0) rc = ZBH_USAGE;
    zb_sb b = {0};
    size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        tests += suites[i].n_cases;
        failures += suites[i].failures;
        errors += suites[i].errors;
        skipped += suites[i].skipped;
    }
    zb_sb_printf(&b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"%zu\" "
                 "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
                 tests, failures, errors, skipped);
    for (size_t i = 0; i < n; i++) {
        suite *s = &suites[i];
        zb_sb_printf(&b,
                     "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                     "skipped=\"%zu\" time=\"%.3f\">\n    <properties>\n",
                     s->name, s->n_cases, s->failures, s->errors, s->skipped, s->time);
        zb_sb_put(&b, s->props.buf ? s->props.buf : "");
        if (s->shards.len)
            zb_sb_printf(&b, "      <property name=\"shards.merged\" value=\"%s\"/>\n",
                         s->shards.buf);
        zb_sb_put(&b, "    </properties>\n");
        zb_sb_put(&b, s->cases.buf ? s->cases.buf : "");
        zb_sb_put(&b, "  </testsuite>\n");
    }
    zb_sb_put(&b, "</testsuites>\n");
    if (rc == ZBH_OK) {
        char why[160];
        if (b.failed || file_write(out, b.buf, b.len, 0644, 0) < 0) {
            fprintf(stderr, "zbharness junit-merge: cannot write %s: %s\n", out,
                    b.failed ? "out of memory" : file_write_error(out, errno, 0, why, sizeof(why)));
            rc = ZBH_USAGE;
        } else {
            printf("junit-merge: %zu cases from %d files into %s (%zu failures, %zu errors, "
                   "%zu skipped)\n",
                   tests, argc - optind, out, failures, errors, skipped);
            if (dups) rc = ZBH_FAIL;
        }
    }
    zb_sb_free(&b);
    for (size_t i = 0; i < n; i++) {
        zb_sb_free(&suites[i].cases);
        zb_sb_free(&suites[i].props);
        zb_sb_free(&suites[i].shards);
        for (size_t k = 0; k < suites[i].n_props; k++)
            free(suites[i].prop_names[k]);
        free(suites[i].prop_names);
    }
    return rc;
}
