// The fused engine ops on CUDA (fused_cuda.h). Grid-stride loops over flat indices for the
// element-wise rebuild; one block per row for the row sums of the backward; one thread per
// column and chunk of rows for the column sums, so that consecutive threads read consecutive
// addresses and the partial sums are deterministic (no atomics). The per-element arithmetic is
// fused_math.h's, shared with the CPU row loops.
#include <cuda_runtime.h>

#include <algorithm>

#include "fused_cuda.h"
#include "quantcore/kernels/cuda_support.cuh"
#include "quantcore/kernels/fused/fused_math.h"

namespace quantcore::kernels::fused::detail {

namespace {

using cuda::block_sum;
using cuda::check;
using cuda::to_float;

constexpr int kThreads = 256;
constexpr int64_t kChunkRows = 256;
constexpr int64_t kMaxGridY = 65535;
constexpr int64_t kMaxBlocks = 1 << 16;  // grid-stride loops cover the rest

unsigned flat_blocks(int64_t elements) {
  return static_cast<unsigned>(std::clamp<int64_t>((elements + kThreads - 1) / kThreads, 1, kMaxBlocks));
}

int64_t chunk_rows(int64_t rows) { return std::max(kChunkRows, (rows + kMaxGridY - 1) / kMaxGridY); }

__global__ void rebuild_kernel(int64_t n, FrozenRows f, RowScales s, const float* r2_low, float* out) {
  const int64_t total = n * f.m;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = e / f.m, j = e - i * f.m;
    out[e] = rebuilt_value(binarised_value(s.mean[i], s.alpha[i], static_cast<float>(f.signs[e])), s.r1[i], r2_low[j]);
  }
}

__global__ void salient_kernel(int64_t n, FrozenRows f, float* out) {
  const int64_t total = n * f.k;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = e / f.k, t = e - i * f.k;
    out[i * f.m + f.salient[t]] = f.high[e];
  }
}

// d_alpha_i = r1_i sum_j G_ij r2l_j S_ij and d_r1_i = sum_j G_ij r2l_j b_ij, one block per row.
__global__ void row_gradient_kernel(int64_t n, FrozenRows f, RowScales s, const float* r2_low, const float* grad,
                                    float* d_alpha, float* d_r1) {
  __shared__ float scratch[kThreads / 32];
  for (int64_t i = blockIdx.x; i < n; i += gridDim.x) {  // uniform over the block: block_sum is safe
    const float mu = s.mean[i], alpha = s.alpha[i];
    const int8_t* sign = f.signs + i * f.m;
    const float* g = grad + i * f.m;
    float p = 0.0f, q = 0.0f;
    for (int64_t j = threadIdx.x; j < f.m; j += blockDim.x) {
      const float sv = static_cast<float>(sign[j]);
      const float gl = g[j] * r2_low[j];
      p += gl * sv;
      q += gl * binarised_value(mu, alpha, sv);
    }
    p = block_sum<kThreads>(p, scratch);
    q = block_sum<kThreads>(q, scratch);
    if (threadIdx.x == 0) {
      d_alpha[i] = s.r1[i] * p;
      d_r1[i] = q;
    }
  }
}

// partials[chunk, j] = sum over the chunk's rows of G_ij x_ij, x_ij = b_ij r1_i.
__global__ void column_gradient_kernel(int64_t n, int64_t rows_per_chunk, FrozenRows f, RowScales s,
                                       const float* grad, float* partials) {
  const int64_t j = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= f.m) return;
  const int64_t lo = int64_t(blockIdx.y) * rows_per_chunk, hi = min(n, lo + rows_per_chunk);
  float sum = 0.0f;
  for (int64_t i = lo; i < hi; ++i) {
    const float b = binarised_value(s.mean[i], s.alpha[i], static_cast<float>(f.signs[i * f.m + j]));
    sum += grad[i * f.m + j] * (b * s.r1[i]);
  }
  partials[int64_t(blockIdx.y) * f.m + j] = sum;
}

template <typename T>
__global__ void abs_stats_kernel(const T* x, int64_t rows, int64_t rows_per_chunk, int64_t channels,
                                 float* max_partials, double* sum_partials) {
  const int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= channels) return;
  const int64_t lo = int64_t(blockIdx.y) * rows_per_chunk, hi = min(rows, lo + rows_per_chunk);
  float max_abs = 0.0f;
  double sum_abs = 0.0;
  for (int64_t t = lo; t < hi; ++t) {
    const float v = fabsf(to_float(x[t * channels + c]));
    max_abs = nan_propagating_max(max_abs, v);
    sum_abs += static_cast<double>(v);
  }
  max_partials[int64_t(blockIdx.y) * channels + c] = max_abs;
  sum_partials[int64_t(blockIdx.y) * channels + c] = sum_abs;
}

dim3 column_grid(int64_t columns, int64_t rows) {
  return dim3(static_cast<unsigned>((columns + kThreads - 1) / kThreads), static_cast<unsigned>(row_chunks(rows)));
}

template <typename T>
void launch_abs_stats(const void* x, int64_t rows, int64_t channels, float* max_partials, double* sum_partials) {
  abs_stats_kernel<T><<<column_grid(channels, rows), kThreads>>>(static_cast<const T*>(x), rows, chunk_rows(rows),
                                                                 channels, max_partials, sum_partials);
}

}  // namespace

int64_t row_chunks(int64_t rows) {
  const int64_t per = chunk_rows(rows);
  return std::max<int64_t>(1, (rows + per - 1) / per);
}

void rebuild_cuda(int64_t n, const FrozenRows& f, const RowScales& s, const float* r2_low, float* out) {
  if (n * f.m == 0) return;
  rebuild_kernel<<<flat_blocks(n * f.m), kThreads>>>(n, f, s, r2_low, out);
  if (f.k > 0) salient_kernel<<<flat_blocks(n * f.k), kThreads>>>(n, f, out);
  check(cudaGetLastError(), "fused W' rebuild launch");
}

void gradient_cuda(int64_t n, const FrozenRows& f, const RowScales& s, const float* r2_low, const float* grad,
                   float* d_alpha, float* d_r1, float* column_partials) {
  if (n == 0 || f.m == 0) return;
  row_gradient_kernel<<<static_cast<unsigned>(std::min<int64_t>(n, kMaxBlocks)), kThreads>>>(n, f, s, r2_low, grad,
                                                                                             d_alpha, d_r1);
  column_gradient_kernel<<<column_grid(f.m, n), kThreads>>>(n, chunk_rows(n), f, s, grad, column_partials);
  check(cudaGetLastError(), "fused W' backward launch");
}

void abs_stats_cuda(DType dtype, const void* x, int64_t rows, int64_t channels, float* max_partials,
                    double* sum_partials) {
  if (rows == 0 || channels == 0) return;
  switch (dtype) {
    case DType::F32: launch_abs_stats<float>(x, rows, channels, max_partials, sum_partials); break;
    case DType::F16: launch_abs_stats<__half>(x, rows, channels, max_partials, sum_partials); break;
    case DType::BF16: launch_abs_stats<__nv_bfloat16>(x, rows, channels, max_partials, sum_partials); break;
  }
  check(cudaGetLastError(), "activation statistics launch");
}

}  // namespace quantcore::kernels::fused::detail
