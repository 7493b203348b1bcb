/*
 * spec_values.c — wast2json values: parsing arguments and expected results,
 * comparing results, and printing both for failure messages.
 *
 * wast2json writes every number as an unsigned decimal string: integers as
 * their two's-complement bits, floats as their IEEE bit patterns. Expected
 * float results may instead be "nan:canonical" or "nan:arithmetic".
 * References are "null", or for externref a number N that stands for
 * `ref.extern N`; the harness maps each N to a host pointer of its own
 * (spec_refs), so a reference that goes through the engine and comes back can
 * be recognised.
 *
 * Comparison rules (spec "result patterns"): integers exact; floats
 * bit-exact; nan:canonical = the canonical NaN of either sign;
 * nan:arithmetic = any NaN with the quiet bit set, of either sign.
 */
#include "spec_runner.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F32_SIGN_MASK 0x80000000u
#define F32_CANONICAL_NAN 0x7fc00000u
#define F64_SIGN_MASK 0x8000000000000000u
#define F64_CANONICAL_NAN 0x7ff8000000000000u

/* ---- extern references ------------------------------------------------------- */

void spec_refs_init(spec_refs *r)
{
    r->cells = NULL;
    r->count = 0;
    r->cap = 0;
}

void spec_refs_free(spec_refs *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->cells[i]);
    free(r->cells);
    spec_refs_init(r);
}

void *spec_refs_get(spec_refs *r, uint64_t n)
{
    for (size_t i = 0; i < r->count; i++)
        if (*r->cells[i] == n)
            return r->cells[i];
    if (r->count >= SPEC_MAX_EXTERN_REFS)
        return NULL;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        uint64_t **cells = realloc(r->cells, cap * sizeof *cells);
        if (!cells)
            return NULL;
        r->cells = cells;
        r->cap = cap;
    }
    uint64_t *cell = malloc(sizeof *cell);
    if (!cell)
        return NULL;
    *cell = n;
    r->cells[r->count++] = cell;
    return cell;
}

bool spec_refs_lookup(const spec_refs *r, const void *p, uint64_t *n)
{
    for (size_t i = 0; i < r->count; i++) {
        if ((const void *)r->cells[i] == p) {
            *n = *r->cells[i];
            return true;
        }
    }
    return false;
}

/* ---- parsing ------------------------------------------------------------------- */

bool spec_parse_type(const char *name, rf_valtype *out)
{
    static const struct {
        const char *name;
        rf_valtype type;
    } names[] = {
        {"i32", RF_I32},         {"i64", RF_I64},       {"f32", RF_F32},
        {"f64", RF_F64},         {"v128", RF_V128},     {"funcref", RF_FUNCREF},
        {"externref", RF_EXTERNREF},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].type;
            return true;
        }
    }
    return false;
}

/* Parse an unsigned decimal no larger than `max`: digits only, no sign, no
 * spaces, no overflow (strtoull accepts all of those, so it is not used). */
static bool parse_unsigned(const char *s, uint64_t max, uint64_t *out)
{
    if (*s == '\0')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned digit = (unsigned)(*s - '0');
        if (v > (max - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

/* Read "type" of a value object; SPEC_VAL_V128 for v128. */
static spec_val_status parse_value_type(const json_t *j, rf_valtype *type, char *why,
                                        size_t why_len)
{
    if (!json_is_object(j)) {
        snprintf(why, why_len, "value is not a JSON object");
        return SPEC_VAL_BAD;
    }
    const char *tname = json_string_value(json_object_get(j, "type"));
    if (!tname) {
        snprintf(why, why_len, "value has no \"type\" string");
        return SPEC_VAL_BAD;
    }
    if (!spec_parse_type(tname, type)) {
        snprintf(why, why_len, "unknown value type \"%.40s\"", tname);
        return SPEC_VAL_BAD;
    }
    return *type == RF_V128 ? SPEC_VAL_V128 : SPEC_VAL_OK;
}

/* Fill `out` (already typed) from the string `s`. References: "null" or an
 * extern number. */
static spec_val_status parse_payload(const char *s, spec_refs *refs, rf_value *out, char *why,
                                     size_t why_len)
{
    uint64_t n = 0;
    switch (out->type) {
    case RF_I32:
    case RF_F32:
        if (!parse_unsigned(s, UINT32_MAX, &n))
            break;
        out->of.i64 = 0;
        out->of.i32 = (uint32_t)n;
        return SPEC_VAL_OK;
    case RF_I64:
    case RF_F64:
        if (!parse_unsigned(s, UINT64_MAX, &n))
            break;
        out->of.i64 = n;
        return SPEC_VAL_OK;
    case RF_FUNCREF:
    case RF_EXTERNREF:
        if (strcmp(s, "null") == 0) {
            out->of.ref = NULL;
            return SPEC_VAL_OK;
        }
        /* Only externrefs can be made from a number: a funcref must come from
         * a module. */
        if (out->type != RF_EXTERNREF || !parse_unsigned(s, UINT64_MAX, &n))
            break;
        out->of.ref = spec_refs_get(refs, n);
        if (!out->of.ref) {
            snprintf(why, why_len, "cannot allocate host reference %" PRIu64, n);
            return SPEC_VAL_BAD;
        }
        return SPEC_VAL_OK;
    case RF_V128:
        return SPEC_VAL_V128;
    }
    snprintf(why, why_len, "bad %s value \"%.40s\"", rf_valtype_name(out->type), s);
    return SPEC_VAL_BAD;
}

spec_val_status spec_parse_arg(const json_t *j, spec_refs *refs, rf_value *out, char *why,
                               size_t why_len)
{
    memset(out, 0, sizeof *out);
    spec_val_status st = parse_value_type(j, &out->type, why, why_len);
    if (st != SPEC_VAL_OK)
        return st;
    const char *s = json_string_value(json_object_get(j, "value"));
    if (!s) {
        snprintf(why, why_len, "%s argument has no \"value\" string", rf_valtype_name(out->type));
        return SPEC_VAL_BAD;
    }
    return parse_payload(s, refs, out, why, why_len);
}

spec_val_status spec_parse_expected(const json_t *j, spec_refs *refs, spec_expected *out,
                                    char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    out->kind = SPEC_EXPECT_EXACT;
    spec_val_status st = parse_value_type(j, &out->value.type, why, why_len);
    if (st != SPEC_VAL_OK)
        return st;
    rf_valtype t = out->value.type;
    const json_t *jv = json_object_get(j, "value");
    if (!jv && (t == RF_FUNCREF || t == RF_EXTERNREF)) {
        out->kind = SPEC_EXPECT_NON_NULL;
        return SPEC_VAL_OK;
    }
    const char *s = json_string_value(jv);
    if (!s) {
        snprintf(why, why_len, "expected %s has no \"value\" string", rf_valtype_name(t));
        return SPEC_VAL_BAD;
    }
    /* wast2json writes `(ref.func)` as a funcref with a number that names no
     * function the harness can see: it means "some non-null funcref". */
    uint64_t unused;
    if (t == RF_FUNCREF && parse_unsigned(s, UINT64_MAX, &unused)) {
        out->kind = SPEC_EXPECT_NON_NULL;
        return SPEC_VAL_OK;
    }
    if (t == RF_F32 || t == RF_F64) {
        if (strcmp(s, "nan:canonical") == 0) {
            out->kind = SPEC_EXPECT_NAN_CANONICAL;
            return SPEC_VAL_OK;
        }
        if (strcmp(s, "nan:arithmetic") == 0) {
            out->kind = SPEC_EXPECT_NAN_ARITHMETIC;
            return SPEC_VAL_OK;
        }
    }
    return parse_payload(s, refs, &out->value, why, why_len);
}

/* ---- comparing ------------------------------------------------------------------ */

bool spec_value_matches(const spec_expected *want, const rf_value *got)
{
    if (want->value.type != got->type)
        return false;
    switch (want->kind) {
    case SPEC_EXPECT_NAN_CANONICAL:
        if (got->type == RF_F32)
            return (got->of.f32_bits & ~F32_SIGN_MASK) == F32_CANONICAL_NAN;
        if (got->type == RF_F64)
            return (got->of.f64_bits & ~F64_SIGN_MASK) == F64_CANONICAL_NAN;
        return false;
    case SPEC_EXPECT_NAN_ARITHMETIC:
        /* Exponent all ones and the quiet bit set: the pattern is exactly the
         * canonical NaN's bits, whatever the rest of the payload is. */
        if (got->type == RF_F32)
            return (got->of.f32_bits & F32_CANONICAL_NAN) == F32_CANONICAL_NAN;
        if (got->type == RF_F64)
            return (got->of.f64_bits & F64_CANONICAL_NAN) == F64_CANONICAL_NAN;
        return false;
    case SPEC_EXPECT_NON_NULL:
        return (got->type == RF_FUNCREF || got->type == RF_EXTERNREF) && got->of.ref != NULL;
    case SPEC_EXPECT_EXACT:
        break;
    }
    switch (got->type) {
    case RF_I32:
        return got->of.i32 == want->value.of.i32;
    case RF_F32:
        return got->of.f32_bits == want->value.of.f32_bits;
    case RF_I64:
        return got->of.i64 == want->value.of.i64;
    case RF_F64:
        return got->of.f64_bits == want->value.of.f64_bits;
    case RF_FUNCREF:
    case RF_EXTERNREF:
        return got->of.ref == want->value.of.ref;
    case RF_V128:
        return false;
    }
    return false;
}

/* ---- printing ------------------------------------------------------------------- */

void spec_format_value(const rf_value *v, const spec_refs *refs, char *buf, size_t len)
{
    const char *tn = rf_valtype_name(v->type);
    switch (v->type) {
    case RF_I32:
        snprintf(buf, len, "i32:%" PRIu32, v->of.i32);
        return;
    case RF_I64:
        snprintf(buf, len, "i64:%" PRIu64, v->of.i64);
        return;
    case RF_F32: {
        float f;
        uint32_t bits = v->of.f32_bits;
        memcpy(&f, &bits, sizeof f);
        snprintf(buf, len, "f32:%.9g (0x%08" PRIx32 ")", (double)f, bits);
        return;
    }
    case RF_F64: {
        double d;
        uint64_t bits = v->of.f64_bits;
        memcpy(&d, &bits, sizeof d);
        snprintf(buf, len, "f64:%.17g (0x%016" PRIx64 ")", d, bits);
        return;
    }
    case RF_FUNCREF:
    case RF_EXTERNREF: {
        uint64_t n;
        if (!v->of.ref)
            snprintf(buf, len, "%s:null", tn);
        else if (v->type == RF_EXTERNREF && refs && spec_refs_lookup(refs, v->of.ref, &n))
            snprintf(buf, len, "%s:%" PRIu64, tn, n);
        else
            snprintf(buf, len, "%s:%p", tn, v->of.ref);
        return;
    }
    case RF_V128:
        snprintf(buf, len, "v128");
        return;
    }
    snprintf(buf, len, "<value of unknown type 0x%02x>", (unsigned)v->type);
}

void spec_format_expected(const spec_expected *e, char *buf, size_t len)
{
    const char *tn = rf_valtype_name(e->value.type);
    switch (e->kind) {
    case SPEC_EXPECT_NAN_CANONICAL:
        snprintf(buf, len, "%s:nan:canonical", tn);
        return;
    case SPEC_EXPECT_NAN_ARITHMETIC:
        snprintf(buf, len, "%s:nan:arithmetic", tn);
        return;
    case SPEC_EXPECT_NON_NULL:
        snprintf(buf, len, "%s:non-null", tn);
        return;
    case SPEC_EXPECT_EXACT:
        break;
    }
    /* Extern references print as the N they stand for, from the cell itself. */
    if (e->value.type == RF_EXTERNREF && e->value.of.ref) {
        uint64_t n;
        memcpy(&n, e->value.of.ref, sizeof n);
        snprintf(buf, len, "externref:%" PRIu64, n);
        return;
    }
    spec_format_value(&e->value, NULL, buf, len);
}
