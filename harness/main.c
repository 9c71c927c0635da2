/* main.c - zbharness: the host side of backup, restore and conformance runs.
 *
 * One table of subcommands; each returns the process exit code: 0 success, 1 the checked
 * thing failed (invalid backup, backups differ, device refused), 2 usage or environment
 * error. CI jobs depend on that distinction. */
#include "cli.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

static const zbh_command COMMANDS[] = {
    {"validate", zbh_cmd_validate, "FILE...", "check backups strictly (schema and semantics)"},
    {"diff", zbh_cmd_diff, "A B", "compare two backups as a restore round trip would"},
    {"format", zbh_cmd_format, "FILE [-o OUT]", "print a backup as canonical JSON"},
    {"info", zbh_cmd_info, "--port P [--stack S|auto]", "read-only summary of a coordinator"},
    {"backup", zbh_cmd_backup, "--stack S --port P [-o FILE]", "back up a coordinator"},
    {"restore", zbh_cmd_restore, "--stack S --port P --backup FILE", "restore a coordinator"},
    {"migrate", zbh_cmd_migrate, "--from S:P --to S:P [--z2m DIR|--zha]",
     "move a network to another stick: plan, move, hand-off, watch"},
    {"watch", zbh_cmd_watch, "--stack S --port P [--backup FILE]",
     "list which devices the coordinator hears (read only)"},
    {"roundtrip", zbh_cmd_roundtrip, "--from S:P --to S:P | --emulate",
     "migrate a network and compare (the matrix with --emulate)"},
    {"conformance", zbh_cmd_conformance, "--stack S --port P | --emulate",
     "run the conformance cases against a coordinator"},
    {"replay", zbh_cmd_replay, "TRACE... [--expect FILE]",
     "play real sticks' traces against emulators, answer by answer"},
    {"tap", zbh_cmd_tap, "--stack S --port P --link PATH [-o F]",
     "pass a host's session through to a stick and record it as a trace"},
    {"capture", zbh_cmd_capture, "--stack S --port P [-o F] [--profile F]",
     "probe a stick read-only; record the trace and an emulator profile"},
    {"junit-merge", zbh_cmd_junit_merge, "-o OUT FILE...",
     "merge the JUnit reports of a sharded run into one"},
    {"help", cmd_help, "[COMMAND]", "show help for a command"},
};
#define N_COMMANDS (sizeof(COMMANDS) / sizeof(COMMANDS[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: zbharness COMMAND [OPTIONS]\n\n"
               "Back up, restore and check Zigbee coordinators (Z-Stack ZNP, EmberZNet EZSP,\n"
               "ZBOSS) in the open coordinator backup format.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %-36s %s\n", COMMANDS[i].name, COMMANDS[i].args, COMMANDS[i].summary);
    fprintf(f, "\n'zbharness COMMAND --help' for a command's options. Exit codes: 0 success,\n"
               "1 check failed, 2 usage or environment error.\n");
}

static const zbh_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) return &COMMANDS[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return 0;
    }
    const zbh_command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "zbharness: unknown command '%s'\n", argv[1]);
        return 2;
    }
    char *args[] = {argv[1], "--help", NULL};
    return c->fn(2, args);
}

int main(int argc, char **argv)
{
    zb_log_set_prefix("zbharness");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("zbharness %s\n", ZB_VERSION);
        return 0;
    }
    const zbh_command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "zbharness: unknown command '%s' (try --help)\n", argv[1]);
        return 2;
    }
    return c->fn(argc - 1, argv + 1);
}
