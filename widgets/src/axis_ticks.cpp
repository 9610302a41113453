#include "widgets/axis_ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace widgets {

namespace {

// The smallest of 1, 2, 5 x 10^k that is >= x (x > 0).
double niceStepAtLeast(double x) {
  const double mag = std::pow(10.0, std::floor(std::log10(x)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= x * (1 - 1e-12)) return m * mag;
  return 10 * mag;
}

std::string fixed(double v, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  std::string s = text;
  if (s == "-0") s = "0";
  return s;
}

std::vector<AxisTick> nameTicks(const AxisLabels& labels, int64_t count, double first, double last) {
  std::vector<AxisTick> ticks;
  const auto begin = std::max<int64_t>(0, static_cast<int64_t>(std::floor(first)));
  const auto end = std::min<int64_t>(count, static_cast<int64_t>(std::ceil(last)));
  for (int64_t k = begin; k < end; ++k)
    if (k + 0.5 >= first && k + 0.5 <= last) ticks.push_back({k + 0.5, k + 0.5, labels.names[size_t(k)]});
  return ticks;
}

// Every stride-th group labelled (stride the smallest 1, 2, 5, 10, ... that keeps the narrowest
// group's labels apart), at the centre of the group's visible part; boundaries between them get
// unlabelled ticks while those stay 3 pixels apart.
std::vector<AxisTick> groupTicks(const AxisLabels& labels, int64_t count, double first, double last,
                                 double pixelsPerIndex, double nameSpacing) {
  const auto& groups = labels.groups;
  int64_t narrowest = count;
  for (size_t i = 0; i < groups.size(); ++i) {
    const int64_t end = i + 1 < groups.size() ? groups[i + 1].first : count;
    narrowest = std::max<int64_t>(1, std::min(narrowest, end - groups[i].first));
  }
  const double groupPixels = narrowest * pixelsPerIndex;
  const auto stride = static_cast<size_t>(niceStepAtLeast(std::max(1.0, nameSpacing / groupPixels)));
  std::vector<AxisTick> ticks;
  for (size_t i = 0; i < groups.size(); ++i) {
    const double start = double(groups[i].first);
    const double end = i + 1 < groups.size() ? double(groups[i + 1].first) : double(count);
    if (end <= first || start >= last) continue;
    const bool labelled = i % stride == 0;
    if (!labelled && groupPixels < 3.0) continue;
    const double shownFrom = std::max(start, first), shownTo = std::min(end, last);
    ticks.push_back({start, (shownFrom + shownTo) / 2, labelled ? groups[i].label : std::string()});
  }
  return ticks;
}

std::vector<AxisTick> numberTicks(int64_t count, double first, double last, double pixelsPerIndex,
                                  double numberSpacing) {
  const double step = niceStepAtLeast(std::max(1.0, numberSpacing / pixelsPerIndex));
  std::vector<AxisTick> ticks;
  for (double k = std::ceil((first - 0.5) / step) * step; k < double(count) && k + 0.5 <= last; k += step)
    if (k >= 0) ticks.push_back({k + 0.5, k + 0.5, plainNumber(k)});
  return ticks;
}

}  // namespace

std::vector<AxisTick> axisTicks(const AxisLabels& labels, int64_t count, double first, double last,
                                double pixelsPerIndex, double nameSpacing, double numberSpacing) {
  if (count <= 0 || !(last > first) || !(pixelsPerIndex > 0)) return {};
  const bool names = static_cast<int64_t>(labels.names.size()) == count && pixelsPerIndex >= nameSpacing;
  std::vector<AxisTick> ticks;
  double spacing = numberSpacing;
  if (names) {
    ticks = nameTicks(labels, count, first, last);
    spacing = nameSpacing;
  } else if (!labels.groups.empty()) {
    ticks = groupTicks(labels, count, first, last, pixelsPerIndex, nameSpacing);
    spacing = nameSpacing;
  } else {
    ticks = numberTicks(count, first, last, pixelsPerIndex, numberSpacing);
  }
  // A group cut by the view edge has its label nearer the next one: drop labels that would touch.
  double previous = -1e300;
  for (AxisTick& t : ticks) {
    if (t.label.empty()) continue;
    if ((t.labelAt - previous) * pixelsPerIndex < spacing * (1 - 1e-9))
      t.label.clear();
    else
      previous = t.labelAt;
  }
  return ticks;
}

std::vector<std::string> possibleAxisLabels(const AxisLabels& labels, int64_t count) {
  std::vector<std::string> all = labels.names;
  for (const AxisLabels::Group& g : labels.groups) all.push_back(g.label);
  if (count > 0) all.push_back(plainNumber(double(count - 1)));
  return all;
}

std::string plainNumber(double v, int significant) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::round(v) && std::abs(v) < 1e15) return fixed(v, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(v))));
  std::string s = fixed(v, std::clamp(significant - 1 - magnitude, 0, 15));
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::vector<BarTick> colourBarTicks(const ColourScale& scale, double minGap) {
  std::vector<BarTick> ticks;
  const double bottom = scale.bottom(), top = scale.top();
  const auto add = [&](double v, std::string label) {
    ticks.push_back({v, std::clamp(scale.normalised(v), 0.0, 1.0), std::move(label)});
  };
  if (!(top > bottom)) {
    add(bottom, plainNumber(bottom));
    return ticks;
  }
  if (scale.log) {
    // The decades in the range; with fewer than three of them, also 2 and 5 times each.
    const int e0 = int(std::floor(std::log10(bottom))), e1 = int(std::floor(std::log10(top)));
    const auto inRange = [&](double v) { return v >= bottom * (1 - 1e-12) && v <= top * (1 + 1e-12); };
    int decades = 0;
    for (int e = e0; e <= e1; ++e) decades += inRange(std::pow(10.0, e));
    std::vector<double> candidates;
    for (int e = e0; e <= e1; ++e)
      for (const double m : {1.0, 2.0, 5.0})
        if ((m == 1.0 || decades < 3) && inRange(m * std::pow(10.0, e))) candidates.push_back(m * std::pow(10.0, e));
    add(bottom, plainNumber(bottom));
    bool bottomEndOnly = true;  // a round value near the bottom end replaces it
    for (const double v : candidates) {
      const double place = scale.normalised(v);
      if (bottomEndOnly && place - ticks.back().place < minGap) ticks.clear();
      bottomEndOnly = false;
      if (ticks.empty() || place - ticks.back().place >= minGap) add(v, plainNumber(v));
    }
    if (1.0 - ticks.back().place >= minGap) add(top, plainNumber(top));
    return ticks;
  }
  const double step = niceStepAtLeast((top - bottom) * std::max(minGap, 1e-6));
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  for (double k = std::ceil(bottom / step - 1e-9); k * step <= top + step * 1e-9; ++k) {
    const double v = std::abs(k) < 0.5 ? 0.0 : k * step;
    add(v, fixed(v, decimals));
  }
  return ticks;
}

}  // namespace widgets
