;; memory.wat — a defined, exported memory of 2..10 pages with a data segment.
(module
  (memory (export "mem") 2 10)
  (data (i32.const 0) "reflow"))
