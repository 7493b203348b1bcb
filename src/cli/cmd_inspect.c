/*
 * cmd_inspect.c — `reflow inspect FILE.wasm [--json]`: describe a module's
 * interface and layout (imports, exports, memories, tables, globals, custom
 * sections, functions, names). This file parses the arguments and prints the
 * text form; cmd_inspect_json.c builds the --json form. Both read the module
 * only through the public API in reflow/engine.h.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static void print_max(FILE *f, const char *label, bool has_max, uint64_t max)
{
    if (has_max)
        fprintf(f, " %s=%" PRIu64, label, max);
    else
        fprintf(f, " %s=none", label);
}

static void print_memory_limits(FILE *f, rf_limits_desc pages)
{
    fprintf(f, "pages min=%" PRIu64, pages.min);
    print_max(f, "max", pages.has_max, pages.max);
    fprintf(f, " (bytes min=%" PRIu64, cli_pages_to_bytes(pages.min));
    print_max(f, "max", pages.has_max, cli_pages_to_bytes(pages.max));
    fputc(')', f);
}

static void print_table_limits(FILE *f, rf_valtype elem, rf_limits_desc limits)
{
    fprintf(f, "%s elements min=%" PRIu64, rf_valtype_name(elem), limits.min);
    print_max(f, "max", limits.has_max, limits.max);
}

static void print_global_type(FILE *f, rf_valtype type, bool mutable_)
{
    fprintf(f, "%s %s", mutable_ ? "mut" : "const", rf_valtype_name(type));
}

static void print_extern_type(FILE *f, const rf_extern_type *t)
{
    fprintf(f, "%s ", cli_extern_kind_name(t->kind));
    switch (t->kind) {
    case RF_EXTERN_FUNC: cli_print_signature(f, &t->func); break;
    case RF_EXTERN_TABLE: print_table_limits(f, t->table_elem, t->limits); break;
    case RF_EXTERN_MEMORY: print_memory_limits(f, t->limits); break;
    case RF_EXTERN_GLOBAL: print_global_type(f, t->global_type, t->global_mutable); break;
    }
}

static void print_func_ref(FILE *f, const rf_module *m, uint32_t index)
{
    fprintf(f, "func %" PRIu32, index);
    const char *name = rf_module_function_name(m, index);
    if (name) {
        fputs(" <", f);
        cli_print_name(f, name, strlen(name));
        fputc('>', f);
    }
}

static void print_text(FILE *f, const rf_module *m, const char *file)
{
    rf_module_info info;
    rf_module_get_info(m, &info);

    fprintf(f, "file: %s\n", file);
    if (info.name) {
        fputs("module name: ", f);
        cli_print_name(f, info.name, strlen(info.name));
        fputc('\n', f);
    }
    fprintf(f, "size: %zu bytes\n", info.size);
    fprintf(f, "types: %" PRIu32 "\n", info.num_types);
    fprintf(f, "functions: %" PRIu32 " (%" PRIu32 " imported, %" PRIu32 " defined)\n",
            info.num_funcs, info.num_func_imports, info.num_funcs - info.num_func_imports);
    fputs("start: ", f);
    if (info.has_start)
        print_func_ref(f, m, info.start);
    else
        fputs("none", f);
    fputc('\n', f);
    fprintf(f, "segments: %" PRIu32 " element, %" PRIu32 " data\n", info.num_elem_segments,
            info.num_data_segments);

    size_t nimports = rf_module_import_count(m);
    fprintf(f, "imports (%zu):\n", nimports);
    for (size_t i = 0; i < nimports; i++) {
        rf_import_desc d;
        if (!rf_module_import(m, i, &d))
            continue;
        fputs("  ", f);
        cli_print_name(f, d.module, d.module_len);
        fputc('.', f);
        cli_print_name(f, d.name, d.name_len);
        fputs(": ", f);
        print_extern_type(f, &d.type);
        fputc('\n', f);
    }

    size_t nexports = rf_module_export_count(m);
    fprintf(f, "exports (%zu):\n", nexports);
    for (size_t i = 0; i < nexports; i++) {
        rf_export_desc d;
        if (!rf_module_export(m, i, &d))
            continue;
        fputs("  ", f);
        cli_print_name(f, d.name, d.name_len);
        fprintf(f, ": %s %" PRIu32 " ", cli_extern_kind_name(d.type.kind), d.index);
        switch (d.type.kind) {
        case RF_EXTERN_FUNC: cli_print_signature(f, &d.type.func); break;
        case RF_EXTERN_TABLE: print_table_limits(f, d.type.table_elem, d.type.limits); break;
        case RF_EXTERN_MEMORY: print_memory_limits(f, d.type.limits); break;
        case RF_EXTERN_GLOBAL:
            print_global_type(f, d.type.global_type, d.type.global_mutable);
            break;
        }
        fputc('\n', f);
    }

    fprintf(f, "memories (%" PRIu32 "):\n", info.num_memories);
    for (uint32_t i = 0; i < info.num_memories; i++) {
        rf_limits_desc pages;
        if (!rf_module_memory_type(m, i, &pages))
            continue;
        fprintf(f, "  %" PRIu32 ": ", i);
        print_memory_limits(f, pages);
        fputs(i < info.num_memory_imports ? ", imported\n" : "\n", f);
    }

    fprintf(f, "tables (%" PRIu32 "):\n", info.num_tables);
    for (uint32_t i = 0; i < info.num_tables; i++) {
        rf_valtype elem;
        rf_limits_desc limits;
        if (!rf_module_table_type(m, i, &elem, &limits))
            continue;
        fprintf(f, "  %" PRIu32 ": ", i);
        print_table_limits(f, elem, limits);
        fputs(i < info.num_table_imports ? ", imported\n" : "\n", f);
    }

    fprintf(f, "globals (%" PRIu32 "):\n", info.num_globals);
    for (uint32_t i = 0; i < info.num_globals; i++) {
        rf_valtype type;
        bool mutable_;
        if (!rf_module_global_type(m, i, &type, &mutable_))
            continue;
        fprintf(f, "  %" PRIu32 ": ", i);
        print_global_type(f, type, mutable_);
        fputs(i < info.num_global_imports ? ", imported\n" : "\n", f);
    }

    size_t ncustoms = rf_module_custom_section_count(m);
    fprintf(f, "custom sections (%zu):\n", ncustoms);
    for (size_t i = 0; i < ncustoms; i++) {
        rf_custom_section_desc c;
        if (!rf_module_custom_section(m, i, &c))
            continue;
        fputs("  ", f);
        cli_print_name(f, c.name, c.name_len);
        fprintf(f, ": %zu bytes at offset 0x%" PRIx64 "\n", c.size, c.offset);
    }

    uint32_t nnamed = 0;
    for (uint32_t i = 0; i < info.num_funcs; i++)
        nnamed += rf_module_function_name(m, i) != NULL;
    fprintf(f, "function names (%" PRIu32 "):\n", nnamed);
    for (uint32_t i = 0; i < info.num_funcs && nnamed > 0; i++) {
        const char *name = rf_module_function_name(m, i);
        if (!name)
            continue;
        fprintf(f, "  %" PRIu32 ": ", i);
        cli_print_name(f, name, strlen(name));
        fputc('\n', f);
    }
}

static int run_inspect(const cli_command *cmd, int argc, char **argv)
{
    bool json = false;
    const cli_flag flags[] = { { "--json", &json } };
    const char *file = NULL;
    int rc = cli_parse_file_args(cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &file);
    if (rc != CLI_CONTINUE)
        return rc;
    rf_module *m = cli_load_module(file, true);
    if (!m)
        return CLI_EXIT_FAIL;
    rc = CLI_EXIT_OK;
    if (json)
        rc = cli_inspect_json(stdout, m, file);
    else
        print_text(stdout, m, file);
    rf_module_free(m);
    if (rc == CLI_EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        fputs("reflow: inspect: cannot write the output\n", stderr);
        rc = CLI_EXIT_FAIL;
    }
    return rc;
}

const cli_command cli_cmd_inspect = {
    .name = "inspect",
    .summary = "describe a module's imports, exports, memories, tables, globals, ...",
    .help =
        "usage: reflow inspect FILE.wasm [--json]\n"
        "\n"
        "Load FILE.wasm and describe it: imports (module.name: kind and type),\n"
        "exports, memories (limits in 64 KiB pages and in bytes), tables, globals\n"
        "(type, mutability), custom sections (name, payload size, offset),\n"
        "function counts (imported/defined), the start function and function\n"
        "names from the name section.\n"
        "\n"
        "  --json   print one JSON object instead of text\n"
        "\n"
        "Exits 1 (with the reason on stderr) when the module does not load,\n"
        "2 on bad usage.\n",
    .run = run_inspect,
};
