#!/usr/bin/env bash
# install-deps.sh — make sure the Debian (bookworm) packages reflow needs are
# installed. Does nothing when they all are. Otherwise, as root, installs the
# missing ones with apt-get; as another user, prints the command and fails.
#
# Set RF_SKIP_DEPS=1 to skip the check (e.g. on a non-Debian system where the
# tools were installed some other way).
set -euo pipefail

packages=(
    build-essential cmake pkg-config gcc
    clang-19 lld-19 libclang-rt-19-dev libclang-rt-19-dev-wasm32 wasi-libc
    wabt
    libcmocka-dev libjansson-dev libcurl4-openssl-dev libssl-dev
    valgrind
)

if [[ "${RF_SKIP_DEPS:-0}" == 1 ]]; then
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
    echo "install-deps: install these packages (or equivalents) yourself, then run with RF_SKIP_DEPS=1:" >&2
    echo "  ${packages[*]}" >&2
    exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install-deps: missing packages: ${missing[*]}"
if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-deps: not root; run this, then retry:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
