#pragma once
// File > Export ... of a quantised model: the fake-quant HF directory and the packed checkpoint
// of a finished optimisation run, a dense fp16 HF checkpoint (of the run's result, or of the open
// model when it is a packed directory) and an HDF5 dump (the quantized dump of a run, otherwise
// the analysis dump from the session's calibration statistics). Each export runs on the thread
// pool, shows its progress in the status bar, can be cancelled, and writes through a staging
// directory or temporary file: nothing half-written ever appears under the chosen name.
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <array>
#include <memory>

#include "widgets/job_progress.h"

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QStatusBar;
class QWidget;

namespace widgets {

class StudioSession;
class ProgressBarFeed;

class ExportActions : public QObject {
  Q_OBJECT
public:
  enum class Kind { QuantizedHf, Packed, DenseHf, Hdf5Dump };
  static constexpr int kKinds = 4;

  // `run` (may be null) is the optimise view's run; with interactive = false, failures are only
  // signalled, never shown in a dialog.
  ExportActions(StudioSession& session, QWidget* dialogParent, bool interactive);
  ~ExportActions() override;

  // Adds the four actions to `menu` and the progress widgets (hidden while idle) to `bar`.
  void addTo(QMenu& menu, QStatusBar& bar);
  QAction* action(Kind kind) const { return actions_[static_cast<size_t>(kind)]; }
  // Whether `kind` applies now (the action's enabled state).
  bool available(Kind kind) const;
  bool busy() const { return busy_; }
  const JobProgress& progress() const { return progress_; }
  // The exports' own single thread: one export at a time, never waiting behind view jobs.
  QThreadPool& threadPool() { return pool_; }

  // Starts writing `path` (a directory, or the .h5 file of a dump) without a dialog. False with a
  // one-line `error` naming the path when `kind` does not apply or the destination is taken.
  bool start(Kind kind, const QString& path, QString& error);

public Q_SLOTS:
  void cancel();
  void refresh();

Q_SIGNALS:
  void started(const QString& what);
  void finished(const QString& path);
  void cancelled(const QString& path);
  void failed(const QString& message);

private:
  void chooseAndStart(Kind kind);
  void ended(const QString& text);

  StudioSession& session_;
  QWidget* dialogParent_;
  bool interactive_;
  std::array<QAction*, kKinds> actions_{};
  QLabel* status_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  ProgressBarFeed* poll_;
  QThreadPool pool_;
  bool busy_ = false;
  JobProgress progress_;
  std::shared_ptr<quantcore::CancelToken> cancel_;
};

}  // namespace widgets
