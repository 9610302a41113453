#include <ATen/ATen.h>

#include <stdexcept>

#include "quantcore/methods/ptq161/quantizers.h"

namespace quantcore::methods::ptq161 {

namespace {

// mask as 0/1 in the weight's dtype, shaped [1, m].
at::Tensor column_weights(const at::Tensor& mask, const at::Tensor& weight) {
  if (mask.dim() != 1 || mask.size(0) != weight.size(1))
    throw std::invalid_argument("ptq161: mask must be [in_features]");
  return mask.to(weight.options().dtype(weight.scalar_type())).unsqueeze(0);
}

}  // namespace

// §4.1. Rows with no non-zero non-salient entry get mu = alpha = 0 (the reference's NaN -> 0).
BinarizationParams init_binarization(const at::Tensor& weight, const at::Tensor& mask,
                                     const BinarizationVariant& variant) {
  if (weight.dim() != 2) throw std::invalid_argument("init_binarization: weight must be [out, in]");
  at::Tensor w = weight.detach();
  at::Tensor non_salient = (1 - column_weights(mask, w)).expand_as(w);
  at::Tensor nonzero = non_salient * (w != 0).to(w.scalar_type());
  auto row_mean = [](const at::Tensor& values, const at::Tensor& counted) {
    return at::nan_to_num((values * counted).sum(1, true) / counted.sum(1, true), 0.0, 0.0, 0.0);
  };
  BinarizationParams p;
  p.mean = variant.subtract_mean ? row_mean(w, nonzero) : at::zeros({w.size(0), 1}, w.options());
  p.alpha = row_mean(w.abs(), variant.alpha_over_nonzero ? nonzero : non_salient);
  p.r1 = at::ones({w.size(0), 1}, w.options());
  p.r2 = at::ones({1, w.size(1)}, w.options());
  return p;
}

// §4.2 as the reference's `binary_temporary` / `binary_inplace` ("mix") computes it.
at::Tensor dequantized_weight(const at::Tensor& weight, const at::Tensor& mask, const at::Tensor& salient_dequantized,
                              const at::Tensor& mean, const at::Tensor& alpha, const at::Tensor& r1,
                              const at::Tensor& r2) {
  return dequantized_weight(freeze_binarization(weight, mask, salient_dequantized, mean), alpha, r1, r2);
}

FrozenBinarization freeze_binarization(const at::Tensor& weight, const at::Tensor& mask,
                                       const at::Tensor& salient_dequantized, const at::Tensor& mean) {
  at::Tensor w = weight.detach();
  at::Tensor salient = column_weights(mask, w);
  FrozenBinarization f;
  f.low_columns = 1 - salient;
  f.mean = mean.detach();
  f.signs = at::sign(w - f.mean) * f.low_columns;  // 0 where W equals mu exactly
  f.high = salient_dequantized.detach() * salient;
  return f;
}

at::Tensor dequantized_weight(const FrozenBinarization& frozen, const at::Tensor& alpha, const at::Tensor& r1,
                              const at::Tensor& r2) {
  at::Tensor binarized = at::addcmul(frozen.mean, alpha, frozen.signs);  // alpha . S + mu
  return at::addcmul(frozen.high, binarized * r1, r2 * frozen.low_columns);
}

}  // namespace quantcore::methods::ptq161
