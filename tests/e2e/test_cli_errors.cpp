// Bad input through the CLI: one line on stderr naming the file and the problem, exit 2.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_support.h"

using quantlens_test::data_path;
using quantlens_test::RefusalCase;
using quantlens_test::RefusedCommand;
using quantlens_test::TempDir;

namespace {

class CliErrors : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(CliErrors, OneLineOnStderrAndExitTwo) {
  TempDir dir;
  const RefusedCommand c = GetParam().make(dir);
  quantlens_test::expect_one_line_error(quantlens_test::run_cli(c.args), c.needle, c.file);
}

std::string stories() { return data_path("stories260K/stories260K.bin").string(); }

RefusedCommand missing_model(const TempDir&) {
  return {{"info", "/nonexistent/model", "--json"}, "/nonexistent/model", "/nonexistent/model"};
}

RefusedCommand truncated_safetensors(const TempDir& dir) {
  std::filesystem::copy_file(data_path("house-opt/config.json"), dir / "config.json");
  const std::string bytes = quantlens_test::read_text(data_path("house-opt/model.safetensors"));
  quantlens_test::write_bytes(dir / "model.safetensors", bytes.substr(0, bytes.size() / 2));
  return {{"info", dir.path().string()}, "model.safetensors", (dir / "model.safetensors").string()};
}

RefusedCommand missing_text_file(const TempDir&) {
  return {{"eval", stories(), "--text", "/nonexistent/text.txt"}, "/nonexistent/text.txt", "/nonexistent/text.txt"};
}

RefusedCommand fp16_on_cpu(const TempDir&) {
  return {{"score", stories(), "--text", "Once upon a time", "--dtype", "fp16"}, "fp16"};
}

RefusedCommand text_shorter_than_one_window(const TempDir& dir) {
  quantlens_test::write_bytes(dir / "short.txt", "Once upon a time.");
  return {{"eval", stories(), "--text", (dir / "short.txt").string(), "--seqlen", "128"}, "fewer than one window"};
}

RefusedCommand unknown_flag(const TempDir&) {
  return {{"info", data_path("house-llama").string(), "--no-such-flag"}, "--no-such-flag"};
}

RefusedCommand bad_option_value(const TempDir&) {
  return {{"quantize", data_path("house-llama").string(), "--calib", "x.txt", "--out", "o", "--mask-stat", "median"},
          "--mask-stat"};
}

RefusedCommand unknown_method(const TempDir&) {
  return {{"quantize", stories(), "--method", "nosuch", "--out", "o"}, "--method: unknown method \"nosuch\""};
}

RefusedCommand bad_method_spelling(const TempDir&) {
  return {{"quantize", stories(), "--method", "ptq161:epochs=two", "--out", "o"}, "epochs must be an integer"};
}

RefusedCommand calibration_text_missing(const TempDir&) {
  return {{"quantize", stories(), "--out", "o"}, "--calib: ptq161 needs a calibration text"};
}

INSTANTIATE_TEST_SUITE_P(BadInput, CliErrors,
                         ::testing::Values(RefusalCase{"MissingModel", missing_model},
                                           RefusalCase{"TruncatedSafetensors", truncated_safetensors},
                                           RefusalCase{"MissingTextFile", missing_text_file},
                                           RefusalCase{"Fp16OnCpuIsRefused", fp16_on_cpu},
                                           RefusalCase{"TextShorterThanOneWindow", text_shorter_than_one_window},
                                           RefusalCase{"UnknownFlagIsAUsageError", unknown_flag},
                                           RefusalCase{"BadOptionValueIsAUsageError", bad_option_value},
                                           RefusalCase{"UnknownMethod", unknown_method},
                                           RefusalCase{"BadMethodSpelling", bad_method_spelling},
                                           RefusalCase{"CalibrationTextMissing", calibration_text_missing}),
                         quantlens_test::refusal_case_name);

}  // namespace
