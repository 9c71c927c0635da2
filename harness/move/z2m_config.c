/* z2m_config.c - Zigbee2MQTT configuration.yaml edits after a migration (z2m_config.h).
 *
 * Why not a YAML library: libyaml (Debian's) parses and emits, but an emitted document loses
 * the user's comments, key order and quoting; the edit here touches only the keys it names and
 * copies every other byte of the file as it was. */
#include "z2m_config.h"

#include "strbuf.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How each adapter reads `ext_pan_id` (the array's first byte), in zigbee-herdsman 10.9.2 as
 * Zigbee2MQTT 2.14.1 ships it: the ember adapter compares it with getNetworkParameters' wire
 * bytes and the zboss driver with the NCP's, least significant byte first (the reverse of the
 * backup's hex). The zstack adapter reads the NIB's extendedPANID "uint8array-reversed"
 * (structs/entries/nib.js) and compares the array with that, most significant byte first;
 * forming, it writes the array reversed into EXTENDED_PAN_ID (adapter/manager.js). So for
 * zstack the array is the backup's hex in its own order: the reverse only starts with the
 * warning "Extended PAN ID is reversed", herdsman's allowance for its old releases. */
static const struct {
    const char *stack, *adapter;
    bool epid_lsb_first;
} ADAPTERS[] = {
    {"znp", "zstack", false}, {"zstack", "zstack", false}, {"ezsp", "ember", true},
    {"ember", "ember", true}, {"zboss", "zboss", true},
};
#define N_ADAPTERS (sizeof(ADAPTERS) / sizeof(ADAPTERS[0]))

const char *z2m_adapter_of(const char *stack)
{
    for (size_t i = 0; i < N_ADAPTERS; i++)
        if (strcmp(ADAPTERS[i].stack, stack) == 0) return ADAPTERS[i].adapter;
    return NULL;
}

static void byte_list(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t k = (size_t)snprintf(out, cap, "[");
    for (size_t i = 0; i < n && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%u", i ? ", " : "", p[i]);
    if (k < cap) snprintf(out + k, cap - k, "]");
}

/* A port as a YAML scalar: plain when it is only path and URL characters, else single-quoted. */
static void scalar(char *out, size_t cap, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("/_.:-[]@", *p);
    if (plain && !strstr(s, ": ") && s[0] != '[') {
        snprintf(out, cap, "%s", s);
        return;
    }
    size_t k = 0;
    out[k++] = '\'';
    for (const char *p = s; *p && k + 3 < cap; p++) {
        if (*p == '\'') out[k++] = '\'';
        out[k++] = *p;
    }
    out[k++] = '\'';
    out[k] = '\0';
}

int z2m_settings_for(const ocb_backup *b, const char *adapter, const char *port,
                     z2m_setting out[Z2M_SETTINGS])
{
    size_t a = 0;
    while (a < N_ADAPTERS && strcmp(ADAPTERS[a].adapter, adapter) != 0)
        a++;
    if (a == N_ADAPTERS) return -1;
    uint8_t epid[8];
    for (int i = 0; i < 8; i++) {
        int shift = ADAPTERS[a].epid_lsb_first ? 8 * i : 8 * (7 - i);
        epid[i] = (uint8_t)(b->extended_pan_id >> shift);
    }
    out[0] = (z2m_setting){"serial", "port", ""};
    scalar(out[0].value, sizeof(out[0].value), port);
    out[1] = (z2m_setting){"serial", "adapter", ""};
    snprintf(out[1].value, sizeof(out[1].value), "%s", adapter);
    out[2] = (z2m_setting){"advanced", "pan_id", ""};
    snprintf(out[2].value, sizeof(out[2].value), "%u", b->pan_id);
    out[3] = (z2m_setting){"advanced", "ext_pan_id", ""};
    byte_list(out[3].value, sizeof(out[3].value), epid, 8);
    out[4] = (z2m_setting){"advanced", "network_key", ""};
    byte_list(out[4].value, sizeof(out[4].value), b->network_key.key, 16);
    out[5] = (z2m_setting){"advanced", "channel", ""};
    snprintf(out[5].value, sizeof(out[5].value), "%u", b->channel);
    return Z2M_SETTINGS;
}

/* ---------------------------------------------------------------- the line editor */

typedef struct line {
    const char *p;
    size_t len; /* without the newline */
    size_t indent;
    bool blank, comment;
} line;

typedef struct doc {
    line *l;
    size_t n;
} doc;

static int split(const char *text, doc *d)
{
    size_t cap = 0;
    d->l = NULL;
    d->n = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        line *grown = zb_grow(d->l, &cap, d->n + 1, sizeof(line), 64);
        if (!grown) return -1;
        d->l = grown;
        line *l = &d->l[d->n++];
        *l = (line){p, len, 0, true, false};
        while (l->indent < len && p[l->indent] == ' ')
            l->indent++;
        l->blank = l->indent == len || p[l->indent] == '\r';
        l->comment = !l->blank && p[l->indent] == '#';
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* Whether line l is `key:` (then a space, a comment or the end) at its indent. */
static bool is_key(const line *l, const char *key)
{
    size_t k = strlen(key);
    const char *s = l->p + l->indent;
    if (l->len < l->indent + k + 1 || strncmp(s, key, k) != 0 || s[k] != ':') return false;
    return l->len == l->indent + k + 1 || s[k + 1] == ' ' || s[k + 1] == '\r';
}

/* The section's line index, or n. */
static size_t find_section(const doc *d, const char *section)
{
    for (size_t i = 0; i < d->n; i++)
        if (!d->l[i].blank && !d->l[i].comment && d->l[i].indent == 0 && is_key(&d->l[i], section))
            return i;
    return d->n;
}

/* The first line after the section's body (the next line at indent 0 that is not blank). */
static size_t section_end(const doc *d, size_t s)
{
    size_t e = s + 1;
    while (e < d->n && (d->l[e].blank || d->l[e].indent > 0))
        e++;
    return e;
}

/* The lines after a key line that belong to its value: more indented, or `- ` items at the
 * key's own indent. */
static size_t value_end(const doc *d, size_t k)
{
    size_t ci = d->l[k].indent, e = k + 1;
    while (e < d->n && !d->l[e].blank &&
           (d->l[e].indent > ci || (d->l[e].indent == ci && d->l[e].len > ci + 1 &&
                                    d->l[e].p[ci] == '-' && d->l[e].p[ci + 1] == ' ')))
        e++;
    return e;
}

static bool value_is_secret(const line *l, const char *key)
{
    const char *v = l->p + l->indent + strlen(key) + 1;
    const char *end = l->p + l->len;
    while (v < end && *v == ' ')
        v++;
    if (v < end && (*v == '\'' || *v == '"')) v++;
    return end - v >= 7 && strncmp(v, "!secret", 7) == 0;
}

static void put_lines(zb_sb *b, const doc *d, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        zb_sb_add(b, d->l[i].p, d->l[i].len);
        zb_sb_put(b, "\n");
    }
}

/* Where the key is, in the section [s, e): its line, or e. The child indent into *ci. */
static size_t find_key(const doc *d, size_t s, size_t e, const char *key, size_t *ci)
{
    *ci = 2;
    for (size_t i = s + 1; i < e; i++)
        if (!d->l[i].blank && !d->l[i].comment) {
            *ci = d->l[i].indent;
            break;
        }
    for (size_t i = s + 1; i < e; i++)
        if (!d->l[i].blank && !d->l[i].comment && d->l[i].indent == *ci && is_key(&d->l[i], key))
            return i;
    return e;
}

/* One setting applied to `text` into b; *secret set when it was left. */
static void apply_one(const char *text, const doc *d, const z2m_setting *s, zb_sb *b, bool *secret)
{
    *secret = false;
    size_t sec = find_section(d, s->section);
    if (sec == d->n) {
        zb_sb_put(b, text);
        if (*text && text[strlen(text) - 1] != '\n') zb_sb_put(b, "\n");
        zb_sb_printf(b, "%s:\n  %s: %s\n", s->section, s->key, s->value);
        return;
    }
    size_t end = section_end(d, sec), ci;
    size_t k = find_key(d, sec, end, s->key, &ci);
    if (k < end && value_is_secret(&d->l[k], s->key)) {
        *secret = true;
        zb_sb_put(b, text);
        return;
    }
    size_t last = end; /* insert after the section's last non-blank line */
    while (last > sec + 1 && d->l[last - 1].blank)
        last--;
    size_t cut = k < end ? k : last, resume = k < end ? value_end(d, k) : last;
    put_lines(b, d, 0, cut);
    zb_sb_printf(b, "%*s%s: %s\n", (int)ci, "", s->key, s->value);
    put_lines(b, d, resume, d->n);
}

char *z2m_apply(const char *in, const z2m_setting *s, size_t n, size_t *secrets)
{
    char *text = strdup(in);
    *secrets = 0;
    for (size_t i = 0; text && i < n; i++) {
        doc d;
        zb_sb b = {0};
        bool secret;
        if (split(text, &d) < 0) {
            free(text);
            return NULL;
        }
        apply_one(text, &d, &s[i], &b, &secret);
        free(d.l);
        free(text);
        *secrets += secret;
        text = b.failed ? NULL : b.buf ? b.buf : strdup("");
        if (b.failed) zb_sb_free(&b);
    }
    return text;
}

bool z2m_is_secret(const char *text, const char *section, const char *key)
{
    doc d;
    if (split(text, &d) < 0) return false;
    bool secret = false;
    size_t sec = find_section(&d, section), ci;
    if (sec < d.n) {
        size_t end = section_end(&d, sec), k = find_key(&d, sec, end, key, &ci);
        secret = k < end && value_is_secret(&d.l[k], key);
    }
    free(d.l);
    return secret;
}
