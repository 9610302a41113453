// W(1+1)A(1×4)'s weight side as baselines-spec §1.3 reconstructs it: the weighted 2-means on a
// two-cluster toy (known answer, monotone error, stops when no assignment changes), sign(0) = +1,
// groups shared by all rows or per row, and the bits; the A side's op against its CPU reference
// and the error-based input smoothing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <ATen/ATen.h>

#include "quantcore/methods/registry.h"
#include "quantcore/methods/w1a1x4/input_smoothing.h"
#include "quantcore/model/input_quantization_op.h"
#include "quantcore/pack/input_quantization.h"
#include "quantcore/methods/w1a1x4/two_scale_grouping.h"
#include "quantcore/methods/w1a1x4/w1a1x4.h"
#include "quantcore/pack/half_float.h"

namespace w1a1x4 = quantcore::methods::w1a1x4;
namespace qm = quantcore::methods;

namespace {

TEST(W1a1x4TwoScaleGrouping, FindsTheWeightedMeansOfTwoClusters) {
  // Lower median 1.1 puts 1.1 in the high cluster first; round 1 moves it (s = 0.933, 4.18),
  // round 2 finds the weighted means and changes nothing.
  const std::vector<float> a = {1.0f, 1.1f, 0.9f, 5.0f, 5.2f, 4.8f};
  const std::vector<float> h = {1, 1, 2, 1, 1, 2};
  const w1a1x4::TwoScaleFit fit = w1a1x4::fit_two_scales(a.data(), h.data(), a.size());
  EXPECT_NEAR(fit.low, (1.0 + 1.1 + 2 * 0.9) / 4, 1e-6);
  EXPECT_NEAR(fit.high, (5.0 + 5.2 + 2 * 4.8) / 4, 1e-6);
  EXPECT_EQ(fit.in_high, (std::vector<bool>{false, false, false, true, true, true}));
  EXPECT_TRUE(fit.converged);
  EXPECT_EQ(fit.iterations, 2);
  ASSERT_EQ(fit.errors.size(), 2u);
  EXPECT_LE(fit.errors[1], fit.errors[0]);

  const w1a1x4::TwoScaleFit one = w1a1x4::fit_two_scales(a.data(), h.data(), a.size(), 1);
  EXPECT_FALSE(one.converged);
  EXPECT_NEAR(one.low, (1.0 + 2 * 0.9) / 3, 1e-6);  // the first M-step's scales
  EXPECT_NEAR(one.high, (1.1 + 5.0 + 5.2 + 2 * 4.8) / 5, 1e-6);
}

TEST(W1a1x4TwoScaleGrouping, WeightsMoveTheScalesAndTheErrorNeverIncreases) {
  const std::vector<float> a = {1.0f, 2.0f, 6.0f, 7.0f};
  const std::vector<float> even = {1, 1, 1, 1}, heavy_ends = {9, 1, 1, 9};
  EXPECT_NEAR(w1a1x4::fit_two_scales(a.data(), even.data(), 4).low, 1.5, 1e-6);
  EXPECT_NEAR(w1a1x4::fit_two_scales(a.data(), heavy_ends.data(), 4).low, 1.1, 1e-6);  // (9 + 2) / 10
  EXPECT_NEAR(w1a1x4::fit_two_scales(a.data(), heavy_ends.data(), 4).high, 6.9, 1e-6);

  std::mt19937 rng(3);
  std::lognormal_distribution<float> magnitude(0.0f, 1.0f);
  std::uniform_real_distribution<float> weight(0.0f, 2.0f);
  std::vector<float> many(500), w(500);
  for (size_t k = 0; k < many.size(); ++k) many[k] = magnitude(rng), w[k] = weight(rng);
  const w1a1x4::TwoScaleFit fit = w1a1x4::fit_two_scales(many.data(), w.data(), many.size(), 50);
  ASSERT_GT(fit.errors.size(), 2u);
  for (size_t k = 1; k < fit.errors.size(); ++k) EXPECT_LE(fit.errors[k], fit.errors[k - 1] * (1 + 1e-12)) << k;
  EXPECT_TRUE(fit.converged);
  EXPECT_LE(fit.low, fit.high);
  // Converged: every value sits with its nearer scale.
  for (size_t k = 0; k < many.size(); ++k)
    EXPECT_EQ(fit.in_high[k], std::fabs(many[k] - fit.high) <= std::fabs(many[k] - fit.low)) << k;
}

TEST(W1a1x4, SignOfZeroIsPlus) {
  // |w| 0 0 1 1 1 6 6 7 in one group: {0, 0, 1, 1, 1} and {6, 6, 7}, scales 0.6 and 6.33.
  const std::vector<float> w = {0.0f, -0.0f, -1.0f, 1.0f, 1.0f, 6.0f, -6.0f, 7.0f};
  const std::vector<float> h = {1, 1, 1, 1};
  w1a1x4::W1a1x4Options o;
  o.group_size = -1;
  const w1a1x4::W1a1x4Linear q = w1a1x4::quantize(w.data(), 2, 4, h.data(), o);
  const float s0 = quantcore::round_to_half(0.6f);
  EXPECT_EQ(q.low, std::vector<float>{s0});
  const std::vector<float> d = w1a1x4::dequantize(q);
  EXPECT_EQ(d[0], s0);  // sign(+0) = +1
  EXPECT_EQ(d[1], s0);  // sign(-0) = +1
  EXPECT_EQ(d[2], -s0);
}

TEST(W1a1x4, GroupsOfColumnsShareOneScalePairAcrossRows) {
  // 2 rows x 4 columns, groups of 2 columns: |w| 1 2 3 4 -> {1} {2 3 4}, 10 20 30 40 -> {10} {20 30 40}.
  const std::vector<float> w = {1.0f, -2.0f, 10.0f, 20.0f, 3.0f, 4.0f, -30.0f, 40.0f};
  const std::vector<float> h = {1, 1, 1, 1};
  w1a1x4::W1a1x4Options o;
  o.group_size = 2;
  const w1a1x4::W1a1x4Linear q = w1a1x4::quantize(w.data(), 2, 4, h.data(), o);
  EXPECT_EQ(q.low, (std::vector<float>{1.0f, 10.0f}));
  EXPECT_EQ(q.high, (std::vector<float>{3.0f, 30.0f}));
  EXPECT_EQ(w1a1x4::dequantize(q), (std::vector<float>{1.0f, -3.0f, 10.0f, 30.0f, 3.0f, 3.0f, -30.0f, 30.0f}));
}

TEST(W1a1x4, PerRowFitsEachRowsGroupAlone) {
  const std::vector<float> w = {1.0f, 3.0f, 10.0f, 30.0f};
  const std::vector<float> h = {1, 1};
  w1a1x4::W1a1x4Options o;
  o.per_row = true;
  const w1a1x4::W1a1x4Linear q = w1a1x4::quantize(w.data(), 2, 2, h.data(), o);
  EXPECT_EQ(w1a1x4::dequantize(q), w);  // two values per row: exact
  EXPECT_EQ(q.low.size(), 2u);
  o.per_row = false;  // one pair for all four: 1 and 3 share the low scale
  const std::vector<float> shared = w1a1x4::dequantize(w1a1x4::quantize(w.data(), 2, 2, h.data(), o));
  EXPECT_EQ(shared[0], shared[1]);
}

TEST(W1a1x4, BitsAreTwoPlusTheScalePairs) {
  const auto& method = *qm::find_method(w1a1x4::kName);
  qm::MethodSettings s(method);
  const qm::DeclaredBits b = method.bits(s, 64, 300, 0);  // groups of 128: 3 (the last one short)
  EXPECT_DOUBLE_EQ(b.paper, 2.0);
  EXPECT_DOUBLE_EQ(b.stored, 2.0 + 3 * 32.0 / (64 * 300));
  std::vector<float> w(64 * 300), h(300, 1.0f);
  for (size_t k = 0; k < w.size(); ++k) w[k] = std::sin(float(k));
  EXPECT_DOUBLE_EQ(double(w1a1x4::stored_bits(w1a1x4::quantize(w.data(), 64, 300, h.data(), {}))) / (64 * 300),
                   b.stored);
  s.set("per-row", "true", "t");
  EXPECT_DOUBLE_EQ(method.bits(s, 64, 300, 0).stored, 2.0 + 64 * 3 * 32.0 / (64 * 300));
}

TEST(W1a1x4, SmoothedBitsAddAFactorPerInputColumn) {
  const auto& method = *qm::find_method(w1a1x4::kName);
  qm::MethodSettings s(method);
  s.set("act-bits", "4", "t");
  EXPECT_DOUBLE_EQ(method.bits(s, 64, 300, 0).stored, 2.0 + (3 * 32.0 + 300 * 16.0) / (64 * 300));
  EXPECT_DOUBLE_EQ(method.bits(s, 64, 300, 0).paper, 2.0);
}

std::vector<float> floats_of(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// Random tokens, tokens with exact ties at 2 and 4 bits (x/scale = k + 0.5, rounded half to even),
// an all-zero token and tokens holding NaN or infinity; [6, 8] rows of 8 channels.
at::Tensor op_test_tokens() {
  at::manual_seed(3);
  at::Tensor x = at::randn({6, 8}) * 3;
  x[0] = at::tensor({-1.0f, 0.5f, 2.0f, 1.5f, -0.5f, 0.0f, 1.0f, 2.0f});  // 2 bits: scale 1, zero 1
  x[1] = at::tensor({-7.5f, 0.5f, 1.5f, 2.5f, 3.5f, 7.5f, -2.5f, 0.0f});  // 4 bits: scale 1, ties everywhere
  x[2] = at::zeros({8});
  x[3][4] = std::numeric_limits<float>::quiet_NaN();
  x[4][1] = std::numeric_limits<float>::infinity();
  return x;
}

void expect_op_equals_reference(const at::Tensor& x, const at::Tensor& smoothing, int bits, const char* where) {
  quantcore::InputQuantization q{bits, smoothing.defined() ? floats_of(smoothing) : std::vector<float>()};
  const std::vector<float> reference = quantcore::fake_quantize_input(floats_of(x).data(), x.size(0), x.size(1), q);
  const std::vector<float> op = floats_of(quantcore::fake_quantize_input(x, bits, smoothing).to(at::kCPU));
  ASSERT_EQ(op.size(), reference.size());
  for (size_t k = 0; k < op.size(); ++k) {
    if (std::isnan(reference[k])) {
      EXPECT_TRUE(std::isnan(op[k])) << where << " " << k;
      continue;
    }
    EXPECT_EQ(op[k], reference[k]) << where << " " << k;  // bit for bit, ties included
  }
}

TEST(W1a1x4InputQuantization, TheForwardOpMatchesItsCpuReference) {
  const at::Tensor x = op_test_tokens();
  const at::Tensor s = at::tensor({0.5f, 1.0f, 2.0f, 0.25f, 1.5f, 3.0f, 0.75f, 1.25f});
  for (int bits : {2, 4, 8}) {
    expect_op_equals_reference(x, at::Tensor(), bits, "plain");
    expect_op_equals_reference(x, s, bits, "smoothed");
  }
  const std::vector<float> tie = floats_of(quantcore::fake_quantize_input(x, 2, at::Tensor()));
  EXPECT_EQ(tie[1], 0.0f);  // 0.5 -> round(0.5) = 0 (half to even), + zero 1 -> code 1 -> 0
  EXPECT_EQ(tie[3], 2.0f);  // 1.5 -> 2, + 1 -> code 3 -> 2
  const at::Tensor back = quantcore::fake_quantize_input(x.to(at::kBFloat16), 4, at::Tensor());
  EXPECT_EQ(back.scalar_type(), at::kBFloat16);
  EXPECT_THROW(quantcore::fake_quantize_input(x, 1, at::Tensor()), std::invalid_argument);
}

TEST(W1a1x4InputQuantization, TheForwardOpMatchesItsCpuReferenceOnCuda) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  const at::Tensor x = op_test_tokens();
  const at::Tensor s = at::tensor({0.5f, 1.0f, 2.0f, 0.25f, 1.5f, 3.0f, 0.75f, 1.25f});
  for (int bits : {2, 4, 8}) {
    const std::vector<float> reference = quantcore::fake_quantize_input(floats_of(x).data(), 6, 8, {bits, floats_of(s)});
    const std::vector<float> op = floats_of(quantcore::fake_quantize_input(x.cuda(), bits, s.cuda()).cpu());
    for (size_t k = 0; k < op.size(); ++k)
      if (!std::isnan(reference[k])) EXPECT_EQ(op[k], reference[k]) << bits << " bits, " << k;
  }
}

// ‖XWᵀ − Q(X)W'ᵀ‖ / ‖XWᵀ‖ of the weights-only fit with unsmoothed 4-bit inputs.
double unsmoothed_error(const at::Tensor& w, const at::Tensor& x, const w1a1x4::W1a1x4Options& o) {
  const std::vector<float> wf = floats_of(w), h = floats_of(x.pow(2).sum(0));
  const std::vector<float> dense = w1a1x4::dequantize(w1a1x4::quantize(wf.data(), w.size(0), w.size(1), h.data(), o));
  const at::Tensor wq = at::tensor(at::ArrayRef<float>(dense)).reshape({w.size(0), w.size(1)});
  const at::Tensor ref = x.mm(w.t());
  return ((ref - quantcore::fake_quantize_input(x, 4, at::Tensor()).mm(wq.t())).norm() / ref.norm()).item<double>();
}

TEST(W1a1x4InputQuantization, ErrorBasedSmoothingTamesAnOutlierChannel) {
  at::manual_seed(5);
  at::Tensor x = at::randn({256, 64});
  x.select(1, 3).mul_(60);  // one activation outlier channel, as in LLMs' massive activations
  const at::Tensor w = at::randn({32, 64}) * 0.05;
  const std::vector<float> h = floats_of(x.pow(2).sum(0));
  w1a1x4::W1a1x4Options o;
  o.group_size = 16;
  o.activation_bits = 4;
  const w1a1x4::W1a1x4Linear searched = w1a1x4::fit_smoothed(w, h, x, o);
  EXPECT_GE(searched.smoothing_alpha, 0.0) << "smoothing should beat none with an outlier channel";
  EXPECT_LT(searched.output_error, unsmoothed_error(w, x, o));
  EXPECT_EQ(searched.activation_bits, 4);
  ASSERT_EQ(searched.smoothing.size(), 64u);
  for (const double alpha : {0.0, 0.5, 1.0}) {
    w1a1x4::W1a1x4Options fixed = o;
    fixed.smooth_alpha = alpha;
    const w1a1x4::W1a1x4Linear f = w1a1x4::fit_smoothed(w, h, x, fixed);
    EXPECT_DOUBLE_EQ(f.smoothing_alpha, alpha);
    EXPECT_LE(searched.output_error, f.output_error + 1e-12) << alpha;
  }
  // The exported W' = B·diag(1/s) (B the binarised W·diag(s)) computes with the input s ⊙ Q(x/s)
  // what B computes with Q(x/s).
  w1a1x4::W1a1x4Linear binarised = searched;
  binarised.smoothing.clear();
  const auto as_matrix = [](const std::vector<float>& v) {
    return at::tensor(at::ArrayRef<float>(v)).reshape({32, 64});
  };
  const at::Tensor w_prime = as_matrix(w1a1x4::dequantize(searched)), b = as_matrix(w1a1x4::dequantize(binarised));
  const at::Tensor s = at::tensor(at::ArrayRef<float>(searched.smoothing));
  const at::Tensor q = quantcore::fake_quantize_input(x / s, 4, at::Tensor());
  const at::Tensor exported = quantcore::fake_quantize_input(x, 4, s).mm(w_prime.t()), direct = q.mm(b.t());
  EXPECT_LT(((exported - direct).norm() / direct.norm()).item<double>(), 1e-5);
}

}  // namespace
