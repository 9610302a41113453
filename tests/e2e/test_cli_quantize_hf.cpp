// `quantlens quantize` on HF-format inputs (house-llama: SentencePiece; house-opt: byte-level BPE,
// biases, tied head): the output directory is an HF model with its tokenizer, `quantlens eval`
// reads it, and learning beats the analytic initialisation on both architectures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ostream>

#include "cli_support.h"

using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

struct HfCase {
  const char* model;
  std::vector<const char*> tokenizer_files;
};

std::vector<std::string> house_args(const std::string& model, const TempDir& cache, const std::string& out,
                                    const std::vector<std::string>& extra) {
  return quantlens_test::quantize_args(data_path(model).string(), data_path("house-corpus/calib.txt").string(),
                                       cache.path().string(), out, extra);
}

double eval_ppl(const std::string& dir) {
  return quantlens_test::eval_ppl(dir, data_path("house-corpus/valid.txt").string(), 128);
}

void PrintTo(const HfCase& c, std::ostream* os) { *os << c.model; }

class CliQuantizeHf : public ::testing::TestWithParam<HfCase> {};

TEST_P(CliQuantizeHf, WritesAnHfModelThatLearningImproves) {
  const HfCase& c = GetParam();
  TempDir tmp;
  TempDir cache;
  const std::string out = (tmp / "q").string();
  auto r = run_cli(house_args(c.model, cache, out, {"--epochs", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : c.tokenizer_files) EXPECT_TRUE(std::filesystem::is_regular_file(tmp / "q" / f)) << f;
  const nlohmann::json config = quantlens_test::read_json(tmp / "q/config.json");
  const nlohmann::json source = quantlens_test::read_json(data_path(c.model) / "config.json");
  EXPECT_EQ(config.at("model_type"), source.at("model_type"));
  EXPECT_EQ(config.at("num_hidden_layers"), source.at("num_hidden_layers"));
  EXPECT_EQ(r.json().at("blocks").size(), source.at("num_hidden_layers").get<size_t>());

  const double ppl = eval_ppl(out);
  const double fp = eval_ppl(data_path(c.model).string());
  ASSERT_TRUE(std::isfinite(ppl)) << ppl;
  EXPECT_GT(ppl, fp);  // 1.6-bit weights cannot beat the full-precision model

  const std::string analytic = (tmp / "analytic").string();
  ASSERT_EQ(run_cli(house_args(c.model, cache, analytic, {"--epochs", "2", "--no-learn"})).exit_code, 0);
  EXPECT_LT(ppl, eval_ppl(analytic));
}

INSTANTIATE_TEST_SUITE_P(HouseModels, CliQuantizeHf,
                         ::testing::Values(HfCase{"house-llama", {"tokenizer.model", "tokenizer_config.json"}},
                                           HfCase{"house-opt", {"tokenizer.json", "vocab.json", "merges.txt"}}),
                         [](const auto& info) {
                           std::string n = info.param.model;
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

}  // namespace
