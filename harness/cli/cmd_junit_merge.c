/* cmd_junit_merge.c - `zbharness junit-merge -o OUT FILE...`: the JUnit files of a sharded run
 * (roundtrip/conformance --shard K/N on N CI runners), or of several tools, as one report.
 *
 * Each file is parsed as XML (junit_xml.c, expat): a failure text that quotes "</testcase>" in
 * CDATA or escaped is text, not markup. Test cases are kept whole (attributes, failure texts,
 * output, their own properties) and grouped by suite name in the order the files are given;
 * suites nested in suites are suites of their own. The counts are recounted from the cases (a
 * case with <failure>, <error>, <skipped>), the suites' properties are the union (first value
 * wins; "shard" becomes "shards.merged", the list of shards merged). A case (class name and name)
 * that appears twice in a suite means the shards overlap: the first copy is kept, the report is
 * written, and the exit status is 1. A file that is not well-formed XML, or not JUnit, is an
 * error naming the file and line, and then nothing is written: the output appears whole (atomic
 * rename, fileio.h) or not at all. The options are one table (cli_opts.h) that is both parsed
 * and --help. */
#include "cli.h"
#include "cli_opts.h"
#include "fileio.h"
#include "junit_xml.h"
#include "strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT ((size_t)64 << 20)

typedef struct jcase {
    const jx_node *node; /* owned by the file's tree (merge.docs) */
    const char *classname, *name;
    int file;
} jcase;

typedef struct suite {
    const char *name; /* owned by a tree */
    double time;
    jcase *cases;
    size_t n_cases, cap_cases, failures, errors, skipped;
    const char **prop; /* name, value pairs, first value of each name */
    size_t n_props, cap_props;
    zb_sb shards;
    const jx_node **extra; /* the suites' own <system-out>, <system-err> */
    size_t n_extra, cap_extra;
} suite;

typedef struct merge {
    suite *s;
    size_t n, cap;
    jx_node **docs;
    size_t n_docs;
    const char *file; /* the file being read and its index */
    int file_no, dups, failed;
} merge;

/* Grows *arr (of *cap elements of `size`) so that one more fits; 0, or -1 out of memory. */
static int grow(void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 8;
    void *p = realloc(*(void **)arr, c * size);
    if (!p) return -1;
    *(void **)arr = p;
    *cap = c;
    return 0;
}

static int oom(merge *m)
{
    fprintf(stderr, "zbharness junit-merge: out of memory\n");
    m->failed = 1;
    return -1;
}

static suite *suite_get(merge *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->s[i].name, name) == 0) return &m->s[i];
    if (grow(&m->s, &m->cap, m->n, sizeof(suite)) < 0) return NULL;
    suite *s = &m->s[m->n++];
    *s = (suite){.name = name};
    return s;
}

static int add_prop(merge *m, suite *s, const jx_node *p)
{
    const char *name = jx_attr(p, "name"), *value = jx_attr(p, "value");
    if (!name) return 0;
    if (!value) value = "";
    if (strcmp(name, "shard") == 0) {
        zb_sb_printf(&s->shards, "%s%s", s->shards.len ? "," : "", value);
        return s->shards.failed ? oom(m) : 0;
    }
    for (size_t i = 0; i < s->n_props; i++)
        if (strcmp(s->prop[2 * i], name) == 0) return 0;
    if (grow(&s->prop, &s->cap_props, 2 * s->n_props + 1, sizeof(char *)) < 0) return oom(m);
    s->prop[2 * s->n_props] = name;
    s->prop[2 * s->n_props + 1] = value;
    s->n_props++;
    return 0;
}

static int add_props(merge *m, suite *s, const jx_node *props)
{
    for (size_t i = 0; i < props->n_kid; i++) {
        const jx_node *p = props->kid[i];
        if (p->name && strcmp(p->name, "property") == 0 && add_prop(m, s, p) < 0) return -1;
    }
    return 0;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* 1 if the case is already in s (said on stderr and counted), else 0 */
static int duplicate(merge *m, const suite *s, const jcase *c)
{
    for (size_t i = 0; i < s->n_cases; i++) {
        const jcase *o = &s->cases[i];
        if (!same(o->name, c->name) || !same(o->classname, c->classname)) continue;
        if (o->file != c->file)
            fprintf(stderr,
                    "zbharness junit-merge: %s: case %s is already in an earlier file (do the "
                    "shards overlap?)\n",
                    m->file, c->name ? c->name : "(no name)");
        else
            fprintf(stderr, "zbharness junit-merge: %s:%lu: case %s appears twice in this file\n",
                    m->file, c->node->line, c->name ? c->name : "(no name)");
        m->dups++;
        return 1;
    }
    return 0;
}

static int add_case(merge *m, suite *s, const jx_node *n)
{
    jcase c = {n, jx_attr(n, "classname"), jx_attr(n, "name"), m->file_no};
    if (duplicate(m, s, &c)) return 0; /* the first copy stands */
    if (grow(&s->cases, &s->cap_cases, s->n_cases, sizeof(jcase)) < 0) return oom(m);
    s->cases[s->n_cases++] = c;
    s->failures += jx_child(n, "failure") != NULL;
    s->errors += jx_child(n, "error") != NULL;
    s->skipped += jx_child(n, "skipped") != NULL;
    return 0;
}

static int add_extra(merge *m, suite *s, const jx_node *n)
{
    if (grow(&s->extra, &s->cap_extra, s->n_extra, sizeof(*s->extra)) < 0) return oom(m);
    s->extra[s->n_extra++] = n;
    return 0;
}

static int walk(merge *m, const jx_node *n, suite *s);

static int take_suite(merge *m, const jx_node *n)
{
    const char *name = jx_attr(n, "name"), *t = jx_attr(n, "time");
    suite *s = suite_get(m, name ? name : "");
    if (!s) return oom(m);
    double secs = t ? strtod(t, NULL) : 0;
    if (secs > 0 && secs < 1e9) s->time += secs;
    return walk(m, n, s);
}

/* The children of n (a <testsuites>, or a <testsuite> whose suite is s). */
static int walk(merge *m, const jx_node *n, suite *s)
{
    for (size_t i = 0; i < n->n_kid; i++) {
        const jx_node *k = n->kid[i];
        const char *e = k->name;
        int rc = 0;
        if (!e) continue;
        if (strcmp(e, "testsuite") == 0)
            rc = take_suite(m, k);
        else if (strcmp(e, "testsuites") == 0)
            rc = walk(m, k, s);
        else if (strcmp(e, "testcase") == 0 && !s) {
            fprintf(stderr, "zbharness junit-merge: %s:%lu: <testcase> outside any <testsuite>\n",
                    m->file, k->line);
            m->failed = 1;
            rc = -1;
        } else if (strcmp(e, "testcase") == 0)
            rc = add_case(m, s, k);
        else if (s && strcmp(e, "properties") == 0)
            rc = add_props(m, s, k);
        else if (s && (strcmp(e, "system-out") == 0 || strcmp(e, "system-err") == 0))
            rc = add_extra(m, s, k);
        if (rc < 0) return -1;
    }
    return 0;
}

static jx_node *read_tree(const char *path)
{
    size_t len;
    char *text = file_read_all(path, MAX_INPUT, &len), err[300];
    if (!text) {
        fprintf(stderr, "zbharness junit-merge: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    jx_node *doc = jx_parse(text, len, err, sizeof(err));
    free(text);
    if (!doc) fprintf(stderr, "zbharness junit-merge: %s:%s\n", path, err);
    return doc;
}

static int merge_file(merge *m, const char *path)
{
    jx_node *doc = read_tree(path);
    if (!doc) return -1;
    m->docs[m->n_docs++] = doc; /* sized for every file */
    m->file = path;
    const jx_node *root = NULL;
    for (size_t i = 0; i < doc->n_kid && !root; i++)
        if (doc->kid[i]->name) root = doc->kid[i];
    if (!root || (strcmp(root->name, "testsuites") && strcmp(root->name, "testsuite"))) {
        fprintf(stderr,
                "zbharness junit-merge: %s:%lu: the root element is <%s>, not <testsuites> or "
                "<testsuite> (not a JUnit report?)\n",
                path, root ? root->line : 1ul, root ? root->name : "");
        return -1;
    }
    if (strcmp(root->name, "testsuite") == 0) return take_suite(m, root);
    return walk(m, root, NULL);
}

static void write_suite(zb_sb *b, const suite *s)
{
    zb_sb_put(b, "  <testsuite name=\"");
    jx_put_attr(b, s->name);
    zb_sb_printf(
        b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
        s->n_cases, s->failures, s->errors, s->skipped, s->time);
    if (s->n_props || s->shards.len) {
        zb_sb_put(b, "    <properties>\n");
        for (size_t i = 0; i < s->n_props; i++) {
            zb_sb_put(b, "      <property name=\"");
            jx_put_attr(b, s->prop[2 * i]);
            zb_sb_put(b, "\" value=\"");
            jx_put_attr(b, s->prop[2 * i + 1]);
            zb_sb_put(b, "\"/>\n");
        }
        if (s->shards.len) {
            zb_sb_put(b, "      <property name=\"shards.merged\" value=\"");
            jx_put_attr(b, s->shards.buf);
            zb_sb_put(b, "\"/>\n");
        }
        zb_sb_put(b, "    </properties>\n");
    }
    for (size_t i = 0; i < s->n_cases; i++)
        jx_write(b, s->cases[i].node, 2);
    for (size_t i = 0; i < s->n_extra; i++)
        jx_write(b, s->extra[i], 2);
    zb_sb_put(b, "  </testsuite>\n");
}

/* The merged report into b; the totals into t (tests, failures, errors, skipped). */
static void write_report(zb_sb *b, const merge *m, size_t t[4])
{
    double secs = 0;
    memset(t, 0, 4 * sizeof(size_t));
    for (size_t i = 0; i < m->n; i++) {
        t[0] += m->s[i].n_cases;
        t[1] += m->s[i].failures;
        t[2] += m->s[i].errors;
        t[3] += m->s[i].skipped;
        secs += m->s[i].time;
    }
    zb_sb_printf(b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"%zu\" "
                 "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
                 t[0], t[1], t[2], t[3], secs);
    for (size_t i = 0; i < m->n; i++)
        write_suite(b, &m->s[i]);
    zb_sb_put(b, "</testsuites>\n");
}

static int write_out(const merge *m, const char *out, int n_files)
{
    zb_sb b = {0};
    size_t t[4];
    write_report(&b, m, t);
    int failed = b.failed;
    if (failed || zb_sb_write_file(&b, out, 0644, 0) < 0) {
        char why[160];
        fprintf(stderr, "zbharness junit-merge: cannot write %s: %s\n", out,
                failed ? "out of memory" : file_write_error(out, errno, 0, why, sizeof(why)));
        if (failed) zb_sb_free(&b);
        return ZBH_USAGE;
    }
    printf("junit-merge: %zu cases from %d files into %s (%zu failures, %zu errors, %zu "
           "skipped)\n",
           t[0], n_files, out, t[1], t[2], t[3]);
    return m->dups ? ZBH_FAIL : ZBH_OK;
}

static void merge_free(merge *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->s[i].cases);
        free(m->s[i].prop);
        free(m->s[i].extra);
        zb_sb_free(&m->s[i].shards);
    }
    free(m->s);
    for (size_t i = 0; i < m->n_docs; i++)
        jx_free(m->docs[i]);
    free(m->docs);
}

typedef struct jm_args {
    const char *out;
} jm_args;

static const zbh_opt ROWS[] = {
    {"output", 1, 'o', "OUT", "the merged report (required; written whole or not at all)", 1,
     ZBH_STR(jm_args, out)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_ROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static int help(void *args, int c, const char *arg)
{
    (void)args, (void)c, (void)arg; /* the one row without a store: --help */
    printf("usage: zbharness junit-merge -o OUT FILE...\n\n"
           "Merges JUnit reports (the shards of a run, --shard K/N on N runners, or the\n"
           "reports of other tools: pytest, ctest, jest-junit, Criterion) into one: the cases\n"
           "of each suite together, counts recounted, properties united.\n\n");
    zbh_opts_help(stdout, ROWS, N_ROWS);
    printf("\nExit: 0 merged, 1 a case appears twice (overlapping shards; OUT is still\n"
           "written), 2 a file is unreadable, not well-formed XML or not JUnit (OUT is then\n"
           "not written).\n");
    return -1;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int parse(int argc, char **argv, jm_args *a)
{
    *a = (jm_args){0};
    int rc = zbh_opts_parse(argc, argv, 1, ROWS, N_ROWS, a, help);
    if (rc) return rc;
    if (!a->out || optind >= argc) {
        fprintf(stderr, "zbharness junit-merge: -o OUT and at least one FILE (try --help)\n");
        return ZBH_USAGE;
    }
    return 0;
}

int zbh_cmd_junit_merge(int argc, char **argv)
{
    jm_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    merge m = {0};
    if (!(m.docs = calloc((size_t)(argc - optind), sizeof(*m.docs)))) {
        oom(&m);
        rc = ZBH_USAGE;
    }
    for (int i = optind; i < argc && rc == ZBH_OK; i++) {
        m.file_no = i;
        if (merge_file(&m, argv[i]) < 0 || m.failed) rc = ZBH_USAGE;
    }
    if (rc == ZBH_OK) rc = write_out(&m, a.out, argc - optind);
    merge_free(&m);
    return rc;
}
