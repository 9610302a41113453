#include "calibration_args.h"

#include <algorithm>

#include "command_support.h"
#include "quantcore/io/errors.h"

namespace quantlens_cli {

void CalibrationArgs::add_to(CLI::App& sub) {
  sub.add_option("--calib", text, "Calibration text file (for methods that calibrate)");
  sub.add_option("--nsamples", nsamples, "Calibration windows")->check(positive_integer())->capture_default_str();
  sub.add_option("--seqlen", seqlen, "Window length (default 2048, capped at the model's context)")
      ->check(positive_integer());
  sub.add_option("--seed", seed, "Seed of the window draw")->capture_default_str();
  sub.add_option("--cache-dir", cache_dir, "Activation statistics cache (default ~/.cache/quantlens)");
}

const std::string& CalibrationArgs::required_text(std::string_view method) const {
  if (text.empty()) throw quantcore::InputError("--calib", std::string(method) + " needs a calibration text");
  return text;
}

quantcore::CalibrationOptions CalibrationArgs::options(const quantcore::ModelSpec& spec) const {
  const int64_t cap = spec.max_position_embeddings;
  if (seqlen > cap)
    throw quantcore::InputError("--seqlen",
                                std::to_string(seqlen) + " exceeds the model's context of " + std::to_string(cap));
  quantcore::CalibrationOptions o;
  o.nsamples = nsamples;
  o.seqlen = seqlen == 0 ? std::min<int64_t>(2048, cap) : seqlen;
  o.seed = seed;
  return o;
}

std::optional<std::filesystem::path> CalibrationArgs::cache() const {
  if (cache_dir.empty()) return std::nullopt;
  return std::filesystem::path(cache_dir);
}

}  // namespace quantlens_cli
