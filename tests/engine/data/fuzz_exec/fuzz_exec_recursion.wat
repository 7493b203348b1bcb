;; Unbounded recursion, direct and through a table, with frames of many
;; locals: must end in "call stack exhausted" whatever the stack limits.
(module
  (type $t (func (param i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $deep $wide)
  (func $deep (type $t) (param $x i64) (result i64)
    (i64.add (call $deep (i64.add (local.get $x) (i64.const 1))) (i64.const 1)))
  (func $wide (type $t) (param $x i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    (call_indirect (type $t) (local.get $x) (i32.wrap_i64 (i64.and (local.get $x) (i64.const 1)))))
  (func (export "deep") (param i64) (result i64) (call $deep (local.get 0)))
  (func (export "wide") (param i64) (result i64) (call $wide (local.get 0))))
