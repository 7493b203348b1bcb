;; bad_import_memory.wat — imports the kernel's memory, which plugins may not
;; reach: creating the plugin must fail.
(module
  (import "extism:host/env" "memory" (memory 1))
  (func (export "run") (result i32) (i32.const 0)))
