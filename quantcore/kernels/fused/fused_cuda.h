#pragma once
// The fused engine ops on CUDA, on raw device pointers (no LibTorch): what w_rebuild.cpp and
// abs_stats.cpp launch when the tensors live on a GPU. Defined in fused_cuda.cu where nvcc was
// found, in fused_cuda_absent.cpp (throwing) elsewhere. Every launch goes to the legacy default
// stream, which is LibTorch's current stream unless a caller changes it (the engine does not).
#include <cstdint>

#include "quantcore/kernels/device.h"
#include "w_rebuild_rows.h"

namespace quantcore::kernels::fused::detail {

// Rows per partial sum of the column reductions below; the partial buffers hold
// row_chunks(rows) rows of `columns` entries each, which the caller reduces.
int64_t row_chunks(int64_t rows);

// W' [n, m] into out, the salient entries written from the compact [n, k] part (as rebuild_rows).
void rebuild_cuda(int64_t n, const FrozenRows& f, const RowScales& s, const float* r2_low, float* out);

// The backward of gradient_rows: d_alpha, d_r1 [n]; column_partials [row_chunks(n), m], whose
// sum over the chunks is the columns sum_i G_ij x_ij.
void gradient_cuda(int64_t n, const FrozenRows& f, const RowScales& s, const float* r2_low, const float* grad,
                   float* d_alpha, float* d_r1, float* column_partials);

// x [rows, channels] of `dtype`: per chunk of rows, max |x| (NaN-propagating) and sum |x| in
// double, into [row_chunks(rows), channels] each.
void abs_stats_cuda(DType dtype, const void* x, int64_t rows, int64_t channels, float* max_partials,
                    double* sum_partials);

}  // namespace quantcore::kernels::fused::detail
