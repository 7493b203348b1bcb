/*
 * compile.h — the translated form of a module's functions, shared by the
 * translator (compile.c, compile_control.c) and the interpreter (interp.c).
 *
 * Each defined function becomes one rf_code: an array of 8-byte cells holding
 * internal instructions (interp_ops.h) plus the facts its callers need.
 *
 * Frame layout (8-byte slots, fp[0] is the first parameter):
 *
 *   [ params | declared locals | temps, one per operand-stack height ]
 *     0        nparams           nparams + nlocals = L       frame_size
 *
 *   The value at operand-stack height h, when it lives in a temp, is in
 *   slot L + h. Results are returned in fp[0 .. nresults).
 *
 * Calling convention (overlapped frames): the caller puts the arguments in
 * the temps at the top of its stack; the callee's frame starts at the first
 * argument, so fp[0..nparams) of the callee ARE those temps, and the results
 * the callee leaves in fp[0..nresults) are at once where the caller's
 * translator expects the call's results. No value is copied per call.
 *
 * Invariants:
 *   - Compiled code is immutable once rf_compile_module returns; every
 *     instance of the module and every thread shares it.
 *   - Cell 0 of every instruction is a handler address of this process's
 *     interpreter; code is never serialised.
 *   - Branch offsets are relative to the branching instruction, so the code
 *     of a function may be moved as a block.
 */
#ifndef RF_COMPILE_H
#define RF_COMPILE_H

#include "module.h"

#include <stdint.h>

/* One 8-byte code cell; which member is meaningful depends on the
 * instruction's layout (interp_ops.h). */
typedef union rf_cell {
    const void *h;                               /* cell 0: handler address */
    const void *p;                               /* pointer operand */
    uint64_t u64;                                /* 64-bit immediate or memarg offset */
    struct { uint32_t a, b; } s;                 /* two slots / 32-bit immediates */
    struct { int32_t off; uint32_t slot; } br;   /* [o,-] [o,d]: offset first */
    struct { uint32_t slot; int32_t off; } cbr;  /* [c,o]: slot first */
} rf_cell;

_Static_assert(sizeof(rf_cell) == 8, "code cells are 8 bytes");

/* The translation of one defined function. */
typedef struct rf_code {
    const rf_cell *cells;    /* first instruction */
    uint32_t ncells;
    uint32_t nparams;
    uint32_t nlocals;        /* declared locals, zeroed on entry */
    uint32_t nresults;
    uint32_t frame_size;     /* slots the frame needs, >= max(nparams, nresults) */
    uint32_t func_index;     /* index in the module's function space */
    /* Wasm byte offsets of the instructions that can trap, for error
     * messages: pairs (cell index, module byte offset), sorted by cell. */
    uint32_t noffsets;
    const uint32_t *offsets;
} rf_code;

/* What rf_compile_module hangs on rf_module.compiled. */
typedef struct rf_compiled {
    uint32_t nfuncs;         /* = module->num_func_defs */
    rf_code *funcs;
} rf_compiled;

/* The handler address of every internal opcode (indexed by rf_iop), from the
 * interpreter; the translator stores them in cell 0 (interp.c). */
const void *const *rf_interp_handlers(void);

/* Module byte offset of the instruction at cell `pos` of `code`, or
 * RF_NO_OFFSET (compile.c). */
uint64_t rf_code_offset(const rf_code *code, uint32_t pos);

/* Print the internal code of `code` in a readable form, one instruction a
 * line, for debugging and tests (compile_dump.c). `out` is a FILE *. */
void rf_code_dump(const rf_code *code, void *out);

/* How many instructions of internal opcode `iop` the code of `code` holds
 * (tests check the translator's folding and fusion with it). */
uint32_t rf_code_count_op(const rf_code *code, int iop);

/* Relations of the fused i32 compare-and-branch family (interp_ops.h). */
typedef enum rf_rel {
    RF_REL_EQ, RF_REL_NE, RF_REL_LT_S, RF_REL_LT_U, RF_REL_GT_S, RF_REL_GT_U,
    RF_REL_LE_S, RF_REL_LE_U, RF_REL_GE_S, RF_REL_GE_U
} rf_rel;

#endif /* RF_COMPILE_H */
