#include <ATen/ATen.h>

#include "quantcore/methods/ptq161/quantizers.h"

namespace quantcore::methods::ptq161 {

// Paper eq. (4) at the analytic initialisation: the activation-weighted L1 error of W'.
double analytic_error_bound(const at::Tensor& weight, const at::Tensor& statistic, double ratio, int bits) {
  at::Tensor w = weight.detach();
  at::Tensor mask = salient_channel_mask(statistic, ratio);
  SalientQuantization q = quantize_salient(w, bits);
  BinarizationParams p = init_binarization(w, mask);
  at::Tensor wq = dequantized_weight(w, mask, q.dequantized, p.mean, p.alpha, p.r1, p.r2);
  at::Tensor column_error = (wq - w).abs().to(at::kDouble).sum(0);  // sum over rows i
  return (column_error * statistic.detach().to(w.device(), at::kDouble)).sum().item<double>();
}

}  // namespace quantcore::methods::ptq161
