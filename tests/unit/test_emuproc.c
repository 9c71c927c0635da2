/* test_emuproc.c - the lower half of harness/core/emuproc.h (spawn / wait-ready / stop) that the
 * harness's --emulate and zbbench both start emulators with. A shell stands in for zbemu: what
 * is tested is the plumbing (the port line, the timeout, the log, the teardown), not zbemu. */
#include "clock.h"
#include "emuproc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int spawn_sh(zbh_emu *e, const char *script, const char *log)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    char err[256] = "";
    int fd = zbh_emu_spawn(e, argv, log, err, sizeof(err));
    cr_assert_geq(fd, 0, "spawn: %s", err);
    cr_assert_gt(e->pid, 0);
    return fd;
}

Test(emuproc, reads_the_port_line_then_stops_the_process)
{
    zbh_emu e = {0};
    int fd = spawn_sh(&e, "echo /dev/pts/77; exec sleep 30", NULL);
    char err[256] = "";
    cr_assert_eq(zbh_emu_wait_ready(&e, fd, 5000, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(e.port, "/dev/pts/77");
    pid_t pid = e.pid;
    cr_expect_eq(zbh_emu_stop(&e), -1); /* sleep dies of the SIGTERM: not a clean exit */
    cr_expect_eq(e.pid, 0);
    cr_expect_eq(waitpid(pid, NULL, WNOHANG), -1); /* already reaped */
    cr_expect_eq(zbh_emu_stop(&e), 0);             /* stopping twice is harmless */
}

Test(emuproc, a_clean_exit_is_status_0_and_stderr_goes_to_the_log)
{
    char log[] = "/tmp/zb_emuproc_XXXXXX";
    int lfd = mkstemp(log);
    cr_assert_geq(lfd, 0);
    close(lfd);
    zbh_emu e = {0};
    /* stderr first: once the port line is read, the log line is written (a TERM that comes
     * between two commands would otherwise end the script before it) */
    int fd = spawn_sh(&e,
                      "trap 'exit 0' TERM; echo oops >&2; echo 127.0.0.1:4000; "
                      "while :; do sleep 0.05; done",
                      log);
    char err[256] = "";
    cr_assert_eq(zbh_emu_wait_ready(&e, fd, 5000, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(e.port, "127.0.0.1:4000"); /* any port line; --emulate checks for /dev/ */
    cr_expect_eq(zbh_emu_stop(&e), 0);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    char line[64] = "";
    cr_expect_not_null(fgets(line, sizeof(line), f));
    fclose(f);
    unlink(log);
    cr_expect_str_eq(line, "oops\n");
}

Test(emuproc, silence_times_out_and_the_process_is_torn_down)
{
    zbh_emu e = {0};
    int fd = spawn_sh(&e, "exec sleep 30", NULL);
    char err[256] = "";
    int64_t t0 = zb_now_ms();
    cr_expect_eq(zbh_emu_wait_ready(&e, fd, 200, err, sizeof(err)), -1);
    int64_t took = zb_now_ms() - t0;
    cr_expect_geq(took, 190);
    cr_expect_lt(took, 5000);
    cr_expect_eq(e.pid, 0, "the emulator is stopped on failure");
    cr_expect(strstr(err, "did not print its port") != NULL, "%s", err);
}

Test(emuproc, an_exit_before_the_port_line_fails_at_once)
{
    zbh_emu e = {0};
    int fd = spawn_sh(&e, "exit 3", NULL);
    char err[256] = "";
    cr_expect_eq(zbh_emu_wait_ready(&e, fd, -1, err, sizeof(err)), -1); /* no limit: EOF ends it */
    cr_expect_eq(e.pid, 0);
}

/* posix_spawn reports the failed exec itself: no process is left to wait for */
Test(emuproc, a_missing_program_is_an_error_naming_it)
{
    zbh_emu e = {0};
    char *argv[] = {"/nonexistent/zbemu", NULL};
    char err[256] = "";
    cr_expect_eq(zbh_emu_spawn(&e, argv, NULL, err, sizeof(err)), -1);
    cr_expect(strstr(err, "cannot run /nonexistent/zbemu") != NULL, "%s", err);
    cr_expect_eq(e.pid, 0);
}
