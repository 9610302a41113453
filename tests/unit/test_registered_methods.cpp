// Every registered method through the one quantize job on stories260K: the model the run
// started from is unchanged, every linear's stored bits are what the method declares, the
// writers' bits report agrees, and the quantised model has a finite perplexity.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "analysis/run_perplexity.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/methods/registry.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/quantize/quantize_job.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace qm = quantcore::methods;
namespace qq = quantcore::quantize;

namespace {

std::vector<const qm::QuantMethod*> methods() {
  const auto all = qm::registered_methods();
  return {all.begin(), all.end()};
}

class EveryMethod : public ::testing::TestWithParam<const qm::QuantMethod*> {};

TEST_P(EveryMethod, QuantisesStories260KWithItsDeclaredBitsAndAFinitePerplexity) {
  const qm::QuantMethod& method = *GetParam();
  const qq::OpenModel open = qq::open_model(quantlens_test::data_path("stories260K/stories260K.bin").string());
  const std::string text = quantlens_test::data_path("house-corpus/valid.txt").string();
  qq::QuantizeSettings settings{qm::MethodSettings(method)};
  settings.calib = text;
  settings.calibration = {4, 64, 2};
  const at::Tensor before = open.model->linear_weight(1, "mlp.down_proj").clone();

  quantcore::NullOptimizationEvents events;
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  const qq::QuantizeResult run = qq::quantize(open, nullptr, settings, {false, std::nullopt}, events, progress, cancel);

  EXPECT_TRUE(at::equal(before, open.model->linear_weight(1, "mlp.down_proj")));
  ASSERT_EQ(static_cast<int64_t>(run.quantized->blocks.size()), open.model->num_blocks());
  double stored = 0, weights = 0;
  for (const qm::QuantizedBlock& b : run.quantized->blocks) {
    ASSERT_EQ(b.linears.size(), quantcore::block_linears(open.model->spec()).size());
    for (const auto& l : b.linears) {
      const double n = double(l->out_features()), m = double(l->in_features());
      const qm::DeclaredBits declared = method.bits_of(settings.method, *l);
      EXPECT_NEAR(declared.stored, double(l->stored_bits()) / (n * m), 1e-12) << b.block << " " << l->linear();
      EXPECT_GT(declared.paper, 0.0);
      EXPECT_LE(declared.paper, declared.stored + 1e-12);  // papers leave overheads out, never add
      // W' is finite and closer to W than W' = 0 would be (relative error 1).
      std::vector<uint16_t> half = l->dequantize_f16();
      for (uint16_t h : half) ASSERT_NE(h & 0x7c00, 0x7c00) << "non-finite W'";
      const at::Tensor wq =
          at::from_blob(half.data(), {l->out_features(), l->in_features()}, at::kHalf).to(at::kDouble);
      const at::Tensor w = open.model->linear_weight(b.block, l->linear()).to(at::kDouble);
      EXPECT_LT((wq - w).norm().item<double>() / w.norm().item<double>(), 0.9) << b.block << " " << l->linear();
      stored += double(l->stored_bits());
      weights += n * m;
    }
  }
  const nlohmann::json bits = quantcore::outputs::bits_json(run);
  EXPECT_NEAR(bits.at("bits_per_weight").get<double>(), stored / weights, 1e-12);

  analysis::PerplexityOptions ppl_options;
  ppl_options.seqlen = 64;
  ppl_options.max_windows = 8;
  const analysis::PerplexityResult ppl = analysis::run_perplexity(run, text, ppl_options, progress, cancel);
  const analysis::PerplexityResult fp = analysis::evaluate_perplexity(
      *open.model, open.tokenizer->encode(quantlens_test::read_text(text)), ppl_options, progress, cancel);
  std::printf("%s on stories260K: %.4f stored bits/weight (paper %.4f), PPL %.3f (FP %.3f)\n",
              settings.method.spelling().c_str(), bits.at("bits_per_weight").get<double>(),
              bits.at("paper_bits_per_weight").get<double>(), ppl.ppl, fp.ppl);
  EXPECT_TRUE(std::isfinite(ppl.ppl));
  EXPECT_GE(ppl.ppl, fp.ppl * 0.98);  // quantisation does not help, beyond noise
  EXPECT_LT(ppl.ppl, fp.ppl * 20);    // and leaves a language model, not noise
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryMethod, ::testing::ValuesIn(methods()),
                         [](const auto& info) { return std::string(info.param->name()); });

}  // namespace
