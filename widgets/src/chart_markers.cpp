#include "widgets/chart_markers.h"

#include <QFont>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QPen>
#include <QtCharts/QChart>
#include <QtCharts/QValueAxis>

#include <algorithm>

#include "widgets/chart_axes.h"

namespace widgets {

namespace {
// Qt Charts stacks its items by z: grid 2, axes 3, series 4, legend 5. Lines sit on the grid,
// labels above the curves.
constexpr double kLineZ = 2.5;
constexpr double kLabelZ = 4.5;
constexpr double kLabelPad = 3;
}  // namespace

ChartMarkers::ChartMarkers(QChart* chart, QValueAxis* x) : QObject(chart), chart_(chart), x_(x) {
  connect(x_, &QValueAxis::rangeChanged, this, &ChartMarkers::layout);
  connect(chart_, &QChart::plotAreaChanged, this, &ChartMarkers::layout);
}

void ChartMarkers::setSegments(std::vector<ChartSegment> segments) {
  segments_ = std::move(segments);
  const size_t lines = segments_.empty() ? 0 : segments_.size() - 1;
  while (lines_.size() > lines) {
    delete lines_.back();
    lines_.pop_back();
  }
  while (lines_.size() < lines) {
    auto* line = new QGraphicsLineItem(chart_);
    QPen pen(QColor(120, 120, 120, 110), 1);
    pen.setCosmetic(true);
    line->setPen(pen);
    line->setZValue(kLineZ);
    lines_.push_back(line);
  }
  while (labels_.size() > segments_.size()) {
    delete labels_.back();
    labels_.pop_back();
  }
  QFont small = chart_->font();
  small.setPointSizeF(small.pointSizeF() * 0.75);
  while (labels_.size() < segments_.size()) {
    auto* label = new QGraphicsSimpleTextItem(chart_);
    label->setFont(small);
    label->setBrush(QColor(90, 90, 90));
    label->setZValue(kLabelZ);
    labels_.push_back(label);
  }
  layout();
}

int ChartMarkers::visibleLabelCount() const {
  return int(std::count_if(labels_.begin(), labels_.end(), [](auto* l) { return l->isVisible(); }));
}

void ChartMarkers::layout() {
  const QRectF plot = chart_->plotArea();
  auto xAt = [&](double v) { return unitToChart(*x_, plot, v); };
  for (size_t i = 0; i < lines_.size(); ++i) {
    const double x = xAt(segments_[i + 1].start);
    const bool inside = x > plot.left() && x < plot.right();
    lines_[i]->setVisible(inside);
    if (inside) lines_[i]->setLine(x, plot.top(), x, plot.bottom());
  }
  for (size_t i = 0; i < labels_.size(); ++i) {
    // The visible part of the segment; its label goes at the left end of that part.
    const double from = std::max(plot.left(), xAt(segments_[i].start));
    const double to = std::min(plot.right(), i + 1 < segments_.size() ? xAt(segments_[i + 1].start) : plot.right());
    QGraphicsSimpleTextItem* label = labels_[i];
    bool shown = false;
    for (const QString& text : {segments_[i].label, segments_[i].shortLabel}) {
      label->setText(text);
      if (!text.isEmpty() && label->boundingRect().width() + 2 * kLabelPad <= to - from) {
        shown = true;
        break;
      }
    }
    label->setVisible(shown);
    if (shown) label->setPos(from + kLabelPad, plot.top() + 1);
  }
}

}  // namespace widgets
