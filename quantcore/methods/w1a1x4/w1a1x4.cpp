#include "quantcore/methods/w1a1x4/w1a1x4.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "quantcore/methods/w1a1x4/two_scale_grouping.h"
#include "quantcore/pack/half_float.h"

namespace quantcore::methods::w1a1x4 {

namespace {

// §1.3 steps 3-4 for the entries of rows [row_begin, row_end) and columns [col_begin, col_end):
// one weighted 2-means of |w| (h_j weighting every entry of column j), its fp16 scales into
// `group`, its signs and scale selections into q.
void fit_group(const float* w, const float* h, int64_t row_begin, int64_t row_end, int64_t col_begin, int64_t col_end,
               size_t group, W1a1x4Linear& q, int iterations) {
  std::vector<float> magnitudes, weights;
  for (int64_t i = row_begin; i < row_end; ++i)
    for (int64_t j = col_begin; j < col_end; ++j) {
      magnitudes.push_back(std::fabs(w[i * q.cols + j]));
      weights.push_back(h[j]);
    }
  const TwoScaleFit fit = fit_two_scales(magnitudes.data(), weights.data(), magnitudes.size(), iterations);
  q.low[group] = round_to_half(fit.low);
  q.high[group] = round_to_half(fit.high);
  size_t k = 0;
  for (int64_t i = row_begin; i < row_end; ++i)
    for (int64_t j = col_begin; j < col_end; ++j, ++k) {
      const size_t at = static_cast<size_t>(i * q.cols + j);
      q.positive[at] = !(w[at] < 0);  // sign(0) = +1
      q.in_high[at] = fit.in_high[k];
    }
}

}  // namespace

W1a1x4Linear quantize(const float* w, int64_t rows, int64_t cols, const float* h, const W1a1x4Options& o) {
  if (rows <= 0 || cols <= 0) throw std::invalid_argument("w1a1x4: empty weight");
  if (o.group_size == 0 || o.group_size < -1) throw std::invalid_argument("w1a1x4: group size must be -1 or positive");
  W1a1x4Linear q;
  q.rows = rows;
  q.cols = cols;
  q.group_size = o.group_size < 0 || o.group_size > cols ? cols : o.group_size;
  q.per_row = o.per_row;
  const int64_t groups = q.groups();
  const size_t pairs = static_cast<size_t>(o.per_row ? rows * groups : groups);
  q.positive.resize(static_cast<size_t>(rows * cols));
  q.in_high.resize(static_cast<size_t>(rows * cols));
  q.low.resize(pairs);
  q.high.resize(pairs);
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t first = g * q.group_size, end = std::min(cols, first + q.group_size);
    if (!o.per_row) {
      fit_group(w, h, 0, rows, first, end, static_cast<size_t>(g), q, o.em_iterations);
      continue;
    }
    for (int64_t i = 0; i < rows; ++i) fit_group(w, h, i, i + 1, first, end, q.group_of(i, first), q, o.em_iterations);
  }
  return q;
}

}  // namespace quantcore::methods::w1a1x4
