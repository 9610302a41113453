#pragma once
// ARB-LLM's alternating refined binarisation of one zone of a block (baselines-spec §7.2,
// binary_arb.py), every fit starting from BiLLM's BIN_k and refined `iterations` times; b = 0
// outside the zone, sign(0) = 0, ε = 1e-8. Torch-free.
#include "quantcore/methods/billm/zone_fit.h"

namespace quantcore::methods::arbllm {

using billm::Mask;
using billm::Matrix;
using billm::ZoneFit;

// (a) order 1 (sparse and concentrated zones): μ ← mean(w - α b), α ← Σ b(w - μ)/(Σ b² + ε) with
// the previous b, b ← sign(w - μ). One mean, one scale per row.
ZoneFit arb_order1(const Matrix& w, const Mask& zone, int iterations);
// (b) order 2 (salient zones): one mean μ = μ1 + μ2; μ, then α1, then α2 (with the new α1), then
// the joint signs: the first of (-α1-α2, -α1+α2, α1-α2, α1+α2) nearest to w - μ.
ZoneFit arb_order2(const Matrix& w, const Mask& zone, int iterations);
// (c) ARB-X: (a) or (b) by `order`, then `l2_iterations` on the row's e S eᵀ (e the zone's error,
// S [β, β] the block's input correlation) with b frozen: μ = mᵀS(w - Σ α b)/(mᵀSm + ε'), then each
// α_k = b_kᵀS(w - μm - Σ_{l≠k} α_l b_l)/(b_kᵀSb_k + ε'), ε' = 1e-10. Each zone is fitted alone.
ZoneFit arb_x(const Matrix& w, const Mask& zone, int order, const Matrix& s, int iterations, int l2_iterations);
// Σ over rows of e_r S e_rᵀ with e = (w - fit) on the zone, 0 elsewhere (ARB-X's objective).
double zone_quadratic_error(const ZoneFit& fit, const Matrix& w, const Mask& zone, const Matrix& s);
// (d) ARB-RC order 1, no mean: ŵ_ij = αr_i αc_j b_ij, b = sign(w) fixed; αr then αc by masked
// alternating least squares (a rank-1 fit of |W| on the zone).
ZoneFit arb_rc_order1(const Matrix& w, const Mask& zone, int iterations);
// (e) ARB-RC order 2: two planes (αr_k αc_kᵀ) ⊙ b_k; per iteration plane 1's αr, αc against w - P2,
// plane 2's against w - P1, then the joint signs against w.
ZoneFit arb_rc_order2(const Matrix& w, const Mask& zone, int iterations);

}  // namespace quantcore::methods::arbllm
