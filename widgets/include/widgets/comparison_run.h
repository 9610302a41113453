#pragma once
// A comparison (analysis/compare_job.h) off the GUI thread on the session's open model: the
// methods one after the other, each row handed to the GUI as it finishes. The job's listener
// appends to a CoalescingBuffer drained every kDrainIntervalMs, so the worker never waits for
// the GUI; the rows arrive in order, before finished().
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <variant>

#include "analysis/compare_job.h"
#include "widgets/coalescing_buffer.h"
#include "widgets/job_progress.h"

namespace widgets {

// A zero-shot task to evaluate as well: its items are read on the worker thread.
struct ComparisonTask {
  const analysis::ZeroShotTask* task = nullptr;
  QString data;      // the task's file
  qint64 limit = 0;  // 0: every item
};

class ComparisonRun : public QObject {
  Q_OBJECT
public:
  static constexpr int kDrainIntervalMs = 50;

  explicit ComparisonRun(QObject* parent = nullptr);
  ~ComparisonRun() override;

  bool running() const { return running_; }
  const JobProgress& progress() const { return progress_; }

  // `request.task` is filled from `task` on the worker (reading its file may take a while).
  void start(const quantcore::quantize::OpenModel& open, const analysis::CompareRequest& request,
             std::optional<ComparisonTask> task);
  // Stops at the job's next check; the finished rows stay (finished() says cancelled).
  void cancel();

Q_SIGNALS:
  void fpEvaluated(const analysis::PerplexityResult& perplexity,
                   const std::optional<analysis::ZeroShotResult>& accuracy);
  void methodStarted(int index);
  void rowFinished(int index, const analysis::CompareRow& row);
  // The job's result (rows included; cancelled when cancel() stopped it).
  void finished(const analysis::CompareResult& result);
  void failed(const QString& message);

private:
  struct Started {
    size_t index;
  };
  struct Finished {
    size_t index;
    analysis::CompareRow row;
  };
  struct FpEvaluated {
    analysis::PerplexityResult perplexity;
    std::optional<analysis::ZeroShotResult> accuracy;
  };
  using Event = std::variant<FpEvaluated, Started, Finished>;
  class Listener;

  void deliver(std::vector<Event> events);

  CoalescingBuffer<Event> events_;
  JobProgress progress_;
  std::shared_ptr<quantcore::CancelToken> cancel_;
  bool running_ = false;
};

}  // namespace widgets
