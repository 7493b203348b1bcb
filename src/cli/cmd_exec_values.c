/*
 * cmd_exec_values.c — command-line text to wasm values and back, for
 * `reflow exec --invoke`.
 *
 * Floats travel as bit patterns so that every value, including each NaN
 * payload and -0, survives a round trip: parsing "nan:0x200000" builds the
 * bits directly, and printing picks the shortest decimal that parses back to
 * the same bits.
 */
#include "cmd_exec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Strict unsigned parse: all of `s`, decimal or 0x hex, no sign, no blanks. */
static bool parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (s[0] == '\0')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return true;
}

/* An integer of `bits` bits: unsigned up to 2^bits-1, or negative down to
 * -2^(bits-1), stored as two's complement. */
static bool parse_int(const char *s, unsigned bits, uint64_t *out)
{
    bool neg = s[0] == '-';
    if (s[0] == '-' || s[0] == '+')
        s++;
    uint64_t mag;
    if (!parse_u64(s, &mag))
        return false;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t nmax = UINT64_C(1) << (bits - 1);   /* magnitude of the most negative */
    if (neg ? mag > nmax : mag > umax)
        return false;
    uint64_t v = neg ? (uint64_t)0 - mag : mag;
    *out = bits == 64 ? v : v & umax;
    return true;
}

/* nan, nan:0xPAYLOAD and inf (sign already removed) as float bits; false if
 * `s` is neither. *ok says whether the form was valid. */
static bool parse_special(const char *s, bool is64, bool neg, uint64_t *bits, bool *ok)
{
    const unsigned mant_bits = is64 ? 52 : 23;
    const uint64_t exp_all = is64 ? UINT64_C(0x7FF) << 52 : UINT64_C(0xFF) << 23;
    const uint64_t sign = neg ? (is64 ? UINT64_C(1) << 63 : UINT64_C(1) << 31) : 0;
    const uint64_t mant_mask = (UINT64_C(1) << mant_bits) - 1;
    *ok = true;
    if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0) {
        *bits = sign | exp_all;
        return true;
    }
    if (strcmp(s, "nan") == 0) {
        *bits = sign | exp_all | (UINT64_C(1) << (mant_bits - 1));
        return true;
    }
    if (strncmp(s, "nan:", 4) == 0) {
        uint64_t payload;
        *ok = strncmp(s + 4, "0x", 2) == 0 && parse_u64(s + 4, &payload) && payload != 0 &&
              payload <= mant_mask;
        if (*ok)
            *bits = sign | exp_all | payload;
        return true;
    }
    return false;
}

static bool parse_float(const char *text, bool is64, uint64_t *bits)
{
    const char *s = text;
    bool neg = s[0] == '-';
    if (s[0] == '-' || s[0] == '+')
        s++;
    bool ok;
    if (parse_special(s, is64, neg, bits, &ok))
        return ok;
    /* strtod would accept these spellings (and blanks) itself; only plain
     * digits, '.', exponents and hex floats get this far. */
    if (s[0] == '\0' || !(s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
        return false;
    char *end;
    if (is64) {
        double d = strtod(text, &end);
        if (*end != '\0')
            return false;
        memcpy(bits, &d, sizeof d);   /* uint64_t and double are both 8 bytes */
    } else {
        float f = strtof(text, &end);
        if (*end != '\0')
            return false;
        uint32_t b;
        memcpy(&b, &f, sizeof b);
        *bits = b;
    }
    return true;   /* overflow gives inf, underflow 0 or a subnormal: as in wat */
}

bool exec_parse_value(const char *text, rf_valtype type, rf_value *out, char *why,
                      size_t why_len)
{
    uint64_t v;
    memset(out, 0, sizeof *out);
    out->type = type;
    switch (type) {
    case RF_I32:
        if (!parse_int(text, 32, &v))
            break;
        out->of.i32 = (uint32_t)v;
        return true;
    case RF_I64:
        if (!parse_int(text, 64, &v))
            break;
        out->of.i64 = v;
        return true;
    case RF_F32:
        if (!parse_float(text, false, &v))
            break;
        out->of.f32_bits = (uint32_t)v;
        return true;
    case RF_F64:
        if (!parse_float(text, true, &v))
            break;
        out->of.f64_bits = v;
        return true;
    default:
        snprintf(why, why_len, "a %s cannot be given on the command line",
                 rf_valtype_name(type));
        return false;
    }
    snprintf(why, why_len, "'%s' is not a valid %s", text, rf_valtype_name(type));
    return false;
}

/* Shortest %g rendering of a finite double that reads back exactly. */
static void print_f64(FILE *f, double d)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    fputs(buf, f);
}

static void print_f32(FILE *f, float x)
{
    char buf[40];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)x);
        if (strtof(buf, NULL) == x)
            break;
    }
    fputs(buf, f);
}

/* inf/nan forms shared by both widths; false for finite values. */
static bool print_special(FILE *f, uint64_t bits, bool is64)
{
    const unsigned mant_bits = is64 ? 52 : 23;
    const uint64_t exp_mask = is64 ? UINT64_C(0x7FF) : UINT64_C(0xFF);
    const uint64_t mant = bits & ((UINT64_C(1) << mant_bits) - 1);
    const bool neg = (bits >> (is64 ? 63 : 31)) & 1;
    if (((bits >> mant_bits) & exp_mask) != exp_mask)
        return false;
    fputs(neg ? "-" : "", f);
    if (mant == 0)
        fputs("inf", f);
    else if (mant == UINT64_C(1) << (mant_bits - 1))
        fputs("nan", f);
    else
        fprintf(f, "nan:0x%" PRIx64, mant);
    return true;
}

void exec_print_value(FILE *f, const rf_value *v)
{
    switch (v->type) {
    case RF_I32:
        fprintf(f, "%" PRId32, (int32_t)v->of.i32);
        return;
    case RF_I64:
        fprintf(f, "%" PRId64, (int64_t)v->of.i64);
        return;
    case RF_F32:
        if (!print_special(f, v->of.f32_bits, false)) {
            float x;
            memcpy(&x, &v->of.f32_bits, sizeof x);
            print_f32(f, x);
        }
        return;
    case RF_F64:
        if (!print_special(f, v->of.f64_bits, true)) {
            double d;
            memcpy(&d, &v->of.f64_bits, sizeof d);
            print_f64(f, d);
        }
        return;
    case RF_FUNCREF:
    case RF_EXTERNREF:
        fprintf(f, "%s:%s", rf_valtype_name(v->type), v->of.ref ? "non-null" : "null");
        return;
    case RF_V128:
        break;
    }
    fprintf(f, "<%s>", rf_valtype_name(v->type));
}
