#pragma once
// W(1+1)A(1×4)'s "error-based scaling smoothing" of activations (baselines-spec §1.1; the rule is
// [inferred], §1.3): SmoothQuant's per-channel migration s_j = max|X_j|^α / max|W_:j|^(1−α),
// normalised to geometric mean 1 (per-token quantisation does not see a common factor) and
// clamped to [1e-3, 1e3], with α chosen — among no smoothing and α = 0, 0.1, …, 1 — as the one
// whose fake-quantised linear has the smallest output error ‖XWᵀ − Q(X)W'ᵀ‖ on calibration
// inputs X. W' binarises W·diag(s) with the Hessian diagonal of the smoothed input, h_j / s_j².
// Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <vector>

#include "quantcore/methods/w1a1x4/w1a1x4.h"

namespace quantcore::methods::w1a1x4 {

// The chosen form has activation_bits and smoothing set, smoothing_alpha the chosen α (−1: no
// smoothing, all factors 1) and output_error ‖XWᵀ − Q(X)W'ᵀ‖ / ‖XWᵀ‖.
// `weight` [n, m] and `inputs` [tokens, m] float32 on one device, `hessian_diagonal` h_j [m].
// options.activation_bits must be 2..8; options.smooth_alpha −1 searches, else fixes α.
W1a1x4Linear fit_smoothed(const at::Tensor& weight, const std::vector<float>& hessian_diagonal, const at::Tensor& inputs,
                         const W1a1x4Options& options);

}  // namespace quantcore::methods::w1a1x4
