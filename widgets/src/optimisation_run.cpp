#include "widgets/optimisation_run.h"

#include <QThreadPool>

#include <limits>

#include "analysis/run_perplexity.h"
#include "quantcore/io/errors.h"
#include "widgets/background_task.h"

namespace widgets {

namespace {
// Passes progress on under another stage name ("FP model: 12 of 40 windows").
class RenamedStages : public quantcore::ProgressSink {
public:
  RenamedStages(quantcore::ProgressSink& next, std::string name) : next_(next), name_(std::move(name)) {}
  void stage(const std::string&, int64_t total) override { next_.stage(name_, total); }
  void advance(int64_t done) override { next_.advance(done); }
  void finish() override {}  // the job has more stages; the task's end finishes the progress

private:
  quantcore::ProgressSink& next_;
  std::string name_;
};

// The job's loss events, appended on its thread to the queue the GUI drains.
class LossQueue : public quantcore::OptimizationEvents {
public:
  explicit LossQueue(EventQueue<quantcore::LossEvent>& queue) : queue_(queue) {}
  void loss(const quantcore::LossEvent& event) override { queue_.append(event); }

private:
  EventQueue<quantcore::LossEvent>& queue_;
};
}  // namespace

OptimisationRun::OptimisationRun(QObject* parent)
    : QObject(parent), losses_(kDrainIntervalMs, [this](std::vector<quantcore::LossEvent> events) {
        stepsDone_ += static_cast<int64_t>(events.size());
        Q_EMIT lossesArrived(events);
      }) {}

OptimisationRun::~OptimisationRun() {
  if (cancel_) cancel_->request();
  QThreadPool::globalInstance()->waitForDone();
}

double OptimisationRun::etaSeconds() const {
  if (!running_ || stepsDone_ <= 0 || totalSteps_ <= 0) return -1;
  return elapsedSeconds() / double(stepsDone_) * double(totalSteps_ - stepsDone_);
}

void OptimisationRun::start(const quantcore::quantize::QuantizeSettings& settings,
                            const quantcore::quantize::OpenModel& open,
                            std::shared_ptr<const quantcore::quantize::Calibration> calibration, qint64 blocks) {
  if (running_) return;
  running_ = true;
  result_.reset();
  blocks_ = blocks;
  totalSteps_ = quantcore::quantize::total_steps(settings, blocks);
  const bool reusable =
      calibration && calibration->text_path == settings.calib && calibration->options == settings.calibration;
  if (!reusable) calibration.reset();
  stepsDone_ = 0;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  clock_.start();
  const auto losses = losses_.open();
  Q_EMIT started();
  runInBackground(
      this,
      [settings, open, calibration, losses](JobProgress& progress, const quantcore::CancelToken& cancel) {
        LossQueue events(*losses);
        return std::make_shared<const quantcore::quantize::QuantizeResult>(
            quantcore::quantize::quantize(open, calibration.get(), settings, {}, events, progress, cancel));
      },
      [this](TaskResult<std::shared_ptr<const quantcore::quantize::QuantizeResult>> r) {
        losses_.close();  // the last events before the end
        running_ = false;
        cancel_.reset();
        if (r.cancelled()) return Q_EMIT cancelled();
        if (r.failed()) return Q_EMIT failed(r.error());
        result_ = r.value();
        Q_EMIT finished(result_->seconds);
      },
      {.progress = borrowedProgress(progress_), .cancel = cancel_});
}

bool hasPackedForms(const quantcore::quantize::QuantizeResult& run) {
  if (!run.quantized || run.quantized->blocks.empty() || run.quantized->blocks.front().linears.empty()) return false;
  return run.quantized->blocks.front().linears.front()->packed() != nullptr;
}

bool OptimisationRun::resultIsPacked() const { return result_ && hasPackedForms(*result_); }

void OptimisationRun::evaluatePerplexity(std::shared_ptr<const quantcore::quantize::QuantizeResult> run,
                                         const PerplexityRequest& request) {
  if (running_ || !run) return;
  running_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  struct Outcome {
    analysis::PerplexityResult quantised;
    double fp = std::numeric_limits<double>::quiet_NaN();
  };
  runInBackground(
      this,
      [run, path = request.text.toStdString(), request, kernels = request.kernels.toStdString()](
          JobProgress& progress, const quantcore::CancelToken& cancel) {
        analysis::PerplexityOptions options;
        options.seqlen = request.seqlen;
        if (request.maxWindows > 0) options.max_windows = request.maxWindows;
        Outcome o;
        if (request.baseline) {
          RenamedStages fp(progress, "FP model");
          o.fp = analysis::source_perplexity(*run, path, options, fp, cancel).ppl;
        }
        RenamedStages quantised(progress, "quantised model");
        o.quantised = analysis::run_perplexity(*run, path, options, quantised, cancel, kernels);
        return o;
      },
      [this](TaskResult<Outcome> r) {
        running_ = false;
        cancel_.reset();
        if (r.cancelled()) return Q_EMIT cancelled();
        if (r.failed()) return Q_EMIT perplexityFailed(r.error());
        const Outcome& o = r.value();
        Q_EMIT perplexityFinished(o.quantised.ppl, o.quantised.windows, QString::fromStdString(o.quantised.kernels),
                                  o.fp);
      },
      {.progress = borrowedProgress(progress_), .cancel = cancel_});
}

void OptimisationRun::cancel() {
  if (cancel_) cancel_->request();
}

}  // namespace widgets
