/*
 * interp_dispatch.h — the interpreter's dispatch table and dispatch macros.
 *
 * Included exactly once, INSIDE the body of the interpreter function
 * (interp.c), because it takes the addresses of that function's handler
 * labels (GNU C labels-as-values, supported by GCC and Clang): handler
 * `op_NAME` for every RF_INTERP_OPS entry NAME (interp_ops.h). A missing
 * handler is a compile error, so the table and the handlers cannot drift.
 *
 * Dispatch is direct threading: cell 0 of each instruction already holds the
 * handler's address, so moving to the next instruction is one load and one
 * indirect jump, with no opcode table in between. Each handler ends in its
 * own jump (conditional branches have two: taken and not taken), which lets
 * the CPU predict each site separately. Clang 19 merges these jumps into one
 * unless built with -mllvm -tail-dup-pred-size=1000 -mllvm
 * -tail-dup-succ-size=1000 (docs/interp.md).
 */
#ifndef RF_INTERP_DISPATCH_H
#define RF_INTERP_DISPATCH_H

static const void *const rf_dispatch_table[RF_IOP_COUNT] = {
#define RF_DISPATCH_ENTRY(name, cells, flags, layout) &&op_##name,
    RF_INTERP_OPS(RF_DISPATCH_ENTRY)
#undef RF_DISPATCH_ENTRY
};

#ifdef RF_COUNT_DISPATCH
#define DISPATCH() do { x->dispatches++; goto *ip->h; } while (0)
#else
#define DISPATCH() goto *ip->h
#endif

/* Continue with the instruction n cells further on. */
#define NEXT(n) do { ip += (n); DISPATCH(); } while (0)

#endif /* RF_INTERP_DISPATCH_H */
