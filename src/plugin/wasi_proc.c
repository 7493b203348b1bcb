/*
 * wasi_proc.c — proc_exit and random_get.
 *
 * proc_exit cannot return to the guest: the host function fails with
 * RF_ERR_EXIT carrying the code, which unwinds the guest and comes back out
 * of rf_call. The code is also kept in the context (rf_wasi_exited), so the
 * embedder has it even if an engine layer rewrote the error on the way out.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

rf_error_kind wasi_proc_exit(rf_caller *caller, void *user, const rf_value *args,
                             rf_value *results, rf_error *err)
{
    (void)caller;
    (void)results;
    rf_wasi *w = wasi_of(user);
    uint32_t code = args[0].of.i32;
    w->exited = true;
    w->exit_code = code;
    if (err) {
        memset(err, 0, sizeof *err);
        err->kind = RF_ERR_EXIT;
        err->trap = RF_TRAP_NONE;
        err->offset = RF_NO_OFFSET;
        err->func_index = RF_NO_FUNC;
        err->exit_code = (int)code;   /* two's complement; rf_wasi_exited has the u32 */
        snprintf(err->message, sizeof err->message, "exit with code %u", code);
    }
    return RF_ERR_EXIT;
}

static int host_random(uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return RF_WASI_EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return RF_WASI_ESUCCESS;
}

rf_error_kind wasi_random_get(rf_caller *caller, void *user, const rf_value *args,
                              rf_value *results, rf_error *err)
{
    (void)err;
    const rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t buf = args[0].of.i32, len = args[1].of.i32;
    if (!guest_range(&g, buf, len))
        return wasi_errno(results, RF_WASI_EFAULT);
    if (len == 0)
        return wasi_errno(results, RF_WASI_ESUCCESS);
    int e = w->cfg.random ? w->cfg.random(w->cfg.user, g.base + buf, len)
                          : host_random(g.base + buf, len);
    return wasi_errno(results, e);
}
