#!/usr/bin/env bash
# The main job on the embedded default model (stories260K): set up, build, then open QuantLens
# Studio on it, calibrated on a story text shipped with QuantLens. Extra arguments go to the
# studio (e.g. --view slider --screenshot slider.png). Without a display the studio says so in
# one line and names the ways on: this command under xvfb-run, or the `quantlens` CLI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
quantlens_build "$QUANTLENS_BUILD" --target quantlens -DQUANTLENS_GUI=ON
quantlens_build "$QUANTLENS_BUILD" --target quantlens-studio -DQUANTLENS_GUI=ON

model="$QUANTLENS_ROOT/resources/models/stories260K/stories260K.bin"
text="$QUANTLENS_ROOT/resources/text/little-stories.txt"

export QUANTLENS_STUDIO_COMMAND="${QUANTLENS_STUDIO_COMMAND:-./scripts/run.sh}"
export QUANTLENS_CLI="$QUANTLENS_BUILD/app/cli/quantlens"
exec "$QUANTLENS_BUILD/app/studio/quantlens-studio" "$model" --calib "$text" "$@"
