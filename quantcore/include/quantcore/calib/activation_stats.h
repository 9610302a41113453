#pragma once
// Per-linear input statistics from a full-precision forward pass over calibration windows
// (PTQ1.61 spec §2.1). Torch-free: names CausalLM only by declaration.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "quantcore/jobs/progress.h"

namespace quantcore {

class CausalLM;

// Over every token of every calibration window, per input channel j of one linear:
// max_abs[j] = max |x_j| (the statistic PTQ1.61 ranks channels by) and mean_abs[j] = mean |x_j|.
struct LinearInputStats {
  std::vector<float> max_abs;
  std::vector<float> mean_abs;
};

// Keyed by (block index, linear short name from block_linears(spec)). Every linear has its own
// entry: q/k/v (and gate/up) see one input, so their entries hold identical values.
struct ActivationStats {
  std::map<std::pair<int64_t, std::string>, LinearInputStats> linears;
  int64_t tokens = 0;  // tokens the statistics were taken over

  const LinearInputStats& at(int64_t block, const std::string& linear) const;
};

// Runs embed + every block on each window (batch 1, inference mode, the model's compute dtype)
// and gathers the statistics through CausalLM's linear-input observer, which is removed again
// on return or exception. One progress step per window; cancellation is checked per window.
ActivationStats collect_activation_stats(CausalLM& model, const std::vector<std::vector<int32_t>>& windows,
                                         ProgressSink& progress, const CancelToken& cancel);

}  // namespace quantcore
