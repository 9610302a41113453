#pragma once
// The calibration options `quantize` and `dump` share (spec §1.3), and what they select.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/model_spec.h"

namespace quantlens_cli {

struct CalibrationArgs {
  std::string text;
  int64_t nsamples = quantcore::CalibrationOptions{}.nsamples;
  int64_t seqlen = 0;  // 0: 2048 capped at the model's context
  uint64_t seed = quantcore::CalibrationOptions{}.seed;
  std::string cache_dir;

  void add_to(CLI::App& sub);
  // InputError naming --calib when the text is missing.
  const std::string& required_text(std::string_view method) const;
  // Throws InputError when --seqlen exceeds the model's context.
  quantcore::CalibrationOptions options(const quantcore::ModelSpec& spec) const;
  std::optional<std::filesystem::path> cache() const;
};

}  // namespace quantlens_cli
