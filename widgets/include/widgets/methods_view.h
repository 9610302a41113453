#pragma once
// The method comparison (view `methods`): methods with their settings in a list, one shared
// calibration, one evaluation (perplexity on a text, optionally a zero-shot task, per-layer
// output errors); Run all runs them one after the other off the GUI thread
// (analysis/compare_job.h) and the table, the scatter of perplexity against stored bits per
// weight and the layers x methods heatmap of relative output errors fill in as rows finish.
// Every row joins the session's run list as a run of kind "compare"; Cancel keeps the finished
// rows. The table exports as CSV and Markdown, the whole comparison as the directory `quantlens
// compare --out` writes, which opens again here and in File > Open run.
#include <QWidget>

#include <functional>
#include <vector>

#include "analysis/compare_job.h"
#include "widgets/heatmap_figure.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;

namespace widgets {

class ComparisonRun;
class HeatmapCanvas;
class MethodListEditor;
class MethodsTableModel;
class ProgressBarFeed;
class ScatterChart;
class StudioSession;

class MethodsView : public QWidget {
  Q_OBJECT
public:
  explicit MethodsView(StudioSession& session, QWidget* parent = nullptr);

  MethodListEditor& methodList() { return *list_; }
  ComparisonRun& run() { return *run_; }
  ScatterChart& scatter() { return *scatter_; }
  HeatmapCanvas& heatmap() { return *heatmap_; }
  QTableView& table() { return *table_; }
  // What the view shows: the finished rows (without their stored forms, which the run list
  // keeps), the FP baseline once the job has ended.
  const analysis::CompareResult& result() const { return result_; }

  void setCalibration(const QString& text, qint64 nsamples, qint64 seqlen, quint64 seed);
  void setEvaluation(const QString& text, qint64 seqlen, qint64 maxWindows);
  // Scripted mode: runs the comparison once the model is open (and calibrated, when
  // `afterCalibration`); failures go to `fail`.
  void runOnceReady(std::function<void(const QString&)> fail, bool afterCalibration);
  // False while a scripted comparison has not ended.
  bool pictureReady() const;

  // The table as compare.csv (`.csv`) or compare.md (`.md`) of `quantlens compare`.
  bool exportTable(const QString& path, QString& error) const;
  // The directory `quantlens compare --out` writes; `force` replaces one QuantLens wrote.
  bool saveComparison(const QString& directory, bool force, QString& error) const;
  // Shows the comparison saved in `directory` and adds its rows to the run list.
  bool openComparison(const QString& directory, QString& error);
  // The heatmap as a figure, the methods named on its column axis.
  bool exportLayerErrorFigure(const QString& path, QString& error, const FigureOptions& options = {}) const;

public Q_SLOTS:
  void start();
  void cancel();

Q_SIGNALS:
  void rowAdded(int index);
  void comparisonEnded();

private:
  QWidget* makeSettings();
  QWidget* makeResults();
  QString startProblem() const;
  void setRunning(bool running);
  void followModel();
  void clearResults(const QString& task, bool norm);
  void addRow(const analysis::CompareRow& row);
  void showBaseline();
  void showHeatmap();
  void onMethodStarted(int index);
  void onRowFinished(int index, const analysis::CompareRow& row);
  void onFinished(const analysis::CompareResult& result);
  void onFailed(const QString& message);
  void exportTableDialog(const QString& suffix);
  void saveComparisonDialog();
  void openComparisonDialog();
  void exportChartDialog();
  void exportFigureDialog();

  StudioSession& session_;
  ComparisonRun* run_;
  analysis::CompareRequest request_;  // of the running (or last) comparison
  analysis::CompareResult result_;
  std::vector<int> runIds_;  // per method of the request: its row in the run list (0: not started)
  QString pplTextPath_;

  MethodListEditor* list_;
  QLineEdit *calibText_, *pplText_, *taskData_;
  QSpinBox *nsamples_, *seqlen_, *seed_, *pplSeqlen_, *pplWindows_, *taskLimit_;
  QComboBox* task_;
  QCheckBox *layerErrors_, *heatmapLog_;
  QPushButton *runAll_, *cancel_;
  QProgressBar* progress_;
  ProgressBarFeed* feed_;
  QLabel *status_, *reason_, *legend_;
  MethodsTableModel* model_;
  QSortFilterProxyModel* sorted_;
  QTableView* table_;
  ScatterChart* scatter_;
  HeatmapCanvas* heatmap_;

  bool modelPending_ = false;  // a model opened while a comparison ran
  bool scripted_ = false, scriptedEnded_ = false;
};

}  // namespace widgets
