/* test_driver_step.c - the drivers' one step macro (harness/core/driver_step.h) and the host
 * layers' named error classification it relies on: a transport error is one of the host's own
 * codes, anything else nonzero is a device status; the macro writes "<what>: <why>" and
 * returns -1 from the caller only on failure. */
#include "driver_step.h"
#include "ezsp_host.h"
#include "mt_host.h"
#include "zboss_host.h"

#include <criterion/criterion.h>
#include <string.h>

static int calls;

static long result(long rc)
{
    calls++;
    return rc;
}

/* as driver_ezsp.c describes a step */
static const char *describe(long rc, char *buf, size_t cap)
{
    if (ezsp_host_is_error(rc)) return ezsp_host_strerror((int)rc);
    snprintf(buf, cap, "status 0x%lx", (unsigned long)rc);
    return buf;
}

static int two_steps(long first, long second, char *err, size_t errlen)
{
    ZBH_RETURN_IF_FAILED(result(first), "first", describe);
    ZBH_RETURN_IF_FAILED(result(second), "second", describe);
    return 0;
}

Test(driver_step, returns_only_on_failure_with_what_and_why)
{
    char err[128] = "";
    calls = 0;
    cr_expect_eq(two_steps(0, 0, err, sizeof(err)), 0);
    cr_expect_eq(calls, 2);
    cr_expect_str_empty(err);

    calls = 0;
    cr_expect_eq(two_steps(EZSP_HOST_TIMEOUT, 0, err, sizeof(err)), -1);
    cr_expect_eq(calls, 1, "the step after a failure must not run");
    cr_expect_str_eq(err, "first: no response (timeout)");

    cr_expect_eq(two_steps(0, 0x70, err, sizeof(err)), -1);
    cr_expect_str_eq(err, "second: status 0x70");
    /* a negative result that is no host code is a status, as networkInit's own codes are */
    cr_expect_eq(two_steps(-100, 0, err, sizeof(err)), -1);
    cr_expect_str_eq(err, "first: status 0xffffffffffffff9c");
}

Test(driver_step, transport_errors_are_the_hosts_named_codes)
{
    const long mt[] = {MT_HOST_TIMEOUT, MT_HOST_IO, MT_HOST_RPC_ERROR};
    for (size_t i = 0; i < 3; i++)
        cr_expect(mt_host_is_error(mt[i]), "%ld", mt[i]);
    const long ezsp[] = {EZSP_HOST_TIMEOUT, EZSP_HOST_IO, EZSP_HOST_INVALID, EZSP_HOST_LINK};
    for (size_t i = 0; i < 4; i++)
        cr_expect(ezsp_host_is_error(ezsp[i]), "%ld", ezsp[i]);
    const long zboss[] = {ZBOSS_HOST_TIMEOUT, ZBOSS_HOST_IO, ZBOSS_HOST_NO_ACK};
    for (size_t i = 0; i < 3; i++)
        cr_expect(zboss_host_is_error(zboss[i]), "%ld", zboss[i]);
    /* success and device statuses are not */
    cr_expect_not(mt_host_is_error(MT_HOST_OK));
    cr_expect_not(ezsp_host_is_error(EZSP_HOST_OK));
    cr_expect_not(ezsp_host_is_error(0x93));    /* EMBER_NOT_JOINED */
    cr_expect_not(ezsp_host_is_error(-100));    /* network_up's "networkInit refused" */
    cr_expect_not(zboss_host_is_error(0x0104)); /* category 1, code 4 */
    cr_expect_not(mt_host_is_error(-4));
}
