// Heatmap downsampling for display: max pooling of a region onto at most the viewport's cells.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/heatmap_pool.h"

namespace {

analysis::FloatMatrix ramp(int64_t rows, int64_t cols) {
  analysis::FloatMatrix m{rows, cols, {}};
  for (int64_t i = 0; i < rows * cols; ++i) m.values.push_back(static_cast<float>(i));
  return m;
}

TEST(HeatmapPool, RegionSmallerThanTargetIsCopied) {
  const auto m = ramp(3, 4);
  const auto p = analysis::max_pool_region(m, {1, 1, 3, 4}, 10, 10);
  ASSERT_EQ(p.rows, 2);
  ASSERT_EQ(p.cols, 3);
  EXPECT_EQ(p.at(0, 0), 5.0f);
  EXPECT_EQ(p.at(1, 2), 11.0f);
}

TEST(HeatmapPool, BlocksTakeTheirMaximum) {
  // 4 x 6 onto 2 x 3: each output cell is a 2 x 2 block; a ramp's block maximum is its
  // bottom-right cell.
  const auto m = ramp(4, 6);
  const auto p = analysis::max_pool_region(m, {0, 0, 4, 6}, 2, 3);
  ASSERT_EQ(p.rows, 2);
  ASSERT_EQ(p.cols, 3);
  EXPECT_EQ(p.at(0, 0), 7.0f);
  EXPECT_EQ(p.at(0, 2), 11.0f);
  EXPECT_EQ(p.at(1, 1), 21.0f);
}

TEST(HeatmapPool, UnevenBlocksCoverEveryCellOnce) {
  // 5 columns onto 2: edges floor(j*5/2) = 0, 2, 5; a single spike must land in exactly one cell.
  for (int64_t spike = 0; spike < 5; ++spike) {
    analysis::FloatMatrix m{1, 5, std::vector<float>(5, 0.0f)};
    m.values[spike] = 1.0f;
    const auto p = analysis::max_pool_region(m, {0, 0, 1, 5}, 1, 2);
    EXPECT_EQ(p.at(0, 0) + p.at(0, 1), 1.0f) << spike;
    EXPECT_EQ(p.at(0, spike < 2 ? 0 : 1), 1.0f) << spike;
  }
}

TEST(HeatmapPool, NaNCellsAreSkippedAndRegionIsClipped) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  analysis::FloatMatrix m{2, 2, {nan, 3.0f, nan, nan}};
  const auto p = analysis::max_pool_region(m, {-5, -5, 10, 10}, 1, 2);
  ASSERT_EQ(p.rows, 1);
  ASSERT_EQ(p.cols, 2);
  EXPECT_TRUE(std::isnan(p.at(0, 0)));
  EXPECT_EQ(p.at(0, 1), 3.0f);
  EXPECT_THROW(analysis::max_pool_region(m, {0, 0, 2, 2}, 0, 1), std::invalid_argument);
}

TEST(HeatmapPool, KthLargest) {
  const std::vector<float> v = {0.5f, 3.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f, 3.0f, 1.0f};
  EXPECT_EQ(analysis::kth_largest(v, 1), 3.0f);
  EXPECT_EQ(analysis::kth_largest(v, 2), 3.0f);  // ties
  EXPECT_EQ(analysis::kth_largest(v, 3), 2.0f);
  EXPECT_EQ(analysis::kth_largest(v, 99), 0.5f);
  EXPECT_TRUE(std::isinf(analysis::kth_largest(v, 0)));
}

}  // namespace
