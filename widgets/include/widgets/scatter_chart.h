#pragma once
// A labelled scatter plot on a linear x and a log-scale y axis (the Methods view's perplexity
// against stored bits per weight): one coloured point per entry with its label beside it (moved
// a line at a time until it overlaps no other label), an optional dashed horizontal baseline with
// its own label (the FP model's perplexity), and the chart tools of the loss chart: hover
// read-out of the nearest point, wheel zoom, drag pan, box zoom, Home or double-click for tight
// axes (ChartInteraction), PNG/SVG/PDF and CSV export.
#include <QColor>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QtCharts/QChartView>

#include <optional>
#include <utility>
#include <vector>

class QCategoryAxis;
class QGraphicsLineItem;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace widgets {

class ChartInteraction;
class HoverReadout;

struct ScatterPoint {
  QString label;
  double x = 0;
  double y = 0;  // > 0 (log axis); others are listed in the CSV but not drawn
};

struct ScatterBaseline {
  QString label;  // "FP"
  double y = 0;
};

class ScatterChart : public QChartView {
  Q_OBJECT
public:
  explicit ScatterChart(QWidget* parent = nullptr);
  ~ScatterChart() override;

  void setTitles(const QString& title, const QString& xTitle, const QString& yTitle);
  // The CSV's header: the label's, x's and y's column names.
  void setCsvColumns(const QStringList& columns) { csvColumns_ = columns; }

  void clear();
  void addPoint(ScatterPoint point);
  void setBaseline(std::optional<ScatterBaseline> baseline);
  const std::vector<ScatterPoint>& points() const { return points_; }
  const std::optional<ScatterBaseline>& baseline() const { return baseline_; }
  // Points drawn (a point with a non-positive or non-finite y is not).
  int drawnPointCount() const;
  // Where the point labels (and the baseline's) are drawn, in chart coordinates.
  std::vector<QRectF> labelRects() const;
  // Point `i` in viewport coordinates (for the hover read-out).
  QPointF pointPosition(size_t i) const;
  // The hover read-out as plain text; empty while none is shown.
  QString hoverText() const { return hoverText_; }

  // Tight axes around the points and the baseline, following new points until the next zoom or pan.
  void resetZoom();
  std::pair<double, double> xRange() const;
  std::pair<double, double> yRange() const;  // in y's units (not its logarithm)

  // PNG, SVG or PDF by the suffix: the chart as drawn now, without the hover read-out.
  bool exportImage(const QString& path, QString& error);
  // One row per point (label, x, y), the baseline last with an empty x.
  bool exportCsv(const QString& path, QString& error);

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  struct Drawn {
    QScatterSeries* series = nullptr;
    QGraphicsSimpleTextItem* label = nullptr;
    QGraphicsLineItem* leader = nullptr;  // from the point to a label moved off it
  };

  static bool drawable(const ScatterPoint& p);
  static std::vector<double> yTicks(double lo, double hi, int maxTicks);
  void spanBaseline();
  void fitAxes();
  void updateXTicks();
  void updateYTicks();
  void placeLabels();
  void onHover(QPointF chartPos);
  void hideHover();
  QPointF chartPosition(double x, double y) const;

  std::vector<ScatterPoint> points_;
  std::vector<Drawn> drawn_;
  std::optional<ScatterBaseline> baseline_;
  QLineSeries* baselineSeries_;
  QGraphicsSimpleTextItem* baselineLabel_;
  QStringList csvColumns_ = {"label", "x", "y"};
  bool follow_ = true;
  QValueAxis* x_;
  QCategoryAxis* y_;  // log10 of y, labelled with y (see log_axis_ticks.h)
  ChartInteraction* interaction_;
  HoverReadout* readout_;
  QString hoverText_;
};

}  // namespace widgets
