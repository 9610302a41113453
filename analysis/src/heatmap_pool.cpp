#include "analysis/heatmap_pool.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace analysis {

namespace {

std::vector<int64_t> pool_edges(int64_t begin, int64_t count, int64_t out) {
  std::vector<int64_t> edges(static_cast<size_t>(out + 1));
  for (int64_t i = 0; i <= out; ++i) edges[static_cast<size_t>(i)] = begin + i * count / out;
  return edges;
}

// One source row into one output row: the running maximum of each block and, where kCount, its
// marked cells; the score is the value itself unless kOwnScores.
template <bool kCount, bool kOwnScores>
void pool_row(const float* src, const float* score_src, const std::vector<int64_t>& col_edges, float threshold,
              float* dst, uint32_t* counts) {
  const auto out_cols = static_cast<int64_t>(col_edges.size()) - 1;
  for (int64_t j = 0; j < out_cols; ++j) {
    float best = dst[j];
    uint32_t marked = 0;
    for (int64_t c = col_edges[j]; c < col_edges[j + 1]; ++c) {
      const float v = src[c];
      best = (std::isfinite(v) & !(v <= best)) ? v : best;  // also replaces a NaN start; branch-free is faster
      if constexpr (kCount) marked += (kOwnScores ? score_src[c] : v) >= threshold;
    }
    dst[j] = best;
    if constexpr (kCount) counts[j] += marked;
  }
}

}  // namespace

std::pair<int64_t, int64_t> PooledRegion::cell_of(int64_t row, int64_t col) const {
  const auto index = [](const std::vector<int64_t>& edges, int64_t at) {
    const auto it = std::upper_bound(edges.begin(), edges.end() - 1, at);
    return std::clamp<int64_t>(it - edges.begin() - 1, 0, static_cast<int64_t>(edges.size()) - 2);
  };
  return {index(row_edges, row), index(col_edges, col)};
}

PooledRegion pool_region(const FloatMatrix& source, CellRegion region, int64_t max_rows, int64_t max_cols,
                         const FloatMatrix* scores, float threshold) {
  if (max_rows < 1 || max_cols < 1) throw std::invalid_argument("pool_region: empty target");
  if (scores && (scores->rows != source.rows || scores->cols != source.cols))
    throw std::invalid_argument("pool_region: scores of another shape");
  region.row0 = std::clamp<int64_t>(region.row0, 0, source.rows);
  region.row1 = std::clamp<int64_t>(region.row1, region.row0, source.rows);
  region.col0 = std::clamp<int64_t>(region.col0, 0, source.cols);
  region.col1 = std::clamp<int64_t>(region.col1, region.col0, source.cols);
  PooledRegion out;
  FloatMatrix& v = out.values;
  v.rows = std::min(region.rows(), max_rows);
  v.cols = std::min(region.cols(), max_cols);
  v.values.assign(static_cast<size_t>(v.rows * v.cols), std::numeric_limits<float>::quiet_NaN());
  out.row_edges = pool_edges(region.row0, region.rows(), std::max<int64_t>(v.rows, 1));
  out.col_edges = pool_edges(region.col0, region.cols(), std::max<int64_t>(v.cols, 1));
  if (v.rows == 0 || v.cols == 0) return out;

  const bool count = threshold != std::numeric_limits<float>::infinity();
  if (count) out.marked.assign(v.values.size(), 0);
  for (int64_t i = 0; i < v.rows; ++i) {
    float* dst = &v.values[static_cast<size_t>(i * v.cols)];
    uint32_t* counts = count ? &out.marked[static_cast<size_t>(i * v.cols)] : nullptr;
    for (int64_t r = out.row_edges[i]; r < out.row_edges[i + 1]; ++r) {
      const auto offset = static_cast<size_t>(r * source.cols);
      const float* src = &source.values[offset];
      if (!count)
        pool_row<false, false>(src, nullptr, out.col_edges, threshold, dst, counts);
      else if (scores)
        pool_row<true, true>(src, &scores->values[offset], out.col_edges, threshold, dst, counts);
      else
        pool_row<true, false>(src, nullptr, out.col_edges, threshold, dst, counts);
    }
  }
  return out;
}

FloatMatrix max_pool_region(const FloatMatrix& source, CellRegion region, int64_t max_rows, int64_t max_cols) {
  return pool_region(source, region, max_rows, max_cols).values;
}

std::vector<float> pool_flags(const std::vector<uint8_t>& flags, int64_t begin, int64_t end, int64_t max_out) {
  if (max_out < 1) throw std::invalid_argument("pool_flags: empty target");
  begin = std::clamp<int64_t>(begin, 0, static_cast<int64_t>(flags.size()));
  end = std::clamp<int64_t>(end, begin, static_cast<int64_t>(flags.size()));
  const int64_t out = std::min(end - begin, max_out);
  std::vector<float> fractions(static_cast<size_t>(out));
  if (out == 0) return fractions;
  const std::vector<int64_t> edges = pool_edges(begin, end - begin, out);
  for (int64_t j = 0; j < out; ++j) {
    int64_t set = 0;
    for (int64_t c = edges[j]; c < edges[j + 1]; ++c) set += flags[static_cast<size_t>(c)] != 0;
    fractions[static_cast<size_t>(j)] = static_cast<float>(set) / static_cast<float>(edges[j + 1] - edges[j]);
  }
  return fractions;
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
