#!/usr/bin/env python3
"""Peer of bench/gptq_layer_bench: GPTQ on one linear (baselines-spec §0.4, §4.1, §4.2) transcribed to PyTorch eager
in fp32 on the CPU, on the W and H that the C++ bench wrote (--dump). Times it and compares its W' with ours: the share
of equal weights, the largest difference, and both relative output errors sqrt(tr(dHd^T) / tr(WHW^T)). The reference
dequantises with the fp32 scale; ours with the stored fp16 scale, so W' differ by that rounding and what it propagates.
Run with /usr/bin/python3 (Debian's python3-torch). Prints one JSON line."""
import argparse, json, math, os, time, torch
ap = argparse.ArgumentParser()
ap.add_argument('--dir', required=True); ap.add_argument('--out-features', type=int, default=4096)
ap.add_argument('--in-features', type=int, default=11008); ap.add_argument('--bits', type=int, default=2)
ap.add_argument('--group-size', type=int, default=-1); ap.add_argument('--act-order', action='store_true')
ap.add_argument('--block-size', type=int, default=128); ap.add_argument('--percdamp', type=float, default=0.01)
ap.add_argument('--tokens', type=int)  # the C++ bench's; H is read from --dir
a = ap.parse_args()
torch.set_num_threads(os.cpu_count())
n, m = a.out_features, a.in_features
def raw(name, shape): return torch.from_file(os.path.join(a.dir, name), size=shape[0] * shape[1], dtype=torch.float32).reshape(shape).clone()
W0, H0, ours = raw('W.f32', (n, m)), raw('H.f32', (m, m)), raw('Wq.f32', (n, m))
maxq = 2 ** a.bits - 1

def params(x):  # §4.1, asymmetric, per row
    lo = torch.clamp(x.min(1).values, max=0); hi = torch.clamp(x.max(1).values, min=0)
    z = (lo == 0) & (hi == 0); lo[z] = -1; hi[z] = 1
    s = (hi - lo) / maxq
    return s.unsqueeze(1), torch.round(-lo / s).unsqueeze(1)

def quant(x, s, z): return s * (torch.clamp(torch.round(x / s) + z, 0, maxq) - z)

t0 = time.time()
W, H = W0.clone(), H0.clone()
if a.group_size < 0: s, z = params(W)
dead = torch.diag(H) == 0
H[dead, dead] = 1; W[:, dead] = 0
if a.act_order:
    perm = torch.argsort(torch.diag(H), descending=True); W = W[:, perm]; H = H[perm][:, perm]
H += a.percdamp * torch.mean(torch.diag(H)) * torch.eye(m)
U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
Q = torch.zeros_like(W)
for i1 in range(0, m, a.block_size):
    i2 = min(i1 + a.block_size, m); W1 = W[:, i1:i2].clone(); E1 = torch.zeros_like(W1); U1 = U[i1:i2, i1:i2]
    for i in range(i2 - i1):
        w = W1[:, i]
        if a.group_size > 0 and (i1 + i) % a.group_size == 0: s, z = params(W[:, i1 + i:i1 + i + a.group_size])
        q = quant(w.unsqueeze(1), s, z).flatten()
        Q[:, i1 + i] = q; e = (w - q) / U1[i, i]
        W1[:, i:] -= e.unsqueeze(1).matmul(U1[i, i:].unsqueeze(0)); E1[:, i] = e
    W[:, i2:] -= E1.matmul(U[i1:i2, i2:])
if a.act_order: Q = Q[:, torch.argsort(perm)]
seconds = time.time() - t0

def rel(wq):
    d = (W0 - wq).double(); h = H0.double(); w = W0.double()
    return math.sqrt(((d @ h) * d).sum().item() / ((w @ h) * w).sum().item())
print(json.dumps({'peer': 'gptq fasterquant, PyTorch eager fp32 CPU', 'torch': torch.__version__,
                  'threads': torch.get_num_threads(), 'seconds': seconds,
                  'relative_output_error': rel(Q), 'ours_relative_output_error': rel(ours),
                  'share_equal_to_ours': (torch.isclose(Q, ours, rtol=2e-3, atol=0)).float().mean().item(),
                  'max_abs_difference': (Q - ours).abs().max().item()}))
