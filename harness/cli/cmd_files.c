/* cmd_files.c - the subcommands that work on backup files only: validate, diff, format.
 * They need no device, so CI of any backup implementation can use them on its own output.
 * Every FILE may be "-" (standard input). A file that cannot be read at all is an environment
 * error (exit 2) in every command; a file that is read but is not a valid backup is a failed
 * check (exit 1). Each command's options are one table (cli_opts.h) that is parsed and is its
 * --help. */
#include "cli.h"
#include "cli_opts.h"
#include "driver.h"
#include "fileio.h"
#include "log.h"
#include "ocb.h"
#include "precheck.h"

#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File names are printed escaped like everything else that could hold control characters. */
static void print_issue(FILE *to, const char *prefix, const char *file, const ocb_issue *is)
{
    const char *sev = is->severity == OCB_ERROR ? "error" : "warning";
    char *f = zb_escape_dup(file);
    fprintf(to, "%s%s: %s: %s%s%s\n", prefix, f ? f : "?", sev, is->path, is->path[0] ? ": " : "",
            is->message);
    free(f);
}

static cJSON *issues_json(const char *file, const ocb_report *r, int valid)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", file);
    cJSON_AddBoolToObject(o, "valid", valid);
    cJSON *arr = cJSON_AddArrayToObject(o, "issues");
    for (size_t i = 0; i < r->n_issues; i++) {
        cJSON *is = cJSON_CreateObject();
        cJSON_AddStringToObject(is, "severity",
                                r->issues[i].severity == OCB_ERROR ? "error" : "warning");
        cJSON_AddStringToObject(is, "path", r->issues[i].path);
        cJSON_AddStringToObject(is, "message", r->issues[i].message);
        cJSON_AddItemToArray(arr, is);
    }
    return o;
}

/* Each garbled device entry (ocb_entries.c) as a warning naming its JSON path and what restore
 * does with it; then the fixes are applied, so that --for checks what restore would write. */
static void note_entries(ocb_backup *b, ocb_report *r)
{
    ocb_entry_notes notes;
    if (ocb_entry_notes_find(b, &notes) < 0) {
        ocb_report_add(r, OCB_ERROR, "devices", "out of memory checking the device entries");
        return;
    }
    for (size_t i = 0; i < notes.n; i++)
        ocb_report_add(r, OCB_WARNING, notes.items[i].path, "%s; restore: %s", notes.items[i].what,
                       ocb_entry_fix_text(notes.items[i].fix));
    ocb_entry_notes_apply(b, &notes);
    ocb_entry_notes_free(&notes);
}

/* ---------------------------------------------------------------- validate */

typedef struct validate_args {
    int json, quiet;
    char for_stack[32]; /* --for STACK[:PROFILE] (precheck.h) */
    const char *for_profile;
} validate_args;

static const zbh_opt VALIDATE_ROWS[] = {
    {"json", 0, 'j', NULL, "the issues as JSON, one object per file", 1,
     ZBH_SET(validate_args, json)},
    {"quiet", 0, 'q', NULL, "no \"valid\" line for a valid file", 1, ZBH_SET(validate_args, quiet)},
    {"for", 1, 'F', "STACK[:PROFILE]",
     "also report what a restore onto STACK checks before\n"
     "writing: values the stack refuses or changes, and its\n"
     "table capacities"},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_VALIDATE_ROWS (sizeof(VALIDATE_ROWS) / sizeof(VALIDATE_ROWS[0]))

static void validate_help(void)
{
    printf("usage: zbharness validate [--json] [--quiet] [--for STACK[:PROFILE]] FILE...\n\n"
           "Checks each backup against the format (types, ranges, hex lengths, required\n"
           "and unknown keys) and its semantics (channel in channel_mask, PAN not ffff,\n"
           "EPID not reserved, unique device IEEEs). Prints one line per problem:\n"
           "  FILE: error|warning: PATH: MESSAGE\n"
           "Known quirks of real implementations are warnings: a coordinator_ieee\n"
           "that is a placeholder (no OUI: eight equal bytes, or a first byte with the\n"
           "group or locally-administered bit), which restore refuses to write without\n"
           "--keep-ieee or --write-placeholder-ieee; device entries a writer garbled\n"
           "(NWK fffe or reserved, two bytes of the device's OUI, shared by two devices;\n"
           "an IEEE that is another entry's shifted), each with what restore does with\n"
           "it (it never drops an entry). FILE '-' is standard input.\n\n");
    zbh_opts_help(stdout, VALIDATE_ROWS, N_VALIDATE_ROWS);
    printf("\nExit 0 when every file is valid (warnings allowed), 1 when any has an error,\n"
           "2 on usage errors or a file that cannot be read.\n");
}

static int validate_option(void *args, int c, const char *arg)
{
    validate_args *a = args;
    if (c == 'F')
        return zbh_precheck_parse_for(arg, a->for_stack, sizeof(a->for_stack), &a->for_profile) < 0
                   ? ZBH_USAGE
                   : ZBH_OK;
    validate_help();
    return -1;
}

/* One FILE: its issues printed (or added to `all` under --json); ZBH_OK, ZBH_FAIL (not
 * valid) or ZBH_USAGE (not readable). */
static int validate_file(const validate_args *a, const char *path, cJSON *all)
{
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_load(path, 0, &r);
    if (b) note_entries(b, &r);
    if (b && a->for_stack[0] && zbh_precheck(b, a->for_stack, a->for_profile, &r)) {
        ocb_free(b);
        b = NULL;
    }
    int rc = r.unreadable ? ZBH_USAGE : !b ? ZBH_FAIL : ZBH_OK;
    if (a->json) {
        cJSON_AddItemToArray(all, issues_json(path, &r, b != NULL));
    } else {
        for (size_t k = 0; k < r.n_issues; k++)
            print_issue(stdout, "", path, &r.issues[k]);
        if (b && !a->quiet)
            printf("%s: valid (%zu devices, %zu warnings)\n", path, b->n_devices, r.n_warnings);
    }
    ocb_free(b);
    ocb_report_free(&r);
    return rc;
}

int zbh_cmd_validate(int argc, char **argv)
{
    validate_args a = {0};
    int rc = zbh_opts_parse(argc, argv, 1, VALIDATE_ROWS, N_VALIDATE_ROWS, &a, validate_option);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    if (optind >= argc) {
        fprintf(stderr, "zbharness validate: no FILE given (try --help)\n");
        return ZBH_USAGE;
    }
    cJSON *all = a.json ? cJSON_CreateArray() : NULL;
    for (int i = optind; i < argc; i++) {
        int one = validate_file(&a, argv[i], all);
        if (one == ZBH_USAGE || (one == ZBH_FAIL && rc == ZBH_OK)) rc = one;
    }
    if (a.json) {
        char *s = cJSON_Print(all);
        if (s) puts(s);
        free(s);
        cJSON_Delete(all);
    }
    return rc;
}

/* Loads a backup for use: errors and warnings on stderr; *rc becomes ZBH_USAGE when the
 * file cannot be read, ZBH_FAIL when it is not a usable backup. */
static ocb_backup *load_or_report(const char *cmd, const char *path, unsigned flags, int *rc)
{
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_load(path, flags, &r);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "zbharness %s: ", cmd);
    for (size_t k = 0; k < r.n_issues; k++)
        print_issue(stderr, prefix, path, &r.issues[k]);
    if (!b && *rc != ZBH_USAGE) *rc = r.unreadable ? ZBH_USAGE : ZBH_FAIL;
    ocb_report_free(&r);
    return b;
}

/* "devices[00124b...].link_key.key" -> "devices[].link_key.key", as the loss tables name it */
static void field_of(const char *path, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 1 < cap; p++) {
        out[o++] = *p;
        if (*p == '[')
            while (p[1] && p[1] != ']')
                p++;
    }
    out[o] = '\0';
}

typedef struct side_losses {
    const char *stack; /* --from or --to STACK, or NULL */
    const zbh_loss *losses;
} side_losses;

static const zbh_loss *loss_of(const side_losses *sides, const char *field, const char **stack)
{
    for (int s = 0; s < 2; s++)
        for (const zbh_loss *l = sides[s].losses; l && l->field; l++)
            if (strcmp(l->field, field) == 0) {
                *stack = sides[s].stack;
                return l;
            }
    return NULL;
}

static const char BYTE_ORDER_WHY[] =
    "the same value byte-reversed: zigbee-herdsman's ember adapter writes it in wire order";

/* The fields zigbee-herdsman's ember adapter writes byte-reversed (ocb_herdsman_wire_order). */
static uint64_t ieee_of(const ocb_backup *b)
{
    return b->coordinator_ieee;
}

static uint64_t epid_of(const ocb_backup *b)
{
    return b->extended_pan_id;
}

static const struct {
    const char *field;
    uint64_t (*value)(const ocb_backup *);
} WIRE_ORDER_FIELDS[] = {{"coordinator_ieee", ieee_of}, {"extended_pan_id", epid_of}};

/* A difference in `path` that is only zigbee-herdsman's byte order: one side may be in wire
 * order (the rule validate warns by) and its value is the other's byte-reversed. */
static bool herdsman_byte_order(const char *path, const ocb_backup *a, const ocb_backup *b)
{
    if (!ocb_herdsman_wire_order(a) && !ocb_herdsman_wire_order(b)) return false;
    for (size_t i = 0; i < sizeof(WIRE_ORDER_FIELDS) / sizeof(WIRE_ORDER_FIELDS[0]); i++)
        if (strcmp(path, WIRE_ORDER_FIELDS[i].field) == 0)
            return WIRE_ORDER_FIELDS[i].value(a) == ocb_bswap64(WIRE_ORDER_FIELDS[i].value(b));
    return false;
}

/* ---------------------------------------------------------------- diff */

typedef struct diff_args {
    side_losses sides[2]; /* --from, --to */
    ocb_rule rules[64];
    size_t n_rules;
    int exact, json;
    long max_inc;
} diff_args;

static const zbh_opt DIFF_ROWS[] = {
    {"max-increment", 1, 'm', "N", "largest allowed counter increase (default below, 0 = any)", 1},
    {"ignore", 1, 'i', "FIELD", "do not compare FIELD (repeatable; the fields are below)", 1},
    {"exact", 0, 'e', NULL, "counters must be equal too", 1, ZBH_SET(diff_args, exact)},
    {"json", 0, 'j', NULL, "machine-readable output", 1, ZBH_SET(diff_args, json)},
    {"show-keys", 0, 'k', NULL, "print key values in differences (default: redacted)", 1},
    {"to", 1, 'T', "STACK",
     "RESTORED was read back from STACK (znp, ezsp, zboss or a\n"
     "roundtrip target such as znp-zstack12): differences in\n"
     "fields STACK cannot store are losses, reported with\n"
     "their reason, as restore does"},
    {"from", 1, 'F', "STACK", "likewise for the stack ORIGINAL came from"},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_DIFF_ROWS (sizeof(DIFF_ROWS) / sizeof(DIFF_ROWS[0]))

static void diff_help(void)
{
    printf("usage: zbharness diff [OPTIONS] ORIGINAL RESTORED\n\n"
           "Compares two backups field by field, devices matched by IEEE. By default a\n"
           "restore round trip is assumed: frame counters in RESTORED must be >= the\n"
           "ORIGINAL's and at most --max-increment higher; everything else equal.\n\n");
    zbh_opts_help(stdout, DIFF_ROWS, N_DIFF_ROWS);
    printf("\n--max-increment is %u unless given.\n"
           "coordinator_ieee or extended_pan_id that differ only by byte order, where\n"
           "either file is from zigbee-herdsman with an ezsp stack (its ember adapter\n"
           "writes them in wire order, as validate warns), are reported as \"equal\n"
           "apart from zigbee-herdsman's byte order\" (exit 0).\n"
           "FILE '-' is standard input (one of the two). metadata.source null (as\n"
           "zigpy-zboss writes it) is read with a warning.\n\n"
           "fields:",
           OCB_RULES_ROUNDTRIP.max_increment);
    for (const char *const *f = ocb_diff_fields(); *f; f++)
        printf(" %s", *f);
    printf("\n\nExit 0 equal under the rules, 1 different, 2 usage or unreadable input.\n");
}

static int diff_option(void *args, int c, const char *arg)
{
    diff_args *a = args;
    char *end;
    switch (c) {
    case 'm':
        errno = 0;
        a->max_inc = strtol(arg, &end, 0);
        if (!errno && !*end && a->max_inc >= 0 && a->max_inc <= 4294967295L) return ZBH_OK;
        fprintf(stderr, "zbharness diff: --max-increment: '%s' is not 0..4294967295\n", arg);
        return ZBH_USAGE;
    case 'i':
        if (a->n_rules == sizeof(a->rules) / sizeof(a->rules[0])) {
            fprintf(stderr, "zbharness diff: too many --ignore options\n");
            return ZBH_USAGE;
        }
        a->rules[a->n_rules++] = (ocb_rule){arg, OCB_CMP_IGNORE};
        return ZBH_OK;
    case 'k': zb_log_set_show_keys(1); return ZBH_OK;
    case 'F':
    case 'T': {
        side_losses *sd = &a->sides[c == 'T'];
        sd->stack = arg;
        if ((sd->losses = zbh_declared_losses(arg))) return ZBH_OK;
        fprintf(stderr,
                "zbharness diff: --%s %s: unknown stack (known: %s, or a roundtrip "
                "target such as znp-zstack12, ezsp-v13)\n",
                c == 'T' ? "to" : "from", arg, zbh_driver_names());
        return ZBH_USAGE;
    }
    default: diff_help(); return -1;
    }
}

/* The round-trip rules under the --ignore ones (unless --exact), then every rule's field
 * checked: ZBH_OK, or ZBH_USAGE after a message. */
static int complete_rules(diff_args *a)
{
    if (!a->exact)
        for (size_t i = 0; i < OCB_RULES_ROUNDTRIP.n_rules && a->n_rules < 64; i++) {
            /* an explicit --ignore wins over the counter default */
            int overridden = 0;
            for (size_t k = 0; k < a->n_rules; k++)
                if (strcmp(a->rules[k].field, OCB_RULES_ROUNDTRIP.rules[i].field) == 0)
                    overridden = 1;
            if (!overridden) a->rules[a->n_rules++] = OCB_RULES_ROUNDTRIP.rules[i];
        }
    for (size_t i = 0; i < a->n_rules; i++) {
        int known = 0;
        for (const char *const *f = ocb_diff_fields(); *f; f++)
            if (strcmp(*f, a->rules[i].field) == 0) known = 1;
        if (!known) {
            fprintf(stderr, "zbharness diff: --ignore: unknown field '%s' (see --help)\n",
                    a->rules[i].field);
            return ZBH_USAGE;
        }
    }
    return ZBH_OK;
}

/* argv -> a: 0, -1 after --help, or the exit code after a message. */
static int diff_parse(int argc, char **argv, diff_args *a)
{
    *a = (diff_args){.max_inc = (long)OCB_RULES_ROUNDTRIP.max_increment};
    int rc = zbh_opts_parse(argc, argv, 1, DIFF_ROWS, N_DIFF_ROWS, a, diff_option);
    if (rc) return rc;
    if (argc - optind != 2) {
        fprintf(stderr, "zbharness diff: expected two files (try --help)\n");
        return ZBH_USAGE;
    }
    if (complete_rules(a) != ZBH_OK) return ZBH_USAGE;
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        fprintf(stderr, "zbharness diff: only one of the two files can be '-' (standard input)\n");
        return ZBH_USAGE;
    }
    return 0;
}

/* The differences, each either a loss (a --from/--to stack cannot store the field),
 * zigbee-herdsman's byte order, or real. */
typedef struct diff_view {
    int n; /* ocb_diff's count; < 0: out of memory (nothing is printed) */
    ocb_diff_result res;
    const zbh_loss **loss;
    const char **loss_stack;
    bool *reversed;
    size_t real, n_lost, n_reversed;
} diff_view;

static void diff_view_free(diff_view *v)
{
    free(v->reversed);
    free(v->loss);
    free(v->loss_stack);
    ocb_diff_result_free(&v->res);
}

/* Compares a and b into v: ZBH_OK equal under the rules, ZBH_FAIL different, ZBH_USAGE out
 * of memory. */
static int diff_classify(const diff_args *d, const ocb_backup *a, const ocb_backup *b, diff_view *v)
{
    ocb_diff_rules dr = {d->rules, d->n_rules, (uint32_t)d->max_inc};
    v->n = ocb_diff(a, b, &dr, &v->res);
    if (v->n < 0) fprintf(stderr, "zbharness diff: out of memory\n");
    size_t m = v->n > 0 ? v->res.n : 0;
    v->loss = m ? calloc(m, sizeof(*v->loss)) : NULL;
    v->loss_stack = m ? calloc(m, sizeof(*v->loss_stack)) : NULL;
    v->reversed = m ? calloc(m, sizeof(*v->reversed)) : NULL;
    v->real = m;
    if (m && (!v->loss || !v->loss_stack || !v->reversed)) {
        fprintf(stderr, "zbharness diff: out of memory\n");
        v->n = -1;
    }
    for (size_t i = 0; v->n > 0 && i < m; i++) {
        char field[128];
        field_of(v->res.items[i].path, field, sizeof(field));
        if ((v->loss[i] = loss_of(d->sides, field, &v->loss_stack[i]))) {
            v->real--;
            v->n_lost++;
        } else if ((v->reversed[i] = herdsman_byte_order(v->res.items[i].path, a, b))) {
            v->real--;
            v->n_reversed++;
        } else if ((d->sides[0].stack || d->sides[1].stack) &&
                   strncmp(field, "stack_specific.", 15) == 0 &&
                   strcmp(v->res.items[i].a, "(absent)") == 0) {
            v->real--; /* the target's own seed or hashed TCLK: new information, as in restore */
        }
    }
    return v->n < 0 ? ZBH_USAGE : v->real == 0 ? ZBH_OK : ZBH_FAIL;
}

/* "f1, f2": each lost field once (NULL out of memory). */
static char *lost_fields(const diff_view *v)
{
    size_t cap = 64;
    for (size_t i = 0; i < v->res.n; i++)
        cap += v->loss[i] ? strlen(v->loss[i]->field) + strlen(v->loss_stack[i]) + 8 : 0;
    char *apart = calloc(1, cap);
    for (size_t i = 0; apart && i < v->res.n; i++) {
        if (!v->loss[i]) continue;
        int seen = 0;
        for (size_t k = 0; k < i; k++)
            if (v->loss[k] && strcmp(v->loss[k]->field, v->loss[i]->field) == 0) seen = 1;
        if (seen) continue;
        size_t o = strlen(apart);
        snprintf(apart + o, cap - o, "%s%s", o ? ", " : "", v->loss[i]->field);
    }
    return apart;
}

static void diff_item_json(cJSON *arr, const ocb_difference *it, const char *stack, const char *why)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "path", it->path);
    cJSON_AddStringToObject(d, "original", it->a);
    cJSON_AddStringToObject(d, "restored", it->b);
    if (stack) cJSON_AddStringToObject(d, "stack", stack);
    cJSON_AddStringToObject(d, "why", why);
    cJSON_AddItemToArray(arr, d);
}

static void diff_print_json(const diff_view *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "equal", v->real == 0);
    cJSON *arr = cJSON_AddArrayToObject(o, "differences");
    cJSON *lost = cJSON_AddArrayToObject(o, "losses");
    cJSON *order = cJSON_AddArrayToObject(o, "byte_order");
    for (size_t i = 0; i < v->res.n; i++) {
        const ocb_difference *it = &v->res.items[i];
        if (v->reversed[i])
            diff_item_json(order, it, NULL, BYTE_ORDER_WHY);
        else if (v->loss[i])
            diff_item_json(lost, it, v->loss_stack[i], v->loss[i]->why);
        else
            diff_item_json(arr, it, NULL, it->why);
    }
    char *s = cJSON_Print(o);
    if (s) puts(s);
    free(s);
    cJSON_Delete(o);
}

static void diff_print_text(const diff_args *d, const diff_view *v)
{
    for (size_t i = 0; i < v->res.n; i++) {
        const ocb_difference *it = &v->res.items[i];
        if (v->reversed[i])
            printf("%s: %s -> %s (%s)\n", it->path, it->a, it->b, BYTE_ORDER_WHY);
        else if (v->loss[i])
            printf("%s: %s -> %s (not stored by %s: %s)\n", it->path, it->a, it->b,
                   v->loss_stack[i], v->loss[i]->why);
        else
            printf("%s: %s -> %s (%s)\n", it->path, it->a, it->b, it->why);
    }
    const char *who = d->sides[1].stack && d->sides[0].stack ? "the two stacks"
                      : d->sides[1].stack                    ? d->sides[1].stack
                                                             : d->sides[0].stack;
    char *apart = v->n_lost ? lost_fields(v) : NULL;
    if (v->real)
        printf("different\n");
    else if (v->n_lost)
        printf("equal apart from what %s cannot store: %s%s\n", who, apart ? apart : "?",
               v->n_reversed ? "; and zigbee-herdsman's byte order" : "");
    else if (v->n_reversed)
        printf("equal apart from zigbee-herdsman's byte order\n");
    else
        printf("equal\n");
    free(apart);
}

int zbh_cmd_diff(int argc, char **argv)
{
    diff_args d;
    int rc = diff_parse(argc, argv, &d);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    ocb_backup *a = load_or_report("diff", argv[optind], OCB_PARSE_LENIENT, &rc);
    ocb_backup *b = load_or_report("diff", argv[optind + 1], OCB_PARSE_LENIENT, &rc);
    if (a && b) {
        diff_view v = {0};
        rc = diff_classify(&d, a, b, &v);
        if (v.n >= 0 && d.json)
            diff_print_json(&v);
        else if (v.n >= 0)
            diff_print_text(&d, &v);
        diff_view_free(&v);
    }
    ocb_free(a);
    ocb_free(b);
    return rc;
}

/* ---------------------------------------------------------------- format */

typedef struct format_args {
    const char *out;
    int from_zigpy;
} format_args;

static const zbh_opt FORMAT_ROWS[] = {
    {"output", 1, 'o', "OUT",
     "write OUT (a file atomically, mode 0600; a pipe, terminal\n"
     "or /dev/stdout in place) instead of standard output",
     1, ZBH_STR(format_args, out)},
    {"from-zigpy", 0, 'z', NULL,
     "FILE is zigpy's own network state (the network_info and\n"
     "node_info JSON of zigpy's backup manager, as ZHA keeps\n"
     "it): convert it to an open coordinator backup, mapped as\n"
     "zigpy's own converter does",
     0, ZBH_SET(format_args, from_zigpy)},
    {"help", 0, 'h', NULL, "this text", 1},
};
#define N_FORMAT_ROWS (sizeof(FORMAT_ROWS) / sizeof(FORMAT_ROWS[0]))

static int format_help(void *args, int c, const char *arg)
{
    (void)args, (void)c, (void)arg; /* the one row without a store: --help */
    printf("usage: zbharness format [--from-zigpy] FILE [-o OUT]\n\n"
           "Validates FILE and prints it as canonical JSON (fixed key order, lowercase\n"
           "hex, devices sorted by IEEE).\n"
           "This repairs what validate warns about as a herdsman quirk: unpadded pan_id\n"
           "and nwk_address are written as 4 hex digits. FILE '-' is standard input.\n\n");
    zbh_opts_help(stdout, FORMAT_ROWS, N_FORMAT_ROWS);
    return -1;
}

int zbh_cmd_format(int argc, char **argv)
{
    format_args a = {0};
    int rc = zbh_opts_parse(argc, argv, 1, FORMAT_ROWS, N_FORMAT_ROWS, &a, format_help);
    if (rc) return rc < 0 ? ZBH_OK : rc;
    if (argc - optind != 1) {
        fprintf(stderr, "zbharness format: expected one FILE (try --help)\n");
        return ZBH_USAGE;
    }
    unsigned flags = a.from_zigpy ? OCB_PARSE_FROM_ZIGPY : 0;
    ocb_backup *b = load_or_report("format", argv[optind], flags, &rc);
    if (!b) return rc;
    /* standard output in place: a full disk or a closed pipe is an error */
    const char *out = a.out ? a.out : "/dev/stdout";
    if (ocb_write_file(b, out) < 0) {
        char why[160];
        fprintf(stderr, "zbharness format: %s: %s\n", out,
                file_write_error(out, errno, 0, why, sizeof(why)));
        rc = ZBH_USAGE;
    }
    ocb_free(b);
    return rc;
}
