#include "widgets/export_actions.h"

#include <QAction>
#include <QFileDialog>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include <filesystem>
#include <functional>
#include <stdexcept>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/methods/ptq161/method.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/export/model_directory.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/errors.h"
#include "widgets/background_task.h"
#include "widgets/progress_bar_feed.h"
#include "widgets/save_names.h"
#include "widgets/studio_session.h"
#if QUANTLENS_HAVE_HDF5
#include "analysis/ptq161_dump.h"
#endif

namespace widgets {

namespace fs = std::filesystem;

namespace {

const char* kTitles[ExportActions::kKinds] = {"Export quantized checkpoint (HF)...", "Export packed checkpoint...",
                                              "Export dense HF checkpoint...", "Export HDF5 dump..."};
const char* kNames[ExportActions::kKinds] = {"quantized HF checkpoint", "packed checkpoint", "dense HF checkpoint",
                                             "HDF5 dump"};

// A model directory: staged beside `dest`, renamed over it only when complete and not cancelled.
void writeDirectory(const fs::path& dest, const quantcore::CancelToken& cancel,
                    const std::function<void(const fs::path&)>& fill) {
  quantcore::outputs::StagingDir staging(dest);
  fill(staging.path());
  cancel.throw_if_requested();
  staging.commit(dest, false);
}

}  // namespace

ExportActions::ExportActions(StudioSession& session, QWidget* dialogParent, bool interactive)
    : QObject(dialogParent), session_(session), dialogParent_(dialogParent), interactive_(interactive) {
  for (int k = 0; k < kKinds; ++k) {
    actions_[size_t(k)] = new QAction(tr(kTitles[k]), this);
    connect(actions_[size_t(k)], &QAction::triggered, this, [this, k] { chooseAndStart(Kind(k)); });
  }
  pool_.setMaxThreadCount(1);
  poll_ = new ProgressBarFeed(progress_, "{stage} %v / %m", this);
  connect(&session_, &StudioSession::modelOpened, this, &ExportActions::refresh);
  connect(&session_, &StudioSession::calibrationFinished, this, &ExportActions::refresh);
  connect(&session_, &StudioSession::quantizedRunChanged, this, &ExportActions::refresh);
  refresh();
}

ExportActions::~ExportActions() {
  if (cancel_) cancel_->request();
  pool_.waitForDone();
}

void ExportActions::addTo(QMenu& menu, QStatusBar& bar) {
  for (QAction* a : actions_) menu.addAction(a);
  status_ = new QLabel(&bar);
  bar_ = new QProgressBar(&bar);
  bar_->setMaximumWidth(160);
  poll_->setBar(bar_);
  cancelButton_ = new QPushButton(tr("Cancel export"), &bar);
  cancelButton_->setObjectName("exportCancel");
  connect(cancelButton_, &QPushButton::clicked, this, &ExportActions::cancel);
  bar.addPermanentWidget(status_);
  bar.addPermanentWidget(bar_);
  bar.addPermanentWidget(cancelButton_);
  for (QWidget* w : {static_cast<QWidget*>(status_), static_cast<QWidget*>(bar_), static_cast<QWidget*>(cancelButton_)})
    w->setVisible(false);
}

bool ExportActions::available(Kind kind) const {
  if (busy_) return false;
  const auto run = session_.quantizedRun();
  const bool runDone = run != nullptr;
  switch (kind) {
    case Kind::QuantizedHf: return runDone;
    case Kind::Packed: return runDone && run->settings.method.method().packed_settings(run->settings.method);
    case Kind::DenseHf: return runDone || (session_.hasModel() && session_.isPackedModel());
    case Kind::Hdf5Dump:
#if QUANTLENS_HAVE_HDF5
      // The dump describes PTQ1.61's run, or else the session's calibration statistics.
      return (runDone && run->settings.method.method_name() == quantcore::methods::ptq161::kName) ||
             (session_.hasModel() && session_.hasStats());
#else
      return false;
#endif
  }
  return false;
}

void ExportActions::refresh() {
  for (int k = 0; k < kKinds; ++k) actions_[size_t(k)]->setEnabled(available(Kind(k)));
}

void ExportActions::chooseAndStart(Kind kind) {
  static const char* kSuffixes[kKinds] = {"hf", "packed", "dense", "dump.h5"};
  const auto run = session_.quantizedRun();
  const QString what =
      (run ? QString::fromStdString(std::string(run->settings.method.method_name())) + "-" : QString()) +
      kSuffixes[int(kind)];
  const QString suggested = suggestedBeside(session_.modelPath(), what);
  QString filter = tr("HDF5 files (*.h5)");
  QString path = kind == Kind::Hdf5Dump
                     ? QFileDialog::getSaveFileName(dialogParent_, tr(kTitles[int(kind)]), suggested, filter, &filter)
                     : QFileDialog::getSaveFileName(dialogParent_, tr(kTitles[int(kind)]), suggested, tr("New folder"),
                                                    nullptr, QFileDialog::DontConfirmOverwrite);
  if (path.isEmpty()) return;
  if (kind == Kind::Hdf5Dump) path = withSuffixOf(path, filter);
  QString error;
  if (!start(kind, path, error)) {
    Q_EMIT failed(error);
    if (interactive_) QMessageBox::warning(dialogParent_, tr("Export"), error);
  }
}

bool ExportActions::start(Kind kind, const QString& path, QString& error) {
  if (!available(kind)) {
    error =
        path + ": " +
        (busy_ ? tr("another export is running") : tr("a %1 needs a finished optimisation run").arg(kNames[int(kind)]));
    if (!busy_ && kind == Kind::DenseHf)
      error = path + ": " + tr("needs a finished optimisation run or an open packed checkpoint");
    if (!busy_ && kind == Kind::Hdf5Dump)
      error = path + ": " + tr("needs a finished PTQ1.61 run or calibration statistics");
    return false;
  }
  const std::shared_ptr<const quantcore::Checkpoint> model = session_.checkpoint();
  const std::vector<fs::path> inputs = model ? std::vector<fs::path>{model->path} : std::vector<fs::path>{};
  // A forced commit killed between its two renames left the previous output moved aside.
  QString cleaned;
  if (kind != Kind::Hdf5Dump) {
    if (const auto from = quantcore::outputs::restore_interrupted_replacement(path.toStdString(), inputs))
      cleaned += tr("Restored %1 from %2, where an interrupted run had moved it. ")
                     .arg(path, QString::fromStdString(from->string()));
  }
  const fs::path dest = quantcore::outputs::destination_path(path.toStdString());
  try {
    quantcore::outputs::check_output_apart_from_inputs(dest, inputs);
  } catch (const quantcore::InputError& e) {
    error = QString::fromStdString(e.what());
    return false;
  }
  // The file dialog confirmed replacing a dump; a model directory must be new or empty.
  if (kind != Kind::Hdf5Dump && fs::exists(dest) && !(fs::is_directory(dest) && fs::is_empty(dest))) {
    error = cleaned + QString::fromStdString(dest.string()) + ": " + tr("exists and is not empty; choose a new folder");
    return false;
  }

  // What a run killed while writing here left behind (docs/reliability.md), said in the status.
  const std::vector<fs::path> removed = kind == Kind::Hdf5Dump ? quantcore::remove_abandoned_temporaries(dest, "")
                                                               : quantcore::outputs::remove_abandoned_staging(dest);
  for (const fs::path& p : removed)
    cleaned += tr("Removed %1, left by an interrupted run. ").arg(QString::fromStdString(p.string()));

  std::shared_ptr<const quantcore::quantize::QuantizeResult> result = session_.quantizedRun();
  std::function<void(JobProgress&, const quantcore::CancelToken&)> work;
  switch (kind) {
    case Kind::QuantizedHf:
    case Kind::Packed: {
      const auto format = kind == Kind::Packed ? quantcore::outputs::OutputFormat::Packed
                                               : quantcore::outputs::OutputFormat::FakeQuantHf;
      work = [result, dest, format, name = kNames[int(kind)]](JobProgress& progress,
                                                              const quantcore::CancelToken& cancel) {
        progress.stage(name, 1);
        quantcore::outputs::write_quantized_directory(*result, format, dest, false, cancel);
      };
      break;
    }
    case Kind::DenseHf: {
      // The run's W' when there is a run, else the packed model's dequantised weights.
      std::shared_ptr<const quantcore::Checkpoint> ck = result ? result->source.checkpoint : session_.checkpoint();
      work = [result, ck, dest](JobProgress& progress, const quantcore::CancelToken& cancel) {
        writeDirectory(dest, cancel, [&](const fs::path& dir) {
          quantcore::outputs::write_dense_model(*ck, result ? result->quantized.get() : nullptr, dir, progress, cancel);
        });
      };
      break;
    }
    case Kind::Hdf5Dump: {
#if QUANTLENS_HAVE_HDF5
      namespace ptq161 = quantcore::methods::ptq161;
      if (result && result->settings.method.method_name() == ptq161::kName) {
        work = [result, dest](JobProgress& progress, const quantcore::CancelToken& cancel) {
          analysis::write_quantization_dump(dest, *result, progress, cancel);
        };
      } else {
        // What `quantlens dump` writes: statistics, masks and the analytic initialisation at the
        // session's salient ratio, no optimisation.
        quantcore::quantize::QuantizeSettings settings(
            quantcore::methods::parse_method_spelling(std::string(ptq161::kName) + ":epochs=0:no-learn", "HDF5 dump"));
        settings.method.set("salient-ratio",
                            QString::number(session_.salientRatio(), 'g', QLocale::FloatingPointShortest).toStdString(),
                            "salient ratio");
        settings.calib = session_.calibrationText().toStdString();
        settings.calibration = session_.calibrationOptions();
        settings.model = session_.modelPath().toStdString();
        const analysis::DumpSettings dumpSettings = analysis::dump_settings(settings);
        work = [ck = session_.checkpoint(), calibration = session_.calibration(), dumpSettings, dest](
                   JobProgress& progress, const quantcore::CancelToken& cancel) {
          analysis::write_statistics_dump(dest, analysis::DumpSource{*ck, *calibration->stats, dumpSettings}, progress,
                                          cancel);
        };
      }
#endif
      break;
    }
  }

  busy_ = true;
  refresh();
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  const QString what =
      cleaned + tr("Exporting the %1 to %2").arg(kNames[int(kind)], QString::fromStdString(dest.string()));
  if (status_) {
    status_->setText(what + "...");
    bar_->setRange(0, 0);
    for (QWidget* w :
         {static_cast<QWidget*>(status_), static_cast<QWidget*>(bar_), static_cast<QWidget*>(cancelButton_)})
      w->setVisible(true);
  }
  poll_->start();
  Q_EMIT started(what);

  const QString destName = QString::fromStdString(dest.string());
  runInBackground(
      this,
      [work, destName](JobProgress& progress, const quantcore::CancelToken& cancel) {
        try {
          work(progress, cancel);
        } catch (const quantcore::InputError&) {
          throw;  // its message names the file already
        } catch (const std::exception& e) {
          throw std::runtime_error((destName + ": " + QString::fromStdString(e.what())).toStdString());
        }
      },
      [this, destName](TaskResult<void> r) {
        busy_ = false;
        cancel_.reset();
        poll_->stop();
        refresh();
        if (r.cancelled()) {
          ended(tr("Export cancelled; nothing was written to %1.").arg(destName));
          Q_EMIT cancelled(destName);
        } else if (r.failed()) {
          ended(r.error());
          Q_EMIT failed(r.error());
          if (interactive_) QMessageBox::warning(dialogParent_, tr("Export failed"), r.error());
        } else {
          ended(tr("Exported to %1").arg(destName));
          Q_EMIT finished(destName);
        }
      },
      {.pool = &pool_, .progress = borrowedProgress(progress_), .cancel = cancel_});
  return true;
}

void ExportActions::cancel() {
  if (cancel_) cancel_->request();
}

void ExportActions::ended(const QString& text) {
  if (!status_) return;
  bar_->setVisible(false);
  cancelButton_->setVisible(false);
  status_->setText(text);
}

}  // namespace widgets
