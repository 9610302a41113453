// PTQ1.61 block-wise optimisation: the §5.1 loss on a hand-computed case, one optimiser step
// on a tiny in-memory model (changes alpha/r1/r2, bit-identical when repeated), and the whole
// pass (§1.2) on stories260K: it runs, every block's loss falls, cancellation restores weights.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "memory_weights.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/load_model.h"
#include "quantcore/methods/ptq161/block_loss.h"
#include "quantcore/methods/ptq161/block_optimizer.h"
#include "quantcore/methods/ptq161/method.h"
#include "quantcore/methods/ptq161/quantized.h"
#include "quantcore/optimize/block_driver.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

using quantcore::CausalLM;
using quantcore::LossEvent;
using quantcore::ModelSpec;
namespace methods = quantcore::methods;
using quantcore::methods::ptq161::Ptq161Options;

namespace {

at::Tensor floats(std::vector<float> v, std::vector<int64_t> shape) { return at::tensor(v, at::kFloat).reshape(shape); }

ModelSpec tiny_llama_spec() {
  ModelSpec s = quantlens_test::tiny_llama_spec(2);
  s.intermediate_size = 12;
  return s;
}

struct RecordedEvents : quantcore::OptimizationEvents {
  std::vector<LossEvent> events;
  std::function<void(const LossEvent&)> hook;
  void loss(const LossEvent& e) override {
    events.push_back(e);
    if (hook) hook(e);
  }
};

// Every block linear's weight, cloned.
std::map<std::pair<int64_t, std::string>, at::Tensor> linear_weights(const CausalLM& lm) {
  std::map<std::pair<int64_t, std::string>, at::Tensor> out;
  for (int64_t b = 0; b < lm.num_blocks(); ++b)
    for (const auto& l : quantcore::block_linears(lm.spec())) out[{b, l.name}] = lm.linear_weight(b, l.name).clone();
  return out;
}

}  // namespace

// ---- §5.1 loss -------------------------------------------------------------------------------

TEST(Ptq161Loss, HandComputedTerms) {
  at::Tensor yq = floats({1, 0, 0, 1}, {1, 2, 2});
  at::Tensor t1 = floats({1, 0, 1, 0}, {1, 2, 2});   // cos 1, 0 -> mean 0.5
  at::Tensor t2 = floats({-1, 0, 1, 1}, {1, 2, 2});  // cos -1, 1/sqrt2 -> mean < 0: |.| taken
  const double mse_fp = (0 + 0 + 1 + 1) / 4.0;
  const double mse_q = (4 + 0 + 1 + 0) / 4.0;
  const double nlc_fp = -std::log(0.5);
  const double nlc_q = -std::log(std::abs((-1.0 + 1.0 / std::sqrt(2.0)) / 2.0));

  auto both = quantcore::methods::ptq161::block_loss(yq, t1, t2, {});
  EXPECT_NEAR(both.values.mse_fp, mse_fp, 1e-6);
  EXPECT_NEAR(both.values.mse_q, mse_q, 1e-6);
  EXPECT_NEAR(both.values.nlc_fp, nlc_fp, 1e-6);
  EXPECT_NEAR(both.values.nlc_q, nlc_q, 1e-5);
  EXPECT_NEAR(both.values.total, mse_fp + mse_q + nlc_fp + nlc_q, 1e-5);
  EXPECT_NEAR(both.total.item<double>(), both.values.total, 1e-12);

  auto fp_only = quantcore::methods::ptq161::block_loss(yq, t1, at::Tensor(), {false, true});
  EXPECT_EQ(fp_only.values.mse_q, 0.0);
  EXPECT_EQ(fp_only.values.nlc_q, 0.0);
  EXPECT_NEAR(fp_only.values.total, mse_fp + nlc_fp, 1e-6);

  auto no_nlc = quantcore::methods::ptq161::block_loss(yq, t1, t2, {true, false});
  EXPECT_EQ(no_nlc.values.nlc_fp, 0.0);
  EXPECT_NEAR(no_nlc.values.total, mse_fp + mse_q, 1e-6);
}

TEST(Ptq161Loss, PaperL2DistanceReplacesTheMse) {
  at::Tensor yq = floats({1, 0, 0, 1}, {1, 2, 2});
  at::Tensor t1 = floats({1, 0, 1, 0}, {1, 2, 2});
  at::Tensor t2 = floats({-1, 0, 1, 1}, {1, 2, 2});
  quantcore::methods::ptq161::LossSwitches paper;
  paper.l2_distance = true;  // spec §11 D3: ||Yq - T||_2 over every element
  auto l2 = quantcore::methods::ptq161::block_loss(yq, t1, t2, paper);
  EXPECT_NEAR(l2.values.mse_fp, std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(l2.values.mse_q, std::sqrt(5.0), 1e-6);
  EXPECT_NEAR(l2.values.nlc_fp, -std::log(0.5), 1e-6);
}

TEST(Ptq161Loss, GradientReachesTheQuantisedOutput) {
  at::Tensor yq = floats({1, 0.5f, -0.25f, 1}, {1, 2, 2}).set_requires_grad(true);
  at::Tensor t1 = floats({1, 0, 1, 0}, {1, 2, 2});
  quantcore::methods::ptq161::block_loss(yq, t1, t1, {}).total.backward();
  ASSERT_TRUE(yq.grad().defined());
  EXPECT_GT(yq.grad().abs().sum().item<double>(), 0.0);
}

// ---- §5.2 one optimiser step on a tiny model -------------------------------------------------

namespace {

struct OneStep {
  quantcore::methods::ptq161::BlockQuantization result;
  at::Tensor final_weight;
};

OneStep one_step(const ModelSpec& spec) {
  quantlens_test::MemoryWeights weights(spec, 7);
  CausalLM lm(spec, weights, {"cpu", "fp32"});
  const std::vector<std::vector<int32_t>> windows{{1, 4, 7, 2, 9, 3}};
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  const auto stats = quantcore::collect_activation_stats(lm, windows, progress, cancel);
  quantcore::methods::BlockTrainingData data;
  {
    at::NoGradGuard no_grad;
    data.input = lm.embed(at::tensor(std::vector<int64_t>{1, 4, 7, 2, 9, 3}).reshape({1, 6}));
    data.fp_target = lm.block_forward(0, data.input) * 1.1;
    data.quantized_target = lm.block_forward(0, data.input);
  }
  Ptq161Options options;
  options.epochs = 1;  // one sample, one epoch: exactly one step
  options.salient_ratio = 0.25;
  RecordedEvents events;
  OneStep out;
  out.result = quantcore::methods::ptq161::optimize_block(lm, 0, data, stats, options, events, progress, cancel);
  EXPECT_EQ(events.events.size(), 1u);
  out.final_weight = lm.linear_weight(0, "self_attn.q_proj").clone();
  return out;
}

}  // namespace

TEST(Ptq161BlockOptimizer, OneStepMovesEveryParameterAndRepeatsBitIdentically) {
  const ModelSpec spec = tiny_llama_spec();
  const OneStep a = one_step(spec);
  const OneStep b = one_step(spec);
  ASSERT_EQ(a.result.linears.size(), quantcore::block_linears(spec).size());
  for (size_t k = 0; k < a.result.linears.size(); ++k) {
    const auto& la = a.result.linears[k];
    const auto& lb = b.result.linears[k];
    SCOPED_TRACE(la.name);
    // Adam's first step moves every parameter with a non-zero gradient by ~lr.
    EXPECT_GT((la.r1 - 1).abs().max().item<double>(), 1e-4);
    EXPECT_GT((la.r2 - 1).abs().max().item<double>(), 1e-4);
    EXPECT_FALSE(la.mask.any().item<bool>() && la.mask.all().item<bool>());
    EXPECT_TRUE(at::equal(la.alpha, lb.alpha));
    EXPECT_TRUE(at::equal(la.r1, lb.r1));
    EXPECT_TRUE(at::equal(la.r2, lb.r2));
    EXPECT_FALSE(la.alpha.requires_grad());
  }
  EXPECT_TRUE(at::equal(a.final_weight, b.final_weight));
  // alpha moved too (it starts at the analytic mean |W|, so compare with a fresh init).
  quantlens_test::MemoryWeights weights(spec, 7);
  CausalLM lm(spec, weights, {"cpu", "fp32"});
  const auto& q = a.result.linears[0];
  at::Tensor w = lm.linear_weight(0, q.name);
  at::Tensor analytic = quantcore::methods::ptq161::init_binarization(w, q.mask).alpha;
  EXPECT_GT((q.alpha - analytic).abs().max().item<double>(), 1e-5);
}

// ---- §1.2 the whole pass on stories260K ------------------------------------------------------

namespace {

struct Stories {
  quantcore::Checkpoint checkpoint;
  std::shared_ptr<CausalLM> lm;
  std::vector<std::vector<int32_t>> windows;
  quantcore::ActivationStats stats;
};

Stories load_stories() {
  Stories s;
  s.checkpoint = quantcore::open_checkpoint(quantlens_test::data_path("stories260K/stories260K.bin"));
  s.lm = quantcore::load_causal_lm(s.checkpoint, {"cpu", "fp32"});
  const std::vector<int32_t> ids =
      quantcore::load_tokenizer(s.checkpoint.tokenizer_path)
          ->encode(quantlens_test::read_text(quantlens_test::data_path("house-corpus/valid.txt")).substr(0, 8000));
  s.windows = quantcore::calibration_windows(ids, {4, 64, 2});
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  s.stats = quantcore::collect_activation_stats(*s.lm, s.windows, progress, cancel);
  return s;
}

}  // namespace

methods::QuantizedModel run_pass(Stories& s, const Ptq161Options& options, quantcore::OptimizationEvents& events,
                                 const quantcore::CancelToken& cancel) {
  quantcore::NullProgress progress;
  return quantcore::optimize::quantize_blocks(*s.lm, s.windows, &s.stats,
                                              quantcore::methods::ptq161::settings_from(options),
                                              quantcore::optimize::ChainPlacement::Device, events, progress, cancel);
}

const quantcore::methods::ptq161::LinearQuantization& ptq161_of(const methods::QuantizedLinear& l) {
  return dynamic_cast<const quantcore::methods::ptq161::Ptq161Linear&>(l).quantization();
}

at::Tensor dequantized(const methods::QuantizedLinear& l) {
  std::vector<uint16_t> w = l.dequantize_f16();
  return at::from_blob(w.data(), {l.out_features(), l.in_features()}, at::kHalf).to(at::kFloat);
}

TEST(Ptq161Pass, Stories260KEveryBlockLearnsAndTheModelStaysUnchanged) {
  Stories s = load_stories();
  const auto before = linear_weights(*s.lm);
  Ptq161Options options;
  options.epochs = 3;
  RecordedEvents events;
  quantcore::CancelToken cancel;
  const auto result = run_pass(s, options, events, cancel);

  const int64_t blocks = s.lm->num_blocks();
  ASSERT_EQ(static_cast<int64_t>(result.blocks.size()), blocks);
  ASSERT_EQ(static_cast<int64_t>(events.events.size()), blocks * options.epochs * 4);
  for (int64_t b = 0; b < blocks; ++b) {
    double first = 0, last = 0;
    for (const LossEvent& e : events.events) {
      if (e.block != b) continue;
      EXPECT_TRUE(std::isfinite(e.loss.total));
      if (e.epoch == 0) first += e.loss.total;
      if (e.epoch == options.epochs - 1) last += e.loss.total;
    }
    EXPECT_LT(last, first) << "block " << b;
  }
  // The model keeps W; the result's stored forms dequantise to W' != W.
  for (const auto& [key, w] : before) {
    EXPECT_TRUE(at::equal(w, s.lm->linear_weight(key.first, key.second))) << key.first << " " << key.second;
    EXPECT_FALSE(at::equal(w, dequantized(result.linear(key.first, key.second)))) << key.first << " " << key.second;
  }
}

TEST(Ptq161Pass, CancellationRestoresTheOriginalWeights) {
  Stories s = load_stories();
  const auto before = linear_weights(*s.lm);
  Ptq161Options options;
  options.epochs = 2;
  quantcore::CancelToken cancel;
  RecordedEvents events;
  events.hook = [&](const LossEvent& e) {
    if (e.block == 1 && e.epoch == 1) cancel.request();  // block 0 is already finalised
  };
  EXPECT_THROW(run_pass(s, options, events, cancel), quantcore::Cancelled);
  for (const auto& [key, w] : before)
    EXPECT_TRUE(at::equal(w, s.lm->linear_weight(key.first, key.second))) << key.first << " " << key.second;
}

TEST(Ptq161Pass, AnalyticModeTakesNoStepsAndStillQuantises) {
  Stories s = load_stories();
  Ptq161Options options;
  options.learn = false;
  options.mask_statistic = quantcore::methods::ptq161::MaskStatistic::None;
  RecordedEvents events;
  quantcore::CancelToken cancel;
  const auto result = run_pass(s, options, events, cancel);
  EXPECT_TRUE(events.events.empty());
  for (const auto& block : result.blocks)
    for (const auto& l : block.linears) {
      const auto& q = ptq161_of(*l);
      EXPECT_FALSE(q.mask.any().item<bool>());
      EXPECT_TRUE(at::equal(q.r1, at::ones_like(q.r1)));
      // Without salient columns each row holds at most two distinct values (mu +- alpha).
      at::Tensor w = dequantized(*l);
      EXPECT_LE(std::get<0>(at::_unique(w.select(0, 0))).numel(), 2);
    }
}
