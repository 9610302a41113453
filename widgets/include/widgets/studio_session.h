#pragma once
// The open model and everything computed from it that the views show: calibration statistics,
// the selected linear, the salient ratio and its slider result. Loading and calibration run on
// a worker thread; the session emits signals on the GUI thread when they end. Views hold no
// model data of their own.
#include <QObject>
#include <QString>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "analysis/float_matrix.h"
#include "analysis/salient_slider.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/methods/ptq161/options.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/pack/bits_accounting.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/job_progress.h"

namespace quantcore {
class CausalLM;
class Tokenizer;
struct Checkpoint;
}  // namespace quantcore

namespace analysis {
class HessianSaliency;
}

namespace widgets {

class ModelBoundsRun;
class LatestTask;
class DumpDocument;
class RunList;
struct RunRecord;
template <typename T>
class TaskResult;

struct LayerId {
  int64_t block = -1;
  std::string linear;
  bool valid() const { return block >= 0; }
  bool operator==(const LayerId&) const = default;
};

class StudioSession : public QObject {
  Q_OBJECT
public:
  explicit StudioSession(QObject* parent = nullptr);
  ~StudioSession() override;

  bool hasModel() const { return model_ != nullptr; }
  const QString& modelPath() const { return modelPath_; }
  const quantcore::ModelSpec& spec() const { return spec_; }
  const quantcore::CausalLM& model() const { return *model_; }
  // The opened checkpoint (a packed directory serves its dequantised W').
  std::shared_ptr<const quantcore::Checkpoint> checkpoint() const { return checkpoint_; }
  bool isPackedModel() const;
  // Spec §7 bits of every quantised linear (layers in packed::quantized_weights(spec) order):
  // a packed directory's from its salient counts, else those set by setQuantizedBits.
  const std::optional<quantcore::ModelBits>& quantizedBits() const { return quantizedBits_; }

  // The open model as the quantize job takes it (shared, never modified by a run).
  quantcore::quantize::OpenModel openModelData() const;
  // The last calibration (tokens, windows, statistics); null before one.
  std::shared_ptr<const quantcore::quantize::Calibration> calibration() const { return calibration_; }
  // The finished quantisation run of the open model (stored forms; null before one).
  std::shared_ptr<const quantcore::quantize::QuantizeResult> quantizedRun() const { return run_; }

  // Every run of the session (the Optimise panel's, runs reopened from disk, ...); the one above
  // is the current run among them.
  RunList& runs() const { return *runs_; }
  // Whether `run` was made from the open model: its stored forms' source is the open checkpoint,
  // or, for a run read back from disk, its model path is the open model's file.
  bool isRunOfOpenModel(const RunRecord& run) const;

  // A second model for the compare view (null before one opened), loaded off the GUI thread.
  std::shared_ptr<const quantcore::CausalLM> secondModel() const { return second_; }
  const QString& secondModelPath() const { return secondPath_; }
  const JobProgress& secondModelProgress() const { return secondProgress_; }
  // The second model's activation statistics on the windows of the last calibration (null until
  // requestSecondStats() has collected them in the background), for the before/after view.
  std::shared_ptr<const quantcore::ActivationStats> secondStats() const { return secondStats_; }
  // The second model's preprocess.json when it is a preprocessed model M_P (quantlens
  // preprocess), else null: its settings, LoRA losses and the concentration statistic.
  const nlohmann::json& preprocessRecord() const { return preprocessRecord_; }
  // Whether the second model has the open model's blocks and linear shapes (what the
  // before/after view compares).
  bool secondModelMatches() const;

  bool hasStats() const { return stats_ != nullptr; }
  const quantcore::ActivationStats& stats() const { return *stats_; }
  // PB-LLM's Hessian criterion over the windows of the last calibration (null before one); it
  // keeps each linear's H once computed.
  std::shared_ptr<analysis::HessianSaliency> hessianSaliency() const { return hessian_; }
  // The text and windows the statistics were collected on.
  const QString& calibrationText() const { return calibText_; }
  const quantcore::CalibrationOptions& calibrationOptions() const { return calibOptions_; }

  const LayerId& selectedLayer() const { return selected_; }
  const analysis::FloatMatrix& selectedWeightMagnitude() const { return selectedMagnitude_; }
  double salientRatio() const { return ratio_; }
  // Present once a layer is selected and statistics exist. Evaluated on a worker thread, the
  // latest ratio wins; sliderChanged() is emitted when a result (or its absence) is in place.
  const std::optional<analysis::SalientSliderResult>& sliderResult() const { return sliderResult_; }
  // True while the result does not yet reflect the current layer and ratio.
  bool sliderPending() const { return sliderRunning_ || (slider_ && !sliderResult_); }

  // Every block linear's eq. (4) bound at the salient ratio, filled in the background after
  // calibration and after each ratio change.
  ModelBoundsRun& modelBounds() const { return *bounds_; }

  bool busy() const { return busy_; }
  const JobProgress& progress() const { return progress_; }

  // The opened HDF5 analysis dump, independent of the open model.
  DumpDocument& dump() { return *dump_; }

public Q_SLOTS:
  void openModel(const QString& path);
  void calibrate(const QString& textPath, const quantcore::CalibrationOptions& options);
  void cancelJob();
  void openSecondModel(const QString& path);
  // A run's quantised model (kept run `runId`, its W' made off the GUI thread) as the compare
  // view's second model, labelled "#ID method".
  void compareRunWithOriginal(int runId);
  void cancelSecondModel();
  // Collects secondStats() when a second model of the open model's shapes and a calibration
  // exist and they are not there yet; secondStatsReady() when done. Asked for by the view that
  // shows them, so no other job runs beside it unasked.
  void requestSecondStats();
  void selectLayer(qint64 block, const QString& linear);
  void setSalientRatio(double ratio);
  // The bits of a quantisation of the open model (e.g. a finished optimisation run).
  void setQuantizedBits(const quantcore::ModelBits& bits);
  // Keeps `run` as the session's quantised model; the tree shows its bits.
  void setQuantizedRun(std::shared_ptr<const quantcore::quantize::QuantizeResult> run);

Q_SIGNALS:
  void jobStarted(const QString& what);
  void modelOpened();
  void modelFailed(const QString& message);
  void calibrationFinished();
  void calibrationFailed(const QString& message);
  void calibrationCancelled();
  void selectionChanged();
  void sliderChanged();
  void quantizedBitsChanged();
  void quantizedRunChanged();
  void secondModelOpened();
  void secondModelFailed(const QString& message);
  void secondStatsReady();
  void salientRatioChanged(double ratio);

private:
  struct Loaded;
  struct Calibrated;
  void rebuildSlider();
  void recomputeSlider();
  void acceptSecondModel(TaskResult<std::shared_ptr<const quantcore::CausalLM>>& loaded, const QString& label);

  QString modelPath_;
  quantcore::ModelSpec spec_;
  std::shared_ptr<quantcore::CausalLM> model_;
  std::shared_ptr<quantcore::Tokenizer> tokenizer_;
  std::shared_ptr<const quantcore::Checkpoint> checkpoint_;
  std::optional<quantcore::ModelBits> quantizedBits_;
  std::shared_ptr<const quantcore::ActivationStats> stats_;
  std::shared_ptr<const quantcore::quantize::Calibration> calibration_;
  std::shared_ptr<const quantcore::quantize::QuantizeResult> run_;
  std::shared_ptr<const quantcore::CausalLM> second_;
  QString secondPath_;
  JobProgress secondProgress_;
  std::shared_ptr<const quantcore::ActivationStats> secondStats_;
  std::shared_ptr<quantcore::CancelToken> secondStatsCancel_;
  std::pair<const void*, const void*> secondStatsFor_{nullptr, nullptr};  // the pass running, if any
  nlohmann::json preprocessRecord_;
  std::unique_ptr<LatestTask> secondLoad_;
  std::shared_ptr<analysis::HessianSaliency> hessian_;
  QString calibText_;
  quantcore::CalibrationOptions calibOptions_;
  LayerId selected_;
  analysis::FloatMatrix selectedMagnitude_;
  double ratio_ = quantcore::methods::ptq161::kDefaultSalientRatio;  // spec §2.2
  std::shared_ptr<const analysis::SalientSlider> slider_;
  std::optional<analysis::SalientSliderResult> sliderResult_;
  bool sliderRunning_ = false;
  ModelBoundsRun* bounds_;

  bool busy_ = false;
  JobProgress progress_;
  std::shared_ptr<quantcore::CancelToken> cancel_;
  DumpDocument* dump_;
  RunList* runs_;
};

}  // namespace widgets
