/*
 * numeric_float.h — f32/f64 operators on bit patterns.
 *
 * What each group relies on:
 *   add/sub/mul/div/sqrt  the host's IEEE arithmetic (correctly rounded, NaN
 *                         results quiet); see the requirements in numeric.h.
 *   abs/neg/copysign      pure bit operations: they must not touch a NaN's
 *                         payload or quiet bit, so no float arithmetic here.
 *   min/max               WebAssembly rules, not C fmin/fmax: any NaN operand
 *                         gives a NaN (that operand, quieted), and -0 < +0.
 *   ceil/floor/trunc/nearest
 *                         exact, written with integer conversion so they do
 *                         not depend on the rounding mode or on libm; a NaN
 *                         operand comes back quieted, infinities and values
 *                         that are already integers come back unchanged, and
 *                         the sign of a zero result is the operand's.
 *   comparisons           IEEE: false when either side is NaN, except ne.
 *
 * Included by numeric.h only.
 */
#ifndef RF_NUMERIC_FLOAT_H
#define RF_NUMERIC_FLOAT_H

#ifndef RF_NUMERIC_H
#error "include numeric.h, not numeric_float.h"
#endif

#include <math.h>

#define RF_NUM_F32_SIGN  0x80000000u
#define RF_NUM_F32_QUIET 0x00400000u          /* most significant payload bit */
#define RF_NUM_F32_INF   0x7F800000u
#define RF_NUM_F32_2P23  0x4B000000u          /* 2^23: from here on all floats are integers */

#define RF_NUM_F64_SIGN  0x8000000000000000u
#define RF_NUM_F64_QUIET 0x0008000000000000u
#define RF_NUM_F64_INF   0x7FF0000000000000u
#define RF_NUM_F64_2P52  0x4330000000000000u  /* 2^52 */

static inline int rf_num_f32_is_nan(uint32_t a) {
    return (a & ~RF_NUM_F32_SIGN) > RF_NUM_F32_INF;
}

static inline int rf_num_f64_is_nan(uint64_t a) {
    return (a & ~RF_NUM_F64_SIGN) > RF_NUM_F64_INF;
}

/* ---- arithmetic ----------------------------------------------------------- */

static inline uint32_t rf_num_f32_add(uint32_t a, uint32_t b) {
    return rf_num_f32_to_bits(rf_num_f32_from_bits(a) + rf_num_f32_from_bits(b));
}

static inline uint32_t rf_num_f32_sub(uint32_t a, uint32_t b) {
    return rf_num_f32_to_bits(rf_num_f32_from_bits(a) - rf_num_f32_from_bits(b));
}

static inline uint32_t rf_num_f32_mul(uint32_t a, uint32_t b) {
    return rf_num_f32_to_bits(rf_num_f32_from_bits(a) * rf_num_f32_from_bits(b));
}

static inline uint32_t rf_num_f32_div(uint32_t a, uint32_t b) {
    return rf_num_f32_to_bits(rf_num_f32_from_bits(a) / rf_num_f32_from_bits(b));
}

static inline uint32_t rf_num_f32_sqrt(uint32_t a) {
    return rf_num_f32_to_bits(sqrtf(rf_num_f32_from_bits(a)));
}

static inline uint64_t rf_num_f64_add(uint64_t a, uint64_t b) {
    return rf_num_f64_to_bits(rf_num_f64_from_bits(a) + rf_num_f64_from_bits(b));
}

static inline uint64_t rf_num_f64_sub(uint64_t a, uint64_t b) {
    return rf_num_f64_to_bits(rf_num_f64_from_bits(a) - rf_num_f64_from_bits(b));
}

static inline uint64_t rf_num_f64_mul(uint64_t a, uint64_t b) {
    return rf_num_f64_to_bits(rf_num_f64_from_bits(a) * rf_num_f64_from_bits(b));
}

static inline uint64_t rf_num_f64_div(uint64_t a, uint64_t b) {
    return rf_num_f64_to_bits(rf_num_f64_from_bits(a) / rf_num_f64_from_bits(b));
}

static inline uint64_t rf_num_f64_sqrt(uint64_t a) {
    return rf_num_f64_to_bits(sqrt(rf_num_f64_from_bits(a)));
}

/* ---- sign bit operations (never canonicalise a NaN) ----------------------- */

static inline uint32_t rf_num_f32_abs(uint32_t a) { return a & ~RF_NUM_F32_SIGN; }
static inline uint32_t rf_num_f32_neg(uint32_t a) { return a ^ RF_NUM_F32_SIGN; }
static inline uint32_t rf_num_f32_copysign(uint32_t a, uint32_t b) {
    return (a & ~RF_NUM_F32_SIGN) | (b & RF_NUM_F32_SIGN);
}

static inline uint64_t rf_num_f64_abs(uint64_t a) { return a & ~RF_NUM_F64_SIGN; }
static inline uint64_t rf_num_f64_neg(uint64_t a) { return a ^ RF_NUM_F64_SIGN; }
static inline uint64_t rf_num_f64_copysign(uint64_t a, uint64_t b) {
    return (a & ~RF_NUM_F64_SIGN) | (b & RF_NUM_F64_SIGN);
}

/* ---- min / max ------------------------------------------------------------ */

/* Equal operands have equal bits except for the pair (-0, +0); OR-ing the
 * bits then picks -0 (min) and AND-ing picks +0 (max). When the operands are
 * unordered, the first NaN is returned quieted: a canonical NaN stays
 * canonical and any other NaN becomes an arithmetic one, as the spec allows. */
static inline uint32_t rf_num_f32_min(uint32_t a, uint32_t b) {
    float x = rf_num_f32_from_bits(a), y = rf_num_f32_from_bits(b);
    if (x < y) return a;
    if (y < x) return b;
    if (x == y) return a | b;
    return (rf_num_f32_is_nan(a) ? a : b) | RF_NUM_F32_QUIET;
}

static inline uint32_t rf_num_f32_max(uint32_t a, uint32_t b) {
    float x = rf_num_f32_from_bits(a), y = rf_num_f32_from_bits(b);
    if (x > y) return a;
    if (y > x) return b;
    if (x == y) return a & b;
    return (rf_num_f32_is_nan(a) ? a : b) | RF_NUM_F32_QUIET;
}

static inline uint64_t rf_num_f64_min(uint64_t a, uint64_t b) {
    double x = rf_num_f64_from_bits(a), y = rf_num_f64_from_bits(b);
    if (x < y) return a;
    if (y < x) return b;
    if (x == y) return a | b;
    return (rf_num_f64_is_nan(a) ? a : b) | RF_NUM_F64_QUIET;
}

static inline uint64_t rf_num_f64_max(uint64_t a, uint64_t b) {
    double x = rf_num_f64_from_bits(a), y = rf_num_f64_from_bits(b);
    if (x > y) return a;
    if (y > x) return b;
    if (x == y) return a & b;
    return (rf_num_f64_is_nan(a) ? a : b) | RF_NUM_F64_QUIET;
}

/* ---- rounding to an integral value ---------------------------------------- */

/* Every rounding function first sorts out the operands that are already
 * integral: |x| >= 2^23 (f32) or 2^52 (f64), infinities and NaNs, which all
 * compare >= the 2^n bit pattern once the sign is cleared. They are returned
 * as they are, NaNs quieted. (x + x or x * 1 would be shorter, but the first
 * overflows near the maximum and compilers fold the second to x, losing the
 * quieting.) Below that bound the value fits an int32_t/int64_t, so the C
 * conversion truncates exactly; the result's sign bit is then forced to the
 * operand's, which is what keeps -0.4 -> -0 and ceil(-0.5) -> -0. */
static inline uint32_t rf_num_f32_keep(uint32_t a) {
    return rf_num_f32_is_nan(a) ? a | RF_NUM_F32_QUIET : a;
}

static inline uint64_t rf_num_f64_keep(uint64_t a) {
    return rf_num_f64_is_nan(a) ? a | RF_NUM_F64_QUIET : a;
}

static inline uint32_t rf_num_f32_trunc(uint32_t a) {
    if ((a & ~RF_NUM_F32_SIGN) >= RF_NUM_F32_2P23) return rf_num_f32_keep(a);
    float t = (float)(int32_t)rf_num_f32_from_bits(a);
    return rf_num_f32_to_bits(t) | (a & RF_NUM_F32_SIGN);
}

static inline uint32_t rf_num_f32_floor(uint32_t a) {
    if ((a & ~RF_NUM_F32_SIGN) >= RF_NUM_F32_2P23) return rf_num_f32_keep(a);
    float x = rf_num_f32_from_bits(a);
    float t = (float)(int32_t)x;
    if (t > x) t -= 1.0f;
    return rf_num_f32_to_bits(t) | (a & RF_NUM_F32_SIGN);
}

static inline uint32_t rf_num_f32_ceil(uint32_t a) {
    if ((a & ~RF_NUM_F32_SIGN) >= RF_NUM_F32_2P23) return rf_num_f32_keep(a);
    float x = rf_num_f32_from_bits(a);
    float t = (float)(int32_t)x;
    if (t < x) t += 1.0f;
    return rf_num_f32_to_bits(t) | (a & RF_NUM_F32_SIGN);
}

/* Round half to even. x - trunc(x) is exact (both share x's exponent range),
 * so the comparisons with 0.5 see the true fraction. */
static inline uint32_t rf_num_f32_nearest(uint32_t a) {
    if ((a & ~RF_NUM_F32_SIGN) >= RF_NUM_F32_2P23) return rf_num_f32_keep(a);
    float x = rf_num_f32_from_bits(a);
    int32_t i = (int32_t)x;
    float frac = x - (float)i;
    uint32_t odd = (uint32_t)i & 1u;
    if (frac > 0.5f || (frac == 0.5f && odd)) i += 1;
    else if (frac < -0.5f || (frac == -0.5f && odd)) i -= 1;
    return rf_num_f32_to_bits((float)i) | (a & RF_NUM_F32_SIGN);
}

static inline uint64_t rf_num_f64_trunc(uint64_t a) {
    if ((a & ~RF_NUM_F64_SIGN) >= RF_NUM_F64_2P52) return rf_num_f64_keep(a);
    double t = (double)(int64_t)rf_num_f64_from_bits(a);
    return rf_num_f64_to_bits(t) | (a & RF_NUM_F64_SIGN);
}

static inline uint64_t rf_num_f64_floor(uint64_t a) {
    if ((a & ~RF_NUM_F64_SIGN) >= RF_NUM_F64_2P52) return rf_num_f64_keep(a);
    double x = rf_num_f64_from_bits(a);
    double t = (double)(int64_t)x;
    if (t > x) t -= 1.0;
    return rf_num_f64_to_bits(t) | (a & RF_NUM_F64_SIGN);
}

static inline uint64_t rf_num_f64_ceil(uint64_t a) {
    if ((a & ~RF_NUM_F64_SIGN) >= RF_NUM_F64_2P52) return rf_num_f64_keep(a);
    double x = rf_num_f64_from_bits(a);
    double t = (double)(int64_t)x;
    if (t < x) t += 1.0;
    return rf_num_f64_to_bits(t) | (a & RF_NUM_F64_SIGN);
}

static inline uint64_t rf_num_f64_nearest(uint64_t a) {
    if ((a & ~RF_NUM_F64_SIGN) >= RF_NUM_F64_2P52) return rf_num_f64_keep(a);
    double x = rf_num_f64_from_bits(a);
    int64_t i = (int64_t)x;
    double frac = x - (double)i;
    uint64_t odd = (uint64_t)i & 1u;
    if (frac > 0.5 || (frac == 0.5 && odd)) i += 1;
    else if (frac < -0.5 || (frac == -0.5 && odd)) i -= 1;
    return rf_num_f64_to_bits((double)i) | (a & RF_NUM_F64_SIGN);
}

/* ---- comparisons (IEEE: NaN is unordered) --------------------------------- */

static inline uint32_t rf_num_f32_eq(uint32_t a, uint32_t b) {
    return rf_num_f32_from_bits(a) == rf_num_f32_from_bits(b);
}
static inline uint32_t rf_num_f32_ne(uint32_t a, uint32_t b) {
    return rf_num_f32_from_bits(a) != rf_num_f32_from_bits(b);
}
static inline uint32_t rf_num_f32_lt(uint32_t a, uint32_t b) {
    return rf_num_f32_from_bits(a) < rf_num_f32_from_bits(b);
}
static inline uint32_t rf_num_f32_gt(uint32_t a, uint32_t b) {
    return rf_num_f32_from_bits(a) > rf_num_f32_from_bits(b);
}
static inline uint32_t rf_num_f32_le(uint32_t a, uint32_t b) {
    return rf_num_f32_from_bits(a) <= rf_num_f32_from_bits(b);
}
static inline uint32_t rf_num_f32_ge(uint32_t a, uint32_t b) {
    return rf_num_f32_from_bits(a) >= rf_num_f32_from_bits(b);
}

static inline uint32_t rf_num_f64_eq(uint64_t a, uint64_t b) {
    return rf_num_f64_from_bits(a) == rf_num_f64_from_bits(b);
}
static inline uint32_t rf_num_f64_ne(uint64_t a, uint64_t b) {
    return rf_num_f64_from_bits(a) != rf_num_f64_from_bits(b);
}
static inline uint32_t rf_num_f64_lt(uint64_t a, uint64_t b) {
    return rf_num_f64_from_bits(a) < rf_num_f64_from_bits(b);
}
static inline uint32_t rf_num_f64_gt(uint64_t a, uint64_t b) {
    return rf_num_f64_from_bits(a) > rf_num_f64_from_bits(b);
}
static inline uint32_t rf_num_f64_le(uint64_t a, uint64_t b) {
    return rf_num_f64_from_bits(a) <= rf_num_f64_from_bits(b);
}
static inline uint32_t rf_num_f64_ge(uint64_t a, uint64_t b) {
    return rf_num_f64_from_bits(a) >= rf_num_f64_from_bits(b);
}

#endif /* RF_NUMERIC_FLOAT_H */
