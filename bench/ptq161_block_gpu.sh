#!/usr/bin/env bash
# On the GPU machine, in one call: our PTQ1.61 block benchmark (LLaMA-7B shape, 128 x 2048, fp32
# and bf16) and the PyTorch eager reference ../shared/bench/ptq161_step_eager.py (copied to
# carry/bench/), side by side. Needs build-gpu from scripts/gpu-check.sh's configure step.
# Device memory: peak of nvidia-smi's memory.used while each program runs.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"; cd "$root"
out="${OUT:-/tmp/out}"; mkdir -p "$out"
cmake --build build-gpu -j16 --target ptq161_block_bench >"$out/bench-build.log" 2>&1 || { tail -30 "$out/bench-build.log"; exit 1; }

peak_of() {  # peak_of LOG COMMAND...: runs COMMAND, writes its output and peak device MiB to LOG
  local log="$1"; shift
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$log.mem" &
  local smi=$!
  "$@" >"$log" 2>&1
  kill "$smi"
  echo "peak_device_mib=$(sort -n "$log.mem" | tail -1)" >>"$log"
  cat "$log"
}
peak_of "$out/reference.log" python3 carry/bench/ptq161_step_eager.py
for dt in bf16 fp32; do
  peak_of "$out/quantlens_$dt.log" build-gpu/bench/ptq161_block_bench --device cuda --dtype "$dt"
done
