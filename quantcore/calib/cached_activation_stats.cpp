#include <utility>

#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore {

std::string activation_stats_compute(const CausalLM& model) {
  return c10::DeviceTypeName(model.device().type(), /*lower_case=*/true) + "/" +
         std::string(c10::toString(model.dtype()));
}

ActivationStats cached_activation_stats(CausalLM& model, const std::filesystem::path& model_path,
                                        const std::vector<int32_t>& ids, const CalibrationOptions& options,
                                        const std::optional<std::filesystem::path>& cache_dir, ProgressSink& progress,
                                        const CancelToken& cancel) {
  // Cut the windows first: a too-short text is an error whether or not a cache entry exists.
  std::vector<std::vector<int32_t>> windows = calibration_windows(ids, options);
  const std::filesystem::path dir = cache_dir ? *cache_dir : default_cache_dir();
  ActivationStatsKey key{model_identity(model_path), text_fingerprint(ids), options, activation_stats_compute(model)};
  if (auto hit = load_cached_activation_stats(dir, key, model.spec())) return std::move(*hit);
  ActivationStats stats = collect_activation_stats(model, windows, progress, cancel);
  store_activation_stats(dir, key, stats);
  return stats;
}

}  // namespace quantcore
