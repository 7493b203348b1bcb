/*
 * fuzz_exec.c — libFuzzer target that RUNS modules, not just loads them.
 * reflow executes untrusted plugins, so whatever code a module holds must end
 * in a result, a trap, a refused limit or an interruption: never a crash, a
 * hang, a leak, or an access to host memory outside the guest's own.
 *
 * For each input that loads (validation + compilation), the target
 *   1. creates a store with small limits (FUZZ_MEMORY_LIMIT per memory,
 *      FUZZ_MEMORY_BUDGET for all of them, FUZZ_CALL_DEPTH frames,
 *      FUZZ_STACK_SLOTS value slots, or for some inputs far smaller stacks)
 *      and a per-call deadline (FUZZ_TIMEOUT_MS);
 *   2. satisfies every import with a generic object of the declared type: a
 *      host stub function (zero or derived results, sometimes a host error,
 *      a look at the caller's memory, or a re-entrant call of an export), or a
 *      table / memory / global created with the import's limits; an import
 *      whose limits the fuzz caps refuse makes the input uninteresting;
 *   3. instantiates (which runs segments and the start function);
 *   4. calls every exported function, first with zero arguments and then with
 *      arguments derived from the input, within FUZZ_MAX_CALLS calls and
 *      FUZZ_WALL_MS milliseconds for the whole input;
 *   5. reads and writes exported memories, tables and globals through the
 *      public API at offsets derived from the input (edges, overflowing
 *      offsets, random), checking the bounds checks answer exactly.
 *
 * "Derived from the input" means a splitmix64 generator seeded with a hash of
 * the input bytes, so a saved input replays the same calls (up to timing:
 * which call a deadline cuts short may differ between runs).
 *
 * Every failure must carry a kind from the set the API documents for that
 * call and a non-empty message; a violated invariant aborts, which libFuzzer
 * reports as a crash. Built by `make fuzz-exec`; fuzz/replay_main.c runs the
 * same function over files as the ctest test `fuzz-exec-replay`.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "reflow/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEMORY_LIMIT (1u << 20)      /* bytes per linear memory (16 pages) */
#define FUZZ_MEMORY_BUDGET (4u << 20)     /* bytes of all memories of the store */
#define FUZZ_CALL_DEPTH 500u              /* wasm frames */
#define FUZZ_STACK_SLOTS (1u << 14)       /* 128 KiB of value stack */
#define FUZZ_TABLE_MAX 10000u             /* imported tables: largest minimum accepted */
#define FUZZ_TIMEOUT_MS 50u               /* deadline of each top-level call */
#define FUZZ_WALL_MS 250u                 /* no new call starts after this much per input */
#define FUZZ_MAX_CALLS 48u                /* top-level calls of exports per input */
#define FUZZ_MAX_HOST_CALLS 100000u       /* host stub calls per input before it fails */
#define FUZZ_MAX_REENTRIES 16u            /* exports called from inside host stubs */
#define FUZZ_REENTRY_DEPTH 2u             /* nesting of those re-entrant calls */
#define FUZZ_MAX_VALUES 64u               /* arguments/results handled on the stack */
/* A top-level call may overrun its deadline by the time between two polls
 * and one uninterruptible operation; more than this is a bug (generous so a
 * loaded machine or a sanitizer build does not trip it). */
#define FUZZ_OVERRUN_MS 2000u

/* A non-null externref the engine must treat as opaque: if it ever read it
 * as one of its own objects, ASan would report a global-buffer-overflow. */
static const uint8_t fuzz_extern_token[1];

typedef struct fuzz_ctx fuzz_ctx;

/* What a host stub needs to know about itself: user data of rf_func_new_host. */
typedef struct fuzz_stub {
    fuzz_ctx *ctx;
    rf_signature sig;        /* arrays owned by the module, which outlives the store */
} fuzz_stub;

struct fuzz_ctx {
    uint64_t rng;
    uint64_t started_ns;
    rf_store *store;
    rf_func *plain_func;     /* host stub of type [] -> [], a funcref value of the store */
    fuzz_stub plain_stub;
    rf_func **exports;       /* exported functions of the instance */
    size_t nexports;
    unsigned calls;
    unsigned host_calls;
    unsigned reentries;
    unsigned reentry_depth;
};

/* ---- invariants and input-derived choices ------------------------------------------- */

static void fuzz_fail(const char *what, const rf_error *err)
{
    fprintf(stderr, "fuzz_exec: %s", what);
    if (err)
        fprintf(stderr, " (kind %d %s, trap %d, message \"%s\")", (int)err->kind,
                rf_error_kind_name(err->kind), (int)err->trap, err->message);
    fputc('\n', stderr);
    abort();
}

/* A failed call must say what failed, with a kind the caller may expect. */
static void fuzz_check_failure(const char *what, rf_error_kind k, const rf_error *err,
                               unsigned allowed)
{
    if (k == RF_OK || err->kind != k || err->message[0] == '\0' || !(allowed & (1u << k)))
        fuzz_fail(what, err);
}

/* Kinds an execution may end with when every argument is well typed. */
#define FUZZ_RUN_FAILURES                                                                 \
    ((1u << RF_ERR_TRAP) | (1u << RF_ERR_EXHAUSTED) | (1u << RF_ERR_INTERRUPTED) |      \
     (1u << RF_ERR_LIMIT) | (1u << RF_ERR_NOMEM) | (1u << RF_ERR_HOST))

static uint64_t fuzz_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, full-period, good enough to spread choices. */
static uint64_t fuzz_next(fuzz_ctx *c)
{
    uint64_t z = (c->rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t fuzz_below(fuzz_ctx *c, uint64_t n)
{
    return n ? fuzz_next(c) % n : 0;
}

/* FNV-1a of the input: the seed of every choice made for it. */
static uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xCBF29CE484222325u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001B3u;
    return h;
}

/* The deadline must hold: code that runs on after it is a hang in waiting. */
static void fuzz_check_deadline(const char *what, uint64_t started_ns)
{
    uint64_t ms = (fuzz_now_ns() - started_ns) / 1000000u;
    if (ms > (uint64_t)FUZZ_TIMEOUT_MS + FUZZ_OVERRUN_MS) {
        fprintf(stderr, "fuzz_exec: %s ran for %llu ms despite a deadline of %u ms\n", what,
                (unsigned long long)ms, FUZZ_TIMEOUT_MS);
        abort();
    }
}

static bool fuzz_out_of_time(const fuzz_ctx *c)
{
    return fuzz_now_ns() - c->started_ns > (uint64_t)FUZZ_WALL_MS * 1000000u;
}

/* Integers near the edges where bounds checks and conversions go wrong. */
static uint64_t fuzz_int(fuzz_ctx *c, bool wide)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 4, 7, 8, 0xFF, 0xFFFF, 0x10000, 0xFFFF0000u, 0x7FFFFFFFu, 0x80000000u,
        0xFFFFFFFFu, 0xFFFFFFFFFFFFFFFFu, 0x7FFFFFFFFFFFFFFFu, 0x8000000000000000u,
        0x100000000u, FUZZ_MEMORY_LIMIT - 1, FUZZ_MEMORY_LIMIT, FUZZ_MEMORY_LIMIT - 8,
    };
    uint64_t r = fuzz_next(c);
    uint64_t v = (r & 3) == 0 ? fuzz_next(c)
               : (r & 3) == 1 ? fuzz_below(c, 64)
                              : edges[fuzz_below(c, sizeof edges / sizeof edges[0])];
    return wide ? v : (uint64_t)(uint32_t)v;
}

/* Float bit patterns: zeros, infinities, NaNs with payloads, the edges of
 * the integer conversions, subnormals, random bits. */
static uint64_t fuzz_float_bits(fuzz_ctx *c, bool wide)
{
    static const uint32_t f32[] = {
        0x00000000u, 0x80000000u, 0x3F800000u, 0xBF800000u, 0x7F800000u, 0xFF800000u,
        0x7FC00000u, 0xFFC00000u, 0x7FA00001u, 0x4F000000u, 0xCF000000u, 0x5F000000u,
        0x00000001u, 0x7F7FFFFFu,
    };
    static const uint64_t f64[] = {
        0x0000000000000000u, 0x8000000000000000u, 0x3FF0000000000000u, 0x7FF0000000000000u,
        0xFFF0000000000000u, 0x7FF8000000000000u, 0x7FF4000000000001u, 0x41E0000000000000u,
        0xC1E0000000200000u, 0x43E0000000000000u, 0xC3E0000000000000u, 0x0000000000000001u,
        0x7FEFFFFFFFFFFFFFu,
    };
    if (fuzz_below(c, 4) == 0)
        return wide ? fuzz_next(c) : (uint32_t)fuzz_next(c);
    if (wide)
        return f64[fuzz_below(c, sizeof f64 / sizeof f64[0])];
    return f32[fuzz_below(c, sizeof f32 / sizeof f32[0])];
}

/* A value of type `t`: zero when `zero`, else derived from the input.
 * Function references are always functions of the store itself. */
static rf_value fuzz_value(fuzz_ctx *c, rf_valtype t, bool zero)
{
    rf_value v;
    memset(&v, 0, sizeof v);
    v.type = t;
    if (zero)
        return v;
    switch (t) {
    case RF_I32: v.of.i32 = (uint32_t)fuzz_int(c, false); break;
    case RF_I64: v.of.i64 = fuzz_int(c, true); break;
    case RF_F32: v.of.f32_bits = (uint32_t)fuzz_float_bits(c, false); break;
    case RF_F64: v.of.f64_bits = fuzz_float_bits(c, true); break;
    case RF_FUNCREF: {
        uint64_t r = fuzz_below(c, 3);
        if (r == 1)
            v.of.ref = c->plain_func;
        else if (r == 2 && c->nexports > 0)
            v.of.ref = c->exports[fuzz_below(c, c->nexports)];
        break;
    }
    case RF_EXTERNREF:
        if (fuzz_below(c, 2))
            v.of.ref = (void *)(uintptr_t)fuzz_extern_token;
        break;
    case RF_V128: break;
    }
    return v;
}

/* ---- the public-API view of memories, tables and globals ----------------------------- */

/* An offset for a `len`-byte access to something of `size` bytes or entries:
 * mostly at the edges, sometimes wildly out of range. */
static uint64_t fuzz_offset(fuzz_ctx *c, uint64_t size, uint64_t len)
{
    switch (fuzz_below(c, 9)) {
    case 0: return 0;
    case 1: return size;
    case 2: return size - 1;                 /* wraps when size is 0: out of range */
    case 3: return size - len;
    case 4: return size - len + 1;
    case 5: return UINT64_MAX - len + 1;     /* offset + len wraps to 0 */
    case 6: return (uint64_t)1 << 32;
    case 7: return fuzz_next(c);
    default: return fuzz_below(c, size + 1);
    }
}

/* Reads and writes must succeed exactly when [offset, offset + len) lies in
 * the memory, copy exactly those bytes, and agree with rf_memory_data. */
static void fuzz_memory_access(fuzz_ctx *c, rf_memory *mem)
{
    uint8_t in[64], out[64];
    uint64_t size = rf_memory_size(mem);
    size_t len = (size_t)fuzz_below(c, sizeof in + 1);
    uint64_t offset = fuzz_offset(c, size, len);
    bool fits = len <= size && offset <= size - len;

    if (rf_memory_read(mem, offset, out, len) != fits)
        fuzz_fail("rf_memory_read disagrees with the memory's bounds", NULL);
    for (size_t i = 0; i < len; i++)
        in[i] = (uint8_t)fuzz_next(c);
    if (rf_memory_write(mem, offset, in, len) != fits)
        fuzz_fail("rf_memory_write disagrees with the memory's bounds", NULL);
    if (!fits)
        return;
    memset(out, 0, sizeof out);
    if (!rf_memory_read(mem, offset, out, len) || memcmp(in, out, len) != 0)
        fuzz_fail("rf_memory_read does not return what rf_memory_write wrote", NULL);
    if (len > 0 && memcmp(rf_memory_data(mem) + offset, in, len) != 0)
        fuzz_fail("rf_memory_data does not show what rf_memory_write wrote", NULL);
}

/* Host-side grows: -1 or the old size in pages, never past the store limit. */
static void fuzz_memory_grow(fuzz_ctx *c, rf_memory *mem)
{
    static const uint64_t big[] = { 16, 17, 65536, 65537, UINT64_MAX };
    uint64_t before = rf_memory_size(mem);
    uint64_t pages = fuzz_below(c, 2) ? fuzz_below(c, 3) : big[fuzz_below(c, 5)];
    int64_t old = rf_memory_grow(mem, pages);
    uint64_t after = rf_memory_size(mem);
    if (old == -1) {
        if (after != before)
            fuzz_fail("a refused rf_memory_grow changed the size", NULL);
    } else if ((uint64_t)old * 65536u != before || after != before + pages * 65536u) {
        fuzz_fail("rf_memory_grow returned a wrong old size or grew by the wrong amount", NULL);
    }
}

static void fuzz_memory(fuzz_ctx *c, rf_memory *mem)
{
    rf_memory_stats st = rf_memory_get_stats(mem);
    uint64_t size = rf_memory_size(mem);
    if (st.current_bytes != size || size % 65536u != 0 || size > st.limit_bytes ||
        st.limit_bytes > FUZZ_MEMORY_LIMIT || st.peak_bytes < size)
        fuzz_fail("memory size or statistics break the store's limits", NULL);
    if (size > 0 && rf_memory_data(mem) == NULL)
        fuzz_fail("a non-empty memory has no data", NULL);
    for (int i = 0; i < 8; i++)
        fuzz_memory_access(c, mem);
    if (fuzz_below(c, 4) == 0)
        fuzz_memory_grow(c, mem);
}

static void fuzz_table(fuzz_ctx *c, rf_table *t, rf_valtype elem)
{
    for (int i = 0; i < 4; i++) {
        uint64_t size = rf_table_size(t);
        uint64_t at = fuzz_offset(c, size, 1);
        void *ref = (void *)&ref;
        if (rf_table_get(t, at, &ref) != (at < size))
            fuzz_fail("rf_table_get disagrees with the table's size", NULL);
        void *put = elem == RF_FUNCREF ? (void *)c->plain_func
                                       : (void *)(uintptr_t)fuzz_extern_token;
        if (fuzz_below(c, 2))
            put = NULL;
        if (rf_table_set(t, at, put) != (at < size))
            fuzz_fail("rf_table_set disagrees with the table's size", NULL);
    }
}

static void fuzz_global(fuzz_ctx *c, rf_global *g, rf_valtype type, bool mutable_)
{
    if (rf_global_get(g).type != type)
        fuzz_fail("rf_global_get returned a value of the wrong type", NULL);
    if (rf_global_set(g, fuzz_value(c, type, false)) != mutable_)
        fuzz_fail("rf_global_set disagrees with the global's mutability", NULL);
}

/* Pokes at every exported memory, table and global. */
static void fuzz_exports_state(fuzz_ctx *c, const rf_module *m, rf_instance *inst)
{
    size_t n = rf_module_export_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_export_desc d;
        rf_extern x;
        if (!rf_module_export(m, i, &d) || !rf_instance_export(inst, d.name, d.name_len, &x) ||
            x.kind != d.type.kind)
            fuzz_fail("an export of the module is missing from the instance", NULL);
        switch (x.kind) {
        case RF_EXTERN_MEMORY: fuzz_memory(c, x.of.memory); break;
        case RF_EXTERN_TABLE: fuzz_table(c, x.of.table, d.type.table_elem); break;
        case RF_EXTERN_GLOBAL:
            fuzz_global(c, x.of.global, d.type.global_type, d.type.global_mutable);
            break;
        case RF_EXTERN_FUNC: break;
        }
    }
}

/* ---- calls ------------------------------------------------------------------------------ */

/* Calls `f` with zero or derived arguments and checks the outcome. */
static void fuzz_call(fuzz_ctx *c, rf_func *f, bool zero)
{
    rf_signature sig = rf_func_signature(f);
    if (sig.nparams > FUZZ_MAX_VALUES || sig.nresults > FUZZ_MAX_VALUES)
        return;
    rf_value args[FUZZ_MAX_VALUES], results[FUZZ_MAX_VALUES];
    for (uint32_t i = 0; i < sig.nparams; i++)
        args[i] = fuzz_value(c, sig.params[i], zero);
    rf_error err;
    memset(&err, 0, sizeof err);
    uint64_t started = fuzz_now_ns();
    rf_error_kind k = rf_call(f, args, sig.nparams, results, sig.nresults, &err);
    if (c->reentry_depth == 0)
        fuzz_check_deadline("a call of an export", started);
    if (k != RF_OK) {
        fuzz_check_failure("rf_call failed without a proper error", k, &err, FUZZ_RUN_FAILURES);
        return;
    }
    for (uint32_t i = 0; i < sig.nresults; i++) {
        if (results[i].type != sig.results[i])
            fuzz_fail("rf_call returned a result of the wrong type", NULL);
    }
}

static rf_error_kind fuzz_host_error(rf_error *err, const char *message)
{
    if (err)
        snprintf(err->message, sizeof err->message, "%s", message);
    return RF_ERR_HOST;
}

/* The generic import: every imported function is this stub. Mostly it
 * returns zeros; depending on the input it returns derived values, fails,
 * touches the caller's memory, or calls back into an export. */
static rf_error_kind fuzz_host_stub(rf_caller *caller, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err)
{
    fuzz_stub *stub = user;
    fuzz_ctx *c = stub->ctx;
    if (rf_caller_store(caller) != c->store)
        fuzz_fail("a host function was called with another store", NULL);
    if (++c->host_calls > FUZZ_MAX_HOST_CALLS)
        return fuzz_host_error(err, "fuzz host call budget exhausted");
    for (uint32_t i = 0; i < stub->sig.nparams; i++) {
        if (args[i].type != stub->sig.params[i])
            fuzz_fail("a host function received an argument of the wrong type", NULL);
    }

    uint64_t r = fuzz_below(c, 64);
    if (r == 0)
        return fuzz_host_error(err, "fuzz host stub failure");
    if (r == 1 && c->nexports > 0 && c->reentries < FUZZ_MAX_REENTRIES &&
        c->reentry_depth < FUZZ_REENTRY_DEPTH) {
        c->reentries++;
        c->reentry_depth++;
        fuzz_call(c, c->exports[fuzz_below(c, c->nexports)], fuzz_below(c, 2) != 0);
        c->reentry_depth--;
    }
    rf_memory *mem = rf_caller_memory(caller);
    if (mem && r >= 2 && r < 10)
        fuzz_memory_access(c, mem);
    if (mem && r == 10)
        fuzz_memory_grow(c, mem);

    bool zero = r < 32;
    for (uint32_t i = 0; i < stub->sig.nresults; i++)
        results[i] = fuzz_value(c, stub->sig.results[i], zero);
    return RF_OK;
}

/* Calls every exported function in rounds (zero arguments first) until the
 * call or time budget runs out. */
static void fuzz_run_exports(fuzz_ctx *c, const rf_module *m, rf_instance *inst)
{
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < c->nexports; i++) {
            if (c->calls >= FUZZ_MAX_CALLS || fuzz_out_of_time(c))
                return;
            c->calls++;
            fuzz_call(c, c->exports[i], round == 0);
        }
        fuzz_exports_state(c, m, inst);
    }
}

/* ---- imports and instantiation ---------------------------------------------------------- */

/* Creates an extern for import `d`; false when the fuzz limits refuse it. */
static bool fuzz_import(fuzz_ctx *c, const rf_import_desc *d, fuzz_stub *stub, rf_extern *out)
{
    rf_error err;
    memset(&err, 0, sizeof err);
    out->kind = d->type.kind;
    switch (d->type.kind) {
    case RF_EXTERN_FUNC:
        stub->ctx = c;
        stub->sig = d->type.func;
        out->of.func = rf_func_new_host(c->store, &d->type.func, fuzz_host_stub, stub);
        return out->of.func != NULL;
    case RF_EXTERN_TABLE: {
        if (d->type.limits.min > FUZZ_TABLE_MAX)
            return false;
        void *init = NULL;
        if (fuzz_below(c, 2))
            init = d->type.table_elem == RF_FUNCREF ? (void *)c->plain_func
                                                    : (void *)(uintptr_t)fuzz_extern_token;
        out->of.table = rf_table_new(c->store, d->type.table_elem, d->type.limits, init, &err);
        return out->of.table != NULL;
    }
    case RF_EXTERN_MEMORY:
        out->of.memory = rf_memory_new(c->store, d->type.limits, &err);
        return out->of.memory != NULL;
    case RF_EXTERN_GLOBAL:
        out->of.global = rf_global_new(c->store, d->type.global_type, d->type.global_mutable,
                                       fuzz_value(c, d->type.global_type, fuzz_below(c, 2)),
                                       &err);
        return out->of.global != NULL;
    }
    return false;
}

/* Collects the exported functions (the targets of calls and re-entries). */
static bool fuzz_collect_exports(fuzz_ctx *c, const rf_module *m, rf_instance *inst)
{
    size_t n = rf_module_export_count(m);
    c->exports = calloc(n ? n : 1, sizeof *c->exports);
    if (!c->exports)
        return false;
    for (size_t i = 0; i < n; i++) {
        rf_export_desc d;
        rf_extern x;
        if (!rf_module_export(m, i, &d) || !rf_instance_export(inst, d.name, d.name_len, &x))
            fuzz_fail("an export of the module is missing from the instance", NULL);
        if (x.kind == RF_EXTERN_FUNC)
            c->exports[c->nexports++] = x.of.func;
    }
    return true;
}

/* Everything after loading; the caller frees the store and the module. */
static void fuzz_instance(fuzz_ctx *c, const rf_module *m, rf_extern *imports, fuzz_stub *stubs)
{
    size_t nimports = rf_module_import_count(m);
    for (size_t i = 0; i < nimports; i++) {
        rf_import_desc d;
        if (!rf_module_import(m, i, &d))
            fuzz_fail("rf_module_import failed for an index below the count", NULL);
        if (!fuzz_import(c, &d, &stubs[i], &imports[i]))
            return;   /* not within the fuzz limits: uninteresting */
    }

    rf_error err;
    memset(&err, 0, sizeof err);
    uint64_t started = fuzz_now_ns();
    rf_instance *inst = rf_instantiate(c->store, m, imports, nimports, &err);
    fuzz_check_deadline("instantiation (start function)", started);
    if (!inst) {
        /* Imports match by construction, so a link error is an engine bug. */
        fuzz_check_failure("rf_instantiate failed without a proper error", err.kind, &err,
                           FUZZ_RUN_FAILURES);
        return;
    }
    if (rf_instance_module(inst) != m)
        fuzz_fail("rf_instance_module does not return the module", NULL);
    if (!fuzz_collect_exports(c, m, inst))
        return;
    fuzz_exports_state(c, m, inst);
    fuzz_run_exports(c, m, inst);
    for (size_t i = 0; i < nimports; i++) {
        if (imports[i].kind == RF_EXTERN_MEMORY)
            fuzz_memory(c, imports[i].of.memory);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_module *m = rf_module_load(data, size, NULL, &err);
    if (!m) {
        if (err.kind == RF_OK || err.message[0] == '\0')
            fuzz_fail("load failed without an error", &err);
        return 0;
    }

    fuzz_ctx c;
    memset(&c, 0, sizeof c);
    c.rng = fuzz_hash(data, size);
    c.started_ns = fuzz_now_ns();
    rf_store_config cfg = { 0 };
    cfg.memory_limit = FUZZ_MEMORY_LIMIT;
    cfg.memory_budget = FUZZ_MEMORY_BUDGET;
    /* Mostly the usual limits; sometimes stacks so small that the
     * overflow checks are hit at every depth. */
    static const uint32_t depths[] = { FUZZ_CALL_DEPTH, FUZZ_CALL_DEPTH, 7, 1 };
    static const uint32_t slots[] = { FUZZ_STACK_SLOTS, FUZZ_STACK_SLOTS, 300, 17 };
    cfg.max_call_depth = depths[fuzz_below(&c, 4)];
    cfg.stack_slots = slots[fuzz_below(&c, 4)];
    c.store = rf_store_new(&cfg, &err);
    if (!c.store)
        fuzz_fail("rf_store_new refused the fuzz configuration", &err);
    rf_store_set_timeout_ms(c.store, FUZZ_TIMEOUT_MS);

    size_t nimports = rf_module_import_count(m);
    rf_extern *imports = calloc(nimports ? nimports : 1, sizeof *imports);
    fuzz_stub *stubs = calloc(nimports ? nimports : 1, sizeof *stubs);
    c.plain_stub.ctx = &c;
    rf_signature none = { 0, NULL, 0, NULL };
    c.plain_func = rf_func_new_host(c.store, &none, fuzz_host_stub, &c.plain_stub);
    if (imports && stubs && c.plain_func)
        fuzz_instance(&c, m, imports, stubs);

    rf_store_free(c.store);
    free(c.exports);
    free(stubs);
    free(imports);
    rf_module_free(m);
    return 0;
}
