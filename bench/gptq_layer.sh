#!/usr/bin/env bash
# GPTQ's per-layer time on this machine: bench/gptq_layer_bench (ours) and bench/gptq_layer_eager.py (the same
# algorithm in PyTorch eager, Debian's python3-torch) on the same W and H, in one call; prints both JSON lines and the
# ratio. Usage: bench/gptq_layer.sh BUILD_DIR [--out-features N --in-features M --bits B --group-size G --act-order]
set -euo pipefail
build=$1; shift
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
ours=$("$build/bench/gptq_layer_bench" --dump "$dir" "$@")
peer=$(/usr/bin/python3 "$(dirname "$0")/gptq_layer_eager.py" --dir "$dir" "$@")
echo "$ours"; echo "$peer"
/usr/bin/python3 -c 'import json,sys; o=json.loads(sys.argv[1]); p=json.loads(sys.argv[2]); print(json.dumps({"ours_seconds": o["seconds"], "peer_seconds": p["seconds"], "speedup_vs_peer": p["seconds"]/o["seconds"]}))' "$ours" "$peer"
