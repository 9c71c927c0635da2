/* cli.h - the zbharness subcommands. Each takes argv starting at the command name and returns
 * the exit code (0 ok, 1 check failed, 2 usage/environment error). */
#ifndef ZB_CLI_H
#define ZB_CLI_H

typedef struct zbh_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *args;
    const char *summary;
} zbh_command;

enum { ZBH_OK = 0, ZBH_FAIL = 1, ZBH_USAGE = 2 };

int zbh_cmd_validate(int argc, char **argv);
int zbh_cmd_diff(int argc, char **argv);
int zbh_cmd_format(int argc, char **argv);
int zbh_cmd_backup(int argc, char **argv);
int zbh_cmd_restore(int argc, char **argv);
int zbh_cmd_roundtrip(int argc, char **argv);
int zbh_cmd_conformance(int argc, char **argv);
int zbh_cmd_junit_merge(int argc, char **argv);
int zbh_cmd_info(int argc, char **argv);

#endif
