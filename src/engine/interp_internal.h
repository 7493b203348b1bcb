/*
 * interp_internal.h — state shared by the interpreter's hot loop (interp.c)
 * and its cold paths (interp_slow.c): the per-store execution state, the
 * return stack, and the out-of-line helpers the handlers call.
 *
 * Execution state of a store (s->exec, created on the first call):
 *   - the value stack s->stack (frames of 8-byte slots, compile.h) and the
 *     return stack, both mmap'ed at their full size so untouched pages cost
 *     no memory;
 *   - the return stack holds one record per active wasm frame: where to
 *     continue in the caller. Its bottom record of each rf_interp_call
 *     activation points at the EXIT instruction, which leaves the loop.
 * A host function called from wasm may call back into the store; the nested
 * activation starts at s->stack_top and at the current return-stack top, so
 * activations nest on the same two stacks.
 */
#ifndef RF_INTERP_INTERNAL_H
#define RF_INTERP_INTERNAL_H

#include "compile.h"
#include "runtime.h"

#include <stdint.h>

/* Where to continue when a frame returns. */
typedef struct rf_frame_rec {
    const rf_cell *ip;       /* the caller's next instruction */
    uint64_t *fp;            /* the caller's frame */
    const rf_code *code;     /* the caller's code (trap offsets) */
    rf_instance *inst;       /* the caller's instance */
} rf_frame_rec;

/* Host re-entrance (wasm -> host -> wasm ...) nests C frames; this bounds
 * the C stack it can use. */
#define RF_MAX_HOST_NESTING 256

typedef struct rf_exec {
    rf_frame_rec *rstack;    /* return stack base */
    rf_frame_rec *rlimit;    /* rstack + max_call_depth */
    rf_frame_rec *rtop;      /* first free record while a host call runs */
    size_t rstack_bytes;
    uint64_t *stack_end;     /* one past the last value-stack slot */
    size_t stack_bytes;
    uint32_t nesting;        /* rf_interp_call activations in progress */
#ifdef RF_COUNT_DISPATCH
    uint64_t dispatches;     /* handlers executed (dispatch-count builds only) */
#endif
} rf_exec;

/* Allocate the store's stacks on first use; false (err set) on failure. */
bool rf_interp_exec_init(rf_store *s, rf_error *err);

/* Poll for interruption: the interrupt flag and, every so often, the
 * deadline. True means stop with RF_TRAP_INTERRUPTED. */
bool rf_interp_poll_slow(rf_store *s, uint32_t *tick);
#define RF_POLL_TICKS 4096u

/* Cold instruction bodies. Each returns RF_TRAP_NONE or the trap to raise. */
uint32_t rf_interp_memory_grow(rf_instance *inst, uint32_t pages);
rf_trap rf_interp_memory_init(rf_instance *inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
uint32_t rf_interp_table_grow(rf_instance *inst, uint32_t table, void *init, uint32_t n);
rf_trap rf_interp_table_fill(rf_instance *inst, uint32_t table, uint32_t i, void *v, uint32_t n);
rf_trap rf_interp_table_copy(rf_instance *inst, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                             uint32_t n);
rf_trap rf_interp_table_init(rf_instance *inst, uint32_t table, uint32_t seg, uint32_t d,
                             uint32_t s, uint32_t n);

/* Call host function f with its arguments in args[0..) (results replace
 * them), on behalf of `caller`; handles re-entrance bookkeeping. */
rf_error_kind rf_interp_host_call(rf_store *s, rf_func *f, rf_instance *caller, uint64_t *args,
                                  uint64_t *frame_end, rf_frame_rec *rtop, rf_error *err);

#ifdef RF_COUNT_DISPATCH
/* Handlers executed in this store so far (dispatch-count builds only). */
uint64_t rf_interp_dispatch_count(const rf_store *s);
#endif

/* Fill err for a trap at instruction ip of code. */
void rf_interp_trap(rf_error *err, rf_trap trap, const rf_code *code, const rf_cell *ip);

#endif /* RF_INTERP_INTERNAL_H */
