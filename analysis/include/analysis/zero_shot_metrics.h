#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "analysis/zero_shot_scoring.h"
#include "analysis/zero_shot_task.h"

namespace analysis {

// numpy.argmax: the first maximum; a NaN wins at its first position. `values` is not empty.
size_t first_argmax(const std::vector<double>& values);
double mean(const std::vector<double>& values);
// lm-eval's mean_stderr: sample standard deviation (n - 1) / sqrt(n); nullopt below two samples.
std::optional<double> mean_stderr(const std::vector<double>& values);

struct ZeroShotItemOutcome {
  double acc = 0;                  // 0 or 1
  std::optional<double> acc_norm;  // where the task has it
  double loglik = 0;               // Greedy: the continuation's loglikelihood (for perplexity)
};

// One item's acc (and acc_norm: the argmax of loglik / python_length(choice)) from its scores,
// one per request.
ZeroShotItemOutcome judge_zero_shot_item(const ZeroShotTask& task, const ZeroShotItem& item,
                                         const std::vector<ContinuationScore>& scores);

}  // namespace analysis
