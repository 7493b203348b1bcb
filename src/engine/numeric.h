/*
 * numeric.h — the exact numeric semantics of WebAssembly 2.0 (integer and
 * floating-point operators, conversions, little-endian memory access) as
 * small static inline functions, shared by the interpreter's instruction
 * handlers and by anything else that must compute like WebAssembly does.
 *
 * Conventions (all rf_num_* functions):
 *   - Every value is passed and returned as its bit pattern: i32 and f32 as
 *     uint32_t, i64 and f64 as uint64_t, matching the interpreter's slots.
 *     Floats are never passed as C float/double, so NaN payloads survive.
 *   - Integer arithmetic is done on unsigned types only (no signed overflow);
 *     a signed view is taken through rf_num_s32/s64 where C needs one.
 *   - Boolean results (comparisons, eqz) are uint32_t 0 or 1, like i32.
 *   - Operators that can trap return 0 or an rf_trap code and write their
 *     result through `out` only when they return 0.
 *
 * The layer is split by concern:
 *   numeric.h        platform requirements, bit casts, memory access
 *   numeric_int.h    i32/i64 operators
 *   numeric_float.h  f32/f64 operators
 *   numeric_conv.h   conversions between the four value types
 *
 * Floating-point requirements (checked below where the preprocessor can):
 *   - IEEE 754 binary32/binary64 evaluated in their own precision (SSE2 on
 *     x86-64, never x87): FLT_EVAL_METHOD == 0.
 *   - No -ffast-math or -ffinite-math-only (they break NaN and -0 handling).
 *   - No contraction of a*b+c into a fused multiply-add across operators:
 *     build with -ffp-contract=off. It is GCC's default under -std=c11, but
 *     under -std=gnu11 with FMA available (-march=haswell and later) GCC
 *     fuses rf_num_f64_add(rf_num_f64_mul(a, b), c) once inlined, and the
 *     preprocessor cannot tell. Clang contracts only within one expression,
 *     which never spans two rf_num_* calls.
 *   - Arithmetic (add/sub/mul/div/sqrt, conversions) assumes the default
 *     rounding mode, round-to-nearest-even, which is what WebAssembly
 *     requires; the engine never changes it. ceil/floor/trunc/nearest do not
 *     depend on the rounding mode at all.
 *   - NaN results of arithmetic are "arithmetic NaNs" (quiet bit set), which
 *     x86 SSE guarantees for add/sub/mul/div/sqrt; the operators written by
 *     hand here (min, max, rounding, promote, demote) quiet NaNs explicitly.
 */
#ifndef RF_NUMERIC_H
#define RF_NUMERIC_H

#include "reflow/engine.h"

#include <float.h>
#include <stdint.h>
#include <string.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "numeric.h needs float/double evaluated in their own precision (SSE2, not x87)"
#endif
#if defined(__FAST_MATH__) || (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#error "numeric.h must not be built with -ffast-math / -ffinite-math-only"
#endif
/* GCC sets this to 0 under options that break IEEE semantics, such as
 * -fno-signed-zeros or an explicit -ffp-contract=fast. */
#if defined(__GCC_IEC_559) && __GCC_IEC_559 == 0
#error "numeric.h needs IEEE 754 semantics (no -fno-signed-zeros, -ffp-contract=fast, ...)"
#endif
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "numeric.h supports little-endian hosts only (memory access has no byte swapping)"
#endif

_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE binary32/binary64 expected");
_Static_assert(FLT_MANT_DIG == 24 && DBL_MANT_DIG == 53, "IEEE binary32/binary64 expected");

/* ---- bit casts ------------------------------------------------------------ */

static inline float rf_num_f32_from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint32_t rf_num_f32_to_bits(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

static inline double rf_num_f64_from_bits(uint64_t bits) {
    double f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint64_t rf_num_f64_to_bits(double f) {
    uint64_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

/* Signed views of integer bit patterns. int32_t/int64_t are two's complement
 * without padding (C11 7.20.1.1), so copying the bytes is exact and defined,
 * unlike converting an out-of-range unsigned value (implementation-defined). */
static inline int32_t rf_num_s32(uint32_t x) {
    int32_t s;
    memcpy(&s, &x, sizeof s);
    return s;
}

static inline int64_t rf_num_s64(uint64_t x) {
    int64_t s;
    memcpy(&s, &x, sizeof s);
    return s;
}

/* ---- little-endian memory access (any alignment) -------------------------- */

static inline uint32_t rf_num_load_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t rf_num_load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t rf_num_load_u64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void rf_num_store_u16(uint8_t *p, uint32_t v) {
    uint16_t w = (uint16_t)v;
    memcpy(p, &w, sizeof w);
}

static inline void rf_num_store_u32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, sizeof v);
}

static inline void rf_num_store_u64(uint8_t *p, uint64_t v) {
    memcpy(p, &v, sizeof v);
}

#include "numeric_int.h"
#include "numeric_float.h"
#include "numeric_conv.h"

#endif /* RF_NUMERIC_H */
