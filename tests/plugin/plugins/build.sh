#!/bin/sh
# build.sh OUT_DIR — build every test plugin of this directory into
# OUT_DIR/<name>.wasm:
#   wasi_*.c   wasm32-wasi reactors (wasi-libc, -mexec-model=reactor)
#   other *.c  freestanding wasm32-unknown-unknown plugins (no libc, no
#              entry point; -mbulk-memory so the compiler's memcpy/memset
#              become instructions); globals.c also exports
#              __wasm_call_ctors, its init function
#   *.wat      assembled with wat2wasm
# Exports are named in the sources (export_name attributes), so no
# --export flags are needed otherwise.
#
# Environment: CLANG (default clang-19), WAT2WASM (default wat2wasm).
# Exit status: 0 when everything was built, 1 when a build failed, 3 when a
# tool is missing (a clear message says which).
set -eu

[ $# -eq 1 ] || { echo "usage: build.sh OUT_DIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")" && pwd)
out=$1
cc=${CLANG:-clang-19}
wat2wasm=${WAT2WASM:-wat2wasm}

missing() { echo "build.sh: $1 not found ($2)" >&2; exit 3; }
command -v "$cc" >/dev/null 2>&1 || missing "compiler '$cc'" "set CLANG"
command -v "$wat2wasm" >/dev/null 2>&1 || missing "'$wat2wasm'" "install wabt or set WAT2WASM"
mkdir -p "$out"

warn="-O2 -Wall -Wextra -Werror"
for f in "$src"/*.c; do
    name=$(basename "$f" .c)
    case $name in
    wasi_*)
        "$cc" --target=wasm32-wasi -mexec-model=reactor $warn -o "$out/$name.wasm" "$f" ;;
    globals)
        "$cc" --target=wasm32-unknown-unknown -nostdlib -mbulk-memory -Wl,--no-entry \
            -Wl,--export=__wasm_call_ctors $warn -o "$out/$name.wasm" "$f" ;;
    *)
        "$cc" --target=wasm32-unknown-unknown -nostdlib -mbulk-memory -Wl,--no-entry \
            $warn -o "$out/$name.wasm" "$f" ;;
    esac
done
for f in "$src"/*.wat; do
    name=$(basename "$f" .wat)
    "$wat2wasm" --debug-names -o "$out/$name.wasm" "$f"
done
