/* test_log.c - log lines are never cut (issue 17: messages stopped at 256 bytes mid-word) and
 * what a file or a device said reaches the terminal escaped (issue 13). */
#include "log.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(log, escape_controls_keep_utf8)
{
    char out[128];
    cr_expect_str_eq((zb_escape("a\x1b[31mred\x07\n\t\r", out, sizeof(out)), out),
                     "a\\e[31mred\\x07\\n\\t\\r");
    cr_expect_str_eq((zb_escape("caf\xc3\xa9 \xe2\x82\xac", out, sizeof(out)), out),
                     "caf\xc3\xa9 \xe2\x82\xac");
    /* C1 CSI as UTF-8 (U+009B) and a stray byte that is not UTF-8 */
    cr_expect_str_eq((zb_escape("x\xc2\x9by\xffz\x7f", out, sizeof(out)), out),
                     "x\\u009by\\xffz\\x7f");
    /* overlong encoding of '/' is not UTF-8 */
    cr_expect_str_eq((zb_escape("\xc0\xaf", out, sizeof(out)), out), "\\xc0\\xaf");
}

Test(log, escape_reports_the_whole_length_like_snprintf)
{
    char small[4];
    size_t n = zb_escape("\x1b\x1b\x1b", small, sizeof(small));
    cr_expect_eq(n, 6);
    cr_expect_eq(strlen(small), 3);
    char *d = zb_escape_dup("\x1b\x1b\x1b");
    cr_expect_str_eq(d, "\\e\\e\\e");
    free(d);
}

/* Capture stderr in a file around f(). */
static char *capture(void (*f)(void))
{
    char path[] = "/tmp/zblog.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    f();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    char *buf = calloc(1, (size_t)n + 1);
    cr_assert_eq(pread(fd, buf, (size_t)n, 0), n);
    close(fd);
    unlink(path);
    return buf;
}

static char long_path[700];

static void log_long(void)
{
    zb_log_set_level(ZB_LOG_INFO);
    LOG_ERROR("%s: cannot read the NVRAM file: %s", long_path, "No such file or directory");
}

Test(log, a_600_byte_path_is_logged_whole)
{
    size_t o = 0;
    while (o < 600)
        o += (size_t)snprintf(long_path + o, sizeof(long_path) - o, "/component%03zu", o);
    char *out = capture(log_long);
    cr_assert_not_null(strstr(out, long_path), "path cut: %s", out);
    cr_expect_not_null(strstr(out, ": cannot read the NVRAM file: No such file or directory\n"));
    cr_expect_eq(out[strlen(out) - 1], '\n');
    free(out);
}

static void log_escape(void)
{
    zb_log_set_level(ZB_LOG_INFO);
    LOG_WARN("unknown item '%s'", "x\x1b]0;pwned\x07");
}

Test(log, device_text_is_escaped_in_log_lines)
{
    char *out = capture(log_escape);
    cr_expect_null(strchr(out, '\x1b'));
    cr_expect_not_null(strstr(out, "unknown item 'x\\e]0;pwned\\x07'\n"), "%s", out);
    free(out);
}
