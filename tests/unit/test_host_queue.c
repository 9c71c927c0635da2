/* test_host_queue.c - the host layers' bounded queue (harness/core/host_queue.h): a full queue
 * forgets its oldest element and hands it back for release, a take keeps the order of the
 * rest. */
#include "host_queue.h"

#include <criterion/criterion.h>

typedef struct item {
    int id;
    char pad[13]; /* an element size that is no power of two */
} item;

Test(host_queue, push_forgets_the_oldest_when_full)
{
    item q[3];
    int len = 0;
    item dropped = {.id = -1};
    for (int i = 1; i <= 3; i++)
        cr_expect_not(zbh_queue_push(q, sizeof(q[0]), &len, 3, &(item){.id = i}, &dropped));
    cr_expect_eq(len, 3);
    cr_expect_eq(dropped.id, -1);
    cr_expect(zbh_queue_push(q, sizeof(q[0]), &len, 3, &(item){.id = 4}, &dropped));
    cr_expect_eq(len, 3);
    cr_expect_eq(dropped.id, 1);
    cr_expect(q[0].id == 2 && q[1].id == 3 && q[2].id == 4);
    cr_expect(zbh_queue_push(q, sizeof(q[0]), &len, 3, &(item){.id = 5}, NULL));
    cr_expect(q[0].id == 3 && q[2].id == 5);
}

Test(host_queue, take_keeps_the_order_of_the_rest)
{
    item q[4], out;
    int len = 0;
    for (int i = 1; i <= 4; i++)
        zbh_queue_push(q, sizeof(q[0]), &len, 4, &(item){.id = i}, NULL);
    zbh_queue_take(q, sizeof(q[0]), &len, 1, &out);
    cr_expect_eq(out.id, 2);
    cr_expect_eq(len, 3);
    cr_expect(q[0].id == 1 && q[1].id == 3 && q[2].id == 4);
    zbh_queue_take(q, sizeof(q[0]), &len, 2, &out); /* the last */
    cr_expect_eq(out.id, 4);
    zbh_queue_take(q, sizeof(q[0]), &len, 0, &out);
    cr_expect_eq(out.id, 1);
    cr_expect_eq(len, 1);
    cr_expect_eq(q[0].id, 3);
}
