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

TEST(HeatmapPool, MarkedFractionOfABlock) {
  // One 4 x 4 block with three marked cells (score >= 1) gives 3/16; a block with none gives 0.
  analysis::FloatMatrix values{4, 8, std::vector<float>(32, 0.5f)};
  analysis::FloatMatrix scores{4, 8, std::vector<float>(32, 0.0f)};
  for (int64_t cell : {0, 5, 15}) scores.values[static_cast<size_t>((cell / 4) * 8 + cell % 4)] = 1.0f;
  const auto p = analysis::pool_region(values, {0, 0, 4, 8}, 1, 2, &scores, 1.0f);
  ASSERT_EQ(p.values.rows, 1);
  ASSERT_EQ(p.values.cols, 2);
  EXPECT_EQ(p.cells(0, 0), 16);
  EXPECT_EQ(p.marked_cells(0, 0), 3u);
  EXPECT_FLOAT_EQ(p.marked_fraction(0, 0), 3.0f / 16.0f);
  EXPECT_EQ(p.marked_cells(0, 1), 0u);
  EXPECT_EQ(p.marked_fraction(0, 1), 0.0f);
  EXPECT_EQ(p.values.at(0, 0), 0.5f);  // the values pool as without marks
}

TEST(HeatmapPool, ValuesAreTheScoresWithoutAScoreMatrix) {
  const auto m = ramp(4, 6);  // 0..23
  const auto p = analysis::pool_region(m, {0, 0, 4, 6}, 2, 3, nullptr, 20.0f);
  // Blocks are 2 x 2; cells 20..23 are marked: 20, 21 in block (1, 1), 22, 23 in block (1, 2).
  EXPECT_EQ(p.marked_cells(1, 1), 2u);
  EXPECT_EQ(p.marked_cells(1, 2), 2u);
  EXPECT_EQ(p.marked_cells(0, 2), 0u);
  EXPECT_FLOAT_EQ(p.marked_fraction(1, 2), 0.5f);
  EXPECT_EQ(p.values.values, analysis::max_pool_region(m, {0, 0, 4, 6}, 2, 3).values);
}

TEST(HeatmapPool, OneToOneMarksAreWholeCells) {
  const auto m = ramp(3, 3);
  const auto p = analysis::pool_region(m, {0, 0, 3, 3}, 10, 10, nullptr, 7.0f);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 3; ++j) EXPECT_EQ(p.marked_fraction(i, j), i * 3 + j >= 7 ? 1.0f : 0.0f);
}

TEST(HeatmapPool, UnevenBlocksCountEveryMarkOnce) {
  analysis::FloatMatrix m{7, 11, {}};
  for (int64_t i = 0; i < 77; ++i) m.values.push_back(static_cast<float>((i * 37) % 10));
  const auto p = analysis::pool_region(m, {0, 0, 7, 11}, 3, 4, nullptr, 7.0f);
  int64_t marked = 0, cells = 0;
  for (int64_t i = 0; i < p.values.rows; ++i)
    for (int64_t j = 0; j < p.values.cols; ++j) marked += p.marked_cells(i, j), cells += p.cells(i, j);
  int64_t expected = 0;
  for (float v : m.values) expected += v >= 7.0f;
  EXPECT_EQ(marked, expected);
  EXPECT_EQ(cells, 77);
}

TEST(HeatmapPool, NoThresholdCountsNothing) {
  const auto p = analysis::pool_region(ramp(4, 4), {0, 0, 4, 4}, 2, 2);
  EXPECT_TRUE(p.marked.empty());
  EXPECT_EQ(p.marked_fraction(1, 1), 0.0f);
  analysis::FloatMatrix other{2, 2, {0, 0, 0, 0}};
  EXPECT_THROW(analysis::pool_region(ramp(4, 4), {0, 0, 4, 4}, 2, 2, &other, 1.0f), std::invalid_argument);
}

TEST(HeatmapPool, CellOfFindsTheCoveringBlock) {
  const auto p = analysis::pool_region(ramp(10, 5), {2, 0, 10, 5}, 3, 2);  // rows 2..9 onto 3: edges 2, 4, 7, 10
  EXPECT_EQ(p.row_edges, (std::vector<int64_t>{2, 4, 7, 10}));
  EXPECT_EQ(p.cell_of(2, 0), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(p.cell_of(6, 1), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_EQ(p.cell_of(7, 2), (std::pair<int64_t, int64_t>{2, 1}));
  EXPECT_EQ(p.cell_of(9, 4), (std::pair<int64_t, int64_t>{2, 1}));
}

TEST(HeatmapPool, FlagsPoolToFractions) {
  const std::vector<uint8_t> flags = {1, 0, 0, 0, 1, 1, 0, 0, 0, 0};
  EXPECT_EQ(analysis::pool_flags(flags, 0, 10, 5), (std::vector<float>{0.5f, 0.0f, 1.0f, 0.0f, 0.0f}));
  EXPECT_EQ(analysis::pool_flags(flags, 4, 6, 10), (std::vector<float>{1.0f, 1.0f}));  // never more runs than flags
  EXPECT_EQ(analysis::pool_flags(flags, 0, 10, 1), (std::vector<float>{0.3f}));
  EXPECT_TRUE(analysis::pool_flags(flags, 8, 20, 4).size() == 2);  // clipped to the flags
}

}  // namespace
