;; no_memory.wat — a module without any memory calling WASI functions that
;; take pointers: every pointer is out of bounds (EFAULT), nothing crashes.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (func (export "write_stdout") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "random_empty") (result i32)
    (call $random_get (i32.const 0) (i32.const 0)))
  (func (export "random_one") (result i32)
    (call $random_get (i32.const 0) (i32.const 1)))
  (func (export "yield") (result i32)
    (call $sched_yield)))
