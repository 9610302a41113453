#include "widgets/hover_readout.h"

#include <QBrush>
#include <QFont>
#include <QGraphicsEllipseItem>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsTextItem>
#include <QPen>
#include <QTextDocument>
#include <QtCharts/QChart>

#include <algorithm>

namespace widgets {

namespace {
constexpr double kZ = 20;  // above the legend and everything Qt Charts draws
constexpr double kGap = 14;
constexpr double kDotRadius = 3;
}  // namespace

HoverReadout::HoverReadout(QChart* chart) : QObject(chart), chart_(chart) {
  line_ = new QGraphicsLineItem(chart);
  QPen dashed(QColor(80, 80, 80, 160), 1, Qt::DashLine);
  dashed.setCosmetic(true);
  line_->setPen(dashed);
  line_->setZValue(kZ);
  box_ = new QGraphicsRectItem(chart);
  box_->setBrush(QColor(255, 255, 255, 235));
  box_->setPen(QPen(QColor(160, 160, 160), 1));
  box_->setZValue(kZ + 1);
  text_ = new QGraphicsTextItem(box_);
  QFont small = chart->font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  text_->setFont(small);
  text_->document()->setDocumentMargin(4);
  hide();
}

bool HoverReadout::isShown() const { return box_->isVisible(); }

void HoverReadout::hide() {
  line_->hide();
  box_->hide();
  for (QGraphicsEllipseItem* d : dots_) d->hide();
}

void HoverReadout::show(double x, QPointF cursor, const QString& html,
                        const std::vector<std::pair<QPointF, QColor>>& dots) {
  const QRectF plot = chart_->plotArea();
  line_->setLine(x, plot.top(), x, plot.bottom());
  line_->show();
  while (dots_.size() < dots.size()) {
    auto* d = new QGraphicsEllipseItem(-kDotRadius, -kDotRadius, 2 * kDotRadius, 2 * kDotRadius, chart_);
    d->setZValue(kZ);
    dots_.push_back(d);
  }
  for (size_t i = 0; i < dots_.size(); ++i) {
    const bool used = i < dots.size() && plot.contains(dots[i].first);
    dots_[i]->setVisible(used);
    if (!used) continue;
    dots_[i]->setPos(dots[i].first);
    dots_[i]->setBrush(dots[i].second);
    dots_[i]->setPen(QPen(Qt::white, 1));
  }
  text_->setHtml(html);
  const QSizeF size = text_->boundingRect().size();
  box_->setRect(0, 0, size.width(), size.height());
  // Right of the cursor unless that leaves the plot; vertically clamped into it.
  double left = cursor.x() + kGap;
  if (left + size.width() > plot.right()) left = cursor.x() - kGap - size.width();
  left = std::max(left, plot.left());
  const double top =
      std::clamp(cursor.y() - size.height() / 2, plot.top(), std::max(plot.top(), plot.bottom() - size.height()));
  box_->setPos(left, top);
  box_->show();
}

}  // namespace widgets
