/*
 * test_reader.c — the bounds-checked cursor (reader.c): LEB128 limits and
 * sign rules, floats, UTF-8 names, and decoding of whole instructions.
 * Expected values are written out by hand from the binary format spec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "opcodes.h"
#include "reader.h"

/* A reader over a byte-string literal (without its terminating NUL). */
#define READER(lit) rf_reader_make((const uint8_t *)(lit), 0, sizeof(lit) - 1)

/* ---- unsigned LEB128 ----------------------------------------------------- */

static void u32_ok(const char *bytes, size_t len, uint32_t want)
{
    rf_reader r = rf_reader_make((const uint8_t *)bytes, 0, len);
    uint32_t v = 12345;
    assert_true(rf_read_u32(&r, &v));
    assert_int_equal(v, want);
    assert_int_equal(r.pos, len);
}

static void u32_bad(const char *bytes, size_t len, const char *reason)
{
    rf_reader r = rf_reader_make((const uint8_t *)bytes, 0, len);
    uint32_t v;
    assert_false(rf_read_u32(&r, &v));
    assert_string_equal(r.err, reason);
    assert_int_equal(r.err_pos, 0);
}

static void test_u32(void **state)
{
    (void)state;
    u32_ok("\x00", 1, 0);
    u32_ok("\x7f", 1, 127);
    u32_ok("\x80\x01", 2, 128);
    u32_ok("\xe5\x8e\x26", 3, 624485);
    u32_ok("\xff\xff\xff\xff\x0f", 5, UINT32_MAX);
    u32_ok("\x80\x80\x80\x80\x00", 5, 0);            /* padded zero is fine */
    u32_ok("\x83\x80\x80\x80\x00", 5, 3);
    u32_bad("\x80\x80\x80\x80\x80\x00", 6, "integer representation too long");
    u32_bad("\xff\xff\xff\xff\x8f\x00", 6, "integer representation too long");
    u32_bad("\xff\xff\xff\xff\x1f", 5, "integer too large");
    u32_bad("\x80\x80\x80\x80\x10", 5, "integer too large");
    u32_bad("\x80\x80\x80\x80\x70", 5, "integer too large");
    u32_bad("\x80", 1, "unexpected end");
    u32_bad("\xff\xff\xff\xff", 4, "unexpected end");
    u32_bad("", 0, "unexpected end");
}

static void test_u32_stops_at_window_end(void **state)
{
    (void)state;
    /* The value continues past the window: must not read beyond `end`. */
    const uint8_t bytes[] = { 0x80, 0x80, 0x01 };
    rf_reader r = rf_reader_make(bytes, 0, 2);
    uint32_t v;
    assert_false(rf_read_u32(&r, &v));
    assert_string_equal(r.err, "unexpected end");
}

static void test_u64(void **state)
{
    (void)state;
    rf_reader r = READER("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
    uint64_t v;
    assert_true(rf_read_u64(&r, &v));
    assert_true(v == UINT64_MAX);
    assert_int_equal(r.pos, 10);

    r = READER("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00");
    assert_true(rf_read_u64(&r, &v));
    assert_true(v == 0);

    r = READER("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02");
    assert_false(rf_read_u64(&r, &v));
    assert_string_equal(r.err, "integer too large");

    r = READER("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00");
    assert_false(rf_read_u64(&r, &v));
    assert_string_equal(r.err, "integer representation too long");

    /* 33 bits are fine as u64 but not as u32. */
    r = READER("\x80\x80\x80\x80\x10");
    assert_true(rf_read_u64(&r, &v));
    assert_true(v == 0x100000000ull);
}

/* ---- signed LEB128 ------------------------------------------------------- */

static void test_s32(void **state)
{
    (void)state;
    struct { const char *b; size_t n; int32_t want; } ok[] = {
        { "\x00", 1, 0 },
        { "\x3f", 1, 63 },
        { "\x40", 1, -64 },
        { "\x7f", 1, -1 },
        { "\xc0\x00", 2, 64 },
        { "\x80\x7f", 2, -128 },
        { "\xff\xff\xff\xff\x07", 5, INT32_MAX },
        { "\x80\x80\x80\x80\x78", 5, INT32_MIN },
        { "\xff\xff\xff\xff\x7f", 5, -1 },           /* padded -1 */
        { "\x80\x80\x80\x80\x00", 5, 0 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        rf_reader r = rf_reader_make((const uint8_t *)ok[i].b, 0, ok[i].n);
        int32_t v;
        assert_true(rf_read_s32(&r, &v));
        assert_int_equal(v, ok[i].want);
        assert_int_equal(r.pos, ok[i].n);
    }
    struct { const char *b; size_t n; const char *why; } bad[] = {
        /* last byte: bits 3..6 must all equal the sign bit (bit 3) */
        { "\xff\xff\xff\xff\x0f", 5, "integer too large" },
        { "\x80\x80\x80\x80\x70", 5, "integer too large" },
        { "\x80\x80\x80\x80\x08", 5, "integer too large" },
        { "\xff\xff\xff\xff\x77", 5, "integer too large" },
        { "\xff\xff\xff\xff\xff\x7f", 6, "integer representation too long" },
        { "\x80\x80\x80\x80\x80\x00", 6, "integer representation too long" },
        { "\xff", 1, "unexpected end" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_reader r = rf_reader_make((const uint8_t *)bad[i].b, 0, bad[i].n);
        int32_t v;
        assert_false(rf_read_s32(&r, &v));
        assert_string_equal(r.err, bad[i].why);
    }
}

static void test_s33(void **state)
{
    (void)state;
    int64_t v;
    rf_reader r = READER("\xff\xff\xff\xff\x0f");   /* 2^32 - 1: fits 33 signed bits */
    assert_true(rf_read_s33(&r, &v));
    assert_true(v == 0xFFFFFFFFll);
    r = READER("\x80\x80\x80\x80\x70");             /* -2^32 */
    assert_true(rf_read_s33(&r, &v));
    assert_true(v == -0x100000000ll);
    r = READER("\x80\x80\x80\x80\x10");             /* 2^32: needs 34 bits */
    assert_false(rf_read_s33(&r, &v));
    assert_string_equal(r.err, "integer too large");
    r = READER("\x80\x80\x80\x80\x60");             /* sign bit 0, bits 5,6 set */
    assert_false(rf_read_s33(&r, &v));
    assert_string_equal(r.err, "integer too large");
    r = READER("\x80\x80\x80\x80\x80\x00");
    assert_false(rf_read_s33(&r, &v));
    assert_string_equal(r.err, "integer representation too long");
}

static void test_s64(void **state)
{
    (void)state;
    int64_t v;
    rf_reader r = READER("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f");
    assert_true(rf_read_s64(&r, &v));
    assert_true(v == INT64_MIN);
    r = READER("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00");
    assert_true(rf_read_s64(&r, &v));
    assert_true(v == INT64_MAX);
    r = READER("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f");
    assert_true(rf_read_s64(&r, &v));
    assert_true(v == -1);
    r = READER("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01");
    assert_false(rf_read_s64(&r, &v));
    assert_string_equal(r.err, "integer too large");
    r = READER("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7e");
    assert_false(rf_read_s64(&r, &v));
    assert_string_equal(r.err, "integer too large");
    r = READER("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f");
    assert_false(rf_read_s64(&r, &v));
    assert_string_equal(r.err, "integer representation too long");
    r = READER("\x7e");
    assert_true(rf_read_s64(&r, &v));
    assert_true(v == -2);
}

static void test_floats(void **state)
{
    (void)state;
    rf_reader r = READER("\x00\x00\x80\x3f" "\x00\x00\x00\x00\x00\x00\xf0\xbf" "\x01\x02");
    uint32_t f;
    uint64_t d;
    assert_true(rf_read_f32(&r, &f));
    assert_int_equal(f, 0x3f800000u);                /* 1.0f */
    assert_true(rf_read_f64(&r, &d));
    assert_true(d == 0xbff0000000000000ull);        /* -1.0 */
    assert_false(rf_read_f32(&r, &f));              /* only 2 bytes left */
    assert_string_equal(r.err, "unexpected end");
    assert_int_equal(r.pos, 12);                     /* nothing consumed */
}

/* ---- UTF-8 and names ----------------------------------------------------- */

static bool utf8(const char *s, size_t n)
{
    return rf_utf8_valid((const uint8_t *)s, n);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(utf8("", 0));
    assert_true(utf8("hello", 5));
    assert_true(utf8("\x00", 1));
    assert_true(utf8("\xc2\xa2", 2));                /* U+00A2 */
    assert_true(utf8("\xe2\x82\xac", 3));            /* U+20AC */
    assert_true(utf8("\xf0\x9f\x98\x80", 4));        /* U+1F600 */
    assert_true(utf8("\xed\x9f\xbf", 3));            /* U+D7FF, last before surrogates */
    assert_true(utf8("\xee\x80\x80", 3));            /* U+E000, first after */
    assert_true(utf8("\xf4\x8f\xbf\xbf", 4));        /* U+10FFFF */
    assert_true(utf8("\xef\xbf\xbf", 3));            /* U+FFFF */

    assert_false(utf8("\xc0\x80", 2));               /* overlong NUL */
    assert_false(utf8("\xc1\xbf", 2));               /* overlong U+007F */
    assert_false(utf8("\xe0\x80\x80", 3));           /* overlong */
    assert_false(utf8("\xe0\x9f\xbf", 3));           /* overlong U+07FF */
    assert_false(utf8("\xf0\x80\x80\x80", 4));       /* overlong */
    assert_false(utf8("\xf0\x8f\xbf\xbf", 4));       /* overlong U+FFFF */
    assert_false(utf8("\xed\xa0\x80", 3));           /* U+D800 surrogate */
    assert_false(utf8("\xed\xbf\xbf", 3));           /* U+DFFF surrogate */
    assert_false(utf8("\xf4\x90\x80\x80", 4));       /* U+110000 */
    assert_false(utf8("\xf5\x80\x80\x80", 4));
    assert_false(utf8("\xf8\x88\x80\x80\x80", 5));   /* 5-byte form */
    assert_false(utf8("\xff", 1));
    assert_false(utf8("\x80", 1));                   /* lone continuation */
    assert_false(utf8("\xe2\x82", 2));               /* truncated */
    assert_false(utf8("\xc2\x41", 2));               /* bad continuation */
    assert_false(utf8("a\xe2\x28\xa1", 4));
}

static void test_name(void **state)
{
    (void)state;
    const uint8_t *s;
    uint32_t n;
    rf_reader r = READER("\x03" "abc" "\x00");
    assert_true(rf_read_name(&r, &s, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(s, "abc", 3);
    assert_true(rf_read_name(&r, &s, &n));
    assert_int_equal(n, 0);
    assert_true(rf_reader_at_end(&r));

    r = READER("\x04" "abc");
    assert_false(rf_read_name(&r, &s, &n));
    assert_string_equal(r.err, "unexpected end");

    r = READER("\x02" "\xc0\x80");
    assert_false(rf_read_name(&r, &s, &n));
    assert_string_equal(r.err, "malformed UTF-8 encoding");
    assert_int_equal(r.err_pos, 0);

    r = READER("\xff\xff\xff\xff\x0f");              /* 4 GiB name in 5 bytes */
    assert_false(rf_read_name(&r, &s, &n));
    assert_string_equal(r.err, "unexpected end");
}

/* ---- instructions -------------------------------------------------------- */

static void instr_ok(const char *bytes, size_t len, unsigned op, rf_instr *in)
{
    rf_reader r = rf_reader_make((const uint8_t *)bytes, 0, len);
    memset(in, 0, sizeof *in);
    assert_true(rf_read_instr(&r, in));
    assert_int_equal(in->op, op);
    assert_int_equal(in->offset, 0);
    assert_int_equal(r.pos, len);                    /* all immediates consumed */
}

static void instr_bad(const char *bytes, size_t len, const char *reason)
{
    rf_reader r = rf_reader_make((const uint8_t *)bytes, 0, len);
    rf_instr in;
    assert_false(rf_read_instr(&r, &in));
    assert_string_equal(r.err, reason);
}

static void test_instr_simple(void **state)
{
    (void)state;
    rf_instr in;
    instr_ok("\x6a", 1, RF_OP_I32_ADD, &in);
    instr_ok("\x0b", 1, RF_OP_END, &in);
    instr_ok("\x41\x7f", 2, RF_OP_I32_CONST, &in);
    assert_true(in.value == 0xFFFFFFFFu);            /* -1 as zero-extended bits */
    instr_ok("\x42\x80\x7f", 3, RF_OP_I64_CONST, &in);
    assert_true(in.value == (uint64_t)-128);
    instr_ok("\x43\x00\x00\xc0\x7f", 5, RF_OP_F32_CONST, &in);
    assert_true(in.value == 0x7fc00000u);
    instr_ok("\x44\x00\x00\x00\x00\x00\x00\xf8\x7f", 9, RF_OP_F64_CONST, &in);
    assert_true(in.value == 0x7ff8000000000000ull);
    instr_ok("\x20\x05", 2, RF_OP_LOCAL_GET, &in);
    assert_int_equal(in.a, 5);
    instr_ok("\x11\x02\x00", 3, RF_OP_CALL_INDIRECT, &in);
    assert_int_equal(in.a, 2);
    assert_int_equal(in.b, 0);
    instr_ok("\x28\x02\x10", 3, RF_OP_I32_LOAD, &in);
    assert_int_equal(in.a, 2);                       /* align */
    assert_int_equal(in.b, 16);                      /* offset */
    instr_ok("\x3f\x00", 2, RF_OP_MEMORY_SIZE, &in);
    instr_ok("\xd0\x6f", 2, RF_OP_REF_NULL, &in);
    assert_int_equal(in.reftype, 0x6f);
    instr_ok("\xd2\x81\x01", 3, RF_OP_REF_FUNC, &in);
    assert_int_equal(in.a, 129);
}

static void test_instr_blocktypes(void **state)
{
    (void)state;
    rf_instr in;
    instr_ok("\x02\x40", 2, RF_OP_BLOCK, &in);
    assert_int_equal(in.bt.kind, RF_BT_EMPTY);
    instr_ok("\x03\x7e", 2, RF_OP_LOOP, &in);
    assert_int_equal(in.bt.kind, RF_BT_VALUE);
    assert_int_equal(in.bt.valtype, 0x7e);
    instr_ok("\x04\x05", 2, RF_OP_IF, &in);
    assert_int_equal(in.bt.kind, RF_BT_INDEX);
    assert_int_equal(in.bt.typeidx, 5);
    instr_ok("\x02\x80\x01", 3, RF_OP_BLOCK, &in);   /* type index 128 */
    assert_int_equal(in.bt.kind, RF_BT_INDEX);
    assert_int_equal(in.bt.typeidx, 128);
    instr_bad("\x02\x7a", 2, "malformed block type");   /* -6: not a value type */
    instr_bad("\x02\x7b", 2, "SIMD is not supported yet");
    instr_bad("\x02", 1, "unexpected end");
}

static void test_instr_prefixed(void **state)
{
    (void)state;
    rf_instr in;
    instr_ok("\xfc\x00", 2, RF_OP_I32_TRUNC_SAT_F32_S, &in);
    instr_ok("\xfc\x08\x03\x00", 4, RF_OP_MEMORY_INIT, &in);
    assert_int_equal(in.a, 3);
    instr_ok("\xfc\x88\x80\x80\x80\x00\x01\x00", 8, RF_OP_MEMORY_INIT, &in);   /* padded sub-opcode */
    instr_ok("\xfc\x09\x02", 3, RF_OP_DATA_DROP, &in);
    instr_ok("\xfc\x0a\x00\x00", 4, RF_OP_MEMORY_COPY, &in);
    instr_ok("\xfc\x0c\x01\x02", 4, RF_OP_TABLE_INIT, &in);
    assert_int_equal(in.a, 1);
    assert_int_equal(in.b, 2);
    instr_ok("\xfc\x11\x00", 3, RF_OP_TABLE_FILL, &in);
    instr_bad("\xfc\x12", 2, "illegal opcode");
    instr_bad("\xfc\x80\x02", 3, "illegal opcode");       /* 256 */
    instr_bad("\xfc\x08\x00\x01", 4, "zero byte expected");
    instr_bad("\xfc", 1, "unexpected end");
    instr_bad("\xfd\x0c", 2, "SIMD is not supported yet");
    instr_bad("\x06", 1, "illegal opcode");
    instr_bad("\xff", 1, "illegal opcode");
    instr_bad("\x3f\x01", 2, "zero byte expected");
    instr_bad("\x40\x80\x00", 3, "zero byte expected");
}

static void test_instr_br_table(void **state)
{
    (void)state;
    rf_instr in;
    const char code[] = "\x0e\x03\x00\x81\x01\x02\x07";
    rf_reader r = rf_reader_make((const uint8_t *)code, 0, sizeof code - 1);
    assert_true(rf_read_instr(&r, &in));
    assert_int_equal(in.op, RF_OP_BR_TABLE);
    assert_int_equal(in.count, 3);
    assert_int_equal(in.default_label, 7);
    assert_int_equal(r.pos, sizeof code - 1);
    rf_reader lr = rf_br_table_labels(&r, &in);
    uint32_t want[3] = { 0, 129, 2 }, label;
    for (int i = 0; i < 3; i++) {
        assert_true(rf_read_u32(&lr, &label));
        assert_int_equal(label, want[i]);
    }
    instr_ok("\x0e\x00\x05", 3, RF_OP_BR_TABLE, &in);
    assert_int_equal(in.count, 0);
    assert_int_equal(in.default_label, 5);
    instr_bad("\x0e\xff\xff\xff\xff\x0f\x00", 7, "unexpected end");   /* huge count */
    instr_bad("\x0e\x02\x00\x01", 4, "unexpected end");               /* no default */
}

static void test_instr_select(void **state)
{
    (void)state;
    rf_instr in;
    instr_ok("\x1b", 1, RF_OP_SELECT, &in);
    instr_ok("\x1c\x01\x7f", 3, RF_OP_SELECT_T, &in);
    assert_int_equal(in.count, 1);
    assert_int_equal(in.reftype, 0x7f);
    instr_bad("\x1c\x01\x7b", 3, "SIMD is not supported yet");
    instr_bad("\x1c\x01\x40", 3, "malformed value type");
    instr_bad("\x1c\x05\x7f", 3, "unexpected end");
    instr_bad("\xd0\x7f", 2, "malformed reference type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u32),
        cmocka_unit_test(test_u32_stops_at_window_end),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_s32),
        cmocka_unit_test(test_s33),
        cmocka_unit_test(test_s64),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_instr_simple),
        cmocka_unit_test(test_instr_blocktypes),
        cmocka_unit_test(test_instr_prefixed),
        cmocka_unit_test(test_instr_br_table),
        cmocka_unit_test(test_instr_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
