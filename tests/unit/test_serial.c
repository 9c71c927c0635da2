/* test_serial.c - the harness's port layer without a device: tcp:// and socket:// URL parsing
 * (accepted forms, every malformed one refused), --baud parsing (exact termios rates or an
 * error, never a silent 115200), --flow-control names, stack aliases, and the line settings a
 * pty really gets (speed and flow-control bits read back from the tty), plus the lock: a second
 * open of a held pty is refused naming this process. */
#include "driver.h"
#include "serial.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

Test(serial, url_forms)
{
    char host[64], err[256];
    int port = 0;
    cr_assert_eq(
        zbh_serial_parse_url("tcp://127.0.0.1:6638", host, sizeof(host), &port, err, sizeof(err)),
        1);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 6638);
    cr_assert_eq(zbh_serial_parse_url("socket://slzb-06.local:1", host, sizeof(host), &port, err,
                                      sizeof(err)),
                 1);
    cr_assert_str_eq(host, "slzb-06.local");
    cr_assert_eq(port, 1);
    cr_assert_eq(
        zbh_serial_parse_url("tcp://[::1]:65535", host, sizeof(host), &port, err, sizeof(err)), 1);
    cr_assert_str_eq(host, "::1");
    cr_assert_eq(port, 65535);
    cr_assert_eq(zbh_serial_parse_url("/dev/ttyUSB0", host, sizeof(host), &port, err, sizeof(err)),
                 0);
    cr_assert_eq(zbh_serial_parse_url("tcp:/x:1", host, sizeof(host), &port, err, sizeof(err)), 0,
                 "not the scheme: taken as a path (and fails to open as one)");
}

Test(serial, url_malformed)
{
    static const char *const BAD[] = {
        "tcp://",           "tcp://host",    "tcp://host:",    "tcp://:80",      "tcp://host:0",
        "tcp://host:65536", "tcp://host:-1", "tcp://host:80x", "tcp://host: 80", "tcp://[::1]80",
        "tcp://[::1",       "tcp://a/b:80",  "socket://h:+80", "tcp://host:80/", "socket://[]:80",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        char host[64], err[256] = "";
        int port = 0;
        cr_expect_eq(zbh_serial_parse_url(BAD[i], host, sizeof(host), &port, err, sizeof(err)), -1,
                     "%s accepted", BAD[i]);
        cr_expect(strstr(err, "expected tcp://HOST:PORT"), "%s: message '%s'", BAD[i], err);
    }
}

Test(serial, baud)
{
    char err[1024];
    int b = 0;
    static const int OK[] = {9600, 57600, 115200, 230400, 460800, 921600, 1000000, 4000000};
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        char s[16];
        snprintf(s, sizeof(s), "%d", OK[i]);
        cr_expect_eq(zbh_parse_baud(s, &b, err, sizeof(err)), 0, "%s refused: %s", s, err);
        cr_expect_eq(b, OK[i]);
    }
    static const char *const BAD[] = {"250000", "100000", "115201",  "0",          "-9600",
                                      "12ab",   "",       "4000001", "99999999999"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        b = 7;
        cr_expect_eq(zbh_parse_baud(BAD[i], &b, err, sizeof(err)), -1, "'%s' accepted", BAD[i]);
        cr_expect_eq(b, 7, "'%s' changed the rate", BAD[i]);
    }
    cr_assert_eq(zbh_parse_baud("250000", &b, err, sizeof(err)), -1);
    cr_expect(strstr(err, "not a rate") && strstr(err, " 921600"), "message: %s", err);
}

Test(serial, flow_names)
{
    zbh_flow f;
    cr_assert_eq(zbh_flow_parse("none", &f), 0);
    cr_assert_eq(f, ZBH_FLOW_NONE);
    cr_assert_eq(zbh_flow_parse("software", &f), 0);
    cr_assert_eq(f, ZBH_FLOW_SOFTWARE);
    cr_assert_eq(zbh_flow_parse("hardware", &f), 0);
    cr_assert_eq(f, ZBH_FLOW_HARDWARE);
    cr_assert_eq(zbh_flow_parse("rtscts", &f), -1);
    cr_assert_eq(zbh_flow_parse("", &f), -1);
    cr_assert_str_eq(zbh_flow_name(ZBH_FLOW_SOFTWARE), "software");
}

Test(serial, stack_aliases)
{
    cr_assert_eq(zbh_find_driver("zstack"), zbh_find_driver("znp"));
    cr_assert_eq(zbh_find_driver("ember"), zbh_find_driver("ezsp"));
    cr_assert_not_null(zbh_find_driver("zboss"));
    cr_assert_null(zbh_find_driver("deconz"));
    cr_assert_null(zbh_find_driver("Zstack"));
    cr_assert(strstr(zbh_driver_names(), "znp (or zstack)"));
    cr_assert(strstr(zbh_driver_names(), "ezsp (or ember)"));
}

/* Opens PATH with the given flow control and returns what the tty then holds. */
static struct termios opened_as(const char *path, int baud, zbh_flow f)
{
    char err[512];
    zbh_serial_set_flow(f);
    zbh_serial *s = zbh_serial_open(path, baud, err, sizeof(err));
    cr_assert_not_null(s, "%s", err);
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    cr_assert_geq(fd, 0);
    struct termios t;
    cr_assert_eq(tcgetattr(fd, &t), 0);
    close(fd);
    zbh_serial_close(s);
    zbh_serial_set_flow(ZBH_FLOW_NONE);
    return t;
}

Test(serial, pty_line_settings)
{
    int m, sl;
    char path[64];
    cr_assert_eq(openpty(&m, &sl, path, NULL, NULL), 0);
    close(sl);
    struct termios t = opened_as(path, 921600, ZBH_FLOW_HARDWARE);
    cr_expect_eq(cfgetospeed(&t), B921600);
    cr_expect(t.c_cflag & CRTSCTS);
    cr_expect(!(t.c_iflag & (IXON | IXOFF)));
    t = opened_as(path, 460800, ZBH_FLOW_SOFTWARE);
    cr_expect_eq(cfgetospeed(&t), B460800);
    cr_expect(!(t.c_cflag & CRTSCTS));
    cr_expect((t.c_iflag & (IXON | IXOFF)) == (IXON | IXOFF));
    t = opened_as(path, 115200, ZBH_FLOW_NONE);
    cr_expect_eq(cfgetospeed(&t), B115200);
    cr_expect(!(t.c_cflag & CRTSCTS));
    cr_expect(!(t.c_iflag & (IXON | IXOFF | IXANY)));
    char err[512];
    cr_expect_null(zbh_serial_open(path, 250000, err, sizeof(err)), "250000 not refused");
    close(m);
}

Test(serial, second_open_refused)
{
    int m, sl;
    char path[64], err[512] = "";
    cr_assert_eq(openpty(&m, &sl, path, NULL, NULL), 0);
    close(sl);
    zbh_serial *a = zbh_serial_open(path, 115200, err, sizeof(err));
    cr_assert_not_null(a, "%s", err);
    /* another open file description of the same tty, as a second program has: flock refuses
     * it (TIOCEXCL does not stop root, which these tests may run as) */
    cr_assert_null(zbh_serial_open(path, 115200, err, sizeof(err)));
    cr_expect(strstr(err, "in use by another program"), "message: %s", err);
    zbh_serial_close(a);
    zbh_serial *b = zbh_serial_open(path, 115200, err, sizeof(err));
    cr_expect_not_null(b, "after close: %s", err);
    zbh_serial_close(b);
    close(m);
}
