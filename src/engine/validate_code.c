/*
 * validate_code.c — type checking of function bodies.
 *
 * This is the algorithm of the spec's validation appendix: an operand stack of
 * value types and a control stack of frames (label types, the operand height
 * where the frame starts, and an "unreachable" flag). After unreachable, br,
 * br_table and return the rest of the frame is dead code and its stack is
 * polymorphic: popping below the frame's height yields RF_T_UNKNOWN, which
 * matches any type.
 *
 * Invariants and robustness:
 *   - No recursion: both stacks live in heap arrays (rf_code_scratch) that
 *     grow geometrically and are reused for every function of the module. The
 *     control stack is bounded by the body size (each block opener takes at
 *     least two bytes); the operand stack by RF_VALIDATE_MAX_STACK.
 *   - Linear time: each instruction costs O(1) plus the number of values its
 *     types name (calls, branches, block types), at most RF_VALIDATE_MAX_ARITY
 *     per type and compared with memcmp in the common case.
 *   - Instructions are read with rf_read_instr even though the decoder already
 *     did; a read failure becomes RF_ERR_MALFORMED instead of a crash.
 *   - Error messages name the function (index and name-section name), the
 *     instruction's byte offset, what was expected and what was found.
 */
#include "validate.h"
#include "error.h"
#include "opcodes.h"
#include "reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Static one-element type lists for single-value block types and signatures. */
static const uint8_t one_type[256] = {
    [RF_T_I32] = RF_T_I32, [RF_T_I64] = RF_T_I64, [RF_T_F32] = RF_T_F32,
    [RF_T_F64] = RF_T_F64, [RF_T_V128] = RF_T_V128,
    [RF_T_FUNCREF] = RF_T_FUNCREF, [RF_T_EXTERNREF] = RF_T_EXTERNREF,
};

/* Everything the checker needs while it walks one body. */
typedef struct code_state {
    rf_module *m;
    rf_error *err;
    rf_code_scratch *s;
    const uint8_t *declared;      /* functions ref.func may name (bitmap) */
    uint32_t func_index;
    uint32_t nlocals;             /* params + declared locals */
    uint32_t height;              /* operand stack height */
    uint32_t depth;               /* control stack height */
    uint32_t max_height;
    uint32_t max_depth;
    const rf_instr *in;           /* instruction being checked (for messages) */
} code_state;

void rf_code_scratch_free(rf_code_scratch *s)
{
    free(s->vals);
    free(s->ctls);
    free(s->locals);
    memset(s, 0, sizeof *s);
}

/* ---- messages ---------------------------------------------------------------- */

/* "i32.add", "call 5", "br 2", "local.get 3": the instruction as a reader
 * would look it up in a disassembly. */
static void instr_text(char *buf, size_t size, const rf_instr *in)
{
    const rf_opinfo *info = rf_opcode_info(in->op);
    const char *name = info ? info->name : "instruction";
    if (info && (info->imm == RF_IMM_LABEL || info->imm == RF_IMM_FUNC ||
                 info->imm == RF_IMM_LOCAL || info->imm == RF_IMM_GLOBAL ||
                 info->imm == RF_IMM_TABLE || info->imm == RF_IMM_ELEM ||
                 info->imm == RF_IMM_DATA))
        snprintf(buf, size, "%s %u", name, in->a);
    else
        snprintf(buf, size, "%s", name);
}

/* Fail with kind, a core phrase (the spec suite's wording), the location,
 * and a formatted detail. */
static bool code_fail_kind(code_state *st, rf_error_kind kind, size_t at, const char *core,
                           const char *fmt, ...) RF_PRINTF(5, 6);
static bool code_fail_kind(code_state *st, rf_error_kind kind, size_t at, const char *core,
                           const char *fmt, ...)
{
    char label[128], detail[320];
    rf_validate_func_label(st->m, st->func_index, label, sizeof label);
    detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    return rf_error_set(st->err, kind, at, st->func_index, "%s: %s in %s at offset 0x%zx%s%s",
                        rf_error_kind_name(kind), core, label, at, detail[0] ? ": " : "",
                        detail);
}

#define code_fail(st, core, ...) \
    code_fail_kind((st), RF_ERR_INVALID, (st)->in->offset, (core), __VA_ARGS__)

/* "unknown global 7 ...: the module has 3 globals" */
static bool fail_unknown(code_state *st, const char *what, uint32_t index, uint32_t count,
                         const char *one, const char *many)
{
    char core[64], have[48];
    snprintf(core, sizeof core, "unknown %s %u", what, index);
    rf_validate_count(have, sizeof have, count, one, many);
    return code_fail(st, core, "the module has %s", have);
}

/* Type mismatch on the top of the stack: `types` was expected for `role`;
 * the message shows the top `found_n` values actually there. */
static bool fail_stack(code_state *st, const uint8_t *types, uint32_t n, uint32_t found_n,
                       const char *role)
{
    char want[96], have[96];
    rf_validate_type_list(want, sizeof want, types, n);
    if (found_n == 0)
        strcpy(have, "nothing");
    else
        rf_validate_type_list(have, sizeof have, st->s->vals + st->height - found_n, found_n);
    return code_fail(st, "type mismatch", "expected %s, found %s (%s)", want, have, role);
}

static const char *frame_name(uint8_t kind)
{
    switch (kind) {
    case RF_FRAME_FUNC: return "function";
    case RF_FRAME_BLOCK: return "block";
    case RF_FRAME_LOOP: return "loop";
    case RF_FRAME_IF: return "if";
    case RF_FRAME_ELSE: return "else";
    }
    return "block";
}

/* Describes the role of popped values, computed only when a check fails. */
enum { ROLE_OPERANDS, ROLE_ARGS, ROLE_BRANCH, ROLE_RETURN };

static void role_text(char *buf, size_t size, const code_state *st, int role, uint32_t n)
{
    char instr[64];
    instr_text(instr, sizeof instr, st->in);
    switch (role) {
    case ROLE_ARGS: snprintf(buf, size, "arguments of %s", instr); break;
    case ROLE_BRANCH: snprintf(buf, size, "branch operands of %s", instr); break;
    case ROLE_RETURN: snprintf(buf, size, "results of return"); break;
    default: snprintf(buf, size, "%s of %s", n == 1 ? "operand" : "operands", instr); break;
    }
}

/* ---- the operand stack --------------------------------------------------------- */

static bool types_match(uint8_t actual, uint8_t want)
{
    return actual == want || actual == RF_T_UNKNOWN || want == RF_T_UNKNOWN;
}

/* Room for `extra` more values, within RF_VALIDATE_MAX_STACK. */
static bool reserve_vals(code_state *st, uint32_t extra)
{
    uint64_t need = (uint64_t)st->height + extra;
    if (need <= st->s->vals_cap)
        return true;
    if (need > RF_VALIDATE_MAX_STACK)
        return code_fail_kind(st, RF_ERR_LIMIT, st->in->offset, "operand stack too deep",
                              "more than %u values", RF_VALIDATE_MAX_STACK);
    uint64_t cap = st->s->vals_cap ? (uint64_t)st->s->vals_cap * 2 : 256;
    if (cap < need)
        cap = need;
    if (cap > RF_VALIDATE_MAX_STACK)
        cap = RF_VALIDATE_MAX_STACK;
    uint8_t *p = realloc(st->s->vals, (size_t)cap);
    if (!p)
        return code_fail_kind(st, RF_ERR_NOMEM, st->in->offset, "out of memory",
                              "operand stack of %llu values", (unsigned long long)cap);
    st->s->vals = p;
    st->s->vals_cap = (uint32_t)cap;
    return true;
}

static bool push(code_state *st, uint8_t t)
{
    if (!reserve_vals(st, 1))
        return false;
    st->s->vals[st->height++] = t;
    if (st->height > st->max_height)
        st->max_height = st->height;
    return true;
}

static bool push_list(code_state *st, const uint8_t *types, uint32_t n)
{
    if (n == 0)
        return true;
    if (!reserve_vals(st, n))
        return false;
    memcpy(st->s->vals + st->height, types, n);
    st->height += n;
    if (st->height > st->max_height)
        st->max_height = st->height;
    return true;
}

static rf_ctl_frame *top_frame(code_state *st) { return &st->s->ctls[st->depth - 1]; }

/*
 * Check that the top of the stack holds `types` (n values; below the frame
 * the polymorphic stack supplies unknowns when it is unreachable) without
 * popping them. Returns how many real values were matched in *matched.
 */
static bool check_top(code_state *st, const uint8_t *types, uint32_t n, int role,
                      uint32_t *matched)
{
    const rf_ctl_frame *f = top_frame(st);
    uint32_t avail = st->height - f->height;
    /* Fast path: all values present and equal (memcmp-speed on long lists). */
    if (n == 0 || (avail >= n && memcmp(st->s->vals + st->height - n, types, n) == 0)) {
        *matched = n;
        return true;
    }
    uint32_t k = avail < n ? avail : n;
    bool ok = avail >= n || f->unreachable;
    for (uint32_t i = 0; ok && i < k; i++)
        ok = types_match(st->s->vals[st->height - k + i], types[n - k + i]);
    if (!ok) {
        char r[96];
        role_text(r, sizeof r, st, role, n);
        return fail_stack(st, types, n, k, r);
    }
    *matched = k;
    return true;
}

/* Pop `types` (the last one is on top). */
static bool pop_list(code_state *st, const uint8_t *types, uint32_t n, int role)
{
    uint32_t k;
    if (!check_top(st, types, n, role, &k))
        return false;
    st->height -= k;
    return true;
}

static bool pop_type(code_state *st, uint8_t t)
{
    return pop_list(st, &one_type[t], 1, ROLE_OPERANDS);
}

/* Pop one value of any type; RF_T_UNKNOWN from the polymorphic stack. */
static bool pop_any(code_state *st, uint8_t *out)
{
    const rf_ctl_frame *f = top_frame(st);
    if (st->height == f->height) {
        if (f->unreachable) {
            *out = RF_T_UNKNOWN;
            return true;
        }
        char instr[64];
        instr_text(instr, sizeof instr, st->in);
        return code_fail(st, "type mismatch", "expected a value, found nothing (operand of %s)",
                         instr);
    }
    *out = st->s->vals[--st->height];
    return true;
}

/* ---- the control stack ------------------------------------------------------- */

static bool push_frame(code_state *st, uint8_t kind, const uint8_t *params, uint32_t nparams,
                       const uint8_t *results, uint32_t nresults)
{
    rf_code_scratch *s = st->s;
    if (st->depth == s->ctls_cap) {
        uint32_t cap = s->ctls_cap ? s->ctls_cap * 2 : 16;
        if (cap < s->ctls_cap) /* cannot happen: depth is bounded by the body size */
            return code_fail_kind(st, RF_ERR_LIMIT, st->in->offset, "blocks nested too deeply",
                                  NULL);
        rf_ctl_frame *p = realloc(s->ctls, (size_t)cap * sizeof *p);
        if (!p)
            return code_fail_kind(st, RF_ERR_NOMEM, st->in->offset, "out of memory",
                                  "control stack of %u frames", cap);
        s->ctls = p;
        s->ctls_cap = cap;
    }
    rf_ctl_frame *f = &s->ctls[st->depth++];
    f->kind = kind;
    f->params = params;
    f->nparams = nparams;
    f->results = results;
    f->nresults = nresults;
    f->height = st->height;
    f->unreachable = false;
    if (st->depth > st->max_depth)
        st->max_depth = st->depth;
    return push_list(st, params, nparams);
}

/* The frame's results must be exactly what is left above its height. */
static bool check_frame_end(code_state *st, const char *where)
{
    const rf_ctl_frame *f = top_frame(st);
    uint32_t avail = st->height - f->height;
    uint32_t n = f->nresults;
    if (avail == n && (n == 0 || memcmp(st->s->vals + f->height, f->results, n) == 0))
        return true;
    bool ok = avail == n || (f->unreachable && avail < n);
    uint32_t k = avail < n ? avail : n;
    for (uint32_t i = 0; ok && i < k; i++)
        ok = types_match(st->s->vals[st->height - k + i], f->results[n - k + i]);
    if (!ok) {
        char r[64];
        snprintf(r, sizeof r, "at %s", where);
        return fail_stack(st, f->results, n, avail, r);
    }
    return true;
}

/* Label types of the frame `label` levels up: a loop's label takes its
 * parameters, every other label its results. */
static void label_types(const rf_ctl_frame *f, const uint8_t **types, uint32_t *n)
{
    if (f->kind == RF_FRAME_LOOP) {
        *types = f->params;
        *n = f->nparams;
    } else {
        *types = f->results;
        *n = f->nresults;
    }
}

static bool get_label(code_state *st, uint32_t label, const rf_ctl_frame **out)
{
    if (label >= st->depth) {
        char core[48];
        snprintf(core, sizeof core, "unknown label %u", label);
        return code_fail(st, core, "only %u enclosing block%s", st->depth,
                         st->depth == 1 ? "" : "s");
    }
    *out = &st->s->ctls[st->depth - 1 - label];
    return true;
}

static void set_unreachable(code_state *st)
{
    rf_ctl_frame *f = top_frame(st);
    st->height = f->height;
    f->unreachable = true;
}

/* Resolve a block type to its parameter and result lists. */
static bool block_signature(code_state *st, const rf_blocktype *bt, const uint8_t **params,
                            uint32_t *nparams, const uint8_t **results, uint32_t *nresults)
{
    *params = NULL;
    *nparams = 0;
    *results = NULL;
    *nresults = 0;
    if (bt->kind == RF_BT_VALUE) {
        if (one_type[bt->valtype] == 0)
            return code_fail_kind(st, RF_ERR_MALFORMED, st->in->offset, "malformed value type",
                                  "0x%02x", bt->valtype);
        *results = &one_type[bt->valtype];
        *nresults = 1;
    } else if (bt->kind == RF_BT_INDEX) {
        if (bt->typeidx >= st->m->num_types)
            return fail_unknown(st, "type", bt->typeidx, st->m->num_types, "type", "types");
        const rf_functype *ft = &st->m->types[bt->typeidx];
        *params = ft->types;
        *nparams = ft->nparams;
        *results = ft->types + ft->nparams;
        *nresults = ft->nresults;
    }
    return true;
}

/* ---- index checks ------------------------------------------------------------- */

static bool need_memory(code_state *st, uint32_t index)
{
    if (index >= st->m->num_memories)
        return fail_unknown(st, "memory", index, st->m->num_memories, "memory", "memories");
    return true;
}

static bool need_table(code_state *st, uint32_t index)
{
    if (index >= st->m->num_tables)
        return fail_unknown(st, "table", index, st->m->num_tables, "table", "tables");
    return true;
}

static bool need_elem(code_state *st, uint32_t index)
{
    if (index >= st->m->num_elems)
        return fail_unknown(st, "elem segment", index, st->m->num_elems, "element segment",
                            "element segments");
    return true;
}

/* Data segment indices: the binary format requires a data count section for
 * any use of them. An index beyond the segments that exist is reported as
 * invalid first (modules without any data segment often have no data count
 * section either, and the spec suite expects "unknown data segment" then). */
static bool need_data(code_state *st, uint32_t index)
{
    const rf_module *m = st->m;
    uint32_t count = m->has_data_count ? m->data_count : m->num_datas;
    if (index >= count)
        return fail_unknown(st, "data segment", index, count, "data segment", "data segments");
    if (!m->has_data_count)
        return code_fail_kind(st, RF_ERR_MALFORMED, st->in->offset, "data count section required",
                              "the module has no data count section");
    return true;
}

static bool need_func(code_state *st, uint32_t index)
{
    if (index >= st->m->num_funcs)
        return fail_unknown(st, "function", index, st->m->num_funcs, "function", "functions");
    return true;
}

/* ---- instructions ----------------------------------------------------------- */

static uint8_t sig_letter(char c)
{
    switch (c) {
    case 'i': return RF_T_I32;
    case 'I': return RF_T_I64;
    case 'f': return RF_T_F32;
    case 'F': return RF_T_F64;
    }
    return RF_T_UNKNOWN;
}

/* Pop the operands and push the results of a fixed "params:results" signature. */
static bool apply_sig(code_state *st, const char *sig)
{
    uint8_t params[8];
    uint32_t n = 0;
    while (*sig && *sig != ':' && n < sizeof params)
        params[n++] = sig_letter(*sig++);
    if (*sig == ':')
        sig++;
    if (!pop_list(st, params, n, ROLE_OPERANDS))
        return false;
    for (; *sig; sig++)
        if (!push(st, sig_letter(*sig)))
            return false;
    return true;
}

/* Immediate checks of instructions whose operand types are fixed by the
 * opcode table (loads, stores, memory.*, table.init/copy/size, *.drop). */
static bool check_fixed_immediates(code_state *st, const rf_opinfo *info)
{
    const rf_instr *in = st->in;
    const rf_module *m = st->m;
    switch (info->imm) {
    case RF_IMM_MEMARG:
        if (!need_memory(st, 0))
            return false;
        if (in->a > (uint32_t)info->memlog2)
            return code_fail(st, "alignment must not be larger than natural",
                             "%s has alignment 2^%u, natural alignment is 2^%d", info->name,
                             in->a, info->memlog2);
        return true;
    case RF_IMM_MEMORY:
    case RF_IMM_MEMORY_MEMORY:
        return need_memory(st, 0);
    case RF_IMM_DATA_MEMORY:
        return need_memory(st, 0) && need_data(st, in->a);
    case RF_IMM_DATA:
        return need_data(st, in->a);
    case RF_IMM_ELEM:
        return need_elem(st, in->a);
    case RF_IMM_TABLE:
        return need_table(st, in->a);
    case RF_IMM_ELEM_TABLE: /* table.init: a = elem, b = table */
        if (!need_table(st, in->b) || !need_elem(st, in->a))
            return false;
        if (m->tables[in->b].elemtype != m->elems[in->a].elemtype)
            return code_fail(st, "type mismatch",
                             "table.init: element segment %u holds %s, table %u holds %s", in->a,
                             rf_validate_type_name(m->elems[in->a].elemtype), in->b,
                             rf_validate_type_name(m->tables[in->b].elemtype));
        return true;
    case RF_IMM_TABLE_TABLE: /* table.copy: a = destination, b = source */
        if (!need_table(st, in->a) || !need_table(st, in->b))
            return false;
        if (m->tables[in->a].elemtype != m->tables[in->b].elemtype)
            return code_fail(st, "type mismatch",
                             "table.copy from table %u (%s) to table %u (%s)", in->b,
                             rf_validate_type_name(m->tables[in->b].elemtype), in->a,
                             rf_validate_type_name(m->tables[in->a].elemtype));
        return true;
    default:
        return true;
    }
}

static bool check_branch_table(code_state *st, const rf_reader *r)
{
    const rf_instr *in = st->in;
    if (!pop_type(st, RF_T_I32))
        return false;
    const rf_ctl_frame *f;
    if (!get_label(st, in->default_label, &f))
        return false;
    const uint8_t *dtypes;
    uint32_t arity;
    label_types(f, &dtypes, &arity);
    rf_reader labels = rf_br_table_labels(r, in);
    for (uint32_t i = 0; i < in->count; i++) {
        uint32_t label;
        if (!rf_read_u32(&labels, &label))
            return code_fail_kind(st, RF_ERR_MALFORMED, in->offset, "malformed br_table", NULL);
        const rf_ctl_frame *t;
        if (!get_label(st, label, &t))
            return false;
        const uint8_t *types;
        uint32_t n;
        label_types(t, &types, &n);
        if (n != arity)
            return code_fail(st, "type mismatch",
                             "br_table target %u takes %u value%s but the default target %u "
                             "takes %u", label, n, n == 1 ? "" : "s", in->default_label, arity);
        uint32_t k;
        if (!check_top(st, types, n, ROLE_BRANCH, &k))
            return false;
    }
    if (!pop_list(st, dtypes, arity, ROLE_BRANCH))
        return false;
    set_unreachable(st);
    return true;
}

static bool check_call(code_state *st, uint32_t typeidx)
{
    const rf_functype *ft = &st->m->types[typeidx];
    return pop_list(st, ft->types, ft->nparams, ROLE_ARGS) &&
           push_list(st, ft->types + ft->nparams, ft->nresults);
}

static bool check_select(code_state *st)
{
    const rf_instr *in = st->in;
    if (in->op == RF_OP_SELECT_T) {
        if (in->count != 1)
            return code_fail(st, "invalid result arity",
                             "typed select must name exactly one type, found %u", in->count);
        uint8_t t = in->reftype;
        return pop_type(st, RF_T_I32) && pop_type(st, t) && pop_type(st, t) && push(st, t);
    }
    uint8_t t1, t2;
    if (!pop_type(st, RF_T_I32) || !pop_any(st, &t1) || !pop_any(st, &t2))
        return false;
    bool ref1 = t1 == RF_T_FUNCREF || t1 == RF_T_EXTERNREF;
    bool ref2 = t2 == RF_T_FUNCREF || t2 == RF_T_EXTERNREF;
    if (ref1 || ref2)
        return code_fail(st, "type mismatch",
                         "select without a type needs numeric operands, found %s and %s "
                         "(use select with a result type)",
                         rf_validate_type_name(t2), rf_validate_type_name(t1));
    if (!types_match(t1, t2))
        return code_fail(st, "type mismatch", "select operands differ: %s and %s",
                         rf_validate_type_name(t2), rf_validate_type_name(t1));
    return push(st, t1 == RF_T_UNKNOWN ? t2 : t1);
}

static bool check_local(code_state *st)
{
    const rf_instr *in = st->in;
    if (in->a >= st->nlocals) {
        char core[48];
        snprintf(core, sizeof core, "unknown local %u", in->a);
        char have[48];
        rf_validate_count(have, sizeof have, st->nlocals, "local", "locals");
        return code_fail(st, core, "the function has %s (parameters included)", have);
    }
    uint8_t t = st->s->locals[in->a];
    switch (in->op) {
    case RF_OP_LOCAL_GET: return push(st, t);
    case RF_OP_LOCAL_SET: return pop_type(st, t);
    default: return pop_type(st, t) && push(st, t); /* local.tee */
    }
}

static bool check_global(code_state *st)
{
    const rf_instr *in = st->in;
    const rf_module *m = st->m;
    if (in->a >= m->num_globals)
        return fail_unknown(st, "global", in->a, m->num_globals, "global", "globals");
    const rf_globaltype *g = &m->global_types[in->a];
    if (in->op == RF_OP_GLOBAL_GET)
        return push(st, g->valtype);
    if (!g->mutable_)
        return code_fail(st, "global is immutable", "global.set %u", in->a);
    return pop_type(st, g->valtype);
}

/* Table instructions whose operand types depend on the table's element type. */
static bool check_table_op(code_state *st)
{
    const rf_instr *in = st->in;
    if (!need_table(st, in->a))
        return false;
    uint8_t t = st->m->tables[in->a].elemtype;
    switch (in->op) {
    case RF_OP_TABLE_GET: return pop_type(st, RF_T_I32) && push(st, t);
    case RF_OP_TABLE_SET: return pop_type(st, t) && pop_type(st, RF_T_I32);
    case RF_OP_TABLE_GROW: return pop_type(st, RF_T_I32) && pop_type(st, t) && push(st, RF_T_I32);
    default: /* table.fill */
        return pop_type(st, RF_T_I32) && pop_type(st, t) && pop_type(st, RF_T_I32);
    }
}

static bool check_block_start(code_state *st)
{
    const rf_instr *in = st->in;
    const uint8_t *params, *results;
    uint32_t nparams, nresults;
    if (!block_signature(st, &in->bt, &params, &nparams, &results, &nresults))
        return false;
    if (in->op == RF_OP_IF && !pop_type(st, RF_T_I32))
        return false;
    if (!pop_list(st, params, nparams, ROLE_OPERANDS))
        return false;
    uint8_t kind = in->op == RF_OP_BLOCK ? RF_FRAME_BLOCK
                 : in->op == RF_OP_LOOP  ? RF_FRAME_LOOP
                                         : RF_FRAME_IF;
    return push_frame(st, kind, params, nparams, results, nresults);
}

static bool check_else(code_state *st)
{
    rf_ctl_frame *f = top_frame(st);
    if (f->kind != RF_FRAME_IF)
        return code_fail_kind(st, RF_ERR_MALFORMED, st->in->offset, "else without if", NULL);
    if (!check_frame_end(st, "end of then branch"))
        return false;
    st->height = f->height;
    f->kind = RF_FRAME_ELSE;
    f->unreachable = false;
    return push_list(st, f->params, f->nparams);
}

static bool check_end(code_state *st)
{
    rf_ctl_frame *f = top_frame(st);
    char where[32];
    snprintf(where, sizeof where, "end of %s", frame_name(f->kind));
    if (!check_frame_end(st, where))
        return false;
    /* An if without else behaves as if its else passed the parameters through. */
    if (f->kind == RF_FRAME_IF &&
        (f->nparams != f->nresults ||
         (f->nparams > 0 && memcmp(f->params, f->results, f->nparams) != 0))) {
        char p[96], r[96];
        rf_validate_type_list(p, sizeof p, f->params, f->nparams);
        rf_validate_type_list(r, sizeof r, f->results, f->nresults);
        return code_fail(st, "type mismatch",
                         "if without else must produce %s from its parameters %s", r, p);
    }
    st->height = f->height;
    st->depth--;
    if (st->depth == 0) /* the function's own end: its results are returned */
        return true;
    return push_list(st, f->results, f->nresults);
}

/* Type one instruction. `r` is the reader positioned after it. */
static bool check_instr(code_state *st, const rf_reader *r)
{
    const rf_instr *in = st->in;
    const rf_module *m = st->m;
    const rf_opinfo *info = rf_opcode_info(in->op);
    if (!info)
        return code_fail_kind(st, RF_ERR_MALFORMED, in->offset, "illegal opcode", "0x%x", in->op);

    if (info->sig)
        return check_fixed_immediates(st, info) && apply_sig(st, info->sig);

    const rf_ctl_frame *f;
    const uint8_t *types;
    uint32_t n;
    switch (in->op) {
    case RF_OP_UNREACHABLE:
        set_unreachable(st);
        return true;
    case RF_OP_BLOCK:
    case RF_OP_LOOP:
    case RF_OP_IF:
        return check_block_start(st);
    case RF_OP_ELSE:
        return check_else(st);
    case RF_OP_END:
        return check_end(st);
    case RF_OP_BR:
        if (!get_label(st, in->a, &f))
            return false;
        label_types(f, &types, &n);
        if (!pop_list(st, types, n, ROLE_BRANCH))
            return false;
        set_unreachable(st);
        return true;
    case RF_OP_BR_IF:
        if (!pop_type(st, RF_T_I32) || !get_label(st, in->a, &f))
            return false;
        label_types(f, &types, &n);
        return pop_list(st, types, n, ROLE_BRANCH) && push_list(st, types, n);
    case RF_OP_BR_TABLE:
        return check_branch_table(st, r);
    case RF_OP_RETURN:
        f = &st->s->ctls[0];
        if (!pop_list(st, f->results, f->nresults, ROLE_RETURN))
            return false;
        set_unreachable(st);
        return true;
    case RF_OP_CALL:
        if (!need_func(st, in->a))
            return false;
        return check_call(st, m->func_types[in->a]);
    case RF_OP_CALL_INDIRECT:
        if (!need_table(st, in->b))
            return false;
        if (m->tables[in->b].elemtype != RF_T_FUNCREF)
            return code_fail(st, "type mismatch", "call_indirect through table %u of %s",
                             in->b, rf_validate_type_name(m->tables[in->b].elemtype));
        if (in->a >= m->num_types)
            return fail_unknown(st, "type", in->a, m->num_types, "type", "types");
        return pop_type(st, RF_T_I32) && check_call(st, in->a);
    case RF_OP_DROP: {
        uint8_t t;
        return pop_any(st, &t);
    }
    case RF_OP_SELECT:
    case RF_OP_SELECT_T:
        return check_select(st);
    case RF_OP_LOCAL_GET:
    case RF_OP_LOCAL_SET:
    case RF_OP_LOCAL_TEE:
        return check_local(st);
    case RF_OP_GLOBAL_GET:
    case RF_OP_GLOBAL_SET:
        return check_global(st);
    case RF_OP_TABLE_GET:
    case RF_OP_TABLE_SET:
    case RF_OP_TABLE_GROW:
    case RF_OP_TABLE_FILL:
        return check_table_op(st);
    case RF_OP_REF_NULL:
        return push(st, in->reftype);
    case RF_OP_REF_IS_NULL: {
        uint8_t t;
        if (!pop_any(st, &t))
            return false;
        if (t != RF_T_UNKNOWN && t != RF_T_FUNCREF && t != RF_T_EXTERNREF)
            return code_fail(st, "type mismatch", "expected a reference, found %s (operand of "
                             "ref.is_null)", rf_validate_type_name(t));
        return push(st, RF_T_I32);
    }
    case RF_OP_REF_FUNC:
        if (!need_func(st, in->a))
            return false;
        if (!(st->declared[in->a >> 3] & (1u << (in->a & 7))))
            return code_fail(st, "undeclared function reference",
                             "ref.func %u needs the function in an element segment, a global "
                             "initialiser or an export", in->a);
        return push(st, RF_T_FUNCREF);
    default:
        return code_fail_kind(st, RF_ERR_MALFORMED, in->offset, "illegal opcode", "0x%x", in->op);
    }
}

/* Fill the flat type array of params + locals; the decoder promises at most
 * 50000 declared locals, which is checked rather than trusted. */
static bool setup_locals(code_state *st, const rf_functype *ft, const rf_func_def *def)
{
    uint64_t total = ft->nparams;
    for (uint32_t i = 0; i < def->num_local_runs; i++)
        total += def->local_runs[i].count;
    if (total - ft->nparams != def->num_locals || def->num_locals > 50000)
        return code_fail_kind(st, RF_ERR_MALFORMED, def->body.offset, "too many locals",
                              "%llu declared", (unsigned long long)(total - ft->nparams));
    rf_code_scratch *s = st->s;
    if (total > s->locals_cap) {
        uint64_t cap = s->locals_cap ? (uint64_t)s->locals_cap * 2 : 64;
        if (cap < total)
            cap = total;
        uint8_t *p = realloc(s->locals, (size_t)cap);
        if (!p)
            return code_fail_kind(st, RF_ERR_NOMEM, def->body.offset, "out of memory",
                                  "%llu locals", (unsigned long long)total);
        s->locals = p;
        s->locals_cap = (uint32_t)cap;
    }
    if (ft->nparams)
        memcpy(s->locals, ft->types, ft->nparams);
    uint32_t k = ft->nparams;
    for (uint32_t i = 0; i < def->num_local_runs; i++) {
        if (def->local_runs[i].count == 0)
            continue;
        memset(s->locals + k, def->local_runs[i].type, def->local_runs[i].count);
        k += def->local_runs[i].count;
    }
    st->nlocals = k;
    return true;
}

bool rf_validate_code(rf_module *m, uint32_t def_index, const uint8_t *declared,
                      rf_code_scratch *s, rf_error *err)
{
    rf_func_def *def = &m->func_defs[def_index];
    rf_instr in;
    memset(&in, 0, sizeof in);
    code_state st;
    memset(&st, 0, sizeof st);
    st.m = m;
    st.err = err;
    st.s = s;
    st.declared = declared;
    st.func_index = m->num_func_imports + def_index;
    st.in = &in;
    in.offset = def->code_offset;

    size_t end = (size_t)def->body.offset + def->body.length;
    if (end > m->size || def->code_offset < def->body.offset || def->code_offset > end)
        return code_fail_kind(&st, RF_ERR_MALFORMED, def->body.offset, "function body outside "
                              "the module", NULL);
    const rf_functype *ft = &m->types[m->func_types[st.func_index]];
    if (!setup_locals(&st, ft, def))
        return false;
    if (!push_frame(&st, RF_FRAME_FUNC, NULL, 0, ft->types + ft->nparams, ft->nresults))
        return false;

    rf_reader r = rf_reader_make(m->bytes, def->code_offset, end);
    uint32_t count = 0;
    while (st.depth > 0) {
        if (!rf_read_instr(&r, &in)) {
            const char *why = r.err ? r.err : "bad instruction";
            bool simd = strstr(why, "SIMD") != NULL;
            return code_fail_kind(&st, simd ? RF_ERR_UNSUPPORTED : RF_ERR_MALFORMED, r.err_pos,
                                  why, NULL);
        }
        count++;
        if (!check_instr(&st, &r))
            return false;
    }
    if (r.pos != end)
        return code_fail_kind(&st, RF_ERR_MALFORMED, r.pos, "section size mismatch",
                              "%zu bytes after the function's end", end - r.pos);
    def->info.max_stack = st.max_height;
    def->info.max_depth = st.max_depth;
    def->info.num_instrs = count;
    return true;
}
