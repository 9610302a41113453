#!/usr/bin/env python3
"""Peer of bench/lora_step_bench: the same restorative-LoRA step (ptq161-spec §6.2) in PyTorch eager, written out
without HF transformers or PEFT (not installed here): a LLaMA block stack (RMSNorm, rotary, grouped-query causal
attention, SiLU MLP) of random weights, LoRA (A Kaiming-uniform, B zero, dropout on the adapter input, scaling
alpha/r) on q, k, v, gate, up and down, torch.utils.checkpoint per block (what HF's gradient checkpointing does),
causal-LM cross-entropy, gradient accumulation, clip_grad_norm_ 1.0 and torch.optim.AdamW. Random token sequences;
only the timing means anything. Run with /usr/bin/python3 (Debian's python3-torch). Prints one JSON line."""
import argparse, json, math, os, resource, time, torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

ap = argparse.ArgumentParser()
ap.add_argument('--hidden', type=int, default=4096); ap.add_argument('--intermediate', type=int, default=11008)
ap.add_argument('--layers', type=int, default=32); ap.add_argument('--heads', type=int, default=32)
ap.add_argument('--kv-heads', type=int, default=32); ap.add_argument('--vocab', type=int, default=32000)
ap.add_argument('--seqlen', type=int, default=2048); ap.add_argument('--steps', type=int, default=4)
ap.add_argument('--warmup', type=int, default=1); ap.add_argument('--rank', type=int, default=64)
ap.add_argument('--accum', type=int, default=2); ap.add_argument('--device', default='cpu')
ap.add_argument('--dtype', default='fp32')
a = ap.parse_args()
torch.set_num_threads(os.cpu_count())
torch.manual_seed(0)
dev = torch.device(a.device)
dt = torch.bfloat16 if a.dtype == 'bf16' else torch.float32
hd = a.hidden // a.heads

def w(o, i): return (torch.randn(o, i) * 0.02).to(dev, dt)

class Lora(torch.nn.Module):
    def __init__(s, o, i):
        super().__init__()
        s.a = torch.nn.Parameter(torch.empty(a.rank, i, device=dev).uniform_(-1 / math.sqrt(i), 1 / math.sqrt(i)))
        s.b = torch.nn.Parameter(torch.zeros(o, a.rank, device=dev))
    def forward(s, x): return F.linear(F.linear(F.dropout(x, 0.1, True), s.a.to(x.dtype)), s.b.to(x.dtype)) * (16 / a.rank)

class Block(torch.nn.Module):
    def __init__(s):
        super().__init__()
        kv = a.kv_heads * hd
        s.W = {'q': w(a.hidden, a.hidden), 'k': w(kv, a.hidden), 'v': w(kv, a.hidden), 'o': w(a.hidden, a.hidden),
               'gate': w(a.intermediate, a.hidden), 'up': w(a.intermediate, a.hidden), 'down': w(a.hidden, a.intermediate)}
        s.lora = torch.nn.ModuleDict({n: Lora(*s.W[n].shape) for n in ('q', 'k', 'v', 'gate', 'up', 'down')})
        s.n1 = torch.ones(a.hidden, device=dev, dtype=dt); s.n2 = torch.ones(a.hidden, device=dev, dtype=dt)
    def lin(s, x, n): return F.linear(x, s.W[n]) + (s.lora[n](x) if n in s.lora else 0)
    def forward(s, x, cos, sin):
        B, T, _ = x.shape
        h = rms(x, s.n1)
        q = s.lin(h, 'q').view(B, T, a.heads, hd).transpose(1, 2)
        k = s.lin(h, 'k').view(B, T, a.kv_heads, hd).transpose(1, 2)
        v = s.lin(h, 'v').view(B, T, a.kv_heads, hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        if a.kv_heads != a.heads:
            k = k.repeat_interleave(a.heads // a.kv_heads, 1); v = v.repeat_interleave(a.heads // a.kv_heads, 1)
        att = (q @ k.transpose(2, 3)) / math.sqrt(hd)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool, device=dev), 1), float('-inf'))
        o = (torch.softmax(att.float(), -1).to(dt) @ v).transpose(1, 2).reshape(B, T, a.hidden)
        x = x + s.lin(o, 'o')
        h = rms(x, s.n2)
        return x + s.lin(F.silu(s.lin(h, 'gate')) * s.lin(h, 'up'), 'down')

def rms(x, g): xf = x.float(); return g * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5)).to(x.dtype)
def rope(x, cos, sin):
    x1, x2 = x[..., :hd // 2], x[..., hd // 2:]
    return x * cos + torch.cat((-x2, x1), -1) * sin

blocks = [Block() for _ in range(a.layers)]
embed = w(a.vocab, a.hidden); head = w(a.vocab, a.hidden); norm = torch.ones(a.hidden, device=dev, dtype=dt)
inv = 1.0 / (10000 ** (torch.arange(0, hd, 2, device=dev).float() / hd))
f = torch.outer(torch.arange(a.seqlen, device=dev).float(), inv); e = torch.cat((f, f), -1)
cos, sin = e.cos().to(dt), e.sin().to(dt)
params = [p for b in blocks for p in b.lora.parameters()]
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)

def step():
    for _ in range(a.accum):
        ids = torch.randint(0, a.vocab, (1, a.seqlen), device=dev)
        x = F.embedding(ids, embed)
        for b in blocks: x = checkpoint(b, x, cos, sin, use_reentrant=False)
        logits = F.linear(rms(x, norm), head).float()
        loss = F.cross_entropy(logits[0, :-1], ids[0, 1:]) / a.accum
        loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); opt.zero_grad()

for _ in range(a.warmup): step()
if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
t0 = time.time()
for _ in range(a.steps): step()
if dev.type == 'cuda': torch.cuda.synchronize()
sec = (time.time() - t0) / a.steps
out = {"impl": "pytorch-eager", "seconds_per_step": sec, "steps_per_second": 1 / sec,
       "tokens_per_second": a.seqlen * a.accum / sec, "seqlen": a.seqlen, "layers": a.layers, "hidden": a.hidden,
       "threads": torch.get_num_threads(), "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
if dev.type == 'cuda': out["peak_cuda_bytes"] = torch.cuda.max_memory_allocated()
print(json.dumps(out))
