;; stack.wat — runaway wasm code, without any shadow stack in linear memory:
;;   recurse      non-tail recursion without end: the engine's call stack
;;                runs out ("call stack exhausted"), the host stays alive
;;   loop_forever `loop br 0`: only a timeout or a cancel stops it
;;   recurse_ok   recursion 1000 deep that returns: outputs the depth as a
;;                u64 LE (8 bytes), showing normal recursion is unaffected
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)

  (func $down (param $n i64) (result i64)
    (i64.add (call $down (i64.add (local.get $n) (i64.const 1))) (i64.const 1)))

  (func $depth (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (call $depth (i64.sub (local.get $n) (i64.const 1))) (i64.const 1)))))

  (func (export "recurse") (result i32)
    (drop (call $down (i64.const 0)))
    (i32.const 0))

  (func (export "loop_forever") (result i32)
    (loop $l (br $l))
    (i32.const 0))

  (func (export "recurse_ok") (result i32)
    (local $h i64)
    (local.set $h (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $h) (call $depth (i64.const 1000)))
    (call $output_set (local.get $h) (i64.const 8))
    (i32.const 0)))
