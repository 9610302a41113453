// ARB-X, §7.2 (c) (binary_arb.py _order1_x, _mean_x): the L1 refinement, then the L2 one on
// e S eᵀ per row with the signs frozen. The code's [n, β, β] products reduce to dot products with
// S·m, S·w and S·b_k, computed once per row (m, w, b_k masked to the zone).
#include <stdexcept>
#include <vector>

#include "quantcore/methods/arbllm/arb_fits.h"

namespace quantcore::methods::arbllm {

namespace {

constexpr float kEpsilon = 1e-10f;

Matrix transposed(const Matrix& s) {
  Matrix t(s.cols, s.rows);
  for (int64_t i = 0; i < s.rows; ++i)
    for (int64_t j = 0; j < s.cols; ++j) t.at(j, i) = s.at(i, j);
  return t;
}

// out_j = Σ_k S_jk x_k as Σ_k x_k Sᵀ[k, :], skipping the zeros outside the zone.
void multiply(const Matrix& s_transposed, const std::vector<float>& x, std::vector<float>& out) {
  out.assign(x.size(), 0.0f);
  float* o = out.data();
  for (int64_t k = 0; k < s_transposed.rows; ++k) {
    const float xk = x[static_cast<size_t>(k)];
    if (xk == 0.0f) continue;
    const float* row = s_transposed.row(k);
    for (int64_t j = 0; j < s_transposed.cols; ++j) o[j] += xk * row[j];
  }
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

void check_s(const Matrix& w, const Matrix& s) {
  if (s.rows != w.cols || s.cols != w.cols) throw std::invalid_argument("arb-x: S must be [β, β] of the block");
}

}  // namespace

ZoneFit arb_x(const Matrix& w, const Mask& zone, int order, const Matrix& s, int iterations, int l2_iterations) {
  check_s(w, s);
  ZoneFit f = order == 1 ? arb_order1(w, zone, iterations) : arb_order2(w, zone, iterations);
  const Matrix st = transposed(s);
  const size_t beta = static_cast<size_t>(w.cols);
  std::vector<float> m(beta), x(beta), sm, sx;
  std::vector<std::vector<float>> b(static_cast<size_t>(order), std::vector<float>(beta)), sb(b.size());
  for (int64_t r = 0; r < w.rows && l2_iterations > 0; ++r) {
    bool any = false;
    for (size_t j = 0; j < beta; ++j) {
      const bool in = zone[static_cast<size_t>(r) * beta + j] != 0;
      any = any || in;
      m[j] = in ? 1.0f : 0.0f;
      x[j] = in ? w.at(r, static_cast<int64_t>(j)) : 0.0f;
      for (int k = 0; k < order; ++k)
        b[static_cast<size_t>(k)][j] = in ? static_cast<float>(f.sign_at(k, r, static_cast<int64_t>(j))) : 0.0f;
    }
    if (!any) continue;
    multiply(st, m, sm);
    multiply(st, x, sx);
    for (int k = 0; k < order; ++k) multiply(st, b[static_cast<size_t>(k)], sb[static_cast<size_t>(k)]);
    const float mean_den = static_cast<float>(dot(m, sm)) + kEpsilon;
    std::vector<float> alpha_den;
    for (int k = 0; k < order; ++k)
      alpha_den.push_back(static_cast<float>(dot(b[static_cast<size_t>(k)], sb[static_cast<size_t>(k)])) + kEpsilon);
    const double x_sm = dot(x, sm);
    float& mu = f.mean[static_cast<size_t>(r)];
    float* alpha = f.alpha.data() + r * order;
    for (int it = 0; it < l2_iterations; ++it) {
      double num = x_sm;
      for (int k = 0; k < order; ++k) num -= alpha[k] * dot(b[static_cast<size_t>(k)], sm);
      mu = static_cast<float>(num) / mean_den;
      for (int k = 0; k < order; ++k) {
        const std::vector<float>& bk = b[static_cast<size_t>(k)];
        double a = dot(bk, sx) - mu * dot(bk, sm);
        for (int l = 0; l < order; ++l)
          if (l != k) a -= alpha[l] * dot(bk, sb[static_cast<size_t>(l)]);
        alpha[k] = static_cast<float>(a) / alpha_den[static_cast<size_t>(k)];
      }
    }
  }
  return f;
}

double zone_quadratic_error(const ZoneFit& fit, const Matrix& w, const Mask& zone, const Matrix& s) {
  check_s(w, s);
  const Matrix st = transposed(s);
  std::vector<float> e(static_cast<size_t>(w.cols)), se;
  double sum = 0;
  for (int64_t r = 0; r < w.rows; ++r) {
    for (int64_t j = 0; j < w.cols; ++j)
      e[static_cast<size_t>(j)] = zone[static_cast<size_t>(r * w.cols + j)] ? w.at(r, j) - fit.value(r, j) : 0.0f;
    multiply(st, e, se);
    sum += dot(e, se);
  }
  return sum;
}

}  // namespace quantcore::methods::arbllm
