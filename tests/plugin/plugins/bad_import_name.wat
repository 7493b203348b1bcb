;; bad_import_name.wat — imports a function extism:host/env does not have:
;; creating the plugin must fail, naming the import.
(module
  (import "extism:host/env" "no_such_function" (func (param i64) (result i64)))
  (func (export "run") (result i32) (i32.const 0)))
