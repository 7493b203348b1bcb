/*
 * wasi.c — the WASI context (rf_wasi_new/free) and linking a module's
 * wasi_snapshot_preview1 imports to host functions (rf_wasi_link), plus the
 * generic check that nothing was left unresolved.
 *
 * The context copies the args and environment into the exact layout the
 * guest receives (NUL-terminated strings back to back), so args_get and
 * environ_get are plain copies, and sets up its fd table with the
 * preopened directories (wasi_fdtable.c). Linking checks each import's type against
 * the table in wasi_table.c before creating anything, so a mismatch is a
 * clear link error rather than a confused guest.
 */
#include "wasi_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define WASI_MODULE "wasi_snapshot_preview1"

bool wasi_fail(rf_error *err, rf_error_kind kind, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rf_error_format(err, kind, "%s", msg);
}

/* ---- the context ------------------------------------------------------------- */

/* Lay out `n` strings for the guest. The total, including terminators, must
 * fit the guest's 32-bit sizes. */
static bool strings_init(wasi_strings *s, const char *const *list, size_t n, const char *what,
                         rf_error *err)
{
    memset(s, 0, sizeof *s);
    if (n > 0 && !list)
        return wasi_fail(err, RF_ERR_ARG, "WASI config: %zu %s given but the list is NULL", n,
                         what);
    if (n > UINT32_MAX / 4)
        return wasi_fail(err, RF_ERR_ARG, "WASI config: too many %s (%zu)", what, n);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!list[i])
            return wasi_fail(err, RF_ERR_ARG, "WASI config: %s[%zu] is NULL", what, i);
        total += strlen(list[i]) + 1;
        if (total > UINT32_MAX)
            return wasi_fail(err, RF_ERR_ARG,
                             "WASI config: %s exceed 4 GiB, more than a 32-bit guest can hold",
                             what);
    }
    s->buf = malloc(total ? (size_t)total : 1);
    s->offsets = malloc(n ? n * sizeof *s->offsets : 1);
    if (!s->buf || !s->offsets) {
        free(s->buf);
        free(s->offsets);
        memset(s, 0, sizeof *s);
        return wasi_fail(err, RF_ERR_NOMEM, "WASI config: out of memory copying %s", what);
    }
    uint32_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]) + 1;
        s->offsets[i] = at;
        memcpy(s->buf + at, list[i], len);
        at += (uint32_t)len;
    }
    s->count = (uint32_t)n;
    s->buf_len = at;
    return true;
}

static void strings_free(wasi_strings *s)
{
    free(s->buf);
    free(s->offsets);
}

rf_wasi *rf_wasi_new(const rf_wasi_config *cfg, rf_error *err)
{
    rf_wasi_config none;
    memset(&none, 0, sizeof none);
    if (!cfg)
        cfg = &none;
    rf_wasi *w = calloc(1, sizeof *w);
    if (!w) {
        wasi_fail(err, RF_ERR_NOMEM, "out of memory creating a WASI context");
        return NULL;
    }
    if (!strings_init(&w->args, cfg->args, cfg->nargs, "args", err) ||
        !strings_init(&w->env, cfg->env, cfg->nenv, "environment variables", err)) {
        rf_wasi_free(w);
        return NULL;
    }
    if (!wasi_fdtable_init(w, cfg, err)) {
        rf_wasi_free(w);
        return NULL;
    }
    w->cfg = *cfg;
    w->cfg.args = NULL;
    w->cfg.env = NULL;
    w->cfg.preopens = NULL;
    for (size_t i = 0; i < WASI_NUM_FUNCS; i++) {
        w->bindings[i].wasi = w;
        w->bindings[i].func = &wasi_funcs[i];
    }
    return w;
}

void rf_wasi_free(rf_wasi *w)
{
    if (!w)
        return;
    strings_free(&w->args);
    strings_free(&w->env);
    wasi_fdtable_free(w);
    free(w);
}

bool rf_wasi_exited(const rf_wasi *w, uint32_t *code)
{
    if (w->exited && code)
        *code = w->exit_code;
    return w->exited;
}

/* ---- describing imports in messages --------------------------------------------- */

/* Append to buf[*at..cap), always NUL-terminated, silently truncating. */
static void put(char *buf, size_t cap, size_t *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void put(char *buf, size_t cap, size_t *at, const char *fmt, ...)
{
    if (*at >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, cap - *at, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at = (size_t)n >= cap - *at ? cap - 1 : *at + (size_t)n;
}

/* A name from the module, with control characters, quotes and backslashes
 * escaped as \xNN and long names shortened, so a hostile name cannot garble
 * a message. */
static void put_name(char *buf, size_t cap, size_t *at, const char *s, size_t len)
{
    const size_t shown = len > 64 ? 64 : len;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '\\' || c == '"')
            put(buf, cap, at, "\\x%02x", c);
        else
            put(buf, cap, at, "%c", c);
    }
    if (shown < len)
        put(buf, cap, at, "...");
}

static void put_types(char *buf, size_t cap, size_t *at, uint32_t n, const rf_valtype *types)
{
    put(buf, cap, at, "(");
    for (uint32_t i = 0; i < n; i++)
        put(buf, cap, at, "%s%s", i ? ", " : "", rf_valtype_name(types[i]));
    put(buf, cap, at, ")");
}

static void put_signature(char *buf, size_t cap, size_t *at, const rf_signature *sig)
{
    put_types(buf, cap, at, sig->nparams, sig->params);
    put(buf, cap, at, " -> ");
    put_types(buf, cap, at, sig->nresults, sig->results);
}

static const char *extern_kind_name(rf_extern_kind k)
{
    switch (k) {
    case RF_EXTERN_FUNC: return "func";
    case RF_EXTERN_TABLE: return "table";
    case RF_EXTERN_MEMORY: return "memory";
    case RF_EXTERN_GLOBAL: return "global";
    }
    return "unknown extern";
}

/* "kind and type" of an import, e.g. "func (i32) -> (i32)" or "memory". */
static void put_extern_type(char *buf, size_t cap, size_t *at, const rf_extern_type *t)
{
    put(buf, cap, at, "%s", extern_kind_name(t->kind));
    if (t->kind == RF_EXTERN_FUNC) {
        put(buf, cap, at, " ");
        put_signature(buf, cap, at, &t->func);
    } else if (t->kind == RF_EXTERN_GLOBAL) {
        put(buf, cap, at, " %s%s", t->global_mutable ? "mut " : "",
            rf_valtype_name(t->global_type));
    }
}

/* ---- linking ------------------------------------------------------------------- */

static const wasi_func *find_func(const char *name, size_t len, size_t *index)
{
    for (size_t i = 0; i < WASI_NUM_FUNCS; i++) {
        if (strlen(wasi_funcs[i].name) == len && memcmp(wasi_funcs[i].name, name, len) == 0) {
            *index = i;
            return &wasi_funcs[i];
        }
    }
    return NULL;
}

/* Expand a table signature string into caller-provided arrays. */
static rf_signature func_signature(const wasi_func *f, rf_valtype *params, rf_valtype *results)
{
    rf_signature sig;
    sig.nparams = (uint32_t)strlen(f->params);
    sig.nresults = (uint32_t)strlen(f->results);
    for (uint32_t i = 0; i < sig.nparams; i++)
        params[i] = f->params[i] == 'I' ? RF_I64 : RF_I32;
    for (uint32_t i = 0; i < sig.nresults; i++)
        results[i] = f->results[i] == 'I' ? RF_I64 : RF_I32;
    sig.params = params;
    sig.results = results;
    return sig;
}

static bool is_wasi_module(const rf_import_desc *d)
{
    return d->module_len == strlen(WASI_MODULE) &&
           memcmp(d->module, WASI_MODULE, d->module_len) == 0;
}

bool rf_wasi_link(rf_wasi *w, rf_store *s, const rf_module *m, rf_extern *imports_out,
                  rf_error *err)
{
    size_t n = rf_module_import_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_import_desc d;
        if (!rf_module_import(m, i, &d))
            return wasi_fail(err, RF_ERR_ARG, "import %zu of %zu cannot be read", i, n);
        if (!is_wasi_module(&d))
            continue;
        char msg[sizeof err->message];
        size_t at = 0;
        put(msg, sizeof msg, &at, WASI_MODULE ".");
        put_name(msg, sizeof msg, &at, d.name, d.name_len);
        put(msg, sizeof msg, &at, " (import %zu)", i);

        size_t index = 0;
        const wasi_func *f = find_func(d.name, d.name_len, &index);
        if (!f)
            return wasi_fail(err, RF_ERR_LINK,
                             "unknown import %s: not a WASI preview 1 function", msg);
        rf_valtype params[WASI_MAX_PARAMS], results[1];
        rf_signature sig = func_signature(f, params, results);
        if (d.type.kind != RF_EXTERN_FUNC || !rf_signature_equal(&sig, &d.type.func)) {
            put(msg, sizeof msg, &at, ": the module expects ");
            put_extern_type(msg, sizeof msg, &at, &d.type);
            put(msg, sizeof msg, &at, " but WASI defines func ");
            put_signature(msg, sizeof msg, &at, &sig);
            return wasi_fail(err, RF_ERR_LINK, "incompatible import type for %s", msg);
        }
        rf_func *fn = rf_func_new_host(s, &sig, f->fn, &w->bindings[index]);
        if (!fn)
            return wasi_fail(err, RF_ERR_NOMEM, "out of memory creating host function for %s",
                             msg);
        imports_out[i].kind = RF_EXTERN_FUNC;
        imports_out[i].of.func = fn;
    }
    return true;
}

static bool is_resolved(const rf_extern *e)
{
    switch (e->kind) {
    case RF_EXTERN_FUNC: return e->of.func != NULL;
    case RF_EXTERN_TABLE: return e->of.table != NULL;
    case RF_EXTERN_MEMORY: return e->of.memory != NULL;
    case RF_EXTERN_GLOBAL: return e->of.global != NULL;
    }
    return false;
}

bool rf_link_check_complete(const rf_module *m, const rf_extern *imports, rf_error *err)
{
    size_t n = rf_module_import_count(m);
    for (size_t i = 0; i < n; i++) {
        if (is_resolved(&imports[i]))
            continue;
        char msg[sizeof err->message];
        size_t at = 0;
        rf_import_desc d;
        if (!rf_module_import(m, i, &d))
            return wasi_fail(err, RF_ERR_ARG, "import %zu of %zu cannot be read", i, n);
        put_name(msg, sizeof msg, &at, d.module, d.module_len);
        put(msg, sizeof msg, &at, ".");
        put_name(msg, sizeof msg, &at, d.name, d.name_len);
        put(msg, sizeof msg, &at, " (import %zu, ", i);
        put_extern_type(msg, sizeof msg, &at, &d.type);
        put(msg, sizeof msg, &at, ")");
        return wasi_fail(err, RF_ERR_LINK, "unknown import %s: not provided by the host", msg);
    }
    return true;
}
