#include "widgets/optimise_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <optional>
#include <string>

#include "quantcore/methods/registry.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/loss_chart.h"
#include "widgets/method_settings_form.h"
#include "widgets/number_format.h"
#include "widgets/optimisation_run.h"
#include "widgets/quantize_run_kind.h"
#include "widgets/run_list.h"
#include "widgets/save_names.h"
#include "widgets/studio_inputs.h"
#include "widgets/studio_session.h"
#include "widgets/table_csv.h"
#include "widgets/views.h"

namespace widgets {

namespace {
// The parameter that is the session's salient ratio wherever a method has it.
const std::string kRatioParameter = "salient-ratio";

QSpinBox* spin(QWidget* parent, const char* name, int lo, int hi, int value) {
  auto* s = new QSpinBox(parent);
  s->setObjectName(name);
  s->setRange(lo, hi);
  s->setValue(value);
  return s;
}
QDoubleSpinBox* dspin(QWidget* parent, const char* name, double lo, double hi, double value, int decimals,
                      double step) {
  auto* s = new QDoubleSpinBox(parent);
  s->setObjectName(name);
  s->setDecimals(decimals);
  s->setRange(lo, hi);
  s->setSingleStep(step);
  s->setValue(value);
  return s;
}
// The FP baseline's cache key: the same windows of the same text (the cache belongs to the open
// model and is cleared when another opens).
QString baselineKey(const PerplexityRequest& r) {
  return QString("%1|%2|%3").arg(r.text).arg(r.seqlen).arg(r.maxWindows);
}
}  // namespace

OptimisePanel::OptimisePanel(StudioSession& session, QWidget* parent)
    : QWidget(parent), session_(session), run_(new OptimisationRun(this)) {
  const quantcore::CalibrationOptions calib = studioCalibrationDefaults();
  text_ = new QLineEdit(shippedCalibrationText(), this);
  text_->setObjectName("optimiseText");
  text_->setToolTip(
      tr("The text the calibration windows are drawn from (spec §1.3); the shipped story text by "
         "default"));
  nsamples_ = spin(this, "optimiseNsamples", 1, 4096, int(calib.nsamples));
  seqlen_ = spin(this, "optimiseSeqlen", 2, 32768, int(calib.seqlen));
  seed_ = spin(this, "optimiseSeed", 0, 1 << 30, int(calib.seed));
  method_ = new QComboBox(this);
  method_->setObjectName("optimiseMethod");
  for (const quantcore::methods::QuantMethod* m : quantcore::methods::registered_methods()) {
    method_->addItem(QString::fromStdString(std::string(m->name())));
    method_->setItemData(method_->count() - 1, QString::fromStdString(std::string(m->description())), Qt::ToolTipRole);
  }
  form_ = new MethodSettingsForm("optimise", this);
  nsamples_->setToolTip(tr("calibration windows (samples); each is one optimiser step per epoch"));
  seqlen_->setToolTip(tr("tokens per calibration window, at most the model's context"));
  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName("optimiseStart");
  startReason_ = new QLabel(this);
  startReason_->setObjectName("optimiseStartReason");
  startReason_->setWordWrap(true);
  startReason_->setStyleSheet("color: #b00020");
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("optimiseCancel");

  auto* settings = new QGroupBox(tr("Quantisation"), this);
  auto* form = new QFormLayout(settings);
  form->addRow(tr("method"), method_);
  form->addRow(tr("calibration text"), text_);
  form->addRow(tr("nsamples"), nsamples_);
  form->addRow(tr("seqlen"), seqlen_);
  form->addRow(tr("seed"), seed_);
  form->addRow(form_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(cancel_);
  form->addRow(buttons);
  form->addRow(startReason_);

  pplText_ = new QLineEdit(shippedCalibrationText(), this);
  pplText_->setObjectName("perplexityText");
  pplSeqlen_ = spin(this, "perplexitySeqlen", 2, 32768, 256);
  pplWindows_ = spin(this, "perplexityWindows", 0, 1 << 20, 32);
  pplWindows_->setSpecialValueText(tr("all"));
  pplWindows_->setToolTip(
      tr("evaluate only the first N windows of the text (0: all); the FP baseline uses the same "
         "windows"));
  pplProgress_ = new QProgressBar(this);
  pplProgress_->setObjectName("perplexityProgress");
  pplProgress_->setVisible(false);
  ppl_ = new QPushButton(tr("Perplexity"), this);
  ppl_->setObjectName("perplexityRun");
  pplKernels_ = new QComboBox(this);
  pplKernels_->setObjectName("perplexityKernels");
  pplKernels_->addItem(tr("dense (fp16 W')"), "dense");
  pplKernels_->addItem(tr("packed kernels"), "packed");
  pplKernels_->setToolTip(
      tr("dense: the run's W' dequantised to fp16; packed: every block linear computes "
         "from its packed bits (PTQ1.61 runs)"));
  pplResult_ = new QLabel("-", this);
  pplResult_->setObjectName("perplexityResult");
  pplResult_->setWordWrap(true);
  pplResult_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* evaluation = new QGroupBox(tr("Perplexity of the result"), this);
  auto* evalForm = new QFormLayout(evaluation);
  evalForm->addRow(tr("text"), pplText_);
  evalForm->addRow(tr("seqlen"), pplSeqlen_);
  evalForm->addRow(tr("windows"), pplWindows_);
  evalForm->addRow(tr("kernels"), pplKernels_);
  evalForm->addRow(ppl_);
  evalForm->addRow(pplProgress_);
  // Its own row, three lines high from the start: FP -> quantised, the windows, the path.
  pplResult_->setMinimumHeight(3 * pplResult_->fontMetrics().lineSpacing() + 2);
  evalForm->addRow(pplResult_);

  blockList_ = new QTreeWidget(this);
  blockList_->setObjectName("blockList");
  blockList_->setRootIsDecorated(false);
  blockList_->setHeaderLabels({tr("block"), tr("steps"), tr("total loss"), tr("state"), tr("ETA")});
  blockList_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  makeTableCopyableAndSortable(*blockList_);
  blockList_->sortByColumn(0, Qt::AscendingOrder);
  status_ = new QLabel(this);
  status_->setObjectName("optimiseStatus");
  status_->setWordWrap(true);

  auto* left = new QVBoxLayout;
  left->addWidget(settings);
  left->addWidget(evaluation);
  left->addWidget(blockList_, 1);
  left->addWidget(status_);
  auto* leftContent = new QWidget(this);
  leftContent->setLayout(left);
  // The settings scroll when the window is short: they never make the window taller.
  auto* leftWidget = new QScrollArea(this);
  leftWidget->setObjectName("optimiseSettingsScroll");
  leftWidget->setWidget(leftContent);
  leftWidget->setWidgetResizable(true);
  leftWidget->setFrameShape(QFrame::NoFrame);
  leftWidget->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  leftWidget->setMinimumWidth(260);
  leftWidget->setMaximumWidth(320);  // the curves take the rest

  blockChoice_ = new QComboBox(this);
  blockChoice_->setObjectName("optimiseBlockChoice");
  chart_ = new LossChart(this);
  chart_->setObjectName("lossChart");
  auto* smoothing = new QDoubleSpinBox(this);
  smoothing->setObjectName("optimiseSmoothing");
  smoothing->setRange(0.0, 0.99);
  smoothing->setSingleStep(0.1);
  smoothing->setDecimals(2);
  smoothing->setToolTip(
      tr("exponential moving average of the curves (TensorBoard's, debiased); raw curves stay "
         "faint behind"));
  connect(smoothing, &QDoubleSpinBox::valueChanged, chart_, &LossChart::setSmoothing);
  auto* overlayTerm = new QComboBox(this);
  overlayTerm->setObjectName("optimiseOverlayTerm");
  for (const char* t : LossChart::termNames()) overlayTerm->addItem(t);
  overlayTerm->setCurrentIndex(LossChart::kTerms - 1);
  overlayTerm->setToolTip(tr("the loss term drawn for the runs checked in the Runs view"));
  connect(overlayTerm, &QComboBox::currentIndexChanged, chart_, &LossChart::setOverlayTerm);
  auto* exportChart = new QPushButton(tr("Export..."), this);
  exportChart->setObjectName("optimiseExportChart");
  exportChart->setToolTip(tr("the chart as PNG, SVG or PDF, or its data as CSV"));
  connect(exportChart, &QPushButton::clicked, this, &OptimisePanel::exportChartDialog);
  auto* right = new QVBoxLayout;
  auto* choice = new QHBoxLayout;
  choice->addWidget(new QLabel(tr("curves of"), this));
  choice->addWidget(blockChoice_, 1);
  choice->addWidget(new QLabel(tr("smoothing"), this));
  choice->addWidget(smoothing);
  choice->addWidget(new QLabel(tr("overlaid runs"), this));
  choice->addWidget(overlayTerm);
  choice->addWidget(exportChart);
  right->addLayout(choice);
  right->addWidget(chart_, 1);
  auto* rightWidget = new QWidget(this);
  rightWidget->setLayout(right);

  auto* split = new QSplitter(this);
  split->addWidget(leftWidget);
  split->addWidget(rightWidget);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  poll_ = new QTimer(this);
  poll_->setInterval(250);
  connect(poll_, &QTimer::timeout, this, &OptimisePanel::refreshProgress);
  connect(start_, &QPushButton::clicked, this, &OptimisePanel::start);
  connect(cancel_, &QPushButton::clicked, this, &OptimisePanel::cancel);
  connect(ppl_, &QPushButton::clicked, this, &OptimisePanel::evaluatePerplexity);
  connect(blockChoice_, &QComboBox::currentIndexChanged, this,
          [this](int) { chart_->showBlock(blockChoice_->currentData().toLongLong()); });
  connect(run_, &OptimisationRun::lossesArrived, this, &OptimisePanel::onLosses);
  connect(run_, &OptimisationRun::finished, this, [this](double seconds) {
    session_.runs().update(runId_, [&](RunRecord& r) { finishQuantizeRun(r, run_->result()); });
    // A run belongs to the model it started from; one opened meanwhile does not take it.
    if (session_.isRunOfOpenModel(*session_.runs().find(runId_))) session_.setQuantizedRun(run_->result());
    runId_ = 0;
    setRunning(false);
    status_->setText(tr("Done: %1 blocks in %2.").arg(run_->blocks()).arg(durationText(seconds)));
    jobEnded();
  });
  connect(run_, &OptimisationRun::cancelled, this, [this] {
    if (!optimising()) {
      setRunning(false);
      pplResult_->setText(tr("Perplexity cancelled."));
    } else {
      endRun(RunStatus::Cancelled, {});
      status_->setText(tr("Cancelled; the open model is unchanged."));
    }
    jobEnded();
  });
  connect(run_, &OptimisationRun::failed, this, [this](const QString& message) {
    endRun(RunStatus::Failed, message);
    status_->setText(tr("Failed: %1").arg(message));
    jobEnded();
  });
  connect(run_, &OptimisationRun::perplexityFinished, this,
          [this](double ppl, qint64 windows, const QString& kernels, double fpPpl) {
            showPerplexity(ppl, windows, kernels, fpPpl);
            jobEnded();
          });
  connect(run_, &OptimisationRun::perplexityFailed, this, [this](const QString& message) {
    setRunning(false);
    pplResult_->setText(tr("failed: %1").arg(message));
    jobEnded();
  });
  // A new model starts the panel afresh; the runs of the previous one stay in the run list.
  connect(&session_, &StudioSession::modelOpened, this, &OptimisePanel::followModel);
  connect(&session_, &StudioSession::quantizedRunChanged, this, [this] { setRunning(run_->running()); });
  connect(&session_.runs(), &RunList::overlaysChanged, this, &OptimisePanel::showOverlays);
  connect(&session_.runs(), &RunList::changed, this, [this](int id) {
    if (session_.runs().overlaid(id)) showOverlays();
  });
  for (QLineEdit* e : {text_, pplText_})
    connect(e, &QLineEdit::textChanged, this, [this] { setRunning(run_->running()); });
  connect(method_, &QComboBox::currentIndexChanged, this, [this](int) { showMethod(); });
  // One salient ratio in the studio: the field edits the session's, the slider's moves it.
  connect(form_, &MethodSettingsForm::valueChanged, this, [this](const QString& parameter) {
    if (parameter.toStdString() != kRatioParameter) return;
    if (auto* ratio = qobject_cast<QDoubleSpinBox*>(form_->field(kRatioParameter)))
      session_.setSalientRatio(ratio->value());
  });
  connect(&session_, &StudioSession::salientRatioChanged, this, [this] { followSessionRatio(); });
  showMethod();
  setRunning(false);
}

void OptimisePanel::showMethod() {
  const quantcore::methods::QuantMethod* m = quantcore::methods::find_method(method_->currentText().toStdString());
  if (!m) return;
  form_->setMethod(*m);
  setRunning(run_->running());
  const bool calibrates = m->needs(quantcore::methods::MethodSettings(*m)).calibration;
  for (QWidget* w : {static_cast<QWidget*>(text_), static_cast<QWidget*>(nsamples_), static_cast<QWidget*>(seqlen_),
                     static_cast<QWidget*>(seed_)})
    w->setEnabled(calibrates);
  followSessionRatio();
}

void OptimisePanel::followSessionRatio() {
  auto* ratio = qobject_cast<QDoubleSpinBox*>(form_->field(kRatioParameter));
  if (!ratio) return;
  const QSignalBlocker quiet(ratio);
  ratio->setValue(session_.salientRatio());
}

void OptimisePanel::runOnceCalibrated(std::function<void(const QString&)> fail) {
  scriptedRun_ = true;
  connect(&session_, &StudioSession::calibrationFinished, this, &OptimisePanel::start, Qt::SingleShotConnection);
  connect(run_, &OptimisationRun::failed, this, [fail](const QString& message) { fail(message); });
}

bool OptimisePanel::pictureReady() const { return !scriptedRun_ || (run_->hasResult() && !run_->running()); }

void OptimisePanel::setTextPath(const QString& path) {
  text_->setText(path);
  pplText_->setText(path);
}

void OptimisePanel::setCalibration(qint64 nsamples, qint64 seqlen, quint64 seed) {
  nsamples_->setValue(int(nsamples));
  seqlen_->setValue(int(seqlen));
  seed_->setValue(int(seed));
}

void OptimisePanel::setEpochs(qint64 epochs) { form_->setValue("epochs", QString::number(epochs)); }

// Why Start cannot run now (empty when it can).
QString OptimisePanel::startProblem() const {
  if (!session_.hasModel()) return tr("Open a model first (File > Open model).");
  const quantcore::methods::QuantMethod* m = form_->method();
  if (m && m->needs(quantcore::methods::MethodSettings(*m)).calibration)
    return textFileProblem(text_->text(), tr("calibration text"));
  return {};
}

void OptimisePanel::start() {
  if (run_->running()) return;
  if (const QString problem = startProblem(); !problem.isEmpty()) return status_->setText(problem);
  std::optional<quantcore::quantize::QuantizeSettings> s;
  try {
    s.emplace(form_->settings());
  } catch (const std::exception& e) {
    return status_->setText(tr("Settings: %1").arg(e.what()));
  }
  s->model = session_.modelPath().toStdString();
  if (s->method.method().needs(s->method).calibration) {
    s->calib = text_->text().toStdString();
    s->calibration.nsamples = nsamples_->value();
    s->calibration.seqlen = seqlen_->value();
    s->calibration.seed = static_cast<uint64_t>(seed_->value());
  }
  const int64_t blocks = session_.spec().num_layers;
  resetBlocks(blocks);
  const int64_t steps = quantcore::quantize::total_steps(*s, 1);
  const int64_t nsamples = s->calibration.nsamples;
  const int64_t epochs = nsamples > 0 ? steps / nsamples : 0;
  chart_->reset(nsamples, epochs);
  liveEvents_.clear();
  runId_ = session_.runs().add(startedQuantizeRun(session_.modelPath(), quantcore::quantize::settings_json(*s),
                                                  QString::fromStdString(s->method.spelling()), nsamples, epochs));
  liveRunId_ = runId_;
  chart_->setRunLabel(session_.runs().find(runId_)->label());
  showOverlays();
  setRunning(true);
  run_->start(*s, session_.openModelData(), session_.calibration(), blocks);
}

// A run that ended without a result keeps its row, its curves so far and why it ended.
void OptimisePanel::endRun(RunStatus status, const QString& message) {
  session_.runs().update(runId_, [&](RunRecord& r) {
    r.status = status;
    r.message = message;
    r.losses = liveEvents_;
  });
  runId_ = 0;
  setRunning(false);
}

// A model opened while a job runs takes the panel when the job ends: the running run's curves
// and block list belong to the model it started from.
void OptimisePanel::jobEnded() {
  if (modelPending_) followModel();
}

void OptimisePanel::followModel() {
  if (run_->running()) {
    modelPending_ = true;
    return;
  }
  modelPending_ = false;
  fpPerplexity_.clear();  // the baselines were the previous model's
  liveRunId_ = 0;
  chart_->setRunLabel(tr("current"));
  const int64_t context = modelContext(session_.spec());
  for (QSpinBox* s : {seqlen_, pplSeqlen_}) {
    s->setMaximum(int(std::min<int64_t>(context, 1 << 20)));
    s->setToolTip(tr("tokens per window, at most the model's context of %1").arg(context));
  }
  resetBlocks(session_.spec().num_layers);
  chart_->reset(1, 1);
  liveEvents_.clear();
  showOverlays();
  pplResult_->setText("-");
  pplResult_->setToolTip({});
  status_->setText(tr("%1 opened; earlier runs stay in the Runs view.").arg(session_.modelPath()));
  setRunning(run_->running());
}

void OptimisePanel::showOverlays() {
  std::vector<LossCurveRun> overlays;
  for (const RunRecord& r : session_.runs().records())
    if (session_.runs().overlaid(r.id) && r.id != liveRunId_ && !r.losses.empty())
      overlays.push_back({r.label(), r.losses, r.nsamples, r.epochs});
  chart_->setOverlays(std::move(overlays));
}

void OptimisePanel::cancel() { run_->cancel(); }

void OptimisePanel::exportChartDialog() {
  QString filter;
  const QString suggested = suggestedBeside(session_.modelPath(), "loss-curves.png");
  const QString filters = tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv)");
  QString path = QFileDialog::getSaveFileName(this, tr("Export the loss chart"), suggested, filters, &filter);
  if (path.isEmpty()) return;
  path = withSuffixOf(path, filter, filters);
  QString error;
  const bool ok =
      path.endsWith(".csv", Qt::CaseInsensitive) ? chart_->exportCsv(path, error) : chart_->exportImage(path, error);
  status_->setText(ok ? tr("Chart written to %1").arg(path) : error);
}

void OptimisePanel::evaluatePerplexity() {
  const auto run = session_.quantizedRun();
  if (!run || run_->running()) return;
  if (const QString problem = textFileProblem(pplText_->text(), tr("evaluation text")); !problem.isEmpty())
    return pplResult_->setText(problem);
  PerplexityRequest request;
  request.text = pplText_->text();
  request.seqlen = pplSeqlen_->value();
  request.maxWindows = pplWindows_->value();
  request.kernels = pplKernels_->currentData().toString();
  request.baseline = !fpPerplexity_.count(baselineKey(request));
  pplRequest_ = request;
  pplRunId_ = 0;
  for (const RunRecord& r : session_.runs().records())
    if (session_.runs().isCurrent(r)) pplRunId_ = r.id;
  setRunning(true);
  pplResult_->setText(tr("evaluating..."));
  run_->evaluatePerplexity(run, request);
}

void OptimisePanel::showPerplexity(double ppl, qint64 windows, const QString& kernels, double fpPpl) {
  setRunning(false);
  const QString key = baselineKey(pplRequest_);
  if (std::isfinite(fpPpl)) fpPerplexity_[key] = fpPpl;
  const auto known = fpPerplexity_.find(key);
  const double fp = known != fpPerplexity_.end() ? known->second : fpPpl;
  const QString path = kernels == "packed" ? tr("packed kernels") : tr("dense fp16 W'");
  pplResult_->setText(tr("PPL: FP %1 \u2192 %2\n%3 windows of %4 tokens\n%5")
                          .arg(perplexityText(fp), perplexityText(ppl))
                          .arg(windows)
                          .arg(pplRequest_.seqlen)
                          .arg(path));
  pplResult_->setToolTip(tr("Perplexity (exp of the mean NLL per predicted token, spec §8.1) on %1: the original "
                            "model %2, the current run %3, over the first %4 windows, computed with %5")
                             .arg(pplRequest_.text)
                             .arg(fp, 0, 'f', 6)
                             .arg(ppl, 0, 'f', 6)
                             .arg(windows)
                             .arg(path));
  status_->setText(tr("Perplexity done."));
  // The number belongs to the run it was computed for, with the settings it was asked with: its
  // row keeps it, and a saved run's summary.json too.
  const RunPerplexity result{pplRequest_.text, pplRequest_.seqlen, windows, ppl, fp, kernels};
  session_.runs().update(pplRunId_, [&](RunRecord& record) { record.perplexity = result; });
  if (const RunRecord* r = session_.runs().find(pplRunId_); r && !r->directory.isEmpty()) {
    try {
      writeSavedPerplexity(r->directory, result);
    } catch (const std::exception& e) {
      status_->setText(QString::fromStdString(e.what()));
    }
  }
  pplRunId_ = 0;
}

void OptimisePanel::setRunning(bool running) {
  const QString problem = running ? QString() : startProblem();
  start_->setEnabled(!running && problem.isEmpty());
  start_->setToolTip(problem.isEmpty() ? tr("Quantise the open model with these settings; the run joins the Runs "
                                            "view")
                                       : problem);
  startReason_->setText(problem);
  startReason_->setVisible(!problem.isEmpty());
  cancel_->setEnabled(running);
  for (QWidget* w :
       {static_cast<QWidget*>(pplText_), static_cast<QWidget*>(pplSeqlen_), static_cast<QWidget*>(pplWindows_)})
    w->setEnabled(!running);
  const auto current = session_.quantizedRun();
  const bool packed = current && hasPackedForms(*current);
  ppl_->setEnabled(!running && current);
  ppl_->setToolTip(current ? tr("Perplexity of the current run (see the Runs view) and of the original model")
                           : tr("Needs a finished run"));
  pplKernels_->setEnabled(!running && packed);
  if (!packed) pplKernels_->setCurrentIndex(0);
  const bool evaluating = running && !optimising();
  pplProgress_->setVisible(evaluating);
  if (running)
    poll_->start();
  else
    poll_->stop();
  refreshProgress();
}

void OptimisePanel::resetBlocks(int64_t blocks) {
  blockSteps_.assign(static_cast<size_t>(std::max<int64_t>(0, blocks)), 0);
  blockLastLoss_.assign(blockSteps_.size(), 0.0);
  blockList_->clear();
  blockItems_.clear();
  const QSignalBlocker quiet(blockChoice_);
  blockChoice_->clear();
  blockChoice_->addItem(tr("all blocks"), qint64(-1));
  for (int64_t b = 0; b < blocks; ++b) {
    blockChoice_->addItem(tr("block %1").arg(b), qint64(b));
    auto* item = new QTreeWidgetItem(blockList_, {QString(), "0", "-", tr("waiting")});
    item->setData(0, Qt::DisplayRole, qlonglong(b));  // sorts as a number
    blockItems_.push_back(item);
    item->setTextAlignment(1, Qt::AlignRight);
  }
  chart_->showBlock(-1);
}

void OptimisePanel::onLosses(const std::vector<quantcore::LossEvent>& events) {
  for (const quantcore::LossEvent& e : events) {
    if (e.block < 0 || e.block >= static_cast<int64_t>(blockSteps_.size())) continue;
    ++blockSteps_[size_t(e.block)];
    blockLastLoss_[size_t(e.block)] = e.loss.total;
  }
  liveEvents_.insert(liveEvents_.end(), events.begin(), events.end());
  chart_->append(events);
  refreshProgress();
}

void OptimisePanel::refreshProgress() {
  const int64_t perBlock = run_->blocks() > 0 ? run_->totalSteps() / run_->blocks() : 0;
  for (int b = 0; b < static_cast<int>(blockItems_.size()) && b < static_cast<int>(blockSteps_.size()); ++b) {
    QTreeWidgetItem* item = blockItems_[size_t(b)];  // the list may be sorted by any column
    const int64_t done = blockSteps_[size_t(b)];
    item->setText(1, perBlock > 0 ? QString("%1 / %2").arg(done).arg(perBlock) : QString::number(done));
    if (done > 0) item->setText(2, QString::number(blockLastLoss_[size_t(b)], 'g', 4));
    // A finished run has done every block, also a method without optimiser steps (rtn).
    const bool complete = (run_->hasResult() && !run_->running()) || (perBlock > 0 && done >= perBlock);
    const bool later = b + 1 < static_cast<int>(blockSteps_.size()) && blockSteps_[size_t(b) + 1] > 0;
    item->setText(3, complete || later ? tr("done")
                     : done > 0        ? (optimising() ? tr("running") : tr("stopped"))
                                       : tr("waiting"));
    // The block ends when the run has made every step up to and including it.
    const double stepSeconds = run_->stepsDone() > 0 ? run_->elapsedSeconds() / double(run_->stepsDone()) : -1;
    const int64_t left = perBlock * (b + 1) - run_->stepsDone();
    item->setText(4, complete || later || !optimising() || stepSeconds < 0 ? QString()
                                                                           : durationText(stepSeconds * double(left)));
  }
  if (!run_->running()) return;
  if (!optimising()) {
    const int64_t total = run_->progress().total();
    pplProgress_->setRange(0, int(std::max<int64_t>(total, 0)));
    pplProgress_->setValue(int(run_->progress().done()));
    pplProgress_->setFormat(tr("%1: window %v of %m").arg(run_->progress().stageName()));
    status_->setText(tr("Perplexity, %1: window %2 of %3")
                         .arg(run_->progress().stageName())
                         .arg(run_->progress().done())
                         .arg(total));
  } else if (run_->stepsDone() == 0 && run_->progress().total() > 0)
    // Before the first optimiser step: tokenising, windows, statistics, the first block's chains.
    status_->setText(tr("%1: %2 of %3, elapsed %4")
                         .arg(run_->progress().stageName())
                         .arg(run_->progress().done())
                         .arg(run_->progress().total())
                         .arg(durationText(run_->elapsedSeconds())));
  else if (run_->totalSteps() > 0)
    status_->setText(tr("%1: step %2 of %3, elapsed %4, ETA %5")
                         .arg(run_->progress().stageName())
                         .arg(run_->stepsDone())
                         .arg(run_->totalSteps())
                         .arg(durationText(run_->elapsedSeconds()))
                         .arg(durationText(run_->etaSeconds())));
}

QWidget* makeOptimiseView(StudioSession& session, QWidget* parent) { return new OptimisePanel(session, parent); }

void launchOptimiseView(QWidget* view, const ViewLaunch& launch) {
  auto* panel = static_cast<OptimisePanel*>(view);
  if (!launch.calibText.isEmpty()) {
    panel->setTextPath(launch.calibText);
    panel->setCalibration(launch.calibration.nsamples, launch.calibration.seqlen, launch.calibration.seed);
  }
  // The pictured optimise view is of a finished run: it starts once the statistics exist.
  if (launch.scripted && launch.shown) panel->runOnceCalibrated(launch.fail);
}

bool optimiseViewReady(const QWidget* view) { return static_cast<const OptimisePanel*>(view)->pictureReady(); }

}  // namespace widgets
