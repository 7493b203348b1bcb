;; minimal.wat — the empty module.
(module)
