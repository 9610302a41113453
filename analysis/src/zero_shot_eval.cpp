#include "analysis/zero_shot_eval.h"

#include <chrono>
#include <cmath>

#include "analysis/zero_shot_metrics.h"
#include "analysis/zero_shot_scoring.h"
#include "quantcore/io/errors.h"
#include "quantcore/model/causal_lm.h"

namespace analysis {

namespace {

std::vector<ZeroShotTokens> encode_item(const quantcore::Tokenizer& tokenizer, const ZeroShotItem& item, size_t index,
                                        int64_t max_length, const std::string& data_name) {
  std::vector<ZeroShotTokens> encoded;
  for (size_t c = 0; c < item.requests.size(); ++c) {
    encoded.push_back(encode_zero_shot_request(tokenizer, item.requests[c]));
    const std::string where = "item " + std::to_string(index + 1) + " choice " + std::to_string(c + 1);
    if (encoded.back().context.empty())
      throw quantcore::InputError(data_name, where + ": its context encodes to no tokens");
    if (encoded.back().continuation.empty())
      throw quantcore::InputError(data_name, where + ": its continuation encodes to no tokens");
    if (static_cast<int64_t>(encoded.back().continuation.size()) > max_length)
      throw quantcore::InputError(
          data_name, where + ": its continuation of " + std::to_string(encoded.back().continuation.size()) +
                         " tokens is longer than the model's context of " + std::to_string(max_length));
  }
  return encoded;
}

}  // namespace

ZeroShotResult evaluate_zero_shot(const quantcore::CausalLM& model, const quantcore::Tokenizer& tokenizer,
                                  const ZeroShotTask& task, const std::vector<ZeroShotItem>& items,
                                  const ZeroShotOptions& options, quantcore::ProgressSink& progress,
                                  const quantcore::CancelToken& cancel) {
  const int64_t count = options.limit ? std::min<int64_t>(*options.limit, static_cast<int64_t>(items.size()))
                                      : static_cast<int64_t>(items.size());
  if (count <= 0) throw quantcore::InputError(options.data_name, "holds no items to evaluate");
  ZeroShotResult r;
  r.task = task.name;
  r.count = count;
  r.max_length = options.max_length > 0 ? options.max_length : model.spec().max_position_embeddings;
  r.kernels = model.kernels();

  const auto start = std::chrono::steady_clock::now();
  std::vector<double> acc, acc_norm, logliks;
  progress.stage(task.name, count);
  for (int64_t i = 0; i < count; ++i) {
    cancel.throw_if_requested();
    const ZeroShotItem& item = items[static_cast<size_t>(i)];
    const std::vector<ContinuationScore> scores = score_continuations(
        model, encode_item(tokenizer, item, static_cast<size_t>(i), r.max_length, options.data_name), r.max_length);
    const ZeroShotItemOutcome outcome = judge_zero_shot_item(task, item, scores);
    acc.push_back(outcome.acc);
    if (outcome.acc_norm) acc_norm.push_back(*outcome.acc_norm);
    logliks.push_back(outcome.loglik);
    r.logliks.emplace_back();
    for (const ContinuationScore& s : scores) r.logliks.back().push_back(s.loglik);
    r.requests += static_cast<int64_t>(scores.size());
    progress.advance(i + 1);
  }
  progress.finish();

  r.acc = mean(acc);
  r.acc_stderr = mean_stderr(acc);
  if (task.has_acc_norm) {
    r.acc_norm = mean(acc_norm);
    r.acc_norm_stderr = mean_stderr(acc_norm);
  }
  if (task.metric == ZeroShotMetric::Greedy) r.perplexity = std::exp(-mean(logliks));  // lm-eval's perplexity
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace analysis
