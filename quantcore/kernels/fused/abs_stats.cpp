#include "quantcore/kernels/fused/abs_stats.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/DeviceGuard.h>
#include <c10/util/BFloat16.h>

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "fused_cuda.h"
#include "quantcore/kernels/device.h"
#include "quantcore/kernels/fused/fused_math.h"
#include "quantcore/kernels/fused/w_rebuild.h"

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
      max_abs[c] = nan_propagating_max(max_abs[c], v);
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
  if (!x.defined() || x.dim() < 1) return false;
  const c10::ScalarType t = x.scalar_type();
  if (x.device().is_cpu()) return t == at::kFloat || t == at::kBFloat16;
  return x.is_cuda() && cuda_kernels_built() && (t == at::kFloat || t == at::kHalf || t == at::kBFloat16);
}

bool abs_stats_enabled(const at::Tensor& x) {
  return abs_stats_supported(x) && (x.device().is_cpu() || fused_cuda_opted_in());
}

namespace {

DType kernel_dtype(c10::ScalarType t) {
  return t == at::kFloat ? DType::F32 : t == at::kHalf ? DType::F16 : DType::BF16;
}

// Per chunk of rows on the GPU, then the chunks reduced (at::amax propagates NaN as the chunks do).
std::pair<at::Tensor, at::Tensor> abs_max_and_sum_cuda(const at::Tensor& x2d) {
  const c10::DeviceGuard guard(x2d.device());
  const int64_t rows = x2d.size(0), channels = x2d.size(1);
  const int64_t chunks = detail::row_chunks(rows);
  at::Tensor max_partials = at::zeros({chunks, channels}, x2d.options().dtype(at::kFloat));
  at::Tensor sum_partials = at::zeros({chunks, channels}, x2d.options().dtype(at::kDouble));
  detail::abs_stats_cuda(kernel_dtype(x2d.scalar_type()), x2d.data_ptr(), rows, channels,
                         max_partials.data_ptr<float>(), sum_partials.data_ptr<double>());
  if (chunks == 1) return {max_partials[0], sum_partials[0]};
  return {at::amax(max_partials, 0), sum_partials.sum(0)};
}

}  // namespace

std::pair<at::Tensor, at::Tensor> abs_max_and_sum(const at::Tensor& x) {
  if (!abs_stats_supported(x))
    throw std::invalid_argument("abs_max_and_sum: x must be fp32 or bf16 on the CPU, or fp32, fp16 or bf16 on a GPU");
  const at::Tensor x2d = x.detach().reshape({-1, x.size(-1)}).contiguous();
  if (x2d.is_cuda()) return abs_max_and_sum_cuda(x2d);
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
