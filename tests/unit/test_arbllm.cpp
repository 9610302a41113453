// ARB-LLM (baselines-spec §7): the alternating refinements never increase their error and reach a
// fixed point, ARB-RC recovers an exactly rank-1 |W|, ARB-X's L2 loop does not increase e S eᵀ,
// every variant's stored form is its W' with the declared bits, and §7.5's figures.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "quantcore/io/errors.h"
#include "quantcore/methods/arbllm/arb_fits.h"
#include "quantcore/methods/arbllm/arbllm.h"
#include "quantcore/methods/registry.h"

namespace arb = quantcore::methods::arbllm;
namespace billm = quantcore::methods::billm;
namespace qm = quantcore::methods;

namespace {

billm::Matrix random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor x = (at::randn({rows, cols}) + 0.3).contiguous();  // a nonzero mean for μ to find
  billm::Matrix m(rows, cols);
  m.values.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  return m;
}

billm::Mask random_zone(int64_t rows, int64_t cols, uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor keep = (at::rand({rows * cols}) < 0.7).to(at::kByte).contiguous();
  return billm::Mask(keep.data_ptr<uint8_t>(), keep.data_ptr<uint8_t>() + keep.numel());
}

// Equal signs on the zone and scalars equal up to float32 rounding: the code's incremental mean
// (μ += mean(w - ŵ), in float) keeps moving by an ulp at the fixed point.
bool same_fit(const billm::ZoneFit& a, const billm::ZoneFit& b, const billm::Mask& zone) {
  for (size_t i = 0; i < zone.size(); ++i)
    for (int k = 0; k < a.order; ++k)
      if (zone[i] && a.sign[k * zone.size() + i] != b.sign[k * zone.size() + i]) return false;
  const auto close = [](const std::vector<float>& x, const std::vector<float>& y) {
    for (size_t i = 0; i < x.size(); ++i)
      if (std::fabs(x[i] - y[i]) > 1e-6f * std::max(1.0f, std::fabs(x[i]))) return false;
    return x.size() == y.size();
  };
  return close(a.mean, b.mean) && close(a.alpha, b.alpha) && close(a.column_scale, b.column_scale);
}

using Fit = std::function<billm::ZoneFit(const billm::Matrix&, const billm::Mask&, int)>;

// The error after k = 0, 1, ... iterations never grows; some k reaches a fixed point (k + 1
// iterations give the same fit) and the refinement beats BiLLM's initial fit.
void expect_monotone_to_a_fixed_point(const Fit& fit, const std::string& what) {
  const billm::Matrix w = random_matrix(6, 48, 1);
  const billm::Mask zone = random_zone(6, 48, 2);
  const double initial = billm::zone_square_error(fit(w, zone, 0), w, zone);
  double previous = initial;
  int fixed_point = -1;
  for (int k = 1; k <= 100 && fixed_point < 0; ++k) {
    const billm::ZoneFit now = fit(w, zone, k);
    const double e = billm::zone_square_error(now, w, zone);
    EXPECT_LE(e, previous * (1 + 1e-6)) << what << " iteration " << k;
    previous = e;
    if (same_fit(now, fit(w, zone, k + 1), zone)) fixed_point = k;
  }
  EXPECT_GE(fixed_point, 1) << what << " reached no fixed point in 100 iterations";
  EXPECT_LT(previous, 0.99 * initial) << what;
}

TEST(ArbFits, MeanOrderOneNeverIncreasesTheErrorAndReachesAFixedPoint) {
  expect_monotone_to_a_fixed_point(arb::arb_order1, "arb order 1");
}

TEST(ArbFits, MeanOrderTwoNeverIncreasesTheErrorAndReachesAFixedPoint) {
  expect_monotone_to_a_fixed_point(arb::arb_order2, "arb order 2");
}

TEST(ArbFits, RowColumnFitsNeverIncreaseTheErrorAndReachAFixedPoint) {
  expect_monotone_to_a_fixed_point(arb::arb_rc_order1, "arb-rc order 1");
  expect_monotone_to_a_fixed_point(arb::arb_rc_order2, "arb-rc order 2");
}

TEST(ArbFits, RowColumnFitRecoversAnExactlyRankOneMagnitude) {
  at::manual_seed(4);
  const int64_t n = 7, m = 20;
  const at::Tensor u = at::rand({n}) + 0.5, v = at::rand({m}) + 0.2;
  const at::Tensor signs = at::where(at::rand({n, m}) < 0.5, -1.0, 1.0);
  const at::Tensor w = (u.unsqueeze(1) * v.unsqueeze(0) * signs).to(at::kFloat).contiguous();
  billm::Matrix x(n, m);
  x.values.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  const billm::Mask zone(static_cast<size_t>(n * m), 1);
  for (int iterations : {0, 15}) {
    const billm::ZoneFit f = arb::arb_rc_order1(x, zone, iterations);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t j = 0; j < m; ++j) EXPECT_NEAR(f.value(r, j), x.at(r, j), 1e-5f) << iterations << " iterations";
  }
}

TEST(ArbFits, XsL2StepDoesNotIncreaseTheQuadraticError) {
  const int64_t beta = 32;
  at::manual_seed(9);
  const at::Tensor mix = at::randn({beta, beta}) * 0.4 + at::eye(beta);
  const at::Tensor inputs = at::randn({256, beta}).mm(mix);
  const at::Tensor s_tensor = (inputs.t().mm(inputs) / 256.0).contiguous();
  billm::Matrix s(beta, beta);
  s.values.assign(s_tensor.data_ptr<float>(), s_tensor.data_ptr<float>() + s_tensor.numel());
  const billm::Matrix w = random_matrix(5, beta, 3);
  const billm::Mask zone = random_zone(5, beta, 6);
  for (int order : {1, 2}) {
    const double l1_only = arb::zone_quadratic_error(arb::arb_x(w, zone, order, s, 15, 0), w, zone, s);
    double previous = l1_only;
    for (int k = 1; k <= 15; ++k) {
      const double e = arb::zone_quadratic_error(arb::arb_x(w, zone, order, s, 15, k), w, zone, s);
      EXPECT_LE(e, previous * (1 + 1e-6)) << "order " << order << ", L2 iteration " << k;
      previous = e;
    }
    EXPECT_LT(previous, l1_only) << "order " << order;
  }
}

struct Layer {
  at::Tensor w, h;
};

Layer random_layer(int64_t n, int64_t m) {
  at::manual_seed(8);
  const at::Tensor x = (at::randn({m, m}) * 0.3 + at::eye(m)).mm(at::randn({m, 4 * m}));
  return {at::randn({n, m}), x.mm(x.t()) * (2.0 / double(4 * m))};
}

TEST(Arbllm, EveryVariantsStoredFormIsItsWPrimeWithTheDeclaredBits) {
  const Layer l = random_layer(10, 200);  // blocks of 128 and 72 columns
  const qm::QuantMethod& method = qm::method_named(arb::kName, "test");
  for (arb::Variant v : {arb::Variant::Arb, arb::Variant::ArbX, arb::Variant::ArbRc})
    for (bool cgb : {false, true}) {
      arb::ArbllmOptions o;
      o.variant = v;
      o.cgb = cgb;
      const std::string what = std::string(arb::variant_name(v)) + (cgb ? " cgb" : "");
      const billm::BinarizationRun q = arb::quantize_linear(l.w, l.h, o, "test", {}, quantcore::CancelToken());
      const std::vector<float> w = billm::dequantize(q.stored);
      EXPECT_TRUE(at::equal(q.weight, at::from_blob(const_cast<float*>(w.data()), {10, 200}, at::kFloat))) << what;
      EXPECT_LT(((q.weight - l.w).norm() / l.w.norm()).item<double>(), 0.7) << what;
      const int64_t k = q.stored.salient_count();
      EXPECT_DOUBLE_EQ(o.structure.salient_cap, 50);
      qm::MethodSettings s(method);
      s.set("variant", arb::variant_name(v), "test");
      if (cgb) s.set("cgb", "true", "test");
      EXPECT_DOUBLE_EQ(method.bits(s, 10, 200, k).stored * 10 * 200, double(billm::stored_bits(q.stored))) << what;
      EXPECT_DOUBLE_EQ(method.bits(s, 10, 200, k).paper, 1.0 + double(k) / 200.0);
    }
}

TEST(Arbllm, Section75BitFigures) {
  // 4096 × 4096, r_sal = 0.09, k = r·β per block. The spec's accounting (dense group bitmap):
  const double r = 0.09, k_block = r * 128, k = r * 4096;
  EXPECT_NEAR(billm::section75_bits_per_weight(4096, r, 128, 7, 0), 2.97, 0.005);                  // ARB, ARB-X
  EXPECT_NEAR(billm::section75_bits_per_weight(4096, r, 128, 10, 0), 3.34, 0.005);                 // ARB-LLM_X
  EXPECT_NEAR(billm::section75_bits_per_weight(4096, r, 128, 4, 256), 2.60, 0.005);                // ARB-RC
  EXPECT_NEAR(billm::section75_bits_per_weight(4096, r, 128, 6, 256 + 2 * k_block), 2.85, 0.005);  // ARB-LLM_RC
  // The stored layouts: the same with CGB; without it no group bit in the salient columns (- r).
  const auto stored = [&](arb::Variant v, bool cgb) {
    return arb::arbllm_layout(v, cgb, 128).stored_bits(4096, 4096, k) / (4096.0 * 4096.0);
  };
  EXPECT_NEAR(stored(arb::Variant::ArbX, true), billm::section75_bits_per_weight(4096, r, 128, 10, 0), 1e-12);
  EXPECT_NEAR(stored(arb::Variant::ArbRc, true), billm::section75_bits_per_weight(4096, r, 128, 6, 256 + 2 * k_block),
              1e-12);
  EXPECT_NEAR(stored(arb::Variant::Arb, false), billm::section75_bits_per_weight(4096, r, 128, 7, 0) - r, 1e-12);
  EXPECT_NEAR(stored(arb::Variant::ArbX, false), billm::section75_bits_per_weight(4096, r, 128, 7, 0) - r, 1e-12);
  EXPECT_NEAR(stored(arb::Variant::ArbRc, false), billm::section75_bits_per_weight(4096, r, 128, 4, 256) - r, 1e-12);
  EXPECT_NEAR(stored(arb::Variant::ArbX, true), 3.34, 0.005);
  EXPECT_NEAR(stored(arb::Variant::ArbRc, true), 2.85, 0.005);
  EXPECT_NEAR(stored(arb::Variant::ArbX, false), 2.88, 0.005);
  EXPECT_NEAR(stored(arb::Variant::ArbRc, false), 2.51, 0.005);
}

TEST(Arbllm, RegistryRowDefaultsAndRefusesNumPAboveOne) {
  const qm::QuantMethod& method = qm::method_named(arb::kName, "test");
  qm::MethodSettings s(method);
  EXPECT_EQ(s.choice("variant"), "arb-rc");
  EXPECT_EQ(s.choice("salient-metric"), "hessian");
  EXPECT_FALSE(s.flag("cgb"));
  EXPECT_EQ(s.integer("iterations"), 15);
  EXPECT_NO_THROW(method.check(s, "test"));
  s.set("num-p", "2", "test");
  EXPECT_THROW(method.check(s, "test"), quantcore::InputError);
  arb::ArbllmOptions o;
  o.num_p = 2;
  const Layer l = random_layer(2, 8);
  EXPECT_THROW(arb::quantize_linear(l.w, l.h, o, "test", {}, quantcore::CancelToken()), std::invalid_argument);
}

}  // namespace
