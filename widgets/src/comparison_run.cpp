#include "widgets/comparison_run.h"

#include <QThreadPool>

#include "quantcore/io/checkpoint.h"
#include "widgets/background_task.h"

namespace widgets {

// The job's listener, called on its thread: appends to the queue the GUI drains.
class ComparisonRun::Listener : public analysis::CompareListener {
public:
  explicit Listener(EventQueue<Event>& queue) : queue_(queue) {}
  void fp_evaluated(const analysis::PerplexityResult& perplexity,
                    const std::optional<analysis::ZeroShotResult>& accuracy) override {
    queue_.append(FpEvaluated{perplexity, accuracy});
  }
  void method_started(size_t index, const quantcore::methods::MethodSettings&) override {
    queue_.append(Started{index});
  }
  void row_finished(size_t index, const analysis::CompareRow& row) override { queue_.append(Finished{index, row}); }

private:
  EventQueue<Event>& queue_;
};

ComparisonRun::ComparisonRun(QObject* parent)
    : QObject(parent), events_(kDrainIntervalMs, [this](std::vector<Event> events) { deliver(std::move(events)); }) {}

ComparisonRun::~ComparisonRun() {
  if (cancel_) cancel_->request();
  QThreadPool::globalInstance()->waitForDone();
}

void ComparisonRun::deliver(std::vector<Event> events) {
  for (Event& e : events) {
    if (const auto* fp = std::get_if<FpEvaluated>(&e))
      Q_EMIT fpEvaluated(fp->perplexity, fp->accuracy);
    else if (const auto* s = std::get_if<Started>(&e))
      Q_EMIT methodStarted(int(s->index));
    else if (const auto* f = std::get_if<Finished>(&e))
      Q_EMIT rowFinished(int(f->index), f->row);
  }
}

void ComparisonRun::start(const quantcore::quantize::OpenModel& open, const analysis::CompareRequest& request,
                          std::optional<ComparisonTask> task) {
  if (running_) return;
  running_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  const auto queue = events_.open();
  runInBackground(
      this,
      [open, request = analysis::CompareRequest(request), task, queue](JobProgress& progress,
                                                                       const quantcore::CancelToken& cancel) mutable {
        if (task) {
          analysis::CompareTask t;
          t.task = task->task;
          t.data = task->data.toStdString();
          t.items = task->task->read(t.data);
          if (task->limit > 0) t.options.limit = task->limit;
          t.options.max_length = open.checkpoint->spec.max_position_embeddings;
          t.options.data_name = t.data;
          request.task = std::move(t);
        }
        Listener listener(*queue);
        return analysis::run_compare(open, request, listener, progress, cancel);
      },
      [this](TaskResult<analysis::CompareResult> r) {
        events_.close();  // the last rows before the end
        running_ = false;
        cancel_.reset();
        if (r.failed()) return Q_EMIT failed(r.error());
        if (r.cancelled()) {  // reading the task's file was cancelled: no result at all
          analysis::CompareResult none;
          none.cancelled = true;
          return Q_EMIT finished(none);
        }
        Q_EMIT finished(r.value());
      },
      {.progress = borrowedProgress(progress_), .cancel = cancel_});
}

void ComparisonRun::cancel() {
  if (cancel_) cancel_->request();
}

}  // namespace widgets
