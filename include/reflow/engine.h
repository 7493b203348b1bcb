/*
 * reflow/engine.h — the public API of reflow's WebAssembly engine.
 *
 * Life of a module:
 *   rf_module_load()      bytes -> decoded, validated, compiled module (immutable,
 *                         shareable between threads)
 *   rf_store_new()        a store owns instances and everything they create
 *                         (memories, tables, globals, host functions); it is used
 *                         by one thread at a time and freed in one call
 *   rf_instantiate()      module + imports -> instance (runs data/elem segments and
 *                         the start function)
 *   rf_instance_export()  look up an export
 *   rf_call()             call a function with typed arguments and results
 *   rf_store_free()       releases every instance, memory, table and global of the store
 *
 * Errors are values: every fallible call fills an rf_error (when one is given)
 * with a kind, a message and, when known, the byte offset and function index.
 * Traps are errors of kind RF_ERR_TRAP; nothing longjmps across this API.
 */
#ifndef REFLOW_ENGINE_H
#define REFLOW_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors --------------------------------------------------------------- */

typedef enum rf_error_kind {
    RF_OK = 0,
    RF_ERR_MALFORMED,    /* the bytes are not a well-formed binary module */
    RF_ERR_INVALID,      /* well formed but fails validation */
    RF_ERR_UNSUPPORTED,  /* uses a feature this engine does not implement (SIMD) */
    RF_ERR_LINK,         /* imports do not match (unknown import, incompatible type) */
    RF_ERR_TRAP,         /* a WebAssembly trap; `trap` says which */
    RF_ERR_EXHAUSTED,    /* call stack exhausted */
    RF_ERR_INTERRUPTED,  /* stopped by rf_store_interrupt() or a deadline */
    RF_ERR_LIMIT,        /* a configured limit refused the request */
    RF_ERR_NOMEM,        /* the host could not allocate */
    RF_ERR_ARG,          /* the caller passed a bad argument (wrong arity/type, ...) */
    RF_ERR_HOST,         /* a host function reported failure */
    RF_ERR_EXIT          /* the guest asked to exit (WASI proc_exit); see exit_code */
} rf_error_kind;

typedef enum rf_trap {
    RF_TRAP_NONE = 0,
    RF_TRAP_UNREACHABLE,          /* "unreachable" */
    RF_TRAP_DIV_BY_ZERO,          /* "integer divide by zero" */
    RF_TRAP_INT_OVERFLOW,         /* "integer overflow" */
    RF_TRAP_INVALID_CONVERSION,   /* "invalid conversion to integer" */
    RF_TRAP_MEMORY_OOB,           /* "out of bounds memory access" */
    RF_TRAP_TABLE_OOB,            /* "out of bounds table access" */
    RF_TRAP_UNDEFINED_ELEMENT,    /* "undefined element" */
    RF_TRAP_UNINITIALIZED_ELEMENT,/* "uninitialized element" */
    RF_TRAP_INDIRECT_TYPE,        /* "indirect call type mismatch" */
    RF_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
    RF_TRAP_INTERRUPTED,          /* "interrupted" */
    RF_TRAP_HOST                  /* a host function trapped; see message */
} rf_trap;

#define RF_NO_OFFSET UINT64_MAX
#define RF_NO_FUNC UINT32_MAX

typedef struct rf_error {
    rf_error_kind kind;
    rf_trap trap;            /* for RF_ERR_TRAP / RF_ERR_EXHAUSTED */
    uint64_t offset;         /* byte offset in the module, or RF_NO_OFFSET */
    uint32_t func_index;     /* function index, or RF_NO_FUNC */
    int exit_code;           /* for RF_ERR_EXIT */
    char message[512];       /* complete human-readable message */
} rf_error;

/* Fill `err` (if not NULL) with `kind`, no offset/function, and a formatted
 * message; always returns false so callers can `return rf_error_format(...)`.
 * For layers above the engine that report their own errors. */
bool rf_error_format(rf_error *err, rf_error_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The spec's wording of a trap ("integer divide by zero", ...). */
const char *rf_trap_message(rf_trap trap);
/* A short name of an error kind ("malformed", "invalid", ...). */
const char *rf_error_kind_name(rf_error_kind kind);

/* ---- types and values ----------------------------------------------------- */

typedef enum rf_valtype {
    RF_I32 = 0x7F,
    RF_I64 = 0x7E,
    RF_F32 = 0x7D,
    RF_F64 = 0x7C,
    RF_V128 = 0x7B,
    RF_FUNCREF = 0x70,
    RF_EXTERNREF = 0x6F
} rf_valtype;

const char *rf_valtype_name(rf_valtype t);   /* "i32", "funcref", ... */

typedef struct rf_func rf_func;
typedef struct rf_table rf_table;
typedef struct rf_memory rf_memory;
typedef struct rf_global rf_global;

/*
 * A value. Floats are carried as their bit patterns (f32_bits / f64_bits) so
 * NaN payloads survive the API unchanged. A null reference is ref == NULL;
 * a funcref points to an rf_func, an externref is any host pointer.
 */
typedef struct rf_value {
    rf_valtype type;
    union {
        uint32_t i32;
        uint64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        void *ref;
    } of;
} rf_value;

static inline rf_value rf_val_i32(uint32_t v) { rf_value x; x.type = RF_I32; x.of.i64 = 0; x.of.i32 = v; return x; }
static inline rf_value rf_val_i64(uint64_t v) { rf_value x; x.type = RF_I64; x.of.i64 = v; return x; }

typedef struct rf_limits_desc {
    uint64_t min;
    uint64_t max;
    bool has_max;
} rf_limits_desc;

typedef enum rf_extern_kind {
    RF_EXTERN_FUNC = 0,
    RF_EXTERN_TABLE = 1,
    RF_EXTERN_MEMORY = 2,
    RF_EXTERN_GLOBAL = 3
} rf_extern_kind;

/* A function signature; the arrays are owned by whoever built the struct. */
typedef struct rf_signature {
    uint32_t nparams;
    const rf_valtype *params;
    uint32_t nresults;
    const rf_valtype *results;
} rf_signature;

/* What an import expects or an export provides (a view into the module). */
typedef struct rf_extern_type {
    rf_extern_kind kind;
    rf_signature func;           /* RF_EXTERN_FUNC */
    rf_valtype table_elem;       /* RF_EXTERN_TABLE */
    rf_limits_desc limits;       /* table (elements) or memory (pages) */
    rf_valtype global_type;      /* RF_EXTERN_GLOBAL */
    bool global_mutable;
} rf_extern_type;

/* ---- modules -------------------------------------------------------------- */

typedef struct rf_module rf_module;

typedef struct rf_load_options {
    bool validate_only;      /* decode and validate, skip compilation */
} rf_load_options;

/* Decode, validate and compile `len` bytes. The bytes are copied. Returns NULL
 * and fills `err` on failure. `opts` may be NULL. */
rf_module *rf_module_load(const uint8_t *bytes, size_t len, const rf_load_options *opts,
                          rf_error *err);
void rf_module_free(rf_module *m);

typedef struct rf_import_desc {
    const char *module;      /* NUL-terminated; may contain NUL: see *_len */
    size_t module_len;
    const char *name;
    size_t name_len;
    rf_extern_type type;
} rf_import_desc;

typedef struct rf_export_desc {
    const char *name;
    size_t name_len;
    rf_extern_type type;
    uint32_t index;          /* index in its index space */
} rf_export_desc;

size_t rf_module_import_count(const rf_module *m);
bool rf_module_import(const rf_module *m, size_t i, rf_import_desc *out);
size_t rf_module_export_count(const rf_module *m);
bool rf_module_export(const rf_module *m, size_t i, rf_export_desc *out);
/* Function name from the name section, or NULL. */
const char *rf_module_function_name(const rf_module *m, uint32_t func_index);

/* Module queries for tools (`reflow inspect`); implemented in module_query.c.
 * Index spaces count imports first, as in the spec. */
typedef struct rf_module_info {
    size_t size;                 /* bytes of the binary */
    uint32_t num_types;
    uint32_t num_funcs, num_func_imports;       /* totals include imports */
    uint32_t num_tables, num_table_imports;
    uint32_t num_memories, num_memory_imports;
    uint32_t num_globals, num_global_imports;
    uint32_t num_elem_segments, num_data_segments;
    uint32_t num_custom_sections;
    bool has_start;
    uint32_t start;              /* start function index when has_start */
    const char *name;            /* module name from the name section, or NULL */
} rf_module_info;

void rf_module_get_info(const rf_module *m, rf_module_info *out);
/* Type of table/memory/global `index` (imported or defined); false when out of range. */
bool rf_module_table_type(const rf_module *m, uint32_t index, rf_valtype *elem,
                          rf_limits_desc *limits);
bool rf_module_memory_type(const rf_module *m, uint32_t index, rf_limits_desc *pages);
bool rf_module_global_type(const rf_module *m, uint32_t index, rf_valtype *type,
                           bool *mutable_);

typedef struct rf_custom_section_desc {
    const char *name;            /* not NUL-terminated in general: use name_len */
    size_t name_len;
    const uint8_t *data;         /* payload after the name */
    size_t size;
    uint64_t offset;             /* byte offset of the section id */
} rf_custom_section_desc;

size_t rf_module_custom_section_count(const rf_module *m);
bool rf_module_custom_section(const rf_module *m, size_t i, rf_custom_section_desc *out);

/* ---- stores and instances -------------------------------------------------- */

#define RF_DEFAULT_MEMORY_LIMIT (16u * 1024u * 1024u)    /* 16 MiB */
#define RF_DEFAULT_MEMORY_CEILING (100u * 1024u * 1024u) /* 100 MiB */
#define RF_DEFAULT_MAX_TABLE_ENTRIES 10000000u           /* all tables of a store */

typedef struct rf_store_config {
    uint64_t memory_limit;   /* max bytes per linear memory; 0 = RF_DEFAULT_MEMORY_LIMIT */
    uint64_t memory_ceiling; /* highest memory_limit accepted; 0 = RF_DEFAULT_MEMORY_CEILING */
    uint32_t max_call_depth; /* wasm call frames before "call stack exhausted"; 0 = default */
    uint32_t stack_slots;    /* value-stack size in 8-byte slots; 0 = default */
    uint64_t memory_budget;  /* max bytes of ALL memories of the store together, plus host
                                reservations (rf_store_reserve) and table entries (8 bytes
                                each on 64-bit hosts); 0 = no store-wide budget */
    uint32_t max_table_entries; /* max entries allocated by ALL tables of the store together
                                   (each table is also capped at 10,000,000); 0 =
                                   RF_DEFAULT_MAX_TABLE_ENTRIES. A table whose minimum does
                                   not fit is refused (RF_ERR_LIMIT); table.grow past it
                                   returns -1 */
} rf_store_config;

typedef struct rf_store rf_store;
typedef struct rf_instance rf_instance;

/* A store with the given configuration (NULL = defaults). Fails with
 * RF_ERR_LIMIT when memory_limit exceeds memory_ceiling. */
rf_store *rf_store_new(const rf_store_config *cfg, rf_error *err);
void rf_store_free(rf_store *s);

/* Thread-safe: make the code running in the store stop with RF_ERR_INTERRUPTED
 * at its next loop back-edge, function entry or large bulk operation
 * (memory.fill/copy/init/grow, table.fill/copy/init/grow). Cleared when the
 * next top-level rf_call starts. */
void rf_store_interrupt(rf_store *s);
/* Deadline for calls in this store, in milliseconds from each top-level call's
 * start; 0 = none. */
void rf_store_set_timeout_ms(rf_store *s, uint64_t ms);

/* Store-wide memory budget (rf_store_config.memory_budget). Linear memories
 * and tables are charged as they are created and grow (a grow past the
 * budget returns -1; a table is charged sizeof(void *) per allocated entry);
 * a host component that keeps guest-visible data of its own (the Extism
 * kernel memory) charges it here. rf_store_reserve fails, charging nothing,
 * when the budget would be exceeded. */
bool rf_store_reserve(rf_store *s, uint64_t bytes);
void rf_store_release(rf_store *s, uint64_t bytes);
/* Bytes charged against the budget now (counted even when there is no budget). */
uint64_t rf_store_memory_in_use(const rf_store *s);

/* An external value: what an import is satisfied with and an export yields. */
typedef struct rf_extern {
    rf_extern_kind kind;
    union {
        rf_func *func;
        rf_table *table;
        rf_memory *memory;
        rf_global *global;
    } of;
} rf_extern;

/* Instantiate `m` in `s`. imports[i] satisfies the module's import i (count
 * must equal rf_module_import_count). Checks types (RF_ERR_LINK), applies
 * segments, runs the start function (a trap there is RF_ERR_TRAP). */
rf_instance *rf_instantiate(rf_store *s, const rf_module *m, const rf_extern *imports,
                            size_t nimports, rf_error *err);
/* Look up an export by name; false when there is none. */
bool rf_instance_export(rf_instance *inst, const char *name, size_t name_len, rf_extern *out);
const rf_module *rf_instance_module(const rf_instance *inst);

/* ---- functions ------------------------------------------------------------- */

/* Context handed to host functions: the calling instance and its memory. */
typedef struct rf_caller rf_caller;
rf_instance *rf_caller_instance(rf_caller *c);
rf_memory *rf_caller_memory(rf_caller *c);   /* memory 0 of the caller, or NULL */
rf_store *rf_caller_store(rf_caller *c);

/*
 * A host function. Reads args (types as declared), writes results. Returns
 * RF_OK, or an error kind to trap the guest (the message goes into `err` when
 * non-NULL; RF_ERR_EXIT with err->exit_code for process exit).
 */
typedef rf_error_kind (*rf_host_fn)(rf_caller *caller, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err);

rf_func *rf_func_new_host(rf_store *s, const rf_signature *sig, rf_host_fn fn, void *user);
/* True when a and b have the same parameter and result types. */
bool rf_signature_equal(const rf_signature *a, const rf_signature *b);

/* The function's signature (arrays owned by the store/module). */
rf_signature rf_func_signature(const rf_func *f);

/* Call `f`. nargs/nresults must match its signature. On a trap, results are
 * untouched and `err` says why. */
rf_error_kind rf_call(rf_func *f, const rf_value *args, size_t nargs, rf_value *results,
                      size_t nresults, rf_error *err);

/* ---- memories ---------------------------------------------------------------- */

typedef struct rf_memory_stats {
    uint64_t current_bytes;  /* current size */
    uint64_t peak_bytes;     /* largest size reached */
    uint64_t limit_bytes;    /* effective maximum: min(declared max, store limit) */
    uint64_t grow_count;     /* successful grows (incl. by 0 pages) */
    uint64_t refused_grows;  /* grows that returned -1 */
} rf_memory_stats;

rf_memory *rf_memory_new(rf_store *s, rf_limits_desc pages, rf_error *err);
uint64_t rf_memory_size(const rf_memory *mem);            /* bytes */
/* The memory's bytes. The base never moves while the memory lives (it is
 * reserved at its maximum and committed as it grows), but only the first
 * rf_memory_size() bytes may be touched. */
uint8_t *rf_memory_data(rf_memory *mem);
/* Bounds-checked copies; false (and nothing copied) when out of range. */
bool rf_memory_read(const rf_memory *mem, uint64_t offset, void *dst, size_t len);
bool rf_memory_write(rf_memory *mem, uint64_t offset, const void *src, size_t len);
/* Grow by `pages`; returns the old size in pages or -1 when refused. */
int64_t rf_memory_grow(rf_memory *mem, uint64_t pages);
rf_memory_stats rf_memory_get_stats(const rf_memory *mem);

/* ---- tables and globals -------------------------------------------------------- */

rf_table *rf_table_new(rf_store *s, rf_valtype elem, rf_limits_desc limits, void *init, rf_error *err);
uint64_t rf_table_size(const rf_table *t);
bool rf_table_get(const rf_table *t, uint64_t i, void **ref);
bool rf_table_set(rf_table *t, uint64_t i, void *ref);

rf_global *rf_global_new(rf_store *s, rf_valtype type, bool mutable_, rf_value init, rf_error *err);
rf_value rf_global_get(const rf_global *g);
bool rf_global_set(rf_global *g, rf_value v);   /* false if immutable or wrong type */

#ifdef __cplusplus
}
#endif
#endif /* REFLOW_ENGINE_H */
