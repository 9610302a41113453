#include "widgets/export_actions.h"

#include <QAction>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include <filesystem>
#include <functional>
#include <stdexcept>

#include "analysis/ptq161_job.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/export/model_directory.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/errors.h"
#include "widgets/background_task.h"
#include "widgets/optimisation_run.h"
#include "widgets/progress_bar_feed.h"
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

quantcore::outputs::QuantizedRun quantizedRun(const analysis::Ptq161JobResult& r) {
  return {*r.checkpoint, *r.model, *r.ptq161, r.settings.options};
}

// summary.json beside the weights: where the run came from and its spec §7 bits per weight.
void writeSummary(const analysis::Ptq161JobResult& r, const std::string& format, const fs::path& dir,
                  const nlohmann::json& bitsFromBytes) {
  const quantcore::Ptq161Options& o = r.settings.options;
  nlohmann::json summary = {{"method", "ptq161"},
                            {"format", format},
                            {"model", r.checkpoint->path.string()},
                            {"settings",
                             {{"calib", r.settings.calib_text_path},
                              {"nsamples", r.settings.calibration.nsamples},
                              {"seqlen", r.settings.calibration.seqlen},
                              {"seed", r.settings.calibration.seed},
                              {"salient_ratio", o.salient_ratio},
                              {"salient_bits", o.salient_bits},
                              {"epochs", o.epochs},
                              {"lr_alpha", o.lr_alpha},
                              {"lr_r", o.lr_r},
                              {"learn", o.learn}}},
                            {"bits", quantcore::outputs::formula_bits(quantizedRun(r))},
                            {"seconds", r.seconds}};
  if (!bitsFromBytes.is_null()) summary["bits_from_bytes"] = bitsFromBytes;
  quantcore::write_text_atomically(dir / "summary.json", summary.dump(2) + "\n");
}

// A model directory: staged beside `dest`, renamed over it only when complete and not cancelled.
void writeDirectory(const fs::path& dest, const quantcore::CancelToken& cancel,
                    const std::function<void(const fs::path&)>& fill) {
  quantcore::outputs::StagingDir staging(dest);
  fill(staging.path());
  cancel.throw_if_requested();
  staging.commit(dest, false);
}

}  // namespace

ExportActions::ExportActions(StudioSession& session, OptimisationRun* run, QWidget* dialogParent, bool interactive)
    : QObject(dialogParent), session_(session), run_(run), dialogParent_(dialogParent), interactive_(interactive) {
  for (int k = 0; k < kKinds; ++k) {
    actions_[size_t(k)] = new QAction(tr(kTitles[k]), this);
    connect(actions_[size_t(k)], &QAction::triggered, this, [this, k] { chooseAndStart(Kind(k)); });
  }
  pool_.setMaxThreadCount(1);
  poll_ = new ProgressBarFeed(progress_, "{stage} %v / %m", this);
  connect(&session_, &StudioSession::modelOpened, this, &ExportActions::refresh);
  connect(&session_, &StudioSession::calibrationFinished, this, &ExportActions::refresh);
  if (run_) {
    connect(run_, &OptimisationRun::started, this, &ExportActions::refresh);
    connect(run_, &OptimisationRun::finished, this, &ExportActions::onRunFinished);
    connect(run_, &OptimisationRun::cancelled, this, &ExportActions::refresh);
    connect(run_, &OptimisationRun::failed, this, &ExportActions::refresh);
  }
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
  const bool runDone = run_ && run_->hasResult();
  switch (kind) {
    case Kind::QuantizedHf:
    case Kind::Packed: return runDone;
    case Kind::DenseHf: return runDone || (session_.hasModel() && session_.isPackedModel());
    case Kind::Hdf5Dump:
#if QUANTLENS_HAVE_HDF5
      return runDone || (session_.hasModel() && session_.hasStats());
#else
      return false;
#endif
  }
  return false;
}

void ExportActions::refresh() {
  for (int k = 0; k < kKinds; ++k) actions_[size_t(k)]->setEnabled(available(Kind(k)));
}

void ExportActions::onRunFinished() {
  // The tree shows the bits of the run's result (spec §7) from now on.
  if (auto r = run_->result()) session_.setQuantizedBits(quantcore::outputs::formula_model_bits(quantizedRun(*r)));
  refresh();
}

void ExportActions::chooseAndStart(Kind kind) {
  const QString path =
      kind == Kind::Hdf5Dump
          ? QFileDialog::getSaveFileName(dialogParent_, tr(kTitles[int(kind)]), QString(), tr("HDF5 files (*.h5)"))
          : QFileDialog::getSaveFileName(dialogParent_, tr(kTitles[int(kind)]), QString(), tr("New folder"), nullptr,
                                         QFileDialog::DontConfirmOverwrite);
  if (path.isEmpty()) return;
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
      error = path + ": " + tr("needs a finished optimisation run or calibration statistics");
    return false;
  }
  fs::path dest = fs::absolute(path.toStdString()).lexically_normal();
  if (!dest.has_filename()) dest = dest.parent_path();
  // The file dialog confirmed replacing a dump; a model directory must be new or empty.
  if (kind != Kind::Hdf5Dump && fs::exists(dest) && !(fs::is_directory(dest) && fs::is_empty(dest))) {
    error = QString::fromStdString(dest.string()) + ": " + tr("exists and is not empty; choose a new folder");
    return false;
  }

  std::shared_ptr<const analysis::Ptq161JobResult> result = run_ ? run_->result() : nullptr;
  std::function<void(JobProgress&, const quantcore::CancelToken&)> work;
  switch (kind) {
    case Kind::QuantizedHf:
      work = [result, dest](JobProgress& progress, const quantcore::CancelToken& cancel) {
        progress.stage("quantized HF checkpoint", 1);
        writeDirectory(dest, cancel, [&](const fs::path& dir) {
          quantcore::outputs::write_fake_quant_model(quantizedRun(*result), dir, cancel);
          quantcore::outputs::copy_tokenizer(*result->checkpoint, dir);
          writeSummary(*result, "hf", dir, nullptr);
        });
      };
      break;
    case Kind::Packed:
      work = [result, dest](JobProgress& progress, const quantcore::CancelToken& cancel) {
        progress.stage("packed checkpoint", 1);
        writeDirectory(dest, cancel, [&](const fs::path& dir) {
          const nlohmann::json bytes = quantcore::outputs::write_packed_model(quantizedRun(*result), dir, cancel);
          quantcore::outputs::copy_tokenizer(*result->checkpoint, dir);
          writeSummary(*result, "ptq161-packed", dir, bytes);
        });
      };
      break;
    case Kind::DenseHf: {
      // The run's W' when there is a run, else the packed model's dequantised weights.
      std::shared_ptr<const quantcore::Checkpoint> ck = result ? result->checkpoint : session_.checkpoint();
      work = [result, ck, dest](JobProgress& progress, const quantcore::CancelToken& cancel) {
        writeDirectory(dest, cancel, [&](const fs::path& dir) {
          quantcore::outputs::write_dense_model(*ck, result ? result->model.get() : nullptr, dir, progress, cancel);
        });
      };
      break;
    }
    case Kind::Hdf5Dump: {
#if QUANTLENS_HAVE_HDF5
      if (result) {
        work = [result, dest](JobProgress& progress, const quantcore::CancelToken& cancel) {
          const analysis::DumpSource source{
              *result->checkpoint, *result->stats,
              analysis::dump_settings(result->settings.options, result->settings.calibration,
                                      result->settings.calib_text_path)};
          analysis::write_quantization_dump(dest, source, *result->model, *result->ptq161, result->loss_curves,
                                            progress, cancel);
        };
      } else {
        // What `quantlens dump` writes: statistics, masks and the analytic initialisation at the
        // slider's salient ratio, no optimisation.
        quantcore::Ptq161Options opt;
        opt.epochs = 0;
        opt.learn = false;
        opt.salient_ratio = session_.salientRatio();
        auto stats = std::make_shared<const quantcore::ActivationStats>(session_.stats());
        const analysis::DumpSettings settings =
            analysis::dump_settings(opt, session_.calibrationOptions(), session_.calibrationText().toStdString());
        work = [ck = session_.checkpoint(), stats, settings, dest](JobProgress& progress,
                                                                   const quantcore::CancelToken& cancel) {
          analysis::write_statistics_dump(dest, analysis::DumpSource{*ck, *stats, settings}, progress, cancel);
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
  const QString what = tr("Exporting the %1 to %2").arg(kNames[int(kind)], QString::fromStdString(dest.string()));
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
