/* test_fileio.c - what the harness and the emulators write and read (issue 13): temp files
 * that no planted link can redirect, nothing partial on failure, FIFOs and folders named as
 * input refused at once with what they are. Issue 26: an output path is written the way the
 * user means it, per kind: a file or link target replaced, a pipe or device written in place,
 * a folder or socket refused by name, a full device an error. */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
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
        cr_assert_eq(file_write(target, "SECRET KEYS", 11, 0600, 0), 0, "%s", strerror(errno));
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
    cr_assert_eq(file_write(target, "x", 1, 0600, 0), 0);
    struct stat st;
    cr_assert_eq(stat(target, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(file_write(target, "y", 1, 0644, 0), 0);
    cr_assert_eq(stat(target, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0644);
    umask(old);
}

/* Issue 26: a symlink named as output is the user's way to a file; its target is replaced
 * atomically and the link stays a link (it used to be replaced, the target left stale). */
Test(fileio, symlink_to_a_regular_file_updates_the_target_and_stays_a_link)
{
    char target[256], real[256];
    snprintf(target, sizeof(target), "%s/out.json", dir);
    snprintf(real, sizeof(real), "%s/real.json", dir);
    FILE *f = fopen(real, "w");
    fputs("stale", f);
    fclose(f);
    cr_assert_eq(symlink("real.json", target), 0);
    cr_assert_eq(file_write(target, "new", 3, 0600, 0), 0, "%s", strerror(errno));
    struct stat st;
    cr_assert_eq(lstat(target, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link is still a link");
    char *r = slurp(real);
    cr_expect_str_eq(r, "new");
    free(r);
    cr_expect_eq(entries(), 2, "no temp file left behind");
}

Test(fileio, missing_path_is_created_with_the_mode)
{
    char target[256];
    snprintf(target, sizeof(target), "%s/new.json", dir);
    cr_assert_eq(file_write(target, "fresh", 5, 0600, 0), 0);
    struct stat st;
    cr_assert_eq(lstat(target, &st), 0);
    cr_expect(S_ISREG(st.st_mode));
    cr_expect_eq(st.st_mode & 0777, 0600);
    char *t = slurp(target);
    cr_expect_str_eq(t, "fresh");
    free(t);
}

/* A dangling link: its target is created (in the link's folder, relative text), link kept. */
Test(fileio, dangling_symlink_creates_its_target)
{
    char link[256], real[256];
    snprintf(link, sizeof(link), "%s/out.json", dir);
    snprintf(real, sizeof(real), "%s/later.json", dir);
    cr_assert_eq(symlink("later.json", link), 0);
    cr_assert_eq(file_write(link, "made", 4, 0600, 0), 0, "%s", strerror(errno));
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode));
    char *r = slurp(real);
    cr_expect_str_eq(r, "made");
    free(r);
}

/* A FIFO used to be renamed over: its reader got nothing. Now the reader gets every byte. */
Test(fileio, fifo_with_a_reader_gets_the_data, .timeout = 10)
{
    char fifo[256], got[256];
    snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
    snprintf(got, sizeof(got), "%s/got", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) { /* the reader: copy the FIFO to `got`; gives up if no writer comes */
        alarm(5);
        int in = open(fifo, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[256];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
            if (write(out, buf, (size_t)n) != n) _exit(1);
        _exit(in >= 0 && out >= 0 ? 0 : 1);
    }
    cr_assert_eq(file_write(fifo, "through the pipe", 16, 0600, 0), 0, "%s", strerror(errno));
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_expect(S_ISFIFO(st.st_mode), "the FIFO is still a FIFO");
    char *g = slurp(got);
    cr_expect_str_eq(g, "through the pipe");
    free(g);
}

/* As root the old rename replaced /dev/null with a file holding the keys. A private node of
 * the same device is used, so the real /dev/null is never at risk. */
Test(fileio, char_device_stays_a_char_device)
{
    if (geteuid() != 0) cr_skip_test("mknod needs root");
    char node[256];
    snprintf(node, sizeof(node), "%s/null", dir);
    if (mknod(node, S_IFCHR | 0666, makedev(1, 3)) < 0)
        cr_skip_test("mknod: %s (no device nodes here)", strerror(errno));
    int rc = file_write(node, "keys", 4, 0600, 0);
    if (rc < 0 && (errno == EACCES || errno == EPERM))
        cr_skip_test("the filesystem does not allow opening device nodes (nodev)");
    cr_expect_eq(rc, 0, "%s", strerror(errno));
    struct stat st;
    cr_assert_eq(lstat(node, &st), 0);
    cr_expect(S_ISCHR(st.st_mode), "still a character device");
    cr_expect_eq(entries(), 1, "no temp file left behind");
}

/* A private node of /dev/full as root: a build with the old rename would replace the node it
 * is given, and the machine's own /dev/full must never be at risk. */
Test(fileio, full_device_reports_enospc)
{
    char node[256];
    snprintf(node, sizeof(node), "%s/full", dir);
    const char *path = "/dev/full"; /* without root the old rename cannot replace it */
    if (geteuid() == 0) {
        if (mknod(node, S_IFCHR | 0666, makedev(1, 7)) < 0)
            cr_skip_test("mknod: %s (no device nodes here)", strerror(errno));
        path = node;
    }
    if (access(path, W_OK) < 0) cr_skip_test("no writable %s", path);
    int rc = file_write(path, "keys", 4, 0600, 0), e = errno;
    if (rc < 0 && (e == EACCES || e == EPERM))
        cr_skip_test("the filesystem does not allow opening device nodes (nodev)");
    cr_expect_eq(rc, -1);
    cr_expect_eq(e, ENOSPC, "errno %d", e);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0);
    cr_expect(S_ISCHR(st.st_mode), "still a character device");
}

Test(fileio, directory_is_refused_and_named)
{
    char why[160];
    cr_expect_eq(file_write(dir, "x", 1, 0600, 0), -1);
    cr_expect_eq(errno, EISDIR);
    cr_expect_str_eq(file_write_error(dir, EISDIR, 0, why, sizeof(why)),
                     "is a directory, not a regular file, FIFO or character device");
    cr_expect_eq(entries(), 0);
}

Test(fileio, socket_is_refused_and_named)
{
    char path[256], why[160];
    snprintf(path, sizeof(path), "%s/sock", dir);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    cr_assert_geq(s, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    cr_assert_lt(strlen(path), sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_expect_eq(file_write(path, "x", 1, 0600, 0), -1);
    int e = errno;
    cr_expect_eq(e, EINVAL);
    cr_expect_str_eq(file_write_error(path, e, 0, why, sizeof(why)),
                     "is a socket, not a regular file, FIFO or character device");
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0);
    cr_expect(S_ISSOCK(st.st_mode), "left alone");
    close(s);
}

/* The emulators' own files: only a regular file, never a pipe nobody may read. */
Test(fileio, regular_only_refuses_a_fifo_at_once, .timeout = 5)
{
    char fifo[256], why[160];
    snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_expect_eq(file_write(fifo, "x", 1, 0600, FILE_WRITE_REGULAR_ONLY), -1);
    int e = errno;
    cr_expect_str_eq(file_write_error(fifo, e, FILE_WRITE_REGULAR_ONLY, why, sizeof(why)),
                     "is a FIFO (named pipe), not a regular file");
    /* /dev/fd/1 and not /dev/stdout: an old build would replace /dev/stdout as root */
    cr_expect_eq(file_write("/dev/fd/1", "x", 1, 0600, FILE_WRITE_REGULAR_ONLY), -1);
}

/* /dev/stdout and /proc/self/fd/N are the open descriptor: a pipe's reader gets the data. */
Test(fileio, dev_stdout_and_proc_fd_write_to_the_descriptor)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    char name[64];
    snprintf(name, sizeof(name), "/proc/self/fd/%d", p[1]);
    cr_assert_eq(file_write(name, "via fd", 6, 0600, 0), 0, "%s", strerror(errno));
    snprintf(name, sizeof(name), "/dev/fd/%d", p[1]);
    cr_assert_eq(file_write(name, "+dev", 4, 0600, 0), 0, "%s", strerror(errno));
    close(p[1]);
    size_t n = 0;
    char *s = file_read_fd(p[0], 100, &n);
    close(p[0]);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "via fd+dev");
    free(s);
}

/* A write that fails half way (file size limit: EFBIG) leaves the old file and no temp. */
Test(fileio, failed_write_keeps_the_old_file_and_leaves_nothing)
{
    char target[256];
    snprintf(target, sizeof(target), "%s/nv.json", dir);
    cr_assert_eq(file_write(target, "old complete", 12, 0600, 0), 0);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {4096, 4096};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    static char big[65536];
    memset(big, 'x', sizeof(big));
    cr_assert_eq(file_write(target, big, sizeof(big), 0600, 0), -1);
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
    cr_assert_eq(file_write(target, "x", 1, 0600, 0), -1);
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
