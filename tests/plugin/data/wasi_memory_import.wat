;; wasi_memory_import.wat — WASI provides functions only; importing one of
;; its names as a memory is a link error naming the import and both kinds.
(module
  (import "wasi_snapshot_preview1" "fd_write" (memory 1)))
