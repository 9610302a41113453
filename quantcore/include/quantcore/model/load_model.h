#pragma once
// Torch-free entry points to the forward pass: callers hold a CausalLM without including
// LibTorch (shared_ptr carries its deleter, so the type may stay incomplete here).
#include <memory>

#include "quantcore/io/checkpoint.h"
#include "quantcore/model/compute_target.h"

namespace quantcore {

class CausalLM;

std::shared_ptr<CausalLM> load_causal_lm(const Checkpoint& checkpoint, const ComputeOptions& options);

}  // namespace quantcore
