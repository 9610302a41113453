#include "quantcore/model/rope.h"

#include <ATen/ATen.h>

#include <cmath>

namespace quantcore {

at::Tensor rope_inverse_frequencies(const RopeSpec& rope, int64_t head_dim) {
  // HF: 1 / base^(arange(0, dim, 2).float() / dim), all in float32.
  at::Tensor exponents = at::arange(0, head_dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(head_dim);
  at::Tensor inv_freq = 1.0 / at::pow(at::scalar_tensor(rope.theta, at::kFloat), exponents);
  if (rope.type == "default") return inv_freq;

  // rope_type "llama3": long wavelengths are divided by `factor`, short ones kept, the band
  // between them interpolated (transformers' _compute_llama3_parameters).
  const double old_context = static_cast<double>(rope.original_max_position_embeddings);
  const double low_freq_wavelen = old_context / rope.low_freq_factor;
  const double high_freq_wavelen = old_context / rope.high_freq_factor;
  at::Tensor wavelen = 2.0 * M_PI / inv_freq;
  at::Tensor scaled = at::where(wavelen > low_freq_wavelen, inv_freq / rope.factor, inv_freq);
  at::Tensor smooth = (old_context / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
  at::Tensor smoothed = (1 - smooth) * scaled / rope.factor + smooth * scaled;
  at::Tensor is_medium =
      at::logical_not(wavelen < high_freq_wavelen).logical_and(at::logical_not(wavelen > low_freq_wavelen));
  return at::where(is_medium, smoothed, scaled);
}

RopeCosSin rope_cos_sin(const at::Tensor& inv_freq, int64_t offset, int64_t length, c10::ScalarType dtype) {
  at::Tensor positions = at::arange(offset, offset + length, inv_freq.options().dtype(at::kLong)).to(at::kFloat);
  at::Tensor freqs = at::outer(positions, inv_freq);
  at::Tensor emb = at::cat({freqs, freqs}, -1);
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  at::Tensor x1 = x.narrow(-1, 0, half);
  at::Tensor x2 = x.narrow(-1, half, half);
  at::Tensor rotated = at::cat({-x2, x1}, -1);
  return x * cos + rotated * sin;
}

}  // namespace quantcore
