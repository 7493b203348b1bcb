;; Code that never ends on its own: a start function and exports that loop
;; forever. The per-call deadline must stop each of them (RF_ERR_INTERRUPTED).
(module
  (memory 1)
  (global $n (mut i32) (i32.const 0))
  (func $spin (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1))) (br $l)))
  (func (export "spin") (call $spin))
  (func (export "spin_memory") (param $p i32)
    (loop $l
      (i32.store (i32.and (local.get $p) (i32.const 0xfffc)) (local.get $p))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l)))
  (func (export "spin_grow") (result i32)
    (loop $l (drop (memory.grow (i32.const 0))) (br $l))
    (i32.const 0)))
