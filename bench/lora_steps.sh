#!/usr/bin/env bash
# Restorative-LoRA optimiser steps per second, ours (bench/lora_step_bench) beside the PyTorch eager peer
# (bench/lora_step_eager.py) on the same shapes in one call, with the projection to the code's 10,000 steps.
# A random-weight LLaMA-shaped directory is written first (bench/write_random_llama, house-llama's tokenizer).
#   bench/lora_steps.sh BUILD_DIR [--hidden 4096 --intermediate 11008 --layers 32 --heads 32 --kv-heads 32]
#                       [--seqlen 2048 --steps 4 --device cpu|cuda --dtype fp32|bf16]
# The paper: 10,000 steps of LLaMA-7B at seqlen 2048 in under 1.2 h on one A100.
set -euo pipefail
build=$1; shift
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
hidden=4096 intermediate=11008 layers=32 heads=32 kv=32 seqlen=2048 steps=4 device=cpu dtype=fp32
while [ $# -gt 0 ]; do
  case "$1" in
    --hidden) hidden=$2 ;; --intermediate) intermediate=$2 ;; --layers) layers=$2 ;; --heads) heads=$2 ;;
    --kv-heads) kv=$2 ;; --seqlen) seqlen=$2 ;; --steps) steps=$2 ;; --device) device=$2 ;; --dtype) dtype=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
"$build/bench/write_random_llama" --out "$dir/model" --tokenizer-from "$data/house-llama" --hidden "$hidden" \
  --intermediate "$intermediate" --layers "$layers" --heads "$heads" --kv-heads "$kv" >/dev/null
ours=$("$build/bench/lora_step_bench" --model "$dir/model" --seqlen "$seqlen" --steps "$steps" --device "$device" \
  --dtype "$dtype")
peer=$(/usr/bin/python3 "$root/bench/lora_step_eager.py" --hidden "$hidden" --intermediate "$intermediate" \
  --layers "$layers" --heads "$heads" --kv-heads "$kv" --seqlen "$seqlen" --steps "$steps" --device "$device" \
  --dtype "$dtype")
echo "$ours"; echo "$peer"
/usr/bin/python3 -c 'import json,sys; o=json.loads(sys.argv[1]); p=json.loads(sys.argv[2]); print(json.dumps({"ours_steps_per_second": o["steps_per_second"], "peer_steps_per_second": p["steps_per_second"], "speedup_vs_peer": o["steps_per_second"]/p["steps_per_second"], "ours_hours_for_10000_steps": 10000*o["seconds_per_step"]/3600, "peer_hours_for_10000_steps": 10000*p["seconds_per_step"]/3600, "ours_peak_rss_gib": o["peak_rss_bytes"]/2**30, "peer_peak_rss_gib": p["peak_rss_bytes"]/2**30}))' "$ours" "$peer"
