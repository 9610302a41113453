// The PTQ1.61 dump builder on a real checkpoint (stories260K) with synthetic statistics: what
// it writes per linear is what the engine's building blocks compute, and cancellation leaves
// no file.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "analysis/dump_reader.h"
#include "analysis/ptq161_dump.h"
#include "analysis/salient_concentration.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/quantize/quantize_settings.h"
#include "quantcore/model/tensor_from_view.h"
#include "test_support.h"

using quantlens_test::TempDir;

namespace {

quantcore::ActivationStats synthetic_stats(const quantcore::ModelSpec& spec) {
  quantcore::ActivationStats stats;
  for (int64_t b = 0; b < spec.num_layers; ++b)
    for (const auto& l : quantcore::block_linears(spec)) {
      quantcore::LinearInputStats s;
      for (int64_t j = 0; j < l.in_features; ++j) {
        s.max_abs.push_back(1.0f + static_cast<float>((j * 37 + b * 5) % 23));
        s.mean_abs.push_back(0.1f + 0.01f * static_cast<float>((j * 11 + b) % 17));
      }
      stats.linears[{b, l.name}] = s;
    }
  stats.tokens = 256;
  return stats;
}

analysis::DumpSettings settings() {
  quantcore::quantize::QuantizeSettings s(
      quantcore::methods::parse_method_spelling("ptq161:epochs=0:no-learn", "test"));
  s.calib = "synthetic";
  s.calibration.nsamples = 4;
  s.calibration.seqlen = 64;
  return analysis::dump_settings(s);
}

at::Tensor weight(const quantcore::Checkpoint& ck, int64_t block, const std::string& linear) {
  auto v = ck.weights->find("model.layers." + std::to_string(block) + "." + linear + ".weight");
  if (!v) throw std::runtime_error("no weight of block " + std::to_string(block) + " " + linear);
  return quantcore::tensor_from_view(*v, at::kFloat, at::Device(at::kCPU));
}

at::Tensor floats(const std::vector<float>& v) { return at::tensor(at::ArrayRef<float>(v), at::kFloat); }

TEST(Ptq161Dump, StatisticsDumpIsWhatTheEngineComputes) {
  const quantcore::Checkpoint ck = quantcore::open_checkpoint(quantlens_test::data_path("stories260K/stories260K.bin"));
  const quantcore::ActivationStats stats = synthetic_stats(ck.spec);
  TempDir dir;
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;
  analysis::write_statistics_dump(dir / "s.h5", {ck, stats, settings()}, progress, cancel);

  analysis::DumpReader reader(dir / "s.h5");
  EXPECT_EQ(reader.header().content, "statistics");
  EXPECT_EQ(reader.header().num_layers, ck.spec.num_layers);
  EXPECT_GT(reader.header().bits_per_weight, 1.0);
  const auto shapes = quantcore::block_linears(ck.spec);
  for (int64_t b = 0; b < ck.spec.num_layers; ++b) {
    const analysis::DumpBlock block = reader.read_block(b);
    ASSERT_EQ(block.linears.size(), shapes.size());
    EXPECT_FALSE(block.loss.has_value());
    for (size_t j = 0; j < shapes.size(); ++j) {
      const analysis::DumpLinear& l = block.linears[j];
      SCOPED_TRACE(l.name);
      const at::Tensor w = weight(ck, b, shapes[j].name);
      const at::Tensor s = floats(stats.at(b, shapes[j].name).max_abs);
      const at::Tensor mask = quantcore::methods::ptq161::salient_channel_mask(s, 0.2);
      const at::Tensor got_mask = at::tensor(at::ArrayRef<uint8_t>(l.mask), at::kByte).to(at::kBool);
      EXPECT_TRUE(at::equal(got_mask, mask));
      EXPECT_EQ(l.salient_columns, mask.sum().item<int64_t>());
      EXPECT_EQ(static_cast<int64_t>(l.salient_indices.size()), l.salient_columns);
      for (int32_t idx : l.salient_indices) EXPECT_EQ(l.mask.at(static_cast<size_t>(idx)), 1);
      EXPECT_DOUBLE_EQ(l.salient_ratio, double(l.salient_columns) / double(shapes[j].in_features));

      const double bound = quantcore::methods::ptq161::analytic_error_bound(w, s, 0.2, 4);
      EXPECT_NEAR(l.error_bound, bound, 1e-9 * bound);
      const auto init = quantcore::methods::ptq161::init_binarization(w, mask);
      EXPECT_TRUE(at::allclose(floats(l.mu), init.mean.flatten()));
      EXPECT_TRUE(at::allclose(floats(l.alpha_init), init.alpha.flatten()));
      EXPECT_GT(l.relative_error, 0.0);
      EXPECT_LT(l.relative_error, 1.0);
      EXPECT_TRUE(l.alpha.empty());

      // The concentration: the K = n k largest |W| (by a full sort here), their share in the mask.
      ASSERT_TRUE(l.concentration_in_mask && l.concentration_top_rows);
      const int64_t k = l.salient_columns * shapes[j].out_features;
      const at::Tensor order = std::get<1>(w.abs().flatten().sort(0, true)).slice(0, 0, k);
      const double in_mask =
          mask.index_select(0, order.remainder(shapes[j].in_features)).to(at::kDouble).mean().item<double>();
      EXPECT_NEAR(*l.concentration_in_mask, in_mask, 1e-12);
      EXPECT_GE(*l.concentration_top_rows, 0.2 - 1e-12);
      EXPECT_LE(*l.concentration_top_rows, 1.0);

      // The map is torch's ceil-mode max pool of |W| (these layers are below 256 x 256: factor 1).
      const analysis::SaliencyMap& m = l.saliency_map;
      const at::Tensor pooled = at::max_pool2d(w.abs().unsqueeze(0).unsqueeze(0), {m.pool_rows, m.pool_cols},
                                               {m.pool_rows, m.pool_cols}, {0, 0}, {1, 1}, true)
                                    .squeeze();
      ASSERT_EQ(pooled.size(0), m.rows);
      ASSERT_EQ(pooled.size(1), m.cols);
      EXPECT_TRUE(at::equal(floats(m.values).reshape({m.rows, m.cols}), pooled));

      // The salient weights are torch's top-k of |W| (as a set; the file lists them row-major).
      const analysis::SalientWeights& sw = l.salient_weights;
      EXPECT_EQ(sw.requested, std::llround(0.2 * double(w.numel())));
      const at::Tensor flat = w.abs().flatten();
      const at::Tensor threshold = std::get<0>(flat.topk(sw.count())).min();
      int64_t previous = -1;
      for (int64_t i = 0; i < sw.count(); ++i) {
        const int64_t idx = int64_t(sw.positions[2 * i]) * w.size(1) + sw.positions[2 * i + 1];
        EXPECT_GT(idx, previous);
        previous = idx;
        EXPECT_GE(flat[idx].item<float>(), threshold.item<float>());
      }
    }
  }
}

// Cancels once the first block is written.
class CancelAfterFirstBlock : public quantcore::NullProgress {
public:
  explicit CancelAfterFirstBlock(quantcore::CancelToken& token) : token_(token) {}
  void advance(int64_t) override { token_.request(); }

private:
  quantcore::CancelToken& token_;
};

TEST(SalientConcentration, SharesOfAHandCheckedCase) {
  // K = 2 rows x 2 mask columns = 4: the largest are 9 (r0 c0), 8 (r0 c2), 7 (r1 c1), 6 (r1 c3).
  const float scores[] = {9, 1, 8, 0, 2, 7, 3, 6};
  const uint8_t mask[] = {1, 0, 1, 0};
  const analysis::ConcentrationShares s = analysis::concentration_shares(scores, 2, 4, mask);
  EXPECT_DOUBLE_EQ(s.in_mask, 0.5);   // 9 and 8
  EXPECT_DOUBLE_EQ(s.top_rows, 0.5);  // the top ceil(0.2 x 2) = 1 row holds 2 of 4
  const uint8_t left[] = {1, 1, 0, 0};
  const float ranked[] = {9, 8, 1, 0, 7, 6, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 5, 4, 0, 0};  // 5 rows
  const analysis::ConcentrationShares t = analysis::concentration_shares(ranked, 5, 4, left);
  // K = 10: 9 8 7 6 5 4 3 2 1 and one 0; in the mask: 9 8 7 6 5 4 and whichever zeros lie there.
  EXPECT_GE(t.in_mask, 0.6);
  EXPECT_DOUBLE_EQ(t.top_rows, 0.4);  // the top 1 of 5 rows holds 4 of 10 (row 0: 9 8 1 0 or row 1: 7 6 2 3)
}

TEST(Ptq161Dump, CancelledDumpLeavesNoFile) {
  const quantcore::Checkpoint ck = quantcore::open_checkpoint(quantlens_test::data_path("stories260K/stories260K.bin"));
  const quantcore::ActivationStats stats = synthetic_stats(ck.spec);
  TempDir dir;
  quantcore::CancelToken cancel;
  CancelAfterFirstBlock progress(cancel);
  EXPECT_THROW(analysis::write_statistics_dump(dir / "s.h5", {ck, stats, settings()}, progress, cancel),
               quantcore::Cancelled);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
