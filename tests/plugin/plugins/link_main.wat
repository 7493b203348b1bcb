;; link_main.wat — the main module of the linking tests: imports from the
;; module named "lib" (link_lib.wat).
;;   run   output = lib.add_one(41) as a u64 LE (8 bytes): 42
;;   len   output = lib.input_plus(input handle) as a u64 LE: input length + 1000
(module
  (import "lib" "add_one" (func $add_one (param i64) (result i64)))
  (import "lib" "input_plus" (func $input_plus (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (memory (export "memory") 1)
  (func $out (param $v i64)
    (local $h i64)
    (local.set $h (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $h) (local.get $v))
    (call $output_set (local.get $h) (i64.const 8)))
  (func (export "run") (result i32)
    (call $out (call $add_one (i64.const 41)))
    (i32.const 0))
  (func (export "len") (result i32)
    (call $out (call $input_plus (call $input_offset)))
    (i32.const 0)))
