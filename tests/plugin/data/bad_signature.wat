;; bad_signature.wat — imports fd_write with the wrong type; linking must
;; fail naming fd_write, the module's type and WASI's type.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
  (memory (export "memory") 1))
