#!/usr/bin/env bash
# Builds the Embedded Swift example plugin with the Swift toolchain alone (about 20 KB, no imports).
set -euo pipefail
cd "$(dirname "$0")"
BIN="${SWIFT_BIN:-/opt/swift/usr/bin}"
"$BIN/clang" --target=wasm32 -O2 -nostdlib -c rt.c -o rt.o
"$BIN/swiftc" -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -wmo -parse-as-library \
    -Osize -Xfrontend -disable-stack-protector TextClassifier.swift rt.o -o text_classifier_swift.wasm \
    -Xclang-linker -nostdlib -Xlinker --no-entry -Xlinker --gc-sections -Xlinker --strip-all
rm -f rt.o
echo "built text_classifier_swift.wasm"
