/*
 * cmd_call.h — the pieces of `reflow call` shared by its two files:
 * cmd_call_opts.c turns the command line into a call_opts and then into a
 * plugin manifest (flags merged over a JSON manifest, CLI wins);
 * cmd_call.c creates the plugin, runs the calls and reports.
 *
 * Invariant: every pointer in call_opts points into argv (nothing to free
 * but the arrays themselves, released by call_opts_free).
 */
#ifndef RF_CMD_CALL_H
#define RF_CMD_CALL_H

#include "cli.h"
#include "reflow/plugin.h"

typedef struct call_opts {
    const char *plugin;          /* PLUGIN: a .wasm file or a JSON manifest */
    const char *func;            /* FUNC: the export to call */
    const char *input;           /* --input, or NULL */
    const char *input_file;      /* --input-file ("-" = stdin), or NULL */
    bool wasi;
    bool stats;
    bool http_headers;           /* --enable-http-response-headers */
    const char **config;         /* --config K=V / K, in order */
    size_t nconfig;
    const char **hosts;          /* --allow-host */
    size_t nhosts;
    const char **paths;          /* --allow-path [ro:]HOST[:GUEST] */
    size_t npaths;
    const char **links;          /* --link [NAME=]PATH */
    size_t nlinks;
    uint64_t limit_mb;           /* --memory-limit-mb */
    uint64_t ceiling_mb;         /* --memory-ceiling-mb */
    bool has_max_pages;          /* --memory-max */
    uint64_t max_pages;
    bool has_timeout;            /* --timeout (0 = none, overriding a manifest) */
    uint64_t timeout_ms;
    bool has_var_max;            /* --var-max */
    uint64_t var_max;
    bool has_http_max;           /* --http-response-max */
    uint64_t http_max;
    rf_log_level log_level;      /* --log-level, default error */
    uint64_t loop;               /* --loop, default 1 */
} call_opts;

/* Parse argv (argv[0] = "call"). Returns CLI_CONTINUE with *o filled, or an
 * exit code to return at once (help printed, or a usage error reported).
 * Call call_opts_free afterwards in every case. */
int call_parse_args(const cli_command *cmd, int argc, char **argv, call_opts *o);
void call_opts_free(call_opts *o);

/* Read PLUGIN (wasm bytes or a JSON manifest) and merge the flags into it.
 * NULL after printing "reflow: PLUGIN: <why>" on stderr. */
rf_manifest *call_build_manifest(const call_opts *o);

#endif /* RF_CMD_CALL_H */
