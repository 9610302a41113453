#pragma once
// One linear through BiLLM's per-layer loop (baselines-spec §2.3, ARB-LLM §7.3): dead columns and
// U prepared once (§0.4), blocks of β columns left to right, each fitted from W as earlier blocks
// left it and stored, its error reaching the later blocks through U (block-wise compensation
// only) unless compensation is off (--disable_gptq). Shared by billm and arbllm. Include only
// from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

#include "quantcore/jobs/progress.h"
#include "quantcore/methods/billm/binarized_linear.h"
#include "quantcore/methods/hessian_compensation.h"

namespace quantcore::methods::billm {

// The method's fit of the block at `first_column` (B [n, width] on the host) with U's diagonal
// over its columns.
using BlockFitter = std::function<BlockFit(int64_t first_column, const Matrix& block, const float* u_diagonal)>;

struct BinarizationRun {
  BinarizedLinear stored;
  at::Tensor weight;               // W' [n, m] float32: the Q of every block, = dequantize(stored)
  double percdamp = 0;             // the damping that factorised H
  int64_t changed_zero_signs = 0;  // entries whose sign(0) = 0 was stored as +1 under a nonzero scale
};

BinarizationRun binarize_linear(const at::Tensor& weight, const at::Tensor& hessian, const BinaryLayout& layout,
                                double percdamp, bool compensate, const BlockFitter& fit_block,
                                const std::string& where, const NoticeSink& notice, const CancelToken& cancel);

// Host float32 copies between a tensor [rows, cols] and a Matrix.
Matrix to_matrix(const at::Tensor& t);
at::Tensor to_tensor(const Matrix& m);

}  // namespace quantcore::methods::billm
