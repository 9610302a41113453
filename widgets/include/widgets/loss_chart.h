#pragma once
// Live loss curves of a PTQ1.61 run (spec §5.1): one line per loss term (mse_fp, mse_q, nlc_fp,
// nlc_q, total) on a log-scale y axis, for one block or for all blocks one after another.
#include <QtCharts/QChartView>

#include <array>
#include <vector>

#include "quantcore/jobs/loss_events.h"

class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace widgets {

class LossChart : public QChartView {
  Q_OBJECT
public:
  static constexpr int kTerms = 5;
  static const std::array<const char*, kTerms>& termNames();

  explicit LossChart(QWidget* parent = nullptr);

  // Clears the curves; a block's steps are epochs x nsamples (the x positions in the all-blocks view).
  void reset(int64_t nsamples, int64_t epochs);
  void append(const std::vector<quantcore::LossEvent>& events);
  // -1: every block, one after another.
  void showBlock(int64_t block);
  int64_t shownBlock() const { return block_; }
  // Points drawn for `term` (index into termNames()).
  int pointCount(int term) const;
  int64_t eventCount() const { return static_cast<int64_t>(events_.size()); }

private:
  void addPoints(const std::vector<quantcore::LossEvent>& events);
  void fitAxes();

  std::vector<quantcore::LossEvent> events_;
  std::array<QLineSeries*, kTerms> series_{};
  QValueAxis* x_;
  QLogValueAxis* y_;
  int64_t nsamples_ = 1, epochs_ = 1;
  int64_t block_ = -1;
  double xMax_ = 1, yMin_ = 0, yMax_ = 0;
};

}  // namespace widgets
