#pragma once
// The GPTQ family's error compensation, shared by gptq, pbllm, billm and arbllm: one linear's
// W and U prepared once (baselines-spec §0.4), then either GPTQ's column loop with lazy block
// updates (§4.2 step 6, PB-LLM §3.2 step 5) or BiLLM's block-wise-only compensation (§2.3
// step 5, ARB-LLM §7.3 step 7). Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

#include "quantcore/jobs/progress.h"

namespace quantcore::methods {

struct CompensationInputs {
  at::Tensor weight;    // [n, m] float32 working copy, dead columns (H_jj == 0) zeroed (§0.4 step 1)
  at::Tensor upper;     // U = chol_upper(H⁻¹) [m, m] float32 (H damped)
  at::Tensor dead;      // bool [m]
  double percdamp = 0;  // the damping that factorised
};

using NoticeSink = std::function<void(const std::string&)>;

// §0.4 on `weight` [n, m] (any float dtype; copied to float32) and its `hessian` [m, m]. A
// factorisation that fails is retried with ten times the damping, up to percdamp 1 (GPTQ users'
// remedy, §4.6), each retry told to `notice` naming `where`. Throws InputError(where, ...) when
// no damping helps (a non-finite H). Nothing returned holds NaN.
CompensationInputs prepare_compensation(const at::Tensor& weight, const at::Tensor& hessian, double percdamp,
                                        const std::string& where, const NoticeSink& notice);

// GPTQ's loop over blocks of `block_size` columns: column j (in order) is quantised by
// quantize_column(j, current, weight) — `current` [n] is column j with every earlier error
// spread into it, `weight` is W with only the earlier blocks' (lazy) updates applied, which is
// what GPTQ fits group parameters on (§4.2 step 6a) — and its error (w - q) / U_jj is spread
// over the block's later columns at once and over the later blocks after the block. Returns the
// quantised W [n, m]; in.weight is used as working storage.
using ColumnQuantizer = std::function<at::Tensor(int64_t column, const at::Tensor& current, const at::Tensor& weight)>;
at::Tensor compensate_columns(CompensationInputs& in, int64_t block_size, const ColumnQuantizer& quantize_column,
                              const CancelToken& cancel);

// BiLLM's block-wise compensation: each block of `block_size` columns is quantised at once by
// quantize_block(first_column, block [n, β]) from W as earlier blocks left it; its error
// (B - Q) / diag(U) reaches the later blocks only. Returns the quantised W [n, m].
using BlockQuantizer = std::function<at::Tensor(int64_t first_column, const at::Tensor& block)>;
at::Tensor compensate_blocks(CompensationInputs& in, int64_t block_size, const BlockQuantizer& quantize_block,
                             const CancelToken& cancel);

}  // namespace quantcore::methods
