/*
 * test_instance.c — instantiation: linking (import matching and its error
 * messages), creation of memories/tables/globals, element and data segments
 * (order, bounds, traps that leave earlier writes), exports, the start
 * function, memory limits at instantiation, many live instances in one store
 * and instantiate/free cycles.
 *
 * Modules are assembled here byte by byte (see `wasm` below) so each test
 * shows exactly what it feeds the engine. Tests marked "needs the
 * interpreter" call wasm code.
 */
#define _DEFAULT_SOURCE /* sysconf */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reflow/engine.h"
#include "runtime.h"

/* valgrind's own bookkeeping inflates the resident size: the RSS bound is
 * only checked natively. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

/* ---- a tiny module assembler ---- */

typedef struct wasm {
    uint8_t b[1024];
    size_t n;
} wasm;

static void emit(wasm *w, const void *p, size_t n)
{
    assert_true(n <= sizeof w->b - w->n);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void u8(wasm *w, uint8_t v)
{
    emit(w, &v, 1);
}

static void uleb(wasm *w, uint64_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        u8(w, (uint8_t)(b | (v ? 0x80 : 0)));
    } while (v);
}

static void sleb(wasm *w, int64_t v)
{
    for (;;) {
        uint8_t b = (uint8_t)(v & 0x7f);
        v >>= 7; /* arithmetic shift on every supported compiler */
        bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
        u8(w, (uint8_t)(b | (done ? 0 : 0x80)));
        if (done)
            return;
    }
}

static void name(wasm *w, const char *s, size_t n)
{
    uleb(w, n);
    emit(w, s, n);
}

static void header(wasm *w)
{
    w->n = 0;
    emit(w, "\0asm\1\0\0\0", 8);
}

/* Section `id` whose contents are the literal bytes p[0..n). */
static void section(wasm *w, uint8_t id, const void *p, size_t n)
{
    u8(w, id);
    uleb(w, n);
    emit(w, p, n);
}

static void section_of(wasm *w, uint8_t id, const wasm *body)
{
    section(w, id, body->b, body->n);
}

enum { SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNC = 3, SEC_TABLE = 4, SEC_MEMORY = 5, SEC_GLOBAL = 6,
       SEC_EXPORT = 7, SEC_START = 8, SEC_ELEM = 9, SEC_CODE = 10, SEC_DATA = 11 };

/* An active segment's offset expression: i32.const v end. */
static void offset_expr(wasm *w, int32_t v)
{
    u8(w, 0x41);
    sleb(w, v);
    u8(w, 0x0b);
}

/* Stores and modules a test creates are registered here and freed by the
 * teardown, so a failing test does not leave address space reserved for the
 * tests after it. */
typedef struct fixture {
    rf_store *stores[16];
    size_t nstores;
    rf_module *modules[16];
    size_t nmodules;
} fixture;

static fixture fx;

static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof fx);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    while (fx.nstores > 0)
        rf_store_free(fx.stores[--fx.nstores]);
    while (fx.nmodules > 0)
        rf_module_free(fx.modules[--fx.nmodules]);
    return 0;
}

static rf_store *new_store(const rf_store_config *cfg)
{
    rf_error err;
    rf_store *s = rf_store_new(cfg, &err);
    if (!s)
        fail_msg("store: %s", err.message);
    assert_true(fx.nstores < 16);
    fx.stores[fx.nstores++] = s;
    return s;
}

static rf_module *keep_module(rf_module *m)
{
    assert_non_null(m);
    assert_true(fx.nmodules < 16);
    fx.modules[fx.nmodules++] = m;
    return m;
}

static rf_module *load(const wasm *w)
{
    rf_error err;
    rf_module *m = rf_module_load(w->b, w->n, NULL, &err);
    if (!m)
        fail_msg("module did not load: %s", err.message);
    return keep_module(m);
}

/* Objects of `kind` tracked by the store. */
static size_t count_objects(const rf_store *s, int kind)
{
    size_t n = 0;
    for (const rf_alloc_node *a = s->objects; a; a = a->next)
        n += a->kind == kind;
    return n;
}

static uint64_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    unsigned long size = 0, resident = 0;
    assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* ---- the small module: (memory 1) (func (export "f") (result i32) i32.const 42) ---- */

static void small_module(wasm *w)
{
    static const uint8_t types[] = { 1, 0x60, 0, 1, 0x7f };
    static const uint8_t funcs[] = { 1, 0 };
    static const uint8_t mems[] = { 1, 0x00, 1 };
    static const uint8_t exports[] = { 2, 1, 'f', 0x00, 0, 3, 'm', 'e', 'm', 0x02, 0 };
    static const uint8_t code[] = { 1, 4, 0, 0x41, 42, 0x0b };
    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_FUNC, funcs, sizeof funcs);
    section(w, SEC_MEMORY, mems, sizeof mems);
    section(w, SEC_EXPORT, exports, sizeof exports);
    section(w, SEC_CODE, code, sizeof code);
}

static void instantiate_small_module(void **state)
{
    (void)state;
    wasm w;
    small_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    rf_error err;
    rf_instance *inst = rf_instantiate(s, m, NULL, 0, &err);
    assert_non_null(inst);
    assert_int_equal(err.kind, RF_OK);
    assert_ptr_equal(rf_instance_module(inst), m);

    rf_extern x;
    assert_true(rf_instance_export(inst, "f", 1, &x));
    assert_int_equal(x.kind, RF_EXTERN_FUNC);
    assert_ptr_equal(x.of.func->instance, inst);
    assert_int_equal(x.of.func->index, 0);
    assert_non_null(x.of.func->code);
    rf_signature sig = rf_func_signature(x.of.func);
    assert_int_equal(sig.nparams, 0);
    assert_int_equal(sig.nresults, 1);
    assert_int_equal(sig.results[0], RF_I32);

    assert_true(rf_instance_export(inst, "mem", 3, &x));
    assert_int_equal(x.kind, RF_EXTERN_MEMORY);
    assert_ptr_equal(x.of.memory, inst->mem0);
    assert_int_equal(rf_memory_size(x.of.memory), 65536);
    assert_false(rf_instance_export(inst, "me", 2, &x));
    assert_false(rf_instance_export(inst, "f\0", 2, &x));
    assert_false(rf_instance_export(inst, "", 0, &x));
}

/* Needs the interpreter: calls the exported function. */
static void call_exported_function(void **state)
{
    (void)state;
    wasm w;
    small_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    rf_error err;
    rf_instance *inst = rf_instantiate(s, m, NULL, 0, &err);
    assert_non_null(inst);
    rf_extern x;
    assert_true(rf_instance_export(inst, "f", 1, &x));
    rf_value r[1];
    assert_int_equal(rf_call(x.of.func, NULL, 0, r, 1, &err), RF_OK);
    assert_int_equal(r[0].type, RF_I32);
    assert_int_equal(r[0].of.i32, 42);
}

/*
 * 10,000 live instances of the small module in one store. Each memory
 * reserves its effective maximum of address space, but only the pages
 * touched and the bookkeeping are resident. Returns false when the address
 * space ran out (allowed only when `may_run_out`, after 1000 instances).
 */
static bool many_instances(rf_store *s, int n, bool may_run_out)
{
    wasm w;
    small_module(&w);
    rf_module *m = load(&w);
    rf_error err;
    uint64_t before = rss_bytes();
    rf_instance *first = NULL, *last = NULL;
    for (int i = 0; i < n; i++) {
        last = rf_instantiate(s, m, NULL, 0, &err);
        if (!last && may_run_out && i >= 1000 && err.kind == RF_ERR_NOMEM) {
            printf("# address space exhausted after %d instances (%s)\n", i, err.message);
            return false;
        }
        if (!last)
            fail_msg("instance %d: %s", i, err.message);
        if (!first)
            first = last;
        uint8_t b = (uint8_t)i; /* touch one byte of each memory */
        assert_true(rf_memory_write(last->mem0, 0, &b, 1));
    }
    uint64_t after = rss_bytes();
    uint64_t delta = after > before ? after - before : 0;
    char limit[32];
    snprintf(limit, sizeof limit, "%llu KiB",
             (unsigned long long)(s->config.memory_limit / 1024));
    printf("# %d instances (memory limit %s): RSS %llu KiB -> %llu KiB (+%llu KiB, %llu bytes "
           "per instance)\n",
           n, limit, (unsigned long long)(before / 1024), (unsigned long long)(after / 1024),
           (unsigned long long)(delta / 1024), (unsigned long long)(delta / (uint64_t)n));
    assert_int_equal(count_objects(s, RF_OBJ_INSTANCE), (size_t)n);
    assert_int_equal(count_objects(s, RF_OBJ_MEMORY), (size_t)n);
    /* bookkeeping plus one touched 4 KiB page per instance, with room to spare */
    if (!UNDER_VALGRIND())
        assert_true(delta < (uint64_t)n * 12 * 1024);
    /* distinct memories that do not overlap */
    assert_ptr_not_equal(first->mem0, last->mem0);
    uint8_t a = 1, b = 2, back = 0;
    assert_true(rf_memory_write(first->mem0, 100, &a, 1));
    assert_true(rf_memory_write(last->mem0, 100, &b, 1));
    assert_true(rf_memory_read(first->mem0, 100, &back, 1));
    assert_int_equal(back, 1);
    return true;
}

/* With a 1 MiB memory limit: 10,000 x 1 MiB of address space, which also fits
 * under valgrind (its address space is limited to about 128 GiB). */
static void ten_thousand_instances(void **state)
{
    (void)state;
    rf_store_config cfg = { 0 };
    cfg.memory_limit = 1024 * 1024;
    assert_true(many_instances(new_store(&cfg), 10000, false));
}

/* With the default 16 MiB limit: 160 GiB of address space, no RSS. Skipped
 * where the address space is restricted (valgrind, ulimit -v). */
static void ten_thousand_instances_default_limit(void **state)
{
    (void)state;
    if (!many_instances(new_store(NULL), 10000, true))
        skip();
}

static void instantiate_free_cycles(void **state)
{
    (void)state;
    wasm w;
    small_module(&w);
    rf_module *m = load(&w); /* freed by the teardown */
    for (int cycle = 0; cycle < 200; cycle++) {
        rf_store *s = rf_store_new(NULL, NULL);
        assert_non_null(s);
        for (int i = 0; i < 5; i++)
            assert_non_null(rf_instantiate(s, m, NULL, 0, NULL));
        rf_store_free(s);
    }
}

/* ---- linking ---- */

/*
 * imports: 0 "env"."f"      func (i32) -> (i32)
 *          1 "env"."table"  table funcref, min 2, max 10
 *          2 "env"."memory" memory, min 2
 *          3 "env"."g"      global mut i32
 */
static void four_import_module(wasm *w)
{
    static const uint8_t types[] = { 1, 0x60, 1, 0x7f, 1, 0x7f };
    static const uint8_t imports[] = {
        4,
        3, 'e', 'n', 'v', 1, 'f', 0x00, 0,
        3, 'e', 'n', 'v', 5, 't', 'a', 'b', 'l', 'e', 0x01, 0x70, 0x01, 2, 10,
        3, 'e', 'n', 'v', 6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 2,
        3, 'e', 'n', 'v', 1, 'g', 0x03, 0x7f, 0x01,
    };
    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_IMPORT, imports, sizeof imports);
}

static rf_error_kind identity(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                              rf_error *err)
{
    (void)c, (void)user, (void)err;
    results[0] = args[0];
    return RF_OK;
}

typedef struct four {
    rf_func *f;
    rf_table *table;
    rf_memory *memory;
    rf_global *g;
    rf_extern ext[4];
} four;

/* Externs that satisfy four_import_module. */
static void good_imports(rf_store *s, four *x)
{
    static const rf_valtype i32[] = { RF_I32 };
    rf_signature sig = { 1, i32, 1, i32 };
    rf_error err;
    x->f = rf_func_new_host(s, &sig, identity, NULL);
    rf_limits_desc tl = { 2, 10, true };
    x->table = rf_table_new(s, RF_FUNCREF, tl, NULL, &err);
    rf_limits_desc ml = { 2, 0, false };
    x->memory = rf_memory_new(s, ml, &err);
    x->g = rf_global_new(s, RF_I32, true, rf_val_i32(3), &err);
    assert_non_null(x->f);
    assert_non_null(x->table);
    assert_non_null(x->memory);
    assert_non_null(x->g);
    x->ext[0].kind = RF_EXTERN_FUNC;
    x->ext[0].of.func = x->f;
    x->ext[1].kind = RF_EXTERN_TABLE;
    x->ext[1].of.table = x->table;
    x->ext[2].kind = RF_EXTERN_MEMORY;
    x->ext[2].of.memory = x->memory;
    x->ext[3].kind = RF_EXTERN_GLOBAL;
    x->ext[3].of.global = x->g;
}

/* Instantiate with `ext`, expect failure of `kind` with `text` in the message. */
static void expect_link_failure(rf_store *s, const rf_module *m, const rf_extern *ext, size_t n,
                                rf_error_kind kind, const char *text)
{
    rf_error err;
    size_t before = count_objects(s, RF_OBJ_INSTANCE);
    assert_null(rf_instantiate(s, m, ext, n, &err));
    assert_int_equal(err.kind, kind);
    if (!strstr(err.message, text))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, text);
    assert_int_equal(count_objects(s, RF_OBJ_INSTANCE), before);
}

static void linking_accepts_matching_imports(void **state)
{
    (void)state;
    wasm w;
    four_import_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    four x;
    good_imports(s, &x);
    rf_error err;
    rf_instance *inst = rf_instantiate(s, m, x.ext, 4, &err);
    assert_non_null(inst);
    assert_ptr_equal(inst->funcs[0], x.f);
    assert_ptr_equal(inst->tables[0], x.table);
    assert_ptr_equal(inst->memories[0], x.memory);
    assert_ptr_equal(inst->mem0, x.memory);
    assert_ptr_equal(inst->globals[0], x.g);
}

static void linking_rejects_wrong_kind_and_type(void **state)
{
    (void)state;
    wasm w;
    four_import_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    four x;
    good_imports(s, &x);
    rf_extern ext[4];

    /* wrong kind */
    memcpy(ext, x.ext, sizeof ext);
    ext[0] = x.ext[2];
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "link error: import 0 \"env\".\"f\": incompatible import type: "
                        "expected a func, provided a memory");

    /* wrong function type */
    static const rf_valtype i64[] = { RF_I64 }, i32[] = { RF_I32 };
    rf_signature sig = { 1, i32, 1, i64 };
    memcpy(ext, x.ext, sizeof ext);
    ext[0].of.func = rf_func_new_host(s, &sig, identity, NULL);
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "import 0 \"env\".\"f\": incompatible import type: expected func (i32) "
                        "-> (i32), provided func (i32) -> (i64)");

    /* global mutability and type */
    rf_error err;
    memcpy(ext, x.ext, sizeof ext);
    ext[3].of.global = rf_global_new(s, RF_I32, false, rf_val_i32(0), &err);
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "import 3 \"env\".\"g\": incompatible import type: expected mutable "
                        "global of type i32, provided immutable global of type i32");
    ext[3].of.global = rf_global_new(s, RF_I64, true, rf_val_i64(0), &err);
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "expected mutable global of type i32, provided mutable global of type i64");

    /* table element type */
    rf_limits_desc tl = { 2, 10, true };
    memcpy(ext, x.ext, sizeof ext);
    ext[1].of.table = rf_table_new(s, RF_EXTERNREF, tl, NULL, &err);
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "import 1 \"env\".\"table\": incompatible import type: expected table "
                        "of funcref with at least 2 elements and at most 10 elements, provided "
                        "table of externref has 2 elements and a maximum of 10 elements");

    /* API misuse: count, NULL object, another store */
    expect_link_failure(s, m, x.ext, 3, RF_ERR_ARG, "the module has 4 imports but 3 externs");
    memcpy(ext, x.ext, sizeof ext);
    ext[2].of.memory = NULL;
    expect_link_failure(s, m, ext, 4, RF_ERR_ARG, "import 2 \"env\".\"memory\": the provided "
                                                  "memory is NULL");
    rf_store *other = new_store(NULL);
    four y;
    good_imports(other, &y);
    memcpy(ext, x.ext, sizeof ext);
    ext[3] = y.ext[3];
    expect_link_failure(s, m, ext, 4, RF_ERR_ARG, "the provided global belongs to another store");
}

/* Table and memory limits compare against the current size. */
static void linking_checks_limits(void **state)
{
    (void)state;
    wasm w;
    four_import_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    four x;
    good_imports(s, &x);
    rf_extern ext[4];
    rf_error err;

    /* memory of 1 page: too small, until it grows */
    rf_limits_desc one = { 1, 0, false };
    rf_memory *small = rf_memory_new(s, one, &err);
    memcpy(ext, x.ext, sizeof ext);
    ext[2].of.memory = small;
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "link error: import 2 \"env\".\"memory\": incompatible import type: "
                        "expected memory with at least 2 pages, provided memory has 1 page");
    assert_int_equal(rf_memory_grow(small, 1), 1);
    assert_non_null(rf_instantiate(s, m, ext, 4, &err));

    /* table of 1 element (max 10): too small, until it grows */
    rf_limits_desc t1 = { 1, 10, true };
    rf_table *t = rf_table_new(s, RF_FUNCREF, t1, NULL, &err);
    memcpy(ext, x.ext, sizeof ext);
    ext[1].of.table = t;
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "provided table of funcref has 1 element and a maximum of 10 elements");
    assert_int_equal(rf_table_grow(t, 1, NULL), 1);
    assert_non_null(rf_instantiate(s, m, ext, 4, &err));

    /* table maximum: none, or larger than the import's */
    rf_limits_desc nomax = { 2, 0, false };
    ext[1].of.table = rf_table_new(s, RF_FUNCREF, nomax, NULL, &err);
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK,
                        "expected table of funcref with at least 2 elements and at most 10 "
                        "elements, provided table of funcref has 2 elements and no maximum");
    rf_limits_desc bigmax = { 2, 11, true };
    ext[1].of.table = rf_table_new(s, RF_FUNCREF, bigmax, NULL, &err);
    expect_link_failure(s, m, ext, 4, RF_ERR_LINK, "and a maximum of 11 elements");
    rf_limits_desc smallmax = { 3, 9, true };
    ext[1].of.table = rf_table_new(s, RF_FUNCREF, smallmax, NULL, &err);
    assert_non_null(rf_instantiate(s, m, ext, 4, &err));
}

/* (import "env" "memory" (memory 1 4)) */
static void memory_max_import_module(wasm *w)
{
    static const uint8_t imports[] = {
        1, 3, 'e', 'n', 'v', 6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x01, 1, 4,
    };
    header(w);
    section(w, SEC_IMPORT, imports, sizeof imports);
}

static void linking_checks_memory_maximum(void **state)
{
    (void)state;
    wasm w;
    memory_max_import_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    rf_error err;
    rf_extern x;
    x.kind = RF_EXTERN_MEMORY;

    rf_limits_desc nomax = { 1, 0, false };
    x.of.memory = rf_memory_new(s, nomax, &err);
    expect_link_failure(s, m, &x, 1, RF_ERR_LINK,
                        "expected memory with at least 1 page and at most 4 pages, provided "
                        "memory has 1 page and no maximum");
    rf_limits_desc max5 = { 2, 5, true };
    x.of.memory = rf_memory_new(s, max5, &err);
    expect_link_failure(s, m, &x, 1, RF_ERR_LINK,
                        "provided memory has 2 pages and a maximum of 5 pages");
    rf_limits_desc max4 = { 4, 4, true };
    x.of.memory = rf_memory_new(s, max4, &err);
    assert_non_null(rf_instantiate(s, m, &x, 1, &err));
    rf_limits_desc max0 = { 0, 0, true };
    x.of.memory = rf_memory_new(s, max0, &err);
    expect_link_failure(s, m, &x, 1, RF_ERR_LINK, "provided memory has 0 pages and a maximum of "
                                                  "0 pages");
}

/* ---- segments ---- */

/*
 * (import "env" "table" (table 1 funcref)) (import "env" "memory" (memory 1))
 * (func) ; index 0
 * (elem (i32.const e0) func 0) (elem (i32.const e1) func 0 0)
 * (data (i32.const d0) "abc") (data (i32.const d1) "xy")
 */
static void segment_module(wasm *w, int32_t e0, int32_t e1, int32_t d0, int32_t d1)
{
    static const uint8_t types[] = { 1, 0x60, 0, 0 };
    static const uint8_t imports[] = {
        2,
        3, 'e', 'n', 'v', 5, 't', 'a', 'b', 'l', 'e', 0x01, 0x70, 0x00, 1,
        3, 'e', 'n', 'v', 6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 1,
    };
    static const uint8_t funcs[] = { 1, 0 };
    static const uint8_t code[] = { 1, 2, 0, 0x0b };
    wasm elem = { .n = 0 }, data = { .n = 0 };
    u8(&elem, 2);
    u8(&elem, 0x00);
    offset_expr(&elem, e0);
    emit(&elem, "\1\0", 2);
    u8(&elem, 0x00);
    offset_expr(&elem, e1);
    emit(&elem, "\2\0\0", 3);
    u8(&data, 2);
    u8(&data, 0x00);
    offset_expr(&data, d0);
    name(&data, "abc", 3);
    u8(&data, 0x00);
    offset_expr(&data, d1);
    name(&data, "xy", 2);

    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_IMPORT, imports, sizeof imports);
    section(w, SEC_FUNC, funcs, sizeof funcs);
    section_of(w, SEC_ELEM, &elem);
    section(w, SEC_CODE, code, sizeof code);
    section_of(w, SEC_DATA, &data);
}

typedef struct seg_env {
    rf_store *store;
    rf_table *table;
    rf_memory *memory;
    rf_extern ext[2];
} seg_env;

static void seg_env_new(seg_env *e, uint64_t table_size)
{
    rf_error err;
    e->store = new_store(NULL);
    rf_limits_desc tl = { table_size, 0, false }, ml = { 1, 0, false };
    e->table = rf_table_new(e->store, RF_FUNCREF, tl, NULL, &err);
    e->memory = rf_memory_new(e->store, ml, &err);
    assert_non_null(e->table);
    assert_non_null(e->memory);
    e->ext[0].kind = RF_EXTERN_TABLE;
    e->ext[0].of.table = e->table;
    e->ext[1].kind = RF_EXTERN_MEMORY;
    e->ext[1].of.memory = e->memory;
}

static void segments_apply_in_order(void **state)
{
    (void)state;
    wasm w;
    segment_module(&w, 0, 1, 10, 12); /* "xy" overwrites the "c" of "abc" */
    rf_module *m = load(&w);
    seg_env e;
    seg_env_new(&e, 3);
    rf_error err;
    rf_instance *inst = rf_instantiate(e.store, m, e.ext, 2, &err);
    assert_non_null(inst);
    void *ref;
    assert_true(rf_table_get(e.table, 0, &ref));
    assert_ptr_equal(ref, inst->funcs[0]);
    assert_true(rf_table_get(e.table, 2, &ref));
    assert_ptr_equal(ref, inst->funcs[0]);
    char got[5] = { 0 };
    assert_true(rf_memory_read(e.memory, 10, got, 4));
    assert_string_equal(got, "abxy");
    /* active segments are dropped afterwards */
    assert_int_equal(inst->elems[0].count, 0);
    assert_int_equal(inst->elems[1].count, 0);
    assert_true(inst->data_dropped[0]);
    assert_true(inst->data_dropped[1]);
}

/* A data segment out of bounds traps; the element segments and the earlier
 * data segment stay written, and the functions they stored stay alive. */
static void data_trap_leaves_earlier_writes(void **state)
{
    (void)state;
    wasm w;
    segment_module(&w, 0, 1, 100, 65535);
    rf_module *m = load(&w);
    seg_env e;
    seg_env_new(&e, 3);
    rf_error err;
    size_t before = count_objects(e.store, RF_OBJ_INSTANCE);
    assert_null(rf_instantiate(e.store, m, e.ext, 2, &err));
    assert_int_equal(err.kind, RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_MEMORY_OOB);
    assert_true(strncmp(err.message, "out of bounds memory access", 27) == 0);
    assert_non_null(strstr(err.message, "data segment 1"));
    assert_non_null(strstr(err.message, "writes 2 bytes at address 65535"));

    char got[4] = { 0 };
    assert_true(rf_memory_read(e.memory, 100, got, 3));
    assert_string_equal(got, "abc");
    uint8_t last = 0xee;
    assert_true(rf_memory_read(e.memory, 65535, &last, 1));
    assert_int_equal(last, 0); /* the failing segment wrote nothing */
    void *ref = NULL;
    assert_true(rf_table_get(e.table, 1, &ref));
    assert_non_null(ref);
    const rf_func *f = ref;
    assert_int_equal(f->index, 0);
    assert_ptr_equal(f->store, e.store);
    /* the failed instance stays registered, keeping that function alive */
    assert_int_equal(count_objects(e.store, RF_OBJ_INSTANCE), before + 1);
}

/* An element segment out of bounds traps before any data segment is applied. */
static void elem_trap_comes_before_data(void **state)
{
    (void)state;
    wasm w;
    segment_module(&w, 0, 2, 0, 3); /* second segment: 2 elements at 2 in a table of 3 */
    rf_module *m = load(&w);
    seg_env e;
    seg_env_new(&e, 3);
    rf_error err;
    assert_null(rf_instantiate(e.store, m, e.ext, 2, &err));
    assert_int_equal(err.kind, RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_TABLE_OOB);
    assert_true(strncmp(err.message, "out of bounds table access", 26) == 0);
    void *ref = NULL;
    assert_true(rf_table_get(e.table, 0, &ref));
    assert_non_null(ref); /* the first segment was applied */
    assert_true(rf_table_get(e.table, 2, &ref));
    assert_null(ref);     /* the second was not, not even partly */
    uint8_t b = 0xee;
    assert_true(rf_memory_read(e.memory, 0, &b, 1));
    assert_int_equal(b, 0); /* no data segment ran */
}

/* Bounds are exact: a segment may end at the very end, and an empty segment
 * may start there, but not one past it. Offsets are unsigned. */
static void segment_bounds_are_exact(void **state)
{
    (void)state;
    wasm w;
    rf_error err;
    seg_env e;

    segment_module(&w, 0, 1, 65536 - 3, 65536 - 2); /* both end exactly at 64 KiB */
    rf_module *m = load(&w);
    seg_env_new(&e, 3);                               /* elements end exactly at 3 */
    assert_non_null(rf_instantiate(e.store, m, e.ext, 2, &err));

    segment_module(&w, 0, 1, 0, -1); /* offset 0xffffffff */
    m = load(&w);
    seg_env_new(&e, 3);
    assert_null(rf_instantiate(e.store, m, e.ext, 2, &err));
    assert_int_equal(err.trap, RF_TRAP_MEMORY_OOB);
    assert_non_null(strstr(err.message, "at address 4294967295 of memory 0, which has 65536 bytes"));

    segment_module(&w, 0, 1, 0, 0);
    m = load(&w);
    seg_env_new(&e, 2); /* second element segment ends at 3 > 2 */
    assert_null(rf_instantiate(e.store, m, e.ext, 2, &err));
    assert_int_equal(err.trap, RF_TRAP_TABLE_OOB);
}

/* ---- globals, element kinds, data modes, exports with NUL ---- */

/*
 * (import "env" "base" (global i32)) (import "env" "ext" (global externref))
 * (table 2 funcref) (memory 1) (func)
 * (global i32 (global.get 0)) (global (mut i64) (i64.const -1))
 * (global f32 (f32.const nan:0x400001)) (global funcref (ref.func 0))
 * (global (mut externref) (ref.null extern))
 * exports "a\0b" = func 0, "a" = global 2, "g" = global 2 .. 6 as "g2".."g6"
 * (elem externref (global.get 1) (ref.null extern))   ; passive
 * (elem (i32.const 1) func 0)                         ; active
 * (elem declare func 0)                               ; declarative
 * (data (i32.const 10) "hi") (data "zz")              ; active, passive
 */
static void globals_module(wasm *w)
{
    static const uint8_t types[] = { 1, 0x60, 0, 0 };
    static const uint8_t imports[] = {
        2,
        3, 'e', 'n', 'v', 4, 'b', 'a', 's', 'e', 0x03, 0x7f, 0x00,
        3, 'e', 'n', 'v', 3, 'e', 'x', 't', 0x03, 0x6f, 0x00,
    };
    static const uint8_t funcs[] = { 1, 0 };
    static const uint8_t tables[] = { 1, 0x70, 0x00, 2 };
    static const uint8_t mems[] = { 1, 0x00, 1 };
    static const uint8_t globals[] = {
        5,
        0x7f, 0x00, 0x23, 0x00, 0x0b,
        0x7e, 0x01, 0x42, 0x7f, 0x0b,
        0x7d, 0x00, 0x43, 0x01, 0x00, 0xc0, 0x7f, 0x0b,
        0x70, 0x00, 0xd2, 0x00, 0x0b,
        0x6f, 0x01, 0xd0, 0x6f, 0x0b,
    };
    static const uint8_t exports[] = {
        7,
        3, 'a', 0, 'b', 0x00, 0,
        1, 'a', 0x03, 2,
        2, 'g', '2', 0x03, 2,
        2, 'g', '3', 0x03, 3,
        2, 'g', '4', 0x03, 4,
        2, 'g', '5', 0x03, 5,
        2, 'g', '6', 0x03, 6,
    };
    static const uint8_t elems[] = {
        3,
        0x05, 0x6f, 2, 0x23, 0x01, 0x0b, 0xd0, 0x6f, 0x0b,
        0x00, 0x41, 0x01, 0x0b, 1, 0,
        0x03, 0x00, 1, 0,
    };
    static const uint8_t code[] = { 1, 2, 0, 0x0b };
    static const uint8_t data[] = {
        2,
        0x00, 0x41, 10, 0x0b, 2, 'h', 'i',
        0x01, 2, 'z', 'z',
    };
    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_IMPORT, imports, sizeof imports);
    section(w, SEC_FUNC, funcs, sizeof funcs);
    section(w, SEC_TABLE, tables, sizeof tables);
    section(w, SEC_MEMORY, mems, sizeof mems);
    section(w, SEC_GLOBAL, globals, sizeof globals);
    section(w, SEC_EXPORT, exports, sizeof exports);
    section(w, SEC_ELEM, elems, sizeof elems);
    section(w, SEC_CODE, code, sizeof code);
    section(w, SEC_DATA, data, sizeof data);
}

static rf_global *export_global(rf_instance *inst, const char *n)
{
    rf_extern x;
    assert_true(rf_instance_export(inst, n, strlen(n), &x));
    assert_int_equal(x.kind, RF_EXTERN_GLOBAL);
    return x.of.global;
}

static void globals_segments_and_exports(void **state)
{
    (void)state;
    wasm w;
    globals_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    rf_error err;
    int marker;
    rf_value ev;
    ev.type = RF_EXTERNREF;
    ev.of.ref = &marker;
    rf_extern ext[2];
    ext[0].kind = RF_EXTERN_GLOBAL;
    ext[0].of.global = rf_global_new(s, RF_I32, false, rf_val_i32(0xdeadbeef), &err);
    ext[1].kind = RF_EXTERN_GLOBAL;
    ext[1].of.global = rf_global_new(s, RF_EXTERNREF, false, ev, &err);
    rf_instance *inst = rf_instantiate(s, m, ext, 2, &err);
    if (!inst)
        fail_msg("%s", err.message);

    assert_int_equal(rf_global_get(export_global(inst, "g2")).of.i32, 0xdeadbeef);
    rf_global *g3 = export_global(inst, "g3");
    assert_int_equal(rf_global_get(g3).type, RF_I64);
    assert_int_equal(rf_global_get(g3).of.i64, UINT64_MAX);
    assert_true(g3->mutable_);
    rf_global *g4 = export_global(inst, "g4");
    assert_int_equal(g4->value, 0x7fc00001u);
    assert_false(g4->mutable_);
    assert_ptr_equal(rf_global_get(export_global(inst, "g5")).of.ref, inst->funcs[0]);
    rf_value g6 = rf_global_get(export_global(inst, "g6"));
    assert_int_equal(g6.type, RF_EXTERNREF);
    assert_null(g6.of.ref);

    /* names are compared with their length: "a\0b" and "a" differ */
    rf_extern x;
    assert_true(rf_instance_export(inst, "a\0b", 3, &x));
    assert_int_equal(x.kind, RF_EXTERN_FUNC);
    assert_true(rf_instance_export(inst, "a", 1, &x));
    assert_int_equal(x.kind, RF_EXTERN_GLOBAL);
    assert_false(rf_instance_export(inst, "a\0c", 3, &x));

    /* element segments: passive kept (evaluated), active applied and dropped,
     * declarative dropped */
    assert_int_equal(inst->elems[0].count, 2);
    assert_ptr_equal(inst->elems[0].refs[0], &marker);
    assert_null(inst->elems[0].refs[1]);
    assert_int_equal(inst->elems[1].count, 0);
    assert_int_equal(inst->elems[2].count, 0);
    void *ref;
    assert_true(rf_table_get(inst->tables[0], 1, &ref));
    assert_ptr_equal(ref, inst->funcs[0]);
    assert_true(rf_table_get(inst->tables[0], 0, &ref));
    assert_null(ref);

    /* data: active applied and dropped, passive kept */
    assert_true(inst->data_dropped[0]);
    assert_false(inst->data_dropped[1]);
    char hi[3] = { 0 };
    assert_true(rf_memory_read(inst->mem0, 10, hi, 2));
    assert_string_equal(hi, "hi");
}

/* ---- memory limits at instantiation ---- */

/* (table 1 funcref) (memory 300) */
static void big_memory_module(wasm *w, uint32_t min_pages)
{
    static const uint8_t tables[] = { 1, 0x70, 0x00, 1 };
    wasm mems = { .n = 0 };
    u8(&mems, 1);
    u8(&mems, 0x00);
    uleb(&mems, min_pages);
    header(w);
    section(w, SEC_TABLE, tables, sizeof tables);
    section_of(w, SEC_MEMORY, &mems);
}

static void memory_minimum_above_limit_fails(void **state)
{
    (void)state;
    wasm w;
    big_memory_module(&w, 300);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    rf_alloc_node *before = s->objects;
    rf_error err;
    assert_null(rf_instantiate(s, m, NULL, 0, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_string_equal(err.message, "instantiation: memory 0: memory minimum 300 pages "
                                     "(18.75 MiB) exceeds the memory limit of 16 MiB");
    /* nothing was left behind (the table created before the memory is gone) */
    assert_ptr_equal(s->objects, before);

    /* with a higher limit the same module instantiates */
    rf_store_config cfg = { 0 };
    cfg.memory_limit = 32u * 1024 * 1024;
    s = new_store(&cfg);
    rf_instance *inst = rf_instantiate(s, m, NULL, 0, &err);
    assert_non_null(inst);
    assert_int_equal(rf_memory_size(inst->mem0), 300u * 65536);
    assert_int_equal(rf_memory_get_stats(inst->mem0).limit_bytes, 32u * 1024 * 1024);
    assert_int_equal(rf_memory_grow(inst->mem0, 212), 300);
    assert_int_equal(rf_memory_grow(inst->mem0, 1), -1);

    /* exactly at the limit is fine */
    big_memory_module(&w, 256);
    m = load(&w);
    s = new_store(NULL);
    assert_non_null(rf_instantiate(s, m, NULL, 0, &err));
}

/* ---- start function ---- */

/* (import "env" "start" (func)) (start 0) */
static void start_module(wasm *w)
{
    static const uint8_t types[] = { 1, 0x60, 0, 0 };
    static const uint8_t imports[] = { 1, 3, 'e', 'n', 'v', 5, 's', 't', 'a', 'r', 't', 0x00, 0 };
    static const uint8_t start[] = { 0 };
    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_IMPORT, imports, sizeof imports);
    section(w, SEC_START, start, sizeof start);
}

static rf_error_kind count_calls(rf_caller *c, void *user, const rf_value *args,
                                 rf_value *results, rf_error *err)
{
    (void)c, (void)args, (void)results;
    int *calls = user;
    if (++*calls > 1) {
        snprintf(err->message, sizeof err->message, "second call");
        return RF_ERR_HOST;
    }
    return RF_OK;
}

static void start_function_runs_once(void **state)
{
    (void)state;
    wasm w;
    start_module(&w);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    int calls = 0;
    rf_signature sig = { 0, NULL, 0, NULL };
    rf_extern x;
    x.kind = RF_EXTERN_FUNC;
    x.of.func = rf_func_new_host(s, &sig, count_calls, &calls);
    rf_error err;
    assert_non_null(rf_instantiate(s, m, &x, 1, &err));
    assert_int_equal(calls, 1);

    /* the second instance's start traps: NULL, the trap, the instance kept */
    size_t before = count_objects(s, RF_OBJ_INSTANCE);
    assert_null(rf_instantiate(s, m, &x, 1, &err));
    assert_int_equal(calls, 2);
    assert_int_equal(err.kind, RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_HOST);
    assert_string_equal(err.message, "second call");
    assert_int_equal(count_objects(s, RF_OBJ_INSTANCE), before + 1);
}

/* ---- calls across the wasm / host boundary (need the interpreter) ---- */

/*
 * (import "env" "h" (func $h (param i32) (result i32)))
 * (import "env" "memory" (memory 1))
 * (func (export "call_h") (param i32) (result i32) (call $h (local.get 0)))
 * (func (export "spin") (loop (br 0)))
 * (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
 */
static void caller_module(wasm *w)
{
    static const uint8_t types[] = { 2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 0, 0 };
    static const uint8_t imports[] = {
        2,
        3, 'e', 'n', 'v', 1, 'h', 0x00, 0,
        3, 'e', 'n', 'v', 6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 1,
    };
    static const uint8_t funcs[] = { 3, 0, 1, 0 };
    static const uint8_t exports[] = {
        3,
        6, 'c', 'a', 'l', 'l', '_', 'h', 0x00, 1,
        4, 's', 'p', 'i', 'n', 0x00, 2,
        6, 'd', 'o', 'u', 'b', 'l', 'e', 0x00, 3,
    };
    static const uint8_t code[] = {
        3,
        6, 0, 0x20, 0x00, 0x10, 0x00, 0x0b,
        7, 0, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
        7, 0, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b,
    };
    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_IMPORT, imports, sizeof imports);
    section(w, SEC_FUNC, funcs, sizeof funcs);
    section(w, SEC_EXPORT, exports, sizeof exports);
    section(w, SEC_CODE, code, sizeof code);
}

typedef struct host_probe {
    rf_instance *instance;
    rf_memory *memory;
    rf_store *store;
    uint32_t api_calls;
    rf_func *dbl;            /* "double", called back from the host */
} host_probe;

/* h(x): 7 -> double(21) through a nested rf_call; 13 -> host error;
 * 99 -> exit 3; otherwise x + 1. Records the caller context. */
static rf_error_kind h(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                       rf_error *err)
{
    host_probe *p = user;
    p->instance = rf_caller_instance(c);
    p->memory = rf_caller_memory(c);
    p->store = rf_caller_store(c);
    p->api_calls = p->store->api_calls;
    uint32_t x = args[0].of.i32;
    if (x == 13) {
        snprintf(err->message, sizeof err->message, "unlucky number %u", x);
        return RF_ERR_HOST;
    }
    if (x == 99) {
        err->exit_code = 3;
        return RF_ERR_EXIT;
    }
    if (x == 7) {
        rf_value a = rf_val_i32(21);
        return rf_call(p->dbl, &a, 1, results, 1, err);
    }
    results[0] = rf_val_i32(x + 1);
    return RF_OK;
}

typedef struct caller_env {
    rf_store *store;
    rf_instance *inst;
    rf_memory *memory;
    host_probe probe;
    rf_func *call_h, *spin;
} caller_env;

static void caller_env_new(caller_env *e)
{
    wasm w;
    caller_module(&w);
    rf_module *m = load(&w);
    memset(e, 0, sizeof *e);
    e->store = new_store(NULL);
    static const rf_valtype i32[] = { RF_I32 };
    rf_signature sig = { 1, i32, 1, i32 };
    rf_error err;
    rf_extern ext[2];
    ext[0].kind = RF_EXTERN_FUNC;
    ext[0].of.func = rf_func_new_host(e->store, &sig, h, &e->probe);
    rf_limits_desc ml = { 1, 0, false };
    e->memory = rf_memory_new(e->store, ml, &err);
    ext[1].kind = RF_EXTERN_MEMORY;
    ext[1].of.memory = e->memory;
    e->inst = rf_instantiate(e->store, m, ext, 2, &err);
    if (!e->inst)
        fail_msg("%s", err.message);
    rf_extern x;
    assert_true(rf_instance_export(e->inst, "call_h", 6, &x));
    e->call_h = x.of.func;
    assert_true(rf_instance_export(e->inst, "spin", 4, &x));
    e->spin = x.of.func;
    assert_true(rf_instance_export(e->inst, "double", 6, &x));
    e->probe.dbl = x.of.func;
}

static void host_sees_its_caller(void **state)
{
    (void)state;
    caller_env e;
    caller_env_new(&e);
    rf_value a = rf_val_i32(41), r[1];
    rf_error err;
    assert_int_equal(rf_call(e.call_h, &a, 1, r, 1, &err), RF_OK);
    assert_int_equal(r[0].of.i32, 42);
    assert_ptr_equal(e.probe.instance, e.inst);
    assert_ptr_equal(e.probe.memory, e.memory);
    assert_ptr_equal(e.probe.store, e.store);
    assert_int_equal(e.probe.api_calls, 1);
}

/* wasm -> host -> rf_call -> wasm */
static void host_can_call_back_into_wasm(void **state)
{
    (void)state;
    caller_env e;
    caller_env_new(&e);
    rf_value a = rf_val_i32(7), r[1];
    rf_error err;
    assert_int_equal(rf_call(e.call_h, &a, 1, r, 1, &err), RF_OK);
    assert_int_equal(r[0].of.i32, 42);
    assert_int_equal(e.store->api_calls, 0);
    /* and the store is usable afterwards */
    a = rf_val_i32(1);
    assert_int_equal(rf_call(e.call_h, &a, 1, r, 1, &err), RF_OK);
    assert_int_equal(r[0].of.i32, 2);
}

static void host_errors_propagate_through_wasm(void **state)
{
    (void)state;
    caller_env e;
    caller_env_new(&e);
    rf_value a = rf_val_i32(13), r[1] = { rf_val_i32(555) };
    rf_error err;
    assert_int_equal(rf_call(e.call_h, &a, 1, r, 1, &err), RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_HOST);
    assert_non_null(strstr(err.message, "unlucky number 13"));
    assert_int_equal(r[0].of.i32, 555);

    a = rf_val_i32(99);
    assert_int_equal(rf_call(e.call_h, &a, 1, r, 1, &err), RF_ERR_EXIT);
    assert_int_equal(err.exit_code, 3);
    assert_int_equal(e.store->api_calls, 0);
}

/* The deadline set by the top-level rf_call stops a wasm loop. */
static void timeout_stops_a_loop(void **state)
{
    (void)state;
    caller_env e;
    caller_env_new(&e);
    rf_store_set_timeout_ms(e.store, 50);
    rf_error err;
    assert_int_equal(rf_call(e.spin, NULL, 0, NULL, 0, &err), RF_ERR_INTERRUPTED);
    assert_int_equal(err.kind, RF_ERR_INTERRUPTED);
    /* a fresh top-level call gets a fresh deadline */
    rf_value a = rf_val_i32(1), r[1];
    assert_int_equal(rf_call(e.call_h, &a, 1, r, 1, &err), RF_OK);
}

/*
 * (memory (export "mem") 1)
 * (func $s (i32.store8 (i32.const 0) (i32.const 42)) <tail>) (start $s)
 * with <tail> = nothing or unreachable
 */
static void wasm_start_module(wasm *w, bool trap)
{
    static const uint8_t types[] = { 1, 0x60, 0, 0 };
    static const uint8_t funcs[] = { 1, 0 };
    static const uint8_t mems[] = { 1, 0x00, 1 };
    static const uint8_t exports[] = { 1, 3, 'm', 'e', 'm', 0x02, 0 };
    static const uint8_t start[] = { 0 };
    static const uint8_t code_ok[] = { 1, 9, 0, 0x41, 0, 0x41, 42, 0x3a, 0, 0, 0x0b };
    static const uint8_t code_trap[] = { 1, 10, 0, 0x41, 0, 0x41, 42, 0x3a, 0, 0, 0x00, 0x0b };
    header(w);
    section(w, SEC_TYPE, types, sizeof types);
    section(w, SEC_FUNC, funcs, sizeof funcs);
    section(w, SEC_MEMORY, mems, sizeof mems);
    section(w, SEC_EXPORT, exports, sizeof exports);
    section(w, SEC_START, start, sizeof start);
    if (trap)
        section(w, SEC_CODE, code_trap, sizeof code_trap);
    else
        section(w, SEC_CODE, code_ok, sizeof code_ok);
}

static void wasm_start_function(void **state)
{
    (void)state;
    wasm w;
    wasm_start_module(&w, false);
    rf_module *m = load(&w);
    rf_store *s = new_store(NULL);
    rf_error err;
    rf_instance *inst = rf_instantiate(s, m, NULL, 0, &err);
    if (!inst)
        fail_msg("%s", err.message);
    assert_int_equal(rf_memory_data(inst->mem0)[0], 42);

    wasm_start_module(&w, true);
    m = load(&w);
    size_t before = count_objects(s, RF_OBJ_INSTANCE);
    assert_null(rf_instantiate(s, m, NULL, 0, &err));
    assert_int_equal(err.kind, RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_UNREACHABLE);
    assert_int_equal(count_objects(s, RF_OBJ_INSTANCE), before + 1);
}

/* A function a failed instantiation stored in an imported table can still be called. */
static void functions_of_failed_instances_stay_callable(void **state)
{
    (void)state;
    wasm w;
    segment_module(&w, 0, 1, 100, 65535);
    rf_module *m = load(&w);
    seg_env e;
    seg_env_new(&e, 3);
    rf_error err;
    assert_null(rf_instantiate(e.store, m, e.ext, 2, &err));
    void *ref = NULL;
    assert_true(rf_table_get(e.table, 1, &ref));
    assert_non_null(ref);
    assert_int_equal(rf_call(ref, NULL, 0, NULL, 0, &err), RF_OK);
}

static void validate_only_modules_cannot_be_instantiated(void **state)
{
    (void)state;
    wasm w;
    small_module(&w);
    rf_load_options opts = { .validate_only = true };
    rf_error err;
    rf_module *m = keep_module(rf_module_load(w.b, w.n, &opts, &err));
    rf_store *s = new_store(NULL);
    assert_null(rf_instantiate(s, m, NULL, 0, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "validate_only"));
    assert_null(rf_instantiate(NULL, m, NULL, 0, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_null(rf_instantiate(s, NULL, NULL, 0, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(instantiate_small_module, setup, teardown),
        /* needs the interpreter: */
        cmocka_unit_test_setup_teardown(call_exported_function, setup, teardown),
        cmocka_unit_test_setup_teardown(ten_thousand_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(ten_thousand_instances_default_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(instantiate_free_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(linking_accepts_matching_imports, setup, teardown),
        cmocka_unit_test_setup_teardown(linking_rejects_wrong_kind_and_type, setup, teardown),
        cmocka_unit_test_setup_teardown(linking_checks_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(linking_checks_memory_maximum, setup, teardown),
        cmocka_unit_test_setup_teardown(segments_apply_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(data_trap_leaves_earlier_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(elem_trap_comes_before_data, setup, teardown),
        cmocka_unit_test_setup_teardown(segment_bounds_are_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(globals_segments_and_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(memory_minimum_above_limit_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(start_function_runs_once, setup, teardown),
        cmocka_unit_test_setup_teardown(validate_only_modules_cannot_be_instantiated, setup, teardown),
        /* need the interpreter: */
        cmocka_unit_test_setup_teardown(host_sees_its_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(host_can_call_back_into_wasm, setup, teardown),
        cmocka_unit_test_setup_teardown(host_errors_propagate_through_wasm, setup, teardown),
        cmocka_unit_test_setup_teardown(timeout_stops_a_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(wasm_start_function, setup, teardown),
        cmocka_unit_test_setup_teardown(functions_of_failed_instances_stay_callable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
