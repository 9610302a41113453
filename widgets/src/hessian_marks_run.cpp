#include "widgets/hessian_marks_run.h"

#include "analysis/hessian_saliency.h"
#include "widgets/background_task.h"

namespace widgets {

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
  runInBackground(
      this,
      [r](JobProgress& progress, const quantcore::CancelToken& cancel) {
        return r.saliency->marks(r.layer.block, r.layer.linear, r.ratio, progress, cancel);
      },
      [this, r](TaskResult<analysis::SalientMarks> o) {
        running_ = false;
        if (wanted_ && !(*wanted_ == r)) return start(*wanted_);  // superseded meanwhile
        Q_EMIT runningChanged(false);
        if (!wanted_ || o.cancelled()) return;
        if (o.failed()) {
          Q_EMIT failed(o.error());
          return;
        }
        result_ = std::move(o.value());
        Q_EMIT resultChanged();
      },
      {.progress = progress_, .cancel = cancel_});
}

}  // namespace widgets
