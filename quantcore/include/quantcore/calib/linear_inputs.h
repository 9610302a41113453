#pragma once
// The inputs of every linear of one block, as the block sees them on a chain of calibration
// samples, for methods that fit against the inputs themselves rather than their Hessian
// (W(1+1)A(1×4)'s error-based smoothing). Include only from translation units that compute
// with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>

#include "quantcore/jobs/progress.h"

namespace quantcore {

class CausalLM;

// Runs `block` on samples of `chain` ([N, L, hidden]) one at a time, from the first, until at
// least `max_tokens` tokens are seen (whole samples; all of them when there are fewer): short
// linear name -> [tokens, in_features] float32 on the model's device. Linears called with the
// same tensor (q/k/v, gate/up) share one tensor. Uses `model`'s linear-input observer (removed on
// return) and must run without autograd recording.
std::map<std::string, at::Tensor> collect_block_inputs(CausalLM& model, int64_t block, const at::Tensor& chain,
                                                       int64_t max_tokens, const CancelToken& cancel);

}  // namespace quantcore
