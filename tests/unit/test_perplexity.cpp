// Perplexity windows and averaging (GPTQ convention), checked against per-window scores.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "analysis/perplexity.h"
#include "analysis/text_score.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/errors.h"
#include "quantcore/model/load_model.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace {

struct Stories {
  quantcore::Checkpoint checkpoint =
      quantcore::open_checkpoint(quantlens_test::data_path("stories260K/stories260K.bin"));
  std::shared_ptr<quantcore::CausalLM> lm = quantcore::load_causal_lm(checkpoint, {"cpu", "fp32"});
  std::vector<int32_t> ids =
      quantcore::load_tokenizer(checkpoint.tokenizer_path)
          ->encode(quantlens_test::read_text(quantlens_test::data_path("house-corpus/valid.txt")).substr(0, 4000));
};

}  // namespace

TEST(Perplexity, MeanOverWindowsOfPerWindowNll) {
  Stories s;
  ASSERT_GT(s.ids.size(), 3u * 64u);
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  analysis::PerplexityResult r = analysis::evaluate_perplexity(*s.lm, s.ids, {64, 3}, progress, cancel);
  EXPECT_EQ(r.windows, 3);
  EXPECT_EQ(r.tokens_scored, 3 * 63);
  EXPECT_EQ(r.seqlen, 64);

  double sum = 0;
  for (int w = 0; w < 3; ++w) {
    std::vector<int32_t> window(s.ids.begin() + w * 64, s.ids.begin() + (w + 1) * 64);
    sum += analysis::score_tokens(*s.lm, window).mean_nll;
  }
  EXPECT_NEAR(r.mean_nll, sum / 3, 1e-5);
  EXPECT_NEAR(r.ppl, std::exp(sum / 3), 1e-3 * r.ppl);
}

TEST(Perplexity, TailIsDropped) {
  Stories s;
  std::vector<int32_t> ids(s.ids.begin(), s.ids.begin() + 2 * 50 + 17);
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  analysis::PerplexityResult r = analysis::evaluate_perplexity(*s.lm, ids, {50, std::nullopt}, progress, cancel);
  EXPECT_EQ(r.windows, 2);
  EXPECT_EQ(r.tokens_scored, 2 * 49);
}

TEST(Perplexity, TooShortTextIsAnInputError) {
  Stories s;
  std::vector<int32_t> ids(s.ids.begin(), s.ids.begin() + 10);
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  EXPECT_THROW(analysis::evaluate_perplexity(*s.lm, ids, {64, std::nullopt}, progress, cancel), quantcore::InputError);
}

TEST(Perplexity, CancelStopsTheJob) {
  Stories s;
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  cancel.request();
  EXPECT_THROW(analysis::evaluate_perplexity(*s.lm, s.ids, {64, std::nullopt}, progress, cancel), quantcore::Cancelled);
}
