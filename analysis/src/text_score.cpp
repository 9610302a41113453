#include "analysis/text_score.h"

#include <c10/core/InferenceMode.h>

#include "quantcore/io/errors.h"
#include "quantcore/model/causal_lm.h"
#include "token_batch.h"

namespace analysis {

TextScore score_tokens(const quantcore::CausalLM& model, const std::vector<int32_t>& ids) {
  if (ids.size() < 2) throw quantcore::InputError("--text", "needs at least two tokens to score");
  c10::InferenceMode inference;
  at::Tensor batch = token_batch(ids, 0, ids.size());
  at::Tensor logits = model.logits(batch).to(at::kFloat).cpu();

  TextScore s;
  s.ids = ids;
  s.mean_nll = sum_next_token_nll(logits, batch) / static_cast<double>(ids.size() - 1);
  auto [values, indices] = logits[0][static_cast<int64_t>(ids.size()) - 1].topk(5);
  for (int64_t k = 0; k < 5; ++k) {
    s.last_top5_ids.push_back(static_cast<int32_t>(indices[k].item<int64_t>()));
    s.last_top5_values.push_back(values[k].item<float>());
  }
  at::Tensor first = logits[0][0].narrow(0, 0, std::min<int64_t>(8, logits.size(2))).contiguous();
  s.pos0_first8.assign(first.data_ptr<float>(), first.data_ptr<float>() + first.numel());
  return s;
}

}  // namespace analysis
