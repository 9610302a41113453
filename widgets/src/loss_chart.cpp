#include "widgets/loss_chart.h"

#include <QLocale>
#include <QResizeEvent>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <optional>

#include "widgets/chart_axes.h"
#include "widgets/chart_export.h"
#include "widgets/chart_interaction.h"
#include "widgets/chart_markers.h"
#include "widgets/hover_readout.h"
#include "widgets/log_axis_ticks.h"
#include "widgets/readable_number.h"
#include "widgets/table_csv.h"

namespace widgets {

namespace {

double termValue(const quantcore::LossValues& v, int i) {
  switch (i) {
    case 0: return v.mse_fp;
    case 1: return v.mse_q;
    case 2: return v.nlc_fp;
    case 3: return v.nlc_q;
    default: return v.total;
  }
}

// A switched-off term is 0: nothing to draw on a log axis.
bool drawable(double v) { return v > 0 && std::isfinite(v); }

const std::array<QColor, LossChart::kTerms> kTermColours = {
    QColor(31, 119, 180), QColor(44, 160, 44), QColor(255, 127, 14), QColor(148, 103, 189), QColor(214, 39, 40)};
// Overlays: colours none of the terms use, dashed.
const std::array<QColor, 6> kOverlayColours = {QColor(23, 190, 207), QColor(140, 86, 75),   QColor(227, 119, 194),
                                               QColor(188, 189, 34), QColor(127, 127, 127), QColor(0, 0, 0)};
constexpr int kRawAlpha = 60;
constexpr double kMaxSmoothing = 0.999;
constexpr double kLogMargin = 0.05;    // of the data's extent in decades, each side
constexpr double kMinLogExtent = 0.2;  // decades: a flat curve is not magnified into noise
constexpr double kTickSpacing = 28;    // pixels between y labels at least
constexpr int kWideLegendWidth = 760;  // at least this wide and 1.6 x its height: legend on the right

// Smallest and largest x a run shows.
template <typename Run>
std::pair<double, double> extent(const Run& r) {
  if (r.shownAscending) return {r.shownX.front(), r.shownX.back()};
  const auto [lo, hi] = std::minmax_element(r.shownX.begin(), r.shownX.end());
  return {*lo, *hi};
}

}  // namespace

const std::array<const char*, LossChart::kTerms>& LossChart::termNames() {
  static const std::array<const char*, kTerms> names = {"mse_fp", "mse_q", "nlc_fp", "nlc_q", "total"};
  return names;
}

LossChart::LossChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart;
  chart->setTitle(tr("Loss per step (block objective, spec §5.1)"));
  QLegend* legend = chart->legend();
  legend->setAlignment(Qt::AlignBottom);
  QFont small = legend->font();
  small.setPointSizeF(small.pointSizeF() * 0.8);
  legend->setFont(small);
  legend->setMarkerShape(QLegend::MarkerShapeFromSeries);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  x_ = new QValueAxis;
  x_->setTitleText(tr("step"));
  x_->setLabelFormat("%d");
  x_->setTickType(QValueAxis::TicksDynamic);
  x_->setTickAnchor(0);
  x_->setTickInterval(1);
  y_ = new QCategoryAxis;
  y_->setTitleText(tr("loss (log scale)"));
  y_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setFocusPolicy(Qt::StrongFocus);  // Home resets the zoom

  markers_ = new ChartMarkers(chart, x_);
  readout_ = new HoverReadout(chart);
  interaction_ = new ChartInteraction(this);
  connect(x_, &QValueAxis::rangeChanged, this, &LossChart::updateXTicks);
  connect(y_, &QValueAxis::rangeChanged, this, &LossChart::updateYTicks);
  connect(chart, &QChart::plotAreaChanged, this, &LossChart::updateYTicks);
  connect(interaction_, &ChartInteraction::userChangedView, this, [this] {
    follow_ = false;
    hideHover();
  });
  connect(interaction_, &ChartInteraction::resetRequested, this, &LossChart::resetZoom);
  connect(interaction_, &ChartInteraction::hovered, this, &LossChart::onHover);
  connect(interaction_, &ChartInteraction::hoverLeft, this, &LossChart::hideHover);

  live_.label = "current";
  std::vector<CurveStyle> styles;
  for (int i = 0; i < kTerms; ++i)
    styles.push_back({i, kTermColours[size_t(i)], Qt::SolidLine, i == kTerms - 1 ? 2.5 : 1.5, termNames()[size_t(i)]});
  addCurves(live_, styles);
  updateLegend();
  reset(1, 1);
}

LossChart::~LossChart() = default;

QLineSeries* LossChart::addSeries(const QString& name, const QPen& pen) {
  auto* s = new QLineSeries;
  s->setName(name);
  s->setPen(pen);
  chart()->addSeries(s);
  s->attachAxis(x_);
  s->attachAxis(y_);
  return s;
}

void LossChart::addCurves(DrawnRun& run, const std::vector<CurveStyle>& styles) {
  // Every raw line first, so none lies over a drawn one.
  std::vector<QLineSeries*> raws;
  for (const CurveStyle& s : styles) {
    QColor faint = s.colour;
    faint.setAlpha(kRawAlpha);
    QPen pen(faint, 1);
    pen.setCosmetic(true);
    raws.push_back(addSeries(s.name + " (raw)", pen));
    raws.back()->setVisible(smoothing_ > 0);
  }
  for (size_t i = 0; i < styles.size(); ++i) {
    QPen pen(styles[i].colour, styles[i].width, styles[i].style);
    pen.setCosmetic(true);
    Curve c;
    c.term = styles[i].term;
    c.raw = raws[i];
    c.line = addSeries(styles[i].name, pen);
    run.curves.push_back(std::move(c));
  }
}

void LossChart::dropCurves(DrawnRun& run) {
  for (Curve& c : run.curves)
    for (QLineSeries* s : {c.line, c.raw}) {
      chart()->removeSeries(s);
      delete s;
    }
  run.curves.clear();
}

void LossChart::reset(int64_t nsamples, int64_t epochs) {
  live_.nsamples = std::max<int64_t>(1, nsamples);
  live_.epochs = std::max<int64_t>(1, epochs);
  live_.events.clear();
  follow_ = true;
  redraw();
}

void LossChart::append(const std::vector<quantcore::LossEvent>& events) {
  const size_t from = live_.events.size();
  live_.events.insert(live_.events.end(), events.begin(), events.end());
  addPoints(live_, from);
  updateMarkers();
  fitAxes();
}

void LossChart::showBlock(int64_t block) {
  block_ = block;
  follow_ = true;
  redraw();
}

int LossChart::pointCount(int term) const { return live_.curves.at(size_t(term)).line->count(); }

void LossChart::setOverlays(std::vector<LossCurveRun> runs) {
  hideHover();
  for (DrawnRun& r : overlays_) dropCurves(r);
  overlays_.clear();
  for (size_t i = 0; i < runs.size(); ++i) {
    DrawnRun r;
    r.label = runs[i].label;
    r.events = std::move(runs[i].events);
    r.nsamples = std::max<int64_t>(1, runs[i].nsamples);
    r.epochs = std::max<int64_t>(1, runs[i].epochs);
    const QColor colour = kOverlayColours[i % kOverlayColours.size()];
    addCurves(r, {{overlayTerm_, colour, Qt::DashLine, 1.8, r.label}});
    overlays_.push_back(std::move(r));
  }
  updateYTitle();
  updateLegend();
  redraw();
}

void LossChart::setOverlayTerm(int term) {
  overlayTerm_ = std::clamp(term, 0, kTerms - 1);
  for (DrawnRun& r : overlays_)
    for (Curve& c : r.curves) c.term = overlayTerm_;
  updateYTitle();
  redraw();
}

// The legend names the overlaid runs only (their labels are long enough); the term they draw
// goes with the axis.
void LossChart::updateYTitle() {
  y_->setTitleText(overlays_.empty() ? tr("loss (log scale)")
                                     : tr("loss (log scale) · runs: %1").arg(termNames()[size_t(overlayTerm_)]));
}

void LossChart::setSmoothing(double w) {
  w = std::clamp(std::isfinite(w) ? w : 0.0, 0.0, kMaxSmoothing);
  if (w == smoothing_) return;
  smoothing_ = w;
  for (DrawnRun* r : runs())
    for (Curve& c : r->curves) c.raw->setVisible(w > 0 && c.line->isVisible());
  updateLegend();
  redraw();
}

std::vector<LossChart::DrawnRun*> LossChart::runs() {
  std::vector<DrawnRun*> all{&live_};
  for (DrawnRun& r : overlays_) all.push_back(&r);
  return all;
}

std::vector<const LossChart::DrawnRun*> LossChart::runs() const {
  std::vector<const DrawnRun*> all{&live_};
  for (const DrawnRun& r : overlays_) all.push_back(&r);
  return all;
}

void LossChart::clearDrawn(DrawnRun& run) {
  for (Curve& c : run.curves) {
    c.line->clear();
    c.raw->clear();
    c.ema = DebiasedEma(smoothing_);
    c.emaBlock = -1;
    c.drawn.clear();
  }
  run.shownX.clear();
  run.shownEvent.clear();
  run.shownAscending = true;
  run.lastBlock = run.lastEpoch = -1;
}

void LossChart::redraw() {
  hideHover();
  haveX_ = false;
  xMin_ = xMax_ = yMin_ = yMax_ = 0;
  for (DrawnRun* r : runs()) {
    clearDrawn(*r);
    addPoints(*r, 0);
  }
  updateMarkers();
  fitAxes();
}

void LossChart::addPoints(DrawnRun& run, size_t from) {
  const bool smooth = smoothing_ > 0;
  std::vector<QList<QPointF>> lines(run.curves.size()), raws(run.curves.size());
  for (size_t i = from; i < run.events.size(); ++i) {
    const quantcore::LossEvent& e = run.events[i];
    if (block_ >= 0 && e.block != block_) continue;
    // Steps run epoch-major within a block; the all-blocks view lays the blocks end to end.
    const int64_t inBlock = e.epoch * run.nsamples + e.step;
    const double x = static_cast<double>((block_ >= 0 ? 0 : e.block * run.nsamples * run.epochs) + inBlock);
    if (!run.shownX.empty() && x < run.shownX.back()) run.shownAscending = false;
    run.shownX.push_back(x);
    run.shownEvent.push_back(i);
    run.lastBlock = std::max(run.lastBlock, e.block);
    run.lastEpoch = std::max(run.lastEpoch, e.epoch);
    xMin_ = haveX_ ? std::min(xMin_, x) : x;
    xMax_ = haveX_ ? std::max(xMax_, x) : x;
    haveX_ = true;
    for (size_t c = 0; c < run.curves.size(); ++c) {
      Curve& curve = run.curves[c];
      const double v = termValue(e.loss, curve.term);
      if (!drawable(v)) {
        curve.drawn.push_back(0);
        continue;
      }
      yMin_ = yMin_ > 0 ? std::min(yMin_, v) : v;
      yMax_ = std::max(yMax_, v);
      double shown = v;
      if (smooth) {
        // Each block optimises its own weights from its own starting loss: smoothing across a
        // boundary would blur the jump between blocks.
        if (curve.emaBlock != e.block) {
          curve.ema.restart();
          curve.emaBlock = e.block;
        }
        shown = curve.ema.push(v);
        raws[c].append(QPointF(x, std::log10(v)));
      }
      curve.drawn.push_back(shown);
      lines[c].append(QPointF(x, std::log10(shown)));
    }
  }
  for (size_t c = 0; c < run.curves.size(); ++c) {
    if (!lines[c].isEmpty()) run.curves[c].line->append(lines[c]);
    if (!raws[c].isEmpty()) run.curves[c].raw->append(raws[c]);
  }
}

void LossChart::updateMarkers() {
  // The live run's blocks or epochs; an overlay's when the live run shows nothing.
  const DrawnRun* r = &live_;
  for (const DrawnRun& o : overlays_)
    if (r->shownX.empty() && !o.shownX.empty()) r = &o;
  std::vector<ChartSegment> segments;
  if (block_ < 0)
    for (int64_t b = 0; b <= r->lastBlock; ++b)
      segments.push_back({double(b * r->nsamples * r->epochs), tr("block %1").arg(b), QString::number(b)});
  else
    for (int64_t e = 0; e <= r->lastEpoch; ++e)
      segments.push_back({double(e * r->nsamples), tr("epoch %1").arg(e), tr("e%1").arg(e)});
  const std::vector<ChartSegment>& now = markers_->segments();
  const bool same = segments.size() == now.size() && std::equal(segments.begin(), segments.end(), now.begin(),
                                                                [](const ChartSegment& a, const ChartSegment& b) {
                                                                  return a.start == b.start && a.label == b.label;
                                                                });
  if (!same) markers_->setSegments(std::move(segments));
}

int LossChart::markerCount() const { return markers_->lineCount(); }

void LossChart::resetZoom() {
  follow_ = true;
  fitAxes();
}

void LossChart::fitAxes() {
  if (!follow_) return;
  double x0 = 0, x1 = 1;
  if (haveX_) {
    x0 = xMin_;
    x1 = xMax_;
    if (x1 <= x0) --x0, ++x1;
  }
  x_->setRange(x0, x1);
  double lo = -3, hi = 0;
  if (yMin_ > 0) {
    lo = std::log10(yMin_);
    hi = std::log10(yMax_);
    const double margin = kLogMargin * std::max(hi - lo, kMinLogExtent);
    lo -= margin;
    hi += margin;
  }
  y_->setRange(lo, hi);
}

void LossChart::updateXTicks() {
  const double span = x_->max() - x_->min();
  x_->setTickInterval(span > 0 ? std::max(1.0, niceStep(span / 5)) : 1.0);
}

void LossChart::updateYTicks() {
  const double lo = y_->min(), hi = y_->max();
  const int maxTicks = std::clamp(int(chart()->plotArea().height() / kTickSpacing), 3, 10);
  const std::vector<double> ticks = logAxisTicks(std::pow(10.0, lo), std::pow(10.0, hi), maxTicks);
  const QStringList labels = tickLabels(ticks);
  if (!labels.isEmpty() && labels == y_->categoriesLabels()) return y_->setStartValue(lo);  // only the range moved
  for (const QString& l : y_->categoriesLabels()) y_->remove(l);
  y_->setStartValue(lo);
  for (size_t i = 0; i < ticks.size(); ++i) y_->append(labels[int(i)], std::log10(ticks[i]));
}

std::pair<double, double> LossChart::xRange() const { return {x_->min(), x_->max()}; }

std::pair<double, double> LossChart::yRange() const { return {std::pow(10.0, y_->min()), std::pow(10.0, y_->max())}; }

std::vector<QPointF> LossChart::drawnPoints(int term) const {
  std::vector<QPointF> points;
  for (const QPointF& p : live_.curves.at(size_t(term)).line->points())
    points.emplace_back(p.x(), std::pow(10.0, p.y()));
  return points;
}

void LossChart::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  const bool wide = width() >= kWideLegendWidth && width() >= 1.6 * height();
  const Qt::Alignment side = wide ? Qt::AlignRight : Qt::AlignBottom;
  if (chart()->legend()->alignment() != side) chart()->legend()->setAlignment(side);
}

const LossChart::Curve* LossChart::curveOf(const QAbstractSeries* series) const {
  for (const DrawnRun* r : runs())
    for (const Curve& c : r->curves)
      if (c.line == series || c.raw == series) return &c;
  return nullptr;
}

void LossChart::updateLegend() {
  QLegend* legend = chart()->legend();
  for (QLegendMarker* marker : legend->markers()) {
    const Curve* c = curveOf(marker->series());
    if (!c || marker->series() == c->raw) {
      marker->setVisible(false);
      continue;
    }
    // Qt hides the marker of a hidden series; it stays, greyed, so a click brings the curve back.
    marker->setVisible(true);
    marker->setLabelBrush(c->line->isVisible() ? legend->labelColor() : QColor(170, 170, 170));
    disconnect(marker, nullptr, this, nullptr);
    connect(marker, &QLegendMarker::clicked, this, [this, line = c->line] { toggleCurve(line); });
  }
}

void LossChart::toggleCurve(QLineSeries* line) {
  const Curve* c = curveOf(line);
  if (!c) return;
  line->setVisible(!line->isVisible());
  c->raw->setVisible(line->isVisible() && smoothing_ > 0);
  hideHover();
  updateLegend();
}

std::optional<size_t> LossChart::nearestShown(const DrawnRun& run, double x) {
  if (run.shownX.empty()) return std::nullopt;
  const std::vector<double>& xs = run.shownX;
  if (run.shownAscending) {
    const size_t i = size_t(std::lower_bound(xs.begin(), xs.end(), x) - xs.begin());
    if (i == 0) return 0;
    if (i == xs.size()) return xs.size() - 1;
    return x - xs[i - 1] <= xs[i] - x ? i - 1 : i;
  }
  size_t best = 0;
  for (size_t i = 1; i < xs.size(); ++i)
    if (std::abs(xs[i] - x) < std::abs(xs[best] - x)) best = i;
  return best;
}

void LossChart::onHover(QPointF chartPos) {
  const QRectF plot = chart()->plotArea();
  const double mouseX = chartToUnit(*x_, plot, chartPos.x());
  const DrawnRun* anchor = &live_;
  for (const DrawnRun& o : overlays_)
    if (anchor->shownX.empty() && !o.shownX.empty()) anchor = &o;
  const std::optional<size_t> k = nearestShown(*anchor, mouseX);
  if (!k) return hideHover();
  const double x = anchor->shownX[*k];
  const quantcore::LossEvent& e = anchor->events[anchor->shownEvent[*k]];

  QStringList plain{
      tr("step %1 · block %2 · epoch %3 · sample %4").arg(qint64(x)).arg(e.block).arg(e.epoch).arg(e.step)};
  QString html = "<b>" + plain.front().toHtmlEscaped() + "</b><table cellspacing=0 cellpadding=1>";
  std::vector<std::pair<QPointF, QColor>> dots;
  auto addLine = [&](const Curve& c, const QString& name, double drawn, double raw, double atX, const QString& note) {
    QString value = readableNumber(drawn);
    if (smoothing_ > 0) value += tr(" (raw %1)").arg(readableNumber(raw));
    value += note;
    plain.append(name + "  " + value);
    const QColor colour = c.line->pen().color();
    html += QString("<tr><td><span style='color:%1'>&#9632;</span> %2&nbsp;&nbsp;</td><td align=right>%3</td></tr>")
                .arg(colour.name(), name.toHtmlEscaped(), value.toHtmlEscaped());
    dots.emplace_back(QPointF(unitToChart(*x_, plot, atX), unitToChart(*y_, plot, std::log10(drawn))), colour);
  };
  for (const DrawnRun* r : runs()) {
    const std::optional<size_t> j = r == anchor ? k : nearestShown(*r, x);
    // Another run's value only where it has steps on both sides of (or at) this one.
    if (!j || (r != anchor && (x < extent(*r).first || x > extent(*r).second))) continue;
    const quantcore::LossEvent& re = r->events[r->shownEvent[*j]];
    const QString note = r->shownX[*j] != x ? tr(" @ step %1").arg(qint64(r->shownX[*j])) : QString();
    for (const Curve& c : r->curves) {
      const double drawn = c.drawn[*j];
      if (!c.line->isVisible() || !drawable(drawn)) continue;
      const QString name = r == &live_ ? QString(termNames()[size_t(c.term)])
                                       : QString("%1 (%2)").arg(r->label, termNames()[size_t(c.term)]);
      addLine(c, name, drawn, termValue(re.loss, c.term), r->shownX[*j], note);
    }
  }
  html += "</table>";
  hoverText_ = plain.join('\n');
  readout_->show(unitToChart(*x_, plot, x), chartPos, html, dots);
}

void LossChart::hideHover() {
  readout_->hide();
  hoverText_.clear();
}

bool LossChart::exportImage(const QString& path, QString& error) {
  hideHover();
  return exportChartImage(*chart(), path, error);
}

bool LossChart::exportCsv(const QString& path, QString& error) { return writeTextFile(path, csvText(), error); }

QString LossChart::csvText() const {
  QString out = "run,block,epoch,step,x";
  for (const char* name : termNames()) out += QString(",") + name;
  out += '\n';
  for (const DrawnRun* r : runs())
    for (size_t k = 0; k < r->shownX.size(); ++k) {
      const quantcore::LossEvent& e = r->events[r->shownEvent[k]];
      out += QString("%1,%2,%3,%4,%5")
                 .arg(csvField(r->label))
                 .arg(e.block)
                 .arg(e.epoch)
                 .arg(e.step)
                 .arg(qint64(r->shownX[k]));
      for (int t = 0; t < kTerms; ++t)
        out += ',' + QString::number(termValue(e.loss, t), 'g', QLocale::FloatingPointShortest);
      out += '\n';
    }
  return out;
}

}  // namespace widgets
