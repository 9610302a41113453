#pragma once
// Live loss curves of a PTQ1.61 run (spec §5.1): one line per loss term (mse_fp, mse_q, nlc_fp,
// nlc_q, total) on a log-scale y axis, for one block or for all blocks one after another, with
// other runs overlaid in one chosen term. A plot to query: hover read-out, wheel zoom, drag pan,
// box zoom (ChartInteraction), block or epoch markers, TensorBoard smoothing, PNG/SVG/PDF and
// CSV export.
#include <QColor>
#include <QString>
#include <QtCharts/QChartView>

#include <array>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "quantcore/jobs/loss_events.h"
#include "widgets/ema_smoothing.h"

class QAbstractSeries;
class QLineSeries;
class QPen;
class QCategoryAxis;
class QValueAxis;

namespace widgets {

class ChartInteraction;
class ChartMarkers;
class HoverReadout;

struct LossCurveRun {  // a finished or running run's curves
  QString label;       // e.g. "#2 ptq161 r=0.2"
  std::vector<quantcore::LossEvent> events;
  int64_t nsamples = 1, epochs = 1;
};

class LossChart : public QChartView {
  Q_OBJECT
public:
  static constexpr int kTerms = 5;
  static const std::array<const char*, kTerms>& termNames();

  explicit LossChart(QWidget* parent = nullptr);
  ~LossChart() override;

  // Clears the curves; a block's steps are epochs x nsamples (the x positions in the all-blocks view).
  void reset(int64_t nsamples, int64_t epochs);
  void append(const std::vector<quantcore::LossEvent>& events);
  // -1: every block, one after another. Applies to the overlays too.
  void showBlock(int64_t block);
  int64_t shownBlock() const { return block_; }
  // Points drawn for `term` (index into termNames()).
  int pointCount(int term) const;
  int64_t eventCount() const { return static_cast<int64_t>(live_.events.size()); }
  // The live run's name in the CSV export (default "current").
  void setRunLabel(const QString& label) { live_.label = label; }

  // Other runs, drawn with the live run in one term each, dashed and in their own colours.
  void setOverlays(std::vector<LossCurveRun> runs);
  // Which loss term (index into termNames(), default total) the overlays draw.
  void setOverlayTerm(int term);
  int overlayTerm() const { return overlayTerm_; }
  int overlayCount() const { return static_cast<int>(overlays_.size()); }

  // TensorBoard's debiased exponential moving average with weight w in [0, 1) on every drawn
  // curve, the raw curves faint behind; 0 draws the raw values. Each block is smoothed on its own.
  void setSmoothing(double w);
  double smoothing() const { return smoothing_; }

  // Tight axes (x from the first to the last step shown, y the data's range with a 5 % margin in
  // log space), following new points again until the next zoom or pan.
  void resetZoom();
  // Axis ranges in data units (steps; loss).
  std::pair<double, double> xRange() const;
  std::pair<double, double> yRange() const;
  // The line drawn for `term` (smoothed when smoothing is on), in data units.
  std::vector<QPointF> drawnPoints(int term) const;
  // Vertical lines at block boundaries (all-blocks view) or epoch boundaries (one block).
  int markerCount() const;
  // The hover read-out as plain text; empty while none is shown.
  QString hoverText() const { return hoverText_; }

  // PNG, SVG or PDF by the suffix; the chart as drawn now, without the hover read-out.
  bool exportImage(const QString& path, QString& error);
  // One row per drawn step of the live run and the overlays, raw values:
  // run, block, epoch, step, x, mse_fp, mse_q, nlc_fp, nlc_q, total.
  bool exportCsv(const QString& path, QString& error);

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  struct Curve {  // one loss term of one run: the drawn line and the faint raw line behind it
    int term = 0;
    QLineSeries* line = nullptr;
    QLineSeries* raw = nullptr;
    DebiasedEma ema;
    int64_t emaBlock = -1;
    std::vector<double> drawn;  // per shown step: the line's value, 0 where the term is off
  };
  struct DrawnRun {
    QString label;
    std::vector<quantcore::LossEvent> events;
    int64_t nsamples = 1, epochs = 1;
    std::vector<double> shownX;      // the events in the current view, in drawing order
    std::vector<size_t> shownEvent;  // their indices into `events`
    bool shownAscending = true;
    int64_t lastBlock = -1, lastEpoch = -1;  // highest seen in the view, for the markers
    std::vector<Curve> curves;
  };

  struct CurveStyle {
    int term;
    QColor colour;
    Qt::PenStyle style;
    double width;
    QString name;
  };

  QLineSeries* addSeries(const QString& name, const QPen& pen);
  void addCurves(DrawnRun& run, const std::vector<CurveStyle>& styles);
  void dropCurves(DrawnRun& run);
  void updateYTitle();
  std::vector<DrawnRun*> runs();
  std::vector<const DrawnRun*> runs() const;
  const Curve* curveOf(const QAbstractSeries* series) const;
  static std::optional<size_t> nearestShown(const DrawnRun& run, double x);
  void clearDrawn(DrawnRun& run);
  void addPoints(DrawnRun& run, size_t from);
  void redraw();
  void updateMarkers();
  void fitAxes();
  void updateXTicks();
  void updateYTicks();
  void updateLegend();
  void toggleCurve(QLineSeries* line);
  void onHover(QPointF chartPos);
  void hideHover();
  QString csvText() const;

  DrawnRun live_;
  std::vector<DrawnRun> overlays_;
  int overlayTerm_ = kTerms - 1;
  double smoothing_ = 0;
  int64_t block_ = -1;
  bool follow_ = true;                                // axes track the data until the user zooms or pans
  double xMin_ = 0, xMax_ = 0, yMin_ = 0, yMax_ = 0;  // data extent in the view; yMin_ 0: none yet
  bool haveX_ = false;
  QValueAxis* x_;
  QCategoryAxis* y_;  // log10 of the loss, labelled with the loss (see log_axis_ticks.h)
  ChartInteraction* interaction_;
  ChartMarkers* markers_;
  HoverReadout* readout_;
  QString hoverText_;
};

}  // namespace widgets
