;; init_start.wat — which init function the host runs, and when. Each init
;; candidate appends a digit to $seq (seq = seq * 10 + digit): the start
;; section 3, __wasm_call_ctors 1, _initialize 2, hs_init 4, _start 5.
;; "order" outputs $seq as a u64 LE (8 bytes).
;; A command-style module: _start is exported but never run by the host on
;; its own ("order" gives 3). Calling "_start" (5) is allowed; the call after
;; it runs on a fresh instance, so "order" gives 3 again, never 35.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (global $seq (mut i64) (i64.const 0))
  (func $note (param i64)
    (global.set $seq (i64.add (i64.mul (global.get $seq) (i64.const 10)) (local.get 0))))
  (func $start (call $note (i64.const 3)))
  (start $start)
  (func (export "_start") (call $note (i64.const 5)))
  (func (export "order") (result i32)
    (local $h i64)
    (local.set $h (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $h) (global.get $seq))
    (call $output_set (local.get $h) (i64.const 8))
    (i32.const 0)))
