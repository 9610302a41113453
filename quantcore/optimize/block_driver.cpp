#include "quantcore/optimize/block_driver.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "quantcore/calib/linear_hessian.h"
#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore::optimize {

namespace {

// X0 = the embeddings of every window, [N, L, H] (§1.2).
at::Tensor embed_windows(const CausalLM& model, const std::vector<std::vector<int32_t>>& windows) {
  if (windows.empty()) throw std::invalid_argument("quantize_blocks: no calibration windows");
  const int64_t length = static_cast<int64_t>(windows.front().size());
  std::vector<int64_t> ids;
  ids.reserve(windows.size() * static_cast<size_t>(length));
  for (const auto& w : windows) {
    if (static_cast<int64_t>(w.size()) != length)
      throw std::invalid_argument("quantize_blocks: calibration windows differ in length");
    ids.insert(ids.end(), w.begin(), w.end());
  }
  at::Tensor t =
      at::tensor(at::ArrayRef<int64_t>(ids), at::kLong).reshape({static_cast<int64_t>(windows.size()), length});
  return model.embed(t);
}

// The block applied to every sample of a chain, one sample at a time (batch 1, as the reference),
// each sample computed on the model's device and stored where the chain lives.
at::Tensor block_on_chain(const CausalLM& model, int64_t block, const at::Tensor& chain, const CancelToken& cancel) {
  at::Tensor out = at::empty_like(chain);
  for (int64_t n = 0; n < chain.size(0); ++n) {
    cancel.throw_if_requested();
    at::Tensor x = chain.select(0, n).unsqueeze(0).to(model.device());
    out.select(0, n).copy_(model.block_forward(block, x).squeeze(0));
  }
  return out;
}

// The same, overwriting the chain sample by sample (each output depends on its own input only),
// so that propagating the quantised chain needs no fourth chain.
void block_on_chain_in_place(const CausalLM& model, int64_t block, at::Tensor& chain, const CancelToken& cancel) {
  for (int64_t n = 0; n < chain.size(0); ++n) {
    cancel.throw_if_requested();
    at::Tensor x = chain.select(0, n).unsqueeze(0).to(model.device());
    chain.select(0, n).copy_(model.block_forward(block, x).squeeze(0));
  }
}

// One block's original linear weights and input quantisation, put back when the guard ends (normally or not).
class RestoreBlock {
public:
  RestoreBlock(CausalLM& model, int64_t block) : model_(model), block_(block) {
    for (const LinearShape& s : block_linears(model.spec()))
      originals_.push_back({s.name, model.linear_weight(block, s.name), model.linear_input_quantization(block, s.name)});
  }
  ~RestoreBlock() {
    for (const Original& o : originals_) {
      model_.set_linear_weight(block_, o.name, o.weight);
      model_.set_linear_input_quantization(block_, o.name, o.input);
    }
  }

private:
  struct Original {
    std::string name;
    at::Tensor weight;
    InputQuantization input;
  };
  CausalLM& model_;
  int64_t block_;
  std::vector<Original> originals_;
};

}  // namespace

const char* chain_placement_name(ChainPlacement p) { return p == ChainPlacement::Host ? "host" : "device"; }

// §1.2: for each block, T1 (= next FP chain) and T2 from the FP block before its weights
// change, then the method, then the quantised chain through the quantised block.
methods::QuantizedModel quantize_blocks(CausalLM& model, const std::vector<std::vector<int32_t>>& windows,
                                        const ActivationStats* stats, const methods::MethodSettings& settings,
                                        ChainPlacement chains, OptimizationEvents& events, ProgressSink& progress,
                                        const CancelToken& cancel) {
  const methods::QuantMethod& method = settings.method();
  const methods::MethodNeeds needs = method.needs(settings);
  if (needs.activation_stats && !stats)
    throw std::invalid_argument("quantize_blocks: " + std::string(method.name()) + " needs activation statistics");
  // The quantised chain feeds the targets and the Hessians; the FP chain only T1.
  const bool use_chains = needs.calibration_chains() || needs.hessian || needs.hessian_diagonal;
  at::Tensor fp_chain, q_chain;
  if (use_chains) {
    at::NoGradGuard no_grad;  // not InferenceMode: the chains feed autograd-recorded forwards
    fp_chain = embed_windows(model, windows);
    if (chains == ChainPlacement::Host) fp_chain = fp_chain.to(at::kCPU);
    // The same values until block 0 is quantised. Sharing is safe: fp_chain is replaced by T1
    // (or dropped) before q_chain is first overwritten in place.
    q_chain = fp_chain;
    if (!needs.fp_target) fp_chain = at::Tensor();
  }
  const int64_t samples = use_chains ? q_chain.size(0) : 0;
  methods::QuantizedModel result;
  for (int64_t b = 0; b < model.num_blocks(); ++b) {
    progress.stage(std::string(method.name()) + " block " + std::to_string(b),
                   method.steps_per_block(settings, samples));
    RestoreBlock restore(model, b);
    methods::BlockTrainingData data;
    if (use_chains) {
      data.input = q_chain;
      // At most three chains are held at once (§1.2 memory plan): q_chain, T1 and T2.
      at::NoGradGuard no_grad;
      if (needs.fp_target) {
        data.fp_target = block_on_chain(model, b, fp_chain, cancel);  // T1: also the next FP chain
        fp_chain = at::Tensor();
      }
      if (needs.quantized_target) data.quantized_target = block_on_chain(model, b, q_chain, cancel);  // T2
      if (needs.hessian) data.hessians = collect_block_hessians(model, b, q_chain, cancel);
      if (needs.hessian_diagonal)
        data.hessian_diagonals = collect_block_hessians(model, b, q_chain, cancel, HessianForm::Diagonal);
    }
    methods::BlockContext ctx{model, b, data, stats, events, progress, cancel};
    result.blocks.push_back(method.quantize_block(ctx, settings));
    if (use_chains) {
      at::NoGradGuard no_grad;
      if (needs.fp_target) fp_chain = data.fp_target;
      data = methods::BlockTrainingData();
      block_on_chain_in_place(model, b, q_chain, cancel);  // §5.3: the quantised block's outputs
      if (!at::isfinite(q_chain).all().item<bool>())
        throw InputError("block " + std::to_string(b),
                         "the quantised block's outputs hold NaN or infinite values; the run stops");
    }
    progress.finish();
  }
  return result;
}

}  // namespace quantcore::optimize
