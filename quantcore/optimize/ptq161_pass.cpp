#include "quantcore/optimize/ptq161_pass.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "quantcore/model/causal_lm.h"

namespace quantcore {

namespace {

// X0 = the embeddings of every window, [N, L, H] (§1.2).
at::Tensor embed_windows(const CausalLM& model, const std::vector<std::vector<int32_t>>& windows) {
  if (windows.empty()) throw std::invalid_argument("run_ptq161: no calibration windows");
  const int64_t length = static_cast<int64_t>(windows.front().size());
  std::vector<int64_t> ids;
  ids.reserve(windows.size() * static_cast<size_t>(length));
  for (const auto& w : windows) {
    if (static_cast<int64_t>(w.size()) != length)
      throw std::invalid_argument("run_ptq161: calibration windows differ in length");
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

// Every block linear's original weight, put back unless released (cancellation, errors).
class RestoreModelOnExit {
public:
  explicit RestoreModelOnExit(CausalLM& model) : model_(model) {
    for (int64_t b = 0; b < model.num_blocks(); ++b)
      for (const LinearShape& s : block_linears(model.spec()))
        originals_.push_back({b, s.name, model.linear_weight(b, s.name)});
  }
  ~RestoreModelOnExit() {
    if (!armed_) return;
    for (const Original& o : originals_) model_.set_linear_weight(o.block, o.name, o.weight);
  }
  void release() { armed_ = false; }

private:
  struct Original {
    int64_t block;
    std::string name;
    at::Tensor weight;
  };
  CausalLM& model_;
  std::vector<Original> originals_;
  bool armed_ = true;
};

}  // namespace

// §1.2: for each block, T1 (= next FP chain) and T2 from the FP block before its weights
// change, then optimise + finalise, then propagate the quantised chain through the new block.
Ptq161Result run_ptq161(CausalLM& model, const std::vector<std::vector<int32_t>>& windows, const ActivationStats& stats,
                        const Ptq161Options& options, OptimizationEvents& events, ProgressSink& progress,
                        const CancelToken& cancel) {
  RestoreModelOnExit restore(model);
  at::Tensor fp_chain, q_chain;
  {
    at::NoGradGuard no_grad;  // not InferenceMode: the chains feed autograd-recorded forwards
    fp_chain = embed_windows(model, windows);
    if (options.chains == ChainPlacement::Host) fp_chain = fp_chain.to(at::kCPU);
    // The same values until block 0 is quantised. Sharing is safe: fp_chain is replaced by T1
    // before q_chain is first overwritten in place.
    q_chain = fp_chain;
  }
  const int64_t samples = fp_chain.size(0);
  Ptq161Result result;
  for (int64_t b = 0; b < model.num_blocks(); ++b) {
    progress.stage("PTQ1.61 block " + std::to_string(b), options.trains() ? options.epochs * samples : 0);
    BlockTrainingData data;
    data.input = q_chain;
    // At most three chains are held at once (§1.2 memory plan): q_chain, T1 and T2.
    {
      at::NoGradGuard no_grad;
      data.fp_target = block_on_chain(model, b, fp_chain, cancel);  // T1: also the next FP chain
      fp_chain = at::Tensor();
      if (options.trains() && options.loss.quantized_branch)
        data.quantized_target = block_on_chain(model, b, q_chain, cancel);  // T2
    }
    result.blocks.push_back(optimize_block(model, b, data, stats, options, events, progress, cancel));
    {
      at::NoGradGuard no_grad;
      fp_chain = data.fp_target;
      data = BlockTrainingData();
      block_on_chain_in_place(model, b, q_chain, cancel);  // §5.3: the quantised block's outputs
    }
    progress.finish();
  }
  restore.release();
  return result;
}

}  // namespace quantcore
