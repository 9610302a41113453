// PB-LLM's Hessian saliency criterion (baselines-spec §0.3, §0.4, §3.2): H accumulated through
// the linear-input observer, diag(U) of the damped H⁻¹ against independent float64 computations,
// dead inputs, the threshold's tie rule, and the facade the weights view uses on stories260K.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/hessian_saliency.h"
#include "analysis/salient_marks.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/calib/linear_hessian.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/methods/inverse_hessian.h"
#include "quantcore/methods/pbllm/saliency.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/load_model.h"
#include "quantcore/tokenize/tokenizer.h"
#include "counting_progress.h"
#include "test_support.h"

using quantlens_test::CountingProgress;

namespace {

// U_jj² = [(H_{j..m, j..m})⁻¹]_00 (the conditional variance of input j given the inputs after
// it), in float64 on the damped H with dead inputs set to 1: no Cholesky involved.
std::vector<double> conditional_u_diagonal(at::Tensor h, double percdamp) {
  h = h.to(at::kDouble).clone();
  at::Tensor d = h.diagonal();
  d.masked_fill_(d == 0, 1.0);
  d.add_(percdamp * d.mean().item<double>());
  const int64_t m = h.size(0);
  std::vector<double> u(static_cast<size_t>(m));
  for (int64_t j = 0; j < m; ++j) {
    const at::Tensor tail = h.slice(0, j).slice(1, j);
    u[static_cast<size_t>(j)] = std::sqrt(at::linalg_inv(tail)[0][0].item<double>());
  }
  return u;
}

at::Tensor random_hessian(int64_t m, int64_t tokens, uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor x = at::randn({tokens, m}, at::kDouble) * at::linspace(0.1, 3.0, m, at::kDouble);
  return (2.0 / tokens * x.t().matmul(x)).to(at::kFloat);
}

}  // namespace

// ---- §0.4: diag(U) -----------------------------------------------------------------------------

TEST(InverseHessian, HandMade3x3) {
  // H = [[4,2,0],[2,5,1],[0,1,2]]: U_33² = 1/2, U_22² = 1/(5 - 1/2) = 2/9,
  // U_11² = 1/(4 - [2 0] [[5,1],[1,2]]⁻¹ [2 0]ᵀ) = 1/(4 - 8/9) = 9/28.
  const at::Tensor h = at::tensor({4.f, 2.f, 0.f, 2.f, 5.f, 1.f, 0.f, 1.f, 2.f}).reshape({3, 3});
  const quantcore::InverseHessian inv = quantcore::prepare_inverse_hessian(h, 0.0);
  const at::Tensor u = inv.upper.to(at::kDouble);
  EXPECT_NEAR(u[0][0].item<double>(), std::sqrt(9.0 / 28.0), 1e-6);
  EXPECT_NEAR(u[1][1].item<double>(), std::sqrt(2.0 / 9.0), 1e-6);
  EXPECT_NEAR(u[2][2].item<double>(), std::sqrt(0.5), 1e-6);
  EXPECT_EQ(u.tril(-1).abs().max().item<double>(), 0.0);                                      // upper-triangular
  EXPECT_TRUE(at::allclose(u.t().matmul(u), at::linalg_inv(h.to(at::kDouble)), 1e-5, 1e-6));  // H⁻¹ = Uᵀ U
  EXPECT_FALSE(inv.dead.any().item<bool>());
  EXPECT_TRUE(h.equal(at::tensor({4.f, 2.f, 0.f, 2.f, 5.f, 1.f, 0.f, 1.f, 2.f}).reshape({3, 3})));  // input kept
}

TEST(InverseHessian, DampedDiagonalMatchesFloat64References) {
  const at::Tensor h = random_hessian(48, 40, 7);  // rank 40 < 48: only the damping makes it invertible
  const quantcore::InverseHessian inv = quantcore::prepare_inverse_hessian(h, 0.01);
  const std::vector<double> conditional = conditional_u_diagonal(h, 0.01);
  // And through float64 linear algebra as the spec states it.
  at::Tensor damped = h.to(at::kDouble).clone();
  damped.diagonal().add_(0.01 * damped.diagonal().mean().item<double>());
  const at::Tensor reference = at::linalg_cholesky(at::linalg_inv(damped), /*upper=*/true).diagonal();
  for (int64_t j = 0; j < 48; ++j) {
    const double got = inv.upper[j][j].item<double>();
    EXPECT_NEAR(got, conditional[static_cast<size_t>(j)], 2e-4 * conditional[static_cast<size_t>(j)]) << j;
    EXPECT_NEAR(reference[j].item<double>(), conditional[static_cast<size_t>(j)],
                1e-9 * conditional[static_cast<size_t>(j)])
        << j;
  }
}

TEST(InverseHessian, DeadInputsGetUnitDiagonalAndZeroSaliency) {
  at::manual_seed(3);
  at::Tensor x = at::randn({64, 6});
  x.select(1, 2).zero_();
  x.select(1, 5).zero_();
  quantcore::HessianAccumulator acc(6);
  acc.add(x.unsqueeze(0));
  const quantcore::InverseHessian inv = quantcore::prepare_inverse_hessian(acc.hessian(), 0.01);
  EXPECT_TRUE(inv.dead.to(at::kInt).equal(at::tensor({0, 0, 1, 0, 0, 1}, at::kInt)));
  // Row and column of a dead input are zero, so U_jj² = 1 / (1 + λ), λ = 0.01 · mean(diag) taken
  // after the dead diagonal is set to 1.
  at::Tensor diag = acc.hessian().diagonal().clone();
  diag.masked_fill_(diag == 0, 1.0);
  const double lambda = 0.01 * diag.mean().item<double>();
  for (int j : {2, 5}) EXPECT_NEAR(inv.upper[j][j].item<double>(), 1.0 / std::sqrt(1.0 + lambda), 1e-6);
  const std::vector<double> conditional = conditional_u_diagonal(acc.hessian(), 0.01);
  for (int j = 0; j < 6; ++j)
    EXPECT_NEAR(inv.upper[j][j].item<double>(), conditional[size_t(j)], 1e-4 * conditional[size_t(j)]);

  const at::Tensor w = at::ones({3, 6});
  const at::Tensor v = quantcore::methods::pbllm::hessian_saliency(w, inv.upper.diagonal(), inv.dead);
  EXPECT_EQ(v.select(1, 2).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(v.select(1, 5).abs().max().item<float>(), 0.0f);
  EXPECT_NEAR(v[1][0].item<double>(), 1.0 / std::pow(inv.upper[0][0].item<double>(), 2), 1e-4);
}

TEST(HessianAccumulator, TheDiagonalFormIsTheFullFormsDiagonal) {
  at::manual_seed(4);
  quantcore::HessianAccumulator full(5), diagonal(5, quantcore::HessianForm::Diagonal);
  for (const at::Tensor& x : {at::randn({1, 7, 5}), at::randn({3, 4, 5}), at::randn({9, 5})}) {
    full.add(x);
    diagonal.add(x);
  }
  ASSERT_EQ(diagonal.hessian().dim(), 1);
  EXPECT_EQ(diagonal.sequences(), full.sequences());
  EXPECT_TRUE(at::allclose(diagonal.hessian(), full.hessian().diagonal(), 1e-5, 1e-6));
}

TEST(InverseHessian, RejectsWhatCannotBeFactorised) {
  const at::Tensor singular = at::tensor({1.f, 1.f, 1.f, 1.f}).reshape({2, 2});
  EXPECT_THROW(quantcore::prepare_inverse_hessian(singular, 0.0), std::runtime_error);
  EXPECT_NO_THROW(quantcore::prepare_inverse_hessian(singular, 0.01));
  EXPECT_THROW(quantcore::prepare_inverse_hessian(at::ones({2, 3}), 0.01), std::invalid_argument);
}

// ---- §3.2: the threshold ------------------------------------------------------------------------

TEST(PbllmThreshold, TiesAtThetaAreBinarised) {
  const at::Tensor v = at::tensor({5.f, 1.f, 8.f, 5.f, 3.f, 6.f, 2.f, 5.f, 7.f, 4.f}).reshape({2, 5});
  // ascending: 1 2 3 4 5 5 5 6 7 8
  const auto salient = [&](double low_frac) {
    return (v > quantcore::methods::pbllm::binarize_threshold(v, low_frac)).sum().item<int64_t>();
  };
  EXPECT_EQ(quantcore::methods::pbllm::binarize_threshold(v, 0.5), 5.0);  // index 5
  EXPECT_EQ(salient(0.5), 3);                                    // 6, 7, 8: the 5s at and below θ stay binarised
  EXPECT_EQ(salient(0.4), 3);                                    // index 4 is a 5 too
  EXPECT_EQ(quantcore::methods::pbllm::binarize_threshold(v, 0.3), 4.0);
  EXPECT_EQ(salient(0.3), 6);
  EXPECT_EQ(salient(0.0), 9);  // θ = the smallest, which is never salient
  EXPECT_TRUE(std::isinf(quantcore::methods::pbllm::binarize_threshold(v, 1.0)));
  EXPECT_EQ(quantcore::methods::pbllm::binarize_threshold(v, 0.95), 8.0);  // floor(9.5) = 9
  EXPECT_THROW(quantcore::methods::pbllm::binarize_threshold(v, 1.5), std::invalid_argument);
}

TEST(SalientMarks, MagnitudeIsTheTopKWithTies) {
  analysis::FloatMatrix m{2, 3, {0.5f, 3.f, 2.f, 2.f, 1.f, 0.f}};
  analysis::SalientMarks marks = analysis::magnitude_marks(m, 0.5);  // k = 3: 3, 2, 2
  EXPECT_EQ(marks.threshold, 2.f);
  EXPECT_EQ(marks.count, 3);
  EXPECT_EQ(marks.scores, nullptr);
  marks = analysis::magnitude_marks(m, 1.0 / 3.0);  // k = 2: the tie at 2 marks both
  EXPECT_EQ(marks.count, 3);
  EXPECT_EQ(analysis::magnitude_marks(m, 0.0).count, 0);
}

// ---- §0.3 and the facade on a real model -------------------------------------------------------

class Stories260KHessian : public ::testing::Test {
protected:
  void SetUp() override {
    const auto path = quantlens_test::data_path("stories260K/stories260K.bin");
    quantcore::Checkpoint checkpoint = quantcore::open_checkpoint(path);
    model_ = quantcore::load_causal_lm(checkpoint, {"cpu", "fp32"});
    const std::vector<int32_t> ids =
        quantcore::load_tokenizer(checkpoint.tokenizer_path)
            ->encode(quantlens_test::read_text(quantlens_test::data_path("house-corpus/calib.txt")).substr(0, 4000));
    windows_ = quantcore::calibration_windows(ids, {2, 32, 2});
  }

  // 2/N Σ x xᵀ over the inputs (block, linear) receives, captured by an observer of our own.
  at::Tensor direct_hessian(int64_t block, const std::string& linear) {
    at::Tensor sum;
    model_->set_linear_input_observer([&](int64_t b, const std::string& name, const at::Tensor& x) {
      if (b != block || name != linear) return;
      const at::Tensor t = x.reshape({-1, x.size(-1)}).to(at::kDouble);
      sum = sum.defined() ? sum + t.t().matmul(t) : t.t().matmul(t);
    });
    for (const auto& w : windows_) {
      at::Tensor h = model_->embed(at::tensor(std::vector<int64_t>(w.begin(), w.end())).unsqueeze(0));
      for (int64_t b = 0; b < model_->num_blocks(); ++b) h = model_->block_forward(b, h);
    }
    model_->set_linear_input_observer({});
    return sum * (2.0 / static_cast<double>(windows_.size()));
  }

  std::shared_ptr<quantcore::CausalLM> model_;
  std::vector<std::vector<int32_t>> windows_;
};

TEST_F(Stories260KHessian, HookHessianEqualsTheDirectSum) {
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  for (const auto& [block, linear] : std::vector<std::pair<int64_t, std::string>>{
           {0, "self_attn.k_proj"}, {1, "self_attn.o_proj"}, {model_->num_blocks() - 1, "mlp.down_proj"}}) {
    const at::Tensor reference = direct_hessian(block, linear);
    const quantcore::CollectedHessian got =
        quantcore::collect_linear_hessian(*model_, windows_, block, linear, progress, cancel);
    ASSERT_EQ(got.hessian.sizes(), reference.sizes());
    const double scale = reference.abs().max().item<double>();
    EXPECT_GT(scale, 0.0);
    EXPECT_LE((got.hessian.to(at::kDouble) - reference).abs().max().item<double>(), 1e-5 * scale)
        << block << " " << linear;
  }
  const auto shared =
      quantcore::collect_linear_hessian(*model_, windows_, 0, "self_attn.k_proj", progress, cancel).linears;
  EXPECT_EQ(shared, (std::vector<std::string>{"self_attn.k_proj", "self_attn.q_proj", "self_attn.v_proj"}));
  const auto alone = quantcore::collect_linear_hessian(*model_, windows_, 0, "mlp.down_proj", progress, cancel).linears;
  EXPECT_EQ(alone, std::vector<std::string>{"mlp.down_proj"});
}

TEST_F(Stories260KHessian, FacadeCachesPerInputAndSelectsBySaliency) {
  analysis::HessianSaliency saliency(model_, windows_);
  quantcore::CancelToken cancel;
  CountingProgress first;
  const int64_t block = 1;
  const analysis::SalientMarks marks = saliency.marks(block, "mlp.gate_proj", 0.2, first, cancel);
  EXPECT_EQ(first.stages, 1);
  EXPECT_EQ(first.last, 2);                                 // one step per window
  EXPECT_TRUE(saliency.has_hessian(block, "mlp.up_proj"));  // same input as gate
  EXPECT_FALSE(saliency.has_hessian(block, "mlp.down_proj"));

  // Scores: W² / U_jj² with U from the float64 conditional variances of the direct H.
  const at::Tensor h = direct_hessian(block, "mlp.gate_proj").to(at::kFloat);
  const std::vector<double> u = conditional_u_diagonal(h, 0.01);
  const at::Tensor w = model_->linear_weight(block, "mlp.gate_proj").to(at::kDouble);
  ASSERT_NE(marks.scores, nullptr);
  ASSERT_EQ(marks.scores->rows, w.size(0));
  ASSERT_EQ(marks.scores->cols, w.size(1));
  const at::Tensor expected = w.square() / at::tensor(u, at::kDouble).square().unsqueeze(0);
  const at::Tensor got = at::tensor(marks.scores->values).reshape({w.size(0), w.size(1)}).to(at::kDouble);
  EXPECT_TRUE(at::allclose(got, expected, 2e-3, 1e-12)) << (got - expected).abs().max().item<double>();

  // The salient set is v > θ, θ at index floor(0.8 · numel) of the ascending scores.
  const int64_t numel = w.numel();
  std::vector<float> sorted = marks.scores->values;
  std::sort(sorted.begin(), sorted.end());
  const float theta = sorted[static_cast<size_t>(std::floor(numel * 0.8))];
  int64_t above = 0, marked = 0;
  for (float v : marks.scores->values) above += v > theta, marked += v >= marks.threshold;
  EXPECT_EQ(marks.count, above);
  EXPECT_EQ(marked, above);
  EXPECT_GT(marks.count, numel / 5 - 10);
  EXPECT_LE(marks.count, numel - static_cast<int64_t>(std::floor(numel * 0.8)) - 1);

  // A second ratio reuses H (no progress) and the scores.
  CountingProgress second;
  const analysis::SalientMarks fewer = saliency.marks(block, "mlp.up_proj", 0.05, second, cancel);
  EXPECT_EQ(second.stages, 0);
  EXPECT_LT(fewer.count, marks.count);
  const analysis::InverseHessianDiagonal d = saliency.inverse_diagonal(block, "mlp.gate_proj", second, cancel);
  EXPECT_EQ(second.stages, 0);
  for (size_t j = 0; j < u.size(); ++j) EXPECT_NEAR(d.u[j], u[j], 2e-3 * u[j]) << j;
}

TEST_F(Stories260KHessian, CancelledCollectionCachesNothing) {
  analysis::HessianSaliency saliency(model_, windows_);
  quantcore::CancelToken cancel;
  cancel.request();
  quantcore::NullProgress progress;
  EXPECT_THROW(saliency.marks(0, "self_attn.o_proj", 0.2, progress, cancel), quantcore::Cancelled);
  EXPECT_FALSE(saliency.has_hessian(0, "self_attn.o_proj"));
}
