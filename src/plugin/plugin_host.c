/*
 * plugin_host.c — user host functions: the copies rf_plugin_new keeps, the
 * rf_func made for each in the current store, the trampoline that turns an
 * engine host call into an rf_plugin_host_fn call, and the
 * rf_plugin_current_* view of the kernel memory those functions use.
 *
 * Invariants:
 *   - a user host function lives in any namespace except extism:host/env
 *     (whose names are the kernel's and the builtin host functions'); NULL
 *     means extism:host/user; (namespace, name) pairs are unique;
 *   - the trampoline's `user` is the plugin_host_fn copy, which lives as
 *     long as the plugin, so it outlives every store the rf_func is made in;
 *   - a failing host function fails the call with its message, rc -1
 *     (recorded with plugin_host_fail, whatever the engine does with it).
 */
#include "plugin_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

static bool valtype_known(rf_valtype t)
{
    switch (t) {
    case RF_I32: case RF_I64: case RF_F32: case RF_F64: case RF_V128: case RF_FUNCREF:
    case RF_EXTERNREF:
        return true;
    }
    return false;
}

bool plugin_hosts_copy(rf_plugin *p, const rf_host_function *fns, size_t n, rf_error *err)
{
    if (n == 0)
        return true;
    if (!fns)
        return plugin_fail(err, RF_ERR_ARG, "%zu host functions given but the array is NULL", n);
    p->hosts = calloc(n, sizeof *p->hosts);
    if (!p->hosts)
        return plugin_fail(err, RF_ERR_NOMEM, "out of memory copying host functions");
    for (size_t i = 0; i < n; i++) {
        const rf_host_function *f = &fns[i];
        const char *ns = f->ns ? f->ns : PLUGIN_USER_MODULE;
        if (!f->name || !f->fn)
            return plugin_fail(err, RF_ERR_ARG, "host function %zu (%s::%s) has no %s", i, ns,
                               f->name ? f->name : "?", f->name ? "callback" : "name");
        if (strcmp(ns, PLUGIN_ENV_MODULE) == 0)
            return plugin_fail(err, RF_ERR_ARG,
                               "host function %s::%s: the namespace %s is reserved for the "
                               "kernel and the builtin host functions",
                               ns, f->name, PLUGIN_ENV_MODULE);
        if ((f->sig.nparams && !f->sig.params) || (f->sig.nresults && !f->sig.results))
            return plugin_fail(err, RF_ERR_ARG, "host function %s::%s: signature arrays are NULL",
                               ns, f->name);
        uint64_t ntypes = (uint64_t)f->sig.nparams + f->sig.nresults;
        if (ntypes > 1000)
            return plugin_fail(err, RF_ERR_ARG,
                               "host function %s::%s: %" PRIu64 " values in its signature "
                               "(at most 1000)", ns, f->name, ntypes);
        for (uint64_t t = 0; t < ntypes; t++) {
            rf_valtype vt = t < f->sig.nparams ? f->sig.params[t]
                                               : f->sig.results[t - f->sig.nparams];
            if (!valtype_known(vt))
                return plugin_fail(err, RF_ERR_ARG,
                                   "host function %s::%s: value %" PRIu64 " of its signature "
                                   "has the unknown type 0x%x", ns, f->name, t, (unsigned)vt);
        }
        if (plugin_hosts_find(p, ns, strlen(ns), f->name, strlen(f->name)))
            return plugin_fail(err, RF_ERR_ARG, "host function %s::%s is defined twice", ns,
                               f->name);

        plugin_host_fn *h = &p->hosts[p->nhosts];
        h->plugin = p;
        h->fn = f->fn;
        h->user = f->user;
        h->ns = dup_string(ns);
        h->name = dup_string(f->name);
        h->types = malloc(ntypes ? ntypes * sizeof *h->types : 1);
        p->nhosts++;    /* counted now, so plugin_hosts_free releases a partial copy */
        if (!h->ns || !h->name || !h->types)
            return plugin_fail(err, RF_ERR_NOMEM, "out of memory copying host functions");
        for (uint64_t t = 0; t < ntypes; t++)
            h->types[t] = t < f->sig.nparams ? f->sig.params[t]
                                             : f->sig.results[t - f->sig.nparams];
        h->sig.nparams = f->sig.nparams;
        h->sig.params = h->types;
        h->sig.nresults = f->sig.nresults;
        h->sig.results = h->types + f->sig.nparams;
    }
    return true;
}

void plugin_hosts_free(rf_plugin *p)
{
    for (size_t i = 0; i < p->nhosts; i++) {
        free(p->hosts[i].ns);
        free(p->hosts[i].name);
        free(p->hosts[i].types);
    }
    free(p->hosts);
    p->hosts = NULL;
    p->nhosts = 0;
}

plugin_host_fn *plugin_hosts_find(rf_plugin *p, const char *ns, size_t ns_len, const char *name,
                                  size_t name_len)
{
    for (size_t i = 0; i < p->nhosts; i++)
        if (p->hosts[i].ns && p->hosts[i].name && plugin_name_is(ns, ns_len, p->hosts[i].ns) &&
            plugin_name_is(name, name_len, p->hosts[i].name))
            return &p->hosts[i];
    return NULL;
}

/* The engine's view of a user host function: call it with the plugin's
 * rf_plugin_current, and turn its failure into the call's error. */
static rf_error_kind host_trampoline(rf_caller *caller, void *user, const rf_value *args,
                                     rf_value *results, rf_error *err)
{
    (void)caller;
    plugin_host_fn *h = user;
    rf_plugin *p = h->plugin;
    rf_error herr;
    memset(&herr, 0, sizeof herr);
    herr.offset = RF_NO_OFFSET;
    herr.func_index = RF_NO_FUNC;
    rf_error_kind k = h->fn(&p->current, h->user, args, results, &herr);
    if (k == RF_OK)
        return RF_OK;
    herr.message[sizeof herr.message - 1] = '\0';
    if (herr.message[0])
        return plugin_host_fail(p, err, "%s", herr.message);
    return plugin_host_fail(p, err, "host function %s::%s failed (%s)", h->ns, h->name,
                            rf_error_kind_name(k));
}

rf_func *plugin_host_func(rf_plugin *p, size_t i)
{
    if (!p->inst.host_funcs[i])
        p->inst.host_funcs[i] = rf_func_new_host(p->inst.store, &p->hosts[i].sig, host_trampoline,
                                                 &p->hosts[i]);
    return p->inst.host_funcs[i];
}

/* ---- kernel handles ------------------------------------------------------------------- */

bool plugin_handle_bytes(rf_plugin *p, uint64_t h, const uint8_t **data, uint64_t *len)
{
    static const uint8_t empty[1];
    *data = empty;
    *len = 0;
    if (h == 0)
        return true;
    uint64_t n = rf_kernel_length(p->inst.kernel, h);
    if (n == 0)
        return false;
    uint8_t *ptr = rf_kernel_ptr(p->inst.kernel, h, n);
    if (!ptr)
        return false;
    *data = ptr;
    *len = n;
    return true;
}

bool plugin_handle_new(rf_plugin *p, const void *bytes, uint64_t n, uint64_t *h)
{
    *h = 0;
    if (n == 0)
        return true;
    uint64_t a = rf_kernel_alloc(p->inst.kernel, n);
    uint8_t *dst = a ? rf_kernel_ptr(p->inst.kernel, a, n) : NULL;
    if (!dst)
        return false;
    memcpy(dst, bytes, (size_t)n);
    *h = a;
    return true;
}

/* ---- rf_plugin_current ------------------------------------------------------------------ */

/* The kernel of the running call, or NULL when cur is not valid now. */
static rf_kernel *current_kernel(rf_plugin_current *cur)
{
    return cur && cur->plugin && cur->plugin->in_call ? cur->plugin->inst.kernel : NULL;
}

uint64_t rf_plugin_current_alloc(rf_plugin_current *cur, uint64_t n)
{
    rf_kernel *k = current_kernel(cur);
    return k && n ? rf_kernel_alloc(k, n) : 0;
}

void rf_plugin_current_free(rf_plugin_current *cur, uint64_t handle)
{
    rf_kernel *k = current_kernel(cur);
    if (k)
        rf_kernel_free_block(k, handle);
}

uint64_t rf_plugin_current_length(rf_plugin_current *cur, uint64_t handle)
{
    rf_kernel *k = current_kernel(cur);
    return k && handle ? rf_kernel_length(k, handle) : 0;
}

uint8_t *rf_plugin_current_data(rf_plugin_current *cur, uint64_t handle, uint64_t *len)
{
    rf_kernel *k = current_kernel(cur);
    uint64_t n = k && handle ? rf_kernel_length(k, handle) : 0;
    uint8_t *ptr = n ? rf_kernel_ptr(k, handle, n) : NULL;
    if (len)
        *len = ptr ? n : 0;
    return ptr;
}

uint64_t rf_plugin_current_new(rf_plugin_current *cur, const void *bytes, uint64_t n)
{
    uint64_t h = 0;
    if (current_kernel(cur) && bytes)
        plugin_handle_new(cur->plugin, bytes, n, &h);
    return h;
}

void rf_plugin_current_set_error(rf_plugin_current *cur, const char *msg)
{
    rf_kernel *k = current_kernel(cur);
    if (!k)
        return;
    rf_plugin *p = cur->plugin;
    size_t n = msg ? strlen(msg) : 0;
    uint64_t h = 0;
    if (n && !plugin_handle_new(p, msg, n, &h)) {
        /* No kernel memory for the message: keep it host-side so the call
         * still fails with it. */
        p->set_error_lost = true;
        snprintf(p->host_set_error, sizeof p->host_set_error, "%s", msg);
        return;
    }
    p->set_error_lost = false;
    rf_kernel_error_set(k, h);
}

void *rf_plugin_current_host_context(rf_plugin_current *cur)
{
    return cur && cur->plugin && cur->plugin->in_call ? cur->plugin->host_context : NULL;
}

rf_plugin *rf_plugin_current_plugin(rf_plugin_current *cur)
{
    return cur ? cur->plugin : NULL;
}
