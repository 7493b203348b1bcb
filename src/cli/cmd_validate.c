/*
 * cmd_validate.c — `reflow validate FILE.wasm`: decode and validate a module
 * without compiling it. Prints "ok" (exit 0) or the engine's error, which
 * names the kind of problem and where it is (exit 1).
 */
#include "cli.h"

static int run_validate(const cli_command *cmd, int argc, char **argv)
{
    const char *file = NULL;
    int rc = cli_parse_file_args(cmd, argc, argv, NULL, 0, &file);
    if (rc != CLI_CONTINUE)
        return rc;
    rf_module *m = cli_load_module(file, true);
    if (!m)
        return CLI_EXIT_FAIL;
    rf_module_free(m);
    puts("ok");
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_validate = {
    .name = "validate",
    .summary = "check that a .wasm file is a well-formed, valid module",
    .help =
        "usage: reflow validate FILE.wasm\n"
        "\n"
        "Decode and validate FILE.wasm (WebAssembly 2.0 core, without SIMD).\n"
        "Prints \"ok\" and exits 0 when the module is valid. Otherwise prints\n"
        "what is wrong and where (section, function, byte offset) on stderr\n"
        "and exits 1. Bad usage exits 2.\n",
    .run = run_validate,
};
