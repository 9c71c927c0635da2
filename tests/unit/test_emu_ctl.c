/* test_emu_ctl.c - the modem-line report socket (emulator/core/emu_ctl.c): the path convention shared
 * with preload/zbmodem.c, the message format, and a datagram round trip through a bound socket.
 * Why: the library and the emulator only meet through these two conventions; a drift in either
 * silently turns every DTR/RTS toggle into nothing. */
#include "emu_ctl.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

Test(emu_ctl, path_from_pty)
{
    char p[108];
    cr_assert_eq(emu_ctl_path("/dev/pts/0", p, sizeof(p)), 0);
    cr_assert_str_eq(p, "/tmp/zbemu-pts-0.sock");
    cr_assert_eq(emu_ctl_path("/dev/pts/1234", p, sizeof(p)), 0);
    cr_assert_str_eq(p, "/tmp/zbemu-pts-1234.sock");
    cr_assert_eq(emu_ctl_path("tcp://127.0.0.1:5000", p, sizeof(p)), -1);
    cr_assert_eq(emu_ctl_path("/dev/pts/", p, sizeof(p)), -1);
    cr_assert_eq(emu_ctl_path("/dev/pts/7x", p, sizeof(p)), -1);
    cr_assert_eq(emu_ctl_path("/dev/pts/7", p, 8), -1, "truncation is an error");
}

Test(emu_ctl, parse)
{
    int d = -1, r = -1;
    cr_assert_eq(emu_ctl_parse("DTR=1 RTS=0", &d, &r), 0);
    cr_assert(d == 1 && r == 0);
    cr_assert_eq(emu_ctl_parse("DTR=0 RTS=1", &d, &r), 0);
    cr_assert(d == 0 && r == 1);
    cr_assert_eq(emu_ctl_parse("DTR=2 RTS=0", &d, &r), -1);
    cr_assert_eq(emu_ctl_parse("DTR=1 RTS=0 x", &d, &r), -1);
    cr_assert_eq(emu_ctl_parse("RTS=1", &d, &r), -1);
    cr_assert_eq(emu_ctl_parse("", &d, &r), -1);
}

static void send_to(const char *path, const char *msg)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    cr_assert(s >= 0);
    cr_assert_eq(sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&sa, sizeof(sa)),
                 (ssize_t)strlen(msg));
    close(s);
}

Test(emu_ctl, round_trip)
{
    char pty[64];
    /* a pty number no real pty has, distinct per process */
    snprintf(pty, sizeof(pty), "/dev/pts/%d", 900000 + (int)(getpid() % 90000));
    emu_ctl c;
    cr_assert_eq(emu_ctl_open(&c, pty), 0);
    struct pollfd pfd;
    cr_assert_eq(emu_ctl_pollfd(&c, &pfd), 1);
    int d, r;
    cr_assert_eq(emu_ctl_read(&c, &d, &r), 0, "nothing queued yet");
    send_to(c.path, "garbage");
    send_to(c.path, "DTR=0 RTS=1");
    send_to(c.path, "DTR=0 RTS=0");
    cr_assert_eq(emu_ctl_read(&c, &d, &r), 1);
    cr_assert(d == 0 && r == 1, "the malformed report is skipped, order kept");
    cr_assert_eq(emu_ctl_read(&c, &d, &r), 1);
    cr_assert(d == 0 && r == 0);
    cr_assert_eq(emu_ctl_read(&c, &d, &r), 0);
    char path[108];
    snprintf(path, sizeof(path), "%s", c.path);
    emu_ctl_close(&c);
    cr_assert_eq(access(path, F_OK), -1, "the socket file is removed");
    cr_assert_eq(emu_ctl_pollfd(&c, &pfd), 0);
}

Test(emu_ctl, not_a_pty)
{
    emu_ctl c;
    cr_assert_eq(emu_ctl_open(&c, "tcp://127.0.0.1:1"), -1);
    struct pollfd pfd;
    cr_assert_eq(emu_ctl_pollfd(&c, &pfd), 0);
    emu_ctl_close(&c);
}
