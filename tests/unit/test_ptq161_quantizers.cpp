// PTQ1.61 building blocks against hand-computed cases: salient-channel mask (spec §2.2),
// 4-bit row quantiser (§3), binarisation parameters and dequantised weight (§4.1, §4.2),
// exact autograd gradients of alpha, r1, r2, and the analytic error bound (paper eq. 4).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <functional>
#include <vector>

#include "quantcore/methods/ptq161/quantizers.h"

namespace ptq = quantcore::methods::ptq161;

namespace {

at::Tensor doubles(std::vector<double> v, std::vector<int64_t> shape) {
  return at::tensor(v, at::kDouble).reshape(shape);
}
at::Tensor floats(std::vector<float> v, std::vector<int64_t> shape) { return at::tensor(v, at::kFloat).reshape(shape); }
at::Tensor mask_of(std::vector<int> v) { return at::tensor(v, at::kInt).to(at::kBool); }
std::vector<bool> bools(const at::Tensor& t) {
  std::vector<bool> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(t[i].item<bool>());
  return out;
}
void expect_near(const at::Tensor& actual, const at::Tensor& expected, double tol) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  at::Tensor a = actual.to(at::kDouble).flatten(), e = expected.to(at::kDouble).flatten();
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_NEAR(a[i].item<double>(), e[i].item<double>(), tol) << "at " << i;
}

// 4096 (or more) distinct fp16-exact values 2^e (1 + f/1024) in a scrambled order.
at::Tensor distinct_half_values(int64_t m) {
  std::vector<float> v(static_cast<size_t>(m));
  for (int64_t k = 0; k < m; ++k) {
    const int64_t slot = (k * 7919) % m;  // 7919 is prime: a permutation of 0..m-1 when coprime
    v[static_cast<size_t>(slot)] =
        std::ldexp(1.0f + static_cast<float>(k % 1024) / 1024.0f, static_cast<int>(k / 1024));
  }
  return at::tensor(v, at::kFloat);
}

}  // namespace

// ---- §2.2 mask ---------------------------------------------------------------------------------

TEST(Ptq161Mask, Fp16RoundingMakesTiesAndTiesAreSalient) {
  // 1.0004 rounds to 1.0 in fp16 (spacing 2^-10 there), tying with 1.0; m = 5, ratio 0.2 ->
  // index 1 of {2, 1, 1, 0.5, 0.25} -> thr = 1 -> three channels.
  at::Tensor s = floats({1.0f, 1.0004f, 0.5f, 2.0f, 0.25f}, {5});
  EXPECT_EQ(bools(ptq::salient_channel_mask(s)), (std::vector<bool>{true, true, false, true, false}));
  // Exactly half-way values round to even: 1 + 2^-11 -> 1 (ties 1.0), 1 + 3 * 2^-11 -> 1 + 2^-9.
  at::Tensor halfway = floats({1.0f + std::ldexp(1.0f, -11), 1.0f, 1.0f + 3 * std::ldexp(1.0f, -11), 0.1f}, {4});
  // ratio 0.5 -> index 2 of {1+2^-9, 1, 1, 0.1} -> thr 1 -> the tie is salient.
  EXPECT_EQ(bools(ptq::salient_channel_mask(halfway, 0.5)), (std::vector<bool>{true, true, true, false}));
}

TEST(Ptq161Mask, SmallValuesClampToOneTie) {
  // 0 and 1e-7 both clamp to fp16(1e-5): ratio 0.5 -> index 2 -> thr = the clamp -> all four.
  at::Tensor s = floats({0.0f, 1e-7f, 3.0f, 2.0f}, {4});
  EXPECT_EQ(bools(ptq::salient_channel_mask(s, 0.5)), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(bools(ptq::salient_channel_mask(s, 0.25)), (std::vector<bool>{false, false, true, true}));
}

TEST(Ptq161Mask, CountsOfTheSpecExamples) {
  EXPECT_EQ(ptq::salient_channel_mask(distinct_half_values(4096)).sum().item<int64_t>(), 820);
  EXPECT_EQ(ptq::salient_channel_mask(distinct_half_values(11008)).sum().item<int64_t>(), 2202);
  EXPECT_EQ(ptq::salient_channel_mask(distinct_half_values(5), 1.0).sum().item<int64_t>(), 5);
  EXPECT_EQ(ptq::salient_channel_mask(distinct_half_values(5), 0.0).sum().item<int64_t>(), 1);
  EXPECT_THROW(ptq::salient_channel_mask(distinct_half_values(5), 1.5), std::invalid_argument);
}

// ---- §3 salient quantiser ----------------------------------------------------------------------

TEST(Ptq161SalientQuantizer, HandComputedRows) {
  at::Tensor w = floats({0.0f, 2.5f, 3.5f, 15.0f,  // lo 0, hi 15: s 1, z 0; 2.5 -> 2, 3.5 -> 4
                         -7.5f, 0.0f, 2.5f, 7.5f,  // s 1, z = round(7.5) = 8; 7.5 -> 8+8 -> clamp 15
                         0.0f, 0.0f, 0.0f, 0.0f,   // all zero: range [-1, 1]
                         1.0f, 2.0f, 3.0f, 4.0f},  // range includes 0: lo 0, z 0
                        {4, 4});
  ptq::SalientQuantization q = ptq::quantize_salient(w);
  EXPECT_EQ(q.codes.scalar_type(), at::kByte);
  EXPECT_TRUE(at::equal(q.codes.slice(0, 0, 2), at::tensor({0, 2, 4, 15, 0, 8, 10, 15}, at::kByte).reshape({2, 4})));
  expect_near(q.dequantized.slice(0, 0, 2), floats({0, 2, 4, 15, -8, 0, 2, 7}, {2, 4}), 0);
  expect_near(q.scale, floats({1, 1, 2.0f / 15, 4.0f / 15}, {4, 1}), 1e-7);
  EXPECT_EQ(q.zero[0][0].item<float>(), 0);
  EXPECT_EQ(q.zero[1][0].item<float>(), 8);
  EXPECT_EQ(q.zero[3][0].item<float>(), 0);
  // The all-zero row maps every entry to its zero point and back to exactly 0.
  for (int j = 0; j < 4; ++j) {
    EXPECT_EQ(q.codes[2][j].item<int>(), q.zero[2][0].item<float>());
    EXPECT_EQ(q.dequantized[2][j].item<float>(), 0.0f);
  }
  // Two bits: qmax 3.
  ptq::SalientQuantization q2 = ptq::quantize_salient(floats({0, 1, 2, 3}, {1, 4}), 2);
  EXPECT_TRUE(at::equal(q2.codes, at::tensor({0, 1, 2, 3}, at::kByte).reshape({1, 4})));
}

TEST(Ptq161SalientQuantizer, RoundIsHalfToEven) {
  at::Tensor r = at::round(floats({0.5f, 1.5f, 2.5f, -0.5f, -1.5f}, {5}));
  expect_near(r, floats({0, 2, 2, -0, -2}, {5}), 0);
}

// ---- §4.1, §4.2 binarisation -------------------------------------------------------------------

TEST(Ptq161Binarization, InitialParameters) {
  // Column 2 salient. Row 0 non-salient 1, -3, 5 -> mu 1, alpha 3; row 1 non-zero non-salient
  // 2, -0.5 -> mu 0.75, alpha 1.25; row 2 has only a zero and a salient entry -> 0, 0.
  at::Tensor w = doubles({1, -3, 4, 5, 0, 2, -8, -0.5, 0, 0, 6, 0}, {3, 4});
  at::Tensor mask = mask_of({0, 0, 1, 0});
  ptq::BinarizationParams p = ptq::init_binarization(w, mask);
  expect_near(p.mean, doubles({1, 0.75, 0}, {3, 1}), 1e-15);
  expect_near(p.alpha, doubles({3, 1.25, 0}, {3, 1}), 1e-15);
  expect_near(p.r1, at::ones({3, 1}, at::kDouble), 0);
  expect_near(p.r2, at::ones({1, 4}, at::kDouble), 0);
}

TEST(Ptq161Binarization, PaperVariantsOfTheInitialParameters) {
  // Same matrix as above. D2 (no mean): mu = 0. D6 (alpha over every non-salient entry):
  // row 1 = (|2| + |-0.5| + |0|) / 3 = 2.5 / 3, row 2 = (0 + 0 + 0) / 3 = 0.
  at::Tensor w = doubles({1, -3, 4, 5, 0, 2, -8, -0.5, 0, 0, 6, 0}, {3, 4});
  at::Tensor mask = mask_of({0, 0, 1, 0});
  ptq::BinarizationVariant paper;
  paper.subtract_mean = false;
  paper.alpha_over_nonzero = false;
  ptq::BinarizationParams p = ptq::init_binarization(w, mask, paper);
  expect_near(p.mean, doubles({0, 0, 0}, {3, 1}), 0);
  expect_near(p.alpha, doubles({3, 2.5 / 3, 0}, {3, 1}), 1e-15);
  // With mu = 0 the signs are those of W itself: row 0 of W' = alpha * sgn(W) off the mask.
  at::Tensor salient = at::zeros({3, 4}, at::kDouble);
  at::Tensor wq = ptq::dequantized_weight(w, mask, salient, p.mean, p.alpha, p.r1, p.r2);
  expect_near(wq.select(0, 0), doubles({3, -3, 0, 3}, {4}), 1e-15);
}

TEST(Ptq161Binarization, DequantizedWeightByHand) {
  at::Tensor w = doubles({1, -3, 4, 5, 0, 2, -8, -0.5}, {2, 4});
  at::Tensor mask = mask_of({0, 0, 1, 0});
  ptq::BinarizationParams p = ptq::init_binarization(w, mask);
  // S row 0 = sgn(W - 1) = {0, -1, ., 1} -> B = {1, -2, ., 4};
  // S row 1 = sgn(W - 0.75) = {-1, 1, ., -1} -> B = {-0.5, 2, ., -0.5}.
  at::Tensor salient = doubles({9, 9, 4.25, 9, 9, 9, -7.75, 9}, {2, 4});
  at::Tensor r1 = doubles({2, 1}, {2, 1});
  at::Tensor r2 = doubles({1, 0.5, 3, -1}, {1, 4});
  at::Tensor wq = ptq::dequantized_weight(w, mask, salient, p.mean, p.alpha, r1, r2);
  expect_near(wq, doubles({2, -2, 4.25, -8, -0.5, 1, -7.75, 0.5}, {2, 4}), 1e-15);
}

TEST(Ptq161Binarization, GradientsMatchFiniteDifferences) {
  at::manual_seed(3);
  const int64_t n = 3, m = 5;
  at::Tensor w = at::randn({n, m}, at::kDouble);
  at::Tensor mask = mask_of({0, 1, 0, 0, 1});
  at::Tensor salient = ptq::quantize_salient(w).dequantized;
  ptq::BinarizationParams p = ptq::init_binarization(w, mask);
  at::Tensor x = at::randn({4, m}, at::kDouble), y = at::randn({4, n}, at::kDouble);
  std::vector<at::Tensor> params = {p.alpha + 0.1 * at::randn({n, 1}, at::kDouble),
                                    p.r1 + 0.1 * at::randn({n, 1}, at::kDouble),
                                    p.r2 + 0.1 * at::randn({1, m}, at::kDouble)};
  auto loss = [&](const std::vector<at::Tensor>& q) {
    at::Tensor wq = ptq::dequantized_weight(w, mask, salient, p.mean, q[0], q[1], q[2]);
    return (at::matmul(x, wq.t()) - y).pow(2).sum();
  };
  for (at::Tensor& t : params) t.requires_grad_(true);
  loss(params).backward();
  const double h = 1e-6;
  for (size_t k = 0; k < params.size(); ++k) {
    at::Tensor grad = params[k].grad();
    ASSERT_TRUE(grad.defined());
    for (int64_t i = 0; i < params[k].numel(); ++i) {
      std::vector<at::Tensor> plus, minus;
      for (const at::Tensor& t : params) {
        plus.push_back(t.detach().clone());
        minus.push_back(t.detach().clone());
      }
      plus[k].view(-1)[i] += h;
      minus[k].view(-1)[i] -= h;
      const double fd = (loss(plus).item<double>() - loss(minus).item<double>()) / (2 * h);
      EXPECT_NEAR(grad.view(-1)[i].item<double>(), fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << "parameter " << k << " entry " << i;
    }
  }
  // r2 on salient columns is multiplied by 0: no gradient reaches it.
  EXPECT_EQ(params[2].grad()[0][1].item<double>(), 0.0);
  EXPECT_EQ(params[2].grad()[0][4].item<double>(), 0.0);
}

// ---- paper eq. (4) -----------------------------------------------------------------------------

TEST(Ptq161ErrorBound, HandComputed) {
  // s = {1, 2, 4, 0.5}, ratio 0.2 -> index 0 -> only column 2 salient.
  // Row 0 {2, -4, 4.4, 11}: range 15 -> scale 1, z 4, col 2 -> 4 (error 0.4); non-salient
  //   2, -4, 11 -> mu 3, alpha 17/3, B = {-8/3, -8/3, ., 26/3}: errors 14/3, 4/3, 7/3.
  // Row 1 {0, 2, -7.3, 7.7}: scale 1, z 7, col 2 -> -7 (error 0.3); non-zero non-salient 2, 7.7
  //   -> mu = alpha = 4.85, B = {0, 0, ., 9.7}: errors 0, 2, 2.
  // E = 1 (14/3) + 2 (4/3 + 2) + 4 (0.7) + 0.5 (7/3 + 2) = 16.3
  at::Tensor w = doubles({2, -4, 4.4, 11, 0, 2, -7.3, 7.7}, {2, 4});
  at::Tensor s = floats({1, 2, 4, 0.5}, {4});
  EXPECT_EQ(bools(ptq::salient_channel_mask(s)), (std::vector<bool>{false, false, true, false}));
  EXPECT_NEAR(ptq::analytic_error_bound(w, s), 16.3, 1e-9);
}
