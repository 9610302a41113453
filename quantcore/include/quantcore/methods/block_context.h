#pragma once
// What the block driver hands a method for one decoder block (spec §1.2). Include only from
// translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
struct ActivationStats;
}  // namespace quantcore

namespace quantcore::methods {

// Each [N, L, H] on the model's device or on the host; undefined where the method did not ask
// for it (MethodNeeds): input = the quantised chain (the block's input), fp_target = T1,
// quantized_target = T2.
struct BlockTrainingData {
  at::Tensor input;
  at::Tensor fp_target;
  at::Tensor quantized_target;
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
