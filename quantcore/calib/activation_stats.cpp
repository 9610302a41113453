#include "quantcore/calib/activation_stats.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <stdexcept>
#include <tuple>

#include "quantcore/kernels/fused/abs_stats.h"
#include "observer_guard.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/tensor_from_view.h"

namespace quantcore {

const LinearInputStats& ActivationStats::at(int64_t block, const std::string& linear) const {
  auto it = linears.find({block, linear});
  if (it == linears.end()) throw std::out_of_range("no statistics for block " + std::to_string(block) + " " + linear);
  return it->second;
}

namespace {

// Running max and sum of |x| per input channel of one linear, on the model's device.
struct Accumulator {
  at::Tensor max_abs;  // float32 [in]
  at::Tensor sum_abs;  // float64 [in]
};

}  // namespace

ActivationStats collect_activation_stats(CausalLM& model, const std::vector<std::vector<int32_t>>& windows,
                                         ProgressSink& progress, const CancelToken& cancel) {
  if (windows.empty()) throw std::invalid_argument("collect_activation_stats: no windows");
  std::map<std::pair<int64_t, std::string>, Accumulator> acc;
  // q/k/v and gate/up receive the same tensor one after another: reduce it once.
  at::Tensor last_input, last_max, last_sum;
  int64_t tokens = 0;
  const bool fused = model.fused_ops();

  model.set_linear_input_observer([&](int64_t block, const std::string& linear, const at::Tensor& x) {
    if (!x.is_same(last_input)) {
      last_input = x;
      if (fused && kernels::fused::abs_stats_enabled(x)) {
        std::tie(last_max, last_sum) = kernels::fused::abs_max_and_sum(x);  // one read of x
      } else {
        // |x| is exact in the compute dtype; the max is taken there and widened (as the
        // reference does in fp16), the sum is accumulated in float64.
        at::Tensor a = x.abs().reshape({-1, x.size(-1)});
        last_max = std::get<0>(a.max(0)).to(at::kFloat);
        last_sum = a.sum(0, /*keepdim=*/false, at::kDouble);
      }
    }
    auto [it, fresh] = acc.try_emplace({block, linear});
    if (fresh) {
      it->second = {last_max.clone(), last_sum.clone()};
    } else {
      it->second.max_abs = at::maximum(it->second.max_abs, last_max);
      it->second.sum_abs += last_sum;
    }
  });
  detail::ObserverGuard guard{model};

  c10::InferenceMode inference;
  progress.stage("activation statistics", static_cast<int64_t>(windows.size()));
  for (size_t n = 0; n < windows.size(); ++n) {
    cancel.throw_if_requested();
    const std::vector<int32_t>& w = windows[n];
    at::Tensor ids =
        at::from_blob(const_cast<int32_t*>(w.data()), {1, static_cast<int64_t>(w.size())}, at::kInt).to(at::kLong);
    at::Tensor h = model.embed(ids);
    for (int64_t b = 0; b < model.num_blocks(); ++b) h = model.block_forward(b, h);
    last_input = at::Tensor();  // release the last activation
    tokens += static_cast<int64_t>(w.size());
    progress.advance(static_cast<int64_t>(n) + 1);
  }
  progress.finish();

  ActivationStats stats;
  stats.tokens = tokens;
  for (auto& [key, a] : acc) {
    LinearInputStats& s = stats.linears[key];
    s.max_abs = host_floats(a.max_abs);
    s.mean_abs = host_floats(a.sum_abs / static_cast<double>(tokens));
  }
  return stats;
}

}  // namespace quantcore
