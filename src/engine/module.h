/*
 * module.h — the in-memory form of a decoded WebAssembly module.
 *
 * Pipeline: bytes --decode.c--> rf_module (structure only) --validate.c-->
 * rf_module with `validated` set and per-function facts (rf_func_info) filled
 * in --compile.c--> internal code for the interpreter.
 *
 * Invariants:
 *   - An rf_module owns a private copy of the module bytes (`bytes`), and every
 *     byte range below (code bodies, constant expressions, data payloads,
 *     custom section payloads) is an offset/length pair into that copy.
 *   - All index spaces are laid out as the spec says: imports first, then
 *     definitions. `num_funcs` = imported + defined, and so on.
 *   - After decode, every count is bounded by the module size (each entry
 *     takes at least one byte), so no allocation is larger than a small
 *     multiple of the input size.
 *   - After validation (`validated` == true) every index is in range and every
 *     function body is well typed; later stages rely on it without checking.
 *   - The module is immutable after rf_module_load returns; several threads may
 *     read it at once.
 */
#ifndef RF_MODULE_H
#define RF_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reflow/engine.h"   /* rf_valtype, for the API views in rf_functype */

/* Value types, with their binary encodings. */
enum {
    RF_T_I32 = 0x7F,
    RF_T_I64 = 0x7E,
    RF_T_F32 = 0x7D,
    RF_T_F64 = 0x7C,
    RF_T_V128 = 0x7B,
    RF_T_FUNCREF = 0x70,
    RF_T_EXTERNREF = 0x6F
};

/* Kinds of imports and exports (binary encodings). */
enum {
    RF_KIND_FUNC = 0,
    RF_KIND_TABLE = 1,
    RF_KIND_MEMORY = 2,
    RF_KIND_GLOBAL = 3
};

typedef struct rf_functype {
    uint32_t nparams;
    uint32_t nresults;
    uint8_t *types;          /* nparams parameter types, then nresults result types */
    /* The same nparams + nresults types as rf_valtype values, so the public
     * API (rf_signature) can hand out `const rf_valtype *` views without
     * casting. Always set by the decoder; may be NULL in a functype built
     * elsewhere that never needs such a view. */
    rf_valtype *valtypes;
} rf_functype;

typedef struct rf_limits {
    uint64_t min;
    uint64_t max;            /* valid only when has_max */
    bool has_max;
} rf_limits;

typedef struct rf_tabletype {
    uint8_t elemtype;        /* RF_T_FUNCREF or RF_T_EXTERNREF */
    rf_limits limits;        /* in elements */
} rf_tabletype;

typedef struct rf_memtype {
    rf_limits limits;        /* in 64 KiB pages */
} rf_memtype;

typedef struct rf_globaltype {
    uint8_t valtype;
    bool mutable_;
} rf_globaltype;

/* A byte range of the module. */
typedef struct rf_span {
    uint32_t offset;
    uint32_t length;
} rf_span;

/*
 * A constant expression (global initialisers, segment offsets, element
 * items). In WebAssembly 2.0 a valid one is a single instruction followed by
 * `end`; the decoder keeps the raw bytes and the validator fills in the
 * decoded form.
 */
typedef struct rf_const_expr {
    rf_span bytes;           /* the instructions including the final end */
    /* filled by the validator: */
    uint16_t op;             /* RF_OP_I32_CONST, ..., RF_OP_REF_NULL, RF_OP_REF_FUNC, RF_OP_GLOBAL_GET */
    uint8_t type;            /* the value type the expression produces */
    uint64_t value;          /* constant bits, or the function / global index */
} rf_const_expr;

typedef struct rf_import {
    char *module;            /* NUL-terminated copy (names may contain NUL: use *_len) */
    uint32_t module_len;
    char *name;
    uint32_t name_len;
    uint8_t kind;            /* RF_KIND_* */
    union {
        uint32_t functype;   /* type index */
        rf_tabletype table;
        rf_memtype memory;
        rf_globaltype global;
    } desc;
} rf_import;

typedef struct rf_export {
    char *name;
    uint32_t name_len;
    uint8_t kind;            /* RF_KIND_* */
    uint32_t index;
} rf_export;

typedef struct rf_global_def {
    rf_globaltype type;
    rf_const_expr init;
} rf_global_def;

enum { RF_SEG_ACTIVE = 0, RF_SEG_PASSIVE = 1, RF_SEG_DECLARATIVE = 2 };

typedef struct rf_elem_segment {
    uint8_t mode;            /* RF_SEG_* */
    uint8_t elemtype;        /* RF_T_FUNCREF or RF_T_EXTERNREF */
    uint32_t table;          /* active only */
    rf_const_expr offset;    /* active only */
    uint32_t count;
    rf_const_expr *items;    /* count items. Segments that list function indices
                                (flags 0..3) become ref.func items already decoded
                                by the decoder: empty span (length 0, offset = the
                                index's position), op RF_OP_REF_FUNC, type
                                RF_T_FUNCREF, value = the function index; the
                                validator only range-checks them. */
} rf_elem_segment;

typedef struct rf_data_segment {
    uint8_t mode;            /* RF_SEG_ACTIVE or RF_SEG_PASSIVE */
    uint32_t memory;         /* active only */
    rf_const_expr offset;    /* active only */
    rf_span bytes;           /* the payload */
} rf_data_segment;

/* A run of locals of one type, as declared in the code section. */
typedef struct rf_local_run {
    uint32_t count;
    uint8_t type;
} rf_local_run;

/* Facts the validator records for each defined function, so later stages
 * never re-derive them (see docs/ARCHITECTURE.md). */
typedef struct rf_func_info {
    uint32_t max_stack;      /* highest operand-stack height reached, in values */
    uint32_t max_depth;      /* deepest nesting of blocks/loops/ifs (incl. the function block) */
    uint32_t num_instrs;     /* instructions in the body (for sizing the translation) */
} rf_func_info;

typedef struct rf_func_def {
    uint32_t functype;       /* type index */
    rf_span body;            /* whole code entry: local declarations + expression */
    uint32_t code_offset;    /* offset of the first instruction of the expression */
    uint32_t num_local_runs;
    rf_local_run *local_runs;
    uint32_t num_locals;     /* declared locals (excluding params), <= 50000 */
    rf_func_info info;       /* filled by the validator (the decoder already
                                sets num_instrs and max_depth; max_stack is 0) */
} rf_func_def;

typedef struct rf_custom_section {
    char *name;
    uint32_t name_len;
    rf_span payload;         /* contents after the name */
    uint32_t section_offset; /* offset of the section id byte */
} rf_custom_section;

/* One name from the "name" custom section's function-names subsection. */
typedef struct rf_func_name {
    uint32_t index;
    char *name;              /* NUL-terminated */
} rf_func_name;

typedef struct rf_module {
    uint8_t *bytes;          /* private copy of the binary */
    size_t size;

    uint32_t num_types;
    rf_functype *types;

    uint32_t num_imports;
    rf_import *imports;
    uint32_t num_func_imports, num_table_imports, num_memory_imports, num_global_imports;

    /* Index spaces: imports first. funcs[i] for i >= num_func_imports is
     * defined and its definition is func_defs[i - num_func_imports]. */
    uint32_t num_funcs;          /* imported + defined */
    uint32_t *func_types;        /* type index of every function, num_funcs entries */
    uint32_t num_func_defs;
    rf_func_def *func_defs;

    uint32_t num_tables;         /* imported + defined */
    rf_tabletype *tables;        /* every table's type, num_tables entries */
    uint32_t num_memories;
    rf_memtype *memories;
    uint32_t num_globals;
    rf_globaltype *global_types; /* every global's type, num_globals entries */
    uint32_t num_global_defs;
    rf_global_def *global_defs;  /* defined globals only */

    uint32_t num_exports;
    rf_export *exports;

    bool has_start;
    uint32_t start;

    uint32_t num_elems;
    rf_elem_segment *elems;

    bool has_data_count;
    uint32_t data_count;
    uint32_t num_datas;
    rf_data_segment *datas;

    uint32_t num_customs;
    rf_custom_section *customs;

    uint32_t num_func_names;     /* sorted by index */
    rf_func_name *func_names;
    char *module_name;           /* from the name section, or NULL */

    bool validated;
    void *compiled;              /* translator output (compile.h), or NULL */
} rf_module;

/* Name of function `index` from the name section, or NULL. */
const char *rf_module_func_name(const rf_module *m, uint32_t index);

/* Free everything the module owns, including `compiled`. NULL is fine. */
void rf_module_destroy(rf_module *m);

#endif /* RF_MODULE_H */
