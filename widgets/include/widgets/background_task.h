#pragma once
// Runs a function off the GUI thread and hands its outcome back on the GUI thread: what each job
// owner of the Studio did with its own QFutureWatcher, QtConcurrent::run and catch blocks.
//  - The work may take (JobProgress&, const quantcore::CancelToken&) to report and to poll.
//  - `done` gets exactly one TaskResult on `context`'s thread: the value, cancelled (the work
//    threw quantcore::Cancelled) or failed with the exception's message. Nothing is delivered
//    once `context` is destroyed (the watcher is its child); the work itself runs to its end, so
//    it must hold what it uses (shared pointers) or its owner must wait for the pool.
//  - LatestTask: each start() cancels the task it started before and drops that one's outcome.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "quantcore/jobs/progress.h"
#include "widgets/job_progress.h"

namespace widgets {

template <typename T>
class TaskResult {
  struct Cancelled {};
  struct Error {
    QString message;
  };
  using Value = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

public:
  TaskResult() = default;  // cancelled
  static TaskResult cancelledResult() { return TaskResult(); }
  static TaskResult errorResult(QString message) { return TaskResult(Error{std::move(message)}); }
  template <typename... V>
  static TaskResult valueResult(V&&... value) {
    TaskResult r;
    r.outcome_.template emplace<Value>(std::forward<V>(value)...);
    return r;
  }

  bool hasValue() const { return std::holds_alternative<Value>(outcome_); }
  bool cancelled() const { return std::holds_alternative<Cancelled>(outcome_); }
  bool failed() const { return std::holds_alternative<Error>(outcome_); }
  const QString& error() const { return std::get<Error>(outcome_).message; }
  template <typename U = T, typename = std::enable_if_t<!std::is_void_v<U>>>
  U& value() {
    return std::get<Value>(outcome_);
  }

private:
  explicit TaskResult(Error e) : outcome_(std::move(e)) {}
  std::variant<Cancelled, Error, Value> outcome_;
};

struct TaskOptions {
  QThreadPool* pool = nullptr;                     // the global pool when null
  std::shared_ptr<JobProgress> progress;           // a private one when null
  std::shared_ptr<quantcore::CancelToken> cancel;  // a fresh one when null
};

// A progress the owner keeps by value, for owners whose destructor waits for the pool.
inline std::shared_ptr<JobProgress> borrowedProgress(JobProgress& progress) {
  return std::shared_ptr<JobProgress>(std::shared_ptr<JobProgress>(), &progress);
}

namespace detail {
template <typename Work>
decltype(auto) callWork(Work& work, JobProgress& progress, const quantcore::CancelToken& cancel) {
  if constexpr (std::is_invocable_v<Work&, JobProgress&, const quantcore::CancelToken&>)
    return work(progress, cancel);
  else
    return work();
}
template <typename Work>
using WorkResult = decltype(callWork(std::declval<Work&>(), std::declval<JobProgress&>(),
                                     std::declval<const quantcore::CancelToken&>()));
}  // namespace detail

// Starts `work` and returns its cancel token.
template <typename Work, typename Done>
std::shared_ptr<quantcore::CancelToken> runInBackground(QObject* context, Work work, Done done,
                                                        TaskOptions options = {}) {
  using T = detail::WorkResult<Work>;
  using Result = TaskResult<T>;
  auto progress = options.progress ? options.progress : std::make_shared<JobProgress>();
  auto cancel = options.cancel ? options.cancel : std::make_shared<quantcore::CancelToken>();
  auto* watcher = new QFutureWatcher<Result>(context);
  QObject::connect(watcher, &QFutureWatcher<Result>::finished, context, [watcher, done = std::move(done)]() mutable {
    Result result = watcher->future().takeResult();
    watcher->deleteLater();
    done(std::move(result));
  });
  QThreadPool* pool = options.pool ? options.pool : QThreadPool::globalInstance();
  watcher->setFuture(QtConcurrent::run(pool, [work = std::move(work), progress, cancel]() mutable -> Result {
    try {
      if constexpr (std::is_void_v<T>) {
        detail::callWork(work, *progress, *cancel);
        return Result::valueResult();
      } else {
        return Result::valueResult(detail::callWork(work, *progress, *cancel));
      }
    } catch (const quantcore::Cancelled&) {
      return Result::cancelledResult();
    } catch (const std::exception& e) {
      return Result::errorResult(QString::fromStdString(e.what()));
    } catch (...) {
      return Result::errorResult(QStringLiteral("unknown error"));
    }
  }));
  return cancel;
}

// One task at a time where a newer request replaces the running one ("latest request wins").
class LatestTask {
public:
  // Cancels the task started before (its outcome is dropped) and starts `work`.
  template <typename Work, typename Done>
  std::shared_ptr<quantcore::CancelToken> start(QObject* context, Work work, Done done, TaskOptions options = {}) {
    cancel();
    const std::uint64_t generation = ++state_->generation;
    state_->running = true;
    state_->cancel = runInBackground(
        context, std::move(work),
        [state = state_, generation, done = std::move(done)](auto result) mutable {
          if (state->generation != generation) return;  // superseded
          state->running = false;
          state->cancel.reset();
          done(std::move(result));
        },
        std::move(options));
    return state_->cancel;
  }
  // Cancels the running task; its outcome (cancelled, or what it finished with) is delivered.
  void cancel() {
    if (state_->cancel) state_->cancel->request();
  }
  bool running() const { return state_->running; }

private:
  struct State {
    std::uint64_t generation = 0;
    bool running = false;
    std::shared_ptr<quantcore::CancelToken> cancel;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace widgets
