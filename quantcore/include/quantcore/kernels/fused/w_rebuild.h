#pragma once
// The fused W' rebuild of PTQ1.61 (spec §4.2, §4.3) and its one-pass backward into the alpha,
// r1 and r2 gradients (spec §5.2 [derived]), in fp32 on the CPU or a GPU (fused_cuda.cu, where
// nvcc was found). The un-fused ATen formula
// (ptq161::dequantized_weight) is the reference; ComputeOptions::fused_ops chooses between them.
// Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

namespace quantcore::kernels::fused {

// The frozen parts of one linear in the layout the fused rebuild reads: one byte per sign
// instead of a float, and the salient part only at its k columns instead of a dense [n, m].
struct FusedBinarization {
  at::Tensor signs;            // int8 [n, m]: sgn(W - mu) on the non-salient columns, 0 on the salient ones
  at::Tensor mean;             // float [n]: mu
  at::Tensor salient_columns;  // int64 [k], ascending
  at::Tensor high;             // float [n, k]: W_hat at the salient columns (§3)
  at::Tensor low_columns;      // float [m]: 1 - mask
};

// weight [n, m] (fp32, CPU or CUDA; the frozen parts stay on its device), mask bool [m], salient_dequantized [n, m] (§3), mean [n, 1].
FusedBinarization fuse_binarization(const at::Tensor& weight, const at::Tensor& mask,
                                    const at::Tensor& salient_dequantized, const at::Tensor& mean);

// Whether the fused rebuild runs for weights like `weight` (fp32 [n, m] on the CPU, or on a GPU
// in a build with the CUDA kernels); elsewhere the caller keeps the ATen path.
bool fused_rebuild_supported(const at::Tensor& weight);

// Whether the engine uses it: supported, and on a GPU only with QUANTLENS_FUSED_CUDA=1 in the
// environment, until the CUDA kernels have passed their tests on a GPU (docs/performance.md).
bool fused_rebuild_enabled(const at::Tensor& weight);

// QUANTLENS_FUSED_CUDA=1: the engine may use the fused CUDA kernels.
bool fused_cuda_opted_in();

// W' = W_hat . mask + (r1 . (alpha . S + mu)) . (r2 . (1 - mask)), [n, m] fp32, differentiable
// in alpha [n, 1], r1 [n, 1] and r2 [1, m] (a custom autograd function): the forward writes W'
// row by row, the backward reads grad W' once and produces all three gradients, with no other
// [n, m] temporary in either direction. Rounding follows the ATen formula's order, so the
// forward equals it exactly.
at::Tensor rebuild_weight(const FusedBinarization& frozen, const at::Tensor& alpha, const at::Tensor& r1,
                          const at::Tensor& r2);

}  // namespace quantcore::kernels::fused
