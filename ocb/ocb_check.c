/* ocb_check.c - the rules a backup's values must follow beyond their JSON types, and the report
 * every problem goes to.
 *
 * Why apart from parsing: ocb_parse.c says what shape each value has (a string of 4 hex
 * digits, an integer 0..255); this file says which values a network can have (a channel in
 * 11..26 and in the mask, a PAN ID that is not "any", one entry per device) and which quirks of
 * real writers are only warnings. Parse calls each rule as soon as it has read the value, so the
 * report lists problems in document order. Every message names its JSON path and is escaped
 * for a terminal. */
#include "ocb_internal.h"

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- report */

void ocb_report_init(ocb_report *r)
{
    memset(r, 0, sizeof(*r));
}

void ocb_report_free(ocb_report *r)
{
    for (size_t i = 0; i < r->n_issues; i++) {
        free(r->issues[i].path);
        free(r->issues[i].message);
    }
    free(r->issues);
    memset(r, 0, sizeof(*r));
}

void ocb_report_vadd(ocb_report *r, enum ocb_severity sev, const char *path, const char *fmt,
                     va_list ap)
{
    if (r->n_issues == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ocb_issue *n = realloc(r->issues, cap * sizeof(*n));
        if (!n) return; /* the counters below still record that something was wrong */
        r->issues = n;
        r->cap = cap;
    }
    if (sev == OCB_ERROR)
        r->n_errors++;
    else
        r->n_warnings++;
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) vsnprintf(msg, (size_t)n + 1, fmt, ap);
    /* whole, and escaped: paths and messages quote key names and characters from the file */
    ocb_issue *is = &r->issues[r->n_issues];
    is->severity = sev;
    is->path = zb_escape_dup(path ? path : "");
    is->message = zb_escape_dup(msg ? msg : "out of memory");
    free(msg);
    if (!is->path || !is->message) {
        free(is->path);
        free(is->message);
        return;
    }
    r->n_issues++;
}

void ocb_report_add(ocb_report *r, enum ocb_severity sev, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ocb_report_vadd(r, sev, path, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- value rules */

int ocb_check_version(ocb_report *r, uint64_t version)
{
    if (version == 1) return 0;
    ocb_report_add(r, OCB_ERROR, "metadata.version", "version %llu is not supported (only 1)",
                   (unsigned long long)version);
    return -1;
}

int ocb_check_channel(ocb_report *r, const char *path, uint64_t channel)
{
    if (channel >= 11 && channel <= 26) return 0;
    ocb_report_add(r, OCB_ERROR, path, "%llu is out of range 11..26", (unsigned long long)channel);
    return -1;
}

int ocb_check_channel_in_mask(ocb_report *r, const ocb_backup *b)
{
    if (b->channel_mask & (1u << b->channel)) return 0;
    ocb_report_add(r, OCB_ERROR, "channel", "channel %u is not in channel_mask", b->channel);
    return -1;
}

int ocb_check_pan_id(ocb_report *r, uint16_t pan_id)
{
    if (pan_id != 0xFFFF) return 0;
    ocb_report_add(r, OCB_ERROR, "pan_id", "ffff is not a network's PAN ID (it means 'any')");
    return -1;
}

int ocb_check_extended_pan_id(ocb_report *r, uint64_t epid)
{
    if (epid != 0 && epid != UINT64_MAX) return 0;
    ocb_report_add(r, OCB_ERROR, "extended_pan_id",
                   "%016llx is reserved, not a network's extended PAN ID",
                   (unsigned long long)epid);
    return -1;
}

int ocb_check_device_unique(ocb_report *r, const ocb_backup *b, const ocb_device *d, int index)
{
    const ocb_device *dup = ocb_find_device(b, d->ieee);
    if (!dup) return 0;
    char p[64];
    snprintf(p, sizeof(p), "devices[%d].ieee_address", index);
    ocb_report_add(r, OCB_ERROR, p, "duplicate IEEE address %016llx (also devices[%d])",
                   (unsigned long long)d->ieee, (int)(dup - b->devices));
    return -1;
}

/* The one rule for zigbee-herdsman's byte order: its ember adapter writes coordinator_ieee and
 * extended_pan_id LSB first (Buffer.reverse()), its legacy ezsp and zstack adapters MSB first.
 * The file names the writer but not the adapter, so every herdsman file with an ezsp stack
 * object may be in wire order (wild files 07 and 13 are; 04, 09 and 12 are not). */
bool ocb_herdsman_wire_order(const ocb_backup *b)
{
    bool from_herdsman = b->source && strncmp(b->source, "zigbee-herdsman@", 16) == 0;
    return from_herdsman && b->stack_specific &&
           cJSON_GetObjectItemCaseSensitive(b->stack_specific, "ezsp") != NULL;
}

void ocb_check_herdsman(ocb_report *r, const ocb_backup *b)
{
    if (ocb_herdsman_wire_order(b))
        ocb_report_add(r, OCB_WARNING, "coordinator_ieee",
                       "zigbee-herdsman's ember adapter writes coordinator_ieee and "
                       "extended_pan_id in wire (LSB-first) order; they may be byte-reversed");
}

uint64_t ocb_bswap64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++, v >>= 8)
        r = r << 8 | (v & 0xFF);
    return r;
}

/* ---------------------------------------------------------------- placeholder IEEEs */

/* What "no OUI" means, exactly: an EUI-64 a maker assigns starts with its OUI, and the IEEE
 * never gives out an OUI whose first byte has the group bit (0x01: a multicast address) or the
 * locally-administered bit (0x02) set. Eight equal bytes (0000..., ffff... as an erased token
 * reads, dddd... as Zigbee2MQTT's default extended PAN ID) are no maker's address either. OUI
 * 000000 is assigned (to Xerox) and so is not flagged unless every byte is 00. Each rule: NULL
 * when the address passes, else why not. */
static const char *all_bytes_equal(uint64_t ieee)
{
    return ieee == (ieee & 0xFF) * 0x0101010101010101ull ? "all its bytes are equal" : NULL;
}

static const char *group_bit(uint64_t ieee)
{
    return (ieee >> 56) & 0x01 ? "its first byte has the group (multicast) bit set" : NULL;
}

static const char *local_bit(uint64_t ieee)
{
    return (ieee >> 56) & 0x02 ? "its first byte has the locally-administered bit set" : NULL;
}

static const char *no_oui(uint64_t ieee)
{
    static const char *(*const RULES[])(uint64_t) = {all_bytes_equal, group_bit, local_bit};
    for (size_t i = 0; i < sizeof(RULES) / sizeof(RULES[0]); i++) {
        const char *why = RULES[i](ieee);
        if (why) return why;
    }
    return NULL;
}

bool ocb_ieee_has_oui(uint64_t ieee)
{
    return no_oui(ieee) == NULL;
}

bool ocb_placeholder_ieee(const ocb_backup *b, char *why, size_t cap)
{
    const char *rule = no_oui(b->coordinator_ieee);
    if (!rule) return false; /* an IEEE equal to the EPID with an OUI is Z-Stack's default EPID */
    uint64_t rev = ocb_bswap64(b->coordinator_ieee);
    int n = snprintf(why, cap, "%016llx has no OUI (%s)", (unsigned long long)b->coordinator_ieee,
                     rule);
    size_t o = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap;
    if (ocb_herdsman_wire_order(b) && ocb_ieee_has_oui(rev))
        snprintf(why + o, cap - o,
                 ": as written it is no stick's address; byte-reversed it is %016llx, which has "
                 "one (zigbee-herdsman's ember adapter writes it LSB first)",
                 (unsigned long long)rev);
    else if (b->coordinator_ieee == b->extended_pan_id)
        snprintf(why + o, cap - o,
                 " and equals extended_pan_id: a placeholder copied from the EPID, not a stick's "
                 "address");
    else
        snprintf(why + o, cap - o, ": a placeholder, not a stick's address");
    return true;
}

void ocb_check_coordinator_ieee(ocb_report *r, const ocb_backup *b)
{
    char why[320];
    if (!ocb_placeholder_ieee(b, why, sizeof(why))) return;
    ocb_report_add(r, OCB_WARNING, "coordinator_ieee",
                   "%s. A restore would give the stick this IEEE (on EmberZNet by burning it "
                   "into a write-once token): `zbharness restore` refuses it unless --keep-ieee "
                   "(the stick keeps its own) or --write-placeholder-ieee",
                   why);
}
