/*
 * reflow/plugin.h — Extism-compatible plugins on reflow's engine.
 *
 * A plugin is a WebAssembly module (plus optional linked modules) that talks
 * to its host only through the `extism:host/env` imports: a kernel memory of
 * handles (alloc/free/length/load/store), input/output/error slots, config,
 * vars, logs and HTTP. Unmodified plugins built with the official Extism PDKs
 * run here; the reference behaviour is ../shared/docs/extism-abi.md.
 *
 * Life of a plugin:
 *   rf_plugin_new*()    compile once, check imports (no instance yet)
 *   rf_plugin_call()    instantiate lazily on the first call, run the one init
 *                       function, then call the export; the instance (globals,
 *                       vars, WASI context) is reused by later calls; the kernel
 *                       is reset before each call
 *   rf_plugin_free()
 *
 * Memory (the user's memory model): each plugin has a memory budget, 16 MiB
 * by default, settable up to a ceiling of 100 MiB (raise the ceiling
 * explicitly to go beyond). The budget covers the plugin's linear memories
 * AND the kernel memory together. `memory.max_pages` of the manifest further
 * caps each linear memory. A guest memory.grow past the budget returns -1; a
 * kernel allocation past it returns handle 0 and host operations then fail
 * with "out of memory".
 *
 * Threads: a plugin is used by one thread at a time; rf_plugin_cancel may be
 * called from any thread.
 */
#ifndef REFLOW_PLUGIN_H
#define REFLOW_PLUGIN_H

#include "reflow/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rf_plugin rf_plugin;

/* ---- manifests -------------------------------------------------------------- */

/* One module of a manifest: exactly one of path / data is set. */
typedef struct rf_manifest_wasm {
    char *name;                 /* module name; "main" when not given */
    char *path;                 /* file path, or NULL */
    uint8_t *data;              /* bytes (decoded "data" base64, or read from path), owned */
    size_t data_len;
    char *hash;                 /* expected lowercase hex SHA-256, or NULL */
} rf_manifest_wasm;

typedef struct rf_manifest_kv {
    char *key;
    char *value;
} rf_manifest_kv;

typedef struct rf_manifest_path {
    char *host_path;            /* without the "ro:" prefix */
    char *guest_path;
    bool read_only;             /* the host path carried the "ro:" prefix */
} rf_manifest_path;

typedef struct rf_manifest {
    rf_manifest_wasm *wasm;
    size_t nwasm;
    bool has_max_pages;
    uint32_t max_pages;                 /* memory.max_pages */
    bool has_max_http_response_bytes;
    uint64_t max_http_response_bytes;   /* memory.max_http_response_bytes (default 50 MiB) */
    bool has_max_var_bytes;
    uint64_t max_var_bytes;             /* memory.max_var_bytes (default 1 MiB; 0 disables var_set) */
    rf_manifest_kv *config;
    size_t nconfig;
    char **allowed_hosts;               /* globs; none = every HTTP request denied */
    size_t nallowed_hosts;
    rf_manifest_path *allowed_paths;
    size_t nallowed_paths;
    bool has_timeout_ms;
    uint64_t timeout_ms;
} rf_manifest;

/* Parse an Extism JSON manifest. Relative "path" entries are resolved against
 * base_dir (NULL = the current directory) and read; "data" is base64; a
 * "hash" is checked. Unknown or ill-typed fields are errors naming the field
 * (RF_ERR_ARG). Returns NULL and fills err on failure. */
rf_manifest *rf_manifest_parse(const char *json, size_t len, const char *base_dir, rf_error *err);
/* A manifest holding one module of raw wasm bytes (copied). */
rf_manifest *rf_manifest_from_wasm(const uint8_t *wasm, size_t len, rf_error *err);
void rf_manifest_free(rf_manifest *m);
/* The most bytes the modules of one manifest may hold together (files and
 * "data" entries alike); a larger manifest is refused before it is read. */
#define RF_MANIFEST_MAX_WASM_BYTES (256u * 1024u * 1024u)
/* Index of the main module: the only entry; else the one named "main"; else
 * the last one (0 for a NULL or empty manifest). */
size_t rf_manifest_main_index(const rf_manifest *m);

/* ---- host functions ------------------------------------------------------------ */

/* The plugin a host function is running in. Valid only during the callback. */
typedef struct rf_plugin_current rf_plugin_current;

typedef rf_error_kind (*rf_plugin_host_fn)(rf_plugin_current *cur, void *user,
                                           const rf_value *args, rf_value *results,
                                           rf_error *err);

/* A user host function offered to plugins. Copied by rf_plugin_new. */
typedef struct rf_host_function {
    const char *ns;             /* import module; NULL = "extism:host/user" */
    const char *name;           /* import field */
    rf_signature sig;           /* exact wasm type the plugin must import */
    rf_plugin_host_fn fn;
    void *user;
} rf_host_function;

/* Kernel memory access for host functions (handles are u64 offsets). */
uint64_t rf_plugin_current_alloc(rf_plugin_current *cur, uint64_t n);          /* 0 on failure */
void rf_plugin_current_free(rf_plugin_current *cur, uint64_t handle);
uint64_t rf_plugin_current_length(rf_plugin_current *cur, uint64_t handle);    /* 0 if not a block */
/* Pointer to the `length` bytes of a block (NULL for handle 0 or an invalid handle;
 * *len is set to 0 then). Valid until the next kernel allocation. */
uint8_t *rf_plugin_current_data(rf_plugin_current *cur, uint64_t handle, uint64_t *len);
/* Allocate and copy; 0 when n == 0 or on failure. */
uint64_t rf_plugin_current_new(rf_plugin_current *cur, const void *bytes, uint64_t n);
/* Set the call's error message (the call fails with it even if the plugin returns 0). */
void rf_plugin_current_set_error(rf_plugin_current *cur, const char *msg);
void *rf_plugin_current_host_context(rf_plugin_current *cur);
rf_plugin *rf_plugin_current_plugin(rf_plugin_current *cur);

/* ---- logging -------------------------------------------------------------------- */

typedef enum rf_log_level {
    RF_LOG_TRACE = 0,
    RF_LOG_DEBUG = 1,
    RF_LOG_INFO = 2,
    RF_LOG_WARN = 3,
    RF_LOG_ERROR = 4,
    RF_LOG_OFF = 2147483647
} rf_log_level;

/* Where a plugin's log messages and its WASI stdout/stderr go. `stream` is
 * "log" for log_* calls, "stdout"/"stderr" for WASI output (delivered one
 * complete line at a time, without the newline; a final partial line is
 * flushed at the end of each call). */
typedef void (*rf_plugin_log_fn)(void *user, const char *plugin_name, const char *stream,
                                 rf_log_level level, const char *msg, size_t len);

/* Parse "trace", "debug", "info", "warn", "error", "off"; false if unknown. */
bool rf_log_level_parse(const char *s, rf_log_level *out);
const char *rf_log_level_name(rf_log_level level);

/* ---- plugins -------------------------------------------------------------------- */

#define RF_PLUGIN_DEFAULT_MAX_VAR_BYTES (1024u * 1024u)
#define RF_PLUGIN_DEFAULT_MAX_HTTP_RESPONSE_BYTES (50u * 1024u * 1024u)

typedef struct rf_plugin_options {
    const char *name;           /* shown in logs; NULL = "plugin" */
    bool wasi;                  /* provide wasi_snapshot_preview1 (off by default, as in Extism) */
    uint64_t memory_limit;      /* budget in bytes for all memories; 0 = 16 MiB */
    uint64_t memory_ceiling;    /* highest accepted memory_limit; 0 = 100 MiB */
    bool log_level_set;         /* false: the filter is RF_LOG_ERROR (as the extism CLI) */
    rf_log_level log_level;     /* plugin log filter when log_level_set (RF_LOG_OFF silences) */
    rf_plugin_log_fn log;       /* NULL = write to stderr: "[name] LEVEL message", WASI
                                   output as "[name] stdout: line" / "[name] stderr: line" */
    void *log_user;
    const rf_host_function *functions;
    size_t nfunctions;
    bool http_response_headers; /* enable http_headers() */
} rf_plugin_options;

/* Create from a manifest (taken over: freed with the plugin, also on failure). */
rf_plugin *rf_plugin_new(rf_manifest *manifest, const rf_plugin_options *opts, rf_error *err);
/* Create from raw wasm bytes or JSON manifest text (sniffed by the wasm magic). */
rf_plugin *rf_plugin_new_from_bytes(const uint8_t *bytes, size_t len, const rf_plugin_options *opts,
                                    rf_error *err);
/* Create from a .wasm file or a JSON manifest file (relative paths in it resolve
 * against the file's directory). */
rf_plugin *rf_plugin_new_from_file(const char *path, const rf_plugin_options *opts, rf_error *err);
void rf_plugin_free(rf_plugin *p);

typedef struct rf_call_result {
    int32_t rc;                 /* export's result (0 for a () export); 134 on a trap; -1 on
                                   host errors, timeout, missing function; exit code on proc_exit */
    bool ok;                    /* success: no trap/host error/timeout, no error set, rc == 0 */
    const uint8_t *output;      /* output bytes; valid until the next call or rf_plugin_free */
    size_t output_len;
    const char *error;          /* error message, or NULL when ok */
} rf_call_result;

/* Call export `func` with `input`. Returns result->ok. */
bool rf_plugin_call(rf_plugin *p, const char *func, const uint8_t *input, size_t input_len,
                    rf_call_result *result);
bool rf_plugin_call_with_context(rf_plugin *p, const char *func, const uint8_t *input,
                                 size_t input_len, void *host_context, rf_call_result *result);
/* True when the main module exports `func` with type () -> i32 or () -> (). */
bool rf_plugin_function_exists(rf_plugin *p, const char *func);
/* Thread-safe: stop the running call (it fails with "timeout"). */
void rf_plugin_cancel(rf_plugin *p);

/* Memory figures of the plugin (linear memory 0 of the main module and the kernel). */
typedef struct rf_plugin_stats {
    uint64_t budget_bytes;      /* the plugin's memory budget */
    uint64_t in_use_bytes;      /* all memories + kernel, now */
    rf_memory_stats main_memory;
    rf_memory_stats kernel_memory;
    uint64_t calls;
    uint64_t instantiations;
} rf_plugin_stats;
rf_plugin_stats rf_plugin_get_stats(const rf_plugin *p);

#ifdef __cplusplus
}
#endif
#endif /* REFLOW_PLUGIN_H */
