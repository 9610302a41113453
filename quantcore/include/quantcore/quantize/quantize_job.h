#pragma once
// The one quantize job, shared by `quantlens quantize`, `quantlens dump` and the Studio:
// open -> tokenise -> calibration windows -> statistics (cached) -> method over the blocks ->
// the quantised model (stored forms) that the writers take. Each step reports progress and
// stops on cancel; a caller that already holds the open model or the calibration passes them
// in and nothing is opened or tokenised again. Torch-free header.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/methods/quantized_linear.h"
#include "quantcore/model/compute_target.h"
#include "quantcore/quantize/loss_history.h"
#include "quantcore/quantize/quantize_settings.h"

namespace quantcore {
class CausalLM;
class Tokenizer;
struct ActivationStats;
}  // namespace quantcore

namespace quantcore::quantize {

// An open model: the checkpoint (memory-mapped), its FP forward pass and its tokenizer.
struct OpenModel {
  std::shared_ptr<const Checkpoint> checkpoint;
  std::shared_ptr<const CausalLM> model;
  std::shared_ptr<const Tokenizer> tokenizer;
};

// Opens `path` (HF directory, llama2.c .bin or packed directory) with its tokenizer.
OpenModel open_model(const std::string& path, const ComputeOptions& compute = {});

// A calibration of one open model: the text's tokens, the windows (spec §1.3) and, when asked
// for, the per-linear activation statistics (§2.1) read through the cache.
struct Calibration {
  std::string text_path;
  CalibrationOptions options;
  std::vector<int32_t> ids;
  std::vector<std::vector<int32_t>> windows;
  std::shared_ptr<const ActivationStats> stats;
};

struct CacheOptions {
  bool enabled = true;
  std::optional<std::filesystem::path> directory;  // default: $XDG_CACHE_HOME/quantlens
};

// Throws InputError for an unreadable text or windows that do not fit it.
Calibration calibrate(const OpenModel& open, const std::string& text_path, const CalibrationOptions& options,
                      bool statistics, const CacheOptions& cache, ProgressSink& progress, const CancelToken& cancel);

// A finished run: the stored forms of every block linear and what they were made from.
struct QuantizeResult {
  explicit QuantizeResult(QuantizeSettings s) : settings(std::move(s)) {}
  QuantizeSettings settings;
  OpenModel source;                              // the model the run started from (unchanged)
  std::shared_ptr<const ActivationStats> stats;  // null when the method needs none
  std::shared_ptr<const methods::QuantizedModel> quantized;
  LossHistory losses;
  int64_t calib_tokens = 0;
  double seconds = 0;  // calibration and quantisation
};

// Runs settings.method over every block of `open` (on a shallow copy: the open model is never
// changed, so views may keep reading it). `calibration` is used when given (it must belong to
// the same model and settings.calibration), else made from settings.calib when the method needs
// one. Loss events go to `events` from the job's thread.
QuantizeResult quantize(const OpenModel& open, const Calibration* calibration, const QuantizeSettings& settings,
                        const CacheOptions& cache, OptimizationEvents& events, ProgressSink& progress,
                        const CancelToken& cancel);

// Optimiser steps of a whole run (blocks x steps per block), for progress and ETA.
int64_t total_steps(const QuantizeSettings& settings, int64_t blocks);

// The run's model with every block linear holding its W' (fp16 of the stored forms), sharing
// every other tensor with the source: made on demand (e.g. for perplexity), dropped after use.
// With kernels "packed" the block linears compute from their packed forms instead (InputError
// for a method that has none).
std::shared_ptr<CausalLM> quantized_model(const QuantizeResult& result, const std::string& kernels = "dense");

}  // namespace quantcore::quantize
