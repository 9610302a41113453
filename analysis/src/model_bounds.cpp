#include "analysis/model_bounds.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "analysis/float_matrix.h"
#include "analysis/salient_slider.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/pack/bits_accounting.h"

namespace analysis {

struct ModelBounds::Prepared {
  SalientSlider slider;
  double error_bound_at_zero = 0.0;
};

namespace {

// What SalientSlider keeps for an [n, m] weight: the ranked float copy, per-row running sums
// (two doubles and a count every 64 columns), row totals and per-column vectors.
std::size_t precomputation_bytes(const quantcore::LinearShape& s) {
  const auto n = static_cast<std::size_t>(s.out_features), m = static_cast<std::size_t>(s.in_features);
  return n * m * sizeof(float) + n * ((m + 63) / 64) * 24 + n * 24 + m * 40;
}

}  // namespace

ModelBounds::ModelBounds(std::shared_ptr<const quantcore::CausalLM> model, const quantcore::ActivationStats& stats)
    : ModelBounds(std::move(model), stats, Options{}) {}

ModelBounds::ModelBounds(std::shared_ptr<const quantcore::CausalLM> model, const quantcore::ActivationStats& stats,
                         Options options)
    : model_(std::move(model)), options_(options) {
  if (!model_) throw std::invalid_argument("ModelBounds: no model");
  const auto linears = quantcore::block_linears(model_->spec());
  for (int64_t b = 0; b < model_->num_blocks(); ++b)
    for (const auto& l : linears) {
      const std::vector<float>& s = stats.at(b, l.name).max_abs;
      if (static_cast<int64_t>(s.size()) != l.in_features)
        throw std::invalid_argument("ModelBounds: statistic of block " + std::to_string(b) + " " + l.name +
                                    " has the wrong length");
      shapes_.push_back(l);
      blocks_.push_back(b);
      statistics_.push_back(s);
    }
  cache_.resize(shapes_.size());
}

ModelBounds::~ModelBounds() = default;

const ModelBounds::Prepared& ModelBounds::prepare(std::size_t index, std::unique_ptr<Prepared>& scratch) {
  if (cache_[index]) return *cache_[index];
  const quantcore::LinearShape& shape = shapes_[index];
  const at::Tensor w = model_->linear_weight(blocks_[index], shape.name).detach().to(at::kCPU, at::kFloat).contiguous();
  FloatMatrix weight{shape.out_features, shape.in_features,
                     std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel())};
  // The slider's own model-bits list is this one linear: the whole model's bits follow from
  // every layer's mask size at the end of a pass.
  SalientSlider slider(weight, statistics_[index], {{shape, statistics_[index]}}, options_.salient_bits);
  const double at_zero = slider.evaluate(0.0).error_bound;
  ++built_;
  auto prepared = std::make_unique<Prepared>(Prepared{std::move(slider), at_zero});
  const std::size_t bytes = precomputation_bytes(shape);
  if (cached_bytes_ + bytes <= options_.cache_bytes) {
    cached_bytes_ += bytes;
    cache_[index] = std::move(prepared);
    ++cached_;
    return *cache_[index];
  }
  scratch = std::move(prepared);
  return *scratch;
}

ModelBoundsPass ModelBounds::evaluate(double ratio, const quantcore::CancelToken& cancel, const LayerCallback& on_layer,
                                      quantcore::ProgressSink* progress) {
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("salient ratio must lie in [0, 1]");
  std::lock_guard<std::mutex> lock(pass_);
  ModelBoundsPass pass;
  pass.ratio = ratio;
  pass.layers.reserve(shapes_.size());
  if (progress) progress->stage("error bounds", static_cast<int64_t>(shapes_.size()));
  std::vector<quantcore::QuantizedLinear> masked;
  masked.reserve(shapes_.size());
  for (std::size_t i = 0; i < shapes_.size(); ++i) {
    cancel.throw_if_requested();
    std::unique_ptr<Prepared> scratch;
    const Prepared& p = prepare(i, scratch);
    const SalientSliderResult r = p.slider.evaluate(ratio);
    LayerBound bound;
    bound.block = blocks_[i];
    bound.linear = shapes_[i].name;
    bound.out_features = shapes_[i].out_features;
    bound.in_features = shapes_[i].in_features;
    bound.salient_columns = r.salient_columns;
    bound.error_bound = r.error_bound;
    bound.error_bound_at_zero = p.error_bound_at_zero;
    pass.total_error_bound += bound.error_bound;
    quantcore::LinearShape named = shapes_[i];
    named.name = "model.layers." + std::to_string(bound.block) + "." + named.name;
    masked.push_back({named, bound.salient_columns});
    pass.layers.push_back(std::move(bound));
    if (on_layer) on_layer(i, pass.layers.back());
    if (progress) progress->advance(static_cast<int64_t>(i + 1));
  }
  quantcore::BitsOptions bits;
  bits.salient_bits = options_.salient_bits;
  const quantcore::ModelBits model = quantcore::model_bits(masked, bits);
  pass.model_bits_per_weight = model.bits_per_weight;
  pass.paper_bits_per_weight = model.paper_bits_per_weight;
  if (progress) progress->finish();
  return pass;
}

}  // namespace analysis
