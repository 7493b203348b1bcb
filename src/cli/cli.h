/*
 * cli.h — shared pieces of the `reflow` command: the command table entry,
 * exit codes, and helpers every command uses (reading files, loading
 * modules, printing names and types).
 *
 * Conventions every command follows:
 *   - results go to stdout, diagnostics to stderr, each prefixed "reflow: ";
 *   - exit 0 on success, 1 when the input is bad or unreadable, 2 on bad usage
 *     (the usage text is then printed on stderr);
 *   - `--help` after a command prints its help on stdout and exits 0.
 */
#ifndef RF_CLI_H
#define RF_CLI_H

#include "reflow/engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* Largest input file the tool reads, so a huge or endless input (a pipe,
 * /dev/zero) cannot exhaust memory. */
#define CLI_MAX_FILE_BYTES (256u * 1024u * 1024u)

typedef struct cli_command {
    const char *name;
    const char *summary;   /* one line for the command list */
    const char *help;      /* full help text, starting with the usage line */
    int (*run)(const struct cli_command *cmd, int argc, char **argv); /* argv[0] = name */
} cli_command;

extern const cli_command cli_cmd_validate;
extern const cli_command cli_cmd_inspect;
extern const cli_command cli_cmd_exec;
extern const cli_command cli_cmd_call;

/* Returned by cli_parse_file_args when the command should go on. */
#define CLI_CONTINUE (-1)

/* A boolean flag a command accepts, such as "--json". */
typedef struct cli_flag {
    const char *name;
    bool *set;
} cli_flag;

/* Parse "[FLAGS] FILE" (flags may also follow FILE; "--" ends flags).
 * Returns CLI_CONTINUE with *file set, or an exit code the command returns
 * at once: CLI_EXIT_OK after printing help for --help/-h, CLI_EXIT_USAGE
 * after reporting a missing/extra FILE or an unknown flag. */
int cli_parse_file_args(const cli_command *cmd, int argc, char **argv, const cli_flag *flags,
                        size_t nflags, const char **file);

/* Print "reflow: <message>" and the command's help on stderr; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse the value `v` of option `opt` as a strict decimal in [min, max]
 * (digits only, no sign, no overflow). CLI_CONTINUE, or a usage error
 * "<cmd>: <opt> needs a whole number from MIN to MAX, got 'V'". */
int cli_number_option(const cli_command *cmd, const char *opt, const char *v, uint64_t min,
                      uint64_t max, uint64_t *out);

/* Read a whole file (at most CLI_MAX_FILE_BYTES). On failure prints a
 * message naming the file and returns false. *data is never NULL on success,
 * even for an empty file; the caller frees it. */
bool cli_read_file(const char *path, uint8_t **data, size_t *len);

/* Read and load a module; on failure print "reflow: FILE: <error>" and return
 * NULL. */
rf_module *cli_load_module(const char *path, bool validate_only);

/* Print a name from a module with control characters, quotes and
 * backslashes escaped as \xNN; an empty name prints as "". */
void cli_print_name(FILE *f, const char *s, size_t len);
/* "(i32, i32) -> (i64)" */
void cli_print_signature(FILE *f, const rf_signature *sig);
/* "func", "table", "memory" or "global". */
const char *cli_extern_kind_name(rf_extern_kind k);
/* Bytes of `pages` 64 KiB pages, saturating at UINT64_MAX. */
uint64_t cli_pages_to_bytes(uint64_t pages);

/* Print the --json form of `reflow inspect` (cmd_inspect_json.c); returns
 * an exit code (CLI_EXIT_FAIL, with a message, when memory runs out). */
int cli_inspect_json(FILE *f, const rf_module *m, const char *file);

#endif /* RF_CLI_H */
