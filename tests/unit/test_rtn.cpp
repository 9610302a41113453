// RTN (baselines-spec §4.1, §4.3): the min/max quantiser on hand-checked rows, groups of
// columns, the zero-range corner, and the stored bits of §4.4.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quantcore/methods/registry.h"
#include "quantcore/methods/rtn/rtn.h"
#include "quantcore/pack/half_float.h"

namespace rtn = quantcore::methods::rtn;

namespace {

TEST(Rtn, TwoBitRowByHand) {
  // lo = min(-1, 0) = -1, hi = 2: s = 3 / 3 = 1, z = round(1 / 1) = 1.
  // Q(w) = clamp(round(w) + 1, 0, 3): -1 -> 0, 0.4 -> 1, 0.6 -> 2, 2 -> 3.
  const std::vector<float> w = {-1.0f, 0.4f, 0.6f, 2.0f};
  const rtn::RtnLinear q = rtn::quantize(w.data(), 1, 4, 2, -1);
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_FLOAT_EQ(q.scales[0], 1.0f);
  EXPECT_EQ(q.zeros[0], 1);
  EXPECT_EQ(rtn::dequantize(q), (std::vector<float>{-1.0f, 0.0f, 1.0f, 2.0f}));
}

TEST(Rtn, RangeAlwaysHoldsZeroAndAnAllZeroRowStaysZero) {
  // All positive: lo is clamped to 0, so z = 0 and 0 is exactly representable.
  const std::vector<float> positive = {1.0f, 2.0f, 3.0f};
  const rtn::RtnLinear p = rtn::quantize(positive.data(), 1, 3, 4, -1);
  EXPECT_EQ(p.zeros[0], 0);
  EXPECT_FLOAT_EQ(p.scales[0], quantcore::round_to_half(3.0f / 15.0f));
  // lo = hi = 0: the range becomes [-1, 1] and zeros dequantise to 0.
  const std::vector<float> zero = {0.0f, 0.0f};
  const rtn::RtnLinear z = rtn::quantize(zero.data(), 1, 2, 3, -1);
  EXPECT_FLOAT_EQ(z.scales[0], quantcore::round_to_half(2.0f / 7.0f));
  EXPECT_EQ(rtn::dequantize(z), (std::vector<float>{0.0f, 0.0f}));
}

TEST(Rtn, GroupsHaveTheirOwnRange) {
  // Two rows of 6 columns in groups of 4: the second group is the last 2 columns.
  std::vector<float> w = {0.1f, -0.2f, 0.3f, 0.05f, 8.0f, -8.0f,  //
                          1.0f, 1.0f,  1.0f, 1.0f,  0.0f, 0.5f};
  const rtn::RtnLinear g = rtn::quantize(w.data(), 2, 6, 4, 4);
  EXPECT_EQ(g.groups(), 2);
  ASSERT_EQ(g.scales.size(), 4u);
  const rtn::RtnLinear row = rtn::quantize(w.data(), 2, 6, 4, -1);
  // The small weights of group 0 keep their precision only when groups separate them from +-8.
  const std::vector<float> grouped = rtn::dequantize(g), whole = rtn::dequantize(row);
  double e_grouped = 0, e_whole = 0;
  for (int j = 0; j < 4; ++j) {
    e_grouped += std::abs(grouped[j] - w[j]);
    e_whole += std::abs(whole[j] - w[j]);
  }
  EXPECT_LT(e_grouped, e_whole / 4);
  // A group size beyond the row is one group per row.
  EXPECT_EQ(rtn::quantize(w.data(), 2, 6, 4, 100).groups(), 1);
}

TEST(Rtn, CodesOfAnyWidthRoundTrip) {
  // 3 and 5 bits straddle word boundaries: 64 codes of 3 bits fill 6 words.
  std::vector<float> w(5 * 64);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i % 13) - 6);
  for (int bits : {3, 5, 7}) {
    const rtn::RtnLinear q = rtn::quantize(w.data(), 5, 64, bits, -1);
    EXPECT_EQ(int64_t(q.codes.size()), 5 * rtn::words_per_code_row(64, bits));
    const std::vector<float> d = rtn::dequantize(q);
    for (size_t i = 0; i < w.size(); ++i) ASSERT_NEAR(d[i], w[i], 0.5f * q.scales[i / 64] * 1.01f) << bits << " " << i;
  }
  EXPECT_EQ(rtn::words_per_code_row(64, 3), 6);
}

// Half a step of the fp32 scale, plus what rounding the scale to fp16 moves the farthest code
// (|Q - z| <= 2^b - 1 steps, each off by at most 2^-11 of a step).
TEST(Rtn, EveryWeightIsWithinHalfAStepOfItsValue) {
  std::vector<float> w(64 * 96);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(0.37f * float(i)) * (1.0f + float(i % 7));
  for (int bits : {1, 2, 3, 4, 8})
    for (int64_t group : {-1, 32, 17}) {
      const rtn::RtnLinear q = rtn::quantize(w.data(), 64, 96, bits, group);
      const std::vector<float> d = rtn::dequantize(q);
      for (int64_t i = 0; i < 64; ++i)
        for (int64_t j = 0; j < 96; ++j) {
          const float s = q.scales[size_t(i * q.groups() + j / q.group_size)];
          const float bound = s * (0.5f + float((1 << bits) - 1) / 2048.0f) * 1.001f + 1e-6f;
          ASSERT_LE(std::abs(d[size_t(i * 96 + j)] - w[size_t(i * 96 + j)]), bound)
              << bits << " " << group << " " << i << " " << j;
        }
    }
}

TEST(Rtn, StoredBitsAreCodesPlusFp16ScalesAndZeroPoints) {
  std::vector<float> w(8 * 300, 0.5f);
  const rtn::RtnLinear row = rtn::quantize(w.data(), 8, 300, 2, -1);
  EXPECT_EQ(rtn::stored_bits(row), 8 * 300 * 2 + 8 * (16 + 2));
  const rtn::RtnLinear g = rtn::quantize(w.data(), 8, 300, 4, 128);  // 3 groups, the last of 44
  EXPECT_EQ(rtn::stored_bits(g), 8 * 300 * 4 + 8 * 3 * (16 + 4));
  // What the registry row declares is the same count (baselines-spec §4.4).
  const auto& method = *quantcore::methods::find_method(rtn::kName);
  quantcore::methods::MethodSettings s = quantcore::methods::parse_method_spelling("rtn:bits=4:group-size=128", "test");
  const auto declared = method.bits(s, 8, 300, 0);
  EXPECT_DOUBLE_EQ(declared.stored, double(rtn::stored_bits(g)) / (8 * 300));
  EXPECT_DOUBLE_EQ(declared.paper, 4.0);
}

TEST(Rtn, BadArgumentsAreRefused) {
  const std::vector<float> w = {1.0f};
  EXPECT_THROW(rtn::quantize(w.data(), 1, 1, 0, -1), std::invalid_argument);
  EXPECT_THROW(rtn::quantize(w.data(), 1, 1, 9, -1), std::invalid_argument);
  EXPECT_THROW(rtn::quantize(w.data(), 1, 1, 4, 0), std::invalid_argument);
}

}  // namespace
