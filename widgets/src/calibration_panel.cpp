#include "widgets/calibration_panel.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "widgets/studio_inputs.h"
#include "widgets/studio_session.h"

namespace widgets {

CalibrationPanel::CalibrationPanel(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  const quantcore::CalibrationOptions defaults = studioCalibrationDefaults();
  text_ = new QLineEdit(shippedCalibrationText(), this);
  text_->setObjectName("calibrationText");
  text_->setToolTip(tr("The text the calibration windows are drawn from; the shipped story text by default"));
  auto* browse = new QPushButton(tr("..."), this);
  nsamples_ = new QSpinBox(this);
  nsamples_->setObjectName("calibrationSamples");
  nsamples_->setRange(1, 4096);
  nsamples_->setValue(int(defaults.nsamples));
  nsamples_->setToolTip(tr("calibration windows (samples) the statistics max|x| and mean|x| are taken over"));
  seqlen_ = new QSpinBox(this);
  seqlen_->setObjectName("calibrationSeqlen");
  seqlen_->setRange(2, 32768);
  seqlen_->setValue(int(defaults.seqlen));
  seed_ = new QSpinBox(this);
  seed_->setObjectName("calibrationSeed");
  seed_->setRange(0, 1'000'000'000);
  seed_->setValue(int(defaults.seed));
  run_ = new QPushButton(tr("Run"), this);
  run_->setObjectName("calibrationRun");
  reason_ = new QLabel(this);
  reason_->setObjectName("calibrationRunReason");
  reason_->setWordWrap(true);
  reason_->setStyleSheet("color: #b00020");
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("calibrationCancel");
  progress_ = new QProgressBar(this);
  progress_->setObjectName("calibrationProgress");
  status_ = new QLabel(tr("Not calibrated."), this);
  status_->setObjectName("calibrationStatus");
  status_->setWordWrap(true);
  timer_ = new QTimer(this);
  timer_->setInterval(100);

  auto* file = new QHBoxLayout;
  file->addWidget(text_, 1);
  file->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("text"), file);
  form->addRow(tr("samples"), nsamples_);
  form->addRow(tr("sequence length"), seqlen_);
  form->addRow(tr("seed"), seed_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_);
  buttons->addWidget(cancel_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(reason_);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addStretch();
  setRunning(false);

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Calibration text"), text_->text(), tr("Text (*.txt);;All files (*)"));
    if (!path.isEmpty()) text_->setText(path);
  });
  connect(run_, &QPushButton::clicked, this, &CalibrationPanel::run);
  connect(text_, &QLineEdit::textChanged, this, [this] { setRunning(running_); });
  connect(cancel_, &QPushButton::clicked, &session_, &StudioSession::cancelJob);
  connect(timer_, &QTimer::timeout, this, &CalibrationPanel::poll);
  connect(&session_, &StudioSession::calibrationFinished, this, [this] {
    setRunning(false);
    progress_->setValue(progress_->maximum());
    status_->setText(
        tr("%1 tokens over %2 linears.").arg(session_.stats().tokens).arg(session_.stats().linears.size()));
  });
  connect(&session_, &StudioSession::calibrationFailed, this, [this](const QString& message) {
    setRunning(false);
    status_->setText(message);
  });
  connect(&session_, &StudioSession::calibrationCancelled, this, [this] {
    setRunning(false);
    status_->setText(tr("Cancelled."));
  });
  connect(&session_, &StudioSession::modelOpened, this, [this] {
    const int64_t context = modelContext(session_.spec());
    seqlen_->setMaximum(static_cast<int>(std::min<int64_t>(context, 1 << 20)));
    seqlen_->setToolTip(tr("tokens per calibration window, at most the model's context of %1").arg(context));
    setRunning(false);
  });
}

void CalibrationPanel::setTextPath(const QString& path) { text_->setText(path); }

void CalibrationPanel::setOptions(qint64 nsamples, qint64 seqlen, quint64 seed) {
  nsamples_->setValue(static_cast<int>(nsamples));
  seqlen_->setValue(static_cast<int>(seqlen));
  seed_->setValue(static_cast<int>(seed));
}

QString CalibrationPanel::runProblem() const {
  if (!session_.hasModel()) return tr("Open a model first (File > Open model).");
  return textFileProblem(text_->text(), tr("calibration text"));
}

void CalibrationPanel::run() {
  if (!session_.hasModel() || session_.busy()) return;
  if (const QString problem = runProblem(); !problem.isEmpty()) return status_->setText(problem);
  quantcore::CalibrationOptions options;
  options.nsamples = nsamples_->value();
  options.seqlen = seqlen_->value();
  options.seed = static_cast<uint64_t>(seed_->value());
  setRunning(true);
  status_->setText(tr("Running..."));
  session_.calibrate(text_->text(), options);
}

void CalibrationPanel::setRunning(bool running) {
  running_ = running;
  const QString problem = running ? QString() : runProblem();
  run_->setEnabled(!running && problem.isEmpty());
  run_->setToolTip(problem.isEmpty() ? tr("Collect the per-linear input statistics of the open model") : problem);
  reason_->setText(problem);
  reason_->setVisible(!problem.isEmpty());
  cancel_->setEnabled(running);
  if (running) {
    progress_->setRange(0, 0);
    timer_->start();
  } else {
    timer_->stop();
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat("%p%");
  }
}

void CalibrationPanel::poll() {
  const int64_t total = session_.progress().total();
  if (total > 0) {
    progress_->setRange(0, static_cast<int>(total));
    progress_->setValue(static_cast<int>(session_.progress().done()));
    progress_->setFormat(session_.progress().stageName() + " %v/%m");
  }
}

}  // namespace widgets
