#pragma once
#include <cstdint>
#include <vector>

#include "analysis/zero_shot_encode.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

struct ContinuationScore {
  double loglik = 0;    // sum of log p(continuation token) in float32 log-softmax
  bool greedy = false;  // every continuation token is the argmax at its position
};

// Scores the continuations of one item's requests as the harness's _loglikelihood_tokens does:
// input (context + continuation)[-(max_length + 1):][:-1], the last len(continuation) positions
// scored. The prefix the inputs share is run once and its keys and values reused for each
// request's remainder, which run as one right-padded batch. Contexts and continuations must be
// non-empty, continuations at most max_length tokens (std::invalid_argument otherwise).
std::vector<ContinuationScore> score_continuations(const quantcore::CausalLM& model,
                                                   const std::vector<ZeroShotTokens>& requests, int64_t max_length);

}  // namespace analysis
