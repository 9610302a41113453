#include "analysis/layer_view.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "quantcore/io/errors.h"
#include "quantcore/model/causal_lm.h"

namespace analysis {

namespace {
FloatMatrix to_matrix(const at::Tensor& t) {
  const at::Tensor w = t.to(at::kCPU, at::kFloat).contiguous();
  FloatMatrix m;
  m.rows = w.size(0);
  m.cols = w.size(1);
  m.values.resize(static_cast<size_t>(w.numel()));
  std::memcpy(m.values.data(), w.data_ptr<float>(), m.values.size() * sizeof(float));
  return m;
}
}  // namespace

FloatMatrix linear_weight_magnitude(const quantcore::CausalLM& model, int64_t block, const std::string& linear) {
  return to_matrix(model.linear_weight(block, linear).detach().abs());
}

FloatMatrix linear_weight_difference(const quantcore::CausalLM& a, const quantcore::CausalLM& b, int64_t block,
                                     const std::string& linear) {
  const at::Tensor wa = a.linear_weight(block, linear).detach().to(at::kCPU, at::kFloat);
  const at::Tensor wb = b.linear_weight(block, linear).detach().to(at::kCPU, at::kFloat);
  if (!wa.sizes().equals(wb.sizes()))
    throw quantcore::InputError("block " + std::to_string(block) + " " + linear,
                                "the two models' weights differ in shape");
  return to_matrix((wa - wb).abs());
}

ActivationMap activation_map(const quantcore::ModelSpec& spec, const quantcore::ActivationStats& stats,
                             ActivationStatistic statistic) {
  const std::vector<quantcore::LinearShape> linears = quantcore::block_linears(spec);
  int64_t width = 0;
  for (const auto& l : linears) width = std::max(width, l.in_features);
  ActivationMap map;
  for (int64_t b = 0; b < spec.num_layers; ++b)
    for (const auto& l : linears) map.rows.emplace_back(b, l.name);
  map.values.rows = static_cast<int64_t>(map.rows.size());
  map.values.cols = width;
  map.values.values.assign(static_cast<size_t>(map.values.rows * width), std::numeric_limits<float>::quiet_NaN());
  for (size_t r = 0; r < map.rows.size(); ++r) {
    const quantcore::LinearInputStats& s = stats.at(map.rows[r].first, map.rows[r].second);
    const std::vector<float>& v = statistic == ActivationStatistic::MaxAbs ? s.max_abs : s.mean_abs;
    std::copy(v.begin(), v.end(), map.values.values.begin() + static_cast<int64_t>(r) * width);
  }
  return map;
}

}  // namespace analysis
