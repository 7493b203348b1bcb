/*
 * decode_code.c — the code section and the syntactic check of instruction
 * sequences (function bodies and constant expressions).
 *
 * Why check syntax here: every binary-format error, including those inside
 * function bodies, must be reported as RF_ERR_MALFORMED before validation
 * starts. So every instruction is read once with rf_read_instr and the block
 * structure is tracked; nothing is stored, the validator and translator read
 * the bodies again from their spans.
 *
 * Rules checked per instruction sequence: block/loop/if open a frame, `else`
 * appears only directly inside an `if` and at most once, `end` closes the
 * innermost frame, and the sequence stops right after the `end` closing its
 * outermost frame. A function body must end exactly there. Per instruction:
 * memory.init and data.drop need a data count section, and a memarg
 * alignment exponent must be below 32 ("malformed memop flags").
 */
#include "decode_internal.h"
#include "opcodes.h"

#include <stdlib.h>

#define RF_MAX_LOCALS 50000u

/* Kinds of open frames on the decoder's scratch stack. */
enum { FRAME_BLOCK, FRAME_IF, FRAME_ELSE };

static bool push_frame(rf_decoder *d, size_t depth, uint8_t kind)
{
    if (depth == d->frames_cap) {
        size_t cap = d->frames_cap ? d->frames_cap * 2 : 64;
        uint8_t *p = realloc(d->frames, cap);
        if (!p)
            return rf_error_set(d->err, RF_ERR_NOMEM, RF_NO_OFFSET, d->func,
                                "out of memory while decoding (%s)", d->where);
        d->frames = p;
        d->frames_cap = cap;
    }
    d->frames[depth] = kind;
    return true;
}

bool rf_dec_expr(rf_decoder *d, rf_reader *r, uint32_t *num_instrs, uint32_t *max_depth)
{
    size_t depth = 0;
    if (!push_frame(d, depth++, FRAME_BLOCK))
        return false;
    size_t deepest = 1;
    uint32_t count = 0;
    rf_instr in;
    while (depth > 0) {
        if (rf_reader_at_end(r))
            return rf_dec_fail(d, r->pos,
                               "END opcode expected (unexpected end of section or function, "
                               "%zu blocks open)", depth);
        if (!rf_read_instr(r, &in))
            return rf_dec_reader_fail(d, r);
        count++;   /* every instruction takes a byte, so this cannot wrap */
        switch (in.op) {
        case RF_OP_BLOCK:
        case RF_OP_LOOP:
        case RF_OP_IF:
            if (!push_frame(d, depth++, in.op == RF_OP_IF ? FRAME_IF : FRAME_BLOCK))
                return false;
            if (depth > deepest)
                deepest = depth;
            break;
        case RF_OP_ELSE:
            if (d->frames[depth - 1] != FRAME_IF)
                return rf_dec_fail(d, in.offset, "END opcode expected (%s)",
                                   d->frames[depth - 1] == FRAME_ELSE ? "second else in one if"
                                                                      : "else outside an if");
            d->frames[depth - 1] = FRAME_ELSE;
            break;
        case RF_OP_END:
            depth--;
            break;
        case RF_OP_MEMORY_INIT:
        case RF_OP_DATA_DROP:
            /* Without a data count section these are malformed. It is
             * reported at the end of the module, and only if the module has
             * a data section: with no segments at all the index is simply
             * unknown, which the validator reports ("unknown data segment",
             * as the spec tests expect for such modules). */
            if (!d->m->has_data_count && !d->data_use_without_count) {
                d->data_use_without_count = true;
                d->data_use_op = in.op == RF_OP_MEMORY_INIT ? "memory.init" : "data.drop";
                d->data_use_func = d->func;
                d->data_use_offset = in.offset;
            }
            break;
        default:
            if (rf_opcode_info(in.op)->imm == RF_IMM_MEMARG && in.a >= 32)
                return rf_dec_fail(d, in.offset,
                                   "malformed memop flags (alignment exponent %u)", in.a);
            break;
        }
    }
    if (num_instrs)
        *num_instrs = count;
    if (max_depth)
        *max_depth = (uint32_t)deepest;
    return true;
}

bool rf_dec_const_expr(rf_decoder *d, rf_reader *r, rf_const_expr *e)
{
    size_t start = r->pos;
    if (!rf_dec_expr(d, r, NULL, NULL))
        return false;
    e->bytes.offset = (uint32_t)start;
    e->bytes.length = (uint32_t)(r->pos - start);
    e->op = 0;
    e->type = 0;
    e->value = 0;
    return true;
}

/* Local declarations: runs of (count, type), at most RF_MAX_LOCALS in all. */
static bool dec_locals(rf_decoder *d, rf_reader *r, rf_func_def *def)
{
    uint32_t nruns;
    if (!rf_dec_count(d, r, &nruns, 2))
        return false;
    if (!(def->local_runs = rf_dec_calloc(d, nruns, sizeof *def->local_runs)))
        return false;
    def->num_local_runs = nruns;
    uint64_t total = 0;   /* the sum of u32 counts can exceed 32 bits */
    for (uint32_t i = 0; i < nruns; i++) {
        rf_local_run *run = &def->local_runs[i];
        size_t at = r->pos;
        if (!rf_read_u32(r, &run->count))
            return rf_dec_reader_fail(d, r);
        total += run->count;
        if (total > RF_MAX_LOCALS)
            return rf_dec_fail(d, at, "too many locals (%llu or more, at most %u)",
                               (unsigned long long)total, RF_MAX_LOCALS);
        if (!rf_dec_valtype(d, r, &run->type))
            return false;
    }
    def->num_locals = (uint32_t)total;
    return true;
}

static bool dec_body(rf_decoder *d, rf_reader *r, rf_func_def *def)
{
    size_t size_at = r->pos;
    uint32_t size;
    if (!rf_read_u32(r, &size))
        return rf_dec_reader_fail(d, r);
    if (size > rf_reader_left(r))
        return rf_dec_fail(d, size_at, "length out of bounds (body of %u bytes, only %zu left)",
                           size, rf_reader_left(r));
    size_t end = r->pos + size;
    rf_reader br = rf_reader_make(r->base, r->pos, end);
    def->body.offset = (uint32_t)br.pos;
    def->body.length = size;
    if (!dec_locals(d, &br, def))
        return false;
    def->code_offset = (uint32_t)br.pos;
    if (!rf_dec_expr(d, &br, &def->info.num_instrs, &def->info.max_depth))
        return false;
    if (br.pos != end)
        return rf_dec_fail(d, br.pos, "section size mismatch (%zu bytes after the function's "
                                      "final end)", end - br.pos);
    r->pos = end;
    return true;
}

bool rf_dec_code_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    if (!rf_read_u32(r, &n))
        return rf_dec_reader_fail(d, r);
    if (n != m->num_func_defs) {
        /* Reported once the module has been read (see dec_finish); the
         * bodies cannot be matched with functions, so skip them. */
        d->code_count_mismatch = true;
        d->code_count = n;
        d->code_count_offset = at;
        r->pos = r->end;
        return true;
    }
    if ((uint64_t)n * 2 > rf_reader_left(r))
        return rf_dec_fail(d, at, "unexpected end of section or function (%u bodies declared, "
                                  "only %zu bytes left)", n, rf_reader_left(r));
    for (uint32_t i = 0; i < n; i++) {
        d->func = m->num_func_imports + i;
        if (!dec_body(d, r, &m->func_defs[i]))
            return false;
    }
    d->func = RF_NO_FUNC;
    return true;
}
