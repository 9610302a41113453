#include "widgets/hessian_marks_run.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrent>

#include "analysis/hessian_saliency.h"

namespace widgets {

struct HessianMarksRun::Outcome {
  std::optional<analysis::SalientMarks> marks;
  bool cancelled = false;
  QString error;
};

HessianMarksRun::HessianMarksRun(StudioSession& session, QObject* parent) : QObject(parent), session_(session) {}

HessianMarksRun::~HessianMarksRun() {
  // The worker owns what it uses (shared pointers); its result is dropped with the watcher.
  if (cancel_) cancel_->request();
}

void HessianMarksRun::request() {
  Request r{session_.hessianSaliency(), session_.selectedLayer(), session_.salientRatio()};
  if (!r.saliency || !r.layer.valid()) return clear();
  if (wanted_ == r && (running_ || result_)) return;
  wanted_ = r;
  result_.reset();
  Q_EMIT resultChanged();
  if (!running_) return start(r);
  if (inFlight_.saliency != r.saliency || !(inFlight_.layer == r.layer)) cancel_->request();
}

void HessianMarksRun::clear() {
  wanted_.reset();
  if (running_) cancel_->request();
  if (result_) {
    result_.reset();
    Q_EMIT resultChanged();
  }
}

void HessianMarksRun::start(const Request& r) {
  inFlight_ = r;
  running_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_->reset();
  Q_EMIT runningChanged(true);
  auto* watcher = new QFutureWatcher<Outcome>(this);
  connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, r] {
    const Outcome o = watcher->result();
    watcher->deleteLater();
    running_ = false;
    if (wanted_ && !(*wanted_ == r)) return start(*wanted_);  // superseded meanwhile
    Q_EMIT runningChanged(false);
    if (!wanted_ || o.cancelled) return;
    if (!o.error.isEmpty()) {
      Q_EMIT failed(o.error);
      return;
    }
    result_ = o.marks;
    Q_EMIT resultChanged();
  });
  watcher->setFuture(QtConcurrent::run([r, progress = progress_, cancel = cancel_] {
    Outcome o;
    try {
      o.marks = r.saliency->marks(r.layer.block, r.layer.linear, r.ratio, *progress, *cancel);
    } catch (const quantcore::Cancelled&) {
      o.cancelled = true;
    } catch (const std::exception& e) {
      o.error = QString::fromStdString(e.what());
    }
    return o;
  }));
}

}  // namespace widgets
