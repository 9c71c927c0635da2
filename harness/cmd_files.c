/* cmd_files.c - the subcommands that work on backup files only: validate, diff, format.
 * They need no device, so CI of any backup implementation can use them on its own output. */
#include "cli.h"
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

static void print_issue(const char *file, const ocb_issue *is)
{
    const char *sev = is->severity == OCB_ERROR ? "error" : "warning";
    if (is->path[0])
        printf("%s: %s: %s: %s\n", file, sev, is->path, is->message);
    else
        printf("%s: %s: %s\n", file, sev, is->message);
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
                   "Known quirks of real implementations are warnings. Exit 0 when every file\n"
                   "is valid (warnings allowed), 1 when any has an error, 2 on usage errors.\n");
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
        ocb_backup *b = ocb_parse_file(argv[i], &r);
        if (b && for_stack[0] && zbh_precheck(b, for_stack, for_profile, &r)) {
            ocb_free(b);
            b = NULL;
        }
        if (!b) rc = ZBH_FAIL;
        if (json) {
            cJSON_AddItemToArray(all, issues_json(argv[i], &r, b != NULL));
        } else {
            for (size_t k = 0; k < r.n_issues; k++)
                print_issue(argv[i], &r.issues[k]);
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

static ocb_backup *load_or_report(const char *cmd, const char *path)
{
    ocb_report r;
    ocb_report_init(&r);
    ocb_backup *b = ocb_parse_file(path, &r);
    for (size_t k = 0; k < r.n_issues; k++)
        if (r.issues[k].severity == OCB_ERROR)
            fprintf(stderr, "zbharness %s: %s: %s%s%s\n", cmd, path, r.issues[k].path,
                    r.issues[k].path[0] ? ": " : "", r.issues[k].message);
    ocb_report_free(&r);
    return b;
}

int zbh_cmd_diff(int argc, char **argv)
{
    static const struct option opts[] = {{"max-increment", required_argument, NULL, 'm'},
                                         {"ignore", required_argument, NULL, 'i'},
                                         {"exact", no_argument, NULL, 'e'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"show-keys", no_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
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
        case 'h':
            printf("usage: zbharness diff [OPTIONS] ORIGINAL RESTORED\n\n"
                   "Compares two backups field by field, devices matched by IEEE. By default a\n"
                   "restore round trip is assumed: frame counters in RESTORED must be >= the\n"
                   "ORIGINAL's and at most --max-increment higher; everything else equal.\n\n"
                   "  --max-increment N  largest allowed counter increase (default %u, 0 = any)\n"
                   "  --ignore FIELD     do not compare FIELD (repeatable)\n"
                   "  --exact            counters must be equal too\n"
                   "  --json             machine-readable output\n"
                   "  --show-keys        print key values in differences (default: redacted)\n\n"
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
    ocb_backup *a = load_or_report("diff", argv[optind]);
    ocb_backup *b = load_or_report("diff", argv[optind + 1]);
    if (!a || !b) {
        ocb_free(a);
        ocb_free(b);
        return ZBH_USAGE;
    }
    ocb_diff_rules dr = {rules, n_rules, (uint32_t)max_inc};
    ocb_diff_result res;
    int n = ocb_diff(a, b, &dr, &res);
    int rc = n == 0 ? ZBH_OK : n > 0 ? ZBH_FAIL : ZBH_USAGE;
    if (n < 0) fprintf(stderr, "zbharness diff: out of memory\n");
    if (json && n >= 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "equal", n == 0);
        cJSON *arr = cJSON_AddArrayToObject(o, "differences");
        for (size_t i = 0; i < res.n; i++) {
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
            printf("%s: %s -> %s (%s)\n", res.items[i].path, res.items[i].a, res.items[i].b,
                   res.items[i].why);
        printf("%s\n", n == 0 ? "equal" : "different");
    }
    ocb_diff_result_free(&res);
    ocb_free(a);
    ocb_free(b);
    return rc;
}

int zbh_cmd_format(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h':
            printf("usage: zbharness format FILE [-o OUT]\n\n"
                   "Validates FILE and prints it as canonical JSON (fixed key order, lowercase\n"
                   "hex, devices sorted by IEEE). With -o, writes OUT atomically, mode 0600.\n");
            return ZBH_OK;
        default: return ZBH_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "zbharness format: expected one FILE (try --help)\n");
        return ZBH_USAGE;
    }
    ocb_backup *b = load_or_report("format", argv[optind]);
    if (!b) return ZBH_FAIL;
    int rc = ZBH_OK;
    if (out) {
        if (ocb_write_file(b, out) < 0) {
            fprintf(stderr, "zbharness format: %s: %s\n", out, strerror(errno));
            rc = ZBH_USAGE;
        }
    } else {
        char *s = ocb_emit(b);
        if (s) fputs(s, stdout);
        rc = s ? ZBH_OK : ZBH_USAGE;
        free(s);
    }
    ocb_free(b);
    return rc;
}
