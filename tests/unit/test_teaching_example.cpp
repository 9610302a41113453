// The teaching example against the spec's formulas written out by hand: §2.2 mask from |x|,
// §3 per-row 4-bit quantiser, §4.1 mu and alpha, §4.2 W', and the output errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "analysis/teaching_example.h"

namespace {

TEST(TeachingExample, FollowsTheSpecFormulas) {
  const analysis::TeachingInput in = analysis::default_teaching_input();
  const analysis::TeachingResult r = analysis::teach(in);
  const int64_t n = in.rows, m = in.cols;
  // ratio 0.2 of 8 channels: thr = second largest |x|, so exactly the two outlier channels.
  for (int64_t j = 0; j < m; ++j) EXPECT_EQ(r.mask[j], (j == 2 || j == 6) ? 1 : 0) << j;

  double masked_sq = 0.0, unmasked_sq = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float* w = in.weight.data() + i * m;
    float lo = 0.0f, hi = 0.0f;
    double sum = 0.0, abs_sum = 0.0, all_sum = 0.0, all_abs = 0.0;
    int count = 0, all_count = 0;
    for (int64_t j = 0; j < m; ++j) {
      lo = std::min(lo, w[j]), hi = std::max(hi, w[j]);
      if (w[j] == 0.0f) continue;
      all_sum += w[j], all_abs += std::fabs(w[j]), ++all_count;
      if (!r.mask[j]) sum += w[j], abs_sum += std::fabs(w[j]), ++count;
    }
    const float scale = (hi - lo) / 15.0f, zero = std::nearbyint(-lo / scale);
    EXPECT_NEAR(r.scale[i], scale, 1e-7);
    EXPECT_FLOAT_EQ(r.zero[i], zero);
    EXPECT_NEAR(r.mu[i], sum / count, 1e-6);
    EXPECT_NEAR(r.alpha[i], abs_sum / count, 1e-6);
    const double mu0 = all_sum / all_count, alpha0 = all_abs / all_count;
    double exact = 0.0, masked = 0.0, unmasked = 0.0;
    for (int64_t j = 0; j < m; ++j) {
      const int code = static_cast<int>(std::clamp(std::nearbyint(w[j] / scale) + zero, 0.0f, 15.0f));
      EXPECT_EQ(r.codes[i * m + j], code);
      const double sign = w[j] > r.mu[i] ? 1.0 : (w[j] < r.mu[i] ? -1.0 : 0.0);
      const double expected = r.mask[j] ? scale * (code - zero) : r.alpha[i] * sign + r.mu[i];
      EXPECT_NEAR(r.dequantized[i * m + j], expected, 1e-6) << i << "," << j;
      EXPECT_EQ(r.signs[i * m + j], r.mask[j] ? 0 : static_cast<int>(sign));
      const double binarised = alpha0 * (w[j] > mu0 ? 1.0 : -1.0) + mu0;
      EXPECT_NEAR(r.binarized_only[i * m + j], binarised, 1e-6);
      exact += w[j] * in.x[j], masked += expected * in.x[j], unmasked += binarised * in.x[j];
    }
    EXPECT_NEAR(r.exact_output[i], exact, 1e-5);
    EXPECT_NEAR(r.masked_output[i], masked, 1e-5);
    EXPECT_NEAR(r.unmasked_output[i], unmasked, 1e-5);
    masked_sq += (masked - exact) * (masked - exact), unmasked_sq += (unmasked - exact) * (unmasked - exact);
  }
  EXPECT_NEAR(r.error_with_mask, std::sqrt(masked_sq), 1e-5);
  EXPECT_NEAR(r.error_without_mask, std::sqrt(unmasked_sq), 1e-5);
  // The point of the mask: keeping the outlier channels at 4 bits cuts the output error.
  EXPECT_LT(r.error_with_mask, 0.5 * r.error_without_mask);
}

TEST(TeachingExample, RatioOneKeepsEveryColumnAtFourBits) {
  analysis::TeachingInput in = analysis::default_teaching_input();
  in.ratio = 1.0;
  const analysis::TeachingResult r = analysis::teach(in);
  for (uint8_t v : r.mask) EXPECT_EQ(v, 1);
  for (int64_t i = 0; i < in.rows; ++i)
    for (int64_t j = 0; j < in.cols; ++j) {
      const size_t k = static_cast<size_t>(i * in.cols + j);
      EXPECT_NEAR(r.dequantized[k], r.scale[i] * (r.codes[k] - r.zero[i]), 1e-6);
      EXPECT_NEAR(r.dequantized[k], in.weight[k], r.scale[i] / 2 + 1e-6);  // within half a step
    }
}

TEST(TeachingExample, RejectsBadInput) {
  analysis::TeachingInput in = analysis::default_teaching_input();
  in.x.pop_back();
  EXPECT_THROW(analysis::teach(in), std::invalid_argument);
  in = analysis::default_teaching_input();
  in.ratio = -0.1;
  EXPECT_THROW(analysis::teach(in), std::invalid_argument);
  in.rows = 0;
  EXPECT_THROW(analysis::teach(in), std::invalid_argument);
}

}  // namespace
