;; type_mismatch.invalid.wat — INVALID on purpose (assembled with
;; wat2wasm --no-check): the function returns an i64 where i32 is declared.
(module
  (func (result i32)
    (i64.const 1)))
