/*
 * compile_dump.c — reading translated code back: the wasm byte offset of an
 * instruction (for trap messages), a readable listing (debugging), and
 * per-opcode counts (tests of folding and fusion). None of this is on a hot
 * path; walking the code maps each handler address back to its opcode.
 */
#include "compile_internal.h"
#include "reflow/engine.h"

#include <stdio.h>

uint64_t rf_code_offset(const rf_code *code, uint32_t pos)
{
    if (!code || code->noffsets == 0)
        return RF_NO_OFFSET;
    /* The last entry at or before pos (entries are sorted by cell). */
    uint32_t lo = 0, hi = code->noffsets;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (code->offsets[2 * mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return RF_NO_OFFSET;
    return code->offsets[2 * (lo - 1) + 1];
}

/* Opcode of the instruction at cells[pos], or -1. */
static int op_at(const rf_code *code, const void *const *handlers, uint32_t pos)
{
    const void *h = code->cells[pos].h;
    for (int op = 0; op < RF_IOP_COUNT; op++)
        if (handlers[op] == h)
            return op;
    return -1;
}

/* Length in cells of the instruction at pos. */
static uint32_t length_at(const rf_code *code, int op, uint32_t pos)
{
    if (op == RF_IOP_BR_TABLE)
        return 3 + code->cells[pos + 2].s.a + 1;
    return rf_iop_table[op].cells;
}

uint32_t rf_code_count_op(const rf_code *code, int iop)
{
    const void *const *handlers = rf_interp_handlers();
    uint32_t count = 0;
    for (uint32_t pos = 0; code && pos < code->ncells;) {
        int op = op_at(code, handlers, pos);
        if (op < 0)
            break;
        if (op == iop)
            count++;
        pos += length_at(code, op, pos);
    }
    return count;
}

void rf_code_dump(const rf_code *code, void *out)
{
    FILE *f = out;
    const void *const *handlers = rf_interp_handlers();
    fprintf(f, "func %u: %u params, %u locals, %u results, frame %u slots, %u cells\n",
            code->func_index, code->nparams, code->nlocals, code->nresults, code->frame_size,
            code->ncells);
    for (uint32_t pos = 0; pos < code->ncells;) {
        int op = op_at(code, handlers, pos);
        if (op < 0) {
            fprintf(f, "%5u  ??? (unknown handler)\n", pos);
            return;
        }
        const rf_iop_info *info = &rf_iop_table[op];
        fprintf(f, "%5u  %-16s", pos, info->name);
        /* Operand cells, following the layout string word by word. */
        const char *l = info->layout;
        uint32_t cell = pos + 1;
        while (*l) {
            if (*l == ' ') {
                l++;
                continue;
            }
            const rf_cell *c = &code->cells[cell++];
            if (l[1] == ',') {
                if (l[2] == 'o')
                    fprintf(f, " %c=%u %c=%+d", l[0], c->cbr.slot, l[2], c->cbr.off);
                else if (l[0] == 'o')
                    fprintf(f, " %c=%+d", l[0], c->br.off);
                else if (l[2] == '-')
                    fprintf(f, " %c=%u", l[0], c->s.a);
                else
                    fprintf(f, " %c=%u %c=%u", l[0], c->s.a, l[2], c->s.b);
                l += 3;
            } else {
                if (l[0] == 'p')
                    fprintf(f, " p=%p", c->p);
                else
                    fprintf(f, " %c=0x%llx", l[0], (unsigned long long)c->u64);
                l += 1;
            }
        }
        if (op == RF_IOP_BR_TABLE) {
            uint32_t k = code->cells[pos + 2].s.a;
            for (uint32_t j = 0; j <= k; j++)
                fprintf(f, " [%+d->%u]", code->cells[pos + 3 + j].br.off,
                        code->cells[pos + 3 + j].br.slot);
        }
        uint64_t off = rf_code_offset(code, pos);
        if (off != RF_NO_OFFSET && (info->flags & RF_IOF_TRAP))
            fprintf(f, "   @0x%llx", (unsigned long long)off);
        fputc('\n', f);
        pos += length_at(code, op, pos);
    }
}
