#include "widgets/heatmap_figure.h"

#include <QFileInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "analysis/heatmap_pool.h"
#include "widgets/colormap.h"

namespace widgets {

namespace {

ColourScale scaleOf(const HeatmapFigure& f) { return {{f.lo, f.hi, f.loPositive}, f.logScale}; }

// About `count` round tick values in [lo, hi].
std::vector<double> niceTicks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3.5 ? 2 : raw / mag < 7.5 ? 5 : 10);
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

QString tickText(double v) { return QString::number(v, 'g', 3); }

QImage matrixImage(const HeatmapFigure& f, const ColourScale& scale, int maxW, int maxH) {
  const analysis::FloatMatrix& m = f.content.values;
  const analysis::CellRegion all{0, 0, m.rows, m.cols};
  const analysis::FloatMatrix pooled = analysis::max_pool_region(m, all, std::max(1, maxH), std::max(1, maxW));
  // Marked weights as on the canvas: a pixel whose block holds one is red, keeping its shade.
  const bool ownScores =
      f.overlay.markScores && f.overlay.markScores->rows == m.rows && f.overlay.markScores->cols == m.cols;
  const analysis::FloatMatrix scores =
      ownScores ? analysis::max_pool_region(*f.overlay.markScores, all, std::max(1, maxH), std::max(1, maxW)) : pooled;
  QImage image(int(pooled.cols), int(pooled.rows), QImage::Format_RGB32);
  for (int64_t r = 0; r < pooled.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(int(r)));
    for (int64_t c = 0; c < pooled.cols; ++c) {
      const float v = pooled.at(r, c);
      if (!std::isfinite(v)) {
        line[c] = qRgb(235, 235, 235);
        continue;
      }
      const Rgb rgb = colormap(float(scale.normalised(v)));
      line[c] =
          scores.at(r, c) >= f.overlay.markThreshold ? qRgb(255, rgb.g / 3, rgb.b / 3) : qRgb(rgb.r, rgb.g, rgb.b);
    }
  }
  return image;
}

}  // namespace

HeatmapFigure figureOf(const HeatmapCanvas& canvas) {
  HeatmapFigure f;
  f.content = canvas.content();
  f.overlay = canvas.overlay();
  f.logScale = canvas.logScale();
  std::tie(f.lo, f.hi) = canvas.valueRange();
  f.loPositive = canvas.smallestPositive();
  // The views title their maps "<quantity> per ..." or "<quantity> of ...": that quantity labels the bar.
  const QString title = QString::fromStdString(f.content.title);
  for (const char* cut : {" per ", " of "}) {
    const int at = title.indexOf(cut);
    if (at > 0) {
      f.valueLabel = title.left(at);
      break;
    }
  }
  return f;
}

void paintHeatmapFigure(QPainter& p, const QRectF& area, const HeatmapFigure& f) {
  const analysis::FloatMatrix& m = f.content.values;
  p.save();
  p.fillRect(area, Qt::white);
  QFont font("DejaVu Sans");
  font.setPointSizeF(10);
  QFont titleFont = font;
  titleFont.setPointSizeF(13);
  titleFont.setBold(true);
  const QFontMetricsF fm(font);
  const double line = fm.height();

  // Layout: title on top, row axis on the left, column axis below, colour bar on the right.
  const QRectF titleRect(area.left(), area.top() + 0.5 * line, area.width(), 2 * line);
  const double left = area.left() + 2.5 * line + fm.horizontalAdvance("00000");
  const double right = area.right() - 8 * line;
  const double top = titleRect.bottom() + 0.5 * line;
  const double bottom = area.bottom() - 4 * line;
  const QRectF plot(left, top, std::max(1.0, right - left), std::max(1.0, bottom - top));
  const QRectF bar(plot.right() + 1.5 * line, plot.top(), 1.2 * line, plot.height());

  p.setPen(Qt::black);
  p.setFont(titleFont);
  p.drawText(titleRect, Qt::AlignCenter, QString::fromStdString(f.content.title));
  p.setFont(font);
  if (m.rows == 0 || m.cols == 0) {
    p.drawText(plot, Qt::AlignCenter, QString::fromStdString(f.content.emptyMessage));
    p.restore();
    return;
  }

  const ColourScale scale = scaleOf(f);
  // Two image pixels per point keep small matrices crisp and bound big ones by the page.
  const QImage image = matrixImage(f, scale, int(plot.width() * 2), int(plot.height() * 2));
  p.drawImage(plot, image);
  if (!f.overlay.columnBands.empty()) {
    QColor band(255, 255, 255, 70);
    const double w = plot.width() / double(m.cols);
    for (int64_t c = 0; c < m.cols && c < int64_t(f.overlay.columnBands.size()); ++c)
      if (f.overlay.columnBands[size_t(c)])
        p.fillRect(QRectF(plot.left() + c * w, plot.top(), std::max(w, 0.5), plot.height()), band);
  }
  p.setPen(QPen(Qt::black, 0.8));
  p.drawRect(plot);

  // Axis ticks at cell centres of round indices.
  const double tick = 0.35 * line;
  for (double c : niceTicks(0, double(m.cols - 1), 6)) {
    const double x = plot.left() + (c + 0.5) * plot.width() / double(m.cols);
    p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + tick));
    p.drawText(QRectF(x - 3 * line, plot.bottom() + tick, 6 * line, line), Qt::AlignHCenter | Qt::AlignTop,
               tickText(c));
  }
  for (double r : niceTicks(0, double(m.rows - 1), 6)) {
    const double y = plot.top() + (r + 0.5) * plot.height() / double(m.rows);
    p.drawLine(QPointF(plot.left() - tick, y), QPointF(plot.left(), y));
    p.drawText(QRectF(area.left(), y - line / 2, plot.left() - tick - 0.3 * line - area.left(), line),
               Qt::AlignRight | Qt::AlignVCenter, tickText(r));
  }
  p.drawText(QRectF(plot.left(), plot.bottom() + tick + line + 0.3 * line, plot.width(), line), Qt::AlignCenter,
             QString::fromStdString(f.content.columnAxis) + QString(" (%1)").arg(m.cols));
  p.save();
  p.translate(area.left() + 1.2 * line, plot.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-plot.height() / 2, -line / 2, plot.height(), line), Qt::AlignCenter,
             QString::fromStdString(f.content.rowAxis) + QString(" (%1)").arg(m.rows));
  p.restore();

  // Colour bar: the colour map bottom (low) to top (high), ticks in value units.
  QImage ramp(1, 256, QImage::Format_RGB32);
  for (int i = 0; i < 256; ++i) {
    const Rgb c = colormapTable()[size_t(255 - i)];
    ramp.setPixel(0, i, qRgb(c.r, c.g, c.b));
  }
  p.drawImage(bar, ramp);
  p.drawRect(bar);
  std::vector<double> barTicks;
  if (scale.log) {
    // The decades inside the range, and its ends where no decade is near them.
    barTicks.push_back(scale.bottom());
    for (double e = std::ceil(std::log10(scale.bottom())); e <= std::floor(std::log10(scale.top())); ++e)
      barTicks.push_back(std::pow(10.0, e));
    barTicks.push_back(scale.top());
    std::vector<double> spaced;
    for (double v : barTicks)
      if (spaced.empty() || scale.normalised(v) - scale.normalised(spaced.back()) > 0.08) spaced.push_back(v);
    barTicks = spaced;
  } else {
    barTicks = niceTicks(scale.bottom(), scale.top(), 5);
  }
  for (double v : barTicks) {
    const double y = bar.bottom() - std::clamp(scale.normalised(v), 0.0, 1.0) * bar.height();
    p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + tick, y));
    p.drawText(QRectF(bar.right() + tick + 0.2 * line, y - line / 2, 5 * line, line), Qt::AlignLeft | Qt::AlignVCenter,
               tickText(v));
  }
  p.save();
  p.translate(area.right() - 0.8 * line, bar.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-bar.height() / 2, -line / 2, bar.height(), line), Qt::AlignCenter,
             f.valueLabel + (scale.log ? " (log scale)" : ""));
  p.restore();
  p.restore();
}

bool exportHeatmapFigure(const HeatmapFigure& figure, const QString& path, QString& error) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "png" && suffix != "svg" && suffix != "pdf") {
    error = path + ": the figure format must be .png, .svg or .pdf";
    return false;
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    error = path + ": cannot write (" + file.errorString() + ")";
    return false;
  }
  const QRectF area(0, 0, kFigureWidth, kFigureHeight);
  bool painted = true;
  if (suffix == "png") {
    QImage image(kFigureWidth * 2, kFigureHeight * 2, QImage::Format_ARGB32);
    image.setDevicePixelRatio(2);
    image.fill(Qt::white);
    {
      QPainter p(&image);
      p.setRenderHint(QPainter::Antialiasing);
      paintHeatmapFigure(p, area, figure);
    }
    painted = image.save(&file, "PNG");
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(QSize(kFigureWidth, kFigureHeight));
    svg.setViewBox(area);
    svg.setTitle(QString::fromStdString(figure.content.title));
    svg.setDescription("QuantLens Studio heatmap figure");
    QPainter p;
    painted = p.begin(&svg);
    if (painted) {
      paintHeatmapFigure(p, area, figure);
      painted = p.end();
    }
  } else {
    QPdfWriter pdf(&file);
    pdf.setTitle(QString::fromStdString(figure.content.title));
    pdf.setCreator("QuantLens Studio");
    pdf.setResolution(72);  // one point per figure unit
    pdf.setPageSize(QPageSize(QSizeF(kFigureWidth, kFigureHeight), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter p;
    painted = p.begin(&pdf);
    if (painted) {
      paintHeatmapFigure(p, area, figure);
      painted = p.end();
    }
  }
  if (!painted || !file.commit()) {
    error = path + ": cannot write the figure (" + file.errorString() + ")";
    return false;
  }
  return true;
}

}  // namespace widgets
