#include "analysis/model_statistics.h"

#include "quantcore/model/causal_lm.h"

namespace analysis {

quantcore::ActivationStats model_statistics(const quantcore::CausalLM& model,
                                            const std::vector<std::vector<int32_t>>& windows,
                                            quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  quantcore::CausalLM observed = model;
  return quantcore::collect_activation_stats(observed, windows, progress, cancel);
}

}  // namespace analysis
