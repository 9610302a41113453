#!/usr/bin/python3
"""PTQ1.61 on house-llama block 0, transcribed from ../shared/docs/ptq161-spec.md in plain PyTorch
(fp32, CPU), written as the golden file that tests/unit/test_ptq161_golden.cpp checks the C++
engine against.

Spec sections transcribed: §1.2 (block 0: T1 = FP block on the embeddings, T2 = T1 because the
quantised chain equals the FP chain before any block is quantised), §2.1/§2.2 (max|x| statistic,
fp16 cast, clamp >= 1e-5, threshold at floor(ratio*m), ties included), §3 (4-bit row quantiser),
§4.1/§4.2 (mu, alpha init; W'), §5.1 (loss), §5.2 (AdamW, two parameter groups, batch 1, sample
order), §5.4 (LLaMA block: RMSNorm, GQA, RoPE rotate-half, causal softmax attention, SiLU MLP).

Regenerate (Debian's python3 has torch; the token ids come from our tokenizer via the CLI, so
python needs no SentencePiece):
  /usr/bin/python3 tests/golden/ptq161_reference.py --quantlens build/app/cli/quantlens

Output (safetensors, all F32 unless noted; <lin> = short linear name, e.g. self_attn.q_proj):
  windows I32 [N, L]          calibration token ids (inputs of both sides)
  t1 [N, L, H]                FP block-0 output (= T1 = T2)
  stats.<lin> [m]             max |x| per input channel over all windows
  mask.<lin> I32 [k]          indices of the salient input channels, ascending
  salient.scale.<lin>, salient.zero.<lin> [n]; salient.code_sum.<lin> I32 [n]
                              §3 quantiser: per row scale, zero, sum of codes over the salient columns
  init.mean.<lin>, init.alpha.<lin> [n]
  final.alpha.<lin>, final.r1.<lin> [n], final.r2.<lin> [m]   after all steps
  loss [steps, 5]             mse_fp, mse_q, nlc_fp, nlc_q, total of each step, before its update
Metadata: model, calib text, windows, seqlen, epochs, steps, salient_ratio, bits, lrs.
"""
import argparse
import json
import math
import os
import struct
import subprocess

import numpy as np
import torch
import torch.nn.functional as F

LINEARS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]

NUMPY_OF = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64}


# ---- safetensors, a few lines of numpy ------------------------------------------------------
def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        if e["dtype"] == "BF16":
            u16 = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        else:
            arr = np.frombuffer(data[begin:end], dtype=np.dtype(NUMPY_OF[e["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.astype(np.float32 if e["dtype"] in ("F16", "BF16") else arr.dtype)
                                     .reshape(e["shape"]).copy())
    return out


def write_safetensors(path, tensors, metadata):
    dtype_name = {torch.float32: "F32", torch.int32: "I32"}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype_name[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(tmp, path)


# ---- §5.4 the LLaMA block ---------------------------------------------------------------------
class Llama:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        self.hidden = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim", self.hidden // self.heads)
        self.eps = c["rms_norm_eps"]
        rope = c.get("rope_parameters") or {}
        self.theta = rope.get("rope_theta", c.get("rope_theta", 10000.0))
        self.w = {k: v.to(torch.get_default_dtype()) if v.is_floating_point() else v
                  for k, v in read_safetensors(os.path.join(model_dir, "model.safetensors")).items()}

    def block_weight(self, b, name):
        return self.w[f"model.layers.{b}.{name}"]

    def embed(self, ids):
        return self.w["model.embed_tokens.weight"][ids]

    def rms_norm(self, x, weight):
        var = x.pow(2).mean(-1, keepdim=True)
        return x * torch.rsqrt(var + self.eps) * weight

    def rope(self, x):  # x [B, heads, L, d], positions 0..L-1, rotate-half layout
        d, L = x.shape[-1], x.shape[-2]
        inv_freq = 1.0 / (self.theta ** (torch.arange(0, d, 2).to(x.dtype) / d))
        freqs = torch.outer(torch.arange(L).to(x.dtype), inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        half = d // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * emb.cos() + rotated * emb.sin()

    def block(self, b, x, weights, observe=None):
        """x [B, L, H]; weights: short linear name -> W [out, in]; observe(name, input)."""
        def linear(name, inp):
            if observe:
                observe(name, inp)
            return inp @ weights[name].t()

        B, L, _ = x.shape
        h = self.rms_norm(x, self.block_weight(b, "input_layernorm.weight"))
        q = linear("self_attn.q_proj", h).view(B, L, self.heads, self.head_dim).transpose(1, 2)
        k = linear("self_attn.k_proj", h).view(B, L, self.kv_heads, self.head_dim).transpose(1, 2)
        v = linear("self_attn.v_proj", h).view(B, L, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = self.rope(q), self.rope(k)
        group = self.heads // self.kv_heads  # GQA: query head i reads kv head i // group
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        causal = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(causal, torch.finfo(scores.dtype).min)
        attn = torch.softmax(scores, dim=-1) @ v
        attn = attn.transpose(1, 2).reshape(B, L, self.heads * self.head_dim)
        x = x + linear("self_attn.o_proj", attn)
        h = self.rms_norm(x, self.block_weight(b, "post_attention_layernorm.weight"))
        mlp = F.silu(linear("mlp.gate_proj", h)) * linear("mlp.up_proj", h)
        return x + linear("mlp.down_proj", mlp)


# ---- §2 mask, §3 salient quantiser, §4 binarisation -------------------------------------------
def salient_mask(stat, ratio):
    # §2.2: fp16 (round to nearest even), then clamp at fp16(1e-5); compared as exact fp32 copies
    # of the fp16 values (CPU torch has no fp16 clamp).
    a = torch.clamp(stat.half().to(stat.dtype), min=float(torch.tensor(1e-5).half()))
    m = a.numel()
    thr = torch.sort(a, descending=True).values[int(math.floor(ratio * m))]
    return a >= thr


def quantize_rows(w, bits):
    qmax = 2 ** bits - 1
    lo = torch.clamp(w.min(dim=1, keepdim=True).values, max=0.0)
    hi = torch.clamp(w.max(dim=1, keepdim=True).values, min=0.0)
    both_zero = (lo == 0) & (hi == 0)
    lo = torch.where(both_zero, torch.full_like(lo, -1.0), lo)
    hi = torch.where(both_zero, torch.full_like(hi, 1.0), hi)
    s = (hi - lo) / qmax
    z = torch.round(-lo / s)  # torch.round: half to even
    q = torch.clamp(torch.round(w / s) + z, 0, qmax)
    return s * (q - z), s, z, q


def init_binarization(w, mask):
    sel = (~mask)[None, :] & (w != 0)
    count = sel.sum(dim=1, keepdim=True).to(w.dtype)
    mu = (w * sel).sum(dim=1, keepdim=True) / count
    alpha = (w.abs() * sel).sum(dim=1, keepdim=True) / count
    return torch.nan_to_num(mu, nan=0.0), torch.nan_to_num(alpha, nan=0.0)


def dequantized(w, mask, w_hat, mu, alpha, r1, r2):
    keep_lo = (~mask).to(w.dtype)[None, :]
    b = alpha * torch.sign(w - mu) + mu
    return (r1 @ r2) * b * keep_lo + w_hat * mask.to(w.dtype)[None, :]


# ---- §5.1 loss --------------------------------------------------------------------------------
def block_loss(yq, t1, t2):
    mse_fp = F.mse_loss(yq, t1)
    mse_q = F.mse_loss(yq, t2)
    nlc_fp = -torch.log(torch.abs(F.cosine_similarity(yq, t1, dim=-1, eps=1e-8).mean()))
    nlc_q = -torch.log(torch.abs(F.cosine_similarity(t2, yq, dim=-1, eps=1e-8).mean()))
    total = mse_fp + mse_q + nlc_fp + nlc_q
    return total, [mse_fp.item(), mse_q.item(), nlc_fp.item(), nlc_q.item(), total.item()]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "data"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quantlens", required=True, help="the quantlens binary (tokenizes the text)")
    ap.add_argument("--model", default=os.path.join(shared, "house-llama"))
    ap.add_argument("--text", default=os.path.join(shared, "house-corpus", "calib.txt"))
    ap.add_argument("--windows", type=int, default=4)
    ap.add_argument("--seqlen", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(here, "ptq161_house_llama_block0.safetensors"))
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="float64 only to measure how far fp32 rounding moves the results (not a golden file)")
    args = ap.parse_args()
    torch.set_default_dtype(getattr(torch, args.dtype))
    ratio, bits, lr_alpha, lr_r = 0.2, 4, 5e-4, 1e-3
    torch.set_grad_enabled(False)

    ids = json.loads(subprocess.run([args.quantlens, "tokenize", args.model, "--file", args.text, "--json", "-q"],
                                    check=True, capture_output=True, text=True).stdout)["ids"]
    # Evenly spaced windows: any fixed choice will do, both sides read them from the golden file.
    N, L = args.windows, args.seqlen
    stride = (len(ids) - L) // N
    windows = torch.tensor([ids[i * stride:i * stride + L] for i in range(N)], dtype=torch.long)

    model = Llama(args.model)
    W = {name: model.block_weight(0, name + ".weight") for name in LINEARS}

    # §2.1 statistics and §1.2 targets, one window at a time (batch 1)
    stats = {}

    def observe(name, inp):
        m = inp.abs().reshape(-1, inp.shape[-1]).max(dim=0).values
        stats[name] = m if name not in stats else torch.maximum(stats[name], m)

    x = torch.cat([model.embed(windows[n:n + 1]) for n in range(N)])
    t1 = torch.cat([model.block(0, x[n:n + 1], W, observe) for n in range(N)])
    t2 = t1  # block 0: the quantised chain's input is the FP chain's input

    # §2.2, §3, §4.1
    masks, w_hat, scale, zero, codes, mu, alpha0, params = {}, {}, {}, {}, {}, {}, {}, {}
    for name in LINEARS:
        masks[name] = salient_mask(stats[name], ratio)
        w_hat[name], scale[name], zero[name], codes[name] = quantize_rows(W[name], bits)
        mu[name], alpha0[name] = init_binarization(W[name], masks[name])
        n, m = W[name].shape
        params[name] = {"alpha": alpha0[name].clone().requires_grad_(True),
                        "r1": torch.ones(n, 1, requires_grad=True),
                        "r2": torch.ones(1, m, requires_grad=True)}

    # §5.2
    opt = torch.optim.AdamW([
        {"params": [params[nm]["alpha"] for nm in LINEARS], "lr": lr_alpha},
        {"params": [p for nm in LINEARS for p in (params[nm]["r1"], params[nm]["r2"])], "lr": lr_r},
    ], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    losses = []
    torch.set_grad_enabled(True)
    for epoch in range(args.epochs):
        for n in range(N):
            wq = {nm: dequantized(W[nm], masks[nm], w_hat[nm], mu[nm], params[nm]["alpha"],
                                  params[nm]["r1"], params[nm]["r2"]) for nm in LINEARS}
            yq = model.block(0, x[n:n + 1], wq)
            total, terms = block_loss(yq, t1[n:n + 1], t2[n:n + 1])
            losses.append(terms)
            opt.zero_grad()
            total.backward()
            opt.step()
            print(f"epoch {epoch} step {n}: " + " ".join(f"{v:.6f}" for v in terms))
    torch.set_grad_enabled(False)

    out = {"windows": windows.to(torch.int32), "t1": t1.float().contiguous()}
    for name in LINEARS:
        out[f"stats.{name}"] = stats[name].float()
        out[f"mask.{name}"] = torch.nonzero(masks[name]).flatten().to(torch.int32)
        out[f"salient.scale.{name}"] = scale[name].flatten().float()
        out[f"salient.zero.{name}"] = zero[name].flatten().float()
        out[f"salient.code_sum.{name}"] = codes[name][:, masks[name]].sum(dim=1).to(torch.int32)
        out[f"init.mean.{name}"] = mu[name].flatten().float()
        out[f"init.alpha.{name}"] = alpha0[name].flatten().float()
        out[f"final.alpha.{name}"] = params[name]["alpha"].detach().flatten().float()
        out[f"final.r1.{name}"] = params[name]["r1"].detach().flatten().float()
        out[f"final.r2.{name}"] = params[name]["r2"].detach().flatten().float()
        print(f"{name}: {int(masks[name].sum())} salient of {masks[name].numel()}")
    out["loss"] = torch.tensor(losses, dtype=torch.float32)
    meta = {"model": os.path.basename(os.path.normpath(args.model)), "text": os.path.basename(args.text),
            "windows": str(N), "seqlen": str(L), "epochs": str(args.epochs), "steps": str(len(losses)),
            "salient_ratio": str(ratio), "salient_bits": str(bits), "lr_alpha": str(lr_alpha), "lr_r": str(lr_r),
            "dtype": args.dtype, "torch": torch.__version__}
    write_safetensors(args.out, out, meta)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
