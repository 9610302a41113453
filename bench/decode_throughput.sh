#!/usr/bin/env bash
# Decode tokens/s of a packed PTQ1.61 model computed from its packed bits (--kernels packed)
# against its dense fp32 and bf16 forms (the same checkpoint, dequantised), all in one run:
#   bench/decode_throughput.sh BUILD_DIR [house-llama|1b|both] [TOKENS] [REPEATS]
# "1b" is a LLaMA-1B-shaped model with random weights (write_random_llama; TinyLlama's shapes,
# house-llama's tokenizer and 8192-token vocabulary), quantised analytically (--no-learn), which
# is enough for timing. Work files go to $QUANTLENS_BENCH_DIR (default build-bench/, git-ignored).
set -euo pipefail
build="$(cd "$1" && pwd)"; which="${2:-both}"; tokens="${3:-64}"; repeats="${4:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
work="${QUANTLENS_BENCH_DIR:-$root/build-bench}"
ql="$build/app/cli/quantlens"
calib="$data/house-corpus/valid.txt"
mkdir -p "$work"

quantize_packed() {  # MODEL OUT
  [[ -f "$2/config.json" ]] && return
  "$ql" quantize "$1" --calib "$calib" --nsamples 4 --seqlen 64 --no-learn --format packed --out "$2" -q >/dev/null
}

median_tokens_per_second() {  # MODEL ARGS... -> median tokens/s over the repeats
  local runs=()
  for ((r = 0; r < repeats; ++r)); do
    runs+=("$("$ql" generate "$1" --prompt "Once upon a time" --max-tokens "$tokens" --ignore-eos --json -q "${@:2}" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_second"])')")
  done
  printf '%s\n' "${runs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

measure() {  # NAME PACKED_DIR
  local packed dense bf16
  packed=$(median_tokens_per_second "$2" --kernels packed)
  dense=$(median_tokens_per_second "$2" --kernels dense)
  bf16=$(median_tokens_per_second "$2" --kernels dense --dtype bf16)
  python3 - "$1" "$packed" "$dense" "$bf16" "$tokens" "$repeats" <<'EOF'
import sys
name, p, d, b = sys.argv[1], *map(float, sys.argv[2:5])
print(f"| {name} | {sys.argv[5]} tokens, median of {sys.argv[6]} | {p:.2f} | {d:.2f} | {b:.2f} | {p/d:.2f}x | {p/b:.2f}x |")
EOF
}

echo "| model | decode | packed tok/s | dense fp32 tok/s | dense bf16 tok/s | packed/fp32 | packed/bf16 |"
echo "|---|---|---|---|---|---|---|"
if [[ "$which" == house-llama || "$which" == both ]]; then
  quantize_packed "$data/house-llama" "$work/house-llama-packed"
  measure house-llama "$work/house-llama-packed"
fi
if [[ "$which" == 1b || "$which" == both ]]; then
  if [[ ! -f "$work/llama-1b-random/model.safetensors" ]]; then
    "$build/bench/write_random_llama" --out "$work/llama-1b-random" --tokenizer-from "$data/house-llama" >/dev/null
  fi
  quantize_packed "$work/llama-1b-random" "$work/llama-1b-packed"
  measure "LLaMA-1B-shaped (random)" "$work/llama-1b-packed"
fi
