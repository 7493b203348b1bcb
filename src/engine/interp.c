/*
 * interp.c — the interpreter's execution loop: one function whose handlers
 * run the internal code that compile.c produced (interp_ops.h documents every
 * instruction; compile.h the frame layout and calling convention).
 *
 * Design, in short:
 *   - Direct threading: cell 0 of an instruction is its handler's address.
 *   - The VM state lives in C locals the compiler keeps in registers: ip
 *     (instruction), fp (frame), mem_base/mem_size (memory 0), inst, code.
 *     mem_base/mem_size are reloaded after anything that can change them:
 *     calls and returns (the callee may grow memory or switch instance),
 *     memory.grow, host calls.
 *   - Calls never recurse in C: a wasm call pushes a return record on the
 *     store's return stack and jumps to the callee; a return pops it. A
 *     frame overlaps its caller's argument temps (compile.h), so arguments
 *     and results are never copied.
 *   - Traps leave the loop with a trap code; the wasm byte offset comes from
 *     the function's offset table. Stack exhaustion is a clean trap: the
 *     call depth and the value stack are checked before each call.
 *   - Interruption (rf_store_interrupt, deadlines) is polled at loop
 *     back-edges (backward branches) and at calls; bulk memory and table
 *     operations charge the poll counter by the work they do and poll at
 *     once when it was large (interp_internal.h), so straight-line code
 *     cannot outrun a deadline either.
 * Cold paths (bulk memory, tables, host calls, stack allocation) are in
 * interp_slow.c so the handlers here stay short.
 */
#include "error.h"
#include "interp_internal.h"
#include "interp_ops.h"
#include "numeric.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__GNUC__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define UNLIKELY(x) (x)
#endif

static rf_error_kind trap_kind(rf_trap trap)
{
    return trap == RF_TRAP_STACK_EXHAUSTED ? RF_ERR_EXHAUSTED
         : trap == RF_TRAP_INTERRUPTED     ? RF_ERR_INTERRUPTED
                                           : RF_ERR_TRAP;
}

/*
 * Run `code` (of instance `inst`) with its frame at fp, whose arguments and
 * zeroed locals are in place, until it returns; rsp is the first free return
 * record. Called with s == NULL it only hands out the dispatch table.
 */
static rf_error_kind interp_run(rf_store *s, const rf_code *code, rf_instance *inst, uint64_t *fp,
                                rf_frame_rec *rsp, rf_error *err, const void *const **table_out)
{
#include "interp_dispatch.h"
    static const rf_cell exit_code[1] = { { .h = &&op_EXIT } };

    if (!s) {
        *table_out = rf_dispatch_table;
        return RF_OK;
    }

    rf_exec *const x = s->exec;
    rf_frame_rec *const rlimit = x->rlimit;
    uint64_t *const stack_end = x->stack_end;
    const rf_cell *ip = code->cells;
    uint8_t *mem_base;
    uint64_t mem_size;
    uint32_t tick = RF_POLL_TICKS;
    rf_trap trap = RF_TRAP_NONE;
    rf_error_kind result = RF_OK;
    /* operands of the shared call path */
    rf_func *call_f;
    uint64_t *call_fp;
    const rf_cell *call_next;

#define LOAD_MEM()                                \
    do {                                          \
        const rf_memory *m0_ = inst->mem0;        \
        mem_base = m0_ ? m0_->base : NULL;        \
        mem_size = m0_ ? m0_->size : 0;           \
    } while (0)
#define TRAP(t_)                                  \
    do {                                          \
        trap = (rf_trap)(t_);                     \
        goto trapped;                             \
    } while (0)
    /* Stop here if another thread asked to, or the deadline passed. */
#define POLL()                                                                          \
    do {                                                                                \
        if (UNLIKELY(atomic_load_explicit(&s->interrupt, memory_order_relaxed) != 0 || \
                     --tick == 0) &&                                                    \
            rf_interp_poll_slow(s, &tick))                                              \
            TRAP(RF_TRAP_INTERRUPTED);                                                  \
    } while (0)
    /* After bulk work of `bytes_` bytes (rf_interp_charge). */
#define CHARGE(bytes_)                                            \
    do {                                                          \
        if (UNLIKELY(rf_interp_charge(s, &tick, (bytes_))))       \
            TRAP(RF_TRAP_INTERRUPTED);                            \
    } while (0)
    /* Take a branch; offsets <= 0 are loop back-edges and poll first. */
#define TAKE(off_)                                \
    do {                                          \
        int32_t o_ = (off_);                      \
        if (o_ <= 0)                              \
            POLL();                               \
        ip += o_;                                 \
        DISPATCH();                               \
    } while (0)
#define D1 ip[1].s.a                  /* destination slot */
#define A1 fp[ip[1].s.b]              /* first operand (cell 1, second half) */
#define B2 fp[ip[2].s.a]              /* second operand (cell 2, first half) */

    rsp->ip = exit_code;
    rsp->fp = fp;
    rsp->code = code;
    rsp->inst = inst;
    rsp++;
    LOAD_MEM();
    DISPATCH();

    /* ---- control ---------------------------------------------------------------- */
op_EXIT:
    result = RF_OK;
    goto out;
op_UNREACHABLE:
    TRAP(RF_TRAP_UNREACHABLE);
op_BR:
    TAKE(ip[1].br.off);
op_BR_IF:
    if ((uint32_t)fp[ip[1].cbr.slot] != 0)
        TAKE(ip[1].cbr.off);
    NEXT(2);
op_BR_IFZ:
    if ((uint32_t)fp[ip[1].cbr.slot] == 0)
        TAKE(ip[1].cbr.off);
    NEXT(2);

#define BR_REL(name, expr)                                                    \
    op_BR_##name##_SS : {                                                     \
        uint32_t a = (uint32_t)fp[ip[1].s.a], b = (uint32_t)fp[ip[1].s.b];    \
        if (expr)                                                             \
            TAKE(ip[2].br.off);                                               \
        NEXT(3);                                                              \
    }                                                                         \
    op_BR_##name##_SI : {                                                     \
        uint32_t a = (uint32_t)fp[ip[1].s.a], b = ip[1].s.b;                  \
        if (expr)                                                             \
            TAKE(ip[2].br.off);                                               \
        NEXT(3);                                                              \
    }
    BR_REL(EQ, a == b)
    BR_REL(NE, a != b)
    BR_REL(LT_S, rf_num_s32(a) < rf_num_s32(b))
    BR_REL(LT_U, a < b)
    BR_REL(GT_S, rf_num_s32(a) > rf_num_s32(b))
    BR_REL(GT_U, a > b)
    BR_REL(LE_S, rf_num_s32(a) <= rf_num_s32(b))
    BR_REL(LE_U, a <= b)
    BR_REL(GE_S, rf_num_s32(a) >= rf_num_s32(b))
    BR_REL(GE_U, a >= b)
#undef BR_REL

op_BR_TABLE: {
    uint32_t i = (uint32_t)fp[ip[1].s.a], k = ip[2].s.a, n = ip[1].s.b;
    const rf_cell *e = &ip[3 + (i < k ? i : k)];
    if (n > 0 && e->br.slot != ip[2].s.b) {
        uint64_t *dst = fp + e->br.slot;
        const uint64_t *src = fp + ip[2].s.b;
        for (uint32_t j = 0; j < n; j++)
            dst[j] = src[j];
    }
    TAKE(e->br.off);
}
op_MOVE_N: {
    uint64_t *dst = fp + ip[1].s.a;
    const uint64_t *src = fp + ip[1].s.b;
    for (uint32_t j = 0, n = ip[2].s.a; j < n; j++)
        dst[j] = src[j];
    NEXT(3);
}
op_RETURN1:
    fp[0] = fp[ip[1].s.a];
    /* fall through */
op_RETURN:
    rsp--;
    ip = rsp->ip;
    fp = rsp->fp;
    code = rsp->code;
    inst = rsp->inst;
    LOAD_MEM();
    DISPATCH();

op_CALL: {
    const rf_code *callee = ip[2].p;
    uint64_t *nfp = fp + ip[1].s.a;
    if (UNLIKELY(rsp == rlimit || callee->frame_size > (size_t)(stack_end - nfp)))
        TRAP(RF_TRAP_STACK_EXHAUSTED);
    POLL();
    rsp->ip = ip + 3;
    rsp->fp = fp;
    rsp->code = code;
    rsp->inst = inst;
    rsp++;
    uint64_t *local = nfp + callee->nparams;
    for (uint32_t j = callee->nlocals; j > 0; j--)
        *local++ = 0;
    fp = nfp;
    code = callee;
    ip = callee->cells;
    DISPATCH();
}
op_CALL_FUNC:
    call_f = inst->funcs[ip[1].s.b];
    call_fp = fp + ip[1].s.a;
    call_next = ip + 2;
    goto call_any;
op_CALL_INDIRECT: {
    const rf_table *t = inst->tables[ip[2].s.b];
    uint32_t i = (uint32_t)A1;
    if (UNLIKELY(i >= t->size))
        TRAP(RF_TRAP_UNDEFINED_ELEMENT);
    call_f = t->elems[i];
    if (UNLIKELY(!call_f))
        TRAP(RF_TRAP_UNINITIALIZED_ELEMENT);
    const rf_functype *want = &inst->module->types[ip[2].s.a];
    if (call_f->type != want && !rf_functype_equal(call_f->type, want))
        TRAP(RF_TRAP_INDIRECT_TYPE);
    call_fp = fp + ip[1].s.a;
    call_next = ip + 3;
    goto call_any;
}
    /* Any function: host, another instance's, or this instance's. */
call_any:
    if (call_f->host) {
        rf_error_kind k = rf_interp_host_call(s, call_f, inst, call_fp, fp + code->frame_size,
                                              rsp, err);
        if (UNLIKELY(k != RF_OK)) {
            result = k;
            goto out;
        }
        LOAD_MEM();
        ip = call_next;
        DISPATCH();
    } else {
        const rf_code *callee = call_f->code;
        if (UNLIKELY(rsp == rlimit || callee->frame_size > (size_t)(stack_end - call_fp)))
            TRAP(RF_TRAP_STACK_EXHAUSTED);
        POLL();
        rsp->ip = call_next;
        rsp->fp = fp;
        rsp->code = code;
        rsp->inst = inst;
        rsp++;
        uint64_t *local = call_fp + callee->nparams;
        for (uint32_t j = callee->nlocals; j > 0; j--)
            *local++ = 0;
        fp = call_fp;
        code = callee;
        inst = call_f->instance;
        LOAD_MEM();
        ip = callee->cells;
        DISPATCH();
    }

    /* ---- moves and variables ---------------------------------------------------- */
op_COPY:
    fp[D1] = A1;
    NEXT(2);
op_CONST32:
    fp[D1] = ip[1].s.b;
    NEXT(2);
op_CONST64:
    fp[D1] = ip[2].u64;
    NEXT(3);
op_SELECT: {
    uint64_t v = (uint32_t)A1 ? fp[ip[2].s.a] : fp[ip[2].s.b];
    fp[D1] = v;
    NEXT(3);
}
op_GLOBAL_GET:
    fp[D1] = inst->globals[ip[1].s.b]->value;
    NEXT(2);
op_GLOBAL_SET:
    inst->globals[ip[1].s.b]->value = fp[ip[1].s.a];
    NEXT(2);

    /* ---- memory ------------------------------------------------------------------ */
#define LOAD(name, width, expr)                                         \
    op_##name : {                                                       \
        uint64_t ea = (uint64_t)(uint32_t)A1 + ip[2].u64;               \
        if (UNLIKELY(ea + (width) > mem_size))                          \
            TRAP(RF_TRAP_MEMORY_OOB);                                   \
        const uint8_t *p = mem_base + ea;                               \
        fp[D1] = (expr);                                                \
        NEXT(3);                                                        \
    }
    LOAD(LOAD32, 4, rf_num_load_u32(p))
    LOAD(LOAD64, 8, rf_num_load_u64(p))
    LOAD(LOAD8_U, 1, *p)
    LOAD(LOAD16_U, 2, rf_num_load_u16(p))
    LOAD(I32_LOAD8_S, 1, rf_num_i32_extend8_s(*p))
    LOAD(I32_LOAD16_S, 2, rf_num_i32_extend16_s(rf_num_load_u16(p)))
    LOAD(I64_LOAD8_S, 1, rf_num_i64_extend8_s(*p))
    LOAD(I64_LOAD16_S, 2, rf_num_i64_extend16_s(rf_num_load_u16(p)))
    LOAD(I64_LOAD32_S, 4, rf_num_i64_extend32_s(rf_num_load_u32(p)))
#undef LOAD
#define STORE(name, width, stmt)                                        \
    op_##name : {                                                       \
        uint64_t ea = (uint64_t)(uint32_t)fp[ip[1].s.a] + ip[2].u64;    \
        if (UNLIKELY(ea + (width) > mem_size))                          \
            TRAP(RF_TRAP_MEMORY_OOB);                                   \
        uint8_t *p = mem_base + ea;                                     \
        uint64_t v = A1;                                                \
        stmt;                                                           \
        NEXT(3);                                                        \
    }
    STORE(STORE8, 1, *p = (uint8_t)v)
    STORE(STORE16, 2, rf_num_store_u16(p, (uint32_t)v))
    STORE(STORE32, 4, rf_num_store_u32(p, (uint32_t)v))
    STORE(STORE64, 8, rf_num_store_u64(p, v))
#undef STORE
op_MEMORY_SIZE:
    fp[D1] = (uint32_t)(mem_size / RF_PAGE_SIZE);
    NEXT(2);
op_MEMORY_GROW: {
    uint32_t pages = (uint32_t)A1;
    uint32_t old = rf_interp_memory_grow(inst, pages);
    fp[D1] = old;
    LOAD_MEM();
    if (old != UINT32_MAX)
        CHARGE((uint64_t)pages * RF_PAGE_SIZE);
    NEXT(2);
}
op_MEMORY_INIT: {
    rf_trap t = rf_interp_memory_init(s, &tick, inst, ip[1].s.a, (uint32_t)A1, (uint32_t)B2,
                                      (uint32_t)fp[ip[2].s.b]);
    if (UNLIKELY(t != RF_TRAP_NONE))
        TRAP(t);
    NEXT(3);
}
op_DATA_DROP:
    inst->data_dropped[ip[1].s.a] = true;
    NEXT(2);
op_MEMORY_COPY: {
    uint64_t d = (uint32_t)fp[ip[1].s.a], src = (uint32_t)A1, n = (uint32_t)B2;
    if (UNLIKELY(d + n > mem_size || src + n > mem_size))
        TRAP(RF_TRAP_MEMORY_OOB);
    if (UNLIKELY(n >= RF_BULK_POLL_BYTES)) {
        if (rf_interp_move_bytes(s, &tick, mem_base + d, mem_base + src, n))
            TRAP(RF_TRAP_INTERRUPTED);
        NEXT(3);
    }
    if (n > 0)
        memmove(mem_base + d, mem_base + src, (size_t)n);
    CHARGE(n);
    NEXT(3);
}
op_MEMORY_FILL: {
    uint64_t d = (uint32_t)fp[ip[1].s.a], n = (uint32_t)B2;
    if (UNLIKELY(d + n > mem_size))
        TRAP(RF_TRAP_MEMORY_OOB);
    if (UNLIKELY(n >= RF_BULK_POLL_BYTES)) {
        if (rf_interp_fill_bytes(s, &tick, mem_base + d, (uint8_t)A1, n))
            TRAP(RF_TRAP_INTERRUPTED);
        NEXT(3);
    }
    if (n > 0)
        memset(mem_base + d, (int)(uint8_t)A1, (size_t)n);
    CHARGE(n);
    NEXT(3);
}

    /* ---- tables and references -------------------------------------------------- */
op_TABLE_GET: {
    const rf_table *t = inst->tables[ip[2].s.a];
    uint32_t i = (uint32_t)A1;
    if (UNLIKELY(i >= t->size))
        TRAP(RF_TRAP_TABLE_OOB);
    fp[D1] = (uint64_t)(uintptr_t)t->elems[i];
    NEXT(3);
}
op_TABLE_SET: {
    rf_table *t = inst->tables[ip[2].s.a];
    uint32_t i = (uint32_t)fp[ip[1].s.a];
    if (UNLIKELY(i >= t->size))
        TRAP(RF_TRAP_TABLE_OOB);
    t->elems[i] = (void *)(uintptr_t)A1;
    NEXT(3);
}
op_TABLE_SIZE:
    fp[D1] = (uint32_t)inst->tables[ip[1].s.b]->size;
    NEXT(2);
op_TABLE_GROW: {
    uint32_t n = (uint32_t)B2;
    uint32_t old = rf_interp_table_grow(inst, ip[2].s.b, (void *)(uintptr_t)A1, n);
    fp[D1] = old;
    if (old != UINT32_MAX)
        CHARGE((uint64_t)n * sizeof(void *));
    NEXT(3);
}
op_TABLE_FILL: {
    rf_trap t = rf_interp_table_fill(s, &tick, inst, ip[2].s.b, (uint32_t)fp[ip[1].s.a],
                                     (void *)(uintptr_t)A1, (uint32_t)B2);
    if (UNLIKELY(t != RF_TRAP_NONE))
        TRAP(t);
    NEXT(3);
}
op_TABLE_COPY: {
    rf_trap t = rf_interp_table_copy(s, &tick, inst, ip[3].s.a, ip[3].s.b,
                                     (uint32_t)fp[ip[1].s.a], (uint32_t)A1, (uint32_t)B2);
    if (UNLIKELY(t != RF_TRAP_NONE))
        TRAP(t);
    NEXT(4);
}
op_TABLE_INIT: {
    rf_trap t = rf_interp_table_init(s, &tick, inst, ip[3].s.a, ip[3].s.b,
                                     (uint32_t)fp[ip[1].s.a], (uint32_t)A1, (uint32_t)B2);
    if (UNLIKELY(t != RF_TRAP_NONE))
        TRAP(t);
    NEXT(4);
}
op_ELEM_DROP:
    inst->elems[ip[1].s.a].count = 0;
    NEXT(2);
op_REF_FUNC:
    fp[D1] = (uint64_t)(uintptr_t)inst->funcs[ip[1].s.b];
    NEXT(2);
op_REF_IS_NULL:
    fp[D1] = A1 == 0;
    NEXT(2);

    /* ---- numeric families ---------------------------------------------------------- */
    /* i32 operands are the low 32 bits of their slots; results are stored
     * zero-extended. */
#define UN32(name, expr)                                  \
    op_##name : {                                         \
        uint32_t a = (uint32_t)A1;                        \
        fp[D1] = (uint32_t)(expr);                        \
        NEXT(2);                                          \
    }
#define UN64(name, expr)                                  \
    op_##name : {                                         \
        uint64_t a = A1;                                  \
        fp[D1] = (uint64_t)(expr);                        \
        NEXT(2);                                          \
    }
#define BIN32(name, expr)                                 \
    op_##name : {                                         \
        uint32_t a = (uint32_t)A1, b = (uint32_t)B2;      \
        fp[D1] = (uint32_t)(expr);                        \
        NEXT(3);                                          \
    }
#define BIN32_I(name, expr)                               \
    op_##name##_I : {                                     \
        uint32_t a = (uint32_t)A1, b = ip[2].s.a;         \
        fp[D1] = (uint32_t)(expr);                        \
        NEXT(3);                                          \
    }
#define BIN32_BOTH(name, expr) BIN32(name, expr) BIN32_I(name, expr)
#define BIN64(name, expr)                                 \
    op_##name : {                                         \
        uint64_t a = A1, b = B2;                          \
        fp[D1] = (uint64_t)(expr);                        \
        NEXT(3);                                          \
    }
#define BIN64_I(name, expr)                               \
    op_##name##_I : {                                     \
        uint64_t a = A1, b = ip[2].u64;                   \
        fp[D1] = (uint64_t)(expr);                        \
        NEXT(3);                                          \
    }
#define BIN64_BOTH(name, expr) BIN64(name, expr) BIN64_I(name, expr)
    /* operators that can trap: fn(a, b, &result) returns 0 or a trap */
#define DIV32(name, fn)                                   \
    op_##name : {                                         \
        uint32_t r;                                       \
        int t = fn((uint32_t)A1, (uint32_t)B2, &r);       \
        if (UNLIKELY(t != 0))                             \
            TRAP(t);                                      \
        fp[D1] = r;                                       \
        NEXT(3);                                          \
    }
#define DIV64(name, fn)                                   \
    op_##name : {                                         \
        uint64_t r;                                       \
        int t = fn(A1, B2, &r);                           \
        if (UNLIKELY(t != 0))                             \
            TRAP(t);                                      \
        fp[D1] = r;                                       \
        NEXT(3);                                          \
    }
#define TRUNC(name, in_t, out_t, fn)                      \
    op_##name : {                                         \
        out_t r;                                          \
        int t = fn((in_t)A1, &r);                         \
        if (UNLIKELY(t != 0))                             \
            TRAP(t);                                      \
        fp[D1] = r;                                       \
        NEXT(2);                                          \
    }

    UN32(I32_EQZ, a == 0)
    UN32(I32_CLZ, rf_num_i32_clz(a))
    UN32(I32_CTZ, rf_num_i32_ctz(a))
    UN32(I32_POPCNT, rf_num_i32_popcnt(a))
    UN32(I32_EXTEND8_S, rf_num_i32_extend8_s(a))
    UN32(I32_EXTEND16_S, rf_num_i32_extend16_s(a))
    BIN32_BOTH(I32_EQ, a == b)
    BIN32_BOTH(I32_NE, a != b)
    BIN32_BOTH(I32_LT_S, rf_num_i32_lt_s(a, b))
    BIN32_BOTH(I32_LT_U, a < b)
    BIN32_BOTH(I32_GT_S, rf_num_i32_gt_s(a, b))
    BIN32_BOTH(I32_GT_U, a > b)
    BIN32_BOTH(I32_LE_S, rf_num_i32_le_s(a, b))
    BIN32_BOTH(I32_LE_U, a <= b)
    BIN32_BOTH(I32_GE_S, rf_num_i32_ge_s(a, b))
    BIN32_BOTH(I32_GE_U, a >= b)
    BIN32_BOTH(I32_ADD, a + b)
    BIN32(I32_SUB, a - b)
    BIN32_BOTH(I32_MUL, a * b)
    DIV32(I32_DIV_S, rf_num_i32_div_s)
    DIV32(I32_DIV_U, rf_num_i32_div_u)
    DIV32(I32_REM_S, rf_num_i32_rem_s)
    DIV32(I32_REM_U, rf_num_i32_rem_u)
    BIN32_BOTH(I32_AND, a & b)
    BIN32_BOTH(I32_OR, a | b)
    BIN32_BOTH(I32_XOR, a ^ b)
    BIN32_BOTH(I32_SHL, rf_num_i32_shl(a, b))
    BIN32_BOTH(I32_SHR_S, rf_num_i32_shr_s(a, b))
    BIN32_BOTH(I32_SHR_U, rf_num_i32_shr_u(a, b))
    BIN32(I32_ROTL, rf_num_i32_rotl(a, b))
    BIN32(I32_ROTR, rf_num_i32_rotr(a, b))

    UN64(I64_EQZ, a == 0)
    UN64(I64_CLZ, rf_num_i64_clz(a))
    UN64(I64_CTZ, rf_num_i64_ctz(a))
    UN64(I64_POPCNT, rf_num_i64_popcnt(a))
    UN64(I64_EXTEND8_S, rf_num_i64_extend8_s(a))
    UN64(I64_EXTEND16_S, rf_num_i64_extend16_s(a))
    UN64(I64_EXTEND32_S, rf_num_i64_extend32_s(a))
    BIN64_BOTH(I64_EQ, a == b)
    BIN64_BOTH(I64_NE, a != b)
    BIN64_BOTH(I64_LT_S, rf_num_i64_lt_s(a, b))
    BIN64_BOTH(I64_LT_U, a < b)
    BIN64_BOTH(I64_GT_S, rf_num_i64_gt_s(a, b))
    BIN64_BOTH(I64_GT_U, a > b)
    BIN64_BOTH(I64_LE_S, rf_num_i64_le_s(a, b))
    BIN64_BOTH(I64_LE_U, a <= b)
    BIN64_BOTH(I64_GE_S, rf_num_i64_ge_s(a, b))
    BIN64_BOTH(I64_GE_U, a >= b)
    BIN64_BOTH(I64_ADD, a + b)
    BIN64(I64_SUB, a - b)
    BIN64_BOTH(I64_MUL, a * b)
    DIV64(I64_DIV_S, rf_num_i64_div_s)
    DIV64(I64_DIV_U, rf_num_i64_div_u)
    DIV64(I64_REM_S, rf_num_i64_rem_s)
    DIV64(I64_REM_U, rf_num_i64_rem_u)
    BIN64_BOTH(I64_AND, a & b)
    BIN64_BOTH(I64_OR, a | b)
    BIN64_BOTH(I64_XOR, a ^ b)
    BIN64_BOTH(I64_SHL, rf_num_i64_shl(a, b))
    BIN64_BOTH(I64_SHR_S, rf_num_i64_shr_s(a, b))
    BIN64_BOTH(I64_SHR_U, rf_num_i64_shr_u(a, b))
    BIN64(I64_ROTL, rf_num_i64_rotl(a, b))
    BIN64(I64_ROTR, rf_num_i64_rotr(a, b))

    UN32(F32_ABS, rf_num_f32_abs(a))
    UN32(F32_NEG, rf_num_f32_neg(a))
    UN32(F32_CEIL, rf_num_f32_ceil(a))
    UN32(F32_FLOOR, rf_num_f32_floor(a))
    UN32(F32_TRUNC, rf_num_f32_trunc(a))
    UN32(F32_NEAREST, rf_num_f32_nearest(a))
    UN32(F32_SQRT, rf_num_f32_sqrt(a))
    BIN32(F32_EQ, rf_num_f32_eq(a, b))
    BIN32(F32_NE, rf_num_f32_ne(a, b))
    BIN32(F32_LT, rf_num_f32_lt(a, b))
    BIN32(F32_GT, rf_num_f32_gt(a, b))
    BIN32(F32_LE, rf_num_f32_le(a, b))
    BIN32(F32_GE, rf_num_f32_ge(a, b))
    BIN32(F32_ADD, rf_num_f32_add(a, b))
    BIN32(F32_SUB, rf_num_f32_sub(a, b))
    BIN32(F32_MUL, rf_num_f32_mul(a, b))
    BIN32(F32_DIV, rf_num_f32_div(a, b))
    BIN32(F32_MIN, rf_num_f32_min(a, b))
    BIN32(F32_MAX, rf_num_f32_max(a, b))
    BIN32(F32_COPYSIGN, rf_num_f32_copysign(a, b))

    UN64(F64_ABS, rf_num_f64_abs(a))
    UN64(F64_NEG, rf_num_f64_neg(a))
    UN64(F64_CEIL, rf_num_f64_ceil(a))
    UN64(F64_FLOOR, rf_num_f64_floor(a))
    UN64(F64_TRUNC, rf_num_f64_trunc(a))
    UN64(F64_NEAREST, rf_num_f64_nearest(a))
    UN64(F64_SQRT, rf_num_f64_sqrt(a))
    BIN64(F64_EQ, rf_num_f64_eq(a, b))
    BIN64(F64_NE, rf_num_f64_ne(a, b))
    BIN64(F64_LT, rf_num_f64_lt(a, b))
    BIN64(F64_GT, rf_num_f64_gt(a, b))
    BIN64(F64_LE, rf_num_f64_le(a, b))
    BIN64(F64_GE, rf_num_f64_ge(a, b))
    BIN64(F64_ADD, rf_num_f64_add(a, b))
    BIN64(F64_SUB, rf_num_f64_sub(a, b))
    BIN64(F64_MUL, rf_num_f64_mul(a, b))
    BIN64(F64_DIV, rf_num_f64_div(a, b))
    BIN64(F64_MIN, rf_num_f64_min(a, b))
    BIN64(F64_MAX, rf_num_f64_max(a, b))
    BIN64(F64_COPYSIGN, rf_num_f64_copysign(a, b))

    UN64(I32_WRAP_I64, (uint32_t)a)
    TRUNC(I32_TRUNC_F32_S, uint32_t, uint32_t, rf_num_i32_trunc_f32_s)
    TRUNC(I32_TRUNC_F32_U, uint32_t, uint32_t, rf_num_i32_trunc_f32_u)
    TRUNC(I32_TRUNC_F64_S, uint64_t, uint32_t, rf_num_i32_trunc_f64_s)
    TRUNC(I32_TRUNC_F64_U, uint64_t, uint32_t, rf_num_i32_trunc_f64_u)
    TRUNC(I64_TRUNC_F32_S, uint32_t, uint64_t, rf_num_i64_trunc_f32_s)
    TRUNC(I64_TRUNC_F32_U, uint32_t, uint64_t, rf_num_i64_trunc_f32_u)
    TRUNC(I64_TRUNC_F64_S, uint64_t, uint64_t, rf_num_i64_trunc_f64_s)
    TRUNC(I64_TRUNC_F64_U, uint64_t, uint64_t, rf_num_i64_trunc_f64_u)
    UN32(F32_CONVERT_I32_S, rf_num_f32_convert_i32_s(a))
    UN32(F32_CONVERT_I32_U, rf_num_f32_convert_i32_u(a))
    UN64(F32_CONVERT_I64_S, rf_num_f32_convert_i64_s(a))
    UN64(F32_CONVERT_I64_U, rf_num_f32_convert_i64_u(a))
    UN64(F32_DEMOTE_F64, rf_num_f32_demote_f64(a))
    UN64(F64_CONVERT_I32_S, rf_num_f64_convert_i32_s((uint32_t)a))
    UN64(F64_CONVERT_I32_U, rf_num_f64_convert_i32_u((uint32_t)a))
    UN64(F64_CONVERT_I64_S, rf_num_f64_convert_i64_s(a))
    UN64(F64_CONVERT_I64_U, rf_num_f64_convert_i64_u(a))
    UN64(F64_PROMOTE_F32, rf_num_f64_promote_f32((uint32_t)a))
    UN32(I32_TRUNC_SAT_F32_S, rf_num_i32_trunc_sat_f32_s(a))
    UN32(I32_TRUNC_SAT_F32_U, rf_num_i32_trunc_sat_f32_u(a))
    UN64(I32_TRUNC_SAT_F64_S, rf_num_i32_trunc_sat_f64_s(a))
    UN64(I32_TRUNC_SAT_F64_U, rf_num_i32_trunc_sat_f64_u(a))
    UN64(I64_TRUNC_SAT_F32_S, rf_num_i64_trunc_sat_f32_s((uint32_t)a))
    UN64(I64_TRUNC_SAT_F32_U, rf_num_i64_trunc_sat_f32_u((uint32_t)a))
    UN64(I64_TRUNC_SAT_F64_S, rf_num_i64_trunc_sat_f64_s(a))
    UN64(I64_TRUNC_SAT_F64_U, rf_num_i64_trunc_sat_f64_u(a))

trapped:
    rf_interp_trap(err, trap, code, ip);
    result = trap_kind(trap);
out:
    return result;
}

const void *const *rf_interp_handlers(void)
{
    const void *const *table = NULL;
    interp_run(NULL, NULL, NULL, NULL, NULL, NULL, &table);
    return table;
}

rf_error_kind rf_interp_call(rf_store *s, rf_func *f, uint64_t *slots, rf_error *err)
{
    if (!f->code) {
        if (f->host)
            return rf_host_invoke(f, NULL, slots, err);
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, f->index,
                     "function %u has no compiled code (module loaded validate-only?)", f->index);
        return RF_ERR_ARG;
    }
    if (!s->exec && !rf_interp_exec_init(s, err))
        return err ? err->kind : RF_ERR_NOMEM;
    rf_exec *x = s->exec;
    const rf_code *code = f->code;
    uint64_t *fp = s->stack_top;
    rf_frame_rec *rtop = x->rtop;
    if (x->nesting >= RF_MAX_HOST_NESTING || rtop >= x->rlimit ||
        code->frame_size > (size_t)(x->stack_end - fp)) {
        rf_error_trap(err, RF_TRAP_STACK_EXHAUSTED, RF_NO_FUNC, RF_NO_OFFSET);
        return RF_ERR_EXHAUSTED;
    }
    memcpy(fp, slots, (size_t)code->nparams * sizeof *fp);
    memset(fp + code->nparams, 0, (size_t)code->nlocals * sizeof *fp);

    uint32_t depth = s->depth;
    x->nesting++;
    rf_error_kind k = interp_run(s, code, f->instance, fp, rtop, err, NULL);
    x->nesting--;
    s->stack_top = fp;
    x->rtop = rtop;
    s->depth = depth;
    if (k == RF_OK)
        memcpy(slots, fp, (size_t)code->nresults * sizeof *fp);
    return k;
}

#ifdef RF_COUNT_DISPATCH
uint64_t rf_interp_dispatch_count(const rf_store *s)
{
    const rf_exec *x = s ? s->exec : NULL;
    return x ? x->dispatches : 0;
}
#endif
