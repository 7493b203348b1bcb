;; nomax.wat — a memory without a maximum and an immutable f64 global export.
(module
  (memory 1)
  (global (export "pi") f64 (f64.const 3.14159)))
