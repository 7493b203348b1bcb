/*
 * compile.c — the translator from validated WebAssembly function bodies to
 * the interpreter's internal code (interp_ops.h, compile.h): the per-module
 * driver, the symbolic operand stack (see compile_internal.h for its rules)
 * and every straight-line instruction. Control flow and calls are in
 * compile_control.c.
 *
 * The input is a validated module, so the translator trusts indices and
 * stack heights; it still guards every buffer so a bug cannot write out of
 * bounds, and it fails cleanly (RF_ERR_NOMEM / RF_ERR_LIMIT) when memory runs
 * out. The output's size is linear in the input: each wasm instruction emits
 * a bounded number of cells, plus at most one materialisation per stack entry.
 */
#include "compile_internal.h"
#include "error.h"
#include "opcodes.h"
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

/* The translator relies on these orderings of the internal opcode table. */
_Static_assert(RF_IOP_I32_GE_U - RF_IOP_I32_EQ == RF_REL_GE_U, "i32 compares in rf_rel order");
_Static_assert(RF_IOP_I32_GE_U_I - RF_IOP_I32_EQ_I == RF_REL_GE_U, "i32 _I compares in rf_rel order");
_Static_assert(RF_IOP_I64_GE_U_I - RF_IOP_I64_EQ_I == RF_REL_GE_U, "i64 _I compares in rf_rel order");
_Static_assert(RF_IOP_BR_GE_U_SS - RF_IOP_BR_EQ_SS == RF_REL_GE_U, "fused branches in rf_rel order");
_Static_assert(RF_IOP_BR_GE_U_SI - RF_IOP_BR_EQ_SI == RF_REL_GE_U, "fused branches in rf_rel order");

/* Code positions are stored in 32 bits and branch offsets in signed 32 bits. */
#define TX_MAX_CELLS (1u << 30)

/* ---- failures ---------------------------------------------------------------- */

bool tx_fail_nomem(tx *t)
{
    if (!t->failed)
        rf_error_set(t->err, RF_ERR_NOMEM, t->wasm_offset, t->func_index,
                     "out of memory translating function %u at offset 0x%llx", t->func_index,
                     (unsigned long long)t->wasm_offset);
    t->failed = true;
    return false;
}

bool tx_fail_limit(tx *t, const char *what)
{
    if (!t->failed)
        rf_error_set(t->err, RF_ERR_LIMIT, t->wasm_offset, t->func_index,
                     "function %u is too large to translate (%s) at offset 0x%llx",
                     t->func_index, what, (unsigned long long)t->wasm_offset);
    t->failed = true;
    return false;
}

/* Grow *buf (elements of `size` bytes) to hold at least `need` elements. */
static bool grow(void **buf, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return true;
    uint64_t n = *cap ? (uint64_t)*cap * 2 : 64;
    while (n < need)
        n *= 2;
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    void *p = realloc(*buf, (size_t)n * size);
    if (!p)
        return false;
    *buf = p;
    *cap = (uint32_t)n;
    return true;
}

/* ---- emitting ------------------------------------------------------------------- */

/* Reserve 1 + n cells for instruction `op`; TX_NONE on failure. */
static uint32_t reserve(tx *t, int op, uint32_t n)
{
    if (t->failed)
        return TX_NONE;
    if ((uint64_t)t->len + 1 + n >= TX_MAX_CELLS) {
        tx_fail_limit(t, "more than 2^30 code cells");
        return TX_NONE;
    }
    if (!grow((void **)&t->code, &t->cap, t->len + 1 + n, sizeof(rf_cell))) {
        tx_fail_nomem(t);
        return TX_NONE;
    }
    if (rf_iop_table[op].flags & RF_IOF_TRAP) {
        if (!grow((void **)&t->offs, &t->offs_cap, t->noffs + 2, sizeof(uint32_t))) {
            tx_fail_nomem(t);
            return TX_NONE;
        }
        t->offs[t->noffs++] = t->len;
        t->offs[t->noffs++] = (uint32_t)t->wasm_offset;
    }
    if (op == RF_IOP_BR) {
        if (!grow((void **)&t->brs, &t->brs_cap, t->nbrs + 1, sizeof(uint32_t))) {
            tx_fail_nomem(t);
            return TX_NONE;
        }
        t->brs[t->nbrs++] = t->len;
    }
    uint32_t pos = t->len;
    t->code[pos].h = t->handlers[op];
    t->len += 1 + n;
    t->last = pos;
    t->last_op = op;
    return pos;
}

uint32_t tx_emit(tx *t, int op, uint32_t n, const rf_cell *operands)
{
    uint32_t pos = reserve(t, op, n);
    if (pos != TX_NONE && n > 0)
        memcpy(&t->code[pos + 1], operands, n * sizeof(rf_cell));
    return pos;
}

uint32_t tx_emit_var(tx *t, int op, uint32_t n)
{
    uint32_t pos = reserve(t, op, n);
    if (pos != TX_NONE)
        memset(&t->code[pos + 1], 0, n * sizeof(rf_cell));
    return pos;
}

static uint32_t emit_ab(tx *t, int op, uint32_t a, uint32_t b)
{
    rf_cell c[1] = { tx_ab(a, b) };
    return tx_emit(t, op, 1, c);
}

static uint32_t emit_ab_cd(tx *t, int op, uint32_t a, uint32_t b, uint32_t c2, uint32_t d)
{
    rf_cell c[2] = { tx_ab(a, b), tx_ab(c2, d) };
    return tx_emit(t, op, 2, c);
}

static uint32_t emit_ab_k(tx *t, int op, uint32_t a, uint32_t b, uint64_t k)
{
    rf_cell c[2] = { tx_ab(a, b), tx_u64(k) };
    return tx_emit(t, op, 2, c);
}

void tx_emit_const(tx *t, uint32_t dst, uint64_t value)
{
    if (value <= UINT32_MAX)
        emit_ab(t, RF_IOP_CONST32, dst, (uint32_t)value);
    else
        emit_ab_k(t, RF_IOP_CONST64, dst, 0, value);
}

/* Forget the last emitted instruction (a compare taken over by a branch). */
void tx_rewind_last(tx *t)
{
    if (t->last == TX_NONE)
        return;
    t->len = t->last;
    while (t->noffs >= 2 && t->offs[t->noffs - 2] >= t->len)
        t->noffs -= 2;
    t->last = TX_NONE;
}

/* ---- the symbolic operand stack ---------------------------------------------------- */

static tx_entry *push(tx *t)
{
    if (t->failed)
        return NULL;
    if (!grow((void **)&t->stack, &t->stack_cap, t->height + 1, sizeof(tx_entry))) {
        tx_fail_nomem(t);
        return NULL;
    }
    tx_entry *e = &t->stack[t->height++];
    if (t->height > t->max_height)
        t->max_height = t->height;
    return e;
}

void tx_push_temp(tx *t)
{
    uint32_t h = t->height;
    tx_entry *e = push(t);
    if (e) {
        e->kind = TX_TEMP;
        e->slot = t->L + h;
        e->value = 0;
    }
}

void tx_push_local(tx *t, uint32_t x)
{
    tx_entry *e = push(t);
    if (e) {
        e->kind = TX_LOCAL;
        e->slot = x;
        e->value = 0;
        t->refs[x]++;
        t->total_refs++;
    }
}

void tx_push_const(tx *t, uint64_t value)
{
    tx_entry *e = push(t);
    if (e) {
        e->kind = TX_CONST;
        e->slot = 0;
        e->value = value;
    }
}

static void unref(tx *t, tx_entry *e)
{
    if (e->kind == TX_LOCAL) {
        t->refs[e->slot]--;
        t->total_refs--;
    }
}

void tx_pop(tx *t, uint32_t n)
{
    while (n-- > 0 && t->height > 0)
        unref(t, &t->stack[--t->height]);
}

void tx_truncate(tx *t, uint32_t height)
{
    if (t->height > height)
        tx_pop(t, t->height - height);
}

/* Make stack entry idx live in its own temp slot. */
void tx_materialize(tx *t, uint32_t idx)
{
    if (idx >= t->height)
        return;
    tx_entry *e = &t->stack[idx];
    uint32_t dst = t->L + idx;
    if (e->kind == TX_TEMP)
        return;
    if (e->kind == TX_LOCAL) {
        uint32_t src = e->slot;
        unref(t, e);
        emit_ab(t, RF_IOP_COPY, dst, src);
    } else {
        tx_emit_const(t, dst, e->value);
    }
    e = &t->stack[idx];
    e->kind = TX_TEMP;
    e->slot = dst;
    e->value = 0;
}

void tx_materialize_range(tx *t, uint32_t from, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        tx_materialize(t, from + i);
}

/* Materialise every pending LOCAL entry. Scans from the top and stops when
 * none is left, so each entry is scanned at most once between two calls that
 * find something (all pending ones are cleared each time). */
void tx_materialize_locals(tx *t)
{
    for (uint32_t i = t->height; i-- > 0 && t->total_refs > 0;)
        if (t->stack[i].kind == TX_LOCAL)
            tx_materialize(t, i);
}

/* The slot holding stack entry idx, materialising a constant first. */
uint32_t tx_operand(tx *t, uint32_t idx)
{
    if (idx >= t->height)
        return t->L;
    if (t->stack[idx].kind == TX_CONST)
        tx_materialize(t, idx);
    return t->stack[idx].slot;
}

/* ---- straight-line instructions ------------------------------------------------------- */

/* How a simple (fixed-signature, non-trapping-shape) wasm operator translates. */
typedef struct tx_simple {
    int iop;                 /* slot/slot form */
    int imm;                 /* form with a constant second operand, or -1 */
    int swapped;             /* form when the FIRST operand is constant, or -1 */
    bool negate;             /* imm form takes the negated constant (sub -> add) */
    bool wide;               /* 64-bit immediate (i64) */
    uint8_t arity;           /* 1 or 2 operands */
} tx_simple;

/* Operators that fold a constant operand: relation r's immediate form when
 * the constant comes second, and the swapped relation when it comes first. */
static const uint8_t rel_swap[] = {
    [RF_REL_EQ] = RF_REL_EQ, [RF_REL_NE] = RF_REL_NE,
    [RF_REL_LT_S] = RF_REL_GT_S, [RF_REL_LT_U] = RF_REL_GT_U,
    [RF_REL_GT_S] = RF_REL_LT_S, [RF_REL_GT_U] = RF_REL_LT_U,
    [RF_REL_LE_S] = RF_REL_GE_S, [RF_REL_LE_U] = RF_REL_GE_U,
    [RF_REL_GE_S] = RF_REL_LE_S, [RF_REL_GE_U] = RF_REL_LE_U,
};

static bool simple_op(unsigned op, tx_simple *s)
{
    s->imm = -1;
    s->swapped = -1;
    s->negate = false;
    s->wide = false;
    s->arity = 2;
    switch (op) {
#define UN(w, i) case RF_OP_##w: s->iop = RF_IOP_##i; s->arity = 1; return true;
#define BIN(w, i) case RF_OP_##w: s->iop = RF_IOP_##i; return true;
    /* commutative with an immediate form: constant on either side */
#define COMM32(w) case RF_OP_##w: s->iop = RF_IOP_##w; s->imm = s->swapped = RF_IOP_##w##_I; return true;
#define COMM64(w) case RF_OP_##w: s->iop = RF_IOP_##w; s->imm = s->swapped = RF_IOP_##w##_I; s->wide = true; return true;
    /* immediate only as the second operand */
#define RIGHT32(w) case RF_OP_##w: s->iop = RF_IOP_##w; s->imm = RF_IOP_##w##_I; return true;
#define RIGHT64(w) case RF_OP_##w: s->iop = RF_IOP_##w; s->imm = RF_IOP_##w##_I; s->wide = true; return true;
    /* relations: a constant first operand swaps the relation */
#define REL32(w, r) case RF_OP_I32_##w: s->iop = RF_IOP_I32_##w; s->imm = RF_IOP_I32_EQ_I + (r); \
        s->swapped = RF_IOP_I32_EQ_I + rel_swap[r]; return true;
#define REL64(w, r) case RF_OP_I64_##w: s->iop = RF_IOP_I64_##w; s->imm = RF_IOP_I64_EQ_I + (r); \
        s->swapped = RF_IOP_I64_EQ_I + rel_swap[r]; s->wide = true; return true;
    UN(I32_EQZ, I32_EQZ) UN(I32_CLZ, I32_CLZ) UN(I32_CTZ, I32_CTZ) UN(I32_POPCNT, I32_POPCNT)
    UN(I32_EXTEND8_S, I32_EXTEND8_S) UN(I32_EXTEND16_S, I32_EXTEND16_S)
    REL32(EQ, RF_REL_EQ) REL32(NE, RF_REL_NE) REL32(LT_S, RF_REL_LT_S) REL32(LT_U, RF_REL_LT_U)
    REL32(GT_S, RF_REL_GT_S) REL32(GT_U, RF_REL_GT_U) REL32(LE_S, RF_REL_LE_S)
    REL32(LE_U, RF_REL_LE_U) REL32(GE_S, RF_REL_GE_S) REL32(GE_U, RF_REL_GE_U)
    COMM32(I32_ADD) COMM32(I32_MUL) COMM32(I32_AND) COMM32(I32_OR) COMM32(I32_XOR)
    case RF_OP_I32_SUB: s->iop = RF_IOP_I32_SUB; s->imm = RF_IOP_I32_ADD_I; s->negate = true; return true;
    RIGHT32(I32_SHL) RIGHT32(I32_SHR_S) RIGHT32(I32_SHR_U)
    BIN(I32_DIV_S, I32_DIV_S) BIN(I32_DIV_U, I32_DIV_U) BIN(I32_REM_S, I32_REM_S)
    BIN(I32_REM_U, I32_REM_U) BIN(I32_ROTL, I32_ROTL) BIN(I32_ROTR, I32_ROTR)

    UN(I64_EQZ, I64_EQZ) UN(I64_CLZ, I64_CLZ) UN(I64_CTZ, I64_CTZ) UN(I64_POPCNT, I64_POPCNT)
    UN(I64_EXTEND8_S, I64_EXTEND8_S) UN(I64_EXTEND16_S, I64_EXTEND16_S)
    UN(I64_EXTEND32_S, I64_EXTEND32_S) UN(I64_EXTEND_I32_S, I64_EXTEND32_S)
    REL64(EQ, RF_REL_EQ) REL64(NE, RF_REL_NE) REL64(LT_S, RF_REL_LT_S) REL64(LT_U, RF_REL_LT_U)
    REL64(GT_S, RF_REL_GT_S) REL64(GT_U, RF_REL_GT_U) REL64(LE_S, RF_REL_LE_S)
    REL64(LE_U, RF_REL_LE_U) REL64(GE_S, RF_REL_GE_S) REL64(GE_U, RF_REL_GE_U)
    COMM64(I64_ADD) COMM64(I64_MUL) COMM64(I64_AND) COMM64(I64_OR) COMM64(I64_XOR)
    case RF_OP_I64_SUB: s->iop = RF_IOP_I64_SUB; s->imm = RF_IOP_I64_ADD_I; s->negate = true;
        s->wide = true; return true;
    RIGHT64(I64_SHL) RIGHT64(I64_SHR_S) RIGHT64(I64_SHR_U)
    BIN(I64_DIV_S, I64_DIV_S) BIN(I64_DIV_U, I64_DIV_U) BIN(I64_REM_S, I64_REM_S)
    BIN(I64_REM_U, I64_REM_U) BIN(I64_ROTL, I64_ROTL) BIN(I64_ROTR, I64_ROTR)

    UN(F32_ABS, F32_ABS) UN(F32_NEG, F32_NEG) UN(F32_CEIL, F32_CEIL) UN(F32_FLOOR, F32_FLOOR)
    UN(F32_TRUNC, F32_TRUNC) UN(F32_NEAREST, F32_NEAREST) UN(F32_SQRT, F32_SQRT)
    BIN(F32_EQ, F32_EQ) BIN(F32_NE, F32_NE) BIN(F32_LT, F32_LT) BIN(F32_GT, F32_GT)
    BIN(F32_LE, F32_LE) BIN(F32_GE, F32_GE) BIN(F32_ADD, F32_ADD) BIN(F32_SUB, F32_SUB)
    BIN(F32_MUL, F32_MUL) BIN(F32_DIV, F32_DIV) BIN(F32_MIN, F32_MIN) BIN(F32_MAX, F32_MAX)
    BIN(F32_COPYSIGN, F32_COPYSIGN)
    UN(F64_ABS, F64_ABS) UN(F64_NEG, F64_NEG) UN(F64_CEIL, F64_CEIL) UN(F64_FLOOR, F64_FLOOR)
    UN(F64_TRUNC, F64_TRUNC) UN(F64_NEAREST, F64_NEAREST) UN(F64_SQRT, F64_SQRT)
    BIN(F64_EQ, F64_EQ) BIN(F64_NE, F64_NE) BIN(F64_LT, F64_LT) BIN(F64_GT, F64_GT)
    BIN(F64_LE, F64_LE) BIN(F64_GE, F64_GE) BIN(F64_ADD, F64_ADD) BIN(F64_SUB, F64_SUB)
    BIN(F64_MUL, F64_MUL) BIN(F64_DIV, F64_DIV) BIN(F64_MIN, F64_MIN) BIN(F64_MAX, F64_MAX)
    BIN(F64_COPYSIGN, F64_COPYSIGN)

    UN(I32_WRAP_I64, I32_WRAP_I64)
    UN(I32_TRUNC_F32_S, I32_TRUNC_F32_S) UN(I32_TRUNC_F32_U, I32_TRUNC_F32_U)
    UN(I32_TRUNC_F64_S, I32_TRUNC_F64_S) UN(I32_TRUNC_F64_U, I32_TRUNC_F64_U)
    UN(I64_TRUNC_F32_S, I64_TRUNC_F32_S) UN(I64_TRUNC_F32_U, I64_TRUNC_F32_U)
    UN(I64_TRUNC_F64_S, I64_TRUNC_F64_S) UN(I64_TRUNC_F64_U, I64_TRUNC_F64_U)
    UN(F32_CONVERT_I32_S, F32_CONVERT_I32_S) UN(F32_CONVERT_I32_U, F32_CONVERT_I32_U)
    UN(F32_CONVERT_I64_S, F32_CONVERT_I64_S) UN(F32_CONVERT_I64_U, F32_CONVERT_I64_U)
    UN(F32_DEMOTE_F64, F32_DEMOTE_F64)
    UN(F64_CONVERT_I32_S, F64_CONVERT_I32_S) UN(F64_CONVERT_I32_U, F64_CONVERT_I32_U)
    UN(F64_CONVERT_I64_S, F64_CONVERT_I64_S) UN(F64_CONVERT_I64_U, F64_CONVERT_I64_U)
    UN(F64_PROMOTE_F32, F64_PROMOTE_F32)
    UN(I32_TRUNC_SAT_F32_S, I32_TRUNC_SAT_F32_S) UN(I32_TRUNC_SAT_F32_U, I32_TRUNC_SAT_F32_U)
    UN(I32_TRUNC_SAT_F64_S, I32_TRUNC_SAT_F64_S) UN(I32_TRUNC_SAT_F64_U, I32_TRUNC_SAT_F64_U)
    UN(I64_TRUNC_SAT_F32_S, I64_TRUNC_SAT_F32_S) UN(I64_TRUNC_SAT_F32_U, I64_TRUNC_SAT_F32_U)
    UN(I64_TRUNC_SAT_F64_S, I64_TRUNC_SAT_F64_S) UN(I64_TRUNC_SAT_F64_U, I64_TRUNC_SAT_F64_U)
#undef UN
#undef BIN
#undef COMM32
#undef COMM64
#undef RIGHT32
#undef RIGHT64
#undef REL32
#undef REL64
    default:
        return false;
    }
}

static void tx_simple_op(tx *t, const tx_simple *s)
{
    uint32_t h = t->height;
    if (s->arity == 1) {
        uint32_t a = tx_operand(t, h - 1);
        tx_pop(t, 1);
        uint32_t d = t->L + t->height;
        tx_push_temp(t);
        emit_ab(t, s->iop, d, a);
        return;
    }
    const tx_entry *x = &t->stack[h - 2], *y = &t->stack[h - 1];
    uint32_t d = t->L + h - 2;
    if (y->kind == TX_CONST && s->imm >= 0) {
        uint64_t k = y->value;
        if (s->negate)
            k = s->wide ? 0 - k : (uint32_t)(0u - (uint32_t)k);
        uint32_t a = tx_operand(t, h - 2);
        tx_pop(t, 2);
        tx_push_temp(t);
        emit_ab_k(t, s->imm, d, a, k);
    } else if (x->kind == TX_CONST && s->swapped >= 0) {
        uint64_t k = x->value;
        uint32_t b = tx_operand(t, h - 1);
        tx_pop(t, 2);
        tx_push_temp(t);
        emit_ab_k(t, s->swapped, d, b, k);
    } else {
        uint32_t a = tx_operand(t, h - 2);
        uint32_t b = tx_operand(t, h - 1);
        tx_pop(t, 2);
        tx_push_temp(t);
        emit_ab_cd(t, s->iop, d, a, b, 0);
    }
}

/* The internal load/store for a wasm memory opcode, or -1. */
static int memory_op(unsigned op, bool *store)
{
    *store = false;
    switch (op) {
    case RF_OP_I32_LOAD: case RF_OP_F32_LOAD: case RF_OP_I64_LOAD32_U: return RF_IOP_LOAD32;
    case RF_OP_I64_LOAD: case RF_OP_F64_LOAD: return RF_IOP_LOAD64;
    case RF_OP_I32_LOAD8_U: case RF_OP_I64_LOAD8_U: return RF_IOP_LOAD8_U;
    case RF_OP_I32_LOAD16_U: case RF_OP_I64_LOAD16_U: return RF_IOP_LOAD16_U;
    case RF_OP_I32_LOAD8_S: return RF_IOP_I32_LOAD8_S;
    case RF_OP_I32_LOAD16_S: return RF_IOP_I32_LOAD16_S;
    case RF_OP_I64_LOAD8_S: return RF_IOP_I64_LOAD8_S;
    case RF_OP_I64_LOAD16_S: return RF_IOP_I64_LOAD16_S;
    case RF_OP_I64_LOAD32_S: return RF_IOP_I64_LOAD32_S;
    default: break;
    }
    *store = true;
    switch (op) {
    case RF_OP_I32_STORE8: case RF_OP_I64_STORE8: return RF_IOP_STORE8;
    case RF_OP_I32_STORE16: case RF_OP_I64_STORE16: return RF_IOP_STORE16;
    case RF_OP_I32_STORE: case RF_OP_F32_STORE: case RF_OP_I64_STORE32: return RF_IOP_STORE32;
    case RF_OP_I64_STORE: case RF_OP_F64_STORE: return RF_IOP_STORE64;
    default: return -1;
    }
}

/* local.set / local.tee x. */
static void set_local(tx *t, uint32_t x, bool tee)
{
    if (t->height == 0)
        return;
    tx_entry e = t->stack[t->height - 1];
    tx_pop(t, 1);
    if (e.kind == TX_LOCAL && e.slot == x) {     /* local.get x; local.set x */
        if (tee)
            tx_push_local(t, x);
        return;
    }
    bool patched = false;
    if (t->refs[x] > 0) {
        tx_materialize_locals(t);                /* old value of x still needed */
    } else if (e.kind == TX_TEMP && t->last != TX_NONE &&
               (rf_iop_table[t->last_op].flags & RF_IOF_DST) &&
               t->code[t->last + 1].s.a == e.slot) {
        t->code[t->last + 1].s.a = x;            /* the producer writes x directly */
        patched = true;
    }
    if (!patched) {
        if (e.kind == TX_CONST)
            tx_emit_const(t, x, e.value);
        else
            emit_ab(t, RF_IOP_COPY, x, e.slot);
    }
    if (!tee)
        return;
    if (e.kind == TX_CONST)
        tx_push_const(t, e.value);
    else if (e.kind == TX_TEMP && !patched)
        tx_push_temp(t);
    else
        tx_push_local(t, x);
}

/* Translate one instruction that is not control flow. */
static void tx_plain(tx *t, const rf_instr *in)
{
    uint32_t h = t->height;
    tx_simple s;
    bool store;
    int mop;

    if (simple_op(in->op, &s)) {
        tx_simple_op(t, &s);
        return;
    }
    mop = memory_op(in->op, &store);
    if (mop >= 0) {
        if (store) {
            uint32_t a = tx_operand(t, h - 2), v = tx_operand(t, h - 1);
            tx_pop(t, 2);
            emit_ab_k(t, mop, a, v, in->b);
        } else {
            uint32_t a = tx_operand(t, h - 1);
            tx_pop(t, 1);
            uint32_t d = t->L + t->height;
            tx_push_temp(t);
            emit_ab_k(t, mop, d, a, in->b);
        }
        return;
    }

    switch (in->op) {
    case RF_OP_NOP:
        return;
    case RF_OP_DROP:
        tx_pop(t, 1);
        return;
    case RF_OP_SELECT:
    case RF_OP_SELECT_T: {
        uint32_t c = tx_operand(t, h - 1), b = tx_operand(t, h - 2), a = tx_operand(t, h - 3);
        tx_pop(t, 3);
        uint32_t d = t->L + t->height;
        tx_push_temp(t);
        emit_ab_cd(t, RF_IOP_SELECT, d, c, a, b);
        return;
    }
    case RF_OP_LOCAL_GET:
        tx_push_local(t, in->a);
        return;
    case RF_OP_LOCAL_SET:
    case RF_OP_LOCAL_TEE:
        set_local(t, in->a, in->op == RF_OP_LOCAL_TEE);
        return;
    case RF_OP_GLOBAL_GET: {
        uint32_t d = t->L + h;
        tx_push_temp(t);
        emit_ab(t, RF_IOP_GLOBAL_GET, d, in->a);
        return;
    }
    case RF_OP_GLOBAL_SET: {
        uint32_t v = tx_operand(t, h - 1);
        tx_pop(t, 1);
        emit_ab(t, RF_IOP_GLOBAL_SET, v, in->a);
        return;
    }
    case RF_OP_I32_CONST:
        tx_push_const(t, (uint32_t)in->value);
        return;
    case RF_OP_F32_CONST:
        tx_push_const(t, (uint32_t)in->value);
        return;
    case RF_OP_I64_CONST:
    case RF_OP_F64_CONST:
        tx_push_const(t, in->value);
        return;
    /* No code: i32 values are zero-extended in their slots, and a
     * reinterpretation keeps the bits. */
    case RF_OP_I64_EXTEND_I32_U:
    case RF_OP_I32_REINTERPRET_F32:
    case RF_OP_I64_REINTERPRET_F64:
    case RF_OP_F32_REINTERPRET_I32:
    case RF_OP_F64_REINTERPRET_I64:
        return;
    case RF_OP_MEMORY_SIZE: {
        uint32_t d = t->L + h;
        tx_push_temp(t);
        emit_ab(t, RF_IOP_MEMORY_SIZE, d, 0);
        return;
    }
    case RF_OP_MEMORY_GROW: {
        uint32_t a = tx_operand(t, h - 1);
        tx_pop(t, 1);
        uint32_t d = t->L + t->height;
        tx_push_temp(t);
        emit_ab(t, RF_IOP_MEMORY_GROW, d, a);
        return;
    }
    case RF_OP_MEMORY_INIT: {
        uint32_t d = tx_operand(t, h - 3), sr = tx_operand(t, h - 2), n = tx_operand(t, h - 1);
        tx_pop(t, 3);
        emit_ab_cd(t, RF_IOP_MEMORY_INIT, in->a, d, sr, n);
        return;
    }
    case RF_OP_DATA_DROP:
        emit_ab(t, RF_IOP_DATA_DROP, in->a, 0);
        return;
    case RF_OP_MEMORY_COPY:
    case RF_OP_MEMORY_FILL: {
        uint32_t d = tx_operand(t, h - 3), sv = tx_operand(t, h - 2), n = tx_operand(t, h - 1);
        tx_pop(t, 3);
        emit_ab_cd(t, in->op == RF_OP_MEMORY_COPY ? RF_IOP_MEMORY_COPY : RF_IOP_MEMORY_FILL, d,
                   sv, n, 0);
        return;
    }
    case RF_OP_REF_NULL:
        tx_push_const(t, 0);
        return;
    case RF_OP_REF_IS_NULL: {
        if (h > 0 && t->stack[h - 1].kind == TX_CONST) {
            uint64_t v = t->stack[h - 1].value;
            tx_pop(t, 1);
            tx_push_const(t, v == 0);
            return;
        }
        uint32_t a = tx_operand(t, h - 1);
        tx_pop(t, 1);
        uint32_t d = t->L + t->height;
        tx_push_temp(t);
        emit_ab(t, RF_IOP_REF_IS_NULL, d, a);
        return;
    }
    case RF_OP_REF_FUNC: {
        uint32_t d = t->L + h;
        tx_push_temp(t);
        emit_ab(t, RF_IOP_REF_FUNC, d, in->a);
        return;
    }
    case RF_OP_TABLE_GET: {
        uint32_t i = tx_operand(t, h - 1);
        tx_pop(t, 1);
        uint32_t d = t->L + t->height;
        tx_push_temp(t);
        emit_ab_cd(t, RF_IOP_TABLE_GET, d, i, in->a, 0);
        return;
    }
    case RF_OP_TABLE_SET: {
        uint32_t i = tx_operand(t, h - 2), v = tx_operand(t, h - 1);
        tx_pop(t, 2);
        emit_ab_cd(t, RF_IOP_TABLE_SET, i, v, in->a, 0);
        return;
    }
    case RF_OP_TABLE_SIZE: {
        uint32_t d = t->L + h;
        tx_push_temp(t);
        emit_ab(t, RF_IOP_TABLE_SIZE, d, in->a);
        return;
    }
    case RF_OP_TABLE_GROW: {
        uint32_t v = tx_operand(t, h - 2), n = tx_operand(t, h - 1);
        tx_pop(t, 2);
        uint32_t d = t->L + t->height;
        tx_push_temp(t);
        emit_ab_cd(t, RF_IOP_TABLE_GROW, d, v, n, in->a);
        return;
    }
    case RF_OP_TABLE_FILL: {
        uint32_t i = tx_operand(t, h - 3), v = tx_operand(t, h - 2), n = tx_operand(t, h - 1);
        tx_pop(t, 3);
        emit_ab_cd(t, RF_IOP_TABLE_FILL, i, v, n, in->a);
        return;
    }
    case RF_OP_TABLE_COPY:
    case RF_OP_TABLE_INIT: {
        uint32_t d = tx_operand(t, h - 3), sr = tx_operand(t, h - 2), n = tx_operand(t, h - 1);
        tx_pop(t, 3);
        rf_cell c[3] = { tx_ab(d, sr), tx_ab(n, 0), tx_ab(0, 0) };
        if (in->op == RF_OP_TABLE_COPY)
            c[2] = tx_ab(in->a, in->b);          /* dst table, src table */
        else
            c[2] = tx_ab(in->b, in->a);          /* table, element segment */
        tx_emit(t, in->op == RF_OP_TABLE_COPY ? RF_IOP_TABLE_COPY : RF_IOP_TABLE_INIT, 3, c);
        return;
    }
    case RF_OP_ELEM_DROP:
        emit_ab(t, RF_IOP_ELEM_DROP, in->a, 0);
        return;
    default:
        break;
    }
    rf_error_set(t->err, RF_ERR_UNSUPPORTED, in->offset, t->func_index,
                 "cannot translate opcode 0x%x in function %u at offset 0x%zx", in->op,
                 t->func_index, in->offset);
    t->failed = true;
}

/* ---- functions ------------------------------------------------------------------------ */

/*
 * Jump threading, after a function is translated: an unconditional branch
 * to another unconditional branch goes straight to the final target, and one
 * that lands on a return becomes that return (the if/else arms of
 * `if ... else ... end` at the end of a function return directly). Every
 * cycle of branches keeps a backward branch (forward offsets are positive),
 * so loops still poll for interruption.
 */
static void thread_branches(tx *t)
{
    const void *br = t->handlers[RF_IOP_BR];
    const void *ret = t->handlers[RF_IOP_RETURN];
    const void *ret1 = t->handlers[RF_IOP_RETURN1];
    for (uint32_t i = 0; i < t->nbrs; i++) {
        uint32_t pos = t->brs[i];
        if (t->code[pos].h != br)
            continue;
        int64_t target = (int64_t)pos + t->code[pos + 1].br.off;
        for (int hops = 0; hops < 8 && target >= 0 && target < t->len &&
                           t->code[target].h == br; hops++)
            target += t->code[target + 1].br.off;
        if (target < 0 || target >= t->len)
            continue;                        /* cannot happen; be safe */
        if (t->code[target].h == ret) {
            t->code[pos].h = ret;            /* BR is two cells: two RETURNs */
            t->code[pos + 1].h = ret;
        } else if (t->code[target].h == ret1) {
            t->code[pos] = t->code[target];
            t->code[pos + 1] = t->code[target + 1];
        } else {
            t->code[pos + 1].br.off = (int32_t)(target - (int64_t)pos);
        }
    }
}

static bool is_control(unsigned op)
{
    switch (op) {
    case RF_OP_UNREACHABLE: case RF_OP_BLOCK: case RF_OP_LOOP: case RF_OP_IF: case RF_OP_ELSE:
    case RF_OP_END: case RF_OP_BR: case RF_OP_BR_IF: case RF_OP_BR_TABLE: case RF_OP_RETURN:
    case RF_OP_CALL: case RF_OP_CALL_INDIRECT:
        return true;
    default:
        return false;
    }
}

/* In dead code only the block structure matters: true when `op` is skipped. */
static bool skip_dead(tx *t, unsigned op)
{
    switch (op) {
    case RF_OP_BLOCK: case RF_OP_LOOP: case RF_OP_IF:
        t->skip++;
        return true;
    case RF_OP_ELSE:
        return t->skip > 0;
    case RF_OP_END:
        if (t->skip == 0)
            return false;
        t->skip--;
        return true;
    default:
        return true;
    }
}

static bool translate_function(tx *t, uint32_t def, rf_code *code)
{
    const rf_module *m = t->m;
    const rf_func_def *fd = &m->func_defs[def];
    const rf_functype *ft = &m->types[fd->functype];

    t->func_index = m->num_func_imports + def;
    t->nparams = ft->nparams;
    t->nlocals = fd->num_locals;
    t->nresults = ft->nresults;
    t->L = ft->nparams + fd->num_locals;
    t->wasm_offset = fd->code_offset;
    t->len = 0;
    t->last = TX_NONE;
    t->height = t->max_height = 0;
    t->nctl = 0;
    t->nfix = 0;
    t->noffs = 0;
    t->nbrs = 0;
    t->skip = 0;
    t->total_refs = 0;
    if (!grow((void **)&t->refs, &t->refs_cap, t->L + 1, sizeof(uint32_t)))
        return tx_fail_nomem(t);
    memset(t->refs, 0, (size_t)(t->L + 1) * sizeof(uint32_t));

    tx_begin_function(t);
    rf_reader r = rf_reader_make(m->bytes, fd->code_offset, (size_t)fd->body.offset + fd->body.length);
    while (t->nctl > 0 && !t->failed) {
        rf_instr in;
        if (!rf_read_instr(&r, &in))
            return rf_error_set(t->err, RF_ERR_MALFORMED, r.err_pos, t->func_index,
                                "function %u: %s at offset 0x%zx (while translating)",
                                t->func_index, r.err ? r.err : "bad instruction", r.err_pos);
        t->wasm_offset = in.offset;
        if (t->ctl[t->nctl - 1].unreachable && skip_dead(t, in.op))
            continue;
        if (is_control(in.op))
            tx_control(t, &in, &r);
        else
            tx_plain(t, &in);
    }
    if (t->failed)
        return false;
    thread_branches(t);

    uint64_t frame = (uint64_t)t->L + t->max_height;
    if (frame < t->nparams)
        frame = t->nparams;
    if (frame < t->nresults)
        frame = t->nresults;
    if (frame > UINT32_MAX / 2)
        return tx_fail_limit(t, "frame larger than 2^31 slots");

    size_t code_bytes = (size_t)t->len * sizeof(rf_cell);
    size_t offs_bytes = (size_t)t->noffs * sizeof(uint32_t);
    rf_cell *cells = malloc(code_bytes + offs_bytes + sizeof(rf_cell));
    if (!cells)
        return tx_fail_nomem(t);
    memcpy(cells, t->code, code_bytes);
    uint32_t *offs = (uint32_t *)(void *)(cells + t->len);
    if (offs_bytes)
        memcpy(offs, t->offs, offs_bytes);
    code->cells = cells;
    code->ncells = t->len;
    code->nparams = t->nparams;
    code->nlocals = t->nlocals;
    code->nresults = t->nresults;
    code->frame_size = (uint32_t)frame;
    code->func_index = t->func_index;
    code->noffsets = t->noffs / 2;
    code->offsets = offs;
    return true;
}

bool rf_compile_module(rf_module *m, rf_error *err)
{
    if (!m || !m->validated)
        return rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                            "rf_compile_module: the module has not been validated");
    if (m->compiled)
        return true;
    rf_compiled *out = calloc(1, sizeof *out);
    if (!out)
        return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                            "out of memory translating the module");
    out->nfuncs = m->num_func_defs;
    if (m->num_func_defs) {
        out->funcs = calloc(m->num_func_defs, sizeof *out->funcs);
        if (!out->funcs) {
            free(out);
            return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                                "out of memory translating %u functions", m->num_func_defs);
        }
    }

    tx t;
    memset(&t, 0, sizeof t);
    t.m = m;
    t.err = err;
    t.out = out;
    t.handlers = rf_interp_handlers();
    bool ok = true;
    for (uint32_t i = 0; i < m->num_func_defs && ok; i++)
        ok = translate_function(&t, i, &out->funcs[i]);
    free(t.code);
    free(t.stack);
    free(t.ctl);
    free(t.fix);
    free(t.refs);
    free(t.offs);
    free(t.brs);
    if (!ok) {
        rf_compiled_free(out);
        return false;
    }
    m->compiled = out;
    return true;
}

void rf_compiled_free(void *compiled)
{
    rf_compiled *c = compiled;
    if (!c)
        return;
    for (uint32_t i = 0; i < c->nfuncs; i++)
        free((void *)c->funcs[i].cells);
    free(c->funcs);
    free(c);
}

const void *rf_compiled_func(const rf_module *m, uint32_t def_index)
{
    const rf_compiled *c = m ? m->compiled : NULL;
    if (!c || def_index >= c->nfuncs)
        return NULL;
    return &c->funcs[def_index];
}
