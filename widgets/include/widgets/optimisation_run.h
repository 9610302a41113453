#pragma once
// A quantisation run off the GUI thread (quantcore/quantize/quantize_job.h) on the session's open
// model and calibration, then perplexity of its result on a chosen text.
// The job's loss events go through a CoalescingBuffer drained every kDrainIntervalMs: the worker
// never waits for the GUI and the GUI gets them in batches.
#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "quantcore/quantize/quantize_job.h"
#include "widgets/coalescing_buffer.h"
#include "widgets/job_progress.h"

namespace widgets {

// Whether the run's linears have packed forms (then perplexity can compute with the packed kernels).
bool hasPackedForms(const quantcore::quantize::QuantizeResult& run);

// Perplexity of a run (spec §8.1) and, unless known, of the original model on the same windows.
struct PerplexityRequest {
  QString text;
  qint64 seqlen = 256;
  qint64 maxWindows = 0;  // 0: every window of the text
  QString kernels = "dense";
  bool baseline = true;   // also evaluate the FP source model
};

class OptimisationRun : public QObject {
  Q_OBJECT
public:
  static constexpr int kDrainIntervalMs = 50;

  explicit OptimisationRun(QObject* parent = nullptr);
  ~OptimisationRun() override;

  bool running() const { return running_; }
  bool hasResult() const { return result_ != nullptr; }
  // The finished run (null before one finished): what the exports write.
  std::shared_ptr<const quantcore::quantize::QuantizeResult> result() const { return result_; }
  // Whether the finished run's linears have packed forms (then perplexity can compute with the
  // packed kernels).
  bool resultIsPacked() const;
  int64_t blocks() const { return blocks_; }
  int64_t totalSteps() const { return totalSteps_; }
  int64_t stepsDone() const { return stepsDone_; }
  double elapsedSeconds() const { return clock_.isValid() ? clock_.elapsed() / 1000.0 : 0.0; }
  // Remaining seconds at the mean step time so far; negative while unknown.
  double etaSeconds() const;
  const JobProgress& progress() const { return progress_; }

public Q_SLOTS:
  // `blocks`: the model's decoder blocks (for the step count and ETA before the first event).
  // `calibration` is reused when it matches the settings' calibration (else the job makes one).
  void start(const quantcore::quantize::QuantizeSettings& settings, const quantcore::quantize::OpenModel& open,
             std::shared_ptr<const quantcore::quantize::Calibration> calibration, qint64 blocks);
  // Of `run` (the session's current run); kernels: "dense" (fp16 W') or "packed" (the packed
  // kernels, docs/kernels.md). The progress stages are "FP model" and "quantised model".
  void evaluatePerplexity(std::shared_ptr<const quantcore::quantize::QuantizeResult> run,
                          const PerplexityRequest& request);
  void cancel();

Q_SIGNALS:
  void started();
  void lossesArrived(const std::vector<quantcore::LossEvent>& events);
  void finished(double seconds);
  void cancelled();
  void failed(const QString& message);
  // fpPpl: NaN when the request asked for no baseline.
  void perplexityFinished(double ppl, qint64 windows, const QString& kernels, double fpPpl);
  void perplexityFailed(const QString& message);

private:
  std::shared_ptr<const quantcore::quantize::QuantizeResult> result_;
  std::shared_ptr<quantcore::CancelToken> cancel_;
  JobProgress progress_;
  CoalescingBuffer<quantcore::LossEvent> losses_;
  QElapsedTimer clock_;
  bool running_ = false;
  int64_t blocks_ = 0;
  int64_t totalSteps_ = 0;
  int64_t stepsDone_ = 0;
};

}  // namespace widgets
