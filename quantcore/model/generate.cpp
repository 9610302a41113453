#include "quantcore/model/generate.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "quantcore/model/causal_lm.h"

namespace quantcore {

namespace {
at::Tensor as_batch(const std::vector<int32_t>& ids) {
  std::vector<int64_t> wide(ids.begin(), ids.end());
  return at::tensor(wide, at::kLong).unsqueeze(0);
}

int32_t argmax_last(const at::Tensor& logits) {
  return static_cast<int32_t>(logits.select(1, logits.size(1) - 1).to(at::kFloat).argmax(-1).item<int64_t>());
}
}  // namespace

std::vector<int32_t> generate_greedy(const CausalLM& model, const std::vector<int32_t>& prompt,
                                     const GreedyOptions& options, ProgressSink& progress, const CancelToken& cancel) {
  c10::InferenceMode inference;
  std::vector<int32_t> sequence = prompt;
  std::vector<int32_t> generated;
  KVCache cache;
  progress.stage("generate", options.max_new_tokens);
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    cancel.throw_if_requested();
    at::Tensor logits;
    if (!options.use_kv_cache)
      logits = model.logits(as_batch(sequence));
    else if (step == 0)
      logits = model.logits(as_batch(sequence), &cache);
    else
      logits = model.logits(as_batch({sequence.back()}), &cache);
    const int32_t next = argmax_last(logits);
    sequence.push_back(next);
    generated.push_back(next);
    progress.advance(step + 1);
    if (options.stop_token && next == *options.stop_token) break;
  }
  progress.finish();
  return generated;
}

}  // namespace quantcore
