#include "widgets/scatter_chart.h"

#include <QBrush>
#include <QFont>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QLocale>
#include <QPen>
#include <QResizeEvent>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

#include "widgets/chart_axes.h"
#include "widgets/chart_export.h"
#include "widgets/chart_interaction.h"
#include "widgets/hover_readout.h"
#include "widgets/log_axis_ticks.h"
#include "widgets/readable_number.h"
#include "widgets/table_csv.h"

namespace widgets {

namespace {

// matplotlib's tab10, as compare_svg draws the points.
const std::array<QColor, 8> kColours = {QColor(31, 119, 180),  QColor(214, 39, 40),   QColor(44, 160, 44),
                                        QColor(255, 127, 14),  QColor(148, 103, 189), QColor(140, 86, 75),
                                        QColor(227, 119, 194), QColor(23, 190, 207)};
const QColor kBaselineColour(68, 68, 68);
constexpr double kMarkerSize = 10;
constexpr double kLabelGap = 7;        // pixels between a point and its label
constexpr double kHoverRadius = 24;    // pixels: the hover read-out's reach
constexpr double kLogMargin = 0.08;    // of the data's extent in decades, each side
constexpr double kMinLogExtent = 0.3;  // decades
constexpr double kXMargin = 0.25;      // bits each side of the points
constexpr double kTickSpacing = 28;    // pixels between y labels at least

QColor colourOf(size_t i) { return kColours[i % kColours.size()]; }

QString number(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

}  // namespace

ScatterChart::ScatterChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart;
  chart->legend()->hide();
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  x_ = new QValueAxis;
  x_->setTickType(QValueAxis::TicksDynamic);
  x_->setTickAnchor(0);
  x_->setTickInterval(1);
  x_->setLabelFormat("%g");
  y_ = new QCategoryAxis;
  y_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  baselineSeries_ = new QLineSeries;
  QPen dashed(kBaselineColour, 1.5, Qt::DashLine);
  dashed.setCosmetic(true);
  baselineSeries_->setPen(dashed);
  chart->addSeries(baselineSeries_);
  baselineSeries_->attachAxis(x_);
  baselineSeries_->attachAxis(y_);
  baselineSeries_->setVisible(false);
  setChart(chart);
  baselineLabel_ = new QGraphicsSimpleTextItem(chart);
  baselineLabel_->setBrush(kBaselineColour);
  baselineLabel_->setZValue(10);
  baselineLabel_->hide();
  setRenderHint(QPainter::Antialiasing);
  setFocusPolicy(Qt::StrongFocus);  // Home resets the zoom

  readout_ = new HoverReadout(chart);
  interaction_ = new ChartInteraction(this);
  connect(x_, &QValueAxis::rangeChanged, this, [this] {
    updateXTicks();
    spanBaseline();
    placeLabels();
  });
  connect(y_, &QValueAxis::rangeChanged, this, [this] {
    updateYTicks();
    placeLabels();
  });
  connect(chart, &QChart::plotAreaChanged, this, [this] {
    updateYTicks();
    placeLabels();
  });
  connect(interaction_, &ChartInteraction::userChangedView, this, [this] {
    follow_ = false;
    hideHover();
  });
  connect(interaction_, &ChartInteraction::resetRequested, this, &ScatterChart::resetZoom);
  connect(interaction_, &ChartInteraction::hovered, this, &ScatterChart::onHover);
  connect(interaction_, &ChartInteraction::hoverLeft, this, &ScatterChart::hideHover);
  fitAxes();
}

ScatterChart::~ScatterChart() = default;

void ScatterChart::setTitles(const QString& title, const QString& xTitle, const QString& yTitle) {
  chart()->setTitle(title);
  x_->setTitleText(xTitle);
  y_->setTitleText(yTitle);
}

bool ScatterChart::drawable(const ScatterPoint& p) { return std::isfinite(p.x) && std::isfinite(p.y) && p.y > 0; }

void ScatterChart::clear() {
  hideHover();
  for (Drawn& d : drawn_) {
    chart()->removeSeries(d.series);
    delete d.series;
    delete d.label;
    delete d.leader;
  }
  drawn_.clear();
  points_.clear();
  follow_ = true;
  fitAxes();
}

void ScatterChart::addPoint(ScatterPoint point) {
  const QColor colour = colourOf(points_.size());
  Drawn d;
  d.series = new QScatterSeries;
  d.series->setName(point.label);
  d.series->setMarkerShape(QScatterSeries::MarkerShapeCircle);
  d.series->setMarkerSize(kMarkerSize);
  d.series->setColor(colour);
  d.series->setBorderColor(Qt::white);
  if (drawable(point)) d.series->append(point.x, std::log10(point.y));
  chart()->addSeries(d.series);
  d.series->attachAxis(x_);
  d.series->attachAxis(y_);
  d.label = new QGraphicsSimpleTextItem(point.label, chart());
  d.label->setBrush(colour.darker(115));
  d.label->setZValue(10);
  d.label->setVisible(drawable(point));
  d.leader = new QGraphicsLineItem(chart());
  d.leader->setPen(QPen(colour, 0.8));
  d.leader->setZValue(9);
  d.leader->hide();
  points_.push_back(std::move(point));
  drawn_.push_back(d);
  fitAxes();
  placeLabels();
}

void ScatterChart::setBaseline(std::optional<ScatterBaseline> baseline) {
  baseline_ = std::move(baseline);
  baselineSeries_->clear();
  const bool shown = baseline_ && std::isfinite(baseline_->y) && baseline_->y > 0;
  if (shown) baselineLabel_->setText(QString("%1 %2").arg(baseline_->label, readableNumber(baseline_->y, 4)));
  baselineSeries_->setVisible(shown);
  baselineLabel_->setVisible(shown);
  fitAxes();
  spanBaseline();
  placeLabels();
}

// From one end of the x axis to the other (a line far beyond them would be drawn solid: Qt lays
// the dashes out along the whole line).
void ScatterChart::spanBaseline() {
  if (!baseline_ || !baselineSeries_->isVisible()) return;
  const double at = std::log10(baseline_->y);
  baselineSeries_->replace(QList<QPointF>{{x_->min(), at}, {x_->max(), at}});
}

int ScatterChart::drawnPointCount() const {
  int n = 0;
  for (const Drawn& d : drawn_) n += int(d.series->count());
  return n;
}

std::vector<QRectF> ScatterChart::labelRects() const {
  std::vector<QRectF> rects;
  if (baselineLabel_->isVisible()) rects.push_back(baselineLabel_->mapRectToParent(baselineLabel_->boundingRect()));
  for (const Drawn& d : drawn_)
    if (d.label->isVisible()) rects.push_back(d.label->mapRectToParent(d.label->boundingRect()));
  return rects;
}

QPointF ScatterChart::chartPosition(double x, double y) const {
  const QRectF plot = chart()->plotArea();
  return {unitToChart(*x_, plot, x), unitToChart(*y_, plot, std::log10(y))};
}

QPointF ScatterChart::pointPosition(size_t i) const {
  const QPointF at = chartPosition(points_.at(i).x, points_.at(i).y);
  return mapFromScene(chart()->mapToScene(at));
}

void ScatterChart::resetZoom() {
  follow_ = true;
  fitAxes();
}

void ScatterChart::fitAxes() {
  if (!follow_) return;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool any = false;
  auto take = [&](double x, double y, bool withX) {
    if (!any) x0 = x1 = x, y0 = y1 = y;
    if (withX) x0 = std::min(x0, x), x1 = std::max(x1, x);
    y0 = std::min(y0, y), y1 = std::max(y1, y);
    any = true;
  };
  for (const ScatterPoint& p : points_)
    if (drawable(p)) take(p.x, p.y, true);
  const bool baseline = baseline_ && std::isfinite(baseline_->y) && baseline_->y > 0;
  // The baseline has no x: it only widens y (and gives an x range while there are no points).
  if (baseline && !any) take(2, baseline_->y, true);
  if (baseline) take(x0, baseline_->y, false);
  if (!any) {
    x_->setRange(0, 4);
    y_->setRange(0, 2);
    return;
  }
  const double lo = std::max(0.0, std::floor(x0 - kXMargin)), hi = std::ceil(x1 + kXMargin);
  // A hair past the last whole bit, so that its tick label is drawn despite rounding in Qt's steps.
  x_->setRange(lo, std::max(hi, lo + 1) + 1e-9);
  double l0 = std::log10(y0), l1 = std::log10(y1);
  const double margin = kLogMargin * std::max(l1 - l0, kMinLogExtent);
  if (l1 - l0 < kMinLogExtent) {
    const double mid = (l0 + l1) / 2;
    l0 = mid - kMinLogExtent / 2, l1 = mid + kMinLogExtent / 2;
  }
  y_->setRange(l0 - margin, l1 + margin);
}

void ScatterChart::updateXTicks() {
  const double span = x_->max() - x_->min();
  x_->setTickInterval(span > 0 ? std::max(0.1, niceStep(span / 6)) : 1.0);
}

// Inside one decade round linear steps cover the whole range; logAxisTicks' 1..9 per decade would
// leave the part above the last power of ten (where perplexities of 10 to 20 lie) unlabelled.
std::vector<double> ScatterChart::yTicks(double lo, double hi, int maxTicks) {
  if (!(lo > 0) || !(hi > lo) || hi / lo >= 10) return logAxisTicks(lo, hi, maxTicks);
  for (int count = 4; count >= 2; --count) {
    const double step = niceStep((hi - lo) / count);
    std::vector<double> ticks;
    for (double k = std::ceil(lo / step); k * step <= hi * (1 + 1e-12); ++k) ticks.push_back(k * step);
    if (int(ticks.size()) <= maxTicks && ticks.size() >= 2) return ticks;
  }
  return logAxisTicks(lo, hi, maxTicks);
}

void ScatterChart::updateYTicks() {
  const double lo = y_->min(), hi = y_->max();
  const int maxTicks = std::clamp(int(chart()->plotArea().height() / kTickSpacing), 3, 10);
  const std::vector<double> ticks = yTicks(std::pow(10.0, lo), std::pow(10.0, hi), maxTicks);
  const QStringList labels = tickLabels(ticks);
  if (!labels.isEmpty() && labels == y_->categoriesLabels()) return y_->setStartValue(lo);  // only the range moved
  for (const QString& l : y_->categoriesLabels()) y_->remove(l);
  y_->setStartValue(lo);
  for (size_t i = 0; i < ticks.size(); ++i) y_->append(labels[int(i)], std::log10(ticks[i]));
}

// Each label goes right of its point (left where the plot ends), moved up or down a line at a
// time until it overlaps no label placed before it; the baseline's sits at the plot's right end.
void ScatterChart::placeLabels() {
  const QRectF plot = chart()->plotArea();
  std::vector<QRectF> placed;
  if (baselineLabel_->isVisible()) {
    const QRectF box = baselineLabel_->boundingRect();
    const double y = unitToChart(*y_, plot, std::log10(baseline_->y));
    baselineLabel_->setPos(plot.right() - box.width() - 4, y - box.height() - 1);
    placed.push_back(baselineLabel_->mapRectToParent(box));
  }
  for (size_t i = 0; i < drawn_.size(); ++i) {
    Drawn& d = drawn_[i];
    if (!drawable(points_[i])) continue;
    const QPointF at = chartPosition(points_[i].x, points_[i].y);
    const bool inside = plot.adjusted(-1, -1, 1, 1).contains(at);
    d.label->setVisible(inside);
    d.leader->setVisible(false);
    if (!inside) continue;
    const QRectF box = d.label->boundingRect();
    const bool flip = at.x() + kLabelGap + box.width() > plot.right();
    const double x = flip ? at.x() - kLabelGap - box.width() : at.x() + kLabelGap;
    const double line = box.height();
    QRectF rect(x, at.y() - line / 2, box.width(), line);
    for (int k = 1; k < 40; ++k) {
      const bool free = std::none_of(placed.begin(), placed.end(), [&](const QRectF& o) { return rect.intersects(o); });
      if (free) break;
      const double dy = (k % 2 ? 1 : -1) * line * ((k + 1) / 2);
      rect.moveTop(at.y() - line / 2 + dy);
    }
    d.label->setPos(rect.topLeft());
    placed.push_back(rect);
    if (std::abs(rect.center().y() - at.y()) > 1) {
      d.leader->setLine(QLineF(at, QPointF(flip ? rect.right() : rect.left(), rect.center().y())));
      d.leader->show();
    }
  }
}

void ScatterChart::onHover(QPointF chartPos) {
  size_t best = points_.size();
  double bestDistance = kHoverRadius;
  for (size_t i = 0; i < points_.size(); ++i) {
    if (!drawable(points_[i])) continue;
    const double d = QLineF(chartPosition(points_[i].x, points_[i].y), chartPos).length();
    if (d <= bestDistance) best = i, bestDistance = d;
  }
  if (best == points_.size()) return hideHover();
  const ScatterPoint& p = points_[best];
  QStringList plain{p.label, QString("%1: %2").arg(x_->titleText(), readableNumber(p.x, 4)),
                    QString("%1: %2").arg(y_->titleText(), readableNumber(p.y, 4))};
  if (baseline_ && baseline_->y > 0)
    plain << tr("%1 %2: %3 x")
                 .arg(baseline_->label, readableNumber(baseline_->y, 4), readableNumber(p.y / baseline_->y, 3));
  QString html = "<b>" + plain.front().toHtmlEscaped() + "</b>";
  for (int i = 1; i < plain.size(); ++i) html += "<br>" + plain[i].toHtmlEscaped();
  hoverText_ = plain.join('\n');
  const QPointF at = chartPosition(p.x, p.y);
  readout_->show(at.x(), chartPos, html, {{at, colourOf(best)}});
}

void ScatterChart::hideHover() {
  readout_->hide();
  hoverText_.clear();
}

std::pair<double, double> ScatterChart::xRange() const { return {x_->min(), x_->max()}; }

std::pair<double, double> ScatterChart::yRange() const {
  return {std::pow(10.0, y_->min()), std::pow(10.0, y_->max())};
}

bool ScatterChart::exportImage(const QString& path, QString& error) {
  hideHover();
  return exportChartImage(*chart(), path, error);
}

bool ScatterChart::exportCsv(const QString& path, QString& error) {
  QStringList header;
  for (const QString& c : csvColumns_) header << csvField(c);
  QString out = header.join(',') + '\n';
  for (const ScatterPoint& p : points_) out += QString("%1,%2,%3\n").arg(csvField(p.label), number(p.x), number(p.y));
  if (baseline_) out += QString("%1,,%2\n").arg(csvField(baseline_->label), number(baseline_->y));
  return writeTextFile(path, out, error);
}

void ScatterChart::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  placeLabels();
}

}  // namespace widgets
