;; init_hs.wat — which init function the host runs, and when. Each init
;; candidate appends a digit to $seq (seq = seq * 10 + digit): the start
;; section 3, __wasm_call_ctors 1, _initialize 2, hs_init 4, _start 5.
;; "order" outputs $seq as a u64 LE (8 bytes).
;; A Haskell-style module (hs_init exported): _initialize runs first, then
;; hs_init(0, 0); __wasm_call_ctors is not called: "order" gives 324.
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
  (func (export "__wasm_call_ctors") (call $note (i64.const 1)))
  (func (export "_initialize") (call $note (i64.const 2)))
  (func (export "hs_init") (param i32 i32) (call $note (i64.const 4)))
  (func (export "order") (result i32)
    (local $h i64)
    (local.set $h (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $h) (global.get $seq))
    (call $output_set (local.get $h) (i64.const 8))
    (i32.const 0)))
