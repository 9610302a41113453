#pragma once
// One whole PTQ1.61 pass over every decoder block (spec §1.2): the FP chain, the quantised
// chain and the per-block targets, block after block.
#include <cstdint>
#include <vector>

#include "quantcore/optimize/block_optimizer.h"

namespace quantcore {

struct Ptq161Result {
  std::vector<BlockQuantization> blocks;
};

// `windows`: the calibration windows (all the same length), `stats`: the per-linear input
// statistics of the FP model on them (§2.1). Meant for an fp32 model (the spec's fp32 master
// training); in another dtype W' is cast at set_linear_weight (still differentiable). Chains
// stay on the model's device as [N, L, H]. On return every block linear holds its
// fake-quantised W'. One progress stage per block (one step per optimiser step). On
// cancellation (or any error) every block's original weights are restored before the
// exception leaves.
Ptq161Result run_ptq161(CausalLM& model, const std::vector<std::vector<int32_t>>& windows, const ActivationStats& stats,
                        const Ptq161Options& options, OptimizationEvents& events, ProgressSink& progress,
                        const CancelToken& cancel);

}  // namespace quantcore
