/* cmd_files.c - the subcommands that work on backup files only: validate, diff, format.
 * They need no device, so CI of any backup implementation can use them on its own output.
 * Every FILE may be "-" (standard input). A file that cannot be read at all is an environment
 * error (exit 2) in every command; a file that is read but is not a valid backup is a failed
 * check (exit 1). */
#include "cli.h"
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

int zbh_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"for", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, quiet = 0, c;
    char for_stack[32] = ""; /* --for STACK[:PROFILE] (precheck.h) */
    const char *for_profile = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "jqh", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'F':
            if (zbh_precheck_parse_for(optarg, for_stack, sizeof(for_stack), &for_profile) < 0)
                return ZBH_USAGE;
            break;
        case 'h':
            printf("usage: zbharness validate [--json] [--quiet] FILE...\n\n"
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
                   "it (it never drops an entry). FILE '-' is standard\n"
                   "input. Exit 0 when every file is valid (warnings allowed), 1 when any has\n"
                   "an error, 2 on usage errors or a file that cannot be read.\n");
            printf("--for STACK[:PROFILE] also reports what a restore onto STACK checks before\n"
                   "writing: values the stack refuses or changes, and its table capacities.\n");
            return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "zbharness validate: no FILE given (try --help)\n");
        return ZBH_USAGE;
    }
    int rc = ZBH_OK;
    cJSON *all = json ? cJSON_CreateArray() : NULL;
    for (int i = optind; i < argc; i++) {
        ocb_report r;
        ocb_report_init(&r);
        ocb_backup *b = ocb_load(argv[i], 0, &r);
        if (b) note_entries(b, &r);
        if (b && for_stack[0] && zbh_precheck(b, for_stack, for_profile, &r)) {
            ocb_free(b);
            b = NULL;
        }
        if (r.unreadable)
            rc = ZBH_USAGE;
        else if (!b && rc == ZBH_OK)
            rc = ZBH_FAIL;
        if (json) {
            cJSON_AddItemToArray(all, issues_json(argv[i], &r, b != NULL));
        } else {
            for (size_t k = 0; k < r.n_issues; k++)
                print_issue(stdout, "", argv[i], &r.issues[k]);
            if (b && !quiet)
                printf("%s: valid (%zu devices, %zu warnings)\n", argv[i], b->n_devices,
                       r.n_warnings);
        }
        ocb_free(b);
        ocb_report_free(&r);
    }
    if (json) {
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

int zbh_cmd_diff(int argc, char **argv)
{
    static const struct option opts[] = {{"max-increment", required_argument, NULL, 'm'},
                                         {"ignore", required_argument, NULL, 'i'},
                                         {"exact", no_argument, NULL, 'e'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"show-keys", no_argument, NULL, 'k'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    side_losses sides[2] = {{NULL, NULL}, {NULL, NULL}};
    ocb_rule rules[64];
    size_t n_rules = 0;
    int exact = 0, json = 0, c;
    long max_inc = (long)OCB_RULES_ROUNDTRIP.max_increment;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:i:ejkh", opts, NULL)) != -1) {
        switch (c) {
        case 'm': {
            char *end;
            errno = 0;
            max_inc = strtol(optarg, &end, 0);
            if (errno || *end || max_inc < 0 || max_inc > 4294967295L) {
                fprintf(stderr, "zbharness diff: --max-increment: '%s' is not 0..4294967295\n",
                        optarg);
                return ZBH_USAGE;
            }
            break;
        }
        case 'i':
            if (n_rules == sizeof(rules) / sizeof(rules[0])) {
                fprintf(stderr, "zbharness diff: too many --ignore options\n");
                return ZBH_USAGE;
            }
            rules[n_rules++] = (ocb_rule){optarg, OCB_CMP_IGNORE};
            break;
        case 'e': exact = 1; break;
        case 'j': json = 1; break;
        case 'k': zb_log_set_show_keys(1); break;
        case 'F':
        case 'T': {
            side_losses *sd = &sides[c == 'T'];
            sd->stack = optarg;
            if (!(sd->losses = zbh_declared_losses(optarg))) {
                fprintf(stderr,
                        "zbharness diff: --%s %s: unknown stack (known: %s, or a roundtrip "
                        "target such as znp-zstack12, ezsp-v13)\n",
                        c == 'T' ? "to" : "from", optarg, zbh_driver_names());
                return ZBH_USAGE;
            }
            break;
        }
        case 'h':
            printf("usage: zbharness diff [OPTIONS] ORIGINAL RESTORED\n\n"
                   "Compares two backups field by field, devices matched by IEEE. By default a\n"
                   "restore round trip is assumed: frame counters in RESTORED must be >= the\n"
                   "ORIGINAL's and at most --max-increment higher; everything else equal.\n\n"
                   "  --max-increment N  largest allowed counter increase (default %u, 0 = any)\n"
                   "  --ignore FIELD     do not compare FIELD (repeatable)\n"
                   "  --exact            counters must be equal too\n"
                   "  --json             machine-readable output\n"
                   "  --show-keys        print key values in differences (default: redacted)\n"
                   "  --to STACK         RESTORED was read back from STACK (znp, ezsp, zboss or\n"
                   "                     a roundtrip target such as znp-zstack12): differences\n"
                   "                     in fields STACK cannot store are losses, reported with\n"
                   "                     their reason, as restore does; --from STACK likewise\n"
                   "                     for the stack ORIGINAL came from\n\n"
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
            return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "zbharness diff: expected two files (try --help)\n");
        return ZBH_USAGE;
    }
    if (!exact)
        for (size_t i = 0; i < OCB_RULES_ROUNDTRIP.n_rules && n_rules < 64; i++) {
            /* an explicit --ignore wins over the counter default */
            int overridden = 0;
            for (size_t k = 0; k < n_rules; k++)
                if (strcmp(rules[k].field, OCB_RULES_ROUNDTRIP.rules[i].field) == 0) overridden = 1;
            if (!overridden) rules[n_rules++] = OCB_RULES_ROUNDTRIP.rules[i];
        }
    for (size_t i = 0; i < n_rules; i++) {
        int known = 0;
        for (const char *const *f = ocb_diff_fields(); *f; f++)
            if (strcmp(*f, rules[i].field) == 0) known = 1;
        if (!known) {
            fprintf(stderr, "zbharness diff: --ignore: unknown field '%s' (see --help)\n",
                    rules[i].field);
            return ZBH_USAGE;
        }
    }
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        fprintf(stderr, "zbharness diff: only one of the two files can be '-' (standard input)\n");
        return ZBH_USAGE;
    }
    int rc = ZBH_OK;
    ocb_backup *a = load_or_report("diff", argv[optind], OCB_PARSE_LENIENT, &rc);
    ocb_backup *b = load_or_report("diff", argv[optind + 1], OCB_PARSE_LENIENT, &rc);
    if (!a || !b) {
        ocb_free(a);
        ocb_free(b);
        return rc;
    }
    ocb_diff_rules dr = {rules, n_rules, (uint32_t)max_inc};
    ocb_diff_result res;
    int n = ocb_diff(a, b, &dr, &res);
    if (n < 0) fprintf(stderr, "zbharness diff: out of memory\n");
    /* differences in fields a --from/--to stack cannot store are losses, not differences */
    const zbh_loss **loss = n > 0 ? calloc(res.n, sizeof(*loss)) : NULL;
    const char **loss_stack = n > 0 ? calloc(res.n, sizeof(*loss_stack)) : NULL;
    bool *reversed = n > 0 ? calloc(res.n, sizeof(*reversed)) : NULL;
    size_t real = n > 0 ? res.n : 0, n_lost = 0, n_reversed = 0;
    if (n > 0 && (!loss || !loss_stack || !reversed)) {
        fprintf(stderr, "zbharness diff: out of memory\n");
        n = -1;
    }
    for (size_t i = 0; n > 0 && i < res.n; i++) {
        char field[128];
        field_of(res.items[i].path, field, sizeof(field));
        if ((loss[i] = loss_of(sides, field, &loss_stack[i]))) {
            real--;
            n_lost++;
        } else if ((reversed[i] = herdsman_byte_order(res.items[i].path, a, b))) {
            real--;
            n_reversed++;
        } else if ((sides[0].stack || sides[1].stack) &&
                   strncmp(field, "stack_specific.", 15) == 0 &&
                   strcmp(res.items[i].a, "(absent)") == 0) {
            real--; /* the target's own seed or hashed TCLK: new information, as in restore */
        }
    }
    rc = n < 0 ? ZBH_USAGE : real == 0 ? ZBH_OK : ZBH_FAIL;
    /* "equal apart from what ezsp cannot store: f1, f2" (each lost field once) */
    char *apart = NULL;
    if (n > 0 && n_lost) {
        size_t cap = 64;
        for (size_t i = 0; i < res.n; i++)
            cap += loss[i] ? strlen(loss[i]->field) + strlen(loss_stack[i]) + 8 : 0;
        apart = calloc(1, cap);
        for (size_t i = 0; apart && i < res.n; i++) {
            if (!loss[i]) continue;
            int seen = 0;
            for (size_t k = 0; k < i; k++)
                if (loss[k] && strcmp(loss[k]->field, loss[i]->field) == 0) seen = 1;
            if (seen) continue;
            size_t o = strlen(apart);
            snprintf(apart + o, cap - o, "%s%s", o ? ", " : "", loss[i]->field);
        }
    }
    const char *who = sides[1].stack && sides[0].stack ? "the two stacks"
                      : sides[1].stack                 ? sides[1].stack
                                                       : sides[0].stack;
    if (json && n >= 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "equal", real == 0);
        cJSON *arr = cJSON_AddArrayToObject(o, "differences");
        cJSON *lost = cJSON_AddArrayToObject(o, "losses");
        cJSON *order = cJSON_AddArrayToObject(o, "byte_order");
        for (size_t i = 0; i < res.n; i++) {
            if (reversed[i]) {
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "path", res.items[i].path);
                cJSON_AddStringToObject(d, "original", res.items[i].a);
                cJSON_AddStringToObject(d, "restored", res.items[i].b);
                cJSON_AddStringToObject(d, "why", BYTE_ORDER_WHY);
                cJSON_AddItemToArray(order, d);
                continue;
            }
            if (loss[i]) {
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "path", res.items[i].path);
                cJSON_AddStringToObject(d, "original", res.items[i].a);
                cJSON_AddStringToObject(d, "restored", res.items[i].b);
                cJSON_AddStringToObject(d, "stack", loss_stack[i]);
                cJSON_AddStringToObject(d, "why", loss[i]->why);
                cJSON_AddItemToArray(lost, d);
                continue;
            }
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "path", res.items[i].path);
            cJSON_AddStringToObject(d, "original", res.items[i].a);
            cJSON_AddStringToObject(d, "restored", res.items[i].b);
            cJSON_AddStringToObject(d, "why", res.items[i].why);
            cJSON_AddItemToArray(arr, d);
        }
        char *s = cJSON_Print(o);
        if (s) puts(s);
        free(s);
        cJSON_Delete(o);
    } else if (n >= 0) {
        for (size_t i = 0; i < res.n; i++)
            if (reversed[i])
                printf("%s: %s -> %s (%s)\n", res.items[i].path, res.items[i].a, res.items[i].b,
                       BYTE_ORDER_WHY);
            else if (loss[i])
                printf("%s: %s -> %s (not stored by %s: %s)\n", res.items[i].path, res.items[i].a,
                       res.items[i].b, loss_stack[i], loss[i]->why);
            else
                printf("%s: %s -> %s (%s)\n", res.items[i].path, res.items[i].a, res.items[i].b,
                       res.items[i].why);
        if (real)
            printf("different\n");
        else if (n_lost)
            printf("equal apart from what %s cannot store: %s%s\n", who, apart ? apart : "?",
                   n_reversed ? "; and zigbee-herdsman's byte order" : "");
        else if (n_reversed)
            printf("equal apart from zigbee-herdsman's byte order\n");
        else
            printf("equal\n");
    }
    free(apart);
    free(reversed);
    free(loss);
    free(loss_stack);
    ocb_diff_result_free(&res);
    ocb_free(a);
    ocb_free(b);
    return rc;
}

int zbh_cmd_format(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"from-zigpy", no_argument, NULL, 'z'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    unsigned flags = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'z': flags |= OCB_PARSE_FROM_ZIGPY; break;
        case 'h':
            printf(
                "usage: zbharness format [--from-zigpy] FILE [-o OUT]\n\n"
                "Validates FILE and prints it as canonical JSON (fixed key order, lowercase\n"
                "hex, devices sorted by IEEE). With -o, writes OUT (a file atomically, mode 0600;\n"
                "a pipe, terminal or /dev/stdout in place).\n"
                "This repairs what validate warns about as a herdsman quirk: unpadded pan_id\n"
                "and nwk_address are written as 4 hex digits. FILE '-' is standard input.\n\n"
                "  --from-zigpy  FILE is zigpy's own network state (the network_info and\n"
                "                node_info JSON of zigpy's backup manager, as ZHA keeps it):\n"
                "                convert it to an open coordinator backup, mapped as zigpy's\n"
                "                own converter does\n");
            return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "zbharness format: expected one FILE (try --help)\n");
        return ZBH_USAGE;
    }
    int rc = ZBH_OK;
    ocb_backup *b = load_or_report("format", argv[optind], flags, &rc);
    if (!b) return rc;
    if (!out) out = "/dev/stdout"; /* in place: a full disk or a closed pipe is an error */
    if (ocb_write_file(b, out) < 0) {
        char why[160];
        fprintf(stderr, "zbharness format: %s: %s\n", out,
                file_write_error(out, errno, 0, why, sizeof(why)));
        rc = ZBH_USAGE;
    }
    ocb_free(b);
    return rc;
}
