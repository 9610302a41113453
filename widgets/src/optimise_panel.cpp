#include "widgets/optimise_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <optional>
#include <string>

#include "quantcore/methods/registry.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/loss_chart.h"
#include "widgets/method_settings_form.h"
#include "widgets/optimisation_run.h"
#include "widgets/studio_session.h"
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
QString duration(double seconds) {
  if (seconds < 0) return "-";
  if (seconds < 60) return QString::number(seconds, 'f', 1) + " s";
  return QString("%1 min %2 s").arg(int(seconds) / 60).arg(int(seconds) % 60);
}
}  // namespace

OptimisePanel::OptimisePanel(StudioSession& session, QWidget* parent)
    : QWidget(parent), session_(session), run_(new OptimisationRun(this)) {
  const quantcore::CalibrationOptions calib;  // spec §1.3 defaults
  text_ = new QLineEdit(this);
  text_->setObjectName("optimiseText");
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
  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName("optimiseStart");
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

  pplText_ = new QLineEdit(this);
  pplText_->setObjectName("perplexityText");
  pplSeqlen_ = spin(this, "perplexitySeqlen", 2, 32768, 256);
  ppl_ = new QPushButton(tr("Perplexity"), this);
  ppl_->setObjectName("perplexityRun");
  pplKernels_ = new QComboBox(this);
  pplKernels_->setObjectName("perplexityKernels");
  pplKernels_->addItem(tr("dense (fp16 W')"), "dense");
  pplKernels_->addItem(tr("packed kernels"), "packed");
  pplKernels_->setToolTip(tr("dense: the run's W' dequantised to fp16; packed: every block linear computes "
                             "from its packed bits (PTQ1.61 runs)"));
  pplResult_ = new QLabel("-", this);
  pplResult_->setObjectName("perplexityResult");
  auto* evaluation = new QGroupBox(tr("Perplexity of the result"), this);
  auto* evalForm = new QFormLayout(evaluation);
  evalForm->addRow(tr("text"), pplText_);
  evalForm->addRow(tr("seqlen"), pplSeqlen_);
  evalForm->addRow(tr("kernels"), pplKernels_);
  evalForm->addRow(ppl_);
  // Its own row, two lines high from the start: the value, then the path that computed it.
  pplResult_->setMinimumHeight(2 * pplResult_->fontMetrics().lineSpacing() + 2);
  evalForm->addRow(pplResult_);

  blockList_ = new QTreeWidget(this);
  blockList_->setObjectName("blockList");
  blockList_->setRootIsDecorated(false);
  blockList_->setHeaderLabels({tr("block"), tr("steps"), tr("total loss"), tr("state"), tr("ETA")});
  blockList_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  status_ = new QLabel(this);
  status_->setObjectName("optimiseStatus");
  status_->setWordWrap(true);

  auto* left = new QVBoxLayout;
  left->addWidget(settings);
  left->addWidget(evaluation);
  left->addWidget(blockList_, 1);
  left->addWidget(status_);
  auto* leftWidget = new QWidget(this);
  leftWidget->setLayout(left);
  leftWidget->setMaximumWidth(250);  // the curves take the rest

  blockChoice_ = new QComboBox(this);
  blockChoice_->setObjectName("optimiseBlockChoice");
  chart_ = new LossChart(this);
  chart_->setObjectName("lossChart");
  auto* right = new QVBoxLayout;
  auto* choice = new QHBoxLayout;
  choice->addWidget(new QLabel(tr("curves of"), this));
  choice->addWidget(blockChoice_, 1);
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
    // A run belongs to the model it started from; one opened meanwhile does not take it.
    if (run_->result()->source.checkpoint == session_.checkpoint()) session_.setQuantizedRun(run_->result());
    optimising_ = false;
    setRunning(false);
    status_->setText(tr("Done: %1 blocks in %2.").arg(run_->blocks()).arg(duration(seconds)));
  });
  connect(run_, &OptimisationRun::cancelled, this, [this] {
    optimising_ = false;
    setRunning(false);
    status_->setText(tr("Cancelled; the open model is unchanged."));
  });
  connect(run_, &OptimisationRun::failed, this, [this](const QString& message) {
    optimising_ = false;
    setRunning(false);
    status_->setText(tr("Failed: %1").arg(message));
  });
  connect(run_, &OptimisationRun::perplexityFinished, this, [this](double ppl, qint64 windows, const QString& kernels) {
    setRunning(false);
    status_->setText(tr("Perplexity done."));
    const QString path = kernels == "packed" ? tr("packed kernels") : tr("dense fp16 W'");
    pplResult_->setText(tr("PPL %1 · %2 windows\n%3").arg(ppl, 0, 'f', 3).arg(windows).arg(path));
    pplResult_->setToolTip(tr("Perplexity %1 over %2 windows, computed with %3").arg(ppl, 0, 'f', 6).arg(windows).arg(path));
  });
  connect(run_, &OptimisationRun::perplexityFailed, this, [this](const QString& message) {
    setRunning(false);
    pplResult_->setText(tr("failed: %1").arg(message));
  });
  connect(&session_, &StudioSession::modelOpened, this, [this] { resetBlocks(session_.spec().num_layers); });
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

void OptimisePanel::start() {
  if (run_->running()) return;
  if (!session_.hasModel()) return status_->setText(tr("Open a model first."));
  std::optional<quantcore::quantize::QuantizeSettings> s;
  try {
    s.emplace(form_->settings());
  } catch (const std::exception& e) {
    return status_->setText(tr("Settings: %1").arg(e.what()));
  }
  if (s->method.method().needs(s->method).calibration) {
    s->calib = text_->text().toStdString();
    s->calibration.nsamples = nsamples_->value();
    s->calibration.seqlen = seqlen_->value();
    s->calibration.seed = static_cast<uint64_t>(seed_->value());
  }
  const int64_t blocks = session_.spec().num_layers;
  resetBlocks(blocks);
  const int64_t steps = quantcore::quantize::total_steps(*s, 1);
  chart_->reset(s->calibration.nsamples, s->calibration.nsamples > 0 ? steps / s->calibration.nsamples : 0);
  pplResult_->setText("-");
  optimising_ = true;
  setRunning(true);
  run_->start(*s, session_.openModelData(), session_.calibration(), blocks);
}

void OptimisePanel::cancel() { run_->cancel(); }

void OptimisePanel::evaluatePerplexity() {
  if (!run_->hasResult() || run_->running()) return;
  setRunning(true);
  pplResult_->setText(tr("evaluating..."));
  run_->evaluatePerplexity(pplText_->text(), pplSeqlen_->value(), pplKernels_->currentData().toString());
}

void OptimisePanel::setRunning(bool running) {
  start_->setEnabled(!running);
  cancel_->setEnabled(running);
  ppl_->setEnabled(!running && run_->hasResult());
  pplKernels_->setEnabled(!running && run_->resultIsPacked());
  if (!run_->resultIsPacked()) pplKernels_->setCurrentIndex(0);
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
  const QSignalBlocker quiet(blockChoice_);
  blockChoice_->clear();
  blockChoice_->addItem(tr("all blocks"), qint64(-1));
  for (int64_t b = 0; b < blocks; ++b) {
    blockChoice_->addItem(tr("block %1").arg(b), qint64(b));
    auto* item = new QTreeWidgetItem(blockList_, {QString::number(b), "0", "-", tr("waiting")});
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
  chart_->append(events);
  refreshProgress();
}

void OptimisePanel::refreshProgress() {
  const int64_t perBlock = run_->blocks() > 0 ? run_->totalSteps() / run_->blocks() : 0;
  for (int b = 0; b < blockList_->topLevelItemCount() && b < static_cast<int>(blockSteps_.size()); ++b) {
    QTreeWidgetItem* item = blockList_->topLevelItem(b);
    const int64_t done = blockSteps_[size_t(b)];
    item->setText(1, perBlock > 0 ? QString("%1 / %2").arg(done).arg(perBlock) : QString::number(done));
    if (done > 0) item->setText(2, QString::number(blockLastLoss_[size_t(b)], 'g', 4));
    // A finished run has done every block, also a method without optimiser steps (rtn).
    const bool complete = (run_->hasResult() && !run_->running()) || (perBlock > 0 && done >= perBlock);
    const bool later = b + 1 < static_cast<int>(blockSteps_.size()) && blockSteps_[size_t(b) + 1] > 0;
    item->setText(3, complete || later ? tr("done")
                     : done > 0        ? (optimising_ ? tr("running") : tr("stopped"))
                                       : tr("waiting"));
    // The block ends when the run has made every step up to and including it.
    const double stepSeconds = run_->stepsDone() > 0 ? run_->elapsedSeconds() / double(run_->stepsDone()) : -1;
    const int64_t left = perBlock * (b + 1) - run_->stepsDone();
    item->setText(
        4, complete || later || !optimising_ || stepSeconds < 0 ? QString() : duration(stepSeconds * double(left)));
  }
  if (!run_->running()) return;
  if (!optimising_)
    status_->setText(tr("%1: %2 of %3")
                         .arg(run_->progress().stageName())
                         .arg(run_->progress().done())
                         .arg(run_->progress().total()));
  else if (run_->totalSteps() > 0)
    status_->setText(tr("%1: step %2 of %3, elapsed %4, ETA %5")
                         .arg(run_->progress().stageName())
                         .arg(run_->stepsDone())
                         .arg(run_->totalSteps())
                         .arg(duration(run_->elapsedSeconds()))
                         .arg(duration(run_->etaSeconds())));
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
