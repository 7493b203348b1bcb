;; A start function that never returns: instantiation itself must be cut
;; short by the deadline.
(module
  (func $start (loop $l (br $l)))
  (start $start))
