#include "quantcore/pack/input_quantization.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace quantcore {

void check_input_bits(int bits) {
  if (bits < 2 || bits > 8) throw std::invalid_argument("input quantisation: bits must be 2..8, not " + std::to_string(bits));
}

QuantizedToken quantize_token(const float* x, int64_t channels, int bits) {
  check_input_bits(bits);
  for (int64_t j = 0; j < channels; ++j)
    if (!std::isfinite(x[j])) throw std::invalid_argument("input quantisation: a token holds NaN or infinity");
  const float maxq = static_cast<float>((1 << bits) - 1);
  float lo = 0, hi = 0;
  for (int64_t j = 0; j < channels; ++j) {
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
  if (lo == 0 && hi == 0) lo = -1, hi = 1;
  QuantizedToken t;
  t.scale = (hi - lo) / maxq;
  t.zero = std::nearbyint(-lo / t.scale);
  t.codes.resize(static_cast<size_t>(channels));
  for (int64_t j = 0; j < channels; ++j)
    t.codes[static_cast<size_t>(j)] =
        static_cast<uint8_t>(std::clamp(std::nearbyint(x[j] / t.scale) + t.zero, 0.0f, maxq));
  return t;
}

std::vector<std::vector<uint8_t>> bit_planes(const std::vector<uint8_t>& codes, int bits) {
  check_input_bits(bits);
  std::vector<std::vector<uint8_t>> planes(static_cast<size_t>(bits), std::vector<uint8_t>(codes.size()));
  for (size_t j = 0; j < codes.size(); ++j)
    for (int k = 0; k < bits; ++k) planes[static_cast<size_t>(k)][j] = static_cast<uint8_t>((codes[j] >> k) & 1u);
  return planes;
}

std::vector<float> fake_quantize_input(const float* x, int64_t tokens, int64_t channels, const InputQuantization& q) {
  if (!q.smoothing.empty() && static_cast<int64_t>(q.smoothing.size()) != channels)
    throw std::invalid_argument("input quantisation: " + std::to_string(q.smoothing.size()) +
                                " smoothing factors for " + std::to_string(channels) + " channels");
  std::vector<float> out(static_cast<size_t>(tokens * channels));
  std::vector<float> row(static_cast<size_t>(channels));
  for (int64_t t = 0; t < tokens; ++t) {
    const float* in = x + t * channels;
    for (int64_t j = 0; j < channels; ++j)
      row[static_cast<size_t>(j)] = q.smoothing.empty() ? in[j] : in[j] / q.smoothing[static_cast<size_t>(j)];
    float* dst = out.data() + t * channels;
    if (!std::all_of(row.begin(), row.end(), [](float v) { return std::isfinite(v); })) {
      std::fill(dst, dst + channels, std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    const QuantizedToken qt = quantize_token(row.data(), channels, q.bits);
    for (int64_t j = 0; j < channels; ++j) {
      const float v = qt.scale * (static_cast<float>(qt.codes[static_cast<size_t>(j)]) - qt.zero);
      out[static_cast<size_t>(t * channels + j)] = q.smoothing.empty() ? v : v * q.smoothing[static_cast<size_t>(j)];
    }
  }
  return out;
}

}  // namespace quantcore
