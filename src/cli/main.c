/*
 * main.c — entry point of the `reflow` command: global options (--help,
 * --version), `reflow help <command>`, and dispatch to one file per command
 * (cmd_*.c). Adding a command means adding its cli_command to `commands`.
 */
#include "cli.h"

#include <string.h>

#ifndef RF_VERSION
#define RF_VERSION "unknown"
#endif

static const cli_command *const commands[] = {
    &cli_cmd_validate,
    &cli_cmd_inspect,
    &cli_cmd_exec,
    &cli_cmd_call,
};
#define NUM_COMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *f)
{
    fputs("usage: reflow <command> [arguments]\n"
          "       reflow help <command>\n"
          "       reflow --help | --version\n"
          "\n"
          "commands:\n", f);
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static int help_command(int argc, char **argv)
{
    if (argc == 2) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *cmd = argc == 3 ? find_command(argv[2]) : NULL;
    if (!cmd) {
        if (argc == 3)
            fprintf(stderr, "reflow: unknown command '%s'\n\n", argv[2]);
        else
            fputs("reflow: help takes at most one command name\n\n", stderr);
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    fputs(cmd->help, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "--version") == 0) {
        printf("reflow %s\n", RF_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "help") == 0)
        return help_command(argc, argv);
    if (first[0] == '-') {
        fprintf(stderr, "reflow: unknown option '%s'\n\n", first);
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const cli_command *cmd = find_command(first);
    if (!cmd) {
        fprintf(stderr, "reflow: unknown command '%s'\n\n", first);
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return cmd->run(cmd, argc - 1, argv + 1);
}
