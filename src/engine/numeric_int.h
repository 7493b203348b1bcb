/*
 * numeric_int.h — i32/i64 operators whose WebAssembly meaning differs from a
 * plain C expression: bit counting (defined for 0), shifts and rotations
 * (count taken modulo the width), signed shifts, division (traps), sign
 * extension and signed comparisons. Plain wrap-around add/sub/mul and the
 * bitwise operators are ordinary unsigned C and need no helper.
 *
 * Invariant: every computation is on uint32_t/uint64_t, so nothing here can
 * overflow a signed type or shift by the width or more. Included by
 * numeric.h only.
 */
#ifndef RF_NUMERIC_INT_H
#define RF_NUMERIC_INT_H

#ifndef RF_NUMERIC_H
#error "include numeric.h, not numeric_int.h"
#endif

/* ---- bit counting: clz/ctz of 0 is the width ------------------------------ */

static inline uint32_t rf_num_i32_clz(uint32_t x) {
    return x ? (uint32_t)__builtin_clz(x) : 32u;
}

static inline uint32_t rf_num_i32_ctz(uint32_t x) {
    return x ? (uint32_t)__builtin_ctz(x) : 32u;
}

static inline uint32_t rf_num_i32_popcnt(uint32_t x) {
    return (uint32_t)__builtin_popcount(x);
}

static inline uint64_t rf_num_i64_clz(uint64_t x) {
    return x ? (uint64_t)__builtin_clzll(x) : 64u;
}

static inline uint64_t rf_num_i64_ctz(uint64_t x) {
    return x ? (uint64_t)__builtin_ctzll(x) : 64u;
}

static inline uint64_t rf_num_i64_popcnt(uint64_t x) {
    return (uint64_t)__builtin_popcountll(x);
}

/* ---- shifts and rotations: the count is taken modulo the width ------------ */

static inline uint32_t rf_num_i32_shl(uint32_t x, uint32_t n) {
    return x << (n & 31u);
}

static inline uint32_t rf_num_i32_shr_u(uint32_t x, uint32_t n) {
    return x >> (n & 31u);
}

/* Arithmetic shift without a signed operand: flip a negative value to its
 * complement, shift in zeros, flip back — the zeros become copies of the
 * sign bit. Compilers recognise this as a single sar. */
static inline uint32_t rf_num_i32_shr_s(uint32_t x, uint32_t n) {
    uint32_t sign = 0u - (x >> 31);
    return ((x ^ sign) >> (n & 31u)) ^ sign;
}

/* (32 - n) & 31 is written (0 - n) & 31 so a count of 0 never shifts by 32. */
static inline uint32_t rf_num_i32_rotl(uint32_t x, uint32_t n) {
    return (x << (n & 31u)) | (x >> ((0u - n) & 31u));
}

static inline uint32_t rf_num_i32_rotr(uint32_t x, uint32_t n) {
    return (x >> (n & 31u)) | (x << ((0u - n) & 31u));
}

static inline uint64_t rf_num_i64_shl(uint64_t x, uint64_t n) {
    return x << (n & 63u);
}

static inline uint64_t rf_num_i64_shr_u(uint64_t x, uint64_t n) {
    return x >> (n & 63u);
}

static inline uint64_t rf_num_i64_shr_s(uint64_t x, uint64_t n) {
    uint64_t sign = 0u - (x >> 63);
    return ((x ^ sign) >> (n & 63u)) ^ sign;
}

static inline uint64_t rf_num_i64_rotl(uint64_t x, uint64_t n) {
    return (x << (n & 63u)) | (x >> ((0u - n) & 63u));
}

static inline uint64_t rf_num_i64_rotr(uint64_t x, uint64_t n) {
    return (x >> (n & 63u)) | (x << ((0u - n) & 63u));
}

/* ---- division: 0 or an rf_trap; *out is written only on success ----------- */

static inline int rf_num_i32_div_u(uint32_t a, uint32_t b, uint32_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    *out = a / b;
    return 0;
}

static inline int rf_num_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    *out = a % b;
    return 0;
}

/* INT32_MIN / -1 is the one quotient that does not fit: "integer overflow". */
static inline int rf_num_i32_div_s(uint32_t a, uint32_t b, uint32_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    if (a == 0x80000000u && b == 0xFFFFFFFFu) return RF_TRAP_INT_OVERFLOW;
    *out = (uint32_t)(rf_num_s32(a) / rf_num_s32(b));
    return 0;
}

/* x rem -1 is 0 for every x; answering it directly keeps INT32_MIN % -1
 * (undefined in C, a #DE fault on x86) from ever being evaluated. */
static inline int rf_num_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    if (b == 0xFFFFFFFFu) {
        *out = 0;
        return 0;
    }
    *out = (uint32_t)(rf_num_s32(a) % rf_num_s32(b));
    return 0;
}

static inline int rf_num_i64_div_u(uint64_t a, uint64_t b, uint64_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    *out = a / b;
    return 0;
}

static inline int rf_num_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    *out = a % b;
    return 0;
}

static inline int rf_num_i64_div_s(uint64_t a, uint64_t b, uint64_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    if (a == 0x8000000000000000u && b == 0xFFFFFFFFFFFFFFFFu) return RF_TRAP_INT_OVERFLOW;
    *out = (uint64_t)(rf_num_s64(a) / rf_num_s64(b));
    return 0;
}

static inline int rf_num_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out) {
    if (b == 0) return RF_TRAP_DIV_BY_ZERO;
    if (b == 0xFFFFFFFFFFFFFFFFu) {
        *out = 0;
        return 0;
    }
    *out = (uint64_t)(rf_num_s64(a) % rf_num_s64(b));
    return 0;
}

/* ---- sign extension ------------------------------------------------------- */

/* Keep the low bits, then (v ^ m) - m with m = the new sign bit: values with
 * that bit clear are unchanged, values with it set wrap to the negative. */
static inline uint32_t rf_num_i32_extend8_s(uint32_t x) {
    return ((x & 0xFFu) ^ 0x80u) - 0x80u;
}

static inline uint32_t rf_num_i32_extend16_s(uint32_t x) {
    return ((x & 0xFFFFu) ^ 0x8000u) - 0x8000u;
}

static inline uint64_t rf_num_i64_extend8_s(uint64_t x) {
    return ((x & 0xFFu) ^ 0x80u) - 0x80u;
}

static inline uint64_t rf_num_i64_extend16_s(uint64_t x) {
    return ((x & 0xFFFFu) ^ 0x8000u) - 0x8000u;
}

static inline uint64_t rf_num_i64_extend32_s(uint64_t x) {
    return ((x & 0xFFFFFFFFu) ^ 0x80000000u) - 0x80000000u;
}

/* ---- comparisons ---------------------------------------------------------- */

/* Signed order equals unsigned order once the sign bits are flipped. */
static inline uint32_t rf_num_i32_lt_s(uint32_t a, uint32_t b) {
    return (a ^ 0x80000000u) < (b ^ 0x80000000u);
}

static inline uint32_t rf_num_i32_gt_s(uint32_t a, uint32_t b) {
    return (a ^ 0x80000000u) > (b ^ 0x80000000u);
}

static inline uint32_t rf_num_i32_le_s(uint32_t a, uint32_t b) {
    return (a ^ 0x80000000u) <= (b ^ 0x80000000u);
}

static inline uint32_t rf_num_i32_ge_s(uint32_t a, uint32_t b) {
    return (a ^ 0x80000000u) >= (b ^ 0x80000000u);
}

static inline uint32_t rf_num_i64_lt_s(uint64_t a, uint64_t b) {
    return (a ^ 0x8000000000000000u) < (b ^ 0x8000000000000000u);
}

static inline uint32_t rf_num_i64_gt_s(uint64_t a, uint64_t b) {
    return (a ^ 0x8000000000000000u) > (b ^ 0x8000000000000000u);
}

static inline uint32_t rf_num_i64_le_s(uint64_t a, uint64_t b) {
    return (a ^ 0x8000000000000000u) <= (b ^ 0x8000000000000000u);
}

static inline uint32_t rf_num_i64_ge_s(uint64_t a, uint64_t b) {
    return (a ^ 0x8000000000000000u) >= (b ^ 0x8000000000000000u);
}

#endif /* RF_NUMERIC_INT_H */
