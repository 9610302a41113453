#!/usr/bin/env bash
# The figure of bench/baselines_table.sh's results: OUT_DIR/comparison/compare.json holds the WikiText-2 rows as a
# comparison, drawn by bench/compare_figure (the code `quantlens compare` draws with) as compare.svg and compare.md,
# and as compare.png where rsvg-convert is installed.
#   METHOD_NAMES="rtn_bits_2 ..." bench/baselines_figure.sh BUILD_DIR OUT_DIR MODEL_DIR CALIB EVAL_SEQLEN
# METHOD_NAMES: the result names in OUT_DIR (NAME.summary.json, NAME.wikitext2.json), in table order; default: every
# NAME.summary.json there, sorted.
set -euo pipefail
build="$1"; out="$2"; model="$3"; calib="$4"; eval_seqlen="$5"
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${QUANTLENS_DATA:-$root/../shared/data}"
names=(${METHOD_NAMES:-$(cd "$out" && ls *.summary.json | sed 's/\.summary\.json$//')})
python3 - "$out" "$model" "$eval_seqlen" "$data/wikitext2/wiki.test.joined.txt" "$calib" "${names[@]}" <<'PY'
import json, os, sys
out, model, eval_seqlen, wiki, calib, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
def load(n, what): return json.load(open(f"{out}/{n}.{what}.json"))
fp = load("fp", "wikitext2")
rows = []
for n in names:
    s, w = load(n, "summary"), load(n, "wikitext2")
    rows.append({"method": s["method"], "spelling": s["settings"]["spelling"], "parameters": s["settings"]["parameters"],
                 "settings": s["settings"],
                 "bits": {"paper": s["bits"]["paper_bits_per_weight"], "stored": s["bits"]["bits_per_weight"],
                          "from_bytes": None},
                 "ppl": w["ppl"], "seconds": s["seconds"], "notices": s.get("notices", [])})
setup = {"calib": calib, "text": wiki, "eval_seqlen": eval_seqlen, "max_windows": fp["windows"]}
os.makedirs(f"{out}/comparison", exist_ok=True)
json.dump({"model": model, "setup": setup, "ppl_windows": fp["windows"], "ppl_seqlen": fp["seqlen"],
           "fp": {"ppl": fp["ppl"]}, "rows": rows, "cancelled": False}, open(f"{out}/comparison/compare.json", "w"),
          indent=2)
PY
"$build/bench/compare_figure" "$out/comparison"
if command -v rsvg-convert >/dev/null; then
  rsvg-convert -z 2 "$out/comparison/compare.svg" -o "$out/comparison/compare.png"
fi
