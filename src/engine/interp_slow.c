/*
 * interp_slow.c — the interpreter's cold paths, kept out of the execution
 * loop (interp.c) so its handlers stay short: allocation of a store's
 * stacks, the interruption poll, host calls, trap reporting, and the bulk
 * memory / table instructions that are rare or do their work in a loop.
 *
 * Bulk operations follow WebAssembly 2.0: every range is checked before
 * anything is written (a failing instruction has no effect), and a
 * zero-length access exactly at the end of a memory, table or segment is
 * allowed. They charge their work to the interruption poll
 * (rf_interp_charge, interp_internal.h); a large one works in chunks and may
 * stop between two with RF_TRAP_INTERRUPTED, leaving part of its writes done
 * (interruption abandons the call; it is not a wasm trap).
 */
#include "error.h"
#include "interp_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* ---- stacks -------------------------------------------------------------------------- */

static void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bool rf_interp_exec_init(rf_store *s, rf_error *err)
{
    if (s->exec)
        return true;
    uint64_t slots = s->config.stack_slots ? s->config.stack_slots : RF_DEFAULT_STACK_SLOTS;
    uint64_t depth = s->config.max_call_depth ? s->config.max_call_depth
                                              : RF_DEFAULT_MAX_CALL_DEPTH;
    rf_exec *x = calloc(1, sizeof *x);
    if (!x)
        return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                            "out of memory creating the execution state");
    x->stack_bytes = (size_t)slots * sizeof(uint64_t);
    x->rstack_bytes = (size_t)(depth + 1) * sizeof(rf_frame_rec);
    uint64_t *stack = map_zeroed(x->stack_bytes);
    rf_frame_rec *rstack = map_zeroed(x->rstack_bytes);
    if (!stack || !rstack) {
        if (stack)
            munmap(stack, x->stack_bytes);
        if (rstack)
            munmap(rstack, x->rstack_bytes);
        free(x);
        return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                            "cannot reserve the value stack (%llu slots) and call stack "
                            "(%llu frames)",
                            (unsigned long long)slots, (unsigned long long)depth);
    }
    x->rstack = rstack;
    x->rtop = rstack;
    x->rlimit = rstack + depth;
    x->stack_end = stack + slots;
    s->stack = stack;
    s->stack_top = stack;
    s->depth = 0;
    s->exec = x;
    return true;
}

void rf_interp_store_free(rf_store *s)
{
    if (!s || !s->exec)
        return;
    rf_exec *x = s->exec;
    munmap(s->stack, x->stack_bytes);
    munmap(x->rstack, x->rstack_bytes);
    free(x);
    s->exec = NULL;
    s->stack = s->stack_top = NULL;
}

/* ---- interruption ------------------------------------------------------------------------ */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool rf_interp_poll_slow(rf_store *s, uint32_t *tick)
{
    *tick = RF_POLL_TICKS;
    if (atomic_load_explicit(&s->interrupt, memory_order_relaxed) != 0)
        return true;
    return s->deadline_ns != 0 && monotonic_ns() >= s->deadline_ns;
}

/* ---- bulk work in chunks ------------------------------------------------------------------ */

bool rf_interp_fill_bytes(rf_store *s, uint32_t *tick, uint8_t *dst, uint8_t v, uint64_t n)
{
    while (n > 0) {
        size_t chunk = n < RF_BULK_CHUNK_BYTES ? (size_t)n : RF_BULK_CHUNK_BYTES;
        memset(dst, v, chunk);
        dst += chunk;
        n -= chunk;
        if (rf_interp_charge(s, tick, chunk))
            return true;
    }
    return false;
}

/* Overlapping ranges are copied in the direction memmove would use, chunk by
 * chunk, so no chunk reads bytes an earlier chunk has overwritten. */
bool rf_interp_move_bytes(rf_store *s, uint32_t *tick, void *dst, const void *src, uint64_t n)
{
    uint8_t *d = dst;
    const uint8_t *p = src;
    /* integer comparison: the ranges may belong to different objects */
    bool backward = (uintptr_t)d > (uintptr_t)p && (uintptr_t)d - (uintptr_t)p < n;
    while (n > 0) {
        size_t chunk = n < RF_BULK_CHUNK_BYTES ? (size_t)n : RF_BULK_CHUNK_BYTES;
        n -= chunk;
        if (backward)
            memmove(d + n, p + n, chunk);
        else {
            memmove(d, p, chunk);
            d += chunk;
            p += chunk;
        }
        if (rf_interp_charge(s, tick, chunk))
            return true;
    }
    return false;
}

/* ---- calls and traps ------------------------------------------------------------------------- */

rf_error_kind rf_interp_host_call(rf_store *s, rf_func *f, rf_instance *caller, uint64_t *args,
                                  uint64_t *frame_end, rf_frame_rec *rtop, rf_error *err)
{
    rf_exec *x = s->exec;
    uint64_t *saved_top = s->stack_top;
    rf_frame_rec *saved_rtop = x->rtop;
    uint32_t saved_depth = s->depth;
    /* A call back into the store from f starts above everything live. */
    s->stack_top = frame_end;
    x->rtop = rtop;
    s->depth = (uint32_t)(rtop - x->rstack);
    rf_error_kind k = rf_host_invoke(f, caller, args, err);
    s->stack_top = saved_top;
    x->rtop = saved_rtop;
    s->depth = saved_depth;
    return k;
}

/* Whether the instruction at cell pos has its own entry in the offset table
 * (rf_code_offset gives the nearest entry at or before pos). */
static bool has_own_offset(const rf_code *code, uint32_t pos)
{
    uint32_t lo = 0, hi = code->noffsets;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (code->offsets[2 * mid] < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < code->noffsets && code->offsets[2 * lo] == pos;
}

void rf_interp_trap(rf_error *err, rf_trap trap, const rf_code *code, const rf_cell *ip)
{
    uint32_t pos = (uint32_t)(ip - code->cells);
    uint64_t offset = rf_code_offset(code, pos);
    if (trap == RF_TRAP_INTERRUPTED && !has_own_offset(code, pos))
        offset = RF_NO_OFFSET;
    rf_error_trap(err, trap, code->func_index, offset);
}

/* ---- memory ------------------------------------------------------------------------------------ */

uint32_t rf_interp_memory_grow(rf_instance *inst, uint32_t pages)
{
    if (!inst->mem0)
        return UINT32_MAX;
    int64_t old = rf_memory_grow(inst->mem0, pages);
    return old < 0 ? UINT32_MAX : (uint32_t)old;
}

/* What a finished bulk operation of `bytes` returns. */
static rf_trap charged(rf_store *s, uint32_t *tick, uint64_t bytes)
{
    return rf_interp_charge(s, tick, bytes) ? RF_TRAP_INTERRUPTED : RF_TRAP_NONE;
}

/* Copy n units of `unit` bytes: at once when small, else in polled chunks. */
static rf_trap bulk_move(rf_store *s, uint32_t *tick, void *dst, const void *src, uint64_t n,
                         size_t unit)
{
    uint64_t bytes = n * unit;
    if (bytes >= RF_BULK_POLL_BYTES)
        return rf_interp_move_bytes(s, tick, dst, src, bytes) ? RF_TRAP_INTERRUPTED
                                                              : RF_TRAP_NONE;
    if (bytes > 0)
        memmove(dst, src, (size_t)bytes);
    return charged(s, tick, bytes);
}

rf_trap rf_interp_memory_init(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t seg,
                              uint32_t d, uint32_t src, uint32_t n)
{
    const rf_module *m = inst->module;
    const rf_data_segment *ds = &m->datas[seg];
    uint64_t len = inst->data_dropped[seg] ? 0 : ds->bytes.length;
    rf_memory *mem = inst->mem0;
    uint64_t size = mem ? mem->size : 0;
    if ((uint64_t)src + n > len || (uint64_t)d + n > size)
        return RF_TRAP_MEMORY_OOB;
    if (n == 0)
        return RF_TRAP_NONE;
    return bulk_move(s, tick, mem->base + d, m->bytes + ds->bytes.offset + src, n, 1);
}

/* ---- tables ---------------------------------------------------------------------------------------- */

uint32_t rf_interp_table_grow(rf_instance *inst, uint32_t table, void *init, uint32_t n)
{
    int64_t old = rf_table_grow(inst->tables[table], n, init);
    return old < 0 ? UINT32_MAX : (uint32_t)old;
}

rf_trap rf_interp_table_fill(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t table,
                             uint32_t i, void *v, uint32_t n)
{
    rf_table *t = inst->tables[table];
    if ((uint64_t)i + n > t->size)
        return RF_TRAP_TABLE_OOB;
    if (n == 0)
        return RF_TRAP_NONE;
    const uint32_t chunk = RF_BULK_CHUNK_BYTES / sizeof(void *);
    void **p = t->elems + i;
    while (n > 0) {
        uint32_t k = n < chunk ? n : chunk;
        for (uint32_t j = 0; j < k; j++)
            p[j] = v;
        p += k;
        n -= k;
        if (rf_interp_charge(s, tick, (uint64_t)k * sizeof(void *)))
            return RF_TRAP_INTERRUPTED;
    }
    return RF_TRAP_NONE;
}

rf_trap rf_interp_table_copy(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t dt,
                             uint32_t st, uint32_t d, uint32_t src, uint32_t n)
{
    rf_table *to = inst->tables[dt], *from = inst->tables[st];
    if ((uint64_t)src + n > from->size || (uint64_t)d + n > to->size)
        return RF_TRAP_TABLE_OOB;
    if (n == 0)
        return RF_TRAP_NONE;
    return bulk_move(s, tick, to->elems + d, from->elems + src, n, sizeof(void *));
}

rf_trap rf_interp_table_init(rf_store *s, uint32_t *tick, rf_instance *inst, uint32_t table,
                             uint32_t seg, uint32_t d, uint32_t src, uint32_t n)
{
    rf_table *t = inst->tables[table];
    const rf_elem_inst *e = &inst->elems[seg];
    if ((uint64_t)src + n > e->count || (uint64_t)d + n > t->size)
        return RF_TRAP_TABLE_OOB;
    if (n == 0)
        return RF_TRAP_NONE;
    return bulk_move(s, tick, t->elems + d, e->refs + src, n, sizeof(void *));
}
