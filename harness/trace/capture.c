/* capture.c - the probe tables and the profile derivation (capture.h).
 *
 * Why the replay's link: the probe is a trace played without answers to compare, so it sends
 * through the same host layers (mt_host, ezsp_host, zboss_host) the replay and the drivers use,
 * and the recorder (tap.h) turns what passed into a sanitised trace, as for `zbharness tap`. */
#include "capture.h"

#include "cJSON.h"
#include "clock.h"
#include "hex.h"
#include "replay.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What an answer says about the firmware; UNIT and NETWORK answers are state, not identity,
 * and stay out of the profile (unless the firmware refused the request). */
typedef enum { CP_VERSION, CP_CAPABILITY, CP_CONFIG, CP_TABLE, CP_NETWORK, CP_UNIT } cp_kind;

enum {
    CP_LEGACY = 1,      /* ezsp: the legacy version frame (seq, 00, 00, parameter) */
    CP_NCP_VERSION = 2, /* ezsp: the one-byte parameter is the version the NCP answered */
};

/* One request. `req`: znp CMD0 CMD1 DATA; ezsp frame id (LE) and parameters; zboss call id (LE)
 * and parameters. `status`: the answer's payload (after CMD0 CMD1; after the EZSP header; after
 * the ZBOSS TSN) begins with a status (0 success; its width is the stack's: 1, EZSP v14+ 4,
 * ZBOSS category and code 2). `value`: the value's offset after the status (or from the payload's
 * start without one), -1 none; `len`: its bytes (LE). */
typedef struct cp_row {
    cp_kind kind;
    const char *note, *req;
    int8_t status, value;
    uint8_t len, flags;
} cp_row;

static const cp_row ZNP_PROBE[] = {
    {CP_CAPABILITY, "SYS_PING (capabilities)", "2101", 0, 0, 2, 0},
    {CP_VERSION, "SYS_VERSION", "2102", 0, -1, 0, 0},
    {CP_UNIT, "SYS_GET_EXTADDR", "2104", 0, -1, 0, 0},
    {CP_NETWORK, "UTIL_GET_DEVICE_INFO", "2700", 1, -1, 0, 0},
    {CP_NETWORK, "ZB_GET_DEVICE_INFO(DEV_STATE)", "260600", 0, 1, 1, 0},
    {CP_NETWORK, "ZB_GET_DEVICE_INFO(SHORT_ADDR)", "260602", 0, 1, 2, 0},
    {CP_NETWORK, "ZB_GET_DEVICE_INFO(CHANNEL)", "260605", 0, 1, 1, 0},
    {CP_NETWORK, "ZB_GET_DEVICE_INFO(PAN_ID)", "260606", 0, 1, 2, 0},
    {CP_CONFIG, "ZB_READ_CONFIGURATION(STARTUP_OPTION)", "260403", 1, 2, 1, 0},
    {CP_CONFIG, "ZB_READ_CONFIGURATION(LOGICAL_TYPE)", "260487", 1, 2, 1, 0},
    {CP_CONFIG, "ZB_READ_CONFIGURATION(ZDO_DIRECT_CB)", "26048f", 1, 2, 1, 0},
    {CP_NETWORK, "ZB_READ_CONFIGURATION(CHANLIST)", "260484", 1, 2, 4, 0},
    {CP_TABLE, "SYS_OSAL_NV_LENGTH(NIB)", "21132100", 0, 0, 2, 0},
    {CP_TABLE, "SYS_OSAL_NV_LENGTH(ADDRMGR)", "21130101", 0, 0, 2, 0},
    {CP_TABLE, "SYS_OSAL_NV_LENGTH(BINDING_TABLE)", "21130102", 0, 0, 2, 0},
    {CP_TABLE, "SYS_OSAL_NV_LENGTH(ZNP_HAS_CONFIGURED)", "2113000f", 0, 0, 2, 0},
    {CP_TABLE, "SYS_NV_LENGTH(ADDRMGR entry 0)", "2132010100000000", 0, 0, 4, 0},
    {CP_TABLE, "SYS_NV_LENGTH(TCLK_TABLE entry 0)", "2132010400000000", 0, 0, 4, 0},
    {CP_NETWORK, "SYS_OSAL_NV_READ(ZNP_HAS_CONFIGURED)", "2108000f00", 1, -1, 0, 0},
    {CP_NETWORK, "SYS_OSAL_NV_READ_EXT(ZNP_HAS_CONFIGURED3)", "211c60000000", 1, -1, 0, 0},
    {CP_NETWORK, "SYS_OSAL_NV_READ(STARTUP_OPTION)", "2108030000", 1, -1, 0, 0},
    /* network items a backup reads; not the EPID and key items, which a factory-new stick
     * fills with its own random values (nothing of the firmware to learn, and secrets) */
    {CP_NETWORK, "SYS_OSAL_NV_READ(PANID)", "2108830000", 1, -1, 0, 0},
    {CP_NETWORK, "SYS_OSAL_NV_READ(CHANLIST)", "2108840000", 1, -1, 0, 0},
    {CP_NETWORK, "SYS_OSAL_NV_READ(NWK_SEC_MATERIAL_TABLE)", "2108750000", 1, -1, 0, 0},
    {CP_CAPABILITY, "SYS unknown command (how the firmware refuses)", "21ff", 0, -1, 0, 0},
};

/* EZSP config ids: the table sizes and defaults hosts read before they configure */
static const cp_row EZSP_PROBE[] = {
    {CP_VERSION, "version (legacy frame, asks 13)", "0d", 0, -1, 0, CP_LEGACY},
    {CP_VERSION, "version (the NCP's)", "0000", 0, -1, 0, CP_NCP_VERSION},
    {CP_VERSION, "getValue(VERSION_INFO)", "aa0011", 1, 1, 7, 0},
    {CP_CAPABILITY, "getValue(MAXIMUM_INCOMING_TRANSFER_SIZE)", "aa0005", 1, 1, 2, 0},
    {CP_CAPABILITY, "getValue(MAXIMUM_OUTGOING_TRANSFER_SIZE)", "aa0006", 1, 1, 2, 0},
    {CP_CAPABILITY, "getValue(0xfe, unknown)", "aa00fe", 1, -1, 0, 0},
    {CP_TABLE, "getConfigurationValue(PACKET_BUFFER_COUNT)", "520001", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(NEIGHBOR_TABLE_SIZE)", "520002", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(APS_UNICAST_MESSAGE_COUNT)", "520003", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(BINDING_TABLE_SIZE)", "520004", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(ADDRESS_TABLE_SIZE)", "520005", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(MULTICAST_TABLE_SIZE)", "520006", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(ROUTE_TABLE_SIZE)", "520007", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(DISCOVERY_TABLE_SIZE)", "520008", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(STACK_PROFILE)", "52000c", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(SECURITY_LEVEL)", "52000d", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(MAX_HOPS)", "520010", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(MAX_END_DEVICE_CHILDREN)", "520011", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(INDIRECT_TRANSMISSION_TIMEOUT)", "520012", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(END_DEVICE_POLL_TIMEOUT)", "520013", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(TX_POWER_MODE)", "520017", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(TRUST_CENTER_ADDRESS_CACHE_SIZE)", "520019", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(SOURCE_ROUTE_TABLE_SIZE)", "52001a", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(KEY_TABLE_SIZE)", "52001e", 1, 0, 2, 0},
    {CP_CONFIG, "getConfigurationValue(APPLICATION_ZDO_FLAGS)", "52002a", 1, 0, 2, 0},
    {CP_TABLE, "getConfigurationValue(SUPPORTED_NETWORKS)", "52002d", 1, 0, 2, 0},
    {CP_CONFIG, "getPolicy(TRUST_CENTER_POLICY)", "560000", 1, 0, 1, 0},
    {CP_TABLE, "getTokenCount", "0001", 0, 0, 1, 0},
    {CP_TABLE, "getTokenInfo(0)", "010100", 1, -1, 0, 0},
    {CP_UNIT, "getMfgToken(STRING)", "0b0001", 0, -1, 0, 0},
    {CP_UNIT, "getEui64", "2600", 0, -1, 0, 0},
    {CP_NETWORK, "networkState", "1800", 0, 0, 1, 0},
    {CP_NETWORK, "getNodeId", "2700", 0, 0, 2, 0},
    {CP_NETWORK, "getNetworkParameters", "2800", 1, -1, 0, 0},
    {CP_NETWORK, "getCurrentSecurityState", "6900", 1, -1, 0, 0},
    {CP_NETWORK, "getNetworkKeyInfo (v13+; before, refused)", "1601", 1, -1, 0, 0},
    {CP_CAPABILITY, "frame id 0x00fe, unknown (how the firmware refuses)", "fe00", 0, -1, 0, 0},
};

static const cp_row ZBOSS_PROBE[] = {
    {CP_VERSION, "GET_MODULE_VERSION", "0100", 1, 0, 12, 0},
    {CP_VERSION, "GET_COORDINATOR_VERSION", "2400", 1, 0, 1, 0},
    {CP_NETWORK, "GET_ZIGBEE_ROLE", "0400", 1, 0, 1, 0},
    {CP_NETWORK, "GET_ZIGBEE_CHANNEL_MASK", "0600", 1, -1, 0, 0},
    {CP_NETWORK, "GET_ZIGBEE_CHANNEL", "0800", 1, -1, 0, 0},
    {CP_NETWORK, "GET_PAN_ID", "0900", 1, 0, 2, 0},
    {CP_NETWORK, "GET_EXTENDED_PAN_ID", "2300", 1, -1, 0, 0},
    {CP_UNIT, "GET_LOCAL_IEEE_ADDR", "0b0000", 1, -1, 0, 0},
    {CP_NETWORK, "GET_SHORT_ADDRESS", "2500", 1, 0, 2, 0},
    {CP_NETWORK, "GET_JOINED", "1400", 1, 0, 1, 0},
    {CP_NETWORK, "GET_AUTHENTICATED", "1500", 1, 0, 1, 0},
    {CP_CONFIG, "GET_TX_POWER", "1000", 1, 0, 1, 0},
    {CP_CONFIG, "GET_RX_ON_WHEN_IDLE", "1200", 1, 0, 1, 0},
    {CP_CONFIG, "GET_ED_TIMEOUT", "1600", 1, 0, 1, 0},
    {CP_TABLE, "GET_MAX_CHILDREN", "3500", 1, 0, 1, 0},
    {CP_NETWORK, "GET_TRUST_CENTER_ADDRESS", "2600", 1, -1, 0, 0},
    {CP_NETWORK, "GET_NWK_KEYS", "1e00", 1, -1, 0, 0},
    /* the NVRAM datasets a backup reads (keys, EPID and IEEEs sanitised by the scan) */
    {CP_NETWORK, "NVRAM_READ(COMMON_DATA)", "2f000100", 1, -1, 0, 0},
    {CP_NETWORK, "NVRAM_READ(IB_COUNTERS)", "2f000700", 1, -1, 0, 0},
    {CP_NETWORK, "NVRAM_READ(ADDR_MAP)", "2f000b00", 1, -1, 0, 0},
    {CP_CAPABILITY, "call 0x0fff, unknown (how the firmware refuses)", "ff0f", 1, -1, 0, 0},
};

typedef struct cp_probe {
    const cp_row *rows;
    size_t n;
    size_t payload; /* where `status` and `value` count from in an answer */
} cp_probe;

#define PROBE(t, p)                                                                                \
    {                                                                                              \
        t, sizeof(t) / sizeof((t)[0]), p                                                           \
    }
static const cp_probe PROBES[] = {
    [ZBT_ZNP] = PROBE(ZNP_PROBE, 2),
    [ZBT_EZSP] = PROBE(EZSP_PROBE, 5),
    [ZBT_ZBOSS] = PROBE(ZBOSS_PROBE, 5),
};

/* ---------------------------------------------------------------- the probe */

/* Hex text of any even length into b (at most cap bytes): the byte count, or -1. */
static int unhex(const char *s, uint8_t *b, size_t cap)
{
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap || hex_decode(s, b, n / 2) < 0) return -1;
    return (int)(n / 2);
}

/* The request in the trace's layout: the stack's header around the row's bytes. */
static size_t build(zbt_stack st, const cp_row *r, uint8_t seq, int ncp_version, uint8_t *f,
                    size_t cap)
{
    uint8_t body[64];
    int n = unhex(r->req, body, sizeof(body));
    if (n < 2 && !(r->flags & CP_LEGACY)) return 0;
    size_t h = 0;
    if (st == ZBT_EZSP && (r->flags & CP_LEGACY)) {
        f[h++] = seq, f[h++] = 0x00, f[h++] = 0x00;
    } else if (st == ZBT_EZSP) {
        f[h++] = seq, f[h++] = 0x00, f[h++] = 0x01;
    } else if (st == ZBT_ZBOSS) {
        f[h++] = 0x00, f[h++] = 0x00; /* protocol version, request */
    }
    if (n < 0 || h + (size_t)n + 2 > cap) return 0;
    memcpy(f + h, body, (size_t)n);
    h += (size_t)n;
    if (st == ZBT_ZBOSS) { /* the TSN after the call id */
        memmove(f + 5, f + 4, h - 4);
        f[4] = seq, h++;
    }
    if (r->flags & CP_NCP_VERSION) f[h++] = (uint8_t)ncp_version;
    return h;
}

static int record(zbh_tap *tap, zbh_tap_dir d, const zbt_frames *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (zbh_tap_add_frame(tap, d, l->v[i].b, l->v[i].n, zb_now_ms()) < 0) return -1;
    return 0;
}

/* The version the NCP answered the legacy version frame with (its first parameter). */
static int ncp_version_of(zbt_stack st, const zbt_frames *rsp, int was)
{
    if (st != ZBT_EZSP || rsp->n != 1 || rsp->v[0].n < 4 || rsp->v[0].b[2] != 0x00) return was;
    return rsp->v[0].b[3];
}

static int probe_one(zbh_rp_link *l, zbt_stack st, const cp_row *r, uint8_t seq, int *ncp,
                     zbh_tap *tap)
{
    uint8_t f[96];
    size_t n = build(st, r, seq, *ncp, f, sizeof(f));
    if (!n) return -2;
    zbt_frame req = {f, n};
    zbt_frames rsp = {0}, ind = {0};
    int rc = zbh_rp_link_request(l, &req, &rsp, &ind);
    if (rc == 0) {
        *ncp = ncp_version_of(st, &rsp, *ncp);
        zbt_frames one = {&req, 1};
        if (record(tap, ZBH_TAP_HOST, &one) < 0 || record(tap, ZBH_TAP_STICK, &rsp) < 0 ||
            record(tap, ZBH_TAP_STICK, &ind) < 0)
            rc = -3;
    }
    zbh_rp_frames_free(&rsp);
    zbh_rp_frames_free(&ind);
    return rc;
}

int zbh_capture_probe(zbt_stack st, zbh_serial *s, zbh_tap *tap, char *err, size_t errlen)
{
    zbh_rp_link *l = zbh_rp_link_open(st, s, err, errlen);
    if (!l) return -1;
    zbh_rp_link_settle(l);
    const cp_probe *p = &PROBES[st];
    int ncp = 0, rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++) {
        rc = probe_one(l, st, &p->rows[i], (uint8_t)(st == ZBT_ZBOSS ? i + 1 : i), &ncp, tap);
        if (rc)
            snprintf(err, errlen, "%s: %s", p->rows[i].note,
                     rc == -2   ? "the probe's row does not build (a bug)"
                     : rc == -3 ? "out of memory"
                                : "the link failed");
    }
    zbh_rp_link_close(l);
    return rc ? -1 : 0;
}

/* ---------------------------------------------------------------- the profile */

static const char *const KIND_FIELD[] = {
    [CP_VERSION] = "version", [CP_CAPABILITY] = "capabilities",
    [CP_CONFIG] = "config",   [CP_TABLE] = "tables",
    [CP_NETWORK] = NULL,      [CP_UNIT] = NULL,
};

/* The answer's first frame, decoded from the trace's hex; n = 0 when none. */
static size_t answer_of(const cJSON *x, uint8_t *b, size_t cap)
{
    const cJSON *rsp = cJSON_GetObjectItemCaseSensitive(x, "rsp");
    const cJSON *first = cJSON_IsArray(rsp) ? cJSON_GetArrayItem(rsp, 0) : NULL;
    if (!cJSON_IsString(first)) return 0;
    int n = unhex(first->valuestring, b, cap);
    return n > 0 ? (size_t)n : 0;
}

/* The width of an answer's status (cp_row.status): EZSP v14+ answers a 4-byte sl_status. */
static size_t status_width(zbt_stack st, int ezsp)
{
    return st == ZBT_ZBOSS ? 2 : st == ZBT_EZSP && ezsp >= 14 ? 4 : 1;
}

static bool status_failed(const uint8_t *p, size_t w, size_t n)
{
    if (n < w) return true;
    for (size_t i = 0; i < w; i++)
        if (p[i]) return true;
    return false;
}

/* How the firmware refused the request, or NULL when it answered it. An error status of a
 * network or unit row is the stick's state (not joined, an item not written), not a refusal. */
static const char *refusal(zbt_stack st, const cp_row *r, size_t payload, size_t sw,
                           const uint8_t *a, size_t n)
{
    if (n == 0) return "no answer";
    if (st == ZBT_ZNP && n >= 2 && a[0] == 0x60 && a[1] == 0x00) return "RPC error";
    if (st == ZBT_EZSP && n >= 5 && a[2] == 0x01 && a[3] == 0x58 && a[4] == 0x00)
        return "invalidCommand";
    bool identity = r->kind != CP_NETWORK && r->kind != CP_UNIT;
    if (identity && r->status && status_failed(a + payload, sw, n > payload ? n - payload : 0))
        return "an error status";
    return NULL;
}

static cJSON *entry(const cp_row *r, size_t at, const cJSON *x, const uint8_t *a, size_t n,
                    const char *refused)
{
    cJSON *e = cJSON_CreateObject();
    if (!e) return NULL;
    cJSON_AddStringToObject(e, "what", r->note);
    if (refused) {
        cJSON_AddItemToObject(e, "req",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(x, "req"), 1));
        cJSON_AddStringToObject(e, "refused_with", refused);
    } else if (r->value >= 0 && r->len <= 4 && at + (size_t)r->value + r->len <= n) {
        uint32_t v = 0;
        for (int i = r->len - 1; i >= 0; i--)
            v = v << 8 | a[at + (size_t)r->value + (size_t)i];
        cJSON_AddNumberToObject(e, "value", v);
    }
    cJSON_AddItemToObject(e, "rsp", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(x, "rsp"), 1));
    return e;
}

static cJSON *summary(void)
{
    cJSON *p = cJSON_CreateObject();
    if (!p) return NULL;
    cJSON_AddStringToObject(p, "format", "zbprofile 1");
    for (size_t k = 0; k < sizeof(KIND_FIELD) / sizeof(KIND_FIELD[0]); k++)
        if (KIND_FIELD[k]) cJSON_AddArrayToObject(p, KIND_FIELD[k]);
    cJSON_AddArrayToObject(p, "refused");
    return p;
}

/* Sorts one exchange into the summary and, when it is identity, into the profile's answers. */
static void derive_one(zbt_stack st, int ezsp, const cp_row *r, const cJSON *x, cJSON *sum,
                       cJSON *ans)
{
    const cp_probe *p = &PROBES[st];
    uint8_t a[512];
    size_t n = answer_of(x, a, sizeof(a)), sw = status_width(st, ezsp);
    const char *refused = refusal(st, r, p->payload, sw, a, n);
    const char *field = refused ? "refused" : KIND_FIELD[r->kind];
    if (!field) return;
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(sum, field),
                         entry(r, p->payload + (r->status ? sw : 0), x, a, n, refused));
    if (n) cJSON_AddItemToArray(ans, cJSON_Duplicate(x, 1));
}

static int derive(zbt_stack st, cJSON *doc, char *err, size_t errlen)
{
    const cp_probe *p = &PROBES[st];
    cJSON *ex = cJSON_DetachItemFromObjectCaseSensitive(doc, "exchanges");
    if (cJSON_GetArraySize(ex) != (int)p->n) {
        snprintf(err, errlen, "the capture holds %d exchanges, the probe sent %zu",
                 cJSON_GetArraySize(ex), p->n);
        cJSON_Delete(ex);
        return -1;
    }
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "firmware"), "ezsp");
    int ezsp = cJSON_IsNumber(v) ? v->valueint : 0;
    cJSON *sum = summary(), *ans = cJSON_CreateArray();
    for (size_t i = 0; sum && ans && i < p->n; i++)
        derive_one(st, ezsp, &p->rows[i], cJSON_GetArrayItem(ex, (int)i), sum, ans);
    cJSON_Delete(ex);
    if (!sum || !ans) {
        cJSON_Delete(sum);
        cJSON_Delete(ans);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cJSON_AddItemToObject(doc, "profile", sum);
    cJSON_AddItemToObject(doc, "exchanges", ans);
    return 0;
}

char *zbh_capture_profile(zbt_stack st, const char *trace_json, char *err, size_t errlen)
{
    cJSON *doc = cJSON_Parse(trace_json);
    if (!doc) {
        snprintf(err, errlen, "the capture is not JSON (out of memory?)");
        return NULL;
    }
    char *text = NULL;
    if (derive(st, doc, err, errlen) == 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(
            doc, "source",
            cJSON_CreateString("zbharness capture --profile: an emulator profile "
                               "(zbemu --profile-file), the identity answers of "
                               "a captured probe"));
        text = cJSON_Print(doc);
        if (!text) snprintf(err, errlen, "out of memory");
    }
    cJSON_Delete(doc);
    return text;
}
