#pragma once
// The read-out under the cursor of a chart: a dashed vertical line through the hovered x, a dot
// on each curve there, and a box of rich text beside the cursor that stays inside the plot area.
#include <QColor>
#include <QObject>
#include <QPointF>
#include <QString>

#include <utility>
#include <vector>

class QChart;
class QGraphicsEllipseItem;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsTextItem;

namespace widgets {

class HoverReadout : public QObject {
  Q_OBJECT
public:
  explicit HoverReadout(QChart* chart);

  // `x` is the hovered point's chart x, `cursor` the mouse; dots in chart coordinates.
  void show(double x, QPointF cursor, const QString& html, const std::vector<std::pair<QPointF, QColor>>& dots);
  void hide();
  bool isShown() const;

private:
  QChart* chart_;
  QGraphicsLineItem* line_;
  QGraphicsRectItem* box_;
  QGraphicsTextItem* text_;
  std::vector<QGraphicsEllipseItem*> dots_;
};

}  // namespace widgets
