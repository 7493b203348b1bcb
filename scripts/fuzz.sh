#!/usr/bin/env bash
# fuzz.sh BUILD_DIR SEED_DIR SECONDS [TARGET] — run the libFuzzer target
# BUILD_DIR/TARGET (default fuzz-load; `make fuzz` / `make fuzz-exec` build
# them) for SECONDS seconds.
#
# The seed corpus is every .wasm file under SEED_DIR, copied into the
# target's corpus directory: BUILD_DIR/corpus for fuzz-load,
# BUILD_DIR/corpus-NAME for fuzz-NAME (libFuzzer adds new inputs there, so
# the repository and the spec suite stay untouched). Crashes, leaks and
# timeouts are written to BUILD_DIR/crashes/ (named TARGET-crash-... for
# targets other than fuzz-load). Exits non-zero when libFuzzer finds a problem.
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
    echo "usage: $0 BUILD_DIR SEED_DIR SECONDS [TARGET]" >&2
    exit 2
fi
build=$1
seeds=$2
seconds=$3
name=${4:-fuzz-load}

target="$build/$name"
if [[ ! -x "$target" ]]; then
    echo "fuzz: $target not built (run 'make ${name%-load}')" >&2
    exit 1
fi

corpus="$build/corpus"
artifacts="$build/crashes/"
if [[ $name != fuzz-load ]]; then
    corpus="$build/corpus-${name#fuzz-}"
    artifacts="$build/crashes/$name-"
fi

mkdir -p "$corpus" "$build/crashes"
if [[ -d "$seeds" ]]; then
    find "$seeds" -type f -name '*.wasm' -exec cp -f -t "$corpus/" {} +
    echo "fuzz: seed corpus: $(find "$corpus" -type f | wc -l) files in $corpus"
else
    echo "fuzz: warning: seed directory $seeds not found; starting from an empty corpus" >&2
fi

exec "$target" \
    -max_total_time="$seconds" \
    -max_len=65536 \
    -timeout=20 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts" \
    "$corpus"
