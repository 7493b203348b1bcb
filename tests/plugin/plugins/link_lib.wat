;; link_lib.wat — a library module for linking tests. Loaded under the name
;; "lib" (manifest "name", or `reflow call --link lib=link_lib.wasm`), it
;; gives add_one to link_main.wasm, and uses the kernel itself.
(module
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (func (export "add_one") (param i64) (result i64)
    (i64.add (local.get 0) (i64.const 1)))
  (func (export "input_plus") (param i64) (result i64)
    (i64.add (call $length (local.get 0)) (i64.const 1000))))
