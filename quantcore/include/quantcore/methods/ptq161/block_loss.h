#pragma once
// The §5.1 loss of one sample: MSE and negative-log-cosine terms between the quantised block's
// output and the two FP targets.
#include <ATen/core/Tensor.h>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/methods/ptq161/options.h"

namespace quantcore::methods::ptq161 {

struct BlockLoss {
  at::Tensor total;   // scalar, differentiable w.r.t. whatever yq depends on
  LossValues values;  // the same terms as doubles, for reporting
};

// yq, t1, t2: [1, L, H] (t2 is ignored when switches.quantized_branch is false).
// MSE = mean over all elements; NLC = -log |mean over tokens of cos along hidden (eps 1e-8)|.
BlockLoss block_loss(const at::Tensor& yq, const at::Tensor& t1, const at::Tensor& t2, const LossSwitches& switches);

}  // namespace quantcore::methods::ptq161
