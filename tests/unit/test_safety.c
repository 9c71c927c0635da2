/* test_safety.c - the real-stick safety pieces that need no device (issue 12): saturating
 * counter arithmetic, the checks a restore makes before its first write (precheck.h), the
 * pre-restore file (never overwriting, never through a symlink, 0600, named after the stick
 * and the time), and what a new backup would lose against the file it replaces (issue 26).
 * The device-facing rules are in tests/system/safety.sh and outputs.sh. */
#include "driver.h"
#include "journal.h"
#include "ops.h"
#include "ocb.h"
#include "precheck.h"
#include "prerestore.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(counter, adds_in_64_bits_and_saturates)
{
    cr_expect_eq(zbh_counter_add(10, 2500), 2510u);
    cr_expect_eq(zbh_counter_add(4294967000u, 2500), UINT32_MAX); /* was 2204 (issue 12) */
    cr_expect_eq(zbh_counter_add(UINT32_MAX, UINT32_MAX), UINT32_MAX);
    cr_expect_eq(zbh_counter_add(UINT32_MAX - 5, 5), UINT32_MAX);
}

/* A small valid network: coordinator 00124b0000000001, two devices. */
static ocb_backup *net(void)
{
    ocb_backup *b = ocb_new();
    cr_assert_not_null(b);
    b->coordinator_ieee = 0x00124b0000000001ull;
    b->pan_id = 0x1a62;
    b->extended_pan_id = 0xdddddddddddddddd;
    b->security_level = 5;
    b->channel = 15;
    b->channel_mask = 1u << 15;
    memset(b->network_key.key, 0x11, 16);
    for (int i = 0; i < 2; i++) {
        ocb_device d = {.ieee = 0x00158d0000000010ull + (uint64_t)i,
                        .has_nwk = true,
                        .nwk = (uint16_t)(0x1000 + i),
                        .is_child = true};
        cr_assert_eq(ocb_add_device(b, &d), 0);
    }
    return b;
}

static size_t errors_for(const ocb_backup *b, const char *stack, const char *want_path)
{
    ocb_report r;
    ocb_report_init(&r);
    size_t n = zbh_precheck(b, stack, NULL, &r);
    int found = want_path == NULL;
    for (size_t i = 0; i < r.n_issues; i++)
        if (want_path && strstr(r.issues[i].path, want_path)) found = 1;
    cr_expect(found, "no issue at %s", want_path);
    ocb_report_free(&r);
    return n;
}

Test(precheck, a_clean_network_passes_on_every_stack)
{
    ocb_backup *b = net();
    cr_expect_eq(errors_for(b, "znp", NULL), 0);
    cr_expect_eq(errors_for(b, "ezsp", NULL), 0);
    cr_expect_eq(errors_for(b, "zboss", NULL), 0);
    ocb_free(b);
}

Test(precheck, values_a_stack_refuses_or_changes)
{
    static const char *const STACKS[] = {"znp", "ezsp", "zboss"};
    for (size_t s = 0; s < 3; s++) {
        ocb_backup *b = net();
        b->pan_id = 0xFFFE;
        cr_expect_eq(errors_for(b, STACKS[s], "pan_id"), 1);
        b->pan_id = 0x1a62;
        b->security_level = 0;
        cr_expect_eq(errors_for(b, STACKS[s], "security_level"), 1);
        b->security_level = 5;
        memset(b->network_key.key, 0, 16);
        cr_expect_eq(errors_for(b, STACKS[s], "network_key.key"), 1);
        memset(b->network_key.key, 0x11, 16);
        b->coordinator_ieee = 0;
        cr_expect_eq(errors_for(b, STACKS[s], "coordinator_ieee"), 1);
        b->coordinator_ieee = UINT64_MAX;
        cr_expect_eq(errors_for(b, STACKS[s], "coordinator_ieee"), 1);
        b->coordinator_ieee = b->devices[0].ieee;
        cr_expect_eq(errors_for(b, STACKS[s], "devices["), 1);
        b->coordinator_ieee = 0x00124b0000000001ull;
        b->devices[1].nwk = b->devices[0].nwk;
        cr_expect_eq(errors_for(b, STACKS[s], "devices"), 1);
        ocb_free(b);
    }
}

Test(precheck, capacities)
{
    ocb_backup *b = net();
    for (int i = 0; i < 298; i++) { /* 300 children */
        ocb_device d = {.ieee = 0x00158d0001000000ull + (uint64_t)i,
                        .has_nwk = true,
                        .nwk = (uint16_t)(0x2000 + i),
                        .is_child = true};
        cr_assert_eq(ocb_add_device(b, &d), 0);
    }
    cr_expect_gt(errors_for(b, "ezsp", "devices"), 0);  /* child table */
    cr_expect_gt(errors_for(b, "zboss", "devices"), 0); /* 255-entry map, 1600-byte message */
    cr_expect_gt(errors_for(b, "znp", "devices"), 0);   /* 257-row address manager */
    ocb_report r;
    ocb_report_init(&r);
    cr_expect_gt(zbh_precheck(b, "znp", "zstack12", &r), 0); /* 23 rows on Z-Stack 1.2 */
    ocb_report_free(&r);
    ocb_free(b);
}

static char *tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/zbtest-safety-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

Test(prerestore, named_after_the_stick_0600_never_overwriting)
{
    ocb_backup *b = net();
    char *dir = tmpdir(), p1[512], p2[512];
    cr_assert_eq(zbh_prerestore_write(b, dir, p1, sizeof(p1)), 0);
    cr_assert_eq(zbh_prerestore_write(b, dir, p2, sizeof(p2)), 0);
    cr_expect_str_neq(p1, p2, "the second file in the same second took a new name");
    cr_expect_not_null(strstr(p1, "/zbharness-prerestore-00124b0000000001-"));
    cr_expect_eq(p1[0], '/', "absolute path: %s", p1);
    struct stat st;
    cr_assert_eq(stat(p1, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600);
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *again = ocb_parse_file(p1, &r);
    cr_expect_not_null(again, "the file validates");
    cr_expect_eq(again ? again->n_devices : 0, 2);
    ocb_free(again);
    ocb_report_free(&r);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
    ocb_free(b);
}

Test(prerestore, never_through_a_symlink_never_replacing)
{
    ocb_backup *b = net();
    char *dir = tmpdir(), target[600], link[600];
    snprintf(target, sizeof(target), "%s/victim", dir);
    snprintf(link, sizeof(link), "%s/planted.json", dir);
    FILE *f = fopen(target, "w");
    cr_assert_not_null(f);
    fputs("precious\n", f);
    fclose(f);
    cr_assert_eq(symlink(target, link), 0);
    errno = 0;
    cr_expect_eq(zbh_backup_write_new(b, link), -1);
    cr_expect(errno == EEXIST || errno == ELOOP, "errno %d", errno);
    errno = 0;
    cr_expect_eq(zbh_backup_write_new(b, target), -1);
    cr_expect_eq(errno, EEXIST);
    char buf[32] = "";
    f = fopen(target, "r");
    cr_assert_not_null(f);
    cr_expect_not_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    cr_expect_str_eq(buf, "precious\n");
    unlink(link);
    unlink(target);
    rmdir(dir);
    ocb_free(b);
}

/* ---------------------------------------------------------------- the restore journal */

/* Counters in a journal only rise: a save over an existing journal of the same network and
 * port keeps the higher of each, and find/raise hand them to the next plan. */
Test(journal, counters_only_rise_and_bound_the_next_plan)
{
    char dir[] = "/tmp/zb-journal-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("ZBHARNESS_STATE_DIR", dir, 1);
    ocb_backup *b = net();
    /* the counters as written: 100000 and 7000 plus an increment of 2500 (ops.c) */
    b->network_key.frame_counter = 102500;
    b->devices[0].has_link_key = true;
    b->devices[0].link_key.tx_counter = 9500;
    char err[256];
    zbh_journal *j = zbh_journal_new(b, "znp", "/dev/ttyACM0", "/x.json", "", 0);
    cr_assert_not_null(j);
    cr_assert_eq(zbh_journal_save(j, dir, err, sizeof(err)), 0, "%s", err);
    zbh_journal_free(j);
    /* a later, lower plan of the same network saved over it keeps the higher counters */
    b->network_key.frame_counter = 2510;
    b->devices[0].link_key.tx_counter = 2501;
    j = zbh_journal_new(b, "znp", "/dev/ttyACM0", "/x.json", "", 0);
    cr_assert_eq(zbh_journal_save(j, dir, err, sizeof(err)), 0, "%s", err);
    zbh_journal_free(j);

    zbh_journal *list;
    size_t n = zbh_journal_find(dir, true, b->extended_pan_id, "/dev/ttyACM0", &list);
    cr_assert_eq(n, 1);
    cr_expect_eq(list[0].nwk_frame_counter, 102500);
    cr_expect_not(list[0].done);
    zbh_journal_raise(list, n, b);
    cr_expect_eq(b->network_key.frame_counter, 102500);
    cr_expect_eq(b->devices[0].link_key.tx_counter, 9500);
    zbh_journal_list_free(list, n);
    /* another port is another stick; another network is not this one */
    cr_expect_eq(zbh_journal_find(dir, true, b->extended_pan_id, "/dev/ttyACM1", &list), 0);
    zbh_journal_list_free(list, 0);
    cr_expect_eq(zbh_journal_find(dir, true, b->extended_pan_id + 1, "/dev/ttyACM0", &list), 0);
    zbh_journal_list_free(list, 0);
    /* with no network on the stick: any journal of the port (backup's warning) */
    cr_expect_eq(zbh_journal_find(dir, false, 0, "/dev/ttyACM0", &list), 1);
    zbh_journal_list_free(list, 1);
    ocb_free(b);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* A restore killed between its two final saves: the pre-restore folder's copy is done, the
 * state directory's still in progress. One restore, done: no "unfinished" warning. */
Test(journal, a_copy_marked_done_wins)
{
    char pre[] = "/tmp/zb-journal-pre-XXXXXX", state[] = "/tmp/zb-journal-state-XXXXXX";
    cr_assert_not_null(mkdtemp(pre));
    cr_assert_not_null(mkdtemp(state));
    setenv("ZBHARNESS_STATE_DIR", state, 1);
    ocb_backup *b = net();
    char err[256];
    zbh_journal *j = zbh_journal_new(b, "ezsp", "/dev/ttyUSB0", "/x.json", "", 0);
    cr_assert_eq(zbh_journal_save(j, state, err, sizeof(err)), 0, "%s", err);
    j->done = true;
    cr_assert_eq(zbh_journal_save(j, pre, err, sizeof(err)), 0, "%s", err);
    zbh_journal_free(j);
    for (int order = 0; order < 2; order++) { /* found first in either place */
        if (order) setenv("ZBHARNESS_STATE_DIR", pre, 1);
        zbh_journal *list;
        size_t n =
            zbh_journal_find(order ? state : pre, true, b->extended_pan_id, "/dev/ttyUSB0", &list);
        cr_assert_eq(n, 1);
        cr_expect(list[0].done, "order %d: the in-progress copy hid the done one", order);
        cr_expect_eq(zbh_journal_warn_unfinished(list, n, "test", NULL), 0);
        zbh_journal_list_free(list, n);
    }
    ocb_free(b);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", pre, state);
    cr_expect_eq(system(cmd), 0);
}

/* Issue 26: `backup -o FILE` over a better backup of the same network (a stick read after a
 * restore stopped half-way) is refused; zbh_backup_shrinks names what would be lost. */
Test(backup_guard, names_each_field_that_shrinks)
{
    ocb_backup *old = net(), *neu = ocb_clone(old);
    cr_assert_not_null(neu);
    old->network_key.frame_counter = 11250;
    old->devices[0].has_link_key = true;
    neu->network_key.frame_counter = 0;
    neu->n_devices = 0;
    zbh_shrink s[ZBH_SHRINK_MAX];
    cr_assert_eq(zbh_backup_shrinks(old, neu, s), 3);
    cr_expect_str_eq(s[0].field, "network_key.frame_counter");
    cr_expect_eq(s[0].old_value, 11250);
    cr_expect_eq(s[0].new_value, 0);
    cr_expect_str_eq(s[1].field, "devices");
    cr_expect_eq(s[1].old_value, 2);
    cr_expect_eq(s[1].new_value, 0);
    cr_expect_str_eq(s[2].field, "devices with link keys");
    cr_expect_eq(s[2].old_value, 1);
    cr_expect_eq(s[2].new_value, 0);
    neu->n_devices = 2; /* only the counter went back */
    neu->devices[0].has_link_key = true;
    cr_assert_eq(zbh_backup_shrinks(old, neu, s), 1);
    cr_expect_str_eq(s[0].field, "network_key.frame_counter");
    ocb_free(old);
    ocb_free(neu);
}

Test(backup_guard, an_equal_or_better_backup_or_another_network_passes)
{
    ocb_backup *old = net(), *neu = ocb_clone(old);
    cr_assert_not_null(neu);
    zbh_shrink s[ZBH_SHRINK_MAX];
    cr_expect_eq(zbh_backup_shrinks(old, neu, s), 0, "the same backup");
    neu->network_key.frame_counter = 5000;
    cr_expect_eq(zbh_backup_shrinks(old, neu, s), 0, "a higher counter");
    neu->network_key.frame_counter = 0;
    neu->n_devices = 0;
    neu->extended_pan_id = 0xeeeeeeeeeeeeeeee;
    old->network_key.frame_counter = 9;
    cr_expect_eq(zbh_backup_shrinks(old, neu, s), 0, "another network is not compared");
    ocb_free(old);
    ocb_free(neu);
}
