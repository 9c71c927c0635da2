/* test_proto_names.c - the command vocabulary of proto/ (issue 14): MT_<NAME> pairs and
 * EZSP_ID_<NAME> frame ids against the ids of the protocol documents (zstack-mt.md,
 * ezsp-ash.md), and the stack-token element codecs of proto/ezsp_tokens.h against a
 * hand-written element. A renamed or retyped id fails here before any system test. */
#include "ezsp_tokens.h"
#include "ezsp_versions.h"
#include "hex.h"
#include "mt_cmds.h"

#include <criterion/criterion.h>
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
