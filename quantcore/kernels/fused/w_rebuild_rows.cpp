#include "w_rebuild_rows.h"

#include "quantcore/kernels/fused/fused_math.h"

// Plain loops the compiler vectorises; one clone for AVX2 machines chosen at load time.
#define QUANTLENS_FUSED_CLONES __attribute__((target_clones("avx2", "default")))

namespace quantcore::kernels::fused::detail {

namespace {
// Independent partial sums per lane so that the row reductions vectorise without reassociating
// a single float sum (no -ffast-math).
constexpr int64_t kLanes = 16;
}  // namespace

QUANTLENS_FUSED_CLONES
void rebuild_rows(int64_t begin, int64_t end, const FrozenRows& f, const RowScales& s, const float* __restrict r2_low,
                  float* __restrict out) {
  const int64_t m = f.m;
  for (int64_t i = begin; i < end; ++i) {
    const float alpha = s.alpha[i], r1 = s.r1[i], mu = s.mean[i];
    const int8_t* __restrict sign = f.signs + i * m;
    float* __restrict w = out + i * m;
    for (int64_t j = 0; j < m; ++j) {
      w[j] = rebuilt_value(binarised_value(mu, alpha, static_cast<float>(sign[j])), r1, r2_low[j]);
    }
    const float* __restrict high = f.high + i * f.k;
    for (int64_t t = 0; t < f.k; ++t) w[f.salient[t]] = high[t];
  }
}

QUANTLENS_FUSED_CLONES
void gradient_rows(int64_t begin, int64_t end, const FrozenRows& f, const RowScales& s, const float* __restrict r2_low,
                   const float* __restrict grad, float* __restrict d_alpha, float* __restrict d_r1,
                   float* __restrict columns) {
  const int64_t m = f.m;
  for (int64_t i = begin; i < end; ++i) {
    const float alpha = s.alpha[i], r1 = s.r1[i], mu = s.mean[i];
    const int8_t* __restrict sign = f.signs + i * m;
    const float* __restrict g = grad + i * m;
    float p[kLanes] = {}, q[kLanes] = {};
    int64_t j = 0;
    for (; j + kLanes <= m; j += kLanes) {
      for (int64_t l = 0; l < kLanes; ++l) {
        const float sv = static_cast<float>(sign[j + l]);
        const float b = binarised_value(mu, alpha, sv);
        const float gl = g[j + l] * r2_low[j + l];
        p[l] += gl * sv;
        q[l] += gl * b;
        columns[j + l] += g[j + l] * (b * r1);
      }
    }
    for (; j < m; ++j) {
      const float sv = static_cast<float>(sign[j]);
      const float b = binarised_value(mu, alpha, sv);
      const float gl = g[j] * r2_low[j];
      p[0] += gl * sv;
      q[0] += gl * b;
      columns[j] += g[j] * (b * r1);
    }
    for (int64_t width = kLanes / 2; width > 0; width /= 2)
      for (int64_t l = 0; l < width; ++l) {
        p[l] += p[l + width];
        q[l] += q[l + width];
      }
    d_alpha[i] = r1 * p[0];
    d_r1[i] = q[0];
  }
}

}  // namespace quantcore::kernels::fused::detail
