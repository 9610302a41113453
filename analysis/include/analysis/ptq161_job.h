#pragma once
// One PTQ1.61 run for the workbench, torch-free: opens its own fp32 copy of the model (the views
// keep showing the original), cuts the calibration windows (spec §1.3), reads or collects the
// activation statistics through the cache and runs the block-wise optimisation (spec §1.2, §5).
// Loss events and progress go to the caller's listeners from the job's thread.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/dump_data.h"
#include "analysis/perplexity.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/optimize/events.h"
#include "quantcore/optimize/ptq161_options.h"

namespace quantcore {
class CausalLM;
class Tokenizer;
struct Checkpoint;
struct ActivationStats;
struct Ptq161Result;
}  // namespace quantcore

namespace analysis {

struct Ptq161JobSettings {
  std::string model_path;
  std::string calib_text_path;
  quantcore::CalibrationOptions calibration;
  quantcore::Ptq161Options options;
};

// What the exports need of a finished run (quantcore/export/quantized_model_writers.h, the
// quantized HDF5 dump of analysis/ptq161_dump.h).
struct Ptq161JobResult {
  std::shared_ptr<quantcore::CausalLM> model;  // every block linear holds its fake-quantised W'
  std::shared_ptr<quantcore::Tokenizer> tokenizer;
  std::shared_ptr<const quantcore::Checkpoint> checkpoint;  // the source the run started from
  std::shared_ptr<const quantcore::ActivationStats> stats;
  std::shared_ptr<const quantcore::Ptq161Result> ptq161;  // masks, stored forms, learned parameters
  Ptq161JobSettings settings;
  std::map<int64_t, LossCurve> loss_curves;  // per block, steps counted over the whole pass
  int64_t blocks = 0;
  double seconds = 0;
};

// Optimiser steps of a whole run: blocks x epochs x nsamples (0 without learning).
int64_t ptq161_total_steps(int64_t blocks, const quantcore::CalibrationOptions& calibration,
                           const quantcore::Ptq161Options& options);

// Throws quantcore::InputError for a bad model or text, quantcore::Cancelled when `cancel` is
// requested; the model the caller has open is never touched.
Ptq161JobResult run_ptq161_job(const Ptq161JobSettings& settings, quantcore::OptimizationEvents& events,
                               quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel);

// Perplexity (spec §8.1) of the run's model on the text at `text_path`.
PerplexityResult ptq161_job_perplexity(const Ptq161JobResult& run, const std::string& text_path,
                                       const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                       const quantcore::CancelToken& cancel);

}  // namespace analysis
