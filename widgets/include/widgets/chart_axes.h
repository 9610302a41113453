#pragma once
// A Qt Charts axis in its own linear unit: the value itself on a QValueAxis (and QCategoryAxis),
// its logarithm on a QLogValueAxis. Zoom, pan and markers work in that unit, so linear and log
// axes behave alike, and map it to chart coordinates through the plot area.
#include <QRectF>
#include <QtCharts/QAbstractAxis>

#include <utility>

namespace widgets {

double axisUnit(const QAbstractAxis& axis, double value);
double axisValue(const QAbstractAxis& axis, double unit);
// [min, max] of the axis, in its unit.
std::pair<double, double> axisUnitRange(const QAbstractAxis& axis);
void setAxisUnitRange(QAbstractAxis& axis, double lo, double hi);

// Chart coordinate along the axis's direction of `unit`, and back, for the plot area `plot`.
double unitToChart(const QAbstractAxis& axis, const QRectF& plot, double unit);
double chartToUnit(const QAbstractAxis& axis, const QRectF& plot, double chart);

}  // namespace widgets
