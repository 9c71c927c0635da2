/* test_ocb_wild.c - the rules for backups as real writers leave them (issue 28): what "no OUI"
 * means for a coordinator_ieee (placeholders), which device entries look garbled and what a
 * restore does with each, on the vectors copied or edited from real published backups
 * (vectors/backups/quirks/wild-*, README there), and no false alarm on the valid vectors. */
#include "ocb.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define VEC ZB_SOURCE_DIR "/vectors/backups/"

static ocb_backup *load(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), VEC "%s", rel);
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_load(path, 0, &r);
    ocb_report_free(&r);
    cr_assert_not_null(b, "%s does not load", rel);
    return b;
}

/* coordinator_ieee and extended_pan_id -> is it a placeholder, and a part of why */
static const struct {
    uint64_t ieee, epid;
    bool placeholder;
    const char *why;
} IEEES[] = {
    {0xdddddddddddddddd, 0xdddddddddddddddd, true, "equals extended_pan_id"},
    {0xdddddddddddddddd, 0x1234567890abcdef, true, "all its bytes are equal"},
    {0x0000000000000000, 0x1234567890abcdef, true, "all its bytes are equal"},
    {0xffffffffffffffff, 0x1234567890abcdef, true, "all its bytes are equal"},
    {0x0f0102cdaf992ec2, 0x1234567890abcdef, true, "group (multicast) bit"}, /* wild 01 */
    {0x1fff00d2b81d5dd5, 0x1234567890abcdef, true, "group (multicast) bit"}, /* wild 08 */
    {0x02124b0001020304, 0x1234567890abcdef, true, "locally-administered bit"},
    {0x00124b606e8be8d1, 0x00124b606e8be8d1, false, NULL}, /* wild 03: Z-Stack's EPID */
    {0x00124b1ae1ddbc7c, 0xdddddddddddddddd, false, NULL}, /* wild 02 */
    {0xe0798df73877d448, 0xdddddddddddddddd, false, NULL}, /* wild 04: Silabs */
    {0x00212ebe562e10a1, 0x893bc6e1843e71d9, false, NULL}, /* wild 09: dresden */
    {0x0004744267c6a61a, 0x6734484504015e10, false, NULL}, /* wild 17 */
    {0x000000a1b2c3d4e5, 0x1234567890abcdef, false, NULL}, /* OUI 000000 is assigned */
};

Test(wild, placeholder_ieee_is_exactly_no_oui)
{
    for (size_t i = 0; i < sizeof(IEEES) / sizeof(IEEES[0]); i++) {
        ocb_backup b = {.coordinator_ieee = IEEES[i].ieee, .extended_pan_id = IEEES[i].epid};
        char why[320] = "";
        bool got = ocb_placeholder_ieee(&b, why, sizeof(why));
        cr_expect_eq(got, IEEES[i].placeholder, "%016llx: %d", (unsigned long long)IEEES[i].ieee,
                     got);
        if (IEEES[i].why)
            cr_expect(strstr(why, IEEES[i].why) != NULL, "%016llx: '%s'",
                      (unsigned long long)IEEES[i].ieee, why);
    }
}

Test(wild, placeholder_warning_names_the_field_and_restore)
{
    char path[512];
    snprintf(path, sizeof(path), VEC "quirks/placeholder-ieee-from-wild-02.json");
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_load(path, 0, &r);
    cr_assert_not_null(b, "a placeholder is a warning, not an error");
    cr_assert_eq(r.n_warnings, 1);
    cr_expect_str_eq(r.issues[0].path, "coordinator_ieee");
    cr_expect(strstr(r.issues[0].message, "--keep-ieee") != NULL, "%s", r.issues[0].message);
    ocb_report_free(&r);
    ocb_free(b);
}

Test(wild, herdsman_ember_ieee_is_said_reversed)
{
    ocb_backup *b = load("quirks/wild-13-herdsman-ember-ieee-wireorder.json");
    char why[320];
    cr_assert(ocb_herdsman_wire_order(b));
    cr_assert(ocb_placeholder_ieee(b, why, sizeof(why)));
    cr_expect(strstr(why, "byte-reversed it is 08b95f8a7ebcea09") != NULL, "%s", why);
    ocb_backup *o = load("quirks/wild-12-herdsman-ezsp-before-ember.json");
    cr_expect_eq(ocb_bswap64(o->coordinator_ieee), b->coordinator_ieee, "12 and 13: one stick");
    cr_expect(!ocb_placeholder_ieee(o, why, sizeof(why)), "normal order has its OUI: %s", why);
    ocb_free(o);
    ocb_free(b);
}

/* The garbled edit of wild 05: every note, in order, with its path and fix. */
Test(wild, garbled_entries_are_named_with_their_fix)
{
    static const struct {
        const char *path, *what;
        enum ocb_entry_fix fix;
    } WANT[] = {
        {"devices[1].nwk_address", "two bytes of the device's own OUI 282c02", OCB_ENTRY_NO_NWK},
        {"devices[3].ieee_address", "devices[0]'s 282c02f634628ece shifted right by 1 byte",
         OCB_ENTRY_KEEP},
        {"devices[22].nwk_address", "fffe is not an address", OCB_ENTRY_NO_NWK},
        {"devices[27].nwk_address", "2 entries here have it", OCB_ENTRY_NO_NWK},
    };
    ocb_backup *b = load("quirks/garbled-entries-from-wild-05.json");
    ocb_entry_notes notes;
    cr_assert_eq(ocb_entry_notes_find(b, &notes), 4);
    for (size_t i = 0; i < 4; i++) {
        cr_expect_str_eq(notes.items[i].path, WANT[i].path);
        cr_expect(strstr(notes.items[i].what, WANT[i].what) != NULL, "%s", notes.items[i].what);
        cr_expect_eq(notes.items[i].fix, WANT[i].fix, "%s", WANT[i].path);
    }
    size_t n = b->n_devices;
    ocb_entry_notes_apply(b, &notes);
    cr_expect_eq(b->n_devices, n, "no entry is dropped");
    cr_expect(!b->devices[1].has_nwk && !b->devices[22].has_nwk && !b->devices[27].has_nwk);
    cr_expect(b->devices[3].has_nwk, "a shifted IEEE is written as it is");
    ocb_entry_notes_free(&notes);
    ocb_free(b);
}

Test(wild, shifted_left_and_by_three_bytes)
{
    ocb_backup *b = ocb_new();
    const uint64_t ieee[] = {0x00124b0001020304, 0x4b00010203040599, 0x0000001122334455,
                             0x1122334455667788};
    for (size_t i = 0; i < 4; i++) {
        ocb_device d = {.ieee = ieee[i], .has_nwk = true, .nwk = (uint16_t)(0x1000 + i)};
        cr_assert_eq(ocb_add_device(b, &d), 0);
    }
    ocb_entry_notes notes;
    cr_assert_eq(ocb_entry_notes_find(b, &notes), 2);
    cr_expect_str_eq(notes.items[0].path, "devices[1].ieee_address");
    cr_expect(strstr(notes.items[0].what, "shifted left by 2 bytes") != NULL, "%s",
              notes.items[0].what);
    cr_expect_str_eq(notes.items[1].path, "devices[3].ieee_address");
    cr_expect(strstr(notes.items[1].what, "devices[2]'s") != NULL, "%s", notes.items[1].what);
    cr_expect(strstr(notes.items[1].what, "shifted left by 3 bytes") != NULL, "%s",
              notes.items[1].what);
    ocb_entry_notes_free(&notes);
    ocb_free(b);
}

Test(wild, shared_and_reserved_nwk)
{
    ocb_backup *b = ocb_new();
    const struct {
        uint64_t ieee;
        uint16_t nwk;
    } DEV[] = {{0x00124b0000000001, 0x1234},
               {0x00158d0000000002, 0x1234},
               {0x00158d0000000003, 0x0000},
               {0x00158d0000000004, 0xfffd}};
    for (size_t i = 0; i < 4; i++) {
        ocb_device d = {.ieee = DEV[i].ieee, .has_nwk = true, .nwk = DEV[i].nwk};
        cr_assert_eq(ocb_add_device(b, &d), 0);
    }
    ocb_entry_notes notes;
    cr_assert_eq(ocb_entry_notes_find(b, &notes), 4);
    cr_expect(strstr(notes.items[0].what, "also devices[1]'s") != NULL, "%s", notes.items[0].what);
    cr_expect(strstr(notes.items[1].what, "also devices[0]'s") != NULL, "%s", notes.items[1].what);
    cr_expect(strstr(notes.items[2].what, "coordinator's own address") != NULL);
    cr_expect(strstr(notes.items[3].what, "broadcast or reserved") != NULL);
    ocb_entry_notes_free(&notes);
    ocb_free(b);
}

/* No false alarm: the right backups have no garbled entry and no placeholder IEEE. */
Test(wild, valid_vectors_have_no_garbled_entry)
{
    static const char *const VALID[] = {
        "valid/z2m-sample-1.json",
        "valid/znp-CC2652R-ZStack4.json",
        "valid/znp-CC2538-ZStack3.json",
        "valid/znp-CC2531-ZStack3.json",
        "valid/znp-CC2531-ZStack1.json",
        "valid/base.json",
        "valid/nwk-null-not-child.json",
        "valid/ezsp-hashed-tclk.json",
        "quirks/wild-12-herdsman-ezsp-before-ember.json",
    };
    for (size_t i = 0; i < sizeof(VALID) / sizeof(VALID[0]); i++) {
        ocb_backup *b = load(VALID[i]);
        ocb_entry_notes notes;
        char why[320];
        cr_expect_eq(ocb_entry_notes_find(b, &notes), 0, "%s: %s", VALID[i],
                     notes.n ? notes.items[0].what : "");
        cr_expect(!ocb_placeholder_ieee(b, why, sizeof(why)), "%s: %s", VALID[i], why);
        ocb_entry_notes_free(&notes);
        ocb_free(b);
    }
}
