/*
 * test_decode.c — the binary decoder (decode*.c) and the module API of
 * module.c, on hand-built modules: every section kind, all element and data
 * segment encodings, the name section, the error cases with their kind,
 * section and offset, and a fuzz-style loop (every truncation, many byte
 * flips) that must never crash and always either decode or report an error.
 *
 * The validator and compiler are other modules; this program stubs them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "error.h"
#include "opcodes.h"
#include "runtime.h"
#include "validate.h"

/* ---- stubs for the stages after decoding (test program only) ------------- */

static bool stub_validate_ok = true;
static int stub_compile_calls;

bool rf_validate_module(rf_module *m, rf_error *err)
{
    if (!stub_validate_ok)
        return rf_error_set(err, RF_ERR_INVALID, 0, RF_NO_FUNC, "invalid: stub says no");
    m->validated = true;
    return true;
}

bool rf_compile_module(rf_module *m, rf_error *err)
{
    (void)err;
    stub_compile_calls++;
    m->compiled = malloc(16);
    return m->compiled != NULL;
}

void rf_compiled_free(void *compiled)
{
    free(compiled);
}

/* ---- building modules ------------------------------------------------------ */

typedef struct wbuf {
    uint8_t b[8192];
    size_t n;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    assert_true(w->n + n <= sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void put_u32(wbuf *w, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        if (v)
            byte |= 0x80;
        put(w, &byte, 1);
    } while (v);
}

static void header(wbuf *w)
{
    w->n = 0;
    put(w, "\0asm\1\0\0\0", 8);
}

static void section(wbuf *w, uint8_t id, const void *content, size_t n)
{
    put(w, &id, 1);
    put_u32(w, (uint32_t)n);
    put(w, content, n);
}

#define SEC(w, id, lit) section((w), (id), (lit), sizeof(lit) - 1)

/* Every span of a decoded module lies inside its bytes. */
static void check_spans(const rf_module *m)
{
#define IN_BOUNDS(sp) assert_true((uint64_t)(sp).offset + (sp).length <= m->size)
    for (uint32_t i = 0; i < m->num_func_defs; i++) {
        IN_BOUNDS(m->func_defs[i].body);
        assert_true(m->func_defs[i].code_offset >= m->func_defs[i].body.offset);
        assert_true(m->func_defs[i].code_offset <
                    m->func_defs[i].body.offset + m->func_defs[i].body.length);
        assert_true(m->func_defs[i].num_locals <= 50000);
    }
    for (uint32_t i = 0; i < m->num_global_defs; i++)
        IN_BOUNDS(m->global_defs[i].init.bytes);
    for (uint32_t i = 0; i < m->num_elems; i++) {
        IN_BOUNDS(m->elems[i].offset.bytes);
        for (uint32_t k = 0; k < m->elems[i].count; k++)
            IN_BOUNDS(m->elems[i].items[k].bytes);
    }
    for (uint32_t i = 0; i < m->num_datas; i++) {
        IN_BOUNDS(m->datas[i].offset.bytes);
        IN_BOUNDS(m->datas[i].bytes);
    }
    for (uint32_t i = 0; i < m->num_customs; i++)
        IN_BOUNDS(m->customs[i].payload);
    for (uint32_t i = 1; i < m->num_func_names; i++)
        assert_true(m->func_names[i - 1].index < m->func_names[i].index);
    assert_int_equal(m->num_funcs, m->num_func_imports + m->num_func_defs);
    assert_int_equal(m->num_globals, m->num_global_imports + m->num_global_defs);
    assert_true(m->num_tables >= m->num_table_imports);
    assert_true(m->num_memories >= m->num_memory_imports);
#undef IN_BOUNDS
}

/* A module using every section (see the comments for what each holds). */
static void build_full(wbuf *w)
{
    header(w);
    /* (i32 i64) -> f32 ; () -> () */
    SEC(w, 1, "\x02" "\x60\x02\x7f\x7e\x01\x7d" "\x60\x00\x00");
    SEC(w, 2, "\x04"
              "\x01" "e" "\x01" "f" "\x00\x00"                  /* func, type 0 */
              "\x01" "e" "\x01" "t" "\x01\x70\x01\x01\x0a"      /* table funcref 1..10 */
              "\x01" "e" "\x01" "m" "\x02\x00\x01"              /* memory min 1 */
              "\x01" "e" "\x01" "g" "\x03\x7f\x01");            /* global mut i32 */
    SEC(w, 3, "\x02\x01\x00");                                  /* funcs 1, 2 */
    SEC(w, 4, "\x01\x6f\x00\x02");                              /* table externref min 2 */
    SEC(w, 6, "\x01\x7e\x00\x42\x05\x0b");                      /* i64 global = 5 */
    SEC(w, 7, "\x02" "\x03" "run" "\x00\x01" "\x02" "g2" "\x03\x01");
    SEC(w, 8, "\x01");                                          /* start: func 1 */
    SEC(w, 9, "\x01" "\x00\x41\x00\x0b\x02\x01\x02");           /* active, funcs 1, 2 */
    SEC(w, 12, "\x02");
    SEC(w, 10, "\x02"
               "\x0a" "\x02\x03\x7f\x01\x7c" "\x02\x40\x0b\x01\x0b"
               "\x0a" "\x00" "\x20\x00\x1a\x43\x00\x00\x80\x3f\x0b");
    SEC(w, 11, "\x02" "\x00\x41\x00\x0b\x02" "hi" "\x01\x03" "abc");
    SEC(w, 0, "\x04" "name"
              "\x00\x05\x04" "modx"
              "\x01\x0b\x02" "\x01\x03" "one" "\x02\x03" "two");
    SEC(w, 0, "\x05" "otherxyz");
}

static rf_module *decode_ok(const wbuf *w)
{
    rf_module *m = NULL;
    rf_error err;
    bool ok = rf_decode(w->b, w->n, &m, &err);
    if (!ok)
        fail_msg("decode failed: %s", err.message);
    assert_int_equal(err.kind, RF_OK);
    check_spans(m);
    return m;
}

/* Decoding fails with `kind`, the message contains each non-NULL piece, and
 * the error names the offset both in the field and in the text. */
static void decode_fails(const uint8_t *bytes, size_t len, rf_error_kind kind, const char *reason,
                         const char *where, uint64_t offset)
{
    rf_module *m = (rf_module *)1;
    rf_error err;
    assert_false(rf_decode(bytes, len, &m, &err));
    assert_null(m);
    if (err.kind != kind || (reason && !strstr(err.message, reason)) ||
        (where && !strstr(err.message, where)))
        fail_msg("want kind %d '%s' in '%s', got kind %d: %s", kind, reason ? reason : "",
                 where ? where : "", err.kind, err.message);
    if (offset != RF_NO_OFFSET) {
        char text[64];
        snprintf(text, sizeof text, "offset 0x%llx)", (unsigned long long)offset);
        if (err.offset != offset || !strstr(err.message, text))
            fail_msg("want offset 0x%llx, got 0x%llx: %s", (unsigned long long)offset,
                     (unsigned long long)err.offset, err.message);
    }
}

#define H "\0asm\1\0\0\0"
#define FAILS(lit, kind, reason, where, offset) \
    decode_fails((const uint8_t *)(lit), sizeof(lit) - 1, (kind), (reason), (where), (offset))
#define MALFORMED(lit, reason, where, offset) FAILS(lit, RF_ERR_MALFORMED, reason, where, offset)

/* ---- successful decoding ------------------------------------------------------ */

static void test_empty_module(void **state)
{
    (void)state;
    uint8_t bytes[8];
    memcpy(bytes, H, 8);
    rf_module *m;
    rf_error err;
    assert_true(rf_decode(bytes, 8, &m, &err));
    assert_int_equal(m->size, 8);
    assert_true(m->bytes != bytes);
    bytes[0] = 0xFF;                                 /* the module keeps its own copy */
    assert_int_equal(m->bytes[0], 0);
    assert_int_equal(m->num_types + m->num_imports + m->num_funcs + m->num_tables +
                         m->num_memories + m->num_globals + m->num_exports + m->num_elems +
                         m->num_datas + m->num_customs,
                     0);
    assert_false(m->has_start);
    assert_false(m->has_data_count);
    assert_null(m->module_name);
    rf_module_destroy(m);
}

static void test_full_module(void **state)
{
    (void)state;
    wbuf w;
    build_full(&w);
    rf_module *m = decode_ok(&w);

    assert_int_equal(m->num_types, 2);
    assert_int_equal(m->types[0].nparams, 2);
    assert_int_equal(m->types[0].nresults, 1);
    assert_memory_equal(m->types[0].types, "\x7f\x7e\x7d", 3);
    assert_int_equal(m->types[0].valtypes[0], RF_I32);
    assert_int_equal(m->types[0].valtypes[1], RF_I64);
    assert_int_equal(m->types[0].valtypes[2], RF_F32);
    assert_int_equal(m->types[1].nparams + m->types[1].nresults, 0);

    assert_int_equal(m->num_imports, 4);
    assert_int_equal(m->num_func_imports, 1);
    assert_int_equal(m->num_table_imports, 1);
    assert_int_equal(m->num_memory_imports, 1);
    assert_int_equal(m->num_global_imports, 1);
    assert_string_equal(m->imports[1].module, "e");
    assert_string_equal(m->imports[1].name, "t");
    assert_int_equal(m->imports[1].kind, RF_KIND_TABLE);

    assert_int_equal(m->num_funcs, 3);
    assert_int_equal(m->num_func_defs, 2);
    assert_int_equal(m->func_types[0], 0);
    assert_int_equal(m->func_types[1], 1);
    assert_int_equal(m->func_types[2], 0);

    assert_int_equal(m->num_tables, 2);
    assert_int_equal(m->tables[0].elemtype, RF_T_FUNCREF);
    assert_true(m->tables[0].limits.has_max);
    assert_true(m->tables[0].limits.min == 1 && m->tables[0].limits.max == 10);
    assert_int_equal(m->tables[1].elemtype, RF_T_EXTERNREF);
    assert_false(m->tables[1].limits.has_max);
    assert_true(m->tables[1].limits.min == 2);

    assert_int_equal(m->num_memories, 1);
    assert_true(m->memories[0].limits.min == 1 && !m->memories[0].limits.has_max);

    assert_int_equal(m->num_globals, 2);
    assert_int_equal(m->global_types[0].valtype, RF_T_I32);
    assert_true(m->global_types[0].mutable_);
    assert_int_equal(m->global_types[1].valtype, RF_T_I64);
    assert_false(m->global_types[1].mutable_);
    assert_int_equal(m->num_global_defs, 1);
    assert_int_equal(m->global_defs[0].init.bytes.length, 3);
    assert_memory_equal(m->bytes + m->global_defs[0].init.bytes.offset, "\x42\x05\x0b", 3);

    assert_int_equal(m->num_exports, 2);
    assert_string_equal(m->exports[0].name, "run");
    assert_int_equal(m->exports[0].kind, RF_KIND_FUNC);
    assert_int_equal(m->exports[0].index, 1);
    assert_string_equal(m->exports[1].name, "g2");
    assert_int_equal(m->exports[1].kind, RF_KIND_GLOBAL);

    assert_true(m->has_start);
    assert_int_equal(m->start, 1);

    assert_int_equal(m->num_elems, 1);
    assert_int_equal(m->elems[0].mode, RF_SEG_ACTIVE);
    assert_int_equal(m->elems[0].count, 2);
    assert_int_equal(m->elems[0].items[1].op, RF_OP_REF_FUNC);
    assert_true(m->elems[0].items[1].value == 2);

    assert_true(m->has_data_count);
    assert_int_equal(m->data_count, 2);
    assert_int_equal(m->num_datas, 2);
    assert_int_equal(m->datas[0].mode, RF_SEG_ACTIVE);
    assert_int_equal(m->datas[0].bytes.length, 2);
    assert_memory_equal(m->bytes + m->datas[0].bytes.offset, "hi", 2);
    assert_int_equal(m->datas[1].mode, RF_SEG_PASSIVE);
    assert_memory_equal(m->bytes + m->datas[1].bytes.offset, "abc", 3);

    const rf_func_def *f0 = &m->func_defs[0];
    assert_int_equal(f0->functype, 1);
    assert_int_equal(f0->body.length, 10);
    assert_int_equal(f0->num_local_runs, 2);
    assert_int_equal(f0->local_runs[0].count, 3);
    assert_int_equal(f0->local_runs[0].type, RF_T_I32);
    assert_int_equal(f0->local_runs[1].type, RF_T_F64);
    assert_int_equal(f0->num_locals, 4);
    assert_int_equal(m->bytes[f0->code_offset], 0x02);        /* first instruction: block */
    assert_int_equal(f0->info.num_instrs, 4);                  /* block end nop end */
    assert_int_equal(f0->info.max_depth, 2);
    assert_int_equal(m->func_defs[1].num_locals, 0);
    assert_int_equal(m->func_defs[1].info.num_instrs, 4);

    assert_int_equal(m->num_customs, 2);
    assert_string_equal(m->customs[0].name, "name");
    assert_string_equal(m->customs[1].name, "other");
    assert_int_equal(m->customs[1].payload.length, 3);
    assert_memory_equal(m->bytes + m->customs[1].payload.offset, "xyz", 3);
    assert_int_equal(m->bytes[m->customs[1].section_offset], 0);

    assert_string_equal(m->module_name, "modx");
    assert_int_equal(m->num_func_names, 2);
    assert_string_equal(rf_module_func_name(m, 1), "one");
    assert_string_equal(rf_module_func_name(m, 2), "two");
    assert_null(rf_module_func_name(m, 0));
    assert_null(rf_module_func_name(m, 3));
    rf_module_destroy(m);
}

static void test_element_encodings(void **state)
{
    (void)state;
    wbuf w;
    header(&w);
    SEC(&w, 9, "\x08"
               "\x00\x41\x00\x0b\x02\x00\x01"               /* 0: active table 0, funcs */
               "\x01\x00\x01\x02"                           /* 1: passive, elemkind, funcs */
               "\x02\x01\x41\x01\x0b\x00\x01\x00"           /* 2: active table 1, funcs */
               "\x03\x00\x01\x01"                           /* 3: declarative, funcs */
               "\x04\x41\x02\x0b\x02\xd2\x00\x0b\xd0\x70\x0b" /* 4: active table 0, exprs */
               "\x05\x6f\x01\xd0\x6f\x0b"                   /* 5: passive externref exprs */
               "\x06\x01\x41\x03\x0b\x70\x01\xd2\x01\x0b"   /* 6: active table 1, exprs */
               "\x07\x70\x01\xd2\x02\x0b");                 /* 7: declarative exprs */
    rf_module *m = decode_ok(&w);
    assert_int_equal(m->num_elems, 8);
    const uint8_t modes[8] = { RF_SEG_ACTIVE, RF_SEG_PASSIVE, RF_SEG_ACTIVE, RF_SEG_DECLARATIVE,
                               RF_SEG_ACTIVE, RF_SEG_PASSIVE, RF_SEG_ACTIVE, RF_SEG_DECLARATIVE };
    const uint32_t tables[8] = { 0, 0, 1, 0, 0, 0, 1, 0 };
    const uint32_t counts[8] = { 2, 1, 1, 1, 2, 1, 1, 1 };
    for (int i = 0; i < 8; i++) {
        assert_int_equal(m->elems[i].mode, modes[i]);
        assert_int_equal(m->elems[i].count, counts[i]);
        if (modes[i] == RF_SEG_ACTIVE) {
            assert_int_equal(m->elems[i].table, tables[i]);
            assert_int_equal(m->elems[i].offset.bytes.length, 3);
            assert_int_equal(m->bytes[m->elems[i].offset.bytes.offset], 0x41);
        }
        assert_int_equal(m->elems[i].elemtype, i == 5 ? RF_T_EXTERNREF : RF_T_FUNCREF);
    }
    /* function indices are already ref.func items with empty spans */
    assert_int_equal(m->elems[0].items[1].bytes.length, 0);
    assert_int_equal(m->elems[0].items[1].op, RF_OP_REF_FUNC);
    assert_int_equal(m->elems[0].items[1].type, RF_T_FUNCREF);
    assert_true(m->elems[0].items[1].value == 1);
    assert_true(m->elems[1].items[0].value == 2);
    /* expression items keep their bytes for the validator */
    assert_int_equal(m->elems[4].items[0].bytes.length, 3);
    assert_memory_equal(m->bytes + m->elems[4].items[0].bytes.offset, "\xd2\x00\x0b", 3);
    assert_memory_equal(m->bytes + m->elems[4].items[1].bytes.offset, "\xd0\x70\x0b", 3);
    assert_int_equal(m->elems[4].items[0].op, 0);
    rf_module_destroy(m);
}

static void test_data_encodings(void **state)
{
    (void)state;
    wbuf w;
    header(&w);
    SEC(&w, 11, "\x03"
                "\x00\x41\x08\x0b\x01" "a"
                "\x01\x00"
                "\x02\x03\x41\x00\x0b\x02" "bc");
    rf_module *m = decode_ok(&w);
    assert_int_equal(m->num_datas, 3);
    assert_int_equal(m->datas[0].mode, RF_SEG_ACTIVE);
    assert_int_equal(m->datas[0].memory, 0);
    assert_memory_equal(m->bytes + m->datas[0].offset.bytes.offset, "\x41\x08\x0b", 3);
    assert_int_equal(m->datas[1].mode, RF_SEG_PASSIVE);
    assert_int_equal(m->datas[1].bytes.length, 0);
    assert_int_equal(m->datas[2].mode, RF_SEG_ACTIVE);
    assert_int_equal(m->datas[2].memory, 3);
    assert_memory_equal(m->bytes + m->datas[2].bytes.offset, "bc", 2);
    assert_false(m->has_data_count);
    rf_module_destroy(m);
}

static void test_nested_const_expr(void **state)
{
    (void)state;
    /* A block inside a constant expression is not constant (the validator
     * says so) but is well formed: the expression ends at the outer end. */
    wbuf w;
    header(&w);
    SEC(&w, 6, "\x02" "\x7f\x00\x02\x7f\x41\x01\x0b\x0b" "\x7f\x00\x41\x02\x0b");
    rf_module *m = decode_ok(&w);
    assert_int_equal(m->num_global_defs, 2);
    assert_int_equal(m->global_defs[0].init.bytes.length, 6);
    assert_memory_equal(m->bytes + m->global_defs[1].init.bytes.offset, "\x41\x02\x0b", 3);
    rf_module_destroy(m);
}

static void test_control_structure(void **state)
{
    (void)state;
    wbuf w;
    header(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    /* if/else, nested loop, br_table, ref.null, end: 4 levels deep */
    SEC(&w, 10, "\x01\x14\x00"
                "\x41\x01\x04\x40\x03\x40\x02\x40\x0b\x0b\x05\x41\x00\x0e\x01\x00\x00\x0b\x0b");
    rf_module *m = decode_ok(&w);
    assert_int_equal(m->func_defs[0].info.max_depth, 4);
    assert_int_equal(m->func_defs[0].info.num_instrs, 11);
    rf_module_destroy(m);
}

static void test_locals_limit(void **state)
{
    (void)state;
    wbuf w;
    header(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    /* 50000 locals in two runs: allowed */
    SEC(&w, 10, "\x01\x0a\x02\xa8\xc3\x01\x7f\xa8\xc3\x01\x7e\x0b");   /* 25000 + 25000 */
    rf_module *m = decode_ok(&w);
    assert_int_equal(m->func_defs[0].num_locals, 50000);
    rf_module_destroy(m);

    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
              "\x0a\x0a\x01\x08\x02\xa8\xc3\x01\x7f\xa9\xc3\x01",    /* 25000 + 25001 */
              "too many locals", "code section, func 0", 0x1b);
    /* 2^32 - 1 + 2: the sum does not fit 32 bits */
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
              "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b",
              "too many locals", "code section, func 0", 0x17);
    /* four times 2^30: wraps to 0 in 32 bits */
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
              "\x0a\x1a\x01\x18\x04\x80\x80\x80\x80\x04\x7f\x80\x80\x80\x80\x04\x7e"
              "\x80\x80\x80\x80\x04\x7d\x80\x80\x80\x80\x04\x7c\x0b",
              "too many locals", NULL, RF_NO_OFFSET);
}

/* ---- the name section ----------------------------------------------------------- */

static rf_module *decode_with_name_section(const char *payload, size_t len)
{
    wbuf w;
    header(&w);
    wbuf c;
    c.n = 0;
    put(&c, "\x04" "name", 5);
    put(&c, payload, len);
    section(&w, 0, c.b, c.n);
    return decode_ok(&w);
}

#define NAMES(lit) decode_with_name_section((lit), sizeof(lit) - 1)

static void test_name_section(void **state)
{
    (void)state;
    /* local names (2) and an unknown subsection (9) are skipped */
    rf_module *m = NAMES("\x01\x07\x02\x00\x01" "a" "\x05\x01" "b"
                         "\x02\x03\x01\x00\x00" "\x09\x01\x00");
    assert_int_equal(m->num_func_names, 2);
    assert_string_equal(rf_module_func_name(m, 0), "a");
    assert_string_equal(rf_module_func_name(m, 5), "b");
    assert_null(m->module_name);
    rf_module_destroy(m);

    /* Malformed name sections are ignored, the module still decodes. */
    const struct { const char *p; size_t n; } bad[] = {
        { "\x01\x07\x02\x05\x01" "a" "\x00\x01" "b", 10 },       /* indices out of order */
        { "\x01\x07\x02\x05\x01" "a" "\x05\x01" "b", 10 },       /* duplicate index */
        { "\x01\x04\x01\x00\x01\xff", 6 },                       /* bad UTF-8 */
        { "\x01\x09\x01\x00\x01" "a", 6 },                       /* subsection too long */
        { "\x01\x03\x05\x00\x00", 5 },                           /* count too large */
        { "\x00\x02\x01" "a" "\x00\x02\x01" "b", 8 },            /* repeated subsection */
        { "\x01\x03\x01\x00\x00" "\x00\x02\x01" "m", 9 },        /* out of order */
        { "\x00\x03\x01" "ab", 5 },                              /* name overruns subsection */
        { "\x00\x03\x01" "a" "\x00", 5 },                        /* trailing byte */
        { "\x01", 1 },                                           /* truncated header */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = decode_with_name_section(bad[i].p, bad[i].n);
        assert_int_equal(m->num_func_names, 0);
        assert_null(m->func_names);
        assert_null(m->module_name);
        assert_int_equal(m->num_customs, 1);
        rf_module_destroy(m);
    }
}

/* ---- errors ----------------------------------------------------------------- */

static void test_header_errors(void **state)
{
    (void)state;
    decode_fails((const uint8_t *)"", 0, RF_ERR_MALFORMED, "unexpected end", "module header", 0);
    MALFORMED("\0as", "unexpected end", "module header", 3);
    MALFORMED("\0asn\1\0\0\0", "magic header not detected", "module header", 0);
    MALFORMED("asm\1\0\0\0\0", "magic header not detected", "module header", 0);
    MALFORMED("\0asm\1\0\0", "unexpected end", "module header", 7);
    MALFORMED("\0asm\2\0\0\0", "unknown binary version", "module header", 4);
    MALFORMED("\0asm\1\0\0\0\0asm\1\0\0\0", "length out of bounds", "custom section", 8);
    rf_module *m = (rf_module *)1;
    rf_error err;
    assert_false(rf_decode(NULL, 8, &m, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_null(m);
}

static void test_section_errors(void **state)
{
    (void)state;
    MALFORMED(H "\x0d\x00", "malformed section id 13", "section header", 8);
    MALFORMED(H "\xff\x00", "malformed section id", "section header", 8);
    MALFORMED(H "\x01", "unexpected end", NULL, 9);
    MALFORMED(H "\x01\x80\x80\x80\x80\x80\x00", "integer representation too long", NULL, 9);
    MALFORMED(H "\x01\x05\x00", "length out of bounds", "type section", 8);
    MALFORMED(H "\x01\x01\x00" "\x01\x01\x00", "unexpected content after last section",
              "type section", 11);
    MALFORMED(H "\x03\x01\x00" "\x01\x01\x00", "unexpected content after last section",
              "type section", 11);
    MALFORMED(H "\x0c\x01\x00" "\x09\x01\x00", "unexpected content after last section",
              "element section", 11);
    MALFORMED(H "\x0b\x01\x00" "\x0a\x01\x00", "unexpected content after last section",
              "code section", 11);
    MALFORMED(H "\x01\x02\x00\x00", "section size mismatch", "type section", 11);
    MALFORMED(H "\x00\x00", "unexpected end", "custom section", 10);
    MALFORMED(H "\x00\x02\x01\xff", "malformed UTF-8 encoding", "custom section", 10);
    /* custom sections may appear anywhere, also between known sections */
    wbuf w;
    header(&w);
    SEC(&w, 0, "\x01" "a");
    SEC(&w, 1, "\x00");
    SEC(&w, 0, "\x01" "b");
    SEC(&w, 12, "\x00");
    SEC(&w, 0, "\x01" "c");
    rf_module *m = decode_ok(&w);
    assert_int_equal(m->num_customs, 3);
    assert_string_equal(m->customs[2].name, "c");
    rf_module_destroy(m);
}

static void test_entry_errors(void **state)
{
    (void)state;
    /* type section */
    MALFORMED(H "\x01\x04\x01\x61\x00\x00", "malformed function type", "type section", 11);
    MALFORMED(H "\x01\x05\x01\xe0\x7f\x00\x00", "integer representation too long", NULL, 11);
    MALFORMED(H "\x01\x05\x01\x60\x01\x40\x00", "malformed value type", "type section", 13);
    MALFORMED(H "\x01\x05\xff\xff\xff\xff\x0f", "unexpected end of section or function",
              "type section", 10);
    MALFORMED(H "\x01\x06\x02\x60\x00\x00\x60\x00",
              "unexpected end of section or function", "type section", 16);
    /* import section */
    MALFORMED(H "\x02\x04\x01\x00\x00\x04", "malformed import kind", "import section", 13);
    MALFORMED(H "\x02\x04\x01\x00\x00\x80", "malformed import kind", "import section", 13);
    MALFORMED(H "\x02\x06\x01\x01\xc0\x00\x00\x00", "malformed UTF-8 encoding",
              "import section", 11);
    MALFORMED(H "\x02\x03\x01\x05" "a", "length out of bounds", "import section", 11);
    MALFORMED(H "\x02\x07\x01\x00\x00\x03\x7f\x02\x00", "malformed mutability",
              "import section", 15);
    /* tables, memories, limits */
    MALFORMED(H "\x04\x04\x01\x7f\x00\x00", "malformed reference type", "table section", 11);
    MALFORMED(H "\x04\x03\x01\x70\x02", "integer too large", "table section", 12);
    MALFORMED(H "\x05\x02\x01\x02", "integer too large", "memory section", 11);
    MALFORMED(H "\x05\x03\x01\x10\x00", "integer too large", "memory section", 11);
    MALFORMED(H "\x05\x03\x01\x81\x00", "integer representation too long", "memory section",
              11);
    MALFORMED(H "\x05\x01\x01", "unexpected end of section or function", "memory section", 10);
    MALFORMED(H "\x05\x04\x01\x01\x00\x80", "unexpected end of section or function",
              "memory section", 13);
    /* globals and constant expressions */
    MALFORMED(H "\x06\x06\x01\x7f\x02\x41\x00\x0b", "malformed mutability", "global section",
              12);
    MALFORMED(H "\x06\x05\x01\x7f\x00\x41\x00", "END opcode expected", "global section", 15);
    MALFORMED(H "\x06\x06\x01\x7f\x00\x06\x00\x0b", "illegal opcode", "global section", 13);
    MALFORMED(H "\x06\x06\x01\x7f\x00\x05\x0b\x0b", "END opcode expected", "global section",
              13);
    /* exports */
    MALFORMED(H "\x07\x04\x01\x00\x04\x00", "malformed export kind", "export section", 12);
    /* elements */
    MALFORMED(H "\x09\x02\x01\x08", "malformed elements segment kind", "element section", 11);
    MALFORMED(H "\x09\x04\x01\x01\x01\x00", "malformed element kind", "element section", 12);
    MALFORMED(H "\x09\x07\x01\x05\x7f\x01\xd2\x00\x0b", "malformed reference type",
              "element section", 12);
    MALFORMED(H "\x09\x07\x01\x05\x70\x01\xf3\x00\x0b", "illegal opcode", "element section",
              14);
    /* data */
    MALFORMED(H "\x0b\x02\x01\x03", "malformed data segment kind", "data section", 11);
    MALFORMED(H "\x0b\x05\x01\x01\x05" "ab", "unexpected end of section or function",
              "data section", 12);
    MALFORMED(H "\x0c\x01\x02" "\x0b\x03\x01\x01\x00",
              "data count and data section have inconsistent lengths", "data section", 13);
    MALFORMED(H "\x0c\x01\x01", "data count and data section have inconsistent lengths",
              "data count section", RF_NO_OFFSET);
    /* function and code sections */
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00",
              "function and code section have inconsistent lengths", NULL, RF_NO_OFFSET);
    MALFORMED(H "\x0a\x04\x01\x02\x00\x0b",
              "function and code section have inconsistent lengths", "code section", 10);
    /* the count mismatch is reported after later layout errors */
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00"
              "\x0a\x04\x01\x02\x00\x0b" "\x0a\x04\x01\x02\x00\x0b",
              "unexpected content after last section", "code section", 0x19);
}

/* A module with one imported function and one defined function whose body
 * (after the size) is `body`, so errors must name func 1. */
static void body_fails(const char *body, size_t len, rf_error_kind kind, const char *reason,
                       size_t offset_in_body)
{
    wbuf w;
    header(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 2, "\x01\x01" "m" "\x01" "f" "\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 5, "\x01\x00\x01");
    wbuf c;
    c.n = 0;
    put(&c, "\x01", 1);
    put_u32(&c, (uint32_t)len);
    size_t body_at = w.n + 2 + c.n;                  /* id + one-byte size + prefix */
    put(&c, body, len);
    assert_true(c.n < 128);
    section(&w, 10, c.b, c.n);
    decode_fails(w.b, w.n, kind, reason, "code section, func 1",
                 offset_in_body == SIZE_MAX ? RF_NO_OFFSET : body_at + offset_in_body);
}

#define BODY_FAILS(lit, kind, reason, off) body_fails((lit), sizeof(lit) - 1, (kind), (reason), (off))

static void test_body_errors(void **state)
{
    (void)state;
    BODY_FAILS("\x00\x41\x01\x1a", RF_ERR_MALFORMED, "END opcode expected", 4);
    BODY_FAILS("\x00\x02\x40\x0b", RF_ERR_MALFORMED, "END opcode expected", 4);
    BODY_FAILS("\x00\x0b\x01", RF_ERR_MALFORMED, "section size mismatch", 2);
    BODY_FAILS("\x00\x05\x0b", RF_ERR_MALFORMED, "else outside an if", 1);
    BODY_FAILS("\x00\x02\x40\x05\x0b\x0b", RF_ERR_MALFORMED, "else outside an if", 3);
    BODY_FAILS("\x00\x41\x01\x04\x40\x05\x05\x0b\x0b", RF_ERR_MALFORMED,
               "second else in one if", 6);
    BODY_FAILS("\x00\x41\x00\x28\x20\x00\x1a\x0b", RF_ERR_MALFORMED, "malformed memop flags", 3);
    BODY_FAILS("\x00\x41\x00\x28\x80\x01\x00\x1a\x0b", RF_ERR_MALFORMED,
               "malformed memop flags", 3);
    BODY_FAILS("\x00\x3f\x01\x1a\x0b", RF_ERR_MALFORMED, "zero byte expected", 2);
    BODY_FAILS("\x00\x06\x0b", RF_ERR_MALFORMED, "illegal opcode", 1);
    BODY_FAILS("\x00\x41\x80\x80\x80\x80\x80\x00\x0b", RF_ERR_MALFORMED,
               "integer representation too long", 2);
    BODY_FAILS("\x00\x41", RF_ERR_MALFORMED, "unexpected end of section or function", 2);
    BODY_FAILS("\x01\x01", RF_ERR_MALFORMED, "unexpected end of section or function", 0);
    BODY_FAILS("\x01\x01\x7f", RF_ERR_MALFORMED, "END opcode expected", 3);
    BODY_FAILS("\x01\x01\x40\x0b", RF_ERR_MALFORMED, "malformed value type", 2);
    BODY_FAILS("\x05\x01\x7f\x0b", RF_ERR_MALFORMED, "unexpected end of section or function",
               0);
    BODY_FAILS("\x01\x01\x7b\x0b", RF_ERR_UNSUPPORTED, "unsupported: SIMD is not supported yet", 2);
    BODY_FAILS("\x00\x02\x7b\x0b\x0b", RF_ERR_UNSUPPORTED, "SIMD is not supported yet", 2);
    BODY_FAILS("\x00\xfd\x0c\x0b", RF_ERR_UNSUPPORTED, "SIMD is not supported yet", 1);
    BODY_FAILS("\x00\x1c\x01\x7b\x0b", RF_ERR_UNSUPPORTED, "SIMD is not supported yet", 3);
}

static void test_body_size_errors(void **state)
{
    (void)state;
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x03\x01\x05\x00",
              "length out of bounds", "code section, func 0", 0x15);
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x05\x01\x02\x00\x0b\x0b",
              "section size mismatch", "code section", 0x18);
}

static void test_simd_types(void **state)
{
    (void)state;
    FAILS(H "\x01\x05\x01\x60\x01\x7b\x00", RF_ERR_UNSUPPORTED,
          "unsupported: SIMD is not supported yet (type section, offset 0xd)", NULL, 13);
    FAILS(H "\x06\x06\x01\x7b\x00\x41\x00\x0b", RF_ERR_UNSUPPORTED, "SIMD is not supported yet",
          "global section", 11);
    FAILS(H "\x02\x06\x01\x00\x00\x03\x7b\x00", RF_ERR_UNSUPPORTED, "SIMD is not supported yet",
          "import section", 14);
}

static void test_data_count_required(void **state)
{
    (void)state;
    /* memory.init without a data count section, with a data section */
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x05\x03\x01\x00\x00"
              "\x0a\x0e\x01\x0c\x00\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b"
              "\x0b\x03\x01\x01\x00",
              "data count section required", "code section, func 0", 0x22);
    MALFORMED(H "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x05\x03\x01\x00\x00"
              "\x0a\x07\x01\x05\x00\xfc\x09\x00\x0b" "\x0b\x03\x01\x01\x00",
              "data count section required", "code section, func 0", 0x1c);
    /* with a data count section it is fine */
    wbuf w;
    header(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 12, "\x01");
    SEC(&w, 10, "\x01\x05\x00\xfc\x09\x00\x0b");
    SEC(&w, 11, "\x01\x01\x00");
    rf_module *m = decode_ok(&w);
    rf_module_destroy(m);
    /* without any data section the index is simply unknown: left to the
     * validator ("unknown data segment") */
    header(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 10, "\x01\x05\x00\xfc\x09\x00\x0b");
    m = decode_ok(&w);
    rf_module_destroy(m);
}

/* ---- robustness ---------------------------------------------------------------- */

static void decode_any(const uint8_t *bytes, size_t len)
{
    rf_module *m = NULL;
    rf_error err;
    if (rf_decode(bytes, len, &m, &err)) {
        assert_non_null(m);
        assert_int_equal(err.kind, RF_OK);
        check_spans(m);
        rf_module_destroy(m);
    } else {
        assert_null(m);
        assert_int_not_equal(err.kind, RF_OK);
        assert_true(err.message[0] != '\0');
        assert_true(err.kind == RF_ERR_MALFORMED || err.kind == RF_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.message, "offset 0x"));
    }
}

static void test_truncations(void **state)
{
    (void)state;
    wbuf w;
    build_full(&w);
    for (size_t len = 0; len <= w.n; len++) {
        uint8_t *copy = malloc(len ? len : 1);   /* exact size: ASan sees any overread */
        assert_non_null(copy);
        memcpy(copy, w.b, len);
        decode_any(copy, len);
        free(copy);
    }
}

static void test_byte_flips(void **state)
{
    (void)state;
    static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x05, 0x0b, 0x40, 0x60, 0x7b, 0x7f,
                                      0x80, 0xc0, 0xfc, 0xfd, 0xff };
    wbuf w;
    build_full(&w);
    uint8_t *copy = malloc(w.n);
    assert_non_null(copy);
    for (size_t i = 0; i < w.n; i++) {
        for (size_t k = 0; k < sizeof values; k++) {
            memcpy(copy, w.b, w.n);
            copy[i] = values[k];
            decode_any(copy, w.n);
            copy[i] = w.b[i] ^ values[k];
            decode_any(copy, w.n);
        }
    }
    free(copy);
}

static void test_huge_counts_do_not_allocate(void **state)
{
    (void)state;
    /* Each of these claims ~4 billion entries in a few bytes. */
    const char *cases[] = {
        H "\x01\x05\xff\xff\xff\xff\x0f",
        H "\x02\x05\xff\xff\xff\xff\x0f",
        H "\x03\x05\xff\xff\xff\xff\x0f",
        H "\x06\x05\xff\xff\xff\xff\x0f",
        H "\x07\x05\xff\xff\xff\xff\x0f",
        H "\x09\x05\xff\xff\xff\xff\x0f",
        H "\x0b\x05\xff\xff\xff\xff\x0f",
        H "\x09\x08\x01\x01\x00\xff\xff\xff\xff\x0f",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = i == 7 ? 18 : 15;
        decode_fails((const uint8_t *)cases[i], len, RF_ERR_MALFORMED,
                     "unexpected end of section or function", NULL, RF_NO_OFFSET);
    }
}

/* ---- module.c: the public API ---------------------------------------------------- */

static void test_load_and_views(void **state)
{
    (void)state;
    wbuf w;
    build_full(&w);
    rf_error err;
    stub_validate_ok = true;
    stub_compile_calls = 0;
    rf_module *m = rf_module_load(w.b, w.n, NULL, &err);
    assert_non_null(m);
    assert_int_equal(err.kind, RF_OK);
    assert_true(m->validated);
    assert_int_equal(stub_compile_calls, 1);
    assert_non_null(m->compiled);                    /* freed by rf_module_free */

    assert_int_equal(rf_module_import_count(m), 4);
    rf_import_desc im;
    assert_true(rf_module_import(m, 0, &im));
    assert_string_equal(im.module, "e");
    assert_int_equal(im.name_len, 1);
    assert_int_equal(im.type.kind, RF_EXTERN_FUNC);
    assert_int_equal(im.type.func.nparams, 2);
    assert_int_equal(im.type.func.params[0], RF_I32);
    assert_int_equal(im.type.func.params[1], RF_I64);
    assert_int_equal(im.type.func.nresults, 1);
    assert_int_equal(im.type.func.results[0], RF_F32);
    assert_true(rf_module_import(m, 1, &im));
    assert_int_equal(im.type.kind, RF_EXTERN_TABLE);
    assert_int_equal(im.type.table_elem, RF_FUNCREF);
    assert_true(im.type.limits.has_max && im.type.limits.max == 10);
    assert_true(rf_module_import(m, 2, &im));
    assert_int_equal(im.type.kind, RF_EXTERN_MEMORY);
    assert_true(im.type.limits.min == 1);
    assert_true(rf_module_import(m, 3, &im));
    assert_int_equal(im.type.kind, RF_EXTERN_GLOBAL);
    assert_int_equal(im.type.global_type, RF_I32);
    assert_true(im.type.global_mutable);
    assert_false(rf_module_import(m, 4, &im));

    assert_int_equal(rf_module_export_count(m), 2);
    rf_export_desc ex;
    assert_true(rf_module_export(m, 0, &ex));
    assert_string_equal(ex.name, "run");
    assert_int_equal(ex.name_len, 3);
    assert_int_equal(ex.index, 1);
    assert_int_equal(ex.type.kind, RF_EXTERN_FUNC);
    assert_int_equal(ex.type.func.nparams + ex.type.func.nresults, 0);   /* type 1 */
    assert_true(rf_module_export(m, 1, &ex));
    assert_int_equal(ex.type.kind, RF_EXTERN_GLOBAL);
    assert_int_equal(ex.type.global_type, RF_I64);
    assert_false(ex.type.global_mutable);
    assert_false(rf_module_export(m, 2, &ex));

    assert_string_equal(rf_module_function_name(m, 2), "two");
    assert_null(rf_module_function_name(m, 7));
    rf_module_free(m);

    /* validate_only skips compilation */
    rf_load_options opts = { .validate_only = true };
    m = rf_module_load(w.b, w.n, &opts, &err);
    assert_non_null(m);
    assert_int_equal(stub_compile_calls, 1);
    assert_null(m->compiled);
    rf_module_free(m);

    /* a validation failure is passed on and nothing leaks */
    stub_validate_ok = false;
    assert_null(rf_module_load(w.b, w.n, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_INVALID);
    stub_validate_ok = true;

    /* a decoding failure stops before validation */
    assert_null(rf_module_load((const uint8_t *)"\0asm\2\0\0\0", 8, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_MALFORMED);
    assert_null(rf_module_load((const uint8_t *)"\0asm\2\0\0\0", 8, NULL, NULL));

    rf_module_free(NULL);
    assert_int_equal(rf_module_import_count(NULL), 0);
    assert_null(rf_module_function_name(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_module),
        cmocka_unit_test(test_full_module),
        cmocka_unit_test(test_element_encodings),
        cmocka_unit_test(test_data_encodings),
        cmocka_unit_test(test_nested_const_expr),
        cmocka_unit_test(test_control_structure),
        cmocka_unit_test(test_locals_limit),
        cmocka_unit_test(test_name_section),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_section_errors),
        cmocka_unit_test(test_entry_errors),
        cmocka_unit_test(test_body_errors),
        cmocka_unit_test(test_body_size_errors),
        cmocka_unit_test(test_simd_types),
        cmocka_unit_test(test_data_count_required),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_huge_counts_do_not_allocate),
        cmocka_unit_test(test_load_and_views),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
