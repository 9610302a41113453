#pragma once
// What the block driver hands a method for one decoder block (spec §1.2). Include only from
// translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
struct ActivationStats;
}  // namespace quantcore

namespace quantcore::methods {

// Each [N, L, H] on the model's device or on the host; undefined where the method did not ask
// for it (MethodNeeds): input = the quantised chain (the block's input), fp_target = T1,
// quantized_target = T2. hessians (MethodNeeds::hessian): per linear short name, H = 2/N X Xᵀ
// [in, in] float32 on the model's device over the block's inputs on the quantised chain before
// the block changes (baselines-spec §0.2a, §0.3); linears fed the same tensor (q/k/v, gate/up)
// share one.
struct BlockTrainingData {
  at::Tensor input;
  at::Tensor fp_target;
  at::Tensor quantized_target;
  std::map<std::string, at::Tensor> hessians;
  std::map<std::string, at::Tensor> hessian_diagonals;  // MethodNeeds::hessian_diagonal: diag(H) [in], the same way
};

struct BlockContext {
  CausalLM& model;
  int64_t block;
  const BlockTrainingData& data;
  const ActivationStats* stats;  // null unless the method needs them
  OptimizationEvents& events;
  ProgressSink& progress;  // the block's stage: advance() counts steps_per_block
  const CancelToken& cancel;
};

}  // namespace quantcore::methods
