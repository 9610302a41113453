#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

struct PerplexityOptions {
  int64_t seqlen = 2048;
  std::optional<int64_t> max_windows;  // evaluate only the first K windows
  std::string text_name = "--text";    // how a too-short text is named in the error (its path)
};

struct PerplexityResult {
  double ppl = 0;
  double mean_nll = 0;  // per predicted token
  int64_t windows = 0;
  int64_t tokens_scored = 0;
  int64_t seqlen = 0;
  double seconds = 0;
  std::string kernels;  // what the model ran: "dense" or "packed" (CausalLM::kernels)
};

// GPTQ / PTQ1.61 convention (ptq161-spec §8.1): `ids` is the whole text tokenised once (BOS only
// at the very start); non-overlapping windows of `seqlen`, the tail dropped, each window run on
// its own; PPL = exp(mean NLL over the seqlen-1 predicted tokens of every window).
PerplexityResult evaluate_perplexity(const quantcore::CausalLM& model, const std::vector<int32_t>& ids,
                                     const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                     const quantcore::CancelToken& cancel);

}  // namespace analysis
