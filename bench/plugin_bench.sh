#!/bin/sh
# plugin_bench.sh — the plugin benchmark: instance creation time (create +
# first call) and calls per second of the small echo plugin
# (tests/plugin/plugins/echo.c), through `reflow call` and through the C API
# (bench/plugin_bench.c); then a soak run under valgrind (10,000 calls on one
# plugin and 1,000 create/destroy cycles: no leak, no error, RSS flat).
#
# Environment (all optional):
#   REFLOW         the reflow binary               (default: build/reflow)
#   PLUGIN_BENCH   the plugin_bench binary         (default: build/plugin_bench; when
#                  missing it is compiled here from bench/plugin_bench.c and
#                  build/libreflow.a)
#   BENCH_BUILD    output directory                (default: build-bench/plugin)
#   BENCH_CALLS    calls for the calls/s figures   (default: 200000)
#   BENCH_CREATES  create+first-call repetitions   (default: 200)
#   BENCH_RUNS     `reflow call` runs per timing   (default: 5; the median is shown)
#   SOAK_CALLS     calls in the soak run           (default: 10000)
#   SOAK_CYCLES    create/destroy cycles           (default: 1000)
#   VALGRIND       valgrind binary, or "none" to skip that part (default: valgrind)
#   CLANG, WAT2WASM  tools for building the plugins (see tests/plugin/plugins/build.sh)
#
# Exit status: 0 when every run worked and valgrind found nothing, 1 when a
# run failed, valgrind reported errors or leaks, or the RSS kept growing;
# 2 when it cannot start.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
reflow=${REFLOW:-$root/build/reflow}
bench=${PLUGIN_BENCH:-$root/build/plugin_bench}
out=${BENCH_BUILD:-$root/build-bench/plugin}
calls=${BENCH_CALLS:-200000}
creates=${BENCH_CREATES:-200}
runs=${BENCH_RUNS:-5}
soak_calls=${SOAK_CALLS:-10000}
soak_cycles=${SOAK_CYCLES:-1000}
valgrind=${VALGRIND:-valgrind}

die() { echo "plugin_bench.sh: $*" >&2; exit 2; }
fail() { echo "plugin_bench.sh: $*" >&2; exit 1; }
for n in "$calls" "$creates" "$runs" "$soak_calls" "$soak_cycles"; do
    case $n in ''|*[!0-9]*|0) die "counts must be positive integers, got '$n'" ;; esac
done
[ -x "$reflow" ] || die "no reflow binary at '$reflow': run 'make build' first (or set REFLOW)"
mkdir -p "$out"

# ---- building ------------------------------------------------------------------

sh "$root/tests/plugin/plugins/build.sh" "$out/plugins" || die "building the test plugins failed"
echo_wasm=$out/plugins/echo.wasm

if [ ! -x "$bench" ]; then
    lib=$root/build/libreflow.a
    [ -f "$lib" ] || die "no '$bench' and no '$lib' to build it from: run 'make build'"
    bench=$out/plugin_bench
    ${CC:-cc} -std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -I"$root/include" \
        "$here/plugin_bench.c" "$lib" -ljansson -lcurl -lcrypto -lm -lpthread -o "$bench" ||
        die "compiling bench/plugin_bench.c failed"
fi

# ---- timing helpers -----------------------------------------------------------------

now_ns() { date +%s%N; }

# Median wall time in microseconds of `reflow ARGS` over $runs runs; stdout
# goes to $out/cli.out.
median_us() {
    t=""
    i=0
    while [ $i -lt "$runs" ]; do
        t0=$(now_ns)
        "$reflow" "$@" > "$out/cli.out" || fail "reflow $* failed"
        t1=$(now_ns)
        t="$t $(( (t1 - t0) / 1000 ))"
        i=$((i + 1))
    done
    echo $t | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

input="hello, plugin benchmark"

# ---- CLI -------------------------------------------------------------------------------

cli_start=$(median_us --version)
cli_one=$(median_us call "$echo_wasm" echo --input "$input")
printf '%s' "$input" > "$out/expected.one"
cmp -s "$out/cli.out" "$out/expected.one" || fail "wrong output from reflow call"
cli_loop=$(median_us call "$echo_wasm" echo --input "$input" --loop "$calls")
expected_len=$(( ${#input} * calls ))
[ "$(wc -c < "$out/cli.out")" -eq "$expected_len" ] || fail "wrong --loop output length"
cli_calls_per_s=$(awk -v a="$cli_one" -v b="$cli_loop" -v n="$calls" \
    'BEGIN { d = (b - a) / 1e6; if (d <= 0) print "n/a"; else printf "%.0f", (n - 1) / d }')
cli_call_us=$(awk -v a="$cli_one" -v b="$cli_loop" -v n="$calls" \
    'BEGIN { printf "%.3f", (b - a) / (n - 1) }')

# ---- C API -----------------------------------------------------------------------------

"$bench" speed "$echo_wasm" echo "$calls" "$creates" > "$out/api.txt" ||
    fail "plugin_bench speed failed"
"$bench" speed "$echo_wasm" echo_direct "$calls" 20 > "$out/api_direct.txt" ||
    fail "plugin_bench speed (echo_direct) failed"
get() { sed -n "s/^$2=//p" "$1"; }

echo
echo "plugin benchmark: echo plugin, ${#input}-byte input"
printf '%-34s %16s %16s %14s\n' "path" "create+1st call" "per call" "calls/s"
printf '%-34s %13s us %16s %14s\n' "reflow --version (process start)" "$cli_start" "-" "-"
printf '%-34s %13s us %13s us %14s\n' "reflow call (whole process)" "$cli_one" "$cli_call_us" "$cli_calls_per_s"
api_row() {   # label file
    printf '%-34s %13s us %13s us %14s\n' "$1" "$(get "$2" create_first_call_us_median)" \
        "$(get "$2" call_us_mean)" "$(get "$2" calls_per_s)"
}
api_row "C API, echo (copying PDK-style)" "$out/api.txt"
api_row "C API, echo_direct (no copy)" "$out/api_direct.txt"
echo "(reflow: median of $runs runs; per call = (time of --loop $calls - time of 1 call)"
echo " / ($calls - 1). C API: create+1st call = median of $creates, from bytes in memory;"
echo " per call = mean of $calls calls on one plugin)"

# ---- soak ----------------------------------------------------------------------------------

status=0
echo
echo "soak (native): $soak_calls calls on one plugin, $soak_cycles create/destroy cycles"
if ! "$bench" soak "$echo_wasm" echo "$soak_calls" "$soak_cycles"; then
    echo "plugin_bench.sh: native soak failed" >&2
    status=1
fi

if [ "$valgrind" = none ]; then
    echo "valgrind: skipped (VALGRIND=none)"
elif ! command -v "$valgrind" >/dev/null 2>&1; then
    echo "valgrind: not found, skipped"
else
    vg="$valgrind --quiet --error-exitcode=99 --leak-check=full"
    vg="$vg --errors-for-leak-kinds=definite,indirect,possible"
    echo
    echo "soak under valgrind (RSS figures include valgrind's own)"
    if $vg "$bench" soak "$echo_wasm" echo "$soak_calls" "$soak_cycles"; then
        echo "valgrind: plugin_bench soak: no errors, no leaks"
    else
        echo "plugin_bench.sh: valgrind reported problems in plugin_bench soak" >&2
        status=1
    fi
    if $vg "$reflow" call "$echo_wasm" echo --input "$input" --loop "$soak_calls" > "$out/vg.out"; then
        echo "valgrind: reflow call --loop $soak_calls: no errors, no leaks"
    else
        echo "plugin_bench.sh: valgrind reported problems in reflow call --loop" >&2
        status=1
    fi
fi
exit $status
