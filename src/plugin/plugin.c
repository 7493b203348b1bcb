/*
 * plugin.c — the life of an rf_plugin outside its calls: creation (options,
 * memory budget, compiling every manifest module once, the import checks of
 * plugin_link.c), free, rf_plugin_function_exists, stats and cancellation,
 * plus the small helpers the other plugin files share.
 *
 * Memory model: the plugin's budget (opts.memory_limit, 16 MiB by default,
 * refused above opts.memory_ceiling, 100 MiB by default) becomes the store's
 * memory_budget, shared by every linear memory and the kernel memory; each
 * single memory is further capped by memory.max_pages of the manifest. A
 * memory minimum that cannot fit is refused at creation ("oom: ...").
 *
 * Creation instantiates nothing: the first call does (plugin_link.c).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, fstat */

#include "plugin_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- shared helpers ------------------------------------------------------------------ */

static void error_fill(rf_error *err, rf_error_kind kind, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

static void error_fill(rf_error *err, rf_error_kind kind, const char *fmt, va_list ap)
{
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->trap = RF_TRAP_NONE;
    err->offset = RF_NO_OFFSET;
    err->func_index = RF_NO_FUNC;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
}

bool plugin_fail(rf_error *err, rf_error_kind kind, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        error_fill(err, kind, fmt, ap);
        va_end(ap);
    }
    return false;
}

rf_error_kind plugin_host_fail(rf_plugin *p, rf_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->host_msg, sizeof p->host_msg, fmt, ap);
    va_end(ap);
    p->host_failed = true;
    if (err) {
        memset(err, 0, sizeof *err);
        err->kind = RF_ERR_HOST;
        err->offset = RF_NO_OFFSET;
        err->func_index = RF_NO_FUNC;
        snprintf(err->message, sizeof err->message, "%s", p->host_msg);
    }
    return RF_ERR_HOST;
}

static void put_types(char *buf, size_t size, size_t *at, const rf_valtype *t, uint32_t n)
{
    for (uint32_t i = 0; i < n && *at < size; i++) {
        int w = snprintf(buf + *at, size - *at, "%s%s", i ? ", " : "", rf_valtype_name(t[i]));
        *at += w > 0 ? (size_t)w : 0;
    }
}

void plugin_format_sig(char *buf, size_t size, const rf_signature *sig)
{
    size_t at = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    at += (size_t)snprintf(buf, size, "(");
    put_types(buf, size, &at, sig->params, sig->nparams);
    if (at < size)
        at += (size_t)snprintf(buf + at, size - at, ") -> %s", sig->nresults == 1 ? "" : "(");
    put_types(buf, size, &at, sig->results, sig->nresults);
    if (at < size && sig->nresults != 1)
        snprintf(buf + at, size - at, ")");
}

void plugin_format_bytes(char *buf, size_t size, uint64_t bytes)
{
    const uint64_t kib = 1024, mib = kib * 1024, gib = mib * 1024;
    if (bytes >= gib && bytes % gib == 0) {
        snprintf(buf, size, "%" PRIu64 " GiB", bytes / gib);
    } else if (bytes >= mib && bytes % mib == 0) {
        snprintf(buf, size, "%" PRIu64 " MiB", bytes / mib);
    } else if (bytes >= mib) {
        uint64_t hundredths = (bytes % mib) * 100 / mib;   /* truncated, no floats */
        snprintf(buf, size, "%" PRIu64 ".%02" PRIu64 " MiB", bytes / mib, hundredths);
    } else if (bytes >= kib && bytes % kib == 0) {
        snprintf(buf, size, "%" PRIu64 " KiB", bytes / kib);
    } else {
        snprintf(buf, size, "%" PRIu64 " bytes", bytes);
    }
}

bool plugin_name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

uint64_t plugin_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- creation -------------------------------------------------------------------------- */

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

/* Budget and per-memory limit from the options and the manifest. */
static bool resolve_memory(rf_plugin *p, const rf_plugin_options *o, rf_error *err)
{
    uint64_t budget = o->memory_limit ? o->memory_limit : PLUGIN_DEFAULT_BUDGET;
    uint64_t ceiling = o->memory_ceiling ? o->memory_ceiling : PLUGIN_DEFAULT_CEILING;
    if (budget > ceiling) {
        char a[48], b[48];
        plugin_format_bytes(a, sizeof a, budget);
        plugin_format_bytes(b, sizeof b, ceiling);
        return plugin_fail(err, RF_ERR_LIMIT,
                           "plugin memory limit %s exceeds the ceiling of %s; raise "
                           "memory_ceiling explicitly to allow it",
                           a, b);
    }
    p->budget = budget;
    uint64_t limit = budget < PLUGIN_MAX_MEMORY_BYTES ? budget : PLUGIN_MAX_MEMORY_BYTES;
    if (p->manifest->has_max_pages &&
        (uint64_t)p->manifest->max_pages * PLUGIN_PAGE_SIZE < limit)
        limit = (uint64_t)p->manifest->max_pages * PLUGIN_PAGE_SIZE;
    /* The store reads 0 as "default"; 1 byte is a limit of 0 pages. */
    p->memory_limit = limit ? limit : 1;
    return true;
}

/* A memory whose minimum cannot fit is an error now rather than at the
 * first call. (Together with the other memories and the kernel it may still
 * not fit; instantiation reports that with "oom: ".) */
static bool check_memory_minimums(rf_plugin *p, rf_error *err)
{
    for (size_t mi = 0; mi < p->nmodules; mi++) {
        const rf_module *m = p->modules[mi].module;
        rf_module_info info;
        rf_module_get_info(m, &info);
        for (uint32_t i = info.num_memory_imports; i < info.num_memories; i++) {
            rf_limits_desc lim;
            if (!rf_module_memory_type(m, i, &lim))
                continue;
            char want[48], have[48], where[300] = "";
            plugin_format_bytes(want, sizeof want, lim.min * PLUGIN_PAGE_SIZE);
            if (p->nmodules > 1)
                snprintf(where, sizeof where, " (module %s)", p->modules[mi].name);
            if (p->manifest->has_max_pages && lim.min > p->manifest->max_pages)
                return plugin_fail(err, RF_ERR_LIMIT,
                                   "oom: memory minimum %" PRIu64 " pages (%s) exceeds "
                                   "memory.max_pages (%" PRIu32 ")%s",
                                   lim.min, want, p->manifest->max_pages, where);
            if (lim.min * PLUGIN_PAGE_SIZE > p->budget) {
                plugin_format_bytes(have, sizeof have, p->budget);
                return plugin_fail(err, RF_ERR_LIMIT,
                                   "oom: memory minimum %" PRIu64 " pages (%s) exceeds the "
                                   "plugin's memory limit of %s%s",
                                   lim.min, want, have, where);
            }
        }
    }
    return true;
}

static bool compile_modules(rf_plugin *p, rf_error *err)
{
    const rf_manifest *m = p->manifest;
    if (m->nwasm == 0 || !m->wasm)
        return plugin_fail(err, RF_ERR_ARG, "No wasm files specified in Extism manifest");
    p->modules = calloc(m->nwasm, sizeof *p->modules);
    if (!p->modules)
        return plugin_fail(err, RF_ERR_NOMEM, "out of memory creating a plugin");
    p->nmodules = m->nwasm;
    p->main_index = rf_manifest_main_index(m);
    for (size_t i = 0; i < m->nwasm; i++) {
        plugin_module *pm = &p->modules[i];
        pm->name = m->wasm[i].name ? m->wasm[i].name : "main";
        rf_error e;
        pm->module = rf_module_load(m->wasm[i].data, m->wasm[i].data_len, NULL, &e);
        if (!pm->module)
            return plugin_fail(err, e.kind, "wasm module %s: %s", pm->name, e.message);
    }
    return true;
}

rf_plugin *rf_plugin_new(rf_manifest *manifest, const rf_plugin_options *opts, rf_error *err)
{
    if (!manifest) {
        plugin_fail(err, RF_ERR_ARG, "rf_plugin_new: manifest is NULL");
        return NULL;
    }
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    if (opts)
        o = *opts;
    rf_plugin *p = calloc(1, sizeof *p);
    if (!p) {
        rf_manifest_free(manifest);
        plugin_fail(err, RF_ERR_NOMEM, "out of memory creating a plugin");
        return NULL;
    }
    p->manifest = manifest;
    p->current.plugin = p;
    pthread_mutex_init(&p->lock, NULL);
    atomic_init(&p->cancelled, false);

    p->name = dup_string(o.name ? o.name : "plugin");
    if (!p->name) {
        plugin_fail(err, RF_ERR_NOMEM, "out of memory creating a plugin");
        goto fail;
    }
    p->wasi = o.wasi;
    p->log_level = o.log_level_set ? o.log_level : RF_LOG_ERROR;
    if (strcmp(rf_log_level_name(p->log_level), "unknown") == 0) {
        plugin_fail(err, RF_ERR_ARG, "unknown log level %d", (int)o.log_level);
        goto fail;
    }
    p->log = o.log;
    p->log_user = o.log_user;
    p->http_headers = o.http_response_headers;
    p->max_var_bytes = manifest->has_max_var_bytes ? manifest->max_var_bytes
                                                   : RF_PLUGIN_DEFAULT_MAX_VAR_BYTES;
    p->max_http_bytes = manifest->has_max_http_response_bytes
                            ? manifest->max_http_response_bytes
                            : RF_PLUGIN_DEFAULT_MAX_HTTP_RESPONSE_BYTES;
    p->timeout_ms = manifest->has_timeout_ms ? manifest->timeout_ms : 0;

    if (!resolve_memory(p, &o, err) || !plugin_hosts_copy(p, o.functions, o.nfunctions, err) ||
        !compile_modules(p, err) || !check_memory_minimums(p, err) || !plugin_link_check(p, err))
        goto fail;
    return p;

fail:
    rf_plugin_free(p);
    return NULL;
}

static bool is_wasm(const uint8_t *bytes, size_t len)
{
    return len >= 4 && memcmp(bytes, "\0asm", 4) == 0;
}

rf_plugin *rf_plugin_new_from_bytes(const uint8_t *bytes, size_t len, const rf_plugin_options *opts,
                                    rf_error *err)
{
    if (!bytes && len) {
        plugin_fail(err, RF_ERR_ARG, "rf_plugin_new_from_bytes: bytes is NULL");
        return NULL;
    }
    rf_manifest *m = is_wasm(bytes, len) ? rf_manifest_from_wasm(bytes, len, err)
                                         : rf_manifest_parse((const char *)bytes, len, NULL, err);
    return m ? rf_plugin_new(m, opts, err) : NULL;
}

/* Read a whole regular file of at most RF_MANIFEST_MAX_WASM_BYTES. */
static uint8_t *read_file(const char *path, size_t *len, rf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        plugin_fail(err, RF_ERR_ARG, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        plugin_fail(err, RF_ERR_ARG, "cannot read %s: not a regular file", path);
    } else if ((uint64_t)st.st_size > RF_MANIFEST_MAX_WASM_BYTES) {
        plugin_fail(err, RF_ERR_LIMIT, "cannot read %s: %" PRIu64 " bytes, more than the %u allowed",
                    path, (uint64_t)st.st_size, RF_MANIFEST_MAX_WASM_BYTES);
    } else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1))) {
        plugin_fail(err, RF_ERR_NOMEM, "out of memory reading %s", path);
    } else if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        plugin_fail(err, RF_ERR_ARG, "cannot read %s: %s", path,
                    ferror(f) ? strerror(errno) : "the file shrank while being read");
        free(buf);
        buf = NULL;
    } else {
        *len = (size_t)st.st_size;
    }
    fclose(f);
    return buf;
}

rf_plugin *rf_plugin_new_from_file(const char *path, const rf_plugin_options *opts, rf_error *err)
{
    if (!path) {
        plugin_fail(err, RF_ERR_ARG, "rf_plugin_new_from_file: path is NULL");
        return NULL;
    }
    size_t len = 0;
    uint8_t *bytes = read_file(path, &len, err);
    if (!bytes)
        return NULL;
    rf_manifest *m;
    if (is_wasm(bytes, len)) {
        m = rf_manifest_from_wasm(bytes, len, err);
    } else {
        /* Relative module paths resolve against the manifest's directory. */
        char *dir = dup_string(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            slash[slash == dir ? 1 : 0] = '\0';
        m = dir ? rf_manifest_parse((const char *)bytes, len, slash ? dir : NULL, err) : NULL;
        if (!dir)
            plugin_fail(err, RF_ERR_NOMEM, "out of memory reading %s", path);
        free(dir);
    }
    free(bytes);
    return m ? rf_plugin_new(m, opts, err) : NULL;
}

void rf_plugin_free(rf_plugin *p)
{
    if (!p)
        return;
    plugin_lines_flush(p);
    plugin_instance_drop(p);
    plugin_vars_clear(p);
    plugin_lines_free(p);
    plugin_links_free(p);
    for (size_t i = 0; i < p->nmodules; i++)
        rf_module_free(p->modules[i].module);
    free(p->modules);
    plugin_hosts_free(p);
    rf_manifest_free(p->manifest);
    free(p->error);
    free(p->http_headers_json);
    free(p->name);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* ---- queries ---------------------------------------------------------------------------- */

bool rf_plugin_function_exists(rf_plugin *p, const char *func)
{
    if (!p || !func)
        return false;
    const rf_module *m = p->modules[p->main_index].module;
    rf_export_desc e;
    size_t n = rf_module_export_count(m), len = strlen(func);
    for (size_t i = 0; i < n; i++) {
        if (!rf_module_export(m, i, &e) || e.name_len != len || memcmp(e.name, func, len) != 0)
            continue;
        const rf_signature *s = &e.type.func;
        return e.type.kind == RF_EXTERN_FUNC && s->nparams == 0 &&
               (s->nresults == 0 || (s->nresults == 1 && s->results[0] == RF_I32));
    }
    return false;
}

rf_plugin_stats rf_plugin_get_stats(const rf_plugin *p)
{
    rf_plugin_stats st;
    memset(&st, 0, sizeof st);
    if (!p)
        return st;
    st.budget_bytes = p->budget;
    st.calls = p->calls;
    st.instantiations = p->instantiations;
    if (p->inst.store)
        st.in_use_bytes = rf_store_memory_in_use(p->inst.store);
    if (p->inst.main_memory)
        st.main_memory = rf_memory_get_stats(p->inst.main_memory);
    if (p->inst.kernel)
        st.kernel_memory = rf_memory_get_stats(rf_kernel_memory(p->inst.kernel));
    return st;
}

void rf_plugin_cancel(rf_plugin *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    if (p->running && p->inst.store) {
        atomic_store(&p->cancelled, true);
        rf_store_interrupt(p->inst.store);
    }
    pthread_mutex_unlock(&p->lock);
}
