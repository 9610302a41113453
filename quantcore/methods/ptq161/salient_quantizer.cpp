#include <ATen/ATen.h>

#include <stdexcept>

#include "quantcore/methods/ptq161/quantizers.h"

namespace quantcore::methods::ptq161 {

// §3 (`high_quant` in the reference). at::round rounds half to even like torch.round.
SalientQuantization quantize_salient(const at::Tensor& weight, int bits) {
  if (weight.dim() != 2) throw std::invalid_argument("quantize_salient: weight must be [out, in]");
  if (bits < 1 || bits > 8) throw std::invalid_argument("quantize_salient: bits must be in 1..8");
  const double qmax = static_cast<double>((1 << bits) - 1);
  at::Tensor w = weight.detach();
  // Row range over the whole row, always containing 0.
  at::Tensor lo = at::clamp_max(std::get<0>(w.min(1, /*keepdim=*/true)), 0.0);
  at::Tensor hi = at::clamp_min(std::get<0>(w.max(1, /*keepdim=*/true)), 0.0);
  // An all-zero row gets the range [-1, 1].
  at::Tensor empty = (lo == 0) & (hi == 0);
  lo = at::where(empty, at::full_like(lo, -1.0), lo);
  hi = at::where(empty, at::full_like(hi, 1.0), hi);

  SalientQuantization q;
  q.scale = (hi - lo) / qmax;
  q.zero = at::round(-lo / q.scale);
  at::Tensor codes = at::clamp(at::round(w / q.scale) + q.zero, 0.0, qmax);
  q.dequantized = q.scale * (codes - q.zero);
  q.codes = codes.to(at::kByte);
  return q;
}

}  // namespace quantcore::methods::ptq161
