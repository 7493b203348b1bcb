/*
 * compile_control.c — translation of control flow and calls: blocks, loops,
 * if/else, branches (with the fused compare-and-branch family), br_table,
 * returns and calls.
 *
 * Labels: every branch is resolved at translation time. A branch to a loop
 * knows its (backward) target at once; a branch to a block or if is recorded
 * as a fixup and patched when the block's `end` is placed. Values carried by
 * a branch are copied into the label's slots (temps at the label's base
 * height; the function's label is its return) right before the jump, and
 * only when they are not already there.
 *
 * Dead code (after br, br_table, return, unreachable) is skipped up to the
 * matching else/end by the driver (compile.c), so it costs no code.
 */
#include "compile_internal.h"
#include "opcodes.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t rel_negate[] = {
    [RF_REL_EQ] = RF_REL_NE, [RF_REL_NE] = RF_REL_EQ,
    [RF_REL_LT_S] = RF_REL_GE_S, [RF_REL_LT_U] = RF_REL_GE_U,
    [RF_REL_GT_S] = RF_REL_LE_S, [RF_REL_GT_U] = RF_REL_LE_U,
    [RF_REL_LE_S] = RF_REL_GT_S, [RF_REL_LE_U] = RF_REL_GT_U,
    [RF_REL_GE_S] = RF_REL_LT_S, [RF_REL_GE_U] = RF_REL_LT_U,
};

/* ---- labels and fixups ------------------------------------------------------------ */

static tx_ctl *label(tx *t, uint32_t depth)
{
    return &t->ctl[t->nctl - 1 - depth];
}

/* Values a branch to `c` carries. */
static uint32_t label_arity(const tx_ctl *c)
{
    return c->kind == TX_CTL_LOOP ? c->nparams : c->nresults;
}

static void set_offset(tx *t, uint32_t instr, uint32_t cell, bool hi, uint32_t target)
{
    int32_t off = (int32_t)((int64_t)target - (int64_t)instr);
    if (hi)
        t->code[cell].cbr.off = off;
    else
        t->code[cell].br.off = off;
}

/* A new fixup (not yet on any list); -1 on failure. */
static int32_t new_fixup(tx *t, uint32_t instr, uint32_t cell, bool hi)
{
    if (t->failed || instr == TX_NONE)
        return -1;
    if (t->nfix >= (uint32_t)INT32_MAX)
        return tx_fail_limit(t, "too many branches"), -1;
    if (t->nfix >= t->fix_cap) {
        uint32_t cap = t->fix_cap ? t->fix_cap * 2 : 64;
        tx_fixup *p = realloc(t->fix, (size_t)cap * sizeof *p);
        if (!p)
            return tx_fail_nomem(t), -1;
        t->fix = p;
        t->fix_cap = cap;
    }
    tx_fixup *f = &t->fix[t->nfix];
    f->instr = instr;
    f->cell = cell;
    f->hi = hi;
    f->next = -1;
    return (int32_t)t->nfix++;
}

static void patch_here(tx *t, int32_t fixup)
{
    if (fixup < 0 || t->failed)
        return;
    const tx_fixup *f = &t->fix[fixup];
    set_offset(t, f->instr, f->cell, f->hi, t->len);
}

/* Point the branch whose offset is at (instr, cell, hi) to label `depth`. */
static void branch_to(tx *t, uint32_t depth, uint32_t instr, uint32_t cell, bool hi)
{
    if (instr == TX_NONE || t->failed)
        return;
    tx_ctl *c = label(t, depth);
    if (c->kind == TX_CTL_LOOP) {
        set_offset(t, instr, cell, hi, c->start);
        return;
    }
    int32_t f = new_fixup(t, instr, cell, hi);
    if (f >= 0) {
        t->fix[f].next = c->fixups;
        c->fixups = f;
    }
}

/* Place c's end label here: patch the branches waiting for it. */
static void place_end(tx *t, tx_ctl *c)
{
    bool any = c->fixups >= 0 || c->else_fixup >= 0;
    patch_here(t, c->else_fixup);
    c->else_fixup = -1;
    for (int32_t f = c->fixups; f >= 0; f = t->fix[f].next)
        patch_here(t, f);
    c->fixups = -1;
    if (any)
        t->last = TX_NONE;
}

static bool push_ctl(tx *t, uint8_t kind, uint32_t base, uint32_t nparams, uint32_t nresults)
{
    if (t->failed)
        return false;
    if (t->nctl >= t->ctl_cap) {
        uint32_t cap = t->ctl_cap ? t->ctl_cap * 2 : 16;
        tx_ctl *p = realloc(t->ctl, (size_t)cap * sizeof *p);
        if (!p)
            return tx_fail_nomem(t);
        t->ctl = p;
        t->ctl_cap = cap;
    }
    tx_ctl *c = &t->ctl[t->nctl++];
    c->kind = kind;
    c->unreachable = false;
    c->base = base;
    c->nparams = nparams;
    c->nresults = nresults;
    c->start = t->len;
    c->fixups = -1;
    c->else_fixup = -1;
    return true;
}

/* The rest of the current block is dead: drop its operands and skip. */
static void mark_unreachable(tx *t)
{
    tx_ctl *c = &t->ctl[t->nctl - 1];
    c->unreachable = true;
    tx_truncate(t, c->base);
    t->skip = 0;
}

/* ---- conditions ------------------------------------------------------------------------- */

/*
 * Pop a branch condition. When the last emitted instruction is an i32
 * compare (or i32.eqz) producing exactly this value, it is taken back and
 * its operands become the condition, so compare + branch is one dispatch.
 * That is sound because nothing was emitted after the compare and the
 * operands it read are still in place (they are locals or temps at or above
 * the condition's height, which only the removed compare would have written).
 */
static tx_cond get_cond(tx *t)
{
    tx_cond c;
    memset(&c, 0, sizeof c);
    c.kind = TX_COND_NZ;
    if (t->height == 0)
        return c;
    uint32_t idx = t->height - 1;
    const tx_entry *e = &t->stack[idx];
    int op = t->last_op;
    bool fusable = (op >= RF_IOP_I32_EQ && op <= RF_IOP_I32_GE_U) ||
                   (op >= RF_IOP_I32_EQ_I && op <= RF_IOP_I32_GE_U_I) || op == RF_IOP_I32_EQZ;
    if (e->kind == TX_TEMP && t->last != TX_NONE && fusable &&
        t->code[t->last + 1].s.a == e->slot) {
        const rf_cell *ins = &t->code[t->last];
        if (op >= RF_IOP_I32_EQ && op <= RF_IOP_I32_GE_U) {
            c.kind = TX_COND_REL;
            c.rel = (uint8_t)(op - RF_IOP_I32_EQ);
            c.a = ins[1].s.b;
            c.b = ins[2].s.a;
            tx_rewind_last(t);
        } else if (op >= RF_IOP_I32_EQ_I && op <= RF_IOP_I32_GE_U_I) {
            c.kind = TX_COND_REL;
            c.rel = (uint8_t)(op - RF_IOP_I32_EQ_I);
            c.imm = true;
            c.a = ins[1].s.b;
            c.b = ins[2].s.a;
            tx_rewind_last(t);
        } else if (op == RF_IOP_I32_EQZ) {
            c.kind = TX_COND_Z;
            c.a = ins[1].s.b;
            tx_rewind_last(t);
        }
    }
    if (c.kind == TX_COND_NZ)
        c.a = tx_operand(t, idx);
    tx_pop(t, 1);
    return c;
}

/* Emit a branch taken when `c` holds (or fails, with negate); its offset
 * field is returned through cell/hi for branch_to or a fixup. */
static uint32_t emit_cond_branch(tx *t, const tx_cond *c, bool negate, uint32_t *cell, bool *hi)
{
    uint32_t pos;
    if (c->kind == TX_COND_REL) {
        uint8_t rel = negate ? rel_negate[c->rel] : c->rel;
        int op = (c->imm ? RF_IOP_BR_EQ_SI : RF_IOP_BR_EQ_SS) + rel;
        rf_cell ops[2] = { tx_ab(c->a, c->b), tx_ab(0, 0) };
        pos = tx_emit(t, op, 2, ops);
        *cell = pos + 2;
        *hi = false;
    } else {
        bool zero = (c->kind == TX_COND_Z) != negate;
        rf_cell ops[1] = { tx_ab(c->a, 0) };
        pos = tx_emit(t, zero ? RF_IOP_BR_IFZ : RF_IOP_BR_IF, 1, ops);
        *cell = pos + 1;
        *hi = true;
    }
    return pos;
}

/* ---- moving values to labels and returning -------------------------------------------- */

/* True when the top n values are not yet in the slots starting at dst. */
static bool moves_needed(tx *t, uint32_t n, uint32_t dst)
{
    if (n == 0)
        return false;
    const tx_entry *top = &t->stack[t->height - 1];
    if (n == 1)
        return !(top->kind == TX_TEMP && top->slot == dst);
    for (uint32_t i = t->height - n; i < t->height; i++)
        if (t->stack[i].kind != TX_TEMP)
            return true;
    return t->L + t->height - n != dst;
}

/* Copy the top n values to slots dst.. (dst is never above their own temps).
 * One value is copied from wherever it is; several are first made temps
 * (callers that branch conditionally do that before the branch) and moved
 * as one block, so a branch costs O(1) code. */
static void emit_moves(tx *t, uint32_t n, uint32_t dst)
{
    if (!moves_needed(t, n, dst))
        return;
    const tx_entry *top = &t->stack[t->height - 1];
    if (n == 1) {
        if (top->kind == TX_CONST) {
            tx_emit_const(t, dst, top->value);
        } else {
            rf_cell ops[1] = { tx_ab(dst, top->slot) };
            tx_emit(t, RF_IOP_COPY, 1, ops);
        }
        return;
    }
    tx_materialize_range(t, t->height - n, n);
    uint32_t src = t->L + t->height - n;
    if (src != dst) {
        rf_cell ops[2] = { tx_ab(dst, src), tx_ab(n, 0) };
        tx_emit(t, RF_IOP_MOVE_N, 2, ops);
    }
}

/* Return the top nresults values. */
static void emit_return(tx *t)
{
    uint32_t n = t->nresults;
    if (n == 1) {
        const tx_entry *top = &t->stack[t->height - 1];
        if (top->kind == TX_CONST) {
            tx_emit_const(t, 0, top->value);
        } else if (top->slot != 0) {
            rf_cell ops[1] = { tx_ab(top->slot, 0) };
            tx_emit(t, RF_IOP_RETURN1, 1, ops);
            return;
        }
    } else if (n > 1) {
        emit_moves(t, n, 0);
    }
    tx_emit(t, RF_IOP_RETURN, 0, NULL);
}

/* ---- blocks ------------------------------------------------------------------------------ */

static void blocktype(tx *t, const rf_blocktype *bt, uint32_t *np, uint32_t *nr)
{
    *np = *nr = 0;
    if (bt->kind == RF_BT_VALUE) {
        *nr = 1;
    } else if (bt->kind == RF_BT_INDEX) {
        *np = t->m->types[bt->typeidx].nparams;
        *nr = t->m->types[bt->typeidx].nresults;
    }
}

void tx_begin_function(tx *t)
{
    push_ctl(t, TX_CTL_FUNC, 0, 0, t->nresults);
}

static void enter_block(tx *t, uint8_t kind, const rf_instr *in)
{
    uint32_t np, nr;
    blocktype(t, &in->bt, &np, &nr);
    tx_cond cond;
    memset(&cond, 0, sizeof cond);
    if (kind == TX_CTL_IF)
        cond = get_cond(t);
    /* Reordering the materialisation after a taken-over compare is sound:
     * it writes only temps below the condition and reads only locals. */
    tx_materialize_locals(t);
    tx_materialize_range(t, t->height - np, np);
    if (!push_ctl(t, kind, t->height - np, np, nr))
        return;
    t->last = TX_NONE;
    if (kind == TX_CTL_IF) {
        uint32_t cell;
        bool hi;
        uint32_t pos = emit_cond_branch(t, &cond, true, &cell, &hi);
        t->ctl[t->nctl - 1].else_fixup = new_fixup(t, pos, cell, hi);
    }
}

/* Results of a block or if arm that falls through go to their temps. */
static void fall_through(tx *t, tx_ctl *c)
{
    if (!c->unreachable)
        tx_materialize_range(t, c->base, c->nresults);
}

static void do_else(tx *t)
{
    tx_ctl *c = &t->ctl[t->nctl - 1];
    if (!c->unreachable) {
        fall_through(t, c);
        uint32_t pos = tx_emit_var(t, RF_IOP_BR, 1);
        branch_to(t, 0, pos, pos + 1, false);
        c = &t->ctl[t->nctl - 1];
    }
    patch_here(t, c->else_fixup);
    c->else_fixup = -1;
    t->last = TX_NONE;
    tx_truncate(t, c->base);
    for (uint32_t i = 0; i < c->nparams; i++)
        tx_push_temp(t);
    c->kind = TX_CTL_ELSE;
    c->unreachable = false;
}

/* Return from the function whose values branches left in temps L.. */
static void return_from_temps(tx *t)
{
    uint32_t n = t->nresults;
    if (n == 1 && t->L != 0) {
        rf_cell ops[1] = { tx_ab(t->L, 0) };
        tx_emit(t, RF_IOP_RETURN1, 1, ops);
        return;
    }
    if (n > 1 && t->L != 0) {
        rf_cell ops[2] = { tx_ab(0, t->L), tx_ab(n, 0) };
        tx_emit(t, RF_IOP_MOVE_N, 2, ops);
    }
    tx_emit(t, RF_IOP_RETURN, 0, NULL);
}

static void do_end(tx *t)
{
    tx_ctl *c = &t->ctl[t->nctl - 1];
    if (c->kind == TX_CTL_FUNC) {
        if (c->fixups >= 0) {            /* br_table entries wait at the end */
            fall_through(t, c);
            place_end(t, c);
            return_from_temps(t);
        } else if (!c->unreachable) {
            emit_return(t);
        }
        t->nctl--;
        return;
    }
    uint32_t base = c->base, nr = c->nresults;
    if (c->kind == TX_CTL_LOOP) {
        /* Nothing branches to a loop's end: its values stay where they are. */
        bool dead = c->unreachable;
        t->nctl--;
        if (dead) {
            tx_truncate(t, base);
            for (uint32_t i = 0; i < nr; i++)
                tx_push_temp(t);
        }
        return;
    }
    fall_through(t, c);
    place_end(t, c);
    t->nctl--;
    tx_truncate(t, base);
    for (uint32_t i = 0; i < nr; i++)
        tx_push_temp(t);
}

/* ---- branches ------------------------------------------------------------------------------- */

static void do_br(tx *t, uint32_t depth)
{
    tx_ctl *c = label(t, depth);
    if (c->kind == TX_CTL_FUNC) {
        emit_return(t);
    } else {
        emit_moves(t, label_arity(c), t->L + c->base);
        uint32_t pos = tx_emit_var(t, RF_IOP_BR, 1);
        branch_to(t, depth, pos, pos + 1, false);
    }
    mark_unreachable(t);
}

static void do_br_if(tx *t, uint32_t depth)
{
    tx_cond cond = get_cond(t);
    tx_ctl *c = label(t, depth);
    uint32_t n = label_arity(c);
    /* Several values are made temps on both paths, before the branch. */
    if (n > 1)
        tx_materialize_range(t, t->height - n, n);
    uint32_t cell, pos;
    bool hi;
    if (c->kind != TX_CTL_FUNC && !moves_needed(t, n, t->L + c->base)) {
        pos = emit_cond_branch(t, &cond, false, &cell, &hi);
        branch_to(t, depth, pos, cell, hi);
        return;
    }
    /* Branch around the moves (or the return) when the condition fails. */
    pos = emit_cond_branch(t, &cond, true, &cell, &hi);
    int32_t skip = new_fixup(t, pos, cell, hi);
    c = label(t, depth);
    if (c->kind == TX_CTL_FUNC) {
        emit_return(t);
    } else {
        emit_moves(t, n, t->L + c->base);
        uint32_t br = tx_emit_var(t, RF_IOP_BR, 1);
        branch_to(t, depth, br, br + 1, false);
    }
    patch_here(t, skip);
    t->last = TX_NONE;
}

static void do_br_table(tx *t, const rf_instr *in, const rf_reader *r)
{
    uint32_t idx = tx_operand(t, t->height - 1);
    tx_pop(t, 1);
    uint32_t n = label_arity(label(t, in->default_label));
    tx_materialize_range(t, t->height - n, n);
    uint32_t src = t->L + t->height - n;
    uint32_t k = in->count;
    uint32_t pos = tx_emit_var(t, RF_IOP_BR_TABLE, 2 + k + 1);
    if (pos == TX_NONE)
        return;
    t->code[pos + 1] = tx_ab(idx, n);
    t->code[pos + 2] = tx_ab(k, src);
    rf_reader labels = rf_br_table_labels(r, in);
    for (uint32_t j = 0; j <= k; j++) {
        uint32_t depth = in->default_label;
        if (j < k && !rf_read_u32(&labels, &depth))
            depth = in->default_label;
        const tx_ctl *c = label(t, depth);
        uint32_t cell = pos + 3 + j;
        t->code[cell].br.slot = t->L + c->base;  /* the function's label: L + 0 */
        branch_to(t, depth, pos, cell, false);
    }
    mark_unreachable(t);
}

/* ---- calls ----------------------------------------------------------------------------------- */

static void do_call(tx *t, uint32_t func)
{
    const rf_module *m = t->m;
    const rf_functype *ft = &m->types[m->func_types[func]];
    uint32_t np = ft->nparams, nr = ft->nresults;
    tx_materialize_range(t, t->height - np, np);
    uint32_t base = t->L + t->height - np;
    if (func < m->num_func_imports) {
        rf_cell ops[1] = { tx_ab(base, func) };
        tx_emit(t, RF_IOP_CALL_FUNC, 1, ops);
    } else {
        rf_cell ops[2];
        ops[0] = tx_ab(base, 0);
        ops[1].p = &t->out->funcs[func - m->num_func_imports];
        tx_emit(t, RF_IOP_CALL, 2, ops);
    }
    tx_pop(t, np);
    for (uint32_t i = 0; i < nr; i++)
        tx_push_temp(t);
}

static void do_call_indirect(tx *t, uint32_t type, uint32_t table)
{
    const rf_functype *ft = &t->m->types[type];
    uint32_t np = ft->nparams, nr = ft->nresults;
    uint32_t idx = tx_operand(t, t->height - 1);
    tx_pop(t, 1);
    tx_materialize_range(t, t->height - np, np);
    uint32_t base = t->L + t->height - np;
    rf_cell ops[2] = { tx_ab(base, idx), tx_ab(type, table) };
    tx_emit(t, RF_IOP_CALL_INDIRECT, 2, ops);
    tx_pop(t, np);
    for (uint32_t i = 0; i < nr; i++)
        tx_push_temp(t);
}

void tx_control(tx *t, const rf_instr *in, const rf_reader *r)
{
    switch (in->op) {
    case RF_OP_UNREACHABLE:
        tx_emit(t, RF_IOP_UNREACHABLE, 0, NULL);
        mark_unreachable(t);
        break;
    case RF_OP_BLOCK:
        enter_block(t, TX_CTL_BLOCK, in);
        break;
    case RF_OP_LOOP:
        enter_block(t, TX_CTL_LOOP, in);
        break;
    case RF_OP_IF:
        enter_block(t, TX_CTL_IF, in);
        break;
    case RF_OP_ELSE:
        do_else(t);
        break;
    case RF_OP_END:
        do_end(t);
        break;
    case RF_OP_BR:
        do_br(t, in->a);
        break;
    case RF_OP_BR_IF:
        do_br_if(t, in->a);
        break;
    case RF_OP_BR_TABLE:
        do_br_table(t, in, r);
        break;
    case RF_OP_RETURN:
        emit_return(t);
        mark_unreachable(t);
        break;
    case RF_OP_CALL:
        do_call(t, in->a);
        break;
    case RF_OP_CALL_INDIRECT:
        do_call_indirect(t, in->a, in->b);
        break;
    default:
        break;
    }
}
