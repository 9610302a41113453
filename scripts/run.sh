#!/usr/bin/env bash
# The main job on the embedded default model (stories260K): set up, build, then describe the
# model, continue a prompt and measure perplexity on a story text shipped with QuantLens.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
quantlens_build "$QUANTLENS_BUILD" --target quantlens

ql="$QUANTLENS_BUILD/app/cli/quantlens"
model="$QUANTLENS_ROOT/resources/models/stories260K/stories260K.bin"
text="$QUANTLENS_ROOT/resources/text/little-stories.txt"

echo "== quantlens info"
"$ql" info "$model"
echo "== quantlens generate"
"$ql" generate "$model" --prompt "Once upon a time" --max-tokens 64
echo "== quantlens eval (seqlen 256)"
"$ql" eval "$model" --text "$text" --seqlen 256
