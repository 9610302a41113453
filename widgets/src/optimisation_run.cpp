#include "widgets/optimisation_run.h"

#include <QThreadPool>

#include "analysis/run_perplexity.h"
#include "quantcore/io/errors.h"
#include "widgets/background_task.h"

namespace widgets {

namespace {
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

bool OptimisationRun::resultIsPacked() const {
  if (!result_ || result_->quantized->blocks.empty() || result_->quantized->blocks.front().linears.empty()) return false;
  return result_->quantized->blocks.front().linears.front()->packed() != nullptr;
}

void OptimisationRun::evaluatePerplexity(const QString& textPath, qint64 seqlen, const QString& kernels) {
  if (running_ || !result_) return;
  running_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  runInBackground(
      this,
      [run = result_, path = textPath.toStdString(), seqlen, kernels = kernels.toStdString()](
          JobProgress& progress, const quantcore::CancelToken& cancel) {
        analysis::PerplexityOptions options;
        options.seqlen = seqlen;
        return analysis::run_perplexity(*run, path, options, progress, cancel, kernels);
      },
      [this](TaskResult<analysis::PerplexityResult> r) {
        running_ = false;
        cancel_.reset();
        if (r.cancelled()) return Q_EMIT cancelled();
        if (r.failed()) return Q_EMIT perplexityFailed(r.error());
        Q_EMIT perplexityFinished(r.value().ppl, r.value().windows, QString::fromStdString(r.value().kernels));
      },
      {.progress = borrowedProgress(progress_), .cancel = cancel_});
}

void OptimisationRun::cancel() {
  if (cancel_) cancel_->request();
}

}  // namespace widgets
