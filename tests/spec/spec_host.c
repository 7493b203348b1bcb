/*
 * spec_host.c — the `spectest` host module that test scripts import from.
 *
 * It matches the reference interpreter's spectest module: print functions of
 * fixed signatures that return nothing, four immutable globals holding 666 /
 * 666.6, a funcref table of 10..20 null elements and a memory of 1..2 pages.
 * `shared_memory` (threads proposal only) is not provided: the engine has no
 * shared memories, so importing it fails to link as an unknown import.
 *
 * A fresh spectest is created in each script's store, so every import of
 * spectest.table or spectest.memory within one script sees the same object and
 * nothing leaks between scripts.
 */
#include "spec_runner.h"

#include <stdio.h>
#include <string.h>

static const rf_valtype types_i32[] = {RF_I32};
static const rf_valtype types_i64[] = {RF_I64};
static const rf_valtype types_f32[] = {RF_F32};
static const rf_valtype types_f64[] = {RF_F64};
static const rf_valtype types_i32_f32[] = {RF_I32, RF_F32};
static const rf_valtype types_f64_f64[] = {RF_F64, RF_F64};

static const struct {
    const char *name;
    rf_signature sig;
} spectest_funcs[] = {
    {"print", {0, NULL, 0, NULL}},
    {"print_i32", {1, types_i32, 0, NULL}},
    {"print_i64", {1, types_i64, 0, NULL}},
    {"print_f32", {1, types_f32, 0, NULL}},
    {"print_f64", {1, types_f64, 0, NULL}},
    {"print_i32_f32", {2, types_i32_f32, 0, NULL}},
    {"print_f64_f64", {2, types_f64_f64, 0, NULL}},
};

/* The reference interpreter prints its arguments; output is never checked, so
 * we print only with --verbose, to keep normal runs readable. */
static rf_error_kind spectest_print(rf_caller *caller, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err)
{
    (void)caller;
    (void)results;
    (void)err;
    const spec_host_export *e = user;
    if (!e->host->verbose)
        return RF_OK;
    printf("    spectest.%s(", e->name);
    for (uint32_t i = 0; i < e->sig->nparams; i++) {
        char buf[96];
        spec_format_value(&args[i], NULL, buf, sizeof buf);
        printf("%s%s", i ? ", " : "", buf);
    }
    printf(")\n");
    return RF_OK;
}

/* Append an export; false (with err filled) if the object could not be made. */
static bool add_export(spec_host *h, const char *name, rf_extern ext, const rf_signature *sig,
                       rf_error *err)
{
    bool made = false;
    switch (ext.kind) {
    case RF_EXTERN_FUNC: made = ext.of.func != NULL; break;
    case RF_EXTERN_TABLE: made = ext.of.table != NULL; break;
    case RF_EXTERN_MEMORY: made = ext.of.memory != NULL; break;
    case RF_EXTERN_GLOBAL: made = ext.of.global != NULL; break;
    }
    if (!made || h->count >= SPEC_HOST_MAX_EXPORTS) {
        if (err) {
            char engine_msg[sizeof err->message];
            memcpy(engine_msg, err->message, sizeof engine_msg);
            engine_msg[sizeof engine_msg - 1] = '\0';
            if (err->kind == RF_OK)
                err->kind = RF_ERR_HOST;
            snprintf(err->message, sizeof err->message, "cannot create spectest.%s: %.400s", name,
                     engine_msg[0] ? engine_msg : "(no message)");
        }
        return false;
    }
    spec_host_export *e = &h->exports[h->count++];
    e->name = name;
    e->ext = ext;
    e->host = h;
    e->sig = sig;
    return true;
}

static bool add_global(spec_host *h, rf_store *s, const char *name, rf_value init, rf_error *err)
{
    rf_extern ext = {.kind = RF_EXTERN_GLOBAL};
    ext.of.global = rf_global_new(s, init.type, false, init, err);
    return add_export(h, name, ext, NULL, err);
}

bool spec_host_create(spec_host *h, rf_store *s, bool verbose, rf_error *err)
{
    memset(h, 0, sizeof *h);
    h->verbose = verbose;
    if (err)
        memset(err, 0, sizeof *err);

    for (size_t i = 0; i < sizeof spectest_funcs / sizeof spectest_funcs[0]; i++) {
        if (h->count >= SPEC_HOST_MAX_EXPORTS)
            return false;
        /* The function's user pointer is the slot its export will occupy. */
        spec_host_export *slot = &h->exports[h->count];
        slot->name = spectest_funcs[i].name;
        slot->host = h;
        slot->sig = &spectest_funcs[i].sig;
        rf_extern ext = {.kind = RF_EXTERN_FUNC};
        ext.of.func = rf_func_new_host(s, &spectest_funcs[i].sig, spectest_print, slot);
        if (!add_export(h, spectest_funcs[i].name, ext, &spectest_funcs[i].sig, err))
            return false;
    }

    rf_value f32 = {.type = RF_F32};
    f32.of.f32_bits = 0x4426A666u;               /* 666.6f */
    rf_value f64 = {.type = RF_F64};
    f64.of.f64_bits = 0x4084D4CCCCCCCCCDu;       /* 666.6 */
    if (!add_global(h, s, "global_i32", rf_val_i32(666), err) ||
        !add_global(h, s, "global_i64", rf_val_i64(666), err) ||
        !add_global(h, s, "global_f32", f32, err) || !add_global(h, s, "global_f64", f64, err))
        return false;

    rf_extern table = {.kind = RF_EXTERN_TABLE};
    table.of.table = rf_table_new(s, RF_FUNCREF, (rf_limits_desc){10, 20, true}, NULL, err);
    if (!add_export(h, "table", table, NULL, err))
        return false;

    rf_extern memory = {.kind = RF_EXTERN_MEMORY};
    memory.of.memory = rf_memory_new(s, (rf_limits_desc){1, 2, true}, err);
    return add_export(h, "memory", memory, NULL, err);
}

bool spec_host_lookup(const spec_host *h, const char *name, size_t len, rf_extern *out)
{
    for (size_t i = 0; i < h->count; i++) {
        const char *n = h->exports[i].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            *out = h->exports[i].ext;
            return true;
        }
    }
    return false;
}
