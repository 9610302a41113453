// The fused engine ops (quantcore/kernels/fused) against their ATen references: the W' rebuild
// of spec §4.2 forward and its alpha, r1, r2 gradients against ptq161::dequantized_weight under
// autograd, and the one-pass activation statistics against at::amax / sum of |x|. Tolerances
// follow from the sizes: a sum of K float terms computed in any order is within
// (K + 4) · 2^-24 · sum |terms| of the exact sum, and both sides carry that error. The CUDA
// kernels run the same cases against the ATen path on the GPU; where no CUDA device answers (or
// LibTorch or the build has no CUDA) they are reported skipped.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <string>

#include "quantcore/kernels/fused/abs_stats.h"
#include "quantcore/kernels/fused/w_rebuild.h"
#include "quantcore/methods/ptq161/quantizers.h"

namespace ptq = quantcore::methods::ptq161;
namespace fused = quantcore::kernels::fused;

namespace {

constexpr double kEps = std::numeric_limits<float>::epsilon() / 2;  // unit roundoff 2^-24

struct Case {
  int64_t n, m;
  double salient;  // fraction of salient columns: 0 = none, 1 = all
  int seed;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.n << " x " << c.m << ", salient fraction " << c.salient << ", seed " << c.seed;
}

struct Layer {
  at::Tensor weight, mask, salient_dequantized, mean, alpha, r1, r2;
};

Layer make_layer(const Case& c, const at::Device& device) {
  at::manual_seed(c.seed);
  Layer l;
  l.weight = at::randn({c.n, c.m}) * 0.02;
  // A row whose non-salient entries all equal their mean: sgn(W - mu) = 0 there (spec §4.2).
  if (c.n > 2) l.weight[1].fill_(0.0125);
  const int64_t k = static_cast<int64_t>(std::llround(c.salient * static_cast<double>(c.m)));
  l.mask = at::zeros({c.m}, at::kBool);
  if (k > 0) l.mask.index_fill_(0, at::randperm(c.m).slice(0, 0, k), true);
  l.salient_dequantized = ptq::quantize_salient(l.weight).dequantized;
  const ptq::BinarizationParams p = ptq::init_binarization(l.weight, l.mask);
  l.mean = p.mean;
  // Away from the initial values so that every factor matters.
  l.alpha = p.alpha * (1 + 0.3 * at::rand({c.n, 1}));
  l.r1 = 1 + 0.2 * at::randn({c.n, 1});
  l.r2 = 1 + 0.2 * at::randn({1, c.m});
  for (at::Tensor* t : {&l.weight, &l.mask, &l.salient_dequantized, &l.mean, &l.alpha, &l.r1, &l.r2})
    *t = t->to(device);
  return l;
}

// Why the CUDA cases cannot run here, or "" where they can.
std::string cuda_unavailable() {
  if (!at::hasCUDA()) return "no CUDA device answers (or LibTorch was built without CUDA)";
  if (!fused::fused_rebuild_supported(at::zeros({2, 3}, at::kCUDA))) return "built without the CUDA kernels";
  return "";
}

struct Result {
  at::Tensor w, d_alpha, d_r1, d_r2;
};

// W' and, with loss = sum(W' . G), the gradients of alpha, r1, r2.
Result run(const Layer& l, const at::Tensor& g, bool use_fused) {
  at::Tensor alpha = l.alpha.clone().set_requires_grad(true);
  at::Tensor r1 = l.r1.clone().set_requires_grad(true);
  at::Tensor r2 = l.r2.clone().set_requires_grad(true);
  at::Tensor w = use_fused
                     ? fused::rebuild_weight(fused::fuse_binarization(l.weight, l.mask, l.salient_dequantized, l.mean),
                                             alpha, r1, r2)
                     : ptq::dequantized_weight(
                           ptq::freeze_binarization(l.weight, l.mask, l.salient_dequantized, l.mean), alpha, r1, r2);
  (w * g).sum().backward();
  return {w.detach(), alpha.grad(), r1.grad(), r2.grad()};
}

// |a - b| <= bound elementwise, reporting the first few offenders.
void expect_within(const at::Tensor& actual, const at::Tensor& expected, const at::Tensor& bound,
                   const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const at::Tensor diff = (actual.to(at::kDouble) - expected.to(at::kDouble)).abs().flatten();
  const at::Tensor b = bound.to(at::kDouble).expand_as(actual).flatten();
  const at::Tensor bad = diff.gt(b).nonzero().flatten();
  EXPECT_EQ(bad.numel(), 0) << what << ": " << bad.numel() << " entries off";
  for (int64_t t = 0; t < std::min<int64_t>(bad.numel(), 5); ++t) {
    const int64_t i = bad[t].item<int64_t>();
    ADD_FAILURE() << what << "[" << i << "]: " << actual.flatten()[i].item<double>() << " vs "
                  << expected.flatten()[i].item<double>() << ", bound " << b[i].item<double>();
  }
}

class FusedRebuild : public ::testing::TestWithParam<Case> {};

void expect_fused_rebuild_equals_aten(const Case& c, const at::Device& device) {
  const Layer l = make_layer(c, device);
  const at::Tensor g = at::randn({c.n, c.m}).to(device);
  const Result ref = run(l, g, false);
  const Result got = run(l, g, true);

  // Forward: each entry is at most three roundings of the same products on either side.
  expect_within(got.w, ref.w, 6 * kEps * ref.w.abs(), "W'");

  // The exact terms of each gradient sum (spec §5.2 [derived]), in double.
  const at::Tensor w = l.weight.to(at::kDouble), mu = l.mean.to(at::kDouble);
  const at::Tensor low = l.mask.logical_not().to(at::kDouble).unsqueeze(0);
  const at::Tensor s = at::sign(w - mu) * low;
  const at::Tensor b = mu + l.alpha.to(at::kDouble) * s;
  const at::Tensor gd = g.to(at::kDouble), r1 = l.r1.to(at::kDouble), r2l = l.r2.to(at::kDouble) * low;
  const at::Tensor alpha_terms = (gd * r2l * s * r1).abs().sum(1, true);
  const at::Tensor r1_terms = (gd * r2l * b).abs().sum(1, true);
  const at::Tensor r2_terms = ((gd * b * r1).abs().sum(0, true)) * low;
  const double rows = static_cast<double>(c.n), cols = static_cast<double>(c.m);
  expect_within(got.d_alpha, ref.d_alpha, 2 * (cols + 4) * kEps * alpha_terms, "d alpha");
  expect_within(got.d_r1, ref.d_r1, 2 * (cols + 4) * kEps * r1_terms, "d r1");
  expect_within(got.d_r2, ref.d_r2, 2 * (rows + 4) * kEps * r2_terms, "d r2");
}

class FusedRebuildCuda : public ::testing::TestWithParam<Case> {};

TEST_P(FusedRebuild, ForwardAndGradientsEqualTheAtenPath) { expect_fused_rebuild_equals_aten(GetParam(), at::kCPU); }

TEST_P(FusedRebuildCuda, ForwardAndGradientsEqualTheAtenPath) {
  if (const std::string why = cuda_unavailable(); !why.empty()) GTEST_SKIP() << why;
  expect_fused_rebuild_equals_aten(GetParam(), at::kCUDA);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  return std::to_string(c.n) + "x" + std::to_string(c.m) + "_salient" +
         std::to_string(static_cast<int>(std::lround(c.salient * 100)));
}

const auto kShapes = ::testing::Values(Case{37, 100, 0.2, 1},  // columns not a multiple of 32
                                       Case{1, 70, 0.2, 2},    // a single row
                                       Case{64, 33, 1.0, 3},   // every column salient
                                       Case{20, 31, 0.0, 4},   // no salient column
                                       Case{300, 96, 0.2, 5},  // rows over several tasks (and CUDA row chunks)
                                       Case{5, 1, 0.0, 6});    // one column
INSTANTIATE_TEST_SUITE_P(Shapes, FusedRebuild, kShapes, case_name);
INSTANTIATE_TEST_SUITE_P(Shapes, FusedRebuildCuda, kShapes, case_name);

TEST(FusedRebuild, RefusesWhatItDoesNotTake) {
  EXPECT_FALSE(fused::fused_rebuild_supported(at::zeros({2, 3}, at::kDouble)));
  EXPECT_FALSE(fused::fused_rebuild_supported(at::zeros({6})));
  EXPECT_TRUE(fused::fused_rebuild_supported(at::zeros({2, 3})));
  EXPECT_THROW(
      fused::fuse_binarization(at::zeros({2, 3}), at::zeros({4}, at::kBool), at::zeros({2, 3}), at::zeros({2, 1})),
      std::invalid_argument);
}

// ---- one-pass activation statistics (spec §2.1) --------------------------------------------------

void expect_stats_equal_aten(const at::Tensor& x) {
  const auto [max_abs, sum_abs] = fused::abs_max_and_sum(x);
  const at::Tensor a = x.abs().reshape({-1, x.size(-1)});
  const at::Tensor ref_max = at::amax(a, 0).to(at::kFloat);
  const at::Tensor ref_sum = a.sum(0, false, at::kDouble);
  EXPECT_TRUE(at::equal(max_abs, ref_max)) << x.sizes();  // a max is exact in any order
  ASSERT_EQ(sum_abs.scalar_type(), at::kDouble);
  // Sums of |x| in double: any order is within (rows + 4) · 2^-53 · sum.
  const double rows = static_cast<double>(a.size(0));
  expect_within(sum_abs, ref_sum, (rows + 4) * std::ldexp(1.0, -53) * ref_sum, "sum |x|");
}

TEST(FusedAbsStats, EqualAtenMaxAndSumOfAbs) {
  at::manual_seed(7);
  expect_stats_equal_aten(at::randn({3, 5, 70}));           // channels not a multiple of 32
  expect_stats_equal_aten(at::randn({1, 1037}));            // one row, channels over several tasks
  expect_stats_equal_aten(at::randn({2, 64, 1100}) * 100);  // several rows and tasks
  expect_stats_equal_aten(at::randn({2, 9, 77}).to(at::kBFloat16));
  expect_stats_equal_aten(at::zeros({4, 3}));
}

TEST(FusedAbsStats, NanPropagatesAsInAmax) {
  at::Tensor x = at::ones({4, 3});
  x[2][1] = std::numeric_limits<float>::quiet_NaN();
  const auto [max_abs, sum_abs] = fused::abs_max_and_sum(x);
  EXPECT_TRUE(std::isnan(max_abs[1].item<float>()));
  EXPECT_EQ(max_abs[0].item<float>(), 1.0f);
  EXPECT_TRUE(std::isnan(sum_abs[1].item<double>()));
}

TEST(FusedAbsStatsCuda, EqualAtenMaxAndSumOfAbs) {
  if (const std::string why = cuda_unavailable(); !why.empty()) GTEST_SKIP() << why;
  at::manual_seed(8);
  const at::TensorOptions gpu = at::TensorOptions().device(at::kCUDA);
  expect_stats_equal_aten(at::randn({3, 5, 70}, gpu));
  expect_stats_equal_aten(at::randn({1, 1037}, gpu));
  expect_stats_equal_aten(at::randn({2, 300, 1100}, gpu) * 100);  // rows over several chunks
  expect_stats_equal_aten(at::randn({2, 9, 77}, gpu).to(at::kBFloat16));
  expect_stats_equal_aten(at::randn({600, 77}, gpu).to(at::kHalf));
  expect_stats_equal_aten(at::zeros({4, 3}, gpu));
  at::Tensor x = at::ones({700, 3}, gpu);
  x[650][1] = std::numeric_limits<float>::quiet_NaN();  // in the last chunk of rows
  const auto [max_abs, sum_abs] = fused::abs_max_and_sum(x);
  EXPECT_TRUE(std::isnan(max_abs[1].item<float>()));
  EXPECT_EQ(max_abs[0].item<float>(), 1.0f);
  EXPECT_TRUE(std::isnan(sum_abs[1].item<double>()));
}

TEST(FusedAbsStats, RefusesWhatItDoesNotTake) {
  EXPECT_FALSE(fused::abs_stats_supported(at::zeros({2, 3}, at::kDouble)));
  EXPECT_THROW(fused::abs_max_and_sum(at::zeros({2, 3}, at::kHalf)), std::invalid_argument);
}

}  // namespace
