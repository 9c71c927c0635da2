/* ocb_json.h - strict JSON (RFC 8259, plus: no duplicate keys, no \u0000 in strings) into a
 * cJSON tree whose number nodes keep their literal text; see ocb_json.c. */
#ifndef ZB_OCB_JSON_H
#define ZB_OCB_JSON_H

#include "ocb.h"

/* Parse `len` bytes (a NUL before `len` is an error like any other byte). Returns the tree
 * (free with cJSON_Delete) or NULL with one error in `r`, naming the JSON path and the byte,
 * line and column. Nesting deeper than OCB_MAX_DEPTH is refused. */
cJSON *ocb_json_parse(const char *text, size_t len, ocb_report *r);

/* The literal text of a number node from ocb_json_parse, or NULL (a node built otherwise). */
static inline const char *ocb_json_number_text(const cJSON *j)
{
    return cJSON_IsNumber(j) ? j->valuestring : NULL;
}

#endif
