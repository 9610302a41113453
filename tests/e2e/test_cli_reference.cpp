// The CLI on the real models, against REFERENCE.json (HF transformers, fp32). The full
// perplexity check on every text and window length is run by bench/reference_check.sh; here
// the share that fits the test budget.
#include <gtest/gtest.h>

#include <cmath>

#include "cli_support.h"

using quantlens_test::data_path;
using quantlens_test::read_json;
using quantlens_test::run_cli;

namespace {

nlohmann::json reference(const std::string& model) { return read_json(data_path(model + "/REFERENCE.json")); }

class ReferenceModel : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceModel, TokenizeMatchesReferenceIds) {
  const nlohmann::json ref = reference(GetParam())["fixed_sentence"];
  auto r = run_cli({"tokenize", data_path(GetParam()).string(), "--text", ref["text"], "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["ids"], ref["ids"]);
}

TEST_P(ReferenceModel, ScoreMatchesReferenceNllAndLogits) {
  const nlohmann::json ref = reference(GetParam())["fixed_sentence"];
  auto r = run_cli({"score", data_path(GetParam()).string(), "--text", ref["text"], "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json got = r.json();
  EXPECT_EQ(got["ids"], ref["ids"]);
  const double want_nll = ref["mean_nll"];
  EXPECT_NEAR(got["mean_nll"].get<double>(), want_nll, 1e-4 * want_nll);
  EXPECT_EQ(got["last_top5"]["ids"], ref["logits_last_top5"]["ids"]);
  for (int k = 0; k < 5; ++k)
    EXPECT_NEAR(got["last_top5"]["values"][k].get<double>(), ref["logits_last_top5"]["values"][k].get<double>(), 1e-3);
  for (int k = 0; k < 8; ++k)
    EXPECT_NEAR(got["pos0_first8"][k].get<double>(), ref["logits_pos0_first8"][k].get<double>(), 1e-3);
}

TEST_P(ReferenceModel, GreedyTokensMatchWithAndWithoutKvCache) {
  const nlohmann::json ref = reference(GetParam())["greedy"];
  for (bool cache : {true, false}) {
    std::vector<std::string> args = {
        "generate", data_path(GetParam()).string(), "--prompt", ref["prompt"], "--max-tokens", "16", "--json"};
    if (!cache) args.push_back("--no-kv-cache");
    auto r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.json()["ids"], ref["greedy_ids"]) << "kv cache: " << cache;
    EXPECT_EQ(r.json()["text"], ref["full_text"]);
  }
}

TEST_P(ReferenceModel, HouseValidPerplexityAtSeqlen512WithinTolerance) {
  const nlohmann::json ref = reference(GetParam())["eval"]["house_valid"]["ppl"]["512"];
  auto r = run_cli({"eval", data_path(GetParam()).string(), "--text", data_path("house-corpus/valid.txt").string(),
                    "--seqlen", "512", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json got = r.json();
  EXPECT_EQ(got["windows"], ref["n_windows"]);
  EXPECT_EQ(got["tokens_scored"], ref["n_predicted"]);
  const double want = ref["ppl"];
  EXPECT_NEAR(got["ppl"].get<double>(), want, 5e-4 * want);  // 0.05 %
}

INSTANTIATE_TEST_SUITE_P(House, ReferenceModel, ::testing::Values("house-llama", "house-opt"));

TEST(Stories260K, GreedyContinuationIsTheDocumentedStory) {
  auto r = run_cli({"generate", data_path("stories260K/stories260K.bin").string(), "--prompt", "Once upon a time",
                    "--max-tokens", "40", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.json()["text"].get<std::string>().find("there was a little girl named Lily"), std::string::npos)
      << r.json()["text"];
}

TEST(Info, ReportsArchitectureAndParameterCount) {
  auto r = run_cli({"info", data_path("house-llama").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = r.json();
  EXPECT_EQ(j["architecture"], "llama");
  EXPECT_EQ(j["num_kv_heads"], 2);
  EXPECT_EQ(j["parameters"], reference("house-llama")["n_params"]);
  r = run_cli({"info", data_path("house-opt").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["parameters"], reference("house-opt")["n_params"]);
  EXPECT_EQ(r.json()["tie_word_embeddings"], true);
}

}  // namespace
