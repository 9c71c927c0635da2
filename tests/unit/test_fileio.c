/* test_fileio.c - what the harness and the emulators write and read (issue 13): temp files
 * that no planted link can redirect, nothing partial on failure, FIFOs and folders named as
 * input refused at once with what they are. */
#include "clock.h"
#include "fileio.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/zbfileio.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(dir);
}

static char *slurp(const char *path)
{
    size_t n;
    return file_read_all(path, 1 << 20, &n);
}

static int entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d) closedir(d);
    return n;
}

TestSuite(fileio, .init = setup, .fini = teardown);

/* The old temp name was PATH.tmp.<pid>: a link planted there received the backup. Plant
 * links at that name and at a spread of others; none of their targets may change. */
Test(fileio, planted_symlinks_never_receive_data)
{
    char target[256], victim[256], link[300];
    snprintf(target, sizeof(target), "%s/backup.json", dir);
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    snprintf(link, sizeof(link), "%s.tmp.%ld", target, (long)getpid());
    cr_assert_eq(symlink(victim, link), 0);
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(file_write_atomic(target, "SECRET KEYS", 11, 0600), 0, "%s", strerror(errno));
        char *v = slurp(victim), *t = slurp(target);
        cr_assert_str_eq(v, "precious");
        cr_assert_str_eq(t, "SECRET KEYS");
        free(v);
        free(t);
    }
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the planted link was left alone");
    cr_expect_eq(entries(), 3, "no temp file left behind (target, victim, link)");
}

Test(fileio, mode_is_the_requested_one_and_umask_does_not_widen_it)
{
    char target[256];
    snprintf(target, sizeof(target), "%s/report.xml", dir);
    mode_t old = umask(0);
    cr_assert_eq(file_write_atomic(target, "x", 1, 0600), 0);
    struct stat st;
    cr_assert_eq(stat(target, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(file_write_atomic(target, "y", 1, 0644), 0);
    cr_assert_eq(stat(target, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0644);
    umask(old);
}

/* A symlink at the target path itself is replaced; its target is not written through. */
Test(fileio, symlink_at_the_target_is_replaced_not_followed)
{
    char target[256], victim[256];
    snprintf(target, sizeof(target), "%s/out.json", dir);
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    cr_assert_eq(symlink(victim, target), 0);
    cr_assert_eq(file_write_atomic(target, "new", 3, 0600), 0);
    char *v = slurp(victim), *t = slurp(target);
    cr_expect_str_eq(v, "precious");
    cr_expect_str_eq(t, "new");
    free(v);
    free(t);
}

/* A write that fails half way (file size limit: EFBIG) leaves the old file and no temp. */
Test(fileio, failed_write_keeps_the_old_file_and_leaves_nothing)
{
    char target[256];
    snprintf(target, sizeof(target), "%s/nv.json", dir);
    cr_assert_eq(file_write_atomic(target, "old complete", 12, 0600), 0);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {4096, 4096};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    static char big[65536];
    memset(big, 'x', sizeof(big));
    cr_assert_eq(file_write_atomic(target, big, sizeof(big), 0600), -1);
    cr_expect_eq(errno, EFBIG, "errno %d", errno);
    char *t = slurp(target);
    cr_expect_str_eq(t, "old complete");
    free(t);
    cr_expect_eq(entries(), 1, "the temp file was removed");
}

Test(fileio, missing_folder_is_an_error_with_errno)
{
    char target[256];
    snprintf(target, sizeof(target), "%s/no/such/dir/f.json", dir);
    cr_assert_eq(file_write_atomic(target, "x", 1, 0600), -1);
    cr_expect_eq(errno, ENOENT);
}

/* A FIFO with no writer used to block the reader forever. */
Test(fileio, fifo_is_refused_at_once_and_named, .timeout = 5)
{
    char fifo[256], why[128];
    snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    double t0 = zb_now_s();
    cr_assert_null(file_read_all(fifo, 1024, NULL));
    int e = errno;
    cr_expect_lt(zb_now_s() - t0, 2.0);
    cr_expect_eq(e, EINVAL);
    cr_expect_str_eq(file_kind(fifo), "a FIFO (named pipe)");
    cr_expect_str_eq(file_read_error(fifo, e, 1024, why, sizeof(why)),
                     "is a FIFO (named pipe), not a regular file");
}

Test(fileio, directory_and_device_are_named)
{
    char why[128];
    cr_assert_null(file_read_all(dir, 1024, NULL));
    cr_expect_eq(errno, EISDIR);
    cr_expect_str_eq(file_read_error(dir, EISDIR, 1024, why, sizeof(why)),
                     "is a directory, not a regular file");
    cr_assert_null(file_read_all("/dev/null", 1024, NULL));
    cr_expect_str_eq(file_kind("/dev/null"), "a character device");
    cr_expect_null(file_kind("/etc/hostname"));
    cr_expect_str_eq(file_read_error("/nonexistent", ENOENT, 1024, why, sizeof(why)),
                     strerror(ENOENT));
    cr_expect_str_eq(file_read_error(dir, EFBIG, 1024, why, sizeof(why)),
                     "larger than the 1024-byte limit");
}

Test(fileio, read_fd_reads_a_pipe_to_its_end_with_a_cap)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(write(p[1], "{\"a\":1}", 7), 7);
    close(p[1]);
    size_t n = 0;
    char *s = file_read_fd(p[0], 100, &n);
    close(p[0]);
    cr_assert_not_null(s);
    cr_expect_eq(n, 7);
    cr_expect_str_eq(s, "{\"a\":1}");
    free(s);
    cr_assert_eq(pipe(p), 0);
    static char big[10000];
    memset(big, 'x', sizeof(big));
    cr_assert_eq(write(p[1], big, sizeof(big)), (ssize_t)sizeof(big));
    close(p[1]);
    cr_expect_null(file_read_fd(p[0], 5000, &n));
    cr_expect_eq(errno, EFBIG);
    close(p[0]);
}
