/* test_proto_names.c - the command vocabulary of proto/ (issue 14): MT_<NAME> pairs and
 * EZSP_ID_<NAME> frame ids against the ids of the protocol documents (zstack-mt.md,
 * ezsp-ash.md), the stack-token element codecs of proto/ezsp/ezsp_tokens.h against a hand-written
 * element, and both sides of every name: each command a harness driver sends is served by the
 * emulator's dispatch row of that name (emu_commands.h) at every version the driver sends it
 * in, each name the drivers use is listed here (read from their sources) and appears in the
 * emulator too, and the ids the conformance probes rely on being unknown are unknown. A
 * renamed, retyped or one-sided id fails here before any system test. */
#include "driver_ezsp_legacy.h"
#include "emu_commands.h"
#include "ezsp_tokens.h"
#include "ezsp_versions.h"
#include "fileio.h"
#include "hex.h"
#include "mt_cmds.h"
#include "zboss.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_pair(uint8_t cmd0, uint8_t cmd1, uint8_t want0, uint8_t want1, const char *name)
{
    cr_expect(cmd0 == want0 && cmd1 == want1, "%s is %02x %02x, want %02x %02x", name, cmd0, cmd1,
              want0, want1);
}
#define PAIR(name, w0, w1) check_pair(name, w0, w1, #name)

Test(proto_names, mt_pairs)
{
    PAIR(MT_SYS_RESET_REQ, 0x41, 0x00);
    PAIR(MT_SYS_PING, 0x21, 0x01);
    PAIR(MT_SYS_OSAL_NV_READ_EXT, 0x21, 0x1C);
    PAIR(MT_SYS_NV_WRITE, 0x21, 0x34);
    PAIR(MT_UTIL_ASSOC_FIND_DEVICE, 0x27, 0x49);
    PAIR(MT_ZDO_STARTUP_FROM_APP, 0x25, 0x40);
    PAIR(MT_AF_DATA_REQUEST_EXT, 0x24, 0x02);
    PAIR(MT_APP_CNF_BDB_SET_CHANNEL, 0x2F, 0x08);
    PAIR(MT_SAPI_ZB_WRITE_CONFIGURATION, 0x26, 0x05);
    PAIR(MT_SYS_RESET_IND, 0x41, 0x80);
    PAIR(MT_ZDO_STATE_CHANGE_IND, 0x45, 0xC0);
    PAIR(MT_AF_INCOMING_MSG, 0x44, 0x81);
    PAIR(MT_APP_CNF_BDB_COMMISSIONING_NOTIFICATION, 0x4F, 0x80);
    cr_expect_eq(MT_CMD1(MT_ZDO_MSG_CB_INCOMING), 0xFF);
    cr_expect_eq(MT_SRSP(SYS), 0x61);
}

Test(proto_names, ezsp_ids)
{
    cr_expect_eq(EZSP_ID_NETWORK_INIT, 0x0017);
    cr_expect_eq(EZSP_ID_FORM_NETWORK, 0x001E);
    cr_expect_eq(EZSP_ID_GET_NETWORK_PARAMETERS, 0x0028);
    cr_expect_eq(EZSP_ID_SET_INITIAL_SECURITY_STATE, 0x0068);
    cr_expect_eq(EZSP_ID_SET_ADDRESS_TABLE_REMOTE_EUI64, EZSP_ID_SET_ADDRESS_TABLE_INFO);
    cr_expect_eq(EZSP_ID_GET_VALUE, 0x00AA);
    cr_expect_eq(EZSP_ID_STACK_STATUS_HANDLER, 0x0019);
    cr_expect_eq(EZSP_ID_INCOMING_MESSAGE_HANDLER, 0x0045);
    cr_expect_eq(EZSP_CONFIG_KEY_TABLE_SIZE, 0x1E);
    cr_expect_eq(EZSP_CONFIG_SECURITY_LEVEL, 0x0D);
    cr_expect_eq(EZSP_VALUE_VERSION_INFO, 0x11);
    cr_expect_eq(EZSP_VALUE_NWK_FRAME_COUNTER, 0x23);
    cr_expect_eq(EZSP_MFG_CUSTOM_EUI_64, 0x0C);
    /* the v8-v13 address-table calls end where v14's take the same ids over */
    int a[] = {EZSP_V_SET_ADDRESS_TABLE_REMOTE_EUI64}, b[] = {EZSP_V_SET_ADDRESS_TABLE_INFO};
    cr_expect_eq(a[1] + 1, b[0]);
    int all[] = {EZSP_V_ALL};
    cr_expect_eq(all[0], EZSP_FIRST_EXTENDED);
}

Test(proto_names, child_token_codec)
{
    uint8_t p[EZSP_TOK_CHILD_SIZE], want[EZSP_TOK_CHILD_SIZE];
    hex_decode("0102030405060708"
               "04"
               "3412",
               want, sizeof(want));
    ezsp_tok_child c;
    ezsp_tok_child_decode(want, &c);
    cr_expect_eq(c.type, 4);
    cr_expect_eq(c.id, 0x1234);
    cr_expect_eq(c.eui64[0], 1);
    cr_expect_eq(c.eui64[7], 8);
    memset(p, 0xEE, sizeof(p));
    ezsp_tok_child_encode(&c, p);
    cr_expect_arr_eq(p, want, sizeof(p));
}

Test(proto_names, key_token_codec)
{
    uint8_t p[EZSP_TOK_KEY_SIZE], want[EZSP_TOK_KEY_SIZE];
    hex_decode("1122334455667788"
               "000102030405060708090A0B0C0D0E0F"
               "10",
               want, sizeof(want));
    ezsp_tok_key k;
    ezsp_tok_key_decode(want, &k);
    cr_expect_eq(k.eui64[0], 0x11);
    cr_expect_eq(k.key[15], 0x0F);
    cr_expect_eq(k.info, EZSP_TOK_KEY_INFO_AUTHORIZED);
    memset(p, 0xEE, sizeof(p));
    ezsp_tok_key_encode(&k, p);
    cr_expect_arr_eq(p, want, sizeof(p));
}

/* ---------------------------------------------------------------- both sides of a name */

/* What the harness (drivers and hosts) sends or waits for. `ncp_sent`: an indication or
 * callback the NCP sends, so no dispatch row serves it. */
typedef struct mt_use {
    const char *name;
    uint8_t cmd0, cmd1;
    bool ncp_sent;
} mt_use;
#define MT_REQ(n)                                                                                  \
    {                                                                                              \
#n, n, false                                                                               \
    }
#define MT_IND(n)                                                                                  \
    {                                                                                              \
#n, n, true                                                                                \
    }
static const mt_use MT_USED[] = {
    MT_REQ(MT_SYS_RESET_REQ),
    MT_REQ(MT_SYS_PING),
    MT_REQ(MT_SYS_VERSION),
    MT_REQ(MT_SYS_OSAL_NV_ITEM_INIT),
    MT_REQ(MT_SYS_OSAL_NV_DELETE),
    MT_REQ(MT_SYS_OSAL_NV_LENGTH),
    MT_REQ(MT_SYS_OSAL_NV_READ_EXT),
    MT_REQ(MT_SYS_OSAL_NV_WRITE_EXT),
    MT_REQ(MT_SYS_NV_CREATE),
    MT_REQ(MT_SYS_NV_LENGTH),
    MT_REQ(MT_SYS_NV_READ),
    MT_REQ(MT_SYS_NV_WRITE),
    MT_REQ(MT_UTIL_GET_DEVICE_INFO),
    MT_REQ(MT_UTIL_ASSOC_FIND_DEVICE),
    MT_REQ(MT_ZDO_STARTUP_FROM_APP),
    MT_REQ(MT_APP_CNF_BDB_START_COMMISSIONING),
    MT_REQ(MT_APP_CNF_BDB_SET_CHANNEL),
    MT_IND(MT_SYS_RESET_IND),
    MT_IND(MT_ZDO_STATE_CHANGE_IND),
    MT_IND(MT_RPC_ERROR),
    MT_REQ(MT_AF_REGISTER),     /* watch: an endpoint for AF frames */
    MT_IND(MT_AF_INCOMING_MSG), /* watch, sent by the emulator's world */
};

/* The versions are those in which the driver sends the command (its version branches). */
typedef struct ezsp_use {
    const char *name;
    uint16_t id;
    int first, last;
    bool ncp_sent;
} ezsp_use;
#define ALL_V EZSP_FIRST_EXTENDED, EZSP_NEWEST
#define EZSP_REQ(n, ...)                                                                           \
    {                                                                                              \
#n, n, __VA_ARGS__, false                                                                  \
    }
#define EZSP_CALLBACK(n)                                                                           \
    {                                                                                              \
#n, n, ALL_V, true                                                                         \
    }
static const ezsp_use EZSP_USED[] = {
    EZSP_REQ(EZSP_ID_VERSION, ALL_V), EZSP_REQ(EZSP_ID_NOP, ALL_V),
    EZSP_REQ(EZSP_ID_GET_MFG_TOKEN, ALL_V), EZSP_REQ(EZSP_ID_SET_MFG_TOKEN, ALL_V),
    EZSP_REQ(EZSP_ID_NETWORK_INIT, ALL_V), EZSP_REQ(EZSP_ID_NETWORK_STATE, ALL_V),
    EZSP_REQ(EZSP_ID_FORM_NETWORK, ALL_V), EZSP_REQ(EZSP_ID_LEAVE_NETWORK, ALL_V),
    EZSP_REQ(EZSP_ID_GET_EUI64, ALL_V), EZSP_REQ(EZSP_ID_GET_NETWORK_PARAMETERS, ALL_V),
    EZSP_REQ(EZSP_ID_GET_CHILD_DATA, ALL_V), EZSP_REQ(EZSP_ID_GET_CONFIGURATION_VALUE, ALL_V),
    EZSP_REQ(EZSP_ID_SET_INITIAL_SECURITY_STATE, ALL_V), EZSP_REQ(EZSP_ID_GET_VALUE, ALL_V),
    EZSP_REQ(EZSP_ID_SET_VALUE, ALL_V), EZSP_REQ(EZSP_ID_CLEAR_KEY_TABLE, ALL_V),
    /* address table: one id, two commands (ezsp_versions.h) */
    EZSP_REQ(EZSP_ID_SET_ADDRESS_TABLE_REMOTE_EUI64, EZSP_FIRST_EXTENDED, 13),
    EZSP_REQ(EZSP_ID_SET_ADDRESS_TABLE_REMOTE_NODE_ID, EZSP_FIRST_EXTENDED, 13),
    EZSP_REQ(EZSP_ID_GET_ADDRESS_TABLE_REMOTE_EUI64, EZSP_FIRST_EXTENDED, 13),
    EZSP_REQ(EZSP_ID_GET_ADDRESS_TABLE_REMOTE_NODE_ID, EZSP_FIRST_EXTENDED, 13),
    EZSP_REQ(EZSP_ID_SET_ADDRESS_TABLE_INFO, 14, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_GET_ADDRESS_TABLE_INFO, 14, EZSP_NEWEST),
    /* the token interface and setChildData from v9 */
    EZSP_REQ(EZSP_ID_GET_TOKEN_DATA, 9, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_SET_TOKEN_DATA, 9, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_SET_CHILD_DATA, 9, EZSP_NEWEST),
    /* the security manager from EZSP_DRV_SECMAN, the key-table API before it */
    EZSP_REQ(EZSP_ID_EXPORT_KEY, EZSP_DRV_SECMAN, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_EXPORT_LINK_KEY_BY_INDEX, EZSP_DRV_SECMAN, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_IMPORT_LINK_KEY, EZSP_DRV_SECMAN, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_GET_NETWORK_KEY_INFO, EZSP_DRV_SECMAN, EZSP_NEWEST),
    EZSP_REQ(EZSP_ID_GET_KEY, EZSP_FIRST_EXTENDED, EZSP_DRV_SECMAN - 1),
    EZSP_REQ(EZSP_ID_GET_KEY_TABLE_ENTRY, EZSP_FIRST_EXTENDED, EZSP_DRV_SECMAN - 1),
    EZSP_REQ(EZSP_ID_ADD_OR_UPDATE_KEY_TABLE_ENTRY, EZSP_FIRST_EXTENDED, EZSP_DRV_SECMAN - 1),
    EZSP_CALLBACK(EZSP_ID_STACK_STATUS_HANDLER), EZSP_REQ(EZSP_ID_ADD_ENDPOINT, ALL_V), /* watch */
    EZSP_CALLBACK(EZSP_ID_INCOMING_MESSAGE_HANDLER), /* watch, sent by the emulator's world */
    EZSP_CALLBACK(EZSP_ID_INVALID), /* invalidCommand: the NCP's answer to an unknown id */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* getAddressTableRemoteEui64 -> GET_ADDRESS_TABLE_REMOTE_EUI64 */
static void upper_snake(const char *camel, char *out, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; camel[i] && w + 2 < cap; i++) {
        unsigned char c = (unsigned char)camel[i];
        if (i && isupper(c) &&
            (islower((unsigned char)camel[i - 1]) || isdigit((unsigned char)camel[i - 1])))
            out[w++] = '_';
        out[w++] = (char)toupper(c);
    }
    out[w] = 0;
}

Test(proto_names, mt_driver_commands_are_emulator_rows)
{
    for (size_t i = 0; i < COUNT(MT_USED); i++) {
        const mt_use *u = &MT_USED[i];
        const char *row = znp_command_name(u->cmd0, u->cmd1);
        if (u->ncp_sent) {
            cr_expect_null(row, "%s is sent by the NCP, yet the emulator serves it as %s", u->name,
                           row);
            continue;
        }
        cr_expect(row && !strcmp(row, u->name + 3), "%s (%02x %02x): the emulator's row is %s",
                  u->name, u->cmd0, u->cmd1, row ? row : "missing");
    }
}

Test(proto_names, ezsp_driver_commands_are_emulator_rows_at_each_version)
{
    for (size_t i = 0; i < COUNT(EZSP_USED); i++) {
        const ezsp_use *u = &EZSP_USED[i];
        for (int v = u->first; v <= u->last; v++) {
            const char *row = ezsp_command_name(u->id, v);
            if (u->ncp_sent) {
                cr_expect_null(row, "%s is a callback, yet v%d serves it as %s", u->name, v, row);
                continue;
            }
            char snake[96];
            upper_snake(row ? row : "", snake, sizeof(snake));
            cr_expect(row && !strcmp(snake, u->name + 8),
                      "%s (0x%04x) at v%d: the emulator serves %s", u->name, u->id, v,
                      row ? row : "nothing (invalidCommand)");
        }
    }
}

/* The ids the conformance probes send because no stick knows them (driver_znp.c
 * MT_PROBE_UNKNOWN_SREQ, driver_ezsp.c EZSP_PROBE_UNKNOWN_ID, driver_zboss.c
 * ZBOSS_PROBE_UNKNOWN_CALL): the emulator must not know them either. */
Test(proto_names, probe_ids_are_unknown)
{
    cr_expect_null(znp_command_name(MT_SREQ(SYS), 0x7E));
    for (int v = EZSP_FIRST_EXTENDED; v <= EZSP_NEWEST; v++)
        cr_expect_null(ezsp_command_name(0x7FFE, v), "v%d", v);
    cr_expect_null(zboss_command_name(0x0FFE));
    /* and the lookups do find what exists */
    cr_expect_str_eq(zboss_command_name(ZBOSS_GET_MODULE_VERSION), "GET_MODULE_VERSION");
}

/* ---- the lists above against the sources: every command name the harness uses is listed
 * (so checked above), and every one appears in the emulator's sources too */

static const char *const HARNESS_SOURCES[] = {
    "harness/znp/driver_znp.c",   "harness/ezsp/driver_ezsp.c", "harness/ezsp/driver_ezsp_legacy.c",
    "harness/zboss/driver_zboss.c", "harness/znp/mt_host.c",     "harness/ezsp/ezsp_host.c",
    "harness/zboss/zboss_host.c",
};
static const char *const EMULATOR_SOURCES[] = {
    "emulator/znp/znp_frontend.c",
    "emulator/znp/znp_cmds.c",
    "emulator/ezsp/ezsp_frontend.c",
    "emulator/ezsp/ezsp_cmds.c",
    "emulator/ezsp/ezsp_cmds_network.c",
    "emulator/ezsp/ezsp_cmds_security.c",
    "emulator/ezsp/ezsp_cmds_tables.c",
    "emulator/ezsp/ezsp_legacy.c",
    "emulator/znp/znp_world.c",
    "emulator/ezsp/ezsp_world.c",
    "proto/mt/mt.c", /* builds the emulator's RPC errors */
};

static char *read_source(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", ZB_SOURCE_DIR, rel);
    char *t = file_read_all(path, 1 << 22, NULL);
    cr_assert_not_null(t, "cannot read %s", path);
    return t;
}

static bool is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Does `text` hold `word` as a whole identifier? */
static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
        if ((p == text || !is_ident(p[-1])) && !is_ident(p[n])) return true;
    return false;
}

/* Is `word` a command name of proto/mt/mt_cmds.h ("#define MT_X  MT_SREQ(...), ...")? */
static bool is_mt_command(const char *mt_cmds_h, const char *word)
{
    char pat[128];
    snprintf(pat, sizeof(pat), "#define %s ", word);
    const char *p = strstr(mt_cmds_h, pat);
    if (!p) return false;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return !strncmp(p, "MT_SREQ(", 8) || !strncmp(p, "MT_AREQ(", 8) || !strncmp(p, "MT_SRSP(", 8);
}

static bool listed(const char *word)
{
    for (size_t i = 0; i < COUNT(MT_USED); i++)
        if (!strcmp(MT_USED[i].name, word)) return true;
    for (size_t i = 0; i < COUNT(EZSP_USED); i++)
        if (!strcmp(EZSP_USED[i].name, word)) return true;
    return false;
}

Test(proto_names, every_harness_command_name_is_listed_and_on_both_sides)
{
    char *mt_cmds = read_source("proto/mt/mt_cmds.h");
    char *emu[COUNT(EMULATOR_SOURCES)], *harness[COUNT(HARNESS_SOURCES)];
    for (size_t i = 0; i < COUNT(EMULATOR_SOURCES); i++)
        emu[i] = read_source(EMULATOR_SOURCES[i]);
    for (size_t f = 0; f < COUNT(HARNESS_SOURCES); f++) {
        const char *src = harness[f] = read_source(HARNESS_SOURCES[f]);
        for (const char *p = src; *p; p++) {
            if (p > src && is_ident(p[-1])) continue;
            size_t n = 0;
            while (is_ident(p[n]))
                n++;
            if (n < 4 || n > 80) continue;
            char word[96];
            memcpy(word, p, n);
            word[n] = 0;
            bool command = !strncmp(word, "EZSP_ID_", 8) ||
                           (!strncmp(word, "MT_", 3) && is_mt_command(mt_cmds, word));
            /* configuration, value and manufacturing-token ids: both sides, no version table */
            bool id = !strncmp(word, "EZSP_CONFIG_", 12) || !strncmp(word, "EZSP_VALUE_", 11) ||
                      !strncmp(word, "EZSP_MFG_", 9);
            if (!command && !id) continue;
            cr_expect(id || listed(word),
                      "%s uses %s: add it to MT_USED/EZSP_USED with its versions",
                      HARNESS_SOURCES[f], word);
            bool in_emu = false;
            for (size_t i = 0; i < COUNT(EMULATOR_SOURCES) && !in_emu; i++)
                in_emu = has_word(emu[i], word);
            cr_expect(in_emu, "%s uses %s, which no emulator source names", HARNESS_SOURCES[f],
                      word);
        }
    }
    /* and no stale entry: every listed name is used by some harness source */
    const char *names[COUNT(MT_USED) + COUNT(EZSP_USED)];
    size_t n_names = 0;
    for (size_t i = 0; i < COUNT(MT_USED); i++)
        names[n_names++] = MT_USED[i].name;
    for (size_t i = 0; i < COUNT(EZSP_USED); i++)
        names[n_names++] = EZSP_USED[i].name;
    for (size_t k = 0; k < n_names; k++) {
        bool used = false;
        for (size_t f = 0; f < COUNT(HARNESS_SOURCES) && !used; f++)
            used = has_word(harness[f], names[k]);
        cr_expect(used, "%s is listed but no harness source uses it", names[k]);
    }
    for (size_t i = 0; i < COUNT(EMULATOR_SOURCES); i++)
        free(emu[i]);
    for (size_t f = 0; f < COUNT(HARNESS_SOURCES); f++)
        free(harness[f]);
    free(mt_cmds);
}
