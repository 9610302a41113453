#include "analysis/zero_shot_scoring.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <stdexcept>

#include "quantcore/model/causal_lm.h"
#include "token_batch.h"

namespace analysis {

namespace {

// One request as the model sees it: position first_scored + k of `ids` predicts targets[k], for
// every k of the continuation.
struct ModelInput {
  std::vector<int32_t> ids;
  size_t first_scored = 0;
  const std::vector<int32_t>* targets = nullptr;
};

ModelInput model_input(const ZeroShotTokens& r, int64_t max_length) {
  if (r.continuation.empty()) throw std::invalid_argument("score_continuations: empty continuation");
  if (r.context.empty()) throw std::invalid_argument("score_continuations: empty context");
  if (static_cast<int64_t>(r.continuation.size()) > max_length)
    throw std::invalid_argument("score_continuations: continuation longer than the model's context");
  std::vector<int32_t> all = r.context;
  all.insert(all.end(), r.continuation.begin(), r.continuation.end());
  const size_t keep = std::min(all.size(), static_cast<size_t>(max_length) + 1);  // truncated from the left
  ModelInput in;
  in.ids.assign(all.end() - static_cast<std::ptrdiff_t>(keep), all.end() - 1);
  in.first_scored = in.ids.size() - r.continuation.size();
  in.targets = &r.continuation;
  return in;
}

size_t shared_prefix(const std::vector<ModelInput>& inputs) {
  size_t n = inputs.front().ids.size();
  for (const ModelInput& in : inputs) {
    n = std::min(n, in.ids.size());
    n = static_cast<size_t>(
        std::mismatch(in.ids.begin(), in.ids.begin() + static_cast<std::ptrdiff_t>(n), inputs.front().ids.begin())
            .first -
        in.ids.begin());
  }
  return n;
}

// Adds to `score` the positions [from, to) of `logits` ([T, V], row r = absolute position
// offset + r), each predicting targets[position - first_scored].
void accumulate(const at::Tensor& logits, int64_t offset, size_t from, size_t to, const ModelInput& in,
                ContinuationScore& score) {
  if (from >= to) return;
  at::Tensor rows =
      logits.narrow(0, static_cast<int64_t>(from) - offset, static_cast<int64_t>(to - from)).to(at::kFloat);
  std::vector<int64_t> wanted(in.targets->begin() + static_cast<std::ptrdiff_t>(from - in.first_scored),
                              in.targets->begin() + static_cast<std::ptrdiff_t>(to - in.first_scored));
  at::Tensor targets = at::tensor(wanted, at::kLong).to(rows.device()).unsqueeze(1);
  score.loglik += at::log_softmax(rows, -1).gather(1, targets).to(at::kDouble).sum().item<double>();
  score.greedy = score.greedy && rows.argmax(-1).unsqueeze(1).eq(targets).all().item<bool>();
}

}  // namespace

std::vector<ContinuationScore> score_continuations(const quantcore::CausalLM& model,
                                                   const std::vector<ZeroShotTokens>& requests, int64_t max_length) {
  if (requests.empty()) return {};
  std::vector<ModelInput> inputs;
  for (const ZeroShotTokens& r : requests) inputs.push_back(model_input(r, max_length));
  std::vector<ContinuationScore> scores(requests.size(), ContinuationScore{0, true});

  c10::InferenceMode inference;
  const size_t shared = shared_prefix(inputs);
  quantcore::KVCache cache;
  if (shared > 0) {
    at::Tensor logits = model.logits(token_batch(inputs.front().ids, 0, shared), &cache)[0];
    for (size_t i = 0; i < inputs.size(); ++i)
      accumulate(logits, 0, inputs[i].first_scored, std::min(shared, inputs[i].ids.size()), inputs[i], scores[i]);
  }

  std::vector<size_t> rest;  // requests with positions beyond the shared prefix
  size_t longest = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].ids.size() > shared) {
      rest.push_back(i);
      longest = std::max(longest, inputs[i].ids.size() - shared);
    }
  }
  if (rest.empty()) return scores;

  // Right padding: the causal mask keeps the pad positions out of every real position.
  std::vector<int64_t> batch(rest.size() * longest, 0);
  for (size_t b = 0; b < rest.size(); ++b) {
    const std::vector<int32_t>& ids = inputs[rest[b]].ids;
    std::copy(ids.begin() + static_cast<std::ptrdiff_t>(shared), ids.end(),
              batch.begin() + static_cast<std::ptrdiff_t>(b * longest));
  }
  at::Tensor tokens =
      at::tensor(batch, at::kLong).view({static_cast<int64_t>(rest.size()), static_cast<int64_t>(longest)});
  quantcore::KVCache expanded;
  if (shared > 0) {
    for (size_t l = 0; l < cache.keys.size(); ++l) {
      expanded.keys.push_back(cache.keys[l].expand({tokens.size(0), -1, -1, -1}));
      expanded.values.push_back(cache.values[l].expand({tokens.size(0), -1, -1, -1}));
    }
    expanded.length = cache.length;
  }
  at::Tensor logits = model.logits(tokens.to(model.device()), shared > 0 ? &expanded : nullptr);
  for (size_t b = 0; b < rest.size(); ++b) {
    const ModelInput& in = inputs[rest[b]];
    accumulate(logits[static_cast<int64_t>(b)], static_cast<int64_t>(shared), std::max(shared, in.first_scored),
               in.ids.size(), in, scores[rest[b]]);
  }
  return scores;
}

}  // namespace analysis
