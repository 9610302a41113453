#include "analysis/zero_shot_metrics.h"

#include <cmath>
#include <stdexcept>

#include "analysis/zero_shot_text.h"

namespace analysis {

size_t first_argmax(const std::vector<double>& values) {
  if (values.empty()) throw std::invalid_argument("first_argmax of nothing");
  size_t best = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) return i;
    if (values[i] > values[best]) best = i;
  }
  return best;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return values.empty() ? NAN : sum / static_cast<double>(values.size());
}

std::optional<double> mean_stderr(const std::vector<double>& values) {
  if (values.size() < 2) return std::nullopt;
  const double mu = mean(values);
  double squares = 0;
  for (const double v : values) squares += (v - mu) * (v - mu);
  const double n = static_cast<double>(values.size());
  return std::sqrt(squares / (n - 1)) / std::sqrt(n);
}

ZeroShotItemOutcome judge_zero_shot_item(const ZeroShotTask& task, const ZeroShotItem& item,
                                         const std::vector<ContinuationScore>& scores) {
  if (scores.size() != item.requests.size() || scores.empty())
    throw std::invalid_argument("judge_zero_shot_item: one score per request expected");
  ZeroShotItemOutcome outcome;
  if (task.metric == ZeroShotMetric::Greedy) {
    outcome.acc = scores[static_cast<size_t>(item.gold)].greedy ? 1 : 0;
    outcome.loglik = scores[static_cast<size_t>(item.gold)].loglik;
    return outcome;
  }
  std::vector<double> logliks, normalised;
  for (size_t i = 0; i < scores.size(); ++i) {
    logliks.push_back(scores[i].loglik);
    // numpy's division: a choice of length 0 gives -inf (or NaN for a loglik of 0)
    normalised.push_back(scores[i].loglik / static_cast<double>(python_length(item.requests[i].choice)));
  }
  outcome.acc = static_cast<int64_t>(first_argmax(logliks)) == item.gold ? 1 : 0;
  if (task.has_acc_norm) outcome.acc_norm = static_cast<int64_t>(first_argmax(normalised)) == item.gold ? 1 : 0;
  return outcome;
}

}  // namespace analysis
