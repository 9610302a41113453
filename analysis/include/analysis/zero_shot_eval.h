#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/zero_shot_task.h"
#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
class Tokenizer;
}  // namespace quantcore

namespace analysis {

struct ZeroShotOptions {
  std::optional<int64_t> limit;           // the first N items only
  int64_t max_length = 0;                 // the model's context; 0: its max_position_embeddings
  std::string data_name = "--task-data";  // how an item that cannot be scored is located (its file)
};

struct ZeroShotResult {
  std::string task;
  int64_t count = 0;  // items evaluated
  double acc = 0;
  std::optional<double> acc_stderr;
  std::optional<double> acc_norm;  // tasks without acc_norm in the harness: none
  std::optional<double> acc_norm_stderr;
  std::optional<double> perplexity;  // Greedy tasks: exp(-mean continuation loglikelihood)
  int64_t requests = 0;              // continuations scored
  int64_t max_length = 0;
  double seconds = 0;
  std::string kernels;                       // CausalLM::kernels
  std::vector<std::vector<double>> logliks;  // per item, per request
};

// Scores the items of `task` (zero-shot, no description) and aggregates them as lm-eval does:
// the mean of each item's acc (and acc_norm) with its mean_stderr. One progress step per item,
// cancellable between items.
ZeroShotResult evaluate_zero_shot(const quantcore::CausalLM& model, const quantcore::Tokenizer& tokenizer,
                                  const ZeroShotTask& task, const std::vector<ZeroShotItem>& items,
                                  const ZeroShotOptions& options, quantcore::ProgressSink& progress,
                                  const quantcore::CancelToken& cancel);

}  // namespace analysis
