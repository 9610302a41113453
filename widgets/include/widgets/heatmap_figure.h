#pragma once
// Publication figures of a heatmap view, drawn with QPainter from the same data the canvas
// shows: title, axes with ticks and labels, the matrix through the colour map (max-pooled to the
// output resolution), the structured mask as column bands, and a labelled colour bar.
// PNG, SVG and PDF come from the one paint routine.
#include <QRectF>
#include <QString>

#include "widgets/heatmap_canvas.h"

class QPainter;

namespace widgets {

struct HeatmapFigure {
  HeatmapContent content;
  HeatmapOverlay overlay;
  bool logScale = false;
  // The colour range, as on the canvas (a compare view shares one range between two canvases).
  float lo = 0.0f, hi = 1.0f, loPositive = 1.0f;
  QString valueLabel = "value";
};

HeatmapFigure figureOf(const HeatmapCanvas& canvas);

// Size of the figure in device-independent points (PNG: pixels at 1x).
inline constexpr int kFigureWidth = 960, kFigureHeight = 640;

void paintHeatmapFigure(QPainter& painter, const QRectF& area, const HeatmapFigure& figure);

// Writes FILE.png, FILE.svg or FILE.pdf (by suffix) through a temporary file renamed into place.
// False with `error` = "FILE: problem" otherwise.
bool exportHeatmapFigure(const HeatmapFigure& figure, const QString& path, QString& error);

}  // namespace widgets
