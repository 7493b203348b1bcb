;; greet_plugin.wat — a minimal Extism-style plugin, written against the
;; extism:host/env ABI directly (no PDK): it reads its input through the
;; kernel, builds "Hello, <input>!" in a kernel block and sets it as output.
;; Used by `make demo`: reflow call examples/greet_plugin.wasm greet --input world
(module $greet_plugin
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1)
  (data (i32.const 0) "Hello, ")

  ;; Copy `len` bytes of linear memory at `src` into kernel memory at `dst`.
  (func $copy_out (param $dst i64) (param $src i32) (param $len i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8
          (i64.add (local.get $dst) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "greet") (result i32)
    (local $n i64) (local $out i64) (local $i i64)
    (local.set $n (call $input_length))
    ;; "Hello, " + input + "!"
    (local.set $out (call $alloc (i64.add (local.get $n) (i64.const 8))))
    (if (i64.eqz (local.get $out)) (then (return (i32.const 1))))
    (call $copy_out (local.get $out) (i32.const 0) (i32.const 7))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8
          (i64.add (i64.add (local.get $out) (i64.const 7)) (local.get $i))
          (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (call $store_u8 (i64.add (i64.add (local.get $out) (i64.const 7)) (local.get $n))
                    (i32.const 33))
    (call $output_set (local.get $out) (i64.add (local.get $n) (i64.const 8)))
    (i32.const 0)))
