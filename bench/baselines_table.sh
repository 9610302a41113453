#!/usr/bin/env bash
# The paper-Table-1/2-style baselines table of docs/results.md: every method quantised on the same calibration windows
# (`quantlens quantize`, one directory each), then evaluated the same way (`quantlens eval`): perplexity at seqlen 512
# on WikiText-2 test and house-corpus valid, PIQA and HellaSwag accuracy with standard errors, bits three ways.
#   bench/baselines_table.sh BUILD_DIR MODEL_DIR OUT_DIR [quantize options, e.g. --nsamples 64 --seqlen 512]
# METHODS (space-separated spellings), CALIB, EVAL_SEQLEN, EVAL_MAX_WINDOWS, PIQA_LIMIT, HELLASWAG_LIMIT and QUANTLENS_DATA
# override the defaults. Every result is kept as JSON in OUT_DIR; the table is printed last (and written to OUT_DIR/table.md);
# then bench/baselines_figure.sh draws the figure.
set -euo pipefail
build="$1"; model="$2"; out="$3"; shift 3
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
ql="$build/app/cli/quantlens"
calib="${CALIB:-$data/house-corpus/calib.txt}"
methods=(${METHODS:-rtn:bits=2 gptq:bits=2 gptq:bits=2:group-size=128 gptq:bits=3 pbllm billm arbllm:variant=arb-x:cgb
  arbllm:variant=arb-rc:cgb w1a1x4 ptq161:epochs=2})
eval_seqlen="${EVAL_SEQLEN:-512}"
max_windows=(--max-windows "${EVAL_MAX_WINDOWS:-128}")
hellaswag_limit=(--limit "${HELLASWAG_LIMIT:-1000}")  # the whole validation set costs ~30 min per model here
piqa_limit=()  # PIQA_LIMIT=N: the first N items only
[[ -n "${PIQA_LIMIT:-}" ]] && piqa_limit=(--limit "$PIQA_LIMIT")
mkdir -p "$out"

evaluate() {  # evaluate NAME DIR
  "$ql" eval "$2" --text "$data/wikitext2/wiki.test.joined.txt" --seqlen "$eval_seqlen" "${max_windows[@]}" --json -q \
    >"$out/$1.wikitext2.json"
  "$ql" eval "$2" --text "$data/house-corpus/valid.txt" --seqlen "$eval_seqlen" "${max_windows[@]}" --json -q \
    >"$out/$1.valid.json"
  "$ql" eval "$2" --task piqa --task-data "$data/piqa/valid.jsonl" "${piqa_limit[@]}" --json -q >"$out/$1.piqa.json"
  "$ql" eval "$2" --task hellaswag --task-data "$data/hellaswag/hellaswag_val_full.txt.bz2" "${hellaswag_limit[@]}" --json -q \
    >"$out/$1.hellaswag.json"
}
evaluate fp "$model"
names=()
for spelling in "${methods[@]}"; do
  name="${spelling//[:=,]/_}"
  names+=("$name")
  "$ql" quantize "$model" --method "$spelling" --calib "$calib" "$@" --out "$out/$name" --force --json -q \
    >"$out/$name.summary.json"
  evaluate "$name" "$out/$name"
  rm -rf "${out:?}/$name"  # the numbers are kept; the fp16 weights are not needed
done
python3 - "$out" fp "${names[@]}" <<'PY' | tee "$out/table.md"
import json, sys
out, names = sys.argv[1], sys.argv[2:]
def load(n, what): return json.load(open(f"{out}/{n}.{what}.json"))
def acc(d): return f"{100 * d['acc']:.2f} ± {100 * d['acc_stderr']:.2f}"
def acc_norm(d): return f"{100 * d['acc_norm']:.2f} ± {100 * d['acc_norm_stderr']:.2f}"
print("| method | bits (paper) | bits (stored) | PPL WikiText-2 | PPL valid | PIQA acc | PIQA acc_norm | HellaSwag acc | HellaSwag acc_norm | seconds |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in names:
    p, h = load(n, "piqa"), load(n, "hellaswag")
    if n == "fp":
        label, paper, stored, secs = "FP", "16", "16", ""
    else:
        s = load(n, "summary")
        label = s["settings"]["spelling"]
        paper, stored = f"{s['bits']['paper_bits_per_weight']:.3f}", f"{s['bits']['bits_per_weight']:.3f}"
        secs = f"{s['seconds']:.0f}"
    print(f"| {label} | {paper} | {stored} | {load(n, 'wikitext2')['ppl']:.2f} | {load(n, 'valid')['ppl']:.2f} | "
          f"{acc(p)} | {acc_norm(p)} | {acc(h)} | {acc_norm(h)} | {secs} |")
PY
METHOD_NAMES="${names[*]}" "$root/bench/baselines_figure.sh" "$build" "$out" "$model" "$calib" "$eval_seqlen"
