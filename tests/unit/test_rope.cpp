// Rotary embedding: frequencies and rotation against values computed by hand.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "quantcore/model/rope.h"

using quantcore::RopeSpec;

TEST(Rope, DefaultInverseFrequencies) {
  RopeSpec rope;  // theta 10000
  at::Tensor f = quantcore::rope_inverse_frequencies(rope, 8);
  ASSERT_EQ(f.numel(), 4);
  const double expected[] = {1.0, 0.1, 0.01, 0.001};  // 10000^(-2i/8)
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(f[i].item<float>(), expected[i], 1e-7 * (1 + expected[i] * 10));
}

TEST(Rope, Llama3ScalingKeepsHighScalesLowInterpolatesMiddle) {
  RopeSpec rope;
  rope.type = "llama3";
  rope.factor = 8;
  rope.low_freq_factor = 1;
  rope.high_freq_factor = 4;
  rope.original_max_position_embeddings = 1000;  // wavelength bands: < 250 kept, > 1000 scaled
  at::Tensor f = quantcore::rope_inverse_frequencies(rope, 6);
  // inv_freq = 1, 10000^(-1/3) = 0.0464159, 10000^(-2/3) = 0.00215443
  // wavelengths 6.283 (kept), 135.37 (kept, < 250), 2916.4 (> 1000: divided by 8)
  EXPECT_NEAR(f[0].item<float>(), 1.0, 1e-7);
  EXPECT_NEAR(f[1].item<float>(), 0.0464159, 1e-6);
  EXPECT_NEAR(f[2].item<float>(), 0.00215443 / 8, 1e-8);

  rope.original_max_position_embeddings = 400;  // bands: < 100 kept, > 400 scaled
  f = quantcore::rope_inverse_frequencies(rope, 6);
  // wavelength 135.37 is in the middle band: smooth = (400/135.367 - 1) / 3 = 0.651642
  // (1 - 0.651642) * 0.0464159 / 8 + 0.651642 * 0.0464159 = 0.0322677
  EXPECT_NEAR(f[1].item<float>(), 0.0322677, 1e-6);
  EXPECT_NEAR(f[2].item<float>(), 0.00215443 / 8, 1e-8);
}

TEST(Rope, RotateHalfAtPositionOne) {
  RopeSpec rope;
  at::Tensor inv_freq = quantcore::rope_inverse_frequencies(rope, 4);  // [1, 0.01]
  quantcore::RopeCosSin cs = quantcore::rope_cos_sin(inv_freq, 1, 1, at::kFloat);
  at::Tensor x = at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 1, 4});
  at::Tensor y = quantcore::apply_rope(x, cs.cos, cs.sin).flatten();
  const double c1 = std::cos(1.0), s1 = std::sin(1.0), c2 = std::cos(0.01), s2 = std::sin(0.01);
  EXPECT_NEAR(y[0].item<float>(), 1 * c1 - 3 * s1, 1e-6);
  EXPECT_NEAR(y[1].item<float>(), 2 * c2 - 4 * s2, 1e-6);
  EXPECT_NEAR(y[2].item<float>(), 3 * c1 + 1 * s1, 1e-6);
  EXPECT_NEAR(y[3].item<float>(), 4 * c2 + 2 * s2, 1e-6);
}
