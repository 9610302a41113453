#pragma once
// Mouse and keyboard navigation for any QChartView with value or log axes, as in PlotJuggler or
// matplotlib: the wheel zooms about the cursor (over an axis, along that axis only), a left drag
// pans, a right drag or Shift+left drag zooms to the box, a double click or Home asks for the
// default view (the owner decides what that is). Hovering over the plot area reports the
// position under the cursor.
#include <QObject>
#include <QPoint>
#include <QPointF>
#include <QRectF>

class QChartView;
class QRubberBand;

namespace widgets {

class ChartInteraction : public QObject {
  Q_OBJECT
public:
  // Watches `view` and its viewport; owned by the view.
  explicit ChartInteraction(QChartView* view);

  // A factor below 1 zooms in; the point under `viewportPos` stays where it is.
  void zoomAbout(QPointF viewportPos, double factorX, double factorY);
  void panByPixels(QPointF delta);
  // The axes take the range the box covers; a box thinner than a few pixels in one direction
  // zooms along the other only.
  void zoomToBox(const QRectF& viewportBox);

Q_SIGNALS:
  void userChangedView();  // after a zoom or pan by the user
  void resetRequested();
  void hovered(QPointF chartPos);  // chart coordinates, inside the plot area
  void hoverLeft();

protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

private:
  enum class Drag { None, Pan, Box };
  QPointF toChart(QPointF viewportPos) const;
  bool overPlot(QPointF viewportPos) const;

  QChartView* view_;
  QRubberBand* band_;
  Drag drag_ = Drag::None;
  QPoint pressPos_;
  QPointF lastPos_;
};

}  // namespace widgets
