#include "quantcore/calib/calibration_windows.h"

#include <string>

#include "quantcore/io/errors.h"

namespace quantcore {

uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  // x * bound / 2^64 maps [0, 2^64) onto [0, bound); the low word of the product tells whether
  // x fell in one of the (2^64 mod bound) surplus slots, which are drawn again.
  unsigned __int128 product = static_cast<unsigned __int128>(engine()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (low < threshold) {
      product = static_cast<unsigned __int128>(engine()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

std::vector<int64_t> calibration_window_starts(int64_t total_tokens, const CalibrationOptions& options) {
  if (options.nsamples < 1) throw InputError("--nsamples", "must be at least 1");
  if (options.seqlen < 1) throw InputError("--seqlen", "must be at least 1");
  if (total_tokens <= options.seqlen)
    throw InputError("calibration text", "has " + std::to_string(total_tokens) + " tokens; calibration windows of " +
                                             std::to_string(options.seqlen) + " need at least " +
                                             std::to_string(options.seqlen + 1));
  std::mt19937_64 engine(options.seed);
  const auto choices = static_cast<uint64_t>(total_tokens - options.seqlen);  // 0 .. T-L-1
  std::vector<int64_t> starts;
  starts.reserve(static_cast<size_t>(options.nsamples));
  for (int64_t n = 0; n < options.nsamples; ++n) starts.push_back(static_cast<int64_t>(uniform_below(engine, choices)));
  return starts;
}

std::vector<std::vector<int32_t>> calibration_windows(const std::vector<int32_t>& ids,
                                                      const CalibrationOptions& options) {
  std::vector<std::vector<int32_t>> windows;
  for (int64_t start : calibration_window_starts(static_cast<int64_t>(ids.size()), options))
    windows.emplace_back(ids.begin() + start, ids.begin() + start + options.seqlen);
  return windows;
}

}  // namespace quantcore
