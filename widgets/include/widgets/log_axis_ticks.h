#pragma once
// Tick values for a log axis of any extent: every k-th decade over many decades, 1-2-5 or 1..9
// per decade over a few, round linear steps inside one. Qt's QLogValueAxis labels powers of the
// base only, so a tight range inside one decade would get no labels at all.
#include <QStringList>

#include <vector>

namespace widgets {

// `raw` rounded to 1, 2 or 5 times a power of ten (the nearest such step).
double niceStep(double raw);
// Ticks in [lo, hi] (0 < lo < hi), at most `maxTicks` of them, ascending.
std::vector<double> logAxisTicks(double lo, double hi, int maxTicks = 8);
// readableNumber() of each tick with the fewest digits (3 at least) that tell them apart.
QStringList tickLabels(const std::vector<double>& ticks);

}  // namespace widgets
