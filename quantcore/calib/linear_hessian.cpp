#include "quantcore/calib/linear_hessian.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "observer_guard.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore {

HessianAccumulator::HessianAccumulator(int64_t in_features, HessianForm form) : in_features_(in_features), form_(form) {
  if (in_features <= 0) throw std::invalid_argument("HessianAccumulator: in_features must be positive");
}

void HessianAccumulator::add(const at::Tensor& input) {
  if (input.dim() < 2 || input.size(-1) != in_features_)
    throw std::invalid_argument("HessianAccumulator: input is not [.., L, " + std::to_string(in_features_) + "]");
  const int64_t batch = input.dim() == 2 ? 1 : input.numel() / (input.size(-2) * in_features_);
  const at::Tensor x = input.reshape({-1, in_features_}).to(at::kFloat);  // [tokens, in]
  const bool full = form_ == HessianForm::Full;
  if (!hessian_.defined())
    hessian_ = full ? at::zeros({in_features_, in_features_}, x.options()) : at::zeros({in_features_}, x.options());
  hessian_.mul_(static_cast<double>(sequences_) / static_cast<double>(sequences_ + batch));
  sequences_ += batch;
  const double alpha = 2.0 / static_cast<double>(sequences_);
  if (full)
    hessian_.addmm_(x.t(), x, /*beta=*/1.0, alpha);
  else
    hessian_.add_(x.pow(2).sum(0), alpha);
}

// Linears called with the same tensor share one accumulator, so q/k/v's H is accumulated once.
std::map<std::string, at::Tensor> collect_block_hessians(CausalLM& model, int64_t block, const at::Tensor& chain,
                                                         const CancelToken& cancel, HessianForm form) {
  std::map<std::string, std::shared_ptr<HessianAccumulator>> accumulators;
  std::map<std::string, bool> adds;  // false: this linear's input is an earlier linear's
  at::Tensor previous_input;
  std::shared_ptr<HessianAccumulator> previous;
  model.set_linear_input_observer([&](int64_t b, const std::string& name, const at::Tensor& x) {
    if (b != block) return;
    auto found = accumulators.find(name);
    if (found == accumulators.end()) {
      const bool shared = previous && previous_input.defined() && x.is_same(previous_input);
      auto acc = shared ? previous : std::make_shared<HessianAccumulator>(x.size(-1), form);
      found = accumulators.emplace(name, acc).first;
      adds[name] = !shared;
    }
    if (adds[name]) found->second->add(x);
    previous_input = x;
    previous = found->second;
  });
  detail::ObserverGuard guard{model};
  for (int64_t n = 0; n < chain.size(0); ++n) {
    cancel.throw_if_requested();
    model.block_forward(block, chain.select(0, n).unsqueeze(0).to(model.device()));
    previous_input = at::Tensor();  // inputs of one sample are never shared with the next's
  }
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, acc] : accumulators) out[name] = acc->hessian();
  return out;
}

CollectedHessian collect_linear_hessian(const CausalLM& model, const std::vector<std::vector<int32_t>>& windows,
                                        int64_t block, const std::string& linear, ProgressSink& progress,
                                        const CancelToken& cancel) {
  if (windows.empty()) throw std::invalid_argument("collect_linear_hessian: no windows");
  if (block < 0 || block >= model.num_blocks())
    throw std::out_of_range("collect_linear_hessian: no block " + std::to_string(block));
  int64_t in_features = -1;
  for (const LinearShape& l : block_linears(model.spec()))
    if (l.name == linear) in_features = l.in_features;
  if (in_features < 0) throw std::out_of_range("collect_linear_hessian: no linear " + linear);

  // The observer slot is per CausalLM object; a copy shares every weight tensor but has a slot
  // of its own, so calibration on the original can run at the same time.
  CausalLM tapped = model;
  HessianAccumulator acc(in_features);
  std::map<std::string, at::Tensor> first_inputs;  // block's linear inputs of the first window
  bool first_window = true;
  tapped.set_linear_input_observer([&](int64_t b, const std::string& name, const at::Tensor& x) {
    if (b != block) return;
    if (first_window) first_inputs[name] = x;
    if (name == linear) acc.add(x);
  });
  detail::ObserverGuard guard{tapped};

  c10::InferenceMode inference;
  CollectedHessian out;
  progress.stage("Hessian of block " + std::to_string(block) + " " + linear, static_cast<int64_t>(windows.size()));
  for (size_t n = 0; n < windows.size(); ++n) {
    cancel.throw_if_requested();
    const std::vector<int32_t>& w = windows[n];
    at::Tensor ids =
        at::from_blob(const_cast<int32_t*>(w.data()), {1, static_cast<int64_t>(w.size())}, at::kInt).to(at::kLong);
    at::Tensor h = tapped.embed(ids);
    for (int64_t b = 0; b <= block; ++b) h = tapped.block_forward(b, h);
    if (first_window) {
      // q/k/v (gate/up) are called with one tensor: they share this Hessian.
      const at::Tensor& mine = first_inputs.at(linear);
      for (const auto& [name, x] : first_inputs)
        if (x.is_same(mine)) out.linears.push_back(name);
      first_inputs.clear();
      first_window = false;
    }
    progress.advance(static_cast<int64_t>(n) + 1);
  }
  progress.finish();
  out.hessian = acc.hessian();
  return out;
}

}  // namespace quantcore
