#include "analysis/heatmap_pool.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace analysis {

FloatMatrix max_pool_region(const FloatMatrix& source, CellRegion region, int64_t max_rows, int64_t max_cols) {
  if (max_rows < 1 || max_cols < 1) throw std::invalid_argument("max_pool_region: empty target");
  region.row0 = std::clamp<int64_t>(region.row0, 0, source.rows);
  region.row1 = std::clamp<int64_t>(region.row1, region.row0, source.rows);
  region.col0 = std::clamp<int64_t>(region.col0, 0, source.cols);
  region.col1 = std::clamp<int64_t>(region.col1, region.col0, source.cols);
  FloatMatrix out;
  out.rows = std::min(region.rows(), max_rows);
  out.cols = std::min(region.cols(), max_cols);
  out.values.assign(static_cast<size_t>(out.rows * out.cols), std::numeric_limits<float>::quiet_NaN());
  if (out.rows == 0 || out.cols == 0) return out;

  std::vector<int64_t> col_edges(static_cast<size_t>(out.cols + 1));
  for (int64_t j = 0; j <= out.cols; ++j) col_edges[j] = region.col0 + j * region.cols() / out.cols;
  for (int64_t i = 0; i < out.rows; ++i) {
    const int64_t r_begin = region.row0 + i * region.rows() / out.rows;
    const int64_t r_end = region.row0 + (i + 1) * region.rows() / out.rows;
    float* dst = &out.values[static_cast<size_t>(i * out.cols)];
    for (int64_t r = r_begin; r < r_end; ++r) {
      const float* src = &source.values[static_cast<size_t>(r * source.cols)];
      for (int64_t j = 0; j < out.cols; ++j) {
        float best = dst[j];
        for (int64_t c = col_edges[j]; c < col_edges[j + 1]; ++c) {
          const float v = src[c];
          if (std::isfinite(v) && !(v <= best)) best = v;  // also replaces a NaN start
        }
        dst[j] = best;
      }
    }
  }
  return out;
}

float kth_largest(const std::vector<float>& values, int64_t k) {
  if (k <= 0) return std::numeric_limits<float>::infinity();
  std::vector<float> finite;
  finite.reserve(values.size());
  for (float v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return std::numeric_limits<float>::infinity();
  const auto n = static_cast<int64_t>(finite.size());
  const auto index = static_cast<size_t>(std::min(k, n) - 1);
  std::nth_element(finite.begin(), finite.begin() + index, finite.end(), std::greater<float>());
  return finite[index];
}

}  // namespace analysis
