#include "quantcore/methods/w1a1x4/two_scale_grouping.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace quantcore::methods::w1a1x4 {

namespace {

float lower_median(const float* a, std::size_t count) {
  std::vector<float> v(a, a + count);
  const auto middle = v.begin() + static_cast<std::ptrdiff_t>((count - 1) / 2);
  std::nth_element(v.begin(), middle, v.end());
  return *middle;
}

// The M-step for one cluster (`high`: s1, else s0): its weighted mean, or its plain mean where
// its weights sum to 0. False when the cluster is empty.
bool cluster_scale(const float* a, const float* h, const std::vector<bool>& in_high, bool high, double& scale) {
  double weighted = 0, weight = 0, plain = 0;
  std::size_t members = 0;
  for (std::size_t k = 0; k < in_high.size(); ++k) {
    if (in_high[k] != high) continue;
    weighted += static_cast<double>(h[k]) * a[k];
    weight += h[k];
    plain += a[k];
    ++members;
  }
  if (members == 0) return false;
  scale = weight > 0 ? weighted / weight : plain / static_cast<double>(members);
  return true;
}

}  // namespace

TwoScaleFit fit_two_scales(const float* a, const float* h, std::size_t count, int max_iterations) {
  if (count == 0) throw std::invalid_argument("w1a1x4: an empty group");
  if (max_iterations < 1) throw std::invalid_argument("w1a1x4: at least one EM round");
  TwoScaleFit fit;
  const float median = lower_median(a, count);
  fit.in_high.resize(count);
  for (std::size_t k = 0; k < count; ++k) fit.in_high[k] = a[k] >= median;
  if (std::find(fit.in_high.begin(), fit.in_high.end(), false) == fit.in_high.end())
    for (std::size_t k = 0; k < count; ++k) fit.in_high[k] = a[k] > median;

  // Scales stay in double until the end so that the error trace is monotone to rounding.
  double s0 = 0, s1 = 0;
  while (fit.iterations < max_iterations) {
    ++fit.iterations;
    const bool has_low = cluster_scale(a, h, fit.in_high, false, s0);
    const bool has_high = cluster_scale(a, h, fit.in_high, true, s1);
    if (!has_low) s0 = s1;
    if (!has_high) s1 = s0;
    bool changed = false;
    double error = 0;
    for (std::size_t k = 0; k < count; ++k) {
      const double v = a[k];
      const bool high = std::fabs(v - s1) <= std::fabs(v - s0);
      changed |= high != fit.in_high[k];
      fit.in_high[k] = high;
      const double d = v - (high ? s1 : s0);
      error += static_cast<double>(h[k]) * d * d;
    }
    fit.errors.push_back(error);
    if (!changed) {
      fit.converged = true;
      break;
    }
  }
  fit.low = static_cast<float>(s0);
  fit.high = static_cast<float>(s1);
  if (fit.low > fit.high) {  // canonical order s0 <= s1 (an E-step keeps it; this is the guard)
    std::swap(fit.low, fit.high);
    fit.in_high.flip();
  }
  return fit;
}

}  // namespace quantcore::methods::w1a1x4
