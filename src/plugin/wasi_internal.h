/*
 * wasi_internal.h — shared by the files implementing WASI preview 1:
 * the context structure, the table of preview 1 functions, the host
 * function of each, and bounds-checked access to guest memory.
 *
 * Invariants:
 *   - every host function's `user` is a wasi_binding inside its rf_wasi, so
 *     it reaches both the context and its own table entry;
 *   - guest memory is touched only through guest_* helpers, which check
 *     [ptr, ptr+len) against the memory's current size first; a guest with no
 *     memory has size 0, so every pointer is out of bounds (EFAULT);
 *   - host functions return RF_OK with a WASI errno as their i32 result for
 *     everything the guest may legitimately get wrong; only proc_exit
 *     (RF_ERR_EXIT) and an interrupted sleep (RF_ERR_INTERRUPTED) stop it.
 */
#ifndef RF_WASI_INTERNAL_H
#define RF_WASI_INTERNAL_H

#include "reflow/wasi.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* WASI errno values beyond the public ones. */
enum {
    WASI_ENOTDIR = 54,
    WASI_ENOTCAPABLE = 76
};

/* Preview 1 file types and rights bits used for stdio. */
enum {
    WASI_FILETYPE_CHARACTER_DEVICE = 2
};
#define WASI_RIGHT_FD_READ (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_WRITE (UINT64_C(1) << 6)
#define WASI_RIGHT_FD_FILESTAT_GET (UINT64_C(1) << 21)
#define WASI_RIGHT_POLL_FD_READWRITE (UINT64_C(1) << 27)

/* One preview 1 function: its name, wasm signature and implementation.
 * Signatures are strings, one character per value: 'i' = i32, 'I' = i64. */
typedef struct wasi_func {
    const char *name;
    const char *params;
    const char *results;
    rf_host_fn fn;
    uint16_t fd_params;      /* unimplemented functions: bit k = param k is an fd */
} wasi_func;

#define WASI_MAX_PARAMS 9    /* path_open */

#define WASI_NUM_FUNCS 46    /* the whole of preview 1 */
extern const wasi_func wasi_funcs[];   /* WASI_NUM_FUNCS entries (static-asserted) */

typedef struct wasi_binding {
    rf_wasi *wasi;
    const wasi_func *func;
} wasi_binding;

/* A list of strings laid out as the guest receives them: NUL-terminated,
 * back to back in `buf`, string i starting at offsets[i]. */
typedef struct wasi_strings {
    char *buf;
    uint32_t buf_len;
    uint32_t count;
    uint32_t *offsets;
} wasi_strings;

struct rf_wasi {
    wasi_strings args;
    wasi_strings env;
    rf_wasi_config cfg;      /* callbacks and flags; the string pointers are not kept */
    bool closed[3];          /* stdio fds the guest closed */
    bool exited;
    uint32_t exit_code;
    wasi_binding bindings[WASI_NUM_FUNCS];
};

/* ---- guest memory ------------------------------------------------------------ */

/* The caller's memory as a base and a size fixed for the whole host call
 * (the guest cannot run, so cannot grow it, while a host function runs). */
typedef struct guest_mem {
    uint8_t *base;
    uint64_t size;
} guest_mem;

guest_mem guest_of(rf_caller *caller);

static inline bool guest_range(const guest_mem *g, uint32_t ptr, uint64_t len)
{
    return (uint64_t)ptr <= g->size && len <= g->size - ptr;
}

bool guest_load_u32(const guest_mem *g, uint32_t ptr, uint32_t *out);
bool guest_load_u64(const guest_mem *g, uint32_t ptr, uint64_t *out);
bool guest_store_u32(const guest_mem *g, uint32_t ptr, uint32_t v);
bool guest_store_u64(const guest_mem *g, uint32_t ptr, uint64_t v);
/* Little-endian stores into host bytes already checked with guest_range. */
void wasi_put_u16(uint8_t *p, uint16_t v);
void wasi_put_u32(uint8_t *p, uint32_t v);
void wasi_put_u64(uint8_t *p, uint64_t v);
uint16_t wasi_get_u16(const uint8_t *p);
uint32_t wasi_get_u32(const uint8_t *p);
uint64_t wasi_get_u64(const uint8_t *p);

/* Set the i32 errno result; always RF_OK so handlers can `return wasi_errno(...)`. */
static inline rf_error_kind wasi_errno(rf_value *results, int e)
{
    results[0] = rf_val_i32((uint32_t)e);
    return RF_OK;
}

static inline rf_wasi *wasi_of(void *user)
{
    return ((wasi_binding *)user)->wasi;
}

/* fd 0..2 not closed by the guest. */
bool wasi_stdio_open(const rf_wasi *w, uint32_t fd);

/* ---- host functions, by file ---------------------------------------------------- */

/* wasi_args.c */
rf_error_kind wasi_args_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_args_sizes_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_environ_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_environ_sizes_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);

/* wasi_clock.c */
rf_error_kind wasi_clock_res_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_clock_time_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_poll_oneoff(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_sched_yield(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);

/* wasi_fd.c */
rf_error_kind wasi_fd_write(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_read(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_close(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_seek(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_tell(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_fdstat_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_filestat_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_prestat_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_fd_prestat_dir_name(rf_caller *, void *, const rf_value *, rf_value *,
                                       rf_error *);

/* wasi_proc.c */
rf_error_kind wasi_proc_exit(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);
rf_error_kind wasi_random_get(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);

/* wasi_table.c: every function without a real implementation */
rf_error_kind wasi_unsupported(rf_caller *, void *, const rf_value *, rf_value *, rf_error *);

#endif /* RF_WASI_INTERNAL_H */
