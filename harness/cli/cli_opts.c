/* cli_opts.c - option tables (cli_opts.h). */
#include "cli_opts.h"

void zbh_opts_longs(const zbh_opt *rows, size_t n, struct option *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (struct option){rows[i].name, rows[i].has_arg, NULL, rows[i].code};
    out[n] = (struct option){NULL, 0, NULL, 0};
}

void zbh_opts_help(FILE *f, const zbh_opt *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char left[40];
        snprintf(left, sizeof(left), "--%s%s%s", rows[i].name, rows[i].arg ? " " : "",
                 rows[i].arg ? rows[i].arg : "");
        fprintf(f, "  %-20s ", left);
        for (const char *p = rows[i].help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n') fprintf(f, "  %-20s ", "");
        }
        fputc('\n', f);
    }
}
