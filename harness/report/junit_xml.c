/* junit_xml.c - the XML tree of junit_xml.h: expat builds it, jx_write writes it back.
 *
 * WHY expat: a JUnit file is XML written by many tools (pytest, ctest, jest-junit, Criterion),
 * with CDATA, entities and markup quoted inside failure texts; only a real parser tells a quoted
 * "</testcase>" from a real one. expat is small, streaming, and Debian's libexpat1 is on every
 * system (libexpat1-dev to build); its defaults already refuse external entities and bound entity
 * expansion. */
#define _GNU_SOURCE /* memmem */
#include "junit_xml.h"

#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JX_MAX_DEPTH 64 /* JUnit nests 4 deep; more is not a test report */

typedef struct jx_ctx {
    XML_Parser p;
    jx_node *stack[JX_MAX_DEPTH + 1];
    int depth, in_cdata;
    const char *why; /* our own reason to stop (NULL: expat's) */
} jx_ctx;

static jx_node *node_new(const char *name)
{
    jx_node *n = calloc(1, sizeof(*n));
    if (n && name && !(n->name = strdup(name))) {
        free(n);
        return NULL;
    }
    return n;
}

void jx_free(jx_node *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n_kid; i++)
        jx_free(n->kid[i]);
    for (size_t i = 0; i < 2 * n->n_attr; i++)
        free(n->attr[i]);
    free(n->attr);
    free(n->kid);
    free(n->text);
    free(n->name);
    free(n);
}

static int add_kid(jx_node *parent, jx_node *kid)
{
    if (parent->n_kid == parent->cap_kid) {
        size_t cap = parent->cap_kid ? parent->cap_kid * 2 : 4;
        jx_node **k = realloc(parent->kid, cap * sizeof(*k));
        if (!k) return -1;
        parent->kid = k;
        parent->cap_kid = cap;
    }
    parent->kid[parent->n_kid++] = kid;
    return 0;
}

static void stop(jx_ctx *c, const char *why)
{
    if (!c->why) c->why = why;
    XML_StopParser(c->p, XML_FALSE);
}

static int copy_attrs(jx_node *n, const XML_Char **atts)
{
    size_t k = 0;
    while (atts[2 * k])
        k++;
    if (k && !(n->attr = calloc(2 * k, sizeof(char *)))) return -1;
    n->n_attr = k; /* jx_free frees what was copied if a copy below fails */
    for (size_t i = 0; i < 2 * k; i++)
        if (!(n->attr[i] = strdup(atts[i]))) return -1;
    return 0;
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    jx_ctx *c = ud;
    if (c->depth >= JX_MAX_DEPTH) return stop(c, "elements nested too deep");
    jx_node *n = node_new(name);
    if (!n || copy_attrs(n, atts) < 0 || add_kid(c->stack[c->depth], n) < 0) {
        jx_free(n); /* not in the tree: add_kid is the last step */
        return stop(c, "out of memory");
    }
    n->line = (unsigned long)XML_GetCurrentLineNumber(c->p);
    c->stack[++c->depth] = n;
}

static void on_end(void *ud, const XML_Char *name)
{
    jx_ctx *c = ud;
    (void)name; /* expat has checked that it matches */
    if (c->depth > 0) c->depth--;
}

/* Character data joins the previous text node of the same kind (expat hands it in pieces, and
 * two CDATA sections in a row are one text: the writer splits it again where it must). */
static void on_text(void *ud, const XML_Char *s, int len)
{
    jx_ctx *c = ud;
    jx_node *parent = c->stack[c->depth];
    jx_node *last = parent->n_kid ? parent->kid[parent->n_kid - 1] : NULL;
    if (!last || last->name || last->cdata != c->in_cdata) {
        if (!(last = node_new(NULL)) || add_kid(parent, last) < 0) {
            free(last);
            return stop(c, "out of memory");
        }
        last->cdata = c->in_cdata;
    }
    char *t = realloc(last->text, last->text_len + (size_t)len + 1);
    if (!t) return stop(c, "out of memory");
    memcpy(t + last->text_len, s, (size_t)len);
    last->text = t;
    last->text_len += (size_t)len;
    t[last->text_len] = '\0';
}

static void on_cdata_start(void *ud)
{
    ((jx_ctx *)ud)->in_cdata = 1;
}

static void on_cdata_end(void *ud)
{
    ((jx_ctx *)ud)->in_cdata = 0;
}

jx_node *jx_parse(const char *text, size_t len, char *err, size_t errlen)
{
    jx_ctx c = {0};
    jx_node *doc = node_new("#document");
    if (!doc || len > (size_t)INT_MAX || !(c.p = XML_ParserCreate(NULL))) {
        snprintf(err, errlen, "%s", len > (size_t)INT_MAX ? "file too large" : "out of memory");
        jx_free(doc);
        return NULL;
    }
    c.stack[0] = doc;
    XML_SetUserData(c.p, &c);
    XML_SetElementHandler(c.p, on_start, on_end);
    XML_SetCharacterDataHandler(c.p, on_text);
    XML_SetCdataSectionHandler(c.p, on_cdata_start, on_cdata_end);
    if (XML_Parse(c.p, text, (int)len, XML_TRUE) != XML_STATUS_OK) {
        snprintf(err, errlen, "%lu:%lu: XML error: %s",
                 (unsigned long)XML_GetCurrentLineNumber(c.p),
                 (unsigned long)XML_GetCurrentColumnNumber(c.p) + 1,
                 c.why ? c.why : XML_ErrorString(XML_GetErrorCode(c.p)));
        jx_free(doc);
        doc = NULL;
    }
    XML_ParserFree(c.p);
    return doc;
}

const char *jx_attr(const jx_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_attr; i++)
        if (strcmp(n->attr[2 * i], name) == 0) return n->attr[2 * i + 1];
    return NULL;
}

const jx_node *jx_child(const jx_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_kid; i++)
        if (n->kid[i]->name && strcmp(n->kid[i]->name, name) == 0) return n->kid[i];
    return NULL;
}

/* ---------------------------------------------------------------- writing */

/* s with each character of `special` replaced by its entity from `ent` (same order). */
static void put_escaped(zb_sb *b, const char *s, size_t n, const char *special,
                        const char *const *ent)
{
    const char *end = s + n;
    while (s < end) {
        size_t run = 0;
        while (s + run < end && !strchr(special, s[run]))
            run++;
        zb_sb_add(b, s, run);
        s += run;
        if (s < end) zb_sb_put(b, ent[strchr(special, *s++) - special]);
    }
}

void jx_put_attr(zb_sb *b, const char *s)
{
    static const char *const ENT[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#9;", "&#10;", "&#13;"};
    put_escaped(b, s, strlen(s), "&<>\"\t\n\r", ENT);
}

/* A CDATA section cannot hold "]]>": it ends one section after "]]" and opens the next. */
static void put_cdata(zb_sb *b, const char *s, size_t n)
{
    zb_sb_put(b, "<![CDATA[");
    const char *end = s + n;
    for (const char *q; (q = memmem(s, (size_t)(end - s), "]]>", 3)) != NULL; s = q + 2) {
        zb_sb_add(b, s, (size_t)(q - s) + 2);
        zb_sb_put(b, "]]><![CDATA[");
    }
    zb_sb_add(b, s, (size_t)(end - s));
    zb_sb_put(b, "]]>");
}

static void put_text(zb_sb *b, const jx_node *t)
{
    static const char *const ENT[] = {"&amp;", "&lt;", "&gt;", "&#13;"};
    if (t->cdata)
        put_cdata(b, t->text, t->text_len);
    else
        put_escaped(b, t->text, t->text_len, "&<>\r", ENT);
}

static int blank(const jx_node *t)
{
    for (size_t i = 0; i < t->text_len; i++)
        if (!strchr(" \t\r\n", t->text[i])) return 0;
    return 1;
}

/* 1 when n holds only elements and blank text between them (or nothing but blanks): it is
 * pretty-printed, the blanks replaced by our own indentation */
static int element_only(const jx_node *n)
{
    for (size_t i = 0; i < n->n_kid; i++)
        if (!n->kid[i]->name && !blank(n->kid[i])) return 0;
    return 1;
}

static size_t n_elements(const jx_node *n)
{
    size_t k = 0;
    for (size_t i = 0; i < n->n_kid; i++)
        k += n->kid[i]->name != NULL;
    return k;
}

static void put_indent(zb_sb *b, int depth)
{
    for (int i = 0; depth >= 0 && i < depth; i++)
        zb_sb_put(b, "  ");
}

/* depth < 0: inline (inside mixed content), no whitespace added */
static void write_node(zb_sb *b, const jx_node *n, int depth)
{
    if (!n->name) return put_text(b, n);
    put_indent(b, depth);
    zb_sb_printf(b, "<%s", n->name);
    for (size_t i = 0; i < n->n_attr; i++) {
        zb_sb_printf(b, " %s=\"", n->attr[2 * i]);
        jx_put_attr(b, n->attr[2 * i + 1]);
        zb_sb_put(b, "\"");
    }
    int pretty = depth >= 0 && element_only(n);
    if (!n->n_kid || (pretty && !n_elements(n))) {
        zb_sb_put(b, depth >= 0 ? "/>\n" : "/>");
        return;
    }
    zb_sb_put(b, pretty ? ">\n" : ">");
    for (size_t i = 0; i < n->n_kid; i++)
        if (!pretty || n->kid[i]->name) write_node(b, n->kid[i], pretty ? depth + 1 : -1);
    if (pretty) put_indent(b, depth);
    zb_sb_printf(b, depth >= 0 ? "</%s>\n" : "</%s>", n->name);
}

void jx_write(zb_sb *b, const jx_node *n, int depth)
{
    write_node(b, n, depth < 0 ? 0 : depth);
}
