/*
 * interp_ops.h — the interpreter's internal instruction set, as one table.
 *
 * The translator (compile.c) turns WebAssembly into this code once per
 * module; the interpreter (interp.c) executes it. An instruction is a run of
 * 8-byte cells (rf_cell, compile.h):
 *
 *   cell 0        the handler's address (direct threading: `goto *ip->h`)
 *   cells 1..n-1  operands, laid out as the "layout" column says
 *
 * Layout notation: one word per operand cell, separated by spaces; a word
 * "x,y" is a cell holding two 32-bit halves (x = s.a, y = s.b), "-" is an
 * unused half, a single letter a whole 64-bit cell. Letters:
 *   d        destination slot        a b c s v i n   source slots
 *   k        32-bit immediate        K               64-bit immediate
 *   m        memarg offset (64-bit cell, value < 2^32)
 *   o        branch offset, signed, in cells, relative to this instruction's
 *            cell 0 (o <= 0 is a loop back-edge, which polls for interruption)
 *   p        pointer (the callee's rf_code)
 *   f g t u e x y  function / global / table / table / element segment /
 *            data segment / type index
 * Slots are indices into the current frame (fp[slot]); see compile.h for the
 * frame layout. i32 and f32 values are kept zero-extended in their slots, so
 * i64.extend_i32_u and the four reinterpret instructions need no code.
 *
 * Columns: X(name, cells, flags, layout). `cells` is the instruction's length
 * (0: variable, see BR_TABLE). Flags:
 *   RF_IOF_DST   the instruction writes exactly one value, to slot d in cell 1's
 *                first half, after it has read all its operands; the
 *                translator may retarget d ("destination patching")
 *   RF_IOF_TRAP  the instruction can trap (or poll for interruption); the
 *                translator records its wasm byte offset for error messages
 *
 * The single fused family this round is compare-and-branch (BR_<rel>_SS/_SI
 * and BR_IFZ for i32.eqz + br_if); see docs/interp.md.
 */
#ifndef RF_INTERP_OPS_H
#define RF_INTERP_OPS_H

#define RF_IOF_DST 1
#define RF_IOF_TRAP 2
/* Short names for the flags column. */
#define RF_D_ RF_IOF_DST
#define RF_T_ RF_IOF_TRAP
#define RF_DT_ (RF_IOF_DST | RF_IOF_TRAP)

/* i32 relations fused into branches, in the order of rf_rel (compile.h). */
#define RF_INTERP_RELS(R) R(EQ) R(NE) R(LT_S) R(LT_U) R(GT_S) R(GT_U) R(LE_S) R(LE_U) R(GE_S) R(GE_U)

#define RF_INTERP_OPS(X) \
    /* ---- control -------------------------------------------------------------- */ \
    X(EXIT,          1, 0,   "")              /* leave the loop: bottom record of the return stack; never emitted */ \
    X(UNREACHABLE,   1, RF_T_,  "")              /* trap "unreachable" */ \
    X(BR,            2, RF_T_,  "o,-")           /* ip += o */ \
    X(BR_IF,         2, RF_T_,  "c,o")           /* if (u32)fp[c] != 0: ip += o */ \
    X(BR_IFZ,        2, RF_T_,  "c,o")           /* if (u32)fp[c] == 0: ip += o (i32.eqz + br_if, if) */ \
    X(BR_EQ_SS,      3, RF_T_,  "a,b o,-")       /* if (u32)fp[a] == (u32)fp[b]: ip += o */ \
    X(BR_NE_SS,      3, RF_T_,  "a,b o,-")       /* ... != */ \
    X(BR_LT_S_SS,    3, RF_T_,  "a,b o,-")       /* ... signed < */ \
    X(BR_LT_U_SS,    3, RF_T_,  "a,b o,-")       /* ... unsigned < */ \
    X(BR_GT_S_SS,    3, RF_T_,  "a,b o,-")       /* ... signed > */ \
    X(BR_GT_U_SS,    3, RF_T_,  "a,b o,-")       /* ... unsigned > */ \
    X(BR_LE_S_SS,    3, RF_T_,  "a,b o,-")       /* ... signed <= */ \
    X(BR_LE_U_SS,    3, RF_T_,  "a,b o,-")       /* ... unsigned <= */ \
    X(BR_GE_S_SS,    3, RF_T_,  "a,b o,-")       /* ... signed >= */ \
    X(BR_GE_U_SS,    3, RF_T_,  "a,b o,-")       /* ... unsigned >= */ \
    X(BR_EQ_SI,      3, RF_T_,  "a,k o,-")       /* if (u32)fp[a] == k: ip += o */ \
    X(BR_NE_SI,      3, RF_T_,  "a,k o,-")       /* the same relations against an immediate */ \
    X(BR_LT_S_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_LT_U_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_GT_S_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_GT_U_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_LE_S_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_LE_U_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_GE_S_SI,    3, RF_T_,  "a,k o,-") \
    X(BR_GE_U_SI,    3, RF_T_,  "a,k o,-") \
    /* br_table: cells [i,n] [k,s] then k+1 entries [o,d] (the last is the default).   \
     * j = min((u32)fp[i], k); if n > 0 the n slots from s move to d_j; ip += o_j. */   \
    X(BR_TABLE,      0, RF_T_,  "i,n k,s")       \
    X(MOVE_N,        3, 0,   "d,s n,-")       /* fp[d+j] = fp[s+j] for j = 0..n-1 in order (d < s) */ \
    X(RETURN,        1, 0,   "")              /* results already in fp[0..); pop a return record */ \
    X(RETURN1,       2, 0,   "s,-")           /* fp[0] = fp[s]; return */ \
    X(CALL,          3, RF_T_,  "a,- p")         /* call defined function p of this module; args/results at fp[a..) */ \
    X(CALL_FUNC,     2, RF_T_,  "a,f")           /* call instance function f (import: host or other instance) */ \
    X(CALL_INDIRECT, 3, RF_T_,  "a,i y,t")       /* call table t [(u32)fp[i]] checked against type y */ \
    /* ---- moves and variables --------------------------------------------------- */ \
    X(COPY,          2, RF_D_,  "d,s")           /* fp[d] = fp[s] */ \
    X(CONST32,       2, RF_D_,  "d,k")           /* fp[d] = k (zero-extended) */ \
    X(CONST64,       3, RF_D_,  "d,- K")         /* fp[d] = K */ \
    X(SELECT,        3, RF_D_,  "d,c a,b")       /* fp[d] = (u32)fp[c] ? fp[a] : fp[b] */ \
    X(GLOBAL_GET,    2, RF_D_,  "d,g")           /* fp[d] = global g */ \
    X(GLOBAL_SET,    2, 0,   "s,g")           /* global g = fp[s] */ \
    /* ---- memory: ea = (u32)fp[a] + m, trap if ea + width > memory size ------------ */ \
    X(LOAD32,        3, RF_DT_, "d,a m")         /* i32.load, f32.load, i64.load32_u */ \
    X(LOAD64,        3, RF_DT_, "d,a m")         /* i64.load, f64.load */ \
    X(LOAD8_U,       3, RF_DT_, "d,a m")         /* i32/i64.load8_u */ \
    X(LOAD16_U,      3, RF_DT_, "d,a m")         /* i32/i64.load16_u */ \
    X(I32_LOAD8_S,   3, RF_DT_, "d,a m") \
    X(I32_LOAD16_S,  3, RF_DT_, "d,a m") \
    X(I64_LOAD8_S,   3, RF_DT_, "d,a m") \
    X(I64_LOAD16_S,  3, RF_DT_, "d,a m") \
    X(I64_LOAD32_S,  3, RF_DT_, "d,a m") \
    X(STORE8,        3, RF_T_,  "a,v m")         /* store the low 8 bits of fp[v] at ea */ \
    X(STORE16,       3, RF_T_,  "a,v m") \
    X(STORE32,       3, RF_T_,  "a,v m")         /* i32.store, f32.store, i64.store32 */ \
    X(STORE64,       3, RF_T_,  "a,v m")         /* i64.store, f64.store */ \
    X(MEMORY_SIZE,   2, RF_D_,  "d,-")           /* fp[d] = pages */ \
    X(MEMORY_GROW,   2, RF_D_,  "d,a")           /* fp[d] = old pages or -1 */ \
    X(MEMORY_INIT,   3, RF_T_,  "x,d s,n")       /* copy data segment x [s, s+n) to memory [d, d+n) */ \
    X(DATA_DROP,     2, 0,   "x,-") \
    X(MEMORY_COPY,   3, RF_T_,  "d,s n,-")       /* memmove within memory 0 */ \
    X(MEMORY_FILL,   3, RF_T_,  "d,v n,-")       /* memset within memory 0 */ \
    /* ---- tables and references ------------------------------------------------- */ \
    X(TABLE_GET,     3, RF_DT_, "d,i t,-") \
    X(TABLE_SET,     3, RF_T_,  "i,v t,-") \
    X(TABLE_SIZE,    2, RF_D_,  "d,t") \
    X(TABLE_GROW,    3, RF_D_,  "d,v n,t")       /* fp[d] = old size or -1; new entries = fp[v] */ \
    X(TABLE_FILL,    3, RF_T_,  "i,v n,t") \
    X(TABLE_COPY,    4, RF_T_,  "d,s n,- t,u")   /* table t [d..) = table u [s..), n entries */ \
    X(TABLE_INIT,    4, RF_T_,  "d,s n,- t,e")   /* table t [d..) = element segment e [s..) */ \
    X(ELEM_DROP,     2, 0,   "e,-") \
    X(REF_FUNC,      2, RF_D_,  "d,f")           /* fp[d] = this instance's function f */ \
    X(REF_IS_NULL,   2, RF_D_,  "d,a") \
    /* ---- i32: unary "d,a", binary "d,a b,-", immediate "d,a k" ----------------- */ \
    X(I32_EQZ,       2, RF_D_,  "d,a") \
    X(I32_CLZ,       2, RF_D_,  "d,a") \
    X(I32_CTZ,       2, RF_D_,  "d,a") \
    X(I32_POPCNT,    2, RF_D_,  "d,a") \
    X(I32_EXTEND8_S, 2, RF_D_,  "d,a") \
    X(I32_EXTEND16_S,2, RF_D_,  "d,a") \
    X(I32_EQ,        3, RF_D_,  "d,a b,-") \
    X(I32_NE,        3, RF_D_,  "d,a b,-") \
    X(I32_LT_S,      3, RF_D_,  "d,a b,-") \
    X(I32_LT_U,      3, RF_D_,  "d,a b,-") \
    X(I32_GT_S,      3, RF_D_,  "d,a b,-") \
    X(I32_GT_U,      3, RF_D_,  "d,a b,-") \
    X(I32_LE_S,      3, RF_D_,  "d,a b,-") \
    X(I32_LE_U,      3, RF_D_,  "d,a b,-") \
    X(I32_GE_S,      3, RF_D_,  "d,a b,-") \
    X(I32_GE_U,      3, RF_D_,  "d,a b,-") \
    X(I32_ADD,       3, RF_D_,  "d,a b,-") \
    X(I32_SUB,       3, RF_D_,  "d,a b,-") \
    X(I32_MUL,       3, RF_D_,  "d,a b,-") \
    X(I32_DIV_S,     3, RF_DT_, "d,a b,-") \
    X(I32_DIV_U,     3, RF_DT_, "d,a b,-") \
    X(I32_REM_S,     3, RF_DT_, "d,a b,-") \
    X(I32_REM_U,     3, RF_DT_, "d,a b,-") \
    X(I32_AND,       3, RF_D_,  "d,a b,-") \
    X(I32_OR,        3, RF_D_,  "d,a b,-") \
    X(I32_XOR,       3, RF_D_,  "d,a b,-") \
    X(I32_SHL,       3, RF_D_,  "d,a b,-") \
    X(I32_SHR_S,     3, RF_D_,  "d,a b,-") \
    X(I32_SHR_U,     3, RF_D_,  "d,a b,-") \
    X(I32_ROTL,      3, RF_D_,  "d,a b,-") \
    X(I32_ROTR,      3, RF_D_,  "d,a b,-") \
    X(I32_EQ_I,      3, RF_D_,  "d,a k")   /* fp[d] = (u32)fp[a] == k; i32.sub with a constant becomes ADD_I */ \
    X(I32_NE_I,      3, RF_D_,  "d,a k") \
    X(I32_LT_S_I,    3, RF_D_,  "d,a k") \
    X(I32_LT_U_I,    3, RF_D_,  "d,a k") \
    X(I32_GT_S_I,    3, RF_D_,  "d,a k") \
    X(I32_GT_U_I,    3, RF_D_,  "d,a k") \
    X(I32_LE_S_I,    3, RF_D_,  "d,a k") \
    X(I32_LE_U_I,    3, RF_D_,  "d,a k") \
    X(I32_GE_S_I,    3, RF_D_,  "d,a k") \
    X(I32_GE_U_I,    3, RF_D_,  "d,a k") \
    X(I32_ADD_I,     3, RF_D_,  "d,a k") \
    X(I32_MUL_I,     3, RF_D_,  "d,a k") \
    X(I32_AND_I,     3, RF_D_,  "d,a k") \
    X(I32_OR_I,      3, RF_D_,  "d,a k") \
    X(I32_XOR_I,     3, RF_D_,  "d,a k") \
    X(I32_SHL_I,     3, RF_D_,  "d,a k") \
    X(I32_SHR_S_I,   3, RF_D_,  "d,a k") \
    X(I32_SHR_U_I,   3, RF_D_,  "d,a k") \
    /* ---- i64 (comparisons produce an i32) ---------------------------------------- */ \
    X(I64_EQZ,       2, RF_D_,  "d,a") \
    X(I64_CLZ,       2, RF_D_,  "d,a") \
    X(I64_CTZ,       2, RF_D_,  "d,a") \
    X(I64_POPCNT,    2, RF_D_,  "d,a") \
    X(I64_EXTEND8_S, 2, RF_D_,  "d,a") \
    X(I64_EXTEND16_S,2, RF_D_,  "d,a") \
    X(I64_EXTEND32_S,2, RF_D_,  "d,a")   /* also i64.extend_i32_s */ \
    X(I64_EQ,        3, RF_D_,  "d,a b,-") \
    X(I64_NE,        3, RF_D_,  "d,a b,-") \
    X(I64_LT_S,      3, RF_D_,  "d,a b,-") \
    X(I64_LT_U,      3, RF_D_,  "d,a b,-") \
    X(I64_GT_S,      3, RF_D_,  "d,a b,-") \
    X(I64_GT_U,      3, RF_D_,  "d,a b,-") \
    X(I64_LE_S,      3, RF_D_,  "d,a b,-") \
    X(I64_LE_U,      3, RF_D_,  "d,a b,-") \
    X(I64_GE_S,      3, RF_D_,  "d,a b,-") \
    X(I64_GE_U,      3, RF_D_,  "d,a b,-") \
    X(I64_ADD,       3, RF_D_,  "d,a b,-") \
    X(I64_SUB,       3, RF_D_,  "d,a b,-") \
    X(I64_MUL,       3, RF_D_,  "d,a b,-") \
    X(I64_DIV_S,     3, RF_DT_, "d,a b,-") \
    X(I64_DIV_U,     3, RF_DT_, "d,a b,-") \
    X(I64_REM_S,     3, RF_DT_, "d,a b,-") \
    X(I64_REM_U,     3, RF_DT_, "d,a b,-") \
    X(I64_AND,       3, RF_D_,  "d,a b,-") \
    X(I64_OR,        3, RF_D_,  "d,a b,-") \
    X(I64_XOR,       3, RF_D_,  "d,a b,-") \
    X(I64_SHL,       3, RF_D_,  "d,a b,-") \
    X(I64_SHR_S,     3, RF_D_,  "d,a b,-") \
    X(I64_SHR_U,     3, RF_D_,  "d,a b,-") \
    X(I64_ROTL,      3, RF_D_,  "d,a b,-") \
    X(I64_ROTR,      3, RF_D_,  "d,a b,-") \
    X(I64_EQ_I,      3, RF_D_,  "d,a K")   /* fp[d] = fp[a] == K */ \
    X(I64_NE_I,      3, RF_D_,  "d,a K") \
    X(I64_LT_S_I,    3, RF_D_,  "d,a K") \
    X(I64_LT_U_I,    3, RF_D_,  "d,a K") \
    X(I64_GT_S_I,    3, RF_D_,  "d,a K") \
    X(I64_GT_U_I,    3, RF_D_,  "d,a K") \
    X(I64_LE_S_I,    3, RF_D_,  "d,a K") \
    X(I64_LE_U_I,    3, RF_D_,  "d,a K") \
    X(I64_GE_S_I,    3, RF_D_,  "d,a K") \
    X(I64_GE_U_I,    3, RF_D_,  "d,a K") \
    X(I64_ADD_I,     3, RF_D_,  "d,a K") \
    X(I64_MUL_I,     3, RF_D_,  "d,a K") \
    X(I64_AND_I,     3, RF_D_,  "d,a K") \
    X(I64_OR_I,      3, RF_D_,  "d,a K") \
    X(I64_XOR_I,     3, RF_D_,  "d,a K") \
    X(I64_SHL_I,     3, RF_D_,  "d,a K") \
    X(I64_SHR_S_I,   3, RF_D_,  "d,a K") \
    X(I64_SHR_U_I,   3, RF_D_,  "d,a K") \
    /* ---- f32 ---------------------------------------------------------------------- */ \
    X(F32_ABS,       2, RF_D_,  "d,a") \
    X(F32_NEG,       2, RF_D_,  "d,a") \
    X(F32_CEIL,      2, RF_D_,  "d,a") \
    X(F32_FLOOR,     2, RF_D_,  "d,a") \
    X(F32_TRUNC,     2, RF_D_,  "d,a") \
    X(F32_NEAREST,   2, RF_D_,  "d,a") \
    X(F32_SQRT,      2, RF_D_,  "d,a") \
    X(F32_EQ,        3, RF_D_,  "d,a b,-") \
    X(F32_NE,        3, RF_D_,  "d,a b,-") \
    X(F32_LT,        3, RF_D_,  "d,a b,-") \
    X(F32_GT,        3, RF_D_,  "d,a b,-") \
    X(F32_LE,        3, RF_D_,  "d,a b,-") \
    X(F32_GE,        3, RF_D_,  "d,a b,-") \
    X(F32_ADD,       3, RF_D_,  "d,a b,-") \
    X(F32_SUB,       3, RF_D_,  "d,a b,-") \
    X(F32_MUL,       3, RF_D_,  "d,a b,-") \
    X(F32_DIV,       3, RF_D_,  "d,a b,-") \
    X(F32_MIN,       3, RF_D_,  "d,a b,-") \
    X(F32_MAX,       3, RF_D_,  "d,a b,-") \
    X(F32_COPYSIGN,  3, RF_D_,  "d,a b,-") \
    /* ---- f64 ---------------------------------------------------------------------- */ \
    X(F64_ABS,       2, RF_D_,  "d,a") \
    X(F64_NEG,       2, RF_D_,  "d,a") \
    X(F64_CEIL,      2, RF_D_,  "d,a") \
    X(F64_FLOOR,     2, RF_D_,  "d,a") \
    X(F64_TRUNC,     2, RF_D_,  "d,a") \
    X(F64_NEAREST,   2, RF_D_,  "d,a") \
    X(F64_SQRT,      2, RF_D_,  "d,a") \
    X(F64_EQ,        3, RF_D_,  "d,a b,-") \
    X(F64_NE,        3, RF_D_,  "d,a b,-") \
    X(F64_LT,        3, RF_D_,  "d,a b,-") \
    X(F64_GT,        3, RF_D_,  "d,a b,-") \
    X(F64_LE,        3, RF_D_,  "d,a b,-") \
    X(F64_GE,        3, RF_D_,  "d,a b,-") \
    X(F64_ADD,       3, RF_D_,  "d,a b,-") \
    X(F64_SUB,       3, RF_D_,  "d,a b,-") \
    X(F64_MUL,       3, RF_D_,  "d,a b,-") \
    X(F64_DIV,       3, RF_D_,  "d,a b,-") \
    X(F64_MIN,       3, RF_D_,  "d,a b,-") \
    X(F64_MAX,       3, RF_D_,  "d,a b,-") \
    X(F64_COPYSIGN,  3, RF_D_,  "d,a b,-") \
    /* ---- conversions (all "d,a") ---------------------------------------------------- */ \
    X(I32_WRAP_I64,        2, RF_D_,  "d,a") \
    X(I32_TRUNC_F32_S,     2, RF_DT_, "d,a") \
    X(I32_TRUNC_F32_U,     2, RF_DT_, "d,a") \
    X(I32_TRUNC_F64_S,     2, RF_DT_, "d,a") \
    X(I32_TRUNC_F64_U,     2, RF_DT_, "d,a") \
    X(I64_TRUNC_F32_S,     2, RF_DT_, "d,a") \
    X(I64_TRUNC_F32_U,     2, RF_DT_, "d,a") \
    X(I64_TRUNC_F64_S,     2, RF_DT_, "d,a") \
    X(I64_TRUNC_F64_U,     2, RF_DT_, "d,a") \
    X(F32_CONVERT_I32_S,   2, RF_D_,  "d,a") \
    X(F32_CONVERT_I32_U,   2, RF_D_,  "d,a") \
    X(F32_CONVERT_I64_S,   2, RF_D_,  "d,a") \
    X(F32_CONVERT_I64_U,   2, RF_D_,  "d,a") \
    X(F32_DEMOTE_F64,      2, RF_D_,  "d,a") \
    X(F64_CONVERT_I32_S,   2, RF_D_,  "d,a") \
    X(F64_CONVERT_I32_U,   2, RF_D_,  "d,a") \
    X(F64_CONVERT_I64_S,   2, RF_D_,  "d,a") \
    X(F64_CONVERT_I64_U,   2, RF_D_,  "d,a") \
    X(F64_PROMOTE_F32,     2, RF_D_,  "d,a") \
    X(I32_TRUNC_SAT_F32_S, 2, RF_D_,  "d,a") \
    X(I32_TRUNC_SAT_F32_U, 2, RF_D_,  "d,a") \
    X(I32_TRUNC_SAT_F64_S, 2, RF_D_,  "d,a") \
    X(I32_TRUNC_SAT_F64_U, 2, RF_D_,  "d,a") \
    X(I64_TRUNC_SAT_F32_S, 2, RF_D_,  "d,a") \
    X(I64_TRUNC_SAT_F32_U, 2, RF_D_,  "d,a") \
    X(I64_TRUNC_SAT_F64_S, 2, RF_D_,  "d,a") \
    X(I64_TRUNC_SAT_F64_U, 2, RF_D_,  "d,a")

/* Internal opcode numbers: RF_IOP_I32_ADD and so on, then RF_IOP_COUNT. */
typedef enum rf_iop {
#define RF_IOP_ENUM(name, cells, flags, layout) RF_IOP_##name,
    RF_INTERP_OPS(RF_IOP_ENUM)
#undef RF_IOP_ENUM
    RF_IOP_COUNT
} rf_iop;

/* Static facts about an internal opcode (compile.c uses them). */
typedef struct rf_iop_info {
    const char *name;
    unsigned char cells;     /* 0 = variable length */
    unsigned char flags;     /* RF_IOF_* */
    const char *layout;
} rf_iop_info;

static const rf_iop_info rf_iop_table[RF_IOP_COUNT] = {
#define RF_IOP_INFO(name, cells, flags, layout) { #name, cells, flags, layout },
    RF_INTERP_OPS(RF_IOP_INFO)
#undef RF_IOP_INFO
};


#endif /* RF_INTERP_OPS_H */
