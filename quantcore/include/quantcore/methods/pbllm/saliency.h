#pragma once
// PB-LLM's element-wise salient-weight selection (baselines-spec §3.2, g = n_in: one group is
// the whole matrix). Weights are [out = n, in = m].
#include <ATen/core/Tensor.h>

namespace quantcore::methods::pbllm {

// The "hessian" saliency v_ij = W_ij² / U_jj², W with its dead columns (§0.4) set to 0, from
// diag(U) [m] and the dead flags [m] of prepare_inverse_hessian. float32 [n, m] on the weight's
// device.
at::Tensor hessian_saliency(const at::Tensor& weight, const at::Tensor& upper_diagonal, const at::Tensor& dead);

// θ = the element at index floor(numel · low_frac) of the ascending-sorted saliencies; the
// binarised entries are v <= θ (ties included), the salient ones v > θ. +inf (nothing salient)
// when that index is numel or beyond. low_frac must lie in [0, 1].
double binarize_threshold(const at::Tensor& saliency, double low_frac);

}  // namespace quantcore::methods::pbllm
