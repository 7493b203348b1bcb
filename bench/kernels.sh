#!/bin/sh
# kernels.sh — the compute benchmark: every kernel of the shared
# bench-kernels directory built natively and for wasm32-wasi, run side by
# side (native, then `reflow exec`, N times, interleaved so drift in machine
# load hits both alike), with the checksum lines compared and the median
# in-process kernel times tabulated. See bench/README.md.
#
# Environment (all optional):
#   BENCH_KERNELS  kernel sources          (default: ../shared/bench-kernels from the repo)
#   BENCH_BUILD    build/output directory  (default: build-bench in the repo; git-ignored)
#   REFLOW         the reflow binary       (default: build/reflow in the repo)
#   BENCH_CC       clang for both targets  (default: clang-19)
#   WASI_SYSROOT   wasi-libc sysroot, when the compiler does not find it by itself
#   BENCH_RUNS     runs per side           (default: 5)
#   BENCH_SCALE    work-size multiplier    (default: 1, the kernels' own sizes)
#   BENCH_ONLY     space-separated kernel names to run (default: all)
#   BENCH_REFLOW_FLAGS  extra options for `reflow exec` (e.g. --memory-limit-mb 64)
#
# Exit status: 0 when every kernel ran on both sides with identical
# checksums, 1 otherwise (the table still prints), 2 on setup errors.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
kernels=${BENCH_KERNELS:-$root/../shared/bench-kernels}
out=${BENCH_BUILD:-$root/build-bench}
reflow=${REFLOW:-$root/build/reflow}
cc=${BENCH_CC:-clang-19}
runs=${BENCH_RUNS:-5}
scale=${BENCH_SCALE:-1}
only=${BENCH_ONLY:-}
reflow_flags=${BENCH_REFLOW_FLAGS:-}

die() { echo "kernels.sh: $*" >&2; exit 2; }

[ -d "$kernels" ] || die "no kernel directory '$kernels' (set BENCH_KERNELS)"
kernels=$(cd "$kernels" && pwd)
command -v "$cc" >/dev/null 2>&1 || die "compiler '$cc' not found (set BENCH_CC)"
[ -x "$reflow" ] || die "no reflow binary at '$reflow': run 'make build' first (or set REFLOW)"
case $runs in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive integer, got '$runs'" ;; esac
awk -v s="$scale" 'BEGIN { exit !(s + 0 > 0) }' || die "BENCH_SCALE must be a positive number, got '$scale'"
mkdir -p "$out"

# ---- building -----------------------------------------------------------------

# wasm32-wasi flags that work with this compiler: none when it finds wasi-libc
# and its wasm32 compiler-rt by itself (Debian's clang-19 + wasi-libc +
# libclang-rt-19-dev-wasm32 do), else an explicit sysroot.
probe=$out/.probe
printf 'int main(void) { return 0; }\n' > "$probe.c"
wasi_flags=
if ! "$cc" --target=wasm32-wasi -O2 -o "$probe.wasm" "$probe.c" 2>/dev/null; then
    found=
    for s in ${WASI_SYSROOT:-} /usr/share/wasi-sysroot /opt/wasi-sdk/share/wasi-sysroot; do
        [ -d "$s" ] || continue
        if "$cc" --target=wasm32-wasi --sysroot="$s" -O2 -o "$probe.wasm" "$probe.c" 2>/dev/null; then
            wasi_flags="--sysroot=$s"
            found=1
            break
        fi
    done
    [ -n "$found" ] || die "'$cc --target=wasm32-wasi' cannot build a program; install wasi-libc and libclang-rt-19-dev-wasm32, or set WASI_SYSROOT"
fi
rm -f "$probe.c" "$probe.wasm"

# name  source  extra-wasm-flags   (one line per variant)
variants=$out/variants.txt
: > "$variants"
for src in "$kernels"/*.c; do
    [ -e "$src" ] || die "no kernels (*.c) in '$kernels'"
    name=$(basename "$src" .c)
    if [ -n "$only" ]; then
        case " $only " in *" $name "*) ;; *) continue ;; esac
    fi
    echo "$name $src -" >> "$variants"
    [ "$name" = memops ] && echo "memops+bulk $src -mbulk-memory" >> "$variants"
done
[ -s "$variants" ] || die "no kernel matches BENCH_ONLY='$only'"

echo "building into $out (native: $cc -O2; wasm: $cc --target=wasm32-wasi -O2 $wasi_flags)" >&2
while read -r name src extra; do
    base=$(basename "$src" .c)
    [ "$extra" = - ] && extra=
    "$cc" -O2 -o "$out/$base.native" "$src" -lm || die "native build of $base failed"
    # shellcheck disable=SC2086  # flags are deliberately split
    "$cc" --target=wasm32-wasi -O2 $wasi_flags $extra -o "$out/$name.wasm" "$src" -lm ||
        die "wasm build of $name failed"
done < "$variants"

# ---- work sizes -----------------------------------------------------------------

# The kernel's default work size, read from its bench_arg(argc, argv, N) call;
# empty when it takes none (hello).
default_size() {
    sed -n 's/.*bench_arg(argc, *argv, *\([0-9][0-9]*\)).*/\1/p' "$1" | head -n 1
}

# Work size for BENCH_SCALE, so the work (not the argument) scales: the
# argument is a repeat count for most kernels, but fib's work grows as phi^n
# (scaling adds log_phi(scale) to n) and matmul's as n^3 (n grows by the
# cube root).
scaled_size() { # name default
    awk -v n="$2" -v s="$scale" -v k="$1" 'BEGIN {
        if (s == 1) { print n; exit }
        if (k == "fib") v = n + log(s) / log(1.6180339887)
        else if (k == "matmul") v = n * exp(log(s) / 3)
        else v = n * s
        v = int(v + 0.5); if (v < 1) v = 1; print v }'
}

# ---- running ----------------------------------------------------------------------

now() { date +%s.%N; }

# run_one LABEL STDOUT STDERR CMD... — run, recording the exit status and
# wall time; prints "STATUS WALL".
run_one() {
    o=$1; e=$2; shift 2
    t0=$(now)
    set +e
    "$@" > "$o" 2> "$e"
    st=$?
    set -e
    t1=$(now)
    echo "$st $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
}

median() { # numbers on stdin, one per line
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

failures=0
results=$out/results.txt
: > "$results"
while read -r name src extra; do
    base=$(basename "$src" .c)
    size=$(default_size "$src")
    arg=
    [ -n "$size" ] && arg=$(scaled_size "$base" "$size")
    echo "running $name${arg:+ ($arg)} x$runs" >&2
    nat_times=$out/$name.native.times
    wasm_times=$out/$name.reflow.times
    : > "$nat_times"
    : > "$wasm_times"
    ok=yes
    ref_out=
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        for side in native reflow; do
            o=$out/$name.$side.out
            e=$out/$name.$side.err
            if [ "$side" = native ]; then
                # shellcheck disable=SC2086
                r=$(run_one "$o" "$e" "$out/$base.native" $arg)
            else
                # shellcheck disable=SC2086
                r=$(run_one "$o" "$e" "$reflow" exec $reflow_flags "$out/$name.wasm" $arg)
            fi
            st=${r% *}
            wall=${r#* }
            if [ "$st" != 0 ]; then
                echo "  $side run $i failed with status $st:" >&2
                tail -n 5 "$e" | sed 's/^/    /' >&2
                ok=FAIL
                continue
            fi
            ks=$(sed -n 's/^kernel_s=//p' "$e" | tail -n 1)
            [ -n "$ks" ] || ks=$wall   # hello: start-up only, so the whole run
            if [ "$side" = native ]; then echo "$ks" >> "$nat_times"; else echo "$ks" >> "$wasm_times"; fi
            if [ -z "$ref_out" ]; then
                ref_out=$out/$name.expected.out
                cp "$o" "$ref_out"
            elif ! cmp -s "$o" "$ref_out"; then
                echo "  $side run $i: checksum differs:" >&2
                diff "$ref_out" "$o" | sed 's/^/    /' | head -n 6 >&2
                ok=FAIL
            fi
        done
    done
    nm=$(median < "$nat_times")
    wm=$(median < "$wasm_times")
    ratio=$(awk -v a="$nm" -v b="$wm" 'BEGIN { if (a + 0 > 0 && b != "-") printf "%.2fx", b / a; else print "-" }')
    kind=kernel
    sed -n 's/^kernel_s=//p' "$out/$name.native.err" | grep -q . || kind=wall
    echo "$name $nm $wm $ratio $ok $kind" >> "$results"
    [ "$ok" = yes ] || failures=$((failures + 1))
done < "$variants"

# ---- the table ----------------------------------------------------------------------

echo
printf '%-12s %14s %14s %9s  %s\n' kernel "native med s" "reflow med s" ratio "checksum ok"
while read -r name nm wm ratio ok kind; do
    note=
    [ "$kind" = wall ] && note="  (whole-process wall time)"
    printf '%-12s %14s %14s %9s  %s%s\n' "$name" "$nm" "$wm" "$ratio" "$ok" "$note"
done < "$results"
echo
echo "medians of $runs runs each; scale $scale; $(uname -m), $(nproc 2>/dev/null || echo '?') cpus"

[ "$failures" -eq 0 ] || exit 1
