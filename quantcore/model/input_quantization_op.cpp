#include "quantcore/model/input_quantization_op.h"

#include <ATen/ATen.h>

#include <limits>

#include "quantcore/pack/input_quantization.h"

namespace quantcore {

// The reference's steps in the same order and precision (float32, round half to even). Every
// division is tensor by tensor: CUDA turns division by a scalar into multiplication by its
// reciprocal, which can move the scale by an ulp and flip a code at a tie. A token holding NaN
// or ±inf comes out NaN, as in the reference.
at::Tensor fake_quantize_input(const at::Tensor& x, int bits, const at::Tensor& smoothing) {
  check_input_bits(bits);
  const double maxq = static_cast<double>((1 << bits) - 1);
  at::Tensor v = x.to(at::kFloat);
  if (smoothing.defined()) v = v / smoothing;
  at::Tensor lo = at::clamp_max(std::get<0>(v.min(-1, true)), 0);
  at::Tensor hi = at::clamp_min(std::get<0>(v.max(-1, true)), 0);
  const at::Tensor empty = (lo == 0).logical_and(hi == 0);
  lo = at::where(empty, at::full_like(lo, -1), lo);
  hi = at::where(empty, at::full_like(hi, 1), hi);
  const at::Tensor scale = (hi - lo) / at::full_like(hi, maxq);
  const at::Tensor zero = at::round(-lo / scale);
  const at::Tensor q = at::clamp(at::round(v / scale) + zero, 0, maxq);
  at::Tensor out = scale * (q - zero);
  if (smoothing.defined()) out = out * smoothing;
  out = at::where(at::isfinite(v).all(-1, true), out, at::full_like(out, std::numeric_limits<float>::quiet_NaN()));
  return out.to(x.scalar_type());
}

}  // namespace quantcore
