/* test_migrate.c - a migration's decisions (harness/move/migrate.h): the increment from a measured
 * rate (the floor, the margin, rounding up, saturation) and the devices each declared loss
 * touches, counted once. */
#include "migrate.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(migrate, increment_from_the_measured_rate)
{
    zbh_rate still = zbh_rate_of(11250, 11250, 10000);
    cr_assert_eq(still.per_s, 0.0);
    cr_assert_eq(zbh_migrate_increment(&still, 300, 0), ZBH_MIGRATE_FLOOR,
                 "a quiet stick: the floor");
    zbh_rate r = zbh_rate_of(1000, 1031, 10000); /* 3.1 frames/s */
    cr_assert_eq(zbh_migrate_increment(&r, 300, 0), 2500, "930 x 2 is under the floor");
    cr_assert_eq(zbh_migrate_increment(&r, 600, 0), 3720, "3.1 x 600 x 2");
    cr_assert_eq(zbh_migrate_increment(&r, 600, 1000), 4720, "plus what the counter did not show");
    zbh_rate fast = zbh_rate_of(0, 5000, 4000); /* 1250/s */
    cr_assert_eq(zbh_migrate_increment(&fast, 300, 0), 750000);
    zbh_rate odd = zbh_rate_of(0, 1, 3000); /* 1/3 frame/s: 0.333.. x 9000 x 2 = 6000.0.. */
    cr_assert_geq(zbh_migrate_increment(&odd, 9000, 0), 6000, "rounded up, never down");
    zbh_rate huge = zbh_rate_of(0, 4000000000u, 1000);
    cr_assert_eq(zbh_migrate_increment(&huge, 3600, 0), 1u << 31, "saturates");
    cr_assert_eq(zbh_migrate_unseen("znp"), 1000);
    cr_assert_eq(zbh_migrate_unseen("zstack"), 1000, "by alias too");
    cr_assert_eq(zbh_migrate_unseen("ezsp"), 0);
    cr_assert_eq(zbh_migrate_unseen("zboss"), 0);
    zbh_rate back = zbh_rate_of(5000, 4000, 1000);
    cr_assert_eq(back.per_s, 0.0, "a counter that went back is no rate");
}

static ocb_backup *house(void)
{
    ocb_backup *b = calloc(1, sizeof(*b));
    b->devices = calloc(4, sizeof(ocb_device));
    b->n_devices = 4;
    for (size_t i = 0; i < 4; i++) {
        b->devices[i].ieee = 0x1000 + i;
        b->devices[i].is_child = i == 3;
        b->devices[i].has_link_key = i < 2;
    }
    return b;
}

static size_t rejoins(const ocb_backup *b, const zbh_loss *l, bool keep, char *out, size_t cap)
{
    FILE *f = fmemopen(out, cap, "w");
    size_t n = zbh_migrate_rejoins(f, b, l, keep);
    fclose(f);
    return n;
}

Test(migrate, devices_each_loss_touches)
{
    ocb_backup *b = house();
    char out[2048];
    static const zbh_loss none[] = {{NULL, NULL}};
    cr_assert_eq(rejoins(b, none, false, out, sizeof(out)), 0);
    cr_assert_not_null(strstr(out, "none"));
    static const zbh_loss z12[] = {{"devices[].link_key.key", "no keys"}, {NULL, NULL}};
    cr_assert_eq(rejoins(b, z12, false, out, sizeof(out)), 2, "the two devices with a link key");
    cr_assert_not_null(strstr(out, "2 devices: their link key is not kept"));
    static const zbh_loss v8[] = {{"devices[].is_child", "as routers"}, {NULL, NULL}};
    cr_assert_eq(rejoins(b, v8, false, out, sizeof(out)), 1, "the one end device");
    cr_assert_eq(rejoins(b, none, true, out, sizeof(out)), 4, "--keep-ieee: every device");
    static const zbh_loss zb[] = {{"network_key.sequence_number", "seq 0"}, {NULL, NULL}};
    cr_assert_eq(rejoins(b, zb, false, out, sizeof(out)), 0, "sequence 0 is kept by forming at 0");
    b->network_key.sequence_number = 3;
    cr_assert_eq(rejoins(b, zb, false, out, sizeof(out)), 4, "another sequence: every device");
    free(b->devices);
    free(b);
}
