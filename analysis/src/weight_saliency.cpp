#include "analysis/weight_saliency.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <vector>

namespace analysis {

SaliencyMap max_pool_abs(const float* weight, int64_t rows, int64_t cols, int64_t max_side) {
  if (rows <= 0 || cols <= 0 || max_side <= 0) throw std::invalid_argument("max_pool_abs: empty shape");
  SaliencyMap map;
  map.pool_rows = (rows + max_side - 1) / max_side;
  map.pool_cols = (cols + max_side - 1) / max_side;
  map.rows = (rows + map.pool_rows - 1) / map.pool_rows;
  map.cols = (cols + map.pool_cols - 1) / map.pool_cols;
  map.values.assign(static_cast<size_t>(map.rows * map.cols), 0.0f);
  for (int64_t i = 0; i < rows; ++i) {
    float* cell_row = map.values.data() + (i / map.pool_rows) * map.cols;
    const float* w = weight + i * cols;
    for (int64_t j = 0; j < cols; ++j) {
      float& cell = cell_row[j / map.pool_cols];
      cell = std::max(cell, std::fabs(w[j]));
    }
  }
  return map;
}

SalientWeights top_magnitude_weights(const float* weight, int64_t rows, int64_t cols, double ratio, int64_t cap) {
  if (rows <= 0 || cols <= 0) throw std::invalid_argument("top_magnitude_weights: empty shape");
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("top_magnitude_weights: ratio outside [0, 1]");
  SalientWeights out;
  out.ratio = ratio;
  const int64_t total = rows * cols;
  out.requested = std::min<int64_t>(total, std::llround(ratio * static_cast<double>(total)));
  const auto keep = static_cast<size_t>(std::min(out.requested, std::max<int64_t>(cap, 0)));
  if (keep == 0) return out;
  // The keep-th largest magnitude, then one row-major pass: everything above it, and of the
  // ties at it the lowest indices. NaN never counts as large.
  std::vector<float> magnitude(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    const float a = std::fabs(weight[i]);
    magnitude[static_cast<size_t>(i)] = std::isnan(a) ? -1.0f : a;
  }
  std::nth_element(magnitude.begin(), magnitude.begin() + static_cast<std::ptrdiff_t>(keep - 1), magnitude.end(),
                   std::greater<float>());
  const float threshold = magnitude[keep - 1];
  int64_t above = 0;
  for (int64_t i = 0; i < total; ++i) above += std::fabs(weight[i]) > threshold;
  int64_t ties = static_cast<int64_t>(keep) - above;
  out.positions.reserve(2 * keep);
  for (int64_t i = 0; i < total; ++i) {
    const float a = std::fabs(weight[i]);
    if (a > threshold || (a == threshold && ties-- > 0)) {
      out.positions.push_back(static_cast<int32_t>(i / cols));
      out.positions.push_back(static_cast<int32_t>(i % cols));
    }
  }
  return out;
}

}  // namespace analysis
