// ARB's mean fits, §7.2 (a) and (b) (binary_arb.py high_order_residual_alternating_order1 and
// _mean). Sums accumulate in double; the ε of the denominators is added in float32 as the code
// does, where it vanishes next to any nonzero count.
#include <cmath>

#include "quantcore/methods/arbllm/arb_fits.h"
#include "quantcore/methods/billm/residual_binarization.h"

namespace quantcore::methods::arbllm {

using billm::sign_of;

namespace {

constexpr float kEpsilon = 1e-8f;

int64_t zone_count(const Mask& zone, int64_t r, int64_t cols) {
  int64_t n = 0;
  for (int64_t j = 0; j < cols; ++j) n += zone[static_cast<size_t>(r * cols + j)];
  return n;
}

}  // namespace

ZoneFit arb_order1(const Matrix& w, const Mask& zone, int iterations) {
  ZoneFit f = billm::binarize_residual(w, zone, 1);  // the initial μ, α, b (one mean, one scale)
  for (int64_t r = 0; r < w.rows; ++r) {
    const int64_t count = zone_count(zone, r, w.cols);
    if (count == 0) continue;
    const uint8_t* in = zone.data() + r * w.cols;
    const float* x = w.row(r);
    float& mu = f.mean[static_cast<size_t>(r)];
    float& alpha = f.alpha[static_cast<size_t>(r)];
    for (int it = 0; it < iterations; ++it) {
      double shift = 0;
      for (int64_t j = 0; j < w.cols; ++j)
        if (in[j]) shift += x[j] - (alpha * static_cast<float>(f.sign_at(0, r, j)) + mu);
      mu += static_cast<float>(shift / static_cast<double>(count));
      double num = 0, den = 0;
      for (int64_t j = 0; j < w.cols; ++j)
        if (in[j]) {
          const float b = f.sign_at(0, r, j);
          num += b * (x[j] - mu);
          den += b * b;
        }
      alpha = static_cast<float>(num) / (static_cast<float>(den) + kEpsilon);
      for (int64_t j = 0; j < w.cols; ++j)
        if (in[j]) f.sign_at(0, r, j) = sign_of(x[j] - mu);
    }
  }
  return f;
}

ZoneFit arb_order2(const Matrix& w, const Mask& zone, int iterations) {
  const ZoneFit init = billm::binarize_residual(w, zone, 2);
  ZoneFit f(w.rows, w.cols, 2, 1, false);
  f.sign = init.sign;
  for (int64_t r = 0; r < w.rows; ++r) {
    const int64_t count = zone_count(zone, r, w.cols);
    if (count == 0) continue;
    const uint8_t* in = zone.data() + r * w.cols;
    const float* x = w.row(r);
    float& mu = f.mean[static_cast<size_t>(r)];
    float& a1 = f.alpha[static_cast<size_t>(2 * r)];
    float& a2 = f.alpha[static_cast<size_t>(2 * r + 1)];
    mu = init.mean[static_cast<size_t>(2 * r)] + init.mean[static_cast<size_t>(2 * r + 1)];
    a1 = init.alpha[static_cast<size_t>(2 * r)];
    a2 = init.alpha[static_cast<size_t>(2 * r + 1)];
    for (int it = 0; it < iterations; ++it) {
      double shift = 0;
      for (int64_t j = 0; j < w.cols; ++j)
        if (in[j]) shift += x[j] - (it == 0 ? init.value(r, j) : f.value(r, j));
      mu += static_cast<float>(shift / static_cast<double>(count));
      const auto refit = [&](int k, float other) {
        double num = 0, den = 0;
        for (int64_t j = 0; j < w.cols; ++j)
          if (in[j]) {
            const float b = f.sign_at(k, r, j), b_other = f.sign_at(1 - k, r, j);
            num += b * (x[j] - mu - other * b_other);
            den += b * b;
          }
        return static_cast<float>(num) / (static_cast<float>(den) + kEpsilon);
      };
      a1 = refit(0, a2);
      a2 = refit(1, a1);
      const float v[4] = {-a1 - a2, -a1 + a2, a1 - a2, a1 + a2};
      for (int64_t j = 0; j < w.cols; ++j) {
        if (!in[j]) continue;
        const float target = x[j] - mu;
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
