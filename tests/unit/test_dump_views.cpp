// What the Studio's dump view draws from a dump: the activation map, the mask over the pooled
// saliency map's columns, the top-K marking threshold and the loss curve as events.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "analysis/dump_views.h"

namespace {

analysis::DumpLinear linear(const std::string& name, std::vector<float> max_abs, std::vector<float> mean_abs) {
  analysis::DumpLinear l;
  l.linear = name;
  l.act_max_abs = std::move(max_abs);
  l.act_mean_abs = std::move(mean_abs);
  return l;
}

TEST(DumpViews, ActivationMapHasOneRowPerLinearPaddedWithNaN) {
  std::vector<analysis::DumpBlock> blocks(2);
  for (int b = 0; b < 2; ++b) {
    const auto f = static_cast<float>(b);
    blocks[b].index = b;
    blocks[b].linears = {linear("self_attn.q_proj", {1 + f, 2, 3}, {0.5f, 0.25f, f}),
                         linear("mlp.down_proj", {4, 5, 6, 7, 8 + f}, {1, 1, 1, 1, f})};
  }
  const auto max = analysis::dump_activation_map(blocks, analysis::ActivationStatistic::MaxAbs);
  ASSERT_EQ(max.values.rows, 4);
  ASSERT_EQ(max.values.cols, 5);
  ASSERT_EQ(max.rows.size(), 4u);
  EXPECT_EQ(max.rows[3], (std::pair<int64_t, std::string>{1, "mlp.down_proj"}));
  EXPECT_EQ(max.values.at(2, 0), 2.0f);
  EXPECT_TRUE(std::isnan(max.values.at(2, 3)));
  EXPECT_EQ(max.values.at(3, 4), 9.0f);
  const auto mean = analysis::dump_activation_map(blocks, analysis::ActivationStatistic::MeanAbs);
  EXPECT_EQ(mean.values.at(0, 1), 0.25f);
  EXPECT_EQ(mean.values.at(2, 2), 1.0f);
  EXPECT_TRUE(analysis::dump_activation_map({}, analysis::ActivationStatistic::MaxAbs).values.values.empty());
}

TEST(DumpViews, MaskOverPooledColumnsMarksEveryCellWithASalientChannel) {
  analysis::SaliencyMap map;
  map.rows = 1;
  map.cols = 3;  // 10 channels in cells of 4: [0, 4), [4, 8), [8, 10)
  map.pool_cols = 4;
  std::vector<uint8_t> mask(10, 0);
  mask[9] = 1;
  EXPECT_EQ(analysis::pooled_column_mask(mask, map), (std::vector<uint8_t>{0, 0, 1}));
  mask[4] = 1;
  EXPECT_EQ(analysis::pooled_column_mask(mask, map), (std::vector<uint8_t>{0, 1, 1}));
  map.pool_cols = 1;
  map.cols = 10;
  EXPECT_EQ(analysis::pooled_column_mask(mask, map), mask);
}

// Brute force: pool |W| by hand, take the K largest |W_ij|, and compare the cells at or above the
// threshold with the cells that hold one of them.
TEST(DumpViews, ThresholdMarksExactlyTheCellsHoldingTheTopKWeights) {
  const int64_t n = 37, m = 53, pr = 4, pc = 6;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> w(static_cast<size_t>(n * m));
  for (float& v : w) v = normal(rng);
  analysis::SaliencyMap map;
  map.pool_rows = pr;
  map.pool_cols = pc;
  map.rows = (n + pr - 1) / pr;
  map.cols = (m + pc - 1) / pc;
  map.values.assign(static_cast<size_t>(map.rows * map.cols), 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      float& cell = map.values[static_cast<size_t>((i / pr) * map.cols + j / pc)];
      cell = std::max(cell, std::abs(w[static_cast<size_t>(i * m + j)]));
    }
  for (int64_t k : {1, 20, 150, 600}) {
    std::vector<int64_t> order(w.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return std::abs(w[a]) > std::abs(w[b]); });
    analysis::SalientWeights top;
    std::set<int64_t> holding;
    for (int64_t t = 0; t < k; ++t) {
      const int64_t i = order[t] / m, j = order[t] % m;
      top.positions.push_back(static_cast<int32_t>(i));
      top.positions.push_back(static_cast<int32_t>(j));
      holding.insert((i / pr) * map.cols + j / pc);
    }
    const float threshold = analysis::salient_cell_threshold(map, top);
    std::set<int64_t> marked;
    for (size_t c = 0; c < map.values.size(); ++c)
      if (map.values[c] >= threshold) marked.insert(static_cast<int64_t>(c));
    EXPECT_EQ(marked, holding) << "k = " << k;
  }
  EXPECT_TRUE(std::isinf(analysis::salient_cell_threshold(map, {})));
}

TEST(DumpViews, LossCurveBecomesEventsWithTheSampleAsStep) {
  analysis::LossCurve c;
  c.step = {8, 9, 10, 11};
  c.epoch = {0, 0, 1, 1};
  c.sample = {0, 1, 0, 1};
  c.mse_fp = {1, 2, 3, 4};
  c.mse_q = {5, 6, 7, 8};
  c.nlc_fp = {0.1, 0.2, 0.3, 0.4};
  c.nlc_q = {0.5, 0.6, 0.7, 0.8};
  c.total = {9, 10, 11, 12};
  const auto events = analysis::loss_events(2, c);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2].block, 2);
  EXPECT_EQ(events[2].epoch, 1);
  EXPECT_EQ(events[2].step, 0);
  EXPECT_EQ(events[3].loss.mse_q, 8);
  EXPECT_EQ(events[3].loss.nlc_fp, 0.4);
  EXPECT_EQ(events[1].loss.total, 10);
}

}  // namespace
