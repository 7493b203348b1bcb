/*
 * test_store.c — stores and the objects created directly in them: store
 * configuration, interrupt and timeout, host functions called through
 * rf_call (argument checking, value conversion, error mapping, re-entrant
 * calls), function signatures, globals and tables, and what tables cost
 * the store (memory budget, store-wide entry limit).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reflow/engine.h"
#include "runtime.h"

#define MIB (1024u * 1024u)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static rf_func *host(rf_store *s, const rf_valtype *params, uint32_t np, const rf_valtype *results,
                     uint32_t nr, rf_host_fn fn, void *user)
{
    rf_signature sig = { np, params, nr, results };
    rf_func *f = rf_func_new_host(s, &sig, fn, user);
    assert_non_null(f);
    return f;
}

/* ---- store configuration ---- */

static void store_applies_defaults(void **state)
{
    (void)state;
    rf_error err;
    rf_store *s = rf_store_new(NULL, &err);
    assert_non_null(s);
    assert_int_equal(err.kind, RF_OK);
    assert_int_equal(s->config.memory_limit, 16 * MIB);
    assert_int_equal(s->config.memory_ceiling, 100 * MIB);
    assert_int_equal(s->config.max_call_depth, RF_DEFAULT_MAX_CALL_DEPTH);
    assert_int_equal(s->config.stack_slots, RF_DEFAULT_STACK_SLOTS);
    assert_int_equal(s->config.max_table_entries, 10000000);
    rf_store_free(s);

    rf_store_config cfg = { 0 };
    cfg.memory_limit = 32 * MIB;
    cfg.max_call_depth = 77;
    cfg.stack_slots = 4096;
    s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    assert_int_equal(s->config.memory_limit, 32 * MIB);
    assert_int_equal(s->config.memory_ceiling, 100 * MIB);
    assert_int_equal(s->config.max_call_depth, 77);
    assert_int_equal(s->config.stack_slots, 4096);
    rf_store_free(s);
    rf_store_free(NULL);
}

static void store_limit_checks(void **state)
{
    (void)state;
    rf_error err;
    rf_store_config cfg = { 0 };
    cfg.memory_limit = 100 * MIB; /* equal to the ceiling: fine */
    rf_store *s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    rf_store_free(s);

    cfg.memory_limit = 100 * MIB + 1;
    assert_null(rf_store_new(&cfg, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "exceeds the ceiling of 100 MiB"));

    cfg.memory_limit = 300 * MIB;
    cfg.memory_ceiling = 256 * MIB;
    assert_null(rf_store_new(&cfg, &err));
    assert_string_equal(err.message, "memory limit 300 MiB exceeds the ceiling of 256 MiB; "
                                     "raise memory_ceiling explicitly to allow it");

    cfg.memory_ceiling = 512 * MIB;
    s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    rf_store_free(s);

    cfg.memory_limit = 0;
    cfg.memory_ceiling = 8192 * (uint64_t)MIB;
    assert_null(rf_store_new(&cfg, NULL)); /* err may be NULL */
}

/* ---- host functions through rf_call ---- */

static const rf_valtype I32_I32[] = { RF_I32, RF_I32 };
static const rf_valtype I32[] = { RF_I32 };

static rf_error_kind add_i32(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                             rf_error *err)
{
    (void)c, (void)user, (void)err;
    results[0].of.i32 = args[0].of.i32 + args[1].of.i32;
    return RF_OK;
}

static void host_call_converts_values(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_func *add = host(s, I32_I32, 2, I32, 1, add_i32, NULL);
    rf_value args[2] = { rf_val_i32(40), rf_val_i32(0xFFFFFFFFu) };
    rf_value res[1];
    rf_error err;
    assert_int_equal(rf_call(add, args, 2, res, 1, &err), RF_OK);
    assert_int_equal(err.kind, RF_OK);
    assert_int_equal(res[0].type, RF_I32);
    assert_int_equal(res[0].of.i32, 39);
    rf_store_free(s);
}

/* Echo every argument back: checks all value kinds survive the slot round trip. */
static rf_error_kind echo(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                          rf_error *err)
{
    (void)c, (void)err;
    uint32_t n = *(uint32_t *)user;
    for (uint32_t i = 0; i < n; i++)
        results[i] = args[i];
    return RF_OK;
}

static void host_call_round_trips_every_type(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    static const rf_valtype types[] = { RF_I32, RF_I64, RF_F32, RF_F64, RF_FUNCREF, RF_EXTERNREF };
    uint32_t n = 6;
    rf_func *f = host(s, types, n, types, n, echo, &n);
    int marker;
    rf_value args[6];
    args[0] = rf_val_i32(0x80000001u);
    args[1] = rf_val_i64(0x8000000000000001ull);
    args[2].type = RF_F32;
    args[2].of.i64 = 0;
    args[2].of.f32_bits = 0x7fa00001u; /* a signalling NaN with payload */
    args[3].type = RF_F64;
    args[3].of.f64_bits = 0xfff4000000000001ull;
    args[4].type = RF_FUNCREF;
    args[4].of.ref = f;
    args[5].type = RF_EXTERNREF;
    args[5].of.ref = &marker;
    rf_value res[6];
    memset(res, 0, sizeof res);
    rf_error err;
    assert_int_equal(rf_call(f, args, 6, res, 6, &err), RF_OK);
    assert_int_equal(res[0].type, RF_I32);
    assert_int_equal(res[0].of.i32, 0x80000001u);
    assert_int_equal(res[1].of.i64, 0x8000000000000001ull);
    assert_int_equal(res[2].type, RF_F32);
    assert_int_equal(res[2].of.f32_bits, 0x7fa00001u);
    assert_int_equal(res[3].of.f64_bits, 0xfff4000000000001ull);
    assert_ptr_equal(res[4].of.ref, f);
    assert_int_equal(res[5].type, RF_EXTERNREF);
    assert_ptr_equal(res[5].of.ref, &marker);

    /* null references */
    args[4].of.ref = NULL;
    args[5].of.ref = NULL;
    assert_int_equal(rf_call(f, args, 6, res, 6, &err), RF_OK);
    assert_null(res[4].of.ref);
    assert_null(res[5].of.ref);
    rf_store_free(s);
}

static rf_error_kind sum_i64(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                             rf_error *err)
{
    (void)c, (void)user, (void)err;
    uint64_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum += args[i].of.i64;
    for (int i = 0; i < 12; i++)
        results[i].of.i64 = sum + (uint64_t)i;
    return RF_OK;
}

/* More values than the on-stack buffers hold. */
static void host_call_with_many_values(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_valtype p[20], r[12];
    rf_value args[20], res[12];
    for (int i = 0; i < 20; i++) {
        p[i] = RF_I64;
        args[i] = rf_val_i64((uint64_t)i * 1000);
    }
    for (int i = 0; i < 12; i++)
        r[i] = RF_I64;
    rf_func *f = host(s, p, 20, r, 12, sum_i64, NULL);
    assert_int_equal(rf_call(f, args, 20, res, 12, NULL), RF_OK);
    for (int i = 0; i < 12; i++)
        assert_int_equal(res[i].of.i64, 190000 + i);
    rf_store_free(s);
}

static void call_checks_arity_and_types(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_func *add = host(s, I32_I32, 2, I32, 1, add_i32, NULL);
    rf_value args[2] = { rf_val_i32(1), rf_val_i64(2) };
    rf_value res[1] = { rf_val_i32(12345) };
    rf_error err;

    assert_int_equal(rf_call(add, args, 2, res, 1, &err), RF_ERR_ARG);
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "argument 2 of 2 has type i64, expected i32"));
    assert_int_equal(res[0].of.i32, 12345); /* untouched */

    args[1] = rf_val_i32(2);
    assert_int_equal(rf_call(add, args, 1, res, 1, &err), RF_ERR_ARG);
    assert_non_null(strstr(err.message, "(i32, i32) -> (i32)"));
    assert_non_null(strstr(err.message, "1 argument "));
    assert_int_equal(rf_call(add, args, 2, res, 0, &err), RF_ERR_ARG);
    assert_int_equal(rf_call(add, args, 2, NULL, 1, &err), RF_ERR_ARG);
    assert_int_equal(rf_call(add, NULL, 2, res, 1, &err), RF_ERR_ARG);
    assert_int_equal(rf_call(NULL, args, 2, res, 1, &err), RF_ERR_ARG);
    assert_int_equal(res[0].of.i32, 12345);

    /* a funcref argument must come from the same store */
    rf_store *other = rf_store_new(NULL, NULL);
    static const rf_valtype FREF[] = { RF_FUNCREF };
    uint32_t one = 1;
    rf_func *id = host(s, FREF, 1, FREF, 1, echo, &one);
    rf_func *foreign = host(other, I32, 1, I32, 1, echo, &one);
    rf_value a;
    a.type = RF_FUNCREF;
    a.of.ref = foreign;
    assert_int_equal(rf_call(id, &a, 1, res, 1, &err), RF_ERR_ARG);
    assert_non_null(strstr(err.message, "another store"));
    rf_store_free(other);
    rf_store_free(s);
}

typedef struct failure {
    rf_error_kind kind;
    rf_trap trap;
    int exit_code;
    const char *message;
} failure;

static rf_error_kind fail_with(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                          rf_error *err)
{
    (void)c, (void)args, (void)results;
    const failure *f = user;
    if (f->message)
        snprintf(err->message, sizeof err->message, "%s", f->message);
    err->trap = f->trap;
    err->exit_code = f->exit_code;
    return f->kind;
}

static void host_errors_are_mapped(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;

    failure host_err = { RF_ERR_HOST, RF_TRAP_NONE, 0, "disk on fire" };
    rf_func *f = host(s, NULL, 0, NULL, 0, fail_with, &host_err);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, &err), RF_ERR_TRAP);
    assert_int_equal(err.kind, RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_HOST);
    assert_string_equal(err.message, "disk on fire");

    failure quiet = { RF_ERR_HOST, RF_TRAP_NONE, 0, NULL };
    f = host(s, NULL, 0, NULL, 0, fail_with, &quiet);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, &err), RF_ERR_TRAP);
    assert_string_equal(err.message, rf_trap_message(RF_TRAP_HOST));

    failure exit7 = { RF_ERR_EXIT, RF_TRAP_NONE, 7, NULL };
    f = host(s, NULL, 0, NULL, 0, fail_with, &exit7);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, &err), RF_ERR_EXIT);
    assert_int_equal(err.kind, RF_ERR_EXIT);
    assert_int_equal(err.exit_code, 7);

    failure div = { RF_ERR_TRAP, RF_TRAP_DIV_BY_ZERO, 0, NULL };
    f = host(s, NULL, 0, NULL, 0, fail_with, &div);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, &err), RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_DIV_BY_ZERO);
    assert_string_equal(err.message, "integer divide by zero");

    failure limit = { RF_ERR_LIMIT, RF_TRAP_NONE, 0, "quota" };
    f = host(s, NULL, 0, NULL, 0, fail_with, &limit);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, &err), RF_ERR_LIMIT);
    assert_string_equal(err.message, "quota");

    failure bogus = { (rf_error_kind)99, RF_TRAP_NONE, 0, NULL };
    f = host(s, NULL, 0, NULL, 0, fail_with, &bogus);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, &err), RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_HOST);
    rf_store_free(s);
}

static rf_error_kind wrong_result(rf_caller *c, void *user, const rf_value *args,
                                  rf_value *results, rf_error *err)
{
    (void)c, (void)user, (void)args, (void)err;
    results[0] = rf_val_i64(1);
    return RF_OK;
}

static void host_results_are_type_checked(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_func *f = host(s, NULL, 0, I32, 1, wrong_result, NULL);
    rf_value res[1] = { rf_val_i32(5) };
    rf_error err;
    assert_int_equal(rf_call(f, NULL, 0, res, 1, &err), RF_ERR_TRAP);
    assert_non_null(strstr(err.message, "returned i64 for result 0, expected i32"));
    assert_int_equal(res[0].of.i32, 5);
    rf_store_free(s);
}

/* ---- caller, interrupt, deadline, re-entrance ---- */

typedef struct probe {
    rf_store *store;
    rf_func *inner;          /* called from the outer function when set */
    bool interrupt_first;    /* call rf_store_interrupt before calling inner */
    unsigned seen_interrupt;
    uint64_t seen_deadline;
    uint32_t seen_api_calls;
    rf_caller *seen_caller;
    rf_instance *seen_instance;
    rf_memory *seen_memory;
    rf_store *seen_store;
} probe;

static rf_error_kind observe(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                             rf_error *err)
{
    (void)args, (void)results, (void)err;
    probe *p = user;
    p->seen_interrupt = atomic_load(&p->store->interrupt);
    p->seen_deadline = p->store->deadline_ns;
    p->seen_api_calls = p->store->api_calls;
    p->seen_instance = rf_caller_instance(c);
    p->seen_memory = rf_caller_memory(c);
    p->seen_store = rf_caller_store(c);
    return RF_OK;
}

static rf_error_kind outer(rf_caller *c, void *user, const rf_value *args, rf_value *results,
                           rf_error *err)
{
    (void)c, (void)args, (void)results;
    probe *p = user;
    if (p->interrupt_first)
        rf_store_interrupt(p->store);
    p->seen_deadline = p->store->deadline_ns;
    return rf_call(p->inner, NULL, 0, NULL, 0, err);
}

static void top_level_call_clears_interrupt_and_sets_deadline(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    probe p = { 0 };
    p.store = s;
    rf_func *f = host(s, NULL, 0, NULL, 0, observe, &p);

    rf_store_interrupt(s);
    assert_int_equal(atomic_load(&s->interrupt), 1);
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, NULL), RF_OK);
    assert_int_equal(p.seen_interrupt, 0);
    assert_int_equal(p.seen_deadline, 0); /* no timeout set */
    assert_int_equal(p.seen_api_calls, 1);
    assert_int_equal(s->api_calls, 0);
    assert_null(p.seen_instance);       /* called by the embedder, not by wasm */
    assert_null(p.seen_memory);
    assert_ptr_equal(p.seen_store, s);

    rf_store_set_timeout_ms(s, 250);
    uint64_t before = now_ns();
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, NULL), RF_OK);
    uint64_t after = now_ns();
    assert_true(p.seen_deadline >= before + 250000000u);
    assert_true(p.seen_deadline <= after + 250000000u);
    assert_int_equal(s->deadline_ns, 0); /* reset when the call returns */

    rf_store_set_timeout_ms(s, UINT64_MAX); /* saturates instead of wrapping */
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, NULL), RF_OK);
    assert_int_equal(p.seen_deadline, UINT64_MAX);
    rf_store_free(s);
}

/* A call re-entered from a host function keeps the interrupt and deadline. */
static void nested_call_inherits_interrupt_and_deadline(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_store_set_timeout_ms(s, 1000);
    probe in = { 0 }, out = { 0 };
    in.store = out.store = s;
    out.inner = host(s, NULL, 0, NULL, 0, observe, &in);
    out.interrupt_first = true;
    rf_func *f = host(s, NULL, 0, NULL, 0, outer, &out);

    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, NULL), RF_OK);
    assert_int_equal(in.seen_interrupt, 1);
    assert_int_equal(in.seen_api_calls, 2);
    assert_true(out.seen_deadline != 0);
    assert_int_equal(in.seen_deadline, out.seen_deadline);

    /* the next top-level call starts clean */
    out.interrupt_first = false;
    assert_int_equal(rf_call(f, NULL, 0, NULL, 0, NULL), RF_OK);
    assert_int_equal(in.seen_interrupt, 0);
    rf_store_free(s);
}

/* ---- signatures ---- */

static void signatures_of_host_functions(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    static const rf_valtype p[] = { RF_I64, RF_F32, RF_EXTERNREF };
    static const rf_valtype r[] = { RF_F64, RF_FUNCREF };
    rf_func *f = host(s, p, 3, r, 2, add_i32, NULL);
    rf_signature sig = rf_func_signature(f);
    assert_int_equal(sig.nparams, 3);
    assert_int_equal(sig.nresults, 2);
    assert_memory_equal(sig.params, p, sizeof p);
    assert_memory_equal(sig.results, r, sizeof r);
    assert_ptr_not_equal(sig.params, p); /* a copy owned by the store */

    rf_func *g = host(s, p, 3, r, 2, echo, NULL);
    rf_func *h = host(s, p, 2, r, 2, echo, NULL);
    rf_func *k = host(s, p, 3, r, 1, echo, NULL);
    rf_func *l = host(s, r, 2, p, 3, echo, NULL);
    assert_true(rf_functype_equal(f->type, g->type));
    assert_false(rf_functype_equal(f->type, h->type));
    assert_false(rf_functype_equal(f->type, k->type));
    assert_false(rf_functype_equal(f->type, l->type));

    rf_signature empty = rf_func_signature(NULL);
    assert_int_equal(empty.nparams + empty.nresults, 0);

    /* bad signatures are refused */
    static const rf_valtype v128[] = { RF_V128 };
    rf_signature bad = { 1, v128, 0, NULL };
    assert_null(rf_func_new_host(s, &bad, echo, NULL));
    rf_signature nullarr = { 2, NULL, 0, NULL };
    assert_null(rf_func_new_host(s, &nullarr, echo, NULL));
    rf_signature ok = { 0, NULL, 0, NULL };
    assert_null(rf_func_new_host(s, &ok, NULL, NULL));
    assert_null(rf_func_new_host(NULL, &ok, echo, NULL));
    rf_store_free(s);
}

/* ---- globals ---- */

static void globals_check_type_and_mutability(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_global *c = rf_global_new(s, RF_I32, false, rf_val_i32(7), &err);
    assert_non_null(c);
    assert_int_equal(rf_global_get(c).type, RF_I32);
    assert_int_equal(rf_global_get(c).of.i32, 7);
    assert_false(rf_global_set(c, rf_val_i32(8)));
    assert_int_equal(rf_global_get(c).of.i32, 7);
    assert_int_equal(c->value, 7); /* slot encoding */

    rf_global *m = rf_global_new(s, RF_I64, true, rf_val_i64(1), &err);
    assert_non_null(m);
    assert_false(rf_global_set(m, rf_val_i32(2)));
    assert_true(rf_global_set(m, rf_val_i64(0xFFFFFFFFFFFFFFFFull)));
    assert_int_equal(rf_global_get(m).of.i64, 0xFFFFFFFFFFFFFFFFull);

    rf_value nan;
    nan.type = RF_F32;
    nan.of.i64 = 0;
    nan.of.f32_bits = 0xff800001u;
    rf_global *f = rf_global_new(s, RF_F32, true, nan, &err);
    assert_non_null(f);
    assert_int_equal(f->value, 0xff800001u); /* zero-extended bits */
    assert_int_equal(rf_global_get(f).of.f32_bits, 0xff800001u);

    assert_null(rf_global_new(s, RF_F64, false, rf_val_i64(0), &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "global of type f64 initialised with a value of type i64"));
    rf_value v;
    memset(&v, 0, sizeof v);
    v.type = RF_V128;
    assert_null(rf_global_new(s, RF_V128, false, v, &err));
    assert_int_equal(err.kind, RF_ERR_UNSUPPORTED);

    /* references: externref anything, funcref only of this store */
    int marker;
    v.type = RF_EXTERNREF;
    v.of.ref = &marker;
    rf_global *e = rf_global_new(s, RF_EXTERNREF, true, v, &err);
    assert_non_null(e);
    assert_ptr_equal(rf_global_get(e).of.ref, &marker);
    rf_store *other = rf_store_new(NULL, NULL);
    rf_func *foreign = host(other, NULL, 0, NULL, 0, add_i32, NULL);
    rf_func *local = host(s, NULL, 0, NULL, 0, add_i32, NULL);
    v.type = RF_FUNCREF;
    v.of.ref = foreign;
    assert_null(rf_global_new(s, RF_FUNCREF, true, v, &err));
    v.of.ref = local;
    rf_global *fr = rf_global_new(s, RF_FUNCREF, true, v, &err);
    assert_non_null(fr);
    v.of.ref = foreign;
    assert_false(rf_global_set(fr, v));
    v.of.ref = NULL;
    assert_true(rf_global_set(fr, v));
    assert_null(rf_global_get(fr).of.ref);
    rf_store_free(other);
    rf_store_free(s);
}

/* ---- tables ---- */

static void tables_grow_within_their_limits(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_func *f = host(s, NULL, 0, NULL, 0, add_i32, NULL);
    rf_limits_desc l = { 2, 4, true };
    rf_table *t = rf_table_new(s, RF_FUNCREF, l, f, &err);
    assert_non_null(t);
    assert_int_equal(rf_table_size(t), 2);
    void *ref = NULL;
    assert_true(rf_table_get(t, 1, &ref));
    assert_ptr_equal(ref, f);
    assert_false(rf_table_get(t, 2, &ref));

    assert_int_equal(rf_table_grow(t, 1, NULL), 2);
    assert_true(rf_table_get(t, 2, &ref));
    assert_null(ref);
    assert_int_equal(rf_table_grow(t, 2, f), -1); /* 5 > max 4 */
    assert_int_equal(rf_table_grow(t, 0, f), 3);
    assert_int_equal(rf_table_grow(t, 1, f), 3);
    assert_int_equal(rf_table_size(t), 4);
    assert_int_equal(rf_table_grow(t, 1, NULL), -1);
    assert_true(rf_table_set(t, 0, NULL));
    assert_false(rf_table_set(t, 4, NULL));
    assert_true(rf_table_get(t, 3, &ref));
    assert_ptr_equal(ref, f);

    /* without a maximum: the host-protection cap applies */
    rf_limits_desc open = { 0, 0, false };
    rf_table *u = rf_table_new(s, RF_EXTERNREF, open, NULL, &err);
    assert_non_null(u);
    assert_int_equal(rf_table_grow(u, 10000001, NULL), -1);
    assert_int_equal(rf_table_grow(u, UINT64_MAX, NULL), -1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rf_table_grow(u, 1, (void *)(uintptr_t)(i + 1)), i);
    for (int i = 0; i < 1000; i++) {
        assert_true(rf_table_get(u, (uint64_t)i, &ref));
        assert_ptr_equal(ref, (void *)(uintptr_t)(i + 1));
    }
    rf_store_free(s);
}

static void table_creation_errors(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_limits_desc huge = { 10000001, 0, false };
    assert_null(rf_table_new(s, RF_FUNCREF, huge, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "10000001 elements exceeds the limit of 10000000"));
    rf_limits_desc wide = { 0, 0x100000000ull, true };
    assert_null(rf_table_new(s, RF_FUNCREF, wide, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    rf_limits_desc inverted = { 3, 2, true };
    assert_null(rf_table_new(s, RF_FUNCREF, inverted, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    rf_limits_desc ok = { 1, 0, false };
    assert_null(rf_table_new(s, RF_I32, ok, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "funcref or externref, not i32"));

    rf_store *other = rf_store_new(NULL, NULL);
    rf_func *foreign = host(other, NULL, 0, NULL, 0, add_i32, NULL);
    assert_null(rf_table_new(s, RF_FUNCREF, ok, foreign, &err));
    rf_table *t = rf_table_new(s, RF_FUNCREF, ok, NULL, &err);
    assert_non_null(t);
    assert_false(rf_table_set(t, 0, foreign));
    rf_store_free(other);
    rf_store_free(s);
}

/* ---- what tables cost the store ---- */

/*
 * (module
 *   (table 1000 funcref)
 *   (memory 300))         ;; over the default 16 MiB memory limit
 */
static const uint8_t table_then_big_memory_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x04, 0x05, 0x01, 0x70,
  0x00, 0xe8, 0x07, 0x05, 0x04, 0x01, 0x00, 0xac, 0x02};

static void tables_are_charged_to_the_store(void **state)
{
    (void)state;
    rf_error err;
    rf_store *s = rf_store_new(NULL, &err);
    assert_non_null(s);
    rf_limits_desc l = { 1000, 0, false };
    rf_table *t = rf_table_new(s, RF_FUNCREF, l, NULL, &err);
    assert_non_null(t);
    assert_int_equal(rf_store_memory_in_use(s), 1000 * sizeof(void *));
    assert_int_equal(s->table_entries, 1000);
    /* growth is charged for what is allocated: the capacity, which runs
     * ahead of the size */
    assert_int_equal(rf_table_grow(t, 24, NULL), 1000);
    assert_int_equal(rf_table_size(t), 1024);
    assert_true(t->capacity >= 1024);
    assert_int_equal(s->table_entries, t->capacity);
    assert_int_equal(rf_store_memory_in_use(s), t->capacity * sizeof(void *));
    uint64_t in_use = rf_store_memory_in_use(s);
    /* refused creations and grows charge nothing */
    rf_store *other = rf_store_new(NULL, NULL);
    rf_func *foreign = host(other, NULL, 0, NULL, 0, add_i32, NULL);
    assert_null(rf_table_new(s, RF_FUNCREF, l, foreign, &err));
    rf_limits_desc capped = { 0, 10, true };
    rf_table *u = rf_table_new(s, RF_EXTERNREF, capped, NULL, &err);
    assert_non_null(u);
    assert_int_equal(rf_table_grow(u, 11, NULL), -1);
    assert_int_equal(rf_store_memory_in_use(s), in_use);
    assert_int_equal(s->table_entries, t->capacity);
    rf_store_free(other);
    rf_store_free(s);

    /* a failed instantiation releases the table it had created */
    rf_module *m = rf_module_load(table_then_big_memory_wasm, sizeof table_then_big_memory_wasm,
                                  NULL, &err);
    assert_non_null(m);
    s = rf_store_new(NULL, &err);
    assert_non_null(s);
    assert_null(rf_instantiate(s, m, NULL, 0, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "memory"));
    assert_int_equal(rf_store_memory_in_use(s), 0);
    assert_int_equal(s->table_entries, 0);
    rf_store_free(s);
    rf_module_free(m);
}

/* Tables draw on the memory budget together with memories and host
 * reservations. */
static void tables_fit_the_memory_budget(void **state)
{
    (void)state;
    rf_error err;
    rf_store_config cfg = { 0 };
    cfg.memory_budget = 2048 * sizeof(void *);
    rf_store *s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    rf_limits_desc l1024 = { 1024, 0, false }, l1025 = { 1025, 0, false }, l512 = { 512, 0, false };
    rf_table *a = rf_table_new(s, RF_FUNCREF, l1024, NULL, &err);
    assert_non_null(a);
    assert_null(rf_table_new(s, RF_EXTERNREF, l1025, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "table minimum 1025 elements"));
    assert_non_null(strstr(err.message, "memory budget"));
    rf_table *b = rf_table_new(s, RF_EXTERNREF, l512, NULL, &err);
    assert_non_null(b);

    /* growth headroom is clamped to the budget, so the exact fit succeeds */
    assert_int_equal(rf_table_grow(a, 512, NULL), 1024);
    assert_int_equal(a->capacity, 1536);
    assert_int_equal(rf_store_memory_in_use(s), cfg.memory_budget);
    assert_int_equal(rf_table_grow(a, 1, NULL), -1);
    assert_int_equal(rf_table_grow(b, 1, NULL), -1);
    assert_int_equal(rf_table_grow(b, 0, NULL), 512);
    assert_false(rf_store_reserve(s, 1));
    rf_limits_desc page = { 1, 0, false };
    assert_null(rf_memory_new(s, page, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);

    /* what a host reservation gives back a table may take */
    rf_store_free(s);
    s = rf_store_new(&cfg, &err);
    assert_true(rf_store_reserve(s, 2000 * sizeof(void *)));
    a = rf_table_new(s, RF_FUNCREF, l1024, NULL, &err);
    assert_null(a);
    rf_store_release(s, 2000 * sizeof(void *));
    a = rf_table_new(s, RF_FUNCREF, l1024, NULL, &err);
    assert_non_null(a);
    rf_store_free(s);
}

/* All tables of a store together hold at most max_table_entries entries,
 * budget or not, so a module cannot make the host allocate gigabytes of
 * tables. */
static void tables_share_a_store_wide_entry_limit(void **state)
{
    (void)state;
    rf_error err;
    rf_store_config cfg = { 0 };
    cfg.max_table_entries = 1000;
    rf_store *s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    rf_limits_desc l600 = { 600, 0, false }, l401 = { 401, 0, false }, l400 = { 400, 0, false };
    assert_non_null(rf_table_new(s, RF_FUNCREF, l600, NULL, &err));
    assert_null(rf_table_new(s, RF_FUNCREF, l401, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "table minimum 401 elements does not fit the store's "
                                        "limit of 1000 table entries (600 already used"));
    rf_table *b = rf_table_new(s, RF_FUNCREF, l400, NULL, &err);
    assert_non_null(b);
    assert_int_equal(rf_table_grow(b, 1, NULL), -1);
    rf_limits_desc empty = { 0, 0, false };
    rf_table *c = rf_table_new(s, RF_EXTERNREF, empty, NULL, &err);
    assert_non_null(c);
    assert_int_equal(rf_table_grow(c, 1, NULL), -1);
    assert_int_equal(rf_table_size(c), 0);
    rf_store_free(s);

    /* Tables grown one after another (as in table.grow of many tables):
     * the ones that do not fit return -1; headroom never blocks a fit. */
    cfg.max_table_entries = 100000;
    s = rf_store_new(&cfg, &err);
    rf_table *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = rf_table_new(s, RF_FUNCREF, empty, NULL, &err);
    assert_int_equal(rf_table_grow(t[0], 40000, NULL), 0);
    assert_int_equal(rf_table_grow(t[1], 40000, NULL), 0);
    assert_int_equal(rf_table_grow(t[2], 40000, NULL), -1);
    assert_int_equal(rf_table_grow(t[2], 20000, NULL), 0);
    assert_int_equal(rf_table_grow(t[3], 1, NULL), -1);
    assert_int_equal(s->table_entries, 100000);
    assert_int_equal(rf_store_memory_in_use(s), 100000 * sizeof(void *));
    rf_store_free(s);

    /* The default: 10,000,000 entries in all (80 MB of pointers). */
    s = rf_store_new(NULL, &err);
    rf_limits_desc l6m = { 6000000, 0, false }, l4m = { 4000000, 0, false },
                   one = { 1, 0, false };
    assert_non_null(rf_table_new(s, RF_FUNCREF, l6m, NULL, &err));
    rf_table *d = rf_table_new(s, RF_FUNCREF, l4m, NULL, &err);
    assert_non_null(d);
    assert_null(rf_table_new(s, RF_FUNCREF, one, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_int_equal(rf_table_grow(d, 1, NULL), -1);
    rf_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_applies_defaults),
        cmocka_unit_test(store_limit_checks),
        cmocka_unit_test(host_call_converts_values),
        cmocka_unit_test(host_call_round_trips_every_type),
        cmocka_unit_test(host_call_with_many_values),
        cmocka_unit_test(call_checks_arity_and_types),
        cmocka_unit_test(host_errors_are_mapped),
        cmocka_unit_test(host_results_are_type_checked),
        cmocka_unit_test(top_level_call_clears_interrupt_and_sets_deadline),
        cmocka_unit_test(nested_call_inherits_interrupt_and_deadline),
        cmocka_unit_test(signatures_of_host_functions),
        cmocka_unit_test(globals_check_type_and_mutability),
        cmocka_unit_test(tables_grow_within_their_limits),
        cmocka_unit_test(table_creation_errors),
        cmocka_unit_test(tables_are_charged_to_the_store),
        cmocka_unit_test(tables_fit_the_memory_budget),
        cmocka_unit_test(tables_share_a_store_wide_entry_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
