/* test_emu_nv.c - issue 13, emulator NVRAM: the three serialisers build the whole document or
 * nothing (cJSON allocations failed one by one through cJSON_InitHooks), a failed save leaves
 * the file as it was and is reported at shutdown, the loaders refuse trailing data, unknown
 * fields and a formed network without its key or frame counter (naming the item), the ZNP
 * store writes and loads back every item a host may create, --nvram is resolved to the real
 * file (lock shared by every alias, a dangling symlink refused) and --link never replaces what
 * it did not make. */
#include "emu.h"
#include "emu_link.h"
#include "ezsp_frontend.h"
#include "fileio.h"
#include "znp_nv.h"
#include "zboss_frontend.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- failing allocations */

static long g_allow; /* allocations left before malloc fails; < 0: never fail */
static long g_count;

static void *failing_malloc(size_t n)
{
    g_count++;
    if (g_allow == 0) return NULL;
    if (g_allow > 0) g_allow--;
    return malloc(n);
}

static void hooks(long allow)
{
    g_allow = allow;
    g_count = 0;
    cJSON_Hooks h = {failing_malloc, free};
    cJSON_InitHooks(&h);
}

static void hooks_off(void)
{
    cJSON_InitHooks(NULL);
}

/* serialise(ctx) under every allocation failure point: each result is NULL or the whole
 * document; returns how many failure points gave NULL (must be all of them). */
static void all_or_nothing(cJSON *(*serialise)(const void *), const void *ctx, const char *what)
{
    hooks(-1);
    cJSON *full = serialise(ctx);
    long total = g_count;
    hooks_off();
    cr_assert_not_null(full, "%s: serialises without failures", what);
    char *want = cJSON_PrintUnformatted(full);
    cJSON_Delete(full);
    cr_assert_gt(total, 10, "%s: allocates (%ld)", what, total);
    long nulls = 0;
    for (long k = 0; k < total; k++) {
        hooks(k);
        cJSON *doc = serialise(ctx);
        hooks_off();
        if (!doc) {
            nulls++;
            continue;
        }
        char *got = cJSON_PrintUnformatted(doc);
        cr_assert_str_eq(got, want, "%s: allocation %ld failed, yet a different document", what, k);
        free(got);
        cJSON_Delete(doc);
    }
    cr_assert_eq(nulls, total, "%s: every one of %ld failed allocations must fail the document",
                 what, total);
    free(want);
}

static cJSON *ser_ezsp(const void *p)
{
    return ezsp_nv_to_json(p);
}
static cJSON *ser_zboss(const void *p)
{
    return zboss_nv_to_json(p);
}
static cJSON *ser_znp(const void *p)
{
    return znp_nv_to_json(p);
}

Test(emu_nv, ezsp_serialiser_is_all_or_nothing)
{
    ezsp_nv nv;
    cr_assert_eq(ezsp_nv_init(&nv), 0);
    nv.addr[3].nwk = 0x1234;
    all_or_nothing(ser_ezsp, &nv, "ezsp");
    ezsp_nv_free(&nv);
}

Test(emu_nv, zboss_serialiser_is_all_or_nothing)
{
    zboss_nv nv;
    memset(&nv, 0, sizeof(nv));
    zboss_nv_init_blank(&nv);
    nv.formed = true;
    nv.channel = 20;
    nv.key_present[0] = true;
    static const uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cr_assert_eq(zboss_nv_ds_put(&nv, 7, zboss_dataset_version(7), d, 8), 0);
    cr_assert_eq(zboss_nv_ds_put(&nv, 12, zboss_dataset_version(12), d, 8), 0);
    all_or_nothing(ser_zboss, &nv, "zboss");
    zboss_nv_free(&nv);
}

Test(emu_nv, znp_serialiser_is_all_or_nothing)
{
    znp_nv nv;
    znp_nv_init(&nv);
    static const uint8_t d[4] = {1, 2, 3, 4};
    cr_assert_not_null(znp_nv_osal_put(&nv, 0x0021, d, 4));
    cr_assert_not_null(znp_nv_osal_put(&nv, 0x0062, d, 4));
    cr_assert_not_null(znp_nv_put(&nv, ZNP_NV_SYS_ZSTACK, 0x0001, 0, d, 4));
    cr_assert_not_null(znp_nv_put(&nv, ZNP_NV_SYS_ZSTACK, 0x1234, 7, d, 4));
    cr_assert_not_null(znp_nv_put(&nv, 2, 0x0005, 1, d, 4));
    all_or_nothing(ser_znp, &nv, "znp");
    znp_nv_free(&nv);
}

/* ---------------------------------------------------------------- temp files */

static char g_dir[64];

static void mkdir_tmp(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/zbnvtest.XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir));
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
}

static char *path_in(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "%s/%s", g_dir, name);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    char *t = file_read_all(path, 1 << 24, NULL);
    cr_assert_not_null(t, "%s: %s", path, strerror(errno));
    return t;
}

/* ---------------------------------------------------------------- a failed save */

Test(emu_nv, failed_save_keeps_the_file_and_is_reported_at_shutdown, .init = mkdir_tmp,
     .fini = rm_tmp)
{
    emu_options o = {.nvram_path = path_in("nv.json"), .seed = 7};
    char err[256] = "";
    emu *e = emu_create(&emu_ezsp_frontend, &o, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    char *before = read_text(o.nvram_path);
    cr_assert_eq(emu_nv_save(e, NULL), -1, "a serialiser's NULL is an error");
    char *after = read_text(o.nvram_path);
    cr_assert_str_eq(after, before, "the file keeps its previous state");
    cr_assert_eq(emu_destroy(e), -1, "the file is behind the memory: reported");
    free(before);
    free(after);

    e = emu_create(&emu_ezsp_frontend, &o, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    cr_assert_eq(emu_nv_save(e, NULL), -1);
    cJSON *doc = cJSON_CreateObject();
    cr_assert_eq(emu_nv_save(e, doc), 0);
    cJSON_Delete(doc);
    cr_assert_eq(emu_destroy(e), 0, "a later good save brings the file up to date");
}

/* ---------------------------------------------------------------- loaders */

Test(emu_nv, trailing_data_is_an_error_naming_the_byte, .init = mkdir_tmp, .fini = rm_tmp)
{
    char err[256] = "";
    cJSON *doc = NULL;
    write_text(path_in("a.json"), "{\"LEGACY\": {}}\n  \n");
    cr_assert_eq(emu_nv_load(path_in("a.json"), &doc, err, sizeof(err)), 1, "whitespace: %s", err);
    cJSON_Delete(doc);
    write_text(path_in("b.json"), "{\"LEGACY\": {}} {\"x\": 1}");
    cr_assert_eq(emu_nv_load(path_in("b.json"), &doc, err, sizeof(err)), -1);
    cr_assert_null(doc);
    cr_assert(strstr(err, "after the NVRAM JSON object at byte 15"), "%s", err);
    FILE *f = fopen(path_in("c.json"), "wb");
    fwrite("{}\0junk", 1, 7, f);
    fclose(f);
    cr_assert_eq(emu_nv_load(path_in("c.json"), &doc, err, sizeof(err)), -1, "NUL then junk");
}

static cJSON *ezsp_doc(ezsp_nv *nv)
{
    cJSON *doc = ezsp_nv_to_json(nv);
    cr_assert_not_null(doc);
    return doc;
}

static void ezsp_formed(ezsp_nv *nv)
{
    cr_assert_eq(ezsp_nv_init(nv), 0);
    ezsp_node_data nd = {.pan_id = 0x1A62, .radio_channel = 20, .stack_profile = 2, .node_type = 1};
    ezsp_node_data_encode(&nd, ezsp_nv_elem(nv, TOK_NODE_DATA, 0));
}

Test(emu_nv, ezsp_loader_refuses_unknown_fields)
{
    ezsp_nv nv, back;
    char err[256] = "";
    ezsp_formed(&nv);
    cJSON *doc = ezsp_doc(&nv);
    cJSON_AddStringToObject(doc, "comment", "mine");
    cr_assert_eq(ezsp_nv_init(&back), 0);
    cr_assert_eq(ezsp_nv_from_json(&back, doc, err, sizeof(err)), -1);
    cr_assert(strstr(err, "comment: unknown field"), "%s", err);
    cJSON_DeleteItemFromObject(doc, "comment");
    cJSON_AddStringToObject(cJSON_GetObjectItem(doc, "mfg_tokens"), "MFG_STRING", "x");
    cr_assert_eq(ezsp_nv_from_json(&back, doc, err, sizeof(err)), -1);
    cr_assert(strstr(err, "mfg_tokens.MFG_STRING: unknown field"), "%s", err);
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(doc, "mfg_tokens"), "MFG_STRING");
    cr_assert_eq(ezsp_nv_from_json(&back, doc, err, sizeof(err)), 0, "%s", err);
    cJSON_Delete(doc);
    ezsp_nv_free(&nv);
    ezsp_nv_free(&back);
}

Test(emu_nv, ezsp_formed_network_needs_its_key_and_counter_tokens)
{
    static const char *const NEEDED[] = {"STACK_NONCE_COUNTER", "STACK_KEYS",
                                         "STACK_APS_FRAME_COUNTER", "STACK_TRUST_CENTER",
                                         "STACK_KEY_TABLE"};
    char err[256] = "";
    for (size_t i = 0; i < sizeof(NEEDED) / sizeof(NEEDED[0]); i++) {
        ezsp_nv nv, back;
        ezsp_formed(&nv);
        cJSON *doc = ezsp_doc(&nv);
        cJSON_DeleteItemFromObject(cJSON_GetObjectItem(doc, "tokens"), NEEDED[i]);
        cr_assert_eq(ezsp_nv_init(&back), 0);
        cr_assert_eq(ezsp_nv_from_json(&back, doc, err, sizeof(err)), -1, "%s", NEEDED[i]);
        cr_assert(strstr(err, NEEDED[i]) && strstr(err, "missing on a formed network"), "%s", err);
        ezsp_nv_free(&back);
        cJSON_Delete(doc);
        ezsp_nv_free(&nv);
    }
    /* no network: a missing token is its default (nothing to misstate) */
    ezsp_nv nv, back;
    cr_assert_eq(ezsp_nv_init(&nv), 0);
    cJSON *doc = ezsp_doc(&nv);
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(doc, "tokens"), "STACK_NONCE_COUNTER");
    cr_assert_eq(ezsp_nv_init(&back), 0);
    cr_assert_eq(ezsp_nv_from_json(&back, doc, err, sizeof(err)), 0, "%s", err);
    cJSON_Delete(doc);
    ezsp_nv_free(&nv);
    ezsp_nv_free(&back);
}

Test(emu_nv, zboss_loader_refuses_unknown_fields)
{
    zboss_nv nv, back;
    char err[256] = "";
    memset(&nv, 0, sizeof(nv));
    zboss_nv_init_blank(&nv);
    cJSON *doc = zboss_nv_to_json(&nv);
    cr_assert_not_null(doc);
    cJSON_AddNumberToObject(doc, "nib_counter", 5);
    memset(&back, 0, sizeof(back));
    zboss_nv_init_blank(&back);
    cr_assert_eq(zboss_nv_from_json(&back, doc, err, sizeof(err)), -1);
    cr_assert(strstr(err, "nib_counter: unknown field"), "%s", err);
    cJSON_Delete(doc);
    zboss_nv_free(&nv);
    zboss_nv_free(&back);
}

Test(emu_nv, zboss_formed_network_needs_its_counter_dataset)
{
    zboss_nv nv, back;
    char err[256] = "";
    memset(&nv, 0, sizeof(nv));
    zboss_nv_init_blank(&nv);
    nv.formed = true;
    nv.role = 0;
    nv.pan_id = 0x2A5C;
    nv.channel = 20;
    nv.key_present[0] = true;
    cJSON *doc = zboss_nv_to_json(&nv);
    cr_assert_not_null(doc);
    memset(&back, 0, sizeof(back));
    zboss_nv_init_blank(&back);
    cr_assert_eq(zboss_nv_from_json(&back, doc, err, sizeof(err)), -1);
    cr_assert(strstr(err, "datasets.7") && strstr(err, "formed network"), "%s", err);
    cJSON_Delete(doc);
    zboss_nv_free(&back);
    static const uint8_t c[8] = {0x00, 0x04, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(zboss_nv_ds_put(&nv, 7, zboss_dataset_version(7), c, 8), 0);
    doc = zboss_nv_to_json(&nv);
    memset(&back, 0, sizeof(back));
    zboss_nv_init_blank(&back);
    cr_assert_eq(zboss_nv_from_json(&back, doc, err, sizeof(err)), 0, "%s", err);
    cJSON_Delete(doc);
    zboss_nv_free(&back);
    zboss_nv_free(&nv);
}

static const char *item_hex(const znp_nv *nv, uint8_t sys, uint16_t item, uint16_t sub)
{
    static char buf[64];
    const znp_nv_item *it = znp_nv_find(nv, sys, item, sub);
    if (!it || it->len > 24) return "(absent)";
    for (size_t i = 0; i < it->len; i++)
        snprintf(buf + 2 * i, 3, "%02x", it->data[i]);
    buf[2 * it->len] = '\0';
    return buf;
}

Test(emu_nv, znp_every_item_a_host_may_create_is_written_and_loads_back)
{
    znp_nv nv, back;
    znp_nv_init(&nv);
    znp_nv_init(&back);
    static const uint8_t d[3] = {0xAB, 0xCD, 0xEF};
    cr_assert_not_null(znp_nv_put(&nv, ZNP_NV_SYS_ZSTACK, 0x1234, 0, d, 3)); /* unnamed table */
    cr_assert_not_null(znp_nv_put(&nv, 7, 0x0001, 2, d, 2));                 /* sysId APP */
    cr_assert_not_null(znp_nv_put(&nv, 0, 0x0000, 5, d, 1));                 /* sysId NVDRVR */
    cr_assert_not_null(znp_nv_put(&nv, ZNP_NV_SYS_ZSTACK, 0x0001, 0, d, 3)); /* ADDRMGR */
    cr_assert_not_null(znp_nv_osal_put(&nv, 0x0E00, d, 3));                  /* no name */
    cJSON *doc = znp_nv_to_json(&nv);
    cr_assert_not_null(doc);
    cr_assert_not_null(cJSON_GetObjectItem(doc, "0x1234"));
    cr_assert_not_null(cJSON_GetObjectItem(doc, "0x07:0x0001"));
    cr_assert_not_null(cJSON_GetObjectItem(doc, "0x00:0x0000"));
    cr_assert_not_null(cJSON_GetObjectItem(doc, "ADDRMGR"));
    char err[256] = "";
    cr_assert_eq(znp_nv_from_json(&back, doc, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(back.n, nv.n);
    cr_assert_str_eq(item_hex(&back, ZNP_NV_SYS_ZSTACK, 0x1234, 0), "abcdef");
    cr_assert_str_eq(item_hex(&back, 7, 0x0001, 2), "abcd");
    cr_assert_str_eq(item_hex(&back, 0, 0x0000, 5), "ab");
    cr_assert_str_eq(item_hex(&back, ZNP_NV_SYS_ZSTACK, 0, 0x0E00), "abcdef");
    cJSON_Delete(doc);
    znp_nv_free(&back);
    /* what stays refused: names that are no item, sysId 1 written the long way, duplicates */
    static const char *const BAD[] = {
        "{\"NOPE\": {}}",
        "{\"0x01:0x0005\": {}}",
        "{\"0x0000\": {}}",
        "{\"0x100:0x0001\": {}}",
        "{\"LEGACY\": {\"NIB\": \"00\", \"0x0021\": \"00\"}}",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        cJSON *j = cJSON_Parse(BAD[i]);
        cr_assert_not_null(j);
        znp_nv_init(&back);
        cr_assert_eq(znp_nv_from_json(&back, j, err, sizeof(err)), -1, "%s", BAD[i]);
        cJSON_Delete(j);
    }
    znp_nv_free(&nv);
}

/* A real formed CC2652R dump without its network key or frame counter row: a host can make
 * that state with NV writes, so it loads (the stack re-creates defaults at boot, as the real
 * one does), but never silently: a warning names the item. */
Test(emu_nv, znp_formed_network_without_key_or_counter_is_named, .init = mkdir_tmp, .fini = rm_tmp)
{
    static const struct {
        const char *section, *item, *named;
    } CUT[] = {
        {"LEGACY", "NWK_ACTIVE_KEY_INFO", "NWK_ACTIVE_KEY_INFO (0x003A) missing"},
        {"NWK_SEC_MATERIAL_TABLE", NULL, "NWK_SEC_MATERIAL_TABLE has no row"},
    };
    char *real = read_text(ZB_SOURCE_DIR "/vectors/nvram/znp/CC2652R-ZStack4.formed.json");
    for (size_t i = 0; i < sizeof(CUT) / sizeof(CUT[0]); i++) {
        cJSON *doc = cJSON_Parse(real);
        cr_assert_not_null(doc);
        cJSON *sec = cJSON_GetObjectItem(doc, CUT[i].section);
        cr_assert_not_null(sec, "%s", CUT[i].section);
        if (CUT[i].item)
            cJSON_DeleteItemFromObject(sec, CUT[i].item);
        else
            cJSON_DeleteItemFromObject(doc, CUT[i].section);
        char *text = cJSON_Print(doc);
        write_text(path_in("nv.json"), text);
        free(text);
        cJSON_Delete(doc);
        emu_options o = {.nvram_path = path_in("nv.json"), .seed = 3};
        char err[300] = "";
        fflush(stderr);
        int saved = dup(2), fd = open(path_in("log"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        cr_assert(saved >= 0 && fd >= 0);
        dup2(fd, 2);
        emu *e = emu_create(&emu_znp_frontend, &o, err, sizeof(err));
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        close(fd);
        cr_assert_not_null(e, "%s", err);
        cr_assert_eq(emu_destroy(e), 0);
        char *log = read_text(path_in("log"));
        cr_assert(strstr(log, CUT[i].named) && strstr(log, "on a formed network"), "%s", log);
        free(log);
    }
    free(real);
}

/* ---------------------------------------------------------------- symlinks and locks */

Test(emu_nv, symlink_aliases_resolve_to_one_file_and_one_lock, .init = mkdir_tmp, .fini = rm_tmp)
{
    char err[300] = "";
    write_text(path_in("real.json"), "{}");
    cr_assert_eq(symlink(path_in("real.json"), path_in("alias.json")), 0);
    char *a = emu_nv_resolve(path_in("real.json"), err, sizeof(err));
    char *b = emu_nv_resolve(path_in("alias.json"), err, sizeof(err));
    cr_assert(a && b, "%s", err);
    cr_assert_str_eq(b, a, "the alias is the same file");
    int fd = emu_nv_lock(a, err, sizeof(err));
    cr_assert_geq(fd, 0, "%s", err);
    cr_assert_eq(emu_nv_lock(b, err, sizeof(err)), -1, "the alias is locked too");
    cr_assert(strstr(err, "in use by another zbemu"), "%s", err);
    close(fd);
    unlink(path_in("real.json"));
    free(a);
    free(b);

    /* a dangling symlink is refused, and nothing is created at its target */
    b = emu_nv_resolve(path_in("alias.json"), err, sizeof(err));
    cr_assert_null(b);
    cr_assert(strstr(err, "does not exist") && strstr(err, "real.json"), "%s", err);
    struct stat st;
    cr_assert_eq(lstat(path_in("real.json"), &st), -1);

    /* a new file in a folder reached through a symlink: the folder is resolved */
    cr_assert_eq(mkdir(path_in("d"), 0700), 0);
    cr_assert_eq(symlink(path_in("d"), path_in("dl")), 0);
    a = emu_nv_resolve(path_in("dl/new.json"), err, sizeof(err));
    cr_assert_not_null(a, "%s", err);
    char *want = realpath(path_in("d"), NULL);
    char expect[512];
    snprintf(expect, sizeof(expect), "%s/new.json", want);
    cr_assert_str_eq(a, expect);
    free(a);
    free(want);
    cr_assert_null(emu_nv_resolve(path_in("nodir/x.json"), err, sizeof(err)));
}

Test(emu_nv, writes_go_through_the_symlink_to_its_target, .init = mkdir_tmp, .fini = rm_tmp)
{
    char err[300] = "";
    emu_options o = {.nvram_path = path_in("real.json"), .seed = 9};
    emu *e = emu_create(&emu_ezsp_frontend, &o, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    cr_assert_eq(emu_destroy(e), 0);
    cr_assert_eq(symlink("real.json", path_in("alias.json")), 0);
    char *r = emu_nv_resolve(path_in("alias.json"), err, sizeof(err));
    cr_assert_not_null(r, "%s", err);
    o.nvram_path = r;
    e = emu_create(&emu_ezsp_frontend, &o, err, sizeof(err)); /* boot writes the file */
    cr_assert_not_null(e, "%s", err);
    cr_assert_eq(emu_destroy(e), 0);
    struct stat st;
    cr_assert_eq(lstat(path_in("alias.json"), &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the link stays a link");
    char *text = read_text(path_in("real.json"));
    cr_assert(strstr(text, "\"STACK_BOOT_COUNTER\""));
    cr_assert(strstr(text, "\"02000000\""), "two boots, both in the target: %.300s", text);
    free(text);
    free(r);
}

/* ---------------------------------------------------------------- --link */

Test(emu_nv, link_never_replaces_what_it_did_not_make, .init = mkdir_tmp, .fini = rm_tmp)
{
    char err[300] = "";
    write_text(path_in("file"), "precious");
    cr_assert_eq(emu_link_create(path_in("file"), "/dev/pts/7", err, sizeof(err)), -1);
    cr_assert(strstr(err, "a regular file"), "%s", err);
    char *t = read_text(path_in("file"));
    cr_assert_str_eq(t, "precious");
    free(t);
    cr_assert_eq(mkdir(path_in("dir"), 0700), 0);
    cr_assert_eq(emu_link_create(path_in("dir"), "/dev/pts/7", err, sizeof(err)), -1);
    cr_assert_eq(symlink(path_in("file"), path_in("other")), 0);
    cr_assert_eq(emu_link_create(path_in("other"), "/dev/pts/7", err, sizeof(err)), -1);
    cr_assert(strstr(err, "symlink to something else"), "%s", err);
    cr_assert_eq(symlink("/dev/ttyUSB0", path_in("stick")), 0);
    cr_assert_eq(emu_link_create(path_in("stick"), "/dev/pts/7", err, sizeof(err)), -1,
                 "a user's link to a real stick stays");

    /* a stale link to a pty (an emulator was killed) is replaced */
    cr_assert_eq(symlink("/dev/pts/99", path_in("tty")), 0);
    cr_assert_eq(emu_link_create(path_in("tty"), "/dev/pts/7", err, sizeof(err)), 0, "%s", err);
    char got[64] = "";
    cr_assert_gt(readlink(path_in("tty"), got, sizeof(got) - 1), 0);
    cr_assert_str_eq(got, "/dev/pts/7");
    /* at exit only our own link goes */
    emu_link_remove(path_in("tty"), "/dev/pts/8");
    struct stat st;
    cr_assert_eq(lstat(path_in("tty"), &st), 0, "another emulator's link stays");
    emu_link_remove(path_in("tty"), "/dev/pts/7");
    cr_assert_eq(lstat(path_in("tty"), &st), -1, "ours is removed");
    emu_link_remove(path_in("file"), "/dev/pts/7");
    cr_assert_eq(lstat(path_in("file"), &st), 0, "a file is never removed");
}

/* Found by fuzz_znp_nvram (issue 26): a document that is not an object (a top-level array of
 * sections) has children without names; the loader compared a NULL name. It is refused. */
Test(emu_nv, znp_document_not_an_object_is_refused)
{
    static const char *const BAD[] = {"[{\"LEGACY\": {\"0x10D\": \"00\"}}]", "[]", "\"LEGACY\"", "7"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        cJSON *j = cJSON_Parse(BAD[i]);
        cr_assert_not_null(j);
        znp_nv nv;
        znp_nv_init(&nv);
        char err[200] = "";
        cr_assert_eq(znp_nv_from_json(&nv, j, err, sizeof(err)), -1, "%s", BAD[i]);
        cr_assert(err[0], "%s: no reason given", BAD[i]);
        znp_nv_free(&nv);
        cJSON_Delete(j);
    }
}
