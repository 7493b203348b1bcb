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

/* Poll for interruption: the interrupt flag and the deadline; resets *tick
 * to RF_POLL_TICKS. True means stop with RF_TRAP_INTERRUPTED. The loop polls
 * the flag at every back-edge and call, and calls this every RF_POLL_TICKS
 * of them (*tick counts down). */
bool rf_interp_poll_slow(rf_store *s, uint32_t *tick);
#define RF_POLL_TICKS 4096u

/*
 * Bulk operations (memory.fill/copy/init/grow, table.fill/copy/init/grow)
 * can do megabytes of work in one instruction, with no back-edge in sight.
 * So each one charges the poll counter one tick per RF_BULK_TICK_BYTES it
 * touched, and one of RF_BULK_POLL_BYTES or more (8K table entries) polls
 * at once; larger ones work in chunks of RF_BULK_CHUNK_BYTES and poll after
 * each. A sequence of bulk operations therefore stops within about a chunk's
 * time (well under a millisecond) of a deadline or interrupt; an
 * interrupted operation may have done part of its work (it is not a trap).
 * Operations under RF_BULK_TICK_BYTES cost no more than any instruction.
 */
#define RF_BULK_TICK_BYTES 256u
#define RF_BULK_POLL_BYTES (64u * 1024u)
#define RF_BULK_CHUNK_BYTES (1024u * 1024u)

/* Charge `bytes` of bulk work to *tick; true means stop with
 * RF_TRAP_INTERRUPTED. */
static inline bool rf_interp_charge(rf_store *s, uint32_t *tick, uint64_t bytes)
{
    uint64_t ticks = bytes / RF_BULK_TICK_BYTES;
    if (ticks < *tick && bytes < RF_BULK_POLL_BYTES) {
        *tick -= (uint32_t)ticks;
        return false;
    }
    return rf_interp_poll_slow(s, tick);
}

/* memset / memmove of n bytes in chunks, charging each (large operations;
 * the caller has checked the bounds). True means interrupted. */
bool rf_interp_fill_bytes(rf_store *s, uint32_t *tick, uint8_t *dst, uint8_t v, uint64_t n);
bool rf_interp_move_bytes(rf_store *s, uint32_t *tick, void *dst, const void *src, uint64_t n);

/* Cold instruction bodies. The grows return the old size or UINT32_MAX (the
 * caller charges a successful grow); the others return RF_TRAP_NONE or the
 * trap to raise, RF_TRAP_INTERRUPTED when the charge for their work says
 * to stop. */
uint32_t rf_interp_memory_grow(rf_instance *inst, uint32_t pages);
rf_trap rf_interp_memory_init(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t seg,
                              uint32_t d, uint32_t src, uint32_t n);
uint32_t rf_interp_table_grow(rf_instance *inst, uint32_t table, void *init, uint32_t n);
rf_trap rf_interp_table_fill(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t table,
                             uint32_t i, void *v, uint32_t n);
rf_trap rf_interp_table_copy(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t dt,
                             uint32_t st, uint32_t d, uint32_t src, uint32_t n);
rf_trap rf_interp_table_init(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t table,
                             uint32_t seg, uint32_t d, uint32_t src, uint32_t n);

/* Call host function f with its arguments in args[0..) (results replace
 * them), on behalf of `caller`; handles re-entrance bookkeeping. */
rf_error_kind rf_interp_host_call(rf_store *s, rf_func *f, rf_instance *caller, uint64_t *args,
                                  uint64_t *frame_end, rf_frame_rec *rtop, rf_error *err);

#ifdef RF_COUNT_DISPATCH
/* Handlers executed in this store so far (dispatch-count builds only). */
uint64_t rf_interp_dispatch_count(const rf_store *s);
#endif

/* Fill err for a trap at instruction ip of code. (An interruption at an
 * instruction without an entry in the code's offset table, a grow, names
 * the function but no offset rather than a neighbour's.) */
void rf_interp_trap(rf_error *err, rf_trap trap, const rf_code *code, const rf_cell *ip);

#endif /* RF_INTERP_INTERNAL_H */
