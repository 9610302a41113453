// Packed inference end to end (--kernels packed): a packed checkpoint's block linears compute
// from its packed bits. Every linear agrees with the dense path (fp16 W') within the bound of
// docs/kernels.md; eval, generate and score agree with the dense path; wrong uses are one-line
// errors.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "cli_support.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/compute_target.h"
#include "quantcore/model/load_model.h"
#include "quantcore/pack/packed_checkpoint.h"

namespace fs = std::filesystem;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

const fs::path kStories = fs::path(QUANTLENS_SOURCE_DIR) / "resources/models/stories260K/stories260K.bin";
const fs::path kLittleStories = fs::path(QUANTLENS_SOURCE_DIR) / "resources/text/little-stories.txt";

// One packed stories260K per test process.
class CliPackedKernels : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    TempDir cache;
    quantized_ = run_cli(quantlens_test::quantize_args(kStories.string(), kLittleStories.string(),
                                                       cache.path().string(), packed().string(),
                                                       {"--format", "packed", "--epochs", "1"}));
  }
  static void TearDownTestSuite() { tmp_.reset(); }
  static fs::path packed() { return *tmp_ / "packed"; }
  void SetUp() override { ASSERT_EQ(quantized_.exit_code, 0) << quantized_.err; }

  static quantlens_test::CliResult run(const std::string& command, const std::vector<std::string>& extra,
                                       const std::string& kernels) {
    std::vector<std::string> args = {command, packed().string(), "--json", "--kernels", kernels};
    args.insert(args.end(), extra.begin(), extra.end());
    quantlens_test::CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << command << " --kernels " << kernels << ": " << r.err;
    return r;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline quantlens_test::CliResult quantized_;
};

}  // namespace

TEST_F(CliPackedKernels, EveryLinearAgreesWithTheDenseWeightsWithinTheBound) {
  const quantcore::Checkpoint checkpoint = quantcore::open_model_checkpoint(packed());
  const auto& source = dynamic_cast<const quantcore::PackedCheckpoint&>(*checkpoint.weights);
  const auto dense = quantcore::load_causal_lm(checkpoint, {});
  quantcore::ComputeOptions options;
  options.kernels = "packed";
  const auto packed_lm = quantcore::load_causal_lm(checkpoint, options);
  EXPECT_EQ(packed_lm->kernels(), "packed");
  EXPECT_THROW(packed_lm->linear_weight(0, quantcore::packed::quantized_weights(checkpoint.spec).front().linear),
               std::logic_error);

  // The inputs every linear sees on random token ids.
  std::vector<std::tuple<int64_t, std::string, at::Tensor>> inputs;
  dense->set_linear_input_observer([&](int64_t block, const std::string& linear, const at::Tensor& x) {
    inputs.emplace_back(block, linear, x.reshape({-1, x.size(-1)}).contiguous().clone());
  });
  at::manual_seed(7);
  dense->logits(at::randint(checkpoint.spec.vocab_size, {2, 24}, at::kLong));
  dense->set_linear_input_observer({});

  std::map<std::pair<int64_t, std::string>, std::string> weight_names;
  for (const auto& q : quantcore::packed::quantized_weights(checkpoint.spec))
    weight_names[{q.block, q.linear}] = q.weight_name;
  ASSERT_EQ(inputs.size(), weight_names.size());

  // |packed - dense| <= kernel bound + |fp16(W')x - W'x| + the dense product's own rounding:
  //   kernel(B_i) + (2^-11 / (1 - 2^-11) + gamma_m) D_i + 2^-25 sum_j |x_j|,
  //   D_i = sum_j |fp16(W')_ij x_j|, gamma_m = m u / (1 - m u), u = 2^-24 (2^-25: fp16 subnormals).
  // Each linear is checked on all 48 tokens at once and on the first alone (batch 1 takes the
  // CPU kernel's own path).
  const double u = std::ldexp(1.0, -24), half_u = std::ldexp(1.0, -11), subnormal = std::ldexp(1.0, -25);
  double worst = 0.0;
  std::vector<std::tuple<int64_t, std::string, at::Tensor>> cases = inputs;
  for (const auto& [block, linear, x] : inputs) cases.emplace_back(block, linear, x.slice(0, 0, 1).contiguous());
  for (const auto& [block, linear, x] : cases) {
    const quantcore::PackedLinear& l = *source.packed_linear(weight_names.at({block, linear}));
    const int64_t batch = x.size(0), m = x.size(1);
    const at::Tensor packed_y = packed_lm->block_linear(block, linear, x).to(at::kDouble);
    const at::Tensor dense_y = dense->block_linear(block, linear, x).to(at::kDouble);
    const std::vector<float> kernel_bound = quantcore::kernels::packed_linear_error_bound(l, x.data_ptr<float>(), batch);
    const at::Tensor magnitude =
        at::matmul(x.abs().to(at::kDouble), dense->linear_weight(block, linear).abs().to(at::kDouble).t());
    const double gamma = double(m) * u / (1.0 - double(m) * u);
    const at::Tensor bound =
        at::from_blob(const_cast<float*>(kernel_bound.data()), {batch, l.out_features}, at::kFloat).to(at::kDouble) +
        (half_u / (1.0 - half_u) + gamma) * magnitude + subnormal * x.abs().to(at::kDouble).sum(1, true);
    const at::Tensor ratio = (packed_y - dense_y).abs() / bound;
    EXPECT_TRUE((ratio <= 1.0).all().item<bool>())
        << "block " << block << " " << linear << ": " << ratio.max().item<double>() << " of the bound";
    worst = std::max(worst, ratio.max().item<double>());
  }
  std::printf("%zu linears at batch 48 and 1: worst |packed - dense| is %.3g of the bound\n", inputs.size(), worst);
}

TEST_F(CliPackedKernels, EvalGenerateAndScoreAgreeWithTheDensePath) {
  const std::vector<std::string> eval = {"--text", kLittleStories.string(), "--seqlen", "64", "--max-windows", "4"};
  const nlohmann::json dense_eval = run("eval", eval, "dense").json(), packed_eval = run("eval", eval, "packed").json();
  EXPECT_EQ(dense_eval.at("kernels"), "dense");
  EXPECT_EQ(packed_eval.at("kernels"), "packed");
  const double ppl = dense_eval.at("ppl").get<double>();
  EXPECT_NEAR(packed_eval.at("ppl").get<double>(), ppl, 1e-3 * ppl);
  // Near, not equal: the packed kernels computed with the unrounded W' (had the dense path run
  // twice, the two would be bit-identical).
  EXPECT_NE(packed_eval.at("ppl").get<double>(), ppl);

  const std::vector<std::string> generate = {"--prompt", "Once upon a time", "--max-tokens", "24", "--ignore-eos"};
  const nlohmann::json dense_gen = run("generate", generate, "dense").json();
  const nlohmann::json packed_gen = run("generate", generate, "packed").json();
  EXPECT_EQ(packed_gen.at("ids"), dense_gen.at("ids"));
  EXPECT_EQ(packed_gen.at("kernels"), "packed");
  EXPECT_GT(packed_gen.at("tokens_per_second").get<double>(), 0.0);

  const std::vector<std::string> score = {"--text", "The little dog ran to the park and"};
  const nlohmann::json dense_score = run("score", score, "dense").json();
  const nlohmann::json packed_score = run("score", score, "packed").json();
  const double nll = dense_score.at("mean_nll").get<double>();
  EXPECT_NEAR(packed_score.at("mean_nll").get<double>(), nll, 1e-3 * nll);
  EXPECT_NE(packed_score.at("mean_nll").get<double>(), nll);
  EXPECT_EQ(packed_score.at("last_top5").at("ids"), dense_score.at("last_top5").at("ids"));
}

TEST_F(CliPackedKernels, WrongUsesAreOneLineErrors) {
  const std::vector<std::string> eval = {"--text", kLittleStories.string(), "--seqlen", "64", "--max-windows", "1"};
  auto with = [&](const std::string& model, std::vector<std::string> extra) {
    std::vector<std::string> args = {"eval", model};
    args.insert(args.end(), eval.begin(), eval.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  };
  quantlens_test::expect_one_line_error(with(kStories.string(), {"--kernels", "packed"}), "not a packed checkpoint",
                                        kStories.string());
  quantlens_test::expect_one_line_error(with(packed().string(), {"--kernels", "fast"}), "unknown kernels 'fast'",
                                        "--kernels");
  if (!quantcore::cuda_available())
    quantlens_test::expect_one_line_error(with(packed().string(), {"--kernels", "packed", "--device", "cuda"}), "cuda",
                                          "--device");
}
