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

#include "widgets/studio_session.h"

namespace widgets {

CalibrationPanel::CalibrationPanel(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  text_ = new QLineEdit(this);
  text_->setObjectName("calibrationText");
  auto* browse = new QPushButton(tr("..."), this);
  nsamples_ = new QSpinBox(this);
  nsamples_->setObjectName("calibrationSamples");
  nsamples_->setRange(1, 4096);
  nsamples_->setValue(32);
  seqlen_ = new QSpinBox(this);
  seqlen_->setObjectName("calibrationSeqlen");
  seqlen_->setRange(2, 32768);
  seqlen_->setValue(256);
  seed_ = new QSpinBox(this);
  seed_->setObjectName("calibrationSeed");
  seed_->setRange(0, 1'000'000'000);
  seed_->setValue(2);
  run_ = new QPushButton(tr("Run"), this);
  run_->setObjectName("calibrationRun");
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
    setRunning(false);
    seqlen_->setValue(static_cast<int>(std::min<int64_t>(seqlen_->value(), session_.spec().max_position_embeddings)));
  });
}

void CalibrationPanel::setTextPath(const QString& path) { text_->setText(path); }

void CalibrationPanel::setOptions(qint64 nsamples, qint64 seqlen, quint64 seed) {
  nsamples_->setValue(static_cast<int>(nsamples));
  seqlen_->setValue(static_cast<int>(seqlen));
  seed_->setValue(static_cast<int>(seed));
}

void CalibrationPanel::run() {
  if (!session_.hasModel() || session_.busy()) return;
  quantcore::CalibrationOptions options;
  options.nsamples = nsamples_->value();
  options.seqlen = seqlen_->value();
  options.seed = static_cast<uint64_t>(seed_->value());
  setRunning(true);
  status_->setText(tr("Running..."));
  session_.calibrate(text_->text(), options);
}

void CalibrationPanel::setRunning(bool running) {
  run_->setEnabled(!running && session_.hasModel());
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
