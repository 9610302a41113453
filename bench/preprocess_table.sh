#!/usr/bin/env bash
# The paper's Table 6 / Table 9 shape on one model: PTQ1.61 without and with restorative-LoRA
# preprocessing, and the preprocessed model's own FP perplexity. Runs `quantlens preprocess`
# (first pass, LoRA, M_P), then the final pass on M_P with masks recomputed from M_P and with the
# first pass's masks (--reuse-masks), and evaluates every model the same way (perplexity at
# seqlen 512 over the first 128 windows of WikiText-2 test and house-corpus valid).
#   bench/preprocess_table.sh BUILD_DIR MODEL_DIR OUT_DIR [preprocess options, e.g. --steps 800]
set -euo pipefail
build="$1" model="$2" out="$3"
shift 3
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
ql="$build/app/cli/quantlens"
calib="$data/house-corpus/calib.txt"
first=(--calib "$calib" --nsamples "${NSAMPLES:-32}" --seqlen 512 --epochs "${EPOCHS:-2}")
mkdir -p "$out"

start=$(date +%s)
"$ql" preprocess "$model" "${first[@]}" --train-text "$data/house-corpus/train.txt" --max-len 512 \
  --text "$data/house-corpus/valid.txt" --eval-seqlen 512 --out "$out/preprocessed" --force --json "$@" \
  >"$out/preprocess.json"
"$ql" quantize "$out/preprocessed" "${first[@]}" --out "$out/final" --force --json -q >"$out/final.json"
"$ql" quantize "$out/preprocessed" "${first[@]}" --reuse-masks "$out/preprocessed/first-pass" \
  --out "$out/final-reused-masks" --force --json -q >"$out/final-reused-masks.json"
echo "total seconds: $(($(date +%s) - start))" >"$out/seconds.txt"

evaluate() {  # evaluate NAME DIR
  "$ql" eval "$2" --text "$data/wikitext2/wiki.test.joined.txt" --seqlen 512 --max-windows 128 --json -q \
    >"$out/$1.wikitext2.json"
  "$ql" eval "$2" --text "$data/house-corpus/valid.txt" --seqlen 512 --max-windows 128 --json -q >"$out/$1.valid.json"
}
evaluate fp "$model"
evaluate first-pass "$out/preprocessed/first-pass"
evaluate preprocessed-fp "$out/preprocessed"
evaluate final "$out/final"
evaluate final-reused-masks "$out/final-reused-masks"

/usr/bin/python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
rows = [("FP16 model M", "fp"), ("PTQ1.61 (no preprocessing)", "first-pass"), ("M_P, FP (no quantisation)", "preprocessed-fp"),
        ("PTQ1.61 on M_P (masks from M_P)", "final"), ("PTQ1.61 on M_P (first pass's masks)", "final-reused-masks")]
print("| model | WikiText-2 | house valid |")
print("|---|---|---|")
for title, name in rows:
    w = json.load(open(os.path.join(out, name + ".wikitext2.json")))["ppl"]
    v = json.load(open(os.path.join(out, name + ".valid.json")))["ppl"]
    print(f"| {title} | {w:.2f} | {v:.2f} |")
p = json.load(open(os.path.join(out, "preprocess.json")))
l = p["lora"]
print(f"\nLoRA: {l['steps']} steps, {l['tokens_seen']} tokens seen ({l['sequences']} documents), loss {l['first_loss']:.4f} -> {l['final_loss']:.4f}, {l['seconds']:.0f} s, {l['tokens_per_second']:.0f} tokens/s")
c = p["concentration"]
print("\n| top-K salient weights | in mask (magnitude) | in mask (Hessian) | top-20% rows (magnitude) | top-20% rows (Hessian) | chance in mask |")
print("|---|---|---|---|---|---|")
for k in ("before", "first_pass", "after"):
    m = c[k]["mean"]
    print(f"| {k} | {m['in_mask_magnitude']:.3f} | {m['in_mask_hessian']:.3f} | {m['top_rows_magnitude']:.3f} | {m['top_rows_hessian']:.3f} | {m['chance']:.3f} |")
print("\n" + open(os.path.join(out, "seconds.txt")).read().strip())
PY
