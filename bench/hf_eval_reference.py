#!/usr/bin/env python3
"""HF transformers perplexity on the same model, text and convention as `quantlens eval`, timed the
same way (model forward over the windows only, after one warm-up window), for a side-by-side ratio.
Runs on the GPU machine's python3 (torch + transformers).

usage: bench/hf_eval_reference.py MODEL_DIR TEXT_FILE --ids-from QUANTLENS_BINARY [--seqlen 512]
       [--dtype fp32|bf16|fp16]
The token ids come from `quantlens tokenize --file` so both sides score identical windows.
"""
import argparse
import json
import math
import subprocess
import time

import torch
from transformers import AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("text")
    ap.add_argument("--ids-from", required=True)
    ap.add_argument("--seqlen", type=int, default=512)
    ap.add_argument("--dtype", default="fp32")
    args = ap.parse_args()
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[args.dtype]
    ids = json.loads(subprocess.run([args.ids_from, "tokenize", args.model, "--file", args.text, "--json", "-q"],
                                    check=True, capture_output=True, text=True).stdout)["ids"]
    torch.backends.cuda.matmul.allow_tf32 = False
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype, attn_implementation="eager").cuda().eval()
    tokens = torch.tensor(ids, dtype=torch.long, device="cuda")
    n = tokens.numel() // args.seqlen
    windows = tokens[: n * args.seqlen].view(n, args.seqlen)
    with torch.no_grad():
        model(windows[:1])
        torch.cuda.synchronize()
        start = time.perf_counter()
        total = 0.0
        for w in windows:
            logits = model(w.unsqueeze(0)).logits.float()
            total += torch.nn.functional.cross_entropy(logits[0, :-1], w[1:], reduction="sum").item()
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    nll = total / (n * (args.seqlen - 1))
    print(json.dumps({"ppl": math.exp(nll), "nll": nll, "windows": n, "seconds": seconds,
                      "tokens_per_second": n * args.seqlen / seconds}))


if __name__ == "__main__":
    main()
