;; bad_import_type.wat — imports the kernel's alloc with the wrong type
;; ((i32) -> i32 instead of (i64) -> i64): creating the plugin must fail.
(module
  (import "extism:host/env" "alloc" (func (param i32) (result i32)))
  (func (export "run") (result i32) (i32.const 0)))
