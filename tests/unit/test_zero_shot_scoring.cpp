// Zero-shot scoring on stories260K, checked against plain forward passes over the whole
// sequence: the harness's encoding (trailing space to the continuation, no BOS), the summed
// continuation log-likelihood and its greedy flag, the shared-prefix batch against one request at
// a time, left truncation, and the evaluation loop.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>

#include "analysis/zero_shot_eval.h"
#include "analysis/zero_shot_scoring.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/load_model.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace {

struct Stories {
  quantcore::Checkpoint checkpoint =
      quantcore::open_checkpoint(quantlens_test::data_path("stories260K/stories260K.bin"));
  std::shared_ptr<quantcore::CausalLM> lm = quantcore::load_causal_lm(checkpoint, {"cpu", "fp32"});
  std::unique_ptr<quantcore::Tokenizer> tokenizer = quantcore::load_tokenizer(checkpoint.tokenizer_path);
};

Stories& stories() {
  static Stories s;
  return s;
}

// The plain reference: one forward pass over `input`, summing log p at the last `scored` positions.
analysis::ContinuationScore direct(const quantcore::CausalLM& lm, const std::vector<int32_t>& input,
                                   const std::vector<int32_t>& targets) {
  c10::InferenceMode inference;
  std::vector<int64_t> wide(input.begin(), input.end());
  at::Tensor logits = lm.logits(at::tensor(wide, at::kLong).unsqueeze(0))[0].to(at::kFloat);
  at::Tensor log_probs = at::log_softmax(logits, -1);
  analysis::ContinuationScore s{0, true};
  const size_t first = input.size() - targets.size();
  for (size_t k = 0; k < targets.size(); ++k) {
    const auto row = static_cast<int64_t>(first + k);
    s.loglik += log_probs[row][targets[k]].item<double>();
    s.greedy = s.greedy && log_probs[row].argmax().item<int64_t>() == targets[k];
  }
  return s;
}

// (context + continuation)[:-1] and the continuation, without truncation.
analysis::ContinuationScore direct(const quantcore::CausalLM& lm, const analysis::ZeroShotTokens& t) {
  std::vector<int32_t> input = t.context;
  input.insert(input.end(), t.continuation.begin(), t.continuation.end() - 1);
  return direct(lm, input, t.continuation);
}

analysis::ZeroShotTokens encode(const std::string& context, const std::string& continuation) {
  return analysis::encode_zero_shot_request(*stories().tokenizer, {context, continuation, continuation});
}

}  // namespace

TEST(ZeroShotScoring, EncodingMovesTrailingSpaceAndAddsNoBos) {
  const quantcore::Tokenizer& tok = *stories().tokenizer;
  const analysis::ZeroShotTokens t = encode("Once upon a time ", "there was");
  EXPECT_EQ(t.context, tok.encode_plain("Once upon a time"));
  const std::vector<int32_t> whole = tok.encode_plain("Once upon a time there was");
  EXPECT_EQ(t.continuation,
            std::vector<int32_t>(whole.begin() + static_cast<std::ptrdiff_t>(t.context.size()), whole.end()));
  ASSERT_FALSE(t.context.empty());
  ASSERT_FALSE(tok.prefix_ids().empty());
  EXPECT_NE(t.context.front(), tok.prefix_ids().front());

  const analysis::ZeroShotTokens empty = encode("", " alone");
  EXPECT_EQ(empty.context, std::vector<int32_t>{tok.prefix_ids().front()});
  EXPECT_EQ(empty.continuation, tok.encode_plain(" alone"));
}

TEST(ZeroShotScoring, ContinuationLoglikMatchesAForwardOverTheConcatenation) {
  const quantcore::CausalLM& lm = *stories().lm;
  const std::vector<analysis::ZeroShotTokens> requests = {encode("Lily went to the park. She", " saw a big dog."),
                                                          encode("Lily went to the park. She", " was happy."),
                                                          encode("Lily went to the park. She", " saw a cat.")};
  const auto batched = analysis::score_continuations(lm, requests, 512);
  ASSERT_EQ(batched.size(), 3u);
  for (size_t i = 0; i < requests.size(); ++i) {
    const analysis::ContinuationScore reference = direct(lm, requests[i]);
    EXPECT_NEAR(batched[i].loglik, reference.loglik, 1e-4) << i;
    EXPECT_EQ(batched[i].greedy, reference.greedy) << i;
    EXPECT_LT(batched[i].loglik, 0);
    const auto alone = analysis::score_continuations(lm, {requests[i]}, 512);
    EXPECT_NEAR(alone[0].loglik, reference.loglik, 1e-4) << i;
  }

  // Requests that share no prefix run as one batch from position 0.
  const std::vector<analysis::ZeroShotTokens> apart = {encode("Tom", " ran home."), encode("Sue", " ran home."),
                                                       encode("Tom", " ran home.")};
  ASSERT_NE(apart[0].context.front(), apart[1].context.front());
  const auto scores = analysis::score_continuations(lm, apart, 512);
  for (size_t i = 0; i < apart.size(); ++i) EXPECT_NEAR(scores[i].loglik, direct(lm, apart[i]).loglik, 1e-4) << i;
  // The same request in two rows of one batch: equal up to float32 summation order (BLAS may block
  // rows differently; ~1e-7 relative, seen 2e-6 on a log-likelihood of -10.5).
  EXPECT_NEAR(scores[0].loglik, scores[2].loglik, 1e-5);
}

TEST(ZeroShotScoring, GreedyFlagAndLeftTruncation) {
  // Continue a context with the model's greedy token: the flag must be set.
  const quantcore::CausalLM& lm = *stories().lm;
  analysis::ZeroShotTokens t = encode("Once upon a time, there was a little", " girl");
  c10::InferenceMode inference;
  std::vector<int64_t> wide(t.context.begin(), t.context.end());
  const auto next =
      static_cast<int32_t>(lm.logits(at::tensor(wide, at::kLong).unsqueeze(0))[0][static_cast<int64_t>(wide.size()) - 1]
                               .argmax()
                               .item<int64_t>());
  t.continuation = {next};
  EXPECT_TRUE(analysis::score_continuations(lm, {t}, 512)[0].greedy);

  // Too long for the context: the harness keeps (context + continuation)[-(max + 1):][:-1].
  const analysis::ZeroShotTokens longer =
      encode("One day a boy named Tim found a shiny red ball in the garden.", " He smiled.");
  constexpr int64_t kMax = 8;
  ASSERT_GT(static_cast<int64_t>(longer.context.size() + longer.continuation.size()), kMax + 1);
  std::vector<int32_t> all = longer.context;
  all.insert(all.end(), longer.continuation.begin(), longer.continuation.end());
  const std::vector<int32_t> input(all.end() - (kMax + 1), all.end() - 1);
  const auto scores = analysis::score_continuations(lm, {longer, encode("One day", " He smiled.")}, kMax);
  EXPECT_NEAR(scores[0].loglik, direct(lm, input, longer.continuation).loglik, 1e-4);
  EXPECT_THROW(analysis::score_continuations(lm, {longer}, 2), std::invalid_argument);  // continuation > context
}

TEST(ZeroShotEval, AggregatesItemsAndHonoursTheLimit) {
  const analysis::ZeroShotTask& piqa = *analysis::find_zero_shot_task("piqa");
  const auto items = piqa.read(std::filesystem::path(QUANTLENS_SOURCE_DIR) / "tests/data/zero_shot/piqa/valid.jsonl");
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  const analysis::ZeroShotResult r =
      analysis::evaluate_zero_shot(*stories().lm, *stories().tokenizer, piqa, items, {}, progress, cancel);
  EXPECT_EQ(r.count, 3);
  EXPECT_EQ(r.requests, 6);
  EXPECT_EQ(r.max_length, stories().lm->spec().max_position_embeddings);
  double acc = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    std::vector<analysis::ZeroShotTokens> encoded;
    for (const auto& req : items[i].requests)
      encoded.push_back(analysis::encode_zero_shot_request(*stories().tokenizer, req));
    const auto scores = analysis::score_continuations(*stories().lm, encoded, r.max_length);
    ASSERT_EQ(r.logliks[i].size(), 2u);
    EXPECT_DOUBLE_EQ(r.logliks[i][0], scores[0].loglik);
    acc += (scores[1].loglik > scores[0].loglik ? 1 : 0) == items[i].gold;
  }
  EXPECT_DOUBLE_EQ(r.acc, acc / 3);
  ASSERT_TRUE(r.acc_norm && r.acc_stderr && r.acc_norm_stderr);
  EXPECT_FALSE(r.perplexity);

  analysis::ZeroShotOptions two;
  two.limit = 2;
  EXPECT_EQ(analysis::evaluate_zero_shot(*stories().lm, *stories().tokenizer, piqa, items, two, progress, cancel).count,
            2);
  cancel.request();
  EXPECT_THROW(analysis::evaluate_zero_shot(*stories().lm, *stories().tokenizer, piqa, items, {}, progress, cancel),
               quantcore::Cancelled);
}

TEST(ZeroShotEval, LambadaPerplexityOfTheTargetWords) {
  const analysis::ZeroShotTask& lambada = *analysis::find_zero_shot_task("lambada");
  const auto items =
      lambada.read(std::filesystem::path(QUANTLENS_SOURCE_DIR) / "tests/data/zero_shot/lambada_test.jsonl");
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  const analysis::ZeroShotResult r =
      analysis::evaluate_zero_shot(*stories().lm, *stories().tokenizer, lambada, items, {}, progress, cancel);
  ASSERT_EQ(r.count, 3);
  ASSERT_TRUE(r.perplexity.has_value());
  const double mean_loglik = (r.logliks[0][0] + r.logliks[1][0] + r.logliks[2][0]) / 3;
  EXPECT_NEAR(*r.perplexity, std::exp(-mean_loglik), 1e-9 * *r.perplexity);
  EXPECT_FALSE(r.acc_norm.has_value());
}
