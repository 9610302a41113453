#pragma once
// Writing a chart out: as a picture, PNG (2x), SVG (QSvgGenerator) or PDF (QPdfWriter) by the
// path's suffix, or as text (CSV). Always through a QSaveFile, so nothing half-written appears
// under the final name; a failure is one line naming the path and the problem.
#include <QString>

class QChart;

namespace widgets {

// The chart as it is drawn now, at its current size.
bool exportChartImage(QChart& chart, const QString& path, QString& error);
bool writeTextFile(const QString& path, const QString& text, QString& error);

}  // namespace widgets
