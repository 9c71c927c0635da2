/* ocb_emit.c - the canonical JSON text of a backup.
 *
 * Why canonical: two equal backups must be byte-identical files (the matrix goldens and the
 * system tests compare them, and a diff of two backups should show only what differs). Keys in
 * a fixed order, lowercase hex, devices sorted by IEEE, 2-space indent, a trailing newline;
 * the verbatim subtrees (metadata.internal, stack_specific) in the same style, with the known
 * stack_specific fields written back from their typed fields in the place they were read. */
#include "ocb_internal.h"

#include "fileio.h"
#include "hex.h"
#include "ocb_json.h"
#include "strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sb_indent(zb_sb *s, int depth)
{
    for (int i = 0; i < depth; i++)
        zb_sb_put(s, "  ");
}

static void sb_json_string(zb_sb *s, const char *str)
{
    zb_sb_put(s, "\"");
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '"': zb_sb_put(s, "\\\""); break;
        case '\\': zb_sb_put(s, "\\\\"); break;
        case '\n': zb_sb_put(s, "\\n"); break;
        case '\r': zb_sb_put(s, "\\r"); break;
        case '\t': zb_sb_put(s, "\\t"); break;
        case '\b': zb_sb_put(s, "\\b"); break;
        case '\f': zb_sb_put(s, "\\f"); break;
        default:
            if (*p < 0x20)
                zb_sb_printf(s, "\\u%04x", *p);
            else
                zb_sb_add(s, (const char *)p, 1);
        }
    }
    zb_sb_put(s, "\"");
}

/* Verbatim subtrees (metadata.internal, stack_specific) in the same 2-space style. */
static void sb_json_value(zb_sb *s, const cJSON *j, int depth)
{
    if (cJSON_IsNull(j)) {
        zb_sb_put(s, "null");
    } else if (cJSON_IsBool(j)) {
        zb_sb_put(s, cJSON_IsTrue(j) ? "true" : "false");
    } else if (ocb_json_number_text(j)) {
        zb_sb_put(s, ocb_json_number_text(j)); /* as written: 3.3 stays 3.3 */
    } else if (cJSON_IsNumber(j)) {
        double v = j->valuedouble;
        if (v == floor(v) && fabs(v) < 9007199254740992.0)
            zb_sb_printf(s, "%lld", (long long)v);
        else
            zb_sb_printf(s, "%.17g", v);
    } else if (cJSON_IsString(j)) {
        sb_json_string(s, j->valuestring);
    } else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        int obj = cJSON_IsObject(j);
        if (!j->child) {
            zb_sb_put(s, obj ? "{}" : "[]");
            return;
        }
        zb_sb_put(s, obj ? "{\n" : "[\n");
        for (const cJSON *it = j->child; it; it = it->next) {
            sb_indent(s, depth + 1);
            if (obj) {
                sb_json_string(s, it->string ? it->string : "");
                zb_sb_put(s, ": ");
            }
            sb_json_value(s, it, depth + 1);
            zb_sb_put(s, it->next ? ",\n" : "\n");
        }
        sb_indent(s, depth);
        zb_sb_put(s, obj ? "}" : "]");
    }
}

static void sb_hex(zb_sb *s, const uint8_t *p, size_t n)
{
    char tmp[2 * 16 + 1];
    hex_encode(p, n, tmp);
    zb_sb_printf(s, "\"%s\"", tmp);
}

static void sb_u64hex(zb_sb *s, uint64_t v)
{
    zb_sb_printf(s, "\"%016llx\"", (unsigned long long)v);
}

/* One known field back into (a copy of) its stack object, at the place parse found it; a raw
 * key of the same name (only code builds such trees) gives way to it. */
static int put_known(cJSON *ss, const ocb_backup *b, size_t i)
{
    const ocb_known *k = &OCB_KNOWN[i];
    cJSON *sub = cJSON_GetObjectItemCaseSensitive(ss, k->stack);
    if (!sub && !(sub = cJSON_AddObjectToObject(ss, k->stack))) return -1;
    if (!cJSON_IsObject(sub)) return 0; /* not from parse, which refuses it: written as it is */
    cJSON_DeleteItemFromObjectCaseSensitive(sub, k->name);
    char hex[2 * 16 + 1];
    hex_encode(ocb_known_bytes(b, i), 16, hex);
    cJSON *f = cJSON_AddStringToObject(sub, k->name, hex);
    if (!f) return -1;
    /* appended last: the keys from its place on move behind it, in their order (no
     * allocation; cJSON 1.7.15's cJSON_InsertItemInArray refused this) */
    size_t n = (size_t)cJSON_GetArraySize(sub);
    for (size_t m = b->known_slot[i]; m + 1 < n; m++)
        cJSON_AddItemToArray(sub, cJSON_DetachItemFromArray(sub, (int)b->known_slot[i]));
    return 0;
}

/* stack_specific: the verbatim tree with the known fields back in place; absent when there is
 * neither. Known fields go in ascending place so that each lands where it was read. */
static void emit_stack_specific(zb_sb *s, const ocb_backup *b)
{
    size_t order[OCB_N_KNOWN], n = 0;
    for (size_t i = 0; i < OCB_N_KNOWN; i++) {
        if (!ocb_known_present(b, i)) continue;
        size_t at = n++;
        for (; at > 0 && b->known_slot[order[at - 1]] > b->known_slot[i]; at--)
            order[at] = order[at - 1];
        order[at] = i;
    }
    if (!b->stack_specific && !n) return;
    cJSON *ss = b->stack_specific ? cJSON_Duplicate(b->stack_specific, 1) : cJSON_CreateObject();
    for (size_t i = 0; ss && i < n; i++)
        if (put_known(ss, b, order[i]) < 0) {
            cJSON_Delete(ss);
            ss = NULL;
        }
    if (!ss) {
        s->failed = 1;
        return;
    }
    zb_sb_put(s, "  \"stack_specific\": ");
    sb_json_value(s, ss, 1);
    zb_sb_put(s, ",\n");
    cJSON_Delete(ss);
}

static void emit_device(zb_sb *s, const ocb_device *d, int last)
{
    zb_sb_put(s, "    {\n      \"nwk_address\": ");
    if (d->has_nwk)
        zb_sb_printf(s, "\"%04x\"", d->nwk);
    else
        zb_sb_put(s, "null");
    zb_sb_put(s, ",\n      \"ieee_address\": ");
    sb_u64hex(s, d->ieee);
    zb_sb_printf(s, ",\n      \"is_child\": %s", d->is_child ? "true" : "false");
    if (d->has_link_key) {
        zb_sb_put(s, ",\n      \"link_key\": {\n        \"key\": ");
        sb_hex(s, d->link_key.key, 16);
        zb_sb_printf(s, ",\n        \"tx_counter\": %u,\n        \"rx_counter\": %u\n      }",
                     d->link_key.tx_counter, d->link_key.rx_counter);
    }
    zb_sb_put(s, last ? "\n    }\n" : "\n    },\n");
}

char *ocb_emit(const ocb_backup *b)
{
    zb_sb s = {0};
    zb_sb_put(&s, "{\n  \"metadata\": {\n    \"format\": \"" OCB_FORMAT "\",\n");
    zb_sb_printf(&s, "    \"version\": %d,\n    \"source\": ", b->version);
    sb_json_string(&s, b->source ? b->source : "zbharness@" ZB_VERSION);
    if (b->internal) {
        zb_sb_put(&s, ",\n    \"internal\": ");
        sb_json_value(&s, b->internal, 2);
    }
    zb_sb_put(&s, "\n  },\n");
    emit_stack_specific(&s, b);
    zb_sb_put(&s, "  \"coordinator_ieee\": ");
    sb_u64hex(&s, b->coordinator_ieee);
    zb_sb_printf(&s, ",\n  \"pan_id\": \"%04x\",\n  \"extended_pan_id\": ", b->pan_id);
    sb_u64hex(&s, b->extended_pan_id);
    zb_sb_printf(&s, ",\n  \"nwk_update_id\": %u,\n  \"security_level\": %u,\n  \"channel\": %u,\n",
                 b->nwk_update_id, b->security_level, b->channel);
    zb_sb_put(&s, "  \"channel_mask\": [");
    int first = 1;
    for (int ch = 11; ch <= 26; ch++) {
        if (!(b->channel_mask & (1u << ch))) continue;
        zb_sb_printf(&s, "%s\n    %d", first ? "" : ",", ch);
        first = 0;
    }
    zb_sb_put(&s, first ? "],\n" : "\n  ],\n");
    zb_sb_put(&s, "  \"network_key\": {\n    \"key\": ");
    sb_hex(&s, b->network_key.key, 16);
    zb_sb_printf(&s, ",\n    \"sequence_number\": %u,\n    \"frame_counter\": %u\n  },\n",
                 b->network_key.sequence_number, b->network_key.frame_counter);
    /* devices sorted by IEEE without touching the caller's order */
    ocb_device *sorted = NULL;
    if (b->n_devices) {
        sorted = malloc(b->n_devices * sizeof(*sorted));
        if (!sorted) {
            zb_sb_free(&s);
            return NULL;
        }
        memcpy(sorted, b->devices, b->n_devices * sizeof(*sorted));
        qsort(sorted, b->n_devices, sizeof(*sorted), ocb_device_cmp);
    }
    zb_sb_put(&s, b->n_devices ? "  \"devices\": [\n" : "  \"devices\": []\n");
    for (size_t i = 0; i < b->n_devices; i++)
        emit_device(&s, &sorted[i], i + 1 == b->n_devices);
    if (b->n_devices) zb_sb_put(&s, "  ]\n");
    zb_sb_put(&s, "}\n");
    free(sorted);
    if (s.failed) {
        zb_sb_free(&s);
        return NULL;
    }
    return s.buf;
}

int ocb_write_file(const ocb_backup *b, const char *path)
{
    char *text = ocb_emit(b);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    int rc = file_write(path, text, strlen(text), 0600, 0);
    int e = errno;
    free(text);
    errno = e;
    return rc;
}
