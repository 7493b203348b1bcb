#!/usr/bin/env bash
# demo.sh BUILD_DIR — the `make demo` walk-through. Runs the reflow command on
# the example modules that the build assembled from examples/*.wat into
# BUILD_DIR/examples/. Modules named *.invalid.wasm are expected to be rejected.
# Exits non-zero if any step does not behave as expected.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
# Work inside the build directory so paths print as examples/NAME.wasm.
cd "$1"
reflow=./reflow
examples=examples

show() {
    echo
    echo "\$ reflow $*"
}

shopt -s nullglob
modules=("$examples"/*.wasm)
if [[ ${#modules[@]} -eq 0 ]]; then
    echo "demo: no example modules in $1/$examples (did the build run?)" >&2
    exit 1
fi

echo "== validate every example module"
for wasm in "${modules[@]}"; do
    show validate "$wasm"
    if [[ "$wasm" == *.invalid.wasm ]]; then
        status=0
        "$reflow" validate "$wasm" || status=$?
        if [[ $status -ne 1 ]]; then
            echo "demo: expected $wasm to be rejected with exit 1, got $status" >&2
            exit 1
        fi
        echo "(rejected as expected, exit $status)"
    else
        "$reflow" validate "$wasm"
    fi
done

echo
echo "== inspect a module"
show inspect "$examples/greeter.wasm"
"$reflow" inspect "$examples/greeter.wasm"

show inspect --json "$examples/counter.wasm"
"$reflow" inspect --json "$examples/counter.wasm"

echo
echo "== run code: call an export with typed arguments"
show exec "$examples/counter.wasm" --invoke add 41
"$reflow" exec "$examples/counter.wasm" --invoke add 41

echo
echo "== call an Extism-style plugin (input through the kernel, output back)"
show call "$examples/greet_plugin.wasm" greet --input world --stats
"$reflow" call "$examples/greet_plugin.wasm" greet --input world --stats 2>/dev/null
echo
"$reflow" call "$examples/greet_plugin.wasm" greet --input world --stats >/dev/null
