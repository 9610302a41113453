#pragma once
// The calibration options `quantize` and `dump` share (spec §1.3), and what they select.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/optimize/ptq161_options.h"

namespace quantlens_cli {

struct CalibrationArgs {
  std::string text;
  int64_t nsamples = 128;
  int64_t seqlen = 0;  // 0: 2048 capped at the model's context
  uint64_t seed = 2;
  std::string cache_dir;

  void add_to(CLI::App& sub);
  // Throws InputError when --seqlen exceeds the model's context.
  quantcore::CalibrationOptions options(const quantcore::ModelSpec& spec) const;
  std::optional<std::filesystem::path> cache() const;
};

// --mask-stat max|mean|none.
quantcore::MaskStatistic parse_mask_statistic(const std::string& name);

}  // namespace quantlens_cli
