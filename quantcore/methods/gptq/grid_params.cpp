#include "quantcore/methods/gptq/grid_params.h"

#include <ATen/ATen.h>

namespace quantcore::methods::gptq {

GridParams find_params(const at::Tensor& x, int bits, bool symmetric) {
  const double maxq = static_cast<double>((1 << bits) - 1);
  at::Tensor lo = at::clamp_max(std::get<0>(x.min(1)), 0.0), hi = at::clamp_min(std::get<0>(x.max(1)), 0.0);
  if (symmetric) {
    hi = at::maximum(lo.abs(), hi);
    lo = at::where(lo < 0, -hi, lo);
  }
  const at::Tensor both_zero = (lo == 0) & (hi == 0);
  lo = at::where(both_zero, at::full_like(lo, -1.0), lo);
  hi = at::where(both_zero, at::full_like(hi, 1.0), hi);
  GridParams p;
  p.scale = (hi - lo) / maxq;
  p.stored_scale = p.scale.to(at::kHalf).to(at::kFloat);
  p.zero = symmetric ? at::full_like(lo, (maxq + 1) / 2) : at::round(-lo / p.scale) + 0.0;
  return p;
}

}  // namespace quantcore::methods::gptq
