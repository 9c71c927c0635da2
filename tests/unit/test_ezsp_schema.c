/* test_ezsp_schema.c - the EZSP command rows (proto/ezsp/ezsp_schema.h) against real sticks' bytes:
 * each row below is one payload from vectors/traces/ezsp (the trace and the exchange named in
 * the row), decoded through the layout of its command at its firmware's EZSP version, checked
 * field by field, and encoded back to the same bytes. Then the emulator's answers to requests
 * shorter than their layout (the firmware's own error status), and the table's own rules. */
#include "emu.h"
#include "ezsp_ncp.h"
#include "emu_commands.h"
#include "ezsp_frontend.h"
#include "ezsp_cmds.h" /* the emulator's command tables */
#include "ezsp_host.h"
#include "ezsp_versions.h"
#include "hex.h"
#include "log.h"
#include "serial.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* hex with spaces for reading, to bytes */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    char compact[1024];
    size_t k = 0;
    for (; *s && k + 1 < sizeof(compact); s++)
        if (*s != ' ') compact[k++] = *s;
    compact[k] = 0;
    cr_assert(k % 2 == 0 && k / 2 <= cap);
    cr_assert(hex_decode(compact, out, k / 2) == 0, "bad hex %s", compact);
    return k / 2;
}

/* An integer or byte field of a decoded struct, by its path ("aps.cluster_id": the first
 * element of an ARRAY/LIST), as hex of its little-endian wire bytes for BYTES */
static int field_value(const zs_layout *l, const uint8_t *obj, const char *path, uint64_t *v,
                       const uint8_t **bytes, size_t *n)
{
    char head[64];
    const char *dot = strchr(path, '.');
    size_t k = dot ? (size_t)(dot - path) : strlen(path);
    snprintf(head, sizeof(head), "%.*s", (int)k, path);
    const zs_field *f = zs_field_named(l, head);
    if (!f) return -1;
    const uint8_t *m = obj + f->off;
    if (dot) return f->sub ? field_value(f->sub, m, dot + 1, v, bytes, n) : -1;
    switch (f->kind) {
    case ZS_U8: *v = *m; return 0;
    case ZS_U16: *v = *(const uint16_t *)(const void *)m; return 0;
    case ZS_U32: *v = *(const uint32_t *)(const void *)m; return 0;
    case ZS_U64: *v = *(const uint64_t *)(const void *)m; return 0;
    case ZS_U8W:
        *v = f->n == 4   ? *(const uint32_t *)(const void *)m
             : f->n == 2 ? *(const uint16_t *)(const void *)m
                         : *m;
        return 0;
    case ZS_BYTES: *bytes = m, *n = f->n; return 1;
    case ZS_LEN8:
    case ZS_REST: *bytes = m, *n = *(const uint16_t *)(const void *)(obj + f->len_off); return 1;
    default: return -1;
    }
}

typedef struct want {
    const char *field;
    uint64_t value;  /* integers */
    const char *hex; /* byte fields (NULL: an integer) */
} want;

typedef struct sample {
    const char *trace; /* vectors/traces/ezsp/<trace>.json, and what the exchange is */
    int version;
    uint16_t id;
    int response;        /* 0: the host's request, 1: what the NCP sent (response or callback) */
    const char *payload; /* the parameters, after the 5-byte EZSP header */
    want w[6];
} sample;

static const sample ROWS[] = {
    {"b-v8-unknown-zhadh969: sendUnicast (ZCL to 0xe662)",
     8,
     EZSP_ID_SEND_UNICAST,
     0,
     "00 62e6 0401 0100 01 01 4001 0000 23 24 0c 00230600210020100e302a01",
     {{"type", 0},
      {"destination", 0xE662},
      {"aps.profile_id", 0x0104},
      {"aps.options", 0x0140},
      {"tag", 0x24},
      {"message", 0, "00230600210020100e302a01"}}},
    {"b-v8-unknown-zhadh969: its response",
     8,
     EZSP_ID_SEND_UNICAST,
     1,
     "00 4c",
     {{"status", 0}, {"sequence", 0x4C}}},
    {"b-v8-unknown-zhadh2042: messageSentHandler after setExtendedTimeout",
     8,
     EZSP_ID_MESSAGE_SENT_HANDLER,
     1,
     "00 3492 0401 0600 01 01 0001 0000 c4 8e 00 00",
     {{"type", 0},
      {"destination", 0x9234},
      {"aps.cluster_id", 0x0006},
      {"aps.sequence", 0xC4},
      {"tag", 0x8E},
      {"status", 0}}},
    {"h-v8-unknown-hs319-danielk117: unsolicited incomingMessageHandler (broadcast)",
     8,
     EZSP_ID_INCOMING_MESSAGE_HANDLER,
     1,
     "05 0000 1f00 00 00 0000 0000 00 ff 00 0000 ff ff 2a "
     "81051e13c6e70527718455245084f8277184c598410ba7277184a194dcf2f527718442093cf819277184",
     {{"type", 5},
      {"aps.cluster_id", 0x001F},
      {"lqi", 0xFF},
      {"sender", 0},
      {"address_index", 0xFF}}},
    {"b-v8-unknown-bellows468: getKey(CURRENT_NETWORK_KEY)",
     8,
     EZSP_ID_GET_KEY,
     0,
     "03",
     {{"value", 3}}},
    {"b-v8-unknown-bellows468: its response (EmberKeyStruct)",
     8,
     EZSP_ID_GET_KEY,
     1,
     "00 0300 03 f22a9dbf8690f15596e65b52d2dd4aaa 01500600 00000000 00 0000000000000000",
     {{"status", 0},
      {"key.bitmask", 0x0003},
      {"key.type", 3},
      {"key.key", 0, "f22a9dbf8690f15596e65b52d2dd4aaa"},
      {"key.outgoing_frame_counter", 0x00065001},
      {"key.sequence_number", 0}}},
    {"b-v8-unknown-bellows468: getCurrentSecurityState",
     8,
     EZSP_ID_GET_CURRENT_SECURITY_STATE,
     1,
     "00 f400 f807a096b5cccccc",
     {{"status", 0}, {"bitmask", 0x00F4}, {"tc_eui64", 0, "f807a096b5cccccc"}}},
    {"b-v8-unknown-bellows468: getConfigurationValue(SECURITY_LEVEL)",
     8,
     EZSP_ID_GET_CONFIGURATION_VALUE,
     0,
     "0d",
     {{"id", EZSP_CONFIG_SECURITY_LEVEL}}},
    {"b-v8-unknown-bellows468: its response",
     8,
     EZSP_ID_GET_CONFIGURATION_VALUE,
     1,
     "00 0500",
     {{"status", 0}, {"value", 5}}},
    {"b-v8-unknown-zhadh1818: getValue(FREE_BUFFERS)",
     8,
     EZSP_ID_GET_VALUE,
     1,
     "00 01 f7",
     {{"status", 0}, {"value", 0, "f7"}}},
    {"b-v8-unknown-bellows461: readCounters (41 u16 up to v13)",
     8,
     EZSP_ID_READ_COUNTERS,
     1,
     "b5046c003302de004400190009000900190123000f0006000f00220012000800000000000000000000000000"
     "0000000000002401000000000000000000000000120000000000000000000000000000000000",
     {{"counters.value", 0x04B5}}},
    {"h-v8-6.10.3.0-hzc9290: stackStatusHandler(NETWORK_UP) after networkInit",
     8,
     EZSP_ID_STACK_STATUS_HANDLER,
     1,
     "90",
     {{"status", EMBER_NETWORK_UP}}},
    {"h-v13-7.4.0.0-zss-sniffer30: getStandaloneBootloaderVersionPlatMicroPhy",
     13,
     EZSP_ID_GET_STANDALONE_BOOTLOADER_VERSION,
     1,
     "0121 04 18 0f",
     {{"bootloader_version", 0x2101}, {"node_plat", 4}, {"node_micro", 0x18}, {"node_phy", 0x0F}}},
    {"h-v13-7.4.4.0-z2m24726: version (legacy frame)",
     13,
     EZSP_ID_VERSION,
     1,
     "0d 02 4074",
     {{"protocol_version", 13}, {"stack_type", 2}, {"stack_version", 0x7440}}},
};

static void check_row(const sample *r)
{
    uint8_t in[128], out[128];
    _Alignas(max_align_t) uint8_t obj[EZSP_SCHEMA_MAX_STRUCT];
    size_t n = unhex(r->payload, in, sizeof(in));
    const zs_cmd *c = ezsp_cmd_row(r->id, r->version);
    cr_assert_not_null(c, "%s: no row", r->trace);
    const zs_layout *l = r->response ? c->rsp : c->req;
    zs_err err = {0};
    cr_assert_eq(zs_decode(l, in, n, obj, &err), (long)n, "%s: %s.%s %s", r->trace, err.layout,
                 err.field ? err.field : "", err.why ? err.why : "takes fewer bytes");
    for (size_t i = 0; i < COUNT(r->w) && r->w[i].field; i++) {
        const want *w = &r->w[i];
        uint64_t v = 0;
        const uint8_t *b = NULL;
        size_t bn = 0;
        int k = field_value(l, obj, w->field, &v, &b, &bn);
        cr_assert_geq(k, 0, "%s: no field %s", r->trace, w->field);
        if (w->hex) {
            char hx[2 * 128 + 1];
            cr_assert_eq(k, 1, "%s: %s is not bytes", r->trace, w->field);
            hex_encode(b, bn, hx);
            cr_assert_str_eq(hx, w->hex, "%s: %s", r->trace, w->field);
        } else {
            cr_assert_eq(v, w->value, "%s: %s = 0x%llx", r->trace, w->field, (unsigned long long)v);
        }
    }
    cr_assert_eq(zs_encode_to(l, obj, out, sizeof(out)), (long)n, "%s: re-encoded", r->trace);
    cr_assert_arr_eq(out, in, n, "%s: re-encoded bytes", r->trace);
}

Test(ezsp_schema, real_firmware_bytes_decode_and_encode_back)
{
    for (size_t i = 0; i < COUNT(ROWS); i++)
        check_row(&ROWS[i]);
}

/* the versioned rows differ where ezsp-ash.md §2.5 says: the same sendUnicast response is
 * 2 bytes at v13 and 5 at v14 */
Test(ezsp_schema, status_and_tag_width_follow_the_version)
{
    ezsp_send_rsp a = {.status = 0, .sequence = 0x4C};
    uint8_t out[8];
    cr_assert_eq(zs_encode_to(ezsp_cmd_row(EZSP_ID_SEND_UNICAST, 13)->rsp, &a, out, 8), 2);
    cr_assert_eq(zs_encode_to(ezsp_cmd_row(EZSP_ID_SEND_UNICAST, 14)->rsp, &a, out, 8), 5);
    cr_assert_eq(out[4], 0x4C);
    cr_assert_eq(ezsp_secman_context_size(12), 17u);
    cr_assert_eq(ezsp_secman_context_size(13), 18u);
}

/* Every row's structs fit the dispatcher's and the driver's buffers, and every command the
 * emulator serves has a row at every version it serves it (its name comes from there). */
Test(ezsp_schema, table_rules)
{
    for (size_t i = 0; i < ezsp_n_commands; i++) {
        const zs_cmd *c = &ezsp_commands[i];
        cr_assert(c->rsp, "%s", c->name);
        cr_assert_leq(c->rsp->size, EZSP_SCHEMA_MAX_STRUCT, "%s", c->name);
        if (c->req) cr_assert_leq(c->req->size, EZSP_SCHEMA_MAX_STRUCT, "%s", c->name);
        for (size_t j = i + 1; j < ezsp_n_commands; j++) {
            const zs_cmd *d = &ezsp_commands[j];
            if (c->id != d->id || !c->ver_min) continue;
            unsigned chi = c->ver_max ? c->ver_max : 255, dhi = d->ver_max ? d->ver_max : 255;
            cr_assert(chi < d->ver_min || dhi < c->ver_min, "%s / %s overlap", c->name, d->name);
        }
    }
    static const struct {
        const ezsp_cmd *t;
        const size_t *n;
    } TABLES[] = {{ezsp_config_commands, &ezsp_n_config_commands},
                  {ezsp_network_commands, &ezsp_n_network_commands},
                  {ezsp_security_commands, &ezsp_n_security_commands},
                  {ezsp_table_commands, &ezsp_n_table_commands},
                  {ezsp_legacy_commands, &ezsp_n_legacy_commands}};
    for (size_t t = 0; t < COUNT(TABLES); t++)
        for (size_t i = 0; i < *TABLES[t].n; i++) {
            const ezsp_cmd *c = &TABLES[t].t[i];
            for (int v = EZSP_FIRST_EXTENDED; v <= EZSP_NEWEST; v++) {
                if (v < c->min_ver || v > c->max_ver) continue;
                const zs_cmd *row = ezsp_cmd_row(c->id, v);
                cr_assert_not_null(row, "0x%04x at v%d: served without a schema row", c->id, v);
                cr_assert(row->req, "%s is served but has no request layout", row->name);
                cr_assert_str_eq(ezsp_command_name(c->id, v), row->name);
            }
        }
}

/* ---- a short request to the emulator gets the firmware's error answer ---- */

typedef struct short_req {
    uint16_t id;
    const char *params;  /* shorter than the layout */
    const char *rsp_v13; /* the answer: EmberStatus / EzspStatus u8 */
    const char *rsp_v14; /* sl_status u32 */
} short_req;

static const short_req SHORT[] = {
    /* 10 of the 43 bytes of EmberInitialSecurityState: BAD_ARGUMENT / INVALID_PARAMETER */
    {EZSP_ID_SET_INITIAL_SECURITY_STATE, "841b 5a6967426565416c", "02", "21000000"},
    /* formNetwork with a cut EmberNetworkParameters */
    {EZSP_ID_FORM_NETWORK, "dddddddddddddddd 621a", "02", "21000000"},
    /* setValue whose value is shorter than its length: INVALID_VALUE */
    {EZSP_ID_SET_VALUE, "23 04 0000", "36", "21000000"},
    /* sendUnicast cut inside the APS frame: BAD_ARGUMENT and sequence 0 */
    {EZSP_ID_SEND_UNICAST, "00 0000 0000", "0200", "2100000000"},
    /* setMulticastTableEntry without the entry: INDEX_OUT_OF_RANGE / INVALID_INDEX */
    {EZSP_ID_SET_MULTICAST_TABLE_ENTRY, "01", "b1", "27000000"},
};

static void short_requests(int version)
{
    ncp n;
    ncp_start(&n, version);
    for (size_t i = 0; i < COUNT(SHORT); i++) {
        uint8_t p[64];
        char hx[2 * EZSP_MAX_FRAME + 1];
        size_t len = unhex(SHORT[i].params, p, sizeof(p));
        ezsp_host_frame r;
        cr_assert_eq(ezsp_host_cmd(&n.h, SHORT[i].id, p, len, &r), EZSP_HOST_OK);
        hex_encode(r.data, r.len, hx);
        cr_assert_str_eq(hx, version >= 14 ? SHORT[i].rsp_v14 : SHORT[i].rsp_v13, "0x%04x at v%d",
                         SHORT[i].id, version);
    }
    ncp_stop(&n);
}

Test(ezsp_schema, short_request_gets_the_firmware_error_v13)
{
    short_requests(13);
}

Test(ezsp_schema, short_request_gets_the_firmware_error_v14)
{
    short_requests(14);
}
