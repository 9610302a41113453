// The references: dequantise with the one dequantisation, then dot products in double; and the
// forward error bound every packed path is held to.
#include <cmath>

#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/pack/bit_packing.h"

namespace quantcore::kernels {

std::vector<float> packed_linear_reference(const PackedLinear& linear, const float* x, int64_t batch) {
  const std::vector<float> w = dequantize(linear);
  const int64_t n = linear.out_features, m = linear.in_features;
  std::vector<float> y(static_cast<size_t>(batch * n));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (int64_t j = 0; j < m; ++j) sum += double(w[static_cast<size_t>(i * m + j)]) * double(x[b * m + j]);
      y[static_cast<size_t>(b * n + i)] = static_cast<float>(sum);
    }
  return y;
}

std::vector<float> packed_linear_error_bound(const PackedLinear& l, const float* x, int64_t batch) {
  const int64_t n = l.out_features, m = l.in_features, k = l.salient_count();
  std::vector<bool> salient(static_cast<size_t>(m), false);
  for (int32_t col : l.salient_columns) salient[static_cast<size_t>(col)] = true;
  const std::vector<uint8_t> codes = unpack_rows(l.codes.data(), n, k, l.code_bits);
  const double u = std::ldexp(1.0, -24);
  std::vector<float> bound(static_cast<size_t>(batch * n));
  for (int64_t b = 0; b < batch; ++b) {
    const float* xb = x + b * m;
    double folded = 0.0;
    for (int64_t j = 0; j < m; ++j)
      if (!salient[static_cast<size_t>(j)]) folded += std::fabs(double(l.r2[static_cast<size_t>(j)]) * xb[j]);
    for (int64_t i = 0; i < n; ++i) {
      double high = 0.0;
      for (int64_t j = 0; j < k; ++j)
        high += (double(codes[static_cast<size_t>(i * k + j)]) + std::fabs(l.zero[i])) *
                std::fabs(xb[l.salient_columns[static_cast<size_t>(j)]]);
      const double terms = (std::fabs(l.a[i]) + std::fabs(l.c[i])) * folded + std::fabs(l.scale[i]) * high;
      // 3m + 24: the set-bit sum P (depth <= m + 8, tables included) counts twice in 2P - X, the
      // folded sum X (depth m) once, plus the epilogue (docs/kernels.md).
      bound[static_cast<size_t>(b * n + i)] = static_cast<float>(double(3 * m + 24) * u * terms);
    }
  }
  return bound;
}

}  // namespace quantcore::kernels
