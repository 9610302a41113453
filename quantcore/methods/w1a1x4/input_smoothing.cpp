#include "quantcore/methods/w1a1x4/input_smoothing.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "quantcore/model/input_quantization_op.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/pack/half_float.h"
#include "quantcore/pack/input_quantization.h"

namespace quantcore::methods::w1a1x4 {

namespace {

// α < 0: all ones. Otherwise SmoothQuant's factors, normalised and clamped (header), in fp16.
std::vector<float> smoothing_factors(const at::Tensor& act_max, const at::Tensor& weight_max, double alpha) {
  const int64_t m = act_max.numel();
  if (alpha < 0) return std::vector<float>(static_cast<size_t>(m), 1.0f);
  at::Tensor s = act_max.clamp_min(1e-5).pow(alpha) / weight_max.clamp_min(1e-5).pow(1 - alpha);
  s = s / s.log().mean().exp();
  std::vector<float> out = host_floats(s.clamp(1e-3, 1e3));
  for (float& v : out) v = round_to_half(v);
  return out;
}

struct Candidate {
  W1a1x4Linear form;
  double error;
};

Candidate fit_with(const at::Tensor& weight, const std::vector<float>& h, const at::Tensor& inputs,
                   const at::Tensor& reference, std::vector<float> smoothing, const W1a1x4Options& o) {
  const int64_t n = weight.size(0), m = weight.size(1);
  const at::Tensor s = at::tensor(at::ArrayRef<float>(smoothing), at::kFloat).to(weight.device());
  const std::vector<float> smoothed = host_floats(weight * s);
  std::vector<float> hs(h.size());
  for (size_t j = 0; j < h.size(); ++j) hs[j] = h[j] / (smoothing[j] * smoothing[j]);
  Candidate c{quantize(smoothed.data(), n, m, hs.data(), o), 0.0};
  c.form.activation_bits = o.activation_bits;
  c.form.smoothing = std::move(smoothing);
  std::vector<float> dense = dequantize(c.form);
  for (float& v : dense) v = round_to_half(v);  // what the model computes with (fp16 W')
  const at::Tensor wq = at::from_blob(dense.data(), {n, m}, at::kFloat).to(weight.device());
  const at::Tensor out = at::matmul(fake_quantize_input(inputs, o.activation_bits, s), wq.t());
  c.error = (reference - out).pow(2).sum().item<double>();
  return c;
}

}  // namespace

W1a1x4Linear fit_smoothed(const at::Tensor& weight, const std::vector<float>& h, const at::Tensor& inputs,
                         const W1a1x4Options& o) {
  check_input_bits(o.activation_bits);
  if (weight.dim() != 2 || inputs.dim() != 2 || inputs.size(1) != weight.size(1) ||
      static_cast<int64_t>(h.size()) != weight.size(1))
    throw std::invalid_argument("fit_smoothed: weight [n, m], inputs [tokens, m] and m Hessian entries");
  const at::Tensor w = weight.to(at::kFloat), x = inputs.to(at::kFloat);
  const at::Tensor reference = at::matmul(x, w.t());
  const at::Tensor act_max = x.abs().amax(0), weight_max = w.abs().amax(0);
  std::vector<double> alphas;
  if (o.smooth_alpha >= 0) {
    alphas = {o.smooth_alpha};
  } else {
    alphas = {-1};
    for (int k = 0; k <= 10; ++k) alphas.push_back(k / 10.0);
  }
  W1a1x4Linear best;
  double best_error = std::numeric_limits<double>::infinity();
  for (double alpha : alphas) {
    Candidate c = fit_with(w, h, x, reference, smoothing_factors(act_max, weight_max, alpha), o);
    if (c.error < best_error) {
      best_error = c.error;
      best = std::move(c.form);
      best.smoothing_alpha = alpha;
    }
  }
  if (!std::isfinite(best_error))
    throw std::runtime_error("w1a1x4: the output error of every smoothing candidate is NaN or infinite");
  const double total = reference.pow(2).sum().item<double>();
  best.output_error = total > 0 ? std::sqrt(best_error / total) : 0.0;
  return best;
}

}  // namespace quantcore::methods::w1a1x4
