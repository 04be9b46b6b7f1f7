#!/usr/bin/env bash
# Builds the C example plugins with the Swift toolchain's clang (no other SDK needed).
set -euo pipefail
cd "$(dirname "$0")"
CLANG="${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}"
for source in *.c; do
    "$CLANG" --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic -o "${source%.c}.wasm" "$source"
    echo "built ${source%.c}.wasm"
done
