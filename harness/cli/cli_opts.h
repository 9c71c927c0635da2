/* cli_opts.h - a command's options as one table that drives both getopt_long and --help, so
 * that an option cannot be parsed without being documented, or documented without being
 * parsed. Used by the newer commands (watch, migrate). */
#ifndef ZB_CLI_OPTS_H
#define ZB_CLI_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

typedef struct zbh_opt {
    const char *name; /* long name, without "--" */
    int has_arg;      /* no_argument / required_argument */
    int code;         /* getopt's return value (a letter or a private code) */
    const char *arg;  /* the argument's name in --help (NULL without one) */
    const char *help; /* may hold '\n': continuation lines are indented */
} zbh_opt;

/* Fills `out` (n + 1 entries) for getopt_long from the table. */
void zbh_opts_longs(const zbh_opt *rows, size_t n, struct option *out);
/* The options part of --help, one row per option. */
void zbh_opts_help(FILE *f, const zbh_opt *rows, size_t n);

#endif
