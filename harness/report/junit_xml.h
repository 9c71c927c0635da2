/* junit_xml.h - a small XML tree read with expat and written back well-formed, for junit-merge.
 *
 * WHY a tree and not a stream: junit-merge regroups test cases from many files by suite, drops
 * duplicates and recounts, so each case is kept whole until the output is written. The tree keeps
 * what a JUnit reader may care about: elements, attributes in their order, text and whether it
 * came from CDATA (written back as CDATA, split where it holds "]]>"). Comments, processing
 * instructions and the DOCTYPE are dropped. Text and names are UTF-8 as expat gives them. */
#ifndef ZB_JUNIT_XML_H
#define ZB_JUNIT_XML_H

#include "strbuf.h"

#include <stddef.h>

typedef struct jx_node {
    char *name;  /* element name; NULL for a text node */
    char **attr; /* name, value, name, value, ... (2 * n_attr strings) */
    size_t n_attr;
    char *text; /* text nodes: the characters (no NUL inside: XML has none) */
    size_t text_len;
    int cdata; /* text nodes: from a CDATA section */
    struct jx_node **kid;
    size_t n_kid, cap_kid;
    unsigned long line; /* elements: the line of the start tag */
} jx_node;

/* Parses a whole document into a tree whose root is a "#document" node holding the root element.
 * NULL on any problem, with "LINE:COLUMN: XML error: what" (or "out of memory") in err. */
jx_node *jx_parse(const char *text, size_t len, char *err, size_t errlen);
void jx_free(jx_node *n);
/* The value of attribute `name`, or NULL. */
const char *jx_attr(const jx_node *n, const char *name);
/* The first child element called `name`, or NULL. */
const jx_node *jx_child(const jx_node *n, const char *name);

/* Writes element n at `depth` (two spaces each), one line per element when it holds only
 * elements, else its content exactly as read. Text is escaped (& < > and CR), attributes too
 * (" TAB LF CR as well), CDATA is split around every "]]>". */
void jx_write(zb_sb *b, const jx_node *n, int depth);
/* s escaped as an attribute value (without the quotes). */
void jx_put_attr(zb_sb *b, const char *s);

#endif
