/* session_fd.c - a session on a link the caller has already opened.
 *
 * zbh_session_open takes a port string and opens it; the in-process test tier (issue 14) has
 * a socketpair end wrapped by zbh_serial_from_fd instead, with an emulator serving the other
 * end in a thread. This is the same driver open on that link, so backup, restore and their
 * safety rules (ops.c) run unchanged against it. */
#include "ops.h"

#include "log.h"

#include <stdio.h>
#include <string.h>

int zbh_session_attach(zbh_session *s, const char *stack, zbh_serial *serial, char *err,
                       size_t errlen)
{
    memset(s, 0, sizeof(*s));
    s->drv = zbh_find_driver(stack);
    if (!s->drv) {
        snprintf(err, errlen, "--stack %s: unknown (known: %s)", stack, zbh_driver_names());
        zbh_serial_close(serial);
        return ZBH_USAGE;
    }
    char derr[ZB_MSG_MAX];
    s->dev = s->drv->open(serial, &s->info, derr, sizeof(derr));
    if (!s->dev) {
        snprintf(err, errlen, "%s: %s", zbh_serial_name(serial), derr);
        zbh_serial_close(serial);
        memset(s, 0, sizeof(*s));
        return ZBH_FAIL;
    }
    s->serial = serial;
    return ZBH_OK;
}
