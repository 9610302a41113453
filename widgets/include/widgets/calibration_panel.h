#pragma once
// Calibration settings (text file, nsamples, seqlen, seed) with Run, Cancel and a progress bar.
// The job runs in the session off the GUI thread; its statistics are cached on disk.
#include <QWidget>

class QLineEdit;
class QSpinBox;
class QPushButton;
class QProgressBar;
class QLabel;
class QTimer;

namespace widgets {

class StudioSession;

class CalibrationPanel : public QWidget {
  Q_OBJECT
public:
  CalibrationPanel(StudioSession& session, QWidget* parent = nullptr);
  void setTextPath(const QString& path);
  void setOptions(qint64 nsamples, qint64 seqlen, quint64 seed);

public Q_SLOTS:
  void run();

private:
  void setRunning(bool running);
  void poll();
  // Why Run cannot start now (empty when it can): no model, or the text field's problem.
  QString runProblem() const;

  StudioSession& session_;
  QLineEdit* text_;
  QSpinBox *nsamples_, *seqlen_, *seed_;
  QPushButton *run_, *cancel_;
  QProgressBar* progress_;
  QLabel *status_, *reason_;
  QTimer* timer_;
  bool running_ = false;
};

}  // namespace widgets
