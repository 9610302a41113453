#pragma once
// Thin vertical lines between consecutive segments of a chart's x axis (blocks, epochs), each
// segment named by a small label at its start where the segment is wide enough on screen. The
// lines follow zoom, pan and resizes.
#include <QObject>
#include <QString>

#include <vector>

class QChart;
class QGraphicsLineItem;
class QGraphicsSimpleTextItem;
class QValueAxis;

namespace widgets {

struct ChartSegment {
  double start = 0;    // x where the segment begins
  QString label;       // e.g. "block 3"
  QString shortLabel;  // e.g. "3", used when the label does not fit
};

class ChartMarkers : public QObject {
  Q_OBJECT
public:
  ChartMarkers(QChart* chart, QValueAxis* x);

  // Ascending starts; a line goes at every start but the first.
  void setSegments(std::vector<ChartSegment> segments);
  const std::vector<ChartSegment>& segments() const { return segments_; }
  int lineCount() const { return static_cast<int>(lines_.size()); }
  // Labels shown now (after the last layout).
  int visibleLabelCount() const;

private:
  void layout();

  QChart* chart_;
  QValueAxis* x_;
  std::vector<ChartSegment> segments_;
  std::vector<QGraphicsLineItem*> lines_;
  std::vector<QGraphicsSimpleTextItem*> labels_;
};

}  // namespace widgets
