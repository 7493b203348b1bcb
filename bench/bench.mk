# bench.mk — benchmark targets, included by the top-level Makefile.
#
#   make bench    build reflow, then run bench/kernels.sh (see bench/README.md).
#                 Its settings come from the environment or the make command
#                 line (make exports command-line variables to recipes), e.g.
#                 `make bench BENCH_RUNS=3 BENCH_SCALE=0.25`.
.PHONY: bench
bench: build
	sh bench/kernels.sh

# make bench-plugin: instance creation time and calls/second of an echo plugin
# through `reflow call --loop` and the C API (bench/plugin_bench.sh).
.PHONY: bench-plugin
bench-plugin: build
	sh bench/plugin_bench.sh
