#pragma once
// The optimisation panel (view `optimise`): PTQ1.61 settings with defaults from the spec, Start
// and Cancel, live loss curves per block, a block progress list with ETA, and perplexity of
// the result on a chosen text.
#include <QWidget>

#include <vector>

#include "quantcore/optimize/events.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace widgets {

class StudioSession;
class OptimisationRun;
class LossChart;

class OptimisePanel : public QWidget {
  Q_OBJECT
public:
  OptimisePanel(StudioSession& session, QWidget* parent = nullptr);

  void setTextPath(const QString& path);
  void setCalibration(qint64 nsamples, qint64 seqlen, quint64 seed);
  void setEpochs(qint64 epochs);
  OptimisationRun& run() { return *run_; }
  LossChart& chart() { return *chart_; }

public Q_SLOTS:
  void start();
  void cancel();
  void evaluatePerplexity();

private:
  void setRunning(bool running);
  void onLosses(const std::vector<quantcore::LossEvent>& events);
  void refreshProgress();
  void resetBlocks(int64_t blocks);

  StudioSession& session_;
  OptimisationRun* run_;
  LossChart* chart_;
  QLineEdit *text_, *pplText_;
  QSpinBox *nsamples_, *seqlen_, *seed_, *epochs_, *pplSeqlen_;
  QDoubleSpinBox *ratio_, *lrAlpha_, *lrR_;
  QComboBox *maskStat_, *blockChoice_;
  QCheckBox* learn_;
  QPushButton *start_, *cancel_, *ppl_;
  QTreeWidget* blockList_;
  QLabel *status_, *pplResult_;
  QTimer* poll_;
  bool optimising_ = false;  // the run (not its perplexity) is in progress
  std::vector<int64_t> blockSteps_;
  std::vector<double> blockLastLoss_;
};

}  // namespace widgets
