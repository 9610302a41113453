#include "quantcore/methods/billm/structure_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "quantcore/methods/billm/residual_binarization.h"

namespace quantcore::methods::billm {

Matrix saliency(const Matrix& block, const float* u_diagonal, SalientMetric metric) {
  if (metric == SalientMetric::Magnitude) return block;
  Matrix t(block.rows, block.cols);
  for (int64_t r = 0; r < block.rows; ++r)
    for (int64_t j = 0; j < block.cols; ++j) {
      const float w = block.at(r, j), u = u_diagonal[j];
      t.at(r, j) = (w * w) / (u * u);
    }
  return t;
}

double mean_square(const Matrix& residual) {
  double sum = 0;
  for (float v : residual.values) sum += static_cast<double>(v) * static_cast<double>(v);
  return residual.values.empty() ? 0.0 : sum / static_cast<double>(residual.values.size());
}

namespace {

// x[0, count) ← x - BIN_order(x): binarize_residual's arithmetic on one row's zone, gathered
// contiguously so that the searches need neither masks nor zone fits.
void remove_binarization(float* x, int64_t count, int order) {
  if (count == 0) return;
  for (int k = 0; k < order; ++k) {
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += x[i];
    const float mu = static_cast<float>(sum / static_cast<double>(count));
    double spread = 0;
    for (int64_t i = 0; i < count; ++i) spread += std::fabs(x[i] - mu);
    const float alpha = static_cast<float>(spread / static_cast<double>(count));
    for (int64_t i = 0; i < count; ++i) {
      const float c = x[i] - mu;
      x[i] -= alpha * static_cast<float>(sign_of(c)) + mu;
    }
  }
}

double square_sum(const float* x, int64_t count) {
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) sum += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  return sum;
}

bool zero_on(const Matrix& fixed, const Mask& region) {
  for (size_t i = 0; i < region.size(); ++i)
    if (region[i] && fixed.values[i] != 0.0f) return false;
  return true;
}

// T - BIN_order(T, low) - BIN_order(T, high) on the region's entries (low, high: |T| below, from
// p), row by row; written into `residual` (which holds T - fixed elsewhere) when given. Returns
// the region's square sum.
double split_residual(const Matrix& t, const Mask& region, float p, int order, Matrix* residual) {
  std::vector<float> zone[2];
  std::vector<int64_t> where[2];
  double sse = 0;
  for (int64_t r = 0; r < t.rows; ++r) {
    const float* x = t.row(r);
    const uint8_t* in = region.data() + r * t.cols;
    for (int z = 0; z < 2; ++z) {
      zone[z].clear();
      where[z].clear();
    }
    for (int64_t j = 0; j < t.cols; ++j)
      if (in[j]) {
        const int z = std::fabs(x[j]) < p ? 0 : 1;
        zone[z].push_back(x[j]);
        where[z].push_back(j);
      }
    for (int z = 0; z < 2; ++z) {
      const int64_t count = static_cast<int64_t>(zone[z].size());
      remove_binarization(zone[z].data(), count, order);
      sse += square_sum(zone[z].data(), count);
      if (residual)
        for (int64_t i = 0; i < count; ++i)
          residual->at(r, where[z][static_cast<size_t>(i)]) = zone[z][static_cast<size_t>(i)];
    }
  }
  return sse;
}

}  // namespace

SalientSearch search_salient_columns(const Matrix& t, int64_t cap) {
  if (cap < 1) throw std::invalid_argument("salient search: the cap must be positive");
  if (t.cols < 1) throw std::invalid_argument("salient search: empty block");
  std::vector<double> score(static_cast<size_t>(t.cols), 0.0);
  for (int64_t r = 0; r < t.rows; ++r)
    for (int64_t j = 0; j < t.cols; ++j) score[static_cast<size_t>(j)] += std::fabs(t.at(r, j));
  std::vector<int64_t> order(static_cast<size_t>(t.cols));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return score[static_cast<size_t>(a)] > score[static_cast<size_t>(b)]; });
  SalientSearch s;
  const int64_t top = std::min(cap, t.cols);
  s.ranked.assign(order.begin(), order.begin() + top);
  // The code tries i = 1 .. up_lim - 1 of top-up_lim; a block narrower than the cap tries fewer.
  const int64_t last = std::max<int64_t>(1, top - 1);
  // Columns in rank order, so that S_i is a prefix of every row and ¬S_i the rest.
  s.errors.assign(static_cast<size_t>(last), 0.0);
  std::vector<float> ranked_row(static_cast<size_t>(t.cols)), scratch;
  for (int64_t r = 0; r < t.rows; ++r) {
    for (int64_t j = 0; j < t.cols; ++j) ranked_row[static_cast<size_t>(j)] = t.at(r, order[static_cast<size_t>(j)]);
    for (int64_t i = 1; i <= last; ++i) {
      scratch = ranked_row;
      remove_binarization(scratch.data(), i, 2);
      remove_binarization(scratch.data() + i, t.cols - i, 2);
      s.errors[static_cast<size_t>(i - 1)] += square_sum(scratch.data(), t.cols);
    }
  }
  double best = std::numeric_limits<double>::infinity();
  s.count = 1;
  for (int64_t i = 1; i <= last; ++i) {
    double& e = s.errors[static_cast<size_t>(i - 1)];
    e /= static_cast<double>(t.values.size());
    if (e < best) {
      best = e;
      s.count = i;
    }
  }
  s.columns.assign(s.ranked.begin(), s.ranked.begin() + s.count);
  std::sort(s.columns.begin(), s.columns.end());
  return s;
}

std::vector<float> split_grid(const StructureOptions& o) {
  if (o.split_points < 1) throw std::invalid_argument("split grid: at least one point");
  const float from = static_cast<float>(o.split_from), to = static_cast<float>(o.split_to);
  if (o.split_points == 1) return {from};
  // ATen's linspace kernel: start + step·i for the first half, end - step·(points - 1 - i) after.
  const float step = (to - from) / static_cast<float>(o.split_points - 1);
  const int64_t halfway = o.split_points / 2;
  std::vector<float> grid;
  for (int64_t i = 0; i < o.split_points; ++i)
    grid.push_back(i < halfway ? from + step * static_cast<float>(i)
                               : to - step * static_cast<float>(o.split_points - 1 - i));
  return grid;
}

std::vector<float> linear_quantiles(std::vector<float> values, const std::vector<float>& grid) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const int64_t n = static_cast<int64_t>(values.size());
  std::vector<float> out;
  for (float q : grid) {
    const double h = static_cast<double>(q) * static_cast<double>(n - 1);
    const int64_t lo = std::clamp<int64_t>(static_cast<int64_t>(std::floor(h)), 0, n - 1);
    const int64_t hi = std::min(lo + 1, n - 1);
    const double t = h - static_cast<double>(lo);
    const double a = values[static_cast<size_t>(lo)], b = values[static_cast<size_t>(hi)], d = b - a;
    out.push_back(static_cast<float>(t >= 0.5 ? b - d * (1.0 - t) : a + d * t));  // numpy's _lerp
  }
  return out;
}

std::vector<float> split_thresholds(const Matrix& t, const Mask& region, bool nonzero_only,
                                    const std::vector<float>& grid) {
  std::vector<float> magnitudes;
  magnitudes.reserve(t.values.size());
  for (size_t i = 0; i < t.values.size(); ++i) {
    const float v = region[i] ? std::fabs(t.values[i]) : 0.0f;
    if (!nonzero_only || v != 0.0f) magnitudes.push_back(v);
  }
  return linear_quantiles(std::move(magnitudes), grid);
}

Split search_split(const Matrix& t, const Mask& region, const std::vector<float>& thresholds, int order,
                   const Matrix& fixed, const ErrorMeasure& error) {
  if (region.size() != t.values.size() || fixed.values.size() != t.values.size())
    throw std::invalid_argument("search_split: T, region and fixed differ in shape");
  if (!zero_on(fixed, region)) throw std::invalid_argument("search_split: fixed must be 0 on the region");
  Matrix residual = t;
  double outside = 0;  // Σ (T - fixed)² off the region: the same for every threshold
  for (size_t i = 0; i < residual.values.size(); ++i) {
    residual.values[i] -= fixed.values[i];
    if (!region[i]) outside += static_cast<double>(residual.values[i]) * static_cast<double>(residual.values[i]);
  }
  Split best;
  for (float p : thresholds) {
    const double e = error ? (split_residual(t, region, p, order, &residual), error(residual))
                           : (outside + split_residual(t, region, p, order, nullptr)) / double(t.values.size());
    if (e < best.error) {
      best.error = e;
      best.threshold = p;
      best.found = true;
    }
  }
  if (!best.found) best.threshold = thresholds.empty() ? 0.0f : thresholds.front();
  best.low.assign(region.size(), 0);
  best.high.assign(region.size(), 0);
  for (size_t i = 0; i < region.size(); ++i)
    if (region[i]) (std::fabs(t.values[i]) < best.threshold ? best.low : best.high)[i] = 1;
  return best;
}

BillmPartition billm_partition(const Matrix& t, const StructureOptions& o) {
  BillmPartition p;
  p.salient = search_salient_columns(t, o.salient_cap);
  p.salient_mask = column_mask(t.rows, t.cols, p.salient.columns);
  Matrix reference(t.rows, t.cols);
  add_fit(binarize_residual(t, p.salient_mask, 2), p.salient_mask, reference);
  const Mask rest = complement(p.salient_mask);
  p.split = search_split(t, rest, split_thresholds(t, rest, false, split_grid(o)), 1, reference);
  return p;
}

}  // namespace quantcore::methods::billm
