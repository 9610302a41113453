#include "analysis/ptq161_job.h"

#include <chrono>

#include "analysis/loss_curve_recorder.h"
#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/errors.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/load_model.h"
#include "quantcore/optimize/ptq161_pass.h"
#include "quantcore/pack/packed_checkpoint.h"
#include "quantcore/io/read_file.h"
#include "quantcore/tokenize/tokenizer.h"

namespace analysis {

int64_t ptq161_total_steps(int64_t blocks, const quantcore::CalibrationOptions& calibration,
                           const quantcore::Ptq161Options& options) {
  return options.trains() ? blocks * options.epochs * calibration.nsamples : 0;
}

Ptq161JobResult run_ptq161_job(const Ptq161JobSettings& settings, quantcore::OptimizationEvents& events,
                               quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  // fp32 master training (spec §5.2): the default compute options are fp32 on the CPU.
  auto checkpoint =
      std::make_shared<const quantcore::Checkpoint>(quantcore::open_model_checkpoint(settings.model_path));
  Ptq161JobResult r;
  r.checkpoint = checkpoint;
  r.settings = settings;
  r.tokenizer = quantcore::load_tokenizer(checkpoint->tokenizer_path);
  const std::vector<int32_t> ids = r.tokenizer->encode(quantcore::read_file(settings.calib_text_path));
  const auto windows = quantcore::calibration_windows(ids, settings.calibration);
  cancel.throw_if_requested();
  r.model = quantcore::load_causal_lm(*checkpoint, quantcore::ComputeOptions{});
  r.stats = std::make_shared<const quantcore::ActivationStats>(quantcore::cached_activation_stats(
      *r.model, checkpoint->path, ids, settings.calibration, std::nullopt, progress, cancel));
  LossCurveRecorder recorder(events);
  r.ptq161 = std::make_shared<const quantcore::Ptq161Result>(
      quantcore::run_ptq161(*r.model, windows, *r.stats, settings.options, recorder, progress, cancel));
  r.loss_curves = recorder.curves();
  r.blocks = static_cast<int64_t>(r.ptq161->blocks.size());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

PerplexityResult ptq161_job_perplexity(const Ptq161JobResult& run, const std::string& text_path,
                                       const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                       const quantcore::CancelToken& cancel) {
  const std::vector<int32_t> ids = run.tokenizer->encode(quantcore::read_file(text_path));
  return evaluate_perplexity(*run.model, ids, options, progress, cancel);
}

}  // namespace analysis
