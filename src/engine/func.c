/*
 * func.c — functions as seen from the API: host functions, signatures, the
 * host-call bridge used by the interpreter, and rf_call, the entry point
 * from the embedder into a store.
 *
 * Invariants:
 *   - A host function is one allocation: the rf_func, its rf_functype, the
 *     rf_valtype copy of the signature handed out by rf_func_signature, and
 *     the byte copy the interpreter compares (call_indirect). Host functions
 *     have instance == NULL; wasm functions have a non-NULL instance and a type
 *     that points into their module.
 *   - rf_call never lets a value of the wrong type reach code: arguments are
 *     checked against the signature before they are packed into slots, and a
 *     host callback's results are checked before they are unpacked.
 *   - A top-level rf_call (no other rf_call of the store in progress) clears
 *     the interrupt flag and starts the deadline; calls re-entered from host
 *     functions inherit both.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "error.h"
#include "runtime_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct host_func {
    struct rf_func func;     /* first: the block is freed through its address */
    rf_functype type;
    rf_valtype valtypes[];   /* nparams + nresults, followed by the byte copy */
} host_func;

/* Value arrays up to this size live on the C stack during calls. */
#define SMALL_VALUES 8

/* ---- signatures ------------------------------------------------------------ */

bool rf_functype_equal(const rf_functype *a, const rf_functype *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->nparams != b->nparams || a->nresults != b->nresults)
        return false;
    size_t n = (size_t)a->nparams + a->nresults;
    return n == 0 || memcmp(a->types, b->types, n) == 0;
}

/* Append to buf[0..size) at *used, truncating silently. */
static void append(char *buf, size_t size, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (*used + 1 >= size)
        return;
    if (n > size - 1 - *used)
        n = size - 1 - *used;
    memcpy(buf + *used, text, n);
    *used += n;
    buf[*used] = '\0';
}

void rf_format_functype(char *buf, size_t size, const rf_functype *t)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int part = 0; part < 2; part++) {
        uint32_t first = part == 0 ? 0 : t->nparams;
        uint32_t count = part == 0 ? t->nparams : t->nresults;
        append(buf, size, &used, part == 0 ? "(" : " -> (");
        for (uint32_t i = 0; i < count; i++) {
            if (i == 6 && count > 8) {
                char more[32];
                snprintf(more, sizeof more, ", ... %u more", count - i);
                append(buf, size, &used, more);
                break;
            }
            if (i > 0)
                append(buf, size, &used, ", ");
            append(buf, size, &used, rf_valtype_name((rf_valtype)t->types[first + i]));
        }
        append(buf, size, &used, ")");
    }
}

/* The arrays are the type's rf_valtype view (module-owned for wasm functions,
 * part of the host function's block otherwise), valid while the store lives. */
rf_signature rf_func_signature(const rf_func *f)
{
    rf_signature sig = { 0, NULL, 0, NULL };
    if (!f)
        return sig;
    sig.nparams = f->type->nparams;
    sig.nresults = f->type->nresults;
    if (f->type->valtypes) {
        sig.params = f->type->valtypes;
        sig.results = f->type->valtypes + sig.nparams;
    }
    return sig;
}

/* ---- host functions ---------------------------------------------------------- */

rf_func *rf_func_new_host(rf_store *s, const rf_signature *sig, rf_host_fn fn, void *user)
{
    if (!s || !sig || !fn || (sig->nparams && !sig->params) || (sig->nresults && !sig->results))
        return NULL;
    size_t n = (size_t)sig->nparams + sig->nresults;
    for (size_t i = 0; i < n; i++) {
        rf_valtype t = i < sig->nparams ? sig->params[i] : sig->results[i - sig->nparams];
        if (!rf_valtype_known(t))
            return NULL;
    }
    host_func *h = malloc(sizeof *h + n * (sizeof(rf_valtype) + 1));
    if (!h)
        return NULL;
    uint8_t *bytes = (uint8_t *)(h->valtypes + n);
    for (size_t i = 0; i < n; i++) {
        h->valtypes[i] = i < sig->nparams ? sig->params[i] : sig->results[i - sig->nparams];
        bytes[i] = (uint8_t)h->valtypes[i];
    }
    h->type.nparams = sig->nparams;
    h->type.nresults = sig->nresults;
    h->type.types = bytes;
    h->type.valtypes = h->valtypes;
    memset(&h->func, 0, sizeof h->func);
    h->func.type = &h->type;
    h->func.instance = NULL;
    h->func.index = RF_NO_FUNC;
    h->func.host = fn;
    h->func.user = user;
    h->func.store = s;
    if (!rf_store_track(s, RF_OBJ_FUNC, h)) {
        free(h);
        return NULL;
    }
    return &h->func;
}

rf_instance *rf_caller_instance(rf_caller *c)
{
    return c ? c->instance : NULL;
}

rf_memory *rf_caller_memory(rf_caller *c)
{
    return c && c->instance ? c->instance->mem0 : NULL;
}

rf_store *rf_caller_store(rf_caller *c)
{
    return c ? c->store : NULL;
}

/* Turn a callback's failure into the error the guest sees. */
static rf_error_kind host_failure(rf_error_kind k, const rf_error *h, rf_error *err)
{
    const char *msg = h->message[0] ? h->message : NULL;
    switch (k) {
    case RF_ERR_HOST:
        rf_error_set(err, RF_ERR_TRAP, RF_NO_OFFSET, RF_NO_FUNC, "%s",
                     msg ? msg : rf_trap_message(RF_TRAP_HOST));
        if (err)
            err->trap = RF_TRAP_HOST;
        return RF_ERR_TRAP;
    case RF_ERR_TRAP: {
        rf_trap trap = h->trap != RF_TRAP_NONE ? h->trap : RF_TRAP_HOST;
        rf_error_set(err, RF_ERR_TRAP, RF_NO_OFFSET, RF_NO_FUNC, "%s",
                     msg ? msg : rf_trap_message(trap));
        if (err)
            err->trap = trap;
        return RF_ERR_TRAP;
    }
    case RF_ERR_EXIT:
        if (msg)
            rf_error_set(err, RF_ERR_EXIT, RF_NO_OFFSET, RF_NO_FUNC, "%s", msg);
        else
            rf_error_set(err, RF_ERR_EXIT, RF_NO_OFFSET, RF_NO_FUNC, "exit with code %d",
                         h->exit_code);
        if (err)
            err->exit_code = h->exit_code;
        return RF_ERR_EXIT;
    case RF_ERR_MALFORMED:
    case RF_ERR_INVALID:
    case RF_ERR_UNSUPPORTED:
    case RF_ERR_LINK:
    case RF_ERR_EXHAUSTED:
    case RF_ERR_INTERRUPTED:
    case RF_ERR_LIMIT:
    case RF_ERR_NOMEM:
    case RF_ERR_ARG:
        rf_error_set(err, k, RF_NO_OFFSET, RF_NO_FUNC, "%s",
                     msg ? msg : rf_error_kind_name(k));
        if (err)
            err->trap = h->trap;
        return k;
    case RF_OK:
        break;
    }
    /* Not an rf_error_kind at all: report it as a host trap. */
    rf_error_set(err, RF_ERR_TRAP, RF_NO_OFFSET, RF_NO_FUNC,
                 "host function returned an unknown error kind %d", (int)k);
    if (err)
        err->trap = RF_TRAP_HOST;
    return RF_ERR_TRAP;
}

rf_error_kind rf_host_invoke(rf_func *f, rf_instance *caller, uint64_t *slots, rf_error *err)
{
    const rf_functype *t = f->type;
    rf_value small_args[SMALL_VALUES], small_results[SMALL_VALUES];
    rf_value *args = small_args, *results = small_results;
    if (t->nparams > SMALL_VALUES)
        args = malloc(t->nparams * sizeof *args);
    if (t->nresults > SMALL_VALUES)
        results = malloc(t->nresults * sizeof *results);
    rf_error_kind k;
    if (!args || !results) {
        k = RF_ERR_NOMEM;
        rf_error_set(err, k, RF_NO_OFFSET, RF_NO_FUNC,
                     "out of memory calling a host function with %u parameters and %u results",
                     t->nparams, t->nresults);
        goto out;
    }
    for (uint32_t i = 0; i < t->nparams; i++)
        args[i] = rf_slot_to_value(t->types[i], slots[i]);
    for (uint32_t i = 0; i < t->nresults; i++)
        results[i] = rf_slot_to_value(t->types[t->nparams + i], 0);

    rf_caller c = { caller, f->store };
    rf_error herr;
    rf_error_clear(&herr);
    k = f->host(&c, f->user, args, results, &herr);
    if (k != RF_OK) {
        k = host_failure(k, &herr, err);
        goto out;
    }
    for (uint32_t i = 0; i < t->nresults; i++) {
        uint8_t want = t->types[t->nparams + i];
        if (results[i].type != want) {
            k = RF_ERR_TRAP;
            rf_error_set(err, k, RF_NO_OFFSET, RF_NO_FUNC,
                         "host function returned %s for result %u, expected %s",
                         rf_valtype_name(results[i].type), i, rf_valtype_name((rf_valtype)want));
            if (err)
                err->trap = RF_TRAP_HOST;
            goto out;
        }
        if (want == RF_T_FUNCREF && results[i].of.ref &&
            ((const rf_func *)results[i].of.ref)->store != f->store) {
            k = RF_ERR_TRAP;
            rf_error_set(err, k, RF_NO_OFFSET, RF_NO_FUNC,
                         "host function returned a function of another store for result %u", i);
            if (err)
                err->trap = RF_TRAP_HOST;
            goto out;
        }
    }
    for (uint32_t i = 0; i < t->nresults; i++)
        slots[i] = rf_value_to_slot(results[i]);
    k = RF_OK;

out:
    if (args != small_args)
        free(args);
    if (results != small_results)
        free(results);
    return k;
}

/* ---- rf_call --------------------------------------------------------------------- */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Arity and argument types against the signature; RF_OK or RF_ERR_ARG. */
static rf_error_kind check_call(const rf_func *f, const rf_value *args, size_t nargs,
                                const rf_value *results, size_t nresults, rf_error *err)
{
    const rf_functype *t = f->type;
    char sig[160];
    if (nargs != t->nparams || nresults != t->nresults || (nargs && !args) ||
        (nresults && !results)) {
        rf_format_functype(sig, sizeof sig, t);
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, f->index,
                     "rf_call: the function has type %s but was given %zu argument%s%s and "
                     "room for %zu result%s%s",
                     sig, nargs, nargs == 1 ? "" : "s", nargs && !args ? " (NULL array)" : "",
                     nresults, nresults == 1 ? "" : "s",
                     nresults && !results ? " (NULL array)" : "");
        return RF_ERR_ARG;
    }
    for (size_t i = 0; i < nargs; i++) {
        rf_valtype want = (rf_valtype)t->types[i];
        if (args[i].type != want) {
            rf_format_functype(sig, sizeof sig, t);
            rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, f->index,
                         "rf_call: argument %zu of %zu has type %s, expected %s (function "
                         "type %s)",
                         i + 1, nargs, rf_valtype_name(args[i].type), rf_valtype_name(want),
                         sig);
            return RF_ERR_ARG;
        }
        if (want == RF_FUNCREF && args[i].of.ref &&
            ((const rf_func *)args[i].of.ref)->store != f->store) {
            rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, f->index,
                         "rf_call: argument %zu of %zu is a function of another store", i + 1,
                         nargs);
            return RF_ERR_ARG;
        }
    }
    return RF_OK;
}

rf_error_kind rf_call(rf_func *f, const rf_value *args, size_t nargs, rf_value *results,
                      size_t nresults, rf_error *err)
{
    rf_error_clear(err);
    if (!f) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC, "rf_call: function is NULL");
        return RF_ERR_ARG;
    }
    rf_error_kind k = check_call(f, args, nargs, results, nresults, err);
    if (k != RF_OK)
        return k;

    const rf_functype *t = f->type;
    size_t nslots = t->nparams > t->nresults ? t->nparams : t->nresults;
    uint64_t small[SMALL_VALUES];
    uint64_t *slots = small;
    if (nslots > SMALL_VALUES) {
        slots = malloc(nslots * sizeof *slots);
        if (!slots) {
            rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, f->index,
                         "out of memory packing %zu call values", nslots);
            return RF_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < nargs; i++)
        slots[i] = rf_value_to_slot(args[i]);

    rf_store *s = f->store;
    bool top = s->api_calls == 0;
    if (top) {
        atomic_store(&s->interrupt, 0u);
        s->deadline_ns = 0;
        if (s->timeout_ms > 0) {
            uint64_t now = monotonic_ns();
            uint64_t room = (UINT64_MAX - now) / 1000000u;
            s->deadline_ns = s->timeout_ms < room ? now + s->timeout_ms * 1000000u : UINT64_MAX;
        }
    }
    s->api_calls++;
    rf_error local;
    rf_error *e = err ? err : &local;
    if (f->host)
        k = rf_host_invoke(f, NULL, slots, e);
    else
        k = rf_interp_call(s, f, slots, e);
    s->api_calls--;
    if (top)
        s->deadline_ns = 0;

    if (k == RF_OK) {
        for (size_t i = 0; i < nresults; i++)
            results[i] = rf_slot_to_value(t->types[t->nparams + i], slots[i]);
    }
    if (slots != small)
        free(slots);
    return k;
}
