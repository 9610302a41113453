// `quantlens quantize --method rtn` end to end: no calibration text, its settings in the one
// spelling, bits as declared, finite perplexity, and options it does not take refused.
#include <gtest/gtest.h>

#include <cmath>

#include "cli_support.h"

using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

TEST(CliRtn, RunsWithoutCalibrationAndRecordsItsSettings) {
  TempDir tmp;
  const std::string out = (tmp / "rtn").string();
  auto r = run_cli({"quantize", data_path("stories260K/stories260K.bin").string(), "--method", "rtn:bits=2",
                    "--group-size", "32", "--out", out, "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json s = r.json();
  EXPECT_EQ(s.at("method"), "rtn");
  EXPECT_EQ(s.at("settings").at("spelling"), "rtn:bits=2:group-size=32");
  EXPECT_TRUE(s.at("settings").at("calib").is_null());
  EXPECT_EQ(s.at("calib_tokens"), 0);
  EXPECT_DOUBLE_EQ(s.at("bits").at("paper_bits_per_weight").get<double>(), 2.0);
  // 2 bits + (16-bit scale + 2-bit zero) per 32 columns, the last group of each row maybe shorter.
  for (const auto& l : s.at("bits").at("layers")) {
    const double m = l.at("in_features").get<double>(), groups = std::ceil(m / 32);
    EXPECT_NEAR(l.at("bits_per_weight").get<double>(), 2 + groups * 18 / m, 1e-12) << l.at("name");
  }
  auto eval = run_cli({"eval", out, "--text", data_path("house-corpus/valid.txt").string(), "--seqlen", "64",
                       "--max-windows", "4", "--json"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_TRUE(std::isfinite(eval.json().at("ppl").get<double>()));
}

TEST(CliRtn, OptionsOfOtherMethodsAndPackedOutputAreRefused) {
  TempDir tmp;
  const std::string model = data_path("stories260K/stories260K.bin").string();
  const std::string out = (tmp / "q").string();
  quantlens_test::expect_one_line_error(run_cli({"quantize", model, "--method", "rtn", "--epochs", "2", "--out", out}),
                                        "--epochs: rtn takes no option --epochs");
  quantlens_test::expect_one_line_error(
      run_cli({"quantize", model, "--calib", "x.txt", "--group-size", "128", "--out", out}),
      "--group-size: ptq161 takes no option --group-size");
  quantlens_test::expect_one_line_error(
      run_cli({"quantize", model, "--method", "rtn", "--format", "packed", "--out", out}), "rtn has no packed form");
  quantlens_test::expect_one_line_error(run_cli({"quantize", model, "--method", "rtn:group-size=0", "--out", out}),
                                        "group-size must be -1");
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
