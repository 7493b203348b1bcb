/*
 * test_spec_values.c — unit tests of the harness's value handling
 * (spec_values.c): parsing wast2json values, the NaN result patterns, extern
 * reference identity and the printed forms used in failure messages.
 * Expected bit patterns are written out by hand from the IEEE 754 formats,
 * never computed by the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spec_runner.h"

#include <string.h>

static json_t *value_json(const char *type, const char *value)
{
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string(type));
    if (value)
        json_object_set_new(j, "value", json_string(value));
    return j;
}

static spec_val_status parse_arg(const char *type, const char *value, spec_refs *refs,
                                 rf_value *out)
{
    char why[200];
    json_t *j = value_json(type, value);
    spec_val_status st = spec_parse_arg(j, refs, out, why, sizeof why);
    json_decref(j);
    return st;
}

static spec_val_status parse_expected(const char *type, const char *value, spec_refs *refs,
                                      spec_expected *out)
{
    char why[200];
    json_t *j = value_json(type, value);
    spec_val_status st = spec_parse_expected(j, refs, out, why, sizeof why);
    json_decref(j);
    return st;
}

static rf_value f32_bits(uint32_t bits)
{
    rf_value v = {.type = RF_F32};
    v.of.f32_bits = bits;
    return v;
}

static rf_value f64_bits(uint64_t bits)
{
    rf_value v = {.type = RF_F64};
    v.of.f64_bits = bits;
    return v;
}

static void test_integers(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    rf_value v;
    assert_int_equal(parse_arg("i32", "4294967295", &refs, &v), SPEC_VAL_OK);
    assert_int_equal(v.type, RF_I32);
    assert_true(v.of.i32 == 0xFFFFFFFFu);
    assert_int_equal(parse_arg("i32", "0", &refs, &v), SPEC_VAL_OK);
    assert_true(v.of.i32 == 0);
    assert_int_equal(parse_arg("i64", "18446744073709551615", &refs, &v), SPEC_VAL_OK);
    assert_true(v.of.i64 == UINT64_MAX);
    assert_int_equal(parse_arg("i64", "9223372036854775808", &refs, &v), SPEC_VAL_OK);
    assert_true(v.of.i64 == 0x8000000000000000u);

    /* Out of range, signs, spaces, empty and junk are refused. */
    assert_int_equal(parse_arg("i32", "4294967296", &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i64", "18446744073709551616", &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i32", "-1", &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i32", " 1", &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i32", "", &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i32", "12x", &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i32", NULL, &refs, &v), SPEC_VAL_BAD);
    assert_int_equal(parse_arg("i33", "1", &refs, &v), SPEC_VAL_BAD);
    spec_refs_free(&refs);
}

static void test_bad_json_shapes(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    char why[200];
    rf_value v;
    spec_expected e;
    json_t *arr = json_array();
    assert_int_equal(spec_parse_arg(arr, &refs, &v, why, sizeof why), SPEC_VAL_BAD);
    assert_int_equal(spec_parse_expected(arr, &refs, &e, why, sizeof why), SPEC_VAL_BAD);
    json_decref(arr);
    json_t *num = json_object();
    json_object_set_new(num, "type", json_integer(5));
    assert_int_equal(spec_parse_arg(num, &refs, &v, why, sizeof why), SPEC_VAL_BAD);
    json_decref(num);
    json_t *numval = json_object();
    json_object_set_new(numval, "type", json_string("i32"));
    json_object_set_new(numval, "value", json_integer(5));
    assert_int_equal(spec_parse_arg(numval, &refs, &v, why, sizeof why), SPEC_VAL_BAD);
    assert_int_equal(spec_parse_expected(numval, &refs, &e, why, sizeof why), SPEC_VAL_BAD);
    json_decref(numval);
    spec_refs_free(&refs);
}

static void test_float_exact(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    spec_expected e;
    /* 1.0f = 0x3f800000 = 1065353216 */
    assert_int_equal(parse_expected("f32", "1065353216", &refs, &e), SPEC_VAL_OK);
    assert_int_equal(e.kind, SPEC_EXPECT_EXACT);
    rf_value one = f32_bits(0x3f800000u);
    rf_value neg_one = f32_bits(0xbf800000u);
    assert_true(spec_value_matches(&e, &one));
    assert_false(spec_value_matches(&e, &neg_one));
    /* Same bits but the wrong type does not match. */
    rf_value as_i32 = rf_val_i32(0x3f800000u);
    assert_false(spec_value_matches(&e, &as_i32));

    /* A NaN with a payload must come back bit-exact: 0x7fa00000 = 2141192192 */
    assert_int_equal(parse_expected("f32", "2141192192", &refs, &e), SPEC_VAL_OK);
    rf_value nan_payload = f32_bits(0x7fa00000u);
    rf_value canonical = f32_bits(0x7fc00000u);
    assert_true(spec_value_matches(&e, &nan_payload));
    assert_false(spec_value_matches(&e, &canonical));

    /* -0.0 = 0x8000000000000000 = 9223372036854775808 is not +0.0 */
    assert_int_equal(parse_expected("f64", "9223372036854775808", &refs, &e), SPEC_VAL_OK);
    rf_value neg_zero = f64_bits(0x8000000000000000u);
    rf_value pos_zero = f64_bits(0);
    assert_true(spec_value_matches(&e, &neg_zero));
    assert_false(spec_value_matches(&e, &pos_zero));
    spec_refs_free(&refs);
}

static void test_nan_patterns(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    spec_expected can32, ari32, can64, ari64;
    assert_int_equal(parse_expected("f32", "nan:canonical", &refs, &can32), SPEC_VAL_OK);
    assert_int_equal(parse_expected("f32", "nan:arithmetic", &refs, &ari32), SPEC_VAL_OK);
    assert_int_equal(parse_expected("f64", "nan:canonical", &refs, &can64), SPEC_VAL_OK);
    assert_int_equal(parse_expected("f64", "nan:arithmetic", &refs, &ari64), SPEC_VAL_OK);
    assert_int_equal(can32.kind, SPEC_EXPECT_NAN_CANONICAL);
    assert_int_equal(ari64.kind, SPEC_EXPECT_NAN_ARITHMETIC);

    rf_value v;
    v = f32_bits(0x7fc00000u); /* canonical, positive */
    assert_true(spec_value_matches(&can32, &v));
    assert_true(spec_value_matches(&ari32, &v));
    v = f32_bits(0xffc00000u); /* canonical, negative */
    assert_true(spec_value_matches(&can32, &v));
    assert_true(spec_value_matches(&ari32, &v));
    v = f32_bits(0x7fc00001u); /* quiet with payload: arithmetic only */
    assert_false(spec_value_matches(&can32, &v));
    assert_true(spec_value_matches(&ari32, &v));
    v = f32_bits(0xffffffffu);
    assert_false(spec_value_matches(&can32, &v));
    assert_true(spec_value_matches(&ari32, &v));
    v = f32_bits(0x7fa00000u); /* signalling NaN: neither */
    assert_false(spec_value_matches(&can32, &v));
    assert_false(spec_value_matches(&ari32, &v));
    v = f32_bits(0x7f800000u); /* infinity: neither */
    assert_false(spec_value_matches(&can32, &v));
    assert_false(spec_value_matches(&ari32, &v));
    v = f64_bits(0x7ff8000000000000u); /* an f64 NaN does not satisfy an f32 pattern */
    assert_false(spec_value_matches(&can32, &v));

    v = f64_bits(0x7ff8000000000000u);
    assert_true(spec_value_matches(&can64, &v));
    assert_true(spec_value_matches(&ari64, &v));
    v = f64_bits(0xfff8000000000000u);
    assert_true(spec_value_matches(&can64, &v));
    v = f64_bits(0x7ff8000000000001u);
    assert_false(spec_value_matches(&can64, &v));
    assert_true(spec_value_matches(&ari64, &v));
    v = f64_bits(0x7ff4000000000000u); /* signalling */
    assert_false(spec_value_matches(&can64, &v));
    assert_false(spec_value_matches(&ari64, &v));
    v = f64_bits(0x7ff0000000000000u); /* infinity */
    assert_false(spec_value_matches(&ari64, &v));

    /* NaN patterns only make sense for floats. */
    spec_expected bad;
    assert_int_equal(parse_expected("i32", "nan:canonical", &refs, &bad), SPEC_VAL_BAD);
    spec_refs_free(&refs);
}

static void test_references(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    rf_value a, b, c, null;
    assert_int_equal(parse_arg("externref", "1", &refs, &a), SPEC_VAL_OK);
    assert_int_equal(parse_arg("externref", "1", &refs, &b), SPEC_VAL_OK);
    assert_int_equal(parse_arg("externref", "0", &refs, &c), SPEC_VAL_OK);
    assert_int_equal(parse_arg("externref", "null", &refs, &null), SPEC_VAL_OK);
    assert_non_null(a.of.ref);
    assert_non_null(c.of.ref); /* ref.extern 0 is not null */
    assert_ptr_equal(a.of.ref, b.of.ref);
    assert_ptr_not_equal(a.of.ref, c.of.ref);
    assert_null(null.of.ref);
    uint64_t n = 99;
    assert_true(spec_refs_lookup(&refs, a.of.ref, &n));
    assert_true(n == 1);
    int foreign;
    assert_false(spec_refs_lookup(&refs, &foreign, &n));

    /* Pointers stay valid while the table grows. */
    void *first = a.of.ref;
    for (uint64_t i = 100; i < 300; i++)
        assert_non_null(spec_refs_get(&refs, i));
    assert_ptr_equal(spec_refs_get(&refs, 1), first);

    spec_expected e;
    assert_int_equal(parse_expected("externref", "1", &refs, &e), SPEC_VAL_OK);
    assert_true(spec_value_matches(&e, &a));
    assert_false(spec_value_matches(&e, &c));
    assert_false(spec_value_matches(&e, &null));
    assert_int_equal(parse_expected("externref", "null", &refs, &e), SPEC_VAL_OK);
    assert_true(spec_value_matches(&e, &null));
    assert_false(spec_value_matches(&e, &a));
    rf_value null_func = {.type = RF_FUNCREF};
    null_func.of.ref = NULL;
    assert_false(spec_value_matches(&e, &null_func)); /* wrong reference type */

    /* A reference without a value: any non-null one. */
    assert_int_equal(parse_expected("funcref", NULL, &refs, &e), SPEC_VAL_OK);
    assert_int_equal(e.kind, SPEC_EXPECT_NON_NULL);
    rf_value some_func = {.type = RF_FUNCREF};
    some_func.of.ref = &foreign;
    assert_true(spec_value_matches(&e, &some_func));
    assert_false(spec_value_matches(&e, &null_func));

    /* A funcref cannot be made from a number. */
    rf_value v;
    assert_int_equal(parse_arg("funcref", "3", &refs, &v), SPEC_VAL_BAD);
    /* ...but an expected funcref number (wast2json's `(ref.func)`) means non-null. */
    assert_int_equal(parse_expected("funcref", "0", &refs, &e), SPEC_VAL_OK);
    assert_int_equal(e.kind, SPEC_EXPECT_NON_NULL);
    assert_true(spec_value_matches(&e, &some_func));
    assert_false(spec_value_matches(&e, &null_func));
    assert_int_equal(parse_arg("funcref", "null", &refs, &v), SPEC_VAL_OK);
    assert_null(v.of.ref);
    spec_refs_free(&refs);
}

static void test_v128_is_reported(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    char why[200];
    json_t *j = json_pack("{s:s, s:s, s:[s,s,s,s]}", "type", "v128", "lane_type", "i32", "value",
                          "1", "2", "3", "4");
    assert_non_null(j);
    rf_value v;
    spec_expected e;
    assert_int_equal(spec_parse_arg(j, &refs, &v, why, sizeof why), SPEC_VAL_V128);
    assert_int_equal(spec_parse_expected(j, &refs, &e, why, sizeof why), SPEC_VAL_V128);
    json_decref(j);
    spec_refs_free(&refs);
}

static void test_formatting(void **state)
{
    (void)state;
    spec_refs refs;
    spec_refs_init(&refs);
    char buf[128];
    rf_value v = rf_val_i32(5);
    spec_format_value(&v, &refs, buf, sizeof buf);
    assert_string_equal(buf, "i32:5");
    v = rf_val_i64(18446744073709551615u);
    spec_format_value(&v, &refs, buf, sizeof buf);
    assert_string_equal(buf, "i64:18446744073709551615");
    v = f32_bits(0x3fc00000u);
    spec_format_value(&v, &refs, buf, sizeof buf);
    assert_string_equal(buf, "f32:1.5 (0x3fc00000)");
    v = f64_bits(0xc000000000000000u);
    spec_format_value(&v, &refs, buf, sizeof buf);
    assert_string_equal(buf, "f64:-2 (0xc000000000000000)");

    assert_int_equal(parse_arg("externref", "7", &refs, &v), SPEC_VAL_OK);
    spec_format_value(&v, &refs, buf, sizeof buf);
    assert_string_equal(buf, "externref:7");
    v.of.ref = NULL;
    spec_format_value(&v, &refs, buf, sizeof buf);
    assert_string_equal(buf, "externref:null");

    spec_expected e;
    assert_int_equal(parse_expected("f64", "nan:arithmetic", &refs, &e), SPEC_VAL_OK);
    spec_format_expected(&e, buf, sizeof buf);
    assert_string_equal(buf, "f64:nan:arithmetic");
    assert_int_equal(parse_expected("externref", "42", &refs, &e), SPEC_VAL_OK);
    spec_format_expected(&e, buf, sizeof buf);
    assert_string_equal(buf, "externref:42");
    assert_int_equal(parse_expected("i32", "4294967295", &refs, &e), SPEC_VAL_OK);
    spec_format_expected(&e, buf, sizeof buf);
    assert_string_equal(buf, "i32:4294967295");

    /* Truncation never overflows the buffer. */
    char tiny[6];
    memset(tiny, 'x', sizeof tiny);
    v = rf_val_i64(18446744073709551615u);
    spec_format_value(&v, &refs, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 5);
    spec_refs_free(&refs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),        cmocka_unit_test(test_bad_json_shapes),
        cmocka_unit_test(test_float_exact),     cmocka_unit_test(test_nan_patterns),
        cmocka_unit_test(test_references),      cmocka_unit_test(test_v128_is_reported),
        cmocka_unit_test(test_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
