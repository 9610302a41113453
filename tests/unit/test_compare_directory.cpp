// A saved comparison (analysis/compare_directory.h): what `quantlens compare --out` and the
// Studio write reads back field for field, and a broken compare.json is one error naming the
// file and the field.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "analysis/compare_directory.h"
#include "quantcore/io/errors.h"
#include "test_support.h"

namespace {

analysis::CompareResult two_rows() {
  analysis::CompareResult r;
  r.model = "/models/house-llama";
  r.setup = {{"calib", "calib.txt"}, {"nsamples", 4}, {"eval_seqlen", 64}};
  r.calibration_seconds = 1.5;
  r.fp_perplexity.ppl = 66.05;
  r.fp_perplexity.windows = 4;
  r.fp_perplexity.seqlen = 64;
  r.fp_accuracy = analysis::ZeroShotResult{"piqa", 20, 0.55, 0.11, 0.6, 0.1};
  analysis::CompareRow a;
  a.method = "gptq";
  a.spelling = "gptq:bits=3";
  a.parameters = {{"bits", 3}};
  a.settings = {{"method", "gptq"}, {"calibration", {{"nsamples", 4}}}};
  a.paper_bits = 3;
  a.stored_bits = 3.25;
  a.perplexity.ppl = 71.5;
  a.accuracy = analysis::ZeroShotResult{"piqa", 20, 0.5, 0.1, std::nullopt, std::nullopt};
  a.seconds = 2;
  a.peak_memory_bytes = 1 << 20;
  a.notices = {"damping raised"};
  a.layer_errors = {{0, "self_attn.q_proj", 0.1}, {1, "mlp.down_proj", 0.2}};
  analysis::CompareRow b = a;
  b.method = "billm";
  b.spelling = "billm";
  b.bits_from_bytes = 3.01;
  b.perplexity.ppl = std::nan("");  // a diverged run: null in JSON, NaN again when read
  r.rows = {a, b};
  r.failure = "pbllm: the Hessian is not positive definite";
  r.cancelled = true;
  return r;
}

TEST(CompareDirectory, WhatIsWrittenReadsBack) {
  quantlens_test::TempDir tmp;
  const analysis::CompareResult written = two_rows();
  analysis::write_compare_directory(written, tmp / "cmp", false);
  for (const char* f : {"compare.json", "compare.md", "compare.csv", "layer_errors.csv", "compare.svg"})
    EXPECT_TRUE(std::filesystem::exists(tmp / "cmp" / f)) << f;
  const analysis::CompareResult read = analysis::read_compare_directory(tmp / "cmp");
  EXPECT_EQ(read.model, written.model);
  EXPECT_EQ(read.setup, written.setup);
  EXPECT_EQ(read.failure, written.failure);
  EXPECT_EQ(read.cancelled, written.cancelled);
  EXPECT_DOUBLE_EQ(read.calibration_seconds, 1.5);
  EXPECT_DOUBLE_EQ(read.fp_perplexity.ppl, 66.05);
  EXPECT_EQ(read.fp_perplexity.windows, 4);
  ASSERT_TRUE(read.fp_accuracy);
  EXPECT_DOUBLE_EQ(*read.fp_accuracy->acc_norm, 0.6);
  ASSERT_EQ(read.rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const analysis::CompareRow &w = written.rows[i], &r = read.rows[i];
    EXPECT_EQ(r.method, w.method);
    EXPECT_EQ(r.spelling, w.spelling);
    EXPECT_EQ(r.parameters, w.parameters);
    EXPECT_EQ(r.settings, w.settings);
    EXPECT_DOUBLE_EQ(r.stored_bits, w.stored_bits);
    EXPECT_DOUBLE_EQ(r.paper_bits, w.paper_bits);
    EXPECT_DOUBLE_EQ(r.seconds, w.seconds);
    ASSERT_TRUE(r.accuracy);
    EXPECT_DOUBLE_EQ(r.accuracy->acc, w.accuracy->acc);
    EXPECT_EQ(r.accuracy->count, w.accuracy->count);
    EXPECT_EQ(r.bits_from_bytes, w.bits_from_bytes);
    EXPECT_EQ(r.notices, w.notices);
    ASSERT_EQ(r.layer_errors.size(), 2u);
    EXPECT_EQ(r.layer_errors[1].linear, "mlp.down_proj");
    EXPECT_DOUBLE_EQ(r.layer_errors[1].relative_error, 0.2);
    EXPECT_EQ(r.peak_memory_bytes, w.peak_memory_bytes);
  }
  EXPECT_DOUBLE_EQ(read.rows[0].perplexity.ppl, 71.5);
  EXPECT_TRUE(std::isnan(read.rows[1].perplexity.ppl));
  EXPECT_FALSE(read.rows[0].accuracy->acc_norm);
  EXPECT_THROW(analysis::write_compare_directory(written, tmp / "cmp", false), std::exception);
}

TEST(CompareDirectory, ABrokenFileNamesItselfAndTheField) {
  quantlens_test::TempDir tmp;
  std::filesystem::create_directories(tmp / "cmp");
  const std::filesystem::path file = tmp / "cmp" / "compare.json";
  quantlens_test::write_bytes(file, R"({"fp": {"ppl": 5}, "rows": [{"method": "rtn", "spelling": "rtn"}]})");
  try {
    analysis::read_compare_directory(tmp / "cmp");
    ADD_FAILURE() << "accepted";
  } catch (const quantcore::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rows[0].bits is missing"), std::string::npos) << e.what();
  }
}

}  // namespace
