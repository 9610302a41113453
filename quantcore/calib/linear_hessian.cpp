#include "quantcore/calib/linear_hessian.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <map>
#include <stdexcept>

#include "quantcore/model/causal_lm.h"

namespace quantcore {

HessianAccumulator::HessianAccumulator(int64_t in_features) : in_features_(in_features) {
  if (in_features <= 0) throw std::invalid_argument("HessianAccumulator: in_features must be positive");
}

void HessianAccumulator::add(const at::Tensor& input) {
  if (input.dim() < 2 || input.size(-1) != in_features_)
    throw std::invalid_argument("HessianAccumulator: input is not [.., L, " + std::to_string(in_features_) + "]");
  const int64_t batch = input.dim() == 2 ? 1 : input.numel() / (input.size(-2) * in_features_);
  const at::Tensor x = input.reshape({-1, in_features_}).to(at::kFloat);  // [tokens, in]
  if (!hessian_.defined()) hessian_ = at::zeros({in_features_, in_features_}, x.options());
  hessian_.mul_(static_cast<double>(sequences_) / static_cast<double>(sequences_ + batch));
  sequences_ += batch;
  hessian_.addmm_(x.t(), x, /*beta=*/1.0, /*alpha=*/2.0 / static_cast<double>(sequences_));
}

namespace {
struct ObserverGuard {
  CausalLM& model;
  ~ObserverGuard() { model.set_linear_input_observer({}); }
};
}  // namespace

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
  ObserverGuard guard{tapped};

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
