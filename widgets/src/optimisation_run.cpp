#include "widgets/optimisation_run.h"

#include <QFutureWatcher>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrent>

#include "quantcore/io/errors.h"

namespace widgets {

// Filled on the job's thread, swapped out on the GUI thread.
class OptimisationRun::EventBuffer : public quantcore::OptimizationEvents {
public:
  void loss(const quantcore::LossEvent& event) override {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(event);
  }
  std::vector<quantcore::LossEvent> take() {
    std::vector<quantcore::LossEvent> out;
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(events_);
    return out;
  }

private:
  std::mutex mutex_;
  std::vector<quantcore::LossEvent> events_;
};

namespace {
struct JobOutcome {
  std::shared_ptr<const analysis::Ptq161JobResult> result;
  analysis::PerplexityResult ppl;
  bool cancelled = false;
  QString error;
};

template <typename Work, typename Done>
void runJob(QObject* owner, Work work, Done done) {
  auto* watcher = new QFutureWatcher<JobOutcome>(owner);
  QObject::connect(watcher, &QFutureWatcher<JobOutcome>::finished, owner, [watcher, done] {
    done(watcher->result());
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run([work] {
    JobOutcome r;
    try {
      work(r);
    } catch (const quantcore::Cancelled&) {
      r.cancelled = true;
    } catch (const std::exception& e) {
      r.error = QString::fromStdString(e.what());
    }
    return r;
  }));
}
}  // namespace

OptimisationRun::OptimisationRun(QObject* parent) : QObject(parent) {
  drainTimer_.setInterval(kDrainIntervalMs);
  connect(&drainTimer_, &QTimer::timeout, this, &OptimisationRun::drain);
}

OptimisationRun::~OptimisationRun() {
  if (cancel_) cancel_->request();
  QThreadPool::globalInstance()->waitForDone();
}

double OptimisationRun::etaSeconds() const {
  if (!running_ || stepsDone_ <= 0 || totalSteps_ <= 0) return -1;
  return elapsedSeconds() / double(stepsDone_) * double(totalSteps_ - stepsDone_);
}

void OptimisationRun::start(const analysis::Ptq161JobSettings& settings, qint64 blocks) {
  if (running_) return;
  running_ = true;
  settings_ = settings;
  result_.reset();
  blocks_ = blocks;
  totalSteps_ = analysis::ptq161_total_steps(blocks, settings.calibration, settings.options);
  stepsDone_ = 0;
  buffer_ = std::make_shared<EventBuffer>();
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  clock_.start();
  drainTimer_.start();
  Q_EMIT started();
  runJob(
      this,
      [settings, buffer = buffer_, cancel = cancel_, progress = &progress_](JobOutcome& r) {
        r.result = std::make_shared<const analysis::Ptq161JobResult>(
            analysis::run_ptq161_job(settings, *buffer, *progress, *cancel));
      },
      [this](const JobOutcome& r) {
        drain();  // the last events before the end
        drainTimer_.stop();
        running_ = false;
        cancel_.reset();
        if (r.cancelled) return Q_EMIT cancelled();
        if (!r.error.isEmpty()) return Q_EMIT failed(r.error);
        result_ = r.result;
        Q_EMIT finished(r.result->seconds);
      });
}

void OptimisationRun::evaluatePerplexity(const QString& textPath, qint64 seqlen) {
  if (running_ || !result_) return;
  running_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  runJob(
      this,
      [run = result_, path = textPath.toStdString(), seqlen, cancel = cancel_, progress = &progress_](JobOutcome& r) {
        analysis::PerplexityOptions options;
        options.seqlen = seqlen;
        r.ppl = analysis::ptq161_job_perplexity(*run, path, options, *progress, *cancel);
      },
      [this](const JobOutcome& r) {
        running_ = false;
        cancel_.reset();
        if (r.cancelled) return Q_EMIT cancelled();
        if (!r.error.isEmpty()) return Q_EMIT perplexityFailed(r.error);
        Q_EMIT perplexityFinished(r.ppl.ppl, r.ppl.windows);
      });
}

void OptimisationRun::cancel() {
  if (cancel_) cancel_->request();
}

void OptimisationRun::drain() {
  if (!buffer_) return;
  std::vector<quantcore::LossEvent> events = buffer_->take();
  if (events.empty()) return;
  stepsDone_ += static_cast<int64_t>(events.size());
  Q_EMIT lossesArrived(events);
}

}  // namespace widgets
