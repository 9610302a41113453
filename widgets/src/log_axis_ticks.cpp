#include "widgets/log_axis_ticks.h"

#include <QSet>

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "widgets/readable_number.h"

namespace widgets {

namespace {

// m x 10^e for every decade e and mantissa m, when it lies in [lo, hi].
std::vector<double> mantissaTicks(double lo, double hi, std::initializer_list<double> mantissas, int decadeStep) {
  std::vector<double> ticks;
  const int first = int(std::floor(std::log10(lo))), last = int(std::ceil(std::log10(hi)));
  for (int e = first - (first % decadeStep + decadeStep) % decadeStep; e <= last; e += decadeStep)
    for (double m : mantissas) {
      const double t = m * std::pow(10.0, e);
      if (t >= lo * (1 - 1e-12) && t <= hi * (1 + 1e-12)) ticks.push_back(t);
    }
  return ticks;
}

std::vector<double> linearTicks(double lo, double hi, int count) {
  const double step = niceStep((hi - lo) / count);
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step); k * step <= hi * (1 + 1e-12); ++k) ticks.push_back(k * step);
  return ticks;
}

}  // namespace

double niceStep(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

std::vector<double> logAxisTicks(double lo, double hi, int maxTicks) {
  if (!(lo > 0) || !(hi > lo)) return {};
  const double decades = std::log10(hi / lo);
  // Coarse to fine; the coarsest with enough ticks wins.
  std::vector<std::vector<double>> candidates;
  const int every = std::max(1, int(std::ceil(decades / std::max(1, maxTicks - 1))));
  candidates.push_back(mantissaTicks(lo, hi, {1}, every));
  if (every > 1) candidates.push_back(mantissaTicks(lo, hi, {1}, 1));
  candidates.push_back(mantissaTicks(lo, hi, {1, 2, 5}, 1));
  candidates.push_back(mantissaTicks(lo, hi, {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1));
  candidates.push_back(linearTicks(lo, hi, 5));
  const std::vector<double>* best = nullptr;
  for (const std::vector<double>& c : candidates) {
    if (int(c.size()) > maxTicks) continue;
    if (c.size() >= 4) return c;
    if (!best || c.size() > best->size()) best = &c;
  }
  return best ? *best : std::vector<double>{};
}

QStringList tickLabels(const std::vector<double>& ticks) {
  QStringList labels;
  for (int digits = 3; digits <= 8; ++digits) {
    labels.clear();
    for (double t : ticks) labels.append(readableNumber(t, digits));
    if (QSet<QString>(labels.begin(), labels.end()).size() == labels.size()) break;
  }
  return labels;
}

}  // namespace widgets
