#include "widgets/loss_chart.h"

#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace widgets {

namespace {
double term(const quantcore::LossValues& v, int i) {
  switch (i) {
    case 0: return v.mse_fp;
    case 1: return v.mse_q;
    case 2: return v.nlc_fp;
    case 3: return v.nlc_q;
    default: return v.total;
  }
}
}  // namespace

const std::array<const char*, LossChart::kTerms>& LossChart::termNames() {
  static const std::array<const char*, kTerms> names = {"mse_fp", "mse_q", "nlc_fp", "nlc_q", "total"};
  return names;
}

LossChart::LossChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart;
  chart->setTitle(tr("Loss per step (block objective, spec §5.1)"));
  chart->legend()->setAlignment(Qt::AlignBottom);
  QFont small = chart->legend()->font();
  small.setPointSizeF(small.pointSizeF() * 0.8);
  chart->legend()->setFont(small);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  x_ = new QValueAxis;
  x_->setTitleText(tr("step"));
  x_->setLabelFormat("%d");
  x_->setTickCount(6);
  y_ = new QLogValueAxis;
  y_->setTitleText(tr("loss (log scale)"));
  y_->setLabelFormat("%.0e");
  y_->setMinorTickCount(-1);
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  for (int i = 0; i < kTerms; ++i) {
    series_[i] = new QLineSeries;
    series_[i]->setName(termNames()[i]);
    chart->addSeries(series_[i]);
    series_[i]->attachAxis(x_);
    series_[i]->attachAxis(y_);
  }
  QPen pen = series_[kTerms - 1]->pen();
  pen.setWidthF(2.5);
  series_[kTerms - 1]->setPen(pen);
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  reset(1, 1);
}

void LossChart::reset(int64_t nsamples, int64_t epochs) {
  nsamples_ = std::max<int64_t>(1, nsamples);
  epochs_ = std::max<int64_t>(1, epochs);
  events_.clear();
  showBlock(block_);
}

void LossChart::append(const std::vector<quantcore::LossEvent>& events) {
  events_.insert(events_.end(), events.begin(), events.end());
  addPoints(events);
}

void LossChart::showBlock(int64_t block) {
  block_ = block;
  for (QLineSeries* s : series_) s->clear();
  xMax_ = 1;
  yMin_ = yMax_ = 0;
  addPoints(events_);
}

int LossChart::pointCount(int term) const { return series_.at(term)->count(); }

void LossChart::addPoints(const std::vector<quantcore::LossEvent>& events) {
  std::array<QList<QPointF>, kTerms> points;
  for (const quantcore::LossEvent& e : events) {
    if (block_ >= 0 && e.block != block_) continue;
    // Steps run epoch-major within a block; the all-blocks view lays the blocks end to end.
    const int64_t inBlock = e.epoch * nsamples_ + e.step;
    const double x = static_cast<double>((block_ >= 0 ? 0 : e.block * nsamples_ * epochs_) + inBlock);
    xMax_ = std::max(xMax_, x);
    for (int i = 0; i < kTerms; ++i) {
      const double v = term(e.loss, i);
      if (!(v > 0) || !std::isfinite(v)) continue;  // a switched-off term is 0: nothing on a log axis
      points[i].append(QPointF(x, v));
      yMin_ = yMin_ > 0 ? std::min(yMin_, v) : v;
      yMax_ = std::max(yMax_, v);
    }
  }
  for (int i = 0; i < kTerms; ++i)
    if (!points[i].isEmpty()) series_[i]->append(points[i]);
  fitAxes();
}

void LossChart::fitAxes() {
  x_->setRange(0, xMax_);
  x_->applyNiceNumbers();
  if (yMin_ > 0)
    y_->setRange(std::pow(10.0, std::floor(std::log10(yMin_))), std::pow(10.0, std::ceil(std::log10(yMax_ * 1.0001))));
  else
    y_->setRange(1e-3, 1);
}

}  // namespace widgets
