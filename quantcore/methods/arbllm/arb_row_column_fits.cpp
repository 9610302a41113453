// ARB-RC, §7.2 (d) and (e) (binary_arb.py _order1_rc_nomean, _order2_rc_nomean): row and column
// scales without a mean, refined by masked alternating least squares.
#include <cmath>
#include <vector>

#include "quantcore/methods/arbllm/arb_fits.h"

namespace quantcore::methods::arbllm {

using billm::sign_of;

namespace {

constexpr float kEpsilon = 1e-8f;

bool in_zone(const Mask& zone, int64_t cols, int64_t r, int64_t j) { return zone[static_cast<size_t>(r * cols + j)]; }

// One plane's initial fit on x (0 outside the zone): αr_i = mean |x_ij| over the row's zone,
// αc_j = mean |x_ij / αr_i| over the column's zone (0/0 skipped, as nanmean does), b = sign(x).
void init_plane(const Matrix& x, const Mask& zone, ZoneFit& f, int k) {
  std::vector<double> sum(static_cast<size_t>(x.cols), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(x.cols), 0);
  for (int64_t r = 0; r < x.rows; ++r) {
    double row_sum = 0;
    int64_t n = 0;
    for (int64_t j = 0; j < x.cols; ++j)
      if (in_zone(zone, x.cols, r, j)) {
        row_sum += std::fabs(x.at(r, j));
        ++n;
      }
    const float ar = n > 0 ? static_cast<float>(row_sum / static_cast<double>(n)) : 0.0f;
    f.alpha[static_cast<size_t>(r * f.order + k)] = ar;
    for (int64_t j = 0; j < x.cols; ++j) {
      if (!in_zone(zone, x.cols, r, j)) continue;
      const float v = x.at(r, j);
      f.sign_at(k, r, j) = sign_of(v);
      if (ar == 0.0f) continue;  // then v = 0 too: 0/0
      sum[static_cast<size_t>(j)] += std::fabs(v / ar);
      ++count[static_cast<size_t>(j)];
    }
  }
  for (int64_t j = 0; j < x.cols; ++j)
    f.column_scale[static_cast<size_t>(k * x.cols + j)] =
        count[static_cast<size_t>(j)] > 0
            ? static_cast<float>(sum[static_cast<size_t>(j)] / static_cast<double>(count[static_cast<size_t>(j)]))
            : 0.0f;
}

// Plane k's αr, then αc (with the new αr), by least squares against `target` on the zone.
void refit_plane(const Matrix& target, const Mask& zone, ZoneFit& f, int k) {
  const int64_t rows = target.rows, cols = target.cols;
  float* column = f.column_scale.data() + k * cols;
  for (int64_t r = 0; r < rows; ++r) {
    double num = 0, den = 0;
    for (int64_t j = 0; j < cols; ++j)
      if (in_zone(zone, cols, r, j)) {
        const float a = column[j] * static_cast<float>(f.sign_at(k, r, j));
        num += a * target.at(r, j);
        den += a * a;
      }
    f.alpha[static_cast<size_t>(r * f.order + k)] = static_cast<float>(num) / (static_cast<float>(den) + kEpsilon);
  }
  std::vector<double> num(static_cast<size_t>(cols), 0.0), den(static_cast<size_t>(cols), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float ar = f.alpha[static_cast<size_t>(r * f.order + k)];
    for (int64_t j = 0; j < cols; ++j)
      if (in_zone(zone, cols, r, j)) {
        const float c = ar * static_cast<float>(f.sign_at(k, r, j));
        num[static_cast<size_t>(j)] += c * target.at(r, j);
        den[static_cast<size_t>(j)] += c * c;
      }
  }
  for (int64_t j = 0; j < cols; ++j)
    column[j] =
        static_cast<float>(num[static_cast<size_t>(j)]) / (static_cast<float>(den[static_cast<size_t>(j)]) + kEpsilon);
}

// w on the zone minus plane k of f (its entries αc_j αr_i b_ij), 0 outside.
Matrix minus_plane(const Matrix& w, const Mask& zone, const ZoneFit& f, int k) {
  Matrix out(w.rows, w.cols);
  for (int64_t r = 0; r < w.rows; ++r) {
    const float ar = f.alpha[static_cast<size_t>(r * f.order + k)];
    for (int64_t j = 0; j < w.cols; ++j)
      if (in_zone(zone, w.cols, r, j))
        out.at(r, j) = w.at(r, j) - f.column_scale[static_cast<size_t>(k * w.cols + j)] * ar *
                                        static_cast<float>(f.sign_at(k, r, j));
  }
  return out;
}

Matrix masked(const Matrix& w, const Mask& zone) {
  Matrix out(w.rows, w.cols);
  for (size_t i = 0; i < w.values.size(); ++i) out.values[i] = zone[i] ? w.values[i] : 0.0f;
  return out;
}

}  // namespace

ZoneFit arb_rc_order1(const Matrix& w, const Mask& zone, int iterations) {
  ZoneFit f(w.rows, w.cols, 1, 0, true);
  const Matrix x = masked(w, zone);
  init_plane(x, zone, f, 0);
  for (int it = 0; it < iterations; ++it) refit_plane(x, zone, f, 0);
  return f;
}

ZoneFit arb_rc_order2(const Matrix& w, const Mask& zone, int iterations) {
  ZoneFit f(w.rows, w.cols, 2, 0, true);
  const Matrix x = masked(w, zone);
  init_plane(x, zone, f, 0);
  init_plane(minus_plane(x, zone, f, 0), zone, f, 1);
  for (int it = 0; it < iterations; ++it) {
    refit_plane(minus_plane(x, zone, f, 1), zone, f, 0);
    refit_plane(minus_plane(x, zone, f, 0), zone, f, 1);
    for (int64_t r = 0; r < w.rows; ++r) {
      const float r1 = f.alpha[static_cast<size_t>(2 * r)], r2 = f.alpha[static_cast<size_t>(2 * r + 1)];
      for (int64_t j = 0; j < w.cols; ++j) {
        if (!in_zone(zone, w.cols, r, j)) continue;
        const float c0 = r1 * f.column_scale[static_cast<size_t>(j)];
        const float c1 = r2 * f.column_scale[static_cast<size_t>(w.cols + j)];
        const float v[4] = {-c0 - c1, -c0 + c1, c0 - c1, c0 + c1};
        const float target = x.at(r, j);
        int best = 0;
        for (int c = 1; c < 4; ++c)
          if (std::fabs(target - v[c]) < std::fabs(target - v[best])) best = c;
        f.sign_at(0, r, j) = best >= 2 ? 1 : -1;
        f.sign_at(1, r, j) = best % 2 == 1 ? 1 : -1;
      }
    }
  }
  return f;
}

}  // namespace quantcore::methods::arbllm
