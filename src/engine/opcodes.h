/*
 * opcodes.h — the WebAssembly 2.0 instruction set as one table.
 *
 * Why a table: the decoder, the validator, the translator and the disassembler
 * all need the same facts about every opcode (its encoding, its text name, the
 * immediates that follow it, and for "simple" instructions the operand and
 * result types). Keeping them in one X-macro means a new opcode is added in
 * exactly one place.
 *
 * Encoding of the opcode numbers used throughout the engine (rf_opcode):
 *   single-byte opcodes  0x00..0xFF  -> the byte itself
 *   0xFC-prefixed        0xFC nn     -> 0xFC00 | nn   (nn is a u32 LEB, < 256 here)
 *   0xFD-prefixed (SIMD) 0xFD nn     -> 0xFD00 | nn   (not supported yet)
 *
 * Columns of RF_OPCODES(X) (= RF_OPCODES_SINGLE then RF_OPCODES_MISC):
 *   X(ident, code, "text name", immediate kind, signature, memory size log2)
 * signature: for instructions whose typing is a fixed [params] -> [results],
 *   a string "params:results" with one letter per value type:
 *     i = i32, I = i64, f = f32, F = f64
 *   e.g. "ii:i" for i32.add. NULL means the validator types the instruction
 *   by hand (control flow, locals, polymorphic or index-dependent typing).
 * memory size log2: for loads/stores, log2 of the access width in bytes
 *   (the natural alignment); -1 otherwise.
 */
#ifndef RF_OPCODES_H
#define RF_OPCODES_H

/* Kinds of immediates that follow an opcode in the binary format. */
typedef enum rf_imm_kind {
    RF_IMM_NONE,        /* nothing */
    RF_IMM_BLOCKTYPE,   /* blocktype: 0x40 | valtype | s33 type index */
    RF_IMM_LABEL,       /* u32 label depth */
    RF_IMM_BR_TABLE,    /* vec(u32 label) u32 default */
    RF_IMM_FUNC,        /* u32 function index */
    RF_IMM_CALL_INDIRECT,/* u32 type index, u32 table index */
    RF_IMM_LOCAL,       /* u32 local index */
    RF_IMM_GLOBAL,      /* u32 global index */
    RF_IMM_TABLE,       /* u32 table index */
    RF_IMM_MEMARG,      /* u32 align (log2), u32 offset */
    RF_IMM_MEMORY,      /* one zero byte (memory index 0) */
    RF_IMM_I32,         /* s32 LEB */
    RF_IMM_I64,         /* s64 LEB */
    RF_IMM_F32,         /* 4 bytes little endian */
    RF_IMM_F64,         /* 8 bytes little endian */
    RF_IMM_SELECT_T,    /* vec(valtype) */
    RF_IMM_REFTYPE,     /* one reftype byte */
    RF_IMM_ELEM_TABLE,  /* u32 elem index, u32 table index (table.init) */
    RF_IMM_TABLE_TABLE, /* u32 dst table, u32 src table (table.copy) */
    RF_IMM_DATA_MEMORY, /* u32 data index, one zero byte (memory.init) */
    RF_IMM_MEMORY_MEMORY,/* two zero bytes (memory.copy) */
    RF_IMM_DATA,        /* u32 data index (data.drop) */
    RF_IMM_ELEM         /* u32 elem index (elem.drop) */
} rf_imm_kind;

#define RF_OPCODES_SINGLE(X) \
    /* control */ \
    X(UNREACHABLE,   0x00, "unreachable",   RF_IMM_NONE,        NULL,   -1) \
    X(NOP,           0x01, "nop",           RF_IMM_NONE,        ":",    -1) \
    X(BLOCK,         0x02, "block",         RF_IMM_BLOCKTYPE,   NULL,   -1) \
    X(LOOP,          0x03, "loop",          RF_IMM_BLOCKTYPE,   NULL,   -1) \
    X(IF,            0x04, "if",            RF_IMM_BLOCKTYPE,   NULL,   -1) \
    X(ELSE,          0x05, "else",          RF_IMM_NONE,        NULL,   -1) \
    X(END,           0x0B, "end",           RF_IMM_NONE,        NULL,   -1) \
    X(BR,            0x0C, "br",            RF_IMM_LABEL,       NULL,   -1) \
    X(BR_IF,         0x0D, "br_if",         RF_IMM_LABEL,       NULL,   -1) \
    X(BR_TABLE,      0x0E, "br_table",      RF_IMM_BR_TABLE,    NULL,   -1) \
    X(RETURN,        0x0F, "return",        RF_IMM_NONE,        NULL,   -1) \
    X(CALL,          0x10, "call",          RF_IMM_FUNC,        NULL,   -1) \
    X(CALL_INDIRECT, 0x11, "call_indirect", RF_IMM_CALL_INDIRECT, NULL, -1) \
    /* parametric */ \
    X(DROP,          0x1A, "drop",          RF_IMM_NONE,        NULL,   -1) \
    X(SELECT,        0x1B, "select",        RF_IMM_NONE,        NULL,   -1) \
    X(SELECT_T,      0x1C, "select",        RF_IMM_SELECT_T,    NULL,   -1) \
    /* variables */ \
    X(LOCAL_GET,     0x20, "local.get",     RF_IMM_LOCAL,       NULL,   -1) \
    X(LOCAL_SET,     0x21, "local.set",     RF_IMM_LOCAL,       NULL,   -1) \
    X(LOCAL_TEE,     0x22, "local.tee",     RF_IMM_LOCAL,       NULL,   -1) \
    X(GLOBAL_GET,    0x23, "global.get",    RF_IMM_GLOBAL,      NULL,   -1) \
    X(GLOBAL_SET,    0x24, "global.set",    RF_IMM_GLOBAL,      NULL,   -1) \
    X(TABLE_GET,     0x25, "table.get",     RF_IMM_TABLE,       NULL,   -1) \
    X(TABLE_SET,     0x26, "table.set",     RF_IMM_TABLE,       NULL,   -1) \
    /* memory */ \
    X(I32_LOAD,      0x28, "i32.load",      RF_IMM_MEMARG,      "i:i",   2) \
    X(I64_LOAD,      0x29, "i64.load",      RF_IMM_MEMARG,      "i:I",   3) \
    X(F32_LOAD,      0x2A, "f32.load",      RF_IMM_MEMARG,      "i:f",   2) \
    X(F64_LOAD,      0x2B, "f64.load",      RF_IMM_MEMARG,      "i:F",   3) \
    X(I32_LOAD8_S,   0x2C, "i32.load8_s",   RF_IMM_MEMARG,      "i:i",   0) \
    X(I32_LOAD8_U,   0x2D, "i32.load8_u",   RF_IMM_MEMARG,      "i:i",   0) \
    X(I32_LOAD16_S,  0x2E, "i32.load16_s",  RF_IMM_MEMARG,      "i:i",   1) \
    X(I32_LOAD16_U,  0x2F, "i32.load16_u",  RF_IMM_MEMARG,      "i:i",   1) \
    X(I64_LOAD8_S,   0x30, "i64.load8_s",   RF_IMM_MEMARG,      "i:I",   0) \
    X(I64_LOAD8_U,   0x31, "i64.load8_u",   RF_IMM_MEMARG,      "i:I",   0) \
    X(I64_LOAD16_S,  0x32, "i64.load16_s",  RF_IMM_MEMARG,      "i:I",   1) \
    X(I64_LOAD16_U,  0x33, "i64.load16_u",  RF_IMM_MEMARG,      "i:I",   1) \
    X(I64_LOAD32_S,  0x34, "i64.load32_s",  RF_IMM_MEMARG,      "i:I",   2) \
    X(I64_LOAD32_U,  0x35, "i64.load32_u",  RF_IMM_MEMARG,      "i:I",   2) \
    X(I32_STORE,     0x36, "i32.store",     RF_IMM_MEMARG,      "ii:",   2) \
    X(I64_STORE,     0x37, "i64.store",     RF_IMM_MEMARG,      "iI:",   3) \
    X(F32_STORE,     0x38, "f32.store",     RF_IMM_MEMARG,      "if:",   2) \
    X(F64_STORE,     0x39, "f64.store",     RF_IMM_MEMARG,      "iF:",   3) \
    X(I32_STORE8,    0x3A, "i32.store8",    RF_IMM_MEMARG,      "ii:",   0) \
    X(I32_STORE16,   0x3B, "i32.store16",   RF_IMM_MEMARG,      "ii:",   1) \
    X(I64_STORE8,    0x3C, "i64.store8",    RF_IMM_MEMARG,      "iI:",   0) \
    X(I64_STORE16,   0x3D, "i64.store16",   RF_IMM_MEMARG,      "iI:",   1) \
    X(I64_STORE32,   0x3E, "i64.store32",   RF_IMM_MEMARG,      "iI:",   2) \
    X(MEMORY_SIZE,   0x3F, "memory.size",   RF_IMM_MEMORY,      ":i",   -1) \
    X(MEMORY_GROW,   0x40, "memory.grow",   RF_IMM_MEMORY,      "i:i",  -1) \
    /* constants */ \
    X(I32_CONST,     0x41, "i32.const",     RF_IMM_I32,         ":i",   -1) \
    X(I64_CONST,     0x42, "i64.const",     RF_IMM_I64,         ":I",   -1) \
    X(F32_CONST,     0x43, "f32.const",     RF_IMM_F32,         ":f",   -1) \
    X(F64_CONST,     0x44, "f64.const",     RF_IMM_F64,         ":F",   -1) \
    /* i32 comparisons */ \
    X(I32_EQZ,       0x45, "i32.eqz",       RF_IMM_NONE,        "i:i",  -1) \
    X(I32_EQ,        0x46, "i32.eq",        RF_IMM_NONE,        "ii:i", -1) \
    X(I32_NE,        0x47, "i32.ne",        RF_IMM_NONE,        "ii:i", -1) \
    X(I32_LT_S,      0x48, "i32.lt_s",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_LT_U,      0x49, "i32.lt_u",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_GT_S,      0x4A, "i32.gt_s",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_GT_U,      0x4B, "i32.gt_u",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_LE_S,      0x4C, "i32.le_s",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_LE_U,      0x4D, "i32.le_u",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_GE_S,      0x4E, "i32.ge_s",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_GE_U,      0x4F, "i32.ge_u",      RF_IMM_NONE,        "ii:i", -1) \
    /* i64 comparisons */ \
    X(I64_EQZ,       0x50, "i64.eqz",       RF_IMM_NONE,        "I:i",  -1) \
    X(I64_EQ,        0x51, "i64.eq",        RF_IMM_NONE,        "II:i", -1) \
    X(I64_NE,        0x52, "i64.ne",        RF_IMM_NONE,        "II:i", -1) \
    X(I64_LT_S,      0x53, "i64.lt_s",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_LT_U,      0x54, "i64.lt_u",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_GT_S,      0x55, "i64.gt_s",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_GT_U,      0x56, "i64.gt_u",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_LE_S,      0x57, "i64.le_s",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_LE_U,      0x58, "i64.le_u",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_GE_S,      0x59, "i64.ge_s",      RF_IMM_NONE,        "II:i", -1) \
    X(I64_GE_U,      0x5A, "i64.ge_u",      RF_IMM_NONE,        "II:i", -1) \
    /* float comparisons */ \
    X(F32_EQ,        0x5B, "f32.eq",        RF_IMM_NONE,        "ff:i", -1) \
    X(F32_NE,        0x5C, "f32.ne",        RF_IMM_NONE,        "ff:i", -1) \
    X(F32_LT,        0x5D, "f32.lt",        RF_IMM_NONE,        "ff:i", -1) \
    X(F32_GT,        0x5E, "f32.gt",        RF_IMM_NONE,        "ff:i", -1) \
    X(F32_LE,        0x5F, "f32.le",        RF_IMM_NONE,        "ff:i", -1) \
    X(F32_GE,        0x60, "f32.ge",        RF_IMM_NONE,        "ff:i", -1) \
    X(F64_EQ,        0x61, "f64.eq",        RF_IMM_NONE,        "FF:i", -1) \
    X(F64_NE,        0x62, "f64.ne",        RF_IMM_NONE,        "FF:i", -1) \
    X(F64_LT,        0x63, "f64.lt",        RF_IMM_NONE,        "FF:i", -1) \
    X(F64_GT,        0x64, "f64.gt",        RF_IMM_NONE,        "FF:i", -1) \
    X(F64_LE,        0x65, "f64.le",        RF_IMM_NONE,        "FF:i", -1) \
    X(F64_GE,        0x66, "f64.ge",        RF_IMM_NONE,        "FF:i", -1) \
    /* i32 arithmetic */ \
    X(I32_CLZ,       0x67, "i32.clz",       RF_IMM_NONE,        "i:i",  -1) \
    X(I32_CTZ,       0x68, "i32.ctz",       RF_IMM_NONE,        "i:i",  -1) \
    X(I32_POPCNT,    0x69, "i32.popcnt",    RF_IMM_NONE,        "i:i",  -1) \
    X(I32_ADD,       0x6A, "i32.add",       RF_IMM_NONE,        "ii:i", -1) \
    X(I32_SUB,       0x6B, "i32.sub",       RF_IMM_NONE,        "ii:i", -1) \
    X(I32_MUL,       0x6C, "i32.mul",       RF_IMM_NONE,        "ii:i", -1) \
    X(I32_DIV_S,     0x6D, "i32.div_s",     RF_IMM_NONE,        "ii:i", -1) \
    X(I32_DIV_U,     0x6E, "i32.div_u",     RF_IMM_NONE,        "ii:i", -1) \
    X(I32_REM_S,     0x6F, "i32.rem_s",     RF_IMM_NONE,        "ii:i", -1) \
    X(I32_REM_U,     0x70, "i32.rem_u",     RF_IMM_NONE,        "ii:i", -1) \
    X(I32_AND,       0x71, "i32.and",       RF_IMM_NONE,        "ii:i", -1) \
    X(I32_OR,        0x72, "i32.or",        RF_IMM_NONE,        "ii:i", -1) \
    X(I32_XOR,       0x73, "i32.xor",       RF_IMM_NONE,        "ii:i", -1) \
    X(I32_SHL,       0x74, "i32.shl",       RF_IMM_NONE,        "ii:i", -1) \
    X(I32_SHR_S,     0x75, "i32.shr_s",     RF_IMM_NONE,        "ii:i", -1) \
    X(I32_SHR_U,     0x76, "i32.shr_u",     RF_IMM_NONE,        "ii:i", -1) \
    X(I32_ROTL,      0x77, "i32.rotl",      RF_IMM_NONE,        "ii:i", -1) \
    X(I32_ROTR,      0x78, "i32.rotr",      RF_IMM_NONE,        "ii:i", -1) \
    /* i64 arithmetic */ \
    X(I64_CLZ,       0x79, "i64.clz",       RF_IMM_NONE,        "I:I",  -1) \
    X(I64_CTZ,       0x7A, "i64.ctz",       RF_IMM_NONE,        "I:I",  -1) \
    X(I64_POPCNT,    0x7B, "i64.popcnt",    RF_IMM_NONE,        "I:I",  -1) \
    X(I64_ADD,       0x7C, "i64.add",       RF_IMM_NONE,        "II:I", -1) \
    X(I64_SUB,       0x7D, "i64.sub",       RF_IMM_NONE,        "II:I", -1) \
    X(I64_MUL,       0x7E, "i64.mul",       RF_IMM_NONE,        "II:I", -1) \
    X(I64_DIV_S,     0x7F, "i64.div_s",     RF_IMM_NONE,        "II:I", -1) \
    X(I64_DIV_U,     0x80, "i64.div_u",     RF_IMM_NONE,        "II:I", -1) \
    X(I64_REM_S,     0x81, "i64.rem_s",     RF_IMM_NONE,        "II:I", -1) \
    X(I64_REM_U,     0x82, "i64.rem_u",     RF_IMM_NONE,        "II:I", -1) \
    X(I64_AND,       0x83, "i64.and",       RF_IMM_NONE,        "II:I", -1) \
    X(I64_OR,        0x84, "i64.or",        RF_IMM_NONE,        "II:I", -1) \
    X(I64_XOR,       0x85, "i64.xor",       RF_IMM_NONE,        "II:I", -1) \
    X(I64_SHL,       0x86, "i64.shl",       RF_IMM_NONE,        "II:I", -1) \
    X(I64_SHR_S,     0x87, "i64.shr_s",     RF_IMM_NONE,        "II:I", -1) \
    X(I64_SHR_U,     0x88, "i64.shr_u",     RF_IMM_NONE,        "II:I", -1) \
    X(I64_ROTL,      0x89, "i64.rotl",      RF_IMM_NONE,        "II:I", -1) \
    X(I64_ROTR,      0x8A, "i64.rotr",      RF_IMM_NONE,        "II:I", -1) \
    /* f32 arithmetic */ \
    X(F32_ABS,       0x8B, "f32.abs",       RF_IMM_NONE,        "f:f",  -1) \
    X(F32_NEG,       0x8C, "f32.neg",       RF_IMM_NONE,        "f:f",  -1) \
    X(F32_CEIL,      0x8D, "f32.ceil",      RF_IMM_NONE,        "f:f",  -1) \
    X(F32_FLOOR,     0x8E, "f32.floor",     RF_IMM_NONE,        "f:f",  -1) \
    X(F32_TRUNC,     0x8F, "f32.trunc",     RF_IMM_NONE,        "f:f",  -1) \
    X(F32_NEAREST,   0x90, "f32.nearest",   RF_IMM_NONE,        "f:f",  -1) \
    X(F32_SQRT,      0x91, "f32.sqrt",      RF_IMM_NONE,        "f:f",  -1) \
    X(F32_ADD,       0x92, "f32.add",       RF_IMM_NONE,        "ff:f", -1) \
    X(F32_SUB,       0x93, "f32.sub",       RF_IMM_NONE,        "ff:f", -1) \
    X(F32_MUL,       0x94, "f32.mul",       RF_IMM_NONE,        "ff:f", -1) \
    X(F32_DIV,       0x95, "f32.div",       RF_IMM_NONE,        "ff:f", -1) \
    X(F32_MIN,       0x96, "f32.min",       RF_IMM_NONE,        "ff:f", -1) \
    X(F32_MAX,       0x97, "f32.max",       RF_IMM_NONE,        "ff:f", -1) \
    X(F32_COPYSIGN,  0x98, "f32.copysign",  RF_IMM_NONE,        "ff:f", -1) \
    /* f64 arithmetic */ \
    X(F64_ABS,       0x99, "f64.abs",       RF_IMM_NONE,        "F:F",  -1) \
    X(F64_NEG,       0x9A, "f64.neg",       RF_IMM_NONE,        "F:F",  -1) \
    X(F64_CEIL,      0x9B, "f64.ceil",      RF_IMM_NONE,        "F:F",  -1) \
    X(F64_FLOOR,     0x9C, "f64.floor",     RF_IMM_NONE,        "F:F",  -1) \
    X(F64_TRUNC,     0x9D, "f64.trunc",     RF_IMM_NONE,        "F:F",  -1) \
    X(F64_NEAREST,   0x9E, "f64.nearest",   RF_IMM_NONE,        "F:F",  -1) \
    X(F64_SQRT,      0x9F, "f64.sqrt",      RF_IMM_NONE,        "F:F",  -1) \
    X(F64_ADD,       0xA0, "f64.add",       RF_IMM_NONE,        "FF:F", -1) \
    X(F64_SUB,       0xA1, "f64.sub",       RF_IMM_NONE,        "FF:F", -1) \
    X(F64_MUL,       0xA2, "f64.mul",       RF_IMM_NONE,        "FF:F", -1) \
    X(F64_DIV,       0xA3, "f64.div",       RF_IMM_NONE,        "FF:F", -1) \
    X(F64_MIN,       0xA4, "f64.min",       RF_IMM_NONE,        "FF:F", -1) \
    X(F64_MAX,       0xA5, "f64.max",       RF_IMM_NONE,        "FF:F", -1) \
    X(F64_COPYSIGN,  0xA6, "f64.copysign",  RF_IMM_NONE,        "FF:F", -1) \
    /* conversions */ \
    X(I32_WRAP_I64,        0xA7, "i32.wrap_i64",        RF_IMM_NONE, "I:i", -1) \
    X(I32_TRUNC_F32_S,     0xA8, "i32.trunc_f32_s",     RF_IMM_NONE, "f:i", -1) \
    X(I32_TRUNC_F32_U,     0xA9, "i32.trunc_f32_u",     RF_IMM_NONE, "f:i", -1) \
    X(I32_TRUNC_F64_S,     0xAA, "i32.trunc_f64_s",     RF_IMM_NONE, "F:i", -1) \
    X(I32_TRUNC_F64_U,     0xAB, "i32.trunc_f64_u",     RF_IMM_NONE, "F:i", -1) \
    X(I64_EXTEND_I32_S,    0xAC, "i64.extend_i32_s",    RF_IMM_NONE, "i:I", -1) \
    X(I64_EXTEND_I32_U,    0xAD, "i64.extend_i32_u",    RF_IMM_NONE, "i:I", -1) \
    X(I64_TRUNC_F32_S,     0xAE, "i64.trunc_f32_s",     RF_IMM_NONE, "f:I", -1) \
    X(I64_TRUNC_F32_U,     0xAF, "i64.trunc_f32_u",     RF_IMM_NONE, "f:I", -1) \
    X(I64_TRUNC_F64_S,     0xB0, "i64.trunc_f64_s",     RF_IMM_NONE, "F:I", -1) \
    X(I64_TRUNC_F64_U,     0xB1, "i64.trunc_f64_u",     RF_IMM_NONE, "F:I", -1) \
    X(F32_CONVERT_I32_S,   0xB2, "f32.convert_i32_s",   RF_IMM_NONE, "i:f", -1) \
    X(F32_CONVERT_I32_U,   0xB3, "f32.convert_i32_u",   RF_IMM_NONE, "i:f", -1) \
    X(F32_CONVERT_I64_S,   0xB4, "f32.convert_i64_s",   RF_IMM_NONE, "I:f", -1) \
    X(F32_CONVERT_I64_U,   0xB5, "f32.convert_i64_u",   RF_IMM_NONE, "I:f", -1) \
    X(F32_DEMOTE_F64,      0xB6, "f32.demote_f64",      RF_IMM_NONE, "F:f", -1) \
    X(F64_CONVERT_I32_S,   0xB7, "f64.convert_i32_s",   RF_IMM_NONE, "i:F", -1) \
    X(F64_CONVERT_I32_U,   0xB8, "f64.convert_i32_u",   RF_IMM_NONE, "i:F", -1) \
    X(F64_CONVERT_I64_S,   0xB9, "f64.convert_i64_s",   RF_IMM_NONE, "I:F", -1) \
    X(F64_CONVERT_I64_U,   0xBA, "f64.convert_i64_u",   RF_IMM_NONE, "I:F", -1) \
    X(F64_PROMOTE_F32,     0xBB, "f64.promote_f32",     RF_IMM_NONE, "f:F", -1) \
    X(I32_REINTERPRET_F32, 0xBC, "i32.reinterpret_f32", RF_IMM_NONE, "f:i", -1) \
    X(I64_REINTERPRET_F64, 0xBD, "i64.reinterpret_f64", RF_IMM_NONE, "F:I", -1) \
    X(F32_REINTERPRET_I32, 0xBE, "f32.reinterpret_i32", RF_IMM_NONE, "i:f", -1) \
    X(F64_REINTERPRET_I64, 0xBF, "f64.reinterpret_i64", RF_IMM_NONE, "I:F", -1) \
    /* sign extension */ \
    X(I32_EXTEND8_S,       0xC0, "i32.extend8_s",       RF_IMM_NONE, "i:i", -1) \
    X(I32_EXTEND16_S,      0xC1, "i32.extend16_s",      RF_IMM_NONE, "i:i", -1) \
    X(I64_EXTEND8_S,       0xC2, "i64.extend8_s",       RF_IMM_NONE, "I:I", -1) \
    X(I64_EXTEND16_S,      0xC3, "i64.extend16_s",      RF_IMM_NONE, "I:I", -1) \
    X(I64_EXTEND32_S,      0xC4, "i64.extend32_s",      RF_IMM_NONE, "I:I", -1) \
    /* reference types */ \
    X(REF_NULL,      0xD0, "ref.null",      RF_IMM_REFTYPE,     NULL,   -1) \
    X(REF_IS_NULL,   0xD1, "ref.is_null",   RF_IMM_NONE,        NULL,   -1) \
    X(REF_FUNC,      0xD2, "ref.func",      RF_IMM_FUNC,        NULL,   -1)

/* The 0xFC group: saturating truncation, bulk memory, tables. */
#define RF_OPCODES_MISC(X) \
    X(I32_TRUNC_SAT_F32_S, 0xFC00, "i32.trunc_sat_f32_s", RF_IMM_NONE, "f:i", -1) \
    X(I32_TRUNC_SAT_F32_U, 0xFC01, "i32.trunc_sat_f32_u", RF_IMM_NONE, "f:i", -1) \
    X(I32_TRUNC_SAT_F64_S, 0xFC02, "i32.trunc_sat_f64_s", RF_IMM_NONE, "F:i", -1) \
    X(I32_TRUNC_SAT_F64_U, 0xFC03, "i32.trunc_sat_f64_u", RF_IMM_NONE, "F:i", -1) \
    X(I64_TRUNC_SAT_F32_S, 0xFC04, "i64.trunc_sat_f32_s", RF_IMM_NONE, "f:I", -1) \
    X(I64_TRUNC_SAT_F32_U, 0xFC05, "i64.trunc_sat_f32_u", RF_IMM_NONE, "f:I", -1) \
    X(I64_TRUNC_SAT_F64_S, 0xFC06, "i64.trunc_sat_f64_s", RF_IMM_NONE, "F:I", -1) \
    X(I64_TRUNC_SAT_F64_U, 0xFC07, "i64.trunc_sat_f64_u", RF_IMM_NONE, "F:I", -1) \
    X(MEMORY_INIT,   0xFC08, "memory.init", RF_IMM_DATA_MEMORY,   "iii:", -1) \
    X(DATA_DROP,     0xFC09, "data.drop",   RF_IMM_DATA,          ":",    -1) \
    X(MEMORY_COPY,   0xFC0A, "memory.copy", RF_IMM_MEMORY_MEMORY, "iii:", -1) \
    X(MEMORY_FILL,   0xFC0B, "memory.fill", RF_IMM_MEMORY,        "iii:", -1) \
    X(TABLE_INIT,    0xFC0C, "table.init",  RF_IMM_ELEM_TABLE,    "iii:", -1) \
    X(ELEM_DROP,     0xFC0D, "elem.drop",   RF_IMM_ELEM,          ":",    -1) \
    X(TABLE_COPY,    0xFC0E, "table.copy",  RF_IMM_TABLE_TABLE,   "iii:", -1) \
    X(TABLE_GROW,    0xFC0F, "table.grow",  RF_IMM_TABLE,         NULL,   -1) \
    X(TABLE_SIZE,    0xFC10, "table.size",  RF_IMM_TABLE,         ":i",   -1) \
    X(TABLE_FILL,    0xFC11, "table.fill",  RF_IMM_TABLE,         NULL,   -1)

/* Every opcode: the single-byte ones, then the 0xFC group. */
#define RF_OPCODES(X) RF_OPCODES_SINGLE(X) RF_OPCODES_MISC(X)

/* Opcode identifiers: RF_OP_I32_ADD and so on. */
typedef enum rf_opcode {
#define RF_OPCODE_ENUM(ident, code, name, imm, sig, memlog2) RF_OP_##ident = code,
    RF_OPCODES(RF_OPCODE_ENUM)
#undef RF_OPCODE_ENUM
    RF_OP_PREFIX_MISC = 0xFC,  /* prefix byte of the 0xFC group */
    RF_OP_PREFIX_SIMD = 0xFD   /* prefix byte of the SIMD group */
} rf_opcode;

/* Static facts about one opcode; see rf_opcode_info(). */
typedef struct rf_opinfo {
    const char *name;       /* text-format name */
    rf_imm_kind imm;        /* immediates that follow it */
    const char *sig;        /* "params:results" or NULL (see top of file) */
    int memlog2;            /* natural alignment for loads/stores, else -1 */
} rf_opinfo;

/* Facts about `op`, or NULL when `op` is not a WebAssembly 2.0 opcode. */
const rf_opinfo *rf_opcode_info(unsigned op);

#endif /* RF_OPCODES_H */
