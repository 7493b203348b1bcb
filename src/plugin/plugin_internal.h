/*
 * plugin_internal.h — shared by the files of the plugin host (plugin*.c):
 * the rf_plugin structure, the live objects of one instantiation, and the
 * functions each file provides to the others.
 *
 *   plugin.c       creation, options, free, stats, cancel
 *   plugin_link.c  import checks at creation; instantiation and init
 *   plugin_call.c  the per-call protocol and its result rules
 *   plugin_env.c   the extism:host/env table; config, vars, log, HTTP
 *   plugin_host.c  user host functions and rf_plugin_current_*
 *   plugin_log.c   log levels, the default sink, WASI output lines
 *
 * Invariants:
 *   - Everything a call can see (store, kernel, WASI context, instances, the
 *     host functions made for them) lives in `inst` and is built together at
 *     the first call and dropped together (_start reset, failed build, free).
 *     The store owns the memories, so the kernel memory is charged to the
 *     plugin's budget; the rf_wasi outlives the store it is linked into.
 *   - `in_call` is true for the whole of rf_plugin_call (build, init and the
 *     export); host functions run only then, so `inst.kernel` is non-NULL in
 *     every host function.
 *   - `lock` guards `running` and `inst.store` against rf_plugin_cancel on
 *     another thread; nothing else is shared between threads.
 *   - `error` (when non-NULL) is owned by the plugin and stays valid, like the
 *     output bytes in kernel memory, until the next call or rf_plugin_free.
 */
#ifndef RF_PLUGIN_INTERNAL_H
#define RF_PLUGIN_INTERNAL_H

#include "reflow/plugin.h"
#include "reflow/wasi.h"

#include "kernel.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLUGIN_ENV_MODULE "extism:host/env"
#define PLUGIN_USER_MODULE "extism:host/user"
#define PLUGIN_WASI_MODULE "wasi_snapshot_preview1"
#define PLUGIN_PAGE_SIZE 65536u
#define PLUGIN_DEFAULT_BUDGET (16u * 1024u * 1024u)
#define PLUGIN_DEFAULT_CEILING (100u * 1024u * 1024u)
#define PLUGIN_MAX_MEMORY_BYTES (UINT64_C(65536) * 65536u) /* one 32-bit linear memory */
/* A WASI output line longer than this is delivered in pieces of this size. */
#define PLUGIN_MAX_LINE 65536u
/* Room for one value type list in a signature of the env table. */
#define PLUGIN_ENV_MAX_TYPES 4

/* ---- the extism:host/env table (plugin_env.c) -------------------------------------- */

typedef struct plugin_env_func {
    const char *name;
    const char *params;      /* one character per value: 'i' = i32, 'I' = i64 */
    const char *results;
    rf_host_fn fn;           /* NULL: a kernel export (rf_kernel_import makes it) */
} plugin_env_func;

extern const plugin_env_func plugin_env_funcs[];
extern const size_t plugin_env_count;

/* The entry named `name` (len bytes, may hold NULs), or NULL. */
const plugin_env_func *plugin_env_find(const char *name, size_t len);
/* The entry's signature, with the type arrays in *types. */
rf_signature plugin_env_signature(const plugin_env_func *f,
                                  rf_valtype types[2][PLUGIN_ENV_MAX_TYPES]);

/* ---- user host functions (plugin_host.c) --------------------------------------------- */

/* A copy of one rf_host_function, and the `user` of its rf_func. */
typedef struct plugin_host_fn {
    rf_plugin *plugin;
    char *ns;
    char *name;
    rf_valtype *types;       /* params then results */
    rf_signature sig;
    rf_plugin_host_fn fn;
    void *user;
} plugin_host_fn;

struct rf_plugin_current {
    rf_plugin *plugin;
};

/* Copy the options' host functions into p (checks names, namespaces, duplicates). */
bool plugin_hosts_copy(rf_plugin *p, const rf_host_function *fns, size_t n, rf_error *err);
void plugin_hosts_free(rf_plugin *p);
/* The host function imported as ns.name, or NULL. */
plugin_host_fn *plugin_hosts_find(rf_plugin *p, const char *ns, size_t ns_len, const char *name,
                                  size_t name_len);
/* The rf_func (in the current store) of user host function `i`, made on first use. */
rf_func *plugin_host_func(rf_plugin *p, size_t i);

/* ---- vars (plugin_env.c) -------------------------------------------------------------- */

typedef struct plugin_var {
    uint8_t *key;
    size_t key_len;
    uint8_t *value;
    size_t value_len;
} plugin_var;

void plugin_vars_clear(rf_plugin *p);

/* ---- WASI output lines and logs (plugin_log.c) ------------------------------------------ */

typedef struct plugin_line {
    char *data;              /* the partial line so far, NUL-terminated when delivered */
    size_t len;
    size_t cap;
} plugin_line;

/* Send one message to the plugin's sink (the options' callback or stderr). */
void plugin_log_emit(rf_plugin *p, const char *stream, rf_log_level level, const char *msg,
                     size_t len);
/* rf_wasi write callback: buffers fd 1 / fd 2 bytes, emits complete lines. */
int plugin_wasi_write(void *user, int fd, const uint8_t *data, size_t len);
/* Emit the partial lines (end of a call, or before the WASI context goes). */
void plugin_lines_flush(rf_plugin *p);
void plugin_lines_free(rf_plugin *p);

/* ---- the live objects of one instantiation ------------------------------------------- */

typedef enum plugin_link_source {
    LINK_ENV = 0,            /* index = entry of plugin_env_funcs */
    LINK_WASI,               /* resolved by rf_wasi_link */
    LINK_HOST,               /* index = user host function */
    LINK_MODULE              /* index = manifest module exporting it */
} plugin_link_source;

/* How import i of a module is satisfied; decided once, at creation. */
typedef struct plugin_link {
    uint8_t source;          /* plugin_link_source */
    uint32_t index;
} plugin_link;

typedef struct plugin_module {
    rf_module *module;
    const char *name;        /* the manifest's name (owned by the manifest) */
    plugin_link *links;      /* one per import */
    size_t nimports;
    bool uses_wasi;
} plugin_module;

typedef struct plugin_instance {
    rf_store *store;
    rf_kernel *kernel;
    rf_wasi *wasi;
    rf_instance **instances;     /* one per module; NULL until instantiated */
    uint8_t *visiting;           /* instantiation in progress (cycle guard) */
    rf_func **env_funcs;         /* one per plugin_env_funcs entry, made on first use */
    rf_func **host_funcs;        /* one per user host function, made on first use */
    rf_memory *main_memory;      /* memory 0 of main when exported, else NULL */
} plugin_instance;

struct rf_plugin {
    char *name;
    rf_manifest *manifest;
    plugin_module *modules;      /* manifest->nwasm entries */
    size_t nmodules;
    size_t main_index;

    /* options, resolved */
    bool wasi;
    uint64_t budget;             /* all memories of the store together */
    uint64_t memory_limit;       /* each linear memory (budget, max_pages, 4 GiB) */
    rf_log_level log_level;
    rf_plugin_log_fn log;        /* NULL = default sink */
    void *log_user;
    bool http_headers;
    uint64_t max_var_bytes;
    uint64_t max_http_bytes;
    uint64_t timeout_ms;         /* 0 = none */

    plugin_host_fn *hosts;
    size_t nhosts;

    plugin_instance inst;
    bool reset_pending;          /* the last call was _start: rebuild first */

    plugin_var *vars;
    size_t nvars, vars_cap;
    uint64_t var_bytes;          /* sum of key + value + 48 over the entries */

    /* the running call */
    bool in_call;
    rf_plugin_current current;
    void *host_context;
    bool host_failed;            /* a host function failed: rc -1 with host_msg */
    char host_msg[512];
    bool set_error_lost;         /* set_error could not allocate: report host_set_error */
    char host_set_error[512];
    uint64_t deadline_ns;        /* monotonic deadline of the export call; 0 = none */
    char *error;                 /* last call's message (owned), or NULL */

    /* cancellation (rf_plugin_cancel may run on another thread) */
    pthread_mutex_t lock;
    bool running;                /* guest code may be running in inst.store */
    atomic_bool cancelled;

    /* HTTP */
    int32_t http_status;
    char *http_headers_json;     /* of the last request, or NULL */

    plugin_line lines[2];        /* WASI stdout, stderr */

    uint64_t calls;
    uint64_t instantiations;
};

/* ---- helpers shared by the files ---------------------------------------------------- */

/* Fill err (may be NULL) with kind and message; returns false. */
bool plugin_fail(rf_error *err, rf_error_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A host function's failure: recorded in p (the call fails with it, rc -1)
 * and returned to the engine as RF_ERR_HOST. */
rf_error_kind plugin_host_fail(rf_plugin *p, rf_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* "(i64, i32) -> i64" */
void plugin_format_sig(char *buf, size_t size, const rf_signature *sig);
/* Human size: "1 MiB", "1.06 MiB", "64 KiB", "100 bytes". */
void plugin_format_bytes(char *buf, size_t size, uint64_t bytes);
bool plugin_name_is(const char *name, size_t len, const char *want);
uint64_t plugin_now_ns(void);

/* Kernel bytes of handle h: 0 = empty; false for a non-zero h that is not a
 * live block (the caller reports "invalid handle offset for <what>"). */
bool plugin_handle_bytes(rf_plugin *p, uint64_t h, const uint8_t **data, uint64_t *len);
/* A new handle holding a copy of n bytes (0 when n == 0); false when the
 * kernel cannot allocate. */
bool plugin_handle_new(rf_plugin *p, const void *bytes, uint64_t n, uint64_t *h);

/* plugin_link.c */
bool plugin_link_check(rf_plugin *p, rf_error *err);
void plugin_links_free(rf_plugin *p);
/* Build the store, kernel, WASI context and instances; run init. On failure
 * returns the error kind (err says why; a limit refused at instantiation
 * reads "oom: ...") and everything is dropped again. */
rf_error_kind plugin_instance_build(rf_plugin *p, rf_error *err);
void plugin_instance_drop(rf_plugin *p);
/* rf_call with cancellation armed (rf_plugin_cancel reaches it). */
rf_error_kind plugin_run(rf_plugin *p, rf_func *f, const rf_value *args, size_t nargs,
                         rf_value *results, size_t nresults, rf_error *err);
/* True when the rf_wasi should cut a sleep short (cancelled or past deadline). */
bool plugin_should_stop(void *user);

#endif /* RF_PLUGIN_INTERNAL_H */
