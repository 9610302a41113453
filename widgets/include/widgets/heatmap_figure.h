#pragma once
// Publication figures of a heatmap view, drawn with QPainter from the same data the canvas
// shows: title, axes with ticks and labels (row names where the content has them), the matrix
// through a colour map (max-pooled to the output resolution, a pooled cell as red as its salient
// share), the structured mask as a strip above the plot and a tint over it, and a labelled
// colour bar. PNG, SVG and PDF come from the one paint routine.
#include <QRectF>
#include <QSize>
#include <QSizeF>
#include <QString>

#include <optional>

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

// Size of the default figure in points (PNG: two pixels per point).
inline constexpr int kFigureWidth = 960, kFigureHeight = 640;

// How a figure is written. Text is set in points, so the DPI decides how large it is on a PNG of
// a given pixel size; SVG and PDF pages are `size` at `dpi` too. The defaults are the figure the
// studio always wrote: 960 x 640 pt, a 1920 x 1280 PNG (144 dpi: two pixels per point).
struct FigureOptions {
  QSize size{2 * kFigureWidth, 2 * kFigureHeight};  // pixels
  int dpi = 144;
  QString colourMap = "viridis";  // one of colormapNames()
  std::optional<bool> logScale;   // unset: the figure's own scale (the canvas's)

  QSizeF points() const { return QSizeF(size) * 72.0 / dpi; }  // the page
};

// Why `options` cannot be used ("the colour map must be one of ..."), or empty.
QString figureOptionsProblem(const FigureOptions& options);

void paintHeatmapFigure(QPainter& painter, const QRectF& area, const HeatmapFigure& figure,
                        const FigureOptions& options = {});

// Writes FILE.png, FILE.svg or FILE.pdf (by suffix) through a temporary file renamed into place;
// a PNG carries the DPI in its metadata. False with `error` = "FILE: problem" otherwise.
bool exportHeatmapFigure(const HeatmapFigure& figure, const QString& path, QString& error,
                         const FigureOptions& options = {});

}  // namespace widgets
