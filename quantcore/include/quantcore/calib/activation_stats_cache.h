#pragma once
// On-disk cache of activation statistics: computed once per (model, calibration text, options),
// re-read afterwards. One safetensors file per key in the cache directory, written atomically.
// Torch-free.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/model_spec.h"

namespace quantcore {

// Bump when the statistics' definition or the file layout changes: old entries then miss.
inline constexpr int kActivationStatsVersion = 1;

// Everything the statistics depend on.
struct ActivationStatsKey {
  std::string model_identity;  // model_identity(path)
  std::string text_hash;       // text_fingerprint(ids)
  CalibrationOptions options;
  std::string compute;  // device and compute dtype ("cpu/Float"): the statistics depend on them
  int version = kActivationStatsVersion;

  std::string describe() const;   // the full key, stored in the file and compared on load
  std::string file_name() const;  // "activation-stats-<16 hex digits>.safetensors"
};

// The model's absolute path plus name, size and modification time of the file, or of every
// regular file directly inside the directory: any rewrite of the weights changes it.
std::string model_identity(const std::filesystem::path& model_path);
// 64-bit FNV-1a of the token ids, as 16 hex digits (the ids are what the windows are cut from).
std::string text_fingerprint(const std::vector<int32_t>& ids);

// $XDG_CACHE_HOME/quantlens, else $HOME/.cache/quantlens, else ./.quantlens-cache.
std::filesystem::path default_cache_dir();

// The cached statistics when a file for `key` exists, was written for exactly this key and
// holds both vectors of the right length for every linear of `spec`; nullopt otherwise
// (an unreadable or mismatching file is a miss, it is overwritten on the next store).
std::optional<ActivationStats> load_cached_activation_stats(const std::filesystem::path& cache_dir,
                                                            const ActivationStatsKey& key, const ModelSpec& spec);
void store_activation_stats(const std::filesystem::path& cache_dir, const ActivationStatsKey& key,
                            const ActivationStats& stats);

// ActivationStatsKey::compute for a loaded model.
std::string activation_stats_compute(const CausalLM& model);

// The whole step: cut the windows (§1.3), and return the cached statistics or collect them on
// `model` (loaded from `model_path`) and store them. `cache_dir` defaults to default_cache_dir().
ActivationStats cached_activation_stats(CausalLM& model, const std::filesystem::path& model_path,
                                        const std::vector<int32_t>& ids, const CalibrationOptions& options,
                                        const std::optional<std::filesystem::path>& cache_dir, ProgressSink& progress,
                                        const CancelToken& cancel);

}  // namespace quantcore
