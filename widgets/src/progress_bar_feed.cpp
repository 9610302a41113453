#include "widgets/progress_bar_feed.h"

#include <QProgressBar>

namespace widgets {

ProgressBarFeed::ProgressBarFeed(const JobProgress& progress, QString format, QObject* parent, int intervalMs)
    : QObject(parent), progress_(progress), format_(std::move(format)) {
  timer_.setInterval(intervalMs);
  connect(&timer_, &QTimer::timeout, this, &ProgressBarFeed::show);
}

void ProgressBarFeed::show() {
  if (!bar_) return;
  const int64_t total = progress_.total();
  if (total > 0) {
    bar_->setRange(0, int(total));
    bar_->setValue(int(progress_.done()));
    bar_->setFormat(QString(format_).replace("{stage}", progress_.stageName()));
  } else {
    bar_->setRange(0, 0);
  }
}

}  // namespace widgets
