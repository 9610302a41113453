#pragma once
// Shows a JobProgress on a QProgressBar, polled by a GUI timer while started (the worker only
// writes atomics): the stage's done / total once the total is known, a busy bar before.
#include <QObject>
#include <QString>
#include <QTimer>

#include "widgets/job_progress.h"

class QProgressBar;

namespace widgets {

class ProgressBarFeed : public QObject {
public:
  // `format`: the bar's text, QProgressBar's %v / %m / %p with {stage} for the stage's name.
  ProgressBarFeed(const JobProgress& progress, QString format, QObject* parent = nullptr, int intervalMs = 100);

  void setBar(QProgressBar* bar) { bar_ = bar; }  // none: the feed shows nothing
  void start() { timer_.start(); }
  void stop() { timer_.stop(); }
  bool active() const { return timer_.isActive(); }
  void show();  // what the timer does

private:
  QProgressBar* bar_ = nullptr;
  const JobProgress& progress_;
  QString format_;
  QTimer timer_;
};

}  // namespace widgets
