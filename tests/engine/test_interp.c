/*
 * test_interp.c — the translator (compile.c) and the interpreter (interp.c)
 * on small hand-written modules: arithmetic with folded constants, the
 * symbolic stack's corner cases, multi-value control flow, br_table, calls,
 * call_indirect, host calls and re-entrance, memory, traps with their
 * locations, stack exhaustion, interruption, and the interruption of bulk
 * memory and table operations.
 *
 * Every module is given as its WAT source (in the comment above it) and the
 * bytes wat2wasm produced from it. Expected values are computed in C here,
 * never by the engine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"
#include "interp_ops.h"
#include "reflow/engine.h"
#include "runtime.h"

/* ---- modules ----------------------------------------------------------------- */

/*
 * (module
 *   (func (export "add_imm") (param i32) (result i32) (i32.add (local.get 0) (i32.const 7)))
 *   (func (export "sub_imm") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 7)))
 *   (func (export "rsub") (param i32) (result i32) (i32.sub (i32.const 7) (local.get 0)))
 *   (func (export "lt_first") (param i32) (result i32) (i32.lt_s (i32.const 5) (local.get 0)))
 *   (func (export "shl_first") (param i32) (result i32) (i32.shl (i32.const 1) (local.get 0)))
 *   (func (export "i64_mix") (param i64 i64) (result i64)
 *     (i64.sub (i64.mul (local.get 0) (i64.const 0x100000001)) (local.get 1)))
 *   (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
 *   (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
 *   (func (export "extend_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
 *   (func (export "extend_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
 *   (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
 *   (func (export "f64_trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
 *   ;; the old value of a local stays on the stack across a later local.set
 *   (func (export "old_value") (param i32) (result i32)
 *     (local.get 0)
 *     (local.set 0 (i32.add (local.get 0) (i32.const 100)))
 *     (local.get 0)
 *     (i32.sub))
 *   (func (export "tee") (param i32) (result i32) (local $x i32)
 *     (i32.add (local.tee $x (i32.mul (local.get 0) (i32.const 3))) (local.get $x)))
 *   ;; a pending local.get below a block whose local.set runs on one path only
 *   (func (export "cond_set") (param i32 i32) (result i32)
 *     (local.get 0)
 *     (block
 *       (br_if 0 (local.get 1))
 *       (local.set 0 (i32.const 42)))
 *     (local.get 0)
 *     (i32.add))
 *   (func (export "select") (param i32 i32 i32) (result i32)
 *     (select (local.get 0) (local.get 1) (local.get 2)))
 * )
 */
static const uint8_t arith_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x28, 0x07, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7e, 0x7e, 0x01, 0x7e, 0x60, 0x02,
  0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x01, 0x7e,
  0x01, 0x7f, 0x60, 0x01, 0x7c, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f, 0x7f,
  0x01, 0x7f, 0x03, 0x11, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,
  0x02, 0x03, 0x03, 0x04, 0x05, 0x00, 0x00, 0x02, 0x06, 0x07, 0x9c, 0x01,
  0x10, 0x07, 0x61, 0x64, 0x64, 0x5f, 0x69, 0x6d, 0x6d, 0x00, 0x00, 0x07,
  0x73, 0x75, 0x62, 0x5f, 0x69, 0x6d, 0x6d, 0x00, 0x01, 0x04, 0x72, 0x73,
  0x75, 0x62, 0x00, 0x02, 0x08, 0x6c, 0x74, 0x5f, 0x66, 0x69, 0x72, 0x73,
  0x74, 0x00, 0x03, 0x09, 0x73, 0x68, 0x6c, 0x5f, 0x66, 0x69, 0x72, 0x73,
  0x74, 0x00, 0x04, 0x07, 0x69, 0x36, 0x34, 0x5f, 0x6d, 0x69, 0x78, 0x00,
  0x05, 0x05, 0x64, 0x69, 0x76, 0x5f, 0x73, 0x00, 0x06, 0x05, 0x72, 0x65,
  0x6d, 0x5f, 0x73, 0x00, 0x07, 0x08, 0x65, 0x78, 0x74, 0x65, 0x6e, 0x64,
  0x5f, 0x75, 0x00, 0x08, 0x08, 0x65, 0x78, 0x74, 0x65, 0x6e, 0x64, 0x5f,
  0x73, 0x00, 0x09, 0x04, 0x77, 0x72, 0x61, 0x70, 0x00, 0x0a, 0x09, 0x66,
  0x36, 0x34, 0x5f, 0x74, 0x72, 0x75, 0x6e, 0x63, 0x00, 0x0b, 0x09, 0x6f,
  0x6c, 0x64, 0x5f, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x00, 0x0c, 0x03, 0x74,
  0x65, 0x65, 0x00, 0x0d, 0x08, 0x63, 0x6f, 0x6e, 0x64, 0x5f, 0x73, 0x65,
  0x74, 0x00, 0x0e, 0x06, 0x73, 0x65, 0x6c, 0x65, 0x63, 0x74, 0x00, 0x0f,
  0x0a, 0x9c, 0x01, 0x10, 0x07, 0x00, 0x20, 0x00, 0x41, 0x07, 0x6a, 0x0b,
  0x07, 0x00, 0x20, 0x00, 0x41, 0x07, 0x6b, 0x0b, 0x07, 0x00, 0x41, 0x07,
  0x20, 0x00, 0x6b, 0x0b, 0x07, 0x00, 0x41, 0x05, 0x20, 0x00, 0x48, 0x0b,
  0x07, 0x00, 0x41, 0x01, 0x20, 0x00, 0x74, 0x0b, 0x0e, 0x00, 0x20, 0x00,
  0x42, 0x81, 0x80, 0x80, 0x80, 0x10, 0x7e, 0x20, 0x01, 0x7d, 0x0b, 0x07,
  0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20,
  0x01, 0x6f, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xad, 0x0b, 0x05, 0x00, 0x20,
  0x00, 0xac, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xa7, 0x0b, 0x05, 0x00, 0x20,
  0x00, 0xaa, 0x0b, 0x0f, 0x00, 0x20, 0x00, 0x20, 0x00, 0x41, 0xe4, 0x00,
  0x6a, 0x21, 0x00, 0x20, 0x00, 0x6b, 0x0b, 0x0e, 0x01, 0x01, 0x7f, 0x20,
  0x00, 0x41, 0x03, 0x6c, 0x22, 0x01, 0x20, 0x01, 0x6a, 0x0b, 0x12, 0x00,
  0x20, 0x00, 0x02, 0x40, 0x20, 0x01, 0x0d, 0x00, 0x41, 0x2a, 0x21, 0x00,
  0x0b, 0x20, 0x00, 0x6a, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
  0x02, 0x1b, 0x0b};

/*
 * (module
 *   ;; (x, 10) when x <= 0 (early br_if with two values), else (x + 1, x * 2)
 *   (func (export "multi") (param i32) (result i32 i32)
 *     (local.get 0) (i32.const 10)
 *     (block $b (param i32 i32) (result i32 i32)
 *       (br_if $b (i32.le_s (local.get 0) (i32.const 0)))
 *       (drop) (drop)
 *       (i32.add (local.get 0) (i32.const 1))
 *       (i32.mul (local.get 0) (i32.const 2))))
 *   (func (export "ifelse") (param i32 i32) (result i32)
 *     (local.get 1)
 *     (if (param i32) (result i32) (local.get 0)
 *       (then (i32.const 3) (i32.mul))
 *       (else (i32.const 5) (i32.add))))
 *   ;; sum 1..n with the accumulator and counter carried as loop parameters
 *   (func (export "loop_params") (param $n i32) (result i32) (local $k i32)
 *     (i32.const 0) (local.get $n)
 *     (loop $l (param i32 i32) (result i32)
 *       (local.set $k)
 *       (i32.add (local.get $k))
 *       (i32.sub (local.get $k) (i32.const 1))
 *       (local.tee $k)
 *       (br_if $l (i32.gt_s (local.get $k) (i32.const 0)))
 *       (drop)))
 *   ;; 100 when x != 0 (br_if with a value out of two blocks), else 1 + 10
 *   (func (export "br_out") (param i32) (result i32)
 *     (block $outer (result i32)
 *       (block $inner (result i32)
 *         (i32.const 1)
 *         (br_if $outer (i32.const 100) (local.get 0))
 *         (drop))
 *       (i32.add (i32.const 10))))
 *   (func (export "switch") (param i32) (result i32)
 *     (block $d (result i32)
 *       (block $c (result i32)
 *         (block $b (result i32)
 *           (block $a (result i32)
 *             (i32.const 7) (local.get 0)
 *             (br_table $a $b $c $d))
 *           (i32.add (i32.const 1)) (br $d))
 *         (i32.add (i32.const 2)) (br $d))
 *       (i32.add (i32.const 3))))
 *   ;; br_table whose second target is the function itself (a return)
 *   (func (export "table_ret") (param i32) (result i32)
 *     (block (result i32) (br_table 0 1 (i32.const 5) (local.get 0)))
 *     (i32.const 1)
 *     (i32.add))
 *   ;; counts down with a backward br_table: returns the number of iterations
 *   (func (export "table_loop") (param $n i32) (result i32) (local $c i32)
 *     (block $done
 *       (loop $l
 *         (local.set $c (i32.add (local.get $c) (i32.const 1)))
 *         (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *         (br_table $done $l (i32.gt_s (local.get $n) (i32.const 0)))))
 *     (local.get $c))
 *   (func (export "sum_loop") (param $n i32) (result i32) (local $i i32) (local $s i32)
 *     (block $done
 *       (loop $l
 *         (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
 *         (local.set $s (i32.add (local.get $s) (local.get $i)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *         (br $l)))
 *     (local.get $s))
 *   (func (export "spin") (loop (br 0)))
 *   (func (export "trap") (param i32) (result i32)
 *     (if (local.get 0) (then (unreachable)))
 *     (i32.const 1))
 * )
 */
static const uint8_t control_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1c, 0x05, 0x60,
  0x01, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f,
  0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60,
  0x00, 0x00, 0x03, 0x0b, 0x0a, 0x00, 0x02, 0x03, 0x03, 0x03, 0x03, 0x03,
  0x03, 0x04, 0x03, 0x07, 0x64, 0x0a, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69,
  0x00, 0x00, 0x06, 0x69, 0x66, 0x65, 0x6c, 0x73, 0x65, 0x00, 0x01, 0x0b,
  0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x73, 0x00,
  0x02, 0x06, 0x62, 0x72, 0x5f, 0x6f, 0x75, 0x74, 0x00, 0x03, 0x06, 0x73,
  0x77, 0x69, 0x74, 0x63, 0x68, 0x00, 0x04, 0x09, 0x74, 0x61, 0x62, 0x6c,
  0x65, 0x5f, 0x72, 0x65, 0x74, 0x00, 0x05, 0x0a, 0x74, 0x61, 0x62, 0x6c,
  0x65, 0x5f, 0x6c, 0x6f, 0x6f, 0x70, 0x00, 0x06, 0x08, 0x73, 0x75, 0x6d,
  0x5f, 0x6c, 0x6f, 0x6f, 0x70, 0x00, 0x07, 0x04, 0x73, 0x70, 0x69, 0x6e,
  0x00, 0x08, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x09, 0x0a, 0xf7, 0x01,
  0x0a, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x0a, 0x02, 0x01, 0x20, 0x00, 0x41,
  0x00, 0x4c, 0x0d, 0x00, 0x1a, 0x1a, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x20,
  0x00, 0x41, 0x02, 0x6c, 0x0b, 0x0b, 0x10, 0x00, 0x20, 0x01, 0x20, 0x00,
  0x04, 0x03, 0x41, 0x03, 0x6c, 0x05, 0x41, 0x05, 0x6a, 0x0b, 0x0b, 0x1f,
  0x01, 0x01, 0x7f, 0x41, 0x00, 0x20, 0x00, 0x03, 0x02, 0x21, 0x01, 0x20,
  0x01, 0x6a, 0x20, 0x01, 0x41, 0x01, 0x6b, 0x22, 0x01, 0x20, 0x01, 0x41,
  0x00, 0x4a, 0x0d, 0x00, 0x1a, 0x0b, 0x0b, 0x15, 0x00, 0x02, 0x7f, 0x02,
  0x7f, 0x41, 0x01, 0x41, 0xe4, 0x00, 0x20, 0x00, 0x0d, 0x01, 0x1a, 0x0b,
  0x41, 0x0a, 0x6a, 0x0b, 0x0b, 0x25, 0x00, 0x02, 0x7f, 0x02, 0x7f, 0x02,
  0x7f, 0x02, 0x7f, 0x41, 0x07, 0x20, 0x00, 0x0e, 0x03, 0x00, 0x01, 0x02,
  0x03, 0x0b, 0x41, 0x01, 0x6a, 0x0c, 0x02, 0x0b, 0x41, 0x02, 0x6a, 0x0c,
  0x01, 0x0b, 0x41, 0x03, 0x6a, 0x0b, 0x0b, 0x10, 0x00, 0x02, 0x7f, 0x41,
  0x05, 0x20, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x41, 0x01, 0x6a, 0x0b,
  0x23, 0x01, 0x01, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0x41, 0x01,
  0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x20, 0x00,
  0x41, 0x00, 0x4a, 0x0e, 0x01, 0x01, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b,
  0x23, 0x01, 0x02, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00,
  0x4e, 0x0d, 0x01, 0x20, 0x02, 0x20, 0x01, 0x6a, 0x21, 0x02, 0x20, 0x01,
  0x41, 0x01, 0x6a, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x02, 0x0b,
  0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x0a, 0x00, 0x20, 0x00,
  0x04, 0x40, 0x00, 0x0b, 0x41, 0x01, 0x0b};

/*
 * (module
 *   (type $ii (func (param i32) (result i32)))
 *   (type $v (func))
 *   (import "env" "cb" (func $cb (param i32) (result i32)))
 *   (table 4 funcref)
 *   (elem (i32.const 0) $double $triple $nothing)
 *   (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
 *   (func $triple (type $ii) (i32.mul (local.get 0) (i32.const 3)))
 *   (func $nothing (type $v))
 *   (func (export "dispatch") (param i32 i32) (result i32)
 *     (call_indirect (type $ii) (local.get 1) (local.get 0)))
 *   (func $fib (export "fib") (param $n i32) (result i32)
 *     (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
 *       (then (local.get $n))
 *       (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
 *   (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
 *   (func (export "swap_sub") (param i32 i32) (result i32)
 *     (call $swap (local.get 0) (local.get 1))
 *     (i32.sub))
 *   ;; depth(n) = n, using n + 1 wasm frames
 *   (func $depth (export "depth") (param i32) (result i32)
 *     (if (result i32) (local.get 0)
 *       (then (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
 *       (else (i32.const 0))))
 *   (func $forever (export "forever") (param i32) (result i32)
 *     (call $forever (i32.add (local.get 0) (i32.const 1))))
 *   (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
 *   (func (export "via_host") (param i32) (result i32)
 *     (i32.mul (call $cb (local.get 0)) (i32.const 10)))
 *   ;; host_rec(n) = n, recursing through the host function n times
 *   (func (export "host_rec") (param i32) (result i32)
 *     (if (result i32) (local.get 0)
 *       (then (i32.add (call $cb (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
 *       (else (i32.const 0))))
 * )
 */
static const uint8_t calls_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x04, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01,
  0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f, 0x02, 0x0a, 0x01, 0x03,
  0x65, 0x6e, 0x76, 0x02, 0x63, 0x62, 0x00, 0x00, 0x03, 0x0d, 0x0c, 0x00,
  0x00, 0x01, 0x02, 0x00, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
  0x04, 0x01, 0x70, 0x00, 0x04, 0x07, 0x4b, 0x08, 0x08, 0x64, 0x69, 0x73,
  0x70, 0x61, 0x74, 0x63, 0x68, 0x00, 0x04, 0x03, 0x66, 0x69, 0x62, 0x00,
  0x05, 0x08, 0x73, 0x77, 0x61, 0x70, 0x5f, 0x73, 0x75, 0x62, 0x00, 0x07,
  0x05, 0x64, 0x65, 0x70, 0x74, 0x68, 0x00, 0x08, 0x07, 0x66, 0x6f, 0x72,
  0x65, 0x76, 0x65, 0x72, 0x00, 0x09, 0x03, 0x69, 0x6e, 0x63, 0x00, 0x0a,
  0x08, 0x76, 0x69, 0x61, 0x5f, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x0b, 0x08,
  0x68, 0x6f, 0x73, 0x74, 0x5f, 0x72, 0x65, 0x63, 0x00, 0x0c, 0x09, 0x09,
  0x01, 0x00, 0x41, 0x00, 0x0b, 0x03, 0x01, 0x02, 0x03, 0x0a, 0x92, 0x01,
  0x0c, 0x07, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b, 0x07, 0x00, 0x20,
  0x00, 0x41, 0x03, 0x6c, 0x0b, 0x02, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x01,
  0x20, 0x00, 0x11, 0x00, 0x00, 0x0b, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x02,
  0x48, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10,
  0x05, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x05, 0x6a, 0x0b, 0x0b, 0x06,
  0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01,
  0x10, 0x06, 0x6b, 0x0b, 0x14, 0x00, 0x20, 0x00, 0x04, 0x7f, 0x20, 0x00,
  0x41, 0x01, 0x6b, 0x10, 0x08, 0x41, 0x01, 0x6a, 0x05, 0x41, 0x00, 0x0b,
  0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x09, 0x0b, 0x07,
  0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10,
  0x00, 0x41, 0x0a, 0x6c, 0x0b, 0x14, 0x00, 0x20, 0x00, 0x04, 0x7f, 0x20,
  0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, 0x41, 0x01, 0x6a, 0x05, 0x41, 0x00,
  0x0b, 0x0b};

/*
 * (module
 *   (memory (export "mem") 1 3)
 *   (data (i32.const 16) "\01\02\03\04\05\06\07\08")
 *   (func (export "load32") (param i32) (result i32) (i32.load offset=16 (local.get 0)))
 *   (func (export "load8s") (param i32) (result i32) (i32.load8_s (local.get 0)))
 *   (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
 *   (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
 *   (func (export "store_load") (param i32 i32) (result i32)
 *     (i32.store (local.get 0) (local.get 1))
 *     (i32.load (local.get 0)))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *   (func (export "size") (result i32) (memory.size))
 *   (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
 * )
 */
static const uint8_t memory_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x20, 0x06, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x02, 0x7f,
  0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f,
  0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x03, 0x0a, 0x09, 0x00, 0x00, 0x01,
  0x02, 0x03, 0x00, 0x04, 0x05, 0x05, 0x05, 0x04, 0x01, 0x01, 0x01, 0x03,
  0x07, 0x54, 0x0a, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x06, 0x6c, 0x6f,
  0x61, 0x64, 0x33, 0x32, 0x00, 0x00, 0x06, 0x6c, 0x6f, 0x61, 0x64, 0x38,
  0x73, 0x00, 0x01, 0x06, 0x6c, 0x6f, 0x61, 0x64, 0x36, 0x34, 0x00, 0x02,
  0x06, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x38, 0x00, 0x03, 0x0a, 0x73, 0x74,
  0x6f, 0x72, 0x65, 0x5f, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x04, 0x04, 0x67,
  0x72, 0x6f, 0x77, 0x00, 0x05, 0x04, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x06,
  0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x07, 0x04, 0x63, 0x6f, 0x70, 0x79,
  0x00, 0x08, 0x0a, 0x57, 0x09, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x10,
  0x0b, 0x07, 0x00, 0x20, 0x00, 0x2c, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x20,
  0x00, 0x29, 0x03, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x3a,
  0x00, 0x00, 0x0b, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00,
  0x20, 0x00, 0x28, 0x02, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00,
  0x0b, 0x04, 0x00, 0x3f, 0x00, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01,
  0x20, 0x02, 0xfc, 0x0b, 0x00, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01,
  0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b, 0x0b, 0x0e, 0x01, 0x00, 0x41,
  0x10, 0x0b, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

/*
 * Bulk operations and interruption. "interrupt" is a host function that sets
 * the store's interrupt flag, so the *_then functions show whether the bulk
 * operation after it polls (RF_ERR_INTERRUPTED) or not (the unreachable
 * trap), with no timing involved.
 *
 * (module
 *   (import "env" "interrupt" (func $interrupt))
 *   (memory (export "mem") 64)
 *   (table $small 8192 funcref)
 *   (table $refs (export "refs") 300000 externref)
 *   (table $big 10000000 funcref)
 *   (func (export "fill") (param i32 i32 i32)
 *     (memory.fill (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "copy") (param i32 i32 i32)
 *     (memory.copy (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "table_copy") (param i32 i32 i32)
 *     (table.copy $refs $refs (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "fill_then") (param i32)
 *     (call $interrupt)
 *     (memory.fill (i32.const 0) (i32.const 1) (local.get 0))
 *     (unreachable))
 *   (func (export "copy_then") (param i32)
 *     (call $interrupt)
 *     (memory.copy (i32.const 0) (i32.const 0) (local.get 0))
 *     (unreachable))
 *   (func (export "grow_then") (param i32)
 *     (call $interrupt)
 *     (drop (memory.grow (local.get 0)))
 *     (unreachable))
 *   (func (export "table_fill_then") (param i32)
 *     (call $interrupt)
 *     (table.fill $small (i32.const 0) (ref.null func) (local.get 0))
 *     (unreachable))
 *   (func (export "table_copy_then") (param i32)
 *     (call $interrupt)
 *     (table.copy $small $small (i32.const 0) (i32.const 0) (local.get 0))
 *     (unreachable))
 *   (func (export "table_grow_then") (param i32)
 *     (call $interrupt)
 *     (drop (table.grow $small (ref.null func) (local.get 0)))
 *     (unreachable))
 *   ;; straight-line code: no loop back-edge, no call
 *   (func (export "big_fills") (param i32)
 *     (table.fill $big (i32.const 0) (ref.null func) (local.get 0))
 *     ;; ... the line above 64 times in all
 *   )
 * )
 */
static const uint8_t bulk_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60,
  0x00, 0x00, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x00,
  0x02, 0x11, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x09, 0x69, 0x6e, 0x74, 0x65,
  0x72, 0x72, 0x75, 0x70, 0x74, 0x00, 0x00, 0x03, 0x0b, 0x0a, 0x01, 0x01,
  0x01, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x04, 0x10, 0x03, 0x70,
  0x00, 0x80, 0x40, 0x6f, 0x00, 0xe0, 0xa7, 0x12, 0x70, 0x00, 0x80, 0xad,
  0xe2, 0x04, 0x05, 0x03, 0x01, 0x00, 0x40, 0x07, 0x8f, 0x01, 0x0c, 0x03,
  0x6d, 0x65, 0x6d, 0x02, 0x00, 0x04, 0x72, 0x65, 0x66, 0x73, 0x01, 0x01,
  0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x01, 0x04, 0x63, 0x6f, 0x70, 0x79,
  0x00, 0x02, 0x0a, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x5f, 0x63, 0x6f, 0x70,
  0x79, 0x00, 0x03, 0x09, 0x66, 0x69, 0x6c, 0x6c, 0x5f, 0x74, 0x68, 0x65,
  0x6e, 0x00, 0x04, 0x09, 0x63, 0x6f, 0x70, 0x79, 0x5f, 0x74, 0x68, 0x65,
  0x6e, 0x00, 0x05, 0x09, 0x67, 0x72, 0x6f, 0x77, 0x5f, 0x74, 0x68, 0x65,
  0x6e, 0x00, 0x06, 0x0f, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x5f, 0x66, 0x69,
  0x6c, 0x6c, 0x5f, 0x74, 0x68, 0x65, 0x6e, 0x00, 0x07, 0x0f, 0x74, 0x61,
  0x62, 0x6c, 0x65, 0x5f, 0x63, 0x6f, 0x70, 0x79, 0x5f, 0x74, 0x68, 0x65,
  0x6e, 0x00, 0x08, 0x0f, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x5f, 0x67, 0x72,
  0x6f, 0x77, 0x5f, 0x74, 0x68, 0x65, 0x6e, 0x00, 0x09, 0x09, 0x62, 0x69,
  0x67, 0x5f, 0x66, 0x69, 0x6c, 0x6c, 0x73, 0x00, 0x0a, 0x0a, 0xc2, 0x05,
  0x0a, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0b, 0x00,
  0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00,
  0x00, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0e,
  0x01, 0x01, 0x0b, 0x0e, 0x00, 0x10, 0x00, 0x41, 0x00, 0x41, 0x01, 0x20,
  0x00, 0xfc, 0x0b, 0x00, 0x00, 0x0b, 0x0f, 0x00, 0x10, 0x00, 0x41, 0x00,
  0x41, 0x00, 0x20, 0x00, 0xfc, 0x0a, 0x00, 0x00, 0x00, 0x0b, 0x0a, 0x00,
  0x10, 0x00, 0x20, 0x00, 0x40, 0x00, 0x1a, 0x00, 0x0b, 0x0e, 0x00, 0x10,
  0x00, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x00, 0x00, 0x0b,
  0x0f, 0x00, 0x10, 0x00, 0x41, 0x00, 0x41, 0x00, 0x20, 0x00, 0xfc, 0x0e,
  0x00, 0x00, 0x00, 0x0b, 0x0d, 0x00, 0x10, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x0f, 0x00, 0x1a, 0x00, 0x0b, 0xc2, 0x04, 0x00, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0,
  0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00,
  0xfc, 0x11, 0x02, 0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02,
  0x41, 0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x11, 0x02, 0x0b};


/* ---- helpers ------------------------------------------------------------------------ */

typedef struct fixture {
    rf_module *m;
    rf_store *s;
    rf_instance *inst;
} fixture;

static void load(fixture *fx, const uint8_t *bytes, size_t len, const rf_store_config *cfg,
                 const rf_extern *imports, size_t nimports)
{
    rf_error err;
    fx->m = rf_module_load(bytes, len, NULL, &err);
    if (!fx->m)
        fail_msg("load: %s", err.message);
    fx->s = rf_store_new(cfg, &err);
    if (!fx->s)
        fail_msg("store: %s", err.message);
    fx->inst = rf_instantiate(fx->s, fx->m, imports, nimports, &err);
    if (!fx->inst)
        fail_msg("instantiate: %s", err.message);
}

static void unload(fixture *fx)
{
    rf_store_free(fx->s);
    rf_module_free(fx->m);
}

static rf_func *func(fixture *fx, const char *name)
{
    rf_extern ex;
    if (!rf_instance_export(fx->inst, name, strlen(name), &ex) || ex.kind != RF_EXTERN_FUNC)
        fail_msg("no exported function %s", name);
    return ex.of.func;
}

static rf_error_kind call(fixture *fx, const char *name, const rf_value *args, size_t nargs,
                          rf_value *results, size_t nresults, rf_error *err)
{
    return rf_call(func(fx, name), args, nargs, results, nresults, err);
}

/* Call an export taking and returning i32s; fails the test on an error. */
static uint32_t call_i32(fixture *fx, const char *name, int nargs, ...)
{
    rf_value args[4], res[1];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        args[i] = rf_val_i32(va_arg(ap, uint32_t));
    va_end(ap);
    rf_error err;
    if (call(fx, name, args, (size_t)nargs, res, 1, &err) != RF_OK)
        fail_msg("%s: %s", name, err.message);
    return res[0].of.i32;
}

/* Call an export expected to fail; returns the error. */
static rf_error call_fails(fixture *fx, const char *name, int nargs, ...)
{
    rf_value args[4], res[2];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        args[i] = rf_val_i32(va_arg(ap, uint32_t));
    va_end(ap);
    rf_error err;
    rf_signature sig = rf_func_signature(func(fx, name));
    rf_error_kind k = call(fx, name, args, (size_t)nargs, res, sig.nresults, &err);
    assert_int_not_equal(k, RF_OK);
    assert_int_equal(err.kind, k);
    return err;
}

static const rf_code *code_of(fixture *fx, const char *name)
{
    return rf_compiled_func(fx->m, func(fx, name)->index - fx->m->num_func_imports);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- arithmetic and the symbolic stack ------------------------------------------------- */

static void test_arith(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, arith_wasm, sizeof arith_wasm, NULL, NULL, 0);
    assert_int_equal(call_i32(&fx, "add_imm", 1, 5u), 12u);
    assert_int_equal(call_i32(&fx, "sub_imm", 1, 5u), (uint32_t)-2);
    assert_int_equal(call_i32(&fx, "rsub", 1, 10u), (uint32_t)(7 - 10));
    assert_int_equal(call_i32(&fx, "lt_first", 1, 6u), 1);
    assert_int_equal(call_i32(&fx, "lt_first", 1, 5u), 0);
    assert_int_equal(call_i32(&fx, "lt_first", 1, (uint32_t)-1), 0);
    assert_int_equal(call_i32(&fx, "shl_first", 1, 31u), 0x80000000u);
    assert_int_equal(call_i32(&fx, "shl_first", 1, 33u), 2u);   /* shift count mod 32 */
    assert_int_equal(call_i32(&fx, "div_s", 2, (uint32_t)-7, 2u), (uint32_t)-3);
    assert_int_equal(call_i32(&fx, "rem_s", 2, 0x80000000u, (uint32_t)-1), 0);

    rf_value args[2], res[1];
    rf_error err;
    args[0] = rf_val_i64(3);
    args[1] = rf_val_i64(1);
    assert_int_equal(call(&fx, "i64_mix", args, 2, res, 1, &err), RF_OK);
    assert_true(res[0].of.i64 == 3u * 0x100000001ull - 1u);
    args[0] = rf_val_i32(0xFFFFFFFFu);
    assert_int_equal(call(&fx, "extend_u", args, 1, res, 1, &err), RF_OK);
    assert_true(res[0].of.i64 == 0xFFFFFFFFull);
    assert_int_equal(call(&fx, "extend_s", args, 1, res, 1, &err), RF_OK);
    assert_true(res[0].of.i64 == UINT64_MAX);
    args[0] = rf_val_i64(0x123456789ull);
    assert_int_equal(call(&fx, "wrap", args, 1, res, 1, &err), RF_OK);
    assert_int_equal(res[0].of.i32, 0x23456789u);
    assert_int_equal(res[0].type, RF_I32);

    double d = -3.7;
    args[0].type = RF_F64;
    memcpy(&args[0].of.f64_bits, &d, sizeof d);
    assert_int_equal(call(&fx, "f64_trunc", args, 1, res, 1, &err), RF_OK);
    assert_int_equal(res[0].of.i32, (uint32_t)-3);
    d = 3e9;
    memcpy(&args[0].of.f64_bits, &d, sizeof d);
    assert_int_equal(call(&fx, "f64_trunc", args, 1, res, 1, &err), RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_INT_OVERFLOW);
    d = NAN;
    memcpy(&args[0].of.f64_bits, &d, sizeof d);
    assert_int_equal(call(&fx, "f64_trunc", args, 1, res, 1, &err), RF_ERR_TRAP);
    assert_int_equal(err.trap, RF_TRAP_INVALID_CONVERSION);
    assert_non_null(strstr(err.message, "invalid conversion to integer"));

    rf_error e = call_fails(&fx, "div_s", 2, 1u, 0u);
    assert_int_equal(e.trap, RF_TRAP_DIV_BY_ZERO);
    assert_non_null(strstr(e.message, "integer divide by zero"));
    e = call_fails(&fx, "div_s", 2, 0x80000000u, (uint32_t)-1);
    assert_int_equal(e.trap, RF_TRAP_INT_OVERFLOW);
    assert_non_null(strstr(e.message, "integer overflow"));
    unload(&fx);
}

static void test_symbolic_stack(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, arith_wasm, sizeof arith_wasm, NULL, NULL, 0);
    /* old - new, where new = old + 100 */
    assert_int_equal(call_i32(&fx, "old_value", 1, 5u), (uint32_t)-100);
    assert_int_equal(call_i32(&fx, "tee", 1, 4u), 24u);
    assert_int_equal(call_i32(&fx, "cond_set", 2, 5u, 1u), 10u);
    assert_int_equal(call_i32(&fx, "cond_set", 2, 5u, 0u), 47u);
    assert_int_equal(call_i32(&fx, "select", 3, 1u, 2u, 1u), 1u);
    assert_int_equal(call_i32(&fx, "select", 3, 1u, 2u, 0u), 2u);
    /* Constants and locals are folded into operands: no moves at all. */
    const rf_code *c = code_of(&fx, "add_imm");
    assert_int_equal(rf_code_count_op(c, RF_IOP_I32_ADD_I), 1);
    assert_int_equal(rf_code_count_op(c, RF_IOP_COPY), 0);
    assert_int_equal(rf_code_count_op(c, RF_IOP_CONST32), 0);
    /* A constant first operand of a relation swaps it instead of loading it. */
    c = code_of(&fx, "lt_first");
    assert_int_equal(rf_code_count_op(c, RF_IOP_I32_GT_S_I), 1);
    assert_int_equal(rf_code_count_op(c, RF_IOP_CONST32), 0);
    /* local.tee retargets the multiply: nothing copies the value */
    c = code_of(&fx, "tee");
    assert_int_equal(rf_code_count_op(c, RF_IOP_COPY), 0);
    unload(&fx);
}

/* ---- control flow ----------------------------------------------------------------------- */

static void test_control(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, control_wasm, sizeof control_wasm, NULL, NULL, 0);
    rf_value args[1], res[2];
    rf_error err;
    const int32_t xs[] = { 0, -3, 4, 1000 };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        int32_t x = xs[i];
        args[0] = rf_val_i32((uint32_t)x);
        assert_int_equal(call(&fx, "multi", args, 1, res, 2, &err), RF_OK);
        assert_int_equal(res[0].of.i32, (uint32_t)(x <= 0 ? x : x + 1));
        assert_int_equal(res[1].of.i32, (uint32_t)(x <= 0 ? 10 : 2 * x));
    }
    assert_int_equal(call_i32(&fx, "ifelse", 2, 1u, 7u), 21u);
    assert_int_equal(call_i32(&fx, "ifelse", 2, 0u, 7u), 12u);
    for (uint32_t n = 1; n <= 20; n++)
        assert_int_equal(call_i32(&fx, "loop_params", 1, n), n * (n + 1) / 2);
    assert_int_equal(call_i32(&fx, "br_out", 1, 1u), 100u);
    assert_int_equal(call_i32(&fx, "br_out", 1, 0u), 11u);
    assert_int_equal(call_i32(&fx, "sum_loop", 1, 100u), 4950u);
    assert_int_equal(call_i32(&fx, "sum_loop", 1, 0u), 0u);
    /* The loop test is a single fused compare-and-branch; the sums write
     * their locals directly. */
    const rf_code *c = code_of(&fx, "sum_loop");
    assert_int_equal(rf_code_count_op(c, RF_IOP_BR_GE_S_SS), 1);
    assert_int_equal(rf_code_count_op(c, RF_IOP_I32_GE_S), 0);
    assert_int_equal(rf_code_count_op(c, RF_IOP_COPY), 0);
    assert_int_equal(rf_code_count_op(c, RF_IOP_I32_ADD_I), 1);
    unload(&fx);
}

static void test_br_table(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, control_wasm, sizeof control_wasm, NULL, NULL, 0);
    const uint32_t in[] = { 0, 1, 2, 3, 100, 0xFFFFFFFFu };
    const uint32_t want[] = { 8, 9, 10, 7, 7, 7 };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        assert_int_equal(call_i32(&fx, "switch", 1, in[i]), want[i]);
    assert_int_equal(call_i32(&fx, "table_ret", 1, 0u), 6u);
    assert_int_equal(call_i32(&fx, "table_ret", 1, 1u), 5u);
    assert_int_equal(call_i32(&fx, "table_ret", 1, 9u), 5u);
    assert_int_equal(call_i32(&fx, "table_loop", 1, 5u), 5u);
    assert_int_equal(call_i32(&fx, "table_loop", 1, 0u), 1u);
    unload(&fx);
}

static void test_trap_location(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, control_wasm, sizeof control_wasm, NULL, NULL, 0);
    assert_int_equal(call_i32(&fx, "trap", 1, 0u), 1u);
    rf_error e = call_fails(&fx, "trap", 1, 1u);
    assert_int_equal(e.kind, RF_ERR_TRAP);
    assert_int_equal(e.trap, RF_TRAP_UNREACHABLE);
    /* wasm-objdump -d: "00018e: 00 | unreachable" in func[9] */
    assert_int_equal(e.func_index, 9);
    assert_true(e.offset == 0x18e);
    assert_non_null(strstr(e.message, "unreachable"));
    unload(&fx);
}

/* ---- calls ----------------------------------------------------------------------------------- */

/* Host function "cb": calls the wasm function in *user with its argument. */
static rf_error_kind host_cb(rf_caller *caller, void *user, const rf_value *args,
                             rf_value *results, rf_error *err)
{
    (void)caller;
    rf_func *target = *(rf_func **)user;
    return rf_call(target, args, 1, results, 1, err);
}

static void load_calls(fixture *fx, rf_func **cb_target, const rf_store_config *cfg)
{
    rf_error err;
    fx->m = rf_module_load(calls_wasm, sizeof calls_wasm, NULL, &err);
    if (!fx->m)
        fail_msg("load: %s", err.message);
    fx->s = rf_store_new(cfg, &err);
    if (!fx->s)
        fail_msg("store: %s", err.message);
    rf_valtype i32 = RF_I32;
    rf_signature sig = { 1, &i32, 1, &i32 };
    rf_extern imp;
    imp.kind = RF_EXTERN_FUNC;
    imp.of.func = rf_func_new_host(fx->s, &sig, host_cb, cb_target);
    assert_non_null(imp.of.func);
    fx->inst = rf_instantiate(fx->s, fx->m, &imp, 1, &err);
    if (!fx->inst)
        fail_msg("instantiate: %s", err.message);
}

static uint32_t fib_c(uint32_t n)
{
    return n < 2 ? n : fib_c(n - 1) + fib_c(n - 2);
}

static void test_calls(void **state)
{
    (void)state;
    fixture fx;
    rf_func *target = NULL;
    load_calls(&fx, &target, NULL);
    for (uint32_t n = 0; n <= 20; n++)
        assert_int_equal(call_i32(&fx, "fib", 1, n), fib_c(n));
    assert_int_equal(call_i32(&fx, "swap_sub", 2, 3u, 10u), 7u);
    assert_int_equal(call_i32(&fx, "depth", 1, 500u), 500u);
    /* fib's test is fused with its constant; both subtractions fold theirs */
    const rf_code *c = code_of(&fx, "fib");
    assert_int_equal(rf_code_count_op(c, RF_IOP_BR_GE_S_SI), 1);
    assert_int_equal(rf_code_count_op(c, RF_IOP_I32_ADD_I), 2);
    assert_int_equal(rf_code_count_op(c, RF_IOP_CALL), 2);
    unload(&fx);
}

static void test_call_indirect(void **state)
{
    (void)state;
    fixture fx;
    rf_func *target = NULL;
    load_calls(&fx, &target, NULL);
    assert_int_equal(call_i32(&fx, "dispatch", 2, 0u, 5u), 10u);
    assert_int_equal(call_i32(&fx, "dispatch", 2, 1u, 5u), 15u);
    rf_error e = call_fails(&fx, "dispatch", 2, 2u, 5u);
    assert_int_equal(e.trap, RF_TRAP_INDIRECT_TYPE);
    assert_non_null(strstr(e.message, "indirect call type mismatch"));
    e = call_fails(&fx, "dispatch", 2, 3u, 5u);
    assert_int_equal(e.trap, RF_TRAP_UNINITIALIZED_ELEMENT);
    assert_non_null(strstr(e.message, "uninitialized element"));
    e = call_fails(&fx, "dispatch", 2, 4u, 5u);
    assert_int_equal(e.trap, RF_TRAP_UNDEFINED_ELEMENT);
    assert_non_null(strstr(e.message, "undefined element"));
    unload(&fx);
}

static void test_host_reentry(void **state)
{
    (void)state;
    fixture fx;
    rf_func *target = NULL;
    load_calls(&fx, &target, NULL);
    target = func(&fx, "inc");
    assert_int_equal(call_i32(&fx, "via_host", 1, 5u), 60u);
    /* wasm -> host -> wasm -> host -> ... nests on the same stacks */
    target = func(&fx, "host_rec");
    assert_int_equal(call_i32(&fx, "host_rec", 1, 50u), 50u);
    /* Unbounded re-entry stops cleanly: the innermost call is refused and
     * the error travels back out through every host frame. */
    rf_error e = call_fails(&fx, "host_rec", 1, 100000u);
    assert_int_equal(e.kind, RF_ERR_EXHAUSTED);
    assert_int_equal(call_i32(&fx, "host_rec", 1, 3u), 3u);
    unload(&fx);
}

static void test_stack_exhaustion(void **state)
{
    (void)state;
    fixture fx;
    rf_func *target = NULL;
    load_calls(&fx, &target, NULL);
    rf_error e = call_fails(&fx, "forever", 1, 0u);
    assert_int_equal(e.kind, RF_ERR_EXHAUSTED);
    assert_int_equal(e.trap, RF_TRAP_STACK_EXHAUSTED);
    assert_non_null(strstr(e.message, "call stack exhausted"));
    /* the store is usable afterwards */
    assert_int_equal(call_i32(&fx, "fib", 1, 15u), fib_c(15));
    unload(&fx);

    /* The depth limit is exact: depth(n) needs n + 1 frames. */
    rf_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_call_depth = 100;
    load_calls(&fx, &target, &cfg);
    assert_int_equal(call_i32(&fx, "depth", 1, 99u), 99u);
    e = call_fails(&fx, "depth", 1, 100u);
    assert_int_equal(e.kind, RF_ERR_EXHAUSTED);
    unload(&fx);

    /* A small value stack runs out before the depth limit. */
    cfg.max_call_depth = 0;
    cfg.stack_slots = 1000;
    load_calls(&fx, &target, &cfg);
    assert_int_equal(call_i32(&fx, "depth", 1, 50u), 50u);
    e = call_fails(&fx, "depth", 1, 5000u);
    assert_int_equal(e.kind, RF_ERR_EXHAUSTED);
    unload(&fx);
}

/* ---- memory ------------------------------------------------------------------------------------- */

static void test_memory(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, memory_wasm, sizeof memory_wasm, NULL, NULL, 0);
    rf_extern ex;
    assert_true(rf_instance_export(fx.inst, "mem", 3, &ex));
    rf_memory *mem = ex.of.memory;
    uint8_t *bytes = rf_memory_data(mem);

    assert_int_equal(call_i32(&fx, "load32", 1, 0u), 0x04030201u);
    rf_value args[2], res[1];
    rf_error err;
    args[0] = rf_val_i32(16);
    assert_int_equal(call(&fx, "load64", args, 1, res, 1, &err), RF_OK);
    assert_true(res[0].of.i64 == 0x0807060504030201ull);
    args[0] = rf_val_i32(100);
    args[1] = rf_val_i32(0x80);
    assert_int_equal(call(&fx, "store8", args, 2, NULL, 0, &err), RF_OK);
    assert_int_equal(bytes[100], 0x80);
    assert_int_equal(call_i32(&fx, "load8s", 1, 100u), 0xFFFFFF80u);
    assert_int_equal(call_i32(&fx, "store_load", 2, 200u, 0xdeadbeefu), 0xdeadbeefu);
    assert_int_equal(bytes[200], 0xef);

    /* Bounds: the last 4 bytes load, one byte further traps; no wrap-around. */
    assert_int_equal(call_i32(&fx, "load32", 1, 65536u - 16 - 4), 0);
    rf_error e = call_fails(&fx, "load32", 1, 65536u - 16 - 3);
    assert_int_equal(e.trap, RF_TRAP_MEMORY_OOB);
    assert_non_null(strstr(e.message, "out of bounds memory access"));
    e = call_fails(&fx, "load32", 1, 0xFFFFFFF0u);
    assert_int_equal(e.trap, RF_TRAP_MEMORY_OOB);

    /* memory.grow / memory.size, maximum 3 pages */
    assert_int_equal(call_i32(&fx, "size", 0), 1u);
    assert_int_equal(call_i32(&fx, "grow", 1, 1u), 1u);
    assert_int_equal(call_i32(&fx, "size", 0), 2u);
    assert_int_equal(call_i32(&fx, "grow", 1, 2u), 0xFFFFFFFFu);
    assert_int_equal(call_i32(&fx, "grow", 1, 1u), 2u);
    assert_int_equal(call_i32(&fx, "size", 0), 3u);
    /* the grown memory is usable at once */
    assert_int_equal(call_i32(&fx, "store_load", 2, 3u * 65536 - 4, 77u), 77u);

    /* bulk operations: checked before writing; zero length at the end is fine */
    const uint32_t end = 3u * 65536;
    bytes[end - 1] = 0x11;
    e = call_fails(&fx, "fill", 3, end - 1, 0xAAu, 2u);
    assert_int_equal(e.trap, RF_TRAP_MEMORY_OOB);
    assert_int_equal(bytes[end - 1], 0x11);
    args[0] = rf_val_i32(end);
    args[1] = rf_val_i32(0xAA);
    rf_value n0 = rf_val_i32(0);
    rf_value fill_args[3] = { args[0], args[1], n0 };
    assert_int_equal(call(&fx, "fill", fill_args, 3, NULL, 0, &err), RF_OK);
    rf_value fill_ok[3] = { rf_val_i32(1000), rf_val_i32(0x5A), rf_val_i32(3) };
    assert_int_equal(call(&fx, "fill", fill_ok, 3, NULL, 0, &err), RF_OK);
    assert_int_equal(bytes[999], 0);
    assert_int_equal(bytes[1000], 0x5A);
    assert_int_equal(bytes[1002], 0x5A);
    assert_int_equal(bytes[1003], 0);
    /* overlapping copy moves like memmove */
    rf_value copy_args[3] = { rf_val_i32(17), rf_val_i32(16), rf_val_i32(7) };
    assert_int_equal(call(&fx, "copy", copy_args, 3, NULL, 0, &err), RF_OK);
    const uint8_t want[8] = { 1, 1, 2, 3, 4, 5, 6, 7 };
    assert_memory_equal(bytes + 16, want, 8);
    e = call_fails(&fx, "copy", 3, 0u, end - 2, 3u);
    assert_int_equal(e.trap, RF_TRAP_MEMORY_OOB);
    unload(&fx);
}

/* ---- interruption ---------------------------------------------------------------------------------- */

typedef struct interrupter {
    rf_store *s;
    atomic_int done;
} interrupter;

/* Interrupt the store every few milliseconds until the call has returned
 * (an interrupt that lands before rf_call starts is cleared by it). */
static void *interrupt_thread(void *arg)
{
    interrupter *it = arg;
    struct timespec pause = { 0, 5 * 1000 * 1000 };
    while (!atomic_load(&it->done)) {
        nanosleep(&pause, NULL);
        rf_store_interrupt(it->s);
    }
    return NULL;
}

static void test_interrupt(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, control_wasm, sizeof control_wasm, NULL, NULL, 0);
    interrupter it;
    it.s = fx.s;
    atomic_init(&it.done, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, interrupt_thread, &it), 0);
    double t0 = seconds();
    rf_error e = call_fails(&fx, "spin", 0);
    double elapsed = seconds() - t0;
    atomic_store(&it.done, 1);
    pthread_join(th, NULL);
    assert_int_equal(e.kind, RF_ERR_INTERRUPTED);
    assert_int_equal(e.trap, RF_TRAP_INTERRUPTED);
    assert_true(elapsed < 1.0);
    /* the next top-level call runs normally */
    assert_int_equal(call_i32(&fx, "sum_loop", 1, 10u), 45u);

    /* A deadline stops the loop too. */
    rf_store_set_timeout_ms(fx.s, 30);
    t0 = seconds();
    e = call_fails(&fx, "spin", 0);
    elapsed = seconds() - t0;
    assert_int_equal(e.kind, RF_ERR_INTERRUPTED);
    assert_true(elapsed >= 0.025);
    assert_true(elapsed < 1.0);
    unload(&fx);
}

/* ---- bulk operations and interruption ---------------------------------------------------------- */

static rf_error_kind set_interrupt(rf_caller *caller, void *user, const rf_value *args,
                                   rf_value *results, rf_error *err)
{
    (void)user, (void)args, (void)results, (void)err;
    rf_store_interrupt(rf_caller_store(caller));
    return RF_OK;
}

/* The bulk module in a store with room for its 10,308,192 table entries. */
static void load_bulk(fixture *fx)
{
    rf_error err;
    fx->m = rf_module_load(bulk_wasm, sizeof bulk_wasm, NULL, &err);
    if (!fx->m)
        fail_msg("load: %s", err.message);
    rf_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_table_entries = 11000000;
    fx->s = rf_store_new(&cfg, &err);
    assert_non_null(fx->s);
    rf_signature none = { 0, NULL, 0, NULL };
    rf_extern imp;
    imp.kind = RF_EXTERN_FUNC;
    imp.of.func = rf_func_new_host(fx->s, &none, set_interrupt, NULL);
    assert_non_null(imp.of.func);
    fx->inst = rf_instantiate(fx->s, fx->m, &imp, 1, &err);
    if (!fx->inst)
        fail_msg("instantiate: %s", err.message);
}

static void call_void(fixture *fx, const char *name, uint32_t a, uint32_t b, uint32_t c)
{
    rf_value args[3] = { rf_val_i32(a), rf_val_i32(b), rf_val_i32(c) };
    rf_error err;
    if (call(fx, name, args, 3, NULL, 0, &err) != RF_OK)
        fail_msg("%s: %s", name, err.message);
}

/* A bulk operation polls at once when it was large (64 KiB, 8K table
 * entries, any grown page) and not when it was small. */
static void test_bulk_polls(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t small, large;
    } cases[] = {
        { "fill_then", 65535, 65536 },        { "copy_then", 65535, 65536 },
        { "table_fill_then", 8191, 8192 },    { "table_copy_then", 8191, 8192 },
        { "table_grow_then", 8191, 8192 },    { "grow_then", 0, 1 },
    };
    fixture fx;
    load_bulk(&fx);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_error e = call_fails(&fx, cases[i].name, 1, cases[i].small);
        if (e.trap != RF_TRAP_UNREACHABLE)
            fail_msg("%s(%u): %s", cases[i].name, cases[i].small, e.message);
        e = call_fails(&fx, cases[i].name, 1, cases[i].large);
        if (e.kind != RF_ERR_INTERRUPTED)
            fail_msg("%s(%u): %s", cases[i].name, cases[i].large, e.message);
        assert_int_equal(e.trap, RF_TRAP_INTERRUPTED);
        assert_int_equal(e.func_index, func(&fx, cases[i].name)->index);
    }
    /* The interruption names the bulk instruction (wasm-objdump -d:
     * "000115: fc 0b 00 | memory.fill 0" in func[4]). */
    rf_error e = call_fails(&fx, "fill_then", 1, 65536u);
    assert_int_equal(e.func_index, 4);
    assert_true(e.offset == 0x115);
    /* A refused grow does no work and does not poll. */
    e = call_fails(&fx, "grow_then", 1, 65536u);
    assert_int_equal(e.trap, RF_TRAP_UNREACHABLE);

    /* A large operation polls between chunks: interrupted, it has done only
     * its first chunk (1 MiB) of 4 MiB. */
    rf_extern ex;
    assert_true(rf_instance_export(fx.inst, "mem", 3, &ex));
    uint8_t *bytes = rf_memory_data(ex.of.memory);
    memset(bytes, 0, 4u << 20);
    e = call_fails(&fx, "fill_then", 1, 4u << 20);
    assert_int_equal(e.kind, RF_ERR_INTERRUPTED);
    assert_int_equal(bytes[0], 1);
    assert_int_equal(bytes[(4u << 20) - 1], 0);
    unload(&fx);
}

/* Chunked fills and copies give the same bytes as memset / memmove, for
 * overlapping ranges in both directions. */
static void test_bulk_chunks(void **state)
{
    (void)state;
    fixture fx;
    load_bulk(&fx);
    rf_extern ex;
    assert_true(rf_instance_export(fx.inst, "mem", 3, &ex));
    const size_t size = 4u << 20;
    uint8_t *bytes = rf_memory_data(ex.of.memory);
    assert_int_equal(rf_memory_size(ex.of.memory), size);
    uint8_t *want = malloc(size);
    assert_non_null(want);
    for (size_t i = 0; i < size; i++)
        want[i] = bytes[i] = (uint8_t)(i * 7 + (i >> 9));

    static const uint32_t moves[][3] = {
        { 1000, 3, (3u << 20) + 12345 },      /* forward overlap, several chunks */
        { 5, (1u << 20) + 77, (2u << 20) + 5 },
        { (1u << 20) + 9, 1, (3u << 20) - 10 }, /* backward overlap */
        { 70000, 0, (3u << 20) + 1 },
        { 100, 200, 65536 },                  /* exactly the polling size */
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        call_void(&fx, "copy", moves[i][0], moves[i][1], moves[i][2]);
        memmove(want + moves[i][0], want + moves[i][1], moves[i][2]);
        assert_memory_equal(bytes, want, size);
    }
    call_void(&fx, "fill", 3, 0xAB, (3u << 20) + 2);
    memset(want + 3, 0xAB, (3u << 20) + 2);
    assert_memory_equal(bytes, want, size);

    /* table.copy over 300,000 references (2.4 MB: three chunks) */
    assert_true(rf_instance_export(fx.inst, "refs", 4, &ex));
    rf_table *t = ex.of.table;
    const uint32_t n = 300000;
    uintptr_t *ref = malloc(n * sizeof *ref);
    assert_non_null(ref);
    for (uint32_t i = 0; i < n; i++) {
        ref[i] = (uintptr_t)i * 16 + 8;
        assert_true(rf_table_set(t, i, (void *)ref[i]));
    }
    call_void(&fx, "table_copy", 10, 3, n - 10);          /* backward */
    memmove(ref + 10, ref + 3, (n - 10) * sizeof *ref);
    call_void(&fx, "table_copy", 0, 140000, n - 140000);  /* forward */
    memmove(ref, ref + 140000, (n - 140000) * sizeof *ref);
    for (uint32_t i = 0; i < n; i++) {
        void *got = NULL;
        assert_true(rf_table_get(t, i, &got));
        assert_true((uintptr_t)got == ref[i]);
    }
    free(ref);
    free(want);
    unload(&fx);
}

/* 64 table.fill of 10,000,000 entries in a row, with no loop and no call:
 * about 0.8 s of work (several seconds under sanitizers). A 20 ms deadline
 * stops it within a chunk of work. */
static void test_bulk_deadline(void **state)
{
    (void)state;
    fixture fx;
    load_bulk(&fx);
    rf_store_set_timeout_ms(fx.s, 20);
    double t0 = seconds();
    rf_error e = call_fails(&fx, "big_fills", 1, 10000000u);
    double elapsed = seconds() - t0;
    assert_int_equal(e.kind, RF_ERR_INTERRUPTED);
    assert_int_equal(e.trap, RF_TRAP_INTERRUPTED);
    print_message("big_fills under a 20 ms deadline: interrupted after %.1f ms\n", elapsed * 1e3);
    assert_true(elapsed >= 0.015);
    assert_true(elapsed < 0.3);

    /* Without a deadline a shorter version runs to completion. */
    rf_store_set_timeout_ms(fx.s, 0);
    rf_value arg = rf_val_i32(1000);
    rf_error err;
    assert_int_equal(call(&fx, "big_fills", &arg, 1, NULL, 0, &err), RF_OK);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arith),
        cmocka_unit_test(test_symbolic_stack),
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_br_table),
        cmocka_unit_test(test_trap_location),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_call_indirect),
        cmocka_unit_test(test_host_reentry),
        cmocka_unit_test(test_stack_exhaustion),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_bulk_polls),
        cmocka_unit_test(test_bulk_chunks),
        cmocka_unit_test(test_bulk_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
