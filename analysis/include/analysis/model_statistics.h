#pragma once
// The per-linear activation statistics (max|x|, mean|x|; spec §2.1) of any model on given
// windows, for callers that hold a model but no open checkpoint (the Studio's second model).
// Torch-free header.
#include <cstdint>
#include <vector>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

// Runs on a shallow copy of `model` (which carries the observer), so `model` may be shared.
quantcore::ActivationStats model_statistics(const quantcore::CausalLM& model,
                                            const std::vector<std::vector<int32_t>>& windows,
                                            quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel);

}  // namespace analysis
