#pragma once
// The comparison job shared by `quantlens compare` and the Studio's comparison view: several
// methods (with settings) run one after the other on the same calibration windows, each
// evaluated the same way (perplexity, optionally a zero-shot task, per-layer output errors),
// bits counted three ways. Rows reach a listener as they finish; cancellation keeps the
// finished rows. Torch-free.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/layer_output_error.h"
#include "analysis/perplexity.h"
#include "analysis/zero_shot_eval.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/methods/method_settings.h"
#include "quantcore/optimize/block_driver.h"
#include "quantcore/quantize/quantize_job.h"

namespace analysis {

struct CompareTask {
  const ZeroShotTask* task = nullptr;
  std::string data;  // --task-data, for messages
  std::vector<ZeroShotItem> items;
  ZeroShotOptions options;
};

struct CompareRequest {
  std::vector<quantcore::methods::MethodSettings> methods;
  std::string calib;  // calibration text, shared by every method
  quantcore::CalibrationOptions calibration;
  std::string text;  // perplexity text
  PerplexityOptions perplexity;
  std::optional<CompareTask> task;
  bool layer_errors = true;
  quantcore::optimize::ChainPlacement chains = quantcore::optimize::ChainPlacement::Device;
  quantcore::ComputeOptions compute;  // the block computation's device and dtype, as for quantize
  // Keep each row's stored forms in the result (the Studio's run list takes them); false: they
  // reach the listener only and are released after it, so memory does not grow with the rows.
  bool keep_runs = true;
  quantcore::quantize::CacheOptions cache;
};

struct CompareRow {
  std::string method;    // registry name
  std::string spelling;  // NAME[:KEY=VALUE]...
  nlohmann::json parameters;
  nlohmann::json settings;                // the run's whole settings (quantize's settings_json: calibration too)
  double paper_bits = 0;                  // bits per weight as the method's paper counts them
  double stored_bits = 0;                 // every stored bit over the quantised weights
  std::optional<double> bits_from_bytes;  // measured on a packed file, for methods that have one
  PerplexityResult perplexity;
  std::optional<ZeroShotResult> accuracy;
  std::vector<LayerOutputError> layer_errors;                      // X: the first (at most 16) perplexity windows
  double seconds = 0;                                              // quantisation (the shared calibration not included)
  int64_t peak_memory_bytes = 0;                                   // peak resident memory while this row ran
  std::vector<std::string> notices;                                // the run's notices (e.g. damping retries)
  std::shared_ptr<const quantcore::quantize::QuantizeResult> run;  // the stored forms
};

struct CompareResult {
  std::string model;
  // What every row shares (compare_setup_json): calibration, evaluation text and windows, task.
  nlohmann::json setup;
  double calibration_seconds = 0;  // tokenising, windows and statistics, shared by every row
  PerplexityResult fp_perplexity;
  std::optional<ZeroShotResult> fp_accuracy;
  std::vector<CompareRow> rows;  // in request order, the finished ones
  bool cancelled = false;
  // A method that failed (bad settings for this model, a Hessian no damping factorises, ...):
  // "SPELLING: what went wrong"; the comparison stops there and keeps the finished rows.
  std::string failure;
};

class CompareListener {
public:
  virtual ~CompareListener() = default;
  // The FP model's evaluation, before the first method starts.
  virtual void fp_evaluated(const PerplexityResult& perplexity, const std::optional<ZeroShotResult>& accuracy) {}
  virtual void method_started(size_t index, const quantcore::methods::MethodSettings& method) {}
  virtual void row_finished(size_t index, const CompareRow& row) {}
};

// The request's shared settings as compare.json's "setup".
nlohmann::json compare_setup_json(const CompareRequest& request);

// Throws InputError for bad inputs before any method runs (unreadable texts, windows that do
// not fit). A cancel (at any step) ends the job with the finished rows and cancelled = true; a
// method's failure with the finished rows and `failure`.
CompareResult run_compare(const quantcore::quantize::OpenModel& model, const CompareRequest& request,
                          CompareListener& listener, quantcore::ProgressSink& progress,
                          const quantcore::CancelToken& cancel);

}  // namespace analysis
