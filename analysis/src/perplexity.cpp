#include "analysis/perplexity.h"

#include <c10/core/InferenceMode.h>

#include <chrono>
#include <cmath>
#include <string>

#include "quantcore/io/errors.h"
#include "quantcore/model/causal_lm.h"
#include "token_batch.h"

namespace analysis {

PerplexityResult evaluate_perplexity(const quantcore::CausalLM& model, const std::vector<int32_t>& ids,
                                     const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                     const quantcore::CancelToken& cancel) {
  if (options.seqlen < 2) throw quantcore::InputError("--seqlen", "must be at least 2");
  int64_t windows = static_cast<int64_t>(ids.size()) / options.seqlen;
  if (windows == 0)
    throw quantcore::InputError(
        options.text_name,
        "has " + std::to_string(ids.size()) + " tokens, fewer than one window of " + std::to_string(options.seqlen));
  if (options.max_windows) windows = std::min(windows, *options.max_windows);

  c10::InferenceMode inference;
  const auto start = std::chrono::steady_clock::now();
  double total_nll = 0;
  progress.stage("perplexity", windows);
  for (int64_t w = 0; w < windows; ++w) {
    cancel.throw_if_requested();
    at::Tensor batch = token_batch(ids, static_cast<size_t>(w * options.seqlen), static_cast<size_t>(options.seqlen));
    total_nll += sum_next_token_nll(model.logits(batch), batch);
    progress.advance(w + 1);
  }
  progress.finish();

  PerplexityResult r;
  r.windows = windows;
  r.seqlen = options.seqlen;
  r.tokens_scored = windows * (options.seqlen - 1);
  r.mean_nll = total_nll / static_cast<double>(r.tokens_scored);
  r.ppl = std::exp(r.mean_nll);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.kernels = model.kernels();
  return r;
}

}  // namespace analysis
