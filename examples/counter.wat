;; counter.wat — the smallest useful actor state: a counter kept in a mutable
;; global, changed and read through exported functions. Used by `make demo`.
(module $counter
  (global $count (mut i64) (i64.const 0))

  ;; Add `by` to the counter and return the new value.
  (func $add (export "add") (param $by i64) (result i64)
    (global.set $count (i64.add (global.get $count) (local.get $by)))
    (global.get $count))

  (func $get (export "get") (result i64)
    (global.get $count))

  (func $reset (export "reset")
    (global.set $count (i64.const 0)))

  (export "count" (global $count)))
