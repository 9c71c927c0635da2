/* test_ezsp_counters.c - where the EmberZNet NCP resets its outgoing frame counters, driven
 * as real hosts drive it.
 *
 * Silicon Labs' ember-types.h: EMBER_NO_FRAME_COUNTER_RESET (0x1000) in the initial security
 * bitmask means the NWK and APS outgoing counters are *not* reset when
 * emberSetInitialSecurityState() is called; the NWK frame-counter setter's doc says to call it
 * before that call and add the bit. So the reset belongs to setInitialSecurityState, never to
 * formNetwork. bellows 0.34.x restores in this order without the bit: setInitialSecurityState,
 * the key table, setValue(NWK_FRAME_COUNTER), formNetwork -- on a real stick the counter
 * survives. herdsman and bellows 0.38+ set the counter first and add the bit.
 *
 * Each case runs the EZSP front end in a thread on one end of a socketpair and speaks ASH to
 * it through the harness's ezsp_host, the production code on both sides. */
#include "emu.h"
#include "ezsp_ncp.h"
#include "ezsp_frontend.h"
#include "ezsp.h"
#include "ezsp_host.h"
#include "ezsp_versions.h"
#include "log.h"
#include "serial.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

/* A command whose answer is a status (u8 before v14, u32 from v14: the row's layout, ezsp-ash.md
 * §4.1) that must be SUCCESS; req through the schema's row (ezsp_host_call). */
static void cmd_ok(ncp *n, uint16_t id, const void *req, const char *what)
{
    ezsp_st a;
    cr_assert_eq(ezsp_host_call(&n->h, id, req, &a), EZSP_HOST_OK, "%s: link", what);
    cr_assert_eq(a.status, 0, "%s: status %u", what, a.status);
}

static void set_counter(ncp *n, uint8_t value_id, uint32_t v)
{
    ezsp_set_value_req q = {.id = value_id, .value_len = 4};
    put_le32(q.value, v);
    cmd_ok(n, EZSP_ID_SET_VALUE, &q, "setValue(frame counter)");
}

static uint32_t get_counter(ncp *n, uint8_t value_id)
{
    ezsp_id_req q = {.id = value_id};
    ezsp_value_rsp a;
    cr_assert_eq(ezsp_host_call(&n->h, EZSP_ID_GET_VALUE, &q, &a), EZSP_HOST_OK);
    cr_assert(a.value_len == 4, "getValue(0x%02x): %u bytes", value_id, a.value_len);
    return get_le32(a.value);
}

static void initial_security(ncp *n, uint16_t bitmask)
{
    ezsp_security_req q = {.state = {{.bitmask = bitmask, .network_key_seq = 0}}};
    memset(q.state[0].network_key, 0x11, 16);
    memcpy(q.state[0].preconfigured_key, "ZigBeeAlliance09", 16);
    cmd_ok(n, EZSP_ID_SET_INITIAL_SECURITY_STATE, &q, "setInitialSecurityState");
}

static void form(ncp *n)
{
    ezsp_form_req q = {
        .params = {
            {.pan_id = 0x1a62, .radio_tx_power = 5, .radio_channel = 15, .channels = 1u << 15}}};
    memset(q.params[0].extended_pan_id, 0xdd, 8);
    cmd_ok(n, EZSP_ID_FORM_NETWORK, &q, "formNetwork");
    ezsp_host_frame cb;
    cr_assert_eq(ezsp_host_wait_cb(&n->h, EZSP_ID_STACK_STATUS_HANDLER, &cb, 3000), EZSP_HOST_OK,
                 "NETWORK_UP");
}

/* bellows 0.34.x: security state (no 0x1000), key table, counters, formNetwork */
static void bellows_034_order(int version)
{
    ncp n;
    ncp_start(&n, version);
    initial_security(&n, 0x0B04 /* TC global key, have preconfigured + network key */);
    cmd_ok(&n, EZSP_ID_CLEAR_KEY_TABLE, NULL, "clearKeyTable");
    set_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER, 0x00012345);
    set_counter(&n, EZSP_VALUE_APS_FRAME_COUNTER, 0x00000777);
    form(&n);
    cr_assert_geq(get_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER), 0x00012345u,
                  "v%d: the NWK counter set after setInitialSecurityState survives formNetwork",
                  version);
    cr_assert_eq(get_counter(&n, EZSP_VALUE_APS_FRAME_COUNTER), 0x00000777u);
    ncp_stop(&n);
}

Test(ezsp_counters, bellows_034_restore_order_keeps_the_counter_v8)
{
    bellows_034_order(8);
}

Test(ezsp_counters, bellows_034_restore_order_keeps_the_counter_v13)
{
    bellows_034_order(13);
}

Test(ezsp_counters, bellows_034_restore_order_keeps_the_counter_v18)
{
    bellows_034_order(18);
}

/* the counter set before setInitialSecurityState without the bit is reset by that call */
Test(ezsp_counters, set_before_without_the_bit_is_reset)
{
    ncp n;
    ncp_start(&n, 13);
    set_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER, 0x00012345);
    set_counter(&n, EZSP_VALUE_APS_FRAME_COUNTER, 0x00000777);
    initial_security(&n, 0x0B04);
    cr_assert_eq(get_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER), 0u);
    cr_assert_eq(get_counter(&n, EZSP_VALUE_APS_FRAME_COUNTER), 0u);
    form(&n);
    cr_assert_lt(get_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER), 0x100u);
    ncp_stop(&n);
}

/* herdsman and bellows 0.38+: counter first, then the bit */
Test(ezsp_counters, set_before_with_the_bit_is_kept)
{
    ncp n;
    ncp_start(&n, 13);
    set_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER, 0x00012345);
    initial_security(&n, 0x1B84);
    form(&n);
    cr_assert_geq(get_counter(&n, EZSP_VALUE_NWK_FRAME_COUNTER), 0x00012345u);
    ncp_stop(&n);
}
