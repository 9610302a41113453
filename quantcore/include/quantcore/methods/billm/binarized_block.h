#pragma once
// billm's and arbllm's quantize_block: every linear of ctx.block binarised from the driver's
// Hessian, its fp16 W' written into ctx.model, one stored form per linear in block_linears order.
// Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>

#include "quantcore/methods/billm/blockwise_binarization.h"
#include "quantcore/methods/block_context.h"

namespace quantcore::methods::billm {

// One linear's weight [n, m] and Hessian [m, m]; `where` names it ("block 3 self_attn.q_proj").
using LinearBinarizer = std::function<BinarizationRun(const at::Tensor& weight, const at::Tensor& hessian,
                                                      const std::string& where, const NoticeSink& notice)>;

QuantizedBlock binarize_block_linears(BlockContext& ctx, const LinearBinarizer& binarize);

}  // namespace quantcore::methods::billm
