#pragma once
// PTQ1.61 building blocks on tensors (docs: ../shared/docs/ptq161-spec.md). Weights are
// [out = n, in = m]; "row i" is an output row, "column j" an input channel. The block-wise
// optimisation of alpha, r1, r2 (spec §5) builds on these.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "quantcore/methods/ptq161/options.h"

namespace quantcore::methods::ptq161 {

// §2.2: the salient input channels of one linear from its statistic s [m] (max |x| per channel):
// s is rounded to fp16 (round-to-nearest-even) and clamped to >= 1e-5 as the reference does,
// thr = (s sorted descending)[floor(ratio * m)], mask_j = s_j >= thr (ties at thr included).
// Returns a bool tensor [m] on the statistic's device. ratio must lie in [0, 1].
at::Tensor salient_channel_mask(const at::Tensor& statistic, double ratio = kDefaultSalientRatio);

// §3: asymmetric min/max quantiser, one (scale, zero) per output row over the whole row.
struct SalientQuantization {
  at::Tensor codes;        // uint8 [n, m], Q in [0, 2^bits - 1]
  at::Tensor scale;        // [n, 1], weight dtype
  at::Tensor zero;         // [n, 1], weight dtype (integral values)
  at::Tensor dequantized;  // [n, m] = scale * (codes - zero), weight dtype
};
SalientQuantization quantize_salient(const at::Tensor& weight, int bits = kDefaultSalientBits);

// §4.1: mean-centred binarisation parameters of the non-salient columns.
struct BinarizationParams {
  at::Tensor mean;   // mu [n, 1]: mean of W_ij over non-salient j with W_ij != 0 (0 if none)
  at::Tensor alpha;  // [n, 1]: mean |W_ij| over the same entries (0 if none)
  at::Tensor r1;     // [n, 1] ones
  at::Tensor r2;     // [1, m] ones
};
// The paper's readings of §4.1 where it differs from the code (spec §11 D2, D6).
struct BinarizationVariant {
  bool subtract_mean = true;       // false (D2): mu = 0, S = sgn(W)
  bool alpha_over_nonzero = true;  // false (D6): alpha = mean |W_ij| over every non-salient j
};
BinarizationParams init_binarization(const at::Tensor& weight, const at::Tensor& mask,
                                     const BinarizationVariant& variant = {});

// §4.2: W' = (r1 r2^T) . (alpha sgn(W - mu) + mu) . (1 - mask) + W_hat . mask, built from
// differentiable ops so autograd yields exact gradients for alpha, r1 and r2 (no STE; sgn is
// of frozen tensors). `salient_dequantized` is quantize_salient(weight).dequantized.
at::Tensor dequantized_weight(const at::Tensor& weight, const at::Tensor& mask, const at::Tensor& salient_dequantized,
                              const at::Tensor& mean, const at::Tensor& alpha, const at::Tensor& r1,
                              const at::Tensor& r2);

// The frozen parts of §4.2 computed once per linear, so that rebuilding W' in every training
// step costs three passes over [n, m] instead of nine:
//   W' = high + (r1 . (alpha . signs + mu)) . (r2 . low_columns)
// which equals the formula above (the salient columns' low part vanishes through r2 . (1 - mask)).
struct FrozenBinarization {
  at::Tensor signs;        // sgn(W - mu) [n, m], zero on the salient columns
  at::Tensor mean;         // mu [n, 1]
  at::Tensor high;         // W_hat . mask [n, m]
  at::Tensor low_columns;  // 1 - mask [1, m]
};
FrozenBinarization freeze_binarization(const at::Tensor& weight, const at::Tensor& mask,
                                       const at::Tensor& salient_dequantized, const at::Tensor& mean);
at::Tensor dequantized_weight(const FrozenBinarization& frozen, const at::Tensor& alpha, const at::Tensor& r1,
                              const at::Tensor& r2);

// Paper eq. (4): E = sum_j s_j sum_i |W'_ij - W_ij| with W' from the analytic initialisation
// (r1 = r2 = 1, alpha and mu as initialised) and the mask chosen from s at `ratio`.
// Accumulated in float64.
double analytic_error_bound(const at::Tensor& weight, const at::Tensor& statistic, double ratio = kDefaultSalientRatio,
                            int bits = kDefaultSalientBits);

}  // namespace quantcore::methods::ptq161
