/* ezsp_ncp.h - for the unit tests that talk to an emulated EmberZNet NCP as a host does: the
 * EZSP front end's loop in a thread on one end of a socketpair, the harness's ezsp_host (ASH,
 * the version handshake) on the other. Header-only: each test binary is its own program. */
#ifndef ZB_TEST_EZSP_NCP_H
#define ZB_TEST_EZSP_NCP_H

#include "emu.h"
#include "ezsp_frontend.h"
#include "ezsp_host.h"
#include "log.h"
#include "serial.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/socket.h>

typedef struct ncp {
    emu *e;
    pthread_t thread;
    zbh_serial *s;
    ezsp_host h;
} ncp;

static inline void *ncp_loop(void *arg)
{
    emu_run(arg);
    return NULL;
}

/* an NCP serving EZSP `version`, connected and past the version handshake */
static inline void ncp_start(ncp *n, int version)
{
    int sv[2];
    char err[ZB_MSG_MAX] = "";
    zb_log_set_level(ZB_LOG_WARN);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    emu_options o = {.ezsp_version = version, .seed = 3, .host_fd = sv[0], .time_scale = 0.01};
    n->e = emu_create(&emu_ezsp_frontend, &o, err, sizeof(err));
    cr_assert_not_null(n->e, "%s", err);
    cr_assert_eq(pthread_create(&n->thread, NULL, ncp_loop, n->e), 0);
    n->s = zbh_serial_from_fd(sv[1], "ezsp", err, sizeof(err));
    cr_assert_not_null(n->s, "%s", err);
    ezsp_host_init(&n->h, n->s);
    cr_assert_eq(ezsp_host_connect(&n->h, version), version);
}

/* the host hangs up; the loop ends and the NCP stops cleanly */
static inline void ncp_stop(ncp *n)
{
    zbh_serial_close(n->s);
    cr_assert_eq(pthread_join(n->thread, NULL), 0);
    cr_assert_eq(emu_destroy(n->e), 0);
}

#endif
