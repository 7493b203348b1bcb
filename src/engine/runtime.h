/*
 * runtime.h — the run-time objects behind the public handles of engine.h:
 * stores, instances, functions, memories, tables, globals. Shared by the
 * instantiation code (instance.c, store.c, memory.c, table.c, global.c, func.c)
 * and the interpreter (interp.c), which reads these structures directly on
 * its hot paths.
 *
 * Ownership: a store owns every object created in it (instances, memories,
 * tables, globals, host functions) and frees them all in rf_store_free; no
 * object is freed earlier, so pointers between objects of one store never
 * dangle. Objects of different stores must not be mixed (rf_instantiate
 * checks this).
 *
 * Threads: a store and everything in it is used by one thread at a time. The
 * only field another thread may touch is `interrupt` (atomic).
 *
 * Values in the interpreter are 8-byte slots (uint64_t): i32 zero-extended,
 * i64, f32 bits zero-extended, f64 bits, references as pointer bits (NULL =
 * null reference).
 */
#ifndef RF_RUNTIME_H
#define RF_RUNTIME_H

#include "reflow/engine.h"
#include "module.h"

#include <stdatomic.h>

#define RF_PAGE_SIZE 65536u
#define RF_MAX_PAGES 65536u                 /* 4 GiB, the 32-bit address space */
#define RF_DEFAULT_MAX_CALL_DEPTH 10000u
#define RF_DEFAULT_STACK_SLOTS (1u << 20)   /* 8 MiB of value stack */

struct rf_memory {
    uint8_t *base;           /* reserved region; never moves */
    uint64_t size;           /* current size in bytes (multiple of RF_PAGE_SIZE) */
    uint64_t reserved;       /* bytes of address space reserved at base */
    uint64_t max_bytes;      /* effective maximum: min(declared max, store limit) */
    rf_limits declared;      /* pages, as declared (or as created by the host) */
    uint64_t peak;           /* largest size reached */
    uint64_t grow_count;
    uint64_t refused_grows;
    rf_store *store;
};

struct rf_table {
    void **elems;            /* size entries; NULL = null reference */
    uint64_t size;
    uint64_t capacity;
    rf_limits declared;      /* as declared; has_max/max bound growth */
    uint8_t elemtype;        /* RF_T_FUNCREF or RF_T_EXTERNREF */
    rf_store *store;
};

struct rf_global {
    uint64_t value;          /* slot encoding (see top of file) */
    uint8_t type;
    bool mutable_;
    rf_store *store;
};

struct rf_func {
    const rf_functype *type; /* signature (module's, or owned copy for host functions) */
    rf_instance *instance;   /* defining instance; NULL for host functions */
    uint32_t index;          /* function index in the instance's module */
    const void *code;        /* compiled code of a wasm function (compile.h) */
    rf_host_fn host;         /* host functions only */
    void *user;
    rf_store *store;
};

/* An element segment as evaluated at instantiation. */
typedef struct rf_elem_inst {
    uint32_t count;          /* 0 once dropped */
    void **refs;
} rf_elem_inst;

struct rf_instance {
    rf_store *store;
    const rf_module *module;
    rf_func **funcs;         /* module->num_funcs */
    rf_table **tables;       /* module->num_tables */
    rf_memory **memories;    /* module->num_memories */
    rf_global **globals;     /* module->num_globals */
    rf_elem_inst *elems;     /* module->num_elems */
    bool *data_dropped;      /* module->num_datas */
    rf_memory *mem0;         /* memories[0] or NULL, cached for the interpreter */
};

/* Everything a store allocates goes on one list so rf_store_free can release it. */
typedef struct rf_alloc_node {
    struct rf_alloc_node *next;
    int kind;                /* what the node holds (store.c) */
    void *obj;
} rf_alloc_node;

struct rf_store {
    rf_store_config config;  /* limits already defaulted */
    rf_alloc_node *objects;
    atomic_uint interrupt;   /* nonzero: stop at the next check */
    uint64_t timeout_ms;     /* 0 = none */
    uint64_t deadline_ns;    /* monotonic deadline of the running top-level call, 0 = none */

    /* Execution state, created on first call (interp.c). */
    uint64_t *stack;         /* value stack: config.stack_slots slots */
    uint64_t *stack_top;     /* first free slot while a call runs (re-entrant calls start here) */
    uint32_t depth;          /* wasm call depth, for "call stack exhausted" */
    void *exec;              /* interpreter-private data (interp.c) */
    uint64_t memory_in_use;  /* bytes of all memories + host reservations (rf_store_reserve) */
    uint32_t api_calls;      /* rf_call activations in progress; 0 = the next rf_call
                                is top-level (clears interrupt, sets the deadline) */
    uint64_t table_entries;  /* entries allocated by all tables (their capacities), at most
                                config.max_table_entries (table.c) */
};

struct rf_caller {
    rf_instance *instance;
    rf_store *store;
};

/* ---- used by the interpreter, provided by the runtime ------------------------ */

/* Register `obj` with the store so rf_store_free releases it (store.c). */
bool rf_store_track(rf_store *s, int kind, void *obj);
enum { RF_OBJ_INSTANCE, RF_OBJ_MEMORY, RF_OBJ_TABLE, RF_OBJ_GLOBAL, RF_OBJ_FUNC, RF_OBJ_BLOCK };

/* Call a host function with arguments in slots[0..nparams) and results
 * written to slots[0..nresults) (func.c). */
rf_error_kind rf_host_invoke(rf_func *f, rf_instance *caller, uint64_t *slots, rf_error *err);

/* Grow a table by n entries filled with init; old size or -1 (table.c). */
int64_t rf_table_grow(rf_table *t, uint64_t n, void *init);

/* Structural equality of two function types (call_indirect, linking). */
bool rf_functype_equal(const rf_functype *a, const rf_functype *b);

/* Fill err with a trap (error.c). */
void rf_error_trap(rf_error *err, rf_trap trap, uint32_t func_index, uint64_t offset);

/* ---- provided by the interpreter (interp.c / compile.c) ----------------------- */

/* Translate every defined function of a validated module (sets m->compiled). */
bool rf_compile_module(rf_module *m, rf_error *err);
void rf_compiled_free(void *compiled);
/* Code pointer for defined function `def_index` (for rf_func.code). */
const void *rf_compiled_func(const rf_module *m, uint32_t def_index);

/* Run wasm function f: arguments in slots[0..nparams), results written to
 * slots[0..nresults). slots has room for max(nparams, nresults) values. */
rf_error_kind rf_interp_call(rf_store *s, rf_func *f, uint64_t *slots, rf_error *err);
/* Free interpreter-private store data (s->exec, s->stack). */
void rf_interp_store_free(rf_store *s);

#endif /* RF_RUNTIME_H */
