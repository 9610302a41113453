#!/usr/bin/env bash
# Perplexity-evaluation throughput of house-llama on WikiText-2 (seqlen 512).
#   bench/eval_throughput.sh BUILD_DIR cpu      -> our tokens/s on the CPU
#   bench/eval_throughput.sh BUILD_DIR cuda     -> ours and HF transformers' on the GPU, and the ratio
set -euo pipefail
build="$1"; device="${2:-cpu}"; dtype="${3:-fp32}"
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
model="$data/house-llama"; text="$data/wikitext2/wiki.test.joined.txt"
ql="$build/app/cli/quantlens"
ours=$("$ql" eval "$model" --text "$text" --seqlen 512 --device "$device" --dtype "$dtype" --json -q)
echo "quantlens: $ours"
if [[ "$device" == cuda ]]; then
  ref=$(python3 "$root/bench/hf_eval_reference.py" "$model" "$text" --ids-from "$ql" --seqlen 512 --dtype "$dtype")
  echo "hf-transformers: $ref"
  python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(f'speed ratio quantlens/hf = {a[\"tokens_per_second\"]/b[\"tokens_per_second\"]:.2f}x  (ppl {a[\"ppl\"]:.4f} vs {b[\"ppl\"]:.4f})')" "$ours" "$ref"
fi
