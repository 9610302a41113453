// Bad input through the CLI: one line on stderr naming the file and the problem, exit 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "cli_runner.h"

using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

void expect_one_line_error(const quantlens_test::CliResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("quantlens: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliErrors, MissingModel) {
  expect_one_line_error(run_cli({"info", "/nonexistent/model", "--json"}), "/nonexistent/model");
}

TEST(CliErrors, TruncatedSafetensors) {
  TempDir dir;
  std::filesystem::copy_file(data_path("house-opt/config.json"), dir / "config.json");
  std::string bytes = quantlens_test::read_text(data_path("house-opt/model.safetensors"));
  quantlens_test::write_bytes(dir / "model.safetensors", bytes.substr(0, bytes.size() / 2));
  expect_one_line_error(run_cli({"info", dir.path().string()}), "model.safetensors");
}

TEST(CliErrors, MissingTextFile) {
  expect_one_line_error(
      run_cli({"eval", data_path("stories260K/stories260K.bin").string(), "--text", "/nonexistent/text.txt"}),
      "/nonexistent/text.txt");
}

TEST(CliErrors, Fp16OnCpuIsRefused) {
  expect_one_line_error(run_cli({"score", data_path("stories260K/stories260K.bin").string(), "--text",
                                 "Once upon a time", "--dtype", "fp16"}),
                        "fp16");
}

TEST(CliErrors, TextShorterThanOneWindow) {
  TempDir dir;
  quantlens_test::write_bytes(dir / "short.txt", "Once upon a time.");
  expect_one_line_error(run_cli({"eval", data_path("stories260K/stories260K.bin").string(), "--text",
                                 (dir / "short.txt").string(), "--seqlen", "128"}),
                        "fewer than one window");
}

TEST(CliErrors, UnknownFlagIsAUsageError) {
  expect_one_line_error(run_cli({"info", data_path("house-llama").string(), "--no-such-flag"}), "--no-such-flag");
}

TEST(CliErrors, BadOptionValueIsAUsageError) {
  expect_one_line_error(run_cli({"quantize", data_path("house-llama").string(), "--calib", "x.txt", "--out", "o",
                                 "--mask-stat", "median"}),
                        "--mask-stat");
}

}  // namespace
