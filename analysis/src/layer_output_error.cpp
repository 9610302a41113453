#include "analysis/layer_output_error.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <stdexcept>

#include "quantcore/calib/linear_hessian.h"
#include "quantcore/calib/linear_inputs.h"
#include "quantcore/methods/quantized_linear.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/input_quantization_op.h"

namespace analysis {

namespace {
at::Tensor chain_of(const quantcore::CausalLM& model, const std::vector<std::vector<int32_t>>& windows) {
  std::vector<at::Tensor> rows;
  for (const auto& w : windows) {
    const at::Tensor ids = at::tensor(at::ArrayRef<int32_t>(w), at::kInt).to(at::kLong).unsqueeze(0);
    rows.push_back(model.embed(ids));
  }
  return at::cat(rows, 0);
}

// tr(A H Aᵀ) in float64.
double quadratic_trace(const at::Tensor& a, const at::Tensor& h) { return (a.mm(h) * a).sum().item<double>(); }
}  // namespace

std::vector<LayerOutputError> layer_output_errors(const quantcore::CausalLM& fp_model,
                                                  const quantcore::methods::QuantizedModel& quantized,
                                                  const std::vector<std::vector<int32_t>>& windows,
                                                  quantcore::ProgressSink& progress,
                                                  const quantcore::CancelToken& cancel) {
  if (windows.empty()) throw std::invalid_argument("layer_output_errors: no windows");
  c10::InferenceMode inference;
  quantcore::CausalLM tapped = fp_model;  // the observer slot is per object
  at::Tensor chain = chain_of(tapped, windows);
  std::vector<LayerOutputError> out;
  progress.stage("Per-layer output errors", static_cast<int64_t>(quantized.blocks.size()));
  for (const quantcore::methods::QuantizedBlock& b : quantized.blocks) {
    cancel.throw_if_requested();
    bool inputs_quantised = false, weights_only = false;
    for (const auto& l : b.linears) (l->input_quantization().enabled() ? inputs_quantised : weights_only) = true;
    // Weight-only forms through H; forms that quantise their input by the product's error,
    // ‖XWᵀ − Q(X)W′ᵀ‖, on X itself. Each block collects only what its forms need.
    using Tensors = std::map<std::string, at::Tensor>;
    const Tensors hessians =
        weights_only ? quantcore::collect_block_hessians(tapped, b.block, chain, cancel) : Tensors();
    const Tensors inputs = inputs_quantised ? quantcore::collect_block_inputs(
                                                  tapped, b.block, chain, std::numeric_limits<int64_t>::max(), cancel)
                                            : Tensors();
    for (const auto& l : b.linears) {
      const at::Tensor w = tapped.linear_weight(b.block, l->linear()).to(at::kDouble);
      std::vector<uint16_t> half = l->dequantize_f16();
      const at::Tensor wq =
          at::from_blob(half.data(), {l->out_features(), l->in_features()}, at::kHalf).to(w.device(), at::kDouble);
      const quantcore::InputQuantization input = l->input_quantization();
      if (input.enabled()) {
        const at::Tensor x = inputs.at(l->linear());
        const at::Tensor s = input.smoothing.empty()
                                 ? at::Tensor()
                                 : at::tensor(at::ArrayRef<float>(input.smoothing), at::kFloat).to(x.device());
        const at::Tensor y = x.to(at::kDouble).mm(w.t());
        const at::Tensor yq = quantcore::fake_quantize_input(x, input.bits, s).to(at::kDouble).mm(wq.t());
        const double reference = y.norm().item<double>();
        out.push_back({b.block, l->linear(), reference > 0 ? (y - yq).norm().item<double>() / reference : 0.0});
        continue;
      }
      const at::Tensor h = hessians.at(l->linear()).to(at::kDouble);
      const double reference = quadratic_trace(w, h);
      out.push_back({b.block, l->linear(), reference > 0 ? std::sqrt(quadratic_trace(w - wq, h) / reference) : 0.0});
    }
    for (int64_t n = 0; n < chain.size(0); ++n)
      chain.select(0, n).copy_(tapped.block_forward(b.block, chain.select(0, n).unsqueeze(0)).squeeze(0));
    progress.advance(b.block + 1);
  }
  progress.finish();
  return out;
}

}  // namespace analysis
