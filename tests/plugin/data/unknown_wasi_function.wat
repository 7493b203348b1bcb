;; unknown_wasi_function.wat — a name preview 1 does not have.
(module
  (import "wasi_snapshot_preview1" "fd_frobnicate" (func (param i32) (result i32)))
  (memory (export "memory") 1))
