#pragma once
// The optimisation panel (view `optimise`): a method from the registry with its settings form
// (defaults from the method's parameter table; the salient ratio is the session's), Start and
// Cancel, live loss curves per block (with the curves of runs checked in the Runs view overlaid),
// a block progress list with ETA, and perplexity of the current run beside the FP model's on a
// chosen text. Every run joins the session's run list; the finished one becomes the current run.
#include <QWidget>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "quantcore/jobs/loss_events.h"
#include "widgets/optimisation_run.h"
#include "widgets/run_record.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace quantcore::quantize {
struct QuantizeResult;
}

namespace widgets {

class StudioSession;
class OptimisationRun;
class LossChart;
class MethodSettingsForm;

class OptimisePanel : public QWidget {
  Q_OBJECT
public:
  OptimisePanel(StudioSession& session, QWidget* parent = nullptr);

  void setTextPath(const QString& path);
  void setCalibration(qint64 nsamples, qint64 seqlen, quint64 seed);
  void setEpochs(qint64 epochs);
  // Scripted mode: starts a run when the session's calibration finishes; failures go to `fail`.
  void runOnceCalibrated(std::function<void(const QString&)> fail);
  // False while a scripted run has not finished.
  bool pictureReady() const;
  OptimisationRun& run() { return *run_; }
  LossChart& chart() { return *chart_; }

public Q_SLOTS:
  void start();
  void cancel();
  void evaluatePerplexity();

private:
  QString startProblem() const;
  void endRun(RunStatus status, const QString& message);
  void followModel();
  void showOverlays();
  void showPerplexity(double ppl, qint64 windows, const QString& kernels, double fpPpl);
  void exportChartDialog();
  void jobEnded();
  void setRunning(bool running);
  void onLosses(const std::vector<quantcore::LossEvent>& events);
  void refreshProgress();
  void resetBlocks(int64_t blocks);

  StudioSession& session_;
  OptimisationRun* run_;
  LossChart* chart_;
  QLineEdit *text_, *pplText_;
  void showMethod();
  void followSessionRatio();

  QSpinBox *nsamples_, *seqlen_, *seed_, *pplSeqlen_, *pplWindows_;
  QProgressBar* pplProgress_;
  QLabel* startReason_;
  int runId_ = 0;  // the running run's row in the session's run list
  std::vector<quantcore::LossEvent> liveEvents_;
  std::map<QString, double> fpPerplexity_;  // the FP baseline per (model, text, seqlen, windows)
  PerplexityRequest pplRequest_;  // what the running (or last) evaluation was asked
  int pplRunId_ = 0;              // the run it evaluates
  int liveRunId_ = 0;             // the run the live curves show (also once it ended)
  bool modelPending_ = false;     // a model opened while a job ran; the panel follows when it ends
  QComboBox *method_, *blockChoice_, *pplKernels_;
  MethodSettingsForm* form_;
  QPushButton *start_, *cancel_, *ppl_;
  QTreeWidget* blockList_;
  std::vector<QTreeWidgetItem*> blockItems_;  // by block
  QLabel *status_, *pplResult_;
  QTimer* poll_;
  bool optimising() const { return runId_ != 0; }  // the run (not its perplexity) is in progress
  bool scriptedRun_ = false;
  std::vector<int64_t> blockSteps_;
  std::vector<double> blockLastLoss_;
};

}  // namespace widgets
