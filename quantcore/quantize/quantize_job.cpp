#include "quantcore/quantize/quantize_job.h"

#include <ATen/ATen.h>

#include <chrono>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/read_file.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/methods/install_quantized.h"
#include "quantcore/model/load_model.h"
#include "quantcore/pack/packed_checkpoint.h"
#include "quantcore/quantize/reused_masks.h"
#include "quantcore/tokenize/tokenizer.h"

namespace quantcore::quantize {

OpenModel open_model(const std::string& path, const ComputeOptions& compute) {
  OpenModel m;
  auto checkpoint = std::make_shared<const Checkpoint>(open_model_checkpoint(path));
  m.tokenizer = load_tokenizer(checkpoint->tokenizer_path);
  m.model = load_causal_lm(*checkpoint, compute);
  m.checkpoint = checkpoint;
  return m;
}

Calibration calibrate(const OpenModel& open, const std::string& text_path, const CalibrationOptions& options,
                      bool statistics, const CacheOptions& cache, ProgressSink& progress, const CancelToken& cancel) {
  Calibration c;
  c.text_path = text_path;
  c.options = options;
  c.ids = open.tokenizer->encode(read_file(text_path));
  c.windows = calibration_windows(c.ids, options);
  cancel.throw_if_requested();
  if (statistics) {
    // The statistics pass installs an observer: it runs on a shallow copy of its own.
    CausalLM observed = *open.model;
    if (cache.enabled)
      c.stats = std::make_shared<const ActivationStats>(
          cached_activation_stats(observed, open.checkpoint->path, c.ids, options, cache.directory, progress, cancel));
    else
      c.stats =
          std::make_shared<const ActivationStats>(collect_activation_stats(observed, c.windows, progress, cancel));
  }
  return c;
}

QuantizeResult quantize(const OpenModel& open, const Calibration* given, const QuantizeSettings& settings,
                        const CacheOptions& cache, OptimizationEvents& events, ProgressSink& progress,
                        const CancelToken& cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  const methods::MethodNeeds needs = settings.method.method().needs(settings.method);
  std::optional<ActivationStats> masks;
  if (!settings.reuse_masks.empty()) {
    if (!needs.activation_stats || !settings.method.takes("salient-ratio"))
      throw InputError("--reuse-masks", std::string(settings.method.method_name()) +
                                            " chooses no salient channels from activation statistics");
    masks = reused_mask_statistics(settings.reuse_masks, open.checkpoint->spec, open.checkpoint->path,
                                   settings.method.real("salient-ratio"));
  }
  QuantizeResult r(settings);
  r.settings.model = open.checkpoint->path.string();  // one spelling of the model, whoever started the run
  r.source = open;
  std::optional<Calibration> made;
  const Calibration* calibration = nullptr;
  if (needs.calibration) {
    if (given && (!needs.activation_stats || given->stats)) {
      calibration = given;
    } else {
      made = calibrate(open, settings.calib, settings.calibration, needs.activation_stats, cache, progress, cancel);
      calibration = &*made;
    }
    r.stats = calibration->stats;
    r.calib_tokens = static_cast<int64_t>(calibration->ids.size());
  }
  r.losses.forward_to(&events);
  CausalLM work = *open.model;  // shallow: the driver swaps W' into this copy's blocks only
  static const std::vector<std::vector<int32_t>> no_windows;
  r.quantized = std::make_shared<const methods::QuantizedModel>(
      optimize::quantize_blocks(work, calibration ? calibration->windows : no_windows, masks ? &*masks : r.stats.get(),
                                settings.method, settings.chains, r.losses, progress, cancel));
  r.losses.forward_to(nullptr);  // the result outlives the caller's listener
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

int64_t total_steps(const QuantizeSettings& s, int64_t blocks) {
  return blocks * s.method.method().steps_per_block(s.method, s.calibration.nsamples);
}

std::shared_ptr<CausalLM> quantized_model(const QuantizeResult& r, const std::string& kernels) {
  check_compute_options({r.source.model->device().is_cuda() ? "cuda" : "cpu", "fp32", kernels});
  auto model = std::make_shared<CausalLM>(*r.source.model);
  for (const methods::QuantizedBlock& b : r.quantized->blocks)
    for (const auto& l : b.linears) {
      if (kernels != "packed") {
        methods::install_quantized(*model, b.block, *l);
        continue;
      }
      if (!l->packed())
        throw InputError("--kernels", std::string(r.settings.method.method_name()) + " has no packed form");
      model->set_packed_linear(b.block, l->linear(), *l->packed());
      model->set_linear_input_quantization(b.block, l->linear(), l->input_quantization());
    }
  return model;
}

}  // namespace quantcore::quantize
