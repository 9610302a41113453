// Every block linear's eq. (4) bound from ModelBounds against the engine's tensor reference
// (ptq161::analytic_error_bound) and the selected-layer slider, on stories260K; cancellation
// between layers; precomputations built once and reused by later ratios.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <memory>

#include "analysis/model_bounds.h"
#include "analysis/salient_slider.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/load_model.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace {

struct Stories {
  std::shared_ptr<quantcore::CausalLM> model;
  quantcore::ActivationStats stats;
};

const Stories& stories() {
  static const Stories s = [] {
    const quantcore::Checkpoint checkpoint =
        quantcore::open_checkpoint(quantlens_test::data_path("stories260K/stories260K.bin"));
    Stories r;
    r.model = quantcore::load_causal_lm(checkpoint, {"cpu", "fp32"});
    const std::vector<int32_t> ids =
        quantcore::load_tokenizer(checkpoint.tokenizer_path)
            ->encode(quantlens_test::read_text(quantlens_test::data_path("house-corpus/calib.txt")).substr(0, 6000));
    quantcore::NullProgress progress;
    quantcore::CancelToken cancel;
    r.stats = quantcore::collect_activation_stats(*r.model, quantcore::calibration_windows(ids, {4, 64, 2}), progress,
                                                  cancel);
    return r;
  }();
  return s;
}

at::Tensor statistic(const Stories& s, int64_t block, const std::string& linear) {
  const std::vector<float>& v = s.stats.at(block, linear).max_abs;
  return at::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, at::kFloat).clone();
}

TEST(ModelBounds, EveryLayerMatchesTheReferenceAtTwoRatios) {
  const Stories& s = stories();
  analysis::ModelBounds bounds(s.model, s.stats);
  const auto linears = quantcore::block_linears(s.model->spec());
  ASSERT_EQ(bounds.layers().size(), static_cast<size_t>(s.model->num_blocks()) * linears.size());

  for (double ratio : {0.2, 0.5}) {
    SCOPED_TRACE(ratio);
    std::vector<size_t> reported;
    quantcore::CancelToken cancel;
    const analysis::ModelBoundsPass pass =
        bounds.evaluate(ratio, cancel, [&](size_t index, const analysis::LayerBound&) { reported.push_back(index); });
    ASSERT_EQ(pass.layers.size(), bounds.layers().size());
    ASSERT_EQ(reported.size(), pass.layers.size());
    double total = 0.0;
    for (size_t i = 0; i < pass.layers.size(); ++i) {
      const analysis::LayerBound& b = pass.layers[i];
      SCOPED_TRACE(std::to_string(b.block) + " " + b.linear);
      EXPECT_EQ(reported[i], i);
      EXPECT_EQ(b.block, static_cast<int64_t>(i / linears.size()));
      EXPECT_EQ(b.linear, linears[i % linears.size()].name);
      const at::Tensor w = s.model->linear_weight(b.block, b.linear).to(at::kFloat);
      const at::Tensor stat = statistic(s, b.block, b.linear);
      const double reference = quantcore::methods::ptq161::analytic_error_bound(w, stat, ratio, 4);
      EXPECT_NEAR(b.error_bound, reference, 1e-5 * reference);
      const double at_zero = quantcore::methods::ptq161::analytic_error_bound(w, stat, 0.0, 4);
      EXPECT_NEAR(b.error_bound_at_zero, at_zero, 1e-5 * at_zero);
      EXPECT_EQ(b.salient_columns, quantcore::methods::ptq161::salient_channel_mask(stat, ratio).sum().item<int64_t>());
      // The selected-layer slider gives the same numbers, to the bit.
      const analysis::SalientSliderResult selected =
          analysis::SalientSlider(*s.model, s.stats, b.block, b.linear).evaluate(ratio);
      EXPECT_EQ(b.error_bound, selected.error_bound);
      EXPECT_EQ(b.salient_columns, selected.salient_columns);
      total += b.error_bound;
    }
    EXPECT_DOUBLE_EQ(pass.total_error_bound, total);
    const analysis::SalientSliderResult any =
        analysis::SalientSlider(*s.model, s.stats, 0, linears[0].name).evaluate(ratio);
    EXPECT_EQ(pass.model_bits_per_weight, any.model_bits_per_weight);
    EXPECT_EQ(pass.paper_bits_per_weight, any.paper_bits_per_weight);
  }
  // The second ratio reused every precomputation of the first.
  EXPECT_EQ(bounds.layers_built(), static_cast<int64_t>(bounds.layers().size()));
  EXPECT_EQ(bounds.layers_cached(), bounds.layers().size());
}

TEST(ModelBounds, CancelStopsBetweenLayersAndKeepsWhatWasBuilt) {
  const Stories& s = stories();
  analysis::ModelBounds bounds(s.model, s.stats);
  const size_t n = bounds.layers().size();
  ASSERT_GT(n, 4u);
  quantcore::CancelToken cancel;
  size_t reported = 0;
  EXPECT_THROW(bounds.evaluate(0.3, cancel,
                               [&](size_t, const analysis::LayerBound&) {
                                 if (++reported == 3) cancel.request();
                               }),
               quantcore::Cancelled);
  EXPECT_EQ(reported, 3u);
  EXPECT_EQ(bounds.layers_built(), 3);

  quantcore::CancelToken fresh;
  const analysis::ModelBoundsPass pass = bounds.evaluate(0.3, fresh);
  EXPECT_EQ(pass.layers.size(), n);
  EXPECT_EQ(bounds.layers_built(), static_cast<int64_t>(n));  // the first three were not rebuilt

  quantcore::CancelToken already;
  already.request();
  EXPECT_THROW(bounds.evaluate(0.3, already), quantcore::Cancelled);
  EXPECT_THROW(bounds.evaluate(1.5, fresh), std::invalid_argument);
}

TEST(ModelBounds, WithoutCacheRoomEveryPassRebuildsAndAgrees) {
  const Stories& s = stories();
  analysis::ModelBounds cached(s.model, s.stats);
  analysis::ModelBounds uncached(s.model, s.stats, {4, 0});
  quantcore::CancelToken cancel;
  const analysis::ModelBoundsPass a = cached.evaluate(0.1, cancel);
  const analysis::ModelBoundsPass b = uncached.evaluate(0.1, cancel);
  uncached.evaluate(0.1, cancel);
  const size_t n = cached.layers().size();
  EXPECT_EQ(uncached.layers_built(), static_cast<int64_t>(2 * n));
  EXPECT_EQ(uncached.layers_cached(), 0u);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(a.layers[i].error_bound, b.layers[i].error_bound);
}

}  // namespace
