#!/usr/bin/env bash
# fuzz.sh BUILD_DIR SEED_DIR SECONDS — run the libFuzzer target
# BUILD_DIR/fuzz-load (built by `make fuzz`) for SECONDS seconds.
#
# The seed corpus is every .wasm file under SEED_DIR, copied into
# BUILD_DIR/corpus (libFuzzer adds new inputs there, so the repository and
# the spec suite stay untouched). Crashes, leaks and timeouts are written to
# BUILD_DIR/crashes/. Exits non-zero when libFuzzer finds a problem.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 BUILD_DIR SEED_DIR SECONDS" >&2
    exit 2
fi
build=$1
seeds=$2
seconds=$3

target="$build/fuzz-load"
if [[ ! -x "$target" ]]; then
    echo "fuzz: $target not built (run 'make fuzz')" >&2
    exit 1
fi

mkdir -p "$build/corpus" "$build/crashes"
if [[ -d "$seeds" ]]; then
    find "$seeds" -type f -name '*.wasm' -exec cp -f -t "$build/corpus/" {} +
    echo "fuzz: seed corpus: $(find "$build/corpus" -type f | wc -l) files in $build/corpus"
else
    echo "fuzz: warning: seed directory $seeds not found; starting from an empty corpus" >&2
fi

exec "$target" \
    -max_total_time="$seconds" \
    -max_len=65536 \
    -timeout=20 \
    -print_final_stats=1 \
    -artifact_prefix="$build/crashes/" \
    "$build/corpus"
