/*
 * plugin_env.c — the `extism:host/env` namespace: the table of every name a
 * plugin may import from it (kernel exports and host functions, with their
 * exact wasm types), and the host functions that are not kernel functions:
 * config_get, var_get, var_set, log_*, get_log_level and the HTTP trio.
 *
 * Rules followed (../shared/docs/extism-abi.md section 4):
 *   - the host frees every handle it is given (config/var keys, var_set key
 *     and value, the HTTP request and body, log messages even when filtered),
 *     except when var_set refuses a full store;
 *   - a handle argument of 0 is an empty value; a non-zero handle that is not
 *     a live block fails the call with "invalid handle offset for <what>";
 *   - returned handles belong to the plugin (the next call's reset reclaims
 *     them); an empty result is handle 0;
 *   - when the kernel cannot allocate a result the call fails with
 *     "<plugin name>: out of memory".
 */
#include "plugin_internal.h"

#include "http.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Bytes var_set charges per entry on top of the key and value (upstream). */
#define VAR_ENTRY_OVERHEAD 48u

static rf_error_kind env_config_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_var_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_var_set(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_http_request(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_http_status_code(rf_caller *, void *, const rf_value *, rf_value *,
                                          rf_error *);
static rf_error_kind env_http_headers(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_log_trace(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_log_debug(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_log_info(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_log_warn(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_log_error(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
static rf_error_kind env_get_log_level(rf_caller *, void *, const rf_value *, rf_value *,
                                       rf_error *);

const plugin_env_func plugin_env_funcs[] = {
    /* kernel exports (section 3) */
    { "alloc", "I", "I", NULL },
    { "free", "I", "", NULL },
    { "length", "I", "I", NULL },
    { "length_unsafe", "I", "I", NULL },
    { "load_u8", "I", "i", NULL },
    { "load_u64", "I", "I", NULL },
    { "store_u8", "Ii", "", NULL },
    { "store_u64", "II", "", NULL },
    { "input_load_u8", "I", "i", NULL },
    { "input_load_u64", "I", "I", NULL },
    { "input_length", "", "I", NULL },
    { "input_offset", "", "I", NULL },
    { "input_set", "II", "", NULL },
    { "output_set", "II", "", NULL },
    { "output_length", "", "I", NULL },
    { "output_offset", "", "I", NULL },
    { "error_set", "I", "", NULL },
    { "error_get", "", "I", NULL },
    { "reset", "", "", NULL },
    { "memory_bytes", "", "I", NULL },
    /* host functions */
    { "config_get", "I", "I", env_config_get },
    { "var_get", "I", "I", env_var_get },
    { "var_set", "II", "", env_var_set },
    { "http_request", "II", "I", env_http_request },
    { "http_status_code", "", "i", env_http_status_code },
    { "http_headers", "", "I", env_http_headers },
    { "log_trace", "I", "", env_log_trace },
    { "log_debug", "I", "", env_log_debug },
    { "log_info", "I", "", env_log_info },
    { "log_warn", "I", "", env_log_warn },
    { "log_error", "I", "", env_log_error },
    { "get_log_level", "", "i", env_get_log_level },
};
const size_t plugin_env_count = sizeof plugin_env_funcs / sizeof plugin_env_funcs[0];

const plugin_env_func *plugin_env_find(const char *name, size_t len)
{
    for (size_t i = 0; i < plugin_env_count; i++)
        if (plugin_name_is(name, len, plugin_env_funcs[i].name))
            return &plugin_env_funcs[i];
    return NULL;
}

rf_signature plugin_env_signature(const plugin_env_func *f,
                                  rf_valtype types[2][PLUGIN_ENV_MAX_TYPES])
{
    rf_signature sig = { 0, types[0], 0, types[1] };
    for (const char *c = f->params; *c; c++)
        types[0][sig.nparams++] = *c == 'i' ? RF_I32 : RF_I64;
    for (const char *c = f->results; *c; c++)
        types[1][sig.nresults++] = *c == 'i' ? RF_I32 : RF_I64;
    return sig;
}

/* Bytes of a handle argument, or a host failure naming what it was for. */
static bool arg_bytes(rf_plugin *p, uint64_t h, const char *what, const uint8_t **data,
                      uint64_t *len, rf_error *err, rf_error_kind *fail)
{
    if (plugin_handle_bytes(p, h, data, len))
        return true;
    *fail = plugin_host_fail(p, err, "invalid handle offset for %s: %" PRIu64, what, h);
    return false;
}

/* Return `n` bytes to the plugin as a new handle (0 when empty). */
static rf_error_kind return_bytes(rf_plugin *p, const void *bytes, uint64_t n, rf_value *result,
                                  rf_error *err)
{
    uint64_t h;
    if (!plugin_handle_new(p, bytes, n, &h))
        return plugin_host_fail(p, err, "%s: out of memory", p->name);
    result[0] = rf_val_i64(h);
    return RF_OK;
}

/* ---- config ------------------------------------------------------------------------ */

static rf_error_kind env_config_get(rf_caller *caller, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err)
{
    (void)caller;
    rf_plugin *p = user;
    rf_kernel *k = p->inst.kernel;
    uint64_t h = args[0].of.i64, len;
    const uint8_t *key;
    rf_error_kind fail;
    if (!arg_bytes(p, h, "config key", &key, &len, err, &fail))
        return fail;
    const char *value = NULL;
    for (size_t i = 0; i < p->manifest->nconfig; i++) {
        const char *ck = p->manifest->config[i].key;
        if (strlen(ck) == len && memcmp(ck, key, len) == 0) {
            value = p->manifest->config[i].value;
            break;
        }
    }
    rf_kernel_free_block(k, h);
    results[0] = rf_val_i64(0);
    return value ? return_bytes(p, value, strlen(value), results, err) : RF_OK;
}

/* ---- vars ---------------------------------------------------------------------------- */

static plugin_var *var_find(rf_plugin *p, const uint8_t *key, uint64_t len)
{
    for (size_t i = 0; i < p->nvars; i++)
        if (p->vars[i].key_len == len && (len == 0 || memcmp(p->vars[i].key, key, len) == 0))
            return &p->vars[i];
    return NULL;
}

static uint64_t var_cost(uint64_t key_len, uint64_t value_len)
{
    return key_len + value_len + VAR_ENTRY_OVERHEAD;
}

static void var_remove(rf_plugin *p, plugin_var *v)
{
    p->var_bytes -= var_cost(v->key_len, v->value_len);
    free(v->key);
    free(v->value);
    *v = p->vars[--p->nvars];
}

void plugin_vars_clear(rf_plugin *p)
{
    for (size_t i = 0; i < p->nvars; i++) {
        free(p->vars[i].key);
        free(p->vars[i].value);
    }
    free(p->vars);
    p->vars = NULL;
    p->nvars = p->vars_cap = 0;
    p->var_bytes = 0;
}

static rf_error_kind env_var_get(rf_caller *caller, void *user, const rf_value *args,
                                 rf_value *results, rf_error *err)
{
    (void)caller;
    rf_plugin *p = user;
    uint64_t h = args[0].of.i64, len;
    const uint8_t *key;
    rf_error_kind fail;
    if (!arg_bytes(p, h, "var key", &key, &len, err, &fail))
        return fail;
    plugin_var *v = var_find(p, key, len);
    rf_kernel_free_block(p->inst.kernel, h);
    results[0] = rf_val_i64(0);
    return v ? return_bytes(p, v->value, v->value_len, results, err) : RF_OK;
}

static rf_error_kind env_var_set(rf_caller *caller, void *user, const rf_value *args,
                                 rf_value *results, rf_error *err)
{
    (void)caller;
    (void)results;
    rf_plugin *p = user;
    rf_kernel *k = p->inst.kernel;
    uint64_t kh = args[0].of.i64, vh = args[1].of.i64, klen, vlen;
    const uint8_t *key, *value;
    rf_error_kind fail;
    if (p->max_var_bytes == 0)
        return plugin_host_fail(p, err, "Vars are disabled by this host");
    if (!arg_bytes(p, kh, "var key", &key, &klen, err, &fail))
        return fail;
    plugin_var *old = var_find(p, key, klen);
    if (vh == 0) {
        if (old)
            var_remove(p, old);
        rf_kernel_free_block(k, kh);
        return RF_OK;
    }
    if (!arg_bytes(p, vh, "var value", &value, &vlen, err, &fail))
        return fail;
    /* Upstream counts the entry being replaced as well: the new size must fit
     * next to everything stored now. */
    if (var_cost(klen, vlen) + p->var_bytes > p->max_var_bytes)
        return plugin_host_fail(p, err, "Variable store is full");

    uint8_t *vcopy = malloc(vlen);
    uint8_t *kcopy = old ? NULL : malloc(klen ? klen : 1);
    if (!vcopy || (!old && !kcopy)) {
        free(vcopy);
        free(kcopy);
        return plugin_host_fail(p, err, "%s: out of memory storing a var", p->name);
    }
    memcpy(vcopy, value, vlen);
    if (old) {
        p->var_bytes -= var_cost(old->key_len, old->value_len);
        free(old->value);
        old->value = vcopy;
        old->value_len = vlen;
    } else {
        if (p->nvars == p->vars_cap) {
            size_t cap = p->vars_cap ? 2 * p->vars_cap : 8;
            plugin_var *grown = realloc(p->vars, cap * sizeof *grown);
            if (!grown) {
                free(vcopy);
                free(kcopy);
                return plugin_host_fail(p, err, "%s: out of memory storing a var", p->name);
            }
            p->vars = grown;
            p->vars_cap = cap;
        }
        if (klen)
            memcpy(kcopy, key, klen);
        plugin_var *v = &p->vars[p->nvars++];
        v->key = kcopy;
        v->key_len = klen;
        v->value = vcopy;
        v->value_len = vlen;
    }
    p->var_bytes += var_cost(klen, vlen);
    rf_kernel_free_block(k, kh);
    rf_kernel_free_block(k, vh);
    return RF_OK;
}

/* ---- logs ------------------------------------------------------------------------------ */

/* log_<level>(h): filtered messages are freed unread; others are read (0 = ""),
 * sent to the sink and freed. */
static rf_error_kind log_at(rf_plugin *p, rf_log_level level, uint64_t h, rf_error *err)
{
    rf_kernel *k = p->inst.kernel;
    if (p->log_level == RF_LOG_OFF || level < p->log_level) {
        rf_kernel_free_block(k, h);
        return RF_OK;
    }
    const uint8_t *msg;
    uint64_t len;
    if (!plugin_handle_bytes(p, h, &msg, &len)) {
        rf_kernel_free_block(k, h);
        return plugin_host_fail(p, err, "invalid handle offset for log message: %" PRIu64, h);
    }
    plugin_log_emit(p, "log", level, (const char *)msg, (size_t)len);
    rf_kernel_free_block(k, h);
    return RF_OK;
}

#define LOG_FN(fname, level)                                                                 \
    static rf_error_kind fname(rf_caller *caller, void *user, const rf_value *args,          \
                               rf_value *results, rf_error *err)                             \
    {                                                                                        \
        (void)caller;                                                                        \
        (void)results;                                                                       \
        return log_at(user, level, args[0].of.i64, err);                                     \
    }
LOG_FN(env_log_trace, RF_LOG_TRACE)
LOG_FN(env_log_debug, RF_LOG_DEBUG)
LOG_FN(env_log_info, RF_LOG_INFO)
LOG_FN(env_log_warn, RF_LOG_WARN)
LOG_FN(env_log_error, RF_LOG_ERROR)
#undef LOG_FN

static rf_error_kind env_get_log_level(rf_caller *caller, void *user, const rf_value *args,
                                       rf_value *results, rf_error *err)
{
    (void)caller;
    (void)args;
    (void)err;
    const rf_plugin *p = user;
    results[0] = rf_val_i32((uint32_t)p->log_level);
    return RF_OK;
}

/* ---- HTTP -------------------------------------------------------------------------------- */

static bool http_should_stop(void *arg)
{
    return plugin_should_stop(arg);
}

static rf_error_kind env_http_request(rf_caller *caller, void *user, const rf_value *args,
                                      rf_value *results, rf_error *err)
{
    (void)caller;
    rf_plugin *p = user;
    rf_kernel *k = p->inst.kernel;
    uint64_t rh = args[0].of.i64, bh = args[1].of.i64, rlen, blen;
    const uint8_t *req, *body;
    rf_error_kind fail;

    p->http_status = 0;
    free(p->http_headers_json);
    p->http_headers_json = NULL;
    if (!arg_bytes(p, rh, "http request", &req, &rlen, err, &fail))
        return fail;
    if (!arg_bytes(p, bh, "http body", &body, &blen, err, &fail))
        return fail;

    uint64_t timeout_ms = 0;
    if (p->deadline_ns) {
        uint64_t now = plugin_now_ns();
        if (now >= p->deadline_ns)
            return plugin_host_fail(p, err, "timeout");
        timeout_ms = (p->deadline_ns - now + 999999u) / 1000000u;
    }
    rf_http_policy policy;
    memset(&policy, 0, sizeof policy);
    policy.allowed_hosts = (const char *const *)p->manifest->allowed_hosts;
    policy.nallowed_hosts = p->manifest->nallowed_hosts;
    policy.max_response_bytes = p->max_http_bytes;
    policy.timeout_ms = timeout_ms;
    policy.collect_headers = p->http_headers;
    policy.should_stop = http_should_stop;
    policy.should_stop_arg = p;

    rf_http_response resp;
    memset(&resp, 0, sizeof resp);
    char why[512];
    why[0] = '\0';
    bool ok = rf_http_request(&policy, (const char *)req, (size_t)rlen, bh ? body : NULL,
                              (size_t)blen, &resp, why, sizeof why);
    rf_kernel_free_block(k, rh);
    rf_kernel_free_block(k, bh);
    p->http_status = resp.status > 0 && resp.status <= INT32_MAX ? (int32_t)resp.status : 0;
    if (!ok) {
        rf_http_response_free(&resp);
        return plugin_host_fail(p, err, "%s", why[0] ? why : "HTTP request failed");
    }
    p->http_headers_json = resp.headers_json;
    resp.headers_json = NULL;
    results[0] = rf_val_i64(0);
    rf_error_kind kind = return_bytes(p, resp.body, resp.body_len, results, err);
    rf_http_response_free(&resp);
    return kind;
}

static rf_error_kind env_http_status_code(rf_caller *caller, void *user, const rf_value *args,
                                          rf_value *results, rf_error *err)
{
    (void)caller;
    (void)args;
    (void)err;
    const rf_plugin *p = user;
    results[0] = rf_val_i32((uint32_t)p->http_status);
    return RF_OK;
}

static rf_error_kind env_http_headers(rf_caller *caller, void *user, const rf_value *args,
                                      rf_value *results, rf_error *err)
{
    (void)caller;
    (void)args;
    rf_plugin *p = user;
    results[0] = rf_val_i64(0);
    if (!p->http_headers)
        return RF_OK;
    const char *json = p->http_headers_json ? p->http_headers_json : "{}";
    return return_bytes(p, json, strlen(json), results, err);
}
