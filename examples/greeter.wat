;; greeter.wat — a module that talks to its host: it imports a print function,
;; keeps a greeting in its own linear memory and hands the host a pointer and a
;; length. Used by `make demo` to show imports, memories and data segments.
(module $greeter
  (import "host" "print" (func $print (param $ptr i32) (param $len i32)))

  ;; One 64 KiB page, growable to four.
  (memory $mem (export "memory") 1 4)
  (data (memory $mem) (i32.const 16) "hello from reflow")

  (global $greeting_ptr i32 (i32.const 16))
  (global $greeting_len i32 (i32.const 17))

  (func $greet (export "greet")
    (call $print (global.get $greeting_ptr) (global.get $greeting_len)))

  ;; Room for callbacks stored by the host.
  (table $callbacks (export "callbacks") 1 8 funcref)
  (elem (table $callbacks) (i32.const 0) func $greet)

  (start $greet))
