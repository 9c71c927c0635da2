/* test_ocb_known.c - the stack_specific fields the model knows (tclk_seed, hashed_tclk) have one
 * source of truth, their typed fields: parse moves them out of the verbatim tree, keeps every
 * other key untouched and in order, and emit writes them back where they were read, so that a
 * file in canonical form comes out byte for byte as it went in. */
#include "ocb.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A canonical backup whose stack_specific is given (2-space style, as emit writes it). */
static char *doc(const char *stack_specific)
{
    static const char *HEAD = "{\n  \"metadata\": {\n    \"format\": "
                              "\"zigpy/open-coordinator-backup\",\n    \"version\": 1,\n    "
                              "\"source\": \"test@1\"\n  },\n";
    static const char *TAIL =
        "  \"coordinator_ieee\": \"00124b0009d80ba7\",\n  \"pan_id\": \"cd0a\",\n  "
        "\"extended_pan_id\": \"00124b0009d69f77\",\n  \"nwk_update_id\": 0,\n  "
        "\"security_level\": 5,\n  \"channel\": 21,\n  \"channel_mask\": [\n    21\n  ],\n  "
        "\"network_key\": {\n    \"key\": \"1a0355fd7abb5dc588a34998f8ee1233\",\n    "
        "\"sequence_number\": 0,\n    \"frame_counter\": 7\n  },\n  \"devices\": []\n}\n";
    size_t n = strlen(HEAD) + strlen(stack_specific) + strlen(TAIL) + 32;
    char *s = malloc(n);
    cr_assert(s);
    snprintf(s, n, "%s%s%s", HEAD, stack_specific, TAIL);
    return s;
}

static ocb_backup *parse_ok(const char *text)
{
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_parse(text, strlen(text), &r);
    cr_assert(b, "parse failed: %s: %s", r.n_issues ? r.issues[0].path : "",
              r.n_issues ? r.issues[0].message : "");
    ocb_report_free(&r);
    return b;
}

static const char *SEED = "4973f5450493c3cd90552c5f1d388a12";

Test(ocb_known, parse_moves_known_keys_out_of_the_verbatim_tree)
{
    char *text = doc("  \"stack_specific\": {\n    \"zstack\": {\n      \"a\": 1,\n      "
                     "\"tclk_seed\": \"4973F5450493C3CD90552C5F1D388A12\",\n      \"b\": [\n"
                     "        true\n      ]\n    },\n    \"ezsp\": {\n      \"hashed_tclk\": "
                     "\"d6c1e4f5a2b3c4d5e6f708192a3b4c5d\"\n    }\n  },\n");
    ocb_backup *b = parse_ok(text);
    cr_assert(b->has_tclk_seed);
    cr_assert(b->has_hashed_tclk);
    cr_expect_eq(b->tclk_seed[0], 0x49);
    cr_expect_eq(b->hashed_tclk[15], 0x5d);
    const cJSON *zs = cJSON_GetObjectItemCaseSensitive(b->stack_specific, "zstack");
    const cJSON *ez = cJSON_GetObjectItemCaseSensitive(b->stack_specific, "ezsp");
    cr_assert(cJSON_IsObject(zs) && cJSON_IsObject(ez), "the stack objects stay");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(zs, "tclk_seed"), "only the typed field");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(ez, "hashed_tclk"), "only the typed field");
    cr_assert_eq(cJSON_GetArraySize(zs), 2, "the unknown keys stay");
    cr_expect_str_eq(zs->child->string, "a");
    cr_expect_str_eq(zs->child->next->string, "b");
    free(text);
    ocb_free(b);
}

/* The known key first, in the middle, last, alone, next to an unrelated stack object: the
 * canonical text comes back byte for byte, and a typed change shows in its place. */
Test(ocb_known, emit_puts_known_keys_back_in_place)
{
    static const char *CASES[] = {
        "  \"stack_specific\": {\n    \"zstack\": {\n      \"tclk_seed\": \"%s\"\n    }\n  },\n",
        "  \"stack_specific\": {\n    \"x\": 3.50,\n    \"zstack\": {\n      \"a\": null,\n      "
        "\"tclk_seed\": \"%s\",\n      \"b\": \"c\"\n    },\n    \"y\": {}\n  },\n",
        "  \"stack_specific\": {\n    \"zstack\": {\n      \"a\": 1,\n      \"b\": 2,\n      "
        "\"tclk_seed\": \"%s\"\n    }\n  },\n",
        "  \"stack_specific\": {\n    \"zstack\": {\n      \"tclk_seed\": \"%s\",\n      \"z\": "
        "[]\n    },\n    \"zboss\": {\n      \"max_children\": 32\n    }\n  },\n",
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        char ss[512], *text, *out;
        snprintf(ss, sizeof(ss), CASES[i], SEED);
        text = doc(ss);
        ocb_backup *b = parse_ok(text);
        cr_assert(b->has_tclk_seed, "case %zu", i);
        out = ocb_emit(b);
        cr_assert(out);
        cr_expect_str_eq(out, text, "case %zu", i);
        free(out);
        /* the typed field is what is written */
        memset(b->tclk_seed, 0xAB, 16);
        out = ocb_emit(b);
        snprintf(ss, sizeof(ss), CASES[i], "abababababababababababababababab");
        char *want = doc(ss);
        cr_expect_str_eq(out, want, "case %zu after a typed change", i);
        free(want);
        free(out);
        free(text);
        ocb_free(b);
    }
}

/* A backup built in code sets the typed field alone (what the drivers do). */
Test(ocb_known, typed_field_alone_is_written)
{
    char *text = doc("  \"stack_specific\": {\n    \"ezsp\": {\n      \"hashed_tclk\": "
                     "\"d6c1e4f5a2b3c4d5e6f708192a3b4c5d\"\n    }\n  },\n");
    ocb_backup *b = parse_ok(text);
    cJSON_Delete(b->stack_specific);
    b->stack_specific = NULL;
    char *out = ocb_emit(b);
    cr_expect_str_eq(out, text);
    free(out);
    b->has_hashed_tclk = false;
    out = ocb_emit(b);
    char *none = doc("");
    cr_expect_str_eq(out, none, "no typed field, no tree: no stack_specific");
    free(none);
    free(out);
    free(text);
    ocb_free(b);
}

/* A clone keeps where the known fields go. */
Test(ocb_known, clone_keeps_places)
{
    char ss[512];
    snprintf(ss, sizeof(ss),
             "  \"stack_specific\": {\n    \"zstack\": {\n      \"a\": 1,\n      \"tclk_seed\": "
             "\"%s\"\n    }\n  },\n",
             SEED);
    char *text = doc(ss);
    ocb_backup *b = parse_ok(text), *c = ocb_clone(b);
    cr_assert(c);
    char *out = ocb_emit(c);
    cr_expect_str_eq(out, text);
    free(out);
    free(text);
    ocb_free(c);
    ocb_free(b);
}
