#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the unit, end-to-end and GUI tests (ctest; the GUI
# ones under xvfb-run), then the torch-free layers again under AddressSanitizer +
# UndefinedBehaviorSanitizer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
quantlens_build "$QUANTLENS_BUILD" -DQUANTLENS_GUI=ON

ctest --test-dir "$QUANTLENS_BUILD" --output-on-failure -j"$(nproc)"

sanitize_build="$QUANTLENS_ROOT/build-sanitize"
quantlens_build "$sanitize_build" -DQUANTLENS_WITH_TORCH=OFF -DQUANTLENS_SANITIZE=ON
ctest --test-dir "$sanitize_build" --output-on-failure -j"$(nproc)"
