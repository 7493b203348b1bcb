;; bad_import_user.wat — imports a user host function nobody registered:
;; creating the plugin must fail, naming the import.
(module
  (import "extism:host/user" "missing_host_fn" (func (param i64) (result i64)))
  (func (export "run") (result i32) (i32.const 0)))
