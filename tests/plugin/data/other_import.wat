;; other_import.wat — one WASI import (resolved by rf_wasi_link) and one from
;; another module, which rf_link_check_complete must report by name.
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
  (import "env" "host_log" (func (param i32 i32)))
  (memory (export "memory") 1))
