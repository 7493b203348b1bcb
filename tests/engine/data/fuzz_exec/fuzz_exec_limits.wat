;; Pushes every limit: memory grows by huge and wrapping amounts, table
;; grows to millions of entries, bulk operations whose ranges wrap the
;; 32-bit space or end exactly at the memory's end.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "grow_memory") (param i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (drop (memory.grow (i32.const -1)))
    (drop (memory.grow (i32.const 0x10000)))
    (memory.size))
  (func (export "grow_table") (param i32) (result i32)
    (drop (table.grow $t (ref.null func) (local.get 0)))
    (drop (table.grow $t (ref.null func) (i32.const 0x7fffffff)))
    (drop (table.grow $t (ref.null func) (i32.const -1)))
    (table.size $t))
  (func (export "bulk") (param $d i32) (param $s i32) (param $n i32)
    (memory.fill (local.get $d) (i32.const 1) (local.get $n))
    (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "edge") (result i64)
    (local $end i32)
    (local.set $end (i32.mul (memory.size) (i32.const 65536)))
    (i64.store (i32.sub (local.get $end) (i32.const 8)) (i64.const -1))
    (i64.load offset=0xfffffff8 (i32.const 0))))
