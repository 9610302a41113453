#!/usr/bin/env python3
"""Runs `quantlens eval` for every (model, text, seqlen) of the shared REFERENCE.json files and
prints each perplexity beside the HF transformers reference with the relative deviation.

usage: bench/reference_check.py QUANTLENS_BINARY [--device cpu|cuda] [--dtype fp32|bf16|fp16]
       [--data ../shared/data] [--models house-llama,house-opt]
Exit status 1 when a deviation exceeds the tolerance (0.05 % fp32 CPU, 0.2 % fp32 CUDA, 1 % fp16/bf16).
"""
import argparse
import json
import os
import subprocess
import sys

TEXTS = {"wikitext2_test": "wikitext2/wiki.test.joined.txt", "house_valid": "house-corpus/valid.txt"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("quantlens")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="fp32")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    ap.add_argument("--models", default="house-llama,house-opt")
    args = ap.parse_args()
    if args.dtype != "fp32":
        tolerance = 0.01
    else:
        tolerance = 0.0005 if args.device == "cpu" else 0.002

    worst = 0.0
    print(f"device={args.device} dtype={args.dtype} tolerance={tolerance:.2%}")
    print(f"{'model':12} {'text':15} {'seqlen':>6} {'windows':>7} {'ours':>12} {'reference':>12} {'rel.dev':>9} {'tok/s':>9}")
    for model in args.models.split(","):
        ref = json.load(open(os.path.join(args.data, model, "REFERENCE.json")))
        for key, rel in TEXTS.items():
            for seqlen, r in ref["eval"][key]["ppl"].items():
                out = subprocess.run(
                    [args.quantlens, "eval", os.path.join(args.data, model), "--text", os.path.join(args.data, rel),
                     "--seqlen", seqlen, "--device", args.device, "--dtype", args.dtype, "--json", "-q"],
                    check=True, capture_output=True, text=True).stdout
                got = json.loads(out)
                dev = abs(got["ppl"] - r["ppl"]) / r["ppl"]
                worst = max(worst, dev)
                if got["windows"] != r["n_windows"] or got["tokens_scored"] != r["n_predicted"]:
                    worst = float("inf")
                print(f"{model:12} {key:15} {seqlen:>6} {got['windows']:>7} {got['ppl']:12.4f} {r['ppl']:12.4f} "
                      f"{dev:9.5%} {got['tokens_per_second']:9.0f}", flush=True)
    print(f"worst relative deviation {worst:.5%} (tolerance {tolerance:.2%})")
    return 0 if worst <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
