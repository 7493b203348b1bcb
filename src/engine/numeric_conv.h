/*
 * numeric_conv.h — conversions between i32, i64, f32 and f64.
 *
 * Float -> integer: a C cast of a value whose truncation does not fit the
 * target type is undefined behaviour, so every cast here is preceded by a
 * range check against exact bounds: constants that the source float type
 * represents exactly, compared strictly or not so that precisely the values
 * whose truncation fits pass. A NaN fails every comparison, so the in-range
 * test also rejects it. Trapping variants
 * return RF_TRAP_INVALID_CONVERSION for NaN and RF_TRAP_INT_OVERFLOW out of
 * range; the saturating ones clamp and map NaN to 0.
 *
 * Integer -> float: C conversions round correctly (to nearest-even, the
 * default mode) except possibly i64/u64 -> f32: GCC and Clang emit a correct
 * cvtsi2ss, but emulators such as valgrind implement it as i64 -> f64 -> f32,
 * which rounds twice (0x8000008000000001 would give 2^63 instead of
 * 0x1.000002p63). Those two conversions are therefore written so that only
 * one step can round; test_numeric.c checks all of them against an
 * integer-only reference.
 *
 * promote/demote: NaNs are built by hand (payload shifted, quiet bit set, sign
 * kept) rather than left to the cast, so a signalling NaN is quieted even when
 * a compiler folds the conversion of a constant. A canonical NaN maps to the
 * canonical NaN of the other width.
 *
 * Included by numeric.h only.
 */
#ifndef RF_NUMERIC_CONV_H
#define RF_NUMERIC_CONV_H

#ifndef RF_NUMERIC_H
#error "include numeric.h, not numeric_conv.h"
#endif

/* ---- integer <-> integer -------------------------------------------------- */

static inline uint32_t rf_num_i32_wrap_i64(uint64_t x) { return (uint32_t)x; }
static inline uint64_t rf_num_i64_extend_i32_u(uint32_t x) { return x; }
static inline uint64_t rf_num_i64_extend_i32_s(uint32_t x) {
    return (uint64_t)(x ^ 0x80000000u) - 0x80000000u;
}

/* ---- reinterpret: values already travel as bits, so these are identities - */

static inline uint32_t rf_num_i32_reinterpret_f32(uint32_t bits) { return bits; }
static inline uint64_t rf_num_i64_reinterpret_f64(uint64_t bits) { return bits; }
static inline uint32_t rf_num_f32_reinterpret_i32(uint32_t bits) { return bits; }
static inline uint64_t rf_num_f64_reinterpret_i64(uint64_t bits) { return bits; }

/* ---- float -> integer, trapping ------------------------------------------- */

static inline int rf_num_trunc_failure(int is_nan) {
    return is_nan ? RF_TRAP_INVALID_CONVERSION : RF_TRAP_INT_OVERFLOW;
}

/* -2^31 is an f32, and the next f32 below it truncates out of range. */
static inline int rf_num_i32_trunc_f32_s(uint32_t a, uint32_t *out) {
    float x = rf_num_f32_from_bits(a);
    if (x >= -0x1p31f && x < 0x1p31f) {
        *out = (uint32_t)(int32_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

/* (-1, 2^32): values in (-1, 0) truncate to 0, which fits. */
static inline int rf_num_i32_trunc_f32_u(uint32_t a, uint32_t *out) {
    float x = rf_num_f32_from_bits(a);
    if (x > -1.0f && x < 0x1p32f) {
        *out = (uint32_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

/* f64 holds -2^31 - 1 exactly, and everything in (-2^31 - 1, -2^31)
 * truncates to -2^31. */
static inline int rf_num_i32_trunc_f64_s(uint64_t a, uint32_t *out) {
    double x = rf_num_f64_from_bits(a);
    if (x > -2147483649.0 && x < 2147483648.0) {
        *out = (uint32_t)(int32_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

static inline int rf_num_i32_trunc_f64_u(uint64_t a, uint32_t *out) {
    double x = rf_num_f64_from_bits(a);
    if (x > -1.0 && x < 4294967296.0) {
        *out = (uint32_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

/* Neither f32 nor f64 has a value strictly between -2^63 - 1 and -2^63, so
 * -2^63 itself is the lowest accepted value for both. */
static inline int rf_num_i64_trunc_f32_s(uint32_t a, uint64_t *out) {
    float x = rf_num_f32_from_bits(a);
    if (x >= -0x1p63f && x < 0x1p63f) {
        *out = (uint64_t)(int64_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

static inline int rf_num_i64_trunc_f32_u(uint32_t a, uint64_t *out) {
    float x = rf_num_f32_from_bits(a);
    if (x > -1.0f && x < 0x1p64f) {
        *out = (uint64_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

static inline int rf_num_i64_trunc_f64_s(uint64_t a, uint64_t *out) {
    double x = rf_num_f64_from_bits(a);
    if (x >= -0x1p63 && x < 0x1p63) {
        *out = (uint64_t)(int64_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

static inline int rf_num_i64_trunc_f64_u(uint64_t a, uint64_t *out) {
    double x = rf_num_f64_from_bits(a);
    if (x > -1.0 && x < 0x1p64) {
        *out = (uint64_t)x;
        return 0;
    }
    return rf_num_trunc_failure(x != x);
}

/* ---- float -> integer, saturating (same bounds; NaN -> 0) ----------------- */

static inline uint32_t rf_num_i32_trunc_sat_f32_s(uint32_t a) {
    float x = rf_num_f32_from_bits(a);
    if (x >= -0x1p31f && x < 0x1p31f) return (uint32_t)(int32_t)x;
    if (x != x) return 0;
    return x < 0 ? 0x80000000u : 0x7FFFFFFFu;
}

static inline uint32_t rf_num_i32_trunc_sat_f32_u(uint32_t a) {
    float x = rf_num_f32_from_bits(a);
    if (x > -1.0f && x < 0x1p32f) return (uint32_t)x;
    if (x != x) return 0;
    return x < 0 ? 0u : 0xFFFFFFFFu;
}

static inline uint32_t rf_num_i32_trunc_sat_f64_s(uint64_t a) {
    double x = rf_num_f64_from_bits(a);
    if (x > -2147483649.0 && x < 2147483648.0) return (uint32_t)(int32_t)x;
    if (x != x) return 0;
    return x < 0 ? 0x80000000u : 0x7FFFFFFFu;
}

static inline uint32_t rf_num_i32_trunc_sat_f64_u(uint64_t a) {
    double x = rf_num_f64_from_bits(a);
    if (x > -1.0 && x < 4294967296.0) return (uint32_t)x;
    if (x != x) return 0;
    return x < 0 ? 0u : 0xFFFFFFFFu;
}

static inline uint64_t rf_num_i64_trunc_sat_f32_s(uint32_t a) {
    float x = rf_num_f32_from_bits(a);
    if (x >= -0x1p63f && x < 0x1p63f) return (uint64_t)(int64_t)x;
    if (x != x) return 0;
    return x < 0 ? 0x8000000000000000u : 0x7FFFFFFFFFFFFFFFu;
}

static inline uint64_t rf_num_i64_trunc_sat_f32_u(uint32_t a) {
    float x = rf_num_f32_from_bits(a);
    if (x > -1.0f && x < 0x1p64f) return (uint64_t)x;
    if (x != x) return 0;
    return x < 0 ? 0u : 0xFFFFFFFFFFFFFFFFu;
}

static inline uint64_t rf_num_i64_trunc_sat_f64_s(uint64_t a) {
    double x = rf_num_f64_from_bits(a);
    if (x >= -0x1p63 && x < 0x1p63) return (uint64_t)(int64_t)x;
    if (x != x) return 0;
    return x < 0 ? 0x8000000000000000u : 0x7FFFFFFFFFFFFFFFu;
}

static inline uint64_t rf_num_i64_trunc_sat_f64_u(uint64_t a) {
    double x = rf_num_f64_from_bits(a);
    if (x > -1.0 && x < 0x1p64) return (uint64_t)x;
    if (x != x) return 0;
    return x < 0 ? 0u : 0xFFFFFFFFFFFFFFFFu;
}

/* ---- integer -> float (correctly rounded, see the top of the file) -------- */

static inline uint32_t rf_num_f32_convert_i32_s(uint32_t x) {
    return rf_num_f32_to_bits((float)rf_num_s32(x));
}
static inline uint32_t rf_num_f32_convert_i32_u(uint32_t x) {
    return rf_num_f32_to_bits((float)x);
}

/* A magnitude below 2^53 converts to f64 exactly, so only the f64 -> f32 step
 * rounds. From 2^53 on, f32 keeps at most 24 of its 54+ significant bits, so
 * the rounding bit lies at bit 29 or above; folding bits 0..10 into one sticky
 * bit (which keeps "anything below the rounding bit is non-zero") makes the
 * value exact in f64 without changing how it rounds to f32. */
static inline uint32_t rf_num_f32_from_magnitude(uint64_t mag, uint32_t sign) {
    double d;
    if (mag < ((uint64_t)1 << 53)) {
        d = (double)(int64_t)mag;
    } else {
        uint64_t folded = (mag >> 11) | ((mag & 0x7FFu) != 0);
        d = (double)(int64_t)folded * 2048.0;
    }
    return rf_num_f32_to_bits((float)d) | sign;
}

static inline uint32_t rf_num_f32_convert_i64_s(uint64_t x) {
    uint64_t negative = x >> 63;
    return rf_num_f32_from_magnitude(negative ? 0 - x : x, (uint32_t)negative << 31);
}
static inline uint32_t rf_num_f32_convert_i64_u(uint64_t x) {
    return rf_num_f32_from_magnitude(x, 0);
}
static inline uint64_t rf_num_f64_convert_i32_s(uint32_t x) {
    return rf_num_f64_to_bits((double)rf_num_s32(x));
}
static inline uint64_t rf_num_f64_convert_i32_u(uint32_t x) {
    return rf_num_f64_to_bits((double)x);
}
static inline uint64_t rf_num_f64_convert_i64_s(uint64_t x) {
    return rf_num_f64_to_bits((double)rf_num_s64(x));
}
static inline uint64_t rf_num_f64_convert_i64_u(uint64_t x) {
    return rf_num_f64_to_bits((double)x);
}

/* ---- f32 <-> f64 ---------------------------------------------------------- */

/* The f32 payload (23 bits) becomes the top of the f64 payload (52 bits). */
static inline uint64_t rf_num_f64_promote_f32(uint32_t a) {
    if (rf_num_f32_is_nan(a)) {
        uint64_t sign = (uint64_t)(a & RF_NUM_F32_SIGN) << 32;
        uint64_t payload = (uint64_t)(a & 0x007FFFFFu) << 29;
        return sign | RF_NUM_F64_INF | RF_NUM_F64_QUIET | payload;
    }
    return rf_num_f64_to_bits((double)rf_num_f32_from_bits(a));
}

/* Demotion keeps the top 23 payload bits; the quiet bit guarantees the
 * result is still a NaN even when those bits are all zero. */
static inline uint32_t rf_num_f32_demote_f64(uint64_t a) {
    if (rf_num_f64_is_nan(a)) {
        uint32_t sign = (uint32_t)(a >> 32) & RF_NUM_F32_SIGN;
        uint32_t payload = (uint32_t)(a >> 29) & 0x007FFFFFu;
        return sign | RF_NUM_F32_INF | RF_NUM_F32_QUIET | payload;
    }
    return rf_num_f32_to_bits((float)rf_num_f64_from_bits(a));
}

#endif /* RF_NUMERIC_CONV_H */
