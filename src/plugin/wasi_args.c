/*
 * wasi_args.c — args_sizes_get/args_get and environ_sizes_get/environ_get.
 *
 * Both pairs share one protocol: the guest first asks for the count and the
 * total size of the strings, allocates, then asks for an array of pointers
 * (one u32 per string) plus the strings themselves. Every destination range
 * is checked before anything is written, so a bad pointer returns EFAULT
 * with guest memory unchanged.
 */
#include "wasi_internal.h"

static rf_error_kind sizes_get(const wasi_strings *s, rf_caller *caller, const rf_value *args,
                               rf_value *results)
{
    guest_mem g = guest_of(caller);
    uint32_t count_ptr = args[0].of.i32, size_ptr = args[1].of.i32;
    if (!guest_range(&g, count_ptr, 4) || !guest_range(&g, size_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);
    guest_store_u32(&g, count_ptr, s->count);
    guest_store_u32(&g, size_ptr, s->buf_len);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

static rf_error_kind strings_get(const wasi_strings *s, rf_caller *caller, const rf_value *args,
                                 rf_value *results)
{
    guest_mem g = guest_of(caller);
    uint32_t ptrs = args[0].of.i32, buf = args[1].of.i32;
    if (!guest_range(&g, ptrs, (uint64_t)s->count * 4) || !guest_range(&g, buf, s->buf_len))
        return wasi_errno(results, RF_WASI_EFAULT);
    /* buf + buf_len fits the guest memory, so these sums cannot wrap. */
    for (uint32_t i = 0; i < s->count; i++)
        wasi_put_u32(g.base + ptrs + (uint64_t)i * 4, buf + s->offsets[i]);
    if (s->buf_len)
        memcpy(g.base + buf, s->buf, s->buf_len);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

rf_error_kind wasi_args_sizes_get(rf_caller *caller, void *user, const rf_value *args,
                                  rf_value *results, rf_error *err)
{
    (void)err;
    return sizes_get(&wasi_of(user)->args, caller, args, results);
}

rf_error_kind wasi_args_get(rf_caller *caller, void *user, const rf_value *args,
                            rf_value *results, rf_error *err)
{
    (void)err;
    return strings_get(&wasi_of(user)->args, caller, args, results);
}

rf_error_kind wasi_environ_sizes_get(rf_caller *caller, void *user, const rf_value *args,
                                     rf_value *results, rf_error *err)
{
    (void)err;
    return sizes_get(&wasi_of(user)->env, caller, args, results);
}

rf_error_kind wasi_environ_get(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)err;
    return strings_get(&wasi_of(user)->env, caller, args, results);
}
