;; broken.invalid.wat — deliberately INVALID: $answer promises an i32 but
;; leaves an i64 on the stack. It is assembled with `wat2wasm --no-check` so
;; `make demo` can show how reflow reports a validation error.
(module $broken
  (func $answer (export "answer") (result i32)
    (i64.const 42)))
