;; full.wat — one import of each kind, defined tables and globals, exports of
;; several kinds, a start function and a name section (wat2wasm --debug-names).
;; test_cli.c checks `reflow inspect` against the facts written here.
(module $full
  (import "env" "log" (func $log (param i32)))
  (import "env" "memory" (memory 1 4))
  (import "env" "table" (table 2 funcref))
  (import "env" "base" (global $base i32))

  (table $refs 0 5 externref)
  (global $counter (mut i64) (i64.const 0))
  (global $scale f32 (f32.const 1.5))

  (func $add (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func $init
    (call $log (global.get $base)))
  (start $init)

  (export "add" (func $add))
  (export "counter" (global $counter))
  (export "refs" (table $refs))
  (export "memory" (memory 0)))
