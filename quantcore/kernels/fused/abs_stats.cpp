#include "quantcore/kernels/fused/abs_stats.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>

#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace quantcore::kernels::fused {

namespace {

// Channels per task: each task walks every row over its own channel range.
constexpr int64_t kChannelGrain = 512;

inline float to_float(float v) { return v; }
inline float to_float(c10::BFloat16 v) { return static_cast<float>(v); }

template <typename T>
inline __attribute__((always_inline)) void abs_columns(const T* __restrict x, int64_t rows, int64_t channels,
                                                       int64_t begin, int64_t end, float* __restrict max_abs,
                                                       double* __restrict sum_abs) {
  for (int64_t c = begin; c < end; ++c) {
    max_abs[c] = 0.f;
    sum_abs[c] = 0.0;
  }
  for (int64_t t = 0; t < rows; ++t) {
    const T* __restrict row = x + t * channels;
    for (int64_t c = begin; c < end; ++c) {
      const float v = std::fabs(to_float(row[c]));
      // NaN propagates as in at::amax: once the running value is NaN no comparison replaces it.
      max_abs[c] = (v > max_abs[c] || v != v) ? v : max_abs[c];
      sum_abs[c] += static_cast<double>(v);
    }
  }
}

// One clone for AVX2 machines chosen at load time, per input dtype.
__attribute__((target_clones("avx2", "default"))) void abs_columns_f32(const float* x, int64_t rows, int64_t channels,
                                                                       int64_t begin, int64_t end, float* max_abs,
                                                                       double* sum_abs) {
  abs_columns(x, rows, channels, begin, end, max_abs, sum_abs);
}
__attribute__((target_clones("avx2", "default"))) void abs_columns_bf16(const c10::BFloat16* x, int64_t rows,
                                                                        int64_t channels, int64_t begin, int64_t end,
                                                                        float* max_abs, double* sum_abs) {
  abs_columns(x, rows, channels, begin, end, max_abs, sum_abs);
}

template <typename T>
void run(const at::Tensor& x2d, at::Tensor& max_abs, at::Tensor& sum_abs) {
  const int64_t rows = x2d.size(0), channels = x2d.size(1);
  const T* x = x2d.data_ptr<T>();
  float* mx = max_abs.data_ptr<float>();
  double* sm = sum_abs.data_ptr<double>();
  at::parallel_for(0, channels, kChannelGrain, [&](int64_t begin, int64_t end) {
    if constexpr (std::is_same_v<T, float>)
      abs_columns_f32(x, rows, channels, begin, end, mx, sm);
    else
      abs_columns_bf16(x, rows, channels, begin, end, mx, sm);
  });
}

}  // namespace

bool abs_stats_supported(const at::Tensor& x) {
  return x.defined() && x.device().is_cpu() && x.dim() >= 1 &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16);
}

std::pair<at::Tensor, at::Tensor> abs_max_and_sum(const at::Tensor& x) {
  if (!abs_stats_supported(x)) throw std::invalid_argument("abs_max_and_sum: x must be fp32 or bf16 on the CPU");
  const at::Tensor x2d = x.detach().reshape({-1, x.size(-1)}).contiguous();
  const int64_t channels = x2d.size(1);
  at::Tensor max_abs = at::empty({channels}, at::kFloat);
  at::Tensor sum_abs = at::empty({channels}, at::kDouble);
  if (x2d.scalar_type() == at::kFloat)
    run<float>(x2d, max_abs, sum_abs);
  else
    run<c10::BFloat16>(x2d, max_abs, sum_abs);
  return {max_abs, sum_abs};
}

}  // namespace quantcore::kernels::fused
