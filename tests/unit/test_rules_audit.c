/* test_rules_audit.c - emulator rules changed by the vendor-source audit (docs/rules-audit.md).
 * Each test names the vendor file the rule comes from. The emulators run their ordinary loop
 * in a thread on one end of a socketpair; the harness's own host sides (mt_host, ezsp_host,
 * zboss_host) speak to them, so only the rule under test is new here. */
#include "emu.h"
#include "ezsp_host.h"
#include "ezsp_versions.h"
#include "mt_cmds.h"
#include "mt_host.h"
#include "serial.h"
#include "zboss_host.h"

#include "bytes.h"
#include "fileio.h"
#include "hex.h"

#include <cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---------------------------------------------------------------- an emulator in a thread */

typedef struct running {
    emu *e;
    pthread_t thread;
    int loop_rc;
    zbh_serial *ser;
} running;

static void *loop_main(void *arg)
{
    running *r = arg;
    r->loop_rc = emu_run(r->e);
    return NULL;
}

static void start(running *r, const emu_frontend *fe, const char *nvram, const char *profile,
                  int ezsp_version)
{
    int sv[2];
    char err[512] = "";
    memset(r, 0, sizeof(*r));
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    emu_options o = {.nvram_path = nvram,
                     .profile = profile,
                     .ezsp_version = ezsp_version,
                     .seed = 11,
                     .host_fd = sv[0]};
    r->e = emu_create(fe, &o, err, sizeof(err));
    cr_assert_not_null(r->e, "%s", err);
    cr_assert_eq(pthread_create(&r->thread, NULL, loop_main, r), 0);
    r->ser = zbh_serial_from_fd(sv[1], "audit", err, sizeof(err));
    cr_assert_not_null(r->ser, "%s", err);
}

static void stop(running *r)
{
    zbh_serial_close(r->ser);
    cr_assert_eq(pthread_join(r->thread, NULL), 0);
    cr_assert_eq(r->loop_rc, 0);
    cr_assert_eq(emu_destroy(r->e), 0);
}

static char g_dir[64];

static void make_dir(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/zb-audit-XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *path_in(const char *name)
{
    static char p[2][128];
    static int k;
    k ^= 1;
    snprintf(p[k], sizeof(p[k]), "%s/%s", g_dir, name);
    return p[k];
}

/* ---------------------------------------------------------------- Z-Stack: NWK frame counter */

static cJSON *load_json(const char *path)
{
    size_t n = 0;
    char *text = file_read_all(path, 1 << 24, &n);
    cr_assert_not_null(text, "cannot read %s", path);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(doc, "%s does not parse", path);
    return doc;
}

static void save_json(const cJSON *doc, const char *path)
{
    char *text = cJSON_Print(doc);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
}

/* The real CC2652R dump (3.x.0): NIB EPID a083e6b5a838baa2, sec-material row 0 = that EPID with
 * counter 7500, rows 1..4 empty. */
#define CC2652R ZB_SOURCE_DIR "/vectors/nvram/znp/CC2652R-ZStack4.formed.json"
#define EPID_WIRE "a083e6b5a838baa2"

static void set_row(cJSON *doc, const char *sub, const char *hex24)
{
    cJSON *t = cJSON_GetObjectItem(doc, "NWK_SEC_MATERIAL_TABLE");
    cr_assert_not_null(t);
    cJSON_ReplaceItemInObject(t, sub, cJSON_CreateString(hex24));
}

/* ZDO_STARTUP_FROM_APP on the formed image, then the counter the file holds for the EPID. */
static uint32_t counter_after_start(const char *nvfile)
{
    running r;
    start(&r, &emu_znp_frontend, nvfile, "zstack3x0", 0);
    mt_host h;
    mt_host_init(&h, r.ser);
    mt_frame rsp;
    static const uint8_t start_delay[2] = {0, 0};
    int rc = mt_host_sreq(&h, MT_ZDO_STARTUP_FROM_APP, start_delay, 2, &rsp, 5000);
    cr_assert_eq(rc, MT_HOST_OK, "%s", mt_host_strerror(rc));
    cr_assert_eq(rsp.len, 1);
    cr_assert_eq(rsp.data[0], 0, "restored network state");
    stop(&r);
    cJSON *doc = load_json(nvfile);
    cJSON *t = cJSON_GetObjectItem(doc, "NWK_SEC_MATERIAL_TABLE");
    cr_assert_not_null(t);
    long fc = -1;
    for (cJSON *row = t->child; row; row = row->next) {
        const char *v = cJSON_GetStringValue(row);
        cr_assert(v && strlen(v) == 24);
        if (strcmp(v + 8, EPID_WIRE) == 0) {
            char head[9];
            uint8_t b[4];
            memcpy(head, v, 8);
            head[8] = 0;
            cr_assert_eq(hex_decode(head, b, 4), 0);
            fc = (long)get_le32(b);
        }
    }
    cJSON_Delete(doc);
    cr_assert_geq(fc, 0, "no sec-material row for the EPID after the start");
    return (uint32_t)fc;
}

/* TI zd_app.c ZDApp_RestoreNwkSecMaterial (simplelink-lowpower-f2-sdk
 * source/ti/zstack/stack/zdo/zd_app.c; the same in Z-Stack 3.0.x ZDApp.c): at boot the counter
 * of the EPID row is restored plus MAX_NWK_FRAMECOUNTER_CHANGES (1000) +
 * NWK_FRAMECOUNTER_CHANGES_RESTORE_DELTA (250); without an EPID row the generic row is used
 * only when its counter is not 0; otherwise nothing is restored: the counter starts at 0. */
Test(rules_audit, znp_boot_jump_needs_the_epid_row_or_a_nonzero_generic_row, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    static const struct {
        const char *row0, *row4;
        uint32_t want;
        const char *why;
    } CASE[] = {
        {NULL, NULL, 7500 + 1250, "EPID row: restored + 1250"},
        {"4c1d00001111111111111111", "f4010000ffffffffffffffff", 500 + 1250,
         "no EPID row, generic row 500: restored + 1250"},
        {"4c1d00001111111111111111", "000000000000000000000000", 0,
         "no EPID row, no generic counter: starts at 0, no jump"},
        {"4c1d00001111111111111111", "00000000ffffffffffffffff", 0,
         "no EPID row, generic row 0: starts at 0, no jump"},
    };
    for (size_t i = 0; i < sizeof(CASE) / sizeof(CASE[0]); i++) {
        cJSON *doc = load_json(CC2652R);
        if (CASE[i].row0) set_row(doc, "0x0000", CASE[i].row0);
        if (CASE[i].row4) set_row(doc, "0x0004", CASE[i].row4);
        save_json(doc, path_in("nv.json"));
        cJSON_Delete(doc);
        uint32_t got = counter_after_start(path_in("nv.json"));
        /* the simulated traffic may have used a few values before the file was written */
        cr_assert(got >= CASE[i].want && got < CASE[i].want + 20, "%s: got %u, want %u",
                  CASE[i].why, got, CASE[i].want);
        unlink(path_in("nv.json"));
    }
}

/* TI zd_sec_mgr.c ZDSecMgrNwkKeyInit (simplelink-lowpower-f2-sdk
 * source/ti/zstack/stack/zdo/zd_sec_mgr.c, called by zgInit at every boot): with
 * ZCD_STARTOPT_CLEAR_NWK_FRAME_COUNTER (0x80) set every sec-material row is rewritten empty
 * (the last one as the generic row), so the next network start restores nothing and counts
 * from 0; zgInit clears only bit 0, so bit 7 stays set. */
Test(rules_audit, znp_startup_option_0x80_zeroes_the_counter_rows, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    cJSON *doc = load_json(CC2652R);
    cJSON *legacy = cJSON_GetObjectItem(doc, "LEGACY");
    cJSON_ReplaceItemInObject(legacy, "STARTUP_OPTION", cJSON_CreateString("80"));
    save_json(doc, path_in("nv.json"));
    cJSON_Delete(doc);
    uint32_t got = counter_after_start(path_in("nv.json"));
    cr_assert_lt(got, 20, "counter after a boot with bit 7: %u (7500 + 1250 before the audit)", got);
    doc = load_json(path_in("nv.json"));
    legacy = cJSON_GetObjectItem(doc, "LEGACY");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(legacy, "STARTUP_OPTION")), "80");
    cJSON *t = cJSON_GetObjectItem(doc, "NWK_SEC_MATERIAL_TABLE");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "0x0004")),
                     "00000000ffffffffffffffff", "the last row is the generic row, counter 0");
    cJSON_Delete(doc);
}

/* ---------------------------------------------------------------- EmberZNet: setTokenData */

/* gecko_sdk protocol/zigbee/app/framework/common/zigbee_token_interface.c emberSetTokenData:
 * the only failure is EMBER_ERR_FATAL (the em260 handler appends that one status byte);
 * simplicity_sdk's sl_zigbee_set_token_data passes on an sl_status_t (SL_STATUS_FAIL here). */
static void refused_set_token_data(int version, uint32_t want)
{
    running r;
    start(&r, &emu_ezsp_frontend, path_in("ezsp.json"), NULL, version);
    ezsp_host h;
    ezsp_host_init(&h, r.ser);
    int v = ezsp_host_connect(&h, version);
    cr_assert_eq(v, version, "%s", v < 0 ? ezsp_host_strerror(v) : "other version");
    uint8_t p[12 + 8];
    ezsp_host_frame f;
    /* RESTORED_EUI64 (NVM3 key 0x1E12A) with 7 bytes instead of 8; then a creator-style key */
    static const uint32_t key[2] = {0x1E12A, 0xE12A};
    static const uint32_t size[2] = {7, 8};
    for (int i = 0; i < 2; i++) {
        put_le32(p, key[i]);
        put_le32(p + 4, 0);
        put_le32(p + 8, size[i]);
        memset(p + 12, 0x11, 8);
        int rc = ezsp_host_cmd(&h, EZSP_ID_SET_TOKEN_DATA, p, 12 + size[i], &f);
        cr_assert_eq(rc, EZSP_HOST_OK, "%s", ezsp_host_strerror(rc));
        uint32_t st = version >= 14 ? (f.len >= 4 ? get_le32(f.data) : 0xFFFF) : f.data[0];
        cr_assert_eq(st, want, "v%d key %05x size %u: status 0x%x", version, key[i], size[i], st);
    }
    stop(&r);
}

Test(rules_audit, ezsp_refused_set_token_data_is_err_fatal, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    refused_set_token_data(13, 0x01); /* EMBER_ERR_FATAL */
    unlink(path_in("ezsp.json"));
    refused_set_token_data(14, 0x0001); /* SL_STATUS_FAIL */
}

/* ---------------------------------------------------------------- ZBOSS: refused NVRAM calls */

/* DSR ZBOSS ncp/high_level/dev/ncpfw/ncp_hl_proto.c (patrick112345678/RT581 @46946f16):
 * nvram_write answers RET_ERROR (0/1) when zb_nvram_write_dataset_direct refuses a dataset
 * (type outside 1..31: INVALID_PARAMETER_1; not the current version: INVALID_PARAMETER_2);
 * nvram_read answers RET_ERROR for every failure but NOT_FOUND (0/28). */
Test(rules_audit, zboss_refused_nvram_calls_are_generic_error, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    running r;
    start(&r, &emu_zboss_frontend, path_in("zboss.json"), NULL, 0);
    zboss_host h;
    zboss_host_init(&h, r.ser);
    /* IB_COUNTERS with version 0 (the stack writes 1) */
    uint8_t w[1 + 6 + 8] = {1};
    put_le16(w + 1, 7);
    put_le16(w + 3, 0);
    put_le16(w + 5, 8);
    int rc = zboss_host_call(&h, ZBOSS_NVRAM_WRITE, w, sizeof(w), NULL, 5000);
    cr_assert_eq(rc, 1, "wrong version: %d/%d", rc >> 8, rc & 0xFF);
    /* dataset type 40 */
    put_le16(w + 1, 40);
    put_le16(w + 3, 0);
    rc = zboss_host_call(&h, ZBOSS_NVRAM_WRITE, w, sizeof(w), NULL, 5000);
    cr_assert_eq(rc, 1, "write type 40: %d/%d", rc >> 8, rc & 0xFF);
    uint8_t t[2];
    put_le16(t, 40);
    rc = zboss_host_call(&h, ZBOSS_NVRAM_READ, t, 2, NULL, 5000);
    cr_assert_eq(rc, 1, "read type 40: %d/%d", rc >> 8, rc & 0xFF);
    /* a dataset never written stays NOT_FOUND */
    put_le16(t, 7);
    rc = zboss_host_call(&h, ZBOSS_NVRAM_READ, t, 2, NULL, 5000);
    cr_assert_eq(rc, 28, "read absent 7: %d/%d", rc >> 8, rc & 0xFF);
    zboss_host_free(&h);
    stop(&r);
}

/* ---------------------------------------------------------------- Z-Stack: OSAL_NV_ITEM_INIT */

/* TI mt_sys.c MT_SysOsalNVItemInit (simplelink-lowpower-f2-sdk source/ti/zstack/mt/mt_sys.c
 * @374a26a4): when the init data is as long as the item or longer, the item is created with
 * osal_nv_item_init(id, len, data), i.e. from the first len bytes; nothing refuses it. */
Test(rules_audit, znp_item_init_with_more_init_data_than_the_item_creates_it, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    running r;
    start(&r, &emu_znp_frontend, path_in("znp.json"), "zstack3x0", 0);
    mt_host h;
    mt_host_init(&h, r.ser);
    mt_frame rsp;
    /* id 0x0F00 (a host marker), len 2, 4 bytes of init data */
    static const uint8_t init[] = {0x00, 0x0F, 0x02, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44};
    int rc = mt_host_sreq(&h, MT_SYS_OSAL_NV_ITEM_INIT, init, sizeof(init), &rsp, 5000);
    cr_assert_eq(rc, MT_HOST_OK, "%s", mt_host_strerror(rc));
    cr_assert_eq(rsp.data[0], 0x09, "created: NV_ITEM_UNINIT, got 0x%02x", rsp.data[0]);
    static const uint8_t rd[] = {0x00, 0x0F, 0x00};
    rc = mt_host_sreq(&h, MT_SYS_OSAL_NV_READ, rd, sizeof(rd), &rsp, 5000);
    cr_assert_eq(rc, MT_HOST_OK, "%s", mt_host_strerror(rc));
    cr_assert(rsp.len == 4 && rsp.data[0] == 0 && rsp.data[1] == 2 && rsp.data[2] == 0x11 &&
                  rsp.data[3] == 0x22,
              "the item holds the first 2 bytes");
    stop(&r);
}

/* ---------------------------------------------------------------- ZBOSS: NCP_RESET */

/* DSR ZBOSS ncp_hl_proto.c reset_req (patrick112345678/RT581 @46946f16): a request shorter than
 * header + option byte is answered at once with RET_INVALID_FORMAT (0/42) and no reset. */
Test(rules_audit, zboss_ncp_reset_without_its_option_is_invalid_format, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    running r;
    start(&r, &emu_zboss_frontend, path_in("zboss.json"), NULL, 0);
    zboss_host h;
    zboss_host_init(&h, r.ser);
    int rc = zboss_host_call(&h, ZBOSS_NCP_RESET, NULL, 0, NULL, 5000);
    cr_assert_eq(rc, 42, "NCP_RESET without option: %d/%d", rc >> 8, rc & 0xFF);
    zboss_host_free(&h);
    stop(&r);
}
