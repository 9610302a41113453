#!/usr/bin/env bash
# Paper-Table-3-style ablation of PTQ1.61 without preprocessing (docs/results.md):
#   FP | plain binarisation (no salient channels, analytic scales) | + structured mask (analytic)
#   | + learnable scales (PTQ1.61)
# perplexity at seqlen 512 on house-corpus/valid.txt and WikiText-2 test.
#   bench/ptq161_ablation.sh BUILD_DIR MODEL_DIR OUT_DIR [quantize options...]
# e.g. bench/ptq161_ablation.sh build ../shared/data/house-llama /tmp/abl --nsamples 128 --seqlen 512
# Each configuration's quantize summary and eval result is kept as JSON in OUT_DIR; the last line
# printed is a markdown table row per configuration. CALIB, EVAL_SEQLEN, EVAL_MAX_WINDOWS and
# QUANTLENS_DATA override the defaults.
set -euo pipefail
build="$1"; model="$2"; out="$3"; shift 3
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
ql="$build/app/cli/quantlens"
calib="${CALIB:-$data/house-corpus/calib.txt}"
texts=("$data/house-corpus/valid.txt" "$data/wikitext2/wiki.test.joined.txt")
eval_seqlen="${EVAL_SEQLEN:-512}"
max_windows=()  # EVAL_MAX_WINDOWS=K: the first K windows of each text only (same for every row)
[[ -n "${EVAL_MAX_WINDOWS:-}" ]] && max_windows=(--max-windows "$EVAL_MAX_WINDOWS")
mkdir -p "$out"

declare -A config=(
  [plain]="--no-learn --mask-stat none"
  [mask]="--no-learn"
  [ptq161]=""
)
evaluate() {  # evaluate NAME DIR
  local i=0
  for t in "${texts[@]}"; do
    "$ql" eval "$2" --text "$t" --seqlen "$eval_seqlen" "${max_windows[@]}" --json -q >"$out/$1.eval$i.json"
    i=$((i + 1))
  done
}
evaluate fp "$model"
for name in plain mask ptq161; do
  # shellcheck disable=SC2086
  "$ql" quantize "$model" --calib "$calib" ${config[$name]} "$@" --out "$out/$name" --force --json -q \
    >"$out/$name.summary.json"
  evaluate "$name" "$out/$name"
done
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
print("| configuration | bits/weight (honest / paper) | PPL valid | PPL WikiText-2 |")
print("|---|---|---|---|")
for name, label in [("fp", "FP"), ("plain", "plain binarisation"), ("mask", "+ structured mask"),
                    ("ptq161", "+ learnable scales (PTQ1.61)")]:
    ppl = [json.load(open(f"{out}/{name}.eval{i}.json"))["ppl"] for i in (0, 1)]
    bits = "16"
    if name != "fp":
        b = json.load(open(f"{out}/{name}.summary.json"))["bits"]
        bits = f"{b['bits_per_weight']:.3f} / {b['paper_bits_per_weight']:.3f}"
    print(f"| {label} | {bits} | {ppl[0]:.2f} | {ppl[1]:.2f} |")
PY
