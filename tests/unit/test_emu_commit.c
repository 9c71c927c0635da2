/* test_emu_commit.c - the emulator core's one NVRAM commit (emulator/core/emu.h): a front end whose
 * handler changes its store and answers, with no commit call of its own (there is none to
 * make), has the change in the file before the answer reaches the host; a store that did not
 * change is not rewritten; and when the file cannot be written the answer is withheld, the
 * next turn tries again, and the shutdown reports the file behind. The host is one end of a
 * socketpair (emu_options.host_fd), the loop runs in a thread. */
#include "emu.h"
#include "fileio.h"

#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a front end whose store is one byte ---- */

typedef struct one {
    emu *e;
    uint8_t value;
    int writes_seen; /* answers sent */
} one;

static void *one_create(emu *e, const emu_options *o, char *err, size_t errlen)
{
    (void)o;
    one *s = calloc(1, sizeof(*s));
    s->e = e;
    if (emu_nv_restore(e, s, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static void one_destroy(void *fe)
{
    free(fe);
}

static void one_nop(void *fe)
{
    (void)fe;
}

/* the handler: '?' reads, anything else is written; it answers with the value, and commits
 * nothing */
static void one_bytes(void *fe, const uint8_t *p, size_t n)
{
    one *s = fe;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '?') s->value = p[i];
        emu_send(s->e, &s->value, 1);
        s->writes_seen++;
    }
}

static int one_from_json(void *fe, const cJSON *doc, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "value");
    if (!cJSON_IsNumber(v)) {
        snprintf(err, errlen, "no value");
        return -1;
    }
    ((one *)fe)->value = (uint8_t)v->valueint;
    return 0;
}

static cJSON *one_to_json(const void *fe)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "value", ((const one *)fe)->value);
    return doc;
}

static uint64_t one_hash(const void *fe)
{
    return ((const one *)fe)->value;
}

static const emu_frontend one_frontend = {
    .name = "one",
    .create = one_create,
    .destroy = one_destroy,
    .on_open = one_nop,
    .on_close = one_nop,
    .on_bytes = one_bytes,
    .nv_from_json = one_from_json,
    .nv_to_json = one_to_json,
    .nv_hash = one_hash,
};

/* ---- the loop in a thread, the host on this one ---- */

static char g_dir[64], g_path[128];
static int g_host;
static emu *g_emu;
static pthread_t g_loop;

static void *loop(void *arg)
{
    (void)arg;
    emu_run(g_emu);
    return NULL;
}

static void start(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/zbcommit.XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir));
    snprintf(g_path, sizeof g_path, "%s/nv.json", g_dir);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    g_host = sv[1];
    emu_options o = {.nvram_path = g_path, .host_fd = sv[0]};
    char err[256] = "";
    g_emu = emu_create(&one_frontend, &o, err, sizeof err);
    cr_assert_not_null(g_emu, "%s", err);
    cr_assert_eq(pthread_create(&g_loop, NULL, loop, NULL), 0);
}

/* the shutdown's verdict on the file (emu_destroy) */
static int stop(void)
{
    close(g_host);
    pthread_join(g_loop, NULL);
    int rc = emu_destroy(g_emu);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
    return rc;
}

/* one byte to the emulator; its answer, or -1 if none came within `ms` */
static int ask(uint8_t b, int ms)
{
    cr_assert_eq(write(g_host, &b, 1), 1);
    struct pollfd p = {g_host, POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return -1;
    uint8_t got;
    cr_assert_eq(read(g_host, &got, 1), 1);
    return got;
}

/* what the file says the value is (-1: no file) */
static int on_disk(void)
{
    char *text = file_read_all(g_path, 1 << 16, NULL);
    if (!text) return -1;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(doc);
    int v = cJSON_GetObjectItemCaseSensitive(doc, "value")->valueint;
    cJSON_Delete(doc);
    return v;
}

Test(emu_commit, a_change_is_on_disk_before_its_answer, .timeout = 10)
{
    start();
    cr_assert_eq(on_disk(), 0, "a factory-new store is written at creation");
    for (int v = 'A'; v <= 'E'; v++) {
        cr_assert_eq(ask((uint8_t)v, 2000), v);
        /* the answer is here: the file must already hold what it confirms */
        cr_assert_eq(on_disk(), v, "the answer to %c came before the file held it", v);
    }
    cr_assert_eq(stop(), 0);
}

Test(emu_commit, an_unchanged_store_is_not_rewritten, .timeout = 10)
{
    start();
    cr_assert_eq(ask('A', 2000), 'A');
    struct stat before, after;
    cr_assert_eq(stat(g_path, &before), 0);
    cr_assert_eq(ask('?', 2000), 'A');
    cr_assert_eq(ask('A', 2000), 'A', "the same value again changes nothing");
    cr_assert_eq(stat(g_path, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino, "the file was replaced without a change");
    cr_assert_eq(stop(), 0);
}

Test(emu_commit, an_unsaved_change_is_not_confirmed, .timeout = 10)
{
    start();
    cr_assert_eq(ask('A', 2000), 'A');
    /* the folder goes: every later save fails (even as root) */
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(ask('B', 300), -1, "a change the file does not hold was confirmed");
    cr_assert_eq(ask('?', 300), -1, "the store is still ahead of the file: the save is retried");
    cr_assert_eq(mkdir(g_dir, 0700), 0);
    cr_assert_eq(ask('?', 2000), 'B', "once the folder is back, the next turn saves and answers");
    cr_assert_eq(on_disk(), 'B');
    cr_assert_eq(stop(), 0, "the file caught up: nothing to report");

    start();
    cr_assert_eq(ask('A', 2000), 'A');
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(ask('C', 300), -1);
    cr_assert_eq(stop(), -1, "the shutdown reports the file behind the memory");
}
