#include "widgets/chart_axes.h"

#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace widgets {

namespace {
const QLogValueAxis* logAxis(const QAbstractAxis& axis) { return qobject_cast<const QLogValueAxis*>(&axis); }

// Position of the chart coordinate along the axis, 0 at the axis minimum and 1 at its maximum.
double fraction(const QAbstractAxis& axis, const QRectF& plot, double chart) {
  const double f = axis.orientation() == Qt::Horizontal ? (chart - plot.left()) / plot.width()
                                                        : (plot.bottom() - chart) / plot.height();
  return axis.isReverse() ? 1 - f : f;
}
}  // namespace

double axisUnit(const QAbstractAxis& axis, double value) {
  if (const QLogValueAxis* log = logAxis(axis)) return std::log(value) / std::log(log->base());
  return value;
}

double axisValue(const QAbstractAxis& axis, double unit) {
  if (const QLogValueAxis* log = logAxis(axis)) return std::pow(log->base(), unit);
  return unit;
}

std::pair<double, double> axisUnitRange(const QAbstractAxis& axis) {
  if (const QLogValueAxis* log = logAxis(axis)) return {axisUnit(axis, log->min()), axisUnit(axis, log->max())};
  if (const auto* value = qobject_cast<const QValueAxis*>(&axis)) return {value->min(), value->max()};
  return {0, 1};
}

void setAxisUnitRange(QAbstractAxis& axis, double lo, double hi) {
  axis.setRange(axisValue(axis, lo), axisValue(axis, hi));
}

double unitToChart(const QAbstractAxis& axis, const QRectF& plot, double unit) {
  const auto [lo, hi] = axisUnitRange(axis);
  double f = hi > lo ? (unit - lo) / (hi - lo) : 0;
  if (axis.isReverse()) f = 1 - f;
  return axis.orientation() == Qt::Horizontal ? plot.left() + f * plot.width() : plot.bottom() - f * plot.height();
}

double chartToUnit(const QAbstractAxis& axis, const QRectF& plot, double chart) {
  const auto [lo, hi] = axisUnitRange(axis);
  return lo + fraction(axis, plot, chart) * (hi - lo);
}

}  // namespace widgets
