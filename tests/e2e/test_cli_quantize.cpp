// `quantlens quantize` end to end on stories260K: the output directory, its summary, and that
// `quantlens eval` reads it back with a finite perplexity that training improves.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "cli_support.h"
#include "quantcore/io/read_file.h"
#include "quantcore/quantize/loss_csv.h"

using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

std::string valid_text() { return data_path("house-corpus/valid.txt").string(); }

// stories260K, calibrated on the house corpus.
std::vector<std::string> stories_args(const TempDir& cache, const std::string& out,
                                      const std::vector<std::string>& extra) {
  return quantlens_test::quantize_args(data_path("stories260K/stories260K.bin").string(), valid_text(),
                                       cache.path().string(), out, extra);
}

double eval_ppl(const std::string& dir) { return quantlens_test::eval_ppl(dir, valid_text()); }

TEST(CliQuantize, Ptq161Stories260K) {
  TempDir tmp;
  TempDir cache;
  const std::string out = (tmp / "q").string();
  auto r = run_cli(stories_args(cache, out, {"--epochs", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f :
       {"config.json", "model.safetensors", "quantization.safetensors", "tokenizer.bin", "summary.json", "losses.csv"})
    EXPECT_TRUE(std::filesystem::is_regular_file(tmp / ("q/" + std::string(f)))) << f;
  // Nothing of the staging directory is left beside it.
  for (const auto& e : std::filesystem::directory_iterator(tmp.path()))
    EXPECT_EQ(e.path().filename().string(), "q") << e.path();

  const nlohmann::json summary = quantlens_test::read_json(tmp / "q/summary.json");
  EXPECT_EQ(summary, r.json());
  const double bpw = summary.at("bits").at("bits_per_weight").get<double>();
  const double paper = summary.at("bits").at("paper_bits_per_weight").get<double>();
  EXPECT_GT(bpw, 1.0);
  EXPECT_LT(bpw, 4.5);
  EXPECT_GT(paper, 1.0);
  EXPECT_LT(paper, 4.5);
  // Spec §7 [derived], recomputed from each layer's shape and salient column count k:
  // (m-k)·n sign bits + 4·k·n code bits + m mask bits + 16-bit a, c, s [n] and r2 [m] + 4-bit z [n].
  const auto& layers = summary.at("bits").at("layers");
  ASSERT_EQ(layers.size(), 5u * 7u);
  double bits = 0, weights = 0;
  for (const auto& l : layers) {
    const double n = l.at("out_features").get<double>(), m = l.at("in_features").get<double>();
    const double k = l.at("salient_columns").get<double>();
    EXPECT_GE(k, std::floor(0.2 * m) + 1) << l.at("name");
    const double layer = (m - k) * n + 4 * k * n + m + 16 * (3 * n + m) + 4 * n;
    EXPECT_NEAR(l.at("bits_per_weight").get<double>(), layer / (n * m), 1e-12) << l.at("name");
    bits += layer;
    weights += n * m;
  }
  EXPECT_NEAR(bpw, bits / weights, 1e-12);

  const auto& blocks = summary.at("blocks");
  ASSERT_EQ(blocks.size(), 5u);  // stories260K has 5 layers
  // losses.csv: every optimiser step, its last row the last block's last step of summary.json.
  const auto steps = quantcore::quantize::parse_loss_events_csv(quantcore::read_file(tmp / "q/losses.csv"), "losses.csv");
  const auto& settings = summary.at("settings");
  EXPECT_EQ(int64_t(steps.size()), 5 * 2 * settings.at("nsamples").get<int64_t>());
  EXPECT_EQ(steps.back().loss.total, blocks.back().at("loss").at("total").get<double>());
  for (const auto& b : blocks) {
    const double total = b.at("loss").at("total").get<double>();
    EXPECT_TRUE(std::isfinite(total));
    EXPECT_GE(total, 0.0);
    // Each block's loss falls over the epochs (mean over the epoch's samples).
    const std::vector<double> epochs = b.at("epoch_mean_total").get<std::vector<double>>();
    ASSERT_EQ(epochs.size(), 2u);
    EXPECT_LT(epochs.back(), epochs.front()) << "block " << b.at("block");
  }
  EXPECT_GT(summary.at("peak_host_memory_bytes").get<int64_t>(), 0);

  const double ppl = eval_ppl(out);
  EXPECT_TRUE(std::isfinite(ppl)) << ppl;

  // The same settings without training: the learned quantisation must do better.
  const std::string out_nolearn = (tmp / "q-nolearn").string();
  auto r2 = run_cli(stories_args(cache, out_nolearn, {"--epochs", "2", "--no-learn"}));
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const double ppl_nolearn = eval_ppl(out_nolearn);
  EXPECT_TRUE(std::isfinite(ppl_nolearn));
  EXPECT_LT(ppl, ppl_nolearn);

  // Plain binarisation (no salient channels, analytic scales) is worse still.
  const std::string out_plain = (tmp / "q-plain").string();
  ASSERT_EQ(run_cli(stories_args(cache, out_plain, {"--epochs", "2", "--no-learn", "--mask-stat", "none"})).exit_code,
            0);
  EXPECT_LT(ppl, eval_ppl(out_plain));
}

TEST(CliQuantize, Bf16ComputeWithChainsOnTheHost) {
  TempDir tmp;
  TempDir cache;
  auto r = run_cli(stories_args(cache, (tmp / "q").string(), {"--epochs", "1", "--dtype", "bf16", "--chains", "host"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json().at("settings").at("dtype"), "bf16");
  EXPECT_EQ(r.json().at("settings").at("chains"), "host");
  EXPECT_TRUE(std::isfinite(eval_ppl((tmp / "q").string())));

  r = run_cli(stories_args(cache, (tmp / "q16").string(), {"--epochs", "2", "--dtype", "fp16"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("loss scaler"), std::string::npos) << r.err;
}

TEST(CliQuantize, PaperVariantsRunAndAreRecorded) {
  TempDir tmp;
  TempDir cache;
  auto r = run_cli(stories_args(cache, (tmp / "q").string(),
                                {"--epochs", "1", "--paper", "no-mean,alpha-l1", "--paper", "l2-distance"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json settings = r.json().at("settings");
  EXPECT_EQ(settings.at("parameters").at("paper"), (std::vector<std::string>{"no-mean", "alpha-l1", "l2-distance"}));
  EXPECT_EQ(settings.at("spelling"), "ptq161:epochs=1:paper=no-mean,alpha-l1,l2-distance");
  EXPECT_TRUE(std::isfinite(eval_ppl((tmp / "q").string())));
}

// --reference-ops runs the un-fused ATen W' rebuild and statistics; the fused ops differ from it
// only in rounding (tests/unit/test_fused_ops.cpp), so after a few steps the two runs agree
// closely: the same masks (max |x| is exact either way), nearly the same losses and perplexity.
TEST(CliQuantize, ReferenceOpsAgreeWithTheFusedOps) {
  TempDir tmp;
  TempDir cache_fused, cache_reference;  // each path computes its own statistics
  auto fused = run_cli(stories_args(cache_fused, (tmp / "fused").string(), {"--epochs", "2"}));
  ASSERT_EQ(fused.exit_code, 0) << fused.err;
  auto reference =
      run_cli(stories_args(cache_reference, (tmp / "reference").string(), {"--epochs", "2", "--reference-ops"}));
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  const nlohmann::json f = fused.json(), r = reference.json();
  EXPECT_EQ(f.at("settings").at("fused_ops"), true);
  EXPECT_EQ(r.at("settings").at("fused_ops"), false);

  const auto& fl = f.at("bits").at("layers");
  const auto& rl = r.at("bits").at("layers");
  ASSERT_EQ(fl.size(), rl.size());
  for (size_t i = 0; i < fl.size(); ++i)
    EXPECT_EQ(fl[i].at("salient_columns"), rl[i].at("salient_columns")) << fl[i].at("name");

  const auto& fb = f.at("blocks");
  const auto& rb = r.at("blocks");
  ASSERT_EQ(fb.size(), rb.size());
  for (size_t i = 0; i < fb.size(); ++i) {
    const double a = fb[i].at("loss").at("total").get<double>(), b = rb[i].at("loss").at("total").get<double>();
    EXPECT_NEAR(a, b, 1e-3 * std::abs(b)) << "block " << i;
  }
  const double ppl_fused = eval_ppl((tmp / "fused").string());
  const double ppl_reference = eval_ppl((tmp / "reference").string());
  EXPECT_NEAR(ppl_fused, ppl_reference, 1e-3 * ppl_reference);
}

TEST(CliQuantize, RefusesNonEmptyOutput) {
  TempDir tmp;
  TempDir cache;
  quantlens_test::write_bytes(tmp / "keep.txt", "x");
  auto r = run_cli(stories_args(cache, tmp.path().string(), {"--epochs", "2"}));
  quantlens_test::expect_one_line_error(r, "not empty");
  EXPECT_TRUE(std::filesystem::is_regular_file(tmp / "keep.txt"));
}

}  // namespace
