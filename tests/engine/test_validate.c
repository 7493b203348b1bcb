/*
 * test_validate.c — unit tests of the WebAssembly 2.0 validator (validate.h).
 *
 * Each fixture is a small binary module written as WAT (shown above its
 * bytes) and converted once by hand with `wat2wasm --no-check` (plus
 * `--debug-names` where a function name matters); the tests need no tool at
 * run time. Every rule gets a rejection whose whole message is compared, so
 * the function index, the byte offset (taken from `wasm-objdump -d` / the hex
 * dump of the fixture, not from the validator) and the expected/found types
 * are all checked. A few modules are built or patched in code where wat2wasm
 * cannot express the error (bad indices, deep nesting, huge stacks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode.h"
#include "opcodes.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * (module
 *   (type $t2 (func (param i32) (result i32 i32)))
 *   (import "env" "g" (global $g i32))
 *   (table $tf 2 funcref)
 *   (table $te 1 externref)
 *   (memory 1 2)
 *   (global $r funcref (ref.func $f))
 *   (global $m (mut i64) (i64.const -2))
 *   (func $f (param i32) (result i32)
 *     local.get 0
 *     block $b (param i32) (result i32)
 *       loop $l (param i32) (result i32)
 *         local.get 0
 *         br_table $l $b
 *       end
 *     end
 *     i32.const 0
 *     call_indirect $tf (type $t2)
 *     i32.const 1
 *     select (result i32)
 *     ref.func $f
 *     drop
 *     i32.const 0
 *     table.get $te
 *     drop
 *     i32.const 0
 *     i32.load offset=4 align=4
 *     drop
 *     i64.const 1
 *     global.set $m
 *     i32.const 1
 *     if (param i32) (result i32)
 *       i32.const 2
 *       i32.add
 *     else
 *       i32.const 3
 *       i32.sub
 *     end
 *     global.get $g
 *     i32.add)
 *   (func $empty)
 *   (func $exported (export "e") (drop (ref.func $exported)))
 *   (elem declare func $f)
 *   (data (global.get $g) "hi"))
 */
static const uint8_t valid_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x03, 0x60,
    0x01, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00,
    0x00, 0x02, 0x0a, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f,
    0x00, 0x03, 0x04, 0x03, 0x01, 0x02, 0x02, 0x04, 0x07, 0x02, 0x70, 0x00,
    0x02, 0x6f, 0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x06, 0x0b,
    0x02, 0x70, 0x00, 0xd2, 0x00, 0x0b, 0x7e, 0x01, 0x42, 0x7e, 0x0b, 0x07,
    0x05, 0x01, 0x01, 0x65, 0x00, 0x02, 0x09, 0x05, 0x01, 0x03, 0x00, 0x01,
    0x00, 0x0a, 0x46, 0x03, 0x3b, 0x00, 0x20, 0x00, 0x02, 0x01, 0x03, 0x01,
    0x20, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x0b, 0x41, 0x00, 0x11, 0x00,
    0x00, 0x41, 0x01, 0x1c, 0x01, 0x7f, 0xd2, 0x00, 0x1a, 0x41, 0x00, 0x25,
    0x01, 0x1a, 0x41, 0x00, 0x28, 0x02, 0x04, 0x1a, 0x42, 0x01, 0x24, 0x02,
    0x41, 0x01, 0x04, 0x01, 0x41, 0x02, 0x6a, 0x05, 0x41, 0x03, 0x6b, 0x0b,
    0x23, 0x00, 0x6a, 0x0b, 0x02, 0x00, 0x0b, 0x05, 0x00, 0xd2, 0x02, 0x1a,
    0x0b, 0x0b, 0x08, 0x01, 0x00, 0x23, 0x00, 0x0b, 0x02, 0x68, 0x69, 0x00,
    0x43, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x15, 0x03, 0x00, 0x01, 0x66,
    0x01, 0x05, 0x65, 0x6d, 0x70, 0x74, 0x79, 0x02, 0x08, 0x65, 0x78, 0x70,
    0x6f, 0x72, 0x74, 0x65, 0x64, 0x02, 0x07, 0x03, 0x00, 0x00, 0x01, 0x00,
    0x02, 0x00, 0x04, 0x05, 0x01, 0x00, 0x02, 0x74, 0x32, 0x05, 0x09, 0x02,
    0x00, 0x02, 0x74, 0x66, 0x01, 0x02, 0x74, 0x65, 0x07, 0x0a, 0x03, 0x00,
    0x01, 0x67, 0x01, 0x01, 0x72, 0x02, 0x01, 0x6d,
};

/*
 * (module
 *   (func $parse (param i32) (result i32)
 *     (i32.add (local.get 0) (f64.const 1))))
 */
static const uint8_t typemismatch_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x10, 0x01, 0x0e,
    0x00, 0x20, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,
    0x6a, 0x0b, 0x00, 0x14, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x08, 0x01,
    0x00, 0x05, 0x70, 0x61, 0x72, 0x73, 0x65, 0x02, 0x03, 0x01, 0x00, 0x00,
};

/*
 * (module
 *   (import "m" "f" (func))
 *   (func)
 *   (func $parse (drop (global.get 7))))
 */
static const uint8_t funcindex_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x02, 0x07, 0x01, 0x01, 0x6d, 0x01, 0x66, 0x00, 0x00, 0x03,
    0x03, 0x02, 0x00, 0x00, 0x0a, 0x0a, 0x02, 0x02, 0x00, 0x0b, 0x05, 0x00,
    0x23, 0x07, 0x1a, 0x0b, 0x00, 0x18, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01,
    0x08, 0x01, 0x02, 0x05, 0x70, 0x61, 0x72, 0x73, 0x65, 0x02, 0x07, 0x03,
    0x00, 0x00, 0x01, 0x00, 0x02, 0x00,
};

/*
 * (module (func (result i32) (i32.const 1) (i64.const 2)))
 */
static const uint8_t endmismatch_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00,
    0x41, 0x01, 0x42, 0x02, 0x0b,
};

/*
 * (module (func (param i32) (local f32) (drop (local.get 2))))
 */
static const uint8_t unknownlocal_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x01,
    0x01, 0x7d, 0x20, 0x02, 0x1a, 0x0b,
};

/*
 * (module (func (local i64) (drop (local.tee 0 (i32.const 1)))))
 */
static const uint8_t localtee_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x01, 0x01,
    0x7e, 0x41, 0x01, 0x22, 0x00, 0x1a, 0x0b,
};

/*
 * (module (global i32 (i32.const 0)) (func (drop (global.get 7))))
 */
static const uint8_t unknownglobal_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x41,
    0x00, 0x0b, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x23, 0x07, 0x1a, 0x0b,
};

/*
 * (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))
 */
static const uint8_t immutable_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x41,
    0x00, 0x0b, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x01, 0x24, 0x00, 0x0b,
};

/*
 * (module (func (call 9)))
 */
static const uint8_t unknownfunc_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x10,
    0x09, 0x0b,
};

/*
 * (module (func (drop (table.get 3 (i32.const 0)))))
 */
static const uint8_t unknowntable_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x41,
    0x00, 0x25, 0x03, 0x1a, 0x0b,
};

/*
 * (module (func (drop (i32.load (i32.const 0)))))
 */
static const uint8_t unknownmemory_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41,
    0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b,
};

/*
 * (module (func (block (br 2))))
 */
static const uint8_t unknownlabel_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x02,
    0x40, 0x0c, 0x02, 0x0b, 0x0b,
};

/*
 * (module (func (elem.drop 4)))
 */
static const uint8_t unknownelem_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc,
    0x0d, 0x04, 0x0b,
};

/*
 * (module (memory 1) (data "x") (func (data.drop 1)))
 */
static const uint8_t unknowndata_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0c,
    0x01, 0x01, 0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x01, 0x0b, 0x0b,
    0x04, 0x01, 0x01, 0x01, 0x78,
};

/*
 * (module
 *   (func
 *     (drop (select (result i32 i32)
 *       (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1)))))
 */
static const uint8_t arity_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x13, 0x01, 0x11, 0x00, 0x41,
    0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x1c, 0x02, 0x7f,
    0x7f, 0x1a, 0x0b,
};

/*
 * (module (func (drop (select (ref.null func) (ref.null func) (i32.const 1)))))
 */
static const uint8_t selectref_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0c, 0x01, 0x0a, 0x00, 0xd0,
    0x70, 0xd0, 0x70, 0x41, 0x01, 0x1b, 0x1a, 0x0b,
};

/*
 * (module (func (result i32)
 *   (block $a (result i32)
 *     (block $b
 *       (br_table $a $b (i32.const 1) (i32.const 0))))
 *   (i32.const 0)))
 */
static const uint8_t brtable_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x14, 0x01, 0x12, 0x00,
    0x02, 0x7f, 0x02, 0x40, 0x41, 0x01, 0x41, 0x00, 0x0e, 0x01, 0x01, 0x00,
    0x0b, 0x0b, 0x41, 0x00, 0x0b,
};

/*
 * (module (func (result i32) (if (result i32) (i32.const 0) (then (i32.const 1)))))
 */
static const uint8_t ifnoelse_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00,
    0x41, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x0b, 0x0b,
};

/*
 * (module (type (func)) (table 1 externref) (func (call_indirect (type 0) (i32.const 0))))
 */
static const uint8_t callindirectext_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01,
    0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b,
};

/*
 * (module (table $a 1 funcref) (table $b 1 externref)
 *   (func (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))))
 */
static const uint8_t tablecopy_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x07, 0x02, 0x70, 0x00, 0x01,
    0x6f, 0x00, 0x01, 0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00,
    0x41, 0x00, 0xfc, 0x0e, 0x00, 0x01, 0x0b,
};

/*
 * (module (table 1 externref) (elem funcref (ref.func 0))
 *   (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))
 */
static const uint8_t tableinit_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01,
    0x09, 0x05, 0x01, 0x01, 0x00, 0x01, 0x00, 0x0a, 0x0e, 0x01, 0x0c, 0x00,
    0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0c, 0x00, 0x00, 0x0b,
};

/*
 * (module (func (drop (ref.is_null (i32.const 0)))))
 */
static const uint8_t isnull_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41,
    0x00, 0xd1, 0x1a, 0x0b,
};

/*
 * (module (func $f (drop (ref.func $f))))
 */
static const uint8_t undeclared_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0xd2,
    0x00, 0x1a, 0x0b, 0x00, 0x10, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x04,
    0x01, 0x00, 0x01, 0x66, 0x02, 0x03, 0x01, 0x00, 0x00,
};

/*
 * (module (memory 1) (func (drop (i64.load16_s align=4 (i32.const 0)))))
 */
static const uint8_t align_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0a,
    0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0x32, 0x02, 0x00, 0x1a, 0x0b,
};

/*
 * (module (func (result i32)
 *   (unreachable) (i32.add) (drop) (select) (br_if 0) (br_table 0 0) (ref.is_null)))
 */
static const uint8_t unreachable_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0f, 0x01, 0x0d, 0x00,
    0x00, 0x6a, 0x1a, 0x1b, 0x0d, 0x00, 0x0e, 0x01, 0x00, 0x00, 0xd1, 0x0b,
};

/*
 * (module (func (unreachable) (i64.const 0) (i32.add) (drop)))
 */
static const uint8_t unreachbad_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x00,
    0x42, 0x00, 0x6a, 0x1a, 0x0b,
};

/*
 * (module (global i32 (i32.add (i32.const 1) (i32.const 2))))
 */
static const uint8_t constreq_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x09, 0x01, 0x7f,
    0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b,
};

/*
 * (module (global i64 (i32.const 1)))
 */
static const uint8_t consttype_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x06, 0x01, 0x7e,
    0x00, 0x41, 0x01, 0x0b,
};

/*
 * (module (global i32 (i32.const 1) (i32.const 2)))
 */
static const uint8_t consttwo_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x08, 0x01, 0x7f,
    0x00, 0x41, 0x01, 0x41, 0x02, 0x0b,
};

/*
 * (module (global i32 (i32.const 1)) (global i32 (global.get 0)))
 */
static const uint8_t constdefined_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x0b, 0x02, 0x7f,
    0x00, 0x41, 0x01, 0x0b, 0x7f, 0x00, 0x23, 0x00, 0x0b,
};

/*
 * (module (import "m" "g" (global (mut i32))) (global i32 (global.get 0)))
 */
static const uint8_t constmut_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x08, 0x01, 0x01,
    0x6d, 0x01, 0x67, 0x03, 0x7f, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x23,
    0x00, 0x0b,
};

/*
 * (module (func)
 *   (export "a" (func 0)) (export "f" (func 0)) (export "b" (func 0)) (export "f" (func 0)))
 */
static const uint8_t dupexport_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x11, 0x04, 0x01, 0x61, 0x00,
    0x00, 0x01, 0x66, 0x00, 0x00, 0x01, 0x62, 0x00, 0x00, 0x01, 0x66, 0x00,
    0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

/*
 * (module (func $main (param i32)) (start $main))
 */
static const uint8_t start_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0a, 0x04,
    0x01, 0x02, 0x00, 0x0b, 0x00, 0x13, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01,
    0x07, 0x01, 0x00, 0x04, 0x6d, 0x61, 0x69, 0x6e, 0x02, 0x03, 0x01, 0x00,
    0x00,
};

/*
 * (module (memory 1) (memory 1))
 */
static const uint8_t multimem_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x05, 0x02, 0x00,
    0x01, 0x00, 0x01,
};

/*
 * (module (memory 65537))
 */
static const uint8_t memsize_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x05, 0x01, 0x00,
    0x81, 0x80, 0x04,
};

/*
 * (module (memory 2 1))
 */
static const uint8_t memminmax_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x04, 0x01, 0x01,
    0x02, 0x01,
};

/*
 * (module (table 5 3 funcref))
 */
static const uint8_t tableminmax_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x04, 0x05, 0x01, 0x70,
    0x01, 0x05, 0x03,
};

/*
 * (module (table 1 externref) (func) (elem (table 0) (i32.const 0) func 0))
 */
static const uint8_t elemtable_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01,
    0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, 0x0a, 0x04, 0x01,
    0x02, 0x00, 0x0b,
};

/*
 * (module (table 1 funcref) (func) (elem (table 2) (i32.const 0) func 0))
 */
static const uint8_t elemunknowntable_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
    0x09, 0x09, 0x01, 0x02, 0x02, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x0a,
    0x04, 0x01, 0x02, 0x00, 0x0b,
};

/*
 * (module (table 1 funcref) (elem (table 0) (i32.const 0) funcref (ref.null extern)))
 */
static const uint8_t elemitem_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x04, 0x04, 0x01, 0x70,
    0x00, 0x01, 0x09, 0x09, 0x01, 0x04, 0x41, 0x00, 0x0b, 0x01, 0xd0, 0x6f,
    0x0b,
};

/*
 * (module (memory 1) (data (i64.const 0) "x"))
 */
static const uint8_t dataoffset_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x0b, 0x07, 0x01, 0x00, 0x42, 0x00, 0x0b, 0x01, 0x78,
};

/*
 * (module (data (i32.const 0) "x"))
 */
static const uint8_t datamemory_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x07, 0x01, 0x00,
    0x41, 0x00, 0x0b, 0x01, 0x78,
};

/*
 * (module (memory 1) (data "x") (func (data.drop 0)))
 */
static const uint8_t datacount_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0c,
    0x01, 0x01, 0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x00, 0x0b, 0x0b,
    0x04, 0x01, 0x01, 0x01, 0x78,
};

/*
 * (module (func) (export "f" (func 0)))
 * ;; the test patches the export's function index (0x00 at 0x18) to 5
 */
static const uint8_t exportbad_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00,
    0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

/*
 * (module (func) (start 0))
 * ;; the test patches the start function index (0x00 at 0x14) to 3
 */
static const uint8_t startbad_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0a, 0x04, 0x01,
    0x02, 0x00, 0x0b,
};

/*
 * (module (func (block)))
 * ;; the test patches the block type byte (0x40 at 0x18) to type index 5
 */
static const uint8_t unknowntype_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x02,
    0x40, 0x0b, 0x0b,
};

/*
 * Hand-made: an import of a function whose type index 0 does not exist
 * (the module has no type section).
 *   import section: id 0x08, size 0x09, count 0x0a, entry 0 at 0x0b:
 *   "m" "f", kind func, type 0
 */
static const uint8_t import_bad_type_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x02, 0x07, 0x01, 0x01, 0x6d, 0x01, 0x66, 0x00, 0x00,
};

/* ---- helpers ------------------------------------------------------------------- */

static rf_module *decode_ok(const uint8_t *bytes, size_t len)
{
    rf_module *m = NULL;
    rf_error err;
    memset(&err, 0, sizeof err);
    if (!rf_decode(bytes, len, &m, &err))
        fail_msg("fixture does not decode: %s", err.message);
    assert_non_null(m);
    return m;
}

/* Validation must fail with `kind`, exactly `message`, at `offset` in `func`. */
static void expect_error(const uint8_t *bytes, size_t len, rf_error_kind kind, const char *message,
                         uint64_t offset, uint32_t func)
{
    rf_module *m = decode_ok(bytes, len);
    rf_error err;
    memset(&err, 0, sizeof err);
    assert_false(rf_validate_module(m, &err));
    assert_false(m->validated);
    assert_string_equal(err.message, message);
    assert_int_equal(err.kind, kind);
    assert_int_equal(err.offset, offset);
    assert_int_equal(err.func_index, func);
    rf_module_destroy(m);
}

static void expect_invalid(const uint8_t *bytes, size_t len, const char *message,
                           uint64_t offset, uint32_t func)
{
    expect_error(bytes, len, RF_ERR_INVALID, message, offset, func);
}

#define INVALID(arr, msg, off, func) expect_invalid(arr, sizeof arr, msg, off, func)
#define NOFUNC RF_NO_FUNC

/* A copy of `bytes` with bytes[at] replaced (after checking the old value). */
static uint8_t *patched(const uint8_t *bytes, size_t len, size_t at, uint8_t old, uint8_t value)
{
    assert_true(at < len);
    assert_int_equal(bytes[at], old);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    copy[at] = value;
    return copy;
}

/* A growable byte buffer to build modules in code. */
typedef struct bytebuf {
    uint8_t *p;
    size_t len, cap;
} bytebuf;

static void put(bytebuf *b, uint8_t v)
{
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    b->p[b->len++] = v;
}

static void put_u32(bytebuf *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        put(b, (uint8_t)(byte | (v ? 0x80 : 0)));
    } while (v);
}

static void put_section(bytebuf *b, uint8_t id, const bytebuf *content)
{
    put(b, id);
    put_u32(b, (uint32_t)content->len);
    for (size_t i = 0; i < content->len; i++)
        put(b, content->p[i]);
}

static void put_header(bytebuf *b)
{
    static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    for (int i = 0; i < 8; i++)
        put(b, header[i]);
}

/* ---- valid modules ----------------------------------------------------------------- */

static void test_valid_module_and_func_info(void **state)
{
    (void)state;
    rf_module *m = decode_ok(valid_wasm, sizeof valid_wasm);
    rf_error err;
    memset(&err, 0, sizeof err);
    assert_true(rf_validate_module(m, &err));
    assert_true(m->validated);
    assert_int_equal(m->num_func_defs, 3);

    /* func 0: the highest stack is 3 values (i32 i32 and the select
     * condition), blocks nest 3 deep (function, block, loop), 32 instructions
     * as listed in the WAT above plus the final end. */
    assert_int_equal(m->func_defs[0].info.max_stack, 3);
    assert_int_equal(m->func_defs[0].info.max_depth, 3);
    assert_int_equal(m->func_defs[0].info.num_instrs, 32);
    /* func 1 is just `end`. */
    assert_int_equal(m->func_defs[1].info.max_stack, 0);
    assert_int_equal(m->func_defs[1].info.max_depth, 1);
    assert_int_equal(m->func_defs[1].info.num_instrs, 1);
    /* func 2: ref.func, drop, end. */
    assert_int_equal(m->func_defs[2].info.max_stack, 1);
    assert_int_equal(m->func_defs[2].info.num_instrs, 3);

    /* Constant expressions are decoded. */
    assert_int_equal(m->global_defs[0].init.op, RF_OP_REF_FUNC);
    assert_int_equal(m->global_defs[0].init.type, RF_T_FUNCREF);
    assert_int_equal(m->global_defs[0].init.value, 0);
    assert_int_equal(m->global_defs[1].init.op, RF_OP_I64_CONST);
    assert_int_equal(m->global_defs[1].init.type, RF_T_I64);
    assert_true(m->global_defs[1].init.value == UINT64_C(0xFFFFFFFFFFFFFFFE));
    assert_int_equal(m->datas[0].offset.op, RF_OP_GLOBAL_GET);
    assert_int_equal(m->datas[0].offset.type, RF_T_I32);
    assert_int_equal(m->datas[0].offset.value, 0);
    assert_int_equal(m->elems[0].items[0].op, RF_OP_REF_FUNC);
    assert_int_equal(m->elems[0].items[0].type, RF_T_FUNCREF);
    assert_int_equal(m->elems[0].items[0].value, 0);
    rf_module_destroy(m);
}

static void test_unreachable_code_is_polymorphic(void **state)
{
    (void)state;
    rf_module *m = decode_ok(unreachable_wasm, sizeof unreachable_wasm);
    rf_error err;
    memset(&err, 0, sizeof err);
    assert_true(rf_validate_module(m, &err));
    /* i32.add, select and ref.is_null push one value each after popping
     * unknowns; nothing ever sits below another value. */
    assert_int_equal(m->func_defs[0].info.max_stack, 1);
    assert_int_equal(m->func_defs[0].info.num_instrs, 8);
    rf_module_destroy(m);

    INVALID(unreachbad_wasm,
            "invalid: type mismatch in func 0 at offset 0x1a: expected [i32 i32], found i64 "
            "(operands of i32.add)", 0x1a, 0);
}

/* 100000 nested blocks: no recursion, depth recorded. */
static void test_deep_nesting(void **state)
{
    (void)state;
    const uint32_t n = 100000;
    bytebuf mod = {0}, sec = {0}, body = {0};
    put_header(&mod);
    put(&sec, 1), put(&sec, 0x60), put(&sec, 0), put(&sec, 0); /* type () -> () */
    put_section(&mod, 1, &sec);
    sec.len = 0;
    put(&sec, 1), put(&sec, 0);                                  /* one function of type 0 */
    put_section(&mod, 3, &sec);
    put(&body, 0);                                               /* no locals */
    for (uint32_t i = 0; i < n; i++)
        put(&body, 0x02), put(&body, 0x40);                      /* block */
    for (uint32_t i = 0; i <= n; i++)
        put(&body, 0x0b);                                        /* end */
    sec.len = 0;
    put(&sec, 1);
    put_u32(&sec, (uint32_t)body.len);
    for (size_t i = 0; i < body.len; i++)
        put(&sec, body.p[i]);
    put_section(&mod, 10, &sec);

    rf_module *m = decode_ok(mod.p, mod.len);
    rf_error err;
    memset(&err, 0, sizeof err);
    assert_true(rf_validate_module(m, &err));
    assert_int_equal(m->func_defs[0].info.max_depth, n + 1);
    assert_int_equal(m->func_defs[0].info.num_instrs, 2 * n + 1);
    assert_int_equal(m->func_defs[0].info.max_stack, 0);
    rf_module_destroy(m);
    free(mod.p), free(sec.p), free(body.p);
}

/* A short body can ask for a huge operand stack through calls of a function
 * with many results; the validator stops at RF_VALIDATE_MAX_STACK. */
static void test_operand_stack_limit(void **state)
{
    (void)state;
    const uint32_t results = 1000;
    const uint32_t calls = RF_VALIDATE_MAX_STACK / results + 1;
    bytebuf mod = {0}, sec = {0}, code = {0};
    put_header(&mod);
    put(&sec, 2);
    put(&sec, 0x60), put(&sec, 0);                 /* type 0: () -> (i32 x 1000) */
    put_u32(&sec, results);
    for (uint32_t i = 0; i < results; i++)
        put(&sec, 0x7f);
    put(&sec, 0x60), put(&sec, 0), put(&sec, 0);   /* type 1: () -> () */
    put_section(&mod, 1, &sec);
    sec.len = 0;
    put(&sec, 2), put(&sec, 0), put(&sec, 1);
    put_section(&mod, 3, &sec);
    sec.len = 0;
    put(&sec, 2);
    put(&sec, 3), put(&sec, 0), put(&sec, 0x00), put(&sec, 0x0b); /* unreachable end */
    put(&code, 0);
    for (uint32_t i = 0; i < calls; i++)
        put(&code, 0x10), put(&code, 0);                         /* call 0 */
    put(&code, 0x0b);
    put_u32(&sec, (uint32_t)code.len);
    for (size_t i = 0; i < code.len; i++)
        put(&sec, code.p[i]);
    put_section(&mod, 10, &sec);

    rf_module *m = decode_ok(mod.p, mod.len);
    rf_error err;
    memset(&err, 0, sizeof err);
    assert_false(rf_validate_module(m, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_int_equal(err.func_index, 1);
    /* the last call is the one that overflows */
    uint64_t at = m->func_defs[1].code_offset + 2 * (uint64_t)(calls - 1);
    assert_int_equal(err.offset, at);
    char expected[200];
    snprintf(expected, sizeof expected,
             "limit: operand stack too deep in func 1 at offset 0x%llx: more than %u values",
             (unsigned long long)at, RF_VALIDATE_MAX_STACK);
    assert_string_equal(err.message, expected);
    rf_module_destroy(m);
    free(mod.p), free(sec.p), free(code.p);
}

/* A function type with more results than RF_VALIDATE_MAX_ARITY is refused. */
static void test_arity_limit(void **state)
{
    (void)state;
    const uint32_t results = RF_VALIDATE_MAX_ARITY + 1;
    bytebuf mod = {0}, sec = {0};
    put_header(&mod);
    put(&sec, 1), put(&sec, 0x60), put(&sec, 0);
    put_u32(&sec, results);
    for (uint32_t i = 0; i < results; i++)
        put(&sec, 0x7f);
    put_section(&mod, 1, &sec);
    /* id at 0x08, a two-byte size at 0x09, count at 0x0b, type 0 at 0x0c */
    assert_int_equal(sec.len, 1006);
    expect_error(mod.p, mod.len, RF_ERR_LIMIT,
                 "limit: function type has too many results (type section, type 0, offset 0xc): "
                 "1001, at most 1000", 0xc, NOFUNC);
    free(mod.p), free(sec.p);
}

/* ---- function bodies: rejections ------------------------------------------------------ */

static void test_type_mismatch_names_function(void **state)
{
    (void)state;
    INVALID(typemismatch_wasm,
            "invalid: type mismatch in func 0 (\"parse\") at offset 0x24: expected [i32 i32], "
            "found [i32 f64] (operands of i32.add)", 0x24, 0);
    /* index counts imported functions; the name comes from the name section */
    INVALID(funcindex_wasm,
            "invalid: unknown global 7 in func 2 (\"parse\") at offset 0x24: the module has no "
            "globals", 0x24, 2);
    INVALID(endmismatch_wasm,
            "invalid: type mismatch in func 0 at offset 0x1c: expected i32, found [i32 i64] "
            "(at end of function)", 0x1c, 0);
}

static void test_locals_and_globals(void **state)
{
    (void)state;
    INVALID(unknownlocal_wasm,
            "invalid: unknown local 2 in func 0 at offset 0x1a: the function has 2 locals "
            "(parameters included)", 0x1a, 0);
    INVALID(localtee_wasm,
            "invalid: type mismatch in func 0 at offset 0x1b: expected i64, found i32 "
            "(operand of local.tee 0)", 0x1b, 0);
    INVALID(unknownglobal_wasm,
            "invalid: unknown global 7 in func 0 at offset 0x1f: the module has 1 global",
            0x1f, 0);
    INVALID(immutable_wasm,
            "invalid: global is immutable in func 0 at offset 0x21: global.set 0", 0x21, 0);
}

static void test_unknown_indices(void **state)
{
    (void)state;
    INVALID(unknownfunc_wasm,
            "invalid: unknown function 9 in func 0 at offset 0x17: the module has 1 function",
            0x17, 0);
    INVALID(unknowntable_wasm,
            "invalid: unknown table 3 in func 0 at offset 0x19: the module has no tables",
            0x19, 0);
    INVALID(unknownmemory_wasm,
            "invalid: unknown memory 0 in func 0 at offset 0x19: the module has no memories",
            0x19, 0);
    INVALID(unknownlabel_wasm,
            "invalid: unknown label 2 in func 0 at offset 0x19: only 2 enclosing blocks",
            0x19, 0);
    INVALID(unknownelem_wasm,
            "invalid: unknown elem segment 4 in func 0 at offset 0x17: the module has no "
            "element segments", 0x17, 0);
    INVALID(unknowndata_wasm,
            "invalid: unknown data segment 1 in func 0 at offset 0x1f: the module has 1 data "
            "segment", 0x1f, 0);
    /* block type index 5: byte 0x18 (the block type of `block` at 0x17) patched */
    uint8_t *p = patched(unknowntype_wasm, sizeof unknowntype_wasm, 0x18, 0x40, 0x05);
    expect_invalid(p, sizeof unknowntype_wasm,
                   "invalid: unknown type 5 in func 0 at offset 0x17: the module has 1 type",
                   0x17, 0);
    free(p);
}

static void test_select(void **state)
{
    (void)state;
    INVALID(arity_wasm,
            "invalid: invalid result arity in func 0 at offset 0x21: typed select must name "
            "exactly one type, found 2", 0x21, 0);
    INVALID(selectref_wasm,
            "invalid: type mismatch in func 0 at offset 0x1d: select without a type needs "
            "numeric operands, found funcref and funcref (use select with a result type)",
            0x1d, 0);
}

static void test_control(void **state)
{
    (void)state;
    INVALID(brtable_wasm,
            "invalid: type mismatch in func 0 at offset 0x20: br_table target 1 takes 1 value "
            "but the default target 0 takes 0", 0x20, 0);
    INVALID(ifnoelse_wasm,
            "invalid: type mismatch in func 0 at offset 0x1e: if without else must produce i32 "
            "from its parameters []", 0x1e, 0);
}

static void test_tables_and_references(void **state)
{
    (void)state;
    INVALID(callindirectext_wasm,
            "invalid: type mismatch in func 0 at offset 0x1f: call_indirect through table 0 of "
            "externref", 0x1f, 0);
    INVALID(tablecopy_wasm,
            "invalid: type mismatch in func 0 at offset 0x26: table.copy from table 1 "
            "(externref) to table 0 (funcref)", 0x26, 0);
    INVALID(tableinit_wasm,
            "invalid: type mismatch in func 0 at offset 0x2a: table.init: element segment 0 "
            "holds funcref, table 0 holds externref", 0x2a, 0);
    INVALID(isnull_wasm,
            "invalid: type mismatch in func 0 at offset 0x19: expected a reference, found i32 "
            "(operand of ref.is_null)", 0x19, 0);
    INVALID(undeclared_wasm,
            "invalid: undeclared function reference in func 0 (\"f\") at offset 0x17: ref.func 0 "
            "needs the function in an element segment, a global initialiser or an export",
            0x17, 0);
}

static void test_alignment(void **state)
{
    (void)state;
    INVALID(align_wasm,
            "invalid: alignment must not be larger than natural in func 0 at offset 0x1e: "
            "i64.load16_s has alignment 2^2, natural alignment is 2^1", 0x1e, 0);
}

/* memory.init / data.drop need the data count section (a binary-format rule). */
static void test_data_count_required(void **state)
{
    (void)state;
    rf_module *m = decode_ok(datacount_wasm, sizeof datacount_wasm);
    rf_error err;
    memset(&err, 0, sizeof err);
    assert_true(rf_validate_module(m, &err));
    m->has_data_count = false;
    m->validated = false;
    assert_false(rf_validate_module(m, &err));
    assert_int_equal(err.kind, RF_ERR_MALFORMED);
    assert_string_equal(err.message, "malformed: data count section required in func 0 at offset "
                                     "0x1f: the module has no data count section");
    rf_module_destroy(m);
}

/* Bytes that stop decoding inside a body are reported, not trusted. */
static void test_broken_body_is_malformed(void **state)
{
    (void)state;
    rf_module *m = decode_ok(valid_wasm, sizeof valid_wasm);
    rf_error err;
    memset(&err, 0, sizeof err);
    uint32_t at = m->func_defs[1].code_offset;   /* the `end` of $empty */
    assert_int_equal(m->bytes[at], 0x0b);
    m->bytes[at] = 0xff;
    assert_false(rf_validate_module(m, &err));
    assert_int_equal(err.kind, RF_ERR_MALFORMED);
    assert_int_equal(err.func_index, 1);
    char expected[128];
    snprintf(expected, sizeof expected,
             "malformed: illegal opcode in func 1 (\"empty\") at offset 0x%x", at);
    assert_string_equal(err.message, expected);

    m->bytes[at] = 0x0b;
    m->func_defs[1].body.length = (uint32_t)m->size; /* reaches past the end */
    assert_false(rf_validate_module(m, &err));
    assert_int_equal(err.kind, RF_ERR_MALFORMED);
    assert_non_null(strstr(err.message, "function body outside the module"));
    rf_module_destroy(m);
}

/* ---- module level ---------------------------------------------------------------- */

static void test_constant_expressions(void **state)
{
    (void)state;
    INVALID(constreq_wasm,
            "invalid: constant expression required (global section, global 0, offset 0x11): "
            "i32.add is not a constant instruction", 0x11, NOFUNC);
    INVALID(consttype_wasm,
            "invalid: type mismatch (global section, global 0, offset 0xd): expected i64, "
            "found i32", 0xd, NOFUNC);
    INVALID(consttwo_wasm,
            "invalid: type mismatch (global section, global 0, offset 0xd): expected i32, "
            "found [i32 i32]", 0xd, NOFUNC);
    INVALID(constdefined_wasm,
            "invalid: unknown global 0 (global section, global 1, offset 0x12): constant "
            "expressions may only read imported globals (0 here)", 0x12, NOFUNC);
    INVALID(constmut_wasm,
            "invalid: constant expression required (global section, global 1, offset 0x17): "
            "global.get 0 reads a mutable global", 0x17, NOFUNC);
}

static void test_exports(void **state)
{
    (void)state;
    INVALID(dupexport_wasm,
            "invalid: duplicate export name \"f\" (export section, export 3, offset 0x21)",
            0x21, NOFUNC);
    /* export 0 at 0x15 names function 0; its index byte (0x18) patched to 5 */
    uint8_t *p = patched(exportbad_wasm, sizeof exportbad_wasm, 0x18, 0x00, 0x05);
    expect_invalid(p, sizeof exportbad_wasm,
                   "invalid: unknown function 5 (export section, export 0, offset 0x15): the "
                   "module has 1 function", 0x15, NOFUNC);
    free(p);
}

static void test_start_function(void **state)
{
    (void)state;
    INVALID(start_wasm,
            "invalid: start function must have type [] -> [] (start section, offset 0x15): "
            "func 0 (\"main\") has type i32 -> []", 0x15, NOFUNC);
    /* the start section's function index (0x14) patched from 0 to 3 */
    uint8_t *p = patched(startbad_wasm, sizeof startbad_wasm, 0x14, 0x00, 0x03);
    expect_invalid(p, sizeof startbad_wasm,
                   "invalid: unknown function 3 (start section, offset 0x14): the module has 1 "
                   "function", 0x14, NOFUNC);
    free(p);
}

static void test_imports(void **state)
{
    (void)state;
    INVALID(import_bad_type_wasm,
            "invalid: unknown type 0 (import section, import 0 (function 0), offset 0xb): the "
            "module has no types", 0xb, NOFUNC);
}

static void test_memories_and_tables(void **state)
{
    (void)state;
    INVALID(multimem_wasm,
            "invalid: multiple memories (memory section, memory 1, offset 0xd): the module has "
            "2 memories, at most one is allowed", 0xd, NOFUNC);
    INVALID(memsize_wasm,
            "invalid: memory size must be at most 65536 pages (4GiB) (memory section, memory 0, "
            "offset 0xb): minimum is 65537", 0xb, NOFUNC);
    INVALID(memminmax_wasm,
            "invalid: size minimum must not be greater than maximum (memory section, memory 0, "
            "offset 0xb): minimum 2, maximum 1", 0xb, NOFUNC);
    INVALID(tableminmax_wasm,
            "invalid: size minimum must not be greater than maximum (table section, table 0, "
            "offset 0xb): minimum 5, maximum 3", 0xb, NOFUNC);
}

static void test_segments(void **state)
{
    (void)state;
    INVALID(elemtable_wasm,
            "invalid: type mismatch (element section, segment 0, offset 0x1b): segment of "
            "funcref for table 0 of externref", 0x1b, NOFUNC);
    INVALID(elemunknowntable_wasm,
            "invalid: unknown table 2 (element section, segment 0, offset 0x1b): the module has "
            "1 table", 0x1b, NOFUNC);
    INVALID(elemitem_wasm,
            "invalid: type mismatch (element section, segment 0, item 0, offset 0x16): expected "
            "funcref, found externref", 0x16, NOFUNC);
    INVALID(dataoffset_wasm,
            "invalid: type mismatch (data section, segment 0, offset expression, offset 0x11): "
            "expected i32, found i64", 0x11, NOFUNC);
    INVALID(datamemory_wasm,
            "invalid: unknown memory 0 (data section, segment 0, offset 0xb): the module has no "
            "memories", 0xb, NOFUNC);
}

/* ---- message helpers ----------------------------------------------------------------- */

static void test_message_helpers(void **state)
{
    (void)state;
    char buf[256];
    rf_validate_quote(buf, sizeof buf, "a\"b\\c\n", 6);
    assert_string_equal(buf, "\"a\\\"b\\\\c\\0a\"");

    /* long names are cut after 48 bytes, at a character boundary:
     * 47 x 'a', then U+00E9 (2 bytes) straddling the limit, then more */
    char name[64];
    memset(name, 'a', 47);
    name[47] = (char)0xC3;
    name[48] = (char)0xA9;
    memcpy(name + 49, "zzz", 3);
    rf_validate_quote(buf, sizeof buf, name, 52);
    char expected[64];
    memset(expected, 0, sizeof expected);
    expected[0] = '"';
    memset(expected + 1, 'a', 47);
    memcpy(expected + 48, "\xC3\xA9...\"", 6);
    assert_string_equal(buf, expected);

    static const uint8_t nine[9] = {RF_T_I32, RF_T_I64, RF_T_F32, RF_T_F64, RF_T_I32,
                                    RF_T_FUNCREF, RF_T_EXTERNREF, RF_T_I32, RF_T_I64};
    rf_validate_type_list(buf, sizeof buf, nine, 9);
    assert_string_equal(buf, "[i32 i64 f32 ... funcref externref i32 i64] (9 values)");
    rf_validate_type_list(buf, sizeof buf, nine, 2);
    assert_string_equal(buf, "[i32 i64]");
    rf_validate_type_list(buf, sizeof buf, nine, 1);
    assert_string_equal(buf, "i32");
    rf_validate_type_list(buf, sizeof buf, nine, 0);
    assert_string_equal(buf, "[]");
    rf_validate_type_list(buf, 6, nine, 3);          /* truncated, still terminated */
    assert_string_equal(buf, "[i32 ");

    rf_validate_count(buf, sizeof buf, 0, "table", "tables");
    assert_string_equal(buf, "no tables");
    rf_validate_count(buf, sizeof buf, 1, "table", "tables");
    assert_string_equal(buf, "1 table");
    rf_validate_count(buf, sizeof buf, 7, "table", "tables");
    assert_string_equal(buf, "7 tables");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_module_and_func_info),
        cmocka_unit_test(test_unreachable_code_is_polymorphic),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_operand_stack_limit),
        cmocka_unit_test(test_arity_limit),
        cmocka_unit_test(test_type_mismatch_names_function),
        cmocka_unit_test(test_locals_and_globals),
        cmocka_unit_test(test_unknown_indices),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_tables_and_references),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_data_count_required),
        cmocka_unit_test(test_broken_body_is_malformed),
        cmocka_unit_test(test_constant_expressions),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_start_function),
        cmocka_unit_test(test_imports),
        cmocka_unit_test(test_memories_and_tables),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_message_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
