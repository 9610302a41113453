#include "widgets/colour_scale.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace widgets {

void ValueRangeScan::add(const std::vector<float>& values) {
  if (!init_) {
    lo_ = loPositive_ = std::numeric_limits<float>::infinity();
    hi_ = -std::numeric_limits<float>::infinity();
    init_ = true;
  }
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    lo_ = std::min(lo_, v);
    hi_ = std::max(hi_, v);
    if (v > 0) loPositive_ = std::min(loPositive_, v);
  }
}

bool ValueRangeScan::empty() const { return !init_ || !std::isfinite(lo_); }

ValueRange ValueRangeScan::range() const {
  if (empty()) return {};
  ValueRange r{lo_, hi_, loPositive_};
  if (!std::isfinite(r.loPositive)) r.loPositive = r.hi > 0 ? r.hi : 1.0f;
  return r;
}

ValueRange scanValueRange(const std::vector<float>& values) {
  ValueRangeScan scan;
  scan.add(values);
  return scan.range();
}

double ColourScale::bottom() const { return log ? range.loPositive : range.lo; }

double ColourScale::top() const { return log ? std::max(range.hi, range.loPositive) : range.hi; }

double ColourScale::normalised(double v) const {
  if (!std::isfinite(v)) return std::numeric_limits<double>::quiet_NaN();
  if (log) {
    if (v <= 0) return 0;
    const double a = std::log10(bottom()), b = std::log10(top());
    return b > a ? (std::log10(v) - a) / (b - a) : 0.5;
  }
  const double lo = bottom(), hi = top();
  return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

double ColourScale::valueAt(double t) const {
  if (log) {
    const double a = std::log10(bottom()), b = std::log10(top());
    return std::pow(10.0, a + t * (b - a));
  }
  return bottom() + t * (top() - bottom());
}

}  // namespace widgets
