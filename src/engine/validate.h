/*
 * validate.h — WebAssembly 2.0 validation of a decoded module.
 *
 * The validator is the gate between the decoder (which only guarantees that
 * the bytes are syntactically well formed) and everything after it: once
 * rf_validate_module has returned true, later stages use every index, type and
 * stack height of the module without checking them again.
 *
 * It is split by concern:
 *   validate.c        module-level rules (limits, index ranges, segments,
 *                     start, exports, declared function references) and the
 *                     location texts of module-level error messages
 *   validate_const.c  constant expressions
 *   validate_code.c   function bodies (operand and control stacks)
 *
 * The part below the public function is internal to those three files.
 */
#ifndef RF_VALIDATE_H
#define RF_VALIDATE_H

#include "reflow/engine.h"
#include "module.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Validate `m` (WebAssembly 2.0: MVP, sign extension, saturating truncation,
 * multi-value, bulk memory, reference types). On success sets m->validated,
 * fills the rf_func_info of every defined function and the decoded
 * op/type/value of every constant expression, and returns true. On failure
 * fills `err` (kind RF_ERR_INVALID for validation errors; RF_ERR_MALFORMED if
 * the bytes turn out not to be well formed after all; RF_ERR_LIMIT when an
 * implementation limit is exceeded; RF_ERR_NOMEM) and returns false.
 */
bool rf_validate_module(rf_module *m, rf_error *err);

/* Implementation limit: the most values a function's operand stack may hold.
 * Without it a short body calling a function with many results could make
 * the validator (and the interpreter) allocate far more than the module size. */
#define RF_VALIDATE_MAX_STACK (1u << 20)

/* Implementation limit: the most parameters, and the most results, of a
 * function type (the limit of the JS API, V8 and wasmparser). Checking an
 * instruction costs up to the arity of the types it names, so this bounds
 * validation time by a constant times the body size. */
#define RF_VALIDATE_MAX_ARITY 1000u

/* ---- internal to the validator ------------------------------------------------ */

/* The "unknown" value type of the polymorphic stack below unreachable code. */
#define RF_T_UNKNOWN 0

/* One entry of the control stack (a block, loop, if/else or the function). */
typedef struct rf_ctl_frame {
    const uint8_t *params;   /* the block type's parameter types */
    const uint8_t *results;  /* its result types */
    uint32_t nparams;
    uint32_t nresults;
    uint32_t height;         /* operand stack height below the block's own values */
    uint8_t kind;            /* RF_FRAME_* */
    bool unreachable;        /* the rest of the block is dead code (stack is polymorphic) */
} rf_ctl_frame;

enum { RF_FRAME_FUNC, RF_FRAME_BLOCK, RF_FRAME_LOOP, RF_FRAME_IF, RF_FRAME_ELSE };

/* Scratch memory for function bodies, allocated once per module, grown
 * geometrically and reused for every function. Zero-initialise; release with
 * rf_code_scratch_free. */
typedef struct rf_code_scratch {
    uint8_t *vals;           /* operand stack: value types */
    uint32_t vals_cap;
    rf_ctl_frame *ctls;      /* control stack */
    uint32_t ctls_cap;
    uint8_t *locals;         /* types of the current function's params + locals */
    uint32_t locals_cap;
} rf_code_scratch;

void rf_code_scratch_free(rf_code_scratch *s);

/* Validate the body of defined function `def_index` and fill its rf_func_info.
 * `declared` is a bitmap of the functions `ref.func` may name. Module-level
 * facts (type indices of functions in range) must already be checked. */
bool rf_validate_code(rf_module *m, uint32_t def_index, const uint8_t *declared,
                      rf_code_scratch *s, rf_error *err);

/* Validate constant expression `e`, which must produce one value of type
 * `expected`, and fill its op/type/value. `where` names it for messages
 * ("global section, global 3"). */
bool rf_validate_const_expr(const rf_module *m, rf_const_expr *e, uint8_t expected,
                            const char *where, rf_error *err);

/* Text of a value type for messages ("i32", "funcref", "unknown"). */
const char *rf_validate_type_name(uint8_t t);

/* Writes `"name"` with quotes, escaping control characters, quotes and
 * backslashes and shortening long names; `name` need not be NUL-terminated. */
void rf_validate_quote(char *buf, size_t size, const char *name, size_t len);

/* Writes `func 12 ("parse")`, or `func 12` when the name section has no name. */
void rf_validate_func_label(const rf_module *m, uint32_t func_index, char *buf, size_t size);

/* Writes a type list for messages: a single type bare ("i32"), otherwise
 * bracketed ("[i32 f64]", "[]"); long lists are shortened. */
void rf_validate_type_list(char *buf, size_t size, const uint8_t *types, uint32_t n);

/* Writes "no tables", "1 table" or "3 tables". */
void rf_validate_count(char *buf, size_t size, uint32_t n, const char *one, const char *many);

#endif /* RF_VALIDATE_H */
