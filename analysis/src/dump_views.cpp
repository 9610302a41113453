#include "analysis/dump_views.h"

#include <algorithm>
#include <limits>

namespace analysis {

ActivationMap dump_activation_map(const std::vector<DumpBlock>& blocks, ActivationStatistic statistic) {
  ActivationMap map;
  int64_t width = 0;
  for (const DumpBlock& b : blocks)
    for (const DumpLinear& l : b.linears) {
      map.rows.emplace_back(b.index, l.linear);
      width = std::max(width, static_cast<int64_t>(l.act_max_abs.size()));
    }
  map.values.rows = static_cast<int64_t>(map.rows.size());
  map.values.cols = width;
  map.values.values.assign(static_cast<size_t>(map.values.rows * width), std::numeric_limits<float>::quiet_NaN());
  auto out = map.values.values.begin();
  for (const DumpBlock& b : blocks)
    for (const DumpLinear& l : b.linears) {
      const std::vector<float>& v = statistic == ActivationStatistic::MaxAbs ? l.act_max_abs : l.act_mean_abs;
      std::copy(v.begin(), v.end(), out);
      out += width;
    }
  return map;
}

std::vector<uint8_t> pooled_column_mask(const std::vector<uint8_t>& mask, const SaliencyMap& map) {
  std::vector<uint8_t> bands(static_cast<size_t>(map.cols), 0);
  const int64_t pool = std::max<int64_t>(1, map.pool_cols);
  for (size_t j = 0; j < mask.size(); ++j) {
    const auto c = static_cast<int64_t>(j) / pool;
    if (mask[j] && c < map.cols) bands[static_cast<size_t>(c)] = 1;
  }
  return bands;
}

float salient_cell_threshold(const SaliencyMap& map, const SalientWeights& salient_weights) {
  float threshold = std::numeric_limits<float>::infinity();
  const int64_t pr = std::max<int64_t>(1, map.pool_rows), pc = std::max<int64_t>(1, map.pool_cols);
  for (int64_t i = 0; i < salient_weights.count(); ++i) {
    const int64_t r = salient_weights.positions[static_cast<size_t>(2 * i)] / pr;
    const int64_t c = salient_weights.positions[static_cast<size_t>(2 * i + 1)] / pc;
    if (r < 0 || r >= map.rows || c < 0 || c >= map.cols) continue;
    threshold = std::min(threshold, map.values[static_cast<size_t>(r * map.cols + c)]);
  }
  return threshold;
}

std::vector<quantcore::LossEvent> loss_events(int64_t block, const LossCurve& curve) {
  std::vector<quantcore::LossEvent> events(curve.size());
  for (size_t i = 0; i < curve.size(); ++i) {
    quantcore::LossEvent& e = events[i];
    e.block = block;
    e.epoch = curve.epoch[i];
    e.step = curve.sample[i];
    e.loss = {curve.mse_fp[i], curve.mse_q[i], curve.nlc_fp[i], curve.nlc_q[i], curve.total[i]};
  }
  return events;
}

}  // namespace analysis
