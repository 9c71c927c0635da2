/* cli_opts.h - a command's options as one table that drives getopt_long, the short options and
 * --help, so that an option cannot be parsed without being documented, or documented without
 * being parsed. Every zbharness command and zbemu's main use it; it lives in common/ because
 * zbemu does not link the harness library (it needs only getopt and stdio).
 *
 * A row either stores its value itself (ZBH_STR, ZBH_SET, ZBH_COUNT: a field of the command's
 * args struct, named by offsetof) or is handed to the command's own handler (checked numbers,
 * repeatable options, --help); zbh_opts_parse is the one getopt loop of every command. */
#ifndef ZB_CLI_OPTS_H
#define ZB_CLI_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

typedef enum zbh_opt_store {
    ZBH_OPT_CALL = 0, /* the handler given to zbh_opts_parse */
    ZBH_OPT_STR,      /* const char *field = optarg */
    ZBH_OPT_SET,      /* int field = 1 */
    ZBH_OPT_COUNT,    /* int field += 1 (-v -v) */
} zbh_opt_store;

typedef struct zbh_opt {
    const char *name;    /* long name, without "--" */
    int has_arg;         /* no_argument / required_argument */
    int code;            /* getopt's return value (a letter or a private code) */
    const char *arg;     /* the argument's name in --help (NULL without one) */
    const char *help;    /* may hold '\n': continuation lines are indented */
    int letter;          /* 1: `code` is also the short option -code ("-q, --quiet") */
    zbh_opt_store store; /* where the value goes (ZBH_OPT_CALL: the handler) */
    size_t at;           /* with a store: offsetof(the args struct, the field) */
} zbh_opt;

/* The last three fields of a row: short option or not, and where the value is stored. */
#define ZBH_STR(type, field)   ZBH_OPT_STR, offsetof(type, field)
#define ZBH_SET(type, field)   ZBH_OPT_SET, offsetof(type, field)
#define ZBH_COUNT(type, field) ZBH_OPT_COUNT, offsetof(type, field)

/* The most rows a table may have. */
#define ZBH_OPTS_MAX 48

/* The options part of --help, one row per option; a long left column puts the text under it. */
void zbh_opts_help(FILE *f, const zbh_opt *rows, size_t n);

/* A row without a store: 0 to go on, anything else stops the parse and is returned (the
 * commands use -1 for "--help printed: exit 0", or their usage exit code). */
typedef int (*zbh_opt_fn)(void *args, int code, const char *arg);

/* getopt_long over argv from index `first` (optind is reset) with the table: rows with a store
 * fill their field of `args`, the others go to on(args, code, optarg). 0 when every option was
 * taken (optind: the first operand, operands permuted to the end as getopt does); what `on`
 * returned to stop; 2 for an unknown option or a missing argument (getopt said which). */
int zbh_opts_parse(int argc, char **argv, int first, const zbh_opt *rows, size_t n, void *args,
                   zbh_opt_fn on);

#endif
