/* cli_opts.c - option tables (cli_opts.h): one table per command for getopt_long, the short
 * options, the stores and --help, so that the three cannot drift apart. */
#include "cli_opts.h"

#include <string.h>

#define HELP_LEFT 20 /* the width of the "--name ARG" column */

/* getopt_long's table (n + 1 entries) from the rows */
static void opts_longs(const zbh_opt *rows, size_t n, struct option *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (struct option){rows[i].name, rows[i].has_arg, NULL, rows[i].code};
    out[n] = (struct option){NULL, 0, NULL, 0};
}

/* getopt's short-option string of the rows with `letter` ("s:p:vh") */
static void opts_shorts(const zbh_opt *rows, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        if (!rows[i].letter) continue;
        out[o++] = (char)rows[i].code;
        if (rows[i].has_arg == required_argument) out[o++] = ':';
    }
    out[o] = '\0';
}

void zbh_opts_help(FILE *f, const zbh_opt *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char left[64], letter[8] = "";
        if (rows[i].letter) snprintf(letter, sizeof(letter), "-%c, ", rows[i].code);
        snprintf(left, sizeof(left), "%s--%s%s%s", letter, rows[i].name, rows[i].arg ? " " : "",
                 rows[i].arg ? rows[i].arg : "");
        if (strlen(left) > HELP_LEFT) /* the text starts under the column, not after it */
            fprintf(f, "  %s\n  %-*s ", left, HELP_LEFT, "");
        else
            fprintf(f, "  %-*s ", HELP_LEFT, left);
        for (const char *p = rows[i].help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n') fprintf(f, "  %-*s ", HELP_LEFT, "");
        }
        fputc('\n', f);
    }
}

static int store(const zbh_opt *r, void *args, const char *arg)
{
    char *field = (char *)args + r->at;
    if (r->store == ZBH_OPT_STR)
        memcpy(field, &arg, sizeof(arg));
    else {
        int v;
        memcpy(&v, field, sizeof(v));
        v = r->store == ZBH_OPT_SET ? 1 : v + 1;
        memcpy(field, &v, sizeof(v));
    }
    return 0;
}

int zbh_opts_parse(int argc, char **argv, int first, const zbh_opt *rows, size_t n, void *args,
                   zbh_opt_fn on)
{
    struct option longs[ZBH_OPTS_MAX + 1];
    char shorts[3 * ZBH_OPTS_MAX + 1];
    if (n > ZBH_OPTS_MAX) n = ZBH_OPTS_MAX;
    opts_longs(rows, n, longs);
    opts_shorts(rows, n, shorts, sizeof(shorts));
    optind = first;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const zbh_opt *r = NULL;
        for (size_t i = 0; i < n && !r; i++)
            if (rows[i].code == c) r = &rows[i];
        if (!r) return 2; /* '?': getopt has said what is wrong */
        int rc = r->store != ZBH_OPT_CALL ? store(r, args, optarg) : on ? on(args, c, optarg) : 2;
        if (rc) return rc;
    }
    return 0;
}
