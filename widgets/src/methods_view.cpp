#include "widgets/methods_view.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "analysis/compare_report.h"
#include "analysis/zero_shot_task.h"
#include "widgets/chart_export.h"
#include "widgets/compare_run_kind.h"
#include "widgets/comparison_run.h"
#include "widgets/figure_options_dialog.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/layer_error_heatmap.h"
#include "widgets/method_list_editor.h"
#include "widgets/methods_table_model.h"
#include "widgets/number_format.h"
#include "widgets/progress_bar_feed.h"
#include "widgets/run_list.h"
#include "widgets/save_names.h"
#include "widgets/scatter_chart.h"
#include "widgets/studio_inputs.h"
#include "widgets/studio_session.h"
#include "widgets/table_csv.h"
#include "widgets/views.h"

namespace widgets {

namespace {

QSpinBox* spin(QWidget* parent, const char* name, int lo, int hi, int value, const QString& tip) {
  auto* s = new QSpinBox(parent);
  s->setObjectName(name);
  s->setRange(lo, hi);
  s->setValue(value);
  s->setToolTip(tip);
  return s;
}

QPushButton* button(QWidget* parent, const QString& text, const char* name, const QString& tip) {
  auto* b = new QPushButton(text, parent);
  b->setObjectName(name);
  b->setToolTip(tip);
  return b;
}

QLineEdit* textField(QWidget* parent, const char* name, const QString& text, const QString& tip) {
  auto* e = new QLineEdit(text, parent);
  e->setObjectName(name);
  e->setToolTip(tip);
  return e;
}

// A heading and a form, the settings panel's sections.
QFormLayout* section(QVBoxLayout& into, QWidget* parent, const QString& title) {
  auto* box = new QGroupBox(title, parent);
  auto* form = new QFormLayout(box);
  into.addWidget(box);
  return form;
}

const analysis::ZeroShotTask* chosenTask(const QComboBox& combo) {
  return analysis::find_zero_shot_task(combo.currentData().toString().toStdString());
}

}  // namespace

MethodsView::MethodsView(StudioSession& session, QWidget* parent)
    : QWidget(parent), session_(session), run_(new ComparisonRun(this)) {
  QWidget* settings = makeSettings();
  QWidget* results = makeResults();
  auto* split = new QSplitter(this);
  split->addWidget(settings);
  split->addWidget(results);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  feed_ = new ProgressBarFeed(run_->progress(), tr("{stage}: %v of %m"), this);
  feed_->setBar(progress_);
  connect(runAll_, &QPushButton::clicked, this, &MethodsView::start);
  connect(cancel_, &QPushButton::clicked, this, &MethodsView::cancel);
  connect(run_, &ComparisonRun::methodStarted, this, &MethodsView::onMethodStarted);
  connect(
      run_, &ComparisonRun::fpEvaluated, this,
      [this](const analysis::PerplexityResult& perplexity, const std::optional<analysis::ZeroShotResult>& accuracy) {
        result_.fp_perplexity = perplexity;
        result_.fp_accuracy = accuracy;
        showBaseline();
      });
  connect(run_, &ComparisonRun::rowFinished, this, &MethodsView::onRowFinished);
  connect(run_, &ComparisonRun::finished, this, &MethodsView::onFinished);
  connect(run_, &ComparisonRun::failed, this, &MethodsView::onFailed);
  connect(&session_, &StudioSession::modelOpened, this, &MethodsView::followModel);
  connect(list_, &MethodListEditor::changed, this, [this] { setRunning(run_->running()); });
  for (QLineEdit* e : {calibText_, pplText_, taskData_})
    connect(e, &QLineEdit::textChanged, this, [this] { setRunning(run_->running()); });
  connect(task_, &QComboBox::currentIndexChanged, this, [this] { setRunning(run_->running()); });
  setRunning(false);
}

QWidget* MethodsView::makeSettings() {
  auto* content = new QWidget(this);
  auto* column = new QVBoxLayout(content);
  column->setContentsMargins(0, 0, 4, 0);

  auto* methods = new QGroupBox(tr("Methods"), content);
  list_ = new MethodListEditor(methods);
  auto* methodsLayout = new QVBoxLayout(methods);
  methodsLayout->addWidget(list_);
  column->addWidget(methods);

  const quantcore::CalibrationOptions calib = studioCalibrationDefaults();
  QFormLayout* calibration = section(*column, content, tr("Calibration (shared)"));
  calibText_ = textField(content, "methodsCalibText", shippedCalibrationText(),
                         tr("The text every method's calibration windows are drawn from (the same windows for all)"));
  nsamples_ = spin(content, "methodsNsamples", 1, 4096, int(calib.nsamples), tr("calibration windows"));
  seqlen_ = spin(content, "methodsSeqlen", 2, 32768, int(calib.seqlen), tr("tokens per calibration window"));
  seed_ = spin(content, "methodsSeed", 0, 1 << 30, int(calib.seed), tr("seed of the windows' positions"));
  calibration->addRow(tr("text"), calibText_);
  calibration->addRow(tr("nsamples"), nsamples_);
  calibration->addRow(tr("seqlen"), seqlen_);
  calibration->addRow(tr("seed"), seed_);

  QFormLayout* evaluation = section(*column, content, tr("Evaluation"));
  pplText_ = textField(content, "methodsPplText", shippedCalibrationText(),
                       tr("The text perplexity is measured on, the same windows for every method and the FP model"));
  pplSeqlen_ = spin(content, "methodsPplSeqlen", 2, 32768, int(calib.seqlen), tr("tokens per perplexity window"));
  pplWindows_ =
      spin(content, "methodsPplWindows", 0, 1 << 20, 32, tr("evaluate only the first N windows of the text (0: all)"));
  pplWindows_->setSpecialValueText(tr("all"));
  layerErrors_ = new QCheckBox(tr("per-layer output errors"), content);
  layerErrors_->setObjectName("methodsLayerErrors");
  layerErrors_->setChecked(true);
  layerErrors_->setToolTip(tr("|(W - W')X| / |WX| of every linear, X from the first (at most 16) perplexity windows"));
  evaluation->addRow(tr("text"), pplText_);
  evaluation->addRow(tr("seqlen"), pplSeqlen_);
  evaluation->addRow(tr("windows"), pplWindows_);
  evaluation->addRow(layerErrors_);

  QFormLayout* zeroShot = section(*column, content, tr("Zero-shot task (optional)"));
  task_ = new QComboBox(content);
  task_->setObjectName("methodsTask");
  task_->addItem(tr("none"), QString());
  for (const analysis::ZeroShotTask& t : analysis::zero_shot_tasks()) {
    task_->addItem(QString::fromUtf8(t.name), QString::fromUtf8(t.name));
    task_->setItemData(task_->count() - 1, QString("%1 (%2)").arg(t.summary, t.data), Qt::ToolTipRole);
  }
  taskData_ = textField(content, "methodsTaskData", {}, tr("The task's file (see quantlens eval --help)"));
  auto* browse = new QToolButton(content);
  browse->setText("...");
  browse->setToolTip(tr("Choose the task's file"));
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Zero-shot task data"));
    if (!path.isEmpty()) taskData_->setText(path);
  });
  auto* dataRow = new QHBoxLayout;
  dataRow->addWidget(taskData_, 1);
  dataRow->addWidget(browse);
  taskLimit_ = spin(content, "methodsTaskLimit", 0, 1 << 24, 0, tr("the first N items only (0: all)"));
  taskLimit_->setSpecialValueText(tr("all"));
  zeroShot->addRow(tr("task"), task_);
  zeroShot->addRow(tr("file"), dataRow);
  zeroShot->addRow(tr("items"), taskLimit_);
  column->addStretch(1);

  // The settings scroll when the window is short: they never make the window taller.
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName("methodsSettingsScroll");
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(250);
  scroll->setMaximumWidth(320);  // the results take the rest
  return scroll;
}

QWidget* MethodsView::makeResults() {
  auto* results = new QWidget(this);
  runAll_ = button(results, tr("Run all"), "methodsRun",
                   tr("Quantise and evaluate every listed method, one after the other; each joins the Runs view"));
  cancel_ = button(results, tr("Cancel"), "methodsCancel", tr("Stop the comparison; the finished rows stay"));
  progress_ = new QProgressBar(results);
  progress_->setObjectName("methodsProgress");
  progress_->setVisible(false);
  status_ = new QLabel(tr("Add methods on the left, then Run all."), results);
  status_->setObjectName("methodsStatus");
  status_->setWordWrap(true);
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long paths never widen the window
  reason_ = new QLabel(results);
  reason_->setObjectName("methodsRunReason");
  reason_->setWordWrap(true);
  reason_->setStyleSheet("color: #b00020");
  reason_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

  model_ = new MethodsTableModel(this);
  sorted_ = new QSortFilterProxyModel(this);
  sorted_->setSourceModel(model_);
  sorted_->setSortRole(MethodsTableModel::kSortRole);
  table_ = new QTableView(results);
  table_->setObjectName("methodsTable");
  table_->setModel(sorted_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  makeTableCopyableAndSortable(*table_);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // the run order until a header is clicked

  auto* copy = button(results, tr("Copy as CSV"), "methodsCopyCsv", tr("The selected rows (or all) as CSV"));
  connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(tableCsv(*table_, true)); });
  auto* exports = new QToolButton(results);
  exports->setObjectName("methodsExport");
  exports->setText(tr("Export"));
  exports->setPopupMode(QToolButton::InstantPopup);
  exports->setToolTip(tr("The table (with the FP row) as CSV or Markdown, or the whole comparison as a directory"));
  auto* menu = new QMenu(exports);
  menu->addAction(tr("Table as CSV..."), this, [this] { exportTableDialog("csv"); });
  menu->addAction(tr("Table as Markdown..."), this, [this] { exportTableDialog("md"); });
  menu->addAction(tr("Comparison directory..."), this, &MethodsView::saveComparisonDialog);
  exports->setMenu(menu);
  auto* open = button(results, tr("Open..."), "methodsOpen",
                      tr("Show a saved comparison (quantlens compare --out, or Export > Comparison directory)"));
  connect(open, &QPushButton::clicked, this, &MethodsView::openComparisonDialog);

  auto* actions = new QHBoxLayout;
  actions->addWidget(runAll_);
  actions->addWidget(cancel_);
  actions->addWidget(progress_, 1);
  actions->addStretch(0);  // the buttons keep their size while the bar is hidden
  auto* tableButtons = new QHBoxLayout;
  tableButtons->addWidget(copy);
  tableButtons->addWidget(exports);
  tableButtons->addWidget(open);
  tableButtons->addStretch(1);
  auto* top = new QWidget(results);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addLayout(actions);
  topLayout->addWidget(reason_);
  topLayout->addWidget(status_);
  topLayout->addWidget(table_, 1);
  topLayout->addLayout(tableButtons);

  scatter_ = new ScatterChart(results);
  scatter_->setObjectName("methodsScatter");
  scatter_->setTitles(tr("Perplexity against stored bits per weight"), tr("stored bits per weight"),
                      tr("perplexity (log scale)"));
  scatter_->setCsvColumns({"method", "stored_bits_per_weight", "ppl"});
  scatter_->setMinimumSize(240, 200);
  auto* exportChart = button(results, tr("Export chart..."), "methodsExportChart",
                             tr("The chart as PNG, SVG or PDF, or its points as CSV"));
  connect(exportChart, &QPushButton::clicked, this, &MethodsView::exportChartDialog);
  auto* chartPanel = new QWidget(results);
  auto* chartLayout = new QVBoxLayout(chartPanel);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  chartLayout->addWidget(scatter_, 1);
  auto* chartButtons = new QHBoxLayout;
  chartButtons->addStretch(1);
  chartButtons->addWidget(exportChart);
  chartLayout->addLayout(chartButtons);

  heatmap_ = new HeatmapCanvas(results);
  heatmap_->setObjectName("methodsHeatmap");
  heatmap_->setMinimumSize(240, 200);
  heatmap_->setContent(layerErrorHeatmap({}));
  legend_ = new QLabel(results);
  legend_->setObjectName("methodsHeatmapLegend");
  legend_->setWordWrap(true);
  legend_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  legend_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  heatmapLog_ = new QCheckBox(tr("log scale"), results);
  heatmapLog_->setObjectName("methodsHeatmapLog");
  connect(heatmapLog_, &QCheckBox::toggled, heatmap_, &HeatmapCanvas::setLogScale);
  auto* exportFigure = button(results, tr("Export figure..."), "methodsExportFigure",
                              tr("The heatmap as a PNG, SVG or PDF figure, the methods named on its axis"));
  connect(exportFigure, &QPushButton::clicked, this, &MethodsView::exportFigureDialog);
  auto* heatmapPanel = new QWidget(results);
  auto* heatmapLayout = new QVBoxLayout(heatmapPanel);
  heatmapLayout->setContentsMargins(0, 0, 0, 0);
  heatmapLayout->addWidget(heatmap_, 1);
  heatmapLayout->addWidget(legend_);
  auto* heatmapButtons = new QHBoxLayout;
  heatmapButtons->addStretch(1);
  heatmapButtons->addWidget(heatmapLog_);
  heatmapButtons->addWidget(exportFigure);
  heatmapLayout->addLayout(heatmapButtons);

  auto* figures = new QSplitter(Qt::Horizontal, results);
  figures->setObjectName("methodsFigures");
  figures->addWidget(chartPanel);
  figures->addWidget(heatmapPanel);
  figures->setChildrenCollapsible(false);
  auto* split = new QSplitter(Qt::Vertical, results);
  split->addWidget(top);
  split->addWidget(figures);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(results);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  return results;
}

void MethodsView::setCalibration(const QString& text, qint64 nsamples, qint64 seqlen, quint64 seed) {
  calibText_->setText(text);
  nsamples_->setValue(int(nsamples));
  seqlen_->setValue(int(seqlen));
  seed_->setValue(int(seed));
}

void MethodsView::setEvaluation(const QString& text, qint64 seqlen, qint64 maxWindows) {
  pplText_->setText(text);
  pplSeqlen_->setValue(int(seqlen));
  pplWindows_->setValue(int(maxWindows));
}

void MethodsView::runOnceReady(std::function<void(const QString&)> fail, bool afterCalibration) {
  scripted_ = true;
  connect(
      &session_, afterCalibration ? &StudioSession::calibrationFinished : &StudioSession::modelOpened, this,
      [this, fail] {
        if (const QString problem = startProblem(); !problem.isEmpty()) return fail(problem);
        start();
      },
      Qt::SingleShotConnection);
  connect(run_, &ComparisonRun::failed, this, [fail](const QString& message) { fail(message); });
}

bool MethodsView::pictureReady() const { return !scripted_ || scriptedEnded_; }

// Why Run all cannot run now (empty when it can).
QString MethodsView::startProblem() const {
  if (!session_.hasModel()) return tr("Open a model first (File > Open model).");
  if (list_->spellings().isEmpty()) return tr("Add at least one method to compare.");
  if (QString p = textFileProblem(calibText_->text(), tr("calibration text")); !p.isEmpty()) return p;
  if (QString p = textFileProblem(pplText_->text(), tr("evaluation text")); !p.isEmpty()) return p;
  if (chosenTask(*task_)) return textFileProblem(taskData_->text(), tr("task file"));
  return {};
}

void MethodsView::start() {
  if (run_->running()) return;
  if (const QString problem = startProblem(); !problem.isEmpty()) return status_->setText(problem);
  analysis::CompareRequest request;
  try {
    request.methods = list_->methods();
  } catch (const std::exception& e) {
    return status_->setText(QString::fromStdString(e.what()));
  }
  request.calib = calibText_->text().toStdString();
  request.calibration.nsamples = nsamples_->value();
  request.calibration.seqlen = seqlen_->value();
  request.calibration.seed = static_cast<uint64_t>(seed_->value());
  request.text = pplText_->text().toStdString();
  request.perplexity.seqlen = pplSeqlen_->value();
  if (pplWindows_->value() > 0) request.perplexity.max_windows = pplWindows_->value();
  request.layer_errors = layerErrors_->isChecked();
  std::optional<ComparisonTask> task;
  if (const analysis::ZeroShotTask* t = chosenTask(*task_))
    task = ComparisonTask{t, taskData_->text(), taskLimit_->value()};

  request_ = request;
  pplTextPath_ = pplText_->text();
  clearResults(task ? QString::fromUtf8(task->task->name) : QString(), task && task->task->has_acc_norm);
  result_.model = session_.modelPath().toStdString();
  runIds_.assign(request.methods.size(), 0);
  setRunning(true);
  status_->setText(tr("Calibrating and evaluating the FP model..."));
  run_->start(session_.openModelData(), request, task);
}

void MethodsView::cancel() { run_->cancel(); }

void MethodsView::clearResults(const QString& task, bool norm) {
  result_ = {};
  model_->reset(task, norm);
  scatter_->clear();
  scatter_->setBaseline(std::nullopt);
  showHeatmap();
}

void MethodsView::addRow(const analysis::CompareRow& row) {
  model_->append(row);
  result_.rows.push_back(model_->rows().back());  // without the stored forms
  scatter_->addPoint({QString::fromStdString(row.spelling), row.stored_bits, row.perplexity.ppl});
  table_->resizeColumnsToContents();
  showHeatmap();
}

void MethodsView::showBaseline() {
  const double fp = result_.fp_perplexity.ppl;
  if (std::isfinite(fp) && fp > 0)
    scatter_->setBaseline(ScatterBaseline{tr("FP"), fp});
  else
    scatter_->setBaseline(std::nullopt);
}

void MethodsView::showHeatmap() {
  heatmap_->setContent(layerErrorHeatmap(result_.rows));
  QStringList columns;
  for (size_t j = 0; j < result_.rows.size(); ++j)
    columns << QString("%1\u00a0%2").arg(j).arg(QString::fromStdString(result_.rows[j].spelling));
  legend_->setText(columns.isEmpty() ? tr("columns: the methods, in run order")
                                     : tr("columns: %1").arg(columns.join(" \u00b7 ")));
}

void MethodsView::onMethodStarted(int index) {
  if (index < 0 || size_t(index) >= request_.methods.size()) return;
  const quantcore::methods::MethodSettings& method = request_.methods[size_t(index)];
  runIds_[size_t(index)] =
      session_.runs().add(startedCompareRun(QString::fromStdString(result_.model), request_, method));
  status_->setText(tr("Method %1 of %2: %3")
                       .arg(index + 1)
                       .arg(request_.methods.size())
                       .arg(QString::fromStdString(method.spelling())));
}

void MethodsView::onRowFinished(int index, const analysis::CompareRow& row) {
  if (index >= 0 && size_t(index) < runIds_.size())
    session_.runs().update(runIds_[size_t(index)], [&](RunRecord& r) {
      finishCompareRun(r, row, pplTextPath_);
      if (result_.fp_perplexity.ppl > 0) r.perplexity.fpPpl = result_.fp_perplexity.ppl;
    });
  addRow(row);
  Q_EMIT rowAdded(index);
}

void MethodsView::onFinished(const analysis::CompareResult& result) {
  result_.fp_perplexity = result.fp_perplexity;
  result_.fp_accuracy = result.fp_accuracy;
  result_.calibration_seconds = result.calibration_seconds;
  result_.cancelled = result.cancelled;
  if (!result.model.empty()) result_.model = result.model;
  showBaseline();
  setRunning(false);
  scriptedEnded_ = true;
  // The rows that finished get their FP baseline, the one that was running says it was cancelled.
  const double fp = result.fp_perplexity.ppl > 0 ? result.fp_perplexity.ppl : RunRecord::kUnknown;
  for (size_t i = 0; i < runIds_.size(); ++i) {
    if (!runIds_[i]) continue;
    session_.runs().update(runIds_[i], [&](RunRecord& r) {
      if (r.status == RunStatus::Running && !result.failure.empty()) {
        r.status = RunStatus::Failed;
        r.message = QString::fromStdString(result.failure);
      } else if (r.status == RunStatus::Running) {
        r.status = RunStatus::Cancelled;
      }
      if (r.status == RunStatus::Done) r.perplexity.fpPpl = fp;
    });
  }
  const QString fpText = fp > 0 ? tr("FP perplexity %1 on %2 windows of %3 tokens.")
                                      .arg(perplexityText(fp))
                                      .arg(result.fp_perplexity.windows)
                                      .arg(result.fp_perplexity.seqlen)
                                : QString();
  if (result.cancelled)
    status_->setText(tr("Cancelled after %1 of %2 methods; the finished rows stay. %3")
                         .arg(result_.rows.size())
                         .arg(request_.methods.size())
                         .arg(fpText));
  else if (!result.failure.empty())
    status_->setText(tr("Stopped after %1 of %2 methods: %3")
                         .arg(result_.rows.size())
                         .arg(request_.methods.size())
                         .arg(QString::fromStdString(result.failure)));
  else
    status_->setText(tr("Done: %1 methods (calibration %2). %3")
                         .arg(result_.rows.size())
                         .arg(durationText(result.calibration_seconds))
                         .arg(fpText));
  if (modelPending_) followModel();
  Q_EMIT comparisonEnded();
}

void MethodsView::onFailed(const QString& message) {
  for (int id : runIds_)
    if (const RunRecord* r = session_.runs().find(id); r && r->status == RunStatus::Running)
      session_.runs().update(id, [&](RunRecord& record) {
        record.status = RunStatus::Failed;
        record.message = message;
      });
  setRunning(false);
  scriptedEnded_ = true;
  status_->setText(tr("Failed: %1").arg(message));
  if (modelPending_) followModel();
}

// A model opened while a comparison runs takes the view when it ends: the rows belong to the
// model they were made from (and stay in the Runs view).
void MethodsView::followModel() {
  if (run_->running()) {
    modelPending_ = true;
    return;
  }
  modelPending_ = false;
  const int64_t context = modelContext(session_.spec());
  for (QSpinBox* s : {seqlen_, pplSeqlen_}) {
    s->setMaximum(int(std::min<int64_t>(context, 1 << 20)));
    s->setToolTip(tr("tokens per window, at most the model's context of %1").arg(context));
  }
  if (!result_.rows.empty()) {
    clearResults({}, false);
    status_->setText(tr("%1 opened; earlier comparisons stay in the Runs view.").arg(session_.modelPath()));
  }
  setRunning(false);
}

void MethodsView::setRunning(bool running) {
  const QString problem = running ? QString() : startProblem();
  runAll_->setEnabled(!running && problem.isEmpty());
  reason_->setText(problem);
  reason_->setVisible(!running && !problem.isEmpty() && session_.hasModel());
  cancel_->setEnabled(running);
  list_->setEditable(!running);
  for (QWidget* w : std::initializer_list<QWidget*>{calibText_, nsamples_, seqlen_, seed_, pplText_, pplSeqlen_,
                                                    pplWindows_, layerErrors_, task_, taskData_, taskLimit_})
    w->setEnabled(!running);
  progress_->setVisible(running);
  if (running) {
    feed_->start();
  } else {
    feed_->stop();
  }
}

QWidget* makeMethodsView(StudioSession& session, QWidget* parent) { return new MethodsView(session, parent); }

void launchMethodsView(QWidget* view, const ViewLaunch& launch) {
  auto* methods = static_cast<MethodsView*>(view);
  if (!launch.calibText.isEmpty()) {
    methods->setCalibration(launch.calibText, launch.calibration.nsamples, launch.calibration.seqlen,
                            launch.calibration.seed);
    methods->setEvaluation(launch.calibText, launch.calibration.seqlen, 32);
  }
  if (!launch.methods.isEmpty()) {
    QString error;
    if (!methods->methodList().setSpellings(launch.methods, error) && launch.fail)
      QTimer::singleShot(0, methods, [fail = launch.fail, error] { fail(error); });  // once the event loop runs
  }
  // The pictured methods view is of a finished comparison.
  if (launch.scripted && launch.shown) methods->runOnceReady(launch.fail, !launch.calibText.isEmpty());
}

bool methodsViewReady(const QWidget* view) { return static_cast<const MethodsView*>(view)->pictureReady(); }

}  // namespace widgets
