/*
 * opcodes.c — lookup of the static opcode facts declared in opcodes.h.
 * Two dense tables (single-byte opcodes and the 0xFC group) built at compile
 * time from the X-macro, so a lookup is one index and no global state is
 * ever written.
 */
#include "opcodes.h"

#include <stddef.h>

static const rf_opinfo single_byte[256] = {
#define RF_OPINFO_SINGLE(ident, code, name, imm, sig, memlog2) \
    [code] = { name, imm, sig, memlog2 },
    RF_OPCODES_SINGLE(RF_OPINFO_SINGLE)
#undef RF_OPINFO_SINGLE
};

static const rf_opinfo misc_group[32] = {
#define RF_OPINFO_MISC(ident, code, name, imm, sig, memlog2) \
    [(code) - 0xFC00] = { name, imm, sig, memlog2 },
    RF_OPCODES_MISC(RF_OPINFO_MISC)
#undef RF_OPINFO_MISC
};

const rf_opinfo *rf_opcode_info(unsigned op)
{
    const rf_opinfo *info = NULL;
    if (op < 0x100)
        info = &single_byte[op];
    else if (op >= 0xFC00 && op < 0xFC00 + 32)
        info = &misc_group[op - 0xFC00];
    return (info && info->name) ? info : NULL;
}
