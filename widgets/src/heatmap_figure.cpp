#include "widgets/heatmap_figure.h"

#include <QFileInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QPaintDevice>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QStringList>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "analysis/heatmap_pool.h"
#include "widgets/axis_ticks.h"
#include "widgets/colormap.h"

namespace widgets {

namespace {

constexpr int kMinSide = 16, kMaxSide = 16384, kMinDpi = 18, kMaxDpi = 2400;
constexpr QRgb kNoData = qRgb(235, 235, 235);
constexpr Rgb kStripTrack = {228, 228, 228}, kBandColour = {240, 140, 20};
constexpr float kBandTint = 0.22f;  // towards white, over columns of masked channels only

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

Rgb mix(Rgb a, Rgb b, float t) {
  const auto m = [t](uint8_t x, uint8_t y) { return static_cast<uint8_t>(std::lround(x + t * (y - x))); };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b)};
}
QRgb qrgb(Rgb c) { return qRgb(c.r, c.g, c.b); }

// The structured mask's share per pooled column, or empty without a mask of this matrix.
std::vector<float> bandShares(const HeatmapFigure& f, int64_t maxCols) {
  const auto& bands = f.overlay.columnBands;
  if (bands.empty() || static_cast<int64_t>(bands.size()) != f.content.values.cols) return {};
  return analysis::pool_flags(bands, 0, f.content.values.cols, maxCols);
}

QImage matrixImage(const HeatmapFigure& f, const ColourScale& scale, const ColourTable& table, int maxW, int maxH) {
  const analysis::FloatMatrix& m = f.content.values;
  const analysis::CellRegion all{0, 0, m.rows, m.cols};
  const bool ownScores =
      f.overlay.markScores && f.overlay.markScores->rows == m.rows && f.overlay.markScores->cols == m.cols;
  const float threshold =
      !f.overlay.markScores || ownScores ? f.overlay.markThreshold : std::numeric_limits<float>::infinity();
  const analysis::PooledRegion pooled = analysis::pool_region(
      m, all, std::max(1, maxH), std::max(1, maxW), ownScores ? f.overlay.markScores.get() : nullptr, threshold);
  const std::vector<float> bands = bandShares(f, pooled.values.cols);
  QImage image(int(pooled.values.cols), int(pooled.values.rows), QImage::Format_RGB32);
  for (int64_t r = 0; r < pooled.values.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(int(r)));
    for (int64_t c = 0; c < pooled.values.cols; ++c) {
      const float v = pooled.values.at(r, c);
      if (!std::isfinite(v)) {
        line[c] = kNoData;
        continue;
      }
      Rgb rgb = colormap(table, float(scale.normalised(v)));
      if (pooled.marked_cells(r, c)) rgb = markedColour(rgb, pooled.marked_fraction(r, c));
      if (!bands.empty() && bands[size_t(c)] > 0) rgb = mix(rgb, {255, 255, 255}, kBandTint * bands[size_t(c)]);
      line[c] = qrgb(rgb);
    }
  }
  return image;
}

// One pixel per pooled column, strong wherever a masked channel is: no band thinner than a pixel.
QImage maskStrip(const HeatmapFigure& f, int maxW) {
  const std::vector<float> bands = bandShares(f, std::max(1, maxW));
  QImage strip(std::max<int>(1, int(bands.size())), 1, QImage::Format_RGB32);
  for (int c = 0; c < int(bands.size()); ++c)
    strip.setPixel(
        c, 0,
        qrgb(bands[size_t(c)] > 0 ? mix(kStripTrack, kBandColour, 0.65f + 0.35f * bands[size_t(c)]) : kStripTrack));
  return strip;
}

double widest(const QFontMetricsF& fm, const std::vector<std::string>& labels) {
  double w = 0;
  for (const std::string& l : labels) w = std::max(w, fm.horizontalAdvance(fromStd(l)));
  return w;
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
  const QString title = fromStd(f.content.title);
  for (const char* cut : {" per ", " of "}) {
    const int at = title.indexOf(cut);
    if (at > 0) {
      f.valueLabel = title.left(at);
      break;
    }
  }
  return f;
}

QString figureOptionsProblem(const FigureOptions& o) {
  if (o.size.width() < kMinSide || o.size.height() < kMinSide || o.size.width() > kMaxSide ||
      o.size.height() > kMaxSide)
    return QString("the figure size must be %1 to %2 pixels a side, not %3 x %4")
        .arg(kMinSide)
        .arg(kMaxSide)
        .arg(o.size.width())
        .arg(o.size.height());
  if (o.dpi < kMinDpi || o.dpi > kMaxDpi)
    return QString("the DPI must be %1 to %2, not %3").arg(kMinDpi).arg(kMaxDpi).arg(o.dpi);
  if (!findColormap(o.colourMap.toStdString())) {
    QStringList names;
    for (const std::string& n : colormapNames()) names << fromStd(n);
    return "the colour map must be one of " + names.join(", ") + ", not '" + o.colourMap + "'";
  }
  return {};
}

void paintHeatmapFigure(QPainter& p, const QRectF& area, const HeatmapFigure& f, const FigureOptions& options) {
  const analysis::FloatMatrix& m = f.content.values;
  const ColourTable* found = findColormap(options.colourMap.toStdString());
  const ColourTable& table = found ? *found : colormapTable();
  const ColourScale scale{{f.lo, f.hi, f.loPositive}, options.logScale.value_or(f.logScale)};
  p.save();
  p.fillRect(area, Qt::white);
  // Sizes in figure units (points): pixel sizes, so every device sets the text alike.
  QFont font("DejaVu Sans");
  font.setPixelSize(10);
  QFont titleFont = font;
  titleFont.setPixelSize(13);
  titleFont.setBold(true);
  const QFontMetricsF fm(font, p.device());
  const double line = fm.height(), tick = 0.35 * line;
  const bool bands = !bandShares(f, 1).empty();

  // Layout: title on top, then the mask strip; row axis left (its labels set the margin), column
  // axis below, colour bar right (its labels set that margin).
  const QRectF titleRect(area.left(), area.top() + 0.5 * line, area.width(), 2 * line);
  // On a raster, the plot's edges on device pixels, one image pixel to each: no band falls between.
  const bool raster = p.device()->devType() == QInternal::Image || p.device()->devType() == QInternal::Pixmap;
  const double dpr = p.device()->devicePixelRatioF();
  const auto snap = [&](double v) { return raster ? std::round(v * dpr) / dpr : v; };
  const double top = snap(titleRect.bottom() + 0.5 * line + (bands ? 1.1 * line : 0.0));
  const double bottom = snap(area.bottom() - 4 * line);
  const double plotHeight = std::max(1.0 / dpr, bottom - top);
  // Rows: names where each has room, else blocks or numbers; the labels drawn set the margin.
  const double rowScale = plotHeight / double(std::max<int64_t>(1, m.rows));
  const std::vector<AxisTick> rowTicks =
      axisTicks(f.content.rowLabels, m.rows, 0, double(m.rows), rowScale, 1.05 * line, 2.5 * line);
  std::vector<std::string> rowLabels, barLabels;
  for (const AxisTick& t : rowTicks) rowLabels.push_back(t.label);
  for (const BarTick& t : colourBarTicks(scale, 1.6 * line / plotHeight)) barLabels.push_back(t.label);
  const double left = snap(area.left() + 2.2 * line + widest(fm, rowLabels) + tick + 0.3 * line);
  const double right = snap(area.right() - (2.7 * line + tick + 0.2 * line + widest(fm, barLabels) + 2.2 * line));
  const QRectF plot(left, top, std::max(1.0 / dpr, right - left), plotHeight);
  const QRectF bar(plot.right() + 1.5 * line, plot.top(), 1.2 * line, plot.height());

  p.setPen(Qt::black);
  p.setFont(titleFont);
  p.drawText(titleRect, Qt::AlignCenter, fromStd(f.content.title));
  p.setFont(font);
  if (m.rows == 0 || m.cols == 0) {
    p.drawText(plot, Qt::AlignCenter, fromStd(f.content.emptyMessage));
    p.restore();
    return;
  }

  // Raster: the device's pixels; vector: at least two image pixels per point.
  const double pixelsPerUnit = raster ? dpr : std::max(2.0, options.dpi / 72.0);
  const int imageW = std::max(1, int(std::lround(plot.width() * pixelsPerUnit)));
  const int imageH = std::max(1, int(std::lround(plot.height() * pixelsPerUnit)));
  p.drawImage(plot, matrixImage(f, scale, table, imageW, imageH));
  if (bands) {
    const QRectF strip(plot.left(), plot.top() - 0.9 * line, plot.width(), 0.6 * line);
    p.drawImage(strip, maskStrip(f, imageW));
    p.drawText(QRectF(strip.right() + 0.4 * line, strip.center().y() - line / 2, 4 * line, line),
               Qt::AlignLeft | Qt::AlignVCenter, "mask");
  }
  p.setPen(QPen(Qt::black, 0.8));
  p.drawRect(plot);

  // Columns: plain numbers, as many as fit.
  const double numberWidth = fm.horizontalAdvance(fromStd(plainNumber(double(m.cols - 1))));
  const double colScale = plot.width() / double(m.cols);
  for (const AxisTick& t :
       axisTicks({}, m.cols, 0, double(m.cols), colScale, 0, std::max(4 * line, numberWidth + 1.5 * line))) {
    const double x = plot.left() + t.at * colScale;
    p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + tick));
    p.drawText(QRectF(x - 4 * line, plot.bottom() + tick, 8 * line, line), Qt::AlignHCenter | Qt::AlignTop,
               fromStd(t.label));
  }
  for (const AxisTick& t : rowTicks) {
    const double y = plot.top() + t.at * rowScale, labelY = plot.top() + t.labelAt * rowScale;
    p.drawLine(QPointF(plot.left() - tick, y), QPointF(plot.left(), y));
    if (t.label.empty()) continue;
    p.drawText(QRectF(area.left(), labelY - line / 2, plot.left() - tick - 0.3 * line - area.left(), line),
               Qt::AlignRight | Qt::AlignVCenter, fromStd(t.label));
  }
  p.drawText(QRectF(plot.left(), plot.bottom() + tick + line + 0.3 * line, plot.width(), line), Qt::AlignCenter,
             fromStd(f.content.columnAxis) + QString(" (%1)").arg(m.cols));
  p.save();
  p.translate(area.left() + 1.2 * line, plot.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-plot.height() / 2, -line / 2, plot.height(), line), Qt::AlignCenter,
             fromStd(f.content.rowAxis) + QString(" (%1)").arg(m.rows));
  p.restore();

  // Colour bar: the colour map bottom (low) to top (high), ticks in value units.
  QImage ramp(1, 256, QImage::Format_RGB32);
  for (int i = 0; i < 256; ++i) ramp.setPixel(0, i, qrgb(table[size_t(255 - i)]));
  p.drawImage(bar, ramp);
  p.drawRect(bar);
  for (const BarTick& t : colourBarTicks(scale, 1.6 * line / plotHeight)) {
    const double y = bar.bottom() - t.place * bar.height();
    p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + tick, y));
    p.drawText(QRectF(bar.right() + tick + 0.2 * line, y - line / 2, area.right() - bar.right(), line),
               Qt::AlignLeft | Qt::AlignVCenter, fromStd(t.label));
  }
  p.save();
  p.translate(area.right() - 0.9 * line, bar.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-bar.height() / 2, -line / 2, bar.height(), line), Qt::AlignCenter,
             f.valueLabel + (scale.log ? " (log scale)" : ""));
  p.restore();
  p.restore();
}

bool exportHeatmapFigure(const HeatmapFigure& figure, const QString& path, QString& error,
                         const FigureOptions& options) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "png" && suffix != "svg" && suffix != "pdf") {
    error = path + ": the figure format must be .png, .svg or .pdf";
    return false;
  }
  if (const QString problem = figureOptionsProblem(options); !problem.isEmpty()) {
    error = path + ": " + problem;
    return false;
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    error = path + ": cannot write (" + file.errorString() + ")";
    return false;
  }
  const QRectF area(QPointF(0, 0), options.points());
  const QString title = fromStd(figure.content.title);
  bool painted = true;
  if (suffix == "png") {
    QImage image(options.size, QImage::Format_ARGB32);
    if (image.isNull()) {
      error = path +
              QString(": not enough memory for a %1 x %2 image").arg(options.size.width()).arg(options.size.height());
      return false;
    }
    image.setDevicePixelRatio(options.dpi / 72.0);
    const int dotsPerMeter = int(std::lround(options.dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    image.setText("Title", title);
    image.setText("Software", "QuantLens Studio");
    image.fill(Qt::white);
    {
      QPainter p(&image);
      p.setRenderHint(QPainter::Antialiasing);
      paintHeatmapFigure(p, area, figure, options);
    }
    painted = image.save(&file, "PNG");
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(options.size);
    svg.setResolution(options.dpi);
    svg.setViewBox(area);
    svg.setTitle(title);
    svg.setDescription("QuantLens Studio heatmap figure");
    QPainter p;
    painted = p.begin(&svg);
    if (painted) {
      paintHeatmapFigure(p, area, figure, options);
      painted = p.end();
    }
  } else {
    QPdfWriter pdf(&file);
    pdf.setTitle(title);
    pdf.setCreator("QuantLens Studio");
    pdf.setResolution(72);  // one point per figure unit
    pdf.setPageSize(QPageSize(area.size(), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter p;
    painted = p.begin(&pdf);
    if (painted) {
      paintHeatmapFigure(p, area, figure, options);
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
