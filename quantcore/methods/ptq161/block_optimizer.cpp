#include "quantcore/methods/ptq161/block_optimizer.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/optim/adamw.h>

#include <cmath>
#include <memory>
#include <utility>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/errors.h"
#include "quantcore/kernels/fused/w_rebuild.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/methods/ptq161/block_loss.h"
#include "quantcore/methods/ptq161/stored_linear.h"

namespace quantcore::methods::ptq161 {

namespace {

// One linear during training: the frozen pieces and the learnable leaves (fp32 masters).
struct TrainableLinear {
  std::string name;
  at::Tensor weight;  // the original W, fp32
  at::Tensor mask;
  at::Tensor salient_dequantized;
  ptq161::SalientQuantization salient;
  at::Tensor mean, alpha, r1, r2;

  // One of the two is set: the fused layout when options.fused_ops and fused_rebuild_enabled
  // (fp32 on the CPU, or on a GPU with the CUDA kernels when opted in), the ATen reference's otherwise.
  ptq161::FrozenBinarization frozen;
  kernels::fused::FusedBinarization fused;

  at::Tensor dequantized() const {
    if (fused.signs.defined()) return kernels::fused::rebuild_weight(fused, alpha, r1, r2);
    return ptq161::dequantized_weight(frozen, alpha, r1, r2);
  }
};

// §2.1/§2.2: the salient input channels from the chosen statistic; MaskStatistic::None -> none.
at::Tensor channel_mask(const ActivationStats& stats, int64_t block, const std::string& name, int64_t in_features,
                        const Ptq161Options& options) {
  if (options.mask_statistic == MaskStatistic::None) return at::zeros({in_features}, at::kBool);
  const LinearInputStats& s = stats.at(block, name);
  const std::vector<float>& v = options.mask_statistic == MaskStatistic::MaxAbs ? s.max_abs : s.mean_abs;
  at::Tensor statistic = at::tensor(at::ArrayRef<float>(v), at::kFloat);
  return ptq161::salient_channel_mask(statistic, options.salient_ratio);
}

TrainableLinear init_linear(const CausalLM& model, int64_t block, const LinearShape& shape,
                            const ActivationStats& stats, const Ptq161Options& options) {
  TrainableLinear l;
  l.name = shape.name;
  l.weight = model.linear_weight(block, shape.name).detach().to(at::kFloat);
  l.mask = channel_mask(stats, block, shape.name, shape.in_features, options).to(l.weight.device());
  l.salient = ptq161::quantize_salient(l.weight, options.salient_bits);  // §3
  l.salient_dequantized = l.salient.dequantized;
  ptq161::BinarizationVariant variant;
  variant.subtract_mean = !options.paper.no_mean;
  variant.alpha_over_nonzero = !options.paper.alpha_all;
  ptq161::BinarizationParams p = ptq161::init_binarization(l.weight, l.mask, variant);  // §4.1
  l.mean = p.mean;
  l.alpha = p.alpha.clone().set_requires_grad(true);
  l.r1 = p.r1.clone().set_requires_grad(true);
  l.r2 = p.r2.clone().set_requires_grad(true);
  if (options.fused_ops && kernels::fused::fused_rebuild_enabled(l.weight))
    l.fused = kernels::fused::fuse_binarization(l.weight, l.mask, l.salient_dequantized, l.mean);
  else
    l.frozen = ptq161::freeze_binarization(l.weight, l.mask, l.salient_dequantized, l.mean);
  l.salient_dequantized = l.salient.dequantized = at::Tensor();  // held as frozen.high from here on
  return l;
}

// Puts the block's original weights back unless released (cancellation, errors).
class RestoreOnExit {
public:
  RestoreOnExit(CausalLM& model, int64_t block, const std::vector<LinearShape>& linears)
      : model_(model), block_(block) {
    for (const LinearShape& s : linears) originals_.emplace_back(s.name, model.linear_weight(block, s.name));
  }
  ~RestoreOnExit() {
    if (!armed_) return;
    for (auto& [name, w] : originals_) model_.set_linear_weight(block_, name, w);
  }
  void release() { armed_ = false; }

private:
  CausalLM& model_;
  int64_t block_;
  std::vector<std::pair<std::string, at::Tensor>> originals_;
  bool armed_ = true;
};

// §5.2: AdamW, alpha at lr_alpha, r1/r2 at lr_r, weight decay 0, betas (0.9, 0.999), eps 1e-8.
torch::optim::AdamW make_optimizer(const std::vector<TrainableLinear>& linears, const Ptq161Options& options) {
  std::vector<at::Tensor> alphas, rotations;
  for (const TrainableLinear& l : linears) {
    alphas.push_back(l.alpha);
    rotations.push_back(l.r1);
    rotations.push_back(l.r2);
  }
  auto group_options = [](double lr) {
    auto o = std::make_unique<torch::optim::AdamWOptions>(lr);
    o->betas(std::make_tuple(0.9, 0.999)).eps(1e-8).weight_decay(0.0).amsgrad(false);
    return o;
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(alphas, group_options(options.lr_alpha));
  groups.emplace_back(rotations, group_options(options.lr_r));
  return torch::optim::AdamW(std::move(groups), *group_options(options.lr_alpha));
}

void train(CausalLM& model, int64_t block, std::vector<TrainableLinear>& linears, const BlockTrainingData& data,
           const Ptq161Options& options, OptimizationEvents& events, ProgressSink& progress,
           const CancelToken& cancel) {
  torch::optim::AdamW optimizer = make_optimizer(linears, options);
  const int64_t samples = data.input.size(0);
  int64_t done = 0;
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    for (int64_t n = 0; n < samples; ++n) {
      cancel.throw_if_requested();
      // §4.3: W' rebuilt from the frozen W for every linear before each forward.
      for (const TrainableLinear& l : linears) model.set_linear_weight(block, l.name, l.dequantized());
      // Chains may live in host memory (ChainPlacement::Host): one sample moves to the device.
      auto sample = [&](const at::Tensor& chain) { return chain.select(0, n).unsqueeze(0).to(model.device()); };
      at::Tensor yq = model.block_forward(block, sample(data.input));
      at::Tensor t2 = options.loss.quantized_branch ? sample(data.quantized_target) : at::Tensor();
      BlockLoss loss = block_loss(yq, sample(data.fp_target), t2, options.loss);
      if (!std::isfinite(loss.values.total))
        throw InputError("block " + std::to_string(block), "the loss is " + std::to_string(loss.values.total) +
                                                               " at epoch " + std::to_string(epoch) + ", step " +
                                                               std::to_string(n) + "; the run stops (a learning rate "
                                                               "too large for these weights?)");
      optimizer.zero_grad();
      loss.total.backward();
      optimizer.step();
      events.loss(LossEvent{block, epoch, n, loss.values});
      progress.advance(++done);
    }
  }
}

// §4.3: the reference writes W' once in fp32, then casts the block to fp16. Here W' comes from
// the stored form (vectors rounded to options.vector_dtype), so what the model holds is exactly
// what a packed checkpoint dequantises to.
LinearQuantization finalize(CausalLM& model, int64_t block, const TrainableLinear& l, const Ptq161Options& options) {
  at::NoGradGuard no_grad;
  LinearQuantization q;
  q.name = l.name;
  q.mask = l.mask;
  q.mean = l.mean;
  q.alpha = l.alpha.detach().clone();
  q.r1 = l.r1.detach().clone();
  q.r2 = l.r2.detach().clone();
  q.scale = l.salient.scale;
  q.zero = l.salient.zero;
  q.codes = l.salient.codes;
  q.signs = (l.weight - l.mean).ge(0);
  q.stored = stored_linear(q, options.salient_bits, options.vector_dtype);
  std::vector<uint16_t> w = dequantize_f16(q.stored);
  at::Tensor dense = at::from_blob(w.data(), {q.stored.out_features, q.stored.in_features}, at::kHalf).clone();
  model.set_linear_weight(block, l.name, dense);
  return q;
}

}  // namespace

BlockQuantization optimize_block(CausalLM& model, int64_t block, const BlockTrainingData& data,
                                 const ActivationStats& stats, const Ptq161Options& options, OptimizationEvents& events,
                                 ProgressSink& progress, const CancelToken& cancel) {
  const std::vector<LinearShape> shapes = block_linears(model.spec());
  RestoreOnExit restore(model, block, shapes);
  std::vector<TrainableLinear> linears;
  for (const LinearShape& s : shapes) linears.push_back(init_linear(model, block, s, stats, options));
  if (options.trains()) train(model, block, linears, data, options, events, progress, cancel);
  cancel.throw_if_requested();

  BlockQuantization result;
  result.block = block;
  for (const TrainableLinear& l : linears) result.linears.push_back(finalize(model, block, l, options));
  restore.release();
  return result;
}

}  // namespace quantcore::methods::ptq161
