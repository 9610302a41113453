// lm-eval's aggregation: acc and acc_norm per item (numpy argmax, lengths in characters) and the
// mean with mean_stderr, on hand-checked numbers.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/zero_shot_metrics.h"

namespace {

const analysis::ZeroShotTask& task(const char* name) { return *analysis::find_zero_shot_task(name); }

analysis::ZeroShotItem item_with_choices(const std::vector<std::string>& choices, int64_t gold) {
  analysis::ZeroShotItem item;
  for (const std::string& c : choices) item.requests.push_back({"ctx", " " + c, c});
  item.gold = gold;
  return item;
}

}  // namespace

TEST(ZeroShotMetrics, FirstArgmaxAsNumpy) {
  EXPECT_EQ(analysis::first_argmax({-3.0, -1.0, -1.0, -2.0}), 1u);  // ties: the first
  EXPECT_EQ(analysis::first_argmax({-5.0}), 0u);
  EXPECT_EQ(analysis::first_argmax({-1.0, NAN, 0.0, NAN}), 1u);  // numpy: the first NaN
  EXPECT_EQ(analysis::first_argmax({-INFINITY, -INFINITY}), 0u);
}

TEST(ZeroShotMetrics, MeanStderrIsSampleStddevOverRootN) {
  // mean 0.75; squared deviations 3 * 0.0625 + 0.5625 = 0.75; / (n - 1) = 0.25; sqrt 0.5; / sqrt(4)
  EXPECT_DOUBLE_EQ(*analysis::mean_stderr({1, 0, 1, 1}), 0.25);
  EXPECT_DOUBLE_EQ(analysis::mean({1, 0, 1, 1}), 0.75);
  // 0/1 samples: sqrt(p (1 - p) / (n - 1))
  std::vector<double> acc(50, 0.0);
  for (int i = 0; i < 20; ++i) acc[i] = 1;
  EXPECT_NEAR(*analysis::mean_stderr(acc), std::sqrt(0.4 * 0.6 / 49), 1e-15);
  EXPECT_FALSE(analysis::mean_stderr({1}).has_value());
  EXPECT_FALSE(analysis::mean_stderr({}).has_value());
}

TEST(ZeroShotMetrics, AccAndAccNormPerItem) {
  // logliks -4 and -6: acc picks choice 0; per character -4/2 = -2 < -6/6 = -1: acc_norm picks 1.
  const auto item = item_with_choices({"ab", "abcdef"}, 1);
  const auto outcome = analysis::judge_zero_shot_item(task("piqa"), item, {{-4.0, false}, {-6.0, false}});
  EXPECT_EQ(outcome.acc, 0);
  ASSERT_TRUE(outcome.acc_norm.has_value());
  EXPECT_EQ(*outcome.acc_norm, 1);
  // Characters, not bytes: "éé" is 2 long (4 bytes): -3/2 = -1.5 beats -4/2 = -2 for "ab".
  const auto accented = item_with_choices({"éé", "ab"}, 0);
  EXPECT_EQ(*analysis::judge_zero_shot_item(task("hellaswag"), accented, {{-3.0, false}, {-4.0, false}}).acc_norm, 1);

  // Ties go to the first choice.
  const auto yes_no = item_with_choices({"no", "yes"}, 1);
  const auto tie = analysis::judge_zero_shot_item(task("boolq"), yes_no, {{-2.0, false}, {-2.0, false}});
  EXPECT_EQ(tie.acc, 0);
  EXPECT_FALSE(tie.acc_norm.has_value());  // boolq has no acc_norm in the harness
}

TEST(ZeroShotMetrics, GreedyTaskCountsExactArgmax) {
  const auto item = item_with_choices({"boil"}, 0);
  auto outcome = analysis::judge_zero_shot_item(task("lambada"), item, {{-0.5, true}});
  EXPECT_EQ(outcome.acc, 1);
  EXPECT_DOUBLE_EQ(outcome.loglik, -0.5);
  outcome = analysis::judge_zero_shot_item(task("lambada"), item, {{-0.1, false}});
  EXPECT_EQ(outcome.acc, 0);
}
