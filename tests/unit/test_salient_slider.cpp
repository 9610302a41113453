// The slider's incremental evaluation against the engine's tensor functions it must reproduce:
// salient_channel_mask (spec §2.2), analytic_error_bound (paper eq. (4)) and model_bits (spec §7).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <random>

#include "analysis/salient_slider.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/pack/bits_accounting.h"

namespace {

std::vector<float> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.contiguous().to(at::kFloat);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

TEST(SalientSlider, MatchesTheTensorReference) {
  at::manual_seed(3);
  const int64_t n = 48, m = 80;
  at::Tensor w = at::randn({n, m}) * 0.05;
  w.index_put_({at::indexing::Slice(), 5}, 0.0);  // a zero column
  w.index_put_({7}, 0.0);                         // an all-zero row
  w.index_put_({9, at::indexing::Slice(0, 40)}, 0.0);
  const at::Tensor stat = at::rand({m}) * 3.0 + 0.01;
  const at::Tensor other = at::rand({32}) + 0.5;

  analysis::FloatMatrix weight{n, m, to_vector(w)};
  std::vector<analysis::SalientSlider::Linear> linears = {{{"a", n, m}, to_vector(stat)},
                                                          {{"b", 16, 32}, to_vector(other)}};
  const analysis::SalientSlider slider(weight, to_vector(stat), linears);

  for (double ratio : {0.0, 0.05, 0.2, 0.5, 0.9, 1.0}) {
    SCOPED_TRACE(ratio);
    const analysis::SalientSliderResult r = slider.evaluate(ratio);
    const at::Tensor mask = quantcore::methods::ptq161::salient_channel_mask(stat, ratio);
    ASSERT_EQ(static_cast<int64_t>(r.mask.size()), m);
    for (int64_t j = 0; j < m; ++j) EXPECT_EQ(r.mask[j] != 0, mask[j].item<bool>()) << j;
    EXPECT_EQ(r.salient_columns, mask.sum().item<int64_t>());
    const double reference = quantcore::methods::ptq161::analytic_error_bound(w, stat, ratio, 4);
    EXPECT_NEAR(r.error_bound, reference, 1e-5 * reference);
    const int64_t k_other = quantcore::methods::ptq161::salient_channel_mask(other, ratio).sum().item<int64_t>();
    const quantcore::ModelBits bits =
        quantcore::model_bits({{{"a", n, m}, r.salient_columns}, {{"b", 16, 32}, k_other}});
    EXPECT_DOUBLE_EQ(r.model_bits_per_weight, bits.bits_per_weight);
    EXPECT_DOUBLE_EQ(r.paper_bits_per_weight, bits.paper_bits_per_weight);
  }
  EXPECT_THROW(slider.evaluate(1.5), std::invalid_argument);
}

// Tied statistics (the mask takes every channel at the threshold), a width that is a multiple of
// the slider's stored stride, and ratios that cross several strides: still the reference's bound.
TEST(SalientSlider, TiesAndWideRowsMatchTheReference) {
  at::manual_seed(11);
  const int64_t n = 24, m = 256;
  const at::Tensor w = at::randn({n, m}) * 0.05;
  const at::Tensor stat = at::floor(at::rand({m}) * 6.0) * 0.5 + 0.25;  // six distinct values
  analysis::FloatMatrix weight{n, m, to_vector(w)};
  const analysis::SalientSlider slider(weight, to_vector(stat), {{{"a", n, m}, to_vector(stat)}});
  for (double ratio : {0.0, 0.1, 0.26, 0.5, 0.74, 0.99, 1.0}) {
    SCOPED_TRACE(ratio);
    const analysis::SalientSliderResult r = slider.evaluate(ratio);
    const at::Tensor mask = quantcore::methods::ptq161::salient_channel_mask(stat, ratio);
    for (int64_t j = 0; j < m; ++j) ASSERT_EQ(r.mask[j] != 0, mask[j].item<bool>()) << j;
    EXPECT_EQ(r.salient_columns, mask.sum().item<int64_t>());
    const double reference = quantcore::methods::ptq161::analytic_error_bound(w, stat, ratio, 4);
    EXPECT_NEAR(r.error_bound, reference, 1e-5 * reference);
  }
}

}  // namespace
