// The GPTQ family's shared machinery (baselines-spec §0.4, §2.3 step 5, §4.2 step 6): damping
// with retries, GPTQ's column loop and BiLLM's block-wise compensation on hand-computed cases.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "quantcore/io/errors.h"
#include "quantcore/methods/hessian_compensation.h"

namespace m = quantcore::methods;

namespace {

at::Tensor rounding(int64_t, const at::Tensor& w, const at::Tensor&) { return at::round(w); }

// W = [0.6, 0.35], U = [[1, 0.5], [0, 1]]: column 0 rounds to 1 with error -0.4, which moves
// column 1 to 0.35 + 0.4 * 0.5 = 0.55, rounded to 1 (RTN alone gives 0).
m::CompensationInputs hand_case() {
  m::CompensationInputs in;
  in.weight = at::tensor({0.6f, 0.35f}).reshape({1, 2});
  in.upper = at::tensor({1.0f, 0.5f, 0.0f, 1.0f}).reshape({2, 2});
  return in;
}

TEST(HessianCompensation, ColumnLoopSpreadsEachErrorOverLaterColumns) {
  for (int64_t block : {1, 2, 128}) {
    m::CompensationInputs in = hand_case();
    const at::Tensor q = m::compensate_columns(in, block, rounding, quantcore::CancelToken());
    EXPECT_TRUE(at::equal(q, at::tensor({1.0f, 1.0f}).reshape({1, 2}))) << "block size " << block;
  }
}

TEST(HessianCompensation, BlockWiseCompensationReachesLaterBlocksOnly) {
  const auto round_block = [](int64_t, const at::Tensor& b) { return at::round(b); };
  m::CompensationInputs one = hand_case();
  EXPECT_TRUE(at::equal(m::compensate_blocks(one, 1, round_block, quantcore::CancelToken()),
                        at::tensor({1.0f, 1.0f}).reshape({1, 2})));
  m::CompensationInputs both = hand_case();  // one block of two columns: no compensation inside it
  EXPECT_TRUE(at::equal(m::compensate_blocks(both, 2, round_block, quantcore::CancelToken()),
                        at::tensor({1.0f, 0.0f}).reshape({1, 2})));
}

TEST(HessianCompensation, GroupParametersSeeOnlyEarlierBlocksUpdates) {
  // §4.2 step 6a: the quantiser's `weight` argument is W as of the block start.
  m::CompensationInputs in = hand_case();
  std::vector<float> seen;
  m::compensate_columns(
      in, 2,
      [&](int64_t j, const at::Tensor& w, const at::Tensor& outer) {
        seen.push_back(outer[0][j].item<float>());
        return at::round(w);
      },
      quantcore::CancelToken());
  EXPECT_EQ(seen, (std::vector<float>{0.6f, 0.35f}));
}

TEST(HessianCompensation, DampingIsRetriedUntilHFactorisesAndEachRetryIsTold) {
  // Eigenvalues 2.5 and -0.5: damping 0.01 and 0.1 fail, 1 (H + I) is positive definite.
  const at::Tensor h = at::tensor({1.0f, 1.5f, 1.5f, 1.0f}).reshape({2, 2});
  std::vector<std::string> notices;
  const m::CompensationInputs in = m::prepare_compensation(at::ones({3, 2}), h, 0.01, "block 0 fc1",
                                                           [&](const std::string& s) { notices.push_back(s); });
  EXPECT_DOUBLE_EQ(in.percdamp, 1.0);
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0], "block 0 fc1: H is not positive definite at percdamp 0.01; retried with 0.1");
  EXPECT_TRUE(at::isfinite(in.upper).all().item<bool>());
}

TEST(HessianCompensation, DeadInputsZeroTheirColumnsAndNonFiniteHIsAnInputError) {
  const at::Tensor h = at::tensor({2.0f, 0.0f, 0.0f, 0.0f}).reshape({2, 2});
  const m::CompensationInputs in = m::prepare_compensation(at::ones({2, 2}), h, 0.01, "x", {});
  EXPECT_TRUE(at::equal(in.weight, at::tensor({1.0f, 0.0f, 1.0f, 0.0f}).reshape({2, 2})));
  EXPECT_TRUE(in.dead[1].item<bool>());
  const at::Tensor bad = at::full({2, 2}, std::numeric_limits<float>::quiet_NaN());
  EXPECT_THROW(m::prepare_compensation(at::ones({2, 2}), bad, 0.01, "block 1 q_proj", {}), quantcore::InputError);
}

}  // namespace
