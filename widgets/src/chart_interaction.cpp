#include "widgets/chart_interaction.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QRubberBand>
#include <QWheelEvent>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "widgets/chart_axes.h"

namespace widgets {

namespace {
constexpr double kWheelStep = 0.8;  // range factor per wheel notch
constexpr int kMinBoxPixels = 4;
constexpr double kMinSpan = 1e-9;  // in axis units: keeps a zoom from collapsing an axis

QAbstractAxis* axisOf(const QChart& chart, Qt::Orientation o) {
  const QList<QAbstractAxis*> axes = chart.axes(o);
  return axes.isEmpty() ? nullptr : axes.first();
}
}  // namespace

ChartInteraction::ChartInteraction(QChartView* view) : QObject(view), view_(view) {
  band_ = new QRubberBand(QRubberBand::Rectangle, view->viewport());
  band_->hide();
  view->viewport()->setMouseTracking(true);
  view->viewport()->installEventFilter(this);
  view->installEventFilter(this);
}

QPointF ChartInteraction::toChart(QPointF viewportPos) const {
  return view_->chart()->mapFromScene(view_->mapToScene(viewportPos.toPoint()));
}

bool ChartInteraction::overPlot(QPointF viewportPos) const {
  return view_->chart()->plotArea().contains(toChart(viewportPos));
}

void ChartInteraction::zoomAbout(QPointF viewportPos, double factorX, double factorY) {
  QChart& chart = *view_->chart();
  const QRectF plot = chart.plotArea();
  const QPointF at = toChart(viewportPos);
  for (auto [o, factor, c] : {std::tuple{Qt::Horizontal, factorX, at.x()}, std::tuple{Qt::Vertical, factorY, at.y()}}) {
    QAbstractAxis* axis = axisOf(chart, o);
    if (!axis || factor == 1) continue;
    const auto [lo, hi] = axisUnitRange(*axis);
    const double pivot = chartToUnit(*axis, plot, c);
    const double f = std::max(factor, kMinSpan / std::max(hi - lo, kMinSpan));
    setAxisUnitRange(*axis, pivot - (pivot - lo) * f, pivot + (hi - pivot) * f);
  }
  Q_EMIT userChangedView();
}

void ChartInteraction::panByPixels(QPointF delta) {
  QChart& chart = *view_->chart();
  const QRectF plot = chart.plotArea();
  for (auto [o, d] : {std::pair{Qt::Horizontal, delta.x()}, std::pair{Qt::Vertical, delta.y()}}) {
    QAbstractAxis* axis = axisOf(chart, o);
    if (!axis || d == 0) continue;
    const double origin = o == Qt::Horizontal ? plot.left() : plot.top();
    const double shift = chartToUnit(*axis, plot, origin + d) - chartToUnit(*axis, plot, origin);
    const auto [lo, hi] = axisUnitRange(*axis);
    setAxisUnitRange(*axis, lo - shift, hi - shift);  // the content follows the mouse
  }
  Q_EMIT userChangedView();
}

void ChartInteraction::zoomToBox(const QRectF& viewportBox) {
  QChart& chart = *view_->chart();
  const QRectF plot = chart.plotArea();
  const QRectF box = QRectF(toChart(viewportBox.topLeft()), toChart(viewportBox.bottomRight())).normalized() & plot;
  const bool alongX = box.width() >= kMinBoxPixels, alongY = box.height() >= kMinBoxPixels;
  if (!alongX && !alongY) return;
  if (alongX)
    if (QAbstractAxis* x = axisOf(chart, Qt::Horizontal)) {
      const double a = chartToUnit(*x, plot, box.left()), b = chartToUnit(*x, plot, box.right());
      setAxisUnitRange(*x, std::min(a, b), std::max(a, b));
    }
  if (alongY)
    if (QAbstractAxis* y = axisOf(chart, Qt::Vertical)) {
      const double a = chartToUnit(*y, plot, box.bottom()), b = chartToUnit(*y, plot, box.top());
      setAxisUnitRange(*y, std::min(a, b), std::max(a, b));
    }
  Q_EMIT userChangedView();
}

bool ChartInteraction::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::KeyPress && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Home) {
    Q_EMIT resetRequested();
    return true;
  }
  if (watched != view_->viewport()) return false;
  switch (event->type()) {
    case QEvent::Wheel: {
      auto* wheel = static_cast<QWheelEvent*>(event);
      const QPoint angle = wheel->angleDelta();
      const double notches = (angle.y() != 0 ? angle.y() : angle.x()) / 120.0;
      if (notches == 0) return true;
      const double f = std::pow(kWheelStep, notches);
      const QPointF at = toChart(wheel->position());
      const QRectF plot = view_->chart()->plotArea();
      // Over the x axis (below the plot) or the y axis (left of it) only that axis zooms.
      const bool belowPlot = at.y() > plot.bottom() && at.x() >= plot.left() && at.x() <= plot.right();
      const bool leftOfPlot = at.x() < plot.left() && at.y() >= plot.top() && at.y() <= plot.bottom();
      if (plot.contains(at) || belowPlot || leftOfPlot)
        zoomAbout(wheel->position(), leftOfPlot ? 1 : f, belowPlot ? 1 : f);
      return true;
    }
    case QEvent::MouseButtonPress: {
      auto* mouse = static_cast<QMouseEvent*>(event);
      if (!overPlot(mouse->position())) return false;  // the legend takes its own clicks
      const bool box = mouse->button() == Qt::RightButton ||
                       (mouse->button() == Qt::LeftButton && (mouse->modifiers() & Qt::ShiftModifier));
      if (!box && mouse->button() != Qt::LeftButton) return false;
      drag_ = box ? Drag::Box : Drag::Pan;
      pressPos_ = mouse->position().toPoint();
      lastPos_ = mouse->position();
      if (box) {
        band_->setGeometry(QRect(pressPos_, QSize()));
        band_->show();
      } else {
        view_->viewport()->setCursor(Qt::ClosedHandCursor);
      }
      Q_EMIT hoverLeft();
      return true;
    }
    case QEvent::MouseMove: {
      auto* mouse = static_cast<QMouseEvent*>(event);
      if (drag_ == Drag::Pan) {
        panByPixels(mouse->position() - lastPos_);
        lastPos_ = mouse->position();
        return true;
      }
      if (drag_ == Drag::Box) {
        band_->setGeometry(QRect(pressPos_, mouse->position().toPoint()).normalized());
        return true;
      }
      if (overPlot(mouse->position()))
        Q_EMIT hovered(toChart(mouse->position()));
      else
        Q_EMIT hoverLeft();
      return false;
    }
    case QEvent::MouseButtonRelease: {
      if (drag_ == Drag::None) return false;
      auto* mouse = static_cast<QMouseEvent*>(event);
      if (drag_ == Drag::Box) {
        band_->hide();
        zoomToBox(QRectF(pressPos_, mouse->position()).normalized());
      } else {
        view_->viewport()->unsetCursor();
      }
      drag_ = Drag::None;
      return true;
    }
    case QEvent::MouseButtonDblClick: {
      auto* mouse = static_cast<QMouseEvent*>(event);
      if (mouse->button() != Qt::LeftButton || !overPlot(mouse->position())) return false;
      Q_EMIT resetRequested();
      return true;
    }
    case QEvent::Leave: Q_EMIT hoverLeft(); return false;
    default: return false;
  }
}

}  // namespace widgets
