/*
 * plugin_call.c — one call into a plugin, in the order of section 2 of
 * extism-abi.md:
 *
 *   refuse re-entry; rebuild after a `_start` call; instantiate on the first
 *   call (plugin_link.c); kernel reset (every earlier handle, the previous
 *   output included, becomes invalid); copy the input into a new block and
 *   input_set it (empty input: no block, input is (0, 0)); look up the
 *   export (() -> i32 or () -> ()); arm the timeout; call; read output and
 *   error from the kernel; apply the result rules (classify below).
 *
 * After a trap or a timeout the instance is kept, as upstream keeps its
 * store: the engine unwinds a trap or an interrupt completely (no frame or
 * lock is left behind, the interrupt flag is cleared by the next call), and
 * the next call resets the kernel. Guest state (globals, memory) is whatever
 * the guest left, exactly as upstream. Only a failed instantiation or init
 * drops the instance, and the next call builds it again.
 *
 * Cancellation: rf_plugin_cancel interrupts the store while guest code runs.
 * It can be lost in one narrow window, between arming and the engine's
 * top-level rf_call clearing a stale interrupt; it then does not stop that
 * call (upstream's cancel handle has the same "only while running" rule).
 */
#include "plugin_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char reentrant_msg[] = "cannot make reentrant calls into plugin";
static const char oom_msg[] = "out of memory formatting the call's error";

/* The call fails with a formatted message (kept in p->error). */
static void call_fail(rf_plugin *p, rf_call_result *r, int32_t rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void call_fail(rf_plugin *p, rf_call_result *r, int32_t rc, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    free(p->error);
    p->error = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p->error)
        vsnprintf(p->error, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    r->ok = false;
    r->rc = rc;
    r->error = p->error ? p->error : oom_msg;
}

/* The error the guest (or a host function) set: a block handle with a
 * non-zero length, or a set_error message that found no kernel memory.
 * Returns a malloc'd NUL-terminated copy, or NULL. */
static char *kernel_error_text(rf_plugin *p)
{
    rf_kernel *k = p->inst.kernel;
    uint64_t h = k ? rf_kernel_error_get(k) : 0;
    uint64_t n = h ? rf_kernel_length(k, h) : 0;
    const uint8_t *bytes = n ? rf_kernel_ptr(k, h, n) : NULL;
    if (!bytes) {
        if (!p->set_error_lost)
            return NULL;
        bytes = (const uint8_t *)p->host_set_error;
        n = strlen(p->host_set_error);
    }
    char *text = malloc((size_t)n + 1);
    if (text) {
        memcpy(text, bytes, (size_t)n);
        text[n] = '\0';
    }
    return text;
}

/* Section 2, step 10: from how the call ended to rc, ok and the message. */
static void classify(rf_plugin *p, rf_error_kind k, const rf_error *err, int32_t value,
                     const char *errtext, rf_call_result *r)
{
    r->ok = false;
    switch (k) {
    case RF_OK:
        if (errtext)
            call_fail(p, r, value, "%s", errtext);
        else if (value != 0)
            call_fail(p, r, value, "Returned non-zero exit code: %d", (int)value);
        else
            r->ok = true;
        return;
    case RF_ERR_EXIT:
        if (errtext)
            call_fail(p, r, (int32_t)err->exit_code, "%s", errtext);
        else if (err->exit_code != 0)
            call_fail(p, r, (int32_t)err->exit_code, "Exited with i32 exit status %d",
                      err->exit_code);
        else
            r->ok = true;
        return;
    case RF_ERR_INTERRUPTED:
        call_fail(p, r, -1, "%s", errtext ? errtext : "timeout");
        return;
    default:
        break;
    }
    if (errtext)
        call_fail(p, r, -1, "%s", errtext);
    else if (p->host_failed)
        call_fail(p, r, -1, "%s", p->host_msg);
    else if (k == RF_ERR_TRAP || k == RF_ERR_EXHAUSTED)
        call_fail(p, r, 134, "%s", err->message);
    else
        call_fail(p, r, -1, "%s", err->message[0] ? err->message : rf_error_kind_name(k));
}

/* Copy the input into the kernel: a fresh block, then input_set. */
static bool set_input(rf_plugin *p, const uint8_t *input, size_t len)
{
    uint64_t h;
    if (!plugin_handle_new(p, input, len, &h))
        return false;
    if (h)
        rf_kernel_input_set(p->inst.kernel, h, len);
    return true;
}

/* The export `func` of main as a callable plugin function, or a failure. */
static rf_func *find_export(rf_plugin *p, const char *func, rf_call_result *r)
{
    rf_extern ex;
    if (!rf_instance_export(p->inst.instances[p->main_index], func, strlen(func), &ex) ||
        ex.kind != RF_EXTERN_FUNC) {
        call_fail(p, r, -1, "Function not found: %s", func);
        return NULL;
    }
    rf_signature sig = rf_func_signature(ex.of.func);
    if (sig.nparams != 0 || sig.nresults > 1 || (sig.nresults == 1 && sig.results[0] != RF_I32)) {
        char t[256];
        plugin_format_sig(t, sizeof t, &sig);
        call_fail(p, r, -1,
                  "Function %s has type %s; a plugin function must have type () -> i32 or "
                  "() -> ()",
                  func, t);
        return NULL;
    }
    return ex.of.func;
}

static void run_export(rf_plugin *p, const char *func, const uint8_t *input, size_t input_len,
                       rf_call_result *r)
{
    rf_error err;
    memset(&err, 0, sizeof err);
    if (p->reset_pending) {
        /* The last call was _start: a fresh store, kernel, instance, WASI
         * context and empty vars, as if the plugin were new. */
        plugin_instance_drop(p);
        plugin_vars_clear(p);
        p->reset_pending = false;
    }
    if (!p->inst.store) {
        rf_error_kind k = plugin_instance_build(p, &err);
        if (k != RF_OK) {
            classify(p, k, &err, 0, NULL, r);
            return;
        }
    }
    rf_kernel *kernel = p->inst.kernel;
    rf_kernel_reset(kernel);
    p->host_failed = false;
    p->set_error_lost = false;
    if (!set_input(p, input, input_len)) {
        call_fail(p, r, -1, "%s: out of memory", p->name);
        return;
    }
    rf_func *f = find_export(p, func, r);
    if (!f)
        return;

    rf_value result = rf_val_i32(0);
    size_t nresults = rf_func_signature(f).nresults;
    if (p->timeout_ms) {
        uint64_t now = plugin_now_ns();
        uint64_t room = (UINT64_MAX - now) / 1000000u;
        p->deadline_ns = p->timeout_ms < room ? now + p->timeout_ms * 1000000u : UINT64_MAX;
    }
    rf_store_set_timeout_ms(p->inst.store, p->timeout_ms);
    rf_error_kind k = plugin_run(p, f, NULL, 0, &result, nresults, &err);
    rf_store_set_timeout_ms(p->inst.store, 0);
    p->deadline_ns = 0;
    if (strcmp(func, "_start") == 0)
        p->reset_pending = true;

    uint64_t off = rf_kernel_output_offset(kernel), len = rf_kernel_output_length(kernel);
    const uint8_t *out = len ? rf_kernel_ptr(kernel, off, len) : NULL;
    if (out) {
        r->output = out;
        r->output_len = (size_t)len;
    }
    char *errtext = kernel_error_text(p);
    int32_t value = nresults && k == RF_OK ? (int32_t)result.of.i32 : 0;
    classify(p, k, &err, value, errtext, r);
    free(errtext);
    /* output_set accepts any range whose end wraps into the kernel area (as
     * upstream does), but bytes we cannot read are no output: a call that
     * declared one is a failure, not an empty success. */
    if (r->ok && len && !out) {
        r->ok = false;
        call_fail(p, r, -1, "invalid output: %llu bytes at kernel offset %llu lie outside the "
                  "kernel memory", (unsigned long long)len, (unsigned long long)off);
    }
}

bool rf_plugin_call_with_context(rf_plugin *p, const char *func, const uint8_t *input,
                                 size_t input_len, void *host_context, rf_call_result *result)
{
    rf_call_result local;
    rf_call_result *r = result ? result : &local;
    memset(r, 0, sizeof *r);
    r->rc = -1;
    if (!p) {
        r->error = "rf_plugin_call: plugin is NULL";
        return false;
    }
    if (p->in_call) {
        /* From a host function: the running call's state stays untouched. */
        r->error = reentrant_msg;
        return false;
    }
    free(p->error);
    p->error = NULL;
    p->in_call = true;
    p->host_context = host_context;
    p->host_failed = false;
    p->set_error_lost = false;
    atomic_store(&p->cancelled, false);
    p->calls++;
    r->rc = 0;

    if (!func)
        call_fail(p, r, -1, "rf_plugin_call: function name is NULL");
    else if (!input && input_len)
        call_fail(p, r, -1, "rf_plugin_call: input is NULL but its length is %zu", input_len);
    else
        run_export(p, func, input, input_len, r);

    plugin_lines_flush(p);
    p->host_context = NULL;
    p->in_call = false;
    return r->ok;
}

bool rf_plugin_call(rf_plugin *p, const char *func, const uint8_t *input, size_t input_len,
                    rf_call_result *result)
{
    return rf_plugin_call_with_context(p, func, input, input_len, NULL, result);
}
