#include "widgets/studio_session.h"

#include <QFileInfo>
#include <QThreadPool>

#include "analysis/hessian_saliency.h"
#include "analysis/layer_view.h"
#include "analysis/model_bounds.h"
#include "analysis/model_statistics.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/export/bits_report.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/read_file.h"
#include "quantcore/model/load_model.h"
#include "quantcore/pack/packed_checkpoint.h"
#include "quantcore/tokenize/tokenizer.h"
#include "widgets/background_task.h"
#include "widgets/model_bounds_run.h"
#include "widgets/dump_document.h"
#include "widgets/run_list.h"

namespace widgets {

struct StudioSession::Loaded {
  QString path;
  quantcore::ModelSpec spec;
  std::shared_ptr<quantcore::CausalLM> model;
  std::shared_ptr<quantcore::Tokenizer> tokenizer;
  std::shared_ptr<const quantcore::Checkpoint> checkpoint;
  std::optional<quantcore::ModelBits> bits;
};

struct StudioSession::Calibrated {
  std::shared_ptr<const quantcore::quantize::Calibration> calibration;
  QString text;
};

StudioSession::StudioSession(QObject* parent)
    : QObject(parent), bounds_(new ModelBoundsRun(this)), dump_(new DumpDocument(this)), runs_(new RunList(this)) {
  secondLoad_ = std::make_unique<LatestTask>();
}
StudioSession::~StudioSession() {
  if (cancel_) cancel_->request();
  if (secondStatsCancel_) secondStatsCancel_->request();
  secondLoad_->cancel();
  QThreadPool::globalInstance()->waitForDone();
}

void StudioSession::openModel(const QString& path) {
  if (busy_) return;
  busy_ = true;
  progress_.stage("load model", 1);
  Q_EMIT jobStarted(tr("Opening %1").arg(path));
  runInBackground(
      this,
      [path] {
        Loaded r;
        r.path = path;
        quantcore::quantize::OpenModel open = quantcore::quantize::open_model(path.toStdString());
        const std::shared_ptr<const quantcore::Checkpoint>& ck = open.checkpoint;
        r.spec = ck->spec;
        r.model = std::const_pointer_cast<quantcore::CausalLM>(open.model);
        r.tokenizer = std::const_pointer_cast<quantcore::Tokenizer>(open.tokenizer);
        if (const auto* p = dynamic_cast<const quantcore::PackedCheckpoint*>(ck->weights.get()))
          r.bits = quantcore::outputs::formula_model_bits(p->quantized(), p->salient_counts(),
                                                          p->settings().salient_bits, p->settings().vector_dtype);
        r.checkpoint = ck;
        return r;
      },
      [this](TaskResult<Loaded> loaded) {
        busy_ = false;
        progress_.finish();
        if (loaded.failed()) {
          Q_EMIT modelFailed(loaded.error());
          return;
        }
        const Loaded& r = loaded.value();
        modelPath_ = r.path;
        spec_ = r.spec;
        model_ = r.model;
        tokenizer_ = r.tokenizer;
        checkpoint_ = r.checkpoint;
        quantizedBits_ = r.bits;
        run_.reset();
        runs_->setCurrentResult(nullptr);
        runs_->setOpenSource(checkpoint_.get());
        stats_.reset();
        calibration_.reset();
        bounds_->reset(nullptr);
        hessian_.reset();
        slider_.reset();
        sliderResult_.reset();
        selected_ = {};
        Q_EMIT modelOpened();
        Q_EMIT quantizedRunChanged();  // the previous model's current run is no longer current
        const auto linears = quantcore::block_linears(spec_);
        if (spec_.num_layers > 0 && !linears.empty()) selectLayer(0, QString::fromStdString(linears.front().name));
      });
}

void StudioSession::calibrate(const QString& textPath, const quantcore::CalibrationOptions& options) {
  if (busy_ || !model_) return;
  busy_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_.reset();
  Q_EMIT jobStarted(tr("Calibrating on %1").arg(textPath));
  runInBackground(
      this,
      [open = openModelData(), text = textPath.toStdString(), options](JobProgress& progress,
                                                                       const quantcore::CancelToken& cancel) {
        Calibrated r;
        r.text = QString::fromStdString(text);
        r.calibration = std::make_shared<const quantcore::quantize::Calibration>(
            quantcore::quantize::calibrate(open, text, options, true, {}, progress, cancel));
        return r;
      },
      [this](TaskResult<Calibrated> calibrated) {
        busy_ = false;
        cancel_.reset();
        if (calibrated.cancelled()) {
          Q_EMIT calibrationCancelled();
        } else if (calibrated.failed()) {
          Q_EMIT calibrationFailed(calibrated.error());
        } else {
          const Calibrated& r = calibrated.value();
          calibration_ = r.calibration;
          stats_ = calibration_->stats;
          hessian_ = std::make_shared<analysis::HessianSaliency>(model_, calibration_->windows);
          calibText_ = r.text;
          calibOptions_ = calibration_->options;
          rebuildSlider();
          bounds_->reset(std::make_shared<analysis::ModelBounds>(model_, *stats_));
          bounds_->request(ratio_);
          secondStats_.reset();
          Q_EMIT calibrationFinished();
        }
      },
      {.progress = borrowedProgress(progress_), .cancel = cancel_});
}

void StudioSession::openSecondModel(const QString& path) {
  secondProgress_.reset();
  secondLoad_->start(
      this,
      [path](JobProgress& progress, const quantcore::CancelToken& cancel) {
        progress.stage("load " + path.toStdString(), 2);
        auto checkpoint =
            std::make_shared<const quantcore::Checkpoint>(quantcore::open_model_checkpoint(path.toStdString()));
        progress.advance(1);
        cancel.throw_if_requested();
        std::shared_ptr<const quantcore::CausalLM> model =
            quantcore::load_causal_lm(*checkpoint, quantcore::ComputeOptions{});
        progress.advance(2);
        cancel.throw_if_requested();
        return model;
      },
      [this, path](TaskResult<std::shared_ptr<const quantcore::CausalLM>> r) { acceptSecondModel(r, path); },
      {.progress = borrowedProgress(secondProgress_)});
}

bool StudioSession::isRunOfOpenModel(const RunRecord& run) const {
  if (!model_) return false;
  if (run.result) return run.result->source.checkpoint == checkpoint_;
  const QString model = QFileInfo(run.model).canonicalFilePath();
  return !model.isEmpty() && model == QFileInfo(modelPath_).canonicalFilePath();
}

void StudioSession::compareRunWithOriginal(int runId) {
  const RunRecord* record = runs_->find(runId);
  if (!record) return;
  if (!isRunOfOpenModel(*record))
    return Q_EMIT secondModelFailed(
        tr("run #%1 belongs to %2, not to the open model %3").arg(runId).arg(record->model, modelPath_));
  if (!record->result) {
    if (record->kind == "compare")
      return Q_EMIT secondModelFailed(tr("run #%1 was read from a saved comparison, which keeps its numbers but not "
                                         "its model; quantize it again to compare it with the original")
                                          .arg(runId));
    if (!record->directory.isEmpty()) return openSecondModel(record->directory);
    return Q_EMIT secondModelFailed(tr("run #%1: its stored forms are no longer in memory and it was not saved; "
                                       "save runs you want to compare later")
                                        .arg(runId));
  }
  secondProgress_.reset();
  const QString label = QString("#%1 %2").arg(runId).arg(record->method);
  secondLoad_->start(
      this,
      [run = record->result](JobProgress& progress, const quantcore::CancelToken&) {
        progress.stage("W' of the run", 1);
        std::shared_ptr<const quantcore::CausalLM> model = quantcore::quantize::quantized_model(*run);
        progress.advance(1);
        return model;
      },
      [this, label](TaskResult<std::shared_ptr<const quantcore::CausalLM>> r) { acceptSecondModel(r, label); },
      {.progress = borrowedProgress(secondProgress_)});
}

void StudioSession::acceptSecondModel(TaskResult<std::shared_ptr<const quantcore::CausalLM>>& loaded,
                                      const QString& label) {
  if (loaded.cancelled()) return;
  if (loaded.failed()) return Q_EMIT secondModelFailed(loaded.error());
  second_ = loaded.value();
  secondPath_ = label;
  secondStats_.reset();
  preprocessRecord_ = nullptr;
  const QString record = label + "/preprocess.json";
  if (QFileInfo(record).isFile()) {
    try {
      preprocessRecord_ = nlohmann::json::parse(quantcore::read_file(record.toStdString()));
    } catch (const std::exception&) {
      preprocessRecord_ = nullptr;  // an unreadable record only hides the concentration chart
    }
  }
  Q_EMIT secondModelOpened();
}

bool StudioSession::secondModelMatches() const {
  if (!second_ || !model_) return false;
  const quantcore::ModelSpec& b = quantcore::spec_of(*second_);
  if (b.num_layers != spec_.num_layers) return false;
  const auto x = quantcore::block_linears(spec_), y = quantcore::block_linears(b);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].name != y[i].name || x[i].in_features != y[i].in_features || x[i].out_features != y[i].out_features)
      return false;
  return true;
}

void StudioSession::requestSecondStats() {
  if (!second_ || !calibration_ || secondStats_ || !secondModelMatches()) return;
  const std::pair<const void*, const void*> key{second_.get(), calibration_.get()};
  if (secondStatsFor_ == key) return;  // already running
  secondStatsFor_ = key;
  if (secondStatsCancel_) secondStatsCancel_->request();
  secondStatsCancel_ = std::make_shared<quantcore::CancelToken>();
  runInBackground(
      this,
      [model = second_, windows = calibration_->windows](JobProgress& progress, const quantcore::CancelToken& cancel) {
        return std::make_shared<const quantcore::ActivationStats>(
            analysis::model_statistics(*model, windows, progress, cancel));
      },
      [this, model = second_,
       calibration = calibration_](TaskResult<std::shared_ptr<const quantcore::ActivationStats>> r) {
        // A newer second model or calibration has made this result stale.
        if (model == second_ && calibration == calibration_) secondStatsFor_ = {};
        if (!r.hasValue() || model != second_ || calibration != calibration_) return;
        secondStats_ = r.value();
        Q_EMIT secondStatsReady();
      },
      {.cancel = secondStatsCancel_});
}

void StudioSession::cancelSecondModel() { secondLoad_->cancel(); }

void StudioSession::cancelJob() {
  if (cancel_) cancel_->request();
}

void StudioSession::selectLayer(qint64 block, const QString& linear) {
  if (!model_) return;
  LayerId id{block, linear.toStdString()};
  if (id == selected_) return;
  selected_ = id;
  selectedMagnitude_ = analysis::linear_weight_magnitude(*model_, block, selected_.linear);
  rebuildSlider();
  Q_EMIT selectionChanged();
}

void StudioSession::setSalientRatio(double ratio) {
  ratio = std::clamp(ratio, 0.0, 1.0);
  if (ratio == ratio_) return;
  ratio_ = ratio;
  Q_EMIT salientRatioChanged(ratio_);
  recomputeSlider();
  if (stats_) bounds_->request(ratio_);
}

bool StudioSession::isPackedModel() const {
  return checkpoint_ && checkpoint_->format == quantcore::CheckpointFormat::Packed;
}

quantcore::quantize::OpenModel StudioSession::openModelData() const { return {checkpoint_, model_, tokenizer_}; }

void StudioSession::setQuantizedRun(std::shared_ptr<const quantcore::quantize::QuantizeResult> run) {
  run_ = std::move(run);
  runs_->setCurrentResult(run_.get());
  Q_EMIT quantizedRunChanged();
  if (run_) setQuantizedBits(quantcore::outputs::run_model_bits(*run_));
}

void StudioSession::setQuantizedBits(const quantcore::ModelBits& bits) {
  quantizedBits_ = bits;
  Q_EMIT quantizedBitsChanged();
}

void StudioSession::rebuildSlider() {
  slider_.reset();
  sliderResult_.reset();  // the old mask belongs to another layer
  if (model_ && stats_ && selected_.valid())
    slider_ = std::make_shared<const analysis::SalientSlider>(*model_, *stats_, selected_.block, selected_.linear);
  Q_EMIT sliderChanged();
  recomputeSlider();
}

void StudioSession::recomputeSlider() {
  if (!slider_ || sliderRunning_) return;  // a running evaluation re-checks the ratio when it ends
  sliderRunning_ = true;
  // The background bounds start no new layer until this evaluation is done.
  ++*bounds_->holdCounter();
  runInBackground(
      this,
      [slider = slider_, ratio = ratio_,
       hold = bounds_->holdCounter()]() -> std::optional<analysis::SalientSliderResult> {
        struct Release {
          std::atomic<int>& n;
          ~Release() { --n; }
        } release{*hold};
        return slider->evaluate(ratio);
      },
      [this, slider = slider_](TaskResult<std::optional<analysis::SalientSliderResult>> result) {
        sliderRunning_ = false;
        if (slider != slider_) return recomputeSlider();  // another layer was selected meanwhile
        if (result.failed() || result.cancelled()) {
          sliderResult_.reset();  // the numbers read "-" rather than a stale ratio's
          return Q_EMIT sliderChanged();
        }
        const std::optional<analysis::SalientSliderResult>& r = result.value();
        sliderResult_ = r;
        if (r->ratio != ratio_) return recomputeSlider();
        Q_EMIT sliderChanged();
      });
}

}  // namespace widgets
