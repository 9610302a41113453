#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "quantcore/jobs/progress.h"

namespace quantcore {

class CausalLM;

struct GreedyOptions {
  int64_t max_new_tokens = 32;
  bool use_kv_cache = true;           // false: recompute the whole sequence every step
  std::optional<int32_t> stop_token;  // stop after emitting this id (EOS)
};

// Greedy (argmax) continuation of `prompt`; returns the generated ids only.
std::vector<int32_t> generate_greedy(const CausalLM& model, const std::vector<int32_t>& prompt,
                                     const GreedyOptions& options, ProgressSink& progress, const CancelToken& cancel);

}  // namespace quantcore
