/*
 * test_numeric.c — the corner cases of numeric.h: bit counts of 0, shift and
 * rotate counts of the width and more, division traps and INT_MIN / -1,
 * every boundary of every float -> integer truncation, round-half-even,
 * signed zeros and NaN payloads in min/max/abs/neg/copysign, and correctly
 * rounded integer -> float conversion beyond 2^53.
 *
 * Expected values are written out as bit patterns from the IEEE formats, or
 * come from independent references: an integer-only rounding routine for
 * integer -> float, and libm (floorf, nearbyint, ...) for rounding functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "numeric.h"

/* Values passed through a volatile are unknown to the optimiser, so the
 * arithmetic below runs on the FPU rather than being constant-folded. */
static uint32_t opaque32(uint32_t x) {
    volatile uint32_t v = x;
    return v;
}

static uint64_t opaque64(uint64_t x) {
    volatile uint64_t v = x;
    return v;
}

static uint32_t f32b(float f) { return rf_num_f32_to_bits(f); }
static uint64_t f64b(double f) { return rf_num_f64_to_bits(f); }

/* A small deterministic generator (xorshift64*), local to the tests. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Du;
}

/* ---- integers ------------------------------------------------------------- */

static void test_bit_counts(void **state) {
    (void)state;
    assert_int_equal(rf_num_i32_clz(0), 32);
    assert_int_equal(rf_num_i32_ctz(0), 32);
    assert_int_equal(rf_num_i32_popcnt(0), 0);
    assert_int_equal(rf_num_i32_clz(1), 31);
    assert_int_equal(rf_num_i32_clz(0x80000000u), 0);
    assert_int_equal(rf_num_i32_ctz(0x80000000u), 31);
    assert_int_equal(rf_num_i32_ctz(1), 0);
    assert_int_equal(rf_num_i32_popcnt(0xFFFFFFFFu), 32);
    assert_int_equal(rf_num_i32_popcnt(0x00A05001u), 5);

    assert_int_equal(rf_num_i64_clz(0), 64);
    assert_int_equal(rf_num_i64_ctz(0), 64);
    assert_int_equal(rf_num_i64_popcnt(0), 0);
    assert_int_equal(rf_num_i64_clz(1), 63);
    assert_int_equal(rf_num_i64_clz(0x0000000100000000u), 31);
    assert_int_equal(rf_num_i64_ctz(0x0000000100000000u), 32);
    assert_int_equal(rf_num_i64_ctz(0x8000000000000000u), 63);
    assert_int_equal(rf_num_i64_popcnt(0xFFFFFFFFFFFFFFFFu), 64);
    assert_int_equal(rf_num_i64_popcnt(0x8000000000000001u), 2);
}

static void test_shifts(void **state) {
    (void)state;
    /* counts are taken modulo the width */
    assert_int_equal(rf_num_i32_shl(1, 31), 0x80000000u);
    assert_int_equal(rf_num_i32_shl(1, 32), 1);
    assert_int_equal(rf_num_i32_shl(1, 33), 2);
    assert_int_equal(rf_num_i32_shl(1, 0xFFFFFFFFu), 0x80000000u);
    assert_int_equal(rf_num_i32_shr_u(0x80000000u, 31), 1);
    assert_int_equal(rf_num_i32_shr_u(0x80000000u, 32), 0x80000000u);
    assert_int_equal(rf_num_i32_shr_s(0x80000000u, 31), 0xFFFFFFFFu);
    assert_int_equal(rf_num_i32_shr_s(0x80000000u, 32), 0x80000000u);
    assert_int_equal(rf_num_i32_shr_s(0x80000000u, 1), 0xC0000000u);
    assert_int_equal(rf_num_i32_shr_s(0x7FFFFFFFu, 1), 0x3FFFFFFFu);
    assert_int_equal(rf_num_i32_shr_s(0xFFFFFFF0u, 2), 0xFFFFFFFCu);   /* -16 >> 2 = -4 */
    assert_int_equal(rf_num_i32_shr_s(0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFFu);

    assert_true(rf_num_i64_shl(1, 63) == 0x8000000000000000u);
    assert_true(rf_num_i64_shl(1, 64) == 1);
    assert_true(rf_num_i64_shl(1, 65) == 2);
    assert_true(rf_num_i64_shl(1, 32) == 0x100000000u);   /* not reduced modulo 32 */
    assert_true(rf_num_i64_shr_u(0x8000000000000000u, 64) == 0x8000000000000000u);
    assert_true(rf_num_i64_shr_u(0x8000000000000000u, 63) == 1);
    assert_true(rf_num_i64_shr_s(0x8000000000000000u, 63) == 0xFFFFFFFFFFFFFFFFu);
    assert_true(rf_num_i64_shr_s(0x8000000000000000u, 0xFFFFFFFFFFFFFFC1u) == 0xC000000000000000u);
    assert_true(rf_num_i64_shr_s(0x4000000000000000u, 62) == 1);
}

static void test_rotations(void **state) {
    (void)state;
    assert_int_equal(rf_num_i32_rotl(0x80000001u, 1), 0x00000003u);
    assert_int_equal(rf_num_i32_rotl(0x12345678u, 0), 0x12345678u);
    assert_int_equal(rf_num_i32_rotl(0x12345678u, 32), 0x12345678u);
    assert_int_equal(rf_num_i32_rotl(0x12345678u, 36), 0x23456781u);
    assert_int_equal(rf_num_i32_rotr(0x12345678u, 4), 0x81234567u);
    assert_int_equal(rf_num_i32_rotr(0x12345678u, 0xFFFFFFFCu), 0x23456781u);   /* 28 */
    assert_int_equal(rf_num_i32_rotr(0x00000001u, 1), 0x80000000u);

    assert_true(rf_num_i64_rotl(0x8000000000000001u, 1) == 3);
    assert_true(rf_num_i64_rotl(0x0123456789ABCDEFu, 64) == 0x0123456789ABCDEFu);
    assert_true(rf_num_i64_rotl(0x0123456789ABCDEFu, 4) == 0x123456789ABCDEF0u);
    assert_true(rf_num_i64_rotr(0x0123456789ABCDEFu, 4) == 0xF0123456789ABCDEu);
    assert_true(rf_num_i64_rotr(0x0123456789ABCDEFu, 0) == 0x0123456789ABCDEFu);
    assert_true(rf_num_i64_rotr(0x0123456789ABCDEFu, 68) == 0xF0123456789ABCDEu);
    assert_true(rf_num_i64_rotr(1, 32) == 0x100000000u);
}

static void test_division_i32(void **state) {
    (void)state;
    uint32_t out = 0xDEADBEEFu;
    assert_int_equal(rf_num_i32_div_s(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i32_div_u(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i32_rem_s(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i32_rem_u(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i32_div_s(0x80000000u, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i32_div_s(0x80000000u, 0xFFFFFFFFu, &out), RF_TRAP_INT_OVERFLOW);
    assert_int_equal(out, 0xDEADBEEFu);   /* untouched on a trap */

    assert_int_equal(rf_num_i32_rem_s(0x80000000u, 0xFFFFFFFFu, &out), 0);
    assert_int_equal(out, 0);
    assert_int_equal(rf_num_i32_rem_s(7, 0xFFFFFFFFu, &out), 0);
    assert_int_equal(out, 0);
    assert_int_equal(rf_num_i32_div_s(0x80000000u, 1, &out), 0);
    assert_int_equal(out, 0x80000000u);
    assert_int_equal(rf_num_i32_div_s(0x80000000u, 2, &out), 0);
    assert_int_equal(out, 0xC0000000u);
    /* truncation toward zero; the remainder takes the dividend's sign */
    assert_int_equal(rf_num_i32_div_s(0xFFFFFFF9u, 2, &out), 0);   /* -7 / 2 */
    assert_int_equal(out, 0xFFFFFFFDu);                              /* -3 */
    assert_int_equal(rf_num_i32_rem_s(0xFFFFFFF9u, 2, &out), 0);   /* -7 % 2 */
    assert_int_equal(out, 0xFFFFFFFFu);                              /* -1 */
    assert_int_equal(rf_num_i32_rem_s(7, 0xFFFFFFFEu, &out), 0);   /* 7 % -2 */
    assert_int_equal(out, 1);
    assert_int_equal(rf_num_i32_div_u(0xFFFFFFFFu, 2, &out), 0);
    assert_int_equal(out, 0x7FFFFFFFu);
    assert_int_equal(rf_num_i32_rem_u(0xFFFFFFFFu, 10, &out), 0);
    assert_int_equal(out, 5);
    assert_int_equal(rf_num_i32_div_u(0x80000000u, 0xFFFFFFFFu, &out), 0);
    assert_int_equal(out, 0);
}

static void test_division_i64(void **state) {
    (void)state;
    uint64_t out = 0xDEADBEEFu;
    const uint64_t min = 0x8000000000000000u, minus1 = 0xFFFFFFFFFFFFFFFFu;
    assert_int_equal(rf_num_i64_div_s(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i64_div_u(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i64_rem_s(min, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i64_rem_u(1, 0, &out), RF_TRAP_DIV_BY_ZERO);
    assert_int_equal(rf_num_i64_div_s(min, minus1, &out), RF_TRAP_INT_OVERFLOW);
    assert_true(out == 0xDEADBEEFu);
    assert_int_equal(rf_num_i64_rem_s(min, minus1, &out), 0);
    assert_true(out == 0);
    assert_int_equal(rf_num_i64_div_s(min + 1, minus1, &out), 0);
    assert_true(out == 0x7FFFFFFFFFFFFFFFu);
    assert_int_equal(rf_num_i64_div_s(0xFFFFFFFFFFFFFFF9u, 2, &out), 0);
    assert_true(out == 0xFFFFFFFFFFFFFFFDu);
    assert_int_equal(rf_num_i64_rem_s(0xFFFFFFFFFFFFFFF9u, 2, &out), 0);
    assert_true(out == minus1);
    assert_int_equal(rf_num_i64_div_u(minus1, 0x100000000u, &out), 0);
    assert_true(out == 0xFFFFFFFFu);
    assert_int_equal(rf_num_i64_rem_u(minus1, 0x100000000u, &out), 0);
    assert_true(out == 0xFFFFFFFFu);
}

static void test_sign_extension(void **state) {
    (void)state;
    assert_int_equal(rf_num_i32_extend8_s(0x7F), 0x7F);
    assert_int_equal(rf_num_i32_extend8_s(0x80), 0xFFFFFF80u);
    assert_int_equal(rf_num_i32_extend8_s(0x12345680u), 0xFFFFFF80u);
    assert_int_equal(rf_num_i32_extend8_s(0xFFFFFF00u), 0);
    assert_int_equal(rf_num_i32_extend16_s(0x8000), 0xFFFF8000u);
    assert_int_equal(rf_num_i32_extend16_s(0xFFFF7FFFu), 0x7FFF);
    assert_true(rf_num_i64_extend8_s(0xFF) == 0xFFFFFFFFFFFFFFFFu);
    assert_true(rf_num_i64_extend16_s(0x12348000u) == 0xFFFFFFFFFFFF8000u);
    assert_true(rf_num_i64_extend32_s(0x80000000u) == 0xFFFFFFFF80000000u);
    assert_true(rf_num_i64_extend32_s(0xFFFFFFFF7FFFFFFFu) == 0x7FFFFFFFu);
    assert_true(rf_num_i64_extend_i32_s(0x80000000u) == 0xFFFFFFFF80000000u);
    assert_true(rf_num_i64_extend_i32_s(0x7FFFFFFFu) == 0x7FFFFFFFu);
    assert_true(rf_num_i64_extend_i32_u(0x80000000u) == 0x80000000u);
    assert_int_equal(rf_num_i32_wrap_i64(0x123456789ABCDEF0u), 0x9ABCDEF0u);
}

static void test_signed_compare(void **state) {
    (void)state;
    assert_int_equal(rf_num_i32_lt_s(0x80000000u, 0x7FFFFFFFu), 1);
    assert_int_equal(rf_num_i32_lt_s(0xFFFFFFFFu, 0), 1);
    assert_int_equal(rf_num_i32_lt_s(0, 0xFFFFFFFFu), 0);
    assert_int_equal(rf_num_i32_gt_s(0, 0xFFFFFFFFu), 1);
    assert_int_equal(rf_num_i32_le_s(5, 5), 1);
    assert_int_equal(rf_num_i32_ge_s(0x80000000u, 0x80000000u), 1);
    assert_int_equal(rf_num_i32_ge_s(0x80000000u, 0x80000001u), 0);
    assert_int_equal(rf_num_i64_lt_s(0x8000000000000000u, 0), 1);
    assert_int_equal(rf_num_i64_gt_s(1, 0xFFFFFFFFFFFFFFFFu), 1);
    assert_int_equal(rf_num_i64_le_s(0xFFFFFFFFFFFFFFFFu, 0xFFFFFFFFFFFFFFFEu), 0);
    assert_int_equal(rf_num_i64_ge_s(0x7FFFFFFFFFFFFFFFu, 0x8000000000000000u), 1);
}

/* ---- floats: sign operations, min/max, comparisons ------------------------ */

#define F32_SNAN 0x7FA00001u    /* signalling NaN, payload 0x200001 */
#define F32_QNAN 0x7FC00000u    /* canonical */
#define F64_SNAN 0x7FF4000000000001u
#define F64_QNAN 0x7FF8000000000000u

static void test_sign_ops_keep_nan_payload(void **state) {
    (void)state;
    assert_int_equal(rf_num_f32_abs(0xFFA00001u), F32_SNAN);
    assert_int_equal(rf_num_f32_neg(F32_SNAN), 0xFFA00001u);
    assert_int_equal(rf_num_f32_copysign(F32_SNAN, 0x80000000u), 0xFFA00001u);
    assert_int_equal(rf_num_f32_copysign(0xFFA00001u, 0x7F800001u), F32_SNAN);
    assert_int_equal(rf_num_f32_abs(0x80000000u), 0);
    assert_int_equal(rf_num_f32_neg(0), 0x80000000u);
    assert_int_equal(rf_num_f32_copysign(f32b(2.5f), 0xFFFFFFFFu), f32b(-2.5f));

    assert_true(rf_num_f64_abs(0xFFF4000000000001u) == F64_SNAN);
    assert_true(rf_num_f64_neg(F64_SNAN) == 0xFFF4000000000001u);
    assert_true(rf_num_f64_copysign(F64_SNAN, f64b(-1.0)) == 0xFFF4000000000001u);
    assert_true(rf_num_f64_copysign(f64b(-3.0), f64b(0.0)) == f64b(3.0));
    assert_true(rf_num_f64_neg(0) == 0x8000000000000000u);
}

static void test_min_max(void **state) {
    (void)state;
    const uint32_t pz = 0, nz = 0x80000000u;
    assert_int_equal(rf_num_f32_min(nz, pz), nz);
    assert_int_equal(rf_num_f32_min(pz, nz), nz);
    assert_int_equal(rf_num_f32_max(nz, pz), pz);
    assert_int_equal(rf_num_f32_max(pz, nz), pz);
    assert_int_equal(rf_num_f32_min(pz, pz), pz);
    assert_int_equal(rf_num_f32_max(nz, nz), nz);
    assert_int_equal(rf_num_f32_min(f32b(1.0f), f32b(-2.0f)), f32b(-2.0f));
    assert_int_equal(rf_num_f32_max(f32b(1.0f), f32b(-2.0f)), f32b(1.0f));
    assert_int_equal(rf_num_f32_min(0xFF800000u, f32b(1.0f)), 0xFF800000u);
    assert_int_equal(rf_num_f32_max(0x7F800000u, f32b(1.0f)), 0x7F800000u);
    /* a NaN operand wins and comes back quieted, payload kept */
    assert_int_equal(rf_num_f32_min(F32_SNAN, f32b(1.0f)), 0x7FE00001u);
    assert_int_equal(rf_num_f32_min(f32b(1.0f), F32_SNAN), 0x7FE00001u);
    assert_int_equal(rf_num_f32_max(0xFFC00000u, 0xFF800000u), 0xFFC00000u);
    assert_int_equal(rf_num_f32_max(nz, F32_QNAN), F32_QNAN);
    assert_true(rf_num_f32_is_nan(rf_num_f32_min(F32_QNAN, F32_SNAN)));

    const uint64_t dpz = 0, dnz = 0x8000000000000000u;
    assert_true(rf_num_f64_min(dnz, dpz) == dnz);
    assert_true(rf_num_f64_min(dpz, dnz) == dnz);
    assert_true(rf_num_f64_max(dnz, dpz) == dpz);
    assert_true(rf_num_f64_max(dpz, dnz) == dpz);
    assert_true(rf_num_f64_min(f64b(-1e300), f64b(1e-300)) == f64b(-1e300));
    assert_true(rf_num_f64_max(f64b(-1e300), f64b(1e-300)) == f64b(1e-300));
    assert_true(rf_num_f64_min(F64_SNAN, f64b(0.0)) == 0x7FFC000000000001u);
    assert_true(rf_num_f64_max(f64b(0.0), F64_SNAN) == 0x7FFC000000000001u);
    assert_true(rf_num_f64_max(F64_QNAN, 0xFFF0000000000000u) == F64_QNAN);
}

static void test_float_compare(void **state) {
    (void)state;
    const uint32_t n = F32_QNAN, one = f32b(1.0f);
    assert_int_equal(rf_num_f32_eq(n, n), 0);
    assert_int_equal(rf_num_f32_ne(n, n), 1);
    assert_int_equal(rf_num_f32_ne(n, one), 1);
    assert_int_equal(rf_num_f32_lt(n, one), 0);
    assert_int_equal(rf_num_f32_gt(one, n), 0);
    assert_int_equal(rf_num_f32_le(n, one), 0);
    assert_int_equal(rf_num_f32_ge(one, n), 0);
    assert_int_equal(rf_num_f32_eq(0, 0x80000000u), 1);   /* +0 == -0 */
    assert_int_equal(rf_num_f32_lt(0x80000000u, 0), 0);
    assert_int_equal(rf_num_f32_le(0x80000000u, 0), 1);
    assert_int_equal(rf_num_f32_lt(0xFF800000u, 0xFF7FFFFFu), 1);
    assert_int_equal(rf_num_f32_eq(one, one), 1);

    const uint64_t dn = 0xFFF8000000000001u, dtwo = f64b(2.0);
    assert_int_equal(rf_num_f64_eq(dn, dn), 0);
    assert_int_equal(rf_num_f64_ne(dn, dtwo), 1);
    assert_int_equal(rf_num_f64_lt(dtwo, dn), 0);
    assert_int_equal(rf_num_f64_ge(dn, dtwo), 0);
    assert_int_equal(rf_num_f64_gt(dtwo, f64b(1.0)), 1);
    assert_int_equal(rf_num_f64_ge(0x8000000000000000u, 0), 1);
    assert_int_equal(rf_num_f64_le(dtwo, dtwo), 1);
    assert_int_equal(rf_num_f64_eq(dtwo, dtwo), 1);
    assert_int_equal(rf_num_f64_ne(dtwo, dtwo), 0);
}

static void test_arithmetic(void **state) {
    (void)state;
    assert_int_equal(rf_num_f32_add(opaque32(f32b(1.0f)), opaque32(f32b(0x1p-24f))), f32b(1.0f));
    assert_int_equal(rf_num_f32_add(opaque32(f32b(1.0f)), opaque32(f32b(0x1.8p-24f))),
                     f32b(0x1.000002p0f));
    assert_int_equal(rf_num_f32_sub(opaque32(0), opaque32(0)), 0);
    assert_int_equal(rf_num_f32_sub(opaque32(0x80000000u), opaque32(0)), 0x80000000u);
    assert_int_equal(rf_num_f32_mul(opaque32(f32b(0x1p100f)), opaque32(f32b(0x1p100f))), 0x7F800000u);
    assert_int_equal(rf_num_f32_div(opaque32(f32b(1.0f)), opaque32(0x80000000u)), 0xFF800000u);
    assert_int_equal(rf_num_f32_sqrt(opaque32(f32b(2.0f))), 0x3FB504F3u);
    assert_int_equal(rf_num_f32_sqrt(opaque32(0x80000000u)), 0x80000000u);
    assert_true(rf_num_f64_mul(opaque64(f64b(0.1)), opaque64(f64b(3.0))) == 0x3FD3333333333334u);
    assert_true(rf_num_f64_add(opaque64(f64b(1e308)), opaque64(f64b(1e308))) == 0x7FF0000000000000u);
    assert_true(rf_num_f64_sqrt(opaque64(f64b(2.0))) == 0x3FF6A09E667F3BCDu);
    assert_true(rf_num_f64_div(opaque64(f64b(1.0)), opaque64(f64b(3.0))) == 0x3FD5555555555555u);
    assert_true(rf_num_f64_sub(opaque64(f64b(1.0)), opaque64(f64b(1.0))) == 0);

    /* NaN results are arithmetic: quiet bit set */
    uint32_t r = rf_num_f32_add(opaque32(F32_SNAN), opaque32(f32b(1.0f)));
    assert_true(rf_num_f32_is_nan(r) && (r & RF_NUM_F32_QUIET));
    r = rf_num_f32_sub(opaque32(0x7F800000u), opaque32(0x7F800000u));
    assert_true(rf_num_f32_is_nan(r) && (r & RF_NUM_F32_QUIET));
    r = rf_num_f32_sqrt(opaque32(f32b(-1.0f)));
    assert_true(rf_num_f32_is_nan(r) && (r & RF_NUM_F32_QUIET));
    r = rf_num_f32_sqrt(opaque32(F32_SNAN));
    assert_true(rf_num_f32_is_nan(r) && (r & RF_NUM_F32_QUIET));
    uint64_t d = rf_num_f64_mul(opaque64(F64_SNAN), opaque64(f64b(2.0)));
    assert_true(rf_num_f64_is_nan(d) && (d & RF_NUM_F64_QUIET));
    d = rf_num_f64_div(opaque64(0), opaque64(0));
    assert_true(rf_num_f64_is_nan(d) && (d & RF_NUM_F64_QUIET));
}

/* ---- floats: rounding to integral ----------------------------------------- */

static void test_nearest_f32(void **state) {
    (void)state;
    static const struct { float in, out; } cases[] = {
        { 0.5f, 0.0f }, { 1.5f, 2.0f }, { 2.5f, 2.0f }, { 3.5f, 4.0f },
        { -0.5f, -0.0f }, { -1.5f, -2.0f }, { -2.5f, -2.0f }, { 0.49999997f, 0.0f },
        { 0.50000006f, 1.0f }, { -0.4f, -0.0f }, { 1.4f, 1.0f }, { -1.6f, -2.0f },
        { 0x1p-149f, 0.0f }, { -0x1p-149f, -0.0f }, { 0x1p-126f, 0.0f },
        { 8388607.5f, 8388608.0f }, { 8388606.5f, 8388606.0f }, { -8388607.5f, -8388608.0f },
        { 8388609.0f, 8388609.0f }, { 0x1p30f, 0x1p30f }, { -0x1.fffffep127f, -0x1.fffffep127f },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(rf_num_f32_nearest(f32b(cases[i].in)), f32b(cases[i].out));
    assert_int_equal(rf_num_f32_nearest(0x80000000u), 0x80000000u);
    assert_int_equal(rf_num_f32_nearest(0), 0);
    assert_int_equal(rf_num_f32_nearest(0x7F800000u), 0x7F800000u);
    assert_int_equal(rf_num_f32_nearest(0xFF800000u), 0xFF800000u);
    assert_int_equal(rf_num_f32_nearest(F32_SNAN), 0x7FE00001u);     /* quieted, payload kept */
    assert_int_equal(rf_num_f32_nearest(0xFFC12345u), 0xFFC12345u);  /* quiet NaN untouched */
}

static void test_nearest_f64(void **state) {
    (void)state;
    static const struct { double in, out; } cases[] = {
        { 0.5, 0.0 }, { 1.5, 2.0 }, { 2.5, 2.0 }, { -0.5, -0.0 }, { -2.5, -2.0 }, { -3.5, -4.0 },
        { 0.49999999999999994, 0.0 }, { -0.49999999999999994, -0.0 }, { 0x1p-1074, 0.0 },
        { 4503599627370495.5, 4503599627370496.0 }, { 4503599627370494.5, 4503599627370494.0 },
        { -4503599627370495.5, -4503599627370496.0 }, { 4503599627370497.0, 4503599627370497.0 },
        { 0x1p62, 0x1p62 }, { 1e300, 1e300 }, { -1.7976931348623157e308, -1.7976931348623157e308 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_true(rf_num_f64_nearest(f64b(cases[i].in)) == f64b(cases[i].out));
    assert_true(rf_num_f64_nearest(0x8000000000000000u) == 0x8000000000000000u);
    assert_true(rf_num_f64_nearest(0xFFF0000000000000u) == 0xFFF0000000000000u);
    assert_true(rf_num_f64_nearest(F64_SNAN) == 0x7FFC000000000001u);
    assert_true(rf_num_f64_nearest(0xFFF8000000000123u) == 0xFFF8000000000123u);
}

static void test_ceil_floor_trunc(void **state) {
    (void)state;
    assert_int_equal(rf_num_f32_ceil(f32b(-0.5f)), 0x80000000u);
    assert_int_equal(rf_num_f32_ceil(f32b(0.5f)), f32b(1.0f));
    assert_int_equal(rf_num_f32_ceil(f32b(-1.5f)), f32b(-1.0f));
    assert_int_equal(rf_num_f32_ceil(0x00000001u), f32b(1.0f));
    assert_int_equal(rf_num_f32_ceil(0x80000001u), 0x80000000u);
    assert_int_equal(rf_num_f32_floor(f32b(-0.5f)), f32b(-1.0f));
    assert_int_equal(rf_num_f32_floor(f32b(0.5f)), 0);
    assert_int_equal(rf_num_f32_floor(0x80000000u), 0x80000000u);
    assert_int_equal(rf_num_f32_floor(0x80000001u), f32b(-1.0f));
    assert_int_equal(rf_num_f32_floor(f32b(8388607.5f)), f32b(8388607.0f));
    assert_int_equal(rf_num_f32_trunc(f32b(-0.9f)), 0x80000000u);
    assert_int_equal(rf_num_f32_trunc(f32b(-8388607.5f)), f32b(-8388607.0f));
    assert_int_equal(rf_num_f32_trunc(0x7F7FFFFFu), 0x7F7FFFFFu);   /* FLT_MAX, no overflow */
    assert_int_equal(rf_num_f32_ceil(0x7F7FFFFFu), 0x7F7FFFFFu);
    assert_int_equal(rf_num_f32_floor(0xFF800000u), 0xFF800000u);
    assert_int_equal(rf_num_f32_ceil(F32_SNAN), 0x7FE00001u);
    assert_int_equal(rf_num_f32_floor(0xFFA00001u), 0xFFE00001u);
    assert_int_equal(rf_num_f32_trunc(F32_QNAN), F32_QNAN);

    assert_true(rf_num_f64_ceil(f64b(-0.5)) == 0x8000000000000000u);
    assert_true(rf_num_f64_ceil(f64b(0x1p-1074)) == f64b(1.0));
    assert_true(rf_num_f64_floor(f64b(-0x1p-1074)) == f64b(-1.0));
    assert_true(rf_num_f64_floor(f64b(4503599627370495.5)) == f64b(4503599627370495.0));
    assert_true(rf_num_f64_ceil(f64b(4503599627370495.5)) == f64b(4503599627370496.0));
    assert_true(rf_num_f64_trunc(f64b(-4503599627370495.5)) == f64b(-4503599627370495.0));
    assert_true(rf_num_f64_trunc(f64b(-0.99)) == 0x8000000000000000u);
    assert_true(rf_num_f64_ceil(0x7FEFFFFFFFFFFFFFu) == 0x7FEFFFFFFFFFFFFFu);
    assert_true(rf_num_f64_trunc(F64_SNAN) == 0x7FFC000000000001u);
    assert_true(rf_num_f64_floor(0x7FF0000000000000u) == 0x7FF0000000000000u);
}

/* Rounding functions against libm on random bit patterns (libm's results for
 * non-NaN inputs are exact; nearbyint rounds half to even in the default
 * mode). NaNs must come back as the input with the quiet bit set. */
static void test_rounding_against_libm(void **state) {
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next_random(&seed);
        /* bias half the samples towards exponents where rounding happens */
        uint32_t a = (uint32_t)r;
        if (r & (1ull << 40)) a = (a & 0x807FFFFFu) | ((uint32_t)(120 + (r >> 41) % 36) << 23);
        float x = rf_num_f32_from_bits(a);
        if (rf_num_f32_is_nan(a)) {
            assert_int_equal(rf_num_f32_nearest(a), a | RF_NUM_F32_QUIET);
            assert_int_equal(rf_num_f32_floor(a), a | RF_NUM_F32_QUIET);
            continue;
        }
        assert_int_equal(rf_num_f32_nearest(a), f32b(nearbyintf(x)));
        assert_int_equal(rf_num_f32_floor(a), f32b(floorf(x)));
        assert_int_equal(rf_num_f32_ceil(a), f32b(ceilf(x)));
        assert_int_equal(rf_num_f32_trunc(a), f32b(truncf(x)));

        uint64_t b = next_random(&seed);
        if (r & (1ull << 39)) b = (b & 0x800FFFFFFFFFFFFFu) | ((uint64_t)(1015 + (r >> 20) % 64) << 52);
        double y = rf_num_f64_from_bits(b);
        if (rf_num_f64_is_nan(b)) {
            assert_true(rf_num_f64_ceil(b) == (b | RF_NUM_F64_QUIET));
            continue;
        }
        assert_true(rf_num_f64_nearest(b) == f64b(nearbyint(y)));
        assert_true(rf_num_f64_floor(b) == f64b(floor(y)));
        assert_true(rf_num_f64_ceil(b) == f64b(ceil(y)));
        assert_true(rf_num_f64_trunc(b) == f64b(trunc(y)));
    }
}

/* ---- float -> integer ----------------------------------------------------- */

#define OVF RF_TRAP_INT_OVERFLOW
#define INV RF_TRAP_INVALID_CONVERSION

/* One row: input bits, expected trap of the trapping variant (0 = none), its
 * result when it does not trap, and the saturating variant's result. */
typedef struct trunc_case {
    uint64_t in;
    int trap;
    uint64_t sat;     /* also the trapping result when trap == 0 */
} trunc_case;

typedef int (*trunc_fn)(uint64_t in, uint64_t *out);
typedef uint64_t (*sat_fn)(uint64_t in);

static int t_i32_f32_s(uint64_t in, uint64_t *out) {
    uint32_t r = 0;
    int t = rf_num_i32_trunc_f32_s((uint32_t)in, &r);
    *out = r;
    return t;
}
static int t_i32_f32_u(uint64_t in, uint64_t *out) {
    uint32_t r = 0;
    int t = rf_num_i32_trunc_f32_u((uint32_t)in, &r);
    *out = r;
    return t;
}
static int t_i32_f64_s(uint64_t in, uint64_t *out) {
    uint32_t r = 0;
    int t = rf_num_i32_trunc_f64_s(in, &r);
    *out = r;
    return t;
}
static int t_i32_f64_u(uint64_t in, uint64_t *out) {
    uint32_t r = 0;
    int t = rf_num_i32_trunc_f64_u(in, &r);
    *out = r;
    return t;
}
static int t_i64_f32_s(uint64_t in, uint64_t *out) { return rf_num_i64_trunc_f32_s((uint32_t)in, out); }
static int t_i64_f32_u(uint64_t in, uint64_t *out) { return rf_num_i64_trunc_f32_u((uint32_t)in, out); }
static int t_i64_f64_s(uint64_t in, uint64_t *out) { return rf_num_i64_trunc_f64_s(in, out); }
static int t_i64_f64_u(uint64_t in, uint64_t *out) { return rf_num_i64_trunc_f64_u(in, out); }

static uint64_t s_i32_f32_s(uint64_t in) { return rf_num_i32_trunc_sat_f32_s((uint32_t)in); }
static uint64_t s_i32_f32_u(uint64_t in) { return rf_num_i32_trunc_sat_f32_u((uint32_t)in); }
static uint64_t s_i32_f64_s(uint64_t in) { return rf_num_i32_trunc_sat_f64_s(in); }
static uint64_t s_i32_f64_u(uint64_t in) { return rf_num_i32_trunc_sat_f64_u(in); }
static uint64_t s_i64_f32_s(uint64_t in) { return rf_num_i64_trunc_sat_f32_s((uint32_t)in); }
static uint64_t s_i64_f32_u(uint64_t in) { return rf_num_i64_trunc_sat_f32_u((uint32_t)in); }
static uint64_t s_i64_f64_s(uint64_t in) { return rf_num_i64_trunc_sat_f64_s(in); }
static uint64_t s_i64_f64_u(uint64_t in) { return rf_num_i64_trunc_sat_f64_u(in); }

static void run_trunc_cases(const char *name, trunc_fn trap_fn, sat_fn sat_fn_,
                            const trunc_case *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t out = 0xAAAAAAAAAAAAAAAAu;
        int trap = trap_fn(cases[i].in, &out);
        uint64_t sat = sat_fn_(cases[i].in);
        if (trap != cases[i].trap || (trap == 0 && out != cases[i].sat) || sat != cases[i].sat)
            fail_msg("%s case %zu (input 0x%llx): trap %d result 0x%llx sat 0x%llx", name, i,
                     (unsigned long long)cases[i].in, trap, (unsigned long long)out,
                     (unsigned long long)sat);
    }
}

#define RUN_TRUNC(name, cases) \
    run_trunc_cases(#name, t_##name, s_##name, cases, sizeof cases / sizeof cases[0])

/* Inputs shared by every f32 source: zeros, subnormals, fractions, NaNs. */
#define F32_COMMON(min_sat, max_sat)                                                     \
    { 0x00000000u, 0, 0 }, { 0x80000000u, 0, 0 }, { 0x00000001u, 0, 0 },                \
    { 0x80000001u, 0, 0 }, { 0x007FFFFFu, 0, 0 }, { 0x3F7FFFFFu, 0, 0 },                \
    { 0x3FC00000u, 0, 1 }, { 0x7FC00000u, INV, 0 }, { 0xFFC00000u, INV, 0 },             \
    { 0x7FA00001u, INV, 0 }, { 0xFFFFFFFFu, INV, 0 },                                    \
    { 0x7F800000u, OVF, max_sat }, { 0xFF800000u, OVF, min_sat },                        \
    { 0x7F7FFFFFu, OVF, max_sat }, { 0xFF7FFFFFu, OVF, min_sat }

#define F64_COMMON(min_sat, max_sat)                                                     \
    { 0x0000000000000000u, 0, 0 }, { 0x8000000000000000u, 0, 0 },                        \
    { 0x0000000000000001u, 0, 0 }, { 0x8000000000000001u, 0, 0 },                        \
    { 0x3FEFFFFFFFFFFFFFu, 0, 0 }, { 0x3FF8000000000000u, 0, 1 },                        \
    { 0x7FF8000000000000u, INV, 0 }, { 0xFFF8000000000000u, INV, 0 },                    \
    { 0x7FF0000000000001u, INV, 0 }, { 0xFFFFFFFFFFFFFFFFu, INV, 0 },                    \
    { 0x7FF0000000000000u, OVF, max_sat }, { 0xFFF0000000000000u, OVF, min_sat },        \
    { 0x7FEFFFFFFFFFFFFFu, OVF, max_sat }, { 0xFFEFFFFFFFFFFFFFu, OVF, min_sat }

static void test_trunc_i32_f32(void **state) {
    (void)state;
    static const trunc_case s[] = {
        F32_COMMON(0x80000000u, 0x7FFFFFFFu),
        { 0xBF7FFFFFu, 0, 0 },                   /* -0.99999994 */
        { 0xBFC00000u, 0, 0xFFFFFFFFu },         /* -1.5 -> -1 */
        { 0xCF000000u, 0, 0x80000000u },         /* -2^31 */
        { 0xCF000001u, OVF, 0x80000000u },       /* next f32 below -2^31 */
        { 0x4EFFFFFFu, 0, 0x7FFFFF80u },         /* largest f32 below 2^31 */
        { 0x4F000000u, OVF, 0x7FFFFFFFu },       /* 2^31 */
    };
    RUN_TRUNC(i32_f32_s, s);
    static const trunc_case u[] = {
        F32_COMMON(0, 0xFFFFFFFFu),
        { 0xBF7FFFFFu, 0, 0 },                   /* -0.99999994 -> 0 */
        { 0xBF800000u, OVF, 0 },                 /* -1 */
        { 0xCF000000u, OVF, 0 },
        { 0x4F000000u, 0, 0x80000000u },         /* 2^31 */
        { 0x4F7FFFFFu, 0, 0xFFFFFF00u },         /* largest f32 below 2^32 */
        { 0x4F800000u, OVF, 0xFFFFFFFFu },       /* 2^32 */
    };
    RUN_TRUNC(i32_f32_u, u);
}

static void test_trunc_i32_f64(void **state) {
    (void)state;
    static const trunc_case s[] = {
        F64_COMMON(0x80000000u, 0x7FFFFFFFu),
        { 0xC1E0000000000000u, 0, 0x80000000u },       /* -2^31 */
        { 0xC1E00000001FFFFFu, 0, 0x80000000u },       /* -2147483648.99999... */
        { 0xC1E0000000200000u, OVF, 0x80000000u },     /* -2147483649 */
        { 0x41DFFFFFFFFFFFFFu, 0, 0x7FFFFFFFu },       /* 2147483647.9999998 */
        { 0x41E0000000000000u, OVF, 0x7FFFFFFFu },     /* 2^31 */
        { 0xBFF8000000000000u, 0, 0xFFFFFFFFu },       /* -1.5 */
    };
    RUN_TRUNC(i32_f64_s, s);
    static const trunc_case u[] = {
        F64_COMMON(0, 0xFFFFFFFFu),
        { 0xBFEFFFFFFFFFFFFFu, 0, 0 },                 /* -0.9999999999999999 */
        { 0xBFF0000000000000u, OVF, 0 },               /* -1 */
        { 0x41EFFFFFFFFFFFFFu, 0, 0xFFFFFFFFu },       /* 4294967295.9999995 */
        { 0x41F0000000000000u, OVF, 0xFFFFFFFFu },     /* 2^32 */
        { 0x41E0000000000000u, 0, 0x80000000u },
    };
    RUN_TRUNC(i32_f64_u, u);
}

static void test_trunc_i64_f32(void **state) {
    (void)state;
    static const trunc_case s[] = {
        F32_COMMON(0x8000000000000000u, 0x7FFFFFFFFFFFFFFFu),
        { 0xDF000000u, 0, 0x8000000000000000u },        /* -2^63 */
        { 0xDF000001u, OVF, 0x8000000000000000u },
        { 0x5EFFFFFFu, 0, 0x7FFFFF8000000000u },        /* largest f32 below 2^63 */
        { 0x5F000000u, OVF, 0x7FFFFFFFFFFFFFFFu },      /* 2^63 */
        { 0xCF000000u, 0, 0xFFFFFFFF80000000u },        /* -2^31 */
    };
    RUN_TRUNC(i64_f32_s, s);
    static const trunc_case u[] = {
        F32_COMMON(0, 0xFFFFFFFFFFFFFFFFu),
        { 0xBF7FFFFFu, 0, 0 },
        { 0xBF800000u, OVF, 0 },
        { 0x5F000000u, 0, 0x8000000000000000u },
        { 0x5F7FFFFFu, 0, 0xFFFFFF0000000000u },        /* largest f32 below 2^64 */
        { 0x5F800000u, OVF, 0xFFFFFFFFFFFFFFFFu },      /* 2^64 */
    };
    RUN_TRUNC(i64_f32_u, u);
}

static void test_trunc_i64_f64(void **state) {
    (void)state;
    static const trunc_case s[] = {
        F64_COMMON(0x8000000000000000u, 0x7FFFFFFFFFFFFFFFu),
        { 0xC3E0000000000000u, 0, 0x8000000000000000u },     /* -2^63 */
        { 0xC3E0000000000001u, OVF, 0x8000000000000000u },
        { 0x43DFFFFFFFFFFFFFu, 0, 0x7FFFFFFFFFFFFC00u },     /* largest f64 below 2^63 */
        { 0x43E0000000000000u, OVF, 0x7FFFFFFFFFFFFFFFu },
        { 0xC1E0000000200000u, 0, 0xFFFFFFFF7FFFFFFFu },     /* -2147483649 */
    };
    RUN_TRUNC(i64_f64_s, s);
    static const trunc_case u[] = {
        F64_COMMON(0, 0xFFFFFFFFFFFFFFFFu),
        { 0xBFEFFFFFFFFFFFFFu, 0, 0 },
        { 0xBFF0000000000000u, OVF, 0 },
        { 0x43E0000000000000u, 0, 0x8000000000000000u },
        { 0x43EFFFFFFFFFFFFFu, 0, 0xFFFFFFFFFFFFF800u },     /* largest f64 below 2^64 */
        { 0x43F0000000000000u, OVF, 0xFFFFFFFFFFFFFFFFu },   /* 2^64 */
    };
    RUN_TRUNC(i64_f64_u, u);
}

/* ---- integer -> float ----------------------------------------------------- */

/* Reference: round a magnitude to `mant` significant bits, half to even,
 * using integers only, and assemble the IEEE bits (exponent bias `bias`). */
static uint64_t ref_int_to_float(uint64_t mag, int negative, int mant, int bias) {
    int total_bits = (bias == 127) ? 32 : 64;
    uint64_t sign = negative ? (uint64_t)1 << (total_bits - 1) : 0;
    if (mag == 0) return sign;
    int msb = 63;
    while (!(mag >> msb)) msb--;
    uint64_t m;
    if (msb < mant) {
        m = mag << (mant - 1 - msb);   /* fits: exact */
    } else {
        int drop = msb - (mant - 1);   /* 1 .. 40 */
        uint64_t rest = mag & (((uint64_t)1 << drop) - 1);
        uint64_t half = (uint64_t)1 << (drop - 1);
        m = mag >> drop;
        if (rest > half || (rest == half && (m & 1))) m++;
        if (m >> mant) {   /* the carry made the value a power of two */
            m >>= 1;
            msb++;
        }
    }
    uint64_t frac = m & (((uint64_t)1 << (mant - 1)) - 1);
    return sign | ((uint64_t)(msb + bias) << (mant - 1)) | frac;
}

static uint64_t ref_u64_to_f32(uint64_t x) { return ref_int_to_float(x, 0, 24, 127); }
static uint64_t ref_u64_to_f64(uint64_t x) { return ref_int_to_float(x, 0, 53, 1023); }
static uint64_t ref_i64_to_f32(uint64_t x) {
    int neg = (x >> 63) != 0;
    return ref_int_to_float(neg ? 0 - x : x, neg, 24, 127);
}
static uint64_t ref_i64_to_f64(uint64_t x) {
    int neg = (x >> 63) != 0;
    return ref_int_to_float(neg ? 0 - x : x, neg, 53, 1023);
}

static void test_convert_known_values(void **state) {
    (void)state;
    /* u64 -> f32: rounding once, not via f64 (which would give 0x5F000000) */
    assert_int_equal(rf_num_f32_convert_i64_u(0x8000008000000001u), 0x5F000001u);
    assert_int_equal(rf_num_f32_convert_i64_u(0x8000008000000000u), 0x5F000000u);  /* tie, even */
    assert_int_equal(rf_num_f32_convert_i64_u(0x8000018000000000u), 0x5F000002u);  /* tie, up */
    assert_int_equal(rf_num_f32_convert_i64_u(0xFFFFFFFFFFFFFFFFu), 0x5F800000u);  /* 2^64 */
    assert_int_equal(rf_num_f32_convert_i64_u(0x0020000000000001u), 0x5A000000u);  /* 2^53+1 */
    assert_int_equal(rf_num_f32_convert_i64_u(0x0000000001000001u), 0x4B800000u);  /* 2^24+1 */
    assert_int_equal(rf_num_f32_convert_i64_u(0x0000000001000003u), 0x4B800002u);  /* 2^24+3 */
    assert_int_equal(rf_num_f32_convert_i64_u(0), 0);
    /* i64 -> f32 */
    assert_int_equal(rf_num_f32_convert_i64_s(0x8000000000000000u), 0xDF000000u);  /* -2^63 */
    assert_int_equal(rf_num_f32_convert_i64_s(0x7FFFFFFFFFFFFFFFu), 0x5F000000u);
    assert_int_equal(rf_num_f32_convert_i64_s(0x7FFFFF4000000001u), 0x5EFFFFFFu);
    assert_int_equal(rf_num_f32_convert_i64_s(0x80000080000000FFu), 0xDEFFFFFFu);
    assert_int_equal(rf_num_f32_convert_i64_s(0xFFDFFFFFFFFFFFFFu), 0xDA000000u);  /* -(2^53+1) */
    assert_int_equal(rf_num_f32_convert_i64_s(0xFFFFFFFFFFFFFFFFu), 0xBF800000u);
    /* i32/u32 -> f32 */
    assert_int_equal(rf_num_f32_convert_i32_s(0x80000000u), 0xCF000000u);
    assert_int_equal(rf_num_f32_convert_i32_s(0x7FFFFFFFu), 0x4F000000u);
    assert_int_equal(rf_num_f32_convert_i32_s(0x01000001u), 0x4B800000u);
    assert_int_equal(rf_num_f32_convert_i32_u(0xFFFFFFFFu), 0x4F800000u);
    assert_int_equal(rf_num_f32_convert_i32_u(0x80000080u), 0x4F000000u);  /* tie, even */
    assert_int_equal(rf_num_f32_convert_i32_u(0x80000081u), 0x4F000001u);
    /* -> f64 */
    assert_true(rf_num_f64_convert_i32_s(0x80000000u) == 0xC1E0000000000000u);
    assert_true(rf_num_f64_convert_i32_u(0xFFFFFFFFu) == 0x41EFFFFFFFE00000u);
    assert_true(rf_num_f64_convert_i64_s(0x8000000000000000u) == 0xC3E0000000000000u);
    assert_true(rf_num_f64_convert_i64_s(0x0020000000000001u) == 0x4340000000000000u);
    assert_true(rf_num_f64_convert_i64_s(0x0020000000000003u) == 0x4340000000000002u);
    assert_true(rf_num_f64_convert_i64_u(0xFFFFFFFFFFFFFFFFu) == 0x43F0000000000000u);
    assert_true(rf_num_f64_convert_i64_u(0x8000000000000401u) == 0x43E0000000000001u);
    assert_true(rf_num_f64_convert_i64_u(0x8000000000000400u) == 0x43E0000000000000u);
}

static void test_convert_against_reference(void **state) {
    (void)state;
    uint64_t seed = 0x0123456789ABCDEFu;
    for (int i = 0; i < 300000; i++) {
        uint64_t x;
        if (i % 3 == 0) {
            /* every magnitude */
            x = next_random(&seed) >> (next_random(&seed) & 63);
        } else {
            /* exactly on, or one away from, a rounding tie: a head one bit
             * longer than the f32 (25) or f64 (54) significand, shifted up */
            int head_bits = (i % 3 == 1) ? 25 : 54;
            uint64_t head = (next_random(&seed) >> (64 - head_bits)) | ((uint64_t)1 << (head_bits - 1));
            x = head << (next_random(&seed) % (uint64_t)(65 - head_bits));
            x += (next_random(&seed) % 3) - 1;
        }
        if (i & 1) x = 0 - x;   /* negative values for the signed conversions */
        assert_int_equal(rf_num_f32_convert_i64_u(x), ref_u64_to_f32(x));
        assert_int_equal(rf_num_f32_convert_i64_s(x), ref_i64_to_f32(x));
        assert_true(rf_num_f64_convert_i64_u(x) == ref_u64_to_f64(x));
        assert_true(rf_num_f64_convert_i64_s(x) == ref_i64_to_f64(x));
        uint32_t y = (uint32_t)x;
        assert_int_equal(rf_num_f32_convert_i32_u(y), ref_u64_to_f32(y));
        assert_int_equal(rf_num_f32_convert_i32_s(y), ref_i64_to_f32(rf_num_i64_extend_i32_s(y)));
    }
}

static void test_promote_demote(void **state) {
    (void)state;
    assert_true(rf_num_f64_promote_f32(f32b(1.5f)) == f64b(1.5));
    assert_true(rf_num_f64_promote_f32(0x80000000u) == 0x8000000000000000u);
    assert_true(rf_num_f64_promote_f32(0x00000001u) == 0x36A0000000000000u);   /* 2^-149 */
    assert_true(rf_num_f64_promote_f32(0xFF800000u) == 0xFFF0000000000000u);
    assert_true(rf_num_f64_promote_f32(0x7FC00000u) == 0x7FF8000000000000u);   /* canonical */
    assert_true(rf_num_f64_promote_f32(0xFFC00000u) == 0xFFF8000000000000u);
    assert_true(rf_num_f64_promote_f32(0x7F800001u) == 0x7FF8000020000000u);   /* quieted */
    assert_true(rf_num_f64_promote_f32(0x7FFFFFFFu) == 0x7FFFFFFFE0000000u);

    assert_int_equal(rf_num_f32_demote_f64(f64b(1.5)), f32b(1.5f));
    assert_int_equal(rf_num_f32_demote_f64(0x8000000000000000u), 0x80000000u);
    assert_int_equal(rf_num_f32_demote_f64(0x3FF0000010000000u), 0x3F800000u);   /* tie, even */
    assert_int_equal(rf_num_f32_demote_f64(0x3FF0000030000000u), 0x3F800002u);   /* tie, up */
    assert_int_equal(rf_num_f32_demote_f64(0x3FF0000010000001u), 0x3F800001u);
    assert_int_equal(rf_num_f32_demote_f64(0x47EFFFFFF0000000u), 0x7F800000u);   /* rounds to inf */
    assert_int_equal(rf_num_f32_demote_f64(0x47EFFFFFEFFFFFFFu), 0x7F7FFFFFu);   /* FLT_MAX */
    assert_int_equal(rf_num_f32_demote_f64(0x0000000000000001u), 0);             /* underflow */
    assert_int_equal(rf_num_f32_demote_f64(0x36A0000000000000u), 0x00000001u);
    assert_int_equal(rf_num_f32_demote_f64(0x3690000000000000u), 0);             /* 2^-150: tie to 0 */
    assert_int_equal(rf_num_f32_demote_f64(0x3690000000000001u), 0x00000001u);
    assert_int_equal(rf_num_f32_demote_f64(0x7FF8000000000000u), 0x7FC00000u);   /* canonical */
    assert_int_equal(rf_num_f32_demote_f64(0xFFF8000000000000u), 0xFFC00000u);
    assert_int_equal(rf_num_f32_demote_f64(0x7FF0000000000001u), 0x7FC00000u);   /* low payload lost */
    assert_int_equal(rf_num_f32_demote_f64(0x7FF4000020000000u), 0x7FE00001u);
    assert_int_equal(rf_num_f32_demote_f64(0xFFF0000000000000u), 0xFF800000u);
}

static void test_reinterpret(void **state) {
    (void)state;
    assert_int_equal(rf_num_i32_reinterpret_f32(F32_SNAN), F32_SNAN);
    assert_int_equal(rf_num_f32_reinterpret_i32(0xFFA00001u), 0xFFA00001u);
    assert_true(rf_num_i64_reinterpret_f64(F64_SNAN) == F64_SNAN);
    assert_true(rf_num_f64_reinterpret_i64(0x8000000000000001u) == 0x8000000000000001u);
}

/* ---- memory access -------------------------------------------------------- */

static void test_load_store(void **state) {
    (void)state;
    uint8_t buf[24];
    for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(0x10 + i);
    /* little-endian at odd (unaligned) addresses */
    assert_int_equal(rf_num_load_u16(buf + 1), 0x1211u);
    assert_int_equal(rf_num_load_u32(buf + 3), 0x16151413u);
    assert_true(rf_num_load_u64(buf + 5) == 0x1C1B1A1918171615u);

    rf_num_store_u16(buf + 1, 0xFFFFABCDu);   /* only the low 16 bits */
    assert_int_equal(buf[1], 0xCD);
    assert_int_equal(buf[2], 0xAB);
    assert_int_equal(buf[3], 0x13);
    rf_num_store_u32(buf + 7, 0x01020304u);
    assert_int_equal(buf[7], 0x04);
    assert_int_equal(buf[10], 0x01);
    assert_int_equal(buf[11], 0x1B);
    rf_num_store_u64(buf + 13, 0x8877665544332211u);
    assert_int_equal(buf[12], 0x1C);
    assert_int_equal(buf[13], 0x11);
    assert_int_equal(buf[20], 0x88);
    assert_int_equal(buf[21], 0x25);
    assert_true(rf_num_load_u64(buf + 13) == 0x8877665544332211u);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_counts),
        cmocka_unit_test(test_shifts),
        cmocka_unit_test(test_rotations),
        cmocka_unit_test(test_division_i32),
        cmocka_unit_test(test_division_i64),
        cmocka_unit_test(test_sign_extension),
        cmocka_unit_test(test_signed_compare),
        cmocka_unit_test(test_sign_ops_keep_nan_payload),
        cmocka_unit_test(test_min_max),
        cmocka_unit_test(test_float_compare),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_nearest_f32),
        cmocka_unit_test(test_nearest_f64),
        cmocka_unit_test(test_ceil_floor_trunc),
        cmocka_unit_test(test_rounding_against_libm),
        cmocka_unit_test(test_trunc_i32_f32),
        cmocka_unit_test(test_trunc_i32_f64),
        cmocka_unit_test(test_trunc_i64_f32),
        cmocka_unit_test(test_trunc_i64_f64),
        cmocka_unit_test(test_convert_known_values),
        cmocka_unit_test(test_convert_against_reference),
        cmocka_unit_test(test_promote_demote),
        cmocka_unit_test(test_reinterpret),
        cmocka_unit_test(test_load_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
