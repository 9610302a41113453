#include "widgets/chart_export.h"

#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QtCharts/QChart>

#include <algorithm>
#include <cmath>

namespace widgets {

namespace {

bool openSaveFile(QSaveFile& file, const QString& path, QString& error) {
  if (file.open(QIODevice::WriteOnly)) return true;
  error = path + ": cannot write (" + file.errorString() + ")";
  return false;
}

bool commit(QSaveFile& file, bool written, const QString& path, QString& error) {
  if (written && file.commit()) return true;
  error = path + ": cannot write (" + (file.errorString().isEmpty() ? "painting failed" : file.errorString()) + ")";
  return false;
}

// Paints the chart's part of its scene into `target` of the painter's device.
bool paintChart(QChart& chart, QPaintDevice& device, const QRectF& target) {
  QPainter p;
  if (!p.begin(&device)) return false;
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  chart.scene()->render(&p, target, chart.mapRectToScene(chart.rect()));
  return p.end();
}

}  // namespace

bool exportChartImage(QChart& chart, const QString& path, QString& error) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "png" && suffix != "svg" && suffix != "pdf") {
    error = path + ": the image format must be .png, .svg or .pdf";
    return false;
  }
  if (!chart.scene()) {
    error = path + ": the chart is not shown in a view";
    return false;
  }
  const QSizeF size = chart.size();
  const int w = std::max(1, int(std::ceil(size.width()))), h = std::max(1, int(std::ceil(size.height())));
  const QRectF area(0, 0, w, h);
  QSaveFile file(path);
  if (!openSaveFile(file, path, error)) return false;
  bool written = false;
  if (suffix == "png") {
    QImage image(2 * w, 2 * h, QImage::Format_ARGB32);
    image.setDevicePixelRatio(2);
    image.fill(Qt::white);
    written = paintChart(chart, image, area) && image.save(&file, "PNG");
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(QSize(w, h));
    svg.setViewBox(area);
    svg.setTitle(chart.title());
    svg.setDescription("QuantLens Studio chart");
    written = paintChart(chart, svg, area);
  } else {
    QPdfWriter pdf(&file);
    pdf.setTitle(chart.title());
    pdf.setCreator("QuantLens Studio");
    pdf.setResolution(72);  // one point per pixel of the chart
    // Page sizes are kept in portrait; the orientation turns a wide chart's page.
    const QPageSize page(QSizeF(std::min(w, h), std::max(w, h)), QPageSize::Point, QString(), QPageSize::ExactMatch);
    pdf.setPageLayout(QPageLayout(page, w > h ? QPageLayout::Landscape : QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
    written = paintChart(chart, pdf, area);
  }
  return commit(file, written, path, error);
}

bool writeTextFile(const QString& path, const QString& text, QString& error) {
  QSaveFile file(path);
  if (!openSaveFile(file, path, error)) return false;
  const QByteArray bytes = text.toUtf8();
  return commit(file, file.write(bytes) == bytes.size(), path, error);
}

}  // namespace widgets
