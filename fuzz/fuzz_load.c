/*
 * fuzz_load.c — libFuzzer target for the module loader: any byte string
 * given to rf_module_load must either load (and then free cleanly) or fail
 * with a kind and a non-empty message. Crashes, leaks, undefined behaviour
 * and hangs are the bugs this looks for. Loading includes compilation, so
 * the decoder, the validator and the translator are all exercised.
 *
 * Built by `make fuzz` (clang, -fsanitize=fuzzer); fuzz/replay_main.c runs
 * the same function over files in ordinary builds.
 */
#include "reflow/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks the public description of a loaded module so the fuzzer also checks
 * that everything the loader accepted can be described without faults. */
static void fuzz_describe(const rf_module *m)
{
    size_t n = rf_module_import_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_import_desc d;
        if (!rf_module_import(m, i, &d))
            abort();
    }
    n = rf_module_export_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_export_desc d;
        if (!rf_module_export(m, i, &d))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rf_error err;
    /* Start from "no error" so a failure that leaves err untouched is caught. */
    memset(&err, 0, sizeof err);
    rf_module *m = rf_module_load(data, size, NULL, &err);
    if (m) {
        fuzz_describe(m);
        rf_module_free(m);
        return 0;
    }
    if (err.kind == RF_OK || err.message[0] == '\0') {
        fprintf(stderr, "fuzz_load: load failed without an error (kind %d, message \"%s\")\n",
                (int)err.kind, err.message);
        abort();
    }
    return 0;
}
