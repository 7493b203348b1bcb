/*
 * compile_internal.h — the translator's working state, shared by its files:
 *   compile.c          driver, operand stack, straight-line instructions
 *   compile_control.c  blocks, branches, calls, returns
 *   compile_dump.c     reading translated code back (dump, counts, offsets)
 *
 * The translator runs one pass over each function body and keeps a symbolic
 * operand stack. An entry says where the value at that height is:
 *   TEMP   in its own temp slot, L + height
 *   LOCAL  still in local x (`local.get x` emitted nothing)
 *   CONST  a known constant (`*.const` emitted nothing)
 * Instructions read their operands straight from those places and write their
 * result to the temp slot of the result's height. Rules that keep this sound:
 *   - Before local x is written, pending LOCAL entries for x are copied to
 *     their temps ("materialised"); the translator does that for all pending
 *     LOCAL entries at once, which keeps the work linear.
 *   - At block/loop/if entry every LOCAL entry is materialised, so code in a
 *     conditionally executed region never has to materialise an entry that
 *     lives below the region (its copy would run on one path only).
 *   - Values that cross a label (block results, loop parameters, branch
 *     values) are always in temps at the label's heights; constants below a
 *     label may stay pending since nothing can change them.
 *   - `local.set x` may retarget the destination of the instruction that
 *     produced the value, if that instruction was emitted last, no label was
 *     placed since, and no other entry refers to x.
 */
#ifndef RF_COMPILE_INTERNAL_H
#define RF_COMPILE_INTERNAL_H

#include "compile.h"
#include "interp_ops.h"
#include "reader.h"
#include "reflow/engine.h"

#include <stdbool.h>
#include <stdint.h>

#define TX_NONE UINT32_MAX

enum { TX_TEMP, TX_LOCAL, TX_CONST };

typedef struct tx_entry {
    uint8_t kind;            /* TX_TEMP, TX_LOCAL, TX_CONST */
    uint32_t slot;           /* TEMP: L + height; LOCAL: the local's slot */
    uint64_t value;          /* CONST: the slot bits */
} tx_entry;

enum { TX_CTL_FUNC, TX_CTL_BLOCK, TX_CTL_LOOP, TX_CTL_IF, TX_CTL_ELSE };

typedef struct tx_ctl {
    uint8_t kind;
    bool unreachable;        /* the rest of this block is dead; being skipped */
    uint32_t base;           /* stack height below the block's parameters */
    uint32_t nparams;
    uint32_t nresults;
    uint32_t start;          /* loop: code position of the loop header */
    int32_t fixups;          /* forward branches to the end: list through tx.fix */
    int32_t else_fixup;      /* if: the branch taken on false, -1 when none */
} tx_ctl;

/* A branch offset to fill in once its target is known. */
typedef struct tx_fixup {
    uint32_t instr;          /* position of the branching instruction */
    uint32_t cell;           /* cell holding the offset */
    bool hi;                 /* offset in the second half (cbr.off) or the first (br.off) */
    int32_t next;
} tx_fixup;

/* A branch condition, possibly taken over from a compare (fusion). */
enum { TX_COND_NZ, TX_COND_Z, TX_COND_REL };
typedef struct tx_cond {
    uint8_t kind;
    uint8_t rel;             /* rf_rel, for TX_COND_REL */
    bool imm;                /* TX_COND_REL: b is an immediate */
    uint32_t a, b;
} tx_cond;

typedef struct tx {
    const rf_module *m;
    rf_error *err;
    const void *const *handlers;
    rf_compiled *out;

    /* the function being translated */
    uint32_t func_index;
    uint32_t nparams, nlocals, nresults;
    uint32_t L;              /* first temp slot = nparams + nlocals */
    uint64_t wasm_offset;    /* offset of the instruction being translated */

    rf_cell *code;
    uint32_t len, cap;
    uint32_t last;           /* position of the last emitted instruction, TX_NONE after a label */
    int last_op;

    tx_entry *stack;
    uint32_t height, stack_cap, max_height;
    tx_ctl *ctl;
    uint32_t nctl, ctl_cap;
    tx_fixup *fix;
    uint32_t nfix, fix_cap;
    uint32_t *refs;          /* pending LOCAL entries per local */
    uint32_t refs_cap;
    uint32_t total_refs;
    uint32_t *offs;          /* (cell, wasm offset) pairs */
    uint32_t noffs, offs_cap;
    uint32_t *brs;           /* positions of the BR instructions, for threading */
    uint32_t nbrs, brs_cap;
    uint32_t skip;           /* nesting depth inside skipped dead code */
    bool failed;             /* an allocation failed or a limit was hit; err is set */
} tx;

/* ---- compile.c ---- */
bool tx_fail_nomem(tx *t);
bool tx_fail_limit(tx *t, const char *what);
uint32_t tx_emit(tx *t, int op, uint32_t n, const rf_cell *operands);
uint32_t tx_emit_var(tx *t, int op, uint32_t n);   /* n zeroed operand cells */
static inline rf_cell tx_ab(uint32_t a, uint32_t b) { rf_cell c; c.s.a = a; c.s.b = b; return c; }
static inline rf_cell tx_u64(uint64_t v) { rf_cell c; c.u64 = v; return c; }
void tx_emit_const(tx *t, uint32_t dst, uint64_t value);
void tx_push_temp(tx *t);
void tx_push_local(tx *t, uint32_t x);
void tx_push_const(tx *t, uint64_t value);
void tx_pop(tx *t, uint32_t n);
void tx_truncate(tx *t, uint32_t height);
void tx_materialize(tx *t, uint32_t idx);
void tx_materialize_range(tx *t, uint32_t from, uint32_t n);
void tx_materialize_locals(tx *t);
uint32_t tx_operand(tx *t, uint32_t idx);
void tx_rewind_last(tx *t);

/* ---- compile_control.c ---- */
/* Translate a control instruction (block, loop, if, else, end, br, br_if,
 * br_table, return, unreachable, call, call_indirect). `r` is positioned
 * after `in` (br_table reads its labels through it). */
void tx_control(tx *t, const rf_instr *in, const rf_reader *r);
/* Start the function-level block. */
void tx_begin_function(tx *t);

#endif /* RF_COMPILE_INTERNAL_H */
