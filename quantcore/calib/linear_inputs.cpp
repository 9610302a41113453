#include "quantcore/calib/linear_inputs.h"

#include <ATen/ATen.h>

#include <vector>

#include "observer_guard.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore {

std::map<std::string, at::Tensor> collect_block_inputs(CausalLM& model, int64_t block, const at::Tensor& chain,
                                                       int64_t max_tokens, const CancelToken& cancel) {
  std::map<std::string, std::vector<at::Tensor>> parts;
  std::map<std::string, std::string> same_as;  // a linear fed the tensor an earlier one was fed
  std::string previous_name;
  at::Tensor previous_input;
  model.set_linear_input_observer([&](int64_t b, const std::string& name, const at::Tensor& x) {
    if (b != block) return;
    if (previous_input.defined() && x.is_same(previous_input)) {
      same_as.emplace(name, same_as.count(previous_name) ? same_as.at(previous_name) : previous_name);
    } else {
      parts[name].push_back(x.reshape({-1, x.size(-1)}).to(at::kFloat));
    }
    previous_name = name;
    previous_input = x;
  });
  detail::ObserverGuard guard{model};
  int64_t tokens = 0;
  for (int64_t n = 0; n < chain.size(0) && (n == 0 || tokens < max_tokens); ++n) {
    cancel.throw_if_requested();
    model.block_forward(block, chain.select(0, n).unsqueeze(0).to(model.device()));
    tokens += chain.size(1);
    previous_input = at::Tensor();
  }
  std::map<std::string, at::Tensor> out;
  for (auto& [name, list] : parts) out[name] = at::cat(list, 0);
  for (const auto& [name, first] : same_as) out[name] = out.at(first);
  return out;
}

}  // namespace quantcore
