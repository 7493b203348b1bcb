/*
 * plugin_link.c — how a plugin's imports are satisfied: checked once at
 * creation (so a plugin that cannot link is refused before any call), then
 * followed at the first call to build the store, the kernel, the WASI
 * context and the instances, and to run the guest runtime's init function.
 *
 * Import sources, in the order they are tried:
 *   extism:host/env         kernel exports and builtin host functions, exact type;
 *   wasi_snapshot_preview1  when WASI is on (rf_wasi_link checks the types); with
 *                           WASI off these are ordinary (mostly unknown) imports;
 *   a user host function    by (namespace, name), exact type;
 *   a linked module         a non-main manifest module of that name;
 * anything else is "unknown import: <ns>::<name> has not been defined".
 *
 * Linked modules are instantiated once per store, before main, each after
 * the modules it imports from (a cycle is refused at creation); a linked
 * module's `_initialize` runs right after its instantiation. Main's init
 * follows section 2 of extism-abi.md: hs_init (after _initialize), else
 * __wasm_call_ctors, else _initialize; `_start` is never called implicitly.
 */
#include "plugin_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *extern_kind_name(rf_extern_kind k)
{
    switch (k) {
    case RF_EXTERN_FUNC: return "function";
    case RF_EXTERN_TABLE: return "table";
    case RF_EXTERN_MEMORY: return "memory";
    case RF_EXTERN_GLOBAL: return "global";
    }
    return "extern";
}

/* Names in messages: at most 200 bytes of each. */
static int name_len(size_t len)
{
    return len > 200 ? 200 : (int)len;
}

/* " (module X)" when the manifest has several modules, so the upstream
 * wording of single-module errors stays exact. */
static void module_where(const rf_plugin *p, size_t mi, char *buf, size_t size)
{
    buf[0] = '\0';
    if (p->nmodules > 1)
        snprintf(buf, size, " (module %s)", p->modules[mi].name);
}

static bool unknown_import(const rf_plugin *p, size_t mi, rf_error *err, const rf_import_desc *d)
{
    char where[300];
    module_where(p, mi, where, sizeof where);
    return plugin_fail(err, RF_ERR_LINK, "unknown import: %.*s::%.*s has not been defined%s",
                       name_len(d->module_len), d->module, name_len(d->name_len), d->name, where);
}

/* The export `name` of module m, if any. */
static bool module_export(const rf_module *m, const char *name, size_t len, rf_export_desc *out)
{
    size_t n = rf_module_export_count(m);
    for (size_t i = 0; i < n; i++)
        if (rf_module_export(m, i, out) && out->name_len == len && memcmp(out->name, name, len) == 0)
            return true;
    return false;
}

/* Decide where import `d` of module mi comes from. */
static bool check_import(rf_plugin *p, size_t mi, const rf_import_desc *d, plugin_link *out,
                         rf_error *err)
{
    plugin_module *pm = &p->modules[mi];
    char want[256], have[256], where[300];
    module_where(p, mi, where, sizeof where);

    if (plugin_name_is(d->module, d->module_len, PLUGIN_ENV_MODULE)) {
        if (d->type.kind != RF_EXTERN_FUNC)
            return plugin_fail(err, RF_ERR_LINK,
                               "linked modules cannot access non-function exports of extism "
                               "kernel%s", where);
        const plugin_env_func *f = plugin_env_find(d->name, d->name_len);
        rf_valtype types[2][PLUGIN_ENV_MAX_TYPES];
        if (f) {
            rf_signature sig = plugin_env_signature(f, types);
            if (rf_signature_equal(&sig, &d->type.func)) {
                out->source = LINK_ENV;
                out->index = (uint32_t)(f - plugin_env_funcs);
                return true;
            }
        }
        plugin_format_sig(want, sizeof want, &d->type.func);
        return plugin_fail(err, RF_ERR_LINK,
                           "Invalid function import from extism:host/env: %.*s %s%s (the "
                           "plugin may need a PDK matching this host's Extism ABI)",
                           name_len(d->name_len), d->name, want, where);
    }
    if (p->wasi && plugin_name_is(d->module, d->module_len, PLUGIN_WASI_MODULE)) {
        out->source = LINK_WASI;
        pm->uses_wasi = true;
        return true;
    }
    plugin_host_fn *h = plugin_hosts_find(p, d->module, d->module_len, d->name, d->name_len);
    if (h) {
        if (d->type.kind != RF_EXTERN_FUNC)
            return plugin_fail(err, RF_ERR_LINK,
                               "module %s imports %s::%s as a %s, but the host provides a "
                               "function",
                               pm->name, h->ns, h->name, extern_kind_name(d->type.kind));
        if (!rf_signature_equal(&h->sig, &d->type.func)) {
            plugin_format_sig(want, sizeof want, &d->type.func);
            plugin_format_sig(have, sizeof have, &h->sig);
            return plugin_fail(err, RF_ERR_LINK,
                               "module %s imports host function %s::%s with type %s, but the "
                               "host function has type %s",
                               pm->name, h->ns, h->name, want, have);
        }
        out->source = LINK_HOST;
        out->index = (uint32_t)(h - p->hosts);
        return true;
    }
    for (size_t j = 0; j < p->nmodules; j++) {
        if (j == mi || j == p->main_index ||
            !plugin_name_is(d->module, d->module_len, p->modules[j].name))
            continue;
        rf_export_desc e;
        if (!module_export(p->modules[j].module, d->name, d->name_len, &e))
            return unknown_import(p, mi, err, d);
        if (e.type.kind != d->type.kind)
            return plugin_fail(err, RF_ERR_LINK,
                               "module %s imports %.*s::%.*s as a %s, but module %s exports a %s",
                               pm->name, name_len(d->module_len), d->module, name_len(d->name_len),
                               d->name, extern_kind_name(d->type.kind), p->modules[j].name,
                               extern_kind_name(e.type.kind));
        if (e.type.kind == RF_EXTERN_FUNC && !rf_signature_equal(&e.type.func, &d->type.func)) {
            plugin_format_sig(want, sizeof want, &d->type.func);
            plugin_format_sig(have, sizeof have, &e.type.func);
            return plugin_fail(err, RF_ERR_LINK,
                               "module %s imports %.*s::%.*s with type %s, but module %s exports "
                               "it with type %s",
                               pm->name, name_len(d->module_len), d->module, name_len(d->name_len),
                               d->name, want, p->modules[j].name, have);
        }
        out->source = LINK_MODULE;
        out->index = (uint32_t)j;
        return true;
    }
    return unknown_import(p, mi, err, d);
}

/* Depth-first walk of "imports from" edges; state 1 = on the path, 2 = done. */
static bool check_cycle(rf_plugin *p, size_t mi, uint8_t *state, rf_error *err)
{
    if (state[mi] == 2)
        return true;
    state[mi] = 1;
    plugin_module *pm = &p->modules[mi];
    for (size_t i = 0; i < pm->nimports; i++) {
        if (pm->links[i].source != LINK_MODULE)
            continue;
        size_t j = pm->links[i].index;
        if (state[j] == 1)
            return plugin_fail(err, RF_ERR_LINK,
                               "modules %s and %s import from each other (directly or through "
                               "other modules); linked modules must not form a cycle",
                               pm->name, p->modules[j].name);
        if (!check_cycle(p, j, state, err))
            return false;
    }
    state[mi] = 2;
    return true;
}

/* With WASI on, let rf_wasi_link check names and types now, in a scratch
 * store, so a mismatch is a creation error as every other import's is. */
static bool check_wasi_imports(rf_plugin *p, rf_error *err)
{
    bool ok = true;
    rf_store *s = NULL;
    rf_wasi *w = NULL;
    for (size_t mi = 0; mi < p->nmodules && ok; mi++) {
        plugin_module *pm = &p->modules[mi];
        if (!pm->uses_wasi)
            continue;
        if (!s && !(s = rf_store_new(NULL, err)))
            return false;
        if (!w && !(w = rf_wasi_new(NULL, err))) {
            ok = false;
            break;
        }
        rf_extern *imports = calloc(pm->nimports, sizeof *imports);
        if (!imports) {
            ok = plugin_fail(err, RF_ERR_NOMEM, "out of memory checking WASI imports");
            break;
        }
        ok = rf_wasi_link(w, s, pm->module, imports, err);
        free(imports);
        if (!ok && p->nmodules > 1) {
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message);
            plugin_fail(err, RF_ERR_LINK, "module %s: %s", pm->name, msg);
        }
    }
    rf_store_free(s);
    rf_wasi_free(w);
    return ok;
}

bool plugin_link_check(rf_plugin *p, rf_error *err)
{
    for (size_t mi = 0; mi < p->nmodules; mi++) {
        plugin_module *pm = &p->modules[mi];
        pm->nimports = rf_module_import_count(pm->module);
        pm->links = calloc(pm->nimports ? pm->nimports : 1, sizeof *pm->links);
        if (!pm->links)
            return plugin_fail(err, RF_ERR_NOMEM, "out of memory checking imports");
        for (size_t i = 0; i < pm->nimports; i++) {
            rf_import_desc d;
            if (!rf_module_import(pm->module, i, &d))
                return plugin_fail(err, RF_ERR_LINK, "module %s: import %zu cannot be read",
                                   pm->name, i);
            if (!check_import(p, mi, &d, &pm->links[i], err))
                return false;
        }
    }
    uint8_t *state = calloc(p->nmodules, 1);
    if (!state)
        return plugin_fail(err, RF_ERR_NOMEM, "out of memory checking imports");
    bool ok = true;
    for (size_t mi = 0; mi < p->nmodules && ok; mi++)
        ok = check_cycle(p, mi, state, err);
    free(state);
    return ok && check_wasi_imports(p, err);
}

void plugin_links_free(rf_plugin *p)
{
    for (size_t mi = 0; mi < p->nmodules; mi++) {
        free(p->modules[mi].links);
        p->modules[mi].links = NULL;
    }
}

/* ---- running guest code ----------------------------------------------------------------- */

rf_error_kind plugin_run(rf_plugin *p, rf_func *f, const rf_value *args, size_t nargs,
                         rf_value *results, size_t nresults, rf_error *err)
{
    pthread_mutex_lock(&p->lock);
    p->running = true;
    pthread_mutex_unlock(&p->lock);
    rf_error_kind k = rf_call(f, args, nargs, results, nresults, err);
    pthread_mutex_lock(&p->lock);
    p->running = false;
    pthread_mutex_unlock(&p->lock);
    return k;
}

bool plugin_should_stop(void *user)
{
    rf_plugin *p = user;
    if (atomic_load(&p->cancelled))
        return true;
    return p->deadline_ns != 0 && plugin_now_ns() >= p->deadline_ns;
}

/* ---- instantiation -------------------------------------------------------------------------- */

/* The rf_func of env entry i in the current store, made on first use. */
static rf_func *env_func(rf_plugin *p, size_t i)
{
    plugin_instance *in = &p->inst;
    if (in->env_funcs[i])
        return in->env_funcs[i];
    const plugin_env_func *f = &plugin_env_funcs[i];
    if (!f->fn) {
        in->env_funcs[i] = rf_kernel_import(in->kernel, in->store, f->name);
    } else {
        rf_valtype types[2][PLUGIN_ENV_MAX_TYPES];
        rf_signature sig = plugin_env_signature(f, types);
        in->env_funcs[i] = rf_func_new_host(in->store, &sig, f->fn, p);
    }
    return in->env_funcs[i];
}

/* The exported function `name` of inst when its type is exactly `sig`. */
static rf_func *export_with_type(rf_instance *inst, const char *name, const rf_signature *sig)
{
    rf_extern ex;
    if (!rf_instance_export(inst, name, strlen(name), &ex) || ex.kind != RF_EXTERN_FUNC)
        return NULL;
    rf_signature have = rf_func_signature(ex.of.func);
    return rf_signature_equal(&have, sig) ? ex.of.func : NULL;
}

static const rf_signature sig_void = { 0, NULL, 0, NULL };

/* Run an init function; a proc_exit(0) there counts as success. */
static rf_error_kind run_init(rf_plugin *p, rf_func *f, const rf_value *args, size_t nargs,
                              rf_error *err)
{
    rf_error_kind k = plugin_run(p, f, args, nargs, NULL, 0, err);
    if (k == RF_ERR_EXIT && err->exit_code == 0)
        k = RF_OK;
    return k;
}

static rf_error_kind instantiate(rf_plugin *p, size_t mi, rf_error *err)
{
    plugin_instance *in = &p->inst;
    if (in->instances[mi])
        return RF_OK;
    if (in->visiting[mi]) {   /* refused at creation; kept as a guard */
        plugin_fail(err, RF_ERR_LINK, "module %s imports from itself through a cycle",
                    p->modules[mi].name);
        return RF_ERR_LINK;
    }
    in->visiting[mi] = 1;
    plugin_module *pm = &p->modules[mi];
    rf_extern *imports = calloc(pm->nimports ? pm->nimports : 1, sizeof *imports);
    if (!imports) {
        plugin_fail(err, RF_ERR_NOMEM, "out of memory instantiating module %s", pm->name);
        return RF_ERR_NOMEM;
    }
    rf_error_kind k = RF_OK;
    for (size_t i = 0; i < pm->nimports && k == RF_OK; i++) {
        const plugin_link *l = &pm->links[i];
        rf_func *f = NULL;
        switch ((plugin_link_source)l->source) {
        case LINK_WASI:
            continue;
        case LINK_ENV:
            f = env_func(p, l->index);
            break;
        case LINK_HOST:
            f = plugin_host_func(p, l->index);
            break;
        case LINK_MODULE: {
            k = instantiate(p, l->index, err);
            if (k != RF_OK)
                continue;   /* the loop ends on k */
            rf_import_desc d;
            if (!rf_module_import(pm->module, i, &d) ||
                !rf_instance_export(in->instances[l->index], d.name, d.name_len, &imports[i])) {
                plugin_fail(err, RF_ERR_LINK, "module %s: import %zu is not exported by module %s",
                            pm->name, i, p->modules[l->index].name);
                k = RF_ERR_LINK;
            }
            continue;
        }
        }
        if (!f) {
            plugin_fail(err, RF_ERR_NOMEM,
                        "module %s: cannot create the host function for import %zu (out of "
                        "memory, or the kernel lacks it)",
                        pm->name, i);
            k = RF_ERR_NOMEM;
            break;
        }
        imports[i].kind = RF_EXTERN_FUNC;
        imports[i].of.func = f;
    }
    if (k == RF_OK && pm->uses_wasi && !rf_wasi_link(in->wasi, in->store, pm->module, imports, err))
        k = err->kind;
    rf_instance *inst = NULL;
    if (k == RF_OK) {
        /* The start function runs here: let rf_plugin_cancel reach it. */
        pthread_mutex_lock(&p->lock);
        p->running = true;
        pthread_mutex_unlock(&p->lock);
        inst = rf_instantiate(in->store, pm->module, imports, pm->nimports, err);
        pthread_mutex_lock(&p->lock);
        p->running = false;
        pthread_mutex_unlock(&p->lock);
        if (!inst) {
            k = err->kind;
            if (k == RF_ERR_LIMIT) {
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "%s", err->message);
                plugin_fail(err, RF_ERR_LIMIT, "oom: module %s: %s", pm->name, msg);
            }
        }
    }
    free(imports);
    in->visiting[mi] = 0;
    if (k != RF_OK)
        return k;
    in->instances[mi] = inst;
    if (mi != p->main_index) {
        rf_func *init = export_with_type(inst, "_initialize", &sig_void);
        if (init)
            k = run_init(p, init, NULL, 0, err);
    }
    return k;
}

/* Section 2 of extism-abi.md: detect the guest runtime once, initialise once. */
static rf_error_kind init_main(rf_plugin *p, rf_instance *inst, rf_error *err)
{
    rf_extern hs;
    if (rf_instance_export(inst, "hs_init", 7, &hs) && hs.kind == RF_EXTERN_FUNC) {
        rf_func *init = export_with_type(inst, "_initialize", &sig_void);
        if (init) {
            rf_error_kind k = run_init(p, init, NULL, 0, err);
            if (k != RF_OK)
                return k;
        }
        static const rf_valtype two_i32[2] = { RF_I32, RF_I32 };
        const rf_signature want = { 2, two_i32, 0, NULL };
        rf_signature have = rf_func_signature(hs.of.func);
        if (!rf_signature_equal(&have, &want)) {
            char t[256];
            plugin_format_sig(t, sizeof t, &have);
            plugin_fail(err, RF_ERR_LINK, "hs_init has type %s, expected (i32, i32) -> ()", t);
            return RF_ERR_LINK;
        }
        const rf_value args[2] = { rf_val_i32(0), rf_val_i32(0) };
        return run_init(p, hs.of.func, args, 2, err);
    }
    rf_func *init = export_with_type(inst, "__wasm_call_ctors", &sig_void);
    if (!init)
        init = export_with_type(inst, "_initialize", &sig_void);
    return init ? run_init(p, init, NULL, 0, err) : RF_OK;
}

/* Memory 0 of the main module, when it is exported (for rf_plugin_get_stats). */
static rf_memory *main_memory(rf_plugin *p)
{
    const rf_module *m = p->modules[p->main_index].module;
    size_t n = rf_module_export_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_export_desc e;
        rf_extern ex;
        if (rf_module_export(m, i, &e) && e.type.kind == RF_EXTERN_MEMORY && e.index == 0 &&
            rf_instance_export(p->inst.instances[p->main_index], e.name, e.name_len, &ex))
            return ex.of.memory;
    }
    return NULL;
}

static bool any_wasi(const rf_plugin *p)
{
    for (size_t i = 0; i < p->nmodules; i++)
        if (p->modules[i].uses_wasi)
            return true;
    return false;
}

static rf_wasi *new_wasi(rf_plugin *p, rf_error *err)
{
    const rf_manifest *m = p->manifest;
    rf_wasi_preopen *pre = NULL;
    if (m->nallowed_paths) {
        pre = calloc(m->nallowed_paths, sizeof *pre);
        if (!pre) {
            plugin_fail(err, RF_ERR_NOMEM, "out of memory creating the WASI context");
            return NULL;
        }
        for (size_t i = 0; i < m->nallowed_paths; i++) {
            pre[i].host_path = m->allowed_paths[i].host_path;
            pre[i].guest_path = m->allowed_paths[i].guest_path;
            pre[i].read_only = m->allowed_paths[i].read_only;
        }
    }
    rf_wasi_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.write = plugin_wasi_write;
    cfg.should_stop = plugin_should_stop;
    cfg.user = p;
    cfg.preopens = pre;
    cfg.npreopens = m->nallowed_paths;
    rf_wasi *w = rf_wasi_new(&cfg, err);
    free(pre);
    return w;
}

rf_error_kind plugin_instance_build(rf_plugin *p, rf_error *err)
{
    plugin_instance *in = &p->inst;
    rf_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.memory_limit = p->memory_limit;
    cfg.memory_ceiling = p->memory_limit;
    cfg.memory_budget = p->budget;
    rf_store *s = rf_store_new(&cfg, err);
    if (!s)
        return err->kind;
    pthread_mutex_lock(&p->lock);
    in->store = s;
    pthread_mutex_unlock(&p->lock);

    rf_error_kind k = RF_OK;
    in->kernel = rf_kernel_new(s, err);
    if (!in->kernel) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        k = err->kind;
        plugin_fail(err, k, "%s%s: cannot create the kernel memory: %s",
                    k == RF_ERR_LIMIT ? "oom: " : "", p->name, msg);
        goto fail;
    }
    if (any_wasi(p) && !(in->wasi = new_wasi(p, err))) {
        k = err->kind;
        goto fail;
    }
    in->instances = calloc(p->nmodules, sizeof *in->instances);
    in->visiting = calloc(p->nmodules, 1);
    in->env_funcs = calloc(plugin_env_count, sizeof *in->env_funcs);
    in->host_funcs = calloc(p->nhosts ? p->nhosts : 1, sizeof *in->host_funcs);
    if (!in->instances || !in->visiting || !in->env_funcs || !in->host_funcs) {
        plugin_fail(err, RF_ERR_NOMEM, "out of memory instantiating the plugin");
        k = RF_ERR_NOMEM;
        goto fail;
    }
    for (size_t mi = 0; mi < p->nmodules && k == RF_OK; mi++)
        if (mi != p->main_index)
            k = instantiate(p, mi, err);
    if (k == RF_OK)
        k = instantiate(p, p->main_index, err);
    if (k == RF_OK)
        k = init_main(p, in->instances[p->main_index], err);
    if (k != RF_OK)
        goto fail;
    in->main_memory = main_memory(p);
    p->instantiations++;
    return RF_OK;

fail:
    plugin_instance_drop(p);
    return k;
}

void plugin_instance_drop(rf_plugin *p)
{
    plugin_instance *in = &p->inst;
    pthread_mutex_lock(&p->lock);
    rf_store *s = in->store;
    in->store = NULL;
    pthread_mutex_unlock(&p->lock);
    rf_store_free(s);             /* first: its host functions use the kernel and WASI */
    rf_kernel_free(in->kernel);
    rf_wasi_free(in->wasi);
    free(in->instances);
    free(in->visiting);
    free(in->env_funcs);
    free(in->host_funcs);
    memset(in, 0, sizeof *in);
}
