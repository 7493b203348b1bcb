/*
 * validate_const.c — constant expressions: global initialisers, element and
 * data segment offsets, element items.
 *
 * WebAssembly 2.0 allows only t.const, ref.null, ref.func and global.get of
 * an immutable global, evaluated in the context C' whose globals are just the
 * imported ones. A valid expression leaves exactly one value of the expected
 * type, so it is one such instruction followed by `end`; that instruction is
 * stored decoded in the rf_const_expr (op/type/value) for instantiation.
 *
 * As in the reference interpreter, every instruction is first checked to be
 * constant ("constant expression required"), then the result is typed
 * ("type mismatch").
 */
#include "validate.h"
#include "error.h"
#include "opcodes.h"
#include "reader.h"

#include <string.h>

/* A few of the produced types are kept for the message; the rest are counted. */
#define CONST_SHOWN 4

static bool const_malformed(rf_error *err, const char *where, size_t at, const char *reason)
{
    return rf_error_set(err, RF_ERR_MALFORMED, at, RF_NO_FUNC,
                        "malformed: %s (%s, offset 0x%zx)", reason, where, at);
}

bool rf_validate_const_expr(const rf_module *m, rf_const_expr *e, uint8_t expected,
                            const char *where, rf_error *err)
{
    size_t start = e->bytes.offset;
    size_t end = start + (size_t)e->bytes.length;
    if (end > m->size || end < start)
        return const_malformed(err, where, start, "constant expression outside the module");

    rf_reader r = rf_reader_make(m->bytes, start, end);
    uint8_t shown[CONST_SHOWN];
    uint32_t produced = 0;
    rf_instr in;
    for (;;) {
        if (!rf_read_instr(&r, &in))
            return const_malformed(err, where, r.err_pos, r.err ? r.err : "bad instruction");
        if (in.op == RF_OP_END)
            break;
        uint8_t type;
        uint64_t value = in.value;
        switch (in.op) {
        case RF_OP_I32_CONST: type = RF_T_I32; break;
        case RF_OP_I64_CONST: type = RF_T_I64; break;
        case RF_OP_F32_CONST: type = RF_T_F32; break;
        case RF_OP_F64_CONST: type = RF_T_F64; break;
        case RF_OP_REF_NULL:
            type = in.reftype;
            value = 0;
            break;
        case RF_OP_REF_FUNC:
            if (in.a >= m->num_funcs) {
                char have[48];
                rf_validate_count(have, sizeof have, m->num_funcs, "function", "functions");
                return rf_error_set(err, RF_ERR_INVALID, in.offset, RF_NO_FUNC,
                                    "invalid: unknown function %u (%s, offset 0x%zx): "
                                    "the module has %s", in.a, where, in.offset, have);
            }
            type = RF_T_FUNCREF;
            value = in.a;
            break;
        case RF_OP_GLOBAL_GET:
            /* C' holds only the imported globals. */
            if (in.a >= m->num_global_imports)
                return rf_error_set(err, RF_ERR_INVALID, in.offset, RF_NO_FUNC,
                                    "invalid: unknown global %u (%s, offset 0x%zx): constant "
                                    "expressions may only read imported globals (%u here)",
                                    in.a, where, in.offset, m->num_global_imports);
            if (m->global_types[in.a].mutable_)
                return rf_error_set(err, RF_ERR_INVALID, in.offset, RF_NO_FUNC,
                                    "invalid: constant expression required (%s, offset 0x%zx): "
                                    "global.get %u reads a mutable global",
                                    where, in.offset, in.a);
            type = m->global_types[in.a].valtype;
            value = in.a;
            break;
        default: {
            const rf_opinfo *info = rf_opcode_info(in.op);
            return rf_error_set(err, RF_ERR_INVALID, in.offset, RF_NO_FUNC,
                                "invalid: constant expression required (%s, offset 0x%zx): "
                                "%s is not a constant instruction",
                                where, in.offset, info ? info->name : "instruction");
        }
        }
        if (produced == 0) {
            e->op = (uint16_t)in.op;
            e->type = type;
            e->value = value;
        }
        if (produced < CONST_SHOWN)
            shown[produced] = type;
        produced++;
    }
    if (r.pos != end)
        return const_malformed(err, where, r.pos, "bytes after the end of a constant expression");

    if (produced != 1 || e->type != expected) {
        char found[64];
        if (produced == 0)
            strcpy(found, "nothing");
        else
            rf_validate_type_list(found, sizeof found, shown,
                                  produced < CONST_SHOWN ? produced : CONST_SHOWN);
        return rf_error_set(err, RF_ERR_INVALID, start, RF_NO_FUNC,
                            "invalid: type mismatch (%s, offset 0x%zx): expected %s, found %s%s",
                            where, start, rf_validate_type_name(expected), found,
                            produced > CONST_SHOWN ? " (and more)" : "");
    }
    return true;
}
