#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the unit, end-to-end and GUI tests (ctest; the GUI
# ones under xvfb-run), then the torch-free layers again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then a short deterministic run of each libFuzzer harness (tests/fuzz,
# clang-14; long runs: scripts/fuzz.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
quantlens_build "$QUANTLENS_BUILD" -DQUANTLENS_GUI=ON

ctest --test-dir "$QUANTLENS_BUILD" --output-on-failure -j"$(nproc)"

sanitize_build="$QUANTLENS_ROOT/build-sanitize"
quantlens_build "$sanitize_build" -DQUANTLENS_WITH_TORCH=OFF -DQUANTLENS_SANITIZE=ON
ctest --test-dir "$sanitize_build" --output-on-failure -j"$(nproc)"

fuzz_build="$QUANTLENS_ROOT/build-fuzz"
CC=clang-14 CXX=clang++-14 quantlens_build "$fuzz_build" --target quantlens_fuzzers -DQUANTLENS_WITH_TORCH=OFF \
  -DQUANTLENS_FUZZ=ON -DQUANTLENS_GUI=OFF -DQUANTLENS_CUDA=OFF -DQUANTLENS_BUILD_TESTS=OFF
ctest --test-dir "$fuzz_build" --output-on-failure -L fuzz -j"$(nproc)"
